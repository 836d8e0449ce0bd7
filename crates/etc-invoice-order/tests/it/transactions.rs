//! Transaction invariants and their error paths.

use etc_invoice_order::{
    Money, Passage, PassageParts, Recovery, RecoveryParts, Refund, RefundParts, SegmentParts,
    Statement, StatementLine, StatementLineKind, StatementParts, TollSegment, TopUp, TopUpParts,
    TransactionError, Visit,
};

fn m(s: &str) -> Money {
    s.parse().unwrap()
}

fn segment(
    receivable: &str,
    discount: &str,
    charged: &str,
) -> Result<TollSegment, TransactionError> {
    TollSegment::new(SegmentParts {
        operator: serde_json::from_str(
            r#"{"id":"OP1","name":"示例高速","taxpayerId":"91110000600037341L"}"#,
        )
        .unwrap(),
        province: "粤".parse().unwrap(),
        road_kind: "expressway".parse().unwrap(),
        funding: "operating".parse().unwrap(),
        tax_method: "simplified".parse().unwrap(),
        construction_start: None,
        receivable: m(receivable),
        discount: m(discount),
        charged: m(charged),
    })
}

fn parts() -> PassageParts {
    PassageParts {
        id: "P1".parse().unwrap(),
        card: "44011234567890123456".parse().unwrap(),
        card_type: "23".parse().unwrap(),
        vehicle: "粤B12345_0".parse().unwrap(),
        vehicle_class: "1".parse().unwrap(),
        medium: "obu".parse().unwrap(),
        entry: Some(Visit {
            station: "广州北".parse().unwrap(),
            time: "2024-03-05 08:00".parse().unwrap(),
        }),
        exit: Visit {
            station: "深圳".parse().unwrap(),
            time: "2024-03-05 09:00".parse().unwrap(),
        },
        settled_at: None,
        segments: vec![
            segment("10.00", "0.50", "9.50").unwrap(),
            segment("2.00", "0.00", "2.00").unwrap(),
        ],
    }
}

#[test]
fn segment_invariants() {
    assert!(segment("10.00", "0.50", "9.50").is_ok());
    assert!(matches!(
        segment("10.00", "0.50", "9.00"),
        Err(TransactionError::ChargedMismatch { .. })
    ));
    assert!(matches!(
        segment("-1.00", "0.00", "-1.00"),
        Err(TransactionError::Negative {
            field: "receivable",
            ..
        })
    ));
    assert!(matches!(
        segment("1.00", "2.00", "-1.00"),
        Err(TransactionError::Negative {
            field: "charged",
            ..
        })
    ));
}

#[test]
fn passage_invariants_and_derived_values() {
    let p = Passage::new(parts()).unwrap();
    assert_eq!(p.total_charged(), m("11.50"));
    assert_eq!(p.total_receivable(), m("12.00"));
    assert_eq!(p.total_discount(), m("0.50"));
    assert_eq!(p.passage_date().to_string(), "2024-03-05");
    assert_eq!(p.billing_month().to_string(), "2024-03");

    let mut none = parts();
    none.segments.clear();
    assert_eq!(
        Passage::new(none),
        Err(TransactionError::NoSegments("passage"))
    );

    let mut backwards = parts();
    backwards.exit.time = "2024-03-05 07:00".parse().unwrap();
    assert!(matches!(
        Passage::new(backwards),
        Err(TransactionError::ExitBeforeEntry { .. })
    ));

    let mut early = parts();
    early.settled_at = Some("2024-03-05 08:30".parse().unwrap());
    assert!(matches!(
        Passage::new(early),
        Err(TransactionError::SettledBeforeExit { .. })
    ));

    // Deserialising checks the same invariants.
    let mut json: serde_json::Value = serde_json::to_value(Passage::new(parts()).unwrap()).unwrap();
    json["segments"] = serde_json::json!([]);
    let err = serde_json::from_value::<Passage>(json).unwrap_err();
    assert!(
        err.to_string()
            .contains("a passage needs at least one segment"),
        "{err}"
    );
}

#[test]
fn passage_date_is_the_exit_date_in_china() {
    let mut late = parts();
    late.entry = None;
    late.exit.time = "2024-03-31T16:30:00Z".parse().unwrap();
    let p = Passage::new(late).unwrap();
    assert_eq!(p.passage_date().to_string(), "2024-04-01");
    assert_eq!(p.billing_month().to_string(), "2024-04");
}

