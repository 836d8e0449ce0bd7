//! The checks both ledgers run before they touch their state, so that both
//! report the same error for the same request.

use std::borrow::Cow;

use etc_invoice_order::TransactionId;
use uuid::Uuid;

use super::{ApplicationEntry, ApplicationRecord, InvoiceEntry, InvoiceRecord, LedgerError};

/// The longest applicant, idempotency key or platform id, in characters.
const MAX_TEXT: usize = 255;
/// The longest invoice number, in characters.
const MAX_NUMBER: usize = 64;

pub(crate) fn cut(s: &str) -> String {
    s.chars().take(64).collect()
}

fn invalid(what: &'static str, input: &str, reason: &'static str) -> LedgerError {
    LedgerError::Invalid {
        what,
        input: cut(input),
        reason,
    }
}

/// A short free text: 1–255 characters, no control characters, not blank.
fn text(what: &'static str, s: &str) -> Result<(), LedgerError> {
    if s.trim().is_empty() {
        return Err(invalid(what, s, "it is blank"));
    }
    if s.chars().count() > MAX_TEXT {
        return Err(invalid(what, s, "it is longer than 255 characters"));
    }
    if s.chars().any(char::is_control) {
        return Err(invalid(what, s, "it has a control character"));
    }
    Ok(())
}

/// A platform id given to `mark_submitted`.
pub(crate) fn platform_id(s: &str) -> Result<(), LedgerError> {
    text("platform id", s)
}

/// An invoice number: 1–64 ASCII letters, digits and `-`.
pub(crate) fn invoice_number(s: &str) -> Result<(), LedgerError> {
    const WHAT: &str = "invoice number";
    if s.is_empty() {
        return Err(invalid(WHAT, s, "it is empty"));
    }
    if s.chars().count() > MAX_NUMBER {
        return Err(invalid(WHAT, s, "it is longer than 64 characters"));
    }
    if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(invalid(
            WHAT,
            s,
            "only ascii letters, digits and `-` are allowed",
        ));
    }
    Ok(())
}

/// The smallest value that occurs more than once in `sorted`.
fn first_repeat(sorted: &[TransactionId]) -> Option<&TransactionId> {
    sorted
        .iter()
        .zip(sorted.iter().skip(1))
        .find(|(a, b)| a == b)
        .map(|(a, _)| a)
}

/// Checks an application to reserve; returns its transactions in id order.
pub(crate) fn entry(app: &ApplicationEntry) -> Result<Vec<TransactionId>, LedgerError> {
    text("applicant", &app.applicant)?;
    text("idempotency key", &app.idempotency_key)?;
    if app.transactions.is_empty() {
        return Err(LedgerError::NoTransactions {
            application: app.id,
        });
    }
    let mut sorted = app.transactions.clone();
    sorted.sort_unstable();
    if let Some(t) = first_repeat(&sorted) {
        return Err(LedgerError::DuplicateTransaction {
            application: app.id,
            transaction: t.clone(),
        });
    }
    Ok(sorted)
}

/// Compares a repeated reservation with the recorded one (whose
/// transactions are in id order, as are `sorted`).
pub(crate) fn same_entry(
    recorded: &ApplicationRecord,
    app: &ApplicationEntry,
    sorted: &[TransactionId],
) -> Result<(), LedgerError> {
    let mismatch = |field| LedgerError::ApplicationMismatch {
        application: app.id,
        field,
    };
    let old = &recorded.entry;
    if old.transactions != sorted {
        return Err(mismatch("transactions"));
    }
    if old.card != app.card {
        return Err(mismatch("card"));
    }
    if old.applicant != app.applicant {
        return Err(mismatch("applicant"));
    }
    if old.idempotency_key != app.idempotency_key {
        return Err(mismatch("idempotency key"));
    }
    if recorded.status == super::ApplicationStatus::Released {
        return Err(LedgerError::InvalidState {
            application: app.id,
            status: recorded.status,
            action: "reserve",
        });
    }
    Ok(())
}

