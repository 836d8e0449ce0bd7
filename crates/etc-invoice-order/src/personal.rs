//! Personal data: phone numbers, email addresses, holder id numbers and
//! bank account numbers.
//!
//! These values are sent to invoicing platforms, so `Display`, `as_str` and
//! serde give the real value; `Debug` prints the redacted form (the same as
//! `redacted()`), so that a stray `{:?}` in a log does not leak it.
//!
//! For the same reason the errors never echo the rejected text: they name
//! the field, and the position and character at fault, or the rule broken.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::uscc::{Uscc, UsccError, gb11714_check_char};
use crate::vehicle::numeric_code_enum;

/// Why a text is not a valid phone number, email address, id number or
/// bank account number. Messages name the field and never repeat its text.
/// Positions count characters from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PersonalDataError {
    /// The text is empty.
    #[error("empty {what}")]
    Empty {
        /// The field (`phone number`, `email address` …).
        what: &'static str,
    },
    /// The text has the wrong length.
    #[error("the {what} has the wrong length ({len}); {expected}")]
    Length {
        /// The field.
        what: &'static str,
        /// The length found (characters, or digits for a bank account).
        len: usize,
        /// The length rule.
        expected: &'static str,
    },
    /// A character that is not allowed where it stands.
    #[error("`{ch}` at position {position} of the {what} is not allowed: expected {expected}")]
    Char {
        /// The field.
        what: &'static str,
        /// The 1-based position of the character.
        position: usize,
        /// The character.
        ch: char,
        /// What may stand there.
        expected: &'static str,
    },
    /// The text does not have the field's form.
    #[error("the {what} {reason}")]
    Format {
        /// The field.
        what: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// The check character does not match the rest.
    #[error(
        "`{found}` at position {position} of the {what} is not its check character (expected `{expected}`)"
    )]
    CheckChar {
        /// The field.
        what: &'static str,
        /// The 1-based position of the check character.
        position: usize,
        /// The check character found.
        found: char,
        /// The check character the rest calls for.
        expected: char,
    },
    /// A resident id number whose positions 7–14 are not a calendar date.
    #[error("positions 7 to 14 of the resident id number are not a birth date (yyyymmdd)")]
    BirthDate,
    /// An id of type 201 that is not a valid unified social credit code.
    #[error(transparent)]
    Uscc(#[from] UsccError),
}

const PHONE: &str = "phone number";
const EMAIL: &str = "email address";
const RESIDENT_ID: &str = "resident id number";
const ORGANISATION_CODE: &str = "organisation code";
const ID_NUMBER: &str = "id number";
const BANK_ACCOUNT: &str = "bank account number";

