//! Idempotency keys: the client's name for one logical request, kept across
//! retries and restarts.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A text that is not an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key is empty.
    #[error("idempotency key is empty")]
    Empty,
    /// The key is longer than [`IdempotencyKey::MAX_LEN`] bytes.
    #[error("idempotency key `{input}…` is longer than {max} characters")]
    TooLong {
        /// The first 64 characters.
        input: String,
        /// The limit.
        max: usize,
    },
    /// The key holds a character outside visible ASCII (`!` to `~`).
    #[error(
        "idempotency key `{input}` has `{ch}` at position {position}; only visible ASCII characters are allowed"
    )]
    BadChar {
        /// The offending key (cut to 64 characters).
        input: String,
        /// The character.
        ch: char,
        /// Its 1-based position, in characters.
        position: usize,
    },
}

mod encapsulate {
    use super::KeyError;

    /// An idempotency key: 1–255 visible ASCII characters (`!` to `~`, so no
    /// spaces or control characters), the form HTTP headers and the ledger
    /// both accept.
    ///
    /// Build one by parsing (`"apply-42".parse()`), or derive one with
    /// [`IdempotencyKey::for_application`] and friends, which give the same key
    /// for the same logical request every time: that is what lets a retry or
    /// a restarted process repeat a request safely.
    #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub struct IdempotencyKey(String);

    impl IdempotencyKey {
        /// The longest key, in characters (and bytes: keys are ASCII).
        pub const MAX_LEN: usize = 255;

        /// Checks a candidate key without building one.
        ///
        /// # Errors
        /// [`KeyError`] naming the first problem.
        pub fn check(s: &str) -> Result<(), KeyError> {
            if s.is_empty() {
                return Err(KeyError::Empty);
            }
            for (i, ch) in s.chars().enumerate() {
                if i >= Self::MAX_LEN {
                    return Err(KeyError::TooLong {
                        input: s.chars().take(64).collect(),
                        max: Self::MAX_LEN,
                    });
                }
                if !ch.is_ascii_graphic() {
                    return Err(KeyError::BadChar {
                        input: s.chars().take(64).collect(),
                        ch,
                        position: i + 1,
                    });
                }
            }
            Ok(())
        }

        /// Builds a key from an owned string.
        ///
        /// # Errors
        /// [`KeyError`] naming the first problem.
        pub fn new(s: String) -> Result<IdempotencyKey, KeyError> {
            Self::check(&s)?;
            Ok(IdempotencyKey(s))
        }

        /// The key as text.
        pub fn as_str(&self) -> &str {
            &self.0
        }

        /// `<prefix>-<id>`, with every character of `id` outside visible
        /// ASCII replaced by `_`, cut to [`IdempotencyKey::MAX_LEN`]. The
        /// prefix is one of this crate's constants (visible ASCII, short).
        pub(super) fn derived(prefix: &'static str, id: &str) -> IdempotencyKey {
            let mut s = String::with_capacity(prefix.len() + 1 + id.len());
            s.extend(prefix.chars().map(visible));
            s.push('-');
            s.extend(id.chars().map(visible));
            s.truncate(Self::MAX_LEN);
            IdempotencyKey(s)
        }
    }

    fn visible(c: char) -> char {
        if c.is_ascii_graphic() { c } else { '_' }
    }
}

pub use encapsulate::IdempotencyKey;

impl IdempotencyKey {
    /// The key under which [`InvoiceService`](crate::InvoiceService) submits
    /// application `id`: `apply-<uuid>`. The same application gets the same
    /// key in every process, so a resubmission after a crash or a duplicate
    /// post from the mini program replays instead of issuing twice.
    pub fn for_application(id: Uuid) -> IdempotencyKey {
        let mut buffer = Uuid::encode_buffer();
        IdempotencyKey::derived("apply", id.hyphenated().encode_lower(&mut buffer))
    }

    /// The key for the red reversal of invoice `number`: `red-<number>`. An
    /// invoice is reversed at most once, so the key names the request.
    pub fn for_red_reversal(number: &str) -> IdempotencyKey {
        IdempotencyKey::derived("red", number)
    }

    /// The key for reissuing invoice `number`: `reissue-<number>`. A reissue
    /// reverses the invoice, so it too happens at most once per number.
    pub fn for_reissue(number: &str) -> IdempotencyKey {
        IdempotencyKey::derived("reissue", number)
    }
}

impl FromStr for IdempotencyKey {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IdempotencyKey::new(s.to_owned())
    }
}

impl TryFrom<&str> for IdempotencyKey {
    type Error = KeyError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl TryFrom<String> for IdempotencyKey {
    type Error = KeyError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        IdempotencyKey::new(s)
    }
}

impl From<IdempotencyKey> for String {
    fn from(k: IdempotencyKey) -> String {
        k.as_str().to_owned()
    }
}

impl AsRef<str> for IdempotencyKey {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdempotencyKey({:?})", self.as_str())
    }
}

impl Serialize for IdempotencyKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for IdempotencyKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        IdempotencyKey::new(s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_visible_ascii() {
        let k: IdempotencyKey = "apply-6f1c1f8e_3a57:~!".parse().unwrap();
        assert_eq!(k.as_str(), "apply-6f1c1f8e_3a57:~!");
        assert_eq!(k.to_string().parse::<IdempotencyKey>().unwrap(), k);
        let max = "k".repeat(255);
        assert!(max.parse::<IdempotencyKey>().is_ok());
    }

    #[test]
    fn refuses_empty_long_and_invisible() {
        assert_eq!("".parse::<IdempotencyKey>(), Err(KeyError::Empty));
        assert!(matches!(
            "k".repeat(256).parse::<IdempotencyKey>(),
            Err(KeyError::TooLong { max: 255, .. })
        ));
        let e = "ab c".parse::<IdempotencyKey>().unwrap_err();
        assert_eq!(
            e,
            KeyError::BadChar {
                input: "ab c".into(),
                ch: ' ',
                position: 3
            }
        );
        assert_eq!(
            e.to_string(),
            "idempotency key `ab c` has ` ` at position 3; only visible ASCII characters are allowed"
        );
        assert!("键".parse::<IdempotencyKey>().is_err());
        assert!("a\nb".parse::<IdempotencyKey>().is_err());
    }

    #[test]
    fn derived_keys_are_stable_and_valid() {
        let id = Uuid::from_u128(42);
        assert_eq!(
            IdempotencyKey::for_application(id).as_str(),
            "apply-00000000-0000-0000-0000-00000000002a"
        );
        assert_eq!(
            IdempotencyKey::for_red_reversal("24442000000000000001").as_str(),
            "red-24442000000000000001"
        );
        assert_eq!(
            IdempotencyKey::for_reissue("发票 1").as_str(),
            "reissue-___1"
        );
        let long = IdempotencyKey::for_reissue(&"9".repeat(400));
        assert_eq!(long.as_str().len(), 255);
    }

    #[test]
    fn serde_checks() {
        let k: IdempotencyKey = serde_json::from_str("\"k-1\"").unwrap();
        assert_eq!(serde_json::to_string(&k).unwrap(), "\"k-1\"");
        assert!(serde_json::from_str::<IdempotencyKey>("\"a b\"").is_err());
    }
}
