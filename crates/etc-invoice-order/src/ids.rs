//! Record identifiers and short free-text names.

use smol_str::SmolStr;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An identifier or name that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// Empty (or only white space).
    #[error("{what} is empty")]
    Empty {
        /// What was being read.
        what: &'static str,
    },
    /// Longer than allowed.
    #[error("{what} `{input}…` is longer than {max} characters")]
    TooLong {
        /// What was being read.
        what: &'static str,
        /// The first 64 characters.
        input: String,
        /// The limit.
        max: usize,
    },
    /// A character that is not allowed, at a 1-based position.
    #[error("{what} `{input}` has `{ch}` at position {position}, which is not allowed")]
    BadChar {
        /// What was being read.
        what: &'static str,
        /// The offending text (cut to 64 characters).
        input: String,
        /// The character.
        ch: char,
        /// Its 1-based position, counted in characters.
        position: usize,
    },
}

fn cut(s: &str) -> String {
    s.chars().take(64).collect()
}

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident, $what:literal, $max:expr, $allowed:expr) => {
        $(#[$meta])*
        ///
        /// Cheap to clone: up to 23 bytes are held in place (a clone is a
        /// copy, with no allocation and no shared counter to touch);
        /// longer text is shared by the clones.
        #[derive(Clone, Eq, PartialOrd, Ord, Deserialize)]
        #[serde(try_from = "String")]
        pub struct $name(SmolStr);

        impl std::hash::Hash for $name {
            /// As the text (so that a map keyed by ids can be searched
            /// with a `&str`).
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.0.as_str().hash(state);
            }
        }

        impl PartialEq for $name {
            /// Equal text.
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                self.0 == other.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.0.as_str())
            }
        }

        impl $name {
            /// The longest accepted value, in characters.
            pub const MAX_LEN: usize = $max;

            /// Checks a candidate value without building one.
            ///
            /// # Errors
            /// [`IdError`] naming the first problem.
            #[inline]
            pub fn check(s: &str) -> Result<(), IdError> {
                check(s, $what, $max, $allowed)
            }

            /// The identifier as text.
            #[inline]
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }

            /// An equal value with its own copy of the text, shared with
            /// nothing else: for a caller that clones many values made
            /// in one order, then visits them in another, and wants the
            /// copies next to each other in memory.
            ///
            /// ```
            #[doc = concat!("let id: etc_invoice_order::", stringify!($name), " = \"P-1\".parse()?;")]
            /// assert_eq!(id.unshared(), id);
            /// # Ok::<(), etc_invoice_order::IdError>(())
            /// ```
            pub fn unshared(&self) -> Self {
                $name(SmolStr::new(self.0.as_str()))
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::check(s)?;
                Ok($name(SmolStr::new(s)))
            }
        }

        impl TryFrom<&str> for $name {
            type Error = IdError;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                s.parse()
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                $name::check(&s)?;
                Ok($name(SmolStr::from(s)))
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0.as_str().to_owned()
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.0.as_str()
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                self.0.as_str()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.0.as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), self.0)
            }
        }
    };
}

/// Which bytes are ASCII characters of an id (`id`), or of a name, as a
/// table: the fast path of [`check`] looks each byte up in it.
#[expect(
    clippy::indexing_slicing,
    reason = "c < 128 indexes a table of 256 entries"
)]
const fn ascii_table(id: bool) -> [bool; 256] {
    let mut table = [false; 256];
    let mut c = 0_u8;
    while c < 128 {
        // For ASCII, `is_control` is `is_ascii_control` (which, unlike it,
        // can run here).
        table[c as usize] = if id {
            is_id_char(c as char)
        } else {
            !c.is_ascii_control()
        };
        c += 1;
    }
    table
}

/// The ASCII characters of an id: letters, digits and `- _ . :`.
const ID_ASCII: [bool; 256] = ascii_table(true);
/// The ASCII characters of a name: any but control characters.
const NAME_ASCII: [bool; 256] = ascii_table(false);

const fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')
}

fn is_name_char(c: char) -> bool {
    !c.is_control()
}

