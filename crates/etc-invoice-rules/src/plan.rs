//! The invoice plan: the exact documents each road operator will issue for
//! an application, and the summary sheets that bind them.
//!
//! The plan is plain data, serialisable, and deterministic: the same
//! application and transactions give the same plan, byte for byte, in any
//! order of selection.

use std::borrow::Cow;
use std::sync::Arc;

use chrono::NaiveDate;
use etc_invoice_order::{
    BankAccount, DocumentKind, InvoiceVehicleType, Money, Operator, PhoneNumber, PlateNumber,
    TaxRate, TaxpayerId, TransactionId,
};
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;
use uuid::Uuid;

/// Points at one toll segment: a passage's (or recovery's) id and the
/// segment's 0-based position in it. [`InvoiceLine::sources`] lists a
/// line's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SegmentRef {
    /// The passage or recovery.
    pub transaction: TransactionId,
    /// The segment's position in it.
    pub segment: u32,
}

/// The positions (0-based, ascending, without repeats) of the segments of
/// one transaction that an invoice line covers.
///
/// Up to four are held inline, so the common line (one or two segments of
/// an operator) allocates nothing. Serialised as a JSON array of numbers;
/// reading one checks the order.
///
/// ```
/// use etc_invoice_rules::Segments;
///
/// let s: Segments = [0, 2].into_iter().collect();
/// assert_eq!(s.as_slice(), [0, 2]);
/// assert_eq!(serde_json::to_string(&s)?, "[0,2]");
/// assert!(serde_json::from_str::<Segments>("[2,0]").is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Segments(SmallVec<[u32; Segments::INLINE]>);

impl Segments {
    /// How many positions are held without allocating.
    pub const INLINE: usize = 4;

    /// No segments.
    pub fn new() -> Segments {
        Segments::default()
    }

    /// The positions.
    #[inline]
    pub fn as_slice(&self) -> &[u32] {
        &self.0
    }

    /// How many positions.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The positions `ascending` (the caller keeps them ascending and
    /// distinct), written at once: inline for up to four.
    #[inline]
    pub(crate) fn from_ascending(ascending: impl ExactSizeIterator<Item = u32>) -> Segments {
        let len = ascending.len();
        if len <= Segments::INLINE {
            let mut items = [0; Segments::INLINE];
            for (slot, p) in items.iter_mut().zip(ascending) {
                *slot = p;
            }
            Segments(SmallVec::from_buf_and_len(items, len))
        } else {
            Segments(SmallVec::from_vec(ascending.collect()))
        }
    }
}

impl FromIterator<u32> for Segments {
    /// Collects positions; they are sorted and repeats dropped.
    fn from_iter<I: IntoIterator<Item = u32>>(iter: I) -> Segments {
        let mut v: SmallVec<[u32; Segments::INLINE]> = iter.into_iter().collect();
        v.sort_unstable();
        v.dedup();
        Segments(v)
    }
}

impl PartialEq for Segments {
    fn eq(&self, other: &Segments) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Segments {}

impl std::hash::Hash for Segments {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl std::fmt::Debug for Segments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

impl Serialize for Segments {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Segments {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Vec::<u32>::deserialize(d)?;
        if v.windows(2).any(|w| matches!(w, [a, b] if a >= b)) {
            return Err(serde::de::Error::custom(
                "segment positions must be ascending, without repeats",
            ));
        }
        // Checked ascending and distinct: taken as it is, not sorted again.
        Ok(Segments(SmallVec::from_vec(v)))
    }
}

/// A list that holds up to `N` items in place and moves to the heap
/// beyond: the lines of a draft (most per-trip drafts have one) and the
/// lists of a summary sheet (a trip's sheet names one transaction and a
/// few drafts), so that a plan of many small documents does not allocate
/// for each.
///
/// Reads as a slice (`Deref<Target = [T]>`); serialised as a JSON array.
///
/// ```
/// use etc_invoice_rules::InlineVec;
///
/// let mut v: InlineVec<u32, 2> = [1, 2].into_iter().collect();
/// v.push(3);
/// assert_eq!(*v, [1, 2, 3]);
/// assert_eq!(serde_json::to_string(&v)?, "[1,2,3]");
/// assert_eq!(serde_json::from_str::<InlineVec<u32, 2>>("[4]")?.len(), 1);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InlineVec<T, const N: usize>(SmallVec<[T; N]>);

impl<T, const N: usize> InlineVec<T, N> {
    /// An empty list.
    pub fn new() -> Self {
        InlineVec(SmallVec::new())
    }

