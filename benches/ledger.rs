//! The ledger's hot path: reserve + commit of a 10-transaction application,
//! in memory and in SQLite (a file in WAL mode, `synchronous=NORMAL`), with
//! the raw SQLite insert rate of the same setup as the baseline.
//!
//! Run: `cargo bench --bench ledger -- --warm-up-time 1 --measurement-time 3`

#![expect(
    missing_docs,
    reason = "criterion_main! generates an undocumented public main"
)]
#![expect(
    clippy::unwrap_used,
    reason = "a benchmark fails loudly on setup errors"
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use etc_invoice_order::{CardNumber, CstDateTime, Money, TransactionId};
use etc_invoice_platform::{ApplicationEntry, InvoiceEntry, Ledger, MemoryLedger, SqliteLedger};
use uuid::Uuid;

/// Transactions per application: a month of commuting on one card.
const PER_APP: u64 = 10;

/// A payload the size of a real application's JSON (about 600 bytes).
const PAYLOAD: &str = r#"{"applicant":"user-1","card":"44010000000001234567","month":"2024-03",
"kind":"consumption","transactions":["P-0000000001-00","P-0000000001-01","P-0000000001-02",
"P-0000000001-03","P-0000000001-04","P-0000000001-05","P-0000000001-06","P-0000000001-07",
"P-0000000001-08","P-0000000001-09"],"title":{"kind":"enterprise","name":"某某物流有限公司",
"taxpayerId":"91440300MA5XXXXXXX","address":"广东省深圳市南山区某某路1号","phone":"0755-00000000"},
"delivery":{"email":"finance@example.com"},"mergeMode":"by_month",
"requestedAt":"2024-04-01T09:30:00+08:00"}"#;

/// Builds application `n` with fresh transactions, and its two invoices
/// (two road operators) covering them.
struct Maker {
    card: CardNumber,
    created_at: CstDateTime,
    gross: Money,
    n: u64,
}

impl Maker {
    fn new() -> Maker {
        Maker {
            card: "44010000000001234567".parse().unwrap(),
            created_at: "2024-03-05 08:30:00".parse().unwrap(),
            gross: "52.65".parse().unwrap(),
            n: 0,
        }
    }

    fn next(&mut self) -> (ApplicationEntry, [InvoiceEntry; 2]) {
        self.n += 1;
        let n = self.n;
        let transactions: Vec<TransactionId> = (0..PER_APP)
            .map(|i| format!("P-{n:010}-{i:02}").parse().unwrap())
            .collect();
        let (a, b) = transactions.split_at(6);
        let invoices = [
            InvoiceEntry {
                number: format!("2444{:016}", 2 * n),
                transactions: a.to_vec(),
                gross: self.gross,
            },
            InvoiceEntry {
                number: format!("2444{:016}", 2 * n + 1),
                transactions: b.to_vec(),
                gross: self.gross,
            },
        ];
        let entry = ApplicationEntry {
            id: Uuid::new_v4(),
            applicant: "user-1".to_owned(),
            card: self.card,
            idempotency_key: format!("key-{n}"),
            transactions,
            payload: PAYLOAD.into(),
            created_at: self.created_at,
        };
        (entry, invoices)
    }
}

fn reserve_commit(c: &mut Criterion, name: &str, ledger: &dyn Ledger) {
    let mut group = c.benchmark_group("ledger");
    group.throughput(Throughput::Elements(1));
    let mut maker = Maker::new();
    group.bench_function(name, |b| {
        b.iter(|| {
            let (entry, invoices) = maker.next();
            ledger.reserve(black_box(&entry)).unwrap();
            ledger.commit(entry.id, black_box(&invoices)).unwrap();
        });
    });
    group.finish();
}

fn memory(c: &mut Criterion) {
    reserve_commit(c, "memory/reserve+commit", &MemoryLedger::new());
}

fn sqlite(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let ledger = SqliteLedger::open(dir.path().join("ledger.sqlite")).unwrap();
    reserve_commit(c, "sqlite/reserve+commit", &ledger);
}

/// The floor: 10 plain inserts in one `IMMEDIATE` transaction, with the
/// ledger's file settings (WAL, `synchronous=NORMAL`, checkpoint every 4,000
/// pages).
fn sqlite_raw(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = rusqlite::Connection::open(dir.path().join("raw.sqlite")).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    conn.pragma_update(None, "wal_autocheckpoint", 4000)
        .unwrap();
    conn.execute_batch(
        "CREATE TABLE holds (transaction_id TEXT PRIMARY KEY, application TEXT NOT NULL)
         STRICT, WITHOUT ROWID",
    )
    .unwrap();
    let mut group = c.benchmark_group("ledger");
    group.throughput(Throughput::Elements(1));
    let mut n: u64 = 0;
    group.bench_function("sqlite_raw/insert10", |b| {
        b.iter(|| {
            n += 1;
            let application = Uuid::from_u128(u128::from(n)).to_string();
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .unwrap();
            {
                let mut insert = tx
                    .prepare_cached(
                        "INSERT INTO holds (transaction_id, application) VALUES (?1, ?2)",
                    )
                    .unwrap();
                for i in 0..PER_APP {
                    let id = format!("P-{n:010}-{i:02}");
                    insert.execute((id.as_str(), application.as_str())).unwrap();
                }
            }
            tx.commit().unwrap();
        });
    });
    group.finish();
}

criterion_group!(benches, memory, sqlite, sqlite_raw);
criterion_main!(benches);
