//! The apply service: validate → plan → reserve → submit → poll → commit
//! or release, with retries under one idempotency key and recovery after a
//! crash.

use std::collections::BTreeMap;
use std::future::Future;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use etc_invoice_order::{CardNumber, TransactionId};
use etc_invoice_province::{HolidayCalendar, RuleBook};
use etc_invoice_rules::{
    ApplicationKind, Context, InvoiceApplication, InvoiceState, PlanError, Title, TxState,
    ValidationReport, Validator, plan_invoices,
};
use futures_util::{StreamExt, stream};
use serde::{Deserialize, Serialize, Serializer};
use tracing::{Instrument, debug, info, info_span, warn};
use uuid::Uuid;

use crate::archive::{ArchiveError, zip_documents};
use crate::clock::between;
use crate::retry::salt_of;
use crate::{
    ApplicationEntry, ApplicationRecord, ApplicationStatus, Clock, Document, IdempotencyKey,
    InvoiceEntry, InvoicePlatform, InvoiceRecord, IssuedInvoice, IssuedSummary, Ledger,
    LedgerError, MediaType, Payload, PlatformError, Reason, RedReverseRequest, Reissue,
    ReissueRequest, RetryPolicy, Reversal, SubmissionId, SubmissionStatus, SubmitRequest,
};

/// How one application ended (or did not, yet).
#[derive(Debug, Clone)]
pub enum ApplyOutcome {
    /// Every document is issued, and the ledger holds the transactions as
    /// invoiced.
    Issued {
        /// The application.
        application: Uuid,
        /// The platform's id for it.
        submission: SubmissionId,
        /// The invoices, in plan order.
        invoices: Vec<IssuedInvoice>,
        /// The summary sheets.
        summaries: Vec<IssuedSummary>,
    },
    /// The platform rejected it (in review, or the request itself); the
    /// ledger released its transactions, which may be applied for again.
    Rejected {
        /// The application.
        application: Uuid,
        /// Why.
        reasons: Vec<Reason>,
    },
    /// The application did not pass validation; nothing was reserved or
    /// sent.
    Invalid(ValidationReport),
    /// A transaction is held by another application (a race the
    /// validation could not see); nothing was reserved or sent.
    AlreadyHeld {
        /// The application.
        application: Uuid,
        /// The first transaction held.
        transaction: TransactionId,
        /// The application holding it.
        holder: Uuid,
    },
    /// No outcome yet: the platform did not answer within the retry policy,
    /// or the review outlasted `poll_timeout`. The ledger keeps the
    /// transactions reserved; [`InvoiceService::resume`] finishes it.
    Pending {
        /// The application.
        application: Uuid,
        /// The platform's id, when the submission was acknowledged.
        submission: Option<SubmissionId>,
    },
}

impl ApplyOutcome {
    /// The application this outcome is about (`None` for an invalid one,
    /// whose id may not even parse).
    pub fn application(&self) -> Option<Uuid> {
        match self {
            ApplyOutcome::Issued { application, .. }
            | ApplyOutcome::Rejected { application, .. }
            | ApplyOutcome::AlreadyHeld { application, .. }
            | ApplyOutcome::Pending { application, .. } => Some(*application),
            ApplyOutcome::Invalid(_) => None,
        }
    }

    /// A short name for logs and tables: `issued`, `rejected`, `invalid`,
    /// `already_held`, `pending`.
    pub fn kind(&self) -> &'static str {
        match self {
            ApplyOutcome::Issued { .. } => "issued",
            ApplyOutcome::Rejected { .. } => "rejected",
            ApplyOutcome::Invalid(_) => "invalid",
            ApplyOutcome::AlreadyHeld { .. } => "already_held",
            ApplyOutcome::Pending { .. } => "pending",
        }
    }
}

