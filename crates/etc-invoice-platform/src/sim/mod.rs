//! The simulator: a real, deterministic [`InvoicePlatform`].
//!
//! Given the same seed, clock and sequence of calls it gives the same
//! replies, numbers and documents, byte for byte.
//!
//! # What it does
//!
//! - **Submit** checks the request's shape (the plan belongs to the
//!   application, totals add up), stores the reply under the applicant's
//!   idempotency key, and schedules the review: accepted for
//!   `accept_delay`, then under review for `review_time` plus a seeded
//!   random part of `review_jitter` (times `slow_review_factor` on a
//!   [`Fault::SlowReview`]). The review rejects at `reject_rate`, with
//!   reasons. Otherwise the invoices are issued one after the other,
//!   `issue_interval` apart (the status reads
//!   [`SubmissionStatus::PartiallyIssued`] in between), and the summary
//!   sheets with the last invoice.
//! - **Idempotency** follows Stripe: the same key and the same request
//!   replay the stored reply; the same key with another request is
//!   [`PlatformError::KeyReused`]; keys are scoped to the applicant.
//!   Requests refused as invalid are not stored. "The same request" means
//!   equal to the first one kept under the key — the same as byte-equal
//!   canonical JSON ([`Fingerprint`](crate::Fingerprint)), without hashing.
//! - **Red reversal** issues a red invoice with every amount negated,
//!   referring to the blue one, if the province's rules (the card's
//!   province, the rule set in force on the day of the request) allow a
//!   reversal and the window since issue is open; summary sheets binding
//!   the reversed invoice are voided and replaced by ones binding what is
//!   left.
//! - **Reissue** reverses the invoice and issues a new blue one with the
//!   same lines under the new title, up to the province's reissue cap
//!   (counted along the chain of reissues); beyond it, or where staff
//!   authorisation is needed, it refuses. A reissue does not require the
//!   red-reversal window \[P\].
//! - It trusts the client not to invoice a segment twice (it does not
//!   check), so that a simulation test can see a client's mistakes.
//!
//! # Numbers \[I\]
//!
//! - 数电 invoice, 20 digits: 2-digit year, 2-digit province code (the
//!   seller's, from its credit code; else the card's), `1` (the channel),
//!   15-digit sequence per year and province.
//! - Fiscal e-bill: an 8-digit code (province code, `01`, 2-digit year,
//!   `01`), `-`, a 10-digit sequence.
//! - Summary sheet, 16 digits: 2-digit province code (the card's), yyyymm,
//!   8-digit sequence per province and month.
//! - Submission ids: `SIM`, the acceptance date (yyyymmdd), an 8-digit
//!   sequence.
//!
//! ```
//! use std::time::Duration;
//! use etc_invoice_platform::sim::{Fault, Op};
//! use etc_invoice_platform::{SimClock, SimConfig, Simulator};
//!
//! let clock = SimClock::auto("2024-04-15 09:00:00".parse()?);
//! let sim = Simulator::new(SimConfig { seed: 7, ..SimConfig::default() }, clock);
//! // Script the next submission's reply to be lost after it was stored.
//! sim.handle().script(Some(Op::Submit), Fault::LoseResponseAfterCommit);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod build;
mod fault;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use etc_invoice_order::{BillingMonth, CstDateTime, DocumentKind, Province, TransactionId};
use etc_invoice_province::{ReissueDecision, RuleBook, RuleSet};
use etc_invoice_rules::SegmentRef;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

pub use fault::{Chance, ChanceError, Fault, FaultPlan, FaultRates, Op};

use crate::archive::zip_documents;
use crate::clock::add;
use crate::html::{invoice_html, summary_html};
use crate::pdf::{invoice_pdf, summary_pdf};
use crate::xml::{InvoiceXml, SummaryXml};
use crate::{
    Clock, Document, IdempotencyKey, InvoiceColour, InvoicePlatform, IssuedInvoice, IssuedSummary,
    MediaType, PlatformError, Reason, RedReverseRequest, Reissue, ReissueRequest, Reversal,
    Submission, SubmissionId, SubmissionStatus, SubmitRequest,
};

/// How the simulated platform behaves.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// The seed of every random choice (review times, rejections, faults).
    pub seed: u64,
    /// The rules for red reversal and reissue.
    pub rules: RuleBook,
    /// How long a submission waits before review starts.
    pub accept_delay: Duration,
    /// How long a review takes at least.
    pub review_time: Duration,
    /// Up to how much longer a review takes (drawn uniformly).
    pub review_jitter: Duration,
    /// The time between two invoices of one submission.
    pub issue_interval: Duration,
    /// The chance that a review rejects.
    pub reject_rate: Chance,
    /// How many times longer a [`Fault::SlowReview`] review takes.
    pub slow_review_factor: u32,
    /// How long a client waits before it sees a timeout.
    pub timeout: Duration,
    /// The drawer (开票人) printed on invoices.
    pub drawer: String,
    /// The faults to inject.
    pub faults: FaultPlan,
}

impl Default for SimConfig {
    /// Seed 0, the built-in rules, 2 s to review, 10 min (+ up to 5 min)
    /// of review, 5 s between invoices, 2 % rejected, slow reviews 12×
    /// longer, 10 s timeouts, no faults.
    fn default() -> SimConfig {
        SimConfig {
            seed: 0,
            rules: RuleBook::builtin(),
            accept_delay: Duration::from_secs(2),
            review_time: Duration::from_secs(600),
            review_jitter: Duration::from_secs(300),
            issue_interval: Duration::from_secs(5),
            reject_rate: Chance::percent(2),
            slow_review_factor: 12,
            timeout: Duration::from_secs(10),
            drawer: "ETC发票服务平台".to_owned(),
            faults: FaultPlan::none(),
        }
    }
}

/// Counts of what the simulator did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimStats {
    /// Calls per operation.
    pub calls: BTreeMap<Op, u64>,
    /// Faults injected, by name.
    pub faults: BTreeMap<String, u64>,
    /// Submissions created (not counting replays).
    pub submissions: u64,
    /// Replies replayed from an idempotency key.
    pub replays: u64,
    /// Requests refused for reusing a key with a different request.
    pub key_conflicts: u64,
    /// Submissions rejected in review.
    pub rejections: u64,
    /// Blue invoices issued (including reissues).
    pub blue_invoices: u64,
    /// Red invoices issued.
    pub red_invoices: u64,
    /// Duplicate deliveries whose second reply differed from the first
    /// (always 0 unless idempotency is broken).
    pub duplicate_mismatches: u64,
}

