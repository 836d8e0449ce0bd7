//! Hostile input: huge selections and names finish quickly with findings.

use std::time::{Duration, Instant};

use etc_invoice_rules::{Context, InvoiceApplication, Validator};
use serde_json::json;

use crate::fixtures::*;

/// Generous enough for a debug build on a slow CI machine.
const LIMIT: Duration = Duration::from_secs(5);

#[test]
fn a_million_ids() {
    let mut app = app(&app_json(&["P1"]));
    app.selected = (0..1_000_000).map(|i| format!("X{i}")).collect();
    let ctx = context(records(&march()));
    let start = Instant::now();
    let r = Validator::new(&book()).validate(&app, &Context::new(&ctx), time(NOW));
    assert!(start.elapsed() < LIMIT, "{:?}", start.elapsed());
    let first = r.errors().first().unwrap();
    assert_eq!(first.code.as_str(), "SELECTION_TOO_MANY");
    assert_eq!(first.value.as_deref(), Some("1000000"));
    // Only the first 500 (the maximum) are examined.
    assert_eq!(r.errors().len(), 501);
}

#[test]
fn a_million_ids_as_json_are_refused_by_size() {
    let ids: Vec<String> = (0..1_000_000).map(|i| format!("X{i}")).collect();
    let v = set(app_json(&[]), "/selected", json!(ids));
    let bytes = serde_json::to_vec(&v).unwrap();
    let start = Instant::now();
    let e = InvoiceApplication::from_json(&bytes).unwrap_err();
    assert!(start.elapsed() < LIMIT);
    assert!(e.is_too_large());
}

#[test]
fn a_megabyte_name() {
    let v = set(
        app_json(&["P1"]),
        "/title/name",
        json!("名".repeat(350_000)),
    );
    let bytes = serde_json::to_vec(&v).unwrap();
    assert!(bytes.len() > 1_000_000);
    let start = Instant::now();
    let app = InvoiceApplication::from_json(&bytes).unwrap();
    let ctx = context(records(&march()));
    let r = Validator::new(&book()).validate(&app, &Context::new(&ctx), time(NOW));
    assert!(start.elapsed() < LIMIT);
    assert_eq!(codes(&r), ["TITLE_NAME_INVALID"]);
    let f = r.errors().first().unwrap();
    assert_eq!(f.value.as_ref().unwrap().chars().count(), 65);
}

#[test]
fn megabyte_values_everywhere() {
    let big = "9".repeat(200_000);
    let mut v = app_json(&["P1"]);
    for p in [
        "/applicant",
        "/card",
        "/month",
        "/title/taxpayerId",
        "/title/phone",
        "/title/bankAccount",
        "/title/address",
        "/delivery/email",
    ] {
        v = set(v, p, json!(big));
    }
    let app = app(&v);
    let ctx = context(records(&march()));
    let start = Instant::now();
    let r = Validator::new(&book()).validate(&app, &Context::new(&ctx), time(NOW));
    assert!(start.elapsed() < LIMIT);
    assert!(!r.passed());
    for f in r.findings() {
        assert!(
            f.value.as_ref().is_none_or(|v| v.chars().count() <= 66),
            "{f:?}"
        );
        assert!(f.message_en.len() < 1000, "{}", f.message_en.len());
    }
}
