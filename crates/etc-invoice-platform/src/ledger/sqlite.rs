//! The SQLite ledger.

use std::path::Path;
use std::str::FromStr;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use etc_invoice_order::{CardNumber, CstDateTime, Money, TransactionId};
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params};
use uuid::Uuid;

use super::{
    ApplicationEntry, ApplicationRecord, ApplicationStatus, HoldKind, InvoiceEntry, InvoiceRecord,
    Ledger, LedgerError, TransactionState, check,
};

/// The schema migrations, in order: migration `i` takes the database from
/// version `i` to `i + 1` (`PRAGMA user_version`). Append only; never edit a
/// migration that shipped.
const MIGRATIONS: &[&str] = &[include_str!("schema_v1.sql"), include_str!("schema_v2.sql")];

/// How long a writer waits for another process's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// WAL pages between automatic checkpoints (SQLite's default is 1,000).
/// Each checkpoint syncs the database file; a ledger write dirties about 16
/// pages, so the default would sync every 60 or so applications. At 4,000
/// (a WAL of about 16 MiB) the benchmark's reserve + commit ran about a
/// quarter faster in wall-clock time.
const WAL_AUTOCHECKPOINT: i64 = 4000;

/// A [`Ledger`] in an SQLite database: the embedded default, durable across
/// restarts.
///
/// The database runs in WAL mode with `synchronous=NORMAL` (a power cut may
/// lose the last commits, never corrupt the file or half-apply one), a
/// checkpoint every 4,000 WAL pages, `foreign_keys=ON` and a 5 s busy
/// timeout. Each change is one `IMMEDIATE`
/// transaction and each query one read transaction, so several processes
/// may share the file; within a process, calls are serialised on one
/// connection with cached prepared statements. A unique partial index
/// guarantees that a transaction has at most one live holder even if a check
/// were wrong.
///
/// Opening a database written by an older version of this library migrates
/// it; one written by a newer version is refused.
///
/// ```
/// use etc_invoice_platform::{Ledger, SqliteLedger};
///
/// let dir = tempfile::tempdir()?;
/// let ledger = SqliteLedger::open(dir.path().join("ledger.sqlite"))?;
/// assert!(ledger.unfinished()?.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SqliteLedger {
    conn: Mutex<Connection>,
}

impl SqliteLedger {
    /// The schema version this library writes.
    pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

    /// Opens (or creates) the ledger database at `path`, migrating it to the
    /// current schema.
    ///
    /// # Errors
    /// [`LedgerError::UnsupportedSchema`] when the database is newer than
    /// this library; [`LedgerError::Storage`] when it cannot be opened or
    /// migrated.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteLedger, LedgerError> {
        SqliteLedger::setup(Connection::open(path)?)
    }

    /// A ledger in a private in-memory database, lost when dropped.
    ///
    /// # Errors
    /// [`LedgerError::Storage`] when SQLite cannot allocate it.
    pub fn open_in_memory() -> Result<SqliteLedger, LedgerError> {
        SqliteLedger::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> Result<SqliteLedger, LedgerError> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT)?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.set_prepared_statement_cache_capacity(64);
        migrate(&mut conn)?;
        Ok(SqliteLedger {
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while the lock was held unwound through the open
        // `Transaction`, whose drop rolled it back: the connection is idle
        // and the database unchanged, so a poisoned lock is safe to reuse.
        self.conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs `f` in one transaction: committed when `f` succeeds, rolled back
    /// when it fails.
    fn run<T>(
        &self,
        behavior: TransactionBehavior,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, LedgerError>,
    ) -> Result<T, LedgerError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(behavior)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, LedgerError>,
    ) -> Result<T, LedgerError> {
        self.run(TransactionBehavior::Immediate, f)
    }

    fn read<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, LedgerError>,
    ) -> Result<T, LedgerError> {
        self.run(TransactionBehavior::Deferred, f)
    }
}

