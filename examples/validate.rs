//! Validates an invoice application from a case file and prints the report
//! and, when it passes, the invoice plan.
//!
//! ```sh
//! cargo run --example validate -- examples/cases/enterprise_ok.json          # a table
//! cargo run --example validate -- examples/cases/many_findings.json --json   # JSON
//! ```
//!
//! A case (format: `etc_invoice::rules::case`) holds the application, the
//! transactions, the card bindings, what is already invoiced or reserved,
//! the card issuers, and "now". The rules are the built-in rule book, with
//! the case's own overlay if it has one.
//!
//! Exit code: 0 when the application passed (warnings allowed), 1 when it
//! has errors (or the plan failed), 2 when the input cannot be read.

use std::fmt::Write as _;
use std::process::ExitCode;

use etc_invoice::province::RuleBook;
use etc_invoice::rules::case::{Case, CaseOutcome};
use etc_invoice::rules::{Finding, InvoicePlan};

fn main() -> ExitCode {
    let mut path = None;
    let mut json = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--json" => json = true,
            "-h" | "--help" => {
                println!("usage: validate CASE.json [--json]");
                return ExitCode::SUCCESS;
            }
            _ if path.is_none() => path = Some(arg),
            _ => {
                eprintln!("unexpected argument `{arg}`\nusage: validate CASE.json [--json]");
                return ExitCode::from(2);
            }
        }
    }
    let Some(path) = path else {
        eprintln!("usage: validate CASE.json [--json]");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read `{path}`: {e}");
            return ExitCode::from(2);
        }
    };
    let case = match Case::from_json(&bytes) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("`{path}`: {}", chain(&e));
            return ExitCode::from(2);
        }
    };
    let outcome = match case.run(&RuleBook::builtin()) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("`{path}`: {}", chain(&e));
            return ExitCode::from(2);
        }
    };
    let text = if json {
        as_json(&path, &outcome)
    } else {
        as_table(&path, &case, &outcome)
    };
    print!("{text}");
    let planned = matches!(outcome.plan, Some(Ok(_)));
    if outcome.report.passed() && planned {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// An error and its sources, joined by `: `.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}

fn as_json(path: &str, outcome: &CaseOutcome) -> String {
    let (plan, plan_error) = match &outcome.plan {
        Some(Ok(p)) => (serde_json::to_value(p).ok(), None),
        Some(Err(e)) => (None, Some(chain(e))),
        None => (None, None),
    };
    let doc = serde_json::json!({
        "case": path,
        "report": outcome.report,
        "plan": plan,
        "planError": plan_error,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// Display width: CJK and full-width characters take two columns.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6 => 2,
            _ => 1,
        })
        .sum()
}

/// `s` padded with spaces to `w` columns.
fn pad(s: &str, w: usize) -> String {
    let mut out = s.to_owned();
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(width(s))));
    out
}

