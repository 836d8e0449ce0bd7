//! The apply service end to end against the simulator: outcomes, faults,
//! crash recovery, reversal and reissue, observability.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers outside `#[test]` functions fail the test by panicking"
)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use etc_invoice_order::{Money, TransactionId};
use etc_invoice_platform::sim::{Chance, Fault, Op};
use etc_invoice_platform::{
    ApplyOutcome, Clock, DynInvoicePlatform, IdempotencyKey, InvoicePlatform, InvoiceService,
    InvoiceXml, Ledger, MediaType, MemoryLedger, PlatformError, Reason, ReissueRequest,
    RetryPolicy, ServiceError, SimClock, SimConfig, SimHandle, Simulator, SqliteLedger, TokioClock,
    TransactionState,
};
use etc_invoice_province::RuleBook;
use etc_invoice_rules::Title;

use crate::simulator::{APPLICANT, World, application, now, quiet_config};

type Svc<L> = InvoiceService<Simulator<SimClock>, L, SimClock>;

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 5,
        base_delay: Duration::from_millis(500),
        max_delay: Duration::from_secs(10),
        poll_interval: Duration::from_secs(15),
        ..RetryPolicy::default()
    }
}

fn service<L: Ledger>(ledger: L, config: SimConfig, policy: RetryPolicy) -> (Svc<L>, SimHandle) {
    let clock = SimClock::auto(now());
    let sim = Simulator::new(config, clock.clone());
    let handle = sim.handle();
    let svc = InvoiceService::new(sim, ledger, RuleBook::builtin(), clock, policy);
    (svc, handle)
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(f)
}

fn tx(id: &str) -> TransactionId {
    id.parse().unwrap()
}

fn issued(
    outcome: &ApplyOutcome,
) -> (
    &[etc_invoice_platform::IssuedInvoice],
    &[etc_invoice_platform::IssuedSummary],
) {
    match outcome {
        ApplyOutcome::Issued {
            invoices,
            summaries,
            ..
        } => (invoices, summaries),
        other => panic!("expected issued, got {other:?}"),
    }
}

/// Checks that an application was left pending with no submission known.
fn assert_unsubmitted(outcome: &ApplyOutcome) {
    assert!(
        matches!(
            outcome,
            ApplyOutcome::Pending {
                submission: None,
                ..
            }
        ),
        "{outcome:?}"
    );
}

#[test]
fn applies_end_to_end() {
    let world = World::load();
    let (svc, handle) = service(MemoryLedger::new(), quiet_config(), policy());
    let app = application(1, &world.settled(), "monthly");
    let outcome = block_on(svc.apply(&app, &world.context())).unwrap();
    let (invoices, summaries) = issued(&outcome);
    assert!(!invoices.is_empty());
    assert_eq!(summaries.len(), 1);
    let gross = Money::checked_sum(invoices.iter().map(|i| i.gross)).unwrap();
    assert_eq!(svc.ledger().committed_gross().unwrap(), gross);
    for id in world.settled() {
        assert!(matches!(
            svc.ledger().transaction(&tx(&id)).unwrap(),
            TransactionState::Invoiced { .. }
        ));
    }
    assert!(svc.ledger().unfinished().unwrap().is_empty());
    for inv in invoices {
        let docs = block_on(svc.documents(&inv.number)).unwrap();
        let xml = docs
            .iter()
            .find(|d| d.media_type == MediaType::Xml)
            .unwrap();
        InvoiceXml::from_xml(&xml.bytes).unwrap().check().unwrap();
    }
    assert_eq!(handle.stats().submissions, 1);

    // Applying the same application again reports the same outcome and
    // issues nothing new.
    let again = block_on(svc.apply(&app, &world.context())).unwrap();
    assert_eq!(issued(&again).0, invoices);
    assert_eq!(handle.stats().submissions, 1);

    // Another application for the same transactions is refused by
    // validation: the ledger says they are invoiced.
    let other = application(2, &world.settled(), "monthly");
    let outcome = block_on(svc.apply(&other, &world.context())).unwrap();
    assert!(matches!(outcome, ApplyOutcome::Invalid(_)), "{outcome:?}");
}

