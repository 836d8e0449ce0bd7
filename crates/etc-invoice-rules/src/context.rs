//! What the validator and the planner need to know beyond the application:
//! small, object-safe, synchronous traits, so that a caller can back each
//! with its own store, and [`MemoryContext`], which implements all of them
//! in memory.
//!
//! The traits answer without an error channel. A caller whose store can
//! fail loads what one application needs first (its selected ids, its
//! card, its applicant: all in the application) and validates against
//! that, which is one batch query instead of one per id anyway.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use etc_invoice_order::{CardNumber, CstDateTime, Operator, Province, Record, TransactionId};
use uuid::Uuid;

/// Looks transactions up by id: passages, recoveries, top-ups, refunds and
/// statements, as [`Record`]s.
pub trait TransactionSource {
    /// The transaction with this id, if there is one. A store that holds
    /// the records returns them borrowed; one that builds them returns them
    /// owned.
    ///
    /// The id comes as text (always a valid [`TransactionId`]), so that
    /// the validator can look up the ids an application selects without
    /// building an owned id for each; a `TransactionId` passes as
    /// `id.as_str()`.
    fn transaction(&self, id: &str) -> Option<Cow<'_, Record>>;
}

/// Which cards an applicant has bound (proved to hold) on the platform.
pub trait CardBindings {
    /// Whether `card` is bound to the applicant with user id `applicant`.
    fn is_bound(&self, applicant: &str, card: &CardNumber) -> bool;
}

/// Where a transaction stands in invoicing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TxState {
    /// Not invoiced and not held by any application.
    Free,
    /// Held by an application that is not finished yet.
    Reserved {
        /// The application holding it. An application is not stopped by
        /// its own reservations, so a retry validates again.
        application: Uuid,
    },
    /// Invoiced (for a top-up: invoiced at top-up time).
    Invoiced,
}

/// What is already invoiced or reserved.
pub trait InvoiceState {
    /// The state of one transaction; [`TxState::Free`] for one the store
    /// has never seen.
    fn state(&self, id: &TransactionId) -> TxState;
}

/// A card's top-up invoicing history, for stored-value exclusivity
/// (DOMAIN.md §2): a top-up invoiced at top-up time excludes invoicing the
/// passages it paid for, and the other way round.
///
/// "Invoiced" here includes reserved: a pending application counts.
pub trait TopUpHistory {
    /// The time of the card's earliest top-up that was invoiced at top-up
    /// time, if any. Passages of the card from that time on are not
    /// invoiced.
    fn first_invoiced_top_up(&self, card: &CardNumber) -> Option<CstDateTime>;

    /// The time of the card's latest passage or audit recovery that was
    /// invoiced, if any. A top-up of the card in that billing month or
    /// earlier is not invoiced.
    fn last_invoiced_passage(&self, card: &CardNumber) -> Option<CstDateTime>;
}

/// Who issues the cards: the seller of a top-up invoice.
pub trait CardIssuers {
    /// The issuer of `card`, as it appears on the invoices it issues (name
    /// and taxpayer id), if known.
    fn issuer(&self, card: &CardNumber) -> Option<Operator>;
}

/// Everything a validation looks up, one reference per concern.
///
/// [`Context::new`] takes one value that implements every trait (such as a
/// [`MemoryContext`]); the fields are public so that each can come from a
/// different store.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// Transactions by id.
    pub transactions: &'a dyn TransactionSource,
    /// The applicants' bound cards.
    pub bindings: &'a dyn CardBindings,
    /// What is invoiced or reserved.
    pub state: &'a dyn InvoiceState,
    /// Top-up invoicing history.
    pub top_ups: &'a dyn TopUpHistory,
    /// Card issuers.
    pub issuers: &'a dyn CardIssuers,
}

