//! Parsing speed of the identifiers read at volume: plates, credit codes
//! and card numbers (targets: 60, 40 and 30 ns per parse).

#![allow(clippy::unwrap_used, reason = "benchmark inputs are known to be valid")]
#![allow(
    clippy::indexing_slicing,
    reason = "indices are taken modulo the array length"
)]
#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use etc_invoice_order::{CardNumber, PlateNumber, Uscc};

/// One plate of each common kind, in a fixed mix.
const PLATES: [&str; 8] = [
    "粤E12345",
    "京A123B4",
    "粤BD12345",
    "京A12345D",
    "粤E1234挂",
    "粤Z0000港",
    "224578使",
    "沪2247A领",
];

const USCCS: [&str; 4] = [
    "91110000600037341L",
    "91310115MA1K3BTP2B",
    "92340621MA2UK3CE6L",
    "913205056082348768",
];

const CARDS: [&str; 4] = [
    "44011234567890123456",
    "11010000000000000001",
    "65019876543210987654",
    "32015555666677778888",
];

fn plates(c: &mut Criterion) {
    c.bench_function("PlateNumber::parse (mix of 8 kinds)", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % PLATES.len();
            black_box(black_box(PLATES[i]).parse::<PlateNumber>().unwrap())
        });
    });
    c.bench_function("PlateNumber::parse (ordinary)", |b| {
        b.iter(|| black_box(black_box("粤E12345").parse::<PlateNumber>().unwrap()));
    });
}

fn usccs(c: &mut Criterion) {
    c.bench_function("Uscc::parse", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % USCCS.len();
            black_box(black_box(USCCS[i]).parse::<Uscc>().unwrap())
        });
    });
}

fn cards(c: &mut Criterion) {
    c.bench_function("CardNumber::parse", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % CARDS.len();
            black_box(black_box(CARDS[i]).parse::<CardNumber>().unwrap())
        });
    });
}

criterion_group!(benches, plates, usccs, cards);
criterion_main!(benches);
