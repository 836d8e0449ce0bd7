//! The ledger: which transaction is free, reserved by an application, or
//! invoiced — the guard against invoicing anything twice, whatever fails.
//!
//! An application's life in the ledger:
//!
//! ```text
//!                  ┌───────────────────── commit ──────────────────┐
//!                  │                                               ▼
//! reserve ──▶ Reserved ──mark_submitted──▶ Submitted ──commit──▶ Committed
//!                  │                           │                    │
//!                  └───────── release ─────────┴──▶ Released   reverse(invoice)
//!                                                              frees its transactions
//! ```
//!
//! A committed application's invoice may also be **replaced** on a reissue
//! (换开): [`Ledger::replace`] marks it reversed and records the new invoice
//! for the same application, transactions and amount, in one step; the
//! transactions stay invoiced throughout.
//!
//! - [`Ledger::reserve`] holds every transaction of an application, or none:
//!   a transaction held by another application is a
//!   [`LedgerError::Conflict`] naming the holder.
//! - [`Ledger::commit`] turns the holds into invoiced ones, recording the
//!   invoices; [`Ledger::release`] gives them up.
//! - [`Ledger::reverse`] records a red reversal of one invoice and frees the
//!   transactions that no live invoice covers any more. Whether a reversal is
//!   allowed at all is for the rules to decide before calling it.
//! - [`Ledger::replace`] records a reissue: the old invoice is reversed and
//!   the new one takes its place.
//!
//! Every operation is atomic and validates before it changes anything, and
//! every operation is idempotent where a retry after a lost reply could
//! repeat it (reserve, mark as submitted, commit, release, reverse,
//! replace).
//!
//! Two implementations pass the same test suite: [`MemoryLedger`] (tests,
//! simulations, single-process tools) and [`SqliteLedger`] (the embedded
//! default, durable across restarts).

use std::fmt;
use std::sync::Arc;

use etc_invoice_order::{CardNumber, CstDateTime, Money, MoneyError, TransactionId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

mod check;
mod memory;
mod payload;
mod sqlite;

pub use memory::MemoryLedger;
pub use payload::Payload;
pub use sqlite::SqliteLedger;

/// An application to reserve: who asks, for which card, and which
/// transactions it would invoice.
///
/// `Debug` does not print the payload, which holds the applicant's personal
/// data (invoice title, e-mail, phone); it prints the length of a text.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationEntry {
    /// The application's id, chosen by the caller.
    pub id: Uuid,
    /// Who applies (a user id of the mini program or app): 1–255 characters,
    /// no control characters.
    pub applicant: String,
    /// The ETC card the transactions belong to.
    pub card: CardNumber,
    /// The idempotency key under which the application is submitted to the
    /// platform: 1–255 characters, no control characters, unique in the
    /// ledger.
    pub idempotency_key: String,
    /// The transactions to invoice: at least one, each once. The ledger keeps
    /// them in id order.
    pub transactions: Vec<TransactionId>,
    /// Opaque data the caller stores to resume after a crash (the service
    /// keeps the submitted request here). The ledger never reads it; a
    /// durable ledger writes it as text.
    pub payload: Payload,
    /// When the application was made.
    pub created_at: CstDateTime,
}

impl fmt::Debug for ApplicationEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApplicationEntry")
            .field("id", &self.id)
            .field("applicant", &self.applicant)
            .field("card", &self.card)
            .field("idempotency_key", &self.idempotency_key)
            .field("transactions", &self.transactions)
            .field("payload", &self.payload)
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// An invoice the platform issued for an application, as passed to
/// [`Ledger::commit`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceEntry {
    /// The invoice number (20 digits for a fully digital 数电 invoice; other
    /// documents combine a code and a number): 1–64 ASCII letters, digits
    /// and `-`, unique in the ledger.
    pub number: String,
    /// The application's transactions this invoice covers: at least one,
    /// each once.
    pub transactions: Vec<TransactionId>,
    /// The amount including tax; zero or more.
    pub gross: Money,
}

