-- Ledger schema, version 1.
--
-- Application ids are stored as text (UUIDs hyphenated, lowercase) so that
-- the database reads well in the sqlite3 shell; the other tables refer to an
-- application by its small integer `seq`, which keeps their rows and indexes
-- (and so the pages each write touches) small. Amounts are integer fen.

-- One row per application. `seq` (the rowid) is the order of reservation,
-- the tie-break of "oldest first". A rowid table rather than one keyed by
-- `id`, since the payload makes rows large.
CREATE TABLE applications (
    seq             INTEGER PRIMARY KEY,
    id              TEXT    NOT NULL UNIQUE,
    applicant       TEXT    NOT NULL,
    card            TEXT    NOT NULL,
    idempotency_key TEXT    NOT NULL UNIQUE,
    payload         TEXT    NOT NULL,
    created_secs    INTEGER NOT NULL,
    created_nanos   INTEGER NOT NULL,
    status          TEXT    NOT NULL
        CHECK (status IN ('reserved', 'submitted', 'committed', 'released')),
    platform_id     TEXT
) STRICT;

CREATE INDEX applications_by_card
    ON applications (card, created_secs, created_nanos, seq);

CREATE INDEX applications_unfinished
    ON applications (created_secs, created_nanos, seq)
    WHERE status IN ('reserved', 'submitted');

-- The transactions of each application. `live` is 1 while the application
-- holds the transaction: reserved (the application is reserved or
-- submitted) or invoiced (it is committed and a live invoice covers it).
-- Release and reversal set it to 0; the row stays as history.
CREATE TABLE application_transactions (
    application    INTEGER NOT NULL REFERENCES applications (seq),
    transaction_id TEXT    NOT NULL,
    live           INTEGER NOT NULL CHECK (live IN (0, 1)),
    PRIMARY KEY (application, transaction_id)
) STRICT, WITHOUT ROWID;

-- The guard against invoicing twice: a transaction has at most one live
-- holder. The code checks first to name the holder; this index makes a slip
-- impossible to commit.
CREATE UNIQUE INDEX one_live_holder
    ON application_transactions (transaction_id)
    WHERE live = 1;

-- Invoices, keyed by number; each belongs to one committed application.
-- The transactions an invoice covers never change once it is recorded: they
-- are kept with it as a JSON array of ids (in id order). The code checks
-- that they are the application's own; a table of them (ten index entries
-- and twenty foreign-key lookups per commit) cost half the time of a commit.
CREATE TABLE invoices (
    number       TEXT    PRIMARY KEY,
    application  INTEGER NOT NULL REFERENCES applications (seq),
    gross_fen    INTEGER NOT NULL CHECK (gross_fen >= 0),
    reversed     INTEGER NOT NULL DEFAULT 0 CHECK (reversed IN (0, 1)),
    transactions TEXT    NOT NULL
        CHECK (json_valid(transactions) AND json_type(transactions) = 'array')
) STRICT, WITHOUT ROWID;

CREATE INDEX invoices_by_application ON invoices (application, number);
