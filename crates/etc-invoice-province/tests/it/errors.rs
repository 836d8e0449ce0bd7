//! Every error message, as a snapshot.

use etc_invoice_province::{HolidayCalendar, RuleBook, RuleBookError};

use crate::{d, p};

/// The overlay error for `text`, named `deploy.toml`.
fn overlay_err(text: &str) -> RuleBookError {
    RuleBook::builtin()
        .overlay_toml_str("deploy.toml", text)
        .unwrap_err()
}

/// A one-period overlay with `body` in the period.
fn period(body: &str) -> String {
    format!("version = 1\n\n[[period]]\neffective_from = 2018-01-01\n{body}\n")
}

macro_rules! snap {
    ($name:literal, $err:expr, $line:expr, $key:expr) => {{
        let err: RuleBookError = $err;
        assert_eq!(err.line(), $line, "{err}");
        assert_eq!(err.key(), $key, "{err}");
        insta::assert_snapshot!($name, err.to_string());
        err
    }};
}

#[test]
fn malformed_toml() {
    let err = snap!(
        "malformed_toml",
        overlay_err(&period("timing.eligible_after_days = = 7")),
        Some(5),
        Some("timing.eligible_after_days")
    );
    assert!(matches!(err, RuleBookError::Toml { .. }));
    assert_eq!(err.file(), Some("deploy.toml"));
    assert!(std::error::Error::source(&err).is_some());
    snap!(
        "malformed_toml_unclosed_header",
        overlay_err("version = 1\n[[period\n"),
        Some(2),
        Some("period")
    );
}

#[test]
fn wrong_types_and_values() {
    snap!(
        "wrong_type",
        overlay_err(&period("[period.timing]\nholidays_defer = \"yes\"")),
        Some(6),
        Some("period.timing.holidays_defer")
    );
    snap!(
        "unknown_list_value",
        overlay_err(&period(
            "applications.merge_modes = [\"perTrip\", \"daily\"]"
        )),
        Some(5),
        Some("period.applications.merge_modes")
    );
    snap!(
        "missing_effective_from",
        overlay_err("version = 1\n[[period]]\ntiming.eligible_after_days = 7\n"),
        Some(2),
        Some("period.effective_from")
    );
    snap!(
        "missing_version",
        overlay_err("province = \"广东\"\n"),
        Some(1),
        Some("version")
    );
}

#[test]
fn unknown_keys() {
    let err = snap!(
        "unknown_key_in_section",
        overlay_err(&period("[period.timing]\neligble_after_days = 7")),
        Some(6),
        Some("period.timing.eligble_after_days")
    );
    assert!(matches!(err, RuleBookError::UnknownKey { .. }));
    snap!(
        "unknown_section",
        overlay_err(&period("[period.timings]\neligible_after_days = 7")),
        Some(5),
        Some("period.timings")
    );
    snap!(
        "unknown_top_level_key",
        overlay_err("version = 1\nprovinse = \"广东\"\n"),
        Some(2),
        Some("provinse")
    );
    snap!(
        "unknown_key_in_schedule",
        overlay_err(&period(
            "vat.general_rates = [{ effective_from = 2016-05-01, rate = \"11%\", until = 2018-04-30 }]"
        )),
        Some(5),
        Some("period.vat.general_rates.until")
    );
}

#[test]
fn version_and_province() {
    snap!(
        "unsupported_version",
        overlay_err("version = 2\n"),
        Some(1),
        Some("version")
    );
    let err = snap!(
        "unknown_province",
        overlay_err("version = 1\nprovince = \"火星\"\n"),
        Some(2),
        Some("province")
    );
    assert!(matches!(err, RuleBookError::UnknownProvince { .. }));
    let gd = "version = 1\nprovince = \"粤\"\n";
    snap!(
        "duplicate_province",
        RuleBook::from_toml_strs([
            ("n.toml", RuleBook::builtin_files()[0].1),
            ("a.toml", gd),
            ("b.toml", "# again\nversion = 1\nprovince = \"guangdong\"\n"),
        ])
        .unwrap_err(),
        Some(3),
        Some("province")
    );
    snap!(
        "duplicate_national",
        RuleBook::from_toml_strs([
            ("n.toml", RuleBook::builtin_files()[0].1),
            ("m.toml", "version = 1\n"),
        ])
        .unwrap_err(),
        Some(1),
        Some("province")
    );
}

#[test]
fn effective_dates() {
    let two = |a: &str, b: &str| {
        format!(
            "version = 1\n[[period]]\neffective_from = {a}\ntiming.eligible_after_days = 7\n[[period]]\neffective_from = {b}\ntiming.eligible_after_days = 8\n"
        )
    };
    snap!(
        "overlapping_periods",
        overlay_err(&two("2020-01-01", "2020-01-01")),
        Some(6),
        Some("period.effective_from")
    );
    snap!(
        "out_of_order_periods",
        overlay_err(&two("2021-01-01", "2020-01-01")),
        Some(6),
        Some("period.effective_from")
    );
    let schedule = |a: &str, b: &str| {
        period(&format!(
            "[period.vat]\ngeneral_rates = [\n  {{ effective_from = {a}, rate = \"11%\" }},\n  {{ effective_from = {b}, rate = \"10%\" }},\n]"
        ))
    };
    snap!(
        "overlapping_schedule",
        overlay_err(&schedule("2018-05-01", "2018-05-01")),
        Some(8),
        Some("period.vat.general_rates.effective_from")
    );
    snap!(
        "out_of_order_schedule",
        overlay_err(&schedule("2019-04-01", "2018-05-01")),
        Some(8),
        Some("period.vat.general_rates.effective_from")
    );
    snap!(
        "date_with_time",
        overlay_err("version = 1\n[[period]]\neffective_from = 2018-01-01T08:00:00\n"),
        Some(3),
        Some("period.effective_from")
    );
}

