//! The ledger test suite. Every `suite_*` function runs against the
//! in-memory ledger, an in-memory SQLite ledger and a file-backed SQLite
//! ledger; a model-based property test checks that random operation
//! sequences leave both implementations in the same observable state.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions fail the test by panicking"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::sync::Arc;

use etc_invoice_order::{CardNumber, Money, TransactionId};
use etc_invoice_platform::ledger::{
    ApplicationEntry, ApplicationRecord, ApplicationStatus, HoldKind, InvoiceEntry, InvoiceRecord,
    Ledger, LedgerError, MemoryLedger, Payload, SqliteLedger, TransactionState,
};
use proptest::prelude::*;
use uuid::Uuid;

// ---- helpers ------------------------------------------------------------------

fn tx(s: &str) -> TransactionId {
    s.parse().unwrap()
}

fn txs(list: &[&str]) -> Vec<TransactionId> {
    list.iter().map(|s| tx(s)).collect()
}

fn card(n: u8) -> CardNumber {
    format!("4401{:016}", 1_000_000 + u64::from(n))
        .parse()
        .unwrap()
}

fn app_id(n: u8) -> Uuid {
    Uuid::from_u128(0xA000 + u128::from(n))
}

/// An application `n` on card 0, created at 08:00 + `n` minutes.
fn entry(n: u8, transactions: &[&str]) -> ApplicationEntry {
    ApplicationEntry {
        id: app_id(n),
        applicant: format!("user-{n}"),
        card: card(0),
        idempotency_key: format!("key-{n}"),
        transactions: txs(transactions),
        payload: format!(r#"{{"app":{n}}}"#).into(),
        created_at: format!("2024-03-05 08:{:02}:00", n % 60).parse().unwrap(),
    }
}

fn number(n: u32) -> String {
    format!("2444200000{n:010}")
}

fn invoice(n: u32, transactions: &[&str], gross: &str) -> InvoiceEntry {
    InvoiceEntry {
        number: number(n),
        transactions: txs(transactions),
        gross: gross.parse().unwrap(),
    }
}

fn state(l: &dyn Ledger, t: &str) -> TransactionState {
    l.transaction(&tx(t)).unwrap()
}

fn status(l: &dyn Ledger, n: u8) -> ApplicationStatus {
    l.application(app_id(n)).unwrap().unwrap().status
}

fn reserved(n: u8) -> TransactionState {
    TransactionState::Reserved {
        application: app_id(n),
    }
}

fn invoiced(n: u8, invoices: &[u32]) -> TransactionState {
    TransactionState::Invoiced {
        application: app_id(n),
        invoices: invoices.iter().map(|i| number(*i)).collect(),
    }
}

/// Everything observable about the ledger for the given transactions,
/// applications, cards and invoice numbers.
fn snapshot(
    l: &dyn Ledger,
    transactions: &[TransactionId],
    apps: &[Uuid],
    cards: &[CardNumber],
    numbers: &[String],
) -> String {
    let mut out = String::new();
    for t in transactions {
        out += &format!("{t}: {:?}\n", l.transaction(t).unwrap());
    }
    for a in apps {
        out += &format!("{a}: {:?}\n", l.application(*a).unwrap());
    }
    for c in cards {
        out += &format!("{c}: {:?}\n", l.by_card(c).unwrap());
    }
    for n in numbers {
        out += &format!("{n}: {:?}\n", l.invoice(n).unwrap());
    }
    out += &format!("unfinished: {:?}\n", l.unfinished().unwrap());
    out += &format!("gross: {}\n", l.committed_gross().unwrap());
    out
}

// ---- the suite ----------------------------------------------------------------

/// Runs each suite function against every implementation.
macro_rules! suite {
    ($($case:ident),* $(,)?) => {
        mod memory {
            use super::*;
            $( #[test] fn $case() { super::$case(&MemoryLedger::new()); } )*
        }
        mod sqlite_in_memory {
            use super::*;
            $( #[test] fn $case() { super::$case(&SqliteLedger::open_in_memory().unwrap()); } )*
        }
        mod sqlite_file {
            use super::*;
            $(
                #[test]
                fn $case() {
                    let dir = tempfile::tempdir().unwrap();
                    super::$case(&SqliteLedger::open(dir.path().join("ledger.sqlite")).unwrap());
                }
            )*
        }
    };
}

suite!(
    suite_reserve_is_all_or_none,
    suite_conflict_names_smallest_transaction,
    suite_reserve_again_is_idempotent,
    suite_reserve_rejects_bad_input,
    suite_idempotency_key_is_unique,
    suite_mark_submitted,
    suite_commit,
    suite_commit_errors_change_nothing,
    suite_commit_state_rules,
    suite_release,
    suite_reverse,
    suite_reverse_then_reuse,
    suite_replace,
    suite_queries,
    suite_unfinished_oldest_first,
    suite_concurrent_reserves,
    suite_through_pointers,
    suite_gross_out_of_range,
);

fn suite_reserve_is_all_or_none(l: &dyn Ledger) {
    l.reserve(&entry(1, &["T1", "T2"])).unwrap();
    let err = l.reserve(&entry(2, &["T3", "T2"])).unwrap_err();
    assert!(err.is_conflict());
    assert!(
        matches!(&err, LedgerError::Conflict { transaction, holder, state: HoldKind::Reserved }
            if transaction.as_str() == "T2" && *holder == app_id(1)),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "transaction `T2` is already reserved by application `{}`",
            app_id(1)
        )
    );
    // Nothing of the refused application was recorded.
    assert_eq!(state(l, "T3"), TransactionState::Free);
    assert_eq!(l.application(app_id(2)).unwrap(), None);
    assert_eq!(l.application_by_key("key-2").unwrap(), None);
    assert_eq!(state(l, "T1"), reserved(1));
    assert_eq!(state(l, "T2"), reserved(1));
    // Without the held one, it goes through.
    l.reserve(&entry(2, &["T3"])).unwrap();
    assert_eq!(state(l, "T3"), reserved(2));
}

fn suite_conflict_names_smallest_transaction(l: &dyn Ledger) {
    l.reserve(&entry(1, &["T5"])).unwrap();
    l.reserve(&entry(2, &["T2"])).unwrap();
    l.reserve(&entry(3, &["T7"])).unwrap();
    l.commit(app_id(3), &[invoice(1, &["T7"], "1.00")]).unwrap();
    let err = l.reserve(&entry(4, &["T9", "T7", "T5", "T2"])).unwrap_err();
    assert!(
        matches!(&err, LedgerError::Conflict { transaction, holder, state: HoldKind::Reserved }
            if transaction.as_str() == "T2" && *holder == app_id(2)),
        "{err:?}"
    );
    let err = l.reserve(&entry(4, &["T9", "T7"])).unwrap_err();
    assert!(
        matches!(&err, LedgerError::Conflict { transaction, holder, state: HoldKind::Invoiced }
            if transaction.as_str() == "T7" && *holder == app_id(3)),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("is already invoiced by application")
    );
    assert_eq!(state(l, "T9"), TransactionState::Free);
}

fn suite_reserve_again_is_idempotent(l: &dyn Ledger) {
    let first = entry(1, &["T2", "T1"]);
    l.reserve(&first).unwrap();
    // Same application, same transactions in another order, new payload.
    let again = ApplicationEntry {
        transactions: txs(&["T1", "T2"]),
        payload: "other".into(),
        ..first.clone()
    };
    l.reserve(&again).unwrap();
    let rec = l.application(app_id(1)).unwrap().unwrap();
    assert_eq!(rec.entry.payload, first.payload, "the first payload stays");
    assert_eq!(
        rec.entry.transactions,
        txs(&["T1", "T2"]),
        "kept in id order"
    );
    assert_eq!(rec.status, ApplicationStatus::Reserved);

    let mismatch = |e: ApplicationEntry, field: &str| {
        let err = l.reserve(&e).unwrap_err();
        assert!(err.is_conflict(), "{err:?}");
        assert!(
            matches!(&err, LedgerError::ApplicationMismatch { application, field: f }
                if *application == app_id(1) && *f == field),
            "{err:?}"
        );
    };
    mismatch(
        ApplicationEntry {
            transactions: txs(&["T1"]),
            ..first.clone()
        },
        "transactions",
    );
    mismatch(
        ApplicationEntry {
            transactions: txs(&["T1", "T2", "T3"]),
            ..first.clone()
        },
        "transactions",
    );
    mismatch(
        ApplicationEntry {
            card: card(9),
            ..first.clone()
        },
        "card",
    );
    mismatch(
        ApplicationEntry {
            applicant: "someone".to_owned(),
            ..first.clone()
        },
        "applicant",
    );
    mismatch(
        ApplicationEntry {
            idempotency_key: "key-x".to_owned(),
            ..first.clone()
        },
        "idempotency key",
    );
    assert_eq!(state(l, "T3"), TransactionState::Free);
    assert_eq!(
        l.application(app_id(1))
            .unwrap()
            .unwrap()
            .entry
            .transactions,
        txs(&["T1", "T2"])
    );

    // A replay after commit changes nothing either.
    l.commit(app_id(1), &[invoice(1, &["T1", "T2"], "3.00")])
        .unwrap();
    l.reserve(&first).unwrap();
    assert_eq!(status(l, 1), ApplicationStatus::Committed);
    assert_eq!(state(l, "T1"), invoiced(1, &[1]));
}

fn suite_reserve_rejects_bad_input(l: &dyn Ledger) {
    let check = |e: ApplicationEntry, expected: &str| {
        let err = l.reserve(&e).unwrap_err();
        assert_eq!(err.to_string(), expected);
        assert!(!err.is_conflict() && !err.is_not_found() && !err.is_storage());
        assert_eq!(l.application(e.id).unwrap(), None);
    };
    let id = app_id(1);
    check(
        entry(1, &[]),
        &format!("application `{id}` names no transactions"),
    );
    check(
        entry(1, &["T3", "T2", "T1", "T3", "T2"]),
        &format!("application `{id}` names transaction `T2` twice"),
    );
    check(
        ApplicationEntry {
            applicant: " ".to_owned(),
            ..entry(1, &["T1"])
        },
        "applicant ` ` is invalid: it is blank",
    );
    check(
        ApplicationEntry {
            idempotency_key: "a\nb".to_owned(),
            ..entry(1, &["T1"])
        },
        "idempotency key `a\nb` is invalid: it has a control character",
    );
    check(
        ApplicationEntry {
            idempotency_key: "k".repeat(256),
            ..entry(1, &["T1"])
        },
        &format!(
            "idempotency key `{}` is invalid: it is longer than 255 characters",
            "k".repeat(64)
        ),
    );
    assert_eq!(state(l, "T1"), TransactionState::Free);
}

fn suite_idempotency_key_is_unique(l: &dyn Ledger) {
    l.reserve(&entry(1, &["T1"])).unwrap();
    let err = l
        .reserve(&ApplicationEntry {
            idempotency_key: "key-1".to_owned(),
            ..entry(2, &["T2"])
        })
        .unwrap_err();
    assert!(err.is_conflict());
    assert_eq!(
        err.to_string(),
        format!(
            "idempotency key `key-1` already belongs to application `{}`",
            app_id(1)
        )
    );
    assert_eq!(state(l, "T2"), TransactionState::Free);
    assert_eq!(
        l.application_by_key("key-1").unwrap().unwrap().entry.id,
        app_id(1)
    );
}

fn suite_mark_submitted(l: &dyn Ledger) {
    let err = l.mark_submitted(app_id(1), "P-1").unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(
        err.to_string(),
        format!("unknown application `{}`", app_id(1))
    );

    l.reserve(&entry(1, &["T1"])).unwrap();
    let err = l.mark_submitted(app_id(1), "").unwrap_err();
    assert_eq!(err.to_string(), "platform id `` is invalid: it is blank");
    assert_eq!(status(l, 1), ApplicationStatus::Reserved);

    l.mark_submitted(app_id(1), "P-1").unwrap();
    l.mark_submitted(app_id(1), "P-1").unwrap();
    let rec = l.application(app_id(1)).unwrap().unwrap();
    assert_eq!(rec.status, ApplicationStatus::Submitted);
    assert_eq!(rec.platform_id.as_deref(), Some("P-1"));

    let err = l.mark_submitted(app_id(1), "P-2").unwrap_err();
    assert!(err.is_conflict());
    assert_eq!(
        err.to_string(),
        format!(
            "application `{}` was submitted as `P-1`, not `P-2`",
            app_id(1)
        )
    );

    // Submitted is still held, and can be committed; the id stays.
    assert_eq!(state(l, "T1"), reserved(1));
    l.commit(app_id(1), &[invoice(1, &["T1"], "1.00")]).unwrap();
    let rec = l.application(app_id(1)).unwrap().unwrap();
    assert_eq!(rec.status, ApplicationStatus::Committed);
    assert_eq!(rec.platform_id.as_deref(), Some("P-1"));
    let err = l.mark_submitted(app_id(1), "P-1").unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "cannot mark as submitted application `{}`: it is committed",
            app_id(1)
        )
    );

    l.reserve(&entry(2, &["T2"])).unwrap();
    l.release(app_id(2)).unwrap();
    let err = l.mark_submitted(app_id(2), "P-9").unwrap_err();
    assert!(matches!(
        err,
        LedgerError::InvalidState {
            status: ApplicationStatus::Released,
            ..
        }
    ));
}