#[test]
fn top_ups_refunds_recoveries() {
    let top_up = |amount: &str| {
        TopUp::new(TopUpParts {
            id: "T1".parse().unwrap(),
            card: "44011234567890123456".parse().unwrap(),
            card_type: "22".parse().unwrap(),
            time: "2024-03-01 09:00".parse().unwrap(),
            amount: m(amount),
        })
    };
    assert!(top_up("500.00").is_ok());
    assert!(matches!(
        top_up("0.00"),
        Err(TransactionError::NotPositive { .. })
    ));

    let refund = |amount: &str| {
        Refund::new(RefundParts {
            id: "R1".parse().unwrap(),
            card: "44011234567890123456".parse().unwrap(),
            time: "2024-03-01 09:00".parse().unwrap(),
            original: "P1".parse().unwrap(),
            amount: m(amount),
            reason: None,
        })
    };
    assert!(refund("-3.20").is_ok());
    assert_eq!(
        refund("3.20"),
        Err(TransactionError::RefundNotNegative(m("3.20")))
    );

    let recovery = |segments: Vec<TollSegment>, amount: &str| {
        Recovery::new(RecoveryParts {
            id: "A1".parse().unwrap(),
            card: "44011234567890123456".parse().unwrap(),
            card_type: "23".parse().unwrap(),
            vehicle: "粤B12345_0".parse().unwrap(),
            vehicle_class: "1".parse().unwrap(),
            time: "2024-03-01 09:00".parse().unwrap(),
            original: None,
            amount: m(amount),
            segments,
        })
    };
    let r = recovery(vec![segment("42.00", "0.00", "42.00").unwrap()], "45.60").unwrap();
    assert_eq!(r.invoiceable(), m("42.00"));
    assert_eq!(r.amount(), m("45.60"));
    assert_eq!(
        recovery(vec![], "1.00"),
        Err(TransactionError::NoSegments("recovery"))
    );
    assert!(matches!(
        recovery(vec![segment("1.00", "0.00", "1.00").unwrap()], "-1.00"),
        Err(TransactionError::Negative { .. })
    ));
}

#[test]
fn statements_must_add_up() {
    let line = |id: &str, day: u32, amount: &str| StatementLine {
        transaction: id.parse().unwrap(),
        kind: StatementLineKind::Passage,
        time: format!("2024-03-{day:02} 10:00").parse().unwrap(),
        amount: m(amount),
    };
    let build = |lines: Vec<StatementLine>, total: &str, end: &str| {
        Statement::new(StatementParts {
            id: "S1".parse().unwrap(),
            card: "44011234567890123456".parse().unwrap(),
            issuer: "示例银行".parse().unwrap(),
            period_start: "2024-03-01".parse().unwrap(),
            period_end: end.parse().unwrap(),
            time: "2024-04-02 08:00".parse().unwrap(),
            lines,
            total: m(total),
        })
    };
    let s = build(
        vec![line("P1", 1, "9.50"), line("P2", 31, "2.00")],
        "11.50",
        "2024-03-31",
    )
    .unwrap();
    assert_eq!(s.month().unwrap().to_string(), "2024-03");
    assert!(matches!(
        build(vec![line("P1", 1, "9.50")], "9.49", "2024-03-31"),
        Err(TransactionError::TotalMismatch { .. })
    ));
    assert!(matches!(
        build(
            vec![line("P1", 1, "9.50"), line("P1", 2, "1.00")],
            "10.50",
            "2024-03-31"
        ),
        Err(TransactionError::DuplicateLine(_))
    ));
    assert!(matches!(
        build(vec![line("P1", 31, "9.50")], "9.50", "2024-03-30"),
        Err(TransactionError::LineOutsidePeriod { .. })
    ));
    assert!(matches!(
        build(vec![], "0.00", "2024-02-01"),
        Err(TransactionError::PeriodReversed { .. })
    ));
}

#[test]
fn public_types_are_send_sync_debug() {
    fn check<T: Send + Sync + std::fmt::Debug>() {}
    check::<Money>();
    check::<Passage>();
    check::<TollSegment>();
    check::<TopUp>();
    check::<Refund>();
    check::<Recovery>();
    check::<Statement>();
    check::<etc_invoice_order::Record>();
    check::<etc_invoice_order::import::ImportError>();
    check::<etc_invoice_order::stats::Statistics>();
    check::<TransactionError>();
}
