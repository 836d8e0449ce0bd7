//! Deterministic simulation: many concurrent applications over shared cards
//! against the simulator, with random platform faults, random red
//! reversals and reissues, and random crashes of the service (its tasks dropped mid-flight,
//! the SQLite ledger reopened from its file, `resume()` run — sometimes
//! crashed again). After every run the invariants must hold:
//!
//! 1. no transaction is invoiced twice (no toll segment on two live
//!    invoices, no transaction on live invoices of two submissions);
//! 2. every transaction ends free or invoiced, none stuck reserved, and the
//!    ledger's view matches the platform's: the same transactions invoiced,
//!    and every blue invoice recorded, reversed and replaced as the platform
//!    says;
//! 3. Σ issued gross (the platform's live blue invoices) = Σ committed gross
//!    (the ledger) = Σ charged of the segments those invoices carry;
//! 4. every issued invoice's XML (blue and red) parses and its totals match.
//!
//! Everything runs on a current-thread tokio runtime with paused time, so
//! the simulated hours pass at once and a seed always gives the same run.
//!
//! Seeds: `ETC_SIM_SEEDS=1000..1500 cargo test -p etc-invoice-platform --test
//! simulation -- --nocapture` (a single seed `42` is `42..43`); the default
//! range is [`DEFAULT_SEEDS`]. The range run is printed; a failure prints the
//! seed that reproduces it.

#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers outside `#[test]` functions fail the test by panicking"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Arc;
use std::time::Duration;

use etc_invoice_order::import::{JsonLinesReader, PassageCsvReader};
use etc_invoice_order::{CstDateTime, Money, Passage, Record, TransactionId};
use etc_invoice_platform::sim::{Chance, FaultPlan, FaultRates};
use etc_invoice_platform::{
    ApplyOutcome, InvoiceColour, InvoicePlatform, InvoiceService, InvoiceXml, Jitter, Ledger,
    MediaType, RetryPolicy, ServiceError, SimConfig, SimHandle, Simulator, SqliteLedger,
    TokioClock, TransactionState,
};
use etc_invoice_province::RuleBook;
use etc_invoice_rules::{Context, InvoiceApplication, MemoryContext, SegmentRef, Title};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::task::JoinSet;
use uuid::Uuid;

/// The seeds run when `ETC_SIM_SEEDS` is not set: sized so that this target
/// takes well under two minutes on a 2-core machine in a debug build.
const DEFAULT_SEEDS: Range<u64> = 0..80;

const PASSAGES: &str = include_str!("../../../examples/data/passages-2024-03.csv");
const RECORDS: &str = include_str!("../../../examples/data/records-2024-03.jsonl");
const CARD: &str = "44019912345678900011";
const APPLICANTS: [&str; 3] = ["user-a", "user-b", "user-c"];
/// Copies of the card's settled passages (under new ids), so that the
/// shared card has enough transactions to fight over.
const COPIES: usize = 3;

fn seeds() -> Range<u64> {
    let Ok(text) = std::env::var("ETC_SIM_SEEDS") else {
        return DEFAULT_SEEDS;
    };
    let text = text.trim();
    let parsed = match text.split_once("..") {
        Some((a, b)) => a.trim().parse().ok().zip(b.trim().parse().ok()),
        None => text.parse().ok().map(|a: u64| (a, a + 1)),
    };
    match parsed {
        Some((a, b)) if a < b => a..b,
        _ => panic!("ETC_SIM_SEEDS must look like `1000..1500` or `42`, not `{text}`"),
    }
}