/// An invoice as the ledger holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceRecord {
    /// The invoice number.
    pub number: String,
    /// The application it was issued for.
    pub application: Uuid,
    /// The transactions it covers, in id order.
    pub transactions: Vec<TransactionId>,
    /// The amount including tax.
    pub gross: Money,
    /// Whether a red reversal cancelled it (on its own, or on a reissue that
    /// replaced it).
    pub reversed: bool,
    /// The invoice this one replaced on a reissue (换开), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
    /// The invoice that replaced this one on a reissue, if any; it is then
    /// reversed too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<String>,
}

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// Its transactions are reserved; nothing was sent to the platform yet
    /// (or the platform's reply was lost).
    Reserved,
    /// The platform accepted it under the id in
    /// [`ApplicationRecord::platform_id`]; the outcome is pending.
    Submitted,
    /// Invoiced: its transactions are held by its invoices.
    Committed,
    /// Given up: its transactions were freed.
    Released,
}

impl ApplicationStatus {
    /// The status as a lowercase word (`reserved`, `submitted`, …), as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Reserved => "reserved",
            ApplicationStatus::Submitted => "submitted",
            ApplicationStatus::Committed => "committed",
            ApplicationStatus::Released => "released",
        }
    }

    /// Whether the application still waits for an outcome (reserved or
    /// submitted): the ones to resume after a crash.
    pub fn is_unfinished(self) -> bool {
        matches!(
            self,
            ApplicationStatus::Reserved | ApplicationStatus::Submitted
        )
    }
}

impl fmt::Display for ApplicationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An application as the ledger holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationRecord {
    /// The application as reserved (transactions in id order).
    pub entry: ApplicationEntry,
    /// Where it stands.
    pub status: ApplicationStatus,
    /// The platform's id for it, once [`Ledger::mark_submitted`] recorded
    /// one; kept after commit or release.
    pub platform_id: Option<String>,
    /// Its invoices, in number order (empty until committed).
    pub invoices: Vec<InvoiceRecord>,
}

/// How a transaction is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldKind {
    /// Reserved by an application that is not committed yet.
    Reserved,
    /// Covered by a live (not reversed) invoice.
    Invoiced,
}

impl HoldKind {
    /// The kind as a lowercase word (`reserved`, `invoiced`), as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            HoldKind::Reserved => "reserved",
            HoldKind::Invoiced => "invoiced",
        }
    }
}

impl fmt::Display for HoldKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a transaction stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum TransactionState {
    /// No application holds it: it may be applied for.
    Free,
    /// Reserved by an application that is not committed yet.
    Reserved {
        /// The holder.
        application: Uuid,
    },
    /// Invoiced by a committed application.
    Invoiced {
        /// The holder.
        application: Uuid,
        /// The holder's live (not reversed) invoices covering it, in number
        /// order.
        invoices: Vec<String>,
    },
}

impl TransactionState {
    /// The application holding the transaction, if any.
    pub fn holder(&self) -> Option<Uuid> {
        match self {
            TransactionState::Free => None,
            TransactionState::Reserved { application }
            | TransactionState::Invoiced { application, .. } => Some(*application),
        }
    }
}

