//! The requests and replies an [`InvoicePlatform`](crate::InvoicePlatform)
//! moves: plain serde values, built and read by pure code (sans-IO), so an
//! HTTP implementation only has to carry them.

use std::fmt;

use etc_invoice_order::{CstDateTime, DocumentKind, Money, TransactionId};
use etc_invoice_rules::{InvoiceApplication, InvoicePlan, Title};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{PlatformError, Reason};

/// Declares an enum whose values a remote platform controls: known values
/// plus `Unknown(String)`, which keeps any other value and writes it back
/// unchanged. Serde and `Display` use the wire text.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this library does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )*
                    $name::Unknown(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> $name {
                match s {
                    $( $text => $name::$variant, )*
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> $name {
                match $name::from(s.as_str()) {
                    $name::Unknown(_) => $name::Unknown(s),
                    known => known,
                }
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                match v {
                    $name::Unknown(s) => s,
                    known => known.as_str().to_owned(),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d).map($name::from)
            }
        }
    };
}

open_enum! {
    /// Blue (an ordinary invoice) or red (a negative one reversing a blue
    /// one, 红字发票).
    pub enum InvoiceColour {
        /// 蓝字发票.
        Blue = "blue",
        /// 红字发票.
        Red = "red",
    }
}

open_enum! {
    /// The format of a downloaded document.
    pub enum MediaType {
        /// The structured invoice (`application/xml`).
        Xml = "application/xml",
        /// A readable rendering (`text/html; charset=utf-8`).
        Html = "text/html; charset=utf-8",
        /// A PDF rendering.
        Pdf = "application/pdf",
        /// An OFD rendering (the Chinese fixed-layout format).
        Ofd = "application/ofd",
        /// A ZIP of several of the above.
        Zip = "application/zip",
    }
}

impl MediaType {
    /// The usual file extension, without the dot (`xml`, `html`, …; `bin`
    /// for an unknown type).
    pub fn extension(&self) -> &'static str {
        match self {
            MediaType::Xml => "xml",
            MediaType::Html => "html",
            MediaType::Pdf => "pdf",
            MediaType::Ofd => "ofd",
            MediaType::Zip => "zip",
            MediaType::Unknown(_) => "bin",
        }
    }
}

/// A text that is not a submission id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("submission id `{input}` is invalid: {reason}")]
pub struct SubmissionIdError {
    /// The offending text (cut to 64 characters).
    pub input: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// The platform's id for a submitted application: 1–255 visible ASCII
/// characters, chosen by the platform.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SubmissionId(String);

impl SubmissionId {
    /// Checks a candidate id.
    ///
    /// # Errors
    /// [`SubmissionIdError`] when the text is empty, longer than 255
    /// characters, or has a character outside visible ASCII.
    pub fn check(s: &str) -> Result<(), SubmissionIdError> {
        let reason = if s.is_empty() {
            "it is empty"
        } else if s.len() > 255 {
            "it is longer than 255 characters"
        } else if !s.bytes().all(|b| b.is_ascii_graphic()) {
            "only visible ASCII characters are allowed"
        } else {
            return Ok(());
        };
        Err(SubmissionIdError {
            input: s.chars().take(64).collect(),
            reason,
        })
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SubmissionId {
    type Error = SubmissionIdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        SubmissionId::check(&s)?;
        Ok(SubmissionId(s))
    }
}

impl std::str::FromStr for SubmissionId {
    type Err = SubmissionIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SubmissionId::try_from(s.to_owned())
    }
}

impl From<SubmissionId> for String {
    fn from(id: SubmissionId) -> String {
        id.0
    }
}

impl AsRef<str> for SubmissionId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SubmissionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SubmissionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SubmissionId({:?})", self.0)
    }
}