/// An invoice as the simulator holds it, for inspection by tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimInvoice {
    /// What the platform reports about it.
    pub invoice: IssuedInvoice,
    /// The applicant it was issued for.
    pub applicant: String,
    /// The submission it was issued for (`None` for a reissue or a red
    /// invoice).
    pub submission: Option<SubmissionId>,
    /// The red invoice that reversed it, if any.
    pub reversed_by: Option<String>,
    /// The invoice that replaced it in a reissue, if any.
    pub replaced_by: Option<String>,
    /// The toll segments its lines invoice.
    pub segments: Vec<SegmentRef>,
    /// Whether it is issued yet (its issue time has come).
    pub visible: bool,
}

impl SimInvoice {
    /// Whether it is a blue invoice that stands: issued, not reversed.
    pub fn is_live(&self) -> bool {
        self.visible && self.invoice.colour == InvoiceColour::Blue && self.reversed_by.is_none()
    }
}

/// A reply stored under an idempotency key.
#[derive(Debug, Clone)]
enum Stored {
    Submission(Submission),
    Reversal(Box<Reversal>),
    Reissue(Box<Reissue>),
}

/// The request first made under an idempotency key, kept whole: a later
/// request under the key is "the same" when it is equal, which is exactly
/// "its canonical JSON is byte-equal" (the serialisation is a function of
/// the value) and cheaper than hashing it.
#[derive(Debug)]
enum Request {
    Submit(Arc<SubmitRequest>),
    RedReverse(RedReverseRequest),
    Reissue(ReissueRequest),
}

#[derive(Debug)]
struct KeyEntry {
    request: Request,
    stored: Stored,
}

#[derive(Debug)]
enum Outcome {
    Rejected(Vec<Reason>),
    Issued {
        /// Invoice numbers in plan order.
        invoices: Vec<String>,
        /// Summary sheet numbers.
        summaries: Vec<String>,
    },
}

#[derive(Debug)]
struct SubmissionRecord {
    review_starts: CstDateTime,
    review_done: CstDateTime,
    outcome: Outcome,
}

/// Where an invoice's document comes from; documents are built when asked
/// for, not when issued.
#[derive(Debug)]
enum DocSource {
    /// A draft of a submitted plan.
    Draft {
        request: Arc<SubmitRequest>,
        draft: usize,
        /// The seller's province (its tax bureau).
        bureau: Province,
    },
    /// The red reversal of another invoice.
    Red { blue: String, reason: String },
    /// The reissue of another invoice under a new buyer.
    Reissue {
        old: String,
        buyer: crate::xml::Buyer,
    },
}

#[derive(Debug)]
struct InvoiceRecord {
    meta: IssuedInvoice,
    source: DocSource,
    /// Shared by the records of one submission.
    applicant: Arc<str>,
    submission: Option<SubmissionId>,
    /// The card's province: whose rules govern reversal and reissue.
    province: Province,
    reissues: u32,
    reversed_by: Option<String>,
    replaced_by: Option<String>,
}

#[derive(Debug)]
struct SummaryRecord {
    meta: IssuedSummary,
    card: String,
    buyer: String,
    applicant: Arc<str>,
    province: Province,
    voided: bool,
}

/// A map that is only looked up, never listed in an order that reaches a
/// reply (listings sort first). The large records are boxed, so that
/// growing a map moves pointers, not records.
type Lookup<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

#[derive(Debug)]
struct State {
    config: SimConfig,
    rng: ChaCha8Rng,
    next_submission: u64,
    invoice_seq: BTreeMap<(i32, u8), u64>,
    fiscal_seq: BTreeMap<(i32, u8), u64>,
    summary_seq: BTreeMap<(u8, BillingMonth), u64>,
    /// Stored replies by applicant, then key.
    keys: Lookup<String, Lookup<IdempotencyKey, Box<KeyEntry>>>,
    submissions: Lookup<SubmissionId, SubmissionRecord>,
    invoices: Lookup<String, Box<InvoiceRecord>>,
    summaries: Lookup<String, Box<SummaryRecord>>,
    stats: SimStats,
}

/// The simulated invoicing platform. See the [module docs](self).
pub struct Simulator<C> {
    shared: Arc<Mutex<State>>,
    clock: C,
}

impl<C> fmt::Debug for Simulator<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator").finish_non_exhaustive()
    }
}

/// Scripts faults into a [`Simulator`] and inspects what it issued; clones
/// share the simulator.
#[derive(Clone)]
pub struct SimHandle {
    shared: Arc<Mutex<State>>,
    now: Arc<dyn Fn() -> CstDateTime + Send + Sync>,
}

impl fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimHandle").finish_non_exhaustive()
    }
}

