//! Provincial ETC toll-invoice rules held as versioned, effective-dated
//! data: which document and rate a toll segment gets, when a transaction
//! can be invoiced, what an application may contain, what can be done after
//! issue, and who the card issuer is — for each of the 31 provinces and any
//! date from 2018-01-01 on.
//!
//! ```
//! use etc_invoice_order::{DocumentKind, Funding, RoadKind, TaxMethod};
//! use etc_invoice_province::{HolidayCalendar, MergeMode, RuleBook};
//!
//! let book = RuleBook::builtin();
//! let date = "2019-04-01".parse()?;
//! let rules = book.rules_for("苏".parse()?, date)?;
//!
//! assert_eq!(rules.general_rate_on(date)?.to_string(), "9%");
//! let (kind, rate) = rules.document_for(
//!     Funding::Operating, TaxMethod::General, RoadKind::Expressway, None, date)?;
//! assert_eq!(kind, DocumentKind::VatInvoice);
//! assert_eq!(rate.map(|r| r.to_string()).as_deref(), Some("9%"));
//! assert_eq!(rules.eligible_from(date, &HolidayCalendar::new()).to_string(), "2019-04-11");
//! assert!(rules.allows_merge_mode(MergeMode::Monthly));
//!
//! let why = book.explain("苏".parse()?, date, "issuer.brand")?;
//! assert_eq!(why.value, "苏通卡");
//! assert_eq!(why.source.file(), Some("builtin:data/jiangsu.toml"));
//!
//! // Before the earliest rules there is no answer, not a guess.
//! assert!(book.rules_for("苏".parse()?, "2017-12-31".parse()?).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The data
//!
//! The built-in book is compiled from `data/national.toml` and one file per
//! province, `data/<pinyin>.toml` (all 31), with `include_str!`, and read by
//! the same loader as a deployment's own files. `data/README.md` gives each
//! value's source and confidence with DOMAIN.md's marks: **\[S\]** a public
//! source, **\[I\]** inferred, **\[P\]** a project policy default where no
//! source was found. Every \[P\] value is there to be corrected by an overlay.
//!
//! # The file format (schema version 1)
//!
//! ```toml
//! version = 1            # required; the schema version
//! province = "广东"       # absent: the file is national (applies everywhere)
//!
//! [[period]]             # periods in strictly increasing date order
//! effective_from = 2018-01-01
//! note = "free text"     # optional, ignored
//!
//! [period.timing]        # any subset of a rule set's keys
//! eligible_after_days = 10
//!
//! [[period]]
//! effective_from = 2020-05-06
//! timing.eligible_after_days = 7
//! ```
//!
//! A period sets only the keys it names; the rest carry on. The sections and
//! keys are those of [`RuleSetV1`] (listed by [`RuleSet::KEYS`]): dates are
//! TOML dates, rates are `"9%"`, `"0.09"` or `0.09`, counts are integers,
//! lists are arrays of wire names (`["perTrip", "monthly"]`). Unknown keys
//! are errors (`deny_unknown_fields`).
//!
//! # Resolution
//!
//! For a province and a date, the files that apply are taken lowest
//! precedence first — the national file, the province's file, then the
//! overlays (national or for that province) in the order they were laid
//! on — and in each file every period with `effective_from` on or before the
//! date is applied in order, each value replacing the one before. So a
//! province's value stands over later national changes to the same key
//! until the province's file changes it, and an overlay's value stands over
//! everything built in.
//!
//! This is done once, when the book is loaded, for every province at every
//! effective date that concerns it; [`RuleBook::rules_for`] is then a binary
//! search. The first national period must set every required key (issuer
//! brand and hotline are optional): a rule with no value on some effective
//! date is a load error. A lookup before the earliest effective date is
//! [`RuleBookError::TooEarly`].
//!
//! # Decisions
//!
//! - The A20 regime (7 days, fiscal e-bills, summary sheets) starts on
//!   2020-05-06, when tolls resumed after the COVID-19 waiver; the real date
//!   is unconfirmed \[I\] and held as data.
//! - Holiday deferral: under A66 the eligible day (passage date + 10 natural
//!   days) moves, when it is a public holiday, to the first day after that is
//!   not one (顺延). The holidays come from a caller's [`HolidayCalendar`];
//!   none are built in.
//! - A simplified-method segment on a road whose construction start is known
//!   and after the 2016-04-30 cut-off gets the general rate; an unknown
//!   start leaves the declared simplified method standing
//!   ([`RuleSetV1::document_for`]).
//! - "N months after the transaction" is the same calendar day N months
//!   later (the month's last day where it is shorter).
//! - Error keys are the keys as written in the file, without array indexes
//!   (`period.timing.eligible_after_days`); explanation keys are rule keys
//!   (`timing.eligible_after_days`).

mod book;
mod calendar;
mod enums;
mod error;
mod leaf;
mod ruleset;
mod schema;
mod text;

pub use book::{Provenance, RuleBook, Source};
pub use calendar::HolidayCalendar;
pub use enums::{
    ApplicationScope, Channel, Delivery, MergeMode, TitleKind, TitleTimingSeverity,
    UnknownNameError,
};
pub use error::RuleBookError;
pub use leaf::{DatedRate, RateSchedule, ScheduleError};
pub use ruleset::ReissueDecision;
pub use schema::{
    AfterIssueRules, ApplicationRules, DocumentRules, IssuerFacts, RuleSetV1, SCHEMA_VERSION,
    StoredValueRules, TimingRules, VatRules,
};

/// The rule set of the current schema version.
pub type RuleSet = RuleSetV1;
