//! One test per rule: the finding it produces, with its path.

use etc_invoice_order::{Money, Record, StatementLine, StatementLineKind};
use etc_invoice_rules::{FindingCode, Severity, TxState};
use serde_json::json;
use uuid::Uuid;

use crate::fixtures::*;

fn march_ctx() -> etc_invoice_rules::MemoryContext {
    context(records(&march()))
}

#[test]
fn clean_enterprise_application_passes() {
    let r = validate(&app_json(&["P1", "P2", "P3"]), &march_ctx());
    assert!(r.passed(), "{:#?}", r.errors());
    assert!(r.warnings().is_empty(), "{:#?}", r.warnings());
    let v = r.validated().unwrap();
    let ids: Vec<_> = v.transactions().iter().map(|t| t.as_str()).collect();
    assert_eq!(ids, ["P1", "P2", "P3"]);
    assert_eq!(v.buyer().name, "某某物流有限公司");
    assert_eq!(
        v.buyer().taxpayer_id.as_ref().unwrap().as_str(),
        "91110000600037341L"
    );
    assert_eq!(v.email().as_str(), "finance@example.com");
    assert!(v.notify_phone().is_some());
    assert_eq!(v.month().to_string(), "2024-03");
}

#[test]
fn clean_personal_application_passes() {
    let v = app_json(&["P3", "P1"]);
    let v = set(
        v,
        "/title",
        json!({"kind": "personal", "name": "张三", "effectiveFrom": "2023-06-01T00:00:00+08:00"}),
    );
    let r = validate(&v, &march_ctx());
    assert!(r.passed(), "{:#?}", r.errors());
    let buyer = r.validated().unwrap().buyer();
    assert_eq!(buyer.name, "张三");
    assert!(buyer.taxpayer_id.is_none());
}

#[test]
fn personal_title_extra_fields_are_ignored_with_warnings() {
    let v = set(app_json(&["P1"]), "/title/kind", json!("personal"));
    let v = set(v, "/title/name", json!("张三"));
    let r = validate(&v, &march_ctx());
    assert!(r.passed(), "{:#?}", r.errors());
    assert_eq!(
        at(&r),
        [
            "TITLE_FIELD_IGNORED@title.taxpayerId",
            "TITLE_FIELD_IGNORED@title.address",
            "TITLE_FIELD_IGNORED@title.phone",
            "TITLE_FIELD_IGNORED@title.bankName",
            "TITLE_FIELD_IGNORED@title.bankAccount",
        ]
    );
    let buyer = r.validated().unwrap().buyer();
    assert!(buyer.taxpayer_id.is_none() && buyer.bank_account.is_none() && buyer.phone.is_none());
}

#[test]
fn enterprise_needs_a_valid_taxpayer_id() {
    let ctx = march_ctx();
    let r = validate(&unset(app_json(&["P1"]), "/title/taxpayerId"), &ctx);
    assert_eq!(at(&r), ["TITLE_TAXPAYER_ID_MISSING@title.taxpayerId"]);
    let r = validate(
        &set(app_json(&["P1"]), "/title/taxpayerId", json!("  ")),
        &ctx,
    );
    assert_eq!(at(&r), ["TITLE_TAXPAYER_ID_MISSING@title.taxpayerId"]);
    let r = validate(
        &set(
            app_json(&["P1"]),
            "/title/taxpayerId",
            json!("91110000600037341X"),
        ),
        &ctx,
    );
    assert_eq!(at(&r), ["TITLE_TAXPAYER_ID_INVALID@title.taxpayerId"]);
    let f = r.errors().first().unwrap();
    assert_eq!(f.value.as_deref(), Some("91110000600037341X"));
    // A spreadsheet-damaged code.
    let r = validate(
        &set(
            app_json(&["P1"]),
            "/title/taxpayerId",
            json!("911522010783762000"),
        ),
        &ctx,
    );
    assert_eq!(codes(&r), ["TITLE_TAXPAYER_ID_INVALID"]);
    // A legacy id is accepted.
    let r = validate(
        &set(
            app_json(&["P1"]),
            "/title/taxpayerId",
            json!("440301715267267"),
        ),
        &ctx,
    );
    assert!(r.passed(), "{:#?}", r.errors());
}

