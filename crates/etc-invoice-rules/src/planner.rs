//! Turning a validated application into the documents each seller issues
//! (see the crate docs, "Planning").

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use etc_invoice_order::{
    CardNumber, DocumentKind, Money, Operator, PlateNumber, Province, Record, TaxRate, TollSegment,
    TransactionId,
};
use etc_invoice_province::{MergeMode, RuleBook, RuleBookError, RuleSet};

use crate::application::ApplicationKind;
use crate::context::{IdHash, TransactionSource};
use crate::plan::{
    Buyer, InvoiceDraft, InvoiceLine, InvoicePlan, PlanTotals, Segments, SummarySheetDraft,
};
use crate::report::ValidatedApplication;
use crate::split::{INVOICE_TOLERANCE_FEN, LINE_TOLERANCE_FEN, RateFraction, split_gross};

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
    vehicle_type: &'static str,
    segments: &'r [TollSegment],
}

/// What the lines of one trip print, shared between them.
struct Row {
    id: Arc<TransactionId>,
    plate: Arc<PlateNumber>,
    vehicle_type: &'static str,
    date_from: NaiveDate,
    date_to: NaiveDate,
}

/// One segment, placed: its key packs (seller, document, rate, trip,
/// item, segment) ranks so that one integer sort orders everything.
#[derive(Clone, Copy)]
struct Piece {
    key: u128,
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
    fn quick_eq(self, other: Self) -> bool {
        self == other
    }
}

impl QuickEq for Option<TaxRate> {
    fn quick_eq(self, other: Self) -> bool {
        // Rates are held normalised, so equal rates have equal parts.
        match (self, other) {
            (Some(a), Some(b)) => a.as_decimal().serialize() == b.as_decimal().serialize(),
            (None, None) => true,
            _ => false,
        }
    }
}

impl QuickEq for &str {
    fn quick_eq(self, other: Self) -> bool {
        std::ptr::eq(self, other) || self == other
    }
}

impl QuickEq for &PlateNumber {
    fn quick_eq(self, other: Self) -> bool {
        std::ptr::eq(self, other) || self == other
    }
}

impl QuickEq for &Operator {
    /// The same fields as `==`, cheapest first: the id, the taxpayer id
    /// (a credit code compares as bytes), then the name.
    fn quick_eq(self, other: Self) -> bool {
        std::ptr::eq(self, other)
            || (self.id == other.id
                && match (self.taxpayer_id.as_uscc(), other.taxpayer_id.as_uscc()) {
                    (Some(a), Some(b)) => a == b,
                    (None, None) => self.taxpayer_id == other.taxpayer_id,
                    _ => false,
                }
                && self.name == other.name)
    }
}

impl<T: Ord + QuickEq + std::hash::Hash> Interner<T> {
    const SCAN: usize = 16;