    /// A list of one item.
    pub fn one(item: T) -> Self {
        let mut v = SmallVec::new();
        v.push(item);
        InlineVec(v)
    }

    /// An empty list with room for `capacity` items (in place up to `N`).
    pub fn with_capacity(capacity: usize) -> Self {
        InlineVec(SmallVec::with_capacity(capacity))
    }

    /// Adds an item at the end.
    #[inline]
    pub fn push(&mut self, item: T) {
        self.0.push(item);
    }

    /// The items as a slice.
    #[inline]
    pub fn as_slice(&self) -> &[T] {
        &self.0
    }

    /// The items as a `Vec` (allocates when they are held in place).
    pub fn into_vec(self) -> Vec<T> {
        self.0.into_vec()
    }
}

impl<T, const N: usize> Default for InlineVec<T, N> {
    fn default() -> Self {
        InlineVec::new()
    }
}

impl<T, const N: usize> std::ops::Deref for InlineVec<T, N> {
    type Target = [T];

    #[inline]
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T, const N: usize> std::ops::DerefMut for InlineVec<T, N> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.0
    }
}

impl<T: std::fmt::Debug, const N: usize> std::fmt::Debug for InlineVec<T, N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T, const N: usize> FromIterator<T> for InlineVec<T, N> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        InlineVec(iter.into_iter().collect())
    }
}

impl<T, const N: usize> Extend<T> for InlineVec<T, N> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        self.0.extend(iter);
    }
}

impl<T, const N: usize> From<Vec<T>> for InlineVec<T, N> {
    fn from(v: Vec<T>) -> Self {
        InlineVec(SmallVec::from_vec(v))
    }
}

impl<T: Clone, const N: usize> From<&[T]> for InlineVec<T, N> {
    fn from(v: &[T]) -> Self {
        if v.len() <= N {
            v.iter().cloned().collect()
        } else {
            // A slice's clone is a tight loop; the vector's buffer is then
            // taken over as it is.
            InlineVec(SmallVec::from_vec(v.to_vec()))
        }
    }
}

impl<'a, T, const N: usize> IntoIterator for &'a InlineVec<T, N> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T: PartialEq, const N: usize> PartialEq<[T]> for InlineVec<T, N> {
    fn eq(&self, other: &[T]) -> bool {
        self.as_slice() == other
    }
}

impl<T: PartialEq, const N: usize, const M: usize> PartialEq<[T; M]> for InlineVec<T, N> {
    fn eq(&self, other: &[T; M]) -> bool {
        self.as_slice() == other
    }
}

impl<T: Serialize, const N: usize> Serialize for InlineVec<T, N> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(s)
    }
}

impl<'de, T: Deserialize<'de>, const N: usize> Deserialize<'de> for InlineVec<T, N> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<T>::deserialize(d).map(InlineVec::from)
    }
}

/// The buyer as printed on the invoice (from the application's title).
///
/// A personal title gives only the name; an enterprise title the name, its
/// taxpayer id, and whatever optional fields it has. The phone and bank
/// account print redacted in `Debug`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Buyer {
    /// The title's name (a person or an enterprise).
    pub name: String,
    /// The taxpayer id, for an enterprise title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxpayer_id: Option<TaxpayerId>,
    /// Address, where given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Phone, where given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhoneNumber>,
    /// Bank name, where given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_name: Option<String>,
    /// Bank account, where given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_account: Option<BankAccount>,
}

