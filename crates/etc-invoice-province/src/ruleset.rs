//! The questions a resolved rule set answers.

use chrono::{Datelike, Days, Months, NaiveDate};
use etc_invoice_order::{BillingMonth, DocumentKind, Funding, RoadKind, TaxMethod, TaxRate};

use crate::RuleBookError;
use crate::calendar::HolidayCalendar;
use crate::enums::{Channel, Delivery, MergeMode, TitleKind};
use crate::schema::RuleSetV1;

/// What may be done about one more reissue of an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReissueDecision {
    /// Under the cap: the applicant may reissue.
    Allowed,
    /// Over the cap, where the province lets staff authorise more.
    NeedsAuthorisation,
    /// Over the cap: refused.
    Refused,
}

impl RuleSetV1 {
    /// The general-method VAT rate in force on `date`.
    ///
    /// # Errors
    /// [`RuleBookError::NotInForce`] before the schedule's first entry.
    #[inline]
    pub fn general_rate_on(&self, date: NaiveDate) -> Result<TaxRate, RuleBookError> {
        // A match, so that the error is built only on the way to returning
        // it: `ok_or` would build (and drop) one for every rate found.
        match self.vat.general_rates.rate_on(date) {
            Some(rate) => Ok(rate),
            None => Err(RuleBookError::NotInForce {
                what: "general vat rate",
                date,
            }),
        }
    }

    /// The simplified-method levy rate for a road kind: the expressway rate
    /// for expressways, the other rate for first/second-class roads, bridges
    /// and sluices.
    #[inline]
    pub fn simplified_rate(&self, road_kind: RoadKind) -> TaxRate {
        match road_kind {
            RoadKind::Expressway => self.vat.simplified_expressway_rate,
            RoadKind::FirstClass | RoadKind::SecondClass | RoadKind::Bridge | RoadKind::Sluice => {
                self.vat.simplified_other_rate
            }
        }
    }

    /// Whether a road begun on `construction_start` may use the simplified
    /// method: on or before the cut-off, or (when the start is unknown)
    /// whenever the operator declares it.
    #[inline]
    pub fn simplified_method_available(&self, construction_start: Option<NaiveDate>) -> bool {
        construction_start.is_none_or(|start| start <= self.vat.simplified_cutoff)
    }

    /// The document a toll segment is invoiced on, and its rate.
    ///
    /// - A government-repaid road gets a non-taxable invoice from
    ///   `documents.non_taxable_from`, then a fiscal e-bill from
    ///   `documents.fiscal_ebill_from`; the rate is `None`.
    /// - An operating road gets a taxable VAT invoice. Under the general
    ///   method, at the general rate of `date`; under the simplified method,
    ///   at the simplified rate of the road kind — unless the construction
    ///   start is known and after `vat.simplified_cutoff`, when the
    ///   simplified method is not available and the general rate applies.
    ///   An unknown construction start leaves the operator's declared method
    ///   standing (transaction records rarely carry the start, and most real
    ///   toll invoices are at the 3 % simplified rate).
    ///
    /// ```
    /// use etc_invoice_order::{DocumentKind, Funding, RoadKind, TaxMethod};
    /// use etc_invoice_province::RuleBook;
    ///
    /// let date = "2024-03-05".parse()?;
    /// let rules = RuleBook::builtin_ref().rules_for("粤".parse()?, date)?;
    /// let (kind, rate) = rules.document_for(
    ///     Funding::Operating, TaxMethod::Simplified, RoadKind::Expressway, None, date)?;
    /// assert_eq!((kind, rate.map(|r| r.to_string())), (DocumentKind::VatInvoice, Some("3%".into())));
    /// let (kind, rate) = rules.document_for(
    ///     Funding::GovernmentRepaid, TaxMethod::General, RoadKind::Expressway, None, date)?;
    /// assert_eq!((kind, rate), (DocumentKind::FiscalEBill, None));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`RuleBookError::NotInForce`] for a government-repaid road before
    /// `documents.non_taxable_from`, or a general rate before its schedule.
    #[inline]
    pub fn document_for(
        &self,
        funding: Funding,
        tax_method: TaxMethod,
        road_kind: RoadKind,
        construction_start: Option<NaiveDate>,
        date: NaiveDate,
    ) -> Result<(DocumentKind, Option<TaxRate>), RuleBookError> {
        match funding {
            Funding::GovernmentRepaid => {
                if date >= self.documents.fiscal_ebill_from {
                    Ok((DocumentKind::FiscalEBill, None))
                } else if date >= self.documents.non_taxable_from {
                    Ok((DocumentKind::NonTaxableInvoice, None))
                } else {
                    Err(RuleBookError::NotInForce {
                        what: "document rule for government-repaid roads",
                        date,
                    })
                }
            }
            Funding::Operating => {
                let rate = match tax_method {
                    TaxMethod::Simplified
                        if self.simplified_method_available(construction_start) =>
                    {
                        self.simplified_rate(road_kind)
                    }
                    TaxMethod::Simplified | TaxMethod::General => self.general_rate_on(date)?,
                };
                Ok((DocumentKind::VatInvoice, Some(rate)))
            }
        }
    }

    /// The document a top-up invoiced at top-up time is issued on: always a
    /// non-taxable invoice (DOMAIN.md §2).
    pub fn top_up_document(&self) -> DocumentKind {
        DocumentKind::NonTaxableInvoice
    }