/// A SHA-256 digest of a request's canonical JSON, prefixed with the
/// operation's name: what the platform compares to tell "the same request
/// again" from "another request under the same key".
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    /// The fingerprint of `request` for `operation` (`submit`,
    /// `red_reverse`, `reissue`).
    ///
    /// The canonical JSON is serde_json's output for the request: fields in
    /// declaration order, sets and maps sorted (the request types hold only
    /// vectors, structs and ordered collections), no white space.
    ///
    /// # Errors
    /// [`PlatformError::Encode`] if the request cannot be written as JSON
    /// (it always can: every field is a string, number, vector or struct).
    pub fn of<T: Serialize>(operation: &str, request: &T) -> Result<Fingerprint, PlatformError> {
        let json = serde_json::to_vec(request).map_err(PlatformError::Encode)?;
        let mut hasher = Sha256::new();
        hasher.update(operation.as_bytes());
        hasher.update(b"\n");
        hasher.update(&json);
        let mut out = [0u8; 32];
        out.copy_from_slice(&hasher.finalize());
        Ok(Fingerprint(out))
    }

    /// The digest's bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

/// Submits an application and its plan for review and issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubmitRequest {
    /// Who applies: idempotency keys are scoped to this applicant.
    pub applicant: String,
    /// The application as the mini program posted it.
    pub application: InvoiceApplication,
    /// The documents to issue.
    pub plan: InvoicePlan,
}

impl SubmitRequest {
    /// The request's [`Fingerprint`] (operation `submit`).
    ///
    /// # Errors
    /// As [`Fingerprint::of`].
    pub fn fingerprint(&self) -> Result<Fingerprint, PlatformError> {
        Fingerprint::of("submit", self)
    }
}

/// Asks for the red reversal (红冲) of an issued blue invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RedReverseRequest {
    /// Who asks (the applicant the invoice was issued for).
    pub applicant: String,
    /// The blue invoice's number.
    pub invoice: String,
    /// Why (printed on the red invoice).
    pub reason: String,
}

impl RedReverseRequest {
    /// The request's [`Fingerprint`] (operation `red_reverse`).
    ///
    /// # Errors
    /// As [`Fingerprint::of`].
    pub fn fingerprint(&self) -> Result<Fingerprint, PlatformError> {
        Fingerprint::of("red_reverse", self)
    }
}

/// Asks for an issued invoice to be reissued (换开) under a new title: the
/// old one is reversed and a new blue one issued with the same lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReissueRequest {
    /// Who asks (the applicant the invoice was issued for).
    pub applicant: String,
    /// The blue invoice's number.
    pub invoice: String,
    /// The new title.
    pub title: Title,
}

impl ReissueRequest {
    /// The request's [`Fingerprint`] (operation `reissue`).
    ///
    /// # Errors
    /// As [`Fingerprint::of`].
    pub fn fingerprint(&self) -> Result<Fingerprint, PlatformError> {
        Fingerprint::of("reissue", self)
    }
}

/// The platform's reply to a submission: its id for the application and the
/// status when it answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Submission {
    /// The platform's id for the application.
    pub id: SubmissionId,
    /// The status when the platform answered (usually
    /// [`SubmissionStatus::Accepted`]); poll
    /// [`InvoicePlatform::status`](crate::InvoicePlatform::status) for news.
    pub status: SubmissionStatus,
    /// When the platform accepted it.
    pub accepted_at: CstDateTime,
}

/// An invoice (or fiscal e-bill) the platform issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssuedInvoice {
    /// The number: 20 digits for a fully digital (数电) invoice; a fiscal
    /// e-bill's 8-digit code and 10-digit number joined by `-`.
    pub number: String,
    /// Blue or red.
    pub colour: InvoiceColour,
    /// The kind of document.
    pub document: DocumentKind,
    /// The plan draft it was issued for (its index), where there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<u32>,
    /// The seller's name.
    pub seller_name: String,
    /// The seller's taxpayer id.
    pub seller_taxpayer_id: String,
    /// The buyer's name.
    pub buyer_name: String,
    /// When it was issued.
    pub issued_at: CstDateTime,
    /// Σ amount without tax (negative on a red invoice).
    pub net: Money,
    /// Σ tax.
    pub tax: Money,
    /// Σ amount with tax (价税合计).
    pub gross: Money,
    /// The transactions it covers, in id order.
    pub transactions: Vec<TransactionId>,
    /// For a red invoice, the blue one it reverses; for a reissued blue
    /// invoice, the one it replaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<String>,
}

