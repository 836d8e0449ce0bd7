//! Benchmarks of `etc-invoice-rules`, on synthetic data built in the setup:
//!
//! - `rules/validate_100`: validate an application of 100 passages (3
//!   segments each) against an in-memory context;
//! - `rules/plan_100`: plan it per trip (`rules/plan_100_monthly`: merged
//!   monthly);
//! - `rules/baseline_clone_100`: the baseline, the 100 records looked up
//!   and cloned (what any plan reads, and about half of what it writes);
//! - `rules/plan_1m_segments`: plan a large fleet's month, 1,000 cards ×
//!   334 passages × 3 segments (about 1,000,000 segments), merged monthly.
//!
//! The plans are dropped outside the timing: freeing the result is the
//! caller's business, not planning. The 100-passage plans are timed one at
//! a time (`BatchSize::PerIteration`), each dropped before the next, as a
//! service plans one application after another; piling up thousands of
//! plans before dropping them (`iter_with_large_drop`) would time writes
//! to ever-new memory instead. The million-segment plan is timed with
//! `iter_with_large_drop`, one plan per iteration anyway.
//!
//! ```sh
//! cargo bench --bench rules -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! Comparing runs: on a shared 2-core VM the per-trip plan measured
//! 23–25 µs in quick minutes and about 38 µs in slow ones, flipping between
//! the two within one process. In the slow minutes every loop bound by
//! throughput slowed alike (the validation, the baseline, a copy loop:
//! 1.3–1.65×), while a loop bound by one chain of dependent multiplications
//! did not, as when another tenant shares the core; `plan_100 /
//! validate_100` stayed at 2.22 in both. So read a figure against the
//! baseline of the same run. To compare two builds, run them alternately,
//! many times, and compare medians of per-pair ratios; or count
//! instructions, which do not vary:
//!
//! ```sh
//! valgrind --tool=callgrind --toggle-collect='*plan_invoices' \
//!     target/release/deps/rules-* --bench --profile-time 1 'rules/plan_100$'
//! ```
//!
//! The million-segment plan allocates temporaries of tens of megabytes;
//! with glibc, whether they are mapped afresh on every call (and fault in
//! page by page) depends on what the process freed before (the adaptive
//! mmap threshold), which moved this bench by up to 25 % between builds
//! with the same instruction count. Setting
//! `GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432` fixes the
//! threshold for a comparison.
#![expect(
    clippy::expect_used,
    reason = "the setup builds its own data; a failure there is a bug to see at once"
)]

use std::borrow::Cow;
use std::hint::black_box;
use std::sync::Arc;

use criterion::{BatchSize, Criterion, criterion_main};
use etc_invoice::order::{
    CstDateTime, Funding, Money, Operator, Passage, PassageParts, Record, RoadKind, SegmentParts,
    TaxMethod, TollSegment, Visit,
};
use etc_invoice::province::RuleBook;
use etc_invoice::rules::{
    Context, InvoiceApplication, MemoryContext, TransactionSource, ValidatedApplication, Validator,
    plan_invoices,
};

const APPLICANT: &str = "fleet-1";
const NOW: &str = "2024-04-20T10:00:00+08:00";

/// The operators segments are drawn from: (id, name, taxpayer id, road,
/// funding, method, construction start).
const OPERATORS: [(&str, &str, &str, RoadKind, Funding, TaxMethod, &str); 5] = [
    (
        "GD-EXP-OLD",
        "广东示例高速公路有限公司",
        "91440100618400014K",
        RoadKind::Expressway,
        Funding::Operating,
        TaxMethod::Simplified,
        "2009-06-18",
    ),
    (
        "GD-EXP-NEW",
        "广东示例新干线高速有限公司",
        "91440300MA5G00027H",
        RoadKind::Expressway,
        Funding::Operating,
        TaxMethod::General,
        "2017-03-01",
    ),
    (
        "GD-BRIDGE",
        "广东示例大桥有限公司",
        "91440000190345674D",
        RoadKind::Bridge,
        Funding::Operating,
        TaxMethod::Simplified,
        "2001-01-01",
    ),
    (
        "GD-GOV",
        "广东示例政府还贷公路管理中心",
        "12440000455600010B",
        RoadKind::FirstClass,
        Funding::GovernmentRepaid,
        TaxMethod::General,
        "2012-01-01",
    ),
    (
        "GD-EXP-3",
        "广东示例第三高速有限公司",
        "91440000MA5G00035W",
        RoadKind::Expressway,
        Funding::Operating,
        TaxMethod::Simplified,
        "2005-01-01",
    ),
];

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn card(i: usize) -> String {
    format!("4401{i:016}")
}

