//! CSV import throughput: segment rows → passages.

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use etc_invoice::order::import::PassageCsvReader;

mod support;

fn import(c: &mut Criterion) {
    let mut csv = String::from(support::HEADER);
    let rows = support::passage_rows(&mut csv, 1_000_000);
    let bytes = csv.into_bytes();

    let mut group = c.benchmark_group("csv_import");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function(format!("{rows}_rows_{}_MB", bytes.len() / 1_000_000), |b| {
        b.iter(|| {
            let mut passages = 0u64;
            let mut errors = 0u64;
            for item in PassageCsvReader::new(black_box(bytes.as_slice())) {
                match item {
                    Ok(p) => passages += p.segments().len() as u64,
                    Err(_) => errors += 1,
                }
            }
            assert_eq!(errors, 0);
            passages
        });
    });
    // Baseline in the same run: the csv crate alone, reading byte records
    // without building anything.
    group.bench_function("baseline_csv_byte_records", |b| {
        b.iter(|| {
            let mut rdr = csv::ReaderBuilder::new().from_reader(black_box(bytes.as_slice()));
            let mut record = csv::ByteRecord::new();
            let mut n = 0u64;
            while rdr.read_byte_record(&mut record).unwrap_or(false) {
                n += 1;
            }
            n
        });
    });
    group.finish();
}

criterion_group!(benches, import);
criterion_main!(benches);
