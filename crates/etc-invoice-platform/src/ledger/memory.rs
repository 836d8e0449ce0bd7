//! The in-memory ledger.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use etc_invoice_order::{CardNumber, CstDateTime, Money, TransactionId};
use uuid::Uuid;

use super::{
    ApplicationEntry, ApplicationRecord, ApplicationStatus, HoldKind, InvoiceEntry, InvoiceRecord,
    Ledger, LedgerError, TransactionState, check,
};

/// A [`Ledger`] held in memory: for tests, simulations and single-process
/// tools. Its state is lost when it is dropped.
///
/// One mutex guards the whole state; every operation checks first and then
/// changes the state, so a failed operation changes nothing.
///
/// ```
/// use etc_invoice_platform::{Ledger, MemoryLedger, TransactionState};
///
/// let ledger = MemoryLedger::new();
/// assert_eq!(ledger.transaction(&"P-1".parse()?)?, TransactionState::Free);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct MemoryLedger {
    state: Mutex<State>,
}

/// A hash map with a fast hasher.
type Lookup<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Every map is a hash map: they are looked up, and where they are listed
/// (applications, by card or unfinished) the records are sorted oldest
/// first; the gross total adds up in any order. So their order never
/// reaches output.
#[derive(Debug, Default)]
struct State {
    /// The next reservation's sequence number (the tie-break of "oldest").
    next_seq: u64,
    applications: Lookup<Uuid, App>,
    keys: Lookup<String, Uuid>,
    /// The applications of each card, in order of reservation.
    cards: Lookup<CardNumber, Vec<Uuid>>,
    holds: Lookup<TransactionId, (Uuid, HoldKind)>,
    invoices: Lookup<String, InvoiceRecord>,
}

#[derive(Debug)]
struct App {
    seq: u64,
    /// Transactions in id order.
    entry: ApplicationEntry,
    status: ApplicationStatus,
    platform_id: Option<String>,
    /// Invoice numbers, in order (a few per application: a sorted vector).
    invoices: Vec<String>,
}

impl MemoryLedger {
    /// An empty ledger.
    pub fn new() -> MemoryLedger {
        MemoryLedger::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while the lock was held cannot have left the state half
        // changed: every operation checks before it changes anything, and
        // the changes themselves (map inserts and removes) do not panic. So
        // the state behind a poisoned lock is consistent and we go on.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl State {
    fn record(&self, app: &App) -> ApplicationRecord {
        ApplicationRecord {
            entry: app.entry.clone(),
            status: app.status,
            platform_id: app.platform_id.clone(),
            invoices: app
                .invoices
                .iter()
                .filter_map(|n| self.invoices.get(n).cloned())
                .collect(),
        }
    }

    fn app(&self, id: Uuid) -> Result<&App, LedgerError> {
        self.applications
            .get(&id)
            .ok_or(LedgerError::UnknownApplication(id))
    }

    fn app_mut(&mut self, id: Uuid) -> Result<&mut App, LedgerError> {
        self.applications
            .get_mut(&id)
            .ok_or(LedgerError::UnknownApplication(id))
    }

    /// Records oldest first: by creation time, then order of reservation.
    fn records<'a>(&self, apps: impl Iterator<Item = &'a App>) -> Vec<ApplicationRecord> {
        let mut apps: Vec<(&CstDateTime, u64, &App)> =
            apps.map(|a| (&a.entry.created_at, a.seq, a)).collect();
        apps.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        apps.into_iter().map(|(_, _, a)| self.record(a)).collect()
    }

    /// The live invoices of `application` covering `transaction`.
    fn live_invoices(&self, application: Uuid, transaction: &TransactionId) -> Vec<String> {
        let Some(app) = self.applications.get(&application) else {
            return Vec::new();
        };
        app.invoices
            .iter()
            .filter_map(|n| self.invoices.get(n))
            .filter(|inv| !inv.reversed && inv.transactions.contains(transaction))
            .map(|inv| inv.number.clone())
            .collect()
    }
}