/// An electronic summary sheet (电子汇总单) the platform issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssuedSummary {
    /// Its 16-digit number: 2-digit province code, yyyymm, 8-digit sequence.
    pub number: String,
    /// The trip, for a per-trip sheet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trip: Option<TransactionId>,
    /// The invoices it binds, by number.
    pub invoices: Vec<String>,
    /// The transactions it covers, in id order.
    pub transactions: Vec<TransactionId>,
    /// Σ amount with tax of the transactions.
    pub gross: Money,
    /// When it was issued.
    pub issued_at: CstDateTime,
    /// The sheet it replaces (voided) when contents changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
}

/// Where a submitted application stands on the platform.
///
/// Serde form: `{"state": "issued", "invoices": […], "summaries": […]}`,
/// `{"state": "rejected", "reasons": […]}`, `{"state": "accepted"}`; an
/// unknown state is kept as [`SubmissionStatus::Unknown`] and written back
/// unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StatusWire", into = "StatusWire")]
#[non_exhaustive]
pub enum SubmissionStatus {
    /// Received; review has not started.
    Accepted,
    /// The tax side is reviewing it.
    UnderReview,
    /// Passed review; some documents are issued and the rest are on their
    /// way. Not an outcome: keep polling.
    PartiallyIssued {
        /// The invoices issued so far.
        invoices: Vec<IssuedInvoice>,
        /// The summary sheets issued so far.
        summaries: Vec<IssuedSummary>,
    },
    /// Every document is issued: the outcome.
    Issued {
        /// The invoices, in plan order.
        invoices: Vec<IssuedInvoice>,
        /// The summary sheets.
        summaries: Vec<IssuedSummary>,
    },
    /// Refused in review: the outcome. Nothing was issued.
    Rejected {
        /// Why.
        reasons: Vec<Reason>,
    },
    /// A state this library does not know, as sent. Not an outcome.
    Unknown(String),
}

impl SubmissionStatus {
    /// Whether this is an outcome (issued or rejected): nothing will change
    /// any more.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            SubmissionStatus::Issued { .. } | SubmissionStatus::Rejected { .. }
        )
    }

    /// The state's wire name (`accepted`, `under_review`,
    /// `partially_issued`, `issued`, `rejected`, or the unknown one).
    pub fn state(&self) -> &str {
        match self {
            SubmissionStatus::Accepted => "accepted",
            SubmissionStatus::UnderReview => "under_review",
            SubmissionStatus::PartiallyIssued { .. } => "partially_issued",
            SubmissionStatus::Issued { .. } => "issued",
            SubmissionStatus::Rejected { .. } => "rejected",
            SubmissionStatus::Unknown(s) => s,
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatusWire {
    state: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    invoices: Vec<IssuedInvoice>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    summaries: Vec<IssuedSummary>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    reasons: Vec<Reason>,
}

impl From<SubmissionStatus> for StatusWire {
    fn from(s: SubmissionStatus) -> StatusWire {
        let state = s.state().to_owned();
        let mut wire = StatusWire {
            state,
            invoices: Vec::new(),
            summaries: Vec::new(),
            reasons: Vec::new(),
        };
        match s {
            SubmissionStatus::PartiallyIssued {
                invoices,
                summaries,
            }
            | SubmissionStatus::Issued {
                invoices,
                summaries,
            } => {
                wire.invoices = invoices;
                wire.summaries = summaries;
            }
            SubmissionStatus::Rejected { reasons } => wire.reasons = reasons,
            SubmissionStatus::Accepted
            | SubmissionStatus::UnderReview
            | SubmissionStatus::Unknown(_) => {}
        }
        wire
    }
}

impl From<StatusWire> for SubmissionStatus {
    fn from(w: StatusWire) -> SubmissionStatus {
        match w.state.as_str() {
            "accepted" => SubmissionStatus::Accepted,
            "under_review" => SubmissionStatus::UnderReview,
            "partially_issued" => SubmissionStatus::PartiallyIssued {
                invoices: w.invoices,
                summaries: w.summaries,
            },
            "issued" => SubmissionStatus::Issued {
                invoices: w.invoices,
                summaries: w.summaries,
            },
            "rejected" => SubmissionStatus::Rejected { reasons: w.reasons },
            _ => SubmissionStatus::Unknown(w.state),
        }
    }
}

/// A downloaded document: the bytes and what they are.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// What the bytes are.
    pub media_type: MediaType,
    /// A file name the platform suggests (`24442000000000000001.xml`).
    pub file_name: String,
    /// The content.
    pub bytes: Vec<u8>,
}

impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("media_type", &self.media_type)
            .field("file_name", &self.file_name)
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .finish()
    }
}

