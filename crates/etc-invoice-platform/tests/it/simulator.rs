//! The simulator against real plans of the bundled sample month, and the
//! fixture the service tests share.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions fail the test by panicking"
)]

use std::sync::Arc;
use std::time::Duration;

use etc_invoice_order::import::{JsonLinesReader, PassageCsvReader};
use etc_invoice_order::{CstDateTime, Passage, Record};
use etc_invoice_platform::sim::{Fault, Op};
use etc_invoice_platform::{
    DynInvoicePlatform, IdempotencyKey, InvoicePlatform, InvoiceXml, MediaType, SimClock,
    SimConfig, Simulator, SubmissionStatus, SubmitRequest, SummaryXml,
};
use etc_invoice_province::RuleBook;
use etc_invoice_rules::{
    Context, InvoiceApplication, InvoicePlan, MemoryContext, Validator, plan_invoices,
};
use uuid::Uuid;

const PASSAGES: &str = include_str!("../../../../examples/data/passages-2024-03.csv");
const RECORDS: &str = include_str!("../../../../examples/data/records-2024-03.jsonl");

/// The applicant of the fixture.
pub const APPLICANT: &str = "user-10086";
/// The sample's debit card with 26 passages.
pub const CARD: &str = "44019912345678900011";

/// The sample month in memory, with [`CARD`] bound to [`APPLICANT`].
pub struct World {
    pub ctx: MemoryContext,
    pub passages: Vec<Passage>,
}