impl Ledger for MemoryLedger {
    fn reserve(&self, application: &ApplicationEntry) -> Result<(), LedgerError> {
        let sorted = check::entry(application)?;
        let mut state = self.lock();
        if let Some(app) = state.applications.get(&application.id) {
            return check::same_entry(&state.record(app), application, &sorted);
        }
        if let Some(holder) = state.keys.get(&application.idempotency_key) {
            return Err(LedgerError::DuplicateKey {
                key: check::cut(&application.idempotency_key),
                holder: *holder,
            });
        }
        for t in &sorted {
            if let Some((holder, kind)) = state.holds.get(t) {
                return Err(LedgerError::Conflict {
                    transaction: t.clone(),
                    holder: *holder,
                    state: *kind,
                });
            }
        }
        let id = application.id;
        for t in &sorted {
            state.holds.insert(t.clone(), (id, HoldKind::Reserved));
        }
        state.keys.insert(application.idempotency_key.clone(), id);
        state.cards.entry(application.card).or_default().push(id);
        let seq = state.next_seq;
        state.next_seq = seq.saturating_add(1);
        let entry = ApplicationEntry {
            id,
            applicant: application.applicant.clone(),
            card: application.card,
            idempotency_key: application.idempotency_key.clone(),
            transactions: sorted,
            payload: application.payload.clone(),
            created_at: application.created_at,
        };
        state.applications.insert(
            id,
            App {
                seq,
                entry,
                status: ApplicationStatus::Reserved,
                platform_id: None,
                invoices: Vec::new(),
            },
        );
        Ok(())
    }

    fn mark_submitted(&self, application: Uuid, platform_id: &str) -> Result<(), LedgerError> {
        check::platform_id(platform_id)?;
        let mut state = self.lock();
        let app = state.app_mut(application)?;
        match (app.status, &app.platform_id) {
            (ApplicationStatus::Committed | ApplicationStatus::Released, _) => {
                Err(LedgerError::InvalidState {
                    application,
                    status: app.status,
                    action: "mark as submitted",
                })
            }
            (_, Some(recorded)) if recorded != platform_id => {
                Err(LedgerError::PlatformIdMismatch {
                    application,
                    recorded: recorded.clone(),
                    given: check::cut(platform_id),
                })
            }
            _ => {
                app.status = ApplicationStatus::Submitted;
                app.platform_id = Some(platform_id.to_owned());
                Ok(())
            }
        }
    }

    fn commit(&self, application: Uuid, invoices: &[InvoiceEntry]) -> Result<(), LedgerError> {
        let invoices = check::invoices(invoices)?;
        let mut state = self.lock();
        let app = state.app(application)?;
        match app.status {
            ApplicationStatus::Released => {
                return Err(LedgerError::InvalidState {
                    application,
                    status: app.status,
                    action: "commit",
                });
            }
            ApplicationStatus::Committed => {
                let recorded = state.record(app).invoices;
                return if check::same_invoices(&recorded, &invoices) {
                    Ok(())
                } else {
                    Err(LedgerError::CommitMismatch { application })
                };
            }
            ApplicationStatus::Reserved | ApplicationStatus::Submitted => {}
        }
        check::coverage(application, &app.entry.transactions, &invoices)?;
        for inv in invoices.iter() {
            if let Some(other) = state.invoices.get(&inv.number) {
                return Err(LedgerError::DuplicateInvoice {
                    number: inv.number.clone(),
                    holder: other.application,
                });
            }
        }
        // Checked: now change. Split the borrow to update holds while
        // reading the application's transactions.
        let State {
            applications,
            holds,
            invoices: all_invoices,
            ..
        } = &mut *state;
        let app = applications
            .get_mut(&application)
            .ok_or(LedgerError::UnknownApplication(application))?;
        for t in &app.entry.transactions {
            if let Some(hold) = holds.get_mut(t) {
                *hold = (application, HoldKind::Invoiced);
            }
        }
        // Checked invoices come in number order, and a committed
        // application had none before.
        app.invoices = invoices.iter().map(|inv| inv.number.clone()).collect();
        for inv in invoices.iter() {
            all_invoices.insert(
                inv.number.clone(),
                InvoiceRecord {
                    number: inv.number.clone(),
                    application,
                    transactions: inv.transactions.clone(),
                    gross: inv.gross,
                    reversed: false,
                    replaces: None,
                    replaced_by: None,
                },
            );
        }
        app.status = ApplicationStatus::Committed;
        Ok(())
    }

    fn release(&self, application: Uuid) -> Result<(), LedgerError> {
        let mut state = self.lock();
        let app = state.app(application)?;
        match app.status {
            ApplicationStatus::Released => return Ok(()),
            ApplicationStatus::Committed => {
                return Err(LedgerError::InvalidState {
                    application,
                    status: app.status,
                    action: "release",
                });
            }
            ApplicationStatus::Reserved | ApplicationStatus::Submitted => {}
        }
        let State {
            applications,
            holds,
            ..
        } = &mut *state;
        let app = applications
            .get_mut(&application)
            .ok_or(LedgerError::UnknownApplication(application))?;
        for t in &app.entry.transactions {
            if holds.get(t).is_some_and(|(h, _)| *h == application) {
                holds.remove(t);
            }
        }
        app.status = ApplicationStatus::Released;
        Ok(())
    }

