//! The trait every invoicing back end implements, and its boxed companion
//! for `dyn` use.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::{
    Document, IdempotencyKey, PlatformError, RedReverseRequest, Reissue, ReissueRequest, Reversal,
    Submission, SubmissionId, SubmissionStatus, SubmitRequest,
};

/// An invoicing platform: where applications go for review on the tax side
/// and come back as invoices.
///
/// Implement it with `async fn`; the futures must be `Send`. The three
/// requests that change something (`submit`, `red_reverse`, `reissue`)
/// carry an [`IdempotencyKey`] and must follow Stripe's rules, which the
/// [`InvoiceService`](crate::InvoiceService) relies on to never issue twice:
///
/// - the same key with the same request returns the stored result of the
///   first, without doing anything again;
/// - the same key with a different request is
///   [`PlatformError::KeyReused`] (a conflict), and nothing is done;
/// - keys are scoped to the applicant: one applicant's key never replays
///   another applicant's result.
///
/// Any error may come after the platform did the work (a lost reply): the
/// caller repeats the request under the same key.
///
/// ```
/// use std::sync::Arc;
/// use etc_invoice_platform::{
///     Document, IdempotencyKey, InvoicePlatform, PlatformError, RedReverseRequest, Reissue,
///     ReissueRequest, Reversal, Submission, SubmissionId, SubmissionStatus, SubmitRequest,
/// };
///
/// /// A platform that is always down.
/// struct Down;
///
/// impl InvoicePlatform for Down {
///     async fn submit(&self, _: &IdempotencyKey, _: &Arc<SubmitRequest>) -> Result<Submission, PlatformError> {
///         Err(PlatformError::Server { status: 503, message: "maintenance".into() })
///     }
///     async fn status(&self, id: &SubmissionId) -> Result<SubmissionStatus, PlatformError> {
///         Err(PlatformError::NotFound { what: "submission", id: id.to_string() })
///     }
///     async fn documents(&self, invoice: &str) -> Result<Vec<Document>, PlatformError> {
///         Err(PlatformError::NotFound { what: "invoice", id: invoice.to_owned() })
///     }
///     async fn red_reverse(&self, _: &IdempotencyKey, _: &RedReverseRequest) -> Result<Reversal, PlatformError> {
///         Err(PlatformError::Server { status: 503, message: "maintenance".into() })
///     }
///     async fn reissue(&self, _: &IdempotencyKey, _: &ReissueRequest) -> Result<Reissue, PlatformError> {
///         Err(PlatformError::Server { status: 503, message: "maintenance".into() })
///     }
/// }
///
/// // Usable behind `dyn` through the boxed companion trait.
/// let platform: Box<dyn etc_invoice_platform::DynInvoicePlatform> = Box::new(Down);
/// # let _ = platform;
/// ```
pub trait InvoicePlatform: Send + Sync {
    /// Submits an application and its plan.
    ///
    /// The request is shared: a platform that keeps it (to compare a
    /// repeat under the same key) keeps the `Arc`, not a copy.
    ///
    /// # Errors
    /// [`PlatformError`]: retryable ones (timeouts, 5xx, rate limits) may
    /// hide a submission that was made; repeat under the same key.
    fn submit(
        &self,
        key: &IdempotencyKey,
        request: &Arc<SubmitRequest>,
    ) -> impl Future<Output = Result<Submission, PlatformError>> + Send;

    /// Where a submission stands.
    ///
    /// # Errors
    /// [`PlatformError::NotFound`] for an unknown id; transport errors.
    fn status(
        &self,
        id: &SubmissionId,
    ) -> impl Future<Output = Result<SubmissionStatus, PlatformError>> + Send;

    /// The documents of an issued invoice (or summary sheet): the
    /// structured XML and a readable rendering.
    ///
    /// # Errors
    /// [`PlatformError::NotFound`] for an unknown number; transport errors.
    fn documents(
        &self,
        invoice: &str,
    ) -> impl Future<Output = Result<Vec<Document>, PlatformError>> + Send;

    /// Reverses an issued blue invoice with a red one.
    ///
    /// # Errors
    /// [`PlatformError::Refused`] when the province's rules do not allow it
    /// (outside the window, already reversed); [`PlatformError::NotFound`];
    /// transport errors.
    fn red_reverse(
        &self,
        key: &IdempotencyKey,
        request: &RedReverseRequest,
    ) -> impl Future<Output = Result<Reversal, PlatformError>> + Send;

    /// Reissues an issued blue invoice under a new title.
    ///
    /// # Errors
    /// [`PlatformError::Refused`] beyond the province's reissue cap or for a
    /// reversed invoice; [`PlatformError::InvalidRequest`] for an unusable
    /// title; [`PlatformError::NotFound`]; transport errors.
    fn reissue(
        &self,
        key: &IdempotencyKey,
        request: &ReissueRequest,
    ) -> impl Future<Output = Result<Reissue, PlatformError>> + Send;
}

