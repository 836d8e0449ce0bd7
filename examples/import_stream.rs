//! Streams a passage CSV of any size and prints its totals, holding one
//! passage at a time: memory stays flat whatever the file's size.
//!
//! ```sh
//! cargo run --release --example import_stream -- --generate 10000000 big.csv   # write a synthetic file
//! /usr/bin/time -v cargo run --release --example import_stream -- big.csv      # import it
//! ```
//!
//! Exit code 0 when every row imported, 1 when some rows were bad (they are
//! counted and the first few printed), 2 when the file cannot be read.

#![allow(clippy::float_arithmetic, reason = "throughput figures, not money")]

use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

use etc_invoice::order::Money;
use etc_invoice::order::import::PassageCsvReader;

#[path = "../benches/support/mod.rs"]
mod support;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag, rows, path] if flag == "--generate" => generate(rows, path),
        [path] => import(path),
        _ => {
            eprintln!("usage: import_stream FILE.csv | import_stream --generate ROWS FILE.csv");
            ExitCode::from(2)
        }
    }
}

fn generate(rows: &str, path: &str) -> ExitCode {
    let Ok(rows) = rows.parse::<usize>() else {
        eprintln!("`{rows}` is not a row count");
        return ExitCode::from(2);
    };
    let result = (|| -> std::io::Result<usize> {
        let mut out = BufWriter::new(File::create(path)?);
        out.write_all(support::HEADER.as_bytes())?;
        let mut written = 0;
        let mut chunk = String::new();
        while written < rows {
            chunk.clear();
            // Whole passages only, about 100,000 rows at a time.
            written += support::passage_rows_from(
                &mut chunk,
                (rows - written).min(100_000),
                written as u64,
            );
            out.write_all(chunk.as_bytes())?;
        }
        out.flush()?;
        Ok(written)
    })();
    match result {
        Ok(n) => {
            println!("wrote {n} rows to {path}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot write `{path}`: {e}");
            ExitCode::from(2)
        }
    }
}

fn import(path: &str) -> ExitCode {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("cannot open `{path}`: {e}");
            return ExitCode::from(2);
        }
    };
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let start = Instant::now();
    let (mut passages, mut segments, mut bad) = (0u64, 0u64, 0u64);
    let mut total = Money::ZERO;
    for item in PassageCsvReader::new(file) {
        match item {
            Ok(p) => {
                passages += 1;
                segments += p.segments().len() as u64;
                total = match total.checked_add(p.total_charged()) {
                    Ok(t) => t,
                    Err(e) => {
                        eprintln!("{e}");
                        return ExitCode::from(2);
                    }
                };
            }
            Err(e) => {
                bad += 1;
                if bad <= 5 {
                    eprintln!("{e}");
                }
                if e.is_io() {
                    return ExitCode::from(2);
                }
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{passages} passages, {segments} segment rows, {bad} bad rows, total charged {total}; {:.1} MB in {secs:.2} s = {:.0} MB/s",
        size as f64 / 1e6,
        size as f64 / 1e6 / secs.max(1e-9)
    );
    if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