fn suite_commit(l: &dyn Ledger) {
    l.reserve(&entry(1, &["T1", "T2", "T3"])).unwrap();
    l.reserve(&entry(2, &["T4"])).unwrap();
    assert_eq!(l.committed_gross().unwrap(), Money::ZERO);
    // Two invoices (two sellers) sharing T2, given out of order.
    let invoices = [
        invoice(2, &["T3", "T2"], "5.61"),
        invoice(1, &["T2", "T1"], "10.53"),
    ];
    l.commit(app_id(1), &invoices).unwrap();
    assert_eq!(state(l, "T1"), invoiced(1, &[1]));
    assert_eq!(state(l, "T2"), invoiced(1, &[1, 2]));
    assert_eq!(state(l, "T3"), invoiced(1, &[2]));
    assert_eq!(state(l, "T4"), reserved(2));
    assert_eq!(l.committed_gross().unwrap().to_string(), "16.14");

    let rec = l.application(app_id(1)).unwrap().unwrap();
    assert_eq!(rec.status, ApplicationStatus::Committed);
    assert_eq!(
        rec.invoices,
        vec![
            InvoiceRecord {
                number: number(1),
                application: app_id(1),
                transactions: txs(&["T1", "T2"]),
                gross: "10.53".parse().unwrap(),
                reversed: false,
                replaces: None,
                replaced_by: None,
            },
            InvoiceRecord {
                number: number(2),
                application: app_id(1),
                transactions: txs(&["T2", "T3"]),
                gross: "5.61".parse().unwrap(),
                reversed: false,
                replaces: None,
                replaced_by: None,
            },
        ]
    );
    assert_eq!(l.invoice(&number(2)).unwrap().as_ref(), rec.invoices.get(1));

    // Again with the same invoices, in any order: nothing changes.
    let mut same = invoices.to_vec();
    same.reverse();
    if let Some(first) = same.first_mut() {
        first.transactions.reverse();
    }
    l.commit(app_id(1), &same).unwrap();
    assert_eq!(l.application(app_id(1)).unwrap().unwrap(), rec);
    assert_eq!(l.committed_gross().unwrap().to_string(), "16.14");

    // With other invoices: refused.
    let other = [invoice(1, &["T1", "T2", "T3"], "16.14")];
    let err = l.commit(app_id(1), &other).unwrap_err();
    assert!(err.is_conflict());
    assert_eq!(
        err.to_string(),
        format!(
            "application `{}` is already committed with different invoices",
            app_id(1)
        )
    );
    let different_amount = [
        invoice(1, &["T1", "T2"], "10.54"),
        invoice(2, &["T2", "T3"], "5.61"),
    ];
    assert!(matches!(
        l.commit(app_id(1), &different_amount),
        Err(LedgerError::CommitMismatch { .. })
    ));
    assert_eq!(l.application(app_id(1)).unwrap().unwrap(), rec);
}