/// Why a ledger operation failed. A failed operation changed nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// A transaction is held by another application.
    #[error("transaction `{transaction}` is already {state} by application `{holder}`")]
    Conflict {
        /// The first conflicting transaction (the smallest id).
        transaction: TransactionId,
        /// The application holding it.
        holder: Uuid,
        /// How it is held.
        state: HoldKind,
    },
    /// The application was already reserved with other details.
    #[error("application `{application}` is already reserved with different {field}")]
    ApplicationMismatch {
        /// The application.
        application: Uuid,
        /// What differs: `transactions`, `card`, `applicant` or `idempotency key`.
        field: &'static str,
    },
    /// Another application uses the same idempotency key.
    #[error("idempotency key `{key}` already belongs to application `{holder}`")]
    DuplicateKey {
        /// The key (cut to 64 characters).
        key: String,
        /// The application using it.
        holder: Uuid,
    },
    /// The application names no transaction.
    #[error("application `{application}` names no transactions")]
    NoTransactions {
        /// The application.
        application: Uuid,
    },
    /// The application names a transaction twice.
    #[error("application `{application}` names transaction `{transaction}` twice")]
    DuplicateTransaction {
        /// The application.
        application: Uuid,
        /// The first repeated transaction (the smallest id).
        transaction: TransactionId,
    },
    /// A text field does not have the required form.
    #[error("{what} `{input}` is invalid: {reason}")]
    Invalid {
        /// Which field: `applicant`, `idempotency key`, `platform id`, `invoice number`.
        what: &'static str,
        /// The offending text (cut to 64 characters).
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An invoice passed to commit is malformed.
    #[error("invoice `{number}` is invalid: {reason}")]
    InvalidInvoice {
        /// The invoice number.
        number: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// No application has this id.
    #[error("unknown application `{0}`")]
    UnknownApplication(Uuid),
    /// No invoice has this number.
    #[error("unknown invoice `{0}`")]
    UnknownInvoice(String),
    /// The invoice to replace was reversed, not by a reissue.
    #[error("invoice `{0}` is reversed")]
    InvoiceReversed(String),
    /// The invoice to replace was already replaced, by another invoice.
    #[error("invoice `{number}` was already replaced by `{by}`")]
    AlreadyReplaced {
        /// The invoice.
        number: String,
        /// The invoice that replaced it.
        by: String,
    },
    /// The operation does not apply to an application in this status.
    #[error("cannot {action} application `{application}`: it is {status}")]
    InvalidState {
        /// The application.
        application: Uuid,
        /// Its status.
        status: ApplicationStatus,
        /// The refused operation: `reserve`, `mark as submitted`, `commit`, `release`.
        action: &'static str,
    },
    /// The application was already marked as submitted under another
    /// platform id.
    #[error("application `{application}` was submitted as `{recorded}`, not `{given}`")]
    PlatformIdMismatch {
        /// The application.
        application: Uuid,
        /// The platform id recorded first.
        recorded: String,
        /// The platform id given now (cut to 64 characters).
        given: String,
    },
    /// The application was already committed with other invoices.
    #[error("application `{application}` is already committed with different invoices")]
    CommitMismatch {
        /// The application.
        application: Uuid,
    },
    /// A transaction of the application is on no invoice.
    #[error("transaction `{transaction}` of application `{application}` is on no invoice")]
    Uncovered {
        /// The application.
        application: Uuid,
        /// The first uncovered transaction (the smallest id).
        transaction: TransactionId,
    },
    /// An invoice names a transaction that is not the application's.
    #[error(
        "invoice `{invoice}` names transaction `{transaction}`, which is not in application `{application}`"
    )]
    Foreign {
        /// The application.
        application: Uuid,
        /// The invoice.
        invoice: String,
        /// The transaction.
        transaction: TransactionId,
    },
    /// An invoice number is already recorded for another application.
    #[error("invoice `{number}` is already recorded for application `{holder}`")]
    DuplicateInvoice {
        /// The invoice number.
        number: String,
        /// The application it is recorded for.
        holder: Uuid,
    },
    /// A sum of invoice amounts is out of range.
    #[error("invoice amounts out of range")]
    Amount(#[source] MoneyError),
    /// The database was written by a newer version of this library (or is
    /// not a ledger).
    #[error("ledger database has schema version {found}; this library supports up to {supported}")]
    UnsupportedSchema {
        /// The version found in the database.
        found: i64,
        /// The newest version this library knows.
        supported: i64,
    },
    /// The payload of an application could not be written as text (a
    /// durable ledger only: the in-memory one keeps it as it is).
    #[error("cannot write the payload of application `{application}`")]
    Payload {
        /// The application.
        application: Uuid,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// The database failed or holds a value that cannot be read.
    #[error("ledger storage failed")]
    Storage(#[from] rusqlite::Error),
}

impl LedgerError {
    /// Whether the request collides with what the ledger already holds:
    /// another application's transaction, idempotency key or invoice, or the
    /// same application recorded with other details.
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            LedgerError::Conflict { .. }
                | LedgerError::ApplicationMismatch { .. }
                | LedgerError::DuplicateKey { .. }
                | LedgerError::PlatformIdMismatch { .. }
                | LedgerError::CommitMismatch { .. }
                | LedgerError::DuplicateInvoice { .. }
                | LedgerError::InvoiceReversed(_)
                | LedgerError::AlreadyReplaced { .. }
        )
    }

    /// Whether the application or invoice named does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            LedgerError::UnknownApplication(_) | LedgerError::UnknownInvoice(_)
        )
    }

    /// Whether the storage failed (I/O, lock, corrupt data): the request
    /// itself may be fine, and retrying later may succeed.
    pub fn is_storage(&self) -> bool {
        matches!(self, LedgerError::Storage(_))
    }
}