/// Implements the string conversions shared by the single-string types.
macro_rules! string_conversions {
    ($name:ident, $label:literal) => {
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($label, "({})"), self.redacted())
            }
        }

        impl FromStr for $name {
            type Err = PersonalDataError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::parse(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = PersonalDataError;

            fn try_from(s: &str) -> Result<Self, Self::Error> {
                $name::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = PersonalDataError;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                $name::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

/// `n` asterisks.
fn stars(n: usize) -> String {
    "*".repeat(n)
}

/// A mainland China phone number: a mobile number (11 digits, `13`–`19`
/// first) or a landline number with its area code and a hyphen
/// (`010-12345678`, `0755-1234567`: `0` and 2 or 3 digits, `-`, 7 or 8
/// digits).
///
/// Nothing is trimmed or rewritten: no `+86`, spaces or brackets.
/// `Debug` shows `PhoneNumber(138****5678)`.
///
/// ```
/// use etc_invoice_order::PhoneNumber;
///
/// let p: PhoneNumber = "13812345678".parse()?;
/// assert_eq!(p.to_string(), "13812345678");
/// assert_eq!(format!("{p:?}"), "PhoneNumber(138****5678)");
/// assert!(p.is_mobile());
/// let l: PhoneNumber = "0755-12345678".parse()?;
/// assert_eq!(l.redacted(), "0755-****5678");
/// assert!("12812345678".parse::<PhoneNumber>().is_err());
/// # Ok::<(), etc_invoice_order::PersonalDataError>(())
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Reads a phone number.
    ///
    /// # Errors
    /// [`PersonalDataError`] naming the character, length or form at fault.
    pub fn parse(s: &str) -> Result<PhoneNumber, PersonalDataError> {
        PhoneNumber::check(s)?;
        Ok(PhoneNumber(s.to_owned()))
    }

    /// Checks a phone number without building one.
    ///
    /// # Errors
    /// As [`PhoneNumber::parse`].
    pub fn check(s: &str) -> Result<(), PersonalDataError> {
        if s.is_empty() {
            return Err(PersonalDataError::Empty { what: PHONE });
        }
        let mut hyphen = None;
        for (i, ch) in s.chars().enumerate() {
            match ch {
                '0'..='9' => {}
                '-' if hyphen.is_none() => hyphen = Some(i),
                _ => {
                    return Err(PersonalDataError::Char {
                        what: PHONE,
                        position: i + 1,
                        ch,
                        expected: "a digit, or one `-` after a landline area code",
                    });
                }
            }
        }
        // Only ASCII digits and one hyphen: bytes are characters.
        let bytes = s.as_bytes();
        match hyphen {
            Some(i) => {
                let (area, subscriber) = (
                    bytes.get(..i).unwrap_or_default(),
                    bytes.get(i + 1..).unwrap_or_default(),
                );
                if !matches!(area, [b'0', b'1'..=b'9', _] | [b'0', b'1'..=b'9', _, _]) {
                    return Err(PersonalDataError::Format {
                        what: PHONE,
                        reason: "has no area code of `0` and 2 or 3 more digits before the `-`",
                    });
                }
                if !(7..=8).contains(&subscriber.len()) {
                    return Err(PersonalDataError::Format {
                        what: PHONE,
                        reason: "needs 7 or 8 digits after the area code",
                    });
                }
                Ok(())
            }
            None => match bytes {
                [b'1', second, ..] if !(b'3'..=b'9').contains(second) => {
                    Err(PersonalDataError::Char {
                        what: PHONE,
                        position: 2,
                        ch: char::from(*second),
                        expected: "3 to 9 (mobile numbers start 13 to 19)",
                    })
                }
                [b'1', ..] if bytes.len() != 11 => Err(PersonalDataError::Length {
                    what: PHONE,
                    len: bytes.len(),
                    expected: "a mobile number has 11 digits",
                }),
                [b'1', ..] => Ok(()),
                [b'0', ..] => Err(PersonalDataError::Format {
                    what: PHONE,
                    reason: "needs a `-` after the area code, as in `0755-12345678`",
                }),
                _ => Err(PersonalDataError::Format {
                    what: PHONE,
                    reason: "is neither a mobile number (11 digits, 13 to 19 first) nor a landline number with its area code (`0755-12345678`)",
                }),
            },
        }
    }

    /// The number as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is a mobile number.
    pub fn is_mobile(&self) -> bool {
        self.0.starts_with('1')
    }

    /// The number with all but a few digits masked: `138****5678`,
    /// `0755-****5678`.
    pub fn redacted(&self) -> String {
        let s = &self.0;
        let masked = match s.split_once('-') {
            Some((area, subscriber)) => subscriber
                .len()
                .checked_sub(4)
                .and_then(|hidden| subscriber.get(hidden..).map(|tail| (hidden, tail)))
                .map(|(hidden, tail)| format!("{area}-{}{tail}", stars(hidden))),
            None => s
                .get(..3)
                .zip(s.get(7..))
                .map(|(head, tail)| format!("{head}****{tail}")),
        };
        masked.unwrap_or_else(|| stars(s.len()))
    }
}

string_conversions!(PhoneNumber, "PhoneNumber");

/// An email address, checked for sanity rather than RFC 5322 conformance:
/// one `@`, 1 to 64 characters before it, a domain with a dot after it
/// (no empty labels), at most 254 characters, and no spaces, control
/// characters or `<>()[],;:"\`.
///
/// The domain is stored in ASCII lower case (domains are case-insensitive);
/// the local part is kept as given. `Debug` hides the local part:
/// `Email(***@example.com)`.
///
/// ```
/// use etc_invoice_order::Email;
///
/// let e: Email = "Zhang.San@Example.COM".parse()?;
/// assert_eq!(e.to_string(), "Zhang.San@example.com");
/// assert_eq!(e.domain(), "example.com");
/// assert_eq!(format!("{e:?}"), "Email(***@example.com)");
/// assert!("zhang san@example.com".parse::<Email>().is_err());
/// # Ok::<(), etc_invoice_order::PersonalDataError>(())
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// The longest address, in characters.
    pub const MAX_LEN: usize = 254;
    /// The longest local part (before the `@`), in characters.
    pub const MAX_LOCAL_LEN: usize = 64;

    /// Reads an email address, lower-casing the domain.
    ///
    /// # Errors
    /// [`PersonalDataError`] naming the character, length or form at fault.
    pub fn parse(s: &str) -> Result<Email, PersonalDataError> {
        let at = Email::scan(s)?;
        let (local, domain) = s.split_at_checked(at).unwrap_or((s, ""));
        Ok(Email(format!("{local}{}", domain.to_ascii_lowercase())))
    }

    /// Checks an email address without building one.
    ///
    /// # Errors
    /// As [`Email::parse`].
    pub fn check(s: &str) -> Result<(), PersonalDataError> {
        Email::scan(s).map(|_| ())
    }

    /// Checks the address and returns the byte index of its `@`.
    fn scan(s: &str) -> Result<usize, PersonalDataError> {
        if s.is_empty() {
            return Err(PersonalDataError::Empty { what: EMAIL });
        }
        let mut at = None;
        let mut len = 0;
        for (i, (byte_index, ch)) in s.char_indices().enumerate() {
            len = i + 1;
            let bad = |expected| PersonalDataError::Char {
                what: EMAIL,
                position: i + 1,
                ch,
                expected,
            };
            if ch.is_whitespace()
                || ch.is_control()
                || matches!(
                    ch,
                    '<' | '>' | '(' | ')' | '[' | ']' | ',' | ';' | ':' | '"' | '\\'
                )
            {
                return Err(bad("no spaces, control characters or `<>()[],;:\"\\`"));
            }
            if ch == '@' {
                if at.is_some() {
                    return Err(bad("only one `@`"));
                }
                at = Some((byte_index, i));
            }
        }
        if len > Email::MAX_LEN {
            return Err(PersonalDataError::Length {
                what: EMAIL,
                len,
                expected: "an email address has at most 254 characters",
            });
        }
        let Some((at, local_len)) = at else {
            return Err(PersonalDataError::Format {
                what: EMAIL,
                reason: "has no `@`",
            });
        };
        if local_len == 0 {
            return Err(PersonalDataError::Format {
                what: EMAIL,
                reason: "has nothing before the `@`",
            });
        }
        if local_len > Email::MAX_LOCAL_LEN {
            return Err(PersonalDataError::Format {
                what: EMAIL,
                reason: "has more than 64 characters before the `@`",
            });
        }
        let domain = s.get(at + 1..).unwrap_or_default();
        if !domain.contains('.') || domain.split('.').any(str::is_empty) {
            return Err(PersonalDataError::Format {
                what: EMAIL,
                reason: "needs a domain with a dot after the `@`, as in `example.com`",
            });
        }
        Ok(at)
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The domain, after the `@`, in lower case.
    pub fn domain(&self) -> &str {
        self.0.split_once('@').map_or("", |(_, d)| d)
    }

    /// The address with its local part masked: `***@example.com`.
    pub fn redacted(&self) -> String {
        format!("***@{}", self.domain())
    }
}

string_conversions!(Email, "Email");

numeric_code_enum! {
    /// The type of the document that identifies an ETC card holder
    /// (DOMAIN.md §6): 1xx for people, 2xx for organisations.
    ///
    /// `Display` and serde use the code (`"101"`); `FromStr` accepts the
    /// code or the Chinese label.
    ///
    /// ```
    /// use etc_invoice_order::IdType;
    ///
    /// let t: IdType = "101".parse()?;
    /// assert_eq!(t, IdType::ResidentId);
    /// assert_eq!(t.label(), "居民身份证");
    /// assert!(t.is_personal());
    /// assert!(IdType::UsccCertificate.is_organisation());
    /// # Ok::<(), etc_invoice_order::IdTypeError>(())
    /// ```
    pub enum IdType / IdTypeError ("id type", u16) {
        /// 101: resident identity card (居民身份证).
        ResidentId = 101, "居民身份证", "身份证";
        /// 102: passport (护照).
        Passport = 102, "护照";
        /// 103: Mainland travel permit for Hong Kong and Macau residents.
        HongKongMacauPass = 103, "港澳居民来往内地通行证";
        /// 104: Mainland travel permit for Taiwan residents.
        TaiwanPass = 104, "台湾居民来往大陆通行证";
        /// 105: military officer's card (军官证).
        Officer = 105, "军官证";
        /// 106: armed police officer's card (武警警官证).
        ArmedPolice = 106, "武警警官证";
        /// 201: unified social credit code certificate.
        UsccCertificate = 201, "统一社会信用代码证书";
        /// 202: organisation code certificate (组织机构代码证).
        OrganisationCode = 202, "组织机构代码证";
        /// 203: business licence (营业执照).
        BusinessLicence = 203, "营业执照";
        /// 204: public institution legal-person certificate.
        PublicInstitution = 204, "事业单位法人证书";
        /// 205: social organisation legal-person registration certificate.
        SocialOrganisation = 205, "社会团体法人登记证书";
        /// 206: law firm practice licence.
        LawFirm = 206, "律师事务所执业许可证";
    }
}

impl IdType {
    /// Whether the holder is a person (1xx).
    pub fn is_personal(self) -> bool {
        self.code() < 200
    }

    /// Whether the holder is an organisation (2xx).
    pub fn is_organisation(self) -> bool {
        !self.is_personal()
    }
}

/// The number of a holder's identity document, with its [`IdType`].
///
/// What is checked depends on the type:
/// - 101 resident id: the 18-character GB 11643 number, with a calendar
///   birth date at positions 7–14 and the ISO 7064 MOD 11-2 check character
///   (`x` is stored as `X`);
/// - 201 USCC certificate: a valid [`Uscc`];
/// - 202 organisation code: 8 digits or letters and the GB 11714 check
///   character, written `12345678-9` or `123456789` (stored without `-`);
/// - every other type, as project policy (no public format found): 1 to 32
///   characters without white space or control characters, ASCII letters
///   stored in upper case.
///
/// A number means nothing without its type, so there is no `FromStr`:
/// build one with [`IdNumber::new`]. `Display` prints the number; serde uses
/// `{"idType": "101", "number": "…"}`; `Debug` masks the middle
/// (`IdNumber(101, 110***********4477)`).
///
/// ```
/// use etc_invoice_order::{IdNumber, IdType};
///
/// let id = IdNumber::new(IdType::ResidentId, "11010519491231002x")?;
/// assert_eq!(id.to_string(), "11010519491231002X");
/// assert_eq!(id.redacted(), "110***********002X");
/// assert!(IdNumber::new(IdType::ResidentId, "110105194912310021").is_err());
/// # Ok::<(), etc_invoice_order::PersonalDataError>(())
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "IdNumberRepr", into = "IdNumberRepr")]
pub struct IdNumber {
    id_type: IdType,
    number: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct IdNumberRepr {
    id_type: IdType,
    number: String,
}

/// Weights of the first 17 digits of a resident id: `2^(17 − i) mod 11`.
const RESIDENT_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each value of the weighted sum mod 11.
const RESIDENT_CHECK: [u8; 11] = *b"10X98765432";

/// The ISO 7064 MOD 11-2 check character of the first 17 digits of a
/// resident id number.
pub(crate) fn resident_check_char(digits: &[u8]) -> char {
    let sum: u32 = digits
        .iter()
        .zip(RESIDENT_WEIGHTS)
        .map(|(d, w)| u32::from(d.wrapping_sub(b'0')) * w)
        .sum();
    RESIDENT_CHECK
        .get((sum % 11) as usize)
        .copied()
        .map_or('?', char::from)
}

/// Checks a resident id number; returns it with `x` upper-cased.
fn resident_id(s: &str) -> Result<String, PersonalDataError> {
    for (i, ch) in s.chars().enumerate().take(18) {
        let ok = ch.is_ascii_digit() || (i == 17 && matches!(ch, 'X' | 'x'));
        if !ok {
            return Err(PersonalDataError::Char {
                what: RESIDENT_ID,
                position: i + 1,
                ch,
                expected: if i == 17 { "a digit or `X`" } else { "a digit" },
            });
        }
    }
    let len = s.chars().count();
    if len != 18 {
        return Err(PersonalDataError::Length {
            what: RESIDENT_ID,
            len,
            expected: "a resident id number has 18 characters",
        });
    }
    let upper = s.to_ascii_uppercase();
    let bytes = upper.as_bytes();
    let number = |range: std::ops::Range<usize>| -> u32 {
        bytes
            .get(range)
            .unwrap_or_default()
            .iter()
            .fold(0, |n, d| n * 10 + u32::from(d.wrapping_sub(b'0')))
    };
    let year = i32::try_from(number(6..10)).unwrap_or_default();
    if NaiveDate::from_ymd_opt(year, number(10..12), number(12..14)).is_none() {
        return Err(PersonalDataError::BirthDate);
    }
    let expected = resident_check_char(bytes.get(..17).unwrap_or_default());
    let found = bytes.get(17).copied().map_or('?', char::from);
    if found != expected {
        return Err(PersonalDataError::CheckChar {
            what: RESIDENT_ID,
            position: 18,
            found,
            expected,
        });
    }
    Ok(upper)
}

/// Checks an organisation code (`12345678-9` or `123456789`); returns it
/// upper-cased without the hyphen.
fn organisation_code(s: &str) -> Result<String, PersonalDataError> {
    let hyphenated = s.chars().nth(8) == Some('-');
    let expected_len = if hyphenated { 10 } else { 9 };
    let mut compact = String::with_capacity(9);
    for (i, ch) in s.chars().enumerate().take(expected_len) {
        let (ok, expected) = match i {
            0..=7 => (ch.is_ascii_alphanumeric(), "a digit or letter"),
            8 if hyphenated => continue,
            _ => (
                ch.is_ascii_digit() || matches!(ch, 'X' | 'x'),
                "a digit or `X` as the check character",
            ),
        };
        if !ok {
            return Err(PersonalDataError::Char {
                what: ORGANISATION_CODE,
                position: i + 1,
                ch,
                expected,
            });
        }
        compact.push(ch.to_ascii_uppercase());
    }
    let len = s.chars().count();
    if len != expected_len {
        return Err(PersonalDataError::Length {
            what: ORGANISATION_CODE,
            len,
            expected: "an organisation code has 9 characters, or 10 with `-` before the check character",
        });
    }
    let (body, check) = compact.split_at_checked(8).unwrap_or((&compact, ""));
    let expected = gb11714_check_char(body.as_bytes()).unwrap_or('?');
    let found = check.chars().next().unwrap_or('?');
    if found != expected {
        return Err(PersonalDataError::CheckChar {
            what: ORGANISATION_CODE,
            position: expected_len,
            found,
            expected,
        });
    }
    Ok(compact)
}

/// Checks the number of an id type without a known format.
fn other_id(s: &str) -> Result<String, PersonalDataError> {
    for (i, ch) in s.chars().enumerate() {
        if ch.is_whitespace() || ch.is_control() {
            return Err(PersonalDataError::Char {
                what: ID_NUMBER,
                position: i + 1,
                ch,
                expected: "no white space or control characters",
            });
        }
    }
    let len = s.chars().count();
    if len > 32 {
        return Err(PersonalDataError::Length {
            what: ID_NUMBER,
            len,
            expected: "an id number has at most 32 characters",
        });
    }
    Ok(s.to_ascii_uppercase())
}

impl IdNumber {
    /// Checks `number` against the rules of `id_type` (see the type's
    /// documentation) and builds the id.
    ///
    /// # Errors
    /// [`PersonalDataError`] naming the character, length, birth date or
    /// check character at fault; [`PersonalDataError::Uscc`] for a bad
    /// credit code.
    pub fn new(id_type: IdType, number: &str) -> Result<IdNumber, PersonalDataError> {
        if number.is_empty() {
            return Err(PersonalDataError::Empty {
                what: match id_type {
                    IdType::ResidentId => RESIDENT_ID,
                    IdType::OrganisationCode => ORGANISATION_CODE,
                    _ => ID_NUMBER,
                },
            });
        }
        let number = match id_type {
            IdType::ResidentId => resident_id(number)?,
            IdType::UsccCertificate => Uscc::parse(number)?.as_str().to_owned(),
            IdType::OrganisationCode => organisation_code(number)?,
            _ => other_id(number)?,
        };
        Ok(IdNumber { id_type, number })
    }