    fn new() -> Self {
        Interner {
            values: Vec::new(),
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

// Bit layout of a piece key, most significant first: seller, document,
// rate, trip, item, segment.
const SEG_BITS: u32 = 24;
const ITEM_BITS: u32 = 8;
const TRIP_BITS: u32 = 32;
const RATE_BITS: u32 = 16;
const DOC_BITS: u32 = 4;
const SELLER_BITS: u32 = 128 - SEG_BITS - ITEM_BITS - TRIP_BITS - RATE_BITS - DOC_BITS;
const ITEM_SHIFT: u32 = SEG_BITS;
const TRIP_SHIFT: u32 = ITEM_SHIFT + ITEM_BITS;
const RATE_SHIFT: u32 = TRIP_SHIFT + TRIP_BITS;
const DOC_SHIFT: u32 = RATE_SHIFT + RATE_BITS;
const SELLER_SHIFT: u32 = DOC_SHIFT + DOC_BITS;

fn field(key: u128, shift: u32, bits: u32) -> u32 {
    u32::try_from((key >> shift) & ((1_u128 << bits) - 1)).unwrap_or(u32::MAX)
}

fn with_field(key: u128, shift: u32, bits: u32, value: u32) -> u128 {
    let mask = ((1_u128 << bits) - 1) << shift;
    (key & !mask) | (u128::from(value) << shift)
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
) -> Result<Vec<Cow<'s, Record>>, PlanError> {
    application
        .transactions()
        .iter()
        .map(|id| match transactions.transaction(id.as_str()) {
            Some(r) if r.id() == id => Ok(r),
            _ => Err(PlanError::MissingTransaction(id.clone())),
        })
        .collect()
}

fn trip_of(record: &Record) -> Result<Trip<'_>, PlanError> {
    match record {
        Record::Passage(p) => Ok(Trip {
            id: p.id(),
            date_from: p.start_date(),
            date_to: p.passage_date(),
            plate: p.vehicle().plate(),
            vehicle_type: p.vehicle_class().invoice_label(),
            segments: p.segments(),
        }),
        Record::Recovery(r) => Ok(Trip {
            id: r.id(),
            date_from: r.time().date(),
            date_to: r.time().date(),
            plate: r.vehicle().plate(),
            vehicle_type: r.vehicle_class().invoice_label(),
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
    let day = |t: &Trip<'_>| i64::from(t.date_to.num_days_from_ce());
    let index = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
    let (Some(lo), Some(hi)) = (trips.iter().map(day).min(), trips.iter().map(day).max()) else {
        return Vec::new();
    };
    let span = usize::try_from(hi - lo).unwrap_or(usize::MAX);
    if span >= 4096 {
        let mut order: Vec<u32> = (0..trips.len()).map(index).collect();
        order.sort_by_key(|i| trips.get(*i as usize).map(|t| t.date_to));
        return order;
    }
    let slot = |t: &Trip<'_>| usize::try_from(day(t) - lo).unwrap_or(0);
    let mut start = vec![0_usize; span + 2];
    for t in trips {
        if let Some(c) = start.get_mut(slot(t) + 1) {
            *c += 1;
        }
    }
    for i in 1..start.len() {
        let before = start.get(i - 1).copied().unwrap_or(0);
        if let Some(c) = start.get_mut(i) {
            *c += before;
        }
    }
    let mut order = vec![0_u32; trips.len()];
    for (i, t) in trips.iter().enumerate() {
        if let Some(pos) = start.get_mut(slot(t))
            && let Some(cell) = order.get_mut(*pos)
        {
            *cell = index(i);
            *pos += 1;
        }
    }
    order
}

/// The length of the run at the start of `items` that `same` holds for:
/// a linear scan, since runs are short and a binary search over a long
/// slice would miss the cache at every step.
fn run_len<T>(items: &[T], same: impl Fn(&T) -> bool) -> usize {
    items.iter().position(|x| !same(x)).unwrap_or(items.len())
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
    let loaded: Vec<Trip<'_>> = records
        .iter()
        .map(|r| trip_of(r))
        .collect::<Result<_, _>>()?;
    // … and by rank: date, then id (the ids are sorted, and `load` checked
    // that the records answer to them, so a stable order by date is
    // enough). `rank_of` maps back.
    let order = date_order(&loaded);
    let mut rank_of = vec![0_u32; loaded.len()];
    for (rank, i) in order.iter().enumerate() {
        if let Some(r) = rank_of.get_mut(*i as usize) {
            *r = u32::try_from(rank).unwrap_or(u32::MAX);
        }
    }
    let per_trip = application.merge_mode() == MergeMode::PerTrip;
    if loaded.len() >= 1 << TRIP_BITS || loaded.iter().any(|t| t.segments.len() >= 1 << SEG_BITS) {
        // Far beyond any real application; refuse rather than mis-sort.
        return Err(PlanError::Overflow);
    }

    // What lines print of each trip, by rank, made once and close together
    // in memory (ids and plates shared): lines read these in rank order
    // rather than records scattered over the source's heap.
    let mut plates: Interner<&PlateNumber> = Interner::new();
    let mut shared_plates: Vec<Arc<PlateNumber>> = Vec::new();
    let mut rows: Vec<Row> = Vec::with_capacity(loaded.len());
    for t in order.iter().filter_map(|i| loaded.get(*i as usize)) {
        let p = plates.id(t.plate) as usize;
        if p == shared_plates.len() {
            shared_plates.push(Arc::new(t.plate.clone()));
        }
        let Some(plate) = shared_plates.get(p) else {
            continue;
        };
        rows.push(Row {
            id: Arc::new(t.id.clone()),
            plate: Arc::clone(plate),
            vehicle_type: t.vehicle_type,
            date_from: t.date_from,
            date_to: t.date_to,
        });
    }

    // Place every charged segment.
    let segment_count: usize = loaded.iter().map(|t| t.segments.len()).sum();
    let mut pieces: Vec<Piece> = Vec::with_capacity(segment_count);
    let mut sellers: Interner<&Operator> = Interner::new();
    let mut rates: Interner<Option<TaxRate>> = Interner::new();
    let mut items: Interner<&str> = Interner::new();
    let mut cached: Option<((Province, NaiveDate), &RuleSet)> = None;
    // In the source's order, which is most likely its order in memory.
    for (trip, rank) in loaded.iter().zip(&rank_of) {
        let t = u128::from(*rank);
        for (k, seg) in trip.segments.iter().enumerate() {
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
            let (doc, rate) = set
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
            let item = match doc {
                DocumentKind::FiscalEBill => FISCAL_EBILL_ITEM,
                DocumentKind::VatInvoice | DocumentKind::NonTaxableInvoice => {
                    set.documents.item_name.as_str()
                }
            };
            let rate = if doc.is_taxable() { rate } else { None };
            let key = (u128::from(sellers.id(seg.operator())) << SELLER_SHIFT)
                | (u128::from(doc_rank(doc)) << DOC_SHIFT)
                | (u128::from(rates.id(rate)) << RATE_SHIFT)
                | (t << TRIP_SHIFT)
                | (u128::from(items.id(item)) << ITEM_SHIFT)
                | k as u128;
            pieces.push(Piece { key, fen });
        }
    }
    if sellers.values.len() >= 1 << SELLER_BITS
        || rates.values.len() >= 1 << RATE_BITS
        || items.values.len() >= 1 << ITEM_BITS
    {
        return Err(PlanError::Overflow);
    }

    // Replace first-seen ids by sorted ranks, then sort once.
    let (seller_rank, sorted_sellers) = sellers.ranks();
    let (rate_rank, sorted_rates) = rates.ranks();
    let (item_rank, sorted_items) = items.ranks();
    let sorted_sellers: Vec<Arc<Operator>> = sorted_sellers
        .into_iter()
        .map(|o| Arc::new(o.clone()))
        .collect();
    let sorted_items: Vec<Cow<'static, str>> = sorted_items.into_iter().map(item_name).collect();
    for p in &mut pieces {
        let s = field(p.key, SELLER_SHIFT, SELLER_BITS);
        let r = field(p.key, RATE_SHIFT, RATE_BITS);
        let i = field(p.key, ITEM_SHIFT, ITEM_BITS);
        let mut key = p.key;
        key = with_field(
            key,
            SELLER_SHIFT,
            SELLER_BITS,
            seller_rank.get(s as usize).copied().unwrap_or(s),
        );
        key = with_field(
            key,
            RATE_SHIFT,
            RATE_BITS,
            rate_rank.get(r as usize).copied().unwrap_or(r),
        );
        key = with_field(
            key,
            ITEM_SHIFT,
            ITEM_BITS,
            item_rank.get(i as usize).copied().unwrap_or(i),
        );
        p.key = key;
    }
    pieces.sort_unstable_by_key(|p| p.key);

    // Walk the sorted pieces: runs of (seller, document, rate[, trip]) are
    // drafts, runs of (…, trip, item) within them are lines.
    let max_lines = usize::try_from(app_rules.applications.max_lines_per_invoice)
        .unwrap_or(usize::MAX)
        .max(1);
    let draft_shift = if per_trip { TRIP_SHIFT } else { RATE_SHIFT };
    // One draft at least per group: reserve for them all at once, rather
    // than regrow (and copy) the drafts as they come.
    let groups = pieces
        .windows(2)
        .filter(|w| matches!(w, [a, b] if a.key >> draft_shift != b.key >> draft_shift))
        .count()
        + usize::from(!pieces.is_empty());
    let mut builder = DraftBuilder::new(application, max_lines, rows.len(), per_trip, groups);
    let mut rest: &[Piece] = &pieces;
    while let Some(first) = rest.first() {
        let draft_key = first.key >> draft_shift;
        let n = run_len(rest, |p| p.key >> draft_shift == draft_key);
        let (group, tail) = rest.split_at(n);
        rest = tail;

        let Some(seller) = sorted_sellers.get(field(first.key, SELLER_SHIFT, SELLER_BITS) as usize)
        else {
            continue;
        };
        let rate = sorted_rates
            .get(field(first.key, RATE_SHIFT, RATE_BITS) as usize)
            .copied()
            .flatten();
        let doc = doc_of_rank(field(first.key, DOC_SHIFT, DOC_BITS));
        let trip = if per_trip {
            rows.get(field(first.key, TRIP_SHIFT, TRIP_BITS) as usize)
                .map(|r| TransactionId::clone(&r.id))
        } else {
            None
        };
        let fraction = rate.and_then(RateFraction::of);
        builder.begin(seller, doc, rate, fraction, trip, group.len());

        let mut g: &[Piece] = group;
        while let Some(head) = g.first() {
            let line_key = head.key >> ITEM_SHIFT;
            let n = run_len(g, |p| p.key >> ITEM_SHIFT == line_key);
            let (run, tail) = g.split_at(n);
            g = tail;
            let t = field(head.key, TRIP_SHIFT, TRIP_BITS) as usize;
            let Some(trip) = rows.get(t) else { continue };
            let item = sorted_items
                .get(field(head.key, ITEM_SHIFT, ITEM_BITS) as usize)
                .cloned()
                .unwrap_or(Cow::Borrowed(""));
            let gross_fen: i128 = run.iter().map(|p| i128::from(p.fen)).sum();
            let gross = money(gross_fen)?;
            let (net, tax) = match (rate, fraction) {
                (Some(_), Some(f)) => {
                    // The integer path of `split_gross`, without its
                    // conversions.
                    let g = gross.to_fen();
                    let n = f.net_fen(g);
                    (Money::from_fen(n), Money::from_fen(g - n))
                }
                (Some(r), None) => {
                    let s = split_gross(gross, r);
                    (s.net, s.tax)
                }
                (None, _) => (gross, Money::ZERO),
            };
            let mut segments = Segments::new();
            for p in run {
                segments.push(field(p.key, 0, SEG_BITS));
            }
            builder.line(
                t,
                gross_fen,
                InvoiceLine {
                    item_name: item,
                    plate: Some(Arc::clone(&trip.plate)),
                    vehicle_type: Some(Cow::Borrowed(trip.vehicle_type)),
                    date_from: trip.date_from,
                    date_to: trip.date_to,
                    net,
                    rate,
                    tax,
                    gross,
                    transaction: Arc::clone(&trip.id),
                    segments,
                },
            )?;
        }
        builder.end()?;
    }

    let DraftBuilder {
        drafts,
        trip_invoices,
        trip_gross,
        ..
    } = builder;
    let mut summaries = Vec::new();
    if app_rules.documents.summary_sheet && !drafts.is_empty() {
        if per_trip {
            summaries.reserve(rows.len());
            let mut pairs = trip_invoices;
            pairs.sort_by_key(|(t, _)| *t);
            let mut pairs = pairs.as_slice();
            for (t, (trip, gross)) in rows.iter().zip(trip_gross).enumerate() {
                let n = run_len(pairs, |(p, _)| *p as usize == t);
                let (mine, rest) = pairs.split_at(n);
                pairs = rest;
                if mine.is_empty() {
                    continue;
                }
                let invoices: Vec<u32> = mine.iter().map(|(_, i)| *i).collect();
                summaries.push(SummarySheetDraft {
                    trip: Some(TransactionId::clone(&trip.id)),
                    transactions: vec![TransactionId::clone(&trip.id)],
                    invoices,
                    total_gross: money(gross)?,
                });
            }
        } else {
            let transactions = application.transactions().to_vec();
            summaries.push(SummarySheetDraft {
                trip: None,
                transactions,
                invoices: (0..u32::try_from(drafts.len()).unwrap_or(u32::MAX)).collect(),
                total_gross: money(trip_gross.iter().sum())?,
            });
        }
    }
    finish(application, drafts, summaries)
}

/// What the drafts of one group share: seller, document kind, rate, trip.
type Template = (
    Arc<Operator>,
    DocumentKind,
    Option<TaxRate>,
    Option<TransactionId>,
);

/// Collects drafts group by group, cutting a group into parts at the line
/// limit and the invoice tolerance.
struct DraftBuilder {
    buyer: Arc<Buyer>,
    max_lines: usize,
    drafts: Vec<InvoiceDraft>,
    /// Whether drafts are per trip (and summary sheets too).
    per_trip: bool,
    /// In per-trip mode: (trip rank, draft index) for each draft.
    trip_invoices: Vec<(u32, u32)>,
    /// Per trip (by rank): its gross over the plan.
    trip_gross: Vec<i128>,
    /// The group being built: its first draft, its template, its rate as a
    /// fraction, and the open draft's sums.
    group_start: usize,
    template: Option<Template>,
    fraction: Option<RateFraction>,
    open: bool,
    /// The line capacity of the next draft of the group.
    capacity: usize,
    net: i128,
    tax: i128,
    deviation: i128,
}

impl DraftBuilder {
    fn new(
        application: &ValidatedApplication,
        max_lines: usize,
        trips: usize,
        per_trip: bool,
        groups: usize,
    ) -> DraftBuilder {
        DraftBuilder {
            buyer: Arc::new(application.buyer().clone()),
            max_lines,
            drafts: Vec::with_capacity(groups),
            per_trip,
            trip_invoices: Vec::with_capacity(if per_trip { groups } else { 0 }),
            trip_gross: vec![0; trips],
            group_start: 0,
            template: None,
            fraction: None,
            open: false,
            capacity: 0,
            net: 0,
            tax: 0,
            deviation: 0,
        }
    }

    fn begin(
        &mut self,
        seller: &Arc<Operator>,
        document: DocumentKind,
        rate: Option<TaxRate>,
        fraction: Option<RateFraction>,
        trip: Option<TransactionId>,
        pieces: usize,
    ) {
        self.capacity = pieces.min(self.max_lines);
        self.group_start = self.drafts.len();
        self.fraction = fraction;
        self.template = Some((Arc::clone(seller), document, rate, trip));
        self.open = false;
    }

    fn open_draft(&mut self) {
        let Some((seller, document, rate, trip)) = &self.template else {
            return;
        };
        self.drafts.push(InvoiceDraft {
            index: u32::try_from(self.drafts.len()).unwrap_or(u32::MAX),
            document: *document,
            seller: Arc::clone(seller),
            buyer: Arc::clone(&self.buyer),
            rate: *rate,
            trip: trip.clone(),
            part: 1,
            parts: 1,
            lines: Vec::with_capacity(self.capacity),
            total_net: Money::ZERO,
            total_tax: Money::ZERO,
            total_gross: Money::ZERO,
        });
        self.open = true;
        self.net = 0;
        self.tax = 0;
        self.deviation = 0;
    }

    fn close_draft(&mut self) -> Result<(), PlanError> {
        if self.open
            && let Some(d) = self.drafts.last_mut()
        {
            d.total_net = money(self.net)?;
            d.total_tax = money(self.tax)?;
            d.total_gross = money(self.net + self.tax)?;
        }
        self.open = false;
        Ok(())
    }

    fn line(&mut self, trip: usize, gross_fen: i128, line: InvoiceLine) -> Result<(), PlanError> {
        let net = i128::from(line.net.to_fen());
        let tax = i128::from(line.tax.to_fen());
        let mut over_tolerance = false;
        let mut d = 0;
        if let Some(f) = self.fraction {
            d = f.deviation_units(line.net.to_fen(), line.tax.to_fen());
            if d.abs() > f.tolerance_units(LINE_TOLERANCE_FEN) {
                return Err(PlanError::LineTolerance(TransactionId::clone(
                    &line.transaction,
                )));
            }
            over_tolerance = (self.deviation + d).abs() > f.tolerance_units(INVOICE_TOLERANCE_FEN);
        }
        let full = self
            .drafts
            .last()
            .is_some_and(|last| last.lines.len() >= self.max_lines);
        if !self.open || full || over_tolerance {
            self.close_draft()?;
            self.open_draft();
        }
        self.net += net;
        self.tax += tax;
        self.deviation += d;
        let index = u32::try_from(self.drafts.len().saturating_sub(1)).unwrap_or(u32::MAX);
        let t = u32::try_from(trip).unwrap_or(u32::MAX);
        if self.per_trip && self.trip_invoices.last() != Some(&(t, index)) {
            self.trip_invoices.push((t, index));
        }
        if let Some(slot) = self.trip_gross.get_mut(trip) {
            *slot += gross_fen;
        }
        if let Some(d) = self.drafts.last_mut() {
            d.lines.push(line);
        }
        Ok(())
    }

    fn end(&mut self) -> Result<(), PlanError> {
        self.close_draft()?;
        let parts = self.drafts.get_mut(self.group_start..).unwrap_or_default();
        let count = u32::try_from(parts.len()).unwrap_or(u32::MAX);
        for (n, d) in parts.iter_mut().enumerate() {
            d.part = u32::try_from(n + 1).unwrap_or(u32::MAX);
            d.parts = count;
        }
        self.template = None;
        Ok(())
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
                    .ok_or(PlanError::MissingIssuer(*t.card()))?;
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
            lines: vec![InvoiceLine {
                item_name: Cow::Borrowed(TOP_UP_ITEM),
                plate: None,
                vehicle_type: None,
                date_from: date,
                date_to: date,
                net: amount,
                rate: None,
                tax: Money::ZERO,
                gross: amount,
                transaction: Arc::new(t.id().clone()),
                segments: Segments::new(),
            }],
            total_net: amount,
            total_tax: Money::ZERO,
            total_gross: amount,
        });
    }
    finish(application, drafts, Vec::new())
}

fn finish(
    application: &ValidatedApplication,
    invoices: Vec<InvoiceDraft>,
    summaries: Vec<SummarySheetDraft>,
) -> Result<InvoicePlan, PlanError> {
    let mut net: i128 = 0;
    let mut tax: i128 = 0;
    for d in &invoices {
        net += i128::from(d.total_net.to_fen());
        tax += i128::from(d.total_tax.to_fen());
    }
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