/// Records which transaction is free, reserved by an application, or
/// invoiced.
///
/// Every method is one atomic step: it validates first and changes nothing
/// when it fails. Methods block (the SQLite implementation does I/O); an
/// async caller calls them between awaits, or on a blocking thread when the
/// storage is slow.
///
/// When several checks fail, the error is the first in the order each
/// method's `# Errors` section lists, and among transactions or invoices
/// the smallest id or number: both implementations report the same error.
pub trait Ledger: Send + Sync {
    /// Reserves every transaction of `application`, or none.
    ///
    /// Reserving an application again with the same transactions, card,
    /// applicant and idempotency key changes nothing and succeeds, whether
    /// it is reserved, submitted or committed (the payload and time of the
    /// first reservation stay).
    ///
    /// # Errors
    /// In this order: [`LedgerError::Invalid`] for a blank or over-long
    /// applicant or idempotency key; [`LedgerError::NoTransactions`];
    /// [`LedgerError::DuplicateTransaction`]; for a known application,
    /// [`LedgerError::ApplicationMismatch`] when anything else differs and
    /// [`LedgerError::InvalidState`] when it was released;
    /// [`LedgerError::DuplicateKey`] when another application uses the key;
    /// [`LedgerError::Conflict`] naming the smallest transaction another
    /// application holds, and its holder; [`LedgerError::Payload`] when a
    /// durable ledger cannot write the payload as text;
    /// [`LedgerError::Storage`].
    fn reserve(&self, application: &ApplicationEntry) -> Result<(), LedgerError>;

    /// Records that the platform accepted `application` under `platform_id`,
    /// so that a restart can poll it instead of submitting again. Recording
    /// the same id again succeeds.
    ///
    /// # Errors
    /// [`LedgerError::Invalid`] for a blank or over-long id;
    /// [`LedgerError::UnknownApplication`]; [`LedgerError::InvalidState`]
    /// when committed or released; [`LedgerError::PlatformIdMismatch`] when
    /// another id was recorded; [`LedgerError::Storage`].
    fn mark_submitted(&self, application: Uuid, platform_id: &str) -> Result<(), LedgerError>;

    /// Records the invoices issued for `application` and moves its
    /// transactions from reserved to invoiced.
    ///
    /// Every transaction of the application must be on at least one invoice,
    /// and the invoices may name only the application's transactions.
    /// Committing again with the same invoices (in any order) succeeds and
    /// changes nothing.
    ///
    /// # Errors
    /// In this order: for the first malformed invoice in number order,
    /// [`LedgerError::Invalid`] (its number) or [`LedgerError::InvalidInvoice`]
    /// (listed twice, no or a repeated transaction, a negative amount);
    /// [`LedgerError::UnknownApplication`]; [`LedgerError::InvalidState`]
    /// when released; [`LedgerError::CommitMismatch`] when committed with
    /// other invoices; [`LedgerError::Foreign`]; [`LedgerError::Uncovered`];
    /// [`LedgerError::DuplicateInvoice`] when a number belongs to another
    /// application; [`LedgerError::Storage`].
    fn commit(&self, application: Uuid, invoices: &[InvoiceEntry]) -> Result<(), LedgerError>;

    /// Gives up `application` and frees its transactions. Releasing a
    /// released application succeeds and changes nothing.
    ///
    /// # Errors
    /// [`LedgerError::UnknownApplication`]; [`LedgerError::InvalidState`]
    /// when committed (reverse its invoices instead);
    /// [`LedgerError::Storage`].
    fn release(&self, application: Uuid) -> Result<(), LedgerError>;

    /// Records the red reversal of invoice `number` and frees each of its
    /// transactions that no live invoice of the holder covers any more.
    /// Returns the freed transactions in id order. Reversing a reversed
    /// invoice succeeds and frees nothing.
    ///
    /// The ledger does not judge whether the reversal is allowed; the rules
    /// do, before calling this.
    ///
    /// # Errors
    /// [`LedgerError::UnknownInvoice`]; [`LedgerError::Storage`].
    fn reverse(&self, number: &str) -> Result<Vec<TransactionId>, LedgerError>;

    /// Records a reissue (换开): the platform reversed invoice `old` and
    /// issued `new` in its place, with the same lines under a new title.
    ///
    /// In one step, `old` is marked reversed and replaced by `new`, and `new`
    /// is recorded for the same application, with the same transactions and
    /// gross amount. The transactions stay invoiced throughout (now by
    /// `new`), so nothing is freed and the committed total does not change;
    /// `new` can later be reversed or replaced in turn. Recording the same
    /// replacement again succeeds and changes nothing.
    ///
    /// # Errors
    /// In this order: [`LedgerError::Invalid`] for a malformed `new`
    /// number; [`LedgerError::UnknownInvoice`] for `old`;
    /// [`LedgerError::AlreadyReplaced`] when `old` was replaced by another
    /// invoice, [`LedgerError::InvoiceReversed`] when it was reversed
    /// otherwise; [`LedgerError::DuplicateInvoice`] when `new` is already
    /// recorded (`old` itself included); [`LedgerError::Storage`].
    fn replace(&self, old: &str, new: &str) -> Result<(), LedgerError>;