#[test]
fn simulation() {
    let range = seeds();
    // Written to the process's stderr directly, past the test harness's
    // capture: the range run is shown even when the test passes.
    show(&format!(
        "simulation: ETC_SIM_SEEDS={}..{} ({} seeds)",
        range.start,
        range.end,
        range.end - range.start
    ));
    let world = Arc::new(World::load());
    let mut totals = Totals::default();
    for seed in range.clone() {
        let result = catch_unwind(AssertUnwindSafe(|| run(seed, &world)));
        match result {
            Ok(summary) => totals.add(&summary),
            Err(panic) => {
                show(&format!(
                    "simulation failed at seed {seed}; reproduce with: ETC_SIM_SEEDS={seed}..{} cargo test -p etc-invoice-platform --test simulation -- --nocapture",
                    seed + 1
                ));
                resume_unwind(panic);
            }
        }
    }
    show(&format!(
        "simulation: {} seeds ok — {} applications ({} issued, {} rejected, {} invalid, {} already held, {} pending before resume), {} crashes, {} red reversals, {} reissues ({} refused at the cap), {} invoices issued, {} faults injected",
        range.end - range.start,
        totals.applications,
        totals.issued,
        totals.rejected,
        totals.invalid,
        totals.held,
        totals.pending,
        totals.crashes,
        totals.reversals,
        totals.reissues,
        totals.capped,
        totals.invoices,
        totals.faults
    ));
}

