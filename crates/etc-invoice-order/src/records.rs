//! Top-ups, refunds, audit recoveries, settlement statements, and the
//! [`Record`] that carries any of them.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::macros::code_enum;
use crate::passage::TransactionError;
use crate::{
    BillingMonth, CardNumber, CardType, CstDateTime, Money, Name, Passage, TollSegment,
    TransactionId, VehicleClass, VehicleId,
};

macro_rules! checked_record {
    ($(#[$meta:meta])* $name:ident / $parts:ident = $parts_str:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(try_from = $parts_str, into = $parts_str)]
        pub struct $name($parts);

        impl $name {
            /// The parts.
            #[inline]
            pub fn parts(&self) -> &$parts {
                &self.0
            }
            /// The parts, by value.
            #[inline]
            pub fn into_parts(self) -> $parts {
                self.0
            }
            /// The transaction id.
            #[inline]
            pub fn id(&self) -> &TransactionId {
                &self.0.id
            }
            /// The card.
            #[inline]
            pub fn card(&self) -> &CardNumber {
                &self.0.card
            }
            /// When it happened.
            #[inline]
            pub fn time(&self) -> CstDateTime {
                self.0.time
            }
        }

        impl TryFrom<$parts> for $name {
            type Error = TransactionError;
            fn try_from(p: $parts) -> Result<Self, Self::Error> {
                $name::new(p)
            }
        }

        impl From<$name> for $parts {
            fn from(v: $name) -> $parts {
                v.0
            }
        }
    };
}

/// The parts of a [`TopUp`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TopUpParts {
    /// The transaction id.
    pub id: TransactionId,
    /// The card topped up.
    pub card: CardNumber,
    /// The card's type (normally stored-value).
    pub card_type: CardType,
    /// When.
    pub time: CstDateTime,
    /// The amount paid in; positive.
    pub amount: Money,
}

checked_record! {
    /// Money paid onto a stored-value card (充值). It may be invoiced at once,
    /// in full, on a non-taxable invoice; if it is, the passages it pays for
    /// are never invoiced (DOMAIN.md §2).
    TopUp / TopUpParts = "TopUpParts"
}

impl TopUp {
    /// Checks and builds a top-up.
    ///
    /// # Errors
    /// [`TransactionError::NotPositive`] unless the amount is above zero.
    pub fn new(parts: TopUpParts) -> Result<TopUp, TransactionError> {
        if !parts.amount.is_positive() {
            return Err(TransactionError::NotPositive {
                field: "amount",
                value: parts.amount,
            });
        }
        Ok(TopUp(parts))
    }
    /// The amount paid in.
    #[inline]
    pub fn amount(&self) -> Money {
        self.0.amount
    }
    /// The card's type.
    #[inline]
    pub fn card_type(&self) -> CardType {
        self.0.card_type
    }
}

/// The parts of a [`Refund`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefundParts {
    /// The refund's own transaction id.
    pub id: TransactionId,
    /// The card credited.
    pub card: CardNumber,
    /// When.
    pub time: CstDateTime,
    /// The transaction refunded (usually a passage).
    pub original: TransactionId,
    /// The amount, negative: a refund takes money back off the card's spend.
    pub amount: Money,
    /// Why, where the issuer says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Name>,
}

checked_record! {
    /// Money given back for an overcharged transaction (退费). Its amount is
    /// negative: the one place in the order model where money is.
    Refund / RefundParts = "RefundParts"
}

impl Refund {
    /// Checks and builds a refund.
    ///
    /// # Errors
    /// [`TransactionError::RefundNotNegative`] unless the amount is below zero.
    pub fn new(parts: RefundParts) -> Result<Refund, TransactionError> {
        if !parts.amount.is_negative() {
            return Err(TransactionError::RefundNotNegative(parts.amount));
        }
        Ok(Refund(parts))
    }
    /// The amount (negative).
    #[inline]
    pub fn amount(&self) -> Money {
        self.0.amount
    }
    /// The transaction refunded.
    #[inline]
    pub fn original(&self) -> &TransactionId {
        &self.0.original
    }
}

