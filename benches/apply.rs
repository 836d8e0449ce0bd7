//! The apply service end to end against the simulator: validate → plan →
//! reserve → submit → poll → commit, one 3-passage application per
//! iteration, with the in-memory ledger and with the SQLite ledger (a file
//! in WAL mode, `synchronous=NORMAL`); and, as the baseline measured in the
//! same run, the raw rate of single-row SQLite inserts (autocommit) with the
//! same settings.
//!
//! The simulated review is instantaneous here (time is virtual anyway): what
//! is measured is the work per application, not the waiting.
//!
//! Run: `cargo bench --bench apply -- --warm-up-time 1 --measurement-time 3`

#![expect(
    missing_docs,
    reason = "criterion_main! generates an undocumented public main"
)]
#![expect(
    clippy::unwrap_used,
    reason = "a benchmark fails loudly on setup errors"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use etc_invoice::order::import::PassageCsvReader;
use etc_invoice::order::{CstDateTime, Passage, Record};
use etc_invoice::platform::sim::Chance;
use etc_invoice::platform::{
    ApplyOutcome, InvoiceService, Ledger, MemoryLedger, RetryPolicy, SimClock, SimConfig,
    Simulator, SqliteLedger,
};
use etc_invoice::province::RuleBook;
use etc_invoice::rules::{Context, InvoiceApplication, MemoryContext};

const PASSAGES: &str = include_str!("../examples/data/passages-2024-03.csv");
const CARD: &str = "44019912345678900011";
const APPLICANT: &str = "user-bench";
/// Passages per application.
const PER_APP: usize = 3;

fn now() -> CstDateTime {
    "2024-04-15 09:00:00".parse().unwrap()
}

/// Makes applications over fresh copies of the sample card's passages.
struct Maker {
    templates: Vec<Passage>,
    n: u64,
}

impl Maker {
    fn new() -> Maker {
        let templates: Vec<Passage> = PassageCsvReader::new(PASSAGES.as_bytes())
            .map(Result::unwrap)
            .filter(|p| p.card().as_str() == CARD && p.settled_at().is_some())
            .collect();
        Maker { templates, n: 0 }
    }

    /// `count` applications and a context holding their passages.
    fn batch(&mut self, count: u64) -> (MemoryContext, Vec<InvoiceApplication>) {
        let mut ctx = MemoryContext::new();
        ctx.bind(APPLICANT, CARD.parse().unwrap());
        let mut apps = Vec::with_capacity(usize::try_from(count).unwrap());
        for _ in 0..count {
            self.n += 1;
            let n = self.n;
            let mut selected = Vec::with_capacity(PER_APP);
            for k in 0..PER_APP {
                let i = (usize::try_from(n).unwrap() * PER_APP + k) % self.templates.len();
                let template = self.templates.get(i).unwrap();
                let mut parts = template.parts().clone();
                parts.id = format!("B{n:09}-{k}").parse().unwrap();
                selected.push(parts.id.to_string());
                ctx.insert(Record::Passage(Passage::new(parts).unwrap()));
            }
            let app: InvoiceApplication = serde_json::from_value(serde_json::json!({
                "id": uuid::Uuid::from_u128(u128::from(n)),
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
                    "effectiveFrom": "2024-01-01T00:00:00+08:00"
                },
                "delivery": { "email": "finance@example.com" },
                "mergeMode": "monthly",
                "channel": "miniProgram"
            }))
            .unwrap();
            apps.push(app);
        }
        (ctx, apps)
    }
}

fn instant_review() -> SimConfig {
    SimConfig {
        seed: 1,
        accept_delay: Duration::ZERO,
        review_time: Duration::ZERO,
        review_jitter: Duration::ZERO,
        issue_interval: Duration::ZERO,
        reject_rate: Chance::NEVER,
        ..SimConfig::default()
    }
}

/// Times `iters` applies through a service over `ledger`.
fn bench_apply<L: Ledger>(maker: &mut Maker, ledger: L, c: &mut Criterion, name: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let clock = SimClock::auto(now());
    let sim = Simulator::new(instant_review(), clock.clone());
    let service = InvoiceService::new(
        sim,
        ledger,
        RuleBook::builtin(),
        clock,
        RetryPolicy::default(),
    );
    let mut group = c.benchmark_group("apply");
    group.throughput(Throughput::Elements(1));
    group.sample_size(20);
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let (ctx, apps) = maker.batch(iters);
            let context = Context::new(&ctx);
            let start = Instant::now();
            for app in &apps {
                let outcome = runtime.block_on(service.apply(app, &context)).unwrap();
                assert!(
                    matches!(outcome, ApplyOutcome::Issued { .. }),
                    "{outcome:?}"
                );
                black_box(outcome);
            }
            start.elapsed()
        });
    });
    group.finish();
}

fn apply_memory(c: &mut Criterion) {
    let mut maker = Maker::new();
    bench_apply(&mut maker, MemoryLedger::new(), c, "memory_ledger");
}

fn apply_sqlite(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let ledger = SqliteLedger::open(dir.path().join("ledger.sqlite")).unwrap();
    let mut maker = Maker::new();
    bench_apply(&mut maker, ledger, c, "sqlite_ledger");
}

fn raw_sqlite_insert(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("raw.sqlite")).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    conn.execute_batch(
        "CREATE TABLE holds (transaction_id TEXT PRIMARY KEY, application TEXT NOT NULL, state TEXT NOT NULL)",
    )
    .unwrap();
    let mut n: u64 = 0;
    let mut group = c.benchmark_group("apply");
    group.throughput(Throughput::Elements(1));
    group.sample_size(20);
    group.bench_function("raw_sqlite_insert", |b| {
        let mut insert = conn
            .prepare_cached("INSERT INTO holds (transaction_id, application, state) VALUES (?1, ?2, 'reserved')")
            .unwrap();
        b.iter(|| {
            n += 1;
            insert
                .execute(rusqlite::params![format!("P-{n:012}"), "00000000-0000-0000-0000-000000000001"])
                .unwrap();
        });
    });
    group.finish();
}

criterion_group!(benches, apply_memory, apply_sqlite, raw_sqlite_insert);
criterion_main!(benches);
