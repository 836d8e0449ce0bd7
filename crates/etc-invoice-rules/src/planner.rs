//! Turning a validated application into the documents each seller issues
//! (see the crate docs, "Planning").

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use etc_invoice_order::{
    CardNumber, DocumentKind, InvoiceVehicleType, Money, Operator, PlateNumber, Province, Record,
    TaxRate, TollSegment, TransactionId,
};
use etc_invoice_province::{MergeMode, RuleBook, RuleBookError, RuleSet};

use crate::application::ApplicationKind;
use crate::context::{IdHash, TransactionSource};
use crate::plan::{
    Buyer, InlineVec, InvoiceDraft, InvoiceLine, InvoicePlan, PlanTotals, Segments,
    SummarySheetDraft,
};
use crate::report::ValidatedApplication;
use crate::split::{INVOICE_TOLERANCE_FEN, LINE_TOLERANCE_FEN, RateFraction};

/// The item name of a fiscal e-bill line (财政电子票据 项目名称) \[P\].
pub const FISCAL_EBILL_ITEM: &str = "车辆通行费";

/// The item name of a top-up invoice line: the tax classification of
/// prepaid-card sales and top-ups (预付卡销售和充值) \[P\].
pub const TOP_UP_ITEM: &str = "*预付卡销售*ETC卡充值";

/// Why a validated application could not be planned. Planning repeats no
/// check of the validator, so these mean the data changed between the two
/// (or an inconsistent source).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// A transaction of the application is no longer in the source.
    #[error("transaction `{0}` is not in the source")]
    MissingTransaction(TransactionId),
    /// A transaction is no longer of a kind the application invoices.
    #[error("transaction `{id}` is not a {expected}")]
    WrongKind {
        /// The transaction.
        id: TransactionId,
        /// What the application needs it to be.
        expected: &'static str,
    },
    /// No rule set answers for a province and date.
    #[error("no rules for {province} on {date}")]
    Rules {
        /// The province.
        province: Province,
        /// The date.
        date: NaiveDate,
        /// What the rule book said.
        #[source]
        source: RuleBookError,
    },
    /// The issuer of a card with a top-up is not known.
    #[error("the issuer of card `{0}` is not known")]
    MissingIssuer(CardNumber),
    /// A sum beyond the money range.
    #[error("a sum is beyond the money range")]
    Overflow,
    /// A line beyond the line tolerance (a guard: the rounding rule keeps
    /// every line within half a fen).
    #[error("the line of transaction `{0}` is beyond the tax tolerance of 0.06")]
    LineTolerance(TransactionId),
}

impl PlanError {
    /// Whether the error means the order data changed since validation
    /// (validate again).
    pub fn is_stale(&self) -> bool {
        matches!(
            self,
            PlanError::MissingTransaction(_)
                | PlanError::WrongKind { .. }
                | PlanError::MissingIssuer(_)
        )
    }
}

/// Plans the invoices of a validated application: see the module docs
/// of [`crate`] for the grouping, rounding and splitting rules.
///
/// Pure and deterministic: the same application, transactions and rule
/// book give the same plan, whatever order the transactions were selected
/// in, and its JSON is byte-identical.
///
/// # Errors
/// [`PlanError`] when the source no longer matches what was validated.
pub fn plan_invoices(
    application: &ValidatedApplication,
    transactions: &dyn TransactionSource,
    book: &RuleBook,
) -> Result<InvoicePlan, PlanError> {
    let today = application.validated_at().date();
    let app_rules = rules(book, application.card().province(), today)?;
    match application.kind() {
        ApplicationKind::TopUp => plan_top_ups(application, transactions, book),
        ApplicationKind::Consumption | ApplicationKind::Statement => {
            plan_tolls(application, transactions, book, app_rules)
        }
    }
}

fn rules(book: &RuleBook, province: Province, date: NaiveDate) -> Result<&RuleSet, PlanError> {
    book.rules_for(province, date)
        .map_err(|source| PlanError::Rules {
            province,
            date,
            source,
        })
}

/// Toll item names this crate knows, shared without allocation: the older
/// e-invoice's and the fully digital invoice's (DOMAIN.md §3).
const KNOWN_ITEMS: [&str; 4] = [
    "*经营租赁*通行费",
    "*通行费*通行费",
    "*生产生活服务*通行费",
    FISCAL_EBILL_ITEM,
];

fn item_name(name: &str) -> Cow<'static, str> {
    KNOWN_ITEMS
        .iter()
        .find(|k| **k == name)
        .map_or_else(|| Cow::Owned(name.to_owned()), |k| Cow::Borrowed(*k))
}

/// One passage or recovery, as the planner sees it.
struct Trip<'r> {
    id: &'r TransactionId,
    date_from: NaiveDate,
    date_to: NaiveDate,
    plate: &'r PlateNumber,
    vehicle_type: InvoiceVehicleType,
    segments: &'r [TollSegment],
}

/// What the lines of one trip print, shared between them.
struct Row {
    id: TransactionId,
    plate: PlateNumber,
    vehicle_type: InvoiceVehicleType,
    date_from: NaiveDate,
    date_to: NaiveDate,
}

/// From how many trips a plan copies the trips' ids in rank order (see
/// `plan_tolls`): beyond what the caches hold anyway.
const UNSHARED_IDS_FROM: usize = 16_384;

/// One segment, placed in its group (seller × document × rate, kept
/// apart): `key` orders it within the group by trip rank (the top 32
/// bits), item (8 bits) and position in the trip (24 bits).
#[derive(Clone, Copy)]
struct Piece {
    key: u64,
    fen: i64,
}

/// Interns values in first-seen order, then ranks them in sorted order.
/// A linear scan finds a value while there are few; a hash map takes
/// over beyond [`Interner::SCAN`].
struct Interner<T> {
    values: Vec<T>,
    map: HashMap<T, u32, IdHash>,
    last: Option<(T, u32)>,
}

