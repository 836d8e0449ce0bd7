//! The invoice application, as a mini program posts it (see the crate
//! docs, "The application").

use std::fmt;

use etc_invoice_order::CstDateTime;
use etc_invoice_province::{Channel, MergeMode, TitleKind};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::finding::{echo, redact, redact_email};

/// The largest application [`InvoiceApplication::from_json`] reads: 2 MiB.
///
/// A real application of the province's maximum number of transactions
/// (500 by default, about 20 bytes an id) is under 20 KiB; the limit leaves
/// room for deployments that raise the maximum, and bounds what a hostile
/// client can make the parser allocate.
pub const MAX_APPLICATION_BYTES: usize = 2 * 1024 * 1024;

/// Why an application could not be read from JSON.
///
/// These are the problems of form that stop reading altogether: too many
/// bytes, malformed JSON, an unknown field, a missing field, a wrong type,
/// an unknown enum value (`kind`, `mergeMode`, `channel`, `title.kind`), a
/// bad id or time. Problems of content (a bad card number, a bad taxpayer
/// id …) are findings of the [`Validator`](crate::Validator) instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApplicationError {
    /// More bytes than [`MAX_APPLICATION_BYTES`].
    #[error("application is {size} bytes, more than the limit of {max}")]
    TooLarge {
        /// The size given.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// Not an application: the path says where.
    #[error("invalid application at `{path}`: {}", short(.error))]
    Invalid {
        /// The JSON path of the failing field (`title.kind`, `selected[3]`),
        /// `$` for the document itself.
        path: String,
        /// What the JSON reader said (its message is in this error's, cut
        /// to 200 characters, since it can quote the input).
        error: serde_json::Error,
    },
}

impl ApplicationError {
    /// The JSON path of the failing field, for [`ApplicationError::Invalid`].
    pub fn path(&self) -> Option<&str> {
        match self {
            ApplicationError::TooLarge { .. } => None,
            ApplicationError::Invalid { path, .. } => Some(path),
        }
    }

    /// Whether the input was refused for its size alone.
    pub fn is_too_large(&self) -> bool {
        matches!(self, ApplicationError::TooLarge { .. })
    }
}

fn short(e: &serde_json::Error) -> String {
    let s = e.to_string();
    if s.chars().nth(200).is_some() {
        let mut cut: String = s.chars().take(200).collect();
        cut.push('…');
        cut
    } else {
        s
    }
}

/// What an application asks invoices for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ApplicationKind {
    /// 消费: passages and audit recoveries, invoiced after the fact.
    Consumption,
    /// 充值: top-ups of a stored-value card, invoiced at once.
    TopUp,
    /// A settlement statement, invoiced as a whole.
    Statement,
}

impl ApplicationKind {
    /// The wire name: `consumption`, `topUp` or `statement`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationKind::Consumption => "consumption",
            ApplicationKind::TopUp => "topUp",
            ApplicationKind::Statement => "statement",
        }
    }
}

impl fmt::Display for ApplicationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The invoice title (发票抬头): who the buyer is.
///
/// `Debug` redacts the phone and bank account, and a person's name.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Title {
    /// Personal or enterprise.
    pub kind: TitleKind,
    /// The buyer's name: a person's or an enterprise's.
    pub name: String,
    /// The taxpayer id (USCC or legacy); required for an enterprise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxpayer_id: Option<String>,
    /// Registered address (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Registered phone (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Bank name (optional; required with a bank account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_name: Option<String>,
    /// Bank account (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_account: Option<String>,
    /// When this title took effect: it applies only to transactions after it.
    pub effective_from: CstDateTime,
}

/// Where the invoices go.
///
/// `Debug` redacts the email and phone.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Delivery {
    /// The receiving email.
    pub email: String,
    /// A phone for a notice, optionally.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// An invoice application: one card × one month × the selected
/// transactions, a title and a delivery address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InvoiceApplication {
    /// The application's id, chosen by the client.
    pub id: Uuid,
    /// The applicant's user id.
    pub applicant: String,
    /// The card number (20 digits).
    pub card: String,
    /// The billing month, `YYYY-MM` or `YYYYMM`.
    pub month: String,
    /// When the user submitted it.
    pub requested_at: CstDateTime,
    /// What it asks invoices for.
    pub kind: ApplicationKind,
    /// The selected transaction ids: passages and recoveries, top-ups, or
    /// one statement id, by `kind`.
    pub selected: Vec<String>,
    /// The invoice title.
    pub title: Title,
    /// Where to send the invoices.
    pub delivery: Delivery,
    /// One invoice set per trip, or merged over the month.
    pub merge_mode: MergeMode,
    /// The channel it came through.
    pub channel: Channel,
}

impl InvoiceApplication {
    /// Reads an application from JSON (text or bytes), refusing more than
    /// [`MAX_APPLICATION_BYTES`] before parsing anything.
    ///
    /// ```
    /// use etc_invoice_rules::InvoiceApplication;
    ///
    /// let err = InvoiceApplication::from_json(r#"{"kind": "refund"}"#).unwrap_err();
    /// assert_eq!(err.path(), Some("kind"));
    /// ```
    ///
    /// # Errors
    /// [`ApplicationError::TooLarge`] for a long input;
    /// [`ApplicationError::Invalid`], with the failing field's path, for
    /// anything that is not an application.
    pub fn from_json(json: impl AsRef<[u8]>) -> Result<InvoiceApplication, ApplicationError> {
        let bytes = json.as_ref();
        if bytes.len() > MAX_APPLICATION_BYTES {
            return Err(ApplicationError::TooLarge {
                size: bytes.len(),
                max: MAX_APPLICATION_BYTES,
            });
        }
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let app: InvoiceApplication = serde_path_to_error::deserialize(&mut de)
            .map_err(|e| invalid(e.path().to_string(), e.into_inner()))?;
        de.end().map_err(|e| invalid(".".to_owned(), e))?;
        Ok(app)
    }

    /// The application as JSON, in the wire format.
    pub fn to_json(&self) -> String {
        // Every field serialises as a string, number, or list or object of
        // them: serde_json cannot fail on it.
        serde_json::to_string(self).unwrap_or_default()
    }
}

fn invalid(path: String, error: serde_json::Error) -> ApplicationError {
    let path = if path == "." || path.is_empty() {
        "$".to_owned()
    } else {
        path
    };
    ApplicationError::Invalid { path, error }
}

impl fmt::Debug for Title {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.kind {
            TitleKind::Personal => redact(&self.name),
            TitleKind::Enterprise => echo(&self.name),
        };
        f.debug_struct("Title")
            .field("kind", &self.kind)
            .field("name", &name)
            .field("taxpayer_id", &self.taxpayer_id.as_deref().map(echo))
            .field("address", &self.address.as_deref().map(redact))
            .field("phone", &self.phone.as_deref().map(redact))
            .field("bank_name", &self.bank_name.as_deref().map(echo))
            .field("bank_account", &self.bank_account.as_deref().map(redact))
            .field("effective_from", &self.effective_from)
            .finish()
    }
}

impl fmt::Debug for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delivery")
            .field("email", &redact_email(&self.email))
            .field("phone", &self.phone.as_deref().map(redact))
            .finish()
    }
}