/// A table: columns padded to their widest cell, right-aligned where asked.
fn table(rows: &[Vec<String>], right: &[bool]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| width(s))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::from("    ");
        for (c, cell) in row.iter().enumerate() {
            let w = widths.get(c).copied().unwrap_or(0);
            if right.get(c).copied().unwrap_or(false) {
                line.push_str(&" ".repeat(w.saturating_sub(width(cell))));
                line.push_str(cell);
            } else {
                line.push_str(&pad(cell, w));
            }
            line.push_str("  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn as_table(path: &str, case: &Case, outcome: &CaseOutcome) -> String {
    let mut out = String::new();
    let app = &case.application;
    let _ = writeln!(out, "case {path}");
    if let Some(d) = &case.description {
        let _ = writeln!(out, "  {d}");
    }
    let _ = writeln!(
        out,
        "application {} · {} · card {} · month {} · {} · {} · {} selected · now {}",
        app.id,
        app.kind,
        app.card.chars().take(24).collect::<String>(),
        app.month.chars().take(10).collect::<String>(),
        app.merge_mode,
        app.channel,
        app.selected.len(),
        case.now
    );
    let report = &outcome.report;
    let _ = writeln!(
        out,
        "\n{} — {} errors, {} warnings",
        if report.passed() { "PASSED" } else { "FAILED" },
        report.errors().len(),
        report.warnings().len()
    );
    if report.findings().next().is_some() {
        out.push('\n');
        out.push_str(&findings(report.findings()));
    }
    match &outcome.plan {
        Some(Ok(plan)) => out.push_str(&plan_table(plan)),
        Some(Err(e)) => {
            let _ = writeln!(out, "\nthe plan failed: {}", chain(e));
        }
        None => {}
    }
    out
}

fn findings<'a>(list: impl Iterator<Item = &'a Finding>) -> String {
    let mut out = String::new();
    let mut rows = vec![vec![
        "severity".to_owned(),
        "code".to_owned(),
        "path".to_owned(),
        "value".to_owned(),
    ]];
    let mut messages = Vec::new();
    for f in list {
        rows.push(vec![
            f.severity.to_string(),
            f.code.to_string(),
            f.path.clone(),
            f.value.clone().unwrap_or_default(),
        ]);
        messages.push(f);
    }
    out.push_str(&table(&rows, &[]));
    out.push('\n');
    for f in messages {
        let _ = writeln!(out, "    {} @ {}", f.code, f.path);
        let _ = writeln!(out, "      en: {}", f.message_en);
        let _ = writeln!(out, "      zh: {}", f.message_zh);
    }
    out
}

fn plan_table(plan: &InvoicePlan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nPLAN — {} invoices, {} summary sheets; net {} + tax {} = gross {}",
        plan.invoices.len(),
        plan.summaries.len(),
        plan.totals.net,
        plan.totals.tax,
        plan.totals.gross
    );
    for d in &plan.invoices {
        let _ = writeln!(
            out,
            "\n  #{} {} ({}) · seller {} ({}){}{} · buyer {}",
            d.index,
            d.document.label(),
            d.document,
            d.seller.name,
            d.seller.taxpayer_id,
            d.trip
                .as_ref()
                .map(|t| format!(" · trip {t}"))
                .unwrap_or_default(),
            if d.parts > 1 {
                format!(" · part {}/{}", d.part, d.parts)
            } else {
                String::new()
            },
            d.buyer.name,
        );
        let mut rows = vec![
            [
                "项目名称",
                "车牌号",
                "类型",
                "通行日期起",
                "通行日期止",
                "金额",
                "税率",
                "税额",
                "价税合计",
            ]
            .iter()
            .map(|s| (*s).to_owned())
            .collect::<Vec<_>>(),
        ];
        for l in &d.lines {
            rows.push(vec![
                l.item_name.to_string(),
                l.plate
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                l.vehicle_type.map_or("", |t| t.label()).to_owned(),
                l.date_from.format("%Y%m%d").to_string(),
                l.date_to.format("%Y%m%d").to_string(),
                l.net.to_string(),
                l.rate
                    .map_or_else(|| "不征税".to_owned(), |r| r.to_string()),
                l.tax.to_string(),
                l.gross.to_string(),
            ]);
        }
        rows.push(vec![
            "合计".to_owned(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            d.total_net.to_string(),
            String::new(),
            d.total_tax.to_string(),
            d.total_gross.to_string(),
        ]);
        out.push_str(&table(
            &rows,
            &[false, false, false, false, false, true, true, true, true],
        ));
    }
    if !plan.summaries.is_empty() {
        let _ = writeln!(out, "\n  summary sheets (电子汇总单)");
        let mut rows = vec![vec![
            "trip".to_owned(),
            "transactions".to_owned(),
            "invoices".to_owned(),
            "gross".to_owned(),
        ]];
        for s in &plan.summaries {
            rows.push(vec![
                s.trip
                    .as_ref()
                    .map_or_else(|| "(month)".to_owned(), ToString::to_string),
                s.transactions.len().to_string(),
                s.invoices
                    .iter()
                    .map(|i| format!("#{i}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                s.total_gross.to_string(),
            ]);
        }
        out.push_str(&table(&rows, &[false, true, false, true]));
    }
    out
}
