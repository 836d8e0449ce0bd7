//! Unit tests of the simulator on a hand-built plan.

use std::time::Duration;

use etc_invoice_order::Money;
use etc_invoice_rules::{
    Buyer, InvoiceApplication, InvoiceDraft, InvoiceLine, InvoicePlan, PlanTotals,
    SummarySheetDraft, Title,
};

use super::*;
use crate::SimClock;

fn m(s: &str) -> Money {
    s.parse().unwrap()
}

const APP: &str = r#"{
  "id": "6f1c1f8e-3a57-4b8e-9a35-2d2f5b1f0c11",
  "applicant": "user-10086",
  "card": "44019912345678900011",
  "month": "2024-03",
  "requestedAt": "2024-04-12T09:30:00+08:00",
  "kind": "consumption",
  "selected": ["P1"],
  "title": {
    "kind": "enterprise",
    "name": "某某物流有限公司",
    "taxpayerId": "91110000600037341L",
    "effectiveFrom": "2024-01-01T00:00:00+08:00"
  },
  "delivery": { "email": "finance@example.com" },
  "mergeMode": "monthly",
  "channel": "miniProgram"
}"#;

fn application() -> InvoiceApplication {
    serde_json::from_str(APP).unwrap()
}

fn line(seg: u32, net: &str, rate: &str, tax: &str, gross: &str) -> InvoiceLine {
    InvoiceLine {
        item_name: "*经营租赁*通行费".into(),
        plate: Some("粤B12345".parse().unwrap()),
        vehicle_type: Some(etc_invoice_order::InvoiceVehicleType::Passenger),
        date_from: "2024-03-01".parse().unwrap(),
        date_to: "2024-03-01".parse().unwrap(),
        net: m(net),
        rate: Some(rate.parse().unwrap()),
        tax: m(tax),
        gross: m(gross),
        transaction: "P1".parse().unwrap(),
        segments: [seg].into_iter().collect(),
    }
}

fn draft(index: u32, seller: (&str, &str, &str), l: InvoiceLine) -> InvoiceDraft {
    InvoiceDraft {
        index,
        document: etc_invoice_order::DocumentKind::VatInvoice,
        seller: Arc::new(etc_invoice_order::Operator {
            id: seller.0.parse().unwrap(),
            name: seller.1.parse().unwrap(),
            taxpayer_id: seller.2.parse().unwrap(),
        }),
        buyer: Arc::new(Buyer {
            name: "某某物流有限公司".into(),
            taxpayer_id: Some("91110000600037341L".parse().unwrap()),
            address: None,
            phone: None,
            bank_name: None,
            bank_account: None,
        }),
        rate: l.rate,
        trip: None,
        part: 1,
        parts: 1,
        total_net: l.net,
        total_tax: l.tax,
        total_gross: l.gross,
        lines: vec![l].into(),
    }
}

fn request() -> SubmitRequest {
    let app = application();
    let plan = InvoicePlan {
        application: app.id,
        invoices: vec![
            draft(
                0,
                (
                    "GD-EXP-OLD",
                    "广东示例高速公路有限公司",
                    "91440100618400014K",
                ),
                line(0, "225.98", "3%", "6.78", "232.76"),
            ),
            draft(
                1,
                (
                    "GD-EXP-NEW",
                    "广东示例新干线高速有限公司",
                    "91440300MA5G00027H",
                ),
                line(1, "9.66", "9%", "0.87", "10.53"),
            ),
        ],
        summaries: vec![SummarySheetDraft {
            trip: None,
            transactions: vec!["P1".parse().unwrap()].into(),
            invoices: vec![0, 1].into(),
            total_gross: m("243.29"),
        }],
        totals: PlanTotals {
            net: m("235.64"),
            tax: m("7.65"),
            gross: m("243.29"),
        },
    };
    SubmitRequest {
        applicant: app.applicant.clone(),
        application: app,
        plan,
    }
}

fn start() -> CstDateTime {
    "2024-04-15 09:00:00".parse().unwrap()
}