/// Equality with a cheap first test: references to the same value are
/// equal without comparing what they point at (segments of one rule set
/// share its item name; records often share nothing, and fall through).
trait QuickEq: Copy + Eq {
    #[inline]
    fn quick_eq(self, other: Self) -> bool {
        self == other
    }
}

/// Rates are held normalised, in eight bytes: `==` compares their words.
impl QuickEq for Option<TaxRate> {}

impl QuickEq for u64 {}

impl QuickEq for &str {
    /// The same text at the same address (shared text) is equal without
    /// comparing the bytes.
    #[inline]
    fn quick_eq(self, other: Self) -> bool {
        self.len() == other.len() && (std::ptr::eq(self, other) || self == other)
    }
}

impl QuickEq for &Operator {
    #[inline]
    fn quick_eq(self, other: Self) -> bool {
        same_seller(self, other, false)
    }
}

/// The same fields as `==`, cheapest first: the taxpayer id (a credit
/// code compares as two words), the id (unless the caller knows the ids
/// equal), then the name.
#[inline(always)]
fn same_seller(x: &Operator, y: &Operator, ids_equal: bool) -> bool {
    std::ptr::eq(x, y)
        || (match (x.taxpayer_id.as_uscc(), y.taxpayer_id.as_uscc()) {
            (Some(p), Some(q)) => p == q,
            (None, None) => x.taxpayer_id == y.taxpayer_id,
            _ => false,
        } && (ids_equal || x.id.as_str().quick_eq(y.id.as_str()))
            && x.name.as_str().quick_eq(y.name.as_str()))
}

impl<T: QuickEq + std::hash::Hash> Interner<T> {
    const SCAN: usize = 16;

    fn new() -> Self {
        Interner {
            values: Vec::with_capacity(Self::SCAN),
            map: HashMap::default(),
            last: None,
        }
    }

    /// The first-seen id of `v`.
    fn id(&mut self, v: T) -> u32 {
        if let Some((l, id)) = self.last
            && l.quick_eq(v)
        {
            return id;
        }
        let found = if self.values.len() <= Self::SCAN {
            self.values.iter().position(|x| (*x).quick_eq(v))
        } else {
            self.map.get(&v).map(|i| *i as usize)
        };
        let i = found.unwrap_or_else(|| {
            self.values.push(v);
            self.values.len() - 1
        });
        let id = u32::try_from(i).unwrap_or(u32::MAX);
        if self.values.len() > Self::SCAN && found.is_none() {
            if self.map.is_empty() {
                for (k, x) in self.values.iter().enumerate() {
                    self.map.insert(*x, u32::try_from(k).unwrap_or(u32::MAX));
                }
            } else {
                self.map.insert(v, id);
            }
        }
        self.last = Some((v, id));
        id
    }
}

impl<T: Ord + Copy> Interner<T> {
    /// `rank[id]` is the position of value `id` in sorted order; and the
    /// values in sorted order.
    fn ranks(&self) -> (Vec<u32>, Vec<T>) {
        let mut order: Vec<usize> = (0..self.values.len()).collect();
        order.sort_by(|a, b| self.values.get(*a).cmp(&self.values.get(*b)));
        let mut rank = vec![0_u32; order.len()];
        for (r, id) in order.iter().enumerate() {
            if let Some(slot) = rank.get_mut(*id) {
                *slot = u32::try_from(r).unwrap_or(u32::MAX);
            }
        }
        let sorted = order
            .iter()
            .filter_map(|i| self.values.get(*i).copied())
            .collect();
        (rank, sorted)
    }
}

// Bit layout of a piece key, most significant first: trip, item, segment.
const SEG_BITS: u32 = 24;
const ITEM_BITS: u32 = 8;
const ITEM_SHIFT: u32 = SEG_BITS;
const TRIP_SHIFT: u32 = ITEM_SHIFT + ITEM_BITS;
const ITEM_MASK: u64 = (1 << ITEM_BITS) - 1;

/// The trip rank of a piece key.
fn trip_of_key(key: u64) -> usize {
    usize::try_from(key >> TRIP_SHIFT).unwrap_or(usize::MAX)
}

/// The item (rank) of a piece key.
fn item_of_key(key: u64) -> usize {
    usize::try_from((key >> ITEM_SHIFT) & ITEM_MASK).unwrap_or(usize::MAX)
}

/// The segment position of a piece key.
fn segment_of_key(key: u64) -> u32 {
    u32::try_from(key & ((1 << SEG_BITS) - 1)).unwrap_or(u32::MAX)
}

fn doc_rank(d: DocumentKind) -> u32 {
    match d {
        DocumentKind::VatInvoice => 0,
        DocumentKind::NonTaxableInvoice => 1,
        DocumentKind::FiscalEBill => 2,
    }
}

fn doc_of_rank(r: u32) -> DocumentKind {
    match r {
        0 => DocumentKind::VatInvoice,
        1 => DocumentKind::NonTaxableInvoice,
        _ => DocumentKind::FiscalEBill,
    }
}

/// Looks up the application's transactions, in its order (by id).
fn load<'s>(
    application: &ValidatedApplication,
    transactions: &'s dyn TransactionSource,
) -> Result<Vec<Held<'s>>, PlanError> {
    // A loop rather than `collect` into a `Result`, which cannot size the
    // list up front and regrows it.
    let ids = application.transactions();
    let mut held = Vec::with_capacity(ids.len());
    for id in ids {
        held.push(match transactions.transaction(id.as_str()) {
            Some(Cow::Borrowed(r)) if r.id() == id => Held::Borrowed(r),
            Some(Cow::Owned(r)) if r.id() == id => Held::Owned(Box::new(r)),
            _ => return Err(PlanError::MissingTransaction(id.clone())),
        });
    }
    Ok(held)
}