fn lock(shared: &Mutex<State>) -> MutexGuard<'_, State> {
    // Every mutation completes before the guard drops, and nothing in
    // the simulator panics while holding it; a poisoned lock still holds
    // consistent state.
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<C: Clock> Simulator<C> {
    /// A simulator with `config`, reading time from `clock`.
    pub fn new(config: SimConfig, clock: C) -> Simulator<C> {
        let rng = ChaCha8Rng::seed_from_u64(config.seed);
        Simulator {
            shared: Arc::new(Mutex::new(State {
                config,
                rng,
                next_submission: 1,
                invoice_seq: BTreeMap::new(),
                fiscal_seq: BTreeMap::new(),
                summary_seq: BTreeMap::new(),
                keys: Lookup::default(),
                submissions: Lookup::default(),
                invoices: Lookup::default(),
                summaries: Lookup::default(),
                stats: SimStats::default(),
            })),
            clock,
        }
    }

    /// A handle to script faults and inspect the simulator.
    pub fn handle(&self) -> SimHandle
    where
        C: Clone + 'static,
    {
        let clock = self.clock.clone();
        SimHandle {
            shared: Arc::clone(&self.shared),
            now: Arc::new(move || clock.now()),
        }
    }

    /// The clock the simulator reads.
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// Runs one call: draws a fault, applies the ones that act before the
    /// request is carried out, runs `work` (twice on a duplicate delivery),
    /// and loses the reply if so scripted.
    async fn call<T, F>(&self, op: Op, mut work: F) -> Result<T, PlatformError>
    where
        T: PartialEq + Send,
        F: FnMut(&mut State, CstDateTime, Option<&Fault>) -> Result<T, PlatformError> + Send,
    {
        let (fault, timeout) = {
            let mut state = lock(&self.shared);
            *state.stats.calls.entry(op).or_insert(0) += 1;
            let fault = state.draw_fault(op);
            if let Some(f) = &fault {
                *state.stats.faults.entry(f.name().to_owned()).or_insert(0) += 1;
            }
            (fault, state.config.timeout)
        };
        match &fault {
            Some(Fault::Timeout) => {
                self.clock.sleep(timeout).await;
                return Err(PlatformError::Timeout { after: timeout });
            }
            Some(Fault::ServerError { status }) => {
                return Err(PlatformError::Server {
                    status: *status,
                    message: "simulated server error".to_owned(),
                });
            }
            Some(Fault::RateLimited { retry_after }) => {
                return Err(PlatformError::RateLimited {
                    retry_after: *retry_after,
                });
            }
            _ => {}
        }
        let now = self.clock.now();
        let result = {
            let mut state = lock(&self.shared);
            let first = work(&mut state, now, fault.as_ref());
            if fault == Some(Fault::DuplicateDelivery) {
                let second = work(&mut state, now, None);
                let same = match (&first, &second) {
                    (Ok(a), Ok(b)) => a == b,
                    (Err(a), Err(b)) => a.to_string() == b.to_string(),
                    _ => false,
                };
                if !same {
                    state.stats.duplicate_mismatches += 1;
                }
            }
            first
        };
        if fault == Some(Fault::LoseResponseAfterCommit) {
            self.clock.sleep(timeout).await;
            return Err(PlatformError::Timeout { after: timeout });
        }
        result
    }
}

impl State {
    fn draw_fault(&mut self, op: Op) -> Option<Fault> {
        if let Some(f) = self.config.faults.take_scripted(op) {
            return Some(f);
        }
        let rates = self.config.faults.rates;
        let retry_after = self.config.faults.retry_after;
        let candidates = [
            (
                rates.lose_response_after_commit,
                Fault::LoseResponseAfterCommit,
            ),
            (rates.timeout, Fault::Timeout),
            (rates.duplicate_delivery, Fault::DuplicateDelivery),
            (rates.server_error, Fault::ServerError { status: 503 }),
            (rates.rate_limited, Fault::RateLimited { retry_after }),
            (rates.slow_review, Fault::SlowReview),
        ];
        for (chance, fault) in candidates {
            if chance.ppm() == 0 || !fault::applies(&fault, op) {
                continue;
            }
            if self.rng.random_range(0..1_000_000u32) < chance.ppm() {
                return Some(match fault {
                    Fault::ServerError { .. } => Fault::ServerError {
                        status: [500, 502, 503]
                            .get(self.rng.random_range(0..3usize))
                            .copied()
                            .unwrap_or(503),
                    },
                    other => other,
                });
            }
        }
        None
    }

    /// Looks up an idempotency key: `Ok(Some)` with the stored result to
    /// replay (what `pick` takes from it), `Ok(None)` for a new key, `Err`
    /// for a key reused with another request (or, which storing both
    /// together rules out, a stored result of another operation).
    fn replay<T>(
        &mut self,
        applicant: &str,
        key: &IdempotencyKey,
        same: impl FnOnce(&Request) -> bool,
        pick: impl FnOnce(&Stored) -> Option<T>,
    ) -> Result<Option<T>, PlatformError> {
        let Some(entry) = self.keys.get(applicant).and_then(|keys| keys.get(key)) else {
            return Ok(None);
        };
        if same(&entry.request)
            && let Some(result) = pick(&entry.stored)
        {
            self.stats.replays += 1;
            return Ok(Some(result));
        }
        self.stats.key_conflicts += 1;
        Err(PlatformError::KeyReused {
            key: key.as_str().chars().take(64).collect(),
        })
    }

    fn store(&mut self, applicant: &str, key: &IdempotencyKey, request: Request, stored: Stored) {
        let entry = Box::new(KeyEntry { request, stored });
        match self.keys.get_mut(applicant) {
            Some(keys) => {
                keys.insert(key.clone(), entry);
            }
            None => {
                self.keys.insert(
                    applicant.to_owned(),
                    Lookup::from_iter([(key.clone(), entry)]),
                );
            }
        }
    }

    /// The document of invoice `number`, built from its source.
    fn invoice_doc(&self, number: &str) -> Option<InvoiceXml> {
        let record = self.invoices.get(number)?;
        let meta = &record.meta;
        match &record.source {
            DocSource::Draft {
                request,
                draft,
                bureau,
            } => {
                let d = request.plan.invoices.get(*draft)?;
                Some(build::invoice_doc(
                    &request.application,
                    d,
                    &build::IssueFacts {
                        number,
                        issued_at: meta.issued_at,
                        province: *bureau,
                        drawer: &self.config.drawer,
                    },
                ))
            }
            DocSource::Red { blue, reason } => {
                let blue = self.invoice_doc(blue)?;
                Some(build::red_doc(&blue, number, meta.issued_at, reason))
            }
            DocSource::Reissue { old, buyer } => {
                let old = self.invoice_doc(old)?;
                Some(build::reissued_doc(
                    &old,
                    number,
                    meta.issued_at,
                    buyer.clone(),
                ))
            }
        }
    }

    /// The toll segments invoice `number` carries.
    fn invoice_segments(&self, number: &str) -> Vec<SegmentRef> {
        let Some(record) = self.invoices.get(number) else {
            return Vec::new();
        };
        match &record.source {
            DocSource::Draft { request, draft, .. } => {
                let mut out: Vec<SegmentRef> = request
                    .plan
                    .invoices
                    .get(*draft)
                    .map(|d| d.lines.iter().flat_map(|l| l.sources()).collect())
                    .unwrap_or_default();
                out.sort();
                out
            }
            DocSource::Red { blue: other, .. } | DocSource::Reissue { old: other, .. } => {
                self.invoice_segments(other)
            }
        }
    }