/// A boxed, `Send` future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// [`InvoicePlatform`] with boxed futures, so that it can be used as
/// `dyn DynInvoicePlatform` (to choose a platform at run time, or to hold
/// several kinds in one collection).
///
/// Every [`InvoicePlatform`] implements it; `dyn DynInvoicePlatform` (and
/// `Box`/`Arc` of it) implements [`InvoicePlatform`] again, so the service
/// accepts either.
pub trait DynInvoicePlatform: Send + Sync {
    /// [`InvoicePlatform::submit`], boxed.
    fn submit_boxed<'a>(
        &'a self,
        key: &'a IdempotencyKey,
        request: &'a Arc<SubmitRequest>,
    ) -> BoxFuture<'a, Result<Submission, PlatformError>>;

    /// [`InvoicePlatform::status`], boxed.
    fn status_boxed<'a>(
        &'a self,
        id: &'a SubmissionId,
    ) -> BoxFuture<'a, Result<SubmissionStatus, PlatformError>>;

    /// [`InvoicePlatform::documents`], boxed.
    fn documents_boxed<'a>(
        &'a self,
        invoice: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Document>, PlatformError>>;

    /// [`InvoicePlatform::red_reverse`], boxed.
    fn red_reverse_boxed<'a>(
        &'a self,
        key: &'a IdempotencyKey,
        request: &'a RedReverseRequest,
    ) -> BoxFuture<'a, Result<Reversal, PlatformError>>;

    /// [`InvoicePlatform::reissue`], boxed.
    fn reissue_boxed<'a>(
        &'a self,
        key: &'a IdempotencyKey,
        request: &'a ReissueRequest,
    ) -> BoxFuture<'a, Result<Reissue, PlatformError>>;
}

impl<P: InvoicePlatform> DynInvoicePlatform for P {
    fn submit_boxed<'a>(
        &'a self,
        key: &'a IdempotencyKey,
        request: &'a Arc<SubmitRequest>,
    ) -> BoxFuture<'a, Result<Submission, PlatformError>> {
        Box::pin(self.submit(key, request))
    }

    fn status_boxed<'a>(
        &'a self,
        id: &'a SubmissionId,
    ) -> BoxFuture<'a, Result<SubmissionStatus, PlatformError>> {
        Box::pin(self.status(id))
    }

    fn documents_boxed<'a>(
        &'a self,
        invoice: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Document>, PlatformError>> {
        Box::pin(self.documents(invoice))
    }

    fn red_reverse_boxed<'a>(
        &'a self,
        key: &'a IdempotencyKey,
        request: &'a RedReverseRequest,
    ) -> BoxFuture<'a, Result<Reversal, PlatformError>> {
        Box::pin(self.red_reverse(key, request))
    }

    fn reissue_boxed<'a>(
        &'a self,
        key: &'a IdempotencyKey,
        request: &'a ReissueRequest,
    ) -> BoxFuture<'a, Result<Reissue, PlatformError>> {
        Box::pin(self.reissue(key, request))
    }
}

impl<'d> InvoicePlatform for dyn DynInvoicePlatform + 'd {
    async fn submit(
        &self,
        key: &IdempotencyKey,
        request: &Arc<SubmitRequest>,
    ) -> Result<Submission, PlatformError> {
        self.submit_boxed(key, request).await
    }

    async fn status(&self, id: &SubmissionId) -> Result<SubmissionStatus, PlatformError> {
        self.status_boxed(id).await
    }

    async fn documents(&self, invoice: &str) -> Result<Vec<Document>, PlatformError> {
        self.documents_boxed(invoice).await
    }

    async fn red_reverse(
        &self,
        key: &IdempotencyKey,
        request: &RedReverseRequest,
    ) -> Result<Reversal, PlatformError> {
        self.red_reverse_boxed(key, request).await
    }

    async fn reissue(
        &self,
        key: &IdempotencyKey,
        request: &ReissueRequest,
    ) -> Result<Reissue, PlatformError> {
        self.reissue_boxed(key, request).await
    }
}

/// Implements [`InvoicePlatform`] for a pointer type by forwarding.
macro_rules! forward_platform {
    ($($ptr:ty),*) => {$(
        impl<P: InvoicePlatform + ?Sized> InvoicePlatform for $ptr {
            fn submit(
                &self,
                key: &IdempotencyKey,
                request: &Arc<SubmitRequest>,
            ) -> impl Future<Output = Result<Submission, PlatformError>> + Send {
                (**self).submit(key, request)
            }
            fn status(
                &self,
                id: &SubmissionId,
            ) -> impl Future<Output = Result<SubmissionStatus, PlatformError>> + Send {
                (**self).status(id)
            }
            fn documents(
                &self,
                invoice: &str,
            ) -> impl Future<Output = Result<Vec<Document>, PlatformError>> + Send {
                (**self).documents(invoice)
            }
            fn red_reverse(
                &self,
                key: &IdempotencyKey,
                request: &RedReverseRequest,
            ) -> impl Future<Output = Result<Reversal, PlatformError>> + Send {
                (**self).red_reverse(key, request)
            }
            fn reissue(
                &self,
                key: &IdempotencyKey,
                request: &ReissueRequest,
            ) -> impl Future<Output = Result<Reissue, PlatformError>> + Send {
                (**self).reissue(key, request)
            }
        }
    )*};
}

forward_platform!(&P, Box<P>, Arc<P>);