#[test]
fn a_statement_application_repeats_cleanly() {
    let world = World::load();
    let (svc, handle) = service(MemoryLedger::new(), quiet_config(), policy());
    let mut app = application(7, &["S2024030001".to_owned()], "monthly");
    app.kind = etc_invoice_rules::ApplicationKind::Statement;
    let first = block_on(svc.apply(&app, &world.context())).unwrap();
    let (invoices, _) = issued(&first);
    let again = block_on(svc.apply(&app, &world.context())).unwrap();
    assert_eq!(issued(&again).0, invoices);
    assert_eq!(handle.stats().submissions, 1);
}

#[test]
fn invalid_applications_reserve_nothing() {
    let world = World::load();
    let (svc, handle) = service(MemoryLedger::new(), quiet_config(), policy());
    let mut app = application(1, &world.settled(), "monthly");
    app.applicant = "stranger".into();
    let outcome = block_on(svc.apply(&app, &world.context())).unwrap();
    let ApplyOutcome::Invalid(report) = outcome else {
        panic!("{outcome:?}")
    };
    assert!(!report.passed());
    assert!(svc.ledger().unfinished().unwrap().is_empty());
    assert_eq!(handle.stats().submissions, 0);
}

#[test]
fn a_race_past_validation_is_caught_by_the_ledger() {
    let world = World::load();
    let (svc, handle) = service(MemoryLedger::new(), quiet_config(), policy());
    let ids = world.settled();
    let a = application(1, &ids[..3], "monthly");
    let b = application(2, &ids[2..5], "monthly");
    // Both validate before either reserves.
    let fa = svc.apply(&a, &world.context());
    let fb = svc.apply(&b, &world.context());
    let (ra, rb) = block_on(async { (fa.await, fb.await) });
    assert!(matches!(ra.unwrap(), ApplyOutcome::Issued { .. }));
    match rb.unwrap() {
        ApplyOutcome::AlreadyHeld {
            transaction,
            holder,
            ..
        } => {
            assert_eq!(transaction.as_str(), ids[2]);
            assert_eq!(holder, a.id);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(handle.stats().submissions, 1);
}

#[test]
fn a_lost_reply_after_commit_never_issues_twice() {
    let world = World::load();
    let (svc, handle) = service(MemoryLedger::new(), quiet_config(), policy());
    handle.script(Some(Op::Submit), Fault::LoseResponseAfterCommit);
    handle.script(Some(Op::Submit), Fault::DuplicateDelivery);
    let app = application(1, &world.settled(), "monthly");
    let outcome = block_on(svc.apply(&app, &world.context())).unwrap();
    issued(&outcome);
    let stats = handle.stats();
    assert_eq!(stats.submissions, 1);
    assert_eq!(stats.replays, 2);
    assert_eq!(stats.duplicate_mismatches, 0);
}

#[test]
fn retries_respect_rate_limits_and_5xx() {
    let world = World::load();
    let (svc, handle) = service(MemoryLedger::new(), quiet_config(), policy());
    handle.script(Some(Op::Submit), Fault::ServerError { status: 503 });
    handle.script(
        Some(Op::Submit),
        Fault::RateLimited {
            retry_after: Duration::from_secs(60),
        },
    );
    handle.script(Some(Op::Status), Fault::Timeout);
    let start = svc.clock().now();
    let app = application(1, &world.settled(), "monthly");
    let outcome = block_on(svc.apply(&app, &world.context())).unwrap();
    issued(&outcome);
    // The rate limit's minute was waited for.
    let waited = svc.clock().now().timestamp() - start.timestamp();
    assert!(waited >= 60, "{waited}");
    assert_eq!(handle.stats().calls.get(&Op::Submit), Some(&3));
}

#[test]
fn a_lost_reply_then_a_crash_is_finished_by_resume() {
    lost_reply_then_resume(MemoryLedger::new());
}

/// The same through SQLite: the stored request comes back from its JSON, a
/// new value equal to the first, and the platform still replays.
#[test]
fn a_lost_reply_then_a_crash_is_finished_by_resume_from_sqlite() {
    lost_reply_then_resume(SqliteLedger::open_in_memory().unwrap());
}

fn lost_reply_then_resume<L: Ledger>(ledger: L) {
    let world = World::load();
    let one_try = RetryPolicy {
        max_attempts: 1,
        ..policy()
    };
    let (svc, handle) = service(ledger, quiet_config(), one_try);
    handle.script(Some(Op::Submit), Fault::LoseResponseAfterCommit);
    let app = application(1, &world.settled(), "monthly");
    // The platform stored the submission; the service never heard of it.
    let outcome = block_on(svc.apply(&app, &world.context())).unwrap();
    assert_unsubmitted(&outcome);
    let unfinished = svc.ledger().unfinished().unwrap();
    assert_eq!(unfinished.len(), 1);
    assert_eq!(unfinished.first().unwrap().platform_id, None);
    assert_eq!(handle.stats().submissions, 1);

    let resumed = block_on(svc.resume()).unwrap();
    assert_eq!(resumed.len(), 1);
    issued(resumed.first().unwrap().outcome.as_ref().unwrap());
    assert_eq!(
        handle.stats().submissions,
        1,
        "resume must replay, not resubmit"
    );
    assert!(svc.ledger().unfinished().unwrap().is_empty());
}

#[test]
fn a_rejection_releases_and_a_new_application_may_follow() {
    let world = World::load();
    let (svc, handle) = service(MemoryLedger::new(), quiet_config(), policy());
    handle.script(
        Some(Op::Submit),
        Fault::Reject {
            reasons: vec![Reason::new("REVIEW-RISK", "风险监控未通过")],
        },
    );
    let ids = world.settled();
    let app = application(1, &ids, "perTrip");
    let outcome = block_on(svc.apply(&app, &world.context())).unwrap();
    let ApplyOutcome::Rejected { reasons, .. } = &outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(reasons[0].code, "REVIEW-RISK");
    assert_eq!(
        svc.ledger().transaction(&tx(&ids[0])).unwrap(),
        TransactionState::Free
    );
    // The same application stays rejected (released); a new one goes through.
    assert!(block_on(svc.apply(&app, &world.context())).is_err());
    let retry = application(2, &ids, "perTrip");
    issued(&block_on(svc.apply(&retry, &world.context())).unwrap());
}

#[test]
fn a_review_longer_than_the_poll_timeout_stays_pending() {
    let world = World::load();
    let short = RetryPolicy {
        poll_timeout: Duration::from_secs(60),
        ..policy()
    };
    let (svc, _) = service(MemoryLedger::new(), quiet_config(), short);
    let app = application(1, &world.settled(), "monthly");
    let outcome = block_on(svc.apply(&app, &world.context())).unwrap();
    let ApplyOutcome::Pending {
        submission: Some(_),
        ..
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    let record = svc.ledger().application(app.id).unwrap().unwrap();
    assert_eq!(
        record.status,
        etc_invoice_platform::ApplicationStatus::Submitted
    );
    // Later, resume polls the recorded submission.
    svc.clock().advance(Duration::from_secs(3600));
    let resumed = block_on(svc.resume()).unwrap();
    issued(resumed[0].outcome.as_ref().unwrap());
}

#[test]
fn unreadable_resume_data_is_reported_per_application() {
    let ledger = MemoryLedger::new();
    let entry = etc_invoice_platform::ApplicationEntry {
        id: uuid::Uuid::from_u128(9),
        applicant: APPLICANT.into(),
        card: crate::simulator::CARD.parse().unwrap(),
        idempotency_key: "apply-9".into(),
        transactions: vec![tx("P-X")],
        payload: "not json".into(),
        created_at: now(),
    };
    ledger.reserve(&entry).unwrap();
    let (svc, _) = service(ledger, quiet_config(), policy());
    let resumed = block_on(svc.resume()).unwrap();
    assert!(matches!(
        resumed[0].outcome,
        Err(ServiceError::Payload { .. })
    ));
    // Still reserved: nothing is released without an answer.
    assert_eq!(svc.ledger().unfinished().unwrap().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_crash_mid_review_is_resumed_from_the_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite");
    let world = World::load();
    let clock = TokioClock::starting_at(now());
    let sim = Arc::new(Simulator::new(quiet_config(), clock));
    let handle = sim.handle();
    let app = application(1, &world.settled(), "monthly");
    {
        let svc = InvoiceService::new(
            Arc::clone(&sim),
            SqliteLedger::open(&path).unwrap(),
            RuleBook::builtin(),
            clock,
            policy(),
        );
        // The process dies two minutes in, while the review runs.
        let crashed =
            tokio::time::timeout(Duration::from_secs(120), svc.apply(&app, &world.context())).await;
        assert!(crashed.is_err());
    }
    let ledger = SqliteLedger::open(&path).unwrap();
    let unfinished = ledger.unfinished().unwrap();
    assert_eq!(unfinished.len(), 1);
    assert!(unfinished[0].platform_id.is_some());
    let svc = InvoiceService::new(
        Arc::clone(&sim),
        ledger,
        RuleBook::builtin(),
        clock,
        policy(),
    );
    let resumed = svc.resume().await.unwrap();
    issued(resumed[0].outcome.as_ref().unwrap());
    assert_eq!(handle.stats().submissions, 1);
    assert!(svc.ledger().unfinished().unwrap().is_empty());
}

/// Leaves four applications unsubmitted (the platform failed each submit),
/// then resumes them with `limit` places; returns how long the resume took
/// in (paused, virtual) time.
async fn resume_four(limit: usize) -> Duration {
    let world = World::load();
    let clock = TokioClock::starting_at(now());
    let sim = Simulator::new(quiet_config(), clock);
    let handle = sim.handle();
    let one_try = RetryPolicy {
        max_attempts: 1,
        ..policy()
    };
    let svc = InvoiceService::new(
        sim,
        MemoryLedger::new(),
        RuleBook::builtin(),
        clock,
        one_try,
    );
    let ids = world.settled();
    let groups: Vec<&[String]> = ids.chunks(ids.len().div_ceil(4)).collect();
    assert_eq!(groups.len(), 4);
    let mut apps = Vec::new();
    for (n, group) in (1..).zip(&groups) {
        handle.script(Some(Op::Submit), Fault::ServerError { status: 503 });
        let app = application(n, group, "monthly");
        apps.push(app.id);
        assert_unsubmitted(&svc.apply(&app, &world.context()).await.unwrap());
    }
    assert_eq!(handle.stats().submissions, 0);
    let start = tokio::time::Instant::now();
    let limit = std::num::NonZeroUsize::new(limit).unwrap();
    let resumed = svc.resume_with(limit).await.unwrap();
    let took = start.elapsed();
    // Every application is issued, reported oldest first.
    assert_eq!(resumed.len(), 4);
    for (id, r) in apps.iter().zip(&resumed) {
        assert_eq!(r.application, *id);
        issued(r.outcome.as_ref().unwrap());
    }
    assert!(svc.ledger().unfinished().unwrap().is_empty());
    took
}

#[tokio::test(start_paused = true)]
async fn resume_drives_applications_concurrently() {
    let one_by_one = resume_four(1).await;
    let together = resume_four(4).await;
    eprintln!("resume of four: {together:?} together, {one_by_one:?} one by one");
    // Four reviews one after the other, or overlapping.
    assert!(
        together * 3 < one_by_one,
        "together {together:?}, one by one {one_by_one:?}"
    );
}

#[test]
fn red_reversal_frees_transactions_and_is_repeatable() {
    let world = World::load();
    let (svc, handle) = service(MemoryLedger::new(), quiet_config(), policy());
    let app = application(1, &world.settled(), "perTrip");
    let outcome = block_on(svc.apply(&app, &world.context())).unwrap();
    let (invoices, _) = issued(&outcome);
    let before = svc.ledger().committed_gross().unwrap();
    // A trip with a single invoice: reversing it frees the trip.
    let single = invoices
        .iter()
        .find(|i| {
            invoices
                .iter()
                .filter(|j| j.transactions == i.transactions)
                .count()
                == 1
        })
        .unwrap();
    let r = block_on(svc.red_reverse(APPLICANT, &single.number, "开票有误")).unwrap();
    assert_eq!(r.freed, single.transactions);
    assert_eq!(r.reversal.red.gross, -single.gross);
    assert_eq!(
        svc.ledger().committed_gross().unwrap(),
        before.checked_sub(single.gross).unwrap()
    );
    // Again: the platform replays, the ledger frees nothing more.
    let again = block_on(svc.red_reverse(APPLICANT, &single.number, "开票有误")).unwrap();
    assert_eq!(again.reversal, r.reversal);
    assert!(again.freed.is_empty());
    assert_eq!(handle.stats().red_invoices, 1);
    // An invoice the ledger does not know.
    assert!(matches!(
        block_on(svc.red_reverse(APPLICANT, "00000000000000000000", "x")),
        Err(ServiceError::UnknownInvoice(_))
    ));
}

#[test]
fn red_reversal_outside_the_window_is_refused() {
    let world = World::load();
    let (svc, _) = service(MemoryLedger::new(), quiet_config(), policy());
    let app = application(1, &world.settled(), "monthly");
    let outcome = block_on(svc.apply(&app, &world.context())).unwrap();
    let number = issued(&outcome).0[0].number.clone();
    svc.clock().advance(Duration::from_secs(400 * 24 * 3600));
    let e = block_on(svc.red_reverse(APPLICANT, &number, "过期")).unwrap_err();
    let platform = e.platform_error().unwrap();
    assert!(matches!(platform, PlatformError::Refused { .. }));
    assert_eq!(platform.reasons()[0].code, "RED-WINDOW-CLOSED");
    assert!(matches!(
        svc.ledger().invoice(&number).unwrap(),
        Some(r) if !r.reversed
    ));
}

#[test]
fn reissue_replaces_the_invoice_and_keeps_the_transactions_invoiced() {
    let world = World::load();
    let (svc, _) = service(MemoryLedger::new(), quiet_config(), policy());
    let app = application(1, &world.settled(), "monthly");
    let outcome = block_on(svc.apply(&app, &world.context())).unwrap();
    let first = issued(&outcome).0[0].clone();
    let before = svc.ledger().committed_gross().unwrap();
    let title: Title = serde_json::from_value(serde_json::json!({
        "kind": "enterprise",
        "name": "新抬头物流有限公司",
        "taxpayerId": "91440300MA5G00027H",
        "effectiveFrom": "2024-01-01T00:00:00+08:00"
    }))
    .unwrap();
    let r = block_on(svc.reissue(APPLICANT, &first.number, title.clone())).unwrap();
    assert_eq!(r.blue.gross, first.gross);
    assert_eq!(r.blue.buyer_name, "新抬头物流有限公司");
    assert_eq!(svc.ledger().committed_gross().unwrap(), before);
    for t in &first.transactions {
        assert!(matches!(
            svc.ledger().transaction(t).unwrap(),
            TransactionState::Invoiced { .. }
        ));
    }
    // The ledger holds the new invoice in place of the old one.
    let old = svc.ledger().invoice(&first.number).unwrap().unwrap();
    assert!(old.reversed);
    assert_eq!(old.replaced_by.as_deref(), Some(r.blue.number.as_str()));
    let new = svc.ledger().invoice(&r.blue.number).unwrap().unwrap();
    assert!(!new.reversed);
    assert_eq!(new.replaces.as_deref(), Some(first.number.as_str()));
    assert_eq!(new.transactions, first.transactions);
    assert_eq!(new.gross, first.gross);
    // Repeating replays the same reissue.
    let again = block_on(svc.reissue(APPLICANT, &first.number, title.clone())).unwrap();
    assert_eq!(again, r);
    assert_eq!(svc.ledger().committed_gross().unwrap(), before);
    // The replaced invoice is not reversed again; the new one is reissued
    // in turn only within the province's cap (one here), and reversed.
    let e = block_on(svc.red_reverse(APPLICANT, &first.number, "x")).unwrap_err();
    assert!(
        matches!(&e, ServiceError::Replaced { number, by } if *number == first.number && *by == r.blue.number),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        format!(
            "invoice `{}` was replaced by `{}` on a reissue",
            first.number, r.blue.number
        )
    );
    let e = block_on(svc.reissue(APPLICANT, &r.blue.number, title)).unwrap_err();
    assert_eq!(e.platform_error().unwrap().reasons()[0].code, "REISSUE-CAP");
    assert_eq!(svc.ledger().invoice(&r.blue.number).unwrap().unwrap(), new);
    let reversed = block_on(svc.red_reverse(APPLICANT, &r.blue.number, "开票有误")).unwrap();
    assert!(
        svc.ledger()
            .invoice(&r.blue.number)
            .unwrap()
            .unwrap()
            .reversed
    );
    assert_eq!(
        svc.ledger().committed_gross().unwrap(),
        before.checked_sub(first.gross).unwrap()
    );
    for t in &reversed.freed {
        assert_eq!(svc.ledger().transaction(t).unwrap(), TransactionState::Free);
    }
}

#[test]
fn reissue_whose_ledger_step_was_lost_is_finished_by_repeating_it() {
    let world = World::load();
    let dir = tempfile::tempdir().unwrap();
    let ledger = SqliteLedger::open(dir.path().join("ledger.sqlite")).unwrap();
    let (svc, _) = service(ledger, quiet_config(), policy());
    let app = application(1, &world.settled(), "monthly");
    let outcome = block_on(svc.apply(&app, &world.context())).unwrap();
    let first = issued(&outcome).0[0].clone();
    let title: Title = serde_json::from_value(serde_json::json!({
        "kind": "personal",
        "name": "张三",
        "effectiveFrom": "2024-01-01T00:00:00+08:00"
    }))
    .unwrap();
    // The platform reissued, and the process died before the ledger heard.
    let request = ReissueRequest {
        applicant: APPLICANT.to_owned(),
        invoice: first.number.clone(),
        title: title.clone(),
    };
    let key = IdempotencyKey::for_reissue(&first.number);
    let done = block_on(svc.platform().reissue(&key, &request)).unwrap();
    assert!(
        !svc.ledger()
            .invoice(&first.number)
            .unwrap()
            .unwrap()
            .reversed
    );
    // Repeating the call replays the platform's answer and records it.
    let r = block_on(svc.reissue(APPLICANT, &first.number, title)).unwrap();
    assert_eq!(r, done);
    let old = svc.ledger().invoice(&first.number).unwrap().unwrap();
    assert_eq!(old.replaced_by.as_deref(), Some(done.blue.number.as_str()));
    assert!(svc.ledger().invoice(&done.blue.number).unwrap().is_some());
}

#[test]
fn download_packs_the_documents_of_an_application() {
    let world = World::load();
    let (svc, _) = service(MemoryLedger::new(), quiet_config(), policy());
    let app = application(1, &world.settled(), "monthly");
    let outcome = block_on(svc.apply(&app, &world.context())).unwrap();
    let (invoices, summaries) = issued(&outcome);
    let numbers: Vec<&str> = invoices
        .iter()
        .map(|i| i.number.as_str())
        .chain(summaries.iter().map(|s| s.number.as_str()))
        .collect();
    let zip = block_on(svc.download("发票.zip", &numbers)).unwrap();
    assert_eq!(zip.media_type, MediaType::Zip);
    assert_eq!(zip.file_name, "发票.zip");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&zip.bytes)).unwrap();
    let names: Vec<String> = (0..archive.len())
        .map(|i| archive.by_index(i).unwrap().name().to_owned())
        .collect();
    let expected: Vec<String> = numbers
        .iter()
        .flat_map(|n| ["xml", "html", "pdf"].map(|ext| format!("{n}.{ext}")))
        .collect();
    assert_eq!(names, expected);
    // Entries are the documents themselves.
    let first = block_on(svc.documents(numbers[0])).unwrap();
    let mut entry = archive.by_name(&first[0].file_name).unwrap();
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
    assert_eq!(bytes, first[0].bytes);
    drop(entry);

    // A number twice, and a number the platform does not know.
    let err = block_on(svc.download("x.zip", &[numbers[0], numbers[0]])).unwrap_err();
    assert!(matches!(err, ServiceError::Archive(_)), "{err:?}");
    let err = block_on(svc.download("x.zip", &["00000000000000000000"])).unwrap_err();
    assert!(err.platform_error().unwrap().is_not_found(), "{err:?}");
}

#[test]
fn works_with_a_boxed_platform() {
    let world = World::load();
    let clock = SimClock::auto(now());
    let platform: Box<dyn DynInvoicePlatform> =
        Box::new(Simulator::new(quiet_config(), clock.clone()));
    let svc = InvoiceService::new(
        platform,
        MemoryLedger::new(),
        RuleBook::builtin(),
        clock,
        policy(),
    );
    let app = application(1, &world.settled(), "monthly");
    issued(&block_on(svc.apply(&app, &world.context())).unwrap());
}

#[test]
fn random_faults_never_break_the_ledger() {
    let world = World::load();
    let ids = world.settled();
    for seed in 0..8 {
        let config = SimConfig {
            seed,
            reject_rate: Chance::percent(20),
            faults: etc_invoice_platform::sim::FaultPlan::random(
                etc_invoice_platform::sim::FaultRates::uniform(Chance::percent(15)),
            ),
            ..SimConfig::default()
        };
        let (svc, handle) = service(MemoryLedger::new(), config, policy());
        for (n, chunk) in ids.chunks(4).enumerate() {
            let app = application(100 + n as u128, chunk, "perTrip");
            let _ = block_on(svc.apply(&app, &world.context()));
        }
        block_on(svc.resume()).unwrap();
        let live: i64 = handle
            .invoices()
            .iter()
            .filter(|i| i.is_live())
            .map(|i| i.invoice.gross.to_fen())
            .sum();
        assert_eq!(
            svc.ledger().committed_gross().unwrap().to_fen(),
            live,
            "seed {seed}"
        );
        assert!(svc.ledger().unfinished().unwrap().is_empty(), "seed {seed}");
        assert_eq!(handle.stats().duplicate_mismatches, 0);
    }
}

/// A subscriber that records the names of the spans created.
struct SpanNames {
    names: Arc<Mutex<Vec<String>>>,
    next: AtomicU64,
}

impl tracing::Subscriber for SpanNames {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        self.names
            .lock()
            .unwrap()
            .push(attrs.metadata().name().to_owned());
        tracing::span::Id::from_u64(self.next.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn apply_is_traced() {
    let world = World::load();
    let names = Arc::new(Mutex::new(Vec::new()));
    let subscriber = SpanNames {
        names: Arc::clone(&names),
        next: AtomicU64::new(0),
    };
    tracing::subscriber::with_default(subscriber, || {
        let app = application(1, &world.settled(), "monthly");
        let run = || {
            let (svc, _) = service(MemoryLedger::new(), quiet_config(), policy());
            issued(&block_on(svc.apply(&app, &world.context())).unwrap());
        };
        // tracing caches each callsite's interest process-wide when the
        // callsite is first reached: a sibling test on a thread without a
        // subscriber may get there first and cache "never". A first run
        // registers every callsite of the flow; rebuilding the cache then
        // asks this subscriber again, and the second run is the one checked.
        run();
        tracing::callsite::rebuild_interest_cache();
        names.lock().unwrap().clear();
        run();
    });
    let names = names.lock().unwrap();
    for expected in ["apply", "submit", "poll", "commit"] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
}

#[test]
fn public_types_are_send_sync_debug() {
    fn check<T: Send + Sync + std::fmt::Debug>() {}
    check::<InvoiceService<Simulator<SimClock>, MemoryLedger, SimClock>>();
    check::<InvoiceService<Simulator<TokioClock>, SqliteLedger, TokioClock>>();
    check::<Simulator<SimClock>>();
    check::<SimHandle>();
    check::<SimConfig>();
    check::<ApplyOutcome>();
    check::<ServiceError>();
    check::<PlatformError>();
    check::<IdempotencyKey>();
    check::<RetryPolicy>();
    check::<InvoiceXml>();
    check::<etc_invoice_platform::SubmissionStatus>();
    check::<etc_invoice_platform::Document>();
    check::<etc_invoice_platform::XmlError>();
}