fn quiet() -> SimConfig {
    SimConfig {
        seed: 1,
        reject_rate: Chance::NEVER,
        review_jitter: Duration::ZERO,
        ..SimConfig::default()
    }
}

fn key(s: &str) -> IdempotencyKey {
    s.parse().unwrap()
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn review_then_issue_in_steps() {
    let clock = SimClock::manual(start());
    let sim = Simulator::new(quiet(), clock.clone());
    block_on(async {
        let s = sim.submit(&key("k1"), &Arc::new(request())).await.unwrap();
        assert_eq!(s.status, SubmissionStatus::Accepted);
        assert_eq!(s.id.as_str(), "SIM2024041500000001");
        assert_eq!(sim.status(&s.id).await.unwrap(), SubmissionStatus::Accepted);
        clock.advance(Duration::from_secs(2));
        assert_eq!(
            sim.status(&s.id).await.unwrap(),
            SubmissionStatus::UnderReview
        );
        clock.advance(Duration::from_secs(600));
        let SubmissionStatus::PartiallyIssued {
            invoices,
            summaries,
        } = sim.status(&s.id).await.unwrap()
        else {
            panic!("expected partial issue");
        };
        assert_eq!((invoices.len(), summaries.len()), (1, 0));
        clock.advance(Duration::from_secs(5));
        let SubmissionStatus::Issued {
            invoices,
            summaries,
        } = sim.status(&s.id).await.unwrap()
        else {
            panic!("expected issue");
        };
        assert_eq!(invoices.len(), 2);
        let first = &invoices[0];
        assert_eq!(first.number, "24441000000000000001");
        assert_eq!(first.gross, m("232.76"));
        assert_eq!(first.transactions, vec!["P1".parse().unwrap()]);
        assert_eq!(invoices[1].number, "24441000000000000002");
        assert_eq!(summaries.len(), 1);
        assert_eq!(summaries[0].number, "4420240400000001");
        assert_eq!(summaries[0].number.len(), 16);
        assert_eq!(summaries[0].gross, m("243.29"));
        assert_eq!(
            summaries[0].invoices,
            vec![invoices[0].number.clone(), invoices[1].number.clone()]
        );
    });
}

#[test]
fn idempotency_is_scoped_and_detects_changed_requests() {
    let clock = SimClock::manual(start());
    let sim = Simulator::new(quiet(), clock);
    let h = sim.handle();
    block_on(async {
        let a = sim.submit(&key("k1"), &Arc::new(request())).await.unwrap();
        let again = sim.submit(&key("k1"), &Arc::new(request())).await.unwrap();
        assert_eq!(a, again);
        assert_eq!(h.stats().replays, 1);
        assert_eq!(h.stats().submissions, 1);

        let mut changed = request();
        changed.application.delivery.email = "other@example.com".into();
        let e = sim
            .submit(&key("k1"), &Arc::new(changed))
            .await
            .unwrap_err();
        assert!(e.is_conflict(), "{e}");
        assert!(!e.is_retryable());

        // Another applicant using the same key gets its own submission.
        let mut other = request();
        other.applicant = "user-2".into();
        other.application.applicant = "user-2".into();
        let b = sim.submit(&key("k1"), &Arc::new(other)).await.unwrap();
        assert_ne!(a.id, b.id);
        assert_eq!(h.stats().submissions, 2);
    });
}

#[test]
fn lost_response_is_replayed_not_reissued() {
    let sim = Simulator::new(quiet(), SimClock::auto(start()));
    let h = sim.handle();
    h.script(Some(Op::Submit), Fault::LoseResponseAfterCommit);
    block_on(async {
        let e = sim
            .submit(&key("k1"), &Arc::new(request()))
            .await
            .unwrap_err();
        assert!(e.is_retryable());
        assert!(matches!(e, PlatformError::Timeout { .. }));
        let s = sim.submit(&key("k1"), &Arc::new(request())).await.unwrap();
        assert_eq!(s.id.as_str(), "SIM2024041500000001");
    });
    assert_eq!(h.stats().submissions, 1);
    assert_eq!(h.stats().replays, 1);
}

#[test]
fn faults_before_the_work_do_nothing() {
    let sim = Simulator::new(quiet(), SimClock::auto(start()));
    let h = sim.handle();
    h.script(None, Fault::Timeout);
    h.script(None, Fault::ServerError { status: 502 });
    h.script(
        None,
        Fault::RateLimited {
            retry_after: Duration::from_secs(3),
        },
    );
    block_on(async {
        let e1 = sim
            .submit(&key("k1"), &Arc::new(request()))
            .await
            .unwrap_err();
        let e2 = sim
            .submit(&key("k1"), &Arc::new(request()))
            .await
            .unwrap_err();
        let e3 = sim
            .submit(&key("k1"), &Arc::new(request()))
            .await
            .unwrap_err();
        assert!(matches!(e1, PlatformError::Timeout { .. }));
        assert!(matches!(e2, PlatformError::Server { status: 502, .. }));
        assert!(e3.is_rate_limited());
        assert_eq!(e3.retry_after(), Some(Duration::from_secs(3)));
        assert_eq!(h.stats().submissions, 0);
        sim.submit(&key("k1"), &Arc::new(request())).await.unwrap();
    });
    let stats = h.stats();
    assert_eq!(stats.submissions, 1);
    assert_eq!(stats.faults.values().sum::<u64>(), 3);
    assert_eq!(stats.calls.get(&Op::Submit), Some(&4));
}

#[test]
fn duplicate_delivery_replays() {
    let sim = Simulator::new(quiet(), SimClock::auto(start()));
    let h = sim.handle();
    h.script(Some(Op::Submit), Fault::DuplicateDelivery);
    block_on(async { sim.submit(&key("k1"), &Arc::new(request())).await.unwrap() });
    let stats = h.stats();
    assert_eq!(stats.submissions, 1);
    assert_eq!(stats.replays, 1);
    assert_eq!(stats.duplicate_mismatches, 0);
}

#[test]
fn rejections_and_slow_reviews() {
    let clock = SimClock::manual(start());
    let sim = Simulator::new(quiet(), clock.clone());
    let h = sim.handle();
    h.script(
        Some(Op::Submit),
        Fault::Reject {
            reasons: vec![Reason::new("X", "测试")],
        },
    );
    h.script(Some(Op::Submit), Fault::SlowReview);
    block_on(async {
        let rejected = sim.submit(&key("k1"), &Arc::new(request())).await.unwrap();
        let slow = sim.submit(&key("k2"), &Arc::new(request())).await.unwrap();
        clock.advance(Duration::from_secs(700));
        assert_eq!(
            sim.status(&rejected.id).await.unwrap(),
            SubmissionStatus::Rejected {
                reasons: vec![Reason::new("X", "测试")]
            }
        );
        assert_eq!(
            sim.status(&slow.id).await.unwrap(),
            SubmissionStatus::UnderReview
        );
        clock.advance(Duration::from_secs(12 * 600));
        assert!(sim.status(&slow.id).await.unwrap().is_terminal());
        assert!(
            sim.status(&"SIM-none".parse().unwrap())
                .await
                .unwrap_err()
                .is_not_found()
        );
    });
    assert_eq!(h.stats().rejections, 1);
    assert_eq!(
        h.settles_at(&"SIM2024041500000001".parse().unwrap()),
        Some("2024-04-15 09:10:02".parse().unwrap())
    );
}

#[test]
fn random_rejections_follow_the_rate() {
    let config = SimConfig {
        reject_rate: Chance::ALWAYS,
        ..quiet()
    };
    let clock = SimClock::auto(start());
    let sim = Simulator::new(config, clock.clone());
    block_on(async {
        let s = sim.submit(&key("k1"), &Arc::new(request())).await.unwrap();
        clock.advance(Duration::from_secs(3600));
        let SubmissionStatus::Rejected { reasons } = sim.status(&s.id).await.unwrap() else {
            panic!("expected a rejection");
        };
        assert_eq!(reasons.len(), 1);
        assert!(reasons[0].code.starts_with("REVIEW-"));
    });
}

#[test]
fn invalid_requests_are_refused_and_not_stored() {
    let sim = Simulator::new(quiet(), SimClock::auto(start()));
    block_on(async {
        let mut bad = request();
        bad.plan.invoices[0].total_gross = m("1.00");
        let e = sim.submit(&key("k1"), &Arc::new(bad)).await.unwrap_err();
        assert!(matches!(e, PlatformError::InvalidRequest { .. }), "{e}");
        // Not stored: the same key with a good request goes through.
        sim.submit(&key("k1"), &Arc::new(request())).await.unwrap();

        let mut foreign = request();
        foreign.applicant = "someone-else".into();
        assert!(sim.submit(&key("k2"), &Arc::new(foreign)).await.is_err());
        let mut empty = request();
        empty.plan.invoices.clear();
        assert!(sim.submit(&key("k3"), &Arc::new(empty)).await.is_err());
    });
}

async fn issued(sim: &Simulator<SimClock>, clock: &SimClock) -> Vec<IssuedInvoice> {
    let s = sim.submit(&key("k1"), &Arc::new(request())).await.unwrap();
    clock.advance(Duration::from_secs(3600));
    match sim.status(&s.id).await.unwrap() {
        SubmissionStatus::Issued { invoices, .. } => invoices,
        other => panic!("{other:?}"),
    }
}

#[test]
fn documents_are_consistent_xml_and_html() {
    let clock = SimClock::manual(start());
    let sim = Simulator::new(quiet(), clock.clone());
    block_on(async {
        let s = sim.submit(&key("k1"), &Arc::new(request())).await.unwrap();
        assert!(
            sim.documents("24441000000000000001")
                .await
                .unwrap_err()
                .is_not_found()
        );
        clock.advance(Duration::from_secs(3600));
        let SubmissionStatus::Issued {
            invoices,
            summaries,
        } = sim.status(&s.id).await.unwrap()
        else {
            panic!()
        };
        for inv in &invoices {
            let docs = sim.documents(&inv.number).await.unwrap();
            assert_eq!(docs.len(), 4);
            assert_eq!(docs[0].media_type, MediaType::Xml);
            assert_eq!(docs[1].media_type, MediaType::Html);
            assert_eq!(docs[2].media_type, MediaType::Pdf);
            assert_eq!(docs[2].file_name, format!("{}.pdf", inv.number));
            assert!(docs[2].bytes.starts_with(b"%PDF-"));
            // The ZIP holds the XML and the PDF, as delivered alone.
            assert_eq!(docs[3].media_type, MediaType::Zip);
            assert_eq!(docs[3].file_name, format!("{}.zip", inv.number));
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&docs[3].bytes)).unwrap();
            for (i, alone) in [(0, &docs[0]), (1, &docs[2])] {
                let mut entry = zip.by_index(i).unwrap();
                assert_eq!(entry.name(), alone.file_name);
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
                assert_eq!(bytes, alone.bytes);
            }
            let xml = InvoiceXml::from_xml(&docs[0].bytes).unwrap();
            xml.check().unwrap();
            assert_eq!(xml.header.number, inv.number);
            assert_eq!(xml.data.basic.total_gross, inv.gross);
            assert_eq!(xml.data.buyer.name, "某某物流有限公司");
            assert_eq!(xml.data.specific.tolls[0].plate, "粤B12345");
            assert_eq!(xml.supervision.bureau_name, "国家税务总局广东省税务局");
            let html = String::from_utf8(docs[1].bytes.clone()).unwrap();
            assert!(html.contains(&inv.number));
        }
        let docs = sim.documents(&summaries[0].number).await.unwrap();
        let sheet = SummaryXml::from_xml(&docs[0].bytes).unwrap();
        sheet.check().unwrap();
        assert_eq!(sheet.total, m("243.29"));
    });
}