/// Why the service could not carry a request through. The ledger is left
/// consistent: an application whose outcome is unknown stays reserved (to
/// be finished by [`InvoiceService::resume`]), never released.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// The validated application could not be planned (the order data
    /// changed in between).
    #[error("cannot plan application `{application}`")]
    Plan {
        /// The application.
        application: Uuid,
        /// Why.
        #[source]
        source: Box<PlanError>,
    },
    /// The plan has no documents (nothing to invoice).
    #[error("application `{0}` plans no invoices")]
    EmptyPlan(Uuid),
    /// The ledger failed or refused.
    #[error("ledger refused the operation")]
    Ledger(#[source] Box<LedgerError>),
    /// The platform failed in a way retries did not cure.
    #[error("platform request failed")]
    Platform(#[source] Box<PlatformError>),
    /// The data stored to resume an application cannot be read.
    #[error("cannot read the resume data of application `{application}` ({} bytes)", .payload.len())]
    Payload {
        /// The application.
        application: Uuid,
        /// The stored text.
        payload: String,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// The data stored to resume an application was written by a newer
    /// version of this library.
    #[error(
        "resume data of application `{application}` has format version {version}; this library reads up to {supported}"
    )]
    PayloadVersion {
        /// The application.
        application: Uuid,
        /// The version found.
        version: u32,
        /// The newest version this library reads.
        supported: u32,
    },
    /// The stored idempotency key is not a valid key.
    #[error("application `{application}` has an invalid idempotency key")]
    Key {
        /// The application.
        application: Uuid,
        /// Why.
        #[source]
        source: crate::KeyError,
    },
    /// The invoice is not one this service's ledger recorded.
    #[error("invoice `{0}` is not in the ledger")]
    UnknownInvoice(String),
    /// The invoice was already reversed.
    #[error("invoice `{0}` is already reversed")]
    AlreadyReversed(String),
    /// The invoice was replaced on a reissue: reverse or reissue its
    /// replacement instead.
    #[error("invoice `{number}` was replaced by `{by}` on a reissue")]
    Replaced {
        /// The invoice.
        number: String,
        /// The invoice that replaced it.
        by: String,
    },
    /// The platform issued documents that do not fit the application.
    #[error("platform issued for application `{application}` what the ledger cannot record")]
    Mismatch {
        /// The application.
        application: Uuid,
        /// The ledger's objection.
        #[source]
        source: Box<LedgerError>,
    },
    /// The documents could not be packed for download.
    #[error("cannot pack the documents")]
    Archive(#[from] ArchiveError),
}

impl From<LedgerError> for ServiceError {
    fn from(e: LedgerError) -> ServiceError {
        ServiceError::Ledger(Box::new(e))
    }
}

impl From<PlatformError> for ServiceError {
    fn from(e: PlatformError) -> ServiceError {
        ServiceError::Platform(Box::new(e))
    }
}

impl ServiceError {
    /// The platform's error, when the platform failed.
    pub fn platform_error(&self) -> Option<&PlatformError> {
        match self {
            ServiceError::Platform(e) => Some(e),
            _ => None,
        }
    }

    /// The ledger's error, when the ledger failed or objected.
    pub fn ledger_error(&self) -> Option<&LedgerError> {
        match self {
            ServiceError::Ledger(e) | ServiceError::Mismatch { source: e, .. } => Some(e),
            _ => None,
        }
    }
}

/// What the service stores with a reservation, to resume after a crash:
/// the exact request submitted under the application's key. It is the
/// ledger's [`Payload`] value, shared with the platform; a durable ledger
/// writes it as `{"version":1,"request":{…}}`.
#[derive(Debug)]
struct ResumeData {
    request: Arc<SubmitRequest>,
}

impl Serialize for ResumeData {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ResumeDataRef {
            version: PAYLOAD_VERSION,
            request: &self.request,
        }
        .serialize(s)
    }
}

/// [`ResumeData`] as written, borrowing the request.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResumeDataRef<'a> {
    version: u32,
    request: &'a SubmitRequest,
}

/// [`ResumeData`] as read back from text.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ResumeDataText {
    /// The payload format (1).
    version: u32,
    /// The exact request submitted under the application's key.
    request: SubmitRequest,
}

const PAYLOAD_VERSION: u32 = 1;

/// The result of resuming one application.
#[derive(Debug)]
pub struct Resumed {
    /// The application.
    pub application: Uuid,
    /// How it ended.
    pub outcome: Result<ApplyOutcome, ServiceError>,
}