    /// Checks a number against the rules of `id_type` without keeping it.
    ///
    /// # Errors
    /// As [`IdNumber::new`].
    pub fn check(id_type: IdType, number: &str) -> Result<(), PersonalDataError> {
        IdNumber::new(id_type, number).map(|_| ())
    }

    /// The type of document.
    pub fn id_type(&self) -> IdType {
        self.id_type
    }

    /// The number, normalised.
    pub fn as_str(&self) -> &str {
        &self.number
    }

    /// The number with its middle masked: the first 3 and last 4 characters
    /// of numbers of 10 or more characters stay (`110***********4477`);
    /// shorter numbers are masked whole.
    pub fn redacted(&self) -> String {
        let n = self.number.chars().count();
        if n < 10 {
            return stars(n);
        }
        let head: String = self.number.chars().take(3).collect();
        let tail: String = self.number.chars().skip(n - 4).collect();
        format!("{head}{}{tail}", stars(n - 7))
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.number)
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({}, {})", self.id_type, self.redacted())
    }
}

impl AsRef<str> for IdNumber {
    fn as_ref(&self) -> &str {
        &self.number
    }
}

impl TryFrom<IdNumberRepr> for IdNumber {
    type Error = PersonalDataError;

    fn try_from(r: IdNumberRepr) -> Result<Self, Self::Error> {
        IdNumber::new(r.id_type, &r.number)
    }
}