#[test]
fn failed_inner_uscc_check_is_a_warning() {
    let v = set(
        app_json(&["P1"]),
        "/title/taxpayerId",
        json!("91440100618400015N"),
    );
    let r = validate(&v, &march_ctx());
    assert!(r.passed());
    assert_eq!(at(&r), ["TITLE_TAXPAYER_ID_INNER_CHECK@title.taxpayerId"]);
    assert_eq!(r.warnings().first().unwrap().severity, Severity::Warning);
}

#[test]
fn names_are_sane() {
    let ctx = march_ctx();
    for (name, code) in [
        ("", "TITLE_NAME_MISSING"),
        ("   ", "TITLE_NAME_MISSING"),
        ("12345", "TITLE_NAME_INVALID"),
        ("a\u{7}b", "TITLE_NAME_INVALID"),
        ("---", "TITLE_NAME_INVALID"),
    ] {
        let r = validate(&set(app_json(&["P1"]), "/title/name", json!(name)), &ctx);
        assert_eq!(codes(&r), [code], "{name:?}");
    }
    let long = "公".repeat(101);
    let r = validate(&set(app_json(&["P1"]), "/title/name", json!(long)), &ctx);
    assert_eq!(codes(&r), ["TITLE_NAME_INVALID"]);
    assert!(
        r.errors()
            .first()
            .unwrap()
            .value
            .as_ref()
            .unwrap()
            .ends_with('…')
    );
    // Personal names: no digits; redacted in findings.
    let v = set(
        app_json(&["P1"]),
        "/title",
        json!({"kind": "personal", "name": "张三3", "effectiveFrom": "2024-01-01T00:00:00+08:00"}),
    );
    let r = validate(&v, &ctx);
    assert_eq!(codes(&r), ["TITLE_NAME_INVALID"]);
    assert_eq!(r.errors().first().unwrap().value.as_deref(), Some("张**"));
}

#[test]
fn bank_account_needs_a_bank_name_and_formats_are_checked() {
    let ctx = march_ctx();
    let r = validate(&unset(app_json(&["P1"]), "/title/bankName"), &ctx);
    assert_eq!(at(&r), ["TITLE_BANK_NAME_MISSING@title.bankName"]);
    let r = validate(
        &set(app_json(&["P1"]), "/title/bankAccount", json!("6222-0202")),
        &ctx,
    );
    assert_eq!(at(&r), ["TITLE_BANK_ACCOUNT_INVALID@title.bankAccount"]);
    let r = validate(
        &set(app_json(&["P1"]), "/title/phone", json!("12345")),
        &ctx,
    );
    assert_eq!(at(&r), ["TITLE_PHONE_INVALID@title.phone"]);
    let r = validate(
        &set(app_json(&["P1"]), "/title/address", json!("地".repeat(101))),
        &ctx,
    );
    assert_eq!(at(&r), ["TITLE_ADDRESS_INVALID@title.address"]);
    let r = validate(
        &set(app_json(&["P1"]), "/title/bankName", json!("a\nb")),
        &ctx,
    );
    assert_eq!(at(&r), ["TITLE_BANK_NAME_INVALID@title.bankName"]);
    let r = validate(
        &set(
            app_json(&["P1"]),
            "/delivery/email",
            json!("finance@@example"),
        ),
        &ctx,
    );
    assert_eq!(at(&r), ["DELIVERY_EMAIL_INVALID@delivery.email"]);
    assert_eq!(
        r.errors().first().unwrap().value.as_deref(),
        Some("f***@example")
    );
    let r = validate(
        &set(app_json(&["P1"]), "/delivery/phone", json!("020-12345678")),
        &ctx,
    );
    assert_eq!(at(&r), ["DELIVERY_PHONE_INVALID@delivery.phone"]);
    let r = validate(
        &set(app_json(&["P1"]), "/delivery/phone", json!("1380013800")),
        &ctx,
    );
    assert_eq!(at(&r), ["DELIVERY_PHONE_INVALID@delivery.phone"]);
    assert_eq!(
        r.errors().first().unwrap().value.as_deref(),
        Some("13******00")
    );
}

