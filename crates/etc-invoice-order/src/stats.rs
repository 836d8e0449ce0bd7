//! Totals and counts of passages and other records, by month, vehicle,
//! operator, province and road funding.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::{
    BillingMonth, Funding, Money, MoneyError, OperatorId, Passage, Province, Record, VehicleId,
};

/// A count and a sum of money.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// How many items.
    pub count: u64,
    /// Their amount.
    pub amount: Money,
}

impl Totals {
    fn add(&mut self, amount: Money) -> Result<(), MoneyError> {
        self.amount = self.amount.checked_add(amount)?;
        self.count += 1;
        Ok(())
    }
}

/// Totals of charged tolls and other money flows, broken down several ways.
///
/// Passages count once in `passages`, `by_month` and `by_vehicle`; their
/// segments count in `by_operator`, `by_province` and `by_funding` (so a
/// passage over three operators adds three segment counts there). The
/// segment breakdowns each sum to `passages.amount`.
///
/// Maps are ordered, so printing or serialising a `Statistics` is
/// deterministic.
///
/// ```
/// use etc_invoice_order::stats::Statistics;
///
/// let stats = Statistics::new();
/// assert_eq!(stats.passages.count, 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Statistics {
    /// All passages: count and Σ charged.
    pub passages: Totals,
    /// Passages by billing month.
    pub by_month: BTreeMap<BillingMonth, Totals>,
    /// Passages by vehicle.
    pub by_vehicle: BTreeMap<VehicleId, Totals>,
    /// Segments by operator.
    pub by_operator: BTreeMap<OperatorId, Totals>,
    /// Segments by the province of their road.
    pub by_province: BTreeMap<Province, Totals>,
    /// Segments by road funding.
    pub by_funding: BTreeMap<Funding, Totals>,
    /// Audit recoveries: count and Σ invoiceable amount; also in the
    /// segment breakdowns, not in `passages`.
    pub recoveries: Totals,
    /// Top-ups: count and Σ amount.
    pub top_ups: Totals,
    /// Refunds: count and Σ amount (negative).
    pub refunds: Totals,
    /// Statements: count and Σ total.
    pub statements: Totals,
}

impl Statistics {
    /// Empty statistics.
    pub fn new() -> Statistics {
        Statistics::default()
    }

    /// Gathers statistics over passages.
    ///
    /// # Errors
    /// [`MoneyError::Overflow`] if a total leaves the money range.
    pub fn of_passages<'a, I: IntoIterator<Item = &'a Passage>>(
        passages: I,
    ) -> Result<Statistics, MoneyError> {
        let mut s = Statistics::new();
        for p in passages {
            s.add_passage(p)?;
        }
        Ok(s)
    }

    /// Adds one passage. On an error nothing has been added.
    ///
    /// # Errors
    /// [`MoneyError::Overflow`] if a total would leave the money range.
    pub fn add_passage(&mut self, p: &Passage) -> Result<(), MoneyError> {
        let mut next = self.clone_light(p)?;
        next.passages.add(p.total_charged())?;
        next.by_month
            .entry(p.billing_month())
            .or_default()
            .add(p.total_charged())?;
        next.by_vehicle
            .entry(p.vehicle().clone())
            .or_default()
            .add(p.total_charged())?;
        next.add_segments(p.segments())?;
        self.passages = next.passages;
        self.merge_maps(next);
        Ok(())
    }

    /// A scratch copy of the rows this passage touches, so that adding is
    /// all or nothing without cloning every map.
    fn clone_light(&self, p: &Passage) -> Result<Statistics, MoneyError> {
        let mut s = Statistics {
            passages: self.passages,
            ..Statistics::default()
        };
        let month = p.billing_month();
        if let Some(t) = self.by_month.get(&month) {
            s.by_month.insert(month, *t);
        }
        if let Some(t) = self.by_vehicle.get(p.vehicle()) {
            s.by_vehicle.insert(p.vehicle().clone(), *t);
        }
        self.copy_segment_rows(p.segments(), &mut s);
        Ok(s)
    }

    fn copy_segment_rows(&self, segments: &[crate::TollSegment], s: &mut Statistics) {
        for seg in segments {
            let op = &seg.operator().id;
            if let Some(t) = self.by_operator.get(op) {
                s.by_operator.entry(op.clone()).or_insert(*t);
            }
            if let Some(t) = self.by_province.get(&seg.province()) {
                s.by_province.entry(seg.province()).or_insert(*t);
            }
            if let Some(t) = self.by_funding.get(&seg.funding()) {
                s.by_funding.entry(seg.funding()).or_insert(*t);
            }
        }
    }

    fn add_segments(&mut self, segments: &[crate::TollSegment]) -> Result<(), MoneyError> {
        for seg in segments {
            self.by_operator
                .entry(seg.operator().id.clone())
                .or_default()
                .add(seg.charged())?;
            self.by_province
                .entry(seg.province())
                .or_default()
                .add(seg.charged())?;
            self.by_funding
                .entry(seg.funding())
                .or_default()
                .add(seg.charged())?;
        }
        Ok(())
    }

    fn merge_maps(&mut self, next: Statistics) {
        self.by_month.extend(next.by_month);
        self.by_vehicle.extend(next.by_vehicle);
        self.by_operator.extend(next.by_operator);
        self.by_province.extend(next.by_province);
        self.by_funding.extend(next.by_funding);
    }

    /// Adds any record. On an error nothing has been added.
    ///
    /// # Errors
    /// [`MoneyError::Overflow`] if a total would leave the money range.
    pub fn add(&mut self, record: &Record) -> Result<(), MoneyError> {
        match record {
            Record::Passage(p) => self.add_passage(p),
            Record::TopUp(t) => add_checked(&mut self.top_ups, t.amount()),
            Record::Refund(r) => add_checked(&mut self.refunds, r.amount()),
            Record::Statement(s) => add_checked(&mut self.statements, s.total()),
            Record::Recovery(r) => {
                let mut scratch = Statistics {
                    recoveries: self.recoveries,
                    ..Statistics::default()
                };
                self.copy_segment_rows(r.segments(), &mut scratch);
                scratch.recoveries.add(r.invoiceable())?;
                scratch.add_segments(r.segments())?;
                self.recoveries = scratch.recoveries;
                self.merge_maps(scratch);
                Ok(())
            }
        }
    }
}

fn add_checked(t: &mut Totals, amount: Money) -> Result<(), MoneyError> {
    let mut next = *t;
    next.add(amount)?;
    *t = next;
    Ok(())
}
