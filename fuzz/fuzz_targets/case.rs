//! A validation case (application, order data, bindings, state, rules
//! overlay) from arbitrary JSON, validated and planned on the built-in rule
//! book: no panic, and a plan that comes out keeps its invariants (every
//! line's and draft's net + tax = gross, drafts sum to the totals, summary
//! sheets bind existing drafts) and survives JSON.
#![no_main]

use etc_invoice::order::Money;
use etc_invoice::province::RuleBook;
use etc_invoice::rules::case::Case;
use etc_invoice::rules::{InvoiceApplication, InvoicePlan};
use libfuzzer_sys::fuzz_target;

fn sum(items: impl Iterator<Item = Money>) -> Money {
    Money::checked_sum(items).expect("a plan's sums are in range")
}

fn check(plan: &InvoicePlan) {
    for d in &plan.invoices {
        for l in d.lines.iter() {
            assert_eq!(l.net.checked_add(l.tax), Ok(l.gross), "line sums");
        }
        assert_eq!(d.total_net, sum(d.lines.iter().map(|l| l.net)));
        assert_eq!(d.total_tax, sum(d.lines.iter().map(|l| l.tax)));
        assert_eq!(d.total_gross, sum(d.lines.iter().map(|l| l.gross)));
    }
    assert_eq!(
        plan.totals.gross,
        sum(plan.invoices.iter().map(|d| d.total_gross))
    );
    assert_eq!(
        plan.totals.net,
        sum(plan.invoices.iter().map(|d| d.total_net))
    );
    assert_eq!(
        plan.totals.tax,
        sum(plan.invoices.iter().map(|d| d.total_tax))
    );
    for (i, d) in plan.invoices.iter().enumerate() {
        assert_eq!(d.index as usize, i, "draft index");
    }
    for s in &plan.summaries {
        assert!(
            s.invoices
                .iter()
                .all(|i| (*i as usize) < plan.invoices.len()),
            "a summary sheet binds a draft that is not there"
        );
    }
    let json = serde_json::to_string(plan).expect("a plan serialises");
    let back: InvoicePlan = serde_json::from_str(&json).expect("a plan reads back");
    assert_eq!(&back, plan, "plan JSON round trip");
}

fuzz_target!(|data: &[u8]| {
    // The application alone, as the wire format reads it.
    if let Ok(app) = InvoiceApplication::from_json(data) {
        let again =
            InvoiceApplication::from_json(app.to_json()).expect("an application's JSON reads back");
        assert_eq!(again, app, "application JSON round trip");
    }
    let Ok(case) = Case::from_json(data) else {
        return;
    };
    let Ok(outcome) = case.run(RuleBook::builtin_ref()) else {
        return;
    };
    serde_json::to_string(&outcome.report).expect("a report serialises");
    if let Some(Ok(plan)) = &outcome.plan {
        check(plan);
    }
});