impl<'a> Context<'a> {
    /// A context whose every part is `all`.
    pub fn new<T>(all: &'a T) -> Context<'a>
    where
        T: TransactionSource + CardBindings + InvoiceState + TopUpHistory + CardIssuers,
    {
        Context {
            transactions: all,
            bindings: all,
            state: all,
            top_ups: all,
            issuers: all,
        }
    }
}

impl fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context").finish_non_exhaustive()
    }
}

/// An in-memory context: records, bindings, states and issuers in maps.
///
/// Lookups by id are hash lookups (their order never reaches any output);
/// the history queries of [`TopUpHistory`] scan the transactions that are
/// not free, which suits tests, examples, cases and benchmarks rather than a
/// production store.
///
/// ```
/// use etc_invoice_rules::{MemoryContext, TxState};
///
/// let mut ctx = MemoryContext::new();
/// ctx.bind("user-1", "44019912345678900011".parse()?);
/// ctx.set_state("P1".parse()?, TxState::Invoiced);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemoryContext {
    /// The records in insertion order (so that a caller's order is the
    /// memory order, which keeps large plans cache-friendly) …
    records: Vec<Record>,
    /// … and where each id is.
    index: HashMap<TransactionId, usize, IdHash>,
    bindings: BTreeMap<String, BTreeSet<CardNumber>>,
    states: HashMap<TransactionId, TxState, IdHash>,
    issuers: BTreeMap<Province, Operator>,
}

/// A fast hash for maps keyed by the order data's own values: a
/// multiply-rotate over the bytes. The keys stored are the caller's
/// records (ids, operators, plates), so an adversary choosing lookups
/// cannot lengthen the probe chains the stored keys made.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct IdHash;

impl std::hash::BuildHasher for IdHash {
    type Hasher = IdHasher;

    fn build_hasher(&self) -> IdHasher {
        IdHasher(0)
    }
}

/// The hasher of [`IdHash`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl IdHasher {
    const K: u64 = 0x517c_c1b7_2722_0a95;

    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(IdHasher::K);
    }
}

impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        // The common id of 8 to 16 bytes: its first and last eight bytes
        // (overlapping where shorter than 16), with its length.
        if let (Some(head), Some(tail)) = (bytes.first_chunk::<8>(), bytes.last_chunk::<8>())
            && bytes.len() <= 16
        {
            self.mix(u64::from_le_bytes(*head));
            self.mix(u64::from_le_bytes(*tail) ^ ((bytes.len() as u64) << 59));
            return;
        }
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0_u8; 8];
            word.copy_from_slice(c);
            self.mix(u64::from_le_bytes(word));
        }
        let tail = chunks.remainder();
        if !tail.is_empty() {
            // The last few bytes as one word, above their count (so that a
            // tail of zeros still counts).
            let word = tail
                .iter()
                .rev()
                .fold(tail.len() as u64, |w, b| (w << 8) | u64::from(*b));
            self.mix(word);
        }
    }

    fn write_u8(&mut self, b: u8) {
        // `str` hashes end with one (0xff); one round for it.
        self.mix(u64::from(b));
    }

    fn finish(&self) -> u64 {
        // Spread the high bits down: hashbrown takes its control bits from
        // the top and its bucket from the bottom.
        self.0 ^ (self.0 >> 29)
    }
}

impl MemoryContext {
    /// An empty context.
    pub fn new() -> MemoryContext {
        MemoryContext::default()
    }

    /// Adds a record, replacing (and returning) one with the same id.
    pub fn insert(&mut self, record: impl Into<Record>) -> Option<Record> {
        let record = record.into();
        match self.index.get(record.id()) {
            Some(i) => self
                .records
                .get_mut(*i)
                .map(|slot| std::mem::replace(slot, record)),
            None => {
                self.index.insert(record.id().clone(), self.records.len());
                self.records.push(record);
                None
            }
        }
    }

    /// Adds records, replacing those with the same ids.
    pub fn extend(&mut self, records: impl IntoIterator<Item = Record>) {
        let records = records.into_iter();
        self.records.reserve(records.size_hint().0);
        self.index.reserve(records.size_hint().0);
        for r in records {
            self.insert(r);
        }
    }