/// Brings the database to [`SqliteLedger::SCHEMA_VERSION`], in one
/// transaction.
fn migrate(conn: &mut Connection) -> Result<(), LedgerError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let supported = SqliteLedger::SCHEMA_VERSION;
    let Ok(done) = usize::try_from(found) else {
        return Err(LedgerError::UnsupportedSchema { found, supported });
    };
    if found > supported {
        return Err(LedgerError::UnsupportedSchema { found, supported });
    }
    for (version, sql) in (1_i64..).zip(MIGRATIONS).skip(done) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
    }
    tx.commit()?;
    Ok(())
}

// ---- rows ------------------------------------------------------------------

/// A stored value this library cannot read back.
#[derive(Debug, thiserror::Error)]
#[error("unexpected {what} `{value}` in the ledger database")]
struct BadValue {
    what: &'static str,
    value: String,
}

fn bad(idx: usize, what: &'static str, value: impl ToString) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        idx,
        Type::Text,
        Box::new(BadValue {
            what,
            value: check::cut(&value.to_string()),
        }),
    )
}

/// Reads a text column through `FromStr`.
fn parsed<T>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let text = row.get_ref(idx)?.as_str()?;
    text.parse()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
}

fn uuid_at(row: &Row<'_>, idx: usize) -> rusqlite::Result<Uuid> {
    parsed(row, idx)
}

fn money_at(row: &Row<'_>, idx: usize) -> rusqlite::Result<Money> {
    let fen: i64 = row.get(idx)?;
    Money::try_from_fen(fen).map_err(|_| bad(idx, "amount in fen", fen))
}

fn status_at(row: &Row<'_>, idx: usize) -> rusqlite::Result<ApplicationStatus> {
    let s = row.get_ref(idx)?.as_str()?;
    [
        ApplicationStatus::Reserved,
        ApplicationStatus::Submitted,
        ApplicationStatus::Committed,
        ApplicationStatus::Released,
    ]
    .into_iter()
    .find(|st| st.as_str() == s)
    .ok_or_else(|| bad(idx, "application status", s))
}

/// How a live row holds its transaction, from its application's status.
fn hold_at(row: &Row<'_>, idx: usize) -> rusqlite::Result<HoldKind> {
    match status_at(row, idx)? {
        ApplicationStatus::Reserved | ApplicationStatus::Submitted => Ok(HoldKind::Reserved),
        ApplicationStatus::Committed => Ok(HoldKind::Invoiced),
        ApplicationStatus::Released => Err(bad(idx, "hold by a released application", "released")),
    }
}

fn time_at(row: &Row<'_>, secs: usize, nanos: usize) -> rusqlite::Result<CstDateTime> {
    let s: i64 = row.get(secs)?;
    let n: i64 = row.get(nanos)?;
    u32::try_from(n)
        .ok()
        .and_then(|n| chrono::DateTime::from_timestamp(s, n))
        .map(|t| CstDateTime::from_datetime(&t))
        .ok_or_else(|| bad(secs, "time", format!("{s}.{n}")))
}

fn id_text(id: Uuid) -> String {
    id.hyphenated().to_string()
}

/// A list of transaction ids as a JSON array, for `json_each(?)`: one
/// statement handles a whole list.
fn json_ids<'a>(ids: impl IntoIterator<Item = &'a TransactionId>) -> Result<String, LedgerError> {
    let ids: Vec<&str> = ids.into_iter().map(TransactionId::as_str).collect();
    serde_json::to_string(&ids)
        .map_err(|e| LedgerError::Storage(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))
}

/// `SELECT` of the application columns [`head`] reads, up to `FROM applications`.
macro_rules! select_apps {
    () => {
        "SELECT id, applicant, card, idempotency_key, payload, created_secs, created_nanos, \
         status, platform_id, seq FROM applications "
    };
}

/// An application row, without its transactions and invoices.
struct Head {
    seq: i64,
    entry: ApplicationEntry,
    status: ApplicationStatus,
    platform_id: Option<String>,
}