/// A record as the source gave it: borrowed, or owned (and boxed, so that
/// the list of a large application stays small).
enum Held<'s> {
    Borrowed(&'s Record),
    Owned(Box<Record>),
}

impl std::ops::Deref for Held<'_> {
    type Target = Record;

    fn deref(&self) -> &Record {
        match self {
            Held::Borrowed(r) => r,
            Held::Owned(r) => r,
        }
    }
}

fn trip_of(record: &Record) -> Result<Trip<'_>, PlanError> {
    match record {
        Record::Passage(p) => Ok(Trip {
            id: p.id(),
            date_from: p.start_date(),
            date_to: p.passage_date(),
            plate: p.vehicle().plate(),
            vehicle_type: p.vehicle_class().invoice_type(),
            segments: p.segments(),
        }),
        Record::Recovery(r) => Ok(Trip {
            id: r.id(),
            date_from: r.time().date(),
            date_to: r.time().date(),
            plate: r.vehicle().plate(),
            vehicle_type: r.vehicle_class().invoice_type(),
            segments: r.segments(),
        }),
        other => Err(PlanError::WrongKind {
            id: other.id().clone(),
            expected: "passage or audit recovery",
        }),
    }
}

/// The order of the trips by date, keeping the order of trips of one date
/// (their ids are ascending): `order[rank]` is a position in `trips`. A
/// counting sort when the dates span less than a few years (an
/// application's month, or a statement's), else a stable sort.
fn date_order(trips: &[Trip<'_>]) -> Vec<u32> {
    // Each trip's day, worked out once (a date's day number takes a few
    // divisions).
    let days: Vec<i32> = trips.iter().map(|t| t.date_to.num_days_from_ce()).collect();
    let index = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
    let (Some(lo), Some(hi)) = (days.iter().min().copied(), days.iter().max().copied()) else {
        return Vec::new();
    };
    let span = usize::try_from(i64::from(hi) - i64::from(lo)).unwrap_or(usize::MAX);
    if span >= 4096 {
        let mut order: Vec<u32> = (0..trips.len()).map(index).collect();
        order.sort_by_key(|i| days.get(*i as usize).copied());
        return order;
    }
    let slot = |d: &i32| usize::try_from(i64::from(*d) - i64::from(lo)).unwrap_or(0);
    counting_sort(&days, span + 1, slot, |i, _| index(i), 0).0
}

/// A stable counting sort of `items` into `buckets` buckets by `bucket_of`
/// (below `buckets`), each item turned into its output by `out` (given its
/// position too). Returns the outputs and where each bucket starts, with
/// the end as the last entry: bucket `b` is `starts[b]..starts[b + 1]`.
fn counting_sort<T, U: Copy>(
    items: &[T],
    buckets: usize,
    bucket_of: impl Fn(&T) -> usize,
    out: impl Fn(usize, &T) -> U,
    fill: U,
) -> (Vec<U>, Vec<usize>) {
    let mut starts = vec![0_usize; buckets + 1];
    for item in items {
        if let Some(c) = starts.get_mut(bucket_of(item) + 1) {
            *c += 1;
        }
    }
    for i in 1..starts.len() {
        let before = starts.get(i - 1).copied().unwrap_or(0);
        if let Some(c) = starts.get_mut(i) {
            *c += before;
        }
    }
    let mut next = starts.clone();
    let mut sorted = vec![fill; items.len()];
    for (i, item) in items.iter().enumerate() {
        if let Some(at) = next.get_mut(bucket_of(item))
            && let Some(cell) = sorted.get_mut(*at)
        {
            *cell = out(i, item);
            *at += 1;
        }
    }
    (sorted, starts)
}

/// How many neighbours among `pieces` differ in their keys above bit
/// `shift` (trips at `TRIP_SHIFT`, lines at `ITEM_SHIFT`): one less than
/// the runs of sorted pieces.
#[inline]
fn key_changes(pieces: &[Piece], shift: u32) -> usize {
    pieces
        .windows(2)
        .filter(|w| matches!(w, [a, b] if a.key >> shift != b.key >> shift))
        .count()
}

/// The length of the run at the start of `items` that `same` holds for:
/// a linear scan, since runs are short and a binary search over a long
/// slice would miss the cache at every step.
fn run_len<T>(items: &[T], same: impl Fn(&T) -> bool) -> usize {
    items.iter().position(|x| !same(x)).unwrap_or(items.len())
}

/// The overflow error, built only on the way to returning it (`ok_or`
/// would build and drop one on every success).
fn overflow() -> PlanError {
    PlanError::Overflow
}

fn money(fen: i128) -> Result<Money, PlanError> {
    // A match rather than `ok_or`, which builds (and drops) the error on
    // the way to every success.
    match i64::try_from(fen).map(Money::try_from_fen) {
        Ok(Ok(m)) => Ok(m),
        _ => Err(PlanError::Overflow),
    }
}

fn plan_tolls(
    application: &ValidatedApplication,
    source: &dyn TransactionSource,
    book: &RuleBook,
    app_rules: &RuleSet,
) -> Result<InvoicePlan, PlanError> {
    let records = load(application, source)?;
    // The trips in the source's order (the application's: by id) …
    let mut loaded: Vec<Trip<'_>> = Vec::with_capacity(records.len());
    for r in &records {
        loaded.push(trip_of(r)?);
    }
    // … and by rank: date, then id (the ids are sorted, and `load` checked
    // that the records answer to them, so a stable order by date is
    // enough).
    let order = date_order(&loaded);
    let per_trip = application.merge_mode() == MergeMode::PerTrip;
    if loaded.len() > 1 << 32 || loaded.iter().any(|t| t.segments.len() >= 1 << SEG_BITS) {
        // Far beyond any real application; refuse rather than mis-sort.
        return Err(PlanError::Overflow);
    }

    // What lines print of each trip, by rank, made once and close together
    // in memory: lines read these in rank order rather than records
    // scattered over the source's heap.
    let row_of = |t: &Trip<'_>| Row {
        id: t.id.clone(),
        plate: t.plate.clone(),
        vehicle_type: t.vehicle_type,
        date_from: t.date_from,
        date_to: t.date_to,
    };
    let copy_ids = loaded.len() > UNSHARED_IDS_FROM;
    let mut rows: Vec<Row> = Vec::with_capacity(loaded.len());
    if copy_ids {
        // A large plan makes them in the source's order, which reads the
        // records in memory order, then moves them into rank order, so
        // that its records are not visited at random. Lines clone their
        // trip's id, which touches a long id's shared text: the ids are
        // copied in rank order, so that the lines (made in rank order)
        // touch them in order too.
        let mut by_source: Vec<Option<Row>> = loaded.iter().map(|t| Some(row_of(t))).collect();
        for i in &order {
            if let Some(mut row) = by_source.get_mut(*i as usize).and_then(Option::take) {
                row.id = row.id.unshared();
                rows.push(row);
            }
        }
    } else {
        for i in &order {
            if let Some(t) = loaded.get(*i as usize) {
                rows.push(row_of(t));
            }
        }
    }

    let Placement {
        placed,
        group_of,
        item_of,
        sellers,
        rates,
        items,
        groups,
    } = if copy_ids {
        // A large plan visits the records in memory order (`rank_of` maps
        // them to their ranks), and sorts its groups after.
        let mut rank_of = vec![0_u32; loaded.len()];
        for (rank, i) in (0_u32..).zip(&order) {
            if let Some(r) = rank_of.get_mut(*i as usize) {
                *r = rank;
            }
        }
        place(loaded.iter().zip(rank_of), book)?
    } else {
        // A small one (in the caches anyway) in rank order: each group
        // then comes out of the counting sort in order already.
        let by_rank = order.iter().zip(0_u32..);
        place(
            by_rank.filter_map(|(i, rank)| Some((loaded.get(*i as usize)?, rank))),
            book,
        )?
    };
    if rates.values.len() >= 1 << 24 || items.values.len() >= 1 << ITEM_BITS {
        return Err(PlanError::Overflow);
    }

    // The groups in the plan's order: seller, document, rate.
    let (seller_rank, _) = sellers.ranks();
    let (rate_rank, _) = rates.ranks();
    let (item_rank, sorted_items) = items.ranks();
    let sorted_items: Vec<Cow<'static, str>> = sorted_items.into_iter().map(item_name).collect();
    let shared_sellers: Vec<Arc<Operator>> = sellers
        .values
        .iter()
        .map(|o| Arc::new(Operator::clone(o)))
        .collect();
    let templates: Vec<Template<'_>> = groups
        .values
        .iter()
        .map(|g| {
            let seller = (g >> 32) as usize;
            let rate_id = (g & 0x00ff_ffff) as usize;
            let rate = rates.values.get(rate_id).copied().flatten();
            Template {
                seller: shared_sellers.get(seller),
                document: doc_of_rank(((g >> 24) & 0xff) as u32),
                rate,
                fraction: rate.map(RateFraction::of).map(|f| {
                    (
                        f,
                        f.tolerance_units(LINE_TOLERANCE_FEN),
                        f.tolerance_units(INVOICE_TOLERANCE_FEN),
                    )
                }),
            }
        })
        .collect();
    let mut group_order: Vec<usize> = (0..templates.len()).collect();
    group_order.sort_by_key(|g| {
        groups.values.get(*g).map(|g| {
            let seller = seller_rank.get((g >> 32) as usize);
            let rate = rate_rank.get((g & 0x00ff_ffff) as usize);
            (seller, (g >> 24) & 0xff, rate)
        })
    });

    // A counting sort by group (in the plan's order), item ids replaced by
    // their ranks on the way; then each group sorted by trip, item and
    // position, where it is not in that order already.
    let mut slot_of = vec![0_usize; templates.len()];
    for (slot, g) in group_order.iter().enumerate() {
        if let Some(s) = slot_of.get_mut(*g) {
            *s = slot;
        }
    }
    // Per class: its group's slot, and its item's rank in key position.
    let class_slot: Vec<usize> = group_of
        .iter()
        .map(|g| slot_of.get(*g as usize).copied().unwrap_or(0))
        .collect();
    let class_item: Vec<u64> = item_of
        .iter()
        .map(|i| u64::from(item_rank.get(*i as usize).copied().unwrap_or(0)) << ITEM_SHIFT)
        .collect();
    let (mut pieces, bounds) = counting_sort(
        &placed,
        templates.len(),
        |(c, _)| class_slot.get(*c as usize).copied().unwrap_or(0),
        |_, (c, piece)| Piece {
            key: piece.key | class_item.get(*c as usize).copied().unwrap_or(0),
            fen: piece.fen,
        },
        Piece { key: 0, fen: 0 },
    );
    drop(placed);

    // Walk each group: runs of one trip are drafts in per-trip mode, the
    // whole group in monthly mode; runs of (trip, item) are lines.
    let max_lines = usize::try_from(app_rules.applications.max_lines_per_invoice)
        .unwrap_or(usize::MAX)
        .max(1);
    // One draft at least per group (per trip of a group in per-trip mode):
    // reserve for them all at once, rather than regrow (and copy) the
    // drafts as they come.
    let mut runs = 0;
    for w in bounds.windows(2) {
        if let [start, end] = w
            && let Some(group) = pieces.get_mut(*start..*end)
        {
            if !group.is_sorted_by_key(|p| p.key) {
                group.sort_unstable_by_key(|p| p.key);
            }
            runs += if per_trip {
                1 + key_changes(group, TRIP_SHIFT)
            } else {
                usize::from(!group.is_empty())
            };
        }
    }
    let mut builder = DraftBuilder::new(application, max_lines, rows.len(), per_trip, runs);
    for (slot, g) in group_order.iter().enumerate() {
        let (Some(template), Some(start), Some(end)) = (
            templates.get(*g),
            bounds.get(slot).copied(),
            bounds.get(slot + 1).copied(),
        ) else {
            continue;
        };
        let Some(group) = pieces.get(start..end) else {
            continue;
        };
        if per_trip {
            builder.group::<true>(template, group, &rows, &sorted_items)?;
        } else {
            builder.group::<false>(template, group, &rows, &sorted_items)?;
        }
    }

    let DraftBuilder {
        drafts,
        trips,
        totals,
        ..
    } = builder;
    let mut summaries = Vec::new();
    if app_rules.documents.summary_sheet && !drafts.is_empty() {
        if per_trip {
            if trips.iter().any(|t| Money::try_from_fen(t.gross).is_err()) {
                return Err(PlanError::Overflow);
            }
            // Mapped from lists of known length, each sheet is written in
            // place; the sheets of trips without drafts (nothing charged)
            // are dropped after.
            summaries = rows
                .iter()
                .zip(trips)
                .map(|(trip, sheet)| SummarySheetDraft {
                    trip: Some(TransactionId::clone(&trip.id)),
                    transactions: InlineVec::one(TransactionId::clone(&trip.id)),
                    invoices: sheet.drafts,
                    // In range: checked above.
                    total_gross: Money::from_fen(sheet.gross),
                })
                .collect();
            summaries.retain(|s| !s.invoices.is_empty());
        } else {
            let transactions = InlineVec::from(application.transactions());
            summaries.push(SummarySheetDraft {
                trip: None,
                transactions,
                invoices: (0..u32::try_from(drafts.len()).unwrap_or(u32::MAX)).collect(),
                total_gross: money(totals.0 + totals.1)?,
            });
        }
    }
    finish(application, drafts, summaries, totals)
}

