//! ETC toll invoice applications: a full validation report, invoice
//! planning, and price–tax separation.
//!
//! The flow: a mini program posts an [`InvoiceApplication`] (JSON, read by
//! [`InvoiceApplication::from_json`]); the [`Validator`] checks it against
//! the order data (through the small traits of a [`Context`]) and the
//! province's rules, and returns a [`ValidationReport`] with every
//! finding; a report that passed yields a [`ValidatedApplication`], which
//! [`plan_invoices`] turns into the exact documents each seller issues
//! ([`InvoicePlan`]).
//!
//! This crate is pure: no I/O, no clock ("now" is an argument).
//!
//! ```
//! use etc_invoice_order::import::PassageCsvReader;
//! use etc_invoice_province::RuleBook;
//! use etc_invoice_rules::{Context, InvoiceApplication, MemoryContext, Validator, plan_invoices};
//!
//! let csv = "\
//! passage_id,card_number,card_type,vehicle_id,vehicle_class,medium,exit_station,exit_time,settled_at,operator_id,operator_name,operator_taxpayer_id,province,road_kind,funding,tax_method,receivable,discount,charged
//! P1,44019912345678900011,23,粤B12345_0,1,obu,广州北,2024-03-05 10:00:00,2024-03-06 10:00:00,OP1,广东示例高速公路有限公司,91440100618400014K,粤,expressway,operating,simplified,10.53,0.00,10.53
//! ";
//! let mut ctx = MemoryContext::new();
//! for p in PassageCsvReader::new(csv.as_bytes()) {
//!     ctx.insert(p?);
//! }
//! ctx.bind("user-1", "44019912345678900011".parse()?);
//!
//! let app = InvoiceApplication::from_json(r#"{
//!     "id": "6f1c1f8e-3a57-4b8e-9a35-2d2f5b1f0c11",
//!     "applicant": "user-1", "card": "44019912345678900011", "month": "2024-03",
//!     "requestedAt": "2024-04-12T09:30:00+08:00", "kind": "consumption",
//!     "selected": ["P1"],
//!     "title": {"kind": "enterprise", "name": "某某物流有限公司",
//!               "taxpayerId": "91110000600037341L",
//!               "effectiveFrom": "2024-01-01T00:00:00+08:00"},
//!     "delivery": {"email": "finance@example.com"},
//!     "mergeMode": "perTrip", "channel": "miniProgram"
//! }"#)?;
//!
//! let book = RuleBook::builtin();
//! let report = Validator::new(&book)
//!     .validate(&app, &Context::new(&ctx), "2024-04-12T10:00:00+08:00".parse()?);
//! assert!(report.passed(), "{:?}", report.errors());
//!
//! let plan = plan_invoices(report.validated().unwrap(), &ctx, &book)?;
//! let invoice = &plan.invoices[0];
//! assert_eq!(invoice.seller.name.as_str(), "广东示例高速公路有限公司");
//! let line = &invoice.lines[0];
//! assert_eq!(line.item_name, "*经营租赁*通行费");
//! assert_eq!((line.net.to_string(), line.tax.to_string()), ("10.22".into(), "0.31".into()));
//! assert_eq!(plan.summaries.len(), 1); // one summary sheet for the one trip
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The application
//!
//! Fields fall in two groups. Fields a program fills in (`id`,
//! `requestedAt`, `kind`, `mergeMode`, `channel`, and the title's `kind`
//! and `effectiveFrom`) are typed: a bad value there fails deserialisation
//! with the field's path. Fields a person types or picks (`applicant`,
//! `card`, `month`, `selected`, the title's name, taxpayer id, address,
//! phone, bank, and the delivery email and phone) are plain strings, so that
//! the [`Validator`] can report every problem with them at
//! once, each with its JSON path.
//!
//! ```json
//! {
//!   "id": "6f1c1f8e-3a57-4b8e-9a35-2d2f5b1f0c11",
//!   "applicant": "user-10086",
//!   "card": "44011234567890123456",
//!   "month": "2024-03",
//!   "requestedAt": "2024-04-12T09:30:00+08:00",
//!   "kind": "consumption",
//!   "selected": ["P20240305001", "P20240306002"],
//!   "title": {
//!     "kind": "enterprise",
//!     "name": "某某物流有限公司",
//!     "taxpayerId": "91110000600037341L",
//!     "address": "广州市天河区某路1号",
//!     "phone": "020-12345678",
//!     "bankName": "某银行广州分行",
//!     "bankAccount": "6222020200112233445",
//!     "effectiveFrom": "2024-01-01T00:00:00+08:00"
//!   },
//!   "delivery": { "email": "finance@example.com", "phone": "13800138000" },
//!   "mergeMode": "perTrip",
//!   "channel": "miniProgram"
//! }
//! ```
//!
//! See [`InvoiceApplication`] for each field, and [`InvoiceApplication::from_json`]
//! for the reader: its input is capped at [`MAX_APPLICATION_BYTES`] (2 MiB), and a
//! wrong type or an unknown enum value is an [`ApplicationError`] naming its path.
//!
//! # Validation
//!
//! [`Validator::validate`] lists **every** finding, each with a stable
//! [`FindingCode`] (`TITLE_TAXPAYER_ID_MISSING`, …), the JSON path of the
//! field (`title.taxpayerId`, `selected[3]`), the offending value (cut to
//! 64 characters; names of persons, phones, emails, bank accounts and
//! addresses redacted) and a message in Chinese and in English. The rules:
//!
//! | rule | codes |
//! | --- | --- |
//! | applicant, card, month are well-formed | `APPLICANT_INVALID`, `CARD_INVALID`, `MONTH_INVALID`, `RULES_NOT_IN_FORCE` |
//! | merge mode and channel allowed by the province | `MERGE_MODE_NOT_ALLOWED`, `CHANNEL_NOT_OFFERED` |
//! | title: kind allowed; a sane name; an enterprise's valid taxpayer id (a failed inner USCC check is a warning); phone, bank name with account, address | `TITLE_*` |
//! | delivery: email and mobile phone formats | `DELIVERY_*` |
//! | selection: not empty, within the maximum, valid ids, no repeats, all exist | `SELECTION_*` |
//! | ownership: the card is bound to the applicant; every transaction is on a bound card | `CARD_NOT_BOUND`, `TRANSACTION_NOT_OWNED` |
//! | scope: one card and one month (by default) | `SCOPE_OTHER_CARD`, `SCOPE_OTHER_MONTH` |
//! | kind: a top-up application selects only top-ups, and so on; refunds are never invoiced | `KIND_*` |
//! | eligibility: settled, past the N-day wait, within the latest age | `TRANSACTION_UNSETTLED`, `TRANSACTION_NOT_YET_ELIGIBLE`, `TRANSACTION_TOO_OLD` |
//! | state: not invoiced, not reserved by another application | `TRANSACTION_INVOICED`, `TRANSACTION_RESERVED` |
//! | stored-value exclusivity, both ways | `STORED_VALUE_*` |
//! | title in force at transaction time (warning or error per the rule set) | `TITLE_SET_AFTER_TRANSACTION` |
//! | amounts: something to invoice, statements agree with transactions, totals in range | `AMOUNT_*` |
//! | every segment has a document rule | `SEGMENT_NO_DOCUMENT` |
//! | statements: lines exist, are free, refunds noted | `STATEMENT_*` |
//!
//! The findings come in a fixed order: the application's own fields, the
//! title, the delivery, then the selection id by id.
//!
//! ## Which rule set answers what
//!
//! - **Application rules**: the card's province on the day of validation
//!   ("now"): scope, maximum selection, merge modes, title kinds, channels,
//!   delivery, the severity of a late title, whether audit recoveries are
//!   invoiceable, stored-value exclusivity.
//! - **Transaction rules**: the transaction's card's province on the
//!   transaction's date: the eligibility wait (and holiday deferral), the
//!   latest application date, whether top-ups are invoiceable at once.
//! - **Segment rules**: the segment's province on the passage date: the
//!   document and rate (checked here so that planning cannot fail on them).
//!
//! When the card number is invalid or its province has no rules in force,
//! the transaction rules stand in for the application rules, and the
//! selection is examined up to [`Validator::FALLBACK_MAX_TRANSACTIONS`].
//!
//! # Planning
//!
//! [`plan_invoices`] takes only a [`ValidatedApplication`].
//!
//! ## How a plan is built
//!
//! 1. Each selected passage or audit recovery (for a statement
//!    application: each of its passage and recovery lines) is looked up,
//!    and the transactions are ordered by passage date, then id.
//! 2. Each toll segment gets its document kind and rate from the rule set
//!    of its own province on the passage date
//!    ([`RuleSet::document_for`](etc_invoice_province::RuleSet)), and an
//!    item name: the rule set's `documents.item_name` (`*经营租赁*通行费`)
//!    on VAT and non-taxable invoices, [`FISCAL_EBILL_ITEM`] on fiscal
//!    e-bills.
//! 3. Segments are grouped into **lines**, one per transaction × seller ×
//!    document kind × rate (× item name): a passage that crosses the same
//!    operator twice gives one line with both segments (its `segments`).
//!    A segment whose charged amount is zero (fully discounted) is left
//!    out: a tax system does not issue zero lines.
//! 4. Lines are grouped into **drafts**, one per seller × document kind ×
//!    rate, and per trip in per-trip mode. Drafts are ordered by seller
//!    (its id, name, taxpayer id), document kind (VAT, non-taxable,
//!    fiscal), rate (none first, then ascending) and trip (date, id); their
//!    lines by date, then transaction id.
//! 5. **Rounding** happens once per line: [`split_gross`]
//!    on the line's gross (the sum of its segments' charged amounts). A
//!    draft's totals are the sums of its lines, so `net + tax = gross`
//!    holds on every line and every total, and the plan's gross is exactly
//!    the selected charged amount.
//! 6. A draft is **split** into parts when it would exceed the province's
//!    `max_lines_per_invoice`, or when the deviation `Σ net × rate − Σ tax`
//!    of a taxable draft would exceed the invoice tolerance (1.27); lines
//!    are never split. A line beyond the line tolerance (0.06) is an error,
//!    which the rounding rule makes impossible.
//! 7. **Summary sheets** (电子汇总单) are drawn where the card province's
//!    rule set in force on the day of validation has `summary_sheet`: one
//!    per trip in per-trip mode, one per application in monthly mode, each
//!    listing the drafts that carry its transactions. None for top-ups.
//!
//! A top-up application gets one non-taxable invoice per top-up for its
//! full amount, sold by the card's issuer (from
//! [`CardIssuers`], fixed at validation), item
//! [`TOP_UP_ITEM`], with no vehicle.
//!
//! # Price–tax separation
//!
//! Tolls are charged tax-inclusive. A line's gross amount is split as
//!
//! ```text
//! net = round_half_up(gross / (1 + rate), 2)      tax = gross − net
//! ```
//!
//! (half away from zero, so a negative gross splits as the mirror image of
//! the positive one). The tax is the remainder, never rounded on its own, so
//! `net + tax = gross` holds exactly on every line, and on every total that
//! is a sum of lines.
//!
//! Tax-control systems accept a line when `|net × rate − tax| ≤ 0.06`
//! ([`LINE_TOLERANCE_FEN`]) and an invoice when the same deviation summed over
//! its lines is at most 1.27 ([`INVOICE_TOLERANCE_FEN`]). Splitting each line as
//! above keeps every line within about half a fen, so the line tolerance
//! always holds and the invoice tolerance holds for any invoice of up to
//! about 230 lines; the planner splits an invoice further where the sum would
//! exceed it.
//!
//! # Decisions
//!
//! Where the sources are silent (DOMAIN.md marks these \[P\]):
//!
//! - **Stored-value exclusivity** works on times, card by card: once any
//!   top-up of a card was invoiced at top-up time, the card's passages and
//!   recoveries from that top-up's time on are not invoiced; and a top-up
//!   is not invoiced when any passage or recovery of its card in its
//!   billing month or later is invoiced (or reserved). Both only where the
//!   rule set has `stored_value.top_up_invoice_excludes_passages`.
//! - **Multi-card scopes**: where a province's scope is not one card, the
//!   application's `card` is its primary card (rules, province) and every
//!   selected transaction must be on a card bound to the applicant.
//! - **Reservations by the same application** do not stop it, so a retry
//!   of one application validates again.
//! - **Statements**: a statement application invoices the statement's
//!   passage and recovery lines; top-up lines are not invoiced, and refund
//!   lines are not deducted (a warning). Each line must exist, agree in
//!   amount and card, and be free.
//! - **Recoveries** and statements are eligible from their own day (no
//!   N-day wait); recoveries where the province invoices them.
//! - **Zero amounts**: a selected transaction with nothing to invoice is an
//!   error; a zero-charged segment inside a passage is left out of the plan.
//! - **Plan data for scale**: a line holds its transaction id and plate as
//!   `Arc`s shared by that transaction's lines, its segment positions inline
//!   ([`Segments`]), item name and vehicle type as `Cow<'static, str>`;
//!   drafts share seller and buyer through `Arc`. All serialise as plain
//!   values.
//! - **Top-up seller**: the rule sets name no issuer taxpayer, so the
//!   seller of a top-up invoice comes from the context
//!   ([`CardIssuers`]), checked at validation and fixed in the
//!   [`ValidatedApplication`].
//! - **Item names**: VAT and non-taxable toll lines use the rule set's
//!   `documents.item_name`; fiscal e-bills [`FISCAL_EBILL_ITEM`]; top-ups
//!   [`TOP_UP_ITEM`].

mod application;
pub mod case;
mod context;
mod fields;
mod finding;
mod plan;
mod planner;
mod report;
mod split;
mod validate;

pub use application::{
    ApplicationError, ApplicationKind, Delivery, InvoiceApplication, MAX_APPLICATION_BYTES, Title,
};
pub use context::{
    CardBindings, CardIssuers, Context, InvoiceState, MemoryContext, TopUpHistory,
    TransactionSource, TxState,
};
pub use etc_invoice_order::TaxRate;
pub use finding::{Finding, FindingCode, MAX_ECHO_CHARS, Severity, UnknownCodeError};
pub use plan::{
    Buyer, InlineVec, InvoiceDraft, InvoiceLine, InvoicePlan, PlanTotals, SegmentRef, Segments,
    SummarySheetDraft,
};
pub use planner::{FISCAL_EBILL_ITEM, PlanError, TOP_UP_ITEM, plan_invoices};
pub use report::{ValidatedApplication, ValidationReport};
pub use split::{INVOICE_TOLERANCE_FEN, LINE_TOLERANCE_FEN, TaxSplit, split_gross, tax_deviation};
pub use validate::Validator;