fn head(row: &Row<'_>) -> rusqlite::Result<Head> {
    Ok(Head {
        entry: ApplicationEntry {
            id: uuid_at(row, 0)?,
            applicant: row.get(1)?,
            card: parsed(row, 2)?,
            idempotency_key: row.get(3)?,
            transactions: Vec::new(),
            payload: row.get::<_, String>(4)?.into(),
            created_at: time_at(row, 5, 6)?,
        },
        status: status_at(row, 7)?,
        platform_id: row.get(8)?,
        seq: row.get(9)?,
    })
}

fn head_by_id(conn: &Connection, id: &str) -> Result<Option<Head>, LedgerError> {
    Ok(conn
        .prepare_cached(concat!(select_apps!(), "WHERE id = ?1"))?
        .query_row([id], head)
        .optional()?)
}

/// The seq, status and platform id of an application.
fn status_of(
    conn: &Connection,
    application: Uuid,
) -> Result<(i64, ApplicationStatus, Option<String>), LedgerError> {
    conn.prepare_cached("SELECT seq, status, platform_id FROM applications WHERE id = ?1")?
        .query_row([id_text(application)], |r| {
            Ok((r.get(0)?, status_at(r, 1)?, r.get(2)?))
        })
        .optional()?
        .ok_or(LedgerError::UnknownApplication(application))
}