#[test]
fn rates_and_counts() {
    snap!(
        "rate_above_one",
        overlay_err(&period("vat.simplified_expressway_rate = 1.5")),
        Some(5),
        Some("period.vat.simplified_expressway_rate")
    );
    snap!(
        "rate_below_zero",
        overlay_err(&period("vat.simplified_other_rate = \"-5%\"")),
        Some(5),
        Some("period.vat.simplified_other_rate")
    );
    snap!(
        "rate_in_schedule_above_one",
        overlay_err(&period(
            "vat.general_rates = [{ effective_from = 2019-04-01, rate = 9 }]"
        )),
        Some(5),
        Some("period.vat.general_rates.rate")
    );
    let err = snap!(
        "not_a_rate",
        overlay_err(&period("vat.simplified_other_rate = \"five percent\"")),
        Some(5),
        Some("period.vat.simplified_other_rate")
    );
    assert!(std::error::Error::source(&err).is_some());
    snap!(
        "negative_day_count",
        overlay_err(&period("[period.timing]\neligible_after_days = -1")),
        Some(6),
        Some("period.timing.eligible_after_days")
    );
    snap!(
        "negative_window",
        overlay_err(&period("after_issue.red_reversal_window_days = -30")),
        Some(5),
        Some("period.after_issue.red_reversal_window_days")
    );
    snap!(
        "count_too_large",
        overlay_err(&period("applications.max_transactions = 5000000000")),
        Some(5),
        Some("period.applications.max_transactions")
    );
    snap!(
        "empty_list",
        overlay_err(&period("issuer.channels = []")),
        Some(5),
        Some("period.issuer.channels")
    );
}

#[test]
fn incomplete_books() {
    snap!(
        "missing_value",
        RuleBook::from_toml_str(
            "thin.toml",
            "version = 1\n[[period]]\neffective_from = 2018-01-01\ntiming.eligible_after_days = 7\n"
        )
        .unwrap_err(),
        Some(3),
        Some("documents.non_taxable_from")
    );
    snap!(
        "overlay_earlier_than_the_book",
        overlay_err(
            "version = 1\n[[period]]\neffective_from = 2017-01-01\ntiming.eligible_after_days = 7\n"
        ),
        Some(3),
        Some("documents.non_taxable_from")
    );
}

#[test]
fn lookups() {
    let book = RuleBook::builtin_ref();
    snap!(
        "too_early",
        book.rules_for(p("粤"), d("2017-12-31")).unwrap_err(),
        None,
        None
    );
    let empty = RuleBook::from_toml_strs([]).unwrap();
    snap!(
        "no_rules_at_all",
        empty.rules_for(p("粤"), d("2024-01-01")).unwrap_err(),
        None,
        None
    );
    snap!(
        "unknown_rule_key",
        book.explain(p("粤"), d("2024-01-01"), "timing.eligible_days")
            .unwrap_err(),
        None,
        Some("timing.eligible_days")
    );
    let rules = book.rules_for(p("粤"), d("2018-01-01")).unwrap();
    snap!(
        "rate_not_in_force",
        rules.general_rate_on(d("2016-04-30")).unwrap_err(),
        None,
        None
    );
    snap!(
        "document_not_in_force",
        rules
            .document_for(
                etc_invoice_order::Funding::GovernmentRepaid,
                etc_invoice_order::TaxMethod::General,
                etc_invoice_order::RoadKind::Expressway,
                None,
                d("2017-12-31"),
            )
            .unwrap_err(),
        None,
        None
    );
    let err = snap!(
        "unreadable_file",
        book.overlay_file("/nonexistent/deploy.toml").unwrap_err(),
        None,
        None
    );
    assert_eq!(err.file(), Some("/nonexistent/deploy.toml"));
}

#[test]
fn holiday_calendars() {
    let cal = |text: &str| HolidayCalendar::from_toml_str("holidays.toml", text).unwrap_err();
    snap!(
        "calendar_range_backwards",
        cal("version = 1\n[[range]]\nfirst = 2019-10-07\nlast = 2019-10-01\n"),
        Some(4),
        Some("range.last")
    );
    snap!(
        "calendar_range_too_long",
        cal("version = 1\n[[range]]\nfirst = 2019-01-01\nlast = 2020-12-31\n"),
        Some(4),
        Some("range.last")
    );
    snap!(
        "calendar_not_a_date",
        cal("version = 1\nholidays = [2019-10-01, \"2019-10-02\"]\n"),
        Some(2),
        Some("holidays")
    );
    snap!(
        "calendar_version",
        cal("version = 3\n"),
        Some(1),
        Some("version")
    );
}
