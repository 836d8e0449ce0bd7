//! Resolving rules by province and date: schedules, documents, timing.

use chrono::{Datelike, NaiveDate};
use etc_invoice_order::{BillingMonth, DocumentKind, Funding, Province, RoadKind, TaxMethod};
use etc_invoice_province::{HolidayCalendar, RuleBook, RuleBookError};
use proptest::prelude::*;

use crate::{d, p};

fn month(index: u32) -> BillingMonth {
    // 0 = 2018-01 … 119 = 2027-12
    BillingMonth::new(2018 + (index / 12) as u16, (index % 12 + 1) as u8).unwrap()
}

fn check_resolves(province: Province, date: NaiveDate) {
    let book = RuleBook::builtin_ref();
    let rules = book
        .rules_for(province, date)
        .unwrap_or_else(|e| panic!("{province} {date}: {e}"));
    assert_eq!(rules.province, province);
    assert!(rules.effective_from <= date);
    for funding in [Funding::Operating, Funding::GovernmentRepaid] {
        for method in [TaxMethod::General, TaxMethod::Simplified] {
            for road in RoadKind::ALL {
                let (kind, rate) = rules
                    .document_for(funding, method, *road, None, date)
                    .unwrap();
                assert_eq!(kind.is_taxable(), rate.is_some());
                assert_eq!(kind.is_taxable(), funding == Funding::Operating);
            }
        }
    }
    let eligible = rules.eligible_from(date, &HolidayCalendar::new());
    assert!(eligible > date);
    assert!(rules.latest_application_date(date) > eligible);
    for key in etc_invoice_province::RuleSet::KEYS {
        book.explain(province, date, key).unwrap();
    }
}

#[test]
fn every_province_every_month_2018_to_2027() {
    for province in Province::ALL {
        for i in 0..120 {
            let m = month(i);
            check_resolves(province, m.first_day());
            check_resolves(province, m.last_day());
        }
    }
}

proptest! {
    #[test]
    fn any_province_any_day_2018_to_2027(
        province in 0..31usize,
        index in 0..120u32,
        day in 1..=31u32,
    ) {
        let m = month(index);
        let date = m.first_day().with_day(day).unwrap_or_else(|| m.last_day());
        check_resolves(Province::ALL[province], date);
    }

    /// The window test agrees with the latest application date it stands
    /// for, on every kind of month end.
    #[test]
    fn window_matches_latest_application_date(
        province in 0..31usize,
        index in 0..120u32,
        day in 1..=31u32,
        later in 0..800u64,
    ) {
        let m = month(index);
        let date = m.first_day().with_day(day).unwrap_or_else(|| m.last_day());
        let today = date + chrono::Days::new(later);
        let rules = RuleBook::builtin_ref().rules_for(Province::ALL[province], date).unwrap();
        prop_assert_eq!(
            rules.within_application_window(date, today),
            today <= rules.latest_application_date(date)
        );
    }
}

#[test]
fn before_2018_is_an_error_not_a_guess() {
    let book = RuleBook::builtin_ref();
    for province in Province::ALL {
        let err = book.rules_for(province, d("2017-12-31")).unwrap_err();
        assert!(err.is_out_of_range());
        assert!(matches!(
            err,
            RuleBookError::TooEarly { earliest: Some(e), .. } if e == d("2018-01-01")
        ));
        assert!(book.rules_for(province, d("2018-01-01")).is_ok());
    }
}

#[test]
fn general_rate_boundaries() {
    let book = RuleBook::builtin_ref();
    for (date, rate) in [
        ("2018-01-01", "11%"),
        ("2018-04-30", "11%"),
        ("2018-05-01", "10%"),
        ("2019-03-31", "10%"),
        ("2019-04-01", "9%"),
        ("2027-12-31", "9%"),
    ] {
        for province in Province::ALL {
            let rules = book.rules_for(province, d(date)).unwrap();
            assert_eq!(
                rules.general_rate_on(d(date)).unwrap().to_string(),
                rate,
                "{date}"
            );
            let (kind, r) = rules
                .document_for(
                    Funding::Operating,
                    TaxMethod::General,
                    RoadKind::Expressway,
                    None,
                    d(date),
                )
                .unwrap();
            assert_eq!(kind, DocumentKind::VatInvoice);
            assert_eq!(r.unwrap().to_string(), rate, "{date}");
        }
    }
    let rules = book.rules_for(p("粤"), d("2018-01-01")).unwrap();
    assert!(matches!(
        rules.general_rate_on(d("2016-04-30")),
        Err(RuleBookError::NotInForce { .. })
    ));
}

