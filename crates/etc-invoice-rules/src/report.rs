//! The validation report, and the typed application it vouches for.

use std::collections::BTreeMap;

use etc_invoice_order::{
    BillingMonth, CardNumber, CstDateTime, Email, Operator, PhoneNumber, TransactionId,
};
use etc_invoice_province::{Channel, MergeMode};
use serde::Serialize;
use uuid::Uuid;

use crate::application::ApplicationKind;
use crate::finding::{Finding, FindingCode, Severity};
use crate::plan::Buyer;

/// Every finding of one validation, and, when there is no error, the
/// [`ValidatedApplication`] that [`plan_invoices`](crate::plan_invoices)
/// takes.
///
/// Findings come in a fixed order: the application's own fields first
/// (applicant, card, month, channel, merge mode, title, delivery), then the
/// selection, id by id in the order given. Serialises as
/// `{"passed": …, "errors": […], "warnings": […]}`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationReport {
    passed: bool,
    errors: Vec<Finding>,
    warnings: Vec<Finding>,
    #[serde(skip)]
    validated: Option<Box<ValidatedApplication>>,
}

impl ValidationReport {
    pub(crate) fn new(
        findings: Vec<Finding>,
        validated: impl FnOnce() -> Option<ValidatedApplication>,
    ) -> ValidationReport {
        let (errors, warnings): (Vec<Finding>, Vec<Finding>) = findings
            .into_iter()
            .partition(|f| f.severity == Severity::Error);
        let passed = errors.is_empty();
        ValidationReport {
            passed,
            validated: if passed {
                validated().map(Box::new)
            } else {
                None
            },
            errors,
            warnings,
        }
    }

    /// Whether the application passed: no errors (warnings allowed).
    pub fn passed(&self) -> bool {
        self.passed && self.validated.is_some()
    }

    /// The errors, in report order.
    pub fn errors(&self) -> &[Finding] {
        &self.errors
    }

    /// The warnings, in report order.
    pub fn warnings(&self) -> &[Finding] {
        &self.warnings
    }

    /// Every finding: errors, then warnings.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.errors.iter().chain(&self.warnings)
    }

    /// Whether some finding has this code.
    pub fn has(&self, code: FindingCode) -> bool {
        self.findings().any(|f| f.code == code)
    }

    /// The validated application, when the report passed.
    pub fn validated(&self) -> Option<&ValidatedApplication> {
        self.validated.as_deref()
    }

    /// The validated application, or the report itself when it did not
    /// pass.
    ///
    /// # Errors
    /// The report, when it has errors.
    pub fn into_validated(self) -> Result<ValidatedApplication, ValidationReport> {
        match self.validated {
            Some(v) => Ok(*v),
            None => Err(self),
        }
    }
}

/// An application that passed validation, with every field typed: the only
/// input [`plan_invoices`](crate::plan_invoices) accepts, so an unvalidated
/// application can never be planned.
///
/// Built only by the [`Validator`](crate::Validator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedApplication {
    pub(crate) id: Uuid,
    pub(crate) applicant: String,
    pub(crate) card: CardNumber,
    pub(crate) month: BillingMonth,
    pub(crate) kind: ApplicationKind,
    pub(crate) transactions: Vec<TransactionId>,
    pub(crate) buyer: Buyer,
    pub(crate) email: Email,
    pub(crate) notify_phone: Option<PhoneNumber>,
    pub(crate) merge_mode: MergeMode,
    pub(crate) channel: Channel,
    pub(crate) requested_at: CstDateTime,
    pub(crate) validated_at: CstDateTime,
    pub(crate) issuers: BTreeMap<CardNumber, Operator>,
}

impl ValidatedApplication {
    /// The application's id.
    pub fn id(&self) -> Uuid {
        self.id
    }
    /// The applicant's user id.
    pub fn applicant(&self) -> &str {
        &self.applicant
    }
    /// The card.
    pub fn card(&self) -> &CardNumber {
        &self.card
    }
    /// The billing month.
    pub fn month(&self) -> BillingMonth {
        self.month
    }
    /// What it asks invoices for.
    pub fn kind(&self) -> ApplicationKind {
        self.kind
    }
    /// The selected transactions, sorted by id, without repeats (for a
    /// statement application, the one statement).
    pub fn transactions(&self) -> &[TransactionId] {
        &self.transactions
    }
    /// The buyer, as the invoices will show it.
    pub fn buyer(&self) -> &Buyer {
        &self.buyer
    }
    /// The receiving email.
    pub fn email(&self) -> &Email {
        &self.email
    }
    /// The mobile phone to notify, if given.
    pub fn notify_phone(&self) -> Option<&PhoneNumber> {
        self.notify_phone.as_ref()
    }
    /// The merge mode.
    pub fn merge_mode(&self) -> MergeMode {
        self.merge_mode
    }
    /// The channel.
    pub fn channel(&self) -> Channel {
        self.channel
    }
    /// When the applicant submitted it.
    pub fn requested_at(&self) -> CstDateTime {
        self.requested_at
    }
    /// The "now" it was validated at; the plan uses the rules in force on
    /// that day for what is decided at issue (summary sheets).
    pub fn validated_at(&self) -> CstDateTime {
        self.validated_at
    }
    /// The issuer of each card with a selected top-up: the seller of its
    /// top-up invoice.
    pub fn issuers(&self) -> &BTreeMap<CardNumber, Operator> {
        &self.issuers
    }
}