/// The parts of a [`Recovery`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecoveryParts {
    /// The recovery's own transaction id.
    pub id: TransactionId,
    /// The card charged.
    pub card: CardNumber,
    /// The card's type.
    pub card_type: CardType,
    /// The vehicle.
    pub vehicle: VehicleId,
    /// The toll vehicle class.
    pub vehicle_class: VehicleClass,
    /// When it was collected.
    pub time: CstDateTime,
    /// The passage it makes good, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<TransactionId>,
    /// The amount collected from the card; zero or more.
    pub amount: Money,
    /// The invoiceable charges, per operator; their charged sum is the
    /// invoiceable amount, which may differ from `amount`.
    pub segments: Vec<TollSegment>,
}

checked_record! {
    /// An audit-recovered toll (稽查补缴): a toll collected after the fact,
    /// invoiceable like a passage. Its invoiceable amount (the segments'
    /// charged sum) may differ from the amount collected (DOMAIN.md §8).
    Recovery / RecoveryParts = "RecoveryParts"
}

impl Recovery {
    /// Checks and builds a recovery.
    ///
    /// # Errors
    /// [`TransactionError`] for no segments, a negative amount, or an
    /// out-of-range sum.
    pub fn new(parts: RecoveryParts) -> Result<Recovery, TransactionError> {
        if parts.segments.is_empty() {
            return Err(TransactionError::NoSegments("recovery"));
        }
        if parts.amount.is_negative() {
            return Err(TransactionError::Negative {
                field: "amount",
                value: parts.amount,
            });
        }
        Money::checked_sum(parts.segments.iter().map(TollSegment::charged))?;
        Ok(Recovery(parts))
    }
    /// The amount collected.
    #[inline]
    pub fn amount(&self) -> Money {
        self.0.amount
    }
    /// The invoiceable amount: Σ charged over the segments.
    #[inline]
    pub fn invoiceable(&self) -> Money {
        self.0.segments.iter().map(TollSegment::charged).sum()
    }
    /// The invoiceable segments.
    #[inline]
    pub fn segments(&self) -> &[TollSegment] {
        &self.0.segments
    }
    /// The vehicle.
    #[inline]
    pub fn vehicle(&self) -> &VehicleId {
        &self.0.vehicle
    }
    /// The toll vehicle class.
    #[inline]
    pub fn vehicle_class(&self) -> VehicleClass {
        self.0.vehicle_class
    }
    /// The card's type.
    #[inline]
    pub fn card_type(&self) -> CardType {
        self.0.card_type
    }
    /// The passage it makes good, where known.
    #[inline]
    pub fn original(&self) -> Option<&TransactionId> {
        self.0.original.as_ref()
    }
}

code_enum! {
    /// What a statement line is.
    pub enum StatementLineKind / StatementLineKindError ("statement line kind") {
        /// A passage.
        Passage = "passage", "通行";
        /// A top-up.
        TopUp = "topUp", "充值", "top-up", "top_up";
        /// A refund.
        Refund = "refund", "退费";
        /// An audit recovery.
        Recovery = "recovery", "稽查补缴";
    }
}

/// One line of a [`Statement`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatementLine {
    /// The transaction.
    pub transaction: TransactionId,
    /// What it is.
    pub kind: StatementLineKind,
    /// When.
    pub time: CstDateTime,
    /// The amount as settled (negative for refunds).
    pub amount: Money,
}

/// The parts of a [`Statement`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatementParts {
    /// The statement's id.
    pub id: TransactionId,
    /// The card.
    pub card: CardNumber,
    /// The issuer or bank that settled it.
    pub issuer: Name,
    /// First day of the period.
    pub period_start: NaiveDate,
    /// Last day of the period, inclusive.
    pub period_end: NaiveDate,
    /// When it was drawn up.
    pub time: CstDateTime,
    /// The lines.
    pub lines: Vec<StatementLine>,
    /// The stated total; must equal the sum of the lines.
    pub total: Money,
}

