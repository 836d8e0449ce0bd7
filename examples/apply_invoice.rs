//! Applies for the invoices of a month, end to end: the bundled sample
//! month → an application → its validation report → the invoice plan →
//! the simulated invoicing platform (with a SQLite ledger in a temporary
//! directory) → progress while the review runs → invoices written as XML,
//! HTML and PDF, and all of them in one ZIP → a summary table.
//!
//! ```sh
//! cargo run --example apply_invoice              # writes into ./out
//! cargo run --example apply_invoice -- invoices  # writes into ./invoices
//! ```
//!
//! Time is simulated (a manual clock driven by this program), so the
//! review's ten-odd minutes pass at once; the run is the same every time.

use std::error::Error;
use std::fs;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use etc_invoice::order::import::{JsonLinesReader, PassageCsvReader};
use etc_invoice::order::{CstDateTime, Money, Passage, Record};
use etc_invoice::platform::sim::Chance;
use etc_invoice::platform::{
    ApplyOutcome, Clock, InvoicePlatform, InvoiceService, Ledger, RetryPolicy, SimClock, SimConfig,
    Simulator, SqliteLedger, SubmissionId,
};
use etc_invoice::province::RuleBook;
use etc_invoice::rules::{Context, InvoiceApplication, MemoryContext, Validator, plan_invoices};

const PASSAGES: &str = include_str!("data/passages-2024-03.csv");
const RECORDS: &str = include_str!("data/records-2024-03.jsonl");
const CARD: &str = "44019912345678900011";
const APPLICANT: &str = "user-10086";
const NOW: &str = "2024-04-15 09:00:00";

fn main() -> ExitCode {
    let out = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("out"), PathBuf::from);
    let runtime = match tokio::runtime::Builder::new_current_thread().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(out)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            let mut source = e.source();
            while let Some(s) = source {
                eprintln!("  caused by: {s}");
                source = s.source();
            }
            ExitCode::from(1)
        }
    }
}

type Service = InvoiceService<Arc<Simulator<SimClock>>, SqliteLedger, SimClock>;