    fn reverse(&self, number: &str) -> Result<Vec<TransactionId>, LedgerError> {
        let mut state = self.lock();
        let invoice = state
            .invoices
            .get_mut(number)
            .ok_or_else(|| LedgerError::UnknownInvoice(check::cut(number)))?;
        if invoice.reversed {
            return Ok(Vec::new());
        }
        invoice.reversed = true;
        let application = invoice.application;
        let transactions = invoice.transactions.clone();
        let mut freed = Vec::new();
        for t in transactions {
            let held = state.holds.get(&t) == Some(&(application, HoldKind::Invoiced));
            if held && state.live_invoices(application, &t).is_empty() {
                state.holds.remove(&t);
                freed.push(t);
            }
        }
        Ok(freed)
    }

    fn replace(&self, old: &str, new: &str) -> Result<(), LedgerError> {
        let mut state = self.lock();
        let recorded = state.invoices.get(old);
        let holder = state.invoices.get(new).map(|inv| inv.application);
        let fresh = check::replacement(old, recorded, new, holder)?;
        if !fresh {
            return Ok(());
        }
        // Checked: now change. The holds stay as they are: the application
        // still invoices the same transactions.
        let State {
            applications,
            invoices,
            ..
        } = &mut *state;
        let replaced = invoices
            .get_mut(old)
            .ok_or_else(|| LedgerError::UnknownInvoice(check::cut(old)))?;
        replaced.reversed = true;
        replaced.replaced_by = Some(new.to_owned());
        let record = InvoiceRecord {
            number: new.to_owned(),
            application: replaced.application,
            transactions: replaced.transactions.clone(),
            gross: replaced.gross,
            reversed: false,
            replaces: Some(old.to_owned()),
            replaced_by: None,
        };
        if let Some(app) = applications.get_mut(&record.application) {
            let at = app
                .invoices
                .binary_search_by(|n| n.as_str().cmp(new))
                .unwrap_or_else(|at| at);
            app.invoices.insert(at, new.to_owned());
        }
        invoices.insert(new.to_owned(), record);
        Ok(())
    }

    fn transaction(&self, id: &TransactionId) -> Result<TransactionState, LedgerError> {
        let state = self.lock();
        Ok(match state.holds.get(id) {
            None => TransactionState::Free,
            Some((application, HoldKind::Reserved)) => TransactionState::Reserved {
                application: *application,
            },
            Some((application, HoldKind::Invoiced)) => TransactionState::Invoiced {
                application: *application,
                invoices: state.live_invoices(*application, id),
            },
        })
    }

    fn application(&self, id: Uuid) -> Result<Option<ApplicationRecord>, LedgerError> {
        let state = self.lock();
        Ok(state.applications.get(&id).map(|a| state.record(a)))
    }

    fn application_by_key(&self, key: &str) -> Result<Option<ApplicationRecord>, LedgerError> {
        let state = self.lock();
        Ok(state
            .keys
            .get(key)
            .and_then(|id| state.applications.get(id))
            .map(|a| state.record(a)))
    }

    fn invoice(&self, number: &str) -> Result<Option<InvoiceRecord>, LedgerError> {
        Ok(self.lock().invoices.get(number).cloned())
    }

    fn by_card(&self, card: &CardNumber) -> Result<Vec<ApplicationRecord>, LedgerError> {
        let state = self.lock();
        let ids = state.cards.get(card).into_iter().flatten();
        Ok(state.records(ids.filter_map(|id| state.applications.get(id))))
    }

    fn unfinished(&self) -> Result<Vec<ApplicationRecord>, LedgerError> {
        let state = self.lock();
        Ok(state.records(
            state
                .applications
                .values()
                .filter(|a| a.status.is_unfinished()),
        ))
    }

    fn committed_gross(&self) -> Result<Money, LedgerError> {
        let state = self.lock();
        Money::checked_sum(
            state
                .invoices
                .values()
                .filter(|inv| !inv.reversed)
                .map(|inv| inv.gross),
        )
        .map_err(LedgerError::Amount)
    }
}