fn passages(cards: usize, per_card: usize, segments: usize, rng: &mut Rng) -> Vec<Passage> {
    // One `Arc` per operator, shared by its segments, as the importer gives
    // them.
    let operators: Vec<Arc<Operator>> = OPERATORS
        .iter()
        .map(|(id, name, tin, ..)| {
            Arc::new(Operator {
                id: id.parse().expect("operator id"),
                name: name.parse().expect("operator name"),
                taxpayer_id: tin.parse().expect("taxpayer id"),
            })
        })
        .collect();
    let mut out = Vec::with_capacity(cards * per_card);
    for c in 0..cards {
        let card = card(c);
        let vehicle = format!("粤B{:05}_0", c % 100_000);
        for k in 0..per_card {
            let day = 1 + rng.below(28);
            let minute = rng.below(24 * 60);
            let (h, m) = (minute / 60, minute % 60);
            let exit: CstDateTime = format!("2024-03-{day:02}T{h:02}:{m:02}:00+08:00")
                .parse()
                .expect("exit time");
            let settled: CstDateTime = format!("2024-03-{:02}T{h:02}:{m:02}:00+08:00", day + 2)
                .parse()
                .expect("settlement time");
            let segs = (0..segments)
                .map(|_| {
                    let o = usize::try_from(rng.below(OPERATORS.len() as u64)).unwrap_or(0);
                    let (_, _, _, road_kind, funding, tax_method, start) =
                        OPERATORS.get(o).copied().expect("operator");
                    let charged =
                        Money::from_fen(i64::try_from(100 + rng.below(20_000)).unwrap_or(100));
                    TollSegment::new(SegmentParts {
                        operator: operators.get(o).cloned().expect("operator"),
                        province: "粤".parse().expect("province"),
                        road_kind,
                        funding,
                        tax_method,
                        construction_start: Some(start.parse().expect("date")),
                        receivable: charged,
                        discount: Money::ZERO,
                        charged,
                    })
                    .expect("segment")
                })
                .collect();
            out.push(
                Passage::new(PassageParts {
                    id: format!("P{c:04}{k:06}").parse().expect("id"),
                    card: card.parse().expect("card"),
                    card_type: "23".parse().expect("card type"),
                    vehicle: vehicle.parse().expect("vehicle"),
                    vehicle_class: "1".parse().expect("class"),
                    medium: "obu".parse().expect("medium"),
                    entry: None,
                    exit: Visit {
                        station: "广州北".parse().expect("station"),
                        time: exit,
                    },
                    settled_at: Some(settled),
                    segments: segs,
                })
                .expect("passage"),
            );
        }
    }
    out
}

fn application(passages: &[Passage], mode: &str) -> InvoiceApplication {
    let ids: Vec<&str> = passages.iter().map(|p| p.id().as_str()).collect();
    let json = serde_json::json!({
        "id": "6f1c1f8e-3a57-4b8e-9a35-2d2f5b1f0c11",
        "applicant": APPLICANT,
        "card": card(0),
        "month": "2024-03",
        "requestedAt": "2024-04-20T09:30:00+08:00",
        "kind": "consumption",
        "selected": ids,
        "title": {
            "kind": "enterprise",
            "name": "某某物流有限公司",
            "taxpayerId": "91110000600037341L",
            "effectiveFrom": "2024-01-01T00:00:00+08:00"
        },
        "delivery": { "email": "finance@example.com" },
        "mergeMode": mode,
        "channel": "miniProgram"
    });
    // Built directly (not through `from_json`): a million ids are beyond
    // the wire format's size limit, on purpose.
    serde_json::from_value(json).expect("application")
}

