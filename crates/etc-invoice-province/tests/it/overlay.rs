//! Overlays, precedence and `explain()`.

use std::io::Write;

use etc_invoice_order::Province;
use etc_invoice_province::{RuleBook, RuleBookError, Source};

use crate::{d, p};

const NATIONAL_OVERLAY: &str = r#"version = 1

[[period]]
effective_from = 2018-01-01
issuer.brand = "全国品牌"
timing.latest_application_months = 24

[[period]]
effective_from = 2022-01-01
applications.max_lines_per_invoice = 50
"#;

const GUANGDONG_OVERLAY: &str = r#"version = 1
province = "guangdong"

[[period]]
effective_from = 2018-01-01

[period.issuer]
brand = "粤通卡（部署）"
"#;

#[test]
fn overlay_values_take_precedence() {
    let base = RuleBook::builtin();
    let book = base
        .overlay_toml_str("national-overlay.toml", NATIONAL_OVERLAY)
        .unwrap();
    // The national overlay beats the built-in province file …
    let gd = book.rules_for(p("粤"), d("2024-01-01")).unwrap();
    assert_eq!(gd.issuer.brand.as_deref(), Some("全国品牌"));
    assert_eq!(gd.issuer.hotline.as_deref(), Some("96533"));
    assert_eq!(gd.timing.latest_application_months, 24);
    // … from each of its periods' dates on.
    assert_eq!(
        book.rules_for(p("粤"), d("2021-12-31"))
            .unwrap()
            .applications
            .max_lines_per_invoice,
        100
    );
    assert_eq!(gd.applications.max_lines_per_invoice, 50);
    // A later province overlay beats the earlier national one, for its province only.
    let book = book.overlay_toml_str("gd.toml", GUANGDONG_OVERLAY).unwrap();
    assert_eq!(
        book.rules_for(p("粤"), d("2024-01-01"))
            .unwrap()
            .issuer
            .brand
            .as_deref(),
        Some("粤通卡（部署）")
    );
    assert_eq!(
        book.rules_for(p("桂"), d("2024-01-01"))
            .unwrap()
            .issuer
            .brand
            .as_deref(),
        Some("全国品牌")
    );
    // The base book is untouched.
    assert_eq!(
        base.rules_for(p("粤"), d("2024-01-01"))
            .unwrap()
            .issuer
            .brand
            .as_deref(),
        Some("粤通卡")
    );
    assert_eq!(
        book.files().collect::<Vec<_>>().last().copied(),
        Some("gd.toml")
    );
    assert!(book.effective_dates(p("粤")).contains(&d("2022-01-01")));
}

#[test]
fn explain_names_the_source() {
    let book = RuleBook::builtin()
        .overlay_toml_str("national-overlay.toml", NATIONAL_OVERLAY)
        .unwrap()
        .overlay_toml_str("gd.toml", GUANGDONG_OVERLAY)
        .unwrap();
    let gd = p("粤");
    let why = book
        .explain(gd, d("2024-01-01"), "timing.eligible_after_days")
        .unwrap();
    assert_eq!(why.value, "7");
    assert!(matches!(
        &why.source,
        Source::National { file, effective_from, .. }
            if file == "builtin:data/national.toml" && *effective_from == d("2020-05-06")
    ));
    let line = why.source.line().unwrap();
    let national = RuleBook::builtin_files()[0].1;
    assert!(
        national
            .lines()
            .nth(line as usize - 1)
            .unwrap()
            .contains("eligible_after_days = 7")
    );
    insta::assert_snapshot!("explain_national", why.to_string());

    let why = book.explain(gd, d("2024-01-01"), "issuer.hotline").unwrap();
    assert!(matches!(
        &why.source,
        Source::ProvinceFile {
            province: Province::Guangdong,
            ..
        }
    ));
    insta::assert_snapshot!("explain_province", why.to_string());

    let why = book.explain(gd, d("2024-01-01"), "issuer.brand").unwrap();
    assert_eq!(
        why.source,
        Source::Overlay {
            file: "gd.toml".into(),
            line: 8,
            effective_from: d("2018-01-01"),
            province: Some(Province::Guangdong),
        }
    );
    insta::assert_snapshot!("explain_overlay", why.to_string());

    let why = book
        .explain(gd, d("2024-01-01"), "applications.max_lines_per_invoice")
        .unwrap();
    assert_eq!(
        why.source,
        Source::Overlay {
            file: "national-overlay.toml".into(),
            line: 10,
            effective_from: d("2022-01-01"),
            province: None,
        }
    );
    let why = book
        .explain(gd, d("2024-01-01"), "vat.general_rates")
        .unwrap();
    assert_eq!(
        why.value,
        "11% from 2016-05-01, 10% from 2018-05-01, 9% from 2019-04-01"
    );
    let why = book
        .explain(p("藏"), d("2024-01-01"), "issuer.hotline")
        .unwrap();
    assert_eq!(why.source, Source::Unset);
    insta::assert_snapshot!("explain_unset", why.to_string());
}

#[test]
fn a_province_value_stands_over_later_national_changes() {
    let full = RuleBook::builtin_files()[0].1;
    let henan = r#"version = 1
province = "河南"
[[period]]
effective_from = 2019-01-01
timing.eligible_after_days = 12
"#;
    let book = RuleBook::from_toml_strs([("n.toml", full), ("henan.toml", henan)]).unwrap();
    let days = |prov: &str, date: &str| {
        book.rules_for(p(prov), d(date))
            .unwrap()
            .timing
            .eligible_after_days
    };
    assert_eq!(days("豫", "2018-06-01"), 10);
    assert_eq!(days("豫", "2019-06-01"), 12);
    assert_eq!(days("豫", "2021-06-01"), 12);
    assert_eq!(days("鄂", "2021-06-01"), 7);
    assert_eq!(
        book.effective_dates(p("豫")),
        [d("2018-01-01"), d("2019-01-01"), d("2020-05-06")]
    );
    assert_eq!(
        book.effective_dates(p("鄂")),
        [d("2018-01-01"), d("2020-05-06")]
    );
}

#[test]
fn overlay_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deploy.toml");
    std::fs::File::create(&path)
        .unwrap()
        .write_all(GUANGDONG_OVERLAY.as_bytes())
        .unwrap();
    let book = RuleBook::builtin().overlay_file(&path).unwrap();
    let why = book
        .explain(p("粤"), d("2020-01-01"), "issuer.brand")
        .unwrap();
    assert_eq!(why.source.file(), Some(path.display().to_string().as_str()));
    assert_eq!(why.value, "粤通卡（部署）");

    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "version = 1\n[[period]]\neffective_from = 2018-01-01\ntiming.eligible_after_days = -3\n",
    )
    .unwrap();
    let err = RuleBook::builtin().overlay_file(&bad).unwrap_err();
    assert!(matches!(
        err,
        RuleBookError::Negative {
            value: -3,
            line: 4,
            ..
        }
    ));
    assert_eq!(err.file(), Some(bad.display().to_string().as_str()));
    assert_eq!(err.key(), Some("period.timing.eligible_after_days"));
}

#[test]
fn an_overlay_can_start_earlier_when_it_sets_everything() {
    // A deployment may extend the book backwards only with a complete set.
    let national = RuleBook::builtin_files()[0]
        .1
        .replace("2018-01-01\nnote", "2017-07-01\nnote");
    let book = RuleBook::builtin()
        .overlay_toml_str("early.toml", &national)
        .unwrap();
    assert!(book.rules_for(p("粤"), d("2017-07-01")).is_ok());
    assert!(book.rules_for(p("粤"), d("2017-06-30")).is_err());
}