    /// The first day a passage on `passage_date` can be invoiced: that date
    /// plus `timing.eligible_after_days` natural days; where
    /// `timing.holidays_defer` holds and that day is a public holiday in
    /// `holidays`, the first later day that is not one.
    ///
    /// ```
    /// use etc_invoice_province::{HolidayCalendar, RuleBook};
    ///
    /// let book = RuleBook::builtin_ref();
    /// let gd = "粤".parse()?;
    /// let no_holidays = HolidayCalendar::new();
    /// let a66 = book.rules_for(gd, "2019-03-01".parse()?)?;
    /// assert_eq!(a66.eligible_from("2019-03-01".parse()?, &no_holidays).to_string(), "2019-03-11");
    /// let a20 = book.rules_for(gd, "2021-03-01".parse()?)?;
    /// assert_eq!(a20.eligible_from("2021-03-01".parse()?, &no_holidays).to_string(), "2021-03-08");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn eligible_from(&self, passage_date: NaiveDate, holidays: &HolidayCalendar) -> NaiveDate {
        let day = passage_date
            .checked_add_days(Days::new(u64::from(self.timing.eligible_after_days)))
            .unwrap_or(NaiveDate::MAX);
        if self.timing.holidays_defer {
            holidays.next_working_day(day)
        } else {
            day
        }
    }

    /// Whether a passage on `passage_date` can be invoiced on `today`.
    pub fn is_eligible(
        &self,
        passage_date: NaiveDate,
        today: NaiveDate,
        holidays: &HolidayCalendar,
    ) -> bool {
        today >= self.eligible_from(passage_date, holidays)
    }

    /// The first day a top-up on `top_up_date` can be invoiced: that day
    /// when `timing.top_up_at_once` holds, else as for a passage.
    pub fn top_up_eligible_from(
        &self,
        top_up_date: NaiveDate,
        holidays: &HolidayCalendar,
    ) -> NaiveDate {
        if self.timing.top_up_at_once {
            top_up_date
        } else {
            self.eligible_from(top_up_date, holidays)
        }
    }

    /// The latest application age, in months after the transaction.
    pub fn latest_application_age_months(&self) -> u32 {
        self.timing.latest_application_months
    }

    /// The last day a transaction on `transaction_date` can be applied for:
    /// the same day `timing.latest_application_months` months later (the
    /// month's last day where it is shorter).
    pub fn latest_application_date(&self, transaction_date: NaiveDate) -> NaiveDate {
        transaction_date
            .checked_add_months(Months::new(self.timing.latest_application_months))
            .unwrap_or(NaiveDate::MAX)
    }

    /// The last billing month in which a transaction of `month` can be
    /// applied for (saturating at 2099-12).
    pub fn latest_application_month(&self, month: BillingMonth) -> BillingMonth {
        let index = u64::from(month.year()) * 12
            + u64::from(month.month().saturating_sub(1))
            + u64::from(self.timing.latest_application_months);
        let year = u16::try_from(index / 12).unwrap_or(u16::MAX);
        let m = u8::try_from(index % 12 + 1).unwrap_or(12);
        BillingMonth::new(year, m).unwrap_or_else(|_| {
            // Past the last representable month: saturate.
            BillingMonth::of(NaiveDate::MAX)
        })
    }

    /// Whether a transaction on `transaction_date` can still be applied for
    /// on `today`.
    #[inline]
    pub fn within_application_window(&self, transaction_date: NaiveDate, today: NaiveDate) -> bool {
        // The same as `today <= latest_application_date(transaction_date)`
        // without building that date: adding months keeps the day of the
        // month, or cuts it to the month's last day, and today's day never
        // passes the last day of its own month, so comparing (month, day)
        // is enough. Past the last representable date, the latest date
        // saturates, and so does this comparison.
        let month = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
        let last = month(transaction_date) + i64::from(self.timing.latest_application_months);
        (month(today), today.day()) <= (last, transaction_date.day())
    }

    /// Whether an applicant may choose `mode`.
    pub fn allows_merge_mode(&self, mode: MergeMode) -> bool {
        self.applications.merge_modes.contains(&mode)
    }

    /// Whether an applicant may use a title of `kind`.
    pub fn allows_title_kind(&self, kind: TitleKind) -> bool {
        self.applications.title_kinds.contains(&kind)
    }

    /// Whether invoices may be delivered by `delivery`.
    pub fn allows_delivery(&self, delivery: Delivery) -> bool {
        self.applications.delivery.contains(&delivery)
    }

    /// Whether users can apply through `channel`.
    pub fn offers_channel(&self, channel: Channel) -> bool {
        self.issuer.channels.contains(&channel)
    }

    /// What may be done about reissuing an invoice that has been reissued
    /// `reissues_so_far` times already.
    pub fn reissue(&self, reissues_so_far: u32) -> ReissueDecision {
        if reissues_so_far < self.after_issue.reissue_cap {
            ReissueDecision::Allowed
        } else if self.after_issue.reissue_beyond_cap_with_authorisation {
            ReissueDecision::NeedsAuthorisation
        } else {
            ReissueDecision::Refused
        }
    }

    /// Whether an invoice issued on `issued_on` can still be reversed on
    /// `today`: allowed at all, and within `after_issue.red_reversal_window_days`.
    pub fn red_reversal_open(&self, issued_on: NaiveDate, today: NaiveDate) -> bool {
        let last = issued_on
            .checked_add_days(Days::new(u64::from(
                self.after_issue.red_reversal_window_days,
            )))
            .unwrap_or(NaiveDate::MAX);
        self.after_issue.red_reversal_allowed && today >= issued_on && today <= last
    }

    /// Whether the passages paid by a top-up may be invoiced although the
    /// top-up itself was invoiced at top-up time. `false` under the national
    /// rule (stored-value exclusivity, DOMAIN.md §2).
    pub fn passages_invoiceable_after_top_up_invoice(&self) -> bool {
        !self.stored_value.top_up_invoice_excludes_passages
    }
}