/// The transactions of the application with `seq`, in id order.
fn app_transactions(conn: &Connection, seq: i64) -> Result<Vec<TransactionId>, LedgerError> {
    let mut stmt = conn.prepare_cached(
        "SELECT transaction_id FROM application_transactions
         WHERE application = ?1 ORDER BY transaction_id",
    )?;
    let rows = stmt.query_map([seq], |r| parsed(r, 0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Reads a JSON array of transaction ids.
fn ids_at(row: &Row<'_>, idx: usize) -> rusqlite::Result<Vec<TransactionId>> {
    let text = row.get_ref(idx)?.as_str()?;
    serde_json::from_str(text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
}

/// `SELECT` of the invoice columns [`invoice_row`] reads, from `invoices i`
/// joined with their applications `a`.
macro_rules! select_invoices {
    () => {
        "SELECT i.number, a.id, i.gross_fen, i.reversed, i.transactions, i.replaces,
             (SELECT r.number FROM invoices r WHERE r.replaces = i.number)
         FROM invoices i JOIN applications a ON a.seq = i.application "
    };
}

/// Reads the columns of [`select_invoices`].
fn invoice_row(row: &Row<'_>) -> rusqlite::Result<InvoiceRecord> {
    Ok(InvoiceRecord {
        number: row.get(0)?,
        application: uuid_at(row, 1)?,
        gross: money_at(row, 2)?,
        reversed: row.get(3)?,
        transactions: ids_at(row, 4)?,
        replaces: row.get(5)?,
        replaced_by: row.get(6)?,
    })
}

/// The application invoice `number` is recorded for, if it is.
fn invoice_holder(conn: &Connection, number: &str) -> Result<Option<Uuid>, LedgerError> {
    Ok(conn
        .prepare_cached(
            "SELECT a.id FROM invoices i JOIN applications a ON a.seq = i.application
             WHERE i.number = ?1",
        )?
        .query_row([number], |r| uuid_at(r, 0))
        .optional()?)
}

/// The invoices of the application with `seq`, in number order.
fn app_invoices(conn: &Connection, seq: i64) -> Result<Vec<InvoiceRecord>, LedgerError> {
    let mut stmt = conn.prepare_cached(concat!(
        select_invoices!(),
        "WHERE i.application = ?1 ORDER BY i.number"
    ))?;
    let rows = stmt.query_map([seq], invoice_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn invoice_by_number(
    conn: &Connection,
    number: &str,
) -> Result<Option<InvoiceRecord>, LedgerError> {
    Ok(conn
        .prepare_cached(concat!(select_invoices!(), "WHERE i.number = ?1"))?
        .query_row([number], invoice_row)
        .optional()?)
}

fn complete(conn: &Connection, head: Head) -> Result<ApplicationRecord, LedgerError> {
    Ok(ApplicationRecord {
        entry: ApplicationEntry {
            transactions: app_transactions(conn, head.seq)?,
            ..head.entry
        },
        status: head.status,
        platform_id: head.platform_id,
        invoices: app_invoices(conn, head.seq)?,
    })
}

/// Full records for the applications a query selects (which must start
/// with [`select_apps`]).
fn records(
    conn: &Connection,
    sql: &str,
    param: Option<&str>,
) -> Result<Vec<ApplicationRecord>, LedgerError> {
    let heads: Vec<Head> = {
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = match param {
            Some(p) => stmt.query_map([p], head)?.collect::<rusqlite::Result<_>>(),
            None => stmt.query_map([], head)?.collect::<rusqlite::Result<_>>(),
        };
        rows?
    };
    heads.into_iter().map(|h| complete(conn, h)).collect()
}

/// The live hold on `transaction`: the holder's seq, id and hold.
fn hold_of(
    conn: &Connection,
    transaction: &TransactionId,
) -> Result<Option<(i64, Uuid, HoldKind)>, LedgerError> {
    Ok(conn
        .prepare_cached(
            "SELECT a.seq, a.id, a.status
             FROM application_transactions at JOIN applications a ON a.seq = at.application
             WHERE at.transaction_id = ?1 AND at.live = 1",
        )?
        .query_row([transaction.as_str()], |r| {
            Ok((r.get(0)?, uuid_at(r, 1)?, hold_at(r, 2)?))
        })
        .optional()?)
}

/// The live invoices of the application with `seq` covering `transaction`,
/// in number order.
fn live_invoices(
    conn: &Connection,
    seq: i64,
    transaction: &TransactionId,
) -> Result<Vec<String>, LedgerError> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.number FROM invoices i
         WHERE i.application = ?1 AND i.reversed = 0
             AND EXISTS (SELECT 1 FROM json_each(i.transactions) WHERE value = ?2)
         ORDER BY i.number",
    )?;
    let rows = stmt.query_map(params![seq, transaction.as_str()], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

// ---- operations -------------------------------------------------------------

impl Ledger for SqliteLedger {
    fn reserve(&self, application: &ApplicationEntry) -> Result<(), LedgerError> {
        let sorted = check::entry(application)?;
        let id = id_text(application.id);
        let json = json_ids(&sorted)?;
        self.write(|tx| {
            if let Some(h) = head_by_id(tx, &id)? {
                return check::same_entry(&complete(tx, h)?, application, &sorted);
            }
            let holder = tx
                .prepare_cached("SELECT id FROM applications WHERE idempotency_key = ?1")?
                .query_row([&application.idempotency_key], |r| uuid_at(r, 0))
                .optional()?;
            if let Some(holder) = holder {
                return Err(LedgerError::DuplicateKey {
                    key: check::cut(&application.idempotency_key),
                    holder,
                });
            }
            // The live holds on any of the transactions, smallest id first.
            let conflict = tx
                .prepare_cached(
                    "SELECT at.transaction_id, a.id, a.status
                     FROM json_each(?1) j
                     JOIN application_transactions at
                         ON at.transaction_id = j.value AND at.live = 1
                     JOIN applications a ON a.seq = at.application
                     ORDER BY at.transaction_id
                     LIMIT 1",
                )?
                .query_row([&json], |r| {
                    Ok((parsed(r, 0)?, uuid_at(r, 1)?, hold_at(r, 2)?))
                })
                .optional()?;
            if let Some((transaction, holder, state)) = conflict {
                return Err(LedgerError::Conflict {
                    transaction,
                    holder,
                    state,
                });
            }
            let payload = application
                .payload
                .to_text()
                .map_err(|source| LedgerError::Payload {
                    application: application.id,
                    source,
                })?;
            let created = application.created_at.as_datetime();
            tx.prepare_cached(
                "INSERT INTO applications (id, applicant, card, idempotency_key, payload,
                     created_secs, created_nanos, status)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'reserved')",
            )?
            .execute(params![
                id,
                application.applicant,
                application.card.as_str(),
                application.idempotency_key,
                &*payload,
                created.timestamp(),
                created.timestamp_subsec_nanos(),
            ])?;
            let seq = tx.last_insert_rowid();
            tx.prepare_cached(
                "INSERT INTO application_transactions (application, transaction_id, live)
                 SELECT ?1, value, 1 FROM json_each(?2)",
            )?
            .execute(params![seq, json])?;
            Ok(())
        })
    }

    fn mark_submitted(&self, application: Uuid, platform_id: &str) -> Result<(), LedgerError> {
        check::platform_id(platform_id)?;
        self.write(|tx| match status_of(tx, application)? {
            (_, status @ (ApplicationStatus::Committed | ApplicationStatus::Released), _) => {
                Err(LedgerError::InvalidState {
                    application,
                    status,
                    action: "mark as submitted",
                })
            }
            (_, _, Some(recorded)) if recorded != platform_id => {
                Err(LedgerError::PlatformIdMismatch {
                    application,
                    recorded,
                    given: check::cut(platform_id),
                })
            }
            (seq, _, _) => {
                tx.prepare_cached(
                    "UPDATE applications SET status = 'submitted', platform_id = ?2
                     WHERE seq = ?1",
                )?
                .execute(params![seq, platform_id])?;
                Ok(())
            }
        })
    }

    fn commit(&self, application: Uuid, invoices: &[InvoiceEntry]) -> Result<(), LedgerError> {
        let invoices = check::invoices(invoices)?;
        self.write(|tx| {
            let (seq, status, _) = status_of(tx, application)?;
            match status {
                ApplicationStatus::Released => {
                    return Err(LedgerError::InvalidState {
                        application,
                        status,
                        action: "commit",
                    });
                }
                ApplicationStatus::Committed => {
                    let recorded = app_invoices(tx, seq)?;
                    return if check::same_invoices(&recorded, &invoices) {
                        Ok(())
                    } else {
                        Err(LedgerError::CommitMismatch { application })
                    };
                }
                ApplicationStatus::Reserved | ApplicationStatus::Submitted => {}
            }
            let transactions = app_transactions(tx, seq)?;
            check::coverage(application, &transactions, &invoices)?;
            for inv in invoices.iter() {
                if let Some(holder) = invoice_holder(tx, &inv.number)? {
                    return Err(LedgerError::DuplicateInvoice {
                        number: inv.number.clone(),
                        holder,
                    });
                }
            }
            let mut insert = tx.prepare_cached(
                "INSERT INTO invoices (number, application, gross_fen, reversed, transactions)
                 VALUES (?1, ?2, ?3, 0, ?4)",
            )?;
            for inv in invoices.iter() {
                let covered = json_ids(&inv.transactions)?;
                insert.execute(params![inv.number, seq, inv.gross.to_fen(), covered])?;
            }
            tx.prepare_cached("UPDATE applications SET status = 'committed' WHERE seq = ?1")?
                .execute([seq])?;
            Ok(())
        })
    }

    fn release(&self, application: Uuid) -> Result<(), LedgerError> {
        self.write(|tx| {
            let (seq, status, _) = status_of(tx, application)?;
            match status {
                ApplicationStatus::Released => return Ok(()),
                ApplicationStatus::Committed => {
                    return Err(LedgerError::InvalidState {
                        application,
                        status,
                        action: "release",
                    });
                }
                ApplicationStatus::Reserved | ApplicationStatus::Submitted => {}
            }
            tx.prepare_cached(
                "UPDATE application_transactions SET live = 0 WHERE application = ?1",
            )?
            .execute([seq])?;
            tx.prepare_cached("UPDATE applications SET status = 'released' WHERE seq = ?1")?
                .execute([seq])?;
            Ok(())
        })
    }

    fn reverse(&self, number: &str) -> Result<Vec<TransactionId>, LedgerError> {
        self.write(|tx| {
            let (seq, reversed, covered): (i64, bool, Vec<TransactionId>) = tx
                .prepare_cached(
                    "SELECT application, reversed, transactions FROM invoices WHERE number = ?1",
                )?
                .query_row([number], |r| Ok((r.get(0)?, r.get(1)?, ids_at(r, 2)?)))
                .optional()?
                .ok_or_else(|| LedgerError::UnknownInvoice(check::cut(number)))?;
            if reversed {
                return Ok(Vec::new());
            }
            tx.prepare_cached("UPDATE invoices SET reversed = 1 WHERE number = ?1")?
                .execute([number])?;
            let mut free = tx.prepare_cached(
                "UPDATE application_transactions SET live = 0
                 WHERE application = ?1 AND transaction_id = ?2 AND live = 1",
            )?;
            let mut freed = Vec::new();
            for t in covered {
                if live_invoices(tx, seq, &t)?.is_empty()
                    && free.execute(params![seq, t.as_str()])? > 0
                {
                    freed.push(t);
                }
            }
            Ok(freed)
        })
    }

    fn replace(&self, old: &str, new: &str) -> Result<(), LedgerError> {
        self.write(|tx| {
            let recorded = invoice_by_number(tx, old)?;
            let fresh = check::replacement(old, recorded.as_ref(), new, invoice_holder(tx, new)?)?;
            if !fresh {
                return Ok(());
            }
            // The holds stay as they are: the application still invoices
            // the same transactions.
            tx.prepare_cached("UPDATE invoices SET reversed = 1 WHERE number = ?1")?
                .execute([old])?;
            tx.prepare_cached(
                "INSERT INTO invoices
                     (number, application, gross_fen, reversed, transactions, replaces)
                 SELECT ?2, application, gross_fen, 0, transactions, number
                 FROM invoices WHERE number = ?1",
            )?
            .execute(params![old, new])?;
            Ok(())
        })
    }

    fn transaction(&self, id: &TransactionId) -> Result<TransactionState, LedgerError> {
        self.read(|tx| {
            Ok(match hold_of(tx, id)? {
                None => TransactionState::Free,
                Some((_, application, HoldKind::Reserved)) => {
                    TransactionState::Reserved { application }
                }
                Some((seq, application, HoldKind::Invoiced)) => TransactionState::Invoiced {
                    application,
                    invoices: live_invoices(tx, seq, id)?,
                },
            })
        })
    }

    fn application(&self, id: Uuid) -> Result<Option<ApplicationRecord>, LedgerError> {
        let id = id_text(id);
        self.read(|tx| head_by_id(tx, &id)?.map(|h| complete(tx, h)).transpose())
    }

    fn application_by_key(&self, key: &str) -> Result<Option<ApplicationRecord>, LedgerError> {
        let sql = concat!(select_apps!(), "WHERE idempotency_key = ?1");
        self.read(|tx| Ok(records(tx, sql, Some(key))?.pop()))
    }

    fn invoice(&self, number: &str) -> Result<Option<InvoiceRecord>, LedgerError> {
        self.read(|tx| invoice_by_number(tx, number))
    }

    fn by_card(&self, card: &CardNumber) -> Result<Vec<ApplicationRecord>, LedgerError> {
        let sql = concat!(
            select_apps!(),
            "WHERE card = ?1 ORDER BY created_secs, created_nanos, seq"
        );
        self.read(|tx| records(tx, sql, Some(card.as_str())))
    }

    fn unfinished(&self) -> Result<Vec<ApplicationRecord>, LedgerError> {
        let sql = concat!(
            select_apps!(),
            "WHERE status IN ('reserved', 'submitted') ORDER BY created_secs, created_nanos, seq"
        );
        self.read(|tx| records(tx, sql, None))
    }

    fn committed_gross(&self) -> Result<Money, LedgerError> {
        self.read(|tx| {
            let mut stmt =
                tx.prepare_cached("SELECT gross_fen FROM invoices WHERE reversed = 0")?;
            let mut total = Money::ZERO;
            for gross in stmt.query_map([], |r| money_at(r, 0))? {
                total = total.checked_add(gross?).map_err(LedgerError::Amount)?;
            }
            Ok(total)
        })
    }
}
