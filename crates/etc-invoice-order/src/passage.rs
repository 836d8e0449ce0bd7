//! Passages (one trip, entry to exit) and their per-operator toll segments.

use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{
    BillingMonth, CardNumber, CardType, CstDateTime, Funding, Medium, Money, MoneyError, Name,
    OperatorId, Province, RoadKind, TaxMethod, TaxpayerId, TransactionId, VehicleClass, VehicleId,
};

/// A road operator (收费公路经营管理单位): the seller on the invoice for its
/// segments.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Operator {
    /// The operator's id in the issuer's data.
    pub id: OperatorId,
    /// The seller name printed on invoices.
    pub name: Name,
    /// The seller's taxpayer id.
    pub taxpayer_id: TaxpayerId,
}

/// A station passed at a time: the entry or exit of a passage.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Visit {
    /// The station's name.
    pub station: Name,
    /// When the vehicle passed it.
    pub time: CstDateTime,
}

/// Why a segment, passage or other transaction is inconsistent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransactionError {
    /// An amount that must not be negative is.
    #[error("{field} `{value}` is negative")]
    Negative {
        /// The field.
        field: &'static str,
        /// Its value.
        value: Money,
    },
    /// An amount that must be positive is zero or negative.
    #[error("{field} `{value}` must be positive")]
    NotPositive {
        /// The field.
        field: &'static str,
        /// Its value.
        value: Money,
    },
    /// A refund amount that is not below zero.
    #[error("refund amount `{0}` must be negative")]
    RefundNotNegative(Money),
    /// charged ≠ receivable − discount.
    #[error("charged `{charged}` is not receivable `{receivable}` minus discount `{discount}`")]
    ChargedMismatch {
        /// The receivable fee.
        receivable: Money,
        /// The discount.
        discount: Money,
        /// The charged fee.
        charged: Money,
    },
    /// A passage or recovery without segments.
    #[error("a {0} needs at least one segment")]
    NoSegments(&'static str),
    /// The exit is before the entry.
    #[error("exit time `{exit}` is before entry time `{entry}`")]
    ExitBeforeEntry {
        /// Entry time.
        entry: CstDateTime,
        /// Exit time.
        exit: CstDateTime,
    },
    /// Settlement before the exit.
    #[error("settlement time `{settled}` is before exit time `{exit}`")]
    SettledBeforeExit {
        /// Exit time.
        exit: CstDateTime,
        /// Settlement time.
        settled: CstDateTime,
    },
    /// A statement whose total is not the sum of its lines.
    #[error("statement total `{total}` is not the sum of its lines `{sum}`")]
    TotalMismatch {
        /// The stated total.
        total: Money,
        /// The sum of the lines.
        sum: Money,
    },
    /// A statement period that ends before it starts.
    #[error("period ends `{end}` before it starts `{start}`")]
    PeriodReversed {
        /// First day.
        start: NaiveDate,
        /// Last day.
        end: NaiveDate,
    },
    /// A statement line outside the statement's period.
    #[error("statement line `{transaction}` on `{date}` is outside the period")]
    LineOutsidePeriod {
        /// The line's transaction.
        transaction: TransactionId,
        /// The line's date.
        date: NaiveDate,
    },
    /// The same transaction twice in one statement.
    #[error("transaction `{0}` appears twice in the statement")]
    DuplicateLine(TransactionId),
    /// A sum out of range.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// The parts of a [`TollSegment`], with public fields; [`TollSegment::new`]
/// checks them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SegmentParts {
    /// The operator that charged this segment.
    ///
    /// Shared: segments of one operator may hold one `Arc` (the importer
    /// gives them one per operator it reads), so that a segment stays small
    /// and a planner tells sellers apart by address before comparing their
    /// fields. Serialised as the operator itself.
    pub operator: Arc<Operator>,
    /// The province the road lies in.
    pub province: Province,
    /// The kind of road.
    pub road_kind: RoadKind,
    /// How the road is funded.
    pub funding: Funding,
    /// The operator's VAT method for the road.
    pub tax_method: TaxMethod,
    /// The construction-permit start date of the road, where known (decides
    /// whether the simplified method may apply).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub construction_start: Option<NaiveDate>,
    /// The receivable fee (应收).
    pub receivable: Money,
    /// The discount (优惠).
    pub discount: Money,
    /// The charged fee (实收); invoices are on this amount.
    pub charged: Money,
}

