//! The invoicing-platform side of ETC toll invoices: where I/O, time and
//! persistence live.
//!
//! The [`Ledger`] records which transaction is free, reserved by an
//! application, or invoiced: the guard against invoicing anything twice,
//! whatever fails. [`MemoryLedger`] and [`SqliteLedger`] (the embedded
//! default) implement it and pass the same test suite.
//!
//! ```
//! use etc_invoice_platform::{ApplicationEntry, InvoiceEntry, Ledger, SqliteLedger, TransactionState};
//!
//! let ledger = SqliteLedger::open_in_memory()?;
//! let app = ApplicationEntry {
//!     id: uuid::Uuid::new_v4(),
//!     applicant: "user-1".to_owned(),
//!     card: "44011234567890123456".parse()?,
//!     idempotency_key: "key-1".to_owned(),
//!     transactions: vec!["P-1".parse()?, "P-2".parse()?],
//!     payload: "{}".into(),
//!     created_at: "2024-03-05 08:30:00".parse()?,
//! };
//! ledger.reserve(&app)?;
//! ledger.commit(app.id, &[InvoiceEntry {
//!     number: "24442000000012345678".to_owned(),
//!     transactions: app.transactions.clone(),
//!     gross: "21.06".parse()?,
//! }])?;
//! assert!(matches!(ledger.transaction(&"P-1".parse()?)?, TransactionState::Invoiced { .. }));
//!
//! // Another application for the same transaction is refused, naming the holder.
//! let again = ApplicationEntry { id: uuid::Uuid::new_v4(), idempotency_key: "key-2".to_owned(), ..app.clone() };
//! assert!(ledger.reserve(&again).is_err_and(|e| e.is_conflict()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Applying for invoices
//!
//! [`InvoiceService::apply`] takes an application from validation to
//! issued invoices: validate → plan → reserve in the ledger → submit to an
//! [`InvoicePlatform`] under an [`IdempotencyKey`] → poll → commit (or
//! release on a rejection). [`InvoiceService::resume`] finishes whatever a
//! crash left reserved, under the same keys, several applications at a time.
//!
//! ```
//! use etc_invoice_order::{import::PassageCsvReader, Record};
//! use etc_invoice_platform::sim::Chance;
//! use etc_invoice_platform::{
//!     ApplyOutcome, InvoiceService, Ledger, MemoryLedger, RetryPolicy, SimClock, SimConfig, Simulator,
//! };
//! use etc_invoice_province::RuleBook;
//! use etc_invoice_rules::{Context, InvoiceApplication, MemoryContext};
//!
//! const CSV: &str = "passage_id,card_number,card_type,vehicle_id,vehicle_class,medium,entry_station,entry_time,exit_station,exit_time,settled_at,operator_id,operator_name,operator_taxpayer_id,province,road_kind,funding,tax_method,construction_start,receivable,discount,charged
//! P202403010004,44019912345678900011,23,粤B12345_0,1,obu,深圳南山,2024-03-01T13:57:55+08:00,东莞,2024-03-01T15:12:55+08:00,2024-03-05T11:12:55+08:00,GD-EXP-NEW,广东示例新干线高速有限公司,91440300MA5G00027H,粤,expressway,operating,general,2017-03-01,51.45,2.57,48.88
//! ";
//! let mut ctx = MemoryContext::new();
//! for passage in PassageCsvReader::new(CSV.as_bytes()) {
//!     ctx.insert(Record::Passage(passage?));
//! }
//! ctx.bind("user-1", "44019912345678900011".parse()?);
//! let application: InvoiceApplication = serde_json::from_str(r#"{
//!     "id": "6f1c1f8e-3a57-4b8e-9a35-2d2f5b1f0c11", "applicant": "user-1",
//!     "card": "44019912345678900011", "month": "2024-03",
//!     "requestedAt": "2024-04-15T08:30:00+08:00", "kind": "consumption",
//!     "selected": ["P202403010004"],
//!     "title": { "kind": "personal", "name": "张三", "effectiveFrom": "2024-01-01T00:00:00+08:00" },
//!     "delivery": { "email": "zhang@example.com" }, "mergeMode": "perTrip", "channel": "miniProgram"
//! }"#)?;
//!
//! // Virtual time: the simulated review's minutes pass at once.
//! let clock = SimClock::auto("2024-04-15 09:00:00".parse()?);
//! let config = SimConfig { seed: 1, reject_rate: Chance::NEVER, ..SimConfig::default() };
//! let platform = Simulator::new(config, clock.clone());
//! let service =
//!     InvoiceService::new(platform, MemoryLedger::new(), RuleBook::builtin(), clock, RetryPolicy::default());
//!
//! let runtime = tokio::runtime::Builder::new_current_thread().build()?;
//! let outcome = runtime.block_on(service.apply(&application, &Context::new(&ctx)))?;
//! let ApplyOutcome::Issued { invoices, summaries, .. } = outcome else { panic!("{outcome:?}") };
//! assert_eq!(invoices[0].number, "24441000000000000001"); // 20 digits: yy, province, channel, sequence
//! assert_eq!(invoices[0].gross.to_string(), "48.88");
//! assert_eq!(summaries[0].number.len(), 16);
//! assert_eq!(service.ledger().committed_gross()?.to_string(), "48.88");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The parts
//!
//! - [`InvoicePlatform`]: the trait a back end implements (`async fn`s
//!   returning `Send` futures), with [`DynInvoicePlatform`] for `dyn` use.
//!   Requests and replies ([`SubmitRequest`], [`SubmissionStatus`], …) are
//!   plain serde values; [`PlatformError`] has predicates
//!   ([`is_retryable`](PlatformError::is_retryable),
//!   [`is_conflict`](PlatformError::is_conflict),
//!   [`is_rate_limited`](PlatformError::is_rate_limited),
//!   [`is_not_found`](PlatformError::is_not_found)). Enums whose values the
//!   platform owns ([`SubmissionStatus`], [`InvoiceColour`], [`MediaType`])
//!   are `#[non_exhaustive]` with an `Unknown` that round-trips.
//! - [`Simulator`] ([`sim`]): a real, deterministic implementation — an
//!   injected [`Clock`], a seeded ChaCha8 generator, a review that takes
//!   simulated time and can reject, 20-digit invoice numbers and 16-digit
//!   summary-sheet numbers, documents as 数电-shaped XML ([`xml`]), HTML
//!   ([`html`]) and PDF ([`pdf`]) with a ZIP of each invoice's XML and PDF
//!   ([`archive`]), the province's rules for red reversal and reissue, Stripe's
//!   idempotency rules, and a scriptable [`FaultPlan`](sim::FaultPlan).
//! - [`InvoiceService`]: the flow above, with [`RetryPolicy`] (backoff as
//!   data, deterministic jitter) and `tracing` spans (`apply`, `submit`,
//!   `poll`, `commit`, `resume`, `red_reverse`, `reissue`).
//! - Time: [`Clock`] with [`SystemClock`], [`TokioClock`] (virtual under
//!   tokio's paused time) and [`SimClock`] (manual or auto-advancing).
//!
//! # Decisions
//!
//! - **Release only on the platform's word.** The service releases a
//!   reservation only on a rejection, or when the platform refused the
//!   request itself (invalid, refused: nothing is stored under the key).
//!   Every other failure leaves it reserved for
//!   [`resume`](InvoiceService::resume): a lost reply may hide an issue.
//! - **The stored request is the request.** The reservation stores the
//!   exact [`SubmitRequest`] as its [`Payload`]: the shared value itself in
//!   [`MemoryLedger`], versioned JSON written at reservation in
//!   [`SqliteLedger`]. A repeat or a resume sends that, not a new plan, so
//!   the platform replays instead of seeing "same key, different request".
//! - **Keys are derived, not random**: `apply-<application id>`,
//!   `red-<invoice>`, `reissue-<invoice>` ([`IdempotencyKey`]), so the same
//!   logical request has the same key in every process.
//! - **Mark submitted before waiting.** The platform's id is recorded when
//!   the first status poll is not yet an outcome; an outcome at the first
//!   look needs no record.
//! - **[`SubmissionStatus::PartiallyIssued`] is not an outcome**: the
//!   simulator issues a passed review's invoices one after the other;
//!   rejection is all-or-nothing at review.
//! - **Same request = equal request.** The simulator keeps the first request
//!   (an `Arc`, shared with the caller) under each key and compares a repeat
//!   for equality (the same `Arc` is equal at once), which for these types
//!   is the same as comparing canonical JSON bytes; [`Fingerprint`]
//!   (SHA-256 of the canonical JSON) is there for implementations that only
//!   see bytes.
//! - **A reissue replaces the invoice in the ledger** in one step
//!   ([`Ledger::replace`]): the old invoice is reversed, the new one is
//!   recorded for the same application, transactions and amount, and the
//!   transactions stay invoiced throughout.
//! - **A red reversal whose reply was lost** is finished by calling
//!   [`InvoiceService::red_reverse`] again (same key: the platform replays).
//! - Numbers, bureau codes, element names and rejection reasons of the
//!   simulator are inferred \[I\] (DOMAIN.md §4); see [`sim`] and [`xml`].