    /// The document of summary sheet `number`.
    fn summary_doc(&self, number: &str) -> Option<SummaryXml> {
        let record = self.summaries.get(number)?;
        let meta = &record.meta;
        let lines = meta
            .invoices
            .iter()
            .filter_map(|n| self.invoices.get(n))
            .map(|r| build::summary_line(&r.meta))
            .collect();
        Some(build::summary_doc(
            build::SheetFacts {
                number,
                issued_at: meta.issued_at,
                card: &record.card,
                buyer: &record.buyer,
                trip: meta.trip.as_ref().map(ToString::to_string),
                transactions: meta.transactions.iter().map(ToString::to_string).collect(),
                replaces: meta.replaces.clone(),
            },
            lines,
        ))
    }

    fn next_invoice_number(
        &mut self,
        document: DocumentKind,
        province: Province,
        at: CstDateTime,
    ) -> String {
        let year = chrono::Datelike::year(&at.date());
        let yy = u64::try_from(year.rem_euclid(100)).unwrap_or(0);
        let p = province.gb2260_prefix();
        match document {
            DocumentKind::FiscalEBill => {
                let seq = self.fiscal_seq.entry((year, p)).or_insert(0);
                *seq += 1;
                // `{p:02}01{yy:02}01-{seq:010}`
                let mut out = String::with_capacity(19);
                push_zero_padded(&mut out, u64::from(p), 2);
                out.push_str("01");
                push_zero_padded(&mut out, yy, 2);
                out.push_str("01-");
                push_zero_padded(&mut out, *seq % 10_000_000_000, 10);
                out
            }
            DocumentKind::VatInvoice | DocumentKind::NonTaxableInvoice => {
                let seq = self.invoice_seq.entry((year, p)).or_insert(0);
                *seq += 1;
                // `{yy:02}{p:02}1{seq:015}`
                let mut out = String::with_capacity(20);
                push_zero_padded(&mut out, yy, 2);
                push_zero_padded(&mut out, u64::from(p), 2);
                out.push('1');
                push_zero_padded(&mut out, *seq % 1_000_000_000_000_000, 15);
                out
            }
        }
    }

    fn next_summary_number(&mut self, province: Province, at: CstDateTime) -> String {
        let month = at.billing_month();
        let p = province.gb2260_prefix();
        let seq = self.summary_seq.entry((p, month)).or_insert(0);
        *seq += 1;
        // `{p:02}{yyyy}{mm:02}{seq:08}`
        let mut out = String::with_capacity(16);
        push_zero_padded(&mut out, u64::from(p), 2);
        push_zero_padded(&mut out, u64::from(month.year()), 4);
        push_zero_padded(&mut out, u64::from(month.month()), 2);
        push_zero_padded(&mut out, *seq % 100_000_000, 8);
        out
    }

    fn invoice_visible(&self, number: &str, now: CstDateTime) -> Option<&InvoiceRecord> {
        self.invoices
            .get(number)
            .map(|r| &**r)
            .filter(|r| r.meta.issued_at <= now)
    }

    // ---- submit ------------------------------------------------------

    fn submit(
        &mut self,
        key: &IdempotencyKey,
        request: &Arc<SubmitRequest>,
        now: CstDateTime,
        fault: Option<&Fault>,
    ) -> Result<Submission, PlatformError> {
        // The same shared request is the same request; another one is
        // compared field by field.
        let same = |r: &Request| matches!(r, Request::Submit(first) if Arc::ptr_eq(first, request) || **first == **request);
        let stored = |s: &Stored| match s {
            Stored::Submission(s) => Some(s.clone()),
            Stored::Reversal(_) | Stored::Reissue(_) => None,
        };
        if let Some(submission) = self.replay(&request.applicant, key, same, stored)? {
            return Ok(submission);
        }
        let province = check_submit(request)?;

        let mut review = self.config.review_time;
        let jitter = u64::try_from(self.config.review_jitter.as_millis()).unwrap_or(u64::MAX);
        if jitter > 0 {
            review =
                review.saturating_add(Duration::from_millis(self.rng.random_range(0..=jitter)));
        }
        if fault == Some(&Fault::SlowReview) {
            review = review.saturating_mul(self.config.slow_review_factor.max(1));
        }
        let rejected = match fault {
            Some(Fault::Reject { reasons }) => Some(reasons.clone()),
            _ => {
                let ppm = self.config.reject_rate.ppm();
                (ppm > 0 && self.rng.random_range(0..1_000_000u32) < ppm).then(|| {
                    let i = self.rng.random_range(0..REJECTIONS.len());
                    REJECTIONS
                        .get(i)
                        .map(|(code, message)| vec![Reason::new(*code, *message)])
                        .unwrap_or_default()
                })
            }
        };

        let seq = self.next_submission;
        self.next_submission += 1;
        let id = submission_id(now, seq)?;
        let review_starts = add(now, self.config.accept_delay);
        let review_done = add(review_starts, review);
        self.stats.submissions += 1;

        let outcome = match rejected {
            Some(reasons) => {
                self.stats.rejections += 1;
                Outcome::Rejected(reasons)
            }
            None => self.issue_plan(&id, request, province, review_done),
        };
        self.submissions.insert(
            id.clone(),
            SubmissionRecord {
                review_starts,
                review_done,
                outcome,
            },
        );
        let submission = Submission {
            id,
            status: SubmissionStatus::Accepted,
            accepted_at: now,
        };
        self.store(
            &request.applicant,
            key,
            Request::Submit(Arc::clone(request)),
            Stored::Submission(submission.clone()),
        );
        Ok(submission)
    }