#[test]
fn applicant_card_and_month_are_checked() {
    let ctx = march_ctx();
    let r = validate(&set(app_json(&["P1"]), "/applicant", json!("")), &ctx);
    // An empty applicant binds no card either.
    assert_eq!(codes(&r), ["APPLICANT_INVALID", "CARD_NOT_BOUND"]);
    let r = validate(
        &set(app_json(&["P1"]), "/card", json!("4401991234567890001X")),
        &ctx,
    );
    assert_eq!(at(&r), ["CARD_INVALID@card"]);
    let r = validate(&set(app_json(&["P1"]), "/month", json!("2024-13")), &ctx);
    assert_eq!(
        at(&r),
        ["MONTH_INVALID@month", "SCOPE_OTHER_MONTH@selected[0]"]
            .map(str::to_owned)
            .into_iter()
            .take(1)
            .collect::<Vec<_>>()
    );
}

#[test]
fn selection_rules() {
    let ctx = march_ctx();
    let r = validate(&app_json(&[]), &ctx);
    assert_eq!(at(&r), ["SELECTION_EMPTY@selected"]);
    let r = validate(&app_json(&["P1", "bad id", "P2", "P1", "NOPE"]), &ctx);
    assert_eq!(
        at(&r),
        [
            "SELECTION_ID_INVALID@selected[1]",
            "SELECTION_DUPLICATE@selected[3]",
            "SELECTION_UNKNOWN@selected[4]",
        ]
    );
    let dup = r.errors().get(1).unwrap();
    assert!(
        dup.message_en.contains("first at `selected[0]`"),
        "{}",
        dup.message_en
    );
}

#[test]
fn selection_is_capped_at_the_maximum() {
    let book = book_with("applications.max_transactions = 2");
    let r = validate_with(&book, &app_json(&["P1", "P2", "P3", "NOPE"]), &march_ctx());
    // Only the first two are examined: NOPE is never looked up.
    assert_eq!(at(&r), ["SELECTION_TOO_MANY@selected"]);
    assert_eq!(r.errors().first().unwrap().value.as_deref(), Some("4"));
}

#[test]
fn ownership_and_scope() {
    let mut ps = march();
    ps.push(passage_on(
        "Q1",
        OTHER_CARD,
        "2024-03-07T10:00:00+08:00",
        &[(Road::Old, 100)],
    ));
    ps.push(passage_on(
        "S1",
        STORED_CARD,
        "2024-03-07T10:00:00+08:00",
        &[(Road::Old, 100)],
    ));
    ps.push(passage(
        "A1",
        "2024-02-27T10:00:00+08:00",
        &[(Road::Old, 100)],
    ));
    let ctx = context(records(&ps));
    let r = validate(&app_json(&["P1", "Q1", "S1", "A1"]), &ctx);
    assert_eq!(
        at(&r),
        [
            "TRANSACTION_NOT_OWNED@selected[1]",
            "SCOPE_OTHER_CARD@selected[2]",
            "SCOPE_OTHER_MONTH@selected[3]",
        ]
    );
    // The card itself not bound.
    let mut ctx2 = etc_invoice_rules::MemoryContext::new();
    ctx2.extend(records(&ps));
    let r = validate(&app_json(&["P1"]), &ctx2);
    assert_eq!(at(&r), ["CARD_NOT_BOUND@card"]);
    // A province whose scope spans cards accepts the applicant's other card.
    let book = book_with("applications.scope = \"accountMonth\"");
    let r = validate_with(&book, &app_json(&["P1", "Q1", "S1"]), &ctx);
    assert_eq!(at(&r), ["TRANSACTION_NOT_OWNED@selected[1]"]);
}