async fn run(out: PathBuf) -> Result<(), Box<dyn Error>> {
    // 1. Sample data → application → report → plan.
    let mut ctx = MemoryContext::new();
    let records: Vec<Record> =
        JsonLinesReader::new(RECORDS.as_bytes()).collect::<Result<_, _>>()?;
    ctx.extend(records);
    let passages: Vec<Passage> =
        PassageCsvReader::new(PASSAGES.as_bytes()).collect::<Result<_, _>>()?;
    let mut selected: Vec<String> = passages
        .iter()
        .filter(|p| p.card().as_str() == CARD && p.settled_at().is_some())
        .map(|p| p.id().to_string())
        .collect();
    selected.sort();
    selected.dedup();
    ctx.extend(passages.into_iter().map(Record::Passage));
    ctx.bind(APPLICANT, CARD.parse()?);

    let application: InvoiceApplication = serde_json::from_value(serde_json::json!({
        "id": "6f1c1f8e-3a57-4b8e-9a35-2d2f5b1f0c11",
        "applicant": APPLICANT,
        "card": CARD,
        "month": "2024-03",
        "requestedAt": "2024-04-15T08:55:00+08:00",
        "kind": "consumption",
        "selected": selected,
        "title": {
            "kind": "enterprise",
            "name": "广州某某物流有限公司",
            "taxpayerId": "91110000600037341L",
            "address": "广州市天河区某路1号",
            "phone": "020-12345678",
            "effectiveFrom": "2024-01-01T00:00:00+08:00"
        },
        "delivery": { "email": "finance@example.com" },
        "mergeMode": "monthly",
        "channel": "miniProgram"
    }))?;
    let now: CstDateTime = NOW.parse()?;
    let book = RuleBook::builtin();
    println!("== application {} ==", application.id);
    println!(
        "card {CARD}, month {}, {} passages selected, title {}",
        application.month,
        application.selected.len(),
        application.title.name
    );

    let report = Validator::new(&book).validate(&application, &Context::new(&ctx), now);
    println!(
        "\n== validation report: {} ({} errors, {} warnings) ==",
        if report.passed() { "passed" } else { "failed" },
        report.errors().len(),
        report.warnings().len()
    );
    for f in report.findings() {
        println!("  {f}");
    }
    let Some(validated) = report.validated() else {
        return Err("the application did not pass validation".into());
    };
    let plan = plan_invoices(validated, &ctx, &book)?;
    println!(
        "\n== plan: {} documents, {} summary sheet(s), gross {} (net {} + tax {}) ==",
        plan.invoices.len(),
        plan.summaries.len(),
        plan.totals.gross,
        plan.totals.net,
        plan.totals.tax
    );
    for d in &plan.invoices {
        println!(
            "  #{:<2} {} {:<5} {} {:>3} lines {:>10}",
            d.index,
            pad(d.document.label(), 14),
            d.rate.map_or_else(|| "-".to_owned(), |r| r.to_string()),
            pad(d.seller.name.as_ref(), 30),
            d.lines.len(),
            d.total_gross.to_string()
        );
    }

    // 2. The simulator and a SQLite ledger in a temporary directory.
    let dir = tempfile::tempdir()?;
    let clock = SimClock::manual(now);
    let config = SimConfig {
        seed: 2024,
        reject_rate: Chance::NEVER,
        ..SimConfig::default()
    };
    let sim = Arc::new(Simulator::new(config, clock.clone()));
    let ledger = SqliteLedger::open(dir.path().join("ledger.sqlite"))?;
    let service: Arc<Service> = Arc::new(InvoiceService::new(
        Arc::clone(&sim),
        ledger,
        book.clone(),
        clock.clone(),
        RetryPolicy::default(),
    ));
    println!(
        "\n== submitting to the simulated platform (ledger: {}) ==",
        dir.path().display()
    );

    // 3. Progress while the review runs: the service runs as a task; this
    //    loop moves the clock to the next wake-up and reports the status.
    let task = {
        let service = Arc::clone(&service);
        let app = application.clone();
        let ctx = ctx.clone();
        tokio::spawn(async move {
            let future = {
                let context = Context::new(&ctx);
                service.apply(&app, &context)
            };
            future.await
        })
    };
    let mut last_state = String::new();
    while !task.is_finished() {
        for _ in 0..16 {
            tokio::task::yield_now().await;
        }
        if task.is_finished() {
            break;
        }
        let platform_id = service
            .ledger()
            .application(application.id)?
            .and_then(|r| r.platform_id);
        if let Some(id) = platform_id {
            let id: SubmissionId = id.parse()?;
            let state = match sim.status(&id).await {
                Ok(s) => match &s {
                    etc_invoice::platform::SubmissionStatus::PartiallyIssued {
                        invoices, ..
                    } => {
                        format!(
                            "partially issued ({} of {})",
                            invoices.len(),
                            plan.invoices.len()
                        )
                    }
                    other => other.state().replace('_', " "),
                },
                Err(e) => format!("unknown ({e})"),
            };
            if state != last_state {
                println!("  [{}] {id}: {state}", elapsed(now, clock.now()));
                last_state = state;
            }
        }
        if !clock.advance_to_next() {
            // Nobody sleeps and the task is not done: give it a moment.
            clock.advance(Duration::from_secs(1));
        }
    }
    let outcome = task.await??;
    let ApplyOutcome::Issued {
        submission,
        invoices,
        summaries,
        ..
    } = outcome
    else {
        return Err(format!("the application ended {}", outcome.kind()).into());
    };
    println!("  [{}] {submission}: issued", elapsed(now, clock.now()));

    // 4. The documents, as XML, HTML and PDF (and each number's XML and PDF
    //    in a ZIP, as the platform delivers them), then all of them in one
    //    ZIP, as a user downloads them.
    fs::create_dir_all(&out)?;
    let mut files = 0usize;
    let numbers: Vec<&str> = invoices
        .iter()
        .map(|i| i.number.as_str())
        .chain(summaries.iter().map(|s| s.number.as_str()))
        .collect();
    for number in &numbers {
        for doc in service.documents(number).await? {
            let path = out.join(format!("{number}.{}", doc.media_type.extension()));
            fs::write(&path, &doc.bytes)?;
            files += 1;
        }
    }
    let bundle = service
        .download(&format!("{}.zip", application.id), &numbers)
        .await?;
    fs::write(out.join(&bundle.file_name), &bundle.bytes)?;
    files += 1;

    // 5. The summary table.
    println!("\n== invoices ==");
    println!(
        "{:<20}  {}  {}  {:>10}  {:>8}  {:>10}",
        "number",
        pad("document", 14),
        pad("seller", 30),
        "net",
        "tax",
        "gross"
    );
    for i in &invoices {
        println!(
            "{:<20}  {}  {}  {:>10}  {:>8}  {:>10}",
            i.number,
            pad(i.document.label(), 14),
            pad(&i.seller_name, 30),
            i.net.to_string(),
            i.tax.to_string(),
            i.gross.to_string()
        );
    }
    let sum = |f: fn(&etc_invoice::platform::IssuedInvoice) -> Money| {
        Money::checked_sum(invoices.iter().map(f))
    };
    println!(
        "{:<20}  {}  {}  {:>10}  {:>8}  {:>10}",
        "total",
        pad("", 14),
        pad("", 30),
        sum(|i| i.net)?.to_string(),
        sum(|i| i.tax)?.to_string(),
        sum(|i| i.gross)?.to_string()
    );
    for s in &summaries {
        println!(
            "summary sheet {} binds {} invoices, {} transactions, gross {}",
            s.number,
            s.invoices.len(),
            s.transactions.len(),
            s.gross
        );
    }
    println!(
        "ledger: {} committed, {} unfinished; {} files written to {}",
        service.ledger().committed_gross()?,
        service.ledger().unfinished()?.len(),
        files,
        out.display()
    );
    Ok(())
}

/// `s` padded with spaces to `width` terminal columns (CJK characters take
/// two).
fn pad(s: &str, width: usize) -> String {
    let used: usize = s
        .chars()
        .map(|c| {
            if ('\u{1100}'..='\u{ffdc}').contains(&c) && !c.is_ascii() {
                2
            } else {
                1
            }
        })
        .sum();
    format!("{s}{}", " ".repeat(width.saturating_sub(used)))
}

/// `+hh:mm:ss` from `start` to `now`.
fn elapsed(start: CstDateTime, now: CstDateTime) -> String {
    let s = (now.timestamp() - start.timestamp()).max(0);
    format!("+{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}