#[test]
fn simplified_rates_and_the_construction_cutoff() {
    let date = d("2023-07-01");
    let rules = RuleBook::builtin_ref().rules_for(p("川"), date).unwrap();
    let rate = |road, start: Option<&str>| {
        let (kind, rate) = rules
            .document_for(
                Funding::Operating,
                TaxMethod::Simplified,
                road,
                start.map(d),
                date,
            )
            .unwrap();
        assert_eq!(kind, DocumentKind::VatInvoice);
        rate.unwrap().to_string()
    };
    assert_eq!(rate(RoadKind::Expressway, None), "3%");
    assert_eq!(rate(RoadKind::Expressway, Some("2016-04-30")), "3%");
    assert_eq!(rate(RoadKind::Expressway, Some("2016-05-01")), "9%");
    assert_eq!(rate(RoadKind::FirstClass, None), "5%");
    assert_eq!(rate(RoadKind::Bridge, Some("2010-01-01")), "5%");
    assert_eq!(rate(RoadKind::Sluice, Some("2017-01-01")), "9%");
}

#[test]
fn government_repaid_roads_switch_to_fiscal_e_bills() {
    let book = RuleBook::builtin_ref();
    let doc = |date: &str| {
        book.rules_for(p("湘"), d(date))
            .unwrap()
            .document_for(
                Funding::GovernmentRepaid,
                TaxMethod::General,
                RoadKind::Expressway,
                None,
                d(date),
            )
            .unwrap()
    };
    assert_eq!(doc("2018-01-01"), (DocumentKind::NonTaxableInvoice, None));
    assert_eq!(doc("2020-05-05"), (DocumentKind::NonTaxableInvoice, None));
    assert_eq!(doc("2020-05-06"), (DocumentKind::FiscalEBill, None));
    let rules = book.rules_for(p("湘"), d("2018-01-01")).unwrap();
    assert!(matches!(
        rules.document_for(
            Funding::GovernmentRepaid,
            TaxMethod::General,
            RoadKind::Expressway,
            None,
            d("2017-12-31")
        ),
        Err(RuleBookError::NotInForce { .. })
    ));
    assert_eq!(rules.top_up_document(), DocumentKind::NonTaxableInvoice);
}

#[test]
fn eligibility_10_days_then_7_across_the_2020_change() {
    let book = RuleBook::builtin_ref();
    let none = HolidayCalendar::new();
    let eligible = |date: &str| {
        book.rules_for(p("豫"), d(date))
            .unwrap()
            .eligible_from(d(date), &none)
    };
    assert_eq!(eligible("2020-05-05"), d("2020-05-15"));
    assert_eq!(eligible("2020-05-06"), d("2020-05-13"));
    assert_eq!(eligible("2019-12-25"), d("2020-01-04"));
    let rules = book.rules_for(p("豫"), d("2020-05-06")).unwrap();
    assert!(!rules.is_eligible(d("2020-05-06"), d("2020-05-12"), &none));
    assert!(rules.is_eligible(d("2020-05-06"), d("2020-05-13"), &none));
}

#[test]
fn holidays_defer_only_under_a66() {
    let book = RuleBook::builtin_ref();
    let national_day = HolidayCalendar::from_dates(
        d("2019-10-01")
            .iter_days()
            .take(7)
            .chain(d("2020-10-01").iter_days().take(8)),
    );
    // A66: 2019-09-21 + 10 = 2019-10-01, a holiday: deferred to 2019-10-08.
    let a66 = book.rules_for(p("鄂"), d("2019-09-21")).unwrap();
    assert_eq!(
        a66.eligible_from(d("2019-09-21"), &national_day),
        d("2019-10-08")
    );
    assert_eq!(
        a66.eligible_from(d("2019-09-21"), &HolidayCalendar::new()),
        d("2019-10-01")
    );
    // A20: natural days, no deferral.
    let a20 = book.rules_for(p("鄂"), d("2020-09-24")).unwrap();
    assert_eq!(
        a20.eligible_from(d("2020-09-24"), &national_day),
        d("2020-10-01")
    );
}