/// Writes a line to the process's stderr, which the test harness does not
/// capture.
fn show(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// The same seed gives the same run.
#[test]
fn simulation_is_deterministic() {
    let world = World::load();
    let seed = seeds().start;
    assert_eq!(run(seed, &world), run(seed, &world));
}

/// The sample month with copies of the shared card's passages.
struct World {
    ctx: MemoryContext,
    /// The shared card's settled passages.
    passages: Vec<Passage>,
    /// Charged amount per segment.
    charged: BTreeMap<SegmentRef, Money>,
}

impl World {
    fn load() -> World {
        let mut ctx = MemoryContext::new();
        let others: Vec<Record> = JsonLinesReader::new(RECORDS.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap();
        ctx.extend(others);
        let mut passages = Vec::new();
        for p in PassageCsvReader::new(PASSAGES.as_bytes()) {
            let p = p.unwrap();
            ctx.insert(Record::Passage(p.clone()));
            if p.card().as_str() == CARD && p.settled_at().is_some() {
                passages.push(p);
            }
        }
        let originals = passages.clone();
        for k in 1..=COPIES {
            for p in &originals {
                let mut parts = p.parts().clone();
                parts.id = format!("{}C{k}", p.id()).parse().unwrap();
                let copy = Passage::new(parts).unwrap();
                ctx.insert(Record::Passage(copy.clone()));
                passages.push(copy);
            }
        }
        for a in APPLICANTS {
            ctx.bind(a, CARD.parse().unwrap());
        }
        let mut charged = BTreeMap::new();
        for p in &passages {
            for (i, s) in p.segments().iter().enumerate() {
                let r = SegmentRef {
                    transaction: p.id().clone(),
                    segment: u32::try_from(i).unwrap(),
                };
                charged.insert(r, s.charged());
            }
        }
        World {
            ctx,
            passages,
            charged,
        }
    }
}

fn now() -> CstDateTime {
    "2024-04-15 09:00:00".parse().unwrap()
}

fn application(
    id: Uuid,
    applicant: &str,
    selected: Vec<String>,
    per_trip: bool,
) -> InvoiceApplication {
    serde_json::from_value(serde_json::json!({
        "id": id,
        "applicant": applicant,
        "card": CARD,
        "month": "2024-03",
        "requestedAt": "2024-04-15T08:30:00+08:00",
        "kind": "consumption",
        "selected": selected,
        "title": {
            "kind": "enterprise",
            "name": format!("{applicant} 物流有限公司"),
            "taxpayerId": "91110000600037341L",
            "effectiveFrom": "2024-01-01T00:00:00+08:00"
        },
        "delivery": { "email": "finance@example.com" },
        "mergeMode": if per_trip { "perTrip" } else { "monthly" },
        "channel": "miniProgram"
    }))
    .unwrap()
}

/// The title every reissue in the simulation changes to.
fn new_title() -> Title {
    serde_json::from_value(serde_json::json!({
        "kind": "personal",
        "name": "换开后的抬头",
        "effectiveFrom": "2024-01-01T00:00:00+08:00"
    }))
    .unwrap()
}

/// What one run did (also its fingerprint for the determinism check).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Summary {
    applications: usize,
    outcomes: BTreeMap<&'static str, usize>,
    crashes: usize,
    reversals: usize,
    reissues: usize,
    /// Reissues the province's cap refused.
    capped: usize,
    invoices: usize,
    faults: u64,
    committed_fen: i64,
    final_time: String,
}

#[derive(Default)]
struct Totals {
    applications: usize,
    issued: usize,
    rejected: usize,
    invalid: usize,
    held: usize,
    pending: usize,
    crashes: usize,
    reversals: usize,
    reissues: usize,
    capped: usize,
    invoices: usize,
    faults: u64,
}

impl Totals {
    fn add(&mut self, s: &Summary) {
        let n = |k: &str| s.outcomes.get(k).copied().unwrap_or(0);
        self.applications += s.applications;
        self.issued += n("issued");
        self.rejected += n("rejected");
        self.invalid += n("invalid");
        self.held += n("already_held");
        self.pending += n("pending") + n("crashed") + n("error");
        self.crashes += s.crashes;
        self.reversals += s.reversals;
        self.reissues += s.reissues;
        self.capped += s.capped;
        self.invoices += s.invoices;
        self.faults += s.faults;
    }
}

type Service = InvoiceService<Arc<Simulator<TokioClock>>, SqliteLedger, TokioClock>;

fn run(seed: u64, world: &World) -> Summary {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    runtime.block_on(simulate(seed, world))
}

fn chance(rng: &mut ChaCha8Rng, max_permille: u32) -> Chance {
    Chance::per_mille(rng.random_range(0..=max_permille))
}

async fn simulate(seed: u64, world: &World) -> Summary {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite");
    let clock = TokioClock::starting_at(now());

    let rates = FaultRates {
        lose_response_after_commit: chance(&mut rng, 80),
        timeout: chance(&mut rng, 80),
        duplicate_delivery: chance(&mut rng, 80),
        server_error: chance(&mut rng, 80),
        rate_limited: chance(&mut rng, 60),
        slow_review: chance(&mut rng, 100),
    };
    let config = SimConfig {
        seed,
        review_time: Duration::from_secs(rng.random_range(30..=1200)),
        review_jitter: Duration::from_secs(rng.random_range(0..=600)),
        reject_rate: chance(&mut rng, 150),
        faults: FaultPlan {
            rates,
            retry_after: Duration::from_secs(rng.random_range(1..=30)),
            ..FaultPlan::none()
        },
        ..SimConfig::default()
    };
    let sim = Arc::new(Simulator::new(config, clock));
    let handle = sim.handle();
    let policy = RetryPolicy {
        max_attempts: rng.random_range(1..=5),
        base_delay: Duration::from_millis(500),
        max_delay: Duration::from_secs(20),
        multiplier: 2,
        jitter: Jitter::Seeded { seed },
        poll_interval: Duration::from_secs(rng.random_range(5..=60)),
        poll_timeout: Duration::from_secs(rng.random_range(60..=3600)),
    };
    let open = |policy: RetryPolicy| -> Arc<Service> {
        Arc::new(InvoiceService::new(
            Arc::clone(&sim),
            SqliteLedger::open(&path).unwrap(),
            RuleBook::builtin(),
            clock,
            policy,
        ))
    };

    let ids: Vec<String> = world.passages.iter().map(|p| p.id().to_string()).collect();
    let mut summary = Summary::default();
    let mut posted: Vec<InvoiceApplication> = Vec::new();
    // Reversals whose outcome is unknown: the caller repeats them later
    // (same key, so the platform replays).
    let mut unsure: Vec<(String, String)> = Vec::new();
    // Reissues likewise.
    let mut unsure_reissues: Vec<(String, String)> = Vec::new();
    let batches = rng.random_range(2..=3);
    for batch in 0..batches {
        // The applications of this batch, some of them repeats of earlier
        // ones (a mini program posting twice).
        let count = rng.random_range(6..=14);
        let mut apps = Vec::with_capacity(count);
        for n in 0..count {
            if !posted.is_empty() && rng.random_ratio(1, 8) {
                let i = rng.random_range(0..posted.len());
                apps.push(posted[i].clone());
                continue;
            }
            let take = rng.random_range(1..=8);
            let mut selected: BTreeSet<String> = BTreeSet::new();
            for _ in 0..take {
                selected.insert(ids[rng.random_range(0..ids.len())].clone());
            }
            let id = Uuid::from_u128((u128::from(seed) << 64) | (batch << 16 | n) as u128);
            let applicant = APPLICANTS[rng.random_range(0..APPLICANTS.len())];
            let app = application(
                id,
                applicant,
                selected.into_iter().collect(),
                rng.random_ratio(1, 2),
            );
            posted.push(app.clone());
            apps.push(app);
        }
        summary.applications += apps.len();

        // Run them concurrently, arriving over a few minutes; maybe crash.
        let svc = open(policy.clone());
        let mut set = JoinSet::new();
        for app in apps {
            let svc = Arc::clone(&svc);
            let ctx = world.ctx.clone();
            let delay = Duration::from_secs(15 * rng.random_range(0..=20));
            // Sometimes other tasks run between validation and reservation:
            // a race only the ledger can catch.
            let yields = if rng.random_ratio(1, 3) {
                rng.random_range(1..=4)
            } else {
                0
            };
            set.spawn(async move {
                tokio::time::sleep(delay).await;
                let future = {
                    let context = Context::new(&ctx);
                    svc.apply(&app, &context)
                };
                for _ in 0..yields {
                    tokio::task::yield_now().await;
                }
                future.await
            });
        }
        let crash_at = rng
            .random_ratio(3, 5)
            .then(|| Duration::from_secs(rng.random_range(1..=2400)));
        let outcomes = run_until(&mut set, crash_at).await;
        if crash_at.is_some() && !set.is_empty() {
            summary.crashes += 1;
        }
        *summary.outcomes.entry("crashed").or_default() += set.len();
        set.abort_all();
        while set.join_next().await.is_some() {}
        for o in outcomes {
            let kind = match o {
                Ok(o) => o.kind(),
                Err(_) => "error",
            };
            *summary.outcomes.entry(kind).or_default() += 1;
        }
        drop(svc);

        // Restart: reopen the ledger and resume, perhaps crashing again.
        let svc = open(policy.clone());
        if rng.random_ratio(1, 3) {
            let cut = Duration::from_secs(rng.random_range(1..=600));
            if tokio::time::timeout(cut, svc.resume()).await.is_err() {
                summary.crashes += 1;
            }
            drop(svc);
        } else {
            svc.resume().await.unwrap();
            // A few red reversals and reissues of what stands.
            for _ in 0..rng.random_range(0..=2) {
                let live: Vec<_> = handle
                    .invoices()
                    .into_iter()
                    .filter(|i| i.is_live())
                    .collect();
                if live.is_empty() {
                    break;
                }
                let pick = &live[rng.random_range(0..live.len())];
                if svc
                    .ledger()
                    .invoice(&pick.invoice.number)
                    .unwrap()
                    .is_none()
                {
                    // Issued for an application not committed yet, or by a
                    // reissue whose reply was lost.
                    continue;
                }
                let in_doubt = unsure
                    .iter()
                    .chain(&unsure_reissues)
                    .any(|(_, n)| *n == pick.invoice.number);
                if in_doubt {
                    // A careful client does not start another operation on
                    // an invoice while one is in doubt: it finishes that one
                    // first (below, at the end).
                    continue;
                }
                if rng.random_ratio(1, 3) {
                    let number = &pick.invoice.number;
                    match svc.reissue(&pick.applicant, number, new_title()).await {
                        Ok(_) => summary.reissues += 1,
                        Err(e) if at_cap(&e) => summary.capped += 1,
                        Err(e) => {
                            assert!(
                                e.platform_error().is_some_and(|p| p.is_retryable()),
                                "seed {seed}: reissue failed: {e:?}"
                            );
                            unsure_reissues.push((pick.applicant.clone(), number.clone()));
                        }
                    }
                    continue;
                }
                match svc
                    .red_reverse(&pick.applicant, &pick.invoice.number, "开票有误")
                    .await
                {
                    Ok(_) => summary.reversals += 1,
                    Err(e) => {
                        assert!(
                            e.platform_error().is_some_and(|p| p.is_retryable()),
                            "seed {seed}: reversal failed: {e:?}"
                        );
                        unsure.push((pick.applicant.clone(), pick.invoice.number.clone()));
                    }
                }
            }
        }
    }

    // Final recovery, without faults in the way and with patience.
    handle.set_rates(FaultRates::default());
    let patient = RetryPolicy {
        max_attempts: 8,
        poll_timeout: Duration::from_secs(7 * 24 * 3600),
        ..policy.clone()
    };
    let svc = open(patient);
    for result in svc.resume().await.unwrap() {
        assert!(
            matches!(
                result.outcome,
                Ok(ApplyOutcome::Issued { .. } | ApplyOutcome::Rejected { .. })
            ),
            "seed {seed}: resume of {} ended {:?}",
            result.application,
            result.outcome
        );
    }
    for (applicant, number) in &unsure {
        svc.red_reverse(applicant, number, "开票有误")
            .await
            .unwrap_or_else(|e| {
                panic!("seed {seed}: repeating the reversal of {number} failed: {e:?}")
            });
        summary.reversals += 1;
    }
    for (applicant, number) in &unsure_reissues {
        match svc.reissue(applicant, number, new_title()).await {
            Ok(_) => summary.reissues += 1,
            // The attempt in doubt did not reissue (faults kept it from the
            // platform, or hid a refusal), and the invoice is at its cap:
            // refused now as it was or would have been then. A reissue that
            // did land is replayed under its key, so this cannot hide one
            // (and the invariants below compare the ledger with the
            // platform).
            Err(e) if at_cap(&e) => summary.capped += 1,
            Err(e) => panic!("seed {seed}: repeating the reissue of {number} failed: {e:?}"),
        }
    }
    check_invariants(seed, world, &svc, &handle).await;

    let stats = handle.stats();
    summary.invoices = usize::try_from(stats.blue_invoices + stats.red_invoices).unwrap();
    summary.faults = stats.faults.values().sum();
    summary.committed_fen = svc.ledger().committed_gross().unwrap().to_fen();
    summary.final_time = etc_invoice_platform::Clock::now(svc.clock()).to_string();
    summary
}

/// Whether the platform refused a reissue because the invoice is at the
/// province's reissue cap.
fn at_cap(e: &ServiceError) -> bool {
    e.platform_error()
        .is_some_and(|p| p.reasons().first().is_some_and(|r| r.code == "REISSUE-CAP"))
}

/// Waits for every task, or until `crash_at` (virtual time) passes;
/// returns the outcomes of the tasks that finished.
async fn run_until<T: 'static>(set: &mut JoinSet<T>, crash_at: Option<Duration>) -> Vec<T> {
    let mut done = Vec::new();
    let deadline = crash_at.map(|d| tokio::time::Instant::now() + d);
    loop {
        let next = match deadline {
            Some(d) => match tokio::time::timeout_at(d, set.join_next()).await {
                Ok(next) => next,
                Err(_) => return done,
            },
            None => set.join_next().await,
        };
        match next {
            Some(Ok(v)) => done.push(v),
            Some(Err(e)) => panic!("task failed: {e}"),
            None => return done,
        }
    }
}