/// The outcome of a red reversal through the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReversalOutcome {
    /// What the platform did.
    pub reversal: Reversal,
    /// The transactions the ledger freed (no live invoice covers them any
    /// more); they may be applied for again.
    pub freed: Vec<TransactionId>,
}

/// Invoice state as the ledger knows it, for the selected transactions,
/// over the caller's own.
struct LedgerState<'a> {
    known: BTreeMap<TransactionId, TxState>,
    fallback: &'a dyn InvoiceState,
}

impl InvoiceState for LedgerState<'_> {
    fn state(&self, id: &TransactionId) -> TxState {
        match self.known.get(id) {
            Some(TxState::Free) | None => self.fallback.state(id),
            Some(held) => *held,
        }
    }
}

/// Applies for invoices through an [`InvoicePlatform`], with a [`Ledger`]
/// as the guard against invoicing anything twice.
///
/// # The order of steps, and why nothing is invoiced twice or lost
///
/// 1. **Validate** against the caller's context, with the ledger's view of
///    the selected transactions laid over it, and **plan**.
/// 2. **Reserve** the planned transactions in the ledger, storing the exact
///    request with the reservation (as a shared value, which a durable
///    ledger writes as JSON). From here on the application is *unfinished*
///    until it is committed or released.
/// 3. **Submit** under the application's key
///    ([`IdempotencyKey::for_application`]), repeating on retryable errors
///    under the same key: a lost reply replays the stored result instead
///    of issuing again.
/// 4. **Mark submitted** with the platform's id.
/// 5. **Poll** until issued or rejected.
/// 6. **Commit** the issued invoices, or **release** on a rejection.
///
/// The service releases only when the platform said, in so many words,
/// that nothing was or will be issued (a rejection, or a refusal of the
/// request itself). Anything else that goes wrong leaves the application
/// reserved; [`InvoiceService::resume`] later submits the stored request
/// again under the same key (or polls the recorded id) and finishes it.
/// A crash at any point therefore loses nothing: the ledger remembers the
/// intent before the platform hears of it.
///
/// Validation and planning are pure and happen when
/// [`apply`](InvoiceService::apply) is called; the returned future does the
/// ledger and platform work and is `Send`. Ledger calls block (SQLite); the
/// service makes them between awaits.
///
/// Everything is traced: one `apply` span per application (fields
/// `application`, `key`), with `submit`, `poll` and `commit` spans inside,
/// and an event for every retry.
#[derive(Debug)]
pub struct InvoiceService<P, L, C> {
    platform: P,
    ledger: L,
    rules: RuleBook,
    holidays: HolidayCalendar,
    clock: C,
    policy: RetryPolicy,
}

impl<P: InvoicePlatform, L: Ledger, C: Clock> InvoiceService<P, L, C> {
    /// A service over `platform` and `ledger`, validating with `rules`,
    /// reading time from `clock`, retrying and polling per `policy`.
    pub fn new(platform: P, ledger: L, rules: RuleBook, clock: C, policy: RetryPolicy) -> Self {
        InvoiceService {
            platform,
            ledger,
            rules,
            holidays: HolidayCalendar::new(),
            clock,
            policy,
        }
    }

    /// The same service with a public-holiday calendar for eligibility.
    #[must_use]
    pub fn with_holidays(mut self, holidays: HolidayCalendar) -> Self {
        self.holidays = holidays;
        self
    }

    /// The platform.
    pub fn platform(&self) -> &P {
        &self.platform
    }

    /// The ledger.
    pub fn ledger(&self) -> &L {
        &self.ledger
    }