fn reverse_request(number: &str) -> RedReverseRequest {
    RedReverseRequest {
        applicant: "user-10086".into(),
        invoice: number.into(),
        reason: "开票有误".into(),
    }
}

#[test]
fn red_reversal_within_the_window() {
    let clock = SimClock::manual(start());
    let sim = Simulator::new(quiet(), clock.clone());
    let h = sim.handle();
    block_on(async {
        let invoices = issued(&sim, &clock).await;
        let blue = &invoices[0];
        let r = sim
            .red_reverse(&key("red-1"), &reverse_request(&blue.number))
            .await
            .unwrap();
        assert_eq!(r.red.colour, InvoiceColour::Red);
        assert_eq!(r.red.gross, -blue.gross);
        assert_eq!(r.red.original.as_deref(), Some(blue.number.as_str()));
        assert_eq!(r.voided_summaries.len(), 1);
        assert_eq!(r.summaries.len(), 1);
        assert_eq!(r.summaries[0].invoices, vec![invoices[1].number.clone()]);
        assert_eq!(r.summaries[0].gross, invoices[1].gross);

        let red_xml =
            InvoiceXml::from_xml(&sim.documents(&r.red.number).await.unwrap()[0].bytes).unwrap();
        red_xml.check().unwrap();
        assert!(red_xml.is_red());
        assert_eq!(
            red_xml.data.basic.total_gross_in_capitals,
            "（负数）贰佰叁拾贰圆柒角陆分"
        );

        // The same key replays; another key is refused: already reversed.
        let again = sim
            .red_reverse(&key("red-1"), &reverse_request(&blue.number))
            .await
            .unwrap();
        assert_eq!(again, r);
        let e = sim
            .red_reverse(&key("red-2"), &reverse_request(&blue.number))
            .await
            .unwrap_err();
        assert_eq!(e.reasons()[0].code, "INVOICE-ALREADY-REVERSED");
        // A red invoice cannot be reversed.
        let e = sim
            .red_reverse(&key("red-3"), &reverse_request(&r.red.number))
            .await
            .unwrap_err();
        assert_eq!(e.reasons()[0].code, "INVOICE-NOT-BLUE");
        // Someone else's invoice is not found.
        let mut foreign = reverse_request(&invoices[1].number);
        foreign.applicant = "user-2".into();
        assert!(
            sim.red_reverse(&key("red-4"), &foreign)
                .await
                .unwrap_err()
                .is_not_found()
        );
    });
    let live: Vec<_> = h
        .invoices()
        .into_iter()
        .filter(SimInvoice::is_live)
        .collect();
    assert_eq!(live.len(), 1);
    assert_eq!(h.stats().red_invoices, 1);
}