#[test]
fn eligibility() {
    let ps = vec![
        unsettled(passage(
            "U1",
            "2024-03-20T10:00:00+08:00",
            &[(Road::Old, 100)],
        )),
        passage("N1", "2024-04-08T10:00:00+08:00", &[(Road::Old, 100)]),
        passage("O1", "2022-12-01T10:00:00+08:00", &[(Road::Old, 100)]),
    ];
    let ctx = context(records(&ps));
    let book = book_with("applications.scope = \"card\"");
    let v = set(
        app_json(&["U1", "N1", "O1"]),
        "/title/effectiveFrom",
        json!("2020-01-01T00:00:00+08:00"),
    );
    let r = validate_with(&book, &v, &ctx);
    assert_eq!(
        at(&r),
        [
            "TRANSACTION_UNSETTLED@selected[0]",
            "TRANSACTION_NOT_YET_ELIGIBLE@selected[1]",
            "TRANSACTION_TOO_OLD@selected[2]",
        ]
    );
    let not_yet = r.errors().get(1).unwrap();
    assert!(
        not_yet.message_en.contains("2024-04-15"),
        "{}",
        not_yet.message_en
    );
}

#[test]
fn holidays_defer_under_a66() {
    // Under A66 (before 2020-05-06) eligibility is the 10th day, deferred
    // past holidays; the built-in timing lets 2019 passages be too old, so
    // an overlay widens the window.
    let ps = vec![passage(
        "H1",
        "2019-09-24T10:00:00+08:00",
        &[(Road::Old, 100)],
    )];
    let ctx = context(records(&ps));
    let book = book_with("timing.latest_application_months = 120\napplications.scope = \"card\"");
    let holidays = etc_invoice_province::HolidayCalendar::from_dates(
        (1..=7).map(|d| chrono::NaiveDate::from_ymd_opt(2019, 10, d).unwrap()),
    );
    let app = app(&app_json(&["H1"]));
    let now = time("2019-10-05T10:00:00+08:00");
    let r = etc_invoice_rules::Validator::new(&book)
        .with_holidays(&holidays)
        .validate(&app, &etc_invoice_rules::Context::new(&ctx), now);
    let f = r
        .errors()
        .iter()
        .find(|f| f.code == FindingCode::TransactionNotYetEligible)
        .unwrap();
    assert!(f.message_en.contains("2019-10-08"), "{}", f.message_en);
}

#[test]
fn state_and_reservations() {
    let mut ctx = march_ctx();
    ctx.set_state("P1".parse().unwrap(), TxState::Invoiced);
    ctx.set_state(
        "P2".parse().unwrap(),
        TxState::Reserved {
            application: Uuid::nil(),
        },
    );
    ctx.set_state(
        "P3".parse().unwrap(),
        TxState::Reserved {
            application: APP_ID.parse().unwrap(),
        },
    );
    let r = validate(&app_json(&["P1", "P2", "P3"]), &ctx);
    assert_eq!(
        at(&r),
        [
            "TRANSACTION_INVOICED@selected[0]",
            "TRANSACTION_RESERVED@selected[1]"
        ]
    );
}

#[test]
fn stored_value_exclusivity_both_ways() {
    let ps = vec![
        passage_on(
            "S1",
            STORED_CARD,
            "2024-03-02T10:00:00+08:00",
            &[(Road::Old, 100)],
        ),
        passage_on(
            "S2",
            STORED_CARD,
            "2024-03-10T10:00:00+08:00",
            &[(Road::Old, 100)],
        ),
    ];
    let mut recs = records(&ps);
    recs.push(Record::TopUp(top_up(
        "T1",
        STORED_CARD,
        "2024-03-05T09:00:00+08:00",
        50000,
    )));
    recs.push(Record::TopUp(top_up(
        "T2",
        STORED_CARD,
        "2024-03-20T09:00:00+08:00",
        30000,
    )));
    let mut ctx = context(recs);
    ctx.set_state("T1".parse().unwrap(), TxState::Invoiced);
    let v = set(app_json(&["S1", "S2"]), "/card", json!(STORED_CARD));
    let r = validate(&v, &ctx);
    // S1 was before the invoiced top-up, S2 after it.
    assert_eq!(at(&r), ["STORED_VALUE_TOP_UP_INVOICED@selected[1]"]);

    // The other way: S1 invoiced, so a top-up of March cannot be.
    let mut ctx = context({
        let mut recs = records(&ps);
        recs.push(Record::TopUp(top_up(
            "T2",
            STORED_CARD,
            "2024-03-20T09:00:00+08:00",
            30000,
        )));
        recs
    });
    ctx.set_state("S1".parse().unwrap(), TxState::Invoiced);
    let v = set(
        set(app_json(&["T2"]), "/card", json!(STORED_CARD)),
        "/kind",
        json!("topUp"),
    );
    let r = validate(&v, &ctx);
    assert_eq!(at(&r), ["STORED_VALUE_PASSAGES_INVOICED@selected[0]"]);
    // A province that lifts exclusivity allows both.
    let book = book_with("stored_value.top_up_invoice_excludes_passages = false");
    assert!(validate_with(&book, &v, &ctx).passed());
}