async fn check_invariants(seed: u64, world: &World, svc: &Service, handle: &SimHandle) {
    let ledger = svc.ledger();
    let invoices = handle.invoices();
    let live: Vec<_> = invoices.iter().filter(|i| i.is_live()).collect();

    // 1. No segment on two live invoices; no transaction on live invoices
    //    of two different submissions (a reissue counts as its original's).
    let mut segment_owner: BTreeMap<&SegmentRef, &str> = BTreeMap::new();
    for inv in &live {
        for s in &inv.segments {
            if let Some(other) = segment_owner.insert(s, &inv.invoice.number) {
                panic!(
                    "seed {seed}: segment {}#{} is on live invoices {other} and {}",
                    s.transaction, s.segment, inv.invoice.number
                );
            }
        }
    }
    let origin = |number: &str| -> String {
        // Follow reissues back to the invoice issued for a submission.
        let mut n = number.to_owned();
        loop {
            let Some(i) = invoices.iter().find(|i| i.invoice.number == n) else {
                return n;
            };
            match (&i.submission, &i.invoice.original) {
                (Some(s), _) => return s.to_string(),
                (None, Some(o)) => n = o.clone(),
                (None, None) => return n,
            }
        }
    };
    let mut tx_submission: BTreeMap<&TransactionId, String> = BTreeMap::new();
    for inv in &live {
        let sub = origin(&inv.invoice.number);
        for t in &inv.invoice.transactions {
            if let Some(other) = tx_submission.insert(t, sub.clone()) {
                assert_eq!(
                    other, sub,
                    "seed {seed}: transaction {t} invoiced by two submissions"
                );
            }
        }
    }

    // 2. Nothing stuck; the ledger agrees with the platform.
    assert!(
        ledger.unfinished().unwrap().is_empty(),
        "seed {seed}: unfinished applications remain"
    );
    for p in &world.passages {
        let covered = tx_submission.contains_key(p.id());
        match ledger.transaction(p.id()).unwrap() {
            TransactionState::Free => assert!(
                !covered,
                "seed {seed}: {} is free in the ledger but invoiced",
                p.id()
            ),
            TransactionState::Invoiced { .. } => {
                assert!(
                    covered,
                    "seed {seed}: {} is invoiced in the ledger only",
                    p.id()
                );
            }
            TransactionState::Reserved { application } => {
                panic!("seed {seed}: {} is stuck reserved by {application}", p.id())
            }
        }
    }

    //    Every blue invoice the platform issued is in the ledger, reversed
    //    and replaced as the platform says, for the same amount.
    for inv in invoices
        .iter()
        .filter(|i| i.visible && i.invoice.colour == InvoiceColour::Blue)
    {
        let number = &inv.invoice.number;
        let record = ledger
            .invoice(number)
            .unwrap()
            .unwrap_or_else(|| panic!("seed {seed}: invoice {number} is not in the ledger"));
        assert_eq!(
            record.reversed,
            inv.reversed_by.is_some(),
            "seed {seed}: {number} reversed?"
        );
        assert_eq!(record.replaced_by, inv.replaced_by, "seed {seed}: {number}");
        assert_eq!(
            record.replaces, inv.invoice.original,
            "seed {seed}: {number}"
        );
        assert_eq!(record.gross, inv.invoice.gross, "seed {seed}: {number}");
    }

    // 3. Σ issued gross = Σ committed gross = Σ charged of the segments.
    let issued = Money::checked_sum(live.iter().map(|i| i.invoice.gross)).unwrap();
    let committed = ledger.committed_gross().unwrap();
    assert_eq!(issued, committed, "seed {seed}: issued ≠ committed");
    let charged = Money::checked_sum(
        live.iter()
            .flat_map(|i| i.segments.iter())
            .map(|s| world.charged.get(s).copied().unwrap_or(Money::ZERO)),
    )
    .unwrap();
    assert_eq!(issued, charged, "seed {seed}: issued ≠ charged");

    // 4. Every issued invoice's XML parses and adds up.
    for inv in invoices.iter().filter(|i| i.visible) {
        let docs = svc.platform().documents(&inv.invoice.number).await.unwrap();
        let xml = docs
            .iter()
            .find(|d| d.media_type == MediaType::Xml)
            .unwrap_or_else(|| panic!("seed {seed}: no xml for {}", inv.invoice.number));
        let doc = InvoiceXml::from_xml(&xml.bytes).unwrap_or_else(|e| {
            panic!(
                "seed {seed}: xml of {} does not parse: {e}",
                inv.invoice.number
            )
        });
        doc.check().unwrap_or_else(|e| {
            panic!(
                "seed {seed}: xml of {} does not add up: {e}",
                inv.invoice.number
            )
        });
        assert_eq!(doc.header.number, inv.invoice.number);
        assert_eq!(doc.data.basic.total_gross, inv.invoice.gross, "seed {seed}");
        assert_eq!(doc.data.basic.total_net, inv.invoice.net, "seed {seed}");
        assert_eq!(doc.data.basic.total_tax, inv.invoice.tax, "seed {seed}");
    }
    assert_eq!(handle.stats().duplicate_mismatches, 0, "seed {seed}");
}