impl From<IdNumber> for IdNumberRepr {
    fn from(id: IdNumber) -> IdNumberRepr {
        IdNumberRepr {
            id_type: id.id_type,
            number: id.number,
        }
    }
}

/// A bank account number: 8 to 32 digits. Single spaces between groups of
/// digits (`6222 0212 3456 7890`) are accepted and removed; nothing else
/// is. `Debug` shows only the last four digits: `BankAccount(****7890)`.
///
/// ```
/// use etc_invoice_order::BankAccount;
///
/// let a: BankAccount = "6222 0212 3456 7890".parse()?;
/// assert_eq!(a.to_string(), "6222021234567890");
/// assert_eq!(format!("{a:?}"), "BankAccount(****7890)");
/// assert!("6222  0212".parse::<BankAccount>().is_err());
/// # Ok::<(), etc_invoice_order::PersonalDataError>(())
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BankAccount(String);

impl BankAccount {
    /// Reads a bank account number, removing single spaces between groups.
    ///
    /// # Errors
    /// [`PersonalDataError`] naming the character or length at fault.
    pub fn parse(s: &str) -> Result<BankAccount, PersonalDataError> {
        BankAccount::check(s)?;
        Ok(BankAccount(
            s.chars().filter(char::is_ascii_digit).collect(),
        ))
    }