    /// Where transaction `id` stands; a transaction the ledger never saw is
    /// [`TransactionState::Free`].
    ///
    /// # Errors
    /// [`LedgerError::Storage`].
    fn transaction(&self, id: &TransactionId) -> Result<TransactionState, LedgerError>;

    /// The application with this id, if any.
    ///
    /// # Errors
    /// [`LedgerError::Storage`].
    fn application(&self, id: Uuid) -> Result<Option<ApplicationRecord>, LedgerError>;

    /// The application reserved under this idempotency key, if any.
    ///
    /// # Errors
    /// [`LedgerError::Storage`].
    fn application_by_key(&self, key: &str) -> Result<Option<ApplicationRecord>, LedgerError>;

    /// The invoice with this number, if any.
    ///
    /// # Errors
    /// [`LedgerError::Storage`].
    fn invoice(&self, number: &str) -> Result<Option<InvoiceRecord>, LedgerError>;

    /// Every application for `card`, oldest first (by creation time, then
    /// order of reservation).
    ///
    /// # Errors
    /// [`LedgerError::Storage`].
    fn by_card(&self, card: &CardNumber) -> Result<Vec<ApplicationRecord>, LedgerError>;

    /// Every reserved or submitted application, oldest first (by creation
    /// time, then order of reservation): what to resume after a crash.
    ///
    /// # Errors
    /// [`LedgerError::Storage`].
    fn unfinished(&self) -> Result<Vec<ApplicationRecord>, LedgerError>;

    /// The sum of the gross amounts of all live (not reversed) invoices, for
    /// invariant checks and reconciliation.
    ///
    /// # Errors
    /// [`LedgerError::Amount`] when the sum is out of range;
    /// [`LedgerError::Storage`].
    fn committed_gross(&self) -> Result<Money, LedgerError>;
}

/// Implements [`Ledger`] for a pointer type by forwarding to its target.
macro_rules! forward_ledger {
    ($($ptr:ty),*) => {$(
        impl<L: Ledger + ?Sized> Ledger for $ptr {
            fn reserve(&self, application: &ApplicationEntry) -> Result<(), LedgerError> {
                (**self).reserve(application)
            }
            fn mark_submitted(&self, application: Uuid, platform_id: &str) -> Result<(), LedgerError> {
                (**self).mark_submitted(application, platform_id)
            }
            fn commit(&self, application: Uuid, invoices: &[InvoiceEntry]) -> Result<(), LedgerError> {
                (**self).commit(application, invoices)
            }
            fn release(&self, application: Uuid) -> Result<(), LedgerError> {
                (**self).release(application)
            }
            fn reverse(&self, number: &str) -> Result<Vec<TransactionId>, LedgerError> {
                (**self).reverse(number)
            }
            fn replace(&self, old: &str, new: &str) -> Result<(), LedgerError> {
                (**self).replace(old, new)
            }
            fn transaction(&self, id: &TransactionId) -> Result<TransactionState, LedgerError> {
                (**self).transaction(id)
            }
            fn application(&self, id: Uuid) -> Result<Option<ApplicationRecord>, LedgerError> {
                (**self).application(id)
            }
            fn application_by_key(&self, key: &str) -> Result<Option<ApplicationRecord>, LedgerError> {
                (**self).application_by_key(key)
            }
            fn invoice(&self, number: &str) -> Result<Option<InvoiceRecord>, LedgerError> {
                (**self).invoice(number)
            }
            fn by_card(&self, card: &CardNumber) -> Result<Vec<ApplicationRecord>, LedgerError> {
                (**self).by_card(card)
            }
            fn unfinished(&self) -> Result<Vec<ApplicationRecord>, LedgerError> {
                (**self).unfinished()
            }
            fn committed_gross(&self) -> Result<Money, LedgerError> {
                (**self).committed_gross()
            }
        }
    )*};
}

forward_ledger!(&L, Box<L>, Arc<L>);