/// What a segment is invoiced as: its seller, document, rate and item.
/// Segments of one class go to one group (seller × document × rate) and,
/// within a trip, to one line.
#[derive(Clone, Copy)]
struct Class<'r> {
    seller: &'r Operator,
    document: DocumentKind,
    rate: Option<TaxRate>,
    item: &'r str,
}

/// What finds a class cheaply: the document, and the seller's id as its
/// length and its first and last eight bytes (zero-padded). Equal classes
/// have equal keys; for an id of up to 16 bytes, equal keys mean equal ids.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct ClassKey {
    head: u64,
    tail: u64,
    len: u32,
    document: u8,
}

impl ClassKey {
    #[inline]
    fn of(seller: &Operator, document: DocumentKind) -> ClassKey {
        let id = seller.id.as_str().as_bytes();
        let word = |bytes: &[u8]| {
            let mut w = [0_u8; 8];
            for (slot, b) in w.iter_mut().zip(bytes) {
                *slot = *b;
            }
            u64::from_le_bytes(w)
        };
        let (head, tail) = match (id.first_chunk::<8>(), id.last_chunk::<8>()) {
            (Some(head), Some(tail)) => (u64::from_le_bytes(*head), u64::from_le_bytes(*tail)),
            _ => (word(id), 0),
        };
        ClassKey {
            head,
            tail,
            len: u32::try_from(id.len()).unwrap_or(u32::MAX),
            document: doc_rank(document) as u8,
        }
    }