impl World {
    pub fn load() -> World {
        let passages: Vec<Passage> = PassageCsvReader::new(PASSAGES.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap();
        let others: Vec<Record> = JsonLinesReader::new(RECORDS.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap();
        let mut ctx = MemoryContext::new();
        ctx.extend(others);
        ctx.extend(passages.iter().cloned().map(Record::Passage));
        ctx.bind(APPLICANT, CARD.parse().unwrap());
        World { ctx, passages }
    }

    /// The settled passages of [`CARD`], by id.
    pub fn settled(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .passages
            .iter()
            .filter(|p| p.card().as_str() == CARD && p.settled_at().is_some())
            .map(|p| p.id().to_string())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    pub fn context(&self) -> Context<'_> {
        Context::new(&self.ctx)
    }
}

/// "Now" of the fixture: mid-April 2024.
pub fn now() -> CstDateTime {
    "2024-04-15 09:00:00".parse().unwrap()
}

/// An enterprise application for [`CARD`] in March 2024.
pub fn application(id: u128, selected: &[String], merge_mode: &str) -> InvoiceApplication {
    serde_json::from_value(serde_json::json!({
        "id": Uuid::from_u128(id),
        "applicant": APPLICANT,
        "card": CARD,
        "month": "2024-03",
        "requestedAt": "2024-04-15T08:30:00+08:00",
        "kind": "consumption",
        "selected": selected,
        "title": {
            "kind": "enterprise",
            "name": "某某物流有限公司",
            "taxpayerId": "91110000600037341L",
            "address": "广州市天河区某路1号",
            "effectiveFrom": "2024-01-01T00:00:00+08:00"
        },
        "delivery": { "email": "finance@example.com" },
        "mergeMode": merge_mode,
        "channel": "miniProgram"
    }))
    .unwrap()
}

/// Validates and plans `app` against the world.
pub fn plan(world: &World, app: &InvoiceApplication) -> InvoicePlan {
    let book = RuleBook::builtin();
    let report = Validator::new(&book).validate(app, &world.context(), now());
    assert!(report.passed(), "{:#?}", report.errors());
    plan_invoices(report.validated().unwrap(), &world.ctx, &book).unwrap()
}

pub fn quiet_config() -> SimConfig {
    SimConfig {
        seed: 11,
        reject_rate: etc_invoice_platform::sim::Chance::NEVER,
        ..SimConfig::default()
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(f)
}

fn request(world: &World, merge_mode: &str) -> Arc<SubmitRequest> {
    let app = application(1, &world.settled(), merge_mode);
    let plan = plan(world, &app);
    Arc::new(SubmitRequest {
        applicant: APPLICANT.to_owned(),
        application: app,
        plan,
    })
}

#[test]
fn issues_a_real_plan_with_consistent_documents() {
    let world = World::load();
    for mode in ["monthly", "perTrip"] {
        let request = request(&world, mode);
        let clock = SimClock::manual(now());
        let sim = Simulator::new(quiet_config(), clock.clone());
        block_on(async {
            let key = IdempotencyKey::for_application(request.application.id);
            let s = sim.submit(&key, &request).await.unwrap();
            clock.advance(Duration::from_secs(24 * 3600));
            let SubmissionStatus::Issued {
                invoices,
                summaries,
            } = sim.status(&s.id).await.unwrap()
            else {
                panic!("not issued");
            };
            assert_eq!(invoices.len(), request.plan.invoices.len());
            assert_eq!(summaries.len(), request.plan.summaries.len());
            let gross: i64 = invoices.iter().map(|i| i.gross.to_fen()).sum();
            assert_eq!(gross, request.plan.totals.gross.to_fen());
            for (inv, draft) in invoices.iter().zip(&request.plan.invoices) {
                if draft.document == etc_invoice_order::DocumentKind::FiscalEBill {
                    assert_eq!(inv.number.len(), 19, "{}", inv.number);
                    assert_eq!(inv.number.find('-'), Some(8));
                } else {
                    assert_eq!(inv.number.len(), 20);
                    assert!(inv.number.bytes().all(|b| b.is_ascii_digit()));
                }
                let docs = sim.documents(&inv.number).await.unwrap();
                let xml = docs
                    .iter()
                    .find(|d| d.media_type == MediaType::Xml)
                    .unwrap();
                let parsed = InvoiceXml::from_xml(&xml.bytes).unwrap();
                parsed.check().unwrap();
                assert_eq!(parsed.data.items.len(), draft.lines.len());
                assert_eq!(parsed.data.basic.total_gross, draft.total_gross);
                assert_eq!(parsed.data.seller.name, draft.seller.name.to_string());
            }
            for sheet in &summaries {
                assert_eq!(sheet.number.len(), 16);
                assert!(sheet.number.starts_with("44202404"));
                let docs = sim.documents(&sheet.number).await.unwrap();
                SummaryXml::from_xml(&docs[0].bytes)
                    .unwrap()
                    .check()
                    .unwrap();
            }
        });
    }
}

#[test]
fn works_behind_dyn() {
    let world = World::load();
    let request = request(&world, "monthly");
    let clock = SimClock::auto(now());
    let sim: Box<dyn DynInvoicePlatform> = Box::new(Simulator::new(quiet_config(), clock.clone()));
    block_on(async {
        let key = IdempotencyKey::for_application(request.application.id);
        let s = sim.submit(&key, &request).await.unwrap();
        let again = sim.submit_boxed(&key, &request).await.unwrap();
        assert_eq!(s, again);
        clock.advance(Duration::from_secs(24 * 3600));
        assert!(sim.status(&s.id).await.unwrap().is_terminal());
    });
}

#[test]
fn every_scripted_fault_keeps_one_submission() {
    let world = World::load();
    let request = request(&world, "monthly");
    for fault in [
        Fault::LoseResponseAfterCommit,
        Fault::Timeout,
        Fault::DuplicateDelivery,
        Fault::ServerError { status: 500 },
        Fault::RateLimited {
            retry_after: Duration::from_secs(1),
        },
    ] {
        let sim = Simulator::new(quiet_config(), SimClock::auto(now()));
        let handle = sim.handle();
        handle.script(Some(Op::Submit), fault.clone());
        block_on(async {
            let key = IdempotencyKey::for_application(request.application.id);
            let first = sim.submit(&key, &request).await;
            let second = sim.submit(&key, &request).await.unwrap();
            if let Ok(first) = first {
                assert_eq!(first, second);
            }
        });
        assert_eq!(handle.stats().submissions, 1, "{fault:?}");
        assert_eq!(handle.stats().duplicate_mismatches, 0);
    }
}