#[test]
fn title_in_time_is_a_warning_or_an_error() {
    let v = set(
        app_json(&["P1", "P2"]),
        "/title/effectiveFrom",
        json!("2024-03-06T00:00:00+08:00"),
    );
    let ctx = march_ctx();
    let r = validate(&v, &ctx);
    assert!(r.passed());
    assert_eq!(at(&r), ["TITLE_SET_AFTER_TRANSACTION@selected[0]"]);
    let book = book_with("applications.title_set_after_transaction = \"error\"");
    let r = validate_with(&book, &v, &ctx);
    assert!(!r.passed());
    assert_eq!(
        r.errors().first().unwrap().code,
        FindingCode::TitleSetAfterTransaction
    );
}

#[test]
fn kind_must_match() {
    let mut recs = records(&march());
    recs.push(Record::TopUp(top_up(
        "T1",
        CARD,
        "2024-03-05T09:00:00+08:00",
        50000,
    )));
    recs.push(Record::Refund(
        etc_invoice_order::Refund::new(etc_invoice_order::RefundParts {
            id: "R1".parse().unwrap(),
            card: CARD.parse().unwrap(),
            time: time("2024-03-20T14:00:00+08:00"),
            original: "P1".parse().unwrap(),
            amount: Money::from_fen(-320),
            reason: None,
        })
        .unwrap(),
    ));
    let ctx = context(recs);
    let r = validate(&app_json(&["P1", "T1", "R1"]), &ctx);
    assert_eq!(
        at(&r),
        ["KIND_MISMATCH@selected[1]", "KIND_REFUND@selected[2]"]
    );
    let v = set(app_json(&["P1", "T1"]), "/kind", json!("topUp"));
    let r = validate(&v, &ctx);
    assert_eq!(at(&r), ["KIND_MISMATCH@selected[0]"]);
}

#[test]
fn recoveries_where_the_province_invoices_them() {
    let mut recs = records(&march());
    recs.push(Record::Recovery(recovery(
        "A1",
        "2024-03-25T11:00:00+08:00",
        4000,
        &[(Road::Old, 4200)],
    )));
    let ctx = context(recs);
    let r = validate(&app_json(&["P1", "A1"]), &ctx);
    assert_eq!(
        at(&r),
        [
            "KIND_RECOVERY_NOT_INVOICEABLE@selected[1]",
            "AMOUNT_RECOVERY_EXCEEDS_COLLECTED@selected[1]"
        ]
    );
    let book = book_with("applications.recovered_tolls_invoiceable = true");
    let r = validate_with(&book, &app_json(&["P1", "A1"]), &ctx);
    assert!(r.passed());
    assert_eq!(codes(&r), ["AMOUNT_RECOVERY_EXCEEDS_COLLECTED"]);
}

#[test]
fn merge_mode_channel_and_title_kind() {
    let book = book_with(
        "applications.merge_modes = [\"monthly\"]\napplications.title_kinds = [\"personal\"]\nissuer.channels = [\"app\"]\napplications.delivery = [\"download\"]",
    );
    let r = validate_with(&book, &app_json(&["P1"]), &march_ctx());
    assert_eq!(
        at(&r),
        [
            "CHANNEL_NOT_OFFERED@channel",
            "MERGE_MODE_NOT_ALLOWED@mergeMode",
            "TITLE_KIND_NOT_ALLOWED@title.kind",
            "DELIVERY_EMAIL_NOT_OFFERED@delivery.email",
        ]
    );
}