    /// Whether equal keys mean equal seller ids.
    #[inline]
    fn pins_id(self) -> bool {
        self.len <= 16
    }
}

/// The classes met so far, in first-seen order: a scan over their keys
/// while there are few, a map from key to the classes with it beyond.
struct ClassTable<'r> {
    classes: Vec<Class<'r>>,
    keys: Vec<ClassKey>,
    map: HashMap<ClassKey, Vec<u32>, IdHash>,
    /// The class found last (segments of one operator often follow one
    /// another).
    last: usize,
}

impl<'r> ClassTable<'r> {
    const SCAN: usize = 32;

    fn new() -> Self {
        ClassTable {
            classes: Vec::with_capacity(Self::SCAN),
            keys: Vec::with_capacity(Self::SCAN),
            map: HashMap::default(),
            last: usize::MAX,
        }
    }

    /// Whether `a` (of key `key`) is `b`, its key known equal.
    #[inline]
    fn same(a: &Class<'_>, b: &Class<'_>, key: ClassKey) -> bool {
        a.item.quick_eq(b.item)
            && a.rate.quick_eq(b.rate)
            && same_seller(a.seller, b.seller, key.pins_id())
    }

    /// The first-seen id of class `c`.
    #[inline(always)]
    fn id(&mut self, c: Class<'r>) -> u32 {
        let key = ClassKey::of(c.seller, c.document);
        let is = |i: usize| {
            self.keys.get(i) == Some(&key)
                && self.classes.get(i).is_some_and(|x| Self::same(x, &c, key))
        };
        let found = if is(self.last) {
            Some(self.last)
        } else if self.classes.len() <= Self::SCAN {
            // The keys in a tight loop; a class only where its key matches.
            let classes = &self.classes;
            self.keys
                .iter()
                .zip(classes)
                .position(|(k, x)| *k == key && Self::same(x, &c, key))
        } else {
            self.map
                .get(&key)
                .and_then(|ids| ids.iter().map(|i| *i as usize).find(|i| is(*i)))
        };
        let i = found.unwrap_or_else(|| {
            self.classes.push(c);
            self.keys.push(key);
            let i = self.classes.len() - 1;
            if self.classes.len() > Self::SCAN {
                if self.map.is_empty() {
                    for (k, key) in self.keys.iter().enumerate() {
                        let k = u32::try_from(k).unwrap_or(u32::MAX);
                        self.map.entry(*key).or_default().push(k);
                    }
                } else {
                    let id = u32::try_from(i).unwrap_or(u32::MAX);
                    self.map.entry(key).or_default().push(id);
                }
            }
            i
        });
        self.last = i;
        u32::try_from(i).unwrap_or(u32::MAX)
    }
}