    /// Checks a bank account number without building one.
    ///
    /// # Errors
    /// As [`BankAccount::parse`].
    pub fn check(s: &str) -> Result<(), PersonalDataError> {
        if s.is_empty() {
            return Err(PersonalDataError::Empty { what: BANK_ACCOUNT });
        }
        let mut digits = 0;
        let mut previous_space = true; // no space at the start
        for (i, ch) in s.chars().enumerate() {
            let bad = |expected| PersonalDataError::Char {
                what: BANK_ACCOUNT,
                position: i + 1,
                ch,
                expected,
            };
            match ch {
                '0'..='9' => {
                    digits += 1;
                    previous_space = false;
                }
                ' ' if !previous_space => previous_space = true,
                ' ' => {
                    return Err(bad("a digit (single spaces only between groups of digits)"));
                }
                _ => return Err(bad("a digit")),
            }
        }
        if previous_space {
            return Err(PersonalDataError::Format {
                what: BANK_ACCOUNT,
                reason: "ends with a space",
            });
        }
        if !(8..=32).contains(&digits) {
            return Err(PersonalDataError::Length {
                what: BANK_ACCOUNT,
                len: digits,
                expected: "a bank account number has 8 to 32 digits",
            });
        }
        Ok(())
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `****` and the last four digits.
    pub fn redacted(&self) -> String {
        let tail = self
            .0
            .get(self.0.len().saturating_sub(4)..)
            .unwrap_or_default();
        format!("****{tail}")
    }
}

string_conversions!(BankAccount, "BankAccount");

#[cfg(test)]
mod tests {
    use super::*;

    fn phone_err(s: &str) -> PersonalDataError {
        s.parse::<PhoneNumber>().unwrap_err()
    }

