-- Ledger schema, version 2: reissues (换开).
--
-- `replaces` names the invoice this one replaced on a reissue, which is
-- reversed. An invoice is replaced at most once, so the index on `replaces`
-- is unique; it also finds what replaced an invoice. Invoices recorded under
-- version 1 replaced nothing (NULL).
ALTER TABLE invoices ADD COLUMN replaces TEXT REFERENCES invoices (number);

CREATE UNIQUE INDEX invoices_by_replaced
    ON invoices (replaces)
    WHERE replaces IS NOT NULL;