    /// The record with this id.
    pub fn get(&self, id: &TransactionId) -> Option<&Record> {
        self.index.get(id).and_then(|i| self.records.get(*i))
    }

    /// How many records it holds.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether it holds no records.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Binds `card` to the applicant `applicant`.
    pub fn bind(&mut self, applicant: &str, card: CardNumber) {
        self.bindings
            .entry(applicant.to_owned())
            .or_default()
            .insert(card);
    }

    /// Sets a transaction's state ([`TxState::Free`] forgets it).
    pub fn set_state(&mut self, id: TransactionId, state: TxState) {
        if state == TxState::Free {
            self.states.remove(&id);
        } else {
            self.states.insert(id, state);
        }
    }

    /// Sets the issuer of the cards of `province` (the seller of their
    /// top-up invoices).
    pub fn set_issuer(&mut self, province: Province, issuer: Operator) {
        self.issuers.insert(province, issuer);
    }

    fn held_of_card<'s>(&'s self, card: &'s CardNumber) -> impl Iterator<Item = &'s Record> + 's {
        self.states
            .keys()
            .filter_map(|id| self.get(id))
            .filter(move |r| r.card() == card)
    }
}

impl TransactionSource for MemoryContext {
    fn transaction(&self, id: &str) -> Option<Cow<'_, Record>> {
        // `TransactionId` borrows as `str` and hashes as one.
        self.index
            .get(id)
            .and_then(|i| self.records.get(*i))
            .map(Cow::Borrowed)
    }
}

impl CardBindings for MemoryContext {
    fn is_bound(&self, applicant: &str, card: &CardNumber) -> bool {
        self.bindings
            .get(applicant)
            .is_some_and(|cards| cards.contains(card))
    }
}

impl InvoiceState for MemoryContext {
    fn state(&self, id: &TransactionId) -> TxState {
        self.states.get(id).copied().unwrap_or(TxState::Free)
    }
}

impl TopUpHistory for MemoryContext {
    fn first_invoiced_top_up(&self, card: &CardNumber) -> Option<CstDateTime> {
        self.held_of_card(card)
            .filter_map(|r| match r {
                Record::TopUp(t) => Some(t.time()),
                _ => None,
            })
            .min()
    }

    fn last_invoiced_passage(&self, card: &CardNumber) -> Option<CstDateTime> {
        self.held_of_card(card)
            .filter_map(|r| match r {
                Record::Passage(p) => Some(p.exit().time),
                Record::Recovery(r) => Some(r.time()),
                _ => None,
            })
            .max()
    }
}

impl CardIssuers for MemoryContext {
    fn issuer(&self, card: &CardNumber) -> Option<Operator> {
        self.issuers.get(&card.province()).cloned()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::hash::BuildHasher;

    use super::IdHash;

    #[test]
    fn id_hash_is_a_function_of_the_text_and_keeps_ids_apart() {
        let h = |s: &str| IdHash.hash_one(s);
        assert_eq!(h("P0000000042"), h(&String::from("P0000000042")));
        // Ids of every length up to 40, and ids that differ in one byte
        // anywhere (the middle of a 9–16 byte id included), hash apart.
        let mut ids: Vec<String> = (0..20_000).map(|n| format!("P{n:010}")).collect();
        for len in 0..=40 {
            ids.push("x".repeat(len));
            for at in 0..len {
                let mut b = vec![b'a'; len];
                if let Some(c) = b.get_mut(at) {
                    *c = b'b';
                }
                ids.push(String::from_utf8(b).unwrap_or_default());
            }
        }
        ids.sort();
        ids.dedup();
        let hashes: HashSet<u64> = ids.iter().map(|s| h(s)).collect();
        assert_eq!(hashes.len(), ids.len());
    }
}