#[test]
fn red_reversal_after_the_window_is_refused() {
    let clock = SimClock::manual(start());
    let sim = Simulator::new(quiet(), clock.clone());
    block_on(async {
        let invoices = issued(&sim, &clock).await;
        clock.advance(Duration::from_secs(366 * 24 * 3600));
        let e = sim
            .red_reverse(&key("red-1"), &reverse_request(&invoices[0].number))
            .await
            .unwrap_err();
        assert!(!e.is_retryable());
        assert_eq!(e.reasons()[0].code, "RED-WINDOW-CLOSED");
    });
}

fn new_title() -> Title {
    serde_json::from_value(serde_json::json!({
        "kind": "enterprise",
        "name": "另一家物流有限公司",
        "taxpayerId": "91440300MA5G00027H",
        "effectiveFrom": "2024-01-01T00:00:00+08:00"
    }))
    .unwrap()
}

#[test]
fn reissue_up_to_the_cap() {
    let clock = SimClock::manual(start());
    let sim = Simulator::new(quiet(), clock.clone());
    block_on(async {
        let invoices = issued(&sim, &clock).await;
        let request = ReissueRequest {
            applicant: "user-10086".into(),
            invoice: invoices[0].number.clone(),
            title: new_title(),
        };
        let r = sim.reissue(&key("re-1"), &request).await.unwrap();
        assert_eq!(r.blue.buyer_name, "另一家物流有限公司");
        assert_eq!(r.blue.gross, invoices[0].gross);
        assert_eq!(
            r.blue.original.as_deref(),
            Some(invoices[0].number.as_str())
        );
        assert_eq!(r.red.gross, -invoices[0].gross);
        assert_eq!(r.summaries.len(), 1);
        assert!(r.summaries[0].invoices.contains(&r.blue.number));
        let xml =
            InvoiceXml::from_xml(&sim.documents(&r.blue.number).await.unwrap()[0].bytes).unwrap();
        xml.check().unwrap();
        assert_eq!(
            xml.data.buyer.id_number.as_deref(),
            Some("91440300MA5G00027H")
        );

        // The national cap is one reissue per invoice, along the chain.
        let second = ReissueRequest {
            invoice: r.blue.number.clone(),
            ..request.clone()
        };
        let e = sim.reissue(&key("re-2"), &second).await.unwrap_err();
        assert_eq!(e.reasons()[0].code, "REISSUE-CAP");
        // The old invoice is reversed now.
        let e = sim.reissue(&key("re-3"), &request).await.unwrap_err();
        assert_eq!(e.reasons()[0].code, "INVOICE-ALREADY-REVERSED");
        // A bad title is an invalid request.
        let mut bad = ReissueRequest {
            invoice: invoices[1].number.clone(),
            ..request.clone()
        };
        bad.title.taxpayer_id = None;
        let e = sim.reissue(&key("re-4"), &bad).await.unwrap_err();
        assert!(matches!(e, PlatformError::InvalidRequest { .. }));
    });
}

