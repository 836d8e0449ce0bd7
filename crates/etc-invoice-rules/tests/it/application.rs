//! The wire format: reading, errors with paths, size limits.

use etc_invoice_rules::{
    ApplicationError, ApplicationKind, InvoiceApplication, MAX_APPLICATION_BYTES,
};
use serde_json::json;

use crate::fixtures::*;

fn error_of(v: &serde_json::Value) -> ApplicationError {
    InvoiceApplication::from_json(serde_json::to_vec(v).unwrap()).unwrap_err()
}

#[test]
fn reads_the_documented_example() {
    let app = app(&app_json(&["P1", "P2"]));
    assert_eq!(app.kind, ApplicationKind::Consumption);
    assert_eq!(app.selected, ["P1", "P2"]);
    let back = InvoiceApplication::from_json(app.to_json()).unwrap();
    assert_eq!(back, app);
    let json: serde_json::Value = serde_json::from_str(&app.to_json()).unwrap();
    assert_eq!(json, app_json(&["P1", "P2"]));
}

#[test]
fn unknown_enum_values_name_their_path() {
    for (pointer, value, path) in [
        ("/kind", json!("refund"), "kind"),
        ("/mergeMode", json!("daily"), "mergeMode"),
        ("/channel", json!("fax"), "channel"),
        ("/title/kind", json!("government"), "title.kind"),
    ] {
        let e = error_of(&set(app_json(&["P1"]), pointer, value));
        assert_eq!(e.path(), Some(path), "{e}");
        assert!(
            e.to_string()
                .starts_with(&format!("invalid application at `{path}`: unknown variant")),
            "{e}"
        );
    }
}

#[test]
fn wrong_types_and_fields_name_their_path() {
    let e = error_of(&set(app_json(&["P1"]), "/selected", json!(["P1", 2])));
    assert_eq!(e.path(), Some("selected[1]"));
    let e = error_of(&set(app_json(&["P1"]), "/title/name", json!(null)));
    assert_eq!(e.path(), Some("title.name"));
    let e = error_of(&set(app_json(&["P1"]), "/title/color", json!("red")));
    assert_eq!(e.path(), Some("title.color"));
    assert!(e.to_string().contains("unknown field `color`"), "{e}");
    let e = error_of(&unset(app_json(&["P1"]), "/delivery"));
    assert_eq!(e.path(), Some("$"));
    assert!(e.to_string().contains("missing field `delivery`"), "{e}");
    let e = error_of(&set(app_json(&["P1"]), "/id", json!("not-a-uuid")));
    assert_eq!(e.path(), Some("id"));
    let e = error_of(&set(app_json(&["P1"]), "/requestedAt", json!("yesterday")));
    assert_eq!(e.path(), Some("requestedAt"));
}

#[test]
fn malformed_json_and_trailing_data() {
    for bad in ["", "{", "[]", "null", "{\"id\": }", "\u{feff}{}"] {
        let e = InvoiceApplication::from_json(bad).unwrap_err();
        assert!(matches!(e, ApplicationError::Invalid { .. }), "{bad:?}");
    }
    let mut text = app(&app_json(&["P1"])).to_json();
    text.push_str(" {}");
    let e = InvoiceApplication::from_json(text).unwrap_err();
    assert_eq!(e.path(), Some("$"));
    assert!(InvoiceApplication::from_json([0xff, 0xfe]).is_err());
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let v = format!(r#"{{"id": {deep}}}"#);
    assert!(InvoiceApplication::from_json(v).is_err());
}

#[test]
fn size_limit() {
    let big = vec![b' '; MAX_APPLICATION_BYTES + 1];
    let e = InvoiceApplication::from_json(&big).unwrap_err();
    assert!(e.is_too_large());
    assert_eq!(e.path(), None);
    assert_eq!(
        e.to_string(),
        format!(
            "application is {} bytes, more than the limit of {MAX_APPLICATION_BYTES}",
            MAX_APPLICATION_BYTES + 1
        )
    );
}

#[test]
fn long_unknown_values_are_cut_in_messages() {
    let e = error_of(&set(app_json(&["P1"]), "/kind", json!("k".repeat(100_000))));
    assert!(
        e.to_string().chars().count() < 300,
        "{}",
        e.to_string().len()
    );
}

#[test]
fn debug_redacts_personal_data() {
    let app = app(&app_json(&["P1"]));
    let dbg = format!("{app:?}");
    for secret in [
        "6222020200112233445",
        "13800138000",
        "finance@example.com",
        "020-12345678",
    ] {
        assert!(!dbg.contains(secret), "{secret} in {dbg}");
    }
    let personal = app_json(&["P1"]);
    let personal = set(
        personal,
        "/title",
        json!({"kind": "personal", "name": "张三丰", "effectiveFrom": "2024-01-01T00:00:00+08:00"}),
    );
    let dbg = format!("{:?}", self::app(&personal));
    assert!(!dbg.contains("张三丰"), "{dbg}");
}
