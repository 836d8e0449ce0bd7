//! The data a caller stores with a reservation.

use std::any::Any;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a caller stores with a reservation to resume the application after
/// a crash (the service keeps the submitted request here). The ledger never
/// reads it.
///
/// A payload is either text or a shared value that is written as JSON only
/// when a ledger stores it durably: [`SqliteLedger`](super::SqliteLedger)
/// writes the JSON when it reserves; [`MemoryLedger`](super::MemoryLedger),
/// whose state ends with the process anyway, keeps the value as it is and
/// never writes it. A payload read back from a database is text.
///
/// Two payloads are equal when their text is. `Debug` shows only the length
/// of a text, since a payload holds personal data.
///
/// ```
/// use etc_invoice_platform::Payload;
///
/// let text = Payload::from(r#"{"n":1}"#);
/// assert_eq!(text.as_text(), Some(r#"{"n":1}"#));
///
/// #[derive(serde::Serialize)]
/// struct Resume { n: u32 }
/// let value = Payload::json(Resume { n: 1 });
/// assert_eq!(value.value::<Resume>().map(|r| r.n), Some(1));
/// assert_eq!(value.to_text()?, r#"{"n":1}"#);
/// assert_eq!(value, text);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone)]
pub struct Payload(Repr);

#[derive(Clone)]
enum Repr {
    Text(Arc<str>),
    Value(Arc<dyn Value>),
}

/// A value held in a payload: written as JSON when asked.
trait Value: Any + Send + Sync {
    fn to_json(&self) -> Result<String, serde_json::Error>;
    fn as_any(&self) -> &dyn Any;
}

impl<T: Serialize + Send + Sync + 'static> Value for T {
    fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Payload {
    /// A payload holding `value`, written as its JSON when a ledger stores
    /// it durably.
    pub fn json<T: Serialize + Send + Sync + 'static>(value: T) -> Payload {
        Payload(Repr::Value(Arc::new(value)))
    }

    /// The text, when the payload was made from text (or read back from a
    /// database).
    pub fn as_text(&self) -> Option<&str> {
        match &self.0 {
            Repr::Text(text) => Some(text),
            Repr::Value(_) => None,
        }
    }

    /// The value, when the payload holds a `T` made with
    /// [`Payload::json`].
    pub fn value<T: 'static>(&self) -> Option<&T> {
        match &self.0 {
            Repr::Text(_) => None,
            Repr::Value(value) => (**value).as_any().downcast_ref(),
        }
    }

    /// The payload as text: the text itself, or the value's JSON.
    ///
    /// # Errors
    /// When the value cannot be written as JSON (a map with keys that are
    /// not strings, a failing `Serialize`).
    pub fn to_text(&self) -> Result<Cow<'_, str>, serde_json::Error> {
        match &self.0 {
            Repr::Text(text) => Ok(Cow::Borrowed(text)),
            Repr::Value(value) => (**value).to_json().map(Cow::Owned),
        }
    }
}

impl From<String> for Payload {
    fn from(text: String) -> Payload {
        Payload(Repr::Text(text.into()))
    }
}

impl From<&str> for Payload {
    fn from(text: &str) -> Payload {
        Payload(Repr::Text(text.into()))
    }
}

impl PartialEq for Payload {
    fn eq(&self, other: &Payload) -> bool {
        match (&self.0, &other.0) {
            (Repr::Text(a), Repr::Text(b)) => a == b,
            (Repr::Value(a), Repr::Value(b)) if Arc::ptr_eq(a, b) => true,
            _ => match (self.to_text(), other.to_text()) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            },
        }
    }
}

impl Eq for Payload {}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Text(text) => write!(f, "<{} bytes>", text.len()),
            Repr::Value(_) => f.write_str("<value>"),
        }
    }
}

impl Serialize for Payload {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = self.to_text().map_err(serde::ser::Error::custom)?;
        s.serialize_str(&text)
    }
}

impl<'de> Deserialize<'de> for Payload {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Payload, D::Error> {
        String::deserialize(d).map(Payload::from)
    }
}
