//! The compiled-in data.

use std::collections::BTreeSet;

use etc_invoice_order::Province;
use etc_invoice_province::{
    Channel, HolidayCalendar, MergeMode, ReissueDecision, RuleBook, RuleBookError, RuleSet, Source,
    TitleKind,
};

use crate::{d, p};

#[test]
fn every_province_has_a_file_naming_it() {
    let files = RuleBook::builtin_files();
    assert_eq!(files.len(), 32);
    assert_eq!(files[0].0, "builtin:data/national.toml");
    let named: BTreeSet<&str> = files.iter().map(|(name, _)| *name).collect();
    for province in Province::ALL {
        let name = format!("builtin:data/{}.toml", province.pinyin());
        assert!(named.contains(name.as_str()), "{name}");
        let (_, text) = files.iter().find(|(n, _)| *n == name).unwrap();
        // Each file names its own province, and only its own.
        let one = RuleBook::from_toml_strs([files[0], (name.as_str(), *text)]).unwrap();
        let why = one
            .explain(province, d("2024-01-01"), "timing.eligible_after_days")
            .unwrap();
        assert_eq!(why.source.file(), Some("builtin:data/national.toml"));
        assert!(
            text.contains(&format!("province = \"{}\"", province.name())),
            "{name}"
        );
    }
}

#[test]
fn builtin_is_shared_and_equals_a_fresh_load() {
    let a = RuleBook::builtin();
    let b = RuleBook::load_builtin().unwrap();
    for province in Province::ALL {
        assert_eq!(a.effective_dates(province), b.effective_dates(province));
        for date in a.effective_dates(province) {
            assert_eq!(
                a.rules_for(province, *date).unwrap(),
                b.rules_for(province, *date).unwrap()
            );
        }
    }
    assert_eq!(a.files().count(), 32);
    assert!(std::ptr::eq(
        RuleBook::builtin_ref(),
        RuleBook::builtin_ref()
    ));
}

#[test]
fn national_defaults() {
    let book = RuleBook::builtin_ref();
    let rules = book.rules_for(p("浙"), d("2024-06-01")).unwrap();
    assert_eq!(rules.province, Province::Zhejiang);
    assert_eq!(rules.effective_from, d("2020-05-06"));
    assert_eq!(rules.timing.eligible_after_days, 7);
    assert!(!rules.timing.holidays_defer);
    assert_eq!(rules.latest_application_age_months(), 15);
    assert_eq!(
        rules.latest_application_date(d("2024-01-31")),
        d("2025-04-30")
    );
    assert_eq!(
        rules
            .latest_application_month("2024-11".parse().unwrap())
            .to_string(),
        "2026-02"
    );
    assert!(rules.within_application_window(d("2024-01-31"), d("2025-04-30")));
    assert!(!rules.within_application_window(d("2024-01-31"), d("2025-05-01")));
    assert!(rules.applications.scope.single_card());
    assert!(rules.applications.scope.single_month());
    assert!(rules.allows_merge_mode(MergeMode::PerTrip));
    assert!(rules.allows_title_kind(TitleKind::Enterprise));
    assert!(rules.offers_channel(Channel::MiniProgram));
    assert!(!rules.offers_channel(Channel::BankCounter));
    assert_eq!(rules.issuer.brand, None);
    assert!(!rules.passages_invoiceable_after_top_up_invoice());
    assert_eq!(rules.reissue(0), ReissueDecision::Allowed);
    assert_eq!(rules.reissue(1), ReissueDecision::Refused);
    assert!(rules.red_reversal_open(d("2024-01-01"), d("2024-12-31")));
    assert!(!rules.red_reversal_open(d("2024-01-01"), d("2025-01-01")));
    assert!(!rules.red_reversal_open(d("2024-01-01"), d("2023-12-31")));
    assert_eq!(
        rules.top_up_eligible_from(d("2024-06-01"), &HolidayCalendar::new()),
        d("2024-06-01")
    );
    let why = book
        .explain(p("浙"), d("2024-06-01"), "issuer.brand")
        .unwrap();
    assert_eq!(why.source, Source::Unset);
    assert_eq!(why.value, "(unset)");
}

#[test]
fn provincial_facts() {
    let book = RuleBook::builtin_ref();
    let bj = book.rules_for(p("京"), d("2024-06-01")).unwrap();
    assert_eq!(bj.issuer.brand.as_deref(), Some("乐速通"));
    assert_eq!(bj.reissue(1), ReissueDecision::NeedsAuthorisation);
    assert!(bj.after_issue.red_reversal_manual);
    assert!(bj.applications.recovered_tolls_invoiceable);

    let gd = book.rules_for(p("粤"), d("2018-01-01")).unwrap();
    assert_eq!(gd.issuer.brand.as_deref(), Some("粤通卡"));
    assert_eq!(gd.issuer.hotline.as_deref(), Some("96533"));

    let js = book.rules_for(p("苏"), d("2021-01-01")).unwrap();
    assert!(js.documents.fiscal_ebill_trip_sheet);
    assert_eq!(
        book.rules_for(p("鲁"), d("2021-01-01"))
            .unwrap()
            .issuer
            .brand
            .as_deref(),
        Some("鲁通卡")
    );

    let gz = p("贵");
    assert!(
        !book
            .rules_for(gz, d("2024-02-29"))
            .unwrap()
            .documents
            .cash_lane_e_invoices
    );
    assert!(
        book.rules_for(gz, d("2024-03-01"))
            .unwrap()
            .documents
            .cash_lane_e_invoices
    );
    assert_eq!(
        book.effective_dates(gz),
        [d("2018-01-01"), d("2020-05-06"), d("2024-03-01")]
    );
}

#[test]
fn rule_sets_round_trip_through_json() {
    for province in Province::ALL {
        let rules = RuleBook::builtin_ref()
            .rules_for(province, d("2024-06-01"))
            .unwrap();
        let json = serde_json::to_string(rules).unwrap();
        let back: RuleSet = serde_json::from_str(&json).unwrap();
        assert_eq!(&back, rules);
    }
    let mut value = serde_json::to_value(
        RuleBook::builtin_ref()
            .rules_for(p("粤"), d("2024-06-01"))
            .unwrap(),
    )
    .unwrap();
    value["timing"]["eligble_after_days"] = 3.into();
    assert!(serde_json::from_value::<RuleSet>(value).is_err());
}

#[test]
fn every_key_explains() {
    let book = RuleBook::builtin_ref();
    assert_eq!(RuleSet::KEYS.len(), 31);
    for key in RuleSet::KEYS {
        let why = book.explain(p("京"), d("2024-06-01"), key).unwrap();
        assert_eq!(why.key, *key);
        let rules = book.rules_for(p("京"), d("2024-06-01")).unwrap();
        assert_eq!(Some(why.value), rules.value_of(key));
    }
}

#[test]
fn public_types_are_send_sync_debug() {
    fn check<T: Send + Sync + std::fmt::Debug>() {}
    check::<RuleBook>();
    check::<RuleSet>();
    check::<RuleBookError>();
    check::<HolidayCalendar>();
    check::<etc_invoice_province::Provenance>();
    check::<Source>();
    check::<MergeMode>();
    check::<etc_invoice_province::RateSchedule>();
}