/// Checks the invoices passed to commit, one by one in number order;
/// returns them in number order with their transactions in id order (as
/// given, when they already are: the usual case, so nothing is copied).
pub(crate) fn invoices(invoices: &[InvoiceEntry]) -> Result<Cow<'_, [InvoiceEntry]>, LedgerError> {
    let in_order = invoices.is_sorted_by(|a, b| a.number <= b.number)
        && invoices.iter().all(|inv| inv.transactions.is_sorted());
    let sorted = if in_order {
        Cow::Borrowed(invoices)
    } else {
        let mut sorted = invoices.to_vec();
        sorted.sort_by(|a, b| a.number.cmp(&b.number));
        for inv in &mut sorted {
            inv.transactions.sort_unstable();
        }
        Cow::Owned(sorted)
    };
    let mut previous: Option<&str> = None;
    for inv in sorted.iter() {
        let bad = |reason| LedgerError::InvalidInvoice {
            number: inv.number.clone(),
            reason,
        };
        invoice_number(&inv.number)?;
        if previous == Some(inv.number.as_str()) {
            return Err(bad("it is listed twice"));
        }
        previous = Some(&inv.number);
        if inv.transactions.is_empty() {
            return Err(bad("it names no transactions"));
        }
        if first_repeat(&inv.transactions).is_some() {
            return Err(bad("it names a transaction twice"));
        }
        if inv.gross.is_negative() {
            return Err(bad("its gross amount is negative"));
        }
    }
    Ok(sorted)
}

/// Whether the invoices a commit recorded are the same as checked ones
/// (both in number order, transactions in id order). The recorded invoices
/// that replaced others on a reissue came later and are not compared; the
/// invoices they replaced are, reversed or not.
pub(crate) fn same_invoices(recorded: &[InvoiceRecord], given: &[InvoiceEntry]) -> bool {
    let mut committed = recorded.iter().filter(|r| r.replaces.is_none());
    given.iter().all(|g| {
        committed.next().is_some_and(|r| {
            r.number == g.number && r.transactions == g.transactions && r.gross == g.gross
        })
    }) && committed.next().is_none()
}

/// Decides `replace(old, new)` from what the ledger holds: `old`'s record,
/// if any, and the application `new` is recorded for, if it is.
/// `Ok(true)`: record the replacement; `Ok(false)`: it is recorded already.
pub(crate) fn replacement(
    old: &str,
    recorded: Option<&InvoiceRecord>,
    new: &str,
    new_holder: Option<Uuid>,
) -> Result<bool, LedgerError> {
    invoice_number(new)?;
    let Some(record) = recorded else {
        return Err(LedgerError::UnknownInvoice(cut(old)));
    };
    match record.replaced_by.as_deref() {
        Some(by) if by == new => return Ok(false),
        Some(by) => {
            return Err(LedgerError::AlreadyReplaced {
                number: cut(old),
                by: by.to_owned(),
            });
        }
        None if record.reversed => return Err(LedgerError::InvoiceReversed(cut(old))),
        None => {}
    }
    if let Some(holder) = new_holder {
        return Err(LedgerError::DuplicateInvoice {
            number: new.to_owned(),
            holder,
        });
    }
    Ok(true)
}

/// Checks that the invoices (checked, in number order) name only the
/// application's transactions (given in id order) and cover each of them.
pub(crate) fn coverage(
    application: Uuid,
    transactions: &[TransactionId],
    invoices: &[InvoiceEntry],
) -> Result<(), LedgerError> {
    for inv in invoices {
        if let Some(t) = inv
            .transactions
            .iter()
            .find(|t| transactions.binary_search(t).is_err())
        {
            return Err(LedgerError::Foreign {
                application,
                invoice: inv.number.clone(),
                transaction: t.clone(),
            });
        }
    }
    let mut covered: Vec<&TransactionId> =
        invoices.iter().flat_map(|inv| &inv.transactions).collect();
    covered.sort_unstable();
    if let Some(t) = transactions
        .iter()
        .find(|t| covered.binary_search(t).is_err())
    {
        return Err(LedgerError::Uncovered {
            application,
            transaction: t.clone(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoice_numbers() {
        assert!(invoice_number("24442000000012345678").is_ok());
        assert!(invoice_number("044001900111-12345678").is_ok());
        let err = invoice_number("12 34").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invoice number `12 34` is invalid: only ascii letters, digits and `-` are allowed"
        );
        assert!(invoice_number("").is_err());
        assert!(invoice_number(&"1".repeat(65)).is_err());
    }

    #[test]
    fn texts() {
        assert!(text("applicant", "user-1").is_ok());
        assert!(text("applicant", "  ").is_err());
        assert!(text("applicant", "a\nb").is_err());
        assert!(text("applicant", &"名".repeat(256)).is_err());
        assert!(text("applicant", &"名".repeat(255)).is_ok());
    }
}