    #[test]
    fn phones() {
        for ok in [
            "13812345678",
            "19912345678",
            "010-12345678",
            "0755-1234567",
            "021-7654321",
        ] {
            let p: PhoneNumber = ok.parse().unwrap();
            assert_eq!(p.to_string(), ok);
            assert_eq!(p.as_ref(), ok);
            assert_eq!(PhoneNumber::try_from(ok.to_owned()).unwrap(), p);
            assert_eq!(PhoneNumber::try_from(ok).unwrap(), p);
            assert_eq!(String::from(p.clone()), ok);
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{ok}\""));
            assert_eq!(serde_json::from_str::<PhoneNumber>(&json).unwrap(), p);
        }
        let p: PhoneNumber = "13812345678".parse().unwrap();
        assert_eq!(format!("{p:?}"), "PhoneNumber(138****5678)");
        assert_eq!(p.redacted(), "138****5678");
        assert!(p.is_mobile());
        let l: PhoneNumber = "0755-1234567".parse().unwrap();
        assert!(!l.is_mobile());
        assert_eq!(l.redacted(), "0755-***4567");
        assert_eq!(format!("{l:?}"), "PhoneNumber(0755-***4567)");
        assert!(!format!("{l:?}").contains("123"));
    }

    #[test]
    fn phone_errors() {
        assert_eq!(phone_err(""), PersonalDataError::Empty { what: PHONE });
        assert_eq!(phone_err("").to_string(), "empty phone number");
        let e = phone_err("138 1234 5678");
        assert_eq!(
            e,
            PersonalDataError::Char {
                what: PHONE,
                position: 4,
                ch: ' ',
                expected: "a digit, or one `-` after a landline area code"
            }
        );
        assert_eq!(
            e.to_string(),
            "` ` at position 4 of the phone number is not allowed: expected a digit, or one `-` after a landline area code"
        );
        assert!(matches!(
            phone_err("+8613812345678"),
            PersonalDataError::Char {
                position: 1,
                ch: '+',
                ..
            }
        ));
        assert!(matches!(
            phone_err("010-1234-5678"),
            PersonalDataError::Char {
                position: 9,
                ch: '-',
                ..
            }
        ));
        let e = phone_err("12812345678");
        assert!(
            matches!(
                e,
                PersonalDataError::Char {
                    position: 2,
                    ch: '2',
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("mobile numbers start 13 to 19"));
        let e = phone_err("1381234567");
        assert_eq!(
            e,
            PersonalDataError::Length {
                what: PHONE,
                len: 10,
                expected: "a mobile number has 11 digits"
            }
        );
        assert_eq!(
            e.to_string(),
            "the phone number has the wrong length (10); a mobile number has 11 digits"
        );
        assert!(matches!(
            phone_err("138123456789"),
            PersonalDataError::Length { len: 12, .. }
        ));
        assert!(matches!(
            phone_err("1"),
            PersonalDataError::Length { len: 1, .. }
        ));
        for bad in ["075512345678", "0"] {
            let e = phone_err(bad);
            assert!(matches!(e, PersonalDataError::Format { .. }), "{bad}: {e}");
            assert!(e.to_string().contains("needs a `-`"));
        }
        let e = phone_err("23812345678");
        assert!(matches!(e, PersonalDataError::Format { .. }));
        assert!(e.to_string().contains("neither a mobile number"));
        for bad in [
            "10-12345678",
            "00-12345678",
            "07555-1234567",
            "-12345678",
            "755-1234567",
        ] {
            let e = phone_err(bad);
            assert!(e.to_string().contains("area code"), "{bad}: {e}");
        }
        for bad in ["0755-123456", "0755-123456789", "0755-"] {
            let e = phone_err(bad);
            assert!(e.to_string().contains("7 or 8 digits"), "{bad}: {e}");
        }
        // Errors never repeat the number.
        assert!(!phone_err("1381234567").to_string().contains("1381234567"));
    }

    #[test]
    fn emails() {
        let e: Email = "Zhang.San+etc@Mail.Example.COM".parse().unwrap();
        assert_eq!(e.as_str(), "Zhang.San+etc@mail.example.com");
        assert_eq!(e.as_ref(), "Zhang.San+etc@mail.example.com");
        assert_eq!(e.domain(), "mail.example.com");
        assert_eq!(e.redacted(), "***@mail.example.com");
        assert_eq!(format!("{e:?}"), "Email(***@mail.example.com)");
        assert_eq!(e.to_string().parse::<Email>().unwrap(), e);
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(serde_json::from_str::<Email>(&json).unwrap(), e);
        assert_eq!(
            Email::try_from("张三@例子.中国").unwrap().domain(),
            "例子.中国"
        );
        assert!(Email::try_from("a@b.cn".to_owned()).is_ok());
        let longest_local = format!("{}@qq.com", "a".repeat(64));
        assert!(longest_local.parse::<Email>().is_ok());
        let longest = format!("a@{}.com", "b".repeat(248));
        assert_eq!(longest.len(), 254);
        assert!(Email::check(&longest).is_ok());
        assert_eq!(String::from(e.clone()), e.as_str());
    }

    #[test]
    fn email_errors() {
        let err = |s: &str| s.parse::<Email>().unwrap_err();
        assert_eq!(err(""), PersonalDataError::Empty { what: EMAIL });
        let e = err("zhang san@example.com");
        assert!(
            matches!(
                e,
                PersonalDataError::Char {
                    position: 6,
                    ch: ' ',
                    ..
                }
            ),
            "{e}"
        );
        assert!(matches!(
            err("a@b@example.com"),
            PersonalDataError::Char {
                position: 4,
                ch: '@',
                ..
            }
        ));
        assert!(err("a@b@example.com").to_string().contains("only one `@`"));
        assert!(matches!(
            err("张三 <a@example.com>"),
            PersonalDataError::Char { position: 3, .. }
        ));
        assert!(matches!(
            err("a@example.com;b@example.com"),
            PersonalDataError::Char { ch: ';', .. }
        ));
        assert!(matches!(
            err("a@example.com\n"),
            PersonalDataError::Char { ch: '\n', .. }
        ));
        assert_eq!(
            err("example.com"),
            PersonalDataError::Format {
                what: EMAIL,
                reason: "has no `@`"
            }
        );
        assert_eq!(
            err("example.com").to_string(),
            "the email address has no `@`"
        );
        assert!(err("@example.com").to_string().contains("nothing before"));
        assert!(
            err(&format!("{}@qq.com", "a".repeat(65)))
                .to_string()
                .contains("64")
        );
        for bad in [
            "a@localhost",
            "a@",
            "a@.com",
            "a@example.",
            "a@example..com",
            "a@.",
        ] {
            let e = err(bad);
            assert!(e.to_string().contains("domain with a dot"), "{bad}: {e}");
        }
        let too_long = format!("a@{}.com", "b".repeat(249));
        assert!(matches!(
            err(&too_long),
            PersonalDataError::Length { len: 255, .. }
        ));
        let huge = "a".repeat(1 << 20);
        assert!(matches!(err(&huge), PersonalDataError::Length { .. }));
    }

    #[test]
    fn id_types() {
        assert_eq!(IdType::ALL.len(), 12);
        for t in IdType::ALL {
            assert_eq!(t.to_string().parse::<IdType>().unwrap(), *t);
            assert_eq!(t.label().parse::<IdType>().unwrap(), *t);
            assert_eq!(t.is_personal(), t.code() < 200);
            assert_ne!(t.is_personal(), t.is_organisation());
            let json = serde_json::to_string(t).unwrap();
            assert_eq!(serde_json::from_str::<IdType>(&json).unwrap(), *t);
        }
        let e = "107".parse::<IdType>().unwrap_err();
        assert!(e.to_string().starts_with("unknown id type `107`"));
    }

    #[test]
    fn resident_ids() {
        // GB 11643's published example.
        let id = IdNumber::new(IdType::ResidentId, "11010519491231002X").unwrap();
        assert_eq!(id.id_type(), IdType::ResidentId);
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.as_ref(), "11010519491231002X");
        assert_eq!(id.to_string(), "11010519491231002X");
        assert_eq!(id.redacted(), "110***********002X");
        assert_eq!(format!("{id:?}"), "IdNumber(101, 110***********002X)");
        assert_eq!(
            IdNumber::new(IdType::ResidentId, "11010519491231002x").unwrap(),
            id
        );
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, r#"{"idType":"101","number":"11010519491231002X"}"#);
        assert_eq!(serde_json::from_str::<IdNumber>(&json).unwrap(), id);
        assert!(
            serde_json::from_str::<IdNumber>(r#"{"idType":"101","number":"110105194912310021"}"#)
                .is_err()
        );
        assert!(
            serde_json::from_str::<IdNumber>(
                r#"{"idType":"101","number":"11010519491231002X","x":1}"#
            )
            .is_err()
        );
        assert!(IdNumber::check(IdType::ResidentId, "440524188001010014").is_ok());
        assert_eq!(resident_check_char(b"44052418800101001"), '4');
    }

    #[test]
    fn resident_id_errors() {
        let err = |s: &str| IdNumber::new(IdType::ResidentId, s).unwrap_err();
        assert_eq!(err(""), PersonalDataError::Empty { what: RESIDENT_ID });
        let e = err("110105194912310021");
        assert_eq!(
            e,
            PersonalDataError::CheckChar {
                what: RESIDENT_ID,
                position: 18,
                found: '1',
                expected: 'X'
            }
        );
        assert_eq!(
            e.to_string(),
            "`1` at position 18 of the resident id number is not its check character (expected `X`)"
        );
        let e = err("1101051949123100X2");
        assert!(
            matches!(
                e,
                PersonalDataError::Char {
                    position: 17,
                    ch: 'X',
                    ..
                }
            ),
            "{e}"
        );
        assert!(matches!(
            err("11010519491231002Y"),
            PersonalDataError::Char {
                position: 18,
                ch: 'Y',
                expected: "a digit or `X`",
                ..
            }
        ));
        assert!(matches!(
            err("110105194912310"),
            PersonalDataError::Length { len: 15, .. }
        ));
        assert!(matches!(
            err("11010519491231002X1"),
            PersonalDataError::Length { len: 19, .. }
        ));
        for bad_date in [
            "110105194913310027",
            "110105194902300021",
            "110105194900010027",
        ] {
            let e = err(bad_date);
            assert_eq!(e, PersonalDataError::BirthDate, "{bad_date}");
        }
        assert_eq!(
            PersonalDataError::BirthDate.to_string(),
            "positions 7 to 14 of the resident id number are not a birth date (yyyymmdd)"
        );
        assert!(!err("110105194912310021").to_string().contains("110105"));
    }

    #[test]
    fn organisation_ids() {
        let u = IdNumber::new(IdType::UsccCertificate, "91110000600037341l").unwrap();
        assert_eq!(u.as_str(), "91110000600037341L");
        assert!(matches!(
            IdNumber::new(IdType::UsccCertificate, "91110000600037341N"),
            Err(PersonalDataError::Uscc(UsccError::Checksum { .. }))
        ));
        for ok in [
            "60003734-1",
            "600037341",
            "MA1K3BTP-2",
            "ma1k3btp2",
            "71526726-x",
        ] {
            let id =
                IdNumber::new(IdType::OrganisationCode, ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert_eq!(id.as_str().len(), 9);
            assert!(!id.as_str().contains('-'));
        }
        let err = |s: &str| IdNumber::new(IdType::OrganisationCode, s).unwrap_err();
        assert_eq!(
            err(""),
            PersonalDataError::Empty {
                what: ORGANISATION_CODE
            }
        );
        assert_eq!(
            err("60003734-2"),
            PersonalDataError::CheckChar {
                what: ORGANISATION_CODE,
                position: 10,
                found: '2',
                expected: '1'
            }
        );
        assert!(matches!(
            err("600037342"),
            PersonalDataError::CheckChar { position: 9, .. }
        ));
        assert!(matches!(
            err("6000-3734"),
            PersonalDataError::Char {
                position: 5,
                ch: '-',
                ..
            }
        ));
        assert!(matches!(
            err("60003734A"),
            PersonalDataError::Char {
                position: 9,
                ch: 'A',
                ..
            }
        ));
        assert!(matches!(err("60003734-"), PersonalDataError::Length { .. }));
        assert!(matches!(err("6000373"), PersonalDataError::Length { .. }));
        assert!(matches!(
            err("6000373412"),
            PersonalDataError::Length { .. }
        ));
    }

    #[test]
    fn other_ids() {
        let p = IdNumber::new(IdType::Passport, "e12345678").unwrap();
        assert_eq!(p.as_str(), "E12345678");
        assert_eq!(p.redacted(), "*********");
        let o = IdNumber::new(IdType::Officer, "南字第1234567号").unwrap();
        assert_eq!(o.redacted(), "南字第****567号");
        let err = |s: &str| IdNumber::new(IdType::HongKongMacauPass, s).unwrap_err();
        assert_eq!(err(""), PersonalDataError::Empty { what: ID_NUMBER });
        assert!(matches!(
            err("H 1234567"),
            PersonalDataError::Char {
                position: 2,
                ch: ' ',
                ..
            }
        ));
        assert!(matches!(
            err(&"1".repeat(33)),
            PersonalDataError::Length { len: 33, .. }
        ));
    }

    #[test]
    fn bank_accounts() {
        let a: BankAccount = "6222 0212 3456 7890".parse().unwrap();
        assert_eq!(a.as_str(), "6222021234567890");
        assert_eq!(a.as_ref(), "6222021234567890");
        assert_eq!(a.redacted(), "****7890");
        assert_eq!(format!("{a:?}"), "BankAccount(****7890)");
        assert_eq!(a.to_string().parse::<BankAccount>().unwrap(), a);
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, "\"6222021234567890\"");
        assert_eq!(serde_json::from_str::<BankAccount>(&json).unwrap(), a);
        assert!(BankAccount::check("12345678").is_ok());
        assert!(BankAccount::check(&"1".repeat(32)).is_ok());
    }

    #[test]
    fn bank_account_errors() {
        let err = |s: &str| s.parse::<BankAccount>().unwrap_err();
        assert_eq!(err(""), PersonalDataError::Empty { what: BANK_ACCOUNT });
        assert!(matches!(
            err(" 12345678"),
            PersonalDataError::Char {
                position: 1,
                ch: ' ',
                ..
            }
        ));
        assert!(matches!(
            err("1234  5678"),
            PersonalDataError::Char {
                position: 6,
                ch: ' ',
                ..
            }
        ));
        assert!(matches!(
            err("1234-5678"),
            PersonalDataError::Char {
                position: 5,
                ch: '-',
                expected: "a digit",
                ..
            }
        ));
        assert_eq!(
            err("12345678 "),
            PersonalDataError::Format {
                what: BANK_ACCOUNT,
                reason: "ends with a space"
            }
        );
        let e = err("1234 567");
        assert_eq!(
            e,
            PersonalDataError::Length {
                what: BANK_ACCOUNT,
                len: 7,
                expected: "a bank account number has 8 to 32 digits"
            }
        );
        assert!(matches!(
            err(&"1".repeat(33)),
            PersonalDataError::Length { len: 33, .. }
        ));
        assert!(!err("1234 567").to_string().contains("1234"));
    }
}