fn suite_commit_errors_change_nothing(l: &dyn Ledger) {
    l.reserve(&entry(1, &["T1", "T2"])).unwrap();
    l.reserve(&entry(2, &["T3"])).unwrap();
    l.commit(app_id(2), &[invoice(9, &["T3"], "1.00")]).unwrap();
    let before = snapshot(
        l,
        &txs(&["T1", "T2", "T3"]),
        &[app_id(1), app_id(2)],
        &[card(0)],
        &[number(1), number(2), number(9)],
    );
    let id = app_id(1);
    let cases: Vec<(Vec<InvoiceEntry>, String)> = vec![
        (
            vec![invoice(1, &["T1"], "1.00")],
            format!("transaction `T2` of application `{id}` is on no invoice"),
        ),
        (
            vec![],
            format!("transaction `T1` of application `{id}` is on no invoice"),
        ),
        (
            vec![invoice(1, &["T1", "T2", "T4"], "1.00")],
            format!(
                "invoice `{}` names transaction `T4`, which is not in application `{id}`",
                number(1)
            ),
        ),
        (
            vec![invoice(1, &["T1", "T2", "T3"], "1.00")],
            format!(
                "invoice `{}` names transaction `T3`, which is not in application `{id}`",
                number(1)
            ),
        ),
        (
            vec![invoice(1, &["T1"], "1.00"), invoice(9, &["T2"], "1.00")],
            format!(
                "invoice `{}` is already recorded for application `{}`",
                number(9),
                app_id(2)
            ),
        ),
        (
            vec![invoice(1, &["T1"], "1.00"), invoice(1, &["T2"], "1.00")],
            format!("invoice `{}` is invalid: it is listed twice", number(1)),
        ),
        (
            vec![invoice(1, &[], "1.00"), invoice(2, &["T1", "T2"], "1.00")],
            format!(
                "invoice `{}` is invalid: it names no transactions",
                number(1)
            ),
        ),
        (
            vec![invoice(1, &["T1", "T2", "T1"], "1.00")],
            format!(
                "invoice `{}` is invalid: it names a transaction twice",
                number(1)
            ),
        ),
        (
            vec![invoice(1, &["T1", "T2"], "-1.00")],
            format!(
                "invoice `{}` is invalid: its gross amount is negative",
                number(1)
            ),
        ),
        (
            vec![InvoiceEntry {
                number: "12 34".to_owned(),
                ..invoice(1, &["T1", "T2"], "1.00")
            }],
            "invoice number `12 34` is invalid: only ascii letters, digits and `-` are allowed"
                .to_owned(),
        ),
    ];
    for (invoices, expected) in cases {
        let err = l.commit(id, &invoices).unwrap_err();
        assert_eq!(err.to_string(), expected);
        assert_eq!(
            snapshot(
                l,
                &txs(&["T1", "T2", "T3"]),
                &[app_id(1), app_id(2)],
                &[card(0)],
                &[number(1), number(2), number(9)],
            ),
            before
        );
    }
}

fn suite_commit_state_rules(l: &dyn Ledger) {
    let err = l
        .commit(app_id(7), &[invoice(1, &["T1"], "1.00")])
        .unwrap_err();
    assert!(err.is_not_found());
    assert!(matches!(err, LedgerError::UnknownApplication(id) if id == app_id(7)));

    l.reserve(&entry(1, &["T1"])).unwrap();
    l.release(app_id(1)).unwrap();
    let err = l
        .commit(app_id(1), &[invoice(1, &["T1"], "1.00")])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("cannot commit application `{}`: it is released", app_id(1))
    );
    assert_eq!(state(l, "T1"), TransactionState::Free);
    assert_eq!(l.invoice(&number(1)).unwrap(), None);
}

