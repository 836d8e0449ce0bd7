//! A **case**: one validation reproduced from a file — the application, the
//! order data around it, and "now".
//!
//! ```json
//! {
//!   "description": "what the case shows",
//!   "now": "2024-04-12T10:00:00+08:00",
//!   "application": { "…": "the wire format of InvoiceApplication" },
//!   "records": [ { "type": "passage", "…": "records as in a JSON Lines file" } ],
//!   "bindings": [ { "applicant": "user-10086", "card": "44019912345678900011" } ],
//!   "invoiced": [ "P202403010004" ],
//!   "reserved": [ { "transaction": "P202403020015", "application": "…uuid…" } ],
//!   "issuers": [ { "province": "粤", "issuer": { "id": "…", "name": "…", "taxpayerId": "…" } } ],
//!   "holidays": [ "2024-04-04" ],
//!   "rules": "version = 1\n…a TOML overlay on the built-in rule book…"
//! }
//! ```
//!
//! Only `now` and `application` are required. `records` are the order
//! model's [`Record`]s (`{"type": "passage" | "topUp" | "refund" |
//! "recovery" | "statement", …}`); `invoiced` and `reserved` give the
//! invoicing state; `issuers` the card issuers by province (the sellers of
//! top-up invoices); `holidays` the public holidays for deferral; `rules`
//! an overlay laid on the built-in book, for a case about a province's own
//! rules. Unknown fields are errors.

use chrono::NaiveDate;
use etc_invoice_order::{CardNumber, CstDateTime, Operator, Province, Record, TransactionId};
use etc_invoice_province::{HolidayCalendar, RuleBook, RuleBookError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::application::InvoiceApplication;
use crate::context::{Context, MemoryContext, TxState};
use crate::plan::InvoicePlan;
use crate::planner::{PlanError, plan_invoices};
use crate::report::ValidationReport;
use crate::validate::Validator;

/// The largest case file [`Case::from_json`] reads: 64 MiB.
pub const MAX_CASE_BYTES: usize = 64 * 1024 * 1024;

/// A card bound to an applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Binding {
    /// The applicant's user id.
    pub applicant: String,
    /// The card.
    pub card: CardNumber,
}

/// A transaction held by an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Reservation {
    /// The transaction.
    pub transaction: TransactionId,
    /// The application holding it.
    pub application: Uuid,
}

/// The card issuer of a province.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IssuerEntry {
    /// The province whose cards it issues.
    pub province: Province,
    /// The issuer, as its invoices name it.
    pub issuer: Operator,
}

/// A reproducible validation: see the [module docs](self).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Case {
    /// What the case shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The time of validation.
    pub now: CstDateTime,
    /// The application.
    pub application: InvoiceApplication,
    /// The transactions.
    #[serde(default)]
    pub records: Vec<Record>,
    /// The applicants' bound cards.
    #[serde(default)]
    pub bindings: Vec<Binding>,
    /// The transactions already invoiced.
    #[serde(default)]
    pub invoiced: Vec<TransactionId>,
    /// The transactions reserved by applications.
    #[serde(default)]
    pub reserved: Vec<Reservation>,
    /// The card issuers by province.
    #[serde(default)]
    pub issuers: Vec<IssuerEntry>,
    /// Public holidays.
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
    /// A rule-file overlay (TOML) on the built-in book.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<String>,
}

/// Why a case could not be read or run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaseError {
    /// More bytes than [`MAX_CASE_BYTES`].
    #[error("case is {size} bytes, more than the limit of {max}")]
    TooLarge {
        /// The size given.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// Not a case: the path says where.
    #[error("invalid case at `{path}`: {error}")]
    Invalid {
        /// The JSON path of the failing field.
        path: String,
        /// What the JSON reader said.
        error: serde_json::Error,
    },
    /// The rule overlay does not load.
    #[error("the case's rule overlay does not load")]
    Rules(#[source] RuleBookError),
}

/// What running a case gives: the report, and the plan when it passed.
#[derive(Debug)]
pub struct CaseOutcome {
    /// The validation report.
    pub report: ValidationReport,
    /// The plan, when the report passed.
    pub plan: Option<Result<InvoicePlan, PlanError>>,
}

impl Case {
    /// Reads a case from JSON.
    ///
    /// # Errors
    /// [`CaseError::TooLarge`] or [`CaseError::Invalid`] with the failing
    /// path.
    pub fn from_json(json: impl AsRef<[u8]>) -> Result<Case, CaseError> {
        let bytes = json.as_ref();
        if bytes.len() > MAX_CASE_BYTES {
            return Err(CaseError::TooLarge {
                size: bytes.len(),
                max: MAX_CASE_BYTES,
            });
        }
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let case: Case = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            CaseError::Invalid {
                path: if path == "." { "$".to_owned() } else { path },
                error: e.into_inner(),
            }
        })?;
        de.end().map_err(|error| CaseError::Invalid {
            path: "$".to_owned(),
            error,
        })?;
        Ok(case)
    }

    /// The case's order data as a context.
    pub fn context(&self) -> MemoryContext {
        let mut ctx = MemoryContext::new();
        ctx.extend(self.records.iter().cloned());
        for b in &self.bindings {
            ctx.bind(&b.applicant, b.card);
        }
        for id in &self.invoiced {
            ctx.set_state(id.clone(), TxState::Invoiced);
        }
        for r in &self.reserved {
            ctx.set_state(
                r.transaction.clone(),
                TxState::Reserved {
                    application: r.application,
                },
            );
        }
        for i in &self.issuers {
            ctx.set_issuer(i.province, i.issuer.clone());
        }
        ctx
    }

    /// The rule book of the case: `base` with the case's overlay, if any.
    ///
    /// # Errors
    /// [`CaseError::Rules`] when the overlay does not load.
    pub fn book(&self, base: &RuleBook) -> Result<RuleBook, CaseError> {
        match &self.rules {
            Some(text) => base
                .overlay_toml_str("case rules", text)
                .map_err(CaseError::Rules),
            None => Ok(base.clone()),
        }
    }

    /// Validates the application and, when it passes, plans it.
    ///
    /// # Errors
    /// [`CaseError::Rules`] when the overlay does not load.
    pub fn run(&self, base: &RuleBook) -> Result<CaseOutcome, CaseError> {
        let book = self.book(base)?;
        let holidays = HolidayCalendar::from_dates(self.holidays.iter().copied());
        let ctx = self.context();
        let report = Validator::new(&book).with_holidays(&holidays).validate(
            &self.application,
            &Context::new(&ctx),
            self.now,
        );
        let plan = report.validated().map(|v| plan_invoices(v, &ctx, &book));
        Ok(CaseOutcome { report, plan })
    }
}
