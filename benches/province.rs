//! Benchmarks of `etc-invoice-province`: the rule lookup every validated
//! transaction makes, and loading (parsing and resolving) the built-in book.

use std::hint::black_box;

use criterion::{Criterion, criterion_main};
use etc_invoice::order::{Province, parse_date};
use etc_invoice::province::RuleBook;

fn rules_for(c: &mut Criterion) {
    let book = RuleBook::builtin();
    let dates: Vec<_> = [
        "2018-03-01",
        "2019-06-15",
        "2020-05-06",
        "2023-11-30",
        "2024-03-01",
    ]
    .iter()
    .filter_map(|s| parse_date(s).ok())
    .collect();
    // Every province, each at a date in a different regime.
    let cases: Vec<_> = Province::ALL
        .iter()
        .zip(dates.iter().cycle())
        .map(|(p, d)| (*p, *d))
        .collect();
    let mut i = 0usize;
    c.bench_function("province/rules_for", |b| {
        b.iter(|| {
            i = (i + 1) % cases.len();
            let Some(&(province, date)) = cases.get(i) else {
                return false;
            };
            book.rules_for(black_box(province), black_box(date)).is_ok()
        });
    });
}

fn load_builtin(c: &mut Criterion) {
    c.bench_function("province/load_builtin", |b| {
        b.iter(|| RuleBook::load_builtin().is_ok());
    });
}

// In a private module, so that the generated `pub fn` needs no docs.
mod group {
    use super::{load_builtin, rules_for};

    criterion::criterion_group!(benches, rules_for, load_builtin);
}

criterion_main!(group::benches);