fn suite_release(l: &dyn Ledger) {
    assert!(l.release(app_id(1)).unwrap_err().is_not_found());
    l.reserve(&entry(1, &["T1", "T2"])).unwrap();
    l.mark_submitted(app_id(1), "P-1").unwrap();
    l.release(app_id(1)).unwrap();
    assert_eq!(state(l, "T1"), TransactionState::Free);
    assert_eq!(state(l, "T2"), TransactionState::Free);
    let rec = l.application(app_id(1)).unwrap().unwrap();
    assert_eq!(rec.status, ApplicationStatus::Released);
    assert_eq!(rec.platform_id.as_deref(), Some("P-1"));
    assert_eq!(rec.entry.transactions, txs(&["T1", "T2"]));
    // Twice is fine.
    l.release(app_id(1)).unwrap();
    // A released application cannot come back: apply anew.
    let err = l.reserve(&entry(1, &["T1", "T2"])).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("cannot reserve application `{}`: it is released", app_id(1))
    );
    // The freed transactions are free for someone else.
    l.reserve(&entry(2, &["T2"])).unwrap();
    assert_eq!(state(l, "T2"), reserved(2));
    // A committed application cannot be released.
    l.commit(app_id(2), &[invoice(1, &["T2"], "1.00")]).unwrap();
    let err = l.release(app_id(2)).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "cannot release application `{}`: it is committed",
            app_id(2)
        )
    );
    assert_eq!(state(l, "T2"), invoiced(2, &[1]));
}

fn suite_reverse(l: &dyn Ledger) {
    let err = l.reverse(&number(1)).unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.to_string(), format!("unknown invoice `{}`", number(1)));

    l.reserve(&entry(1, &["T1", "T2", "T3"])).unwrap();
    l.commit(
        app_id(1),
        &[
            invoice(1, &["T1", "T2"], "10.00"),
            invoice(2, &["T2", "T3"], "5.00"),
        ],
    )
    .unwrap();
    assert_eq!(l.committed_gross().unwrap().to_string(), "15.00");

    // T2 is still on invoice 2: only T1 is freed.
    assert_eq!(l.reverse(&number(1)).unwrap(), txs(&["T1"]));
    assert_eq!(state(l, "T1"), TransactionState::Free);
    assert_eq!(state(l, "T2"), invoiced(1, &[2]));
    assert_eq!(l.committed_gross().unwrap().to_string(), "5.00");
    assert!(l.invoice(&number(1)).unwrap().unwrap().reversed);
    // Twice frees nothing more.
    assert_eq!(l.reverse(&number(1)).unwrap(), vec![]);
    assert_eq!(l.committed_gross().unwrap().to_string(), "5.00");

    assert_eq!(l.reverse(&number(2)).unwrap(), txs(&["T2", "T3"]));
    for t in ["T1", "T2", "T3"] {
        assert_eq!(state(l, t), TransactionState::Free);
    }
    assert_eq!(l.committed_gross().unwrap(), Money::ZERO);
    let rec = l.application(app_id(1)).unwrap().unwrap();
    assert_eq!(rec.status, ApplicationStatus::Committed);
    assert!(rec.invoices.iter().all(|i| i.reversed));
    assert_eq!(l.reverse(&number(2)).unwrap(), vec![]);
}

fn suite_reverse_then_reuse(l: &dyn Ledger) {
    l.reserve(&entry(1, &["T1", "T2"])).unwrap();
    l.commit(
        app_id(1),
        &[invoice(1, &["T1"], "1.00"), invoice(2, &["T2"], "2.00")],
    )
    .unwrap();
    assert_eq!(l.reverse(&number(1)).unwrap(), txs(&["T1"]));
    // A new application (a reissue) takes T1 and is invoiced.
    l.reserve(&entry(2, &["T1"])).unwrap();
    l.commit(app_id(2), &[invoice(3, &["T1"], "1.00")]).unwrap();
    assert_eq!(state(l, "T1"), invoiced(2, &[3]));
    // Reversing the old invoice again touches nothing of the new holder.
    assert_eq!(l.reverse(&number(1)).unwrap(), vec![]);
    assert_eq!(state(l, "T1"), invoiced(2, &[3]));
    // The old application keeps its history.
    let old = l.application(app_id(1)).unwrap().unwrap();
    assert_eq!(old.entry.transactions, txs(&["T1", "T2"]));
    assert_eq!(old.invoices.len(), 2);
    assert_eq!(l.committed_gross().unwrap().to_string(), "3.00");
    // Reserving T1 again conflicts with the new holder.
    let err = l.reserve(&entry(3, &["T1"])).unwrap_err();
    assert!(
        matches!(err, LedgerError::Conflict { holder, state: HoldKind::Invoiced, .. } if holder == app_id(2))
    );
}