/// The charged segments, each placed in its class (`placed`: the class,
/// and the piece without its item), and the classes' groups and items.
struct Placement<'r> {
    placed: Vec<(u32, Piece)>,
    /// Per class: its group.
    group_of: Vec<u32>,
    /// Per class: its item.
    item_of: Vec<u32>,
    sellers: Interner<&'r Operator>,
    rates: Interner<Option<TaxRate>>,
    items: Interner<&'r str>,
    groups: Interner<u64>,
}

/// Places every charged segment of `trips` (each with its rank) in its
/// class, in the order given; then the classes (a few) in their groups
/// (seller × document × rate).
fn place<'a, 'r: 'a>(
    trips: impl Iterator<Item = (&'a Trip<'r>, u32)> + Clone,
    book: &'r RuleBook,
) -> Result<Placement<'r>, PlanError> {
    let segment_count: usize = trips.clone().map(|(t, _)| t.segments.len()).sum();
    let mut placed: Vec<(u32, Piece)> = Vec::with_capacity(segment_count);
    let mut classes = ClassTable::new();
    let mut cached: Option<((Province, NaiveDate), &RuleSet)> = None;
    for (trip, rank) in trips {
        let t = u64::from(rank) << TRIP_SHIFT;
        for (k, seg) in (0_u64..).zip(trip.segments) {
            let fen = seg.charged().to_fen();
            if fen == 0 {
                continue;
            }
            let at = (seg.province(), trip.date_to);
            let set = match cached {
                Some((c, set)) if c == at => set,
                _ => {
                    let set = rules(book, at.0, at.1)?;
                    cached = Some((at, set));
                    set
                }
            };
            let (document, rate) = set
                .document_for(
                    seg.funding(),
                    seg.tax_method(),
                    seg.road_kind(),
                    seg.construction_start(),
                    trip.date_to,
                )
                .map_err(|source| PlanError::Rules {
                    province: at.0,
                    date: at.1,
                    source,
                })?;
            let item = match document {
                DocumentKind::FiscalEBill => FISCAL_EBILL_ITEM,
                DocumentKind::VatInvoice | DocumentKind::NonTaxableInvoice => {
                    set.documents.item_name.as_str()
                }
            };
            let class = classes.id(Class {
                seller: seg.operator(),
                document,
                rate: if document.is_taxable() { rate } else { None },
                item,
            });
            placed.push((class, Piece { key: t | k, fen }));
        }
    }
    let mut sellers: Interner<&Operator> = Interner::new();
    let mut rates: Interner<Option<TaxRate>> = Interner::new();
    let mut items: Interner<&str> = Interner::new();
    let mut groups: Interner<u64> = Interner::new();
    let mut group_of = Vec::with_capacity(classes.classes.len());
    let mut item_of = Vec::with_capacity(classes.classes.len());
    for c in &classes.classes {
        group_of.push(groups.id((u64::from(sellers.id(c.seller)) << 32)
            | (u64::from(doc_rank(c.document)) << 24)
            | u64::from(rates.id(c.rate))));
        item_of.push(items.id(c.item));
    }
    Ok(Placement {
        placed,
        group_of,
        item_of,
        sellers,
        rates,
        items,
        groups,
    })
}

/// What the drafts of one group (seller × document × rate) share, worked
/// out once for the group.
struct Template<'s> {
    seller: Option<&'s Arc<Operator>>,
    document: DocumentKind,
    rate: Option<TaxRate>,
    /// The rate as a fraction, for the integer split and tolerances.
    /// With the line and invoice tolerances in its units.
    fraction: Option<(RateFraction, i128, i128)>,
}

/// What a trip's summary sheet binds, gathered as its drafts are made.
#[derive(Default)]
struct TripSheet {
    /// The drafts with lines of the trip, by index (ascending).
    drafts: InlineVec<u32, 4>,
    /// The trip's gross over the plan, in fen.
    gross: i64,
}

/// Collects drafts group by group (and trip by trip in per-trip mode),
/// cutting a run into parts at the line limit and the invoice tolerance.
struct DraftBuilder {
    buyer: Arc<Buyer>,
    max_lines: usize,
    drafts: Vec<InvoiceDraft>,
    /// In per-trip mode, per trip (by rank): what its summary sheet binds.
    trips: Vec<TripSheet>,
    /// Σ net and Σ tax of the drafts closed so far, in fen.
    totals: (i128, i128),
}

impl DraftBuilder {
    fn new(
        application: &ValidatedApplication,
        max_lines: usize,
        trips: usize,
        per_trip: bool,
        drafts: usize,
    ) -> DraftBuilder {
        DraftBuilder {
            buyer: Arc::new(application.buyer().clone()),
            max_lines,
            drafts: Vec::with_capacity(drafts),
            trips: if per_trip {
                std::iter::repeat_with(TripSheet::default)
                    .take(trips)
                    .collect()
            } else {
                Vec::new()
            },
            totals: (0, 0),
        }
    }