    /// Schedules the documents of a passed review, dated from `start`;
    /// their content is built when downloaded.
    fn issue_plan(
        &mut self,
        id: &SubmissionId,
        request: &Arc<SubmitRequest>,
        card_province: Province,
        start: CstDateTime,
    ) -> Outcome {
        let app = &request.application;
        let applicant: Arc<str> = Arc::from(request.applicant.as_str());
        let mut numbers = Vec::with_capacity(request.plan.invoices.len());
        let mut last = start;
        let mut at = start;
        for (i, draft) in request.plan.invoices.iter().enumerate() {
            let bureau = build::province_of_taxpayer(draft.seller.taxpayer_id.as_ref())
                .unwrap_or(card_province);
            let number = self.next_invoice_number(draft.document, bureau, at);
            let meta = IssuedInvoice {
                number: number.clone(),
                colour: InvoiceColour::Blue,
                document: draft.document,
                draft: Some(draft.index),
                seller_name: draft.seller.name.as_str().to_owned(),
                seller_taxpayer_id: draft.seller.taxpayer_id.as_str().to_owned(),
                buyer_name: draft.buyer.name.clone(),
                issued_at: at,
                net: draft.total_net,
                tax: draft.total_tax,
                gross: draft.total_gross,
                transactions: build::draft_transactions(draft),
                original: None,
            };
            self.invoices.insert(
                number.clone(),
                Box::new(InvoiceRecord {
                    meta,
                    source: DocSource::Draft {
                        request: Arc::clone(request),
                        draft: i,
                        bureau,
                    },
                    applicant: Arc::clone(&applicant),
                    submission: Some(id.clone()),
                    province: card_province,
                    reissues: 0,
                    reversed_by: None,
                    replaced_by: None,
                }),
            );
            self.stats.blue_invoices += 1;
            numbers.push(number);
            last = at;
            at = add(at, self.config.issue_interval);
        }
        let buyer = request
            .plan
            .invoices
            .first()
            .map(|d| d.buyer.name.clone())
            .unwrap_or_default();
        let mut summaries = Vec::with_capacity(request.plan.summaries.len());
        for sheet in &request.plan.summaries {
            let bound: Vec<String> = sheet
                .invoices
                .iter()
                .filter_map(|i| usize::try_from(*i).ok().and_then(|i| numbers.get(i)))
                .cloned()
                .collect();
            let gross = etc_invoice_order::Money::checked_sum(
                bound
                    .iter()
                    .filter_map(|n| self.invoices.get(n))
                    .map(|r| r.meta.gross),
            )
            .unwrap_or(sheet.total_gross);
            let number = self.next_summary_number(card_province, last);
            let meta = IssuedSummary {
                number: number.clone(),
                trip: sheet.trip.clone(),
                invoices: bound,
                transactions: sheet.transactions.to_vec(),
                gross,
                issued_at: last,
                replaces: None,
            };
            self.summaries.insert(
                number.clone(),
                Box::new(SummaryRecord {
                    meta,
                    card: app.card.clone(),
                    buyer: buyer.clone(),
                    applicant: Arc::clone(&applicant),
                    province: card_province,
                    voided: false,
                }),
            );
            summaries.push(number);
        }
        Outcome::Issued {
            invoices: numbers,
            summaries,
        }
    }

    fn status(
        &self,
        id: &SubmissionId,
        now: CstDateTime,
    ) -> Result<SubmissionStatus, PlatformError> {
        let record = self
            .submissions
            .get(id)
            .ok_or_else(|| PlatformError::NotFound {
                what: "submission",
                id: id.to_string(),
            })?;
        if now < record.review_starts {
            return Ok(SubmissionStatus::Accepted);
        }
        if now < record.review_done {
            return Ok(SubmissionStatus::UnderReview);
        }
        match &record.outcome {
            Outcome::Rejected(reasons) => Ok(SubmissionStatus::Rejected {
                reasons: reasons.clone(),
            }),
            Outcome::Issued {
                invoices,
                summaries,
            } => {
                let issued: Vec<IssuedInvoice> = invoices
                    .iter()
                    .filter_map(|n| self.invoice_visible(n, now))
                    .map(|r| r.meta.clone())
                    .collect();
                let sheets: Vec<IssuedSummary> = summaries
                    .iter()
                    .filter_map(|n| self.summaries.get(n))
                    .filter(|s| s.meta.issued_at <= now)
                    .map(|s| s.meta.clone())
                    .collect();
                if issued.len() == invoices.len() && sheets.len() == summaries.len() {
                    Ok(SubmissionStatus::Issued {
                        invoices: issued,
                        summaries: sheets,
                    })
                } else {
                    Ok(SubmissionStatus::PartiallyIssued {
                        invoices: issued,
                        summaries: sheets,
                    })
                }
            }
        }
    }

    /// The documents of an issued invoice or summary sheet: its XML, HTML
    /// and PDF, and a ZIP of the XML and the PDF (as real platforms deliver
    /// them), dated with its issue time.
    fn documents(&self, number: &str, now: CstDateTime) -> Result<Vec<Document>, PlatformError> {
        let not_found = || PlatformError::NotFound {
            what: "invoice",
            id: number.chars().take(64).collect(),
        };
        let failed = |message: String| PlatformError::Server {
            status: 500,
            message,
        };
        let (xml, html, pdf, issued_at) = if self.invoice_visible(number, now).is_some() {
            let doc = self.invoice_doc(number).ok_or_else(not_found)?;
            let xml = doc.to_xml().map_err(|e| failed(e.to_string()))?;
            let issued_at = doc.supervision.issued_at;
            (xml, invoice_html(&doc), invoice_pdf(&doc), issued_at)
        } else if self
            .summaries
            .get(number)
            .is_some_and(|s| s.meta.issued_at <= now)
        {
            let doc = self.summary_doc(number).ok_or_else(not_found)?;
            let xml = doc.to_xml().map_err(|e| failed(e.to_string()))?;
            (xml, summary_html(&doc), summary_pdf(&doc), doc.issued_at)
        } else {
            return Err(not_found());
        };
        let document = |media_type: MediaType, bytes: Vec<u8>| Document {
            file_name: format!("{number}.{}", media_type.extension()),
            media_type,
            bytes,
        };
        // The ZIP packs the XML and the PDF as they are, before the HTML
        // goes between them.
        let mut documents = vec![
            document(MediaType::Xml, xml.into_bytes()),
            document(MediaType::Pdf, pdf),
        ];
        let zip = zip_documents(&documents, issued_at).map_err(|e| failed(e.to_string()))?;
        documents.insert(1, document(MediaType::Html, html.into_bytes()));
        documents.push(document(MediaType::Zip, zip));
        Ok(documents)
    }

    // ---- red reversal and reissue ------------------------------------