    /// The clock.
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// The retry policy.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// Applies for the invoices of `application`: validates it against
    /// `context` (with this ledger's reservations and invoices laid over the
    /// context's own invoice state) as of the clock's now, plans it, and
    /// returns the future that reserves, submits, polls and commits or
    /// releases.
    ///
    /// Applying the same application again (same id) is safe: the
    /// reservation, the submission and the commit are all idempotent, so a
    /// repeat ends as the first did (the stored request is resubmitted, not
    /// a new plan).
    ///
    /// # Errors
    /// [`ServiceError::Ledger`] when the ledger fails;
    /// [`ServiceError::Plan`] when planning fails; [`ServiceError::Platform`]
    /// for a platform failure that retries did not cure and that leaves the
    /// outcome unknown — the application stays reserved for
    /// [`resume`](InvoiceService::resume).
    pub fn apply<'s>(
        &'s self,
        application: &InvoiceApplication,
        context: &Context<'_>,
    ) -> impl Future<Output = Result<ApplyOutcome, ServiceError>> + Send + 's {
        let prepared = self.prepare(application, context);
        async move {
            match prepared? {
                Prepared::Invalid(report) => Ok(ApplyOutcome::Invalid(report)),
                Prepared::Ready(entry, request, repeat) => {
                    let span =
                        info_span!("apply", application = %entry.id, key = %entry.idempotency_key);
                    self.reserve_and_drive(entry, request, repeat)
                        .instrument(span)
                        .await
                }
            }
        }
    }

    /// Validates and plans, synchronously.
    fn prepare(
        &self,
        application: &InvoiceApplication,
        context: &Context<'_>,
    ) -> Result<Prepared, ServiceError> {
        let now = self.clock.now();
        let mut known = BTreeMap::new();
        let mut repeat = false;
        for id in &application.selected {
            if let Ok(tx) = id.parse::<TransactionId>() {
                let held = self.ledger.transaction(&tx)?;
                let state = match held.holder() {
                    None => TxState::Free,
                    // This application's own holdings, reserved or already
                    // invoiced by it, do not stop a repeat of it (the
                    // validator lets an application pass its own
                    // reservations).
                    Some(holder) if holder == application.id => {
                        repeat = true;
                        TxState::Reserved {
                            application: holder,
                        }
                    }
                    Some(holder) => match held {
                        crate::TransactionState::Invoiced { .. } => TxState::Invoiced,
                        _ => TxState::Reserved {
                            application: holder,
                        },
                    },
                };
                known.insert(tx, state);
            }
        }
        let layered = LedgerState {
            known,
            fallback: context.state,
        };
        let ctx = Context {
            state: &layered,
            ..*context
        };
        let report = Validator::new(&self.rules)
            .with_holidays(&self.holidays)
            .validate(application, &ctx, now);
        let validated = match report.into_validated() {
            Ok(v) => v,
            Err(report) => return Ok(Prepared::Invalid(report)),
        };
        let plan =
            plan_invoices(&validated, context.transactions, &self.rules).map_err(|source| {
                ServiceError::Plan {
                    application: application.id,
                    source: Box::new(source),
                }
            })?;
        let mut transactions: Vec<TransactionId> = plan
            .invoices
            .iter()
            .flat_map(|d| d.lines.iter().map(|l| l.transaction.clone()))
            .collect();
        transactions.sort();
        transactions.dedup();
        if plan.invoices.is_empty() || transactions.is_empty() {
            return Err(ServiceError::EmptyPlan(application.id));
        }
        // A statement application selects the statement, not the
        // transactions it reserves: look at what it would hold instead.
        if !repeat
            && application.kind == ApplicationKind::Statement
            && let Some(first) = transactions.first()
        {
            repeat = self.ledger.transaction(first)?.holder() == Some(application.id);
        }
        let request = Arc::new(SubmitRequest {
            applicant: application.applicant.clone(),
            application: application.clone(),
            plan,
        });
        // The request is kept as a value: a durable ledger writes it as JSON
        // when it reserves, the in-memory ledger keeps it as it is.
        let payload = Payload::json(ResumeData {
            request: Arc::clone(&request),
        });
        let card: CardNumber = *validated.card();
        let entry = ApplicationEntry {
            id: application.id,
            applicant: application.applicant.clone(),
            card,
            idempotency_key: IdempotencyKey::for_application(application.id).into(),
            transactions,
            payload,
            created_at: now,
        };
        Ok(Prepared::Ready(Box::new(entry), request, repeat))
    }

    async fn reserve_and_drive(
        &self,
        entry: Box<ApplicationEntry>,
        request: Arc<SubmitRequest>,
        repeat: bool,
    ) -> Result<ApplyOutcome, ServiceError> {
        match self.ledger.reserve(&entry) {
            Ok(()) => {}
            Err(LedgerError::Conflict {
                transaction,
                holder,
                ..
            }) => {
                info!(%transaction, %holder, "transaction already held");
                return Ok(ApplyOutcome::AlreadyHeld {
                    application: entry.id,
                    transaction,
                    holder,
                });
            }
            Err(e) => return Err(e.into()),
        }
        // A repeat of an application already reserved goes on with what was
        // stored the first time: the same request under the same key. (A
        // first application holds nothing before it reserves; only a repeat
        // needs the look-up.)
        let stored = if repeat {
            self.ledger.application(entry.id)?
        } else {
            None
        };
        match stored {
            Some(record) => {
                debug!("application was reserved before; going on with the stored request");
                self.drive_record(&record).await
            }
            None => {
                self.drive(
                    &ApplicationRecord {
                        entry: *entry,
                        status: ApplicationStatus::Reserved,
                        platform_id: None,
                        invoices: Vec::new(),
                    },
                    request,
                )
                .await
            }
        }
    }

    /// Finishes every unfinished application in the ledger (reserved or
    /// submitted, oldest first), after a crash or after
    /// [`ApplyOutcome::Pending`]: submits the stored request again under
    /// the stored key (the platform replays its first answer) or polls the
    /// recorded submission, then commits or releases.
    ///
    /// Up to [`InvoiceService::RESUME_CONCURRENCY`] applications are driven
    /// at a time (their reviews and polls overlap; see
    /// [`resume_with`](InvoiceService::resume_with)). One application's
    /// failure does not stop the others; each gets its own result, in the
    /// order of the ledger (oldest first).
    ///
    /// # Errors
    /// [`ServiceError::Ledger`] when the unfinished applications cannot be
    /// listed.
    pub async fn resume(&self) -> Result<Vec<Resumed>, ServiceError> {
        self.resume_with(Self::RESUME_CONCURRENCY).await
    }

    /// How many applications [`resume`](InvoiceService::resume) drives at a
    /// time.
    pub const RESUME_CONCURRENCY: NonZeroUsize = match NonZeroUsize::new(16) {
        Some(n) => n,
        None => NonZeroUsize::MIN,
    };

    /// [`resume`](InvoiceService::resume), driving at most `limit`
    /// applications at a time: each is submitted again or polled as soon as
    /// a place is free, so that a restart with many unfinished applications
    /// waits about as long as the slowest of each `limit`, not as long as
    /// all of them one after the other. `limit` 1 drives them one by one.
    ///
    /// The calls run concurrently on the caller's task (no task is
    /// spawned); the ledger is called between awaits, as everywhere in the
    /// service. The applications hold disjoint transactions (the ledger
    /// guarantees it), so their order of completion does not matter.
    ///
    /// # Errors
    /// [`ServiceError::Ledger`] when the unfinished applications cannot be
    /// listed.
    pub async fn resume_with(&self, limit: NonZeroUsize) -> Result<Vec<Resumed>, ServiceError> {
        let unfinished = self.ledger.unfinished()?;
        info!(
            count = unfinished.len(),
            limit = limit.get(),
            "resuming unfinished applications"
        );
        let runs = unfinished.into_iter().map(|record| async move {
            let span = info_span!("resume", application = %record.entry.id, key = %record.entry.idempotency_key);
            let outcome = self.drive_record(&record).instrument(span).await;
            Resumed {
                application: record.entry.id,
                outcome,
            }
        });
        Ok(stream::iter(runs).buffered(limit.get()).collect().await)
    }

    /// Drives a stored application with its stored request.
    async fn drive_record(&self, record: &ApplicationRecord) -> Result<ApplyOutcome, ServiceError> {
        let request = stored_request(record)?;
        self.drive(record, request).await
    }

    /// Submit (unless already submitted) → poll → commit or release.
    async fn drive(
        &self,
        record: &ApplicationRecord,
        request: Arc<SubmitRequest>,
    ) -> Result<ApplyOutcome, ServiceError> {
        // A repeat of a committed application gets here too: the platform
        // replays its answer and the commit is idempotent, so it reports
        // the same outcome.
        let id = record.entry.id;
        let key: IdempotencyKey =
            record
                .entry
                .idempotency_key
                .parse()
                .map_err(|source| ServiceError::Key {
                    application: id,
                    source,
                })?;
        let submission = match record
            .platform_id
            .as_deref()
            .map(str::parse::<SubmissionId>)
        {
            Some(Ok(sid)) => sid,
            _ => match self.submit(&key, &request).await {
                Ok(sid) => sid,
                Err(e) if e.is_retryable() => {
                    warn!(error = %e, "no answer from the platform; leaving the application pending");
                    return Ok(ApplyOutcome::Pending {
                        application: id,
                        submission: None,
                    });
                }
                Err(e @ (PlatformError::InvalidRequest { .. } | PlatformError::Refused { .. })) => {
                    // Refused as such: nothing was stored under the key, so
                    // nothing was or will be issued.
                    warn!(error = %e, "platform refused the request; releasing");
                    let reasons = match &e {
                        PlatformError::Refused { reasons } => reasons.clone(),
                        _ => vec![Reason::new("INVALID-REQUEST", e.to_string())],
                    };
                    self.release(record)?;
                    return Ok(ApplyOutcome::Rejected {
                        application: id,
                        reasons,
                    });
                }
                Err(e) => return Err(e.into()),
            },
        };
        self.poll_and_settle(record, submission).await
    }

    async fn submit(
        &self,
        key: &IdempotencyKey,
        request: &Arc<SubmitRequest>,
    ) -> Result<SubmissionId, PlatformError> {
        let salt = salt_of(key.as_str());
        let submission = self
            .retrying("submit", salt, || self.platform.submit(key, request))
            .instrument(info_span!("submit"))
            .await?;
        info!(submission = %submission.id, "submitted");
        Ok(submission.id)
    }

    async fn poll_and_settle(
        &self,
        record: &ApplicationRecord,
        submission: SubmissionId,
    ) -> Result<ApplyOutcome, ServiceError> {
        let id = record.entry.id;
        let started = self.clock.now();
        let salt = salt_of(submission.as_str());
        let span = info_span!("poll", submission = %submission);
        let status = async {
            let mut marked = record.status != ApplicationStatus::Reserved;
            loop {
                let status = self
                    .retrying("status", salt, || self.platform.status(&submission))
                    .await;
                match status {
                    Ok(s) if s.is_terminal() => return Ok(Some(s)),
                    Ok(s) => debug!(state = s.state(), "not settled yet"),
                    Err(e) => warn!(error = %e, "status unavailable"),
                }
                if between(started, self.clock.now()) >= self.policy.poll_timeout {
                    return Ok(None);
                }
                // Before waiting, record the platform's id, so that a
                // restart polls it instead of submitting again. (An outcome
                // at the first look needs no record: nothing waits.)
                if !marked {
                    self.ledger.mark_submitted(id, submission.as_str())?;
                    marked = true;
                }
                self.clock.sleep(self.policy.poll_interval).await;
            }
        }
        .instrument(span)
        .await
        .map_err(|e: LedgerError| ServiceError::from(e))?;
        match status {
            Some(SubmissionStatus::Issued {
                invoices,
                summaries,
            }) => {
                let entries: Vec<InvoiceEntry> = invoices
                    .iter()
                    .map(|i| InvoiceEntry {
                        number: i.number.clone(),
                        transactions: i.transactions.clone(),
                        gross: i.gross,
                    })
                    .collect();
                let _span = info_span!("commit", invoices = entries.len()).entered();
                match self.ledger.commit(id, &entries) {
                    Ok(()) => {}
                    Err(e) if e.is_storage() => return Err(e.into()),
                    Err(source) => {
                        return Err(ServiceError::Mismatch {
                            application: id,
                            source: Box::new(source),
                        });
                    }
                }
                info!(
                    invoices = invoices.len(),
                    summaries = summaries.len(),
                    "issued and committed"
                );
                Ok(ApplyOutcome::Issued {
                    application: id,
                    submission,
                    invoices,
                    summaries,
                })
            }
            Some(SubmissionStatus::Rejected { reasons }) => {
                self.release(record)?;
                info!(reasons = reasons.len(), "rejected; released");
                Ok(ApplyOutcome::Rejected {
                    application: id,
                    reasons,
                })
            }
            _ => {
                warn!("no outcome within the poll timeout; leaving the application pending");
                Ok(ApplyOutcome::Pending {
                    application: id,
                    submission: Some(submission),
                })
            }
        }
    }

    /// Releases the application's transactions.
    fn release(&self, record: &ApplicationRecord) -> Result<(), ServiceError> {
        self.ledger.release(record.entry.id)?;
        Ok(())
    }

    /// Runs `call` until it succeeds, fails for good, or the policy gives
    /// up; waits between tries on the clock.
    async fn retrying<T, F, Fut>(
        &self,
        what: &'static str,
        salt: u64,
        mut call: F,
    ) -> Result<T, PlatformError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, PlatformError>>,
    {
        let mut attempt: u32 = 0;
        loop {
            match call().await {
                Ok(v) => return Ok(v),
                Err(e) => match self.policy.next_delay(attempt, &e, salt) {
                    Some(wait) => {
                        warn!(operation = what, attempt, wait_ms = duration_ms(wait), error = %e, "retrying");
                        self.clock.sleep(wait).await;
                        attempt = attempt.saturating_add(1);
                    }
                    None => return Err(e),
                },
            }
        }
    }

    /// The documents of an invoice or summary sheet, with retries.
    ///
    /// # Errors
    /// [`ServiceError::Platform`] when the platform fails for good.
    pub async fn documents(&self, number: &str) -> Result<Vec<Document>, ServiceError> {
        let salt = salt_of(number);
        Ok(self
            .retrying("documents", salt, || self.platform.documents(number))
            .instrument(info_span!("documents", invoice = number))
            .await?)
    }

    /// The documents of the invoices and summary sheets `numbers`, packed in
    /// one ZIP to offer as `file_name`: what a user downloads from the mini
    /// program. Each number's documents come in the order given; the
    /// platform's own ZIPs are left out, since what they hold is there
    /// already. The entries are dated now.
    ///
    /// # Errors
    /// [`ServiceError::Platform`] when the platform fails for good (an
    /// unknown number is [`PlatformError::NotFound`]);
    /// [`ServiceError::Archive`] when two documents have the same name (a
    /// number given twice).
    pub async fn download(
        &self,
        file_name: &str,
        numbers: &[&str],
    ) -> Result<Document, ServiceError> {
        let mut documents = Vec::new();
        for number in numbers {
            let all = self.documents(number).await?;
            documents.extend(all.into_iter().filter(|d| d.media_type != MediaType::Zip));
        }
        Ok(Document {
            media_type: MediaType::Zip,
            file_name: file_name.to_owned(),
            bytes: zip_documents(&documents, self.clock.now())?,
        })
    }

    /// Reverses invoice `number` with a red invoice, then records the
    /// reversal in the ledger, freeing the transactions no live invoice
    /// covers any more.
    ///
    /// The request goes under [`IdempotencyKey::for_red_reversal`]: calling
    /// this again for the same invoice (after a crash between the platform
    /// and the ledger, say) replays the platform's answer and finishes the
    /// ledger's part.
    ///
    /// # Errors
    /// [`ServiceError::UnknownInvoice`] for an invoice this ledger did not
    /// record; [`ServiceError::Replaced`] for one a reissue replaced (its
    /// reversal was part of the reissue); [`ServiceError::Platform`] with
    /// [`PlatformError::Refused`] when the province's rules do not allow it
    /// (outside the window); [`ServiceError::Ledger`].
    pub async fn red_reverse(
        &self,
        applicant: &str,
        number: &str,
        reason: &str,
    ) -> Result<ReversalOutcome, ServiceError> {
        let span = info_span!("red_reverse", invoice = number);
        async {
            match self.ledger.invoice(number)? {
                None => return Err(ServiceError::UnknownInvoice(number.to_owned())),
                Some(InvoiceRecord {
                    replaced_by: Some(by),
                    ..
                }) => {
                    return Err(ServiceError::Replaced {
                        number: number.to_owned(),
                        by,
                    });
                }
                Some(_) => {}
            }
            let key = IdempotencyKey::for_red_reversal(number);
            let request = RedReverseRequest {
                applicant: applicant.to_owned(),
                invoice: number.to_owned(),
                reason: reason.to_owned(),
            };
            let salt = salt_of(key.as_str());
            let reversal = self
                .retrying("red_reverse", salt, || {
                    self.platform.red_reverse(&key, &request)
                })
                .await?;
            let freed = self.ledger.reverse(number)?;
            info!(red = %reversal.red.number, freed = freed.len(), "reversed");
            Ok(ReversalOutcome { reversal, freed })
        }
        .instrument(span)
        .await
    }

    /// Reissues invoice `number` under a new title: the platform reverses
    /// it and issues a new blue invoice with the same lines, then the ledger
    /// records the new invoice in place of the old one
    /// ([`Ledger::replace`]). The transactions stay invoiced throughout (now
    /// by the new invoice) and the committed total does not change; the new
    /// invoice can be reversed or reissued in turn, up to the province's
    /// cap.
    ///
    /// The request goes under [`IdempotencyKey::for_reissue`]: calling this
    /// again for the same invoice and title (after a crash between the
    /// platform and the ledger, say, or once it is done) replays the
    /// platform's answer and finishes the ledger's part.
    ///
    /// # Errors
    /// [`ServiceError::UnknownInvoice`]; [`ServiceError::AlreadyReversed`]
    /// for an invoice reversed otherwise than by this reissue;
    /// [`ServiceError::Platform`] with [`PlatformError::Refused`] beyond the
    /// province's reissue cap, or an idempotency conflict when the invoice
    /// was already reissued under another title; [`ServiceError::Ledger`].
    pub async fn reissue(
        &self,
        applicant: &str,
        number: &str,
        title: Title,
    ) -> Result<Reissue, ServiceError> {
        let span = info_span!("reissue", invoice = number);
        async {
            match self.ledger.invoice(number)? {
                None => return Err(ServiceError::UnknownInvoice(number.to_owned())),
                Some(r) if r.reversed && r.replaced_by.is_none() => {
                    return Err(ServiceError::AlreadyReversed(number.to_owned()));
                }
                // Live, or replaced already (the platform replays).
                Some(_) => {}
            }
            let key = IdempotencyKey::for_reissue(number);
            let request = ReissueRequest {
                applicant: applicant.to_owned(),
                invoice: number.to_owned(),
                title,
            };
            let salt = salt_of(key.as_str());
            let reissue = self
                .retrying("reissue", salt, || self.platform.reissue(&key, &request))
                .await?;
            self.ledger.replace(number, &reissue.blue.number)?;
            info!(red = %reissue.red.number, blue = %reissue.blue.number, "reissued");
            Ok(reissue)
        }
        .instrument(span)
        .await
    }
}

/// Validated and planned, or not.
enum Prepared {
    Invalid(ValidationReport),
    /// The reservation, the request, and whether the application already
    /// holds some of its transactions (a repeat).
    Ready(Box<ApplicationEntry>, Arc<SubmitRequest>, bool),
}

/// The request stored with an application: the shared value itself when
/// the ledger kept it, else read from its text.
fn stored_request(record: &ApplicationRecord) -> Result<Arc<SubmitRequest>, ServiceError> {
    let payload = &record.entry.payload;
    if let Some(data) = payload.value::<ResumeData>() {
        return Ok(Arc::clone(&data.request));
    }
    let application = record.entry.id;
    let text = payload.to_text().map_err(|source| ServiceError::Payload {
        application,
        payload: String::new(),
        source,
    })?;
    let stored: ResumeDataText = match serde_json::from_str(&text) {
        Ok(stored) => stored,
        Err(source) => {
            return Err(ServiceError::Payload {
                application,
                payload: text.into_owned(),
                source,
            });
        }
    };
    if stored.version > PAYLOAD_VERSION {
        return Err(ServiceError::PayloadVersion {
            application,
            version: stored.version,
            supported: PAYLOAD_VERSION,
        });
    }
    Ok(Arc::new(stored.request))
}

fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