#[test]
fn same_seed_same_run() {
    let run = |seed: u64| {
        let clock = SimClock::auto(start());
        let config = SimConfig {
            seed,
            faults: FaultPlan::random(FaultRates::uniform(Chance::percent(20))),
            reject_rate: Chance::percent(30),
            ..SimConfig::default()
        };
        let sim = Simulator::new(config, clock.clone());
        let h = sim.handle();
        block_on(async {
            let mut out = Vec::new();
            for i in 0..20 {
                out.push(format!(
                    "{:?}",
                    sim.submit(&key(&format!("k{i}")), &Arc::new(request()))
                        .await
                        .map(|s| s.id)
                ));
            }
            clock.advance(Duration::from_secs(100_000));
            out.push(format!("{:?}", h.stats()));
            out
        })
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5), run(6));
}

#[test]
fn zero_padding_matches_format() {
    for (n, width) in [
        (0, 2),
        (7, 2),
        (44, 2),
        (123, 2),
        (1, 15),
        (999_999_999_999_999, 15),
        (42, 10),
        (u64::MAX, 15),
        (u64::MAX, 25),
    ] {
        let mut out = String::from("x");
        push_zero_padded(&mut out, n, width);
        assert_eq!(out, format!("x{n:0width$}"), "{n} to {width}");
    }
}

#[test]
fn taxpayer_province_reads_as_parse_did() {
    // The former reading: collect the third and fourth characters, parse.
    fn collected(id: &str) -> Option<Province> {
        if id.chars().count() != 18 {
            return None;
        }
        let prefix: String = id.chars().skip(2).take(2).collect();
        prefix
            .parse::<u8>()
            .ok()
            .and_then(Province::from_gb2260_prefix)
    }
    for id in [
        "91440300MA5XXXXX0X",
        "91110000600037341L",
        "9131000013221158XX",
        "91+40300MA5XXXXX0X",
        "914+0300MA5XXXXX0X",
        "91++0300MA5XXXXX0X",
        "91aa0300MA5XXXXX0X",
        "91９９0300MA5XXXXX0",
        "91000300MA5XXXXX0X",
        "91990300MA5XXXXX0X",
        "9144",
        "",
    ] {
        assert_eq!(build::province_of_taxpayer(id), collected(id), "{id}");
    }
}