    /// Finds a blue invoice of `applicant` that still stands.
    fn standing_blue(
        &self,
        applicant: &str,
        number: &str,
        now: CstDateTime,
    ) -> Result<&InvoiceRecord, PlatformError> {
        let record = self
            .invoice_visible(number, now)
            .filter(|r| &*r.applicant == applicant)
            .ok_or_else(|| PlatformError::NotFound {
                what: "invoice",
                id: number.chars().take(64).collect(),
            })?;
        if record.meta.colour != InvoiceColour::Blue {
            return Err(refused("INVOICE-NOT-BLUE", "红字发票不能红冲或换开"));
        }
        if record.reversed_by.is_some() {
            return Err(refused("INVOICE-ALREADY-REVERSED", "该发票已红冲"));
        }
        Ok(record)
    }

    fn red_reverse(
        &mut self,
        key: &IdempotencyKey,
        request: &RedReverseRequest,
        now: CstDateTime,
    ) -> Result<Reversal, PlatformError> {
        let same = |r: &Request| matches!(r, Request::RedReverse(first) if first == request);
        let stored = |s: &Stored| match s {
            Stored::Reversal(r) => Some(Reversal::clone(r)),
            Stored::Submission(_) | Stored::Reissue(_) => None,
        };
        if let Some(reversal) = self.replay(&request.applicant, key, same, stored)? {
            return Ok(reversal);
        }
        let blue = self.standing_blue(&request.applicant, &request.invoice, now)?;
        let today = now.date();
        let issued_on = blue.meta.issued_at.date();
        let rules = rules_on(&self.config.rules, blue.province, today)?;
        if !rules.after_issue.red_reversal_allowed {
            return Err(refused("RED-NOT-ALLOWED", "本省不允许红冲"));
        }
        if !rules.red_reversal_open(issued_on, today) {
            return Err(refused(
                "RED-WINDOW-CLOSED",
                &format!(
                    "已超过红冲期限（开票后{}天内）",
                    rules.after_issue.red_reversal_window_days
                ),
            ));
        }
        let (red, voided, summaries) =
            self.reverse_invoice(&request.invoice, now, &request.reason, None)?;
        let reversal = Reversal {
            red,
            voided_summaries: voided,
            summaries,
        };
        self.store(
            &request.applicant,
            key,
            Request::RedReverse(request.clone()),
            Stored::Reversal(Box::new(reversal.clone())),
        );
        Ok(reversal)
    }

    fn reissue(
        &mut self,
        key: &IdempotencyKey,
        request: &ReissueRequest,
        now: CstDateTime,
    ) -> Result<Reissue, PlatformError> {
        let same = |r: &Request| matches!(r, Request::Reissue(first) if first == request);
        let stored = |s: &Stored| match s {
            Stored::Reissue(r) => Some(Reissue::clone(r)),
            Stored::Submission(_) | Stored::Reversal(_) => None,
        };
        if let Some(reissue) = self.replay(&request.applicant, key, same, stored)? {
            return Ok(reissue);
        }
        let old = self.standing_blue(&request.applicant, &request.invoice, now)?;
        let rules = rules_on(&self.config.rules, old.province, now.date())?;
        match rules.reissue(old.reissues) {
            ReissueDecision::Allowed => {}
            ReissueDecision::NeedsAuthorisation => {
                return Err(refused(
                    "REISSUE-NEEDS-AUTHORISATION",
                    "换开次数已达上限，需经工作人员授权",
                ));
            }
            ReissueDecision::Refused => {
                return Err(refused(
                    "REISSUE-CAP",
                    &format!("换开次数已达上限（{}次）", rules.after_issue.reissue_cap),
                ));
            }
        }
        let buyer = build::buyer_of_title(&request.title)?;
        let seller_province =
            build::province_of_taxpayer(&old.meta.seller_taxpayer_id).unwrap_or(old.province);
        let number = self.next_invoice_number(old_document(old), seller_province, now);
        let old = self
            .invoices
            .get(&request.invoice)
            .ok_or_else(|| PlatformError::NotFound {
                what: "invoice",
                id: request.invoice.clone(),
            })?;
        let meta = IssuedInvoice {
            number: number.clone(),
            buyer_name: buyer.name.clone(),
            issued_at: now,
            original: Some(request.invoice.clone()),
            ..old.meta.clone()
        };
        let record = InvoiceRecord {
            meta: meta.clone(),
            source: DocSource::Reissue {
                old: request.invoice.clone(),
                buyer,
            },
            applicant: old.applicant.clone(),
            submission: None,
            province: old.province,
            reissues: old.reissues.saturating_add(1),
            reversed_by: None,
            replaced_by: None,
        };
        let buyer_name = meta.buyer_name.clone();
        self.invoices.insert(number.clone(), Box::new(record));
        self.stats.blue_invoices += 1;
        let (red, voided, summaries) =
            self.reverse_invoice(&request.invoice, now, "换开", Some((&number, &buyer_name)))?;
        if let Some(old) = self.invoices.get_mut(&request.invoice) {
            old.replaced_by = Some(number.clone());
        }
        let reissue = Reissue {
            red,
            blue: meta,
            voided_summaries: voided,
            summaries,
        };
        self.store(
            &request.applicant,
            key,
            Request::Reissue(request.clone()),
            Stored::Reissue(Box::new(reissue.clone())),
        );
        Ok(reissue)
    }