/// One operator's charge within a passage: the unit that is invoiced.
///
/// Invariant: every amount is zero or more and
/// `charged = receivable − discount`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SegmentParts", into = "SegmentParts")]
pub struct TollSegment(SegmentParts);

impl TollSegment {
    /// Checks the parts and builds a segment.
    ///
    /// # Errors
    /// [`TransactionError::Negative`] for a negative amount,
    /// [`TransactionError::ChargedMismatch`] when the amounts disagree.
    pub fn new(parts: SegmentParts) -> Result<TollSegment, TransactionError> {
        for (field, value) in [
            ("receivable", parts.receivable),
            ("discount", parts.discount),
            ("charged", parts.charged),
        ] {
            if value.is_negative() {
                return Err(TransactionError::Negative { field, value });
            }
        }
        if parts.receivable.checked_sub(parts.discount)? != parts.charged {
            return Err(TransactionError::ChargedMismatch {
                receivable: parts.receivable,
                discount: parts.discount,
                charged: parts.charged,
            });
        }
        Ok(TollSegment(parts))
    }

    /// The operator (seller).
    #[inline]
    pub fn operator(&self) -> &Operator {
        &self.0.operator
    }
    /// The province the road lies in.
    #[inline]
    pub fn province(&self) -> Province {
        self.0.province
    }
    /// The kind of road.
    #[inline]
    pub fn road_kind(&self) -> RoadKind {
        self.0.road_kind
    }
    /// How the road is funded.
    #[inline]
    pub fn funding(&self) -> Funding {
        self.0.funding
    }
    /// The VAT method.
    #[inline]
    pub fn tax_method(&self) -> TaxMethod {
        self.0.tax_method
    }
    /// The construction-permit start date, where known.
    #[inline]
    pub fn construction_start(&self) -> Option<NaiveDate> {
        self.0.construction_start
    }
    /// The receivable fee.
    #[inline]
    pub fn receivable(&self) -> Money {
        self.0.receivable
    }
    /// The discount.
    #[inline]
    pub fn discount(&self) -> Money {
        self.0.discount
    }
    /// The charged fee, the invoiceable amount.
    #[inline]
    pub fn charged(&self) -> Money {
        self.0.charged
    }
    /// The parts, for inspection or to build a changed copy.
    #[inline]
    pub fn parts(&self) -> &SegmentParts {
        &self.0
    }
    /// The parts, by value.
    #[inline]
    pub fn into_parts(self) -> SegmentParts {
        self.0
    }
}

impl TryFrom<SegmentParts> for TollSegment {
    type Error = TransactionError;
    fn try_from(p: SegmentParts) -> Result<Self, Self::Error> {
        TollSegment::new(p)
    }
}

impl From<TollSegment> for SegmentParts {
    fn from(s: TollSegment) -> SegmentParts {
        s.0
    }
}

/// The parts of a [`Passage`], with public fields; [`Passage::new`] checks them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PassageParts {
    /// The transaction id.
    pub id: TransactionId,
    /// The card charged.
    pub card: CardNumber,
    /// The card's type.
    pub card_type: CardType,
    /// The vehicle (`plate_colour`).
    pub vehicle: VehicleId,
    /// The toll vehicle class.
    pub vehicle_class: VehicleClass,
    /// How the passage was charged.
    pub medium: Medium,
    /// The entry, where the network recorded one (open roads have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<Visit>,
    /// The exit.
    pub exit: Visit,
    /// When the issuer or bank settled it; `None` while unsettled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled_at: Option<CstDateTime>,
    /// One segment per operator charged, in road order.
    pub segments: Vec<TollSegment>,
}

/// One trip through the ETC network, entry to exit, charged per operator.
///
/// Invariants, checked by [`Passage::new`]: at least one segment; the exit
/// is not before the entry; settlement is not before the exit; the total
/// charged fits the money range.
///
/// The passage date (the one invoices print and eligibility counts from) is
/// the exit date in China time, and so is its billing month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PassageParts", into = "PassageParts")]
pub struct Passage {
    parts: PassageParts,
    total: Money,
}