fn suite_replace(l: &dyn Ledger) {
    l.reserve(&entry(1, &["T1", "T2", "T3"])).unwrap();
    let committed = [
        invoice(1, &["T1", "T2"], "10.53"),
        invoice(2, &["T2", "T3"], "5.61"),
    ];
    l.commit(app_id(1), &committed).unwrap();
    let err = l.replace(&number(9), &number(3)).unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.to_string(), format!("unknown invoice `{}`", number(9)));

    // Invoice 1 is reissued as 3: reversed, replaced, and its transactions
    // stay invoiced (by 3); the total does not change.
    l.replace(&number(1), &number(3)).unwrap();
    let old = l.invoice(&number(1)).unwrap().unwrap();
    assert!(old.reversed);
    assert_eq!(old.replaced_by, Some(number(3)));
    assert_eq!(
        l.invoice(&number(3)).unwrap().unwrap(),
        InvoiceRecord {
            number: number(3),
            application: app_id(1),
            transactions: txs(&["T1", "T2"]),
            gross: "10.53".parse().unwrap(),
            reversed: false,
            replaces: Some(number(1)),
            replaced_by: None,
        }
    );
    assert_eq!(state(l, "T1"), invoiced(1, &[3]));
    assert_eq!(state(l, "T2"), invoiced(1, &[2, 3]));
    assert_eq!(l.committed_gross().unwrap().to_string(), "16.14");
    let rec = l.application(app_id(1)).unwrap().unwrap();
    let numbers: Vec<&str> = rec.invoices.iter().map(|i| i.number.as_str()).collect();
    assert_eq!(numbers, [number(1), number(2), number(3)]);

    // Idempotent: the same replacement again changes nothing, and so does
    // a repeated commit of the original invoices.
    l.replace(&number(1), &number(3)).unwrap();
    l.commit(app_id(1), &committed).unwrap();
    assert_eq!(l.application(app_id(1)).unwrap().unwrap(), rec);

    // What cannot be replaced, in the documented order of errors.
    let err = l.replace(&number(1), "no spaces").unwrap_err();
    assert!(
        matches!(
            err,
            LedgerError::Invalid {
                what: "invoice number",
                ..
            }
        ),
        "{err:?}"
    );
    let err = l.replace(&number(1), &number(4)).unwrap_err();
    assert!(err.is_conflict());
    assert_eq!(
        err.to_string(),
        format!(
            "invoice `{}` was already replaced by `{}`",
            number(1),
            number(3)
        )
    );
    let err = l.replace(&number(2), &number(3)).unwrap_err();
    assert!(
        matches!(&err, LedgerError::DuplicateInvoice { number: n, holder } if *n == number(3) && *holder == app_id(1)),
        "{err:?}"
    );
    let err = l.replace(&number(2), &number(2)).unwrap_err();
    assert!(
        matches!(err, LedgerError::DuplicateInvoice { .. }),
        "{err:?}"
    );
    assert_eq!(l.application(app_id(1)).unwrap().unwrap(), rec);

    // The replacement is replaced in turn (a second reissue) …
    l.replace(&number(3), &number(4)).unwrap();
    assert_eq!(state(l, "T1"), invoiced(1, &[4]));
    assert_eq!(l.committed_gross().unwrap().to_string(), "16.14");
    // … and reversing the last of the chain frees what it alone covered.
    assert_eq!(l.reverse(&number(4)).unwrap(), txs(&["T1"]));
    assert_eq!(state(l, "T1"), TransactionState::Free);
    assert_eq!(state(l, "T2"), invoiced(1, &[2]));
    assert_eq!(l.committed_gross().unwrap().to_string(), "5.61");
    // A reversed invoice cannot be replaced; a replaced one reversed again
    // stays as it is.
    let err = l.replace(&number(4), &number(5)).unwrap_err();
    assert!(err.is_conflict());
    assert_eq!(
        err.to_string(),
        format!("invoice `{}` is reversed", number(4))
    );
    assert_eq!(l.reverse(&number(3)).unwrap(), vec![]);
    assert_eq!(
        l.invoice(&number(3)).unwrap().unwrap().replaced_by,
        Some(number(4))
    );
    assert!(l.invoice(&number(5)).unwrap().is_none());
}

fn suite_queries(l: &dyn Ledger) {
    assert_eq!(state(l, "never-seen"), TransactionState::Free);
    assert_eq!(l.application(app_id(1)).unwrap(), None);
    assert_eq!(l.application_by_key("key-1").unwrap(), None);
    assert_eq!(l.invoice(&number(1)).unwrap(), None);
    assert_eq!(l.by_card(&card(0)).unwrap(), vec![]);

    let on_card = |n: u8, c: u8, transactions: &[&str]| ApplicationEntry {
        card: card(c),
        ..entry(n, transactions)
    };
    l.reserve(&on_card(3, 0, &["T3"])).unwrap();
    l.reserve(&on_card(1, 0, &["T1"])).unwrap();
    l.reserve(&on_card(2, 1, &["T2"])).unwrap();
    l.commit(app_id(3), &[invoice(1, &["T3"], "1.00")]).unwrap();
    l.release(app_id(1)).unwrap();

    let ids =
        |recs: Vec<ApplicationRecord>| recs.into_iter().map(|r| r.entry.id).collect::<Vec<_>>();
    // Oldest first, whatever the status.
    assert_eq!(
        ids(l.by_card(&card(0)).unwrap()),
        vec![app_id(1), app_id(3)]
    );
    assert_eq!(ids(l.by_card(&card(1)).unwrap()), vec![app_id(2)]);
    assert!(l.by_card(&card(2)).unwrap().is_empty());

    let rec = l.application(app_id(2)).unwrap().unwrap();
    assert_eq!(rec.entry, on_card(2, 1, &["T2"]));
    assert_eq!(rec.status, ApplicationStatus::Reserved);
    assert_eq!(rec.platform_id, None);
    assert_eq!(rec.invoices, vec![]);
    assert_eq!(l.application_by_key("key-2").unwrap(), Some(rec));

    let inv = l.invoice(&number(1)).unwrap().unwrap();
    assert_eq!(inv.application, app_id(3));
    assert_eq!(inv.transactions, txs(&["T3"]));
    assert_eq!(inv.gross.to_string(), "1.00");
    assert!(!inv.reversed);
    assert_eq!(state(l, "T3").holder(), Some(app_id(3)));
    assert_eq!(state(l, "T1").holder(), None);
}

fn suite_unfinished_oldest_first(l: &dyn Ledger) {
    let at = |n: u8, time: &str| ApplicationEntry {
        created_at: time.parse().unwrap(),
        ..entry(n, &[&format!("T{n}")])
    };
    l.reserve(&at(1, "2024-03-05 09:00:00")).unwrap();
    l.reserve(&at(2, "2024-03-05 08:00:00.5")).unwrap();
    l.reserve(&at(3, "2024-03-05 08:00:00.25")).unwrap();
    // Same instant as 1, reserved later: after 1.
    l.reserve(&at(4, "2024-03-05T01:00:00Z")).unwrap();
    l.reserve(&at(5, "2024-03-04 23:59:59")).unwrap();
    l.reserve(&at(6, "2024-03-01 00:00:00")).unwrap();
    l.mark_submitted(app_id(2), "P-2").unwrap();
    l.commit(app_id(5), &[invoice(5, &["T5"], "1.00")]).unwrap();
    l.release(app_id(6)).unwrap();

    let unfinished = l.unfinished().unwrap();
    let ids: Vec<Uuid> = unfinished.iter().map(|r| r.entry.id).collect();
    assert_eq!(ids, vec![app_id(3), app_id(2), app_id(1), app_id(4)]);
    let submitted = unfinished.get(1).unwrap();
    assert_eq!(submitted.status, ApplicationStatus::Submitted);
    assert_eq!(submitted.platform_id.as_deref(), Some("P-2"));
    assert_eq!(submitted.entry.payload, entry(2, &[]).payload);
    // Time survives storage to the nanosecond.
    assert_eq!(
        unfinished.first().unwrap().entry.created_at.to_string(),
        "2024-03-05T08:00:00.250+08:00"
    );
}

