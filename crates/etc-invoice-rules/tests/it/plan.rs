//! Planning: grouping, lines, documents, splits, summary sheets, top-ups.

use etc_invoice_order::{DocumentKind, Money, Operator, Record};
use etc_invoice_province::RuleBook;
use etc_invoice_rules::{
    FISCAL_EBILL_ITEM, InvoicePlan, MemoryContext, PlanError, TOP_UP_ITEM, TxState, plan_invoices,
};
use serde_json::{Value, json};

use crate::fixtures::*;

pub fn plan_with(book: &RuleBook, v: &Value, ctx: &MemoryContext) -> InvoicePlan {
    let r = validate_with(book, v, ctx);
    assert!(r.passed(), "{:#?}", r.errors());
    plan_invoices(r.validated().unwrap(), ctx, book).unwrap()
}

fn m(s: &str) -> Money {
    s.parse().unwrap()
}

/// `seller/document/rate/trip part/parts: line gross…` per draft.
fn shape(plan: &InvoicePlan) -> Vec<String> {
    plan.invoices
        .iter()
        .map(|d| {
            format!(
                "{} {} {} {} {} {}/{}: {}",
                d.index,
                d.seller.id,
                d.document,
                d.rate.map_or_else(|| "-".to_owned(), |r| r.to_string()),
                d.trip.as_ref().map_or("-", |t| t.as_str()),
                d.part,
                d.parts,
                d.lines
                    .iter()
                    .map(|l| format!("{}={}", l.transaction, l.gross))
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        })
        .collect()
}

#[test]
fn per_trip_plan() {
    let ctx = context(records(&march()));
    let plan = plan_with(&book(), &app_json(&["P1", "P2", "P3"]), &ctx);
    assert_eq!(
        shape(&plan),
        [
            "0 GD-BRIDGE vatInvoice 5% P2 1/1: P2=6.48",
            "1 GD-EXP-NEW vatInvoice 9% P1 1/1: P1=5.61",
            "2 GD-EXP-OLD vatInvoice 3% P1 1/1: P1=29.72",
            "3 GD-GOV fiscalEBill - P2 1/1: P2=20.00",
            "4 HN-EXP-OLD vatInvoice 3% P3 1/1: P3=232.76",
        ]
    );
    // P1 crosses the old expressway twice: one line, both segments.
    let old = &plan.invoices[2].lines[0];
    let segs: Vec<u32> = old.segments.as_slice().to_vec();
    let refs: Vec<String> = old
        .sources()
        .map(|s| format!("{}#{}", s.transaction, s.segment))
        .collect();
    assert_eq!(refs, ["P1#0", "P1#2"]);
    assert_eq!(segs, [0, 2]);
    assert_eq!(
        (old.net, old.tax, old.gross),
        (m("28.85"), m("0.87"), m("29.72"))
    );
    assert_eq!(old.item_name, "*经营租赁*通行费");
    assert_eq!(old.plate.as_ref().unwrap().as_str(), "粤B12345");
    assert_eq!(old.vehicle_type.map(|t| t.label()), Some("客车"));
    assert_eq!(old.date_from.to_string(), "2024-03-05");
    assert_eq!(old.date_to.to_string(), "2024-03-05");
    // The fiscal e-bill: no rate, no tax.
    let fiscal = &plan.invoices[3];
    assert_eq!(fiscal.document, DocumentKind::FiscalEBill);
    assert_eq!(fiscal.lines[0].item_name, FISCAL_EBILL_ITEM);
    assert_eq!(
        (fiscal.total_net, fiscal.total_tax),
        (m("20.00"), Money::ZERO)
    );
    // Summary sheets per trip, in trip order (date, id).
    let sheets: Vec<String> = plan
        .summaries
        .iter()
        .map(|s| {
            format!(
                "{}:{:?}={}",
                s.trip.as_ref().unwrap(),
                s.invoices,
                s.total_gross
            )
        })
        .collect();
    assert_eq!(
        sheets,
        ["P3:[4]=232.76", "P1:[1, 2]=35.33", "P2:[0, 3]=26.48"]
    );
    assert_eq!(plan.totals.gross, m("294.57"));
    assert_eq!(
        plan.totals.net.checked_add(plan.totals.tax).unwrap(),
        plan.totals.gross
    );
    assert_eq!(plan.invoices[0].buyer.name, "某某物流有限公司");
}

#[test]
fn monthly_plan_merges_trips() {
    let mut ps = march();
    ps.push(passage(
        "P4",
        "2024-03-01T08:00:00+08:00",
        &[(Road::Old, 1000)],
    ));
    let ctx = context(records(&ps));
    let v = set(
        app_json(&["P4", "P3", "P2", "P1"]),
        "/mergeMode",
        json!("monthly"),
    );
    let plan = plan_with(&book(), &v, &ctx);
    assert_eq!(
        shape(&plan),
        [
            "0 GD-BRIDGE vatInvoice 5% - 1/1: P2=6.48",
            "1 GD-EXP-NEW vatInvoice 9% - 1/1: P1=5.61",
            "2 GD-EXP-OLD vatInvoice 3% - 1/1: P4=10.00 P1=29.72",
            "3 GD-GOV fiscalEBill - - 1/1: P2=20.00",
            "4 HN-EXP-OLD vatInvoice 3% - 1/1: P3=232.76",
        ]
    );
    assert_eq!(plan.summaries.len(), 1);
    let s = &plan.summaries[0];
    assert_eq!(s.trip, None);
    assert_eq!(s.invoices, [0, 1, 2, 3, 4]);
    let ids: Vec<_> = s.transactions.iter().map(|t| t.as_str()).collect();
    assert_eq!(ids, ["P1", "P2", "P3", "P4"]);
    assert_eq!(s.total_gross, plan.totals.gross);
}

#[test]
fn drafts_split_at_the_line_limit() {
    let ps: Vec<_> = (1..=5)
        .map(|i| {
            passage(
                &format!("P{i}"),
                &format!("2024-03-0{i}T10:00:00+08:00"),
                &[(Road::Old, 100 * i64::from(i))],
            )
        })
        .collect();
    let ctx = context(records(&ps));
    let book = book_with("applications.max_lines_per_invoice = 2");
    let v = set(
        app_json(&["P1", "P2", "P3", "P4", "P5"]),
        "/mergeMode",
        json!("monthly"),
    );
    let plan = plan_with(&book, &v, &ctx);
    assert_eq!(
        shape(&plan),
        [
            "0 GD-EXP-OLD vatInvoice 3% - 1/3: P1=1.00 P2=2.00",
            "1 GD-EXP-OLD vatInvoice 3% - 2/3: P3=3.00 P4=4.00",
            "2 GD-EXP-OLD vatInvoice 3% - 3/3: P5=5.00",
        ]
    );
    assert_eq!(plan.summaries[0].invoices, [0, 1, 2]);
}

#[test]
fn drafts_split_at_the_invoice_tolerance() {
    // 0.09 at 9 % splits as 0.08 + 0.01: a deviation of −0.0028 a line, so
    // the 454th line would pass the 1.27 tolerance.
    let ps: Vec<_> = (0..1000)
        .map(|i| {
            passage(
                &format!("P{i:04}"),
                "2024-03-05T10:00:00+08:00",
                &[(Road::New, 9)],
            )
        })
        .collect();
    let ids: Vec<String> = ps.iter().map(|p| p.id().to_string()).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let ctx = context(records(&ps));
    let book = book_with(
        "applications.max_lines_per_invoice = 5000\napplications.max_transactions = 5000",
    );
    let v = set(app_json(&refs), "/mergeMode", json!("monthly"));
    let plan = plan_with(&book, &v, &ctx);
    let sizes: Vec<usize> = plan.invoices.iter().map(|d| d.lines.len()).collect();
    assert_eq!(sizes, [453, 453, 94]);
    for d in &plan.invoices {
        let rate = d.rate.unwrap();
        let dev = etc_invoice_rules::tax_deviation(d.total_net, d.total_tax, rate);
        assert!(dev.abs() <= rust_decimal::Decimal::new(127, 2), "{dev}");
    }
}

/// A trip that gives one group two lines: the old expressway's operator
/// charges it in Guangdong and in Hunan, whose rule sets (overlaid here)
/// name the item differently. Per trip, both lines (in item order) go on
/// one draft, or on one draft each at a limit of one line.
#[test]
fn a_per_trip_draft_holds_a_trip_s_lines_and_splits_at_the_limit() {
    let p = passage_of(
        "P1",
        CARD,
        "2024-03-05T10:00:00+08:00",
        vec![
            segment(Road::Old, 300),
            segment_by(operator(Road::Old), Road::Hunan, 500),
            segment(Road::New, 700),
        ],
    );
    let ctx = context(records(&[p]));
    let hunan_item = "version = 1\nprovince = \"湖南\"\n[[period]]\neffective_from = 2018-01-01\n\
                      documents.item_name = \"*运输服务*通行费\"\n";
    for (limit, expected) in [
        (
            "100",
            vec![
                "0 GD-EXP-NEW vatInvoice 9% P1 1/1: P1=7.00",
                "1 GD-EXP-OLD vatInvoice 3% P1 1/1: P1=3.00 P1=5.00",
            ],
        ),
        (
            "1",
            vec![
                "0 GD-EXP-NEW vatInvoice 9% P1 1/1: P1=7.00",
                "1 GD-EXP-OLD vatInvoice 3% P1 1/2: P1=3.00",
                "2 GD-EXP-OLD vatInvoice 3% P1 2/2: P1=5.00",
            ],
        ),
    ] {
        let book = book_with(&format!("applications.max_lines_per_invoice = {limit}"))
            .overlay_toml_str("hunan.toml", hunan_item)
            .unwrap();
        let v = set(app_json(&["P1"]), "/mergeMode", json!("perTrip"));
        let plan = plan_with(&book, &v, &ctx);
        assert_eq!(shape(&plan), expected, "limit {limit}");
        let old: Vec<_> = plan
            .invoices
            .iter()
            .filter(|d| d.seller.id.as_str() == "GD-EXP-OLD")
            .flat_map(|d| d.lines.iter())
            .map(|l| (l.item_name.as_ref(), l.segments.as_slice().to_vec()))
            .collect();
        assert_eq!(
            old,
            [("*经营租赁*通行费", vec![0]), ("*运输服务*通行费", vec![1])],
            "limit {limit}"
        );
        for d in &plan.invoices {
            let net: Money = d.lines.iter().map(|l| l.net).sum();
            let tax: Money = d.lines.iter().map(|l| l.tax).sum();
            assert_eq!((d.total_net, d.total_tax), (net, tax));
            assert_eq!(d.total_gross, net.checked_add(tax).unwrap());
        }
        assert_eq!(plan.summaries.len(), 1);
        let all: Vec<u32> = plan.invoices.iter().map(|d| d.index).collect();
        assert_eq!(plan.summaries[0].invoices.as_slice(), all.as_slice());
        assert_eq!(plan.summaries[0].total_gross, m("15.00"));
        assert_eq!(plan.totals.gross, m("15.00"));
    }
}

#[test]
fn top_up_plan() {
    let recs = vec![
        Record::TopUp(top_up(
            "T2",
            STORED_CARD,
            "2024-03-16T09:15:00+08:00",
            30000,
        )),
        Record::TopUp(top_up(
            "T1",
            STORED_CARD,
            "2024-03-01T09:15:00+08:00",
            50000,
        )),
    ];
    let ctx = context(recs);
    let v = set(
        set(app_json(&["T2", "T1"]), "/card", json!(STORED_CARD)),
        "/kind",
        json!("topUp"),
    );
    let plan = plan_with(&book(), &v, &ctx);
    assert_eq!(plan.invoices.len(), 2);
    assert!(plan.summaries.is_empty());
    let first = &plan.invoices[0];
    assert_eq!(first.document, DocumentKind::NonTaxableInvoice);
    assert_eq!(*first.seller, issuer());
    assert_eq!(first.rate, None);
    let line = &first.lines[0];
    assert_eq!(line.item_name, TOP_UP_ITEM);
    assert_eq!(line.transaction.as_str(), "T1");
    assert_eq!(
        (line.net, line.tax, line.gross),
        (m("500.00"), Money::ZERO, m("500.00"))
    );
    assert!(line.plate.is_none() && line.vehicle_type.is_none() && line.segments.is_empty());
    assert_eq!(plan.totals.gross, m("800.00"));
}

#[test]
fn top_up_without_a_known_issuer_is_a_finding() {
    let mut ctx = MemoryContext::new();
    ctx.insert(Record::TopUp(top_up(
        "T1",
        STORED_CARD,
        "2024-03-01T09:15:00+08:00",
        50000,
    )));
    ctx.bind(APPLICANT, STORED_CARD.parse().unwrap());
    let v = set(
        set(app_json(&["T1"]), "/card", json!(STORED_CARD)),
        "/kind",
        json!("topUp"),
    );
    let r = validate(&v, &ctx);
    assert_eq!(at(&r), ["TOP_UP_ISSUER_UNKNOWN@selected[0]"]);
}

#[test]
fn statement_plan_invoices_its_passages() {
    let ps = march();
    let s = statement("S-2024-03", &[&ps[0], &ps[1], &ps[2]], Vec::new());
    let mut recs = records(&ps);
    recs.push(Record::Statement(s));
    let ctx = context(recs);
    let v = set(
        set(app_json(&["S-2024-03"]), "/kind", json!("statement")),
        "/mergeMode",
        json!("monthly"),
    );
    let plan = plan_with(&book(), &v, &ctx);
    assert_eq!(plan.invoices.len(), 5);
    assert_eq!(plan.totals.gross, m("294.57"));
}

#[test]
fn zero_segments_are_left_out() {
    let ps = vec![passage(
        "P1",
        "2024-03-05T10:00:00+08:00",
        &[(Road::Old, 100), (Road::New, 0)],
    )];
    let ctx = context(records(&ps));
    let plan = plan_with(&book(), &app_json(&["P1"]), &ctx);
    assert_eq!(shape(&plan), ["0 GD-EXP-OLD vatInvoice 3% P1 1/1: P1=1.00"]);
}

#[test]
fn a_changed_source_is_a_stale_plan_error() {
    let ctx = context(records(&march()));
    let r = validate(&app_json(&["P1"]), &ctx);
    let v = r.validated().unwrap();
    let empty = MemoryContext::new();
    let e = plan_invoices(v, &empty, &book()).unwrap_err();
    assert!(matches!(e, PlanError::MissingTransaction(_)));
    assert!(e.is_stale());
    assert_eq!(e.to_string(), "transaction `P1` is not in the source");
    let mut changed = MemoryContext::new();
    changed.insert(Record::TopUp(top_up(
        "P1",
        CARD,
        "2024-03-01T09:15:00+08:00",
        100,
    )));
    assert!(plan_invoices(v, &changed, &book()).unwrap_err().is_stale());
}

#[test]
fn plan_json_round_trips() {
    let ctx = context(records(&march()));
    let plan = plan_with(&book(), &app_json(&["P1", "P2", "P3"]), &ctx);
    let json = serde_json::to_string(&plan).unwrap();
    let back: InvoicePlan = serde_json::from_str(&json).unwrap();
    assert_eq!(back, plan);
    assert!(json.contains("\"vehicleType\":\"客车\""));
}

#[test]
fn reserved_by_itself_plans_again() {
    let mut ctx = context(records(&march()));
    ctx.set_state(
        "P1".parse().unwrap(),
        TxState::Reserved {
            application: APP_ID.parse().unwrap(),
        },
    );
    let plan = plan_with(&book(), &app_json(&["P1"]), &ctx);
    assert_eq!(plan.invoices.len(), 2);
}

/// Sellers that look alike are kept apart, however many there are: ids
/// longer than 16 bytes with the same first and last eight bytes, one id
/// under two names, one id and name under two taxpayer ids; and more
/// sellers than a scan covers.
#[test]
fn look_alike_sellers_are_kept_apart() {
    let base = operator(Road::Old);
    let mut sellers: Vec<Operator> = (0..40)
        .map(|i| Operator {
            id: format!("OPERATOR-{i:02}-LONG-TAIL0000").parse().unwrap(),
            ..base.clone()
        })
        .collect();
    sellers.push(Operator {
        name: "广东示例高速公路有限公司（更名）".parse().unwrap(),
        ..base.clone()
    });
    sellers.push(Operator {
        taxpayer_id: "91440300MA5G00027H".parse().unwrap(),
        ..base.clone()
    });
    sellers.push(base.clone());
    // Three passages, each over every seller, in a different order.
    let mut ps = Vec::new();
    for (p, exit) in ["2024-03-01", "2024-03-02", "2024-03-03"]
        .iter()
        .enumerate()
    {
        let mut order: Vec<&Operator> = sellers.iter().collect();
        order.rotate_left(p * 7);
        let segments = order
            .iter()
            .enumerate()
            .map(|(k, o)| segment_by((*o).clone(), Road::Old, 100 + k as i64))
            .collect();
        ps.push(passage_of(
            &format!("P{p}"),
            CARD,
            &format!("{exit}T08:00:00+08:00"),
            segments,
        ));
    }
    let ctx = context(records(&ps));
    for mode in ["perTrip", "monthly"] {
        let v = set(app_json(&["P0", "P1", "P2"]), "/mergeMode", json!(mode));
        let plan = plan_with(&book(), &v, &ctx);
        let mut seen: Vec<&Operator> = plan.invoices.iter().map(|d| &*d.seller).collect();
        seen.dedup();
        assert_eq!(seen.len(), sellers.len(), "{mode}");
        // Every line sits with the seller of the segments it covers.
        for d in &plan.invoices {
            for l in d.lines.iter() {
                let p = ps.iter().find(|p| *p.id() == l.transaction).unwrap();
                for s in l.segments.as_slice() {
                    assert_eq!(p.segments()[*s as usize].operator(), &*d.seller, "{mode}");
                }
            }
        }
    }
}