#[inline]
fn check(
    s: &str,
    what: &'static str,
    max: usize,
    (allowed, ascii): (impl Fn(char) -> bool, &[bool; 256]),
) -> Result<(), IdError> {
    // The common case, an ASCII value of allowed characters within the
    // limit, in one pass over the bytes (an ASCII byte is one character);
    // anything else goes the slow way, which finds the fault.
    let bytes = s.as_bytes();
    if let (Some(first), Some(last)) = (bytes.first(), bytes.last())
        && bytes.len() <= max
        && !first.is_ascii_whitespace()
        && !last.is_ascii_whitespace()
        // Without a branch a byte: every byte is looked up, and the
        // answers and-ed.
        && bytes
            .iter()
            .fold(true, |ok, b| ok & ascii.get(usize::from(*b)).copied().unwrap_or(false))
    {
        return Ok(());
    }
    check_slow(s, what, max, allowed)
}

#[cold]
fn check_slow(
    s: &str,
    what: &'static str,
    max: usize,
    allowed: impl Fn(char) -> bool,
) -> Result<(), IdError> {
    let first = s.chars().next();
    let last = s.chars().next_back();
    let padded = first.is_some_and(char::is_whitespace) || last.is_some_and(char::is_whitespace);
    if first.is_none() || (padded && s.chars().all(char::is_whitespace)) {
        return Err(IdError::Empty { what });
    }
    for (i, ch) in s.chars().enumerate() {
        if i >= max {
            return Err(IdError::TooLong {
                what,
                input: cut(s),
                max,
            });
        }
        if !allowed(ch) {
            return Err(IdError::BadChar {
                what,
                input: cut(s),
                ch,
                position: i + 1,
            });
        }
    }
    if padded {
        let at_start = first.is_some_and(char::is_whitespace);
        return Err(IdError::BadChar {
            what,
            input: cut(s),
            ch: if at_start { first } else { last }.unwrap_or(' '),
            position: if at_start { 1 } else { s.chars().count() },
        });
    }
    Ok(())
}

id_type! {
    /// The id of a transaction: a passage, top-up, refund, audit recovery or
    /// statement, as the issuer assigns it. 1–64 characters of ASCII letters,
    /// digits and `- _ . :`.
    ///
    /// ```
    /// use etc_invoice_order::TransactionId;
    ///
    /// let id: TransactionId = "P-20240305-0001".parse()?;
    /// assert_eq!(id.as_str(), "P-20240305-0001");
    /// assert!("P 1".parse::<TransactionId>().is_err());
    /// # Ok::<(), etc_invoice_order::IdError>(())
    /// ```
    TransactionId, "transaction id", 64, (is_id_char, &ID_ASCII)
}

id_type! {
    /// The id of a road operator (收费公路经营管理单位) in the issuer's data.
    /// 1–64 characters of ASCII letters, digits and `- _ . :`.
    OperatorId, "operator id", 64, (is_id_char, &ID_ASCII)
}

id_type! {
    /// A short human-readable name: a seller's name, a station, an issuer.
    /// 1–200 characters, no control characters, no leading or trailing white
    /// space.
    Name, "name", 200, (is_name_char, &NAME_ASCII)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_tables_agree_with_the_character_rules() {
        for b in 0..=255_u8 {
            let c = char::from(b);
            let ascii = b.is_ascii();
            assert_eq!(ID_ASCII[usize::from(b)], ascii && is_id_char(c), "{b}");
            assert_eq!(NAME_ASCII[usize::from(b)], ascii && is_name_char(c), "{b}");
        }
    }

    #[test]
    fn ids() {
        assert!("ABC-123_x.y:z".parse::<TransactionId>().is_ok());
        assert_eq!(
            "".parse::<TransactionId>(),
            Err(IdError::Empty {
                what: "transaction id"
            })
        );
        let err = "ab c".parse::<TransactionId>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "transaction id `ab c` has ` ` at position 3, which is not allowed"
        );
        let long = "x".repeat(65);
        assert!(matches!(
            long.parse::<TransactionId>(),
            Err(IdError::TooLong { max: 64, .. })
        ));
        assert!("京".parse::<OperatorId>().is_err());
    }

    #[test]
    fn names() {
        assert!("广东省高速公路有限公司".parse::<Name>().is_ok());
        assert!(" x".parse::<Name>().is_err());
        assert!("x ".parse::<Name>().is_err());
        assert!("a\nb".parse::<Name>().is_err());
        assert!("   ".parse::<Name>().is_err());
        assert!("名".repeat(201).parse::<Name>().is_err());
        assert!("名".repeat(200).parse::<Name>().is_ok());
    }
}