/// Many threads race for overlapping transactions: each transaction ends
/// with exactly one holder, and every winner holds all of its own.
fn suite_concurrent_reserves(l: &dyn Ledger) {
    let results: Vec<(u8, bool)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8u8)
            .map(|n| {
                s.spawn(move || {
                    let (a, b) = (format!("T{}", n % 4), format!("T{}", (n + 1) % 4));
                    let e = entry(n, &[a.as_str(), b.as_str()]);
                    (n, l.reserve(&e).is_ok())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let winners: Vec<u8> = results.iter().filter(|r| r.1).map(|r| r.0).collect();
    assert!(!winners.is_empty());
    let mut claimed = BTreeMap::new();
    for n in &winners {
        let rec = l.application(app_id(*n)).unwrap().unwrap();
        for t in &rec.entry.transactions {
            assert_eq!(claimed.insert(t.clone(), *n), None, "{t} held twice");
            assert_eq!(l.transaction(t).unwrap(), reserved(*n));
        }
    }
    for (n, won) in results {
        assert_eq!(l.application(app_id(n)).unwrap().is_some(), won);
    }
}

/// The trait works through `&`, `Box` and `Arc`, and as `dyn`.
fn suite_through_pointers(l: &dyn Ledger) {
    let by_ref: &dyn Ledger = &l;
    by_ref.reserve(&entry(1, &["T1"])).unwrap();
    let boxed: Box<&dyn Ledger> = Box::new(l);
    assert_eq!(boxed.transaction(&tx("T1")).unwrap(), reserved(1));
    let shared: Arc<&dyn Ledger> = Arc::new(l);
    shared.release(app_id(1)).unwrap();
    assert_eq!(state(l, "T1"), TransactionState::Free);
}

/// Amounts near the top of the range add up to an error, not a wrap.
fn suite_gross_out_of_range(l: &dyn Ledger) {
    l.reserve(&entry(1, &["T1", "T2"])).unwrap();
    let huge = "6000000000000.00"; // six trillion yuan: in range alone
    l.commit(
        app_id(1),
        &[invoice(1, &["T1"], huge), invoice(2, &["T2"], huge)],
    )
    .unwrap();
    let err = l.committed_gross().unwrap_err();
    assert!(matches!(err, LedgerError::Amount(_)), "{err:?}");
    assert_eq!(err.to_string(), "invoice amounts out of range");
    l.reverse(&number(2)).unwrap();
    assert_eq!(l.committed_gross().unwrap().to_string(), huge);
}

// ---- SQLite specifics -----------------------------------------------------------

#[test]
fn sqlite_persists_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite");
    let all_tx = txs(&["T1", "T2", "T3", "T4"]);
    let apps = [app_id(1), app_id(2), app_id(3)];
    let numbers = [number(1), number(2)];
    let before = {
        let l = SqliteLedger::open(&path).unwrap();
        l.reserve(&entry(1, &["T1", "T2"])).unwrap();
        l.reserve(&entry(2, &["T3"])).unwrap();
        l.reserve(&entry(3, &["T4"])).unwrap();
        l.mark_submitted(app_id(2), "P-2").unwrap();
        l.commit(
            app_id(1),
            &[invoice(1, &["T1"], "1.10"), invoice(2, &["T2"], "2.20")],
        )
        .unwrap();
        l.reverse(&number(2)).unwrap();
        snapshot(&l, &all_tx, &apps, &[card(0)], &numbers)
    };
    let l = SqliteLedger::open(&path).unwrap();
    assert_eq!(snapshot(&l, &all_tx, &apps, &[card(0)], &numbers), before);
    assert_eq!(l.unfinished().unwrap().len(), 2);
    // And it goes on where it stopped.
    l.commit(app_id(2), &[invoice(3, &["T3"], "3.00")]).unwrap();
    assert_eq!(l.committed_gross().unwrap().to_string(), "4.10");
}

#[test]
fn sqlite_migrates_an_empty_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite");
    {
        let raw = rusqlite::Connection::open(&path).unwrap();
        raw.execute_batch("CREATE TABLE unrelated (x INTEGER); INSERT INTO unrelated VALUES (1);")
            .unwrap();
        let v: i64 = raw
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, 0);
    }
    let l = SqliteLedger::open(&path).unwrap();
    l.reserve(&entry(1, &["T1"])).unwrap();
    drop(l);
    let raw = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = raw
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, SqliteLedger::SCHEMA_VERSION);
    let mode: String = raw
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let kept: i64 = raw
        .query_row("SELECT x FROM unrelated", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, 1);
    // Opening a current database again migrates nothing.
    drop(raw);
    let l = SqliteLedger::open(&path).unwrap();
    assert_eq!(state(&l, "T1"), reserved(1));
}

#[test]
fn sqlite_migrates_a_version_1_ledger_with_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite");
    {
        // A ledger as version 1 of the schema wrote it: one committed
        // application with one invoice.
        let raw = rusqlite::Connection::open(&path).unwrap();
        raw.execute_batch(include_str!("../../src/ledger/schema_v1.sql"))
            .unwrap();
        raw.pragma_update(None, "user_version", 1).unwrap();
        raw.execute(
            "INSERT INTO applications (id, applicant, card, idempotency_key, payload,
                 created_secs, created_nanos, status)
             VALUES (?1, 'user-1', ?2, 'key-1', '{}', 1709596860, 0, 'committed')",
            [app_id(1).to_string(), card(0).to_string()],
        )
        .unwrap();
        raw.execute_batch(&format!(
            "INSERT INTO application_transactions VALUES (1, 'T1', 1);
             INSERT INTO invoices (number, application, gross_fen, reversed, transactions)
             VALUES ('{}', 1, 1053, 0, '[\"T1\"]');",
            number(1)
        ))
        .unwrap();
    }
    let l = SqliteLedger::open(&path).unwrap();
    let old = l.invoice(&number(1)).unwrap().unwrap();
    assert_eq!((old.replaces, old.replaced_by), (None, None));
    assert_eq!(state(&l, "T1"), invoiced(1, &[1]));
    // The new column works on the migrated data.
    l.replace(&number(1), &number(2)).unwrap();
    assert_eq!(state(&l, "T1"), invoiced(1, &[2]));
    assert_eq!(l.committed_gross().unwrap().to_string(), "10.53");
    drop(l);
    let v: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, SqliteLedger::SCHEMA_VERSION);
    assert_eq!(v, 2);
}

#[test]
fn sqlite_refuses_a_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite");
    drop(SqliteLedger::open(&path).unwrap());
    for version in [SqliteLedger::SCHEMA_VERSION + 1, -1] {
        rusqlite::Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", version)
            .unwrap();
        let err = SqliteLedger::open(&path).unwrap_err();
        assert!(
            matches!(err, LedgerError::UnsupportedSchema { found, supported }
                if found == version && supported == SqliteLedger::SCHEMA_VERSION),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!(
                "ledger database has schema version {version}; this library supports up to {}",
                SqliteLedger::SCHEMA_VERSION
            )
        );
    }
}