checked_record! {
    /// A settlement statement (月结账单 / 结算单) of an issuer or bank over a
    /// card and period.
    Statement / StatementParts = "StatementParts"
}

impl Statement {
    /// Checks and builds a statement.
    ///
    /// # Errors
    /// [`TransactionError`] for a reversed period, a line outside it, a
    /// repeated transaction, or a total that is not the sum of the lines.
    pub fn new(parts: StatementParts) -> Result<Statement, TransactionError> {
        if parts.period_end < parts.period_start {
            return Err(TransactionError::PeriodReversed {
                start: parts.period_start,
                end: parts.period_end,
            });
        }
        let mut seen = BTreeSet::new();
        for line in &parts.lines {
            let date = line.time.date();
            if date < parts.period_start || date > parts.period_end {
                return Err(TransactionError::LineOutsidePeriod {
                    transaction: line.transaction.clone(),
                    date,
                });
            }
            if !seen.insert(&line.transaction) {
                return Err(TransactionError::DuplicateLine(line.transaction.clone()));
            }
        }
        let sum = Money::checked_sum(parts.lines.iter().map(|l| l.amount))?;
        if sum != parts.total {
            return Err(TransactionError::TotalMismatch {
                total: parts.total,
                sum,
            });
        }
        Ok(Statement(parts))
    }
    /// The stated total.
    #[inline]
    pub fn total(&self) -> Money {
        self.0.total
    }
    /// The lines.
    #[inline]
    pub fn lines(&self) -> &[StatementLine] {
        &self.0.lines
    }
    /// The billing month, when the period lies within one month.
    #[inline]
    pub fn month(&self) -> Option<BillingMonth> {
        let m = BillingMonth::of(self.0.period_start);
        m.contains(self.0.period_end).then_some(m)
    }
}

/// Any record of the order model, as one line of a JSON Lines file carries
/// it: `{"type": "passage", …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Record {
    /// A passage.
    Passage(Passage),
    /// A top-up.
    TopUp(TopUp),
    /// A refund.
    Refund(Refund),
    /// An audit-recovered toll.
    Recovery(Recovery),
    /// A settlement statement.
    Statement(Statement),
}

impl Record {
    /// The record's transaction id.
    pub fn id(&self) -> &TransactionId {
        match self {
            Record::Passage(p) => p.id(),
            Record::TopUp(t) => t.id(),
            Record::Refund(r) => r.id(),
            Record::Recovery(r) => r.id(),
            Record::Statement(s) => s.id(),
        }
    }

    /// The card the record belongs to.
    pub fn card(&self) -> &CardNumber {
        match self {
            Record::Passage(p) => p.card(),
            Record::TopUp(t) => t.card(),
            Record::Refund(r) => r.card(),
            Record::Recovery(r) => r.card(),
            Record::Statement(s) => s.card(),
        }
    }

    /// The record's time: a passage's exit, otherwise its own time.
    pub fn time(&self) -> CstDateTime {
        match self {
            Record::Passage(p) => p.exit().time,
            Record::TopUp(t) => t.time(),
            Record::Refund(r) => r.time(),
            Record::Recovery(r) => r.time(),
            Record::Statement(s) => s.time(),
        }
    }

    /// The kind, as the JSON `type` tag spells it.
    pub fn kind(&self) -> &'static str {
        match self {
            Record::Passage(_) => "passage",
            Record::TopUp(_) => "topUp",
            Record::Refund(_) => "refund",
            Record::Recovery(_) => "recovery",
            Record::Statement(_) => "statement",
        }
    }
}

impl From<Passage> for Record {
    fn from(p: Passage) -> Record {
        Record::Passage(p)
    }
}