impl Passage {
    /// Checks the parts and builds a passage.
    ///
    /// # Errors
    /// [`TransactionError`] naming the broken invariant.
    pub fn new(parts: PassageParts) -> Result<Passage, TransactionError> {
        if parts.segments.is_empty() {
            return Err(TransactionError::NoSegments("passage"));
        }
        if let Some(entry) = &parts.entry
            && parts.exit.time < entry.time
        {
            return Err(TransactionError::ExitBeforeEntry {
                entry: entry.time,
                exit: parts.exit.time,
            });
        }
        if let Some(settled) = parts.settled_at
            && settled < parts.exit.time
        {
            return Err(TransactionError::SettledBeforeExit {
                exit: parts.exit.time,
                settled,
            });
        }
        let total = Money::checked_sum(parts.segments.iter().map(TollSegment::charged))?;
        Ok(Passage { parts, total })
    }

    /// The transaction id.
    #[inline]
    pub fn id(&self) -> &TransactionId {
        &self.parts.id
    }
    /// The card charged.
    #[inline]
    pub fn card(&self) -> &CardNumber {
        &self.parts.card
    }
    /// The card's type.
    #[inline]
    pub fn card_type(&self) -> CardType {
        self.parts.card_type
    }
    /// The vehicle.
    #[inline]
    pub fn vehicle(&self) -> &VehicleId {
        &self.parts.vehicle
    }
    /// The toll vehicle class.
    #[inline]
    pub fn vehicle_class(&self) -> VehicleClass {
        self.parts.vehicle_class
    }
    /// How the passage was charged.
    #[inline]
    pub fn medium(&self) -> Medium {
        self.parts.medium
    }
    /// The entry, if recorded.
    #[inline]
    pub fn entry(&self) -> Option<&Visit> {
        self.parts.entry.as_ref()
    }
    /// The exit.
    #[inline]
    pub fn exit(&self) -> &Visit {
        &self.parts.exit
    }
    /// When it was settled, if it has been.
    #[inline]
    pub fn settled_at(&self) -> Option<CstDateTime> {
        self.parts.settled_at
    }
    /// The segments, one per operator, in road order.
    #[inline]
    pub fn segments(&self) -> &[TollSegment] {
        &self.parts.segments
    }
    /// Σ charged over the segments: what the card paid.
    #[inline]
    pub fn total_charged(&self) -> Money {
        self.total
    }
    /// Σ receivable over the segments.
    #[inline]
    pub fn total_receivable(&self) -> Money {
        self.parts
            .segments
            .iter()
            .map(TollSegment::receivable)
            .sum()
    }
    /// Σ discount over the segments.
    #[inline]
    pub fn total_discount(&self) -> Money {
        self.parts.segments.iter().map(TollSegment::discount).sum()
    }
    /// The date of the entry, or of the exit when there is none.
    #[inline]
    pub fn start_date(&self) -> NaiveDate {
        self.parts
            .entry
            .as_ref()
            .map_or(self.parts.exit.time, |e| e.time)
            .date()
    }
    /// The passage date: the exit date in China.
    #[inline]
    pub fn passage_date(&self) -> NaiveDate {
        self.parts.exit.time.date()
    }
    /// The billing month of the passage date.
    #[inline]
    pub fn billing_month(&self) -> BillingMonth {
        self.parts.exit.time.billing_month()
    }
    /// The parts.
    #[inline]
    pub fn parts(&self) -> &PassageParts {
        &self.parts
    }
    /// The parts, by value.
    #[inline]
    pub fn into_parts(self) -> PassageParts {
        self.parts
    }
}

impl TryFrom<PassageParts> for Passage {
    type Error = TransactionError;
    fn try_from(p: PassageParts) -> Result<Self, Self::Error> {
        Passage::new(p)
    }
}

impl From<Passage> for PassageParts {
    fn from(p: Passage) -> PassageParts {
        p.parts
    }
}