/// One line of an invoice, as a real toll invoice prints it: item, plate,
/// vehicle type, passage dates, amount without tax, rate, tax; and what it
/// invoices: one transaction (a passage or recovery, or a top-up), and
/// which of its segments.
///
/// Invariant: `net + tax = gross`.
///
/// The transaction id and the plate are small inline values (a long id's
/// text is shared by its clones), so that a line allocates nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InvoiceLine {
    /// 项目名称, e.g. `*经营租赁*通行费`.
    ///
    /// Borrowed for the names this crate knows (no allocation per line),
    /// owned for a name a rule set brings.
    pub item_name: Cow<'static, str>,
    /// 车牌号; `None` on a top-up invoice, which names no vehicle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plate: Option<PlateNumber>,
    /// 类型: `客车`, `货车` or `专项作业车`; `None` on a top-up invoice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vehicle_type: Option<InvoiceVehicleType>,
    /// 通行日期起.
    pub date_from: NaiveDate,
    /// 通行日期止.
    pub date_to: NaiveDate,
    /// 金额 (without tax).
    pub net: Money,
    /// 税率; `None` on non-taxable documents (printed 不征税).
    pub rate: Option<TaxRate>,
    /// 税额 (zero on non-taxable documents).
    pub tax: Money,
    /// net + tax: the charged amount of the segments (the amount of the
    /// top-up).
    pub gross: Money,
    /// The transaction this line invoices: a passage or recovery, or a
    /// top-up.
    pub transaction: TransactionId,
    /// The positions of the transaction's segments in the line; empty on a
    /// top-up line.
    pub segments: Segments,
}

impl InvoiceLine {
    /// The segments of the line as `(transaction, position)` references.
    pub fn sources(&self) -> impl Iterator<Item = SegmentRef> + '_ {
        self.segments.as_slice().iter().map(|s| SegmentRef {
            transaction: TransactionId::clone(&self.transaction),
            segment: *s,
        })
    }
}

/// One document an operator will issue: a seller × document kind × rate
/// (× trip in per-trip mode), split when it has too many lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InvoiceDraft {
    /// Position in the plan, from 0; summary sheets refer to it.
    pub index: u32,
    /// The document kind.
    pub document: DocumentKind,
    /// The seller (the road operator; the issuer for a top-up invoice).
    ///
    /// Shared (`Arc`) between the drafts of one seller; serialised as the
    /// operator itself.
    pub seller: Arc<Operator>,
    /// The buyer.
    ///
    /// Shared (`Arc`) between the drafts of a plan; serialised as the buyer
    /// itself.
    pub buyer: Arc<Buyer>,
    /// The rate, on a taxable document.
    pub rate: Option<TaxRate>,
    /// The trip, in per-trip mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trip: Option<TransactionId>,
    /// Part `n` of `of` when a draft was split for its line limit (1-based).
    pub part: u32,
    /// How many parts the draft was split into.
    pub parts: u32,
    /// The lines (one held in place: most per-trip drafts have one).
    pub lines: InlineVec<InvoiceLine, 1>,
    /// Σ line net.
    pub total_net: Money,
    /// Σ line tax.
    pub total_tax: Money,
    /// Σ line gross = total_net + total_tax.
    pub total_gross: Money,
}

/// An electronic summary sheet (电子汇总单): binds a trip, or the whole
/// application, to all the documents issued for it. None for top-ups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SummarySheetDraft {
    /// The trip, in per-trip mode; `None` for a monthly sheet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trip: Option<TransactionId>,
    /// The transactions it covers (sorted; a trip's sheet holds its one
    /// in place).
    pub transactions: InlineVec<TransactionId, 1>,
    /// The drafts it binds, by index (sorted; up to four in place).
    pub invoices: InlineVec<u32, 4>,
    /// Σ gross of the transactions' segments.
    pub total_gross: Money,
}

/// Sums over a whole plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlanTotals {
    /// Σ net.
    pub net: Money,
    /// Σ tax.
    pub tax: Money,
    /// Σ gross = Σ charged of the selected transactions.
    pub gross: Money,
}

/// What an application turns into: the documents, the summary sheets and
/// the totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InvoicePlan {
    /// The application planned.
    pub application: Uuid,
    /// The documents, in a deterministic order (seller, document, rate,
    /// trip, part).
    pub invoices: Vec<InvoiceDraft>,
    /// The summary sheets.
    pub summaries: Vec<SummarySheetDraft>,
    /// The totals.
    pub totals: PlanTotals,
}
