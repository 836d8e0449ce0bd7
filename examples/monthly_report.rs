//! Reads a month of passages and prints them per vehicle and per operator,
//! with totals.
//!
//! ```sh
//! cargo run --example monthly_report                      # the bundled sample month
//! cargo run --example monthly_report -- passages.csv      # your own CSV (schema: etc_invoice::order::import)
//! cargo run --example monthly_report -- passages.csv 2024-03
//! ```
//!
//! Bad rows are reported on stderr with their line, column and value; the
//! report covers the passages that imported cleanly, and the exit code is 1
//! when any row was bad (2 when the file cannot be read at all).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::process::ExitCode;

use etc_invoice::order::import::PassageCsvReader;
use etc_invoice::order::stats::Statistics;
use etc_invoice::order::{BillingMonth, Money, Passage};

const SAMPLE: &str = include_str!("data/passages-2024-03.csv");

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let source: Box<dyn Read> = match args.first() {
        Some(path) => match File::open(path) {
            Ok(f) => Box::new(io::BufReader::new(f)),
            Err(e) => {
                eprintln!("cannot open `{path}`: {e}");
                return ExitCode::from(2);
            }
        },
        None => Box::new(SAMPLE.as_bytes()),
    };
    let month = match args.get(1).map(|m| m.parse::<BillingMonth>()) {
        Some(Ok(m)) => Some(m),
        Some(Err(e)) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
        None => None,
    };

    let mut passages = Vec::new();
    let mut bad_rows = 0usize;
    for item in PassageCsvReader::new(source) {
        match item {
            Ok(p) if month.is_none_or(|m| p.billing_month() == m) => passages.push(p),
            Ok(_) => {}
            Err(e) => {
                bad_rows += 1;
                eprintln!("skipped: {e}");
                if e.is_io() {
                    return ExitCode::from(2);
                }
            }
        }
    }
    passages.sort_by(|a, b| {
        (a.vehicle(), a.exit().time, a.id()).cmp(&(b.vehicle(), b.exit().time, b.id()))
    });

    match report(&passages, &mut io::stdout().lock()) {
        Ok(()) if bad_rows == 0 => ExitCode::SUCCESS,
        Ok(()) => ExitCode::from(1),
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

fn report(passages: &[Passage], out: &mut impl Write) -> Result<(), Box<dyn std::error::Error>> {
    let stats = Statistics::of_passages(passages)?;
    let months: Vec<String> = stats.by_month.keys().map(ToString::to_string).collect();
    writeln!(
        out,
        "ETC passages {} — {} passages, {} charged",
        months.join(", "),
        stats.passages.count,
        stats.passages.amount
    )?;

    let mut by_vehicle: BTreeMap<_, Vec<&Passage>> = BTreeMap::new();
    for p in passages {
        by_vehicle.entry(p.vehicle()).or_default().push(p);
    }
    for (vehicle, list) in &by_vehicle {
        let first = list.first().ok_or("empty vehicle group")?;
        writeln!(out)?;
        writeln!(
            out,
            "{vehicle}  {} ({})  card {}",
            first.vehicle_class().label(),
            first.vehicle_class().invoice_label(),
            first.card()
        )?;
        for p in list {
            let from = p.entry().map_or("-", |e| e.station.as_str());
            writeln!(
                out,
                "  {}  {:<16} {:>10}  {}",
                p.exit().time.as_datetime().format("%m-%d %H:%M"),
                format!("{from}→{}", p.exit().station),
                p.total_charged().to_string(),
                p.segments()
                    .iter()
                    .map(|s| s.operator().id.as_str())
                    .collect::<Vec<_>>()
                    .join(" + "),
            )?;
        }
        let t = stats.by_vehicle.get(*vehicle).copied().unwrap_or_default();
        writeln!(
            out,
            "  {:<29} {:>10}  ({} passages)",
            "subtotal",
            t.amount.to_string(),
            t.count
        )?;
    }

    let mut names = BTreeMap::new();
    for s in passages.iter().flat_map(Passage::segments) {
        names.insert(&s.operator().id, s);
    }
    writeln!(out)?;
    writeln!(out, "By operator (segments)")?;
    for (id, t) in &stats.by_operator {
        let (name, rate_basis) = names.get(id).map_or(("?", String::new()), |s| {
            (
                s.operator().name.as_str(),
                format!(
                    "{} · {} · {}",
                    s.road_kind().label(),
                    s.funding().label(),
                    s.tax_method().label()
                ),
            )
        });
        writeln!(
            out,
            "  {id:<11} {name:<16} {:>10}  {:>3} segments  {rate_basis}",
            t.amount.to_string(),
            t.count
        )?;
    }
    writeln!(out)?;
    writeln!(out, "By road funding")?;
    for (funding, t) in &stats.by_funding {
        writeln!(
            out,
            "  {:<12} {:>10}  {:>3} segments",
            funding.label(),
            t.amount.to_string(),
            t.count
        )?;
    }
    let check = Money::checked_sum(stats.by_operator.values().map(|t| t.amount))?;
    writeln!(out)?;
    writeln!(
        out,
        "Total charged {}  (Σ by operator {check})",
        stats.passages.amount
    )?;
    Ok(())
}