    /// Issues the red invoice for `number`, marks it reversed, and voids
    /// and replaces the summary sheets that bound it (binding the
    /// `replacement` invoice, with its buyer's name, on a reissue). Returns
    /// the red invoice, the voided sheets and their replacements.
    fn reverse_invoice(
        &mut self,
        number: &str,
        now: CstDateTime,
        reason: &str,
        replacement: Option<(&str, &str)>,
    ) -> Result<(IssuedInvoice, Vec<String>, Vec<IssuedSummary>), PlatformError> {
        let (blue_meta, province, applicant) = {
            let blue = self
                .invoices
                .get(number)
                .ok_or_else(|| PlatformError::NotFound {
                    what: "invoice",
                    id: number.chars().take(64).collect(),
                })?;
            (blue.meta.clone(), blue.province, blue.applicant.clone())
        };
        let seller_province =
            build::province_of_taxpayer(&blue_meta.seller_taxpayer_id).unwrap_or(province);
        let red_number = self.next_invoice_number(blue_meta.document, seller_province, now);
        let red_meta = IssuedInvoice {
            number: red_number.clone(),
            colour: InvoiceColour::Red,
            issued_at: now,
            net: -blue_meta.net,
            tax: -blue_meta.tax,
            gross: -blue_meta.gross,
            original: Some(number.to_owned()),
            ..blue_meta
        };
        self.invoices.insert(
            red_number.clone(),
            Box::new(InvoiceRecord {
                meta: red_meta.clone(),
                source: DocSource::Red {
                    blue: number.to_owned(),
                    reason: reason.to_owned(),
                },
                applicant,
                submission: None,
                province,
                reissues: 0,
                reversed_by: None,
                replaced_by: None,
            }),
        );
        self.stats.red_invoices += 1;
        if let Some(blue) = self.invoices.get_mut(number) {
            blue.reversed_by = Some(red_number);
        }

        // Summary sheets binding the reversed invoice, in number order.
        let mut bound: Vec<String> = self
            .summaries
            .iter()
            .filter(|(_, s)| !s.voided && s.meta.invoices.iter().any(|n| n == number))
            .map(|(n, _)| n.clone())
            .collect();
        bound.sort_unstable();
        let mut replacements = Vec::new();
        for old_number in &bound {
            let Some(old) = self.summaries.get_mut(old_number) else {
                continue;
            };
            old.voided = true;
            let old_meta = old.meta.clone();
            let (card, applicant, province) =
                (old.card.clone(), old.applicant.clone(), old.province);
            let buyer = replacement.map_or_else(|| old.buyer.clone(), |(_, b)| b.to_owned());
            let mut invoices: Vec<String> = old_meta
                .invoices
                .iter()
                .filter(|n| n.as_str() != number)
                .cloned()
                .collect();
            if let Some((new_number, _)) = replacement {
                invoices.push(new_number.to_owned());
            }
            if invoices.is_empty() {
                continue;
            }
            let covered: BTreeSet<&TransactionId> = invoices
                .iter()
                .filter_map(|n| self.invoices.get(n))
                .flat_map(|r| r.meta.transactions.iter())
                .collect();
            let transactions: Vec<TransactionId> = old_meta
                .transactions
                .iter()
                .filter(|t| covered.contains(t))
                .cloned()
                .collect();
            let gross = etc_invoice_order::Money::checked_sum(
                invoices
                    .iter()
                    .filter_map(|n| self.invoices.get(n))
                    .map(|r| r.meta.gross),
            )
            .map_err(|_| PlatformError::Server {
                status: 500,
                message: "summary total out of range".to_owned(),
            })?;
            let new_number = self.next_summary_number(province, now);
            let meta = IssuedSummary {
                number: new_number.clone(),
                trip: old_meta.trip.clone(),
                invoices,
                transactions,
                gross,
                issued_at: now,
                replaces: Some(old_number.clone()),
            };
            replacements.push(meta.clone());
            self.summaries.insert(
                new_number,
                Box::new(SummaryRecord {
                    meta,
                    card,
                    buyer,
                    applicant,
                    province,
                    voided: false,
                }),
            );
        }
        Ok((red_meta, bound, replacements))
    }
}

/// `SIM`, the date (yyyymmdd) and an 8-digit sequence.
fn submission_id(now: CstDateTime, seq: u64) -> Result<SubmissionId, PlatformError> {
    let date = now.date();
    let mut id = String::with_capacity(19);
    id.push_str("SIM");
    let year = u64::try_from(chrono::Datelike::year(&date)).unwrap_or(0);
    push_zero_padded(&mut id, year, 4);
    push_zero_padded(&mut id, u64::from(chrono::Datelike::month(&date)), 2);
    push_zero_padded(&mut id, u64::from(chrono::Datelike::day(&date)), 2);
    push_zero_padded(&mut id, seq, 8);
    SubmissionId::try_from(id).map_err(|e| PlatformError::InvalidRequest {
        message: e.to_string(),
    })
}

/// Appends `n` in decimal, zero-padded to `width` digits: what
/// `format!("{n:0width$}")` writes, without the formatting machinery (the
/// numbering runs for every invoice issued).
fn push_zero_padded(out: &mut String, n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    let mut rest = n;
    for d in digits.iter_mut().rev() {
        *d = b'0' + u8::try_from(rest % 10).unwrap_or(0);
        rest /= 10;
        start -= 1;
        if rest == 0 {
            break;
        }
    }
    let start = start.min(digits.len().saturating_sub(width));
    for _ in digits.len()..width {
        out.push('0');
    }
    // Only ASCII digits, so the conversion cannot fail.
    out.push_str(
        digits
            .get(start..)
            .and_then(|d| std::str::from_utf8(d).ok())
            .unwrap_or_default(),
    );
}

fn old_document(record: &InvoiceRecord) -> DocumentKind {
    record.meta.document
}

/// Plausible review rejections \[I\].
const REJECTIONS: [(&str, &str); 4] = [
    ("REVIEW-SELLER-STATUS", "销售方纳税人状态异常，暂停开票"),
    ("REVIEW-BUYER-MISMATCH", "购买方名称与纳税人识别号不匹配"),
    ("REVIEW-RISK", "开票风险监控未通过，请稍后重新申请"),
    ("REVIEW-QUOTA", "销售方开票额度不足"),
];

fn refused(code: &str, message: &str) -> PlatformError {
    PlatformError::Refused {
        reasons: vec![Reason::new(code, message)],
    }
}

fn invalid(message: String) -> PlatformError {
    PlatformError::InvalidRequest { message }
}