pub mod archive;
pub mod ledger;

mod capitals;
mod clock;
mod error;
pub mod html;
mod key;
pub mod pdf;
mod platform;
mod retry;
mod service;
pub mod sim;
mod wire;
pub mod xml;

pub use capitals::{amount_in_capitals, capitals_agree};
pub use clock::{Clock, SimClock, SystemClock, TokioClock};
pub use error::{PlatformError, Reason};
pub use key::{IdempotencyKey, KeyError};
pub use platform::{BoxFuture, DynInvoicePlatform, InvoicePlatform};
pub use retry::{Jitter, RetryPolicy};
pub use service::{ApplyOutcome, InvoiceService, Resumed, ReversalOutcome, ServiceError};
pub use sim::{SimConfig, SimHandle, SimStats, Simulator};
pub use wire::{
    Document, Fingerprint, InvoiceColour, IssuedInvoice, IssuedSummary, MediaType,
    RedReverseRequest, Reissue, ReissueRequest, Reversal, Submission, SubmissionId,
    SubmissionIdError, SubmissionStatus, SubmitRequest,
};
pub use xml::{InvoiceXml, SummaryXml, XmlError};

pub use ledger::{
    ApplicationEntry, ApplicationRecord, ApplicationStatus, HoldKind, InvoiceEntry, InvoiceRecord,
    Ledger, LedgerError, MemoryLedger, Payload, SqliteLedger, TransactionState,
};