#[test]
fn sqlite_index_forbids_two_live_holders() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite");
    let l = SqliteLedger::open(&path).unwrap();
    l.reserve(&entry(1, &["T1"])).unwrap();
    l.reserve(&entry(2, &["T2"])).unwrap();
    l.release(app_id(2)).unwrap();
    // Bypassing the code: the database itself refuses a second live holder.
    let raw = rusqlite::Connection::open(&path).unwrap();
    let seq: i64 = raw
        .query_row(
            "SELECT seq FROM applications WHERE id = ?1",
            [app_id(2).to_string()],
            |r| r.get(0),
        )
        .unwrap();
    let err = raw
        .execute(
            "INSERT INTO application_transactions (application, transaction_id, live)
             VALUES (?1, 'T1', 1)",
            [seq],
        )
        .unwrap_err();
    assert!(err.to_string().contains("UNIQUE"), "{err}");
    // A dead row does not count.
    raw.execute(
        "INSERT INTO application_transactions (application, transaction_id, live)
         VALUES (?1, 'T1', 0)",
        [seq],
    )
    .unwrap();
}

#[test]
fn sqlite_unreadable_data_is_a_storage_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite");
    let l = SqliteLedger::open(&path).unwrap();
    l.reserve(&entry(1, &["T1"])).unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute("UPDATE applications SET card = 'not a card'", [])
        .unwrap();
    let err = l.application(app_id(1)).unwrap_err();
    assert!(err.is_storage(), "{err:?}");
    assert_eq!(err.to_string(), "ledger storage failed");
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn sqlite_refuses_a_file_that_is_not_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite");
    std::fs::write(&path, b"not a database, just some text that is long enough").unwrap();
    let err = SqliteLedger::open(&path).unwrap_err();
    assert!(err.is_storage(), "{err:?}");
}

#[test]
fn two_handles_on_one_file_share_the_guard() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite");
    let a = SqliteLedger::open(&path).unwrap();
    let b = SqliteLedger::open(&path).unwrap();
    a.reserve(&entry(1, &["T1", "T2"])).unwrap();
    let err = b.reserve(&entry(2, &["T2"])).unwrap_err();
    assert!(matches!(err, LedgerError::Conflict { holder, .. } if holder == app_id(1)));
    a.release(app_id(1)).unwrap();
    b.reserve(&entry(2, &["T2"])).unwrap();
    assert_eq!(state(&a, "T2"), reserved(2));
}

// ---- API ------------------------------------------------------------------------

#[test]
fn public_types_are_send_sync_debug() {
    fn check<T: Send + Sync + Debug>() {}
    check::<ApplicationEntry>();
    check::<ApplicationRecord>();
    check::<ApplicationStatus>();
    check::<HoldKind>();
    check::<InvoiceEntry>();
    check::<InvoiceRecord>();
    check::<TransactionState>();
    check::<LedgerError>();
    check::<MemoryLedger>();
    check::<SqliteLedger>();
    fn error<T: std::error::Error + Send + Sync + 'static>() {}
    error::<LedgerError>();
    fn ledger<T: Ledger>() {}
    ledger::<MemoryLedger>();
    ledger::<SqliteLedger>();
    ledger::<Arc<dyn Ledger>>();
    ledger::<Box<dyn Ledger>>();
    ledger::<&dyn Ledger>();
}