fn context(passages: &[Passage], cards: usize) -> MemoryContext {
    let mut ctx = MemoryContext::new();
    ctx.extend(passages.iter().cloned().map(Record::Passage));
    for c in 0..cards {
        ctx.bind(APPLICANT, card(c).parse().expect("card"));
    }
    ctx
}

fn validated(
    book: &RuleBook,
    app: &InvoiceApplication,
    ctx: &MemoryContext,
) -> ValidatedApplication {
    let now: CstDateTime = NOW.parse().expect("now");
    let report = Validator::new(book).validate(app, &Context::new(ctx), now);
    report
        .into_validated()
        .expect("the benchmark application validates")
}

/// The baseline: the records an application selects, looked up and
/// copied out of the source, the least a plan could do with them (it reads
/// as much and writes about half as much). Its time moves with the
/// machine's state as the plan's does, so `plan_100 / baseline_clone_100`
/// of one run compares runs made in different states.
fn clone_records(v: &ValidatedApplication, ctx: &MemoryContext) -> Vec<Record> {
    v.transactions()
        .iter()
        .filter_map(|id| ctx.transaction(id.as_str()).map(Cow::into_owned))
        .collect()
}

fn hundred(c: &mut Criterion) {
    let mut rng = Rng(0x5eed);
    let ps = passages(1, 100, 3, &mut rng);
    let ctx = context(&ps, 1);
    let book = RuleBook::builtin();
    let app = application(&ps, "perTrip");
    let validator = Validator::new(&book);
    let now: CstDateTime = NOW.parse().expect("now");
    c.bench_function("rules/validate_100", |b| {
        b.iter(|| {
            let r = validator.validate(black_box(&app), &Context::new(&ctx), now);
            black_box(r.passed())
        });
    });
    let v = validated(&book, &app, &ctx);
    c.bench_function("rules/baseline_clone_100", |b| {
        b.iter_batched(
            || (),
            |()| clone_records(black_box(&v), &ctx),
            BatchSize::PerIteration,
        );
    });
    c.bench_function("rules/plan_100", |b| {
        b.iter_batched(
            || (),
            |()| plan_invoices(black_box(&v), &ctx, &book),
            BatchSize::PerIteration,
        );
    });
    let monthly = validated(&book, &application(&ps, "monthly"), &ctx);
    c.bench_function("rules/plan_100_monthly", |b| {
        b.iter_batched(
            || (),
            |()| plan_invoices(black_box(&monthly), &ctx, &book),
            BatchSize::PerIteration,
        );
    });
}

/// The fleet's month, validated: (context, rule book, application).
fn fleet_data() -> (MemoryContext, RuleBook, ValidatedApplication) {
    const CARDS: usize = 1_000;
    const PER_CARD: usize = 334;
    let mut rng = Rng(0xf1ee7);
    let ps = passages(CARDS, PER_CARD, 3, &mut rng);
    let ctx = context(&ps, CARDS);
    let book = RuleBook::builtin()
        .overlay_toml_str(
            "fleet.toml",
            "version = 1\n[[period]]\neffective_from = 2018-01-01\n\
             applications.scope = \"accountMonth\"\n\
             applications.max_transactions = 1000000\n",
        )
        .expect("overlay");
    let app = application(&ps, "monthly");
    let v = validated(&book, &app, &ctx);
    (ctx, book, v)
}

fn fleet(c: &mut Criterion) {
    // Built on first use, so that a filtered run skips it.
    let data = std::cell::OnceCell::new();
    let mut group = c.benchmark_group("rules");
    group.sample_size(10);
    group.bench_function("plan_1m_segments", |b| {
        let (ctx, book, v) = data.get_or_init(fleet_data);
        b.iter_with_large_drop(|| plan_invoices(black_box(v), ctx, book));
    });
    group.finish();
}

// In a private module, so that the generated `pub fn` needs no docs.
mod group {
    use super::{fleet, hundred};

    criterion::criterion_group!(benches, hundred, fleet);
}

criterion_main!(group::benches);