#[test]
fn amounts() {
    let ps = vec![passage(
        "Z1",
        "2024-03-05T10:00:00+08:00",
        &[(Road::Old, 0)],
    )];
    let r = validate(&app_json(&["Z1"]), &context(records(&ps)));
    assert_eq!(at(&r), ["AMOUNT_ZERO@selected[0]"]);
}

#[test]
fn segments_need_a_document_rule() {
    // A government-repaid road before non-taxable invoices existed.
    let book = book_with("timing.latest_application_months = 1200\napplications.scope = \"card\"");
    let ps = vec![passage(
        "G1",
        "2017-12-20T10:00:00+08:00",
        &[(Road::Gov, 100)],
    )];
    let r = validate_with(&book, &app_json(&["G1"]), &context(records(&ps)));
    assert!(codes(&r).contains(&"RULES_NOT_IN_FORCE"), "{:?}", codes(&r));
}

#[test]
fn statements() {
    let ps = march();
    let refund_line = StatementLine {
        transaction: "R1".parse().unwrap(),
        kind: StatementLineKind::Refund,
        time: time("2024-03-20T14:00:00+08:00"),
        amount: Money::from_fen(-320),
    };
    let ghost = StatementLine {
        transaction: "GHOST".parse().unwrap(),
        kind: StatementLineKind::Passage,
        time: time("2024-03-21T14:00:00+08:00"),
        amount: Money::from_fen(100),
    };
    let s = statement(
        "S-2024-03",
        &[&ps[0], &ps[1], &ps[2]],
        vec![refund_line.clone()],
    );
    let mut recs = records(&ps);
    recs.push(Record::Statement(s));
    let ctx = context(recs);
    let v = set(app_json(&["S-2024-03"]), "/kind", json!("statement"));
    let r = validate(&v, &ctx);
    assert!(r.passed(), "{:#?}", r.errors());
    assert_eq!(at(&r), ["STATEMENT_HAS_REFUNDS@selected[0]"]);
    let ids: Vec<_> = r
        .validated()
        .unwrap()
        .transactions()
        .iter()
        .map(|t| t.as_str())
        .collect();
    assert_eq!(ids, ["P1", "P2", "P3"]);

    // A line that does not exist, and one already invoiced.
    let s = statement("S-2", &[&ps[0], &ps[1]], vec![ghost]);
    let mut recs = records(&ps);
    recs.push(Record::Statement(s));
    let mut ctx = context(recs);
    ctx.set_state("P2".parse().unwrap(), TxState::Invoiced);
    let v = set(app_json(&["S-2", "P1"]), "/kind", json!("statement"));
    let r = validate(&v, &ctx);
    assert_eq!(
        at(&r),
        [
            "SELECTION_NOT_SINGLE_STATEMENT@selected",
            "STATEMENT_LINE_INVOICED@selected[0]",
            "STATEMENT_LINE_UNKNOWN@selected[0]",
            "KIND_MISMATCH@selected[1]",
        ]
    );
}

#[test]
fn findings_carry_both_languages_and_bounded_values() {
    let v = set(
        app_json(&["P1"]),
        "/title/taxpayerId",
        json!("x".repeat(10_000)),
    );
    let r = validate(&v, &march_ctx());
    for f in r.findings() {
        assert!(!f.message_zh.is_empty() && !f.message_en.is_empty());
        assert!(
            f.value.as_ref().is_none_or(|v| v.chars().count() <= 65),
            "{f:?}"
        );
        assert!(f.message_en.chars().count() < 400, "{}", f.message_en);
    }
}

#[test]
fn into_validated() {
    let r = validate(&app_json(&["NOPE"]), &march_ctx());
    let back = r.into_validated().unwrap_err();
    assert!(back.has(FindingCode::SelectionUnknown));
    let r = validate(&app_json(&["P1"]), &march_ctx());
    assert_eq!(r.into_validated().unwrap().transactions().len(), 1);
}