/// The outcome of a red reversal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reversal {
    /// The red invoice; its `original` is the reversed blue one.
    pub red: IssuedInvoice,
    /// The summary sheets voided because they bound the reversed invoice.
    pub voided_summaries: Vec<String>,
    /// Their replacements, binding the invoices still standing.
    pub summaries: Vec<IssuedSummary>,
}

/// The outcome of a reissue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reissue {
    /// The red invoice reversing the old one.
    pub red: IssuedInvoice,
    /// The new blue invoice; its `original` is the old one.
    pub blue: IssuedInvoice,
    /// The summary sheets voided because they bound the old invoice.
    pub voided_summaries: Vec<String>,
    /// Their replacements, binding the new invoice.
    pub summaries: Vec<IssuedSummary>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_enums_round_trip_unknown_values() {
        assert_eq!(InvoiceColour::from("red"), InvoiceColour::Red);
        let odd = InvoiceColour::from("green");
        assert_eq!(odd, InvoiceColour::Unknown("green".into()));
        assert_eq!(serde_json::to_string(&odd).unwrap(), "\"green\"");
        let back: InvoiceColour = serde_json::from_str("\"green\"").unwrap();
        assert_eq!(back, odd);
        assert_eq!(String::from(InvoiceColour::Blue), "blue");
        assert_eq!(MediaType::from("application/xml").extension(), "xml");
        assert_eq!(MediaType::from("image/png").extension(), "bin");
    }

    #[test]
    fn status_round_trips_including_unknown() {
        for s in [
            SubmissionStatus::Accepted,
            SubmissionStatus::UnderReview,
            SubmissionStatus::Rejected {
                reasons: vec![Reason::new("R1", "销方状态异常")],
            },
            SubmissionStatus::Issued {
                invoices: vec![],
                summaries: vec![],
            },
            SubmissionStatus::Unknown("queued_for_audit".into()),
        ] {
            let json = serde_json::to_string(&s).unwrap();
            let back: SubmissionStatus = serde_json::from_str(&json).unwrap();
            assert_eq!(back, s, "{json}");
        }
        let json = serde_json::to_string(&SubmissionStatus::UnderReview).unwrap();
        assert_eq!(json, r#"{"state":"under_review"}"#);
        assert!(
            SubmissionStatus::Issued {
                invoices: vec![],
                summaries: vec![]
            }
            .is_terminal()
        );
        assert!(!SubmissionStatus::Unknown("x".into()).is_terminal());
    }

    #[test]
    fn submission_ids() {
        assert!("SIM-0001".parse::<SubmissionId>().is_ok());
        let e = "".parse::<SubmissionId>().unwrap_err();
        assert_eq!(e.to_string(), "submission id `` is invalid: it is empty");
        assert!("a b".parse::<SubmissionId>().is_err());
        assert!("x".repeat(256).parse::<SubmissionId>().is_err());
        assert!(serde_json::from_str::<SubmissionId>("\"\"").is_err());
    }

    #[test]
    fn fingerprints_tell_requests_and_operations_apart() {
        let a = Fingerprint::of("submit", &("x", 1)).unwrap();
        assert_eq!(a, Fingerprint::of("submit", &("x", 1)).unwrap());
        assert_ne!(a, Fingerprint::of("submit", &("x", 2)).unwrap());
        assert_ne!(a, Fingerprint::of("reissue", &("x", 1)).unwrap());
        assert_eq!(a.to_string().len(), 64);
    }
}