#[test]
fn a_value_payload_is_kept_in_memory_and_written_as_json_by_sqlite() {
    #[derive(serde::Serialize)]
    struct Resume {
        n: u32,
    }
    let e = ApplicationEntry {
        payload: Payload::json(Resume { n: 7 }),
        ..entry(1, &["T1"])
    };
    // The payload application 1 was stored with.
    let stored = |l: &dyn Ledger| l.application(app_id(1)).unwrap().unwrap().entry.payload;
    let memory = MemoryLedger::new();
    memory.reserve(&e).unwrap();
    let kept = stored(&memory);
    assert_eq!(kept.value::<Resume>().map(|r| r.n), Some(7));
    assert_eq!(format!("{kept:?}"), "<value>");

    let sqlite = SqliteLedger::open_in_memory().unwrap();
    sqlite.reserve(&e).unwrap();
    let read = stored(&sqlite);
    assert_eq!(read.as_text(), Some(r#"{"n":7}"#));
    assert!(read.value::<Resume>().is_none());
    assert_eq!(read, kept, "payloads are equal when their text is");
}

#[test]
fn debug_redacts_the_payload() {
    let e = ApplicationEntry {
        payload: r#"{"email":"someone@example.com"}"#.into(),
        ..entry(1, &["T1"])
    };
    let shown = format!("{e:?}");
    assert!(!shown.contains("someone"), "{shown}");
    assert!(shown.contains("<31 bytes>"), "{shown}");
}

#[test]
fn statuses_and_states_serialize_as_words() {
    assert_eq!(
        serde_json::to_string(&ApplicationStatus::Submitted).unwrap(),
        r#""submitted""#
    );
    assert_eq!(ApplicationStatus::Released.to_string(), "released");
    assert!(ApplicationStatus::Submitted.is_unfinished());
    assert!(!ApplicationStatus::Committed.is_unfinished());
    assert_eq!(HoldKind::Invoiced.to_string(), "invoiced");
    assert_eq!(
        serde_json::to_string(&TransactionState::Free).unwrap(),
        r#"{"state":"free"}"#
    );
}

// ---- model-based property test -----------------------------------------------------

const POOL_TX: u8 = 8;
const POOL_APP: u8 = 6;
const POOL_NUMBER: u32 = 8;

#[derive(Debug, Clone)]
enum Op {
    Reserve {
        app: u8,
        shared_key: bool,
        card: u8,
        minute: u8,
        transactions: Vec<u8>,
    },
    Submit {
        app: u8,
        platform: u8,
    },
    /// Commits the application's recorded transactions, split over two
    /// invoices at `split` (sharing the transaction at the split when
    /// `overlap`), optionally with a foreign transaction or one left out.
    Commit {
        app: u8,
        numbers: (u32, u32),
        split: usize,
        overlap: bool,
        foreign: Option<u8>,
        drop_last: bool,
    },
    Release {
        app: u8,
    },
    Reverse {
        number: u32,
    },
    /// Records a reissue of invoice `old` as `new`.
    Replace {
        old: u32,
        new: u32,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (
            0..POOL_APP,
            prop::bool::weighted(0.1),
            0..2u8,
            0..3u8,
            prop_oneof![
                9 => prop::collection::vec(0..POOL_TX, 1..4),
                1 => Just(Vec::new()),
            ]
        )
            .prop_map(|(app, shared_key, card, minute, transactions)| Op::Reserve {
                app,
                shared_key,
                card,
                minute,
                transactions,
            }),
        1 => (0..POOL_APP, 0..2u8).prop_map(|(app, platform)| Op::Submit { app, platform }),
        3 => (
            0..POOL_APP,
            (0..POOL_NUMBER, 0..POOL_NUMBER),
            0..4usize,
            any::<bool>(),
            prop::option::weighted(0.1, 0..POOL_TX),
            prop::bool::weighted(0.1)
        )
            .prop_map(|(app, numbers, split, overlap, foreign, drop_last)| Op::Commit {
                app,
                numbers,
                split,
                overlap,
                foreign,
                drop_last,
            }),
        1 => (0..POOL_APP).prop_map(|app| Op::Release { app }),
        2 => (0..POOL_NUMBER).prop_map(|number| Op::Reverse { number }),
        2 => (0..POOL_NUMBER, 0..POOL_NUMBER).prop_map(|(old, new)| Op::Replace { old, new }),
    ]
}

fn pool_tx(n: u8) -> TransactionId {
    tx(&format!("T{n}"))
}

/// Applies `op` to `l`; the outcome as comparable text.
fn apply(l: &dyn Ledger, op: &Op) -> Result<Vec<TransactionId>, String> {
    let err = |e: LedgerError| {
        assert!(!e.is_storage(), "{e:?}");
        e.to_string()
    };
    match op {
        Op::Reserve {
            app,
            shared_key,
            card: c,
            minute,
            transactions,
        } => {
            let list: Vec<String> = transactions.iter().map(|t| format!("T{t}")).collect();
            let refs: Vec<&str> = list.iter().map(String::as_str).collect();
            let e = ApplicationEntry {
                idempotency_key: if *shared_key {
                    "shared".to_owned()
                } else {
                    format!("key-{app}")
                },
                card: card(*c),
                created_at: format!("2024-03-05 08:0{minute}:00").parse().unwrap(),
                ..entry(*app, &refs)
            };
            l.reserve(&e).map(|()| vec![]).map_err(err)
        }
        Op::Submit { app, platform } => l
            .mark_submitted(app_id(*app), &format!("P-{platform}"))
            .map(|()| vec![])
            .map_err(err),
        Op::Commit {
            app,
            numbers,
            split,
            overlap,
            foreign,
            drop_last,
        } => {
            // Built from the ledger's own view, which the test checks is
            // the same in both before every step.
            let mut own: Vec<TransactionId> = l
                .application(app_id(*app))
                .unwrap()
                .map(|r| r.entry.transactions)
                .unwrap_or_else(|| vec![pool_tx(0)]);
            if *drop_last && own.len() > 1 {
                own.pop();
            }
            if let Some(f) = foreign {
                own.push(pool_tx(*f));
            }
            let cut = (*split).min(own.len());
            let (a, b) = own.split_at(cut);
            let mut a = a.to_vec();
            if *overlap && let Some(shared) = b.first() {
                a.push(shared.clone());
            }
            let mut invoices = Vec::new();
            for (n, part) in [(numbers.0, a.as_slice()), (numbers.1, b)] {
                if !part.is_empty() {
                    invoices.push(InvoiceEntry {
                        number: number(n),
                        transactions: part.to_vec(),
                        gross: Money::from_fen(i64::from(n) * 100 + part.len() as i64),
                    });
                }
            }
            l.commit(app_id(*app), &invoices)
                .map(|()| vec![])
                .map_err(err)
        }
        Op::Release { app } => l.release(app_id(*app)).map(|()| vec![]).map_err(err),
        Op::Reverse { number: n } => l.reverse(&number(*n)).map_err(err),
        Op::Replace { old, new } => l
            .replace(&number(*old), &number(*new))
            .map(|()| vec![])
            .map_err(err),
    }
}

/// No transaction is held by two live applications, and the holder the
/// ledger reports is the one whose records claim it.
fn check_invariants(l: &dyn Ledger) {
    let mut claims: BTreeMap<TransactionId, BTreeSet<Uuid>> = BTreeMap::new();
    for a in 0..POOL_APP {
        let Some(rec) = l.application(app_id(a)).unwrap() else {
            continue;
        };
        let claimed: Vec<&TransactionId> = match rec.status {
            ApplicationStatus::Reserved | ApplicationStatus::Submitted => {
                rec.entry.transactions.iter().collect()
            }
            ApplicationStatus::Committed => rec
                .entry
                .transactions
                .iter()
                .filter(|t| {
                    rec.invoices
                        .iter()
                        .any(|i| !i.reversed && i.transactions.contains(t))
                })
                .collect(),
            ApplicationStatus::Released => vec![],
        };
        for t in claimed {
            claims.entry(t.clone()).or_default().insert(rec.entry.id);
        }
    }
    let mut gross = Money::ZERO;
    for n in 0..POOL_NUMBER {
        let Some(inv) = l.invoice(&number(n)).unwrap() else {
            continue;
        };
        if !inv.reversed {
            gross = gross.checked_add(inv.gross).unwrap();
        }
        // A replaced invoice is reversed, and its replacement carries the
        // same application, transactions and amount, and points back.
        if let Some(by) = &inv.replaced_by {
            assert!(inv.reversed, "{inv:?}");
            let next = l.invoice(by).unwrap().unwrap();
            assert_eq!(next.replaces.as_deref(), Some(inv.number.as_str()));
            assert_eq!(
                (next.application, &next.transactions, next.gross),
                (inv.application, &inv.transactions, inv.gross)
            );
        }
    }
    assert_eq!(l.committed_gross().unwrap(), gross);
    for t in (0..POOL_TX).map(pool_tx) {
        let holders = claims.remove(&t).unwrap_or_default();
        assert!(holders.len() <= 1, "{t} held by {holders:?}");
        assert_eq!(
            l.transaction(&t).unwrap().holder(),
            holders.into_iter().next(),
            "{t}"
        );
    }
}

fn full_snapshot(l: &dyn Ledger) -> String {
    let transactions: Vec<TransactionId> = (0..POOL_TX).map(pool_tx).collect();
    let apps: Vec<Uuid> = (0..POOL_APP).map(app_id).collect();
    let numbers: Vec<String> = (0..POOL_NUMBER).map(number).collect();
    snapshot(l, &transactions, &apps, &[card(0), card(1)], &numbers)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn sqlite_behaves_like_memory(ops in prop::collection::vec(op(), 1..60)) {
        let model = MemoryLedger::new();
        let sqlite = SqliteLedger::open_in_memory().unwrap();
        for op in &ops {
            let expected = apply(&model, op);
            let actual = apply(&sqlite, op);
            prop_assert_eq!(&actual, &expected, "{:?}", op);
            prop_assert_eq!(full_snapshot(&sqlite), full_snapshot(&model), "after {:?}", op);
            check_invariants(&model);
            check_invariants(&sqlite);
        }
    }
}