    /// The drafts of one group's pieces: per trip in per-trip mode, else
    /// one; each cut into parts when its lines pass the limit or the
    /// tolerance.
    ///
    /// One copy per mode, each kept out of line: inlined into its caller,
    /// or with the mode a run-time test, the line loop compiles slower.
    #[inline(never)]
    fn group<const PER_TRIP: bool>(
        &mut self,
        template: &Template<'_>,
        pieces: &[Piece],
        rows: &[Row],
        items: &[Cow<'static, str>],
    ) -> Result<(), PlanError> {
        let Some(seller) = template.seller else {
            return Ok(());
        };
        // Where the drafts of the current run (the group, or one trip of it
        // in per-trip mode) start.
        let mut first = self.drafts.len();
        // The open draft's sums, in fen (and deviation units), its lines,
        // and its trip.
        let mut open: Option<(i64, i64, i128)> = None;
        let mut lines = 0_usize;
        let mut trip_key = u64::MAX;
        let mut rest = pieces;
        while let Some(head) = rest.first() {
            let line_key = head.key >> ITEM_SHIFT;
            let n = run_len(rest, |p| p.key >> ITEM_SHIFT == line_key);
            let (run, tail) = rest.split_at(n);
            let t = trip_of_key(head.key);
            if PER_TRIP && head.key >> TRIP_SHIFT != trip_key {
                // A new trip: its own drafts.
                if let Some((net, tax, _)) = open.take() {
                    self.close(net, tax)?;
                }
                self.number_parts(first);
                first = self.drafts.len();
                trip_key = head.key >> TRIP_SHIFT;
            }
            let Some(row) = rows.get(t) else {
                rest = tail;
                continue;
            };
            let gross = run
                .iter()
                .try_fold(0_i64, |sum, p| sum.checked_add(p.fen))
                .ok_or_else(overflow)?;
            let gross_money = money(i128::from(gross))?;
            // `split_gross`, on fen (the fraction is the template's rate's).
            let (net, tax) = match &template.fraction {
                Some((f, _, _)) => {
                    let net = f.net_fen(gross);
                    (net, gross - net)
                }
                None => (gross, 0),
            };
            let mut deviation = 0;
            let mut over_tolerance = false;
            if let Some((f, line_tolerance, invoice_tolerance)) = &template.fraction {
                deviation = f.deviation_units(net, tax);
                if deviation.abs() > *line_tolerance {
                    return Err(PlanError::LineTolerance(TransactionId::clone(&row.id)));
                }
                let so_far = open.as_ref().map_or(0, |(_, _, d)| *d);
                over_tolerance = (so_far + deviation).abs() > *invoice_tolerance;
            }
            let item = items
                .get(item_of_key(head.key))
                .cloned()
                .unwrap_or(Cow::Borrowed(""));
            if PER_TRIP
                && open.is_none()
                && !over_tolerance
                && tail.first().is_none_or(|p| p.key >> TRIP_SHIFT != trip_key)
            {
                // The trip's whole run in the group is this one line (as
                // when a trip crosses a seller once): its draft opens and
                // closes at once.
                let line = line_of(row, template, item, run, net, tax, gross_money);
                self.single(seller, template, line, (net, tax, gross_money));
                self.note_trip(t, gross)?;
                rest = tail;
                continue;
            }
            let full = lines >= self.max_lines;
            let sums = match open {
                Some(sums) if !full && !over_tolerance => sums,
                _ => {
                    if let Some((net, tax, _)) = open {
                        self.close(net, tax)?;
                    }
                    // Room for the lines left (up to the limit): in a trip's
                    // run, one per item (mostly one, held in place); in a
                    // month's, about one per piece (a trip seldom crosses
                    // a seller twice).
                    let capacity = if PER_TRIP {
                        let trip = run_len(rest, |p| p.key >> TRIP_SHIFT == trip_key);
                        let trip = rest.get(..trip).unwrap_or_default();
                        (1 + key_changes(trip, ITEM_SHIFT)).min(self.max_lines)
                    } else {
                        rest.len().min(self.max_lines)
                    };
                    let trip = PER_TRIP.then(|| TransactionId::clone(&row.id));
                    self.open(seller, template, trip, capacity);
                    lines = 0;
                    (0, 0, 0)
                }
            };
            open = Some((
                sums.0.checked_add(net).ok_or_else(overflow)?,
                sums.1.checked_add(tax).ok_or_else(overflow)?,
                sums.2 + deviation,
            ));
            lines += 1;

            if PER_TRIP {
                self.note_trip(t, gross)?;
            }
            let Some(draft) = self.drafts.last_mut() else {
                rest = tail;
                continue;
            };
            draft
                .lines
                .push(line_of(row, template, item, run, net, tax, gross_money));
            rest = tail;
        }
        if let Some((net, tax, _)) = open {
            self.close(net, tax)?;
        }
        self.number_parts(first);
        Ok(())
    }

    /// In per-trip mode: notes that the last draft holds a line of trip
    /// `t` (by rank) of `gross` fen.
    #[inline]
    fn note_trip(&mut self, t: usize, gross: i64) -> Result<(), PlanError> {
        let index = u32::try_from(self.drafts.len().saturating_sub(1)).unwrap_or(u32::MAX);
        if let Some(sheet) = self.trips.get_mut(t) {
            // Drafts come in index order: each trip's list stays sorted.
            if sheet.drafts.last() != Some(&index) {
                sheet.drafts.push(index);
            }
            sheet.gross = sheet.gross.checked_add(gross).ok_or_else(overflow)?;
        }
        Ok(())
    }

    /// A per-trip draft of one line, closed at once: its sums are the
    /// line's (`net`, `tax` and `gross`, the last in range).
    ///
    /// The draft is written in one literal, like `open`'s, rather than
    /// through a shared constructor: passing the line (or the list holding
    /// it) to one costs a move of its 150 bytes, about 3 % more
    /// instructions for a per-trip plan.
    fn single(
        &mut self,
        seller: &Arc<Operator>,
        template: &Template<'_>,
        line: InvoiceLine,
        (net, tax, gross): (i64, i64, Money),
    ) {
        self.totals.0 += i128::from(net);
        self.totals.1 += i128::from(tax);
        let trip = Some(TransactionId::clone(&line.transaction));
        self.drafts.push(InvoiceDraft {
            index: u32::try_from(self.drafts.len()).unwrap_or(u32::MAX),
            document: template.document,
            seller: Arc::clone(seller),
            buyer: Arc::clone(&self.buyer),
            rate: template.rate,
            trip,
            part: 1,
            parts: 1,
            lines: InlineVec::one(line),
            // |net| and |tax| are at most |gross|, which is in range.
            total_net: Money::from_fen(net),
            total_tax: Money::from_fen(tax),
            total_gross: gross,
        });
    }

    /// Numbers the parts of the drafts from `first` on (one run's).
    fn number_parts(&mut self, first: usize) {
        let parts = self.drafts.get_mut(first..).unwrap_or_default();
        if parts.len() > 1 {
            let count = u32::try_from(parts.len()).unwrap_or(u32::MAX);
            for (n, d) in (1..).zip(parts.iter_mut()) {
                d.part = n;
                d.parts = count;
            }
        }
    }

    fn open(
        &mut self,
        seller: &Arc<Operator>,
        template: &Template<'_>,
        trip: Option<TransactionId>,
        capacity: usize,
    ) {
        self.drafts.push(InvoiceDraft {
            index: u32::try_from(self.drafts.len()).unwrap_or(u32::MAX),
            document: template.document,
            seller: Arc::clone(seller),
            buyer: Arc::clone(&self.buyer),
            rate: template.rate,
            trip,
            part: 1,
            parts: 1,
            // One line is held in place: no reserving (and moving) then.
            lines: if capacity > 1 {
                InlineVec::with_capacity(capacity)
            } else {
                InlineVec::new()
            },
            total_net: Money::ZERO,
            total_tax: Money::ZERO,
            total_gross: Money::ZERO,
        });
    }

    fn close(&mut self, net: i64, tax: i64) -> Result<(), PlanError> {
        self.totals.0 += i128::from(net);
        self.totals.1 += i128::from(tax);
        if let Some(d) = self.drafts.last_mut() {
            d.total_net = money(i128::from(net))?;
            d.total_tax = money(i128::from(tax))?;
            d.total_gross = money(i128::from(net) + i128::from(tax))?;
        }
        Ok(())
    }
}

/// The line of `run`: one trip's segments of one item in a group, with
/// their sums.
#[inline(always)]
fn line_of(
    row: &Row,
    template: &Template<'_>,
    item_name: Cow<'static, str>,
    run: &[Piece],
    net: i64,
    tax: i64,
    gross: Money,
) -> InvoiceLine {
    InvoiceLine {
        item_name,
        plate: Some(row.plate.clone()),
        vehicle_type: Some(row.vehicle_type),
        date_from: row.date_from,
        date_to: row.date_to,
        net: Money::from_fen(net),
        rate: template.rate,
        tax: Money::from_fen(tax),
        gross,
        transaction: TransactionId::clone(&row.id),
        segments: Segments::from_ascending(run.iter().map(|p| segment_of_key(p.key))),
    }
}

fn plan_top_ups(
    application: &ValidatedApplication,
    source: &dyn TransactionSource,
    book: &RuleBook,
) -> Result<InvoicePlan, PlanError> {
    let records = load(application, source)?;
    let mut top_ups = Vec::with_capacity(records.len());
    for r in &records {
        match &**r {
            Record::TopUp(t) => {
                let seller = application
                    .issuers()
                    .get(t.card())
                    .ok_or_else(|| PlanError::MissingIssuer(*t.card()))?;
                top_ups.push((seller, t));
            }
            other => {
                return Err(PlanError::WrongKind {
                    id: other.id().clone(),
                    expected: "top-up",
                });
            }
        }
    }
    top_ups.sort_unstable_by(|a, b| (a.0, a.1.time(), a.1.id()).cmp(&(b.0, b.1.time(), b.1.id())));
    let buyer = Arc::new(application.buyer().clone());
    let mut sellers: Vec<Arc<Operator>> = Vec::new();
    let mut drafts = Vec::with_capacity(top_ups.len());
    for (seller, t) in top_ups {
        let seller = match sellers.last() {
            Some(s) if **s == *seller => Arc::clone(s),
            _ => {
                let s = Arc::new(seller.clone());
                sellers.push(Arc::clone(&s));
                s
            }
        };
        let date = t.time().date();
        let document = rules(book, t.card().province(), date)?.top_up_document();
        let amount = t.amount();
        let index = u32::try_from(drafts.len()).unwrap_or(u32::MAX);
        drafts.push(InvoiceDraft {
            index,
            document,
            seller,
            buyer: Arc::clone(&buyer),
            rate: None,
            trip: None,
            part: 1,
            parts: 1,
            lines: InlineVec::one(InvoiceLine {
                item_name: Cow::Borrowed(TOP_UP_ITEM),
                plate: None,
                vehicle_type: None,
                date_from: date,
                date_to: date,
                net: amount,
                rate: None,
                tax: Money::ZERO,
                gross: amount,
                transaction: t.id().clone(),
                segments: Segments::new(),
            }),
            total_net: amount,
            total_tax: Money::ZERO,
            total_gross: amount,
        });
    }
    let net = drafts
        .iter()
        .map(|d| i128::from(d.total_net.to_fen()))
        .sum();
    finish(application, drafts, Vec::new(), (net, 0))
}

/// The plan, with the sums of its drafts' net and tax in fen.
fn finish(
    application: &ValidatedApplication,
    invoices: Vec<InvoiceDraft>,
    summaries: Vec<SummarySheetDraft>,
    (net, tax): (i128, i128),
) -> Result<InvoicePlan, PlanError> {
    Ok(InvoicePlan {
        application: application.id(),
        invoices,
        summaries,
        totals: PlanTotals {
            net: money(net)?,
            tax: money(tax)?,
            gross: money(net + tax)?,
        },
    })
}
