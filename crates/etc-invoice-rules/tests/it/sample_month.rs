//! The bundled sample month (`examples/data`): an application over card
//! `44019912345678900011`'s passages, validated and planned.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use etc_invoice_order::import::{JsonLinesReader, PassageCsvReader};
use etc_invoice_order::{Passage, Record};
use etc_invoice_rules::{Context, MemoryContext, Validator, plan_invoices};
use serde_json::json;

use crate::fixtures::*;

const SAMPLE_CARD: &str = "44019912345678900011";

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/data")
        .join(name)
}

fn load() -> (MemoryContext, Vec<Passage>) {
    let file = File::open(data("passages-2024-03.csv")).unwrap();
    let passages: Vec<Passage> = PassageCsvReader::new(BufReader::new(file))
        .collect::<Result<_, _>>()
        .unwrap();
    let file = File::open(data("records-2024-03.jsonl")).unwrap();
    let others: Vec<Record> = JsonLinesReader::new(BufReader::new(file))
        .collect::<Result<_, _>>()
        .unwrap();
    let mut ctx = context(others);
    ctx.extend(passages.iter().cloned().map(Record::Passage));
    ctx.bind(APPLICANT, SAMPLE_CARD.parse().unwrap());
    (ctx, passages)
}

#[test]
fn plans_the_sample_month() {
    let (ctx, passages) = load();
    let mine: Vec<&Passage> = passages
        .iter()
        .filter(|p| p.card().as_str() == SAMPLE_CARD)
        .collect();
    assert_eq!(mine.len(), 26);
    let ids: Vec<&str> = mine.iter().map(|p| p.id().as_str()).collect();
    let now = time("2024-04-20T10:00:00+08:00");
    let book = book();
    let validator = Validator::new(&book);

    // All of them: the two unsettled passages of month end are findings.
    let v = set(app_json(&ids), "/card", json!(SAMPLE_CARD));
    let r = validator.validate(&app(&v), &Context::new(&ctx), now);
    assert_eq!(
        codes(&r),
        ["TRANSACTION_UNSETTLED", "TRANSACTION_UNSETTLED"]
    );

    // The settled ones pass and plan.
    let settled: Vec<&str> = mine
        .iter()
        .filter(|p| p.settled_at().is_some())
        .map(|p| p.id().as_str())
        .collect();
    for mode in ["perTrip", "monthly"] {
        let v = set(
            set(app_json(&settled), "/card", json!(SAMPLE_CARD)),
            "/mergeMode",
            json!(mode),
        );
        let r = validator.validate(&app(&v), &Context::new(&ctx), now);
        assert!(r.passed(), "{:#?}", r.errors());
        let plan = plan_invoices(r.validated().unwrap(), &ctx, &book).unwrap();
        let charged: i64 = mine
            .iter()
            .filter(|p| p.settled_at().is_some())
            .map(|p| p.total_charged().to_fen())
            .sum();
        assert_eq!(plan.totals.gross.to_fen(), charged);
        let mut sellers: Vec<String> = plan
            .invoices
            .iter()
            .map(|d| {
                format!(
                    "{} {} {}",
                    d.seller.id,
                    d.document,
                    d.rate.map_or_else(|| "-".to_owned(), |r| r.to_string())
                )
            })
            .collect();
        sellers.dedup();
        assert_eq!(
            sellers,
            [
                "GD-EXP-NEW vatInvoice 9%",
                "GD-EXP-OLD vatInvoice 3%",
                "GD-GOV-G1 fiscalEBill -",
                "HN-EXP-OLD vatInvoice 3%",
                "HN-GOV-EXP fiscalEBill -",
            ]
        );
        let sheets = if mode == "perTrip" { settled.len() } else { 1 };
        assert_eq!(plan.summaries.len(), sheets);
    }
}

#[test]
fn the_sample_statement() {
    let (ctx, _) = load();
    let now = time("2024-04-20T10:00:00+08:00");
    let v = set(
        set(
            set(app_json(&["S2024030001"]), "/card", json!(SAMPLE_CARD)),
            "/kind",
            json!("statement"),
        ),
        "/mergeMode",
        json!("monthly"),
    );
    let book = book();
    let r = Validator::new(&book).validate(&app(&v), &Context::new(&ctx), now);
    assert!(r.passed(), "{:#?}", r.errors());
    assert_eq!(codes(&r), ["STATEMENT_HAS_REFUNDS"]);
    let plan = plan_invoices(r.validated().unwrap(), &ctx, &book).unwrap();
    assert_eq!(plan.summaries.len(), 1);
    assert!(plan.totals.gross.is_positive());
}
