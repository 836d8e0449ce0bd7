//! The public types are `Send + Sync + Debug` (and the context traits are
//! object-safe).

use etc_invoice_rules::*;

fn send_sync_debug<T: Send + Sync + std::fmt::Debug>() {}

#[test]
fn public_types() {
    send_sync_debug::<InvoiceApplication>();
    send_sync_debug::<ApplicationError>();
    send_sync_debug::<ApplicationKind>();
    send_sync_debug::<Title>();
    send_sync_debug::<Delivery>();
    send_sync_debug::<Validator<'static>>();
    send_sync_debug::<ValidationReport>();
    send_sync_debug::<ValidatedApplication>();
    send_sync_debug::<Finding>();
    send_sync_debug::<FindingCode>();
    send_sync_debug::<Severity>();
    send_sync_debug::<MemoryContext>();
    send_sync_debug::<TxState>();
    send_sync_debug::<InvoicePlan>();
    send_sync_debug::<InvoiceDraft>();
    send_sync_debug::<InvoiceLine>();
    send_sync_debug::<SummarySheetDraft>();
    send_sync_debug::<Buyer>();
    send_sync_debug::<PlanError>();
    send_sync_debug::<TaxSplit>();
    send_sync_debug::<TaxRate>();
    send_sync_debug::<case::Case>();
    send_sync_debug::<case::CaseError>();
}

#[test]
fn context_traits_are_object_safe() {
    let ctx = MemoryContext::new();
    let _: &dyn TransactionSource = &ctx;
    let _: &dyn CardBindings = &ctx;
    let _: &dyn InvoiceState = &ctx;
    let _: &dyn TopUpHistory = &ctx;
    let _: &dyn CardIssuers = &ctx;
    let c = Context::new(&ctx);
    assert_eq!(format!("{c:?}"), "Context { .. }");
}