/// Checks the shape of a submission; returns the card's province.
fn check_submit(request: &SubmitRequest) -> Result<Province, PlatformError> {
    let app = &request.application;
    if request.applicant.trim().is_empty() {
        return Err(invalid("the applicant is blank".to_owned()));
    }
    if request.applicant != app.applicant {
        return Err(invalid(format!(
            "applicant `{}` does not match the application's `{}`",
            request.applicant, app.applicant
        )));
    }
    if request.plan.application != app.id {
        return Err(invalid(format!(
            "the plan is for application `{}`, not `{}`",
            request.plan.application, app.id
        )));
    }
    let province = build::province_of_card(&app.card)
        .ok_or_else(|| invalid(format!("card `{}` has no known network code", app.card)))?;
    if request.plan.invoices.is_empty() {
        return Err(invalid("the plan has no invoices".to_owned()));
    }
    for (i, draft) in request.plan.invoices.iter().enumerate() {
        if usize::try_from(draft.index).ok() != Some(i) {
            return Err(invalid(format!("draft {i} has index {}", draft.index)));
        }
        if draft.lines.is_empty() {
            return Err(invalid(format!("draft {i} has no lines")));
        }
        let sums = (
            etc_invoice_order::Money::checked_sum(draft.lines.iter().map(|l| l.net)),
            etc_invoice_order::Money::checked_sum(draft.lines.iter().map(|l| l.tax)),
            etc_invoice_order::Money::checked_sum(draft.lines.iter().map(|l| l.gross)),
        );
        let consistent = matches!(sums, (Ok(n), Ok(t), Ok(g))
            if n == draft.total_net && t == draft.total_tax && g == draft.total_gross)
            && draft
                .lines
                .iter()
                .all(|l| l.net.checked_add(l.tax).is_ok_and(|s| s == l.gross));
        if !consistent {
            return Err(invalid(format!("draft {i}'s totals do not add up")));
        }
    }
    let n = request.plan.invoices.len();
    for sheet in &request.plan.summaries {
        if sheet
            .invoices
            .iter()
            .any(|i| usize::try_from(*i).map_or(true, |i| i >= n))
        {
            return Err(invalid(
                "a summary sheet binds a draft the plan lacks".to_owned(),
            ));
        }
    }
    Ok(province)
}

impl<C: Clock> InvoicePlatform for Simulator<C> {
    async fn submit(
        &self,
        key: &IdempotencyKey,
        request: &Arc<SubmitRequest>,
    ) -> Result<Submission, PlatformError> {
        self.call(Op::Submit, |state, now, fault| {
            state.submit(key, request, now, fault)
        })
        .await
    }

    async fn status(&self, id: &SubmissionId) -> Result<SubmissionStatus, PlatformError> {
        self.call(Op::Status, |state, now, _| state.status(id, now))
            .await
    }

    async fn documents(&self, invoice: &str) -> Result<Vec<Document>, PlatformError> {
        self.call(Op::Documents, |state, now, _| state.documents(invoice, now))
            .await
    }

    async fn red_reverse(
        &self,
        key: &IdempotencyKey,
        request: &RedReverseRequest,
    ) -> Result<Reversal, PlatformError> {
        self.call(Op::RedReverse, |state, now, _| {
            state.red_reverse(key, request, now)
        })
        .await
    }

    async fn reissue(
        &self,
        key: &IdempotencyKey,
        request: &ReissueRequest,
    ) -> Result<Reissue, PlatformError> {
        self.call(Op::Reissue, |state, now, _| {
            state.reissue(key, request, now)
        })
        .await
    }
}

impl SimHandle {
    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.shared)
    }

    /// Adds a scripted fault for the next call of `op` (any operation with
    /// `None`).
    pub fn script(&self, op: Option<Op>, fault: Fault) {
        self.lock().config.faults.script.push_back((op, fault));
    }

    /// Replaces the random fault rates.
    pub fn set_rates(&self, rates: FaultRates) {
        self.lock().config.faults.rates = rates;
    }

    /// Replaces the whole fault plan.
    pub fn set_faults(&self, plan: FaultPlan) {
        self.lock().config.faults = plan;
    }

    /// Sets the chance that a review rejects.
    pub fn set_reject_rate(&self, rate: Chance) {
        self.lock().config.reject_rate = rate;
    }

    /// What the simulator did so far.
    pub fn stats(&self) -> SimStats {
        self.lock().stats.clone()
    }

    /// Every invoice, blue and red, issued or scheduled, in number order.
    pub fn invoices(&self) -> Vec<SimInvoice> {
        let now = (self.now)();
        let state = self.lock();
        let mut records: Vec<&InvoiceRecord> = state.invoices.values().map(|r| &**r).collect();
        records.sort_unstable_by(|a, b| a.meta.number.cmp(&b.meta.number));
        records
            .into_iter()
            .map(|r| SimInvoice {
                invoice: r.meta.clone(),
                applicant: r.applicant.to_string(),
                submission: r.submission.clone(),
                reversed_by: r.reversed_by.clone(),
                replaced_by: r.replaced_by.clone(),
                segments: state.invoice_segments(&r.meta.number),
                visible: r.meta.issued_at <= now,
            })
            .collect()
    }

    /// The time the last document of a submission is due, or its review
    /// ends on a rejection; `None` for an unknown id.
    pub fn settles_at(&self, id: &SubmissionId) -> Option<CstDateTime> {
        let state = self.lock();
        let record = state.submissions.get(id)?;
        match &record.outcome {
            Outcome::Rejected(_) => Some(record.review_done),
            Outcome::Issued {
                invoices,
                summaries,
            } => {
                let last_invoice = invoices
                    .iter()
                    .filter_map(|n| state.invoices.get(n))
                    .map(|r| r.meta.issued_at)
                    .max();
                let last_sheet = summaries
                    .iter()
                    .filter_map(|n| state.summaries.get(n))
                    .map(|s| s.meta.issued_at)
                    .max();
                last_invoice.max(last_sheet).or(Some(record.review_done))
            }
        }
    }

    /// The latest time any submission settles: after it, every status is
    /// an outcome.
    pub fn all_settled_at(&self) -> Option<CstDateTime> {
        let ids: Vec<SubmissionId> = self.lock().submissions.keys().cloned().collect();
        ids.iter().filter_map(|id| self.settles_at(id)).max()
    }

    /// The invoice document with this number, issued or not yet.
    pub fn invoice_document(&self, number: &str) -> Option<InvoiceXml> {
        self.lock().invoice_doc(number)
    }
}

#[cfg(test)]
mod tests;

/// The rules in force for a province on a date, or the platform's refusal
/// when the book has none (red reversal and reissue both need them).
fn rules_on(
    book: &RuleBook,
    province: Province,
    date: chrono::NaiveDate,
) -> Result<&RuleSet, PlatformError> {
    book.rules_for(province, date)
        .map_err(|_| refused("RULES-UNAVAILABLE", "没有适用的开票规则"))
}
