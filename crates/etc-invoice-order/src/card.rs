//! ETC card numbers, card types and OBU ids.

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

use crate::Province;
use crate::vehicle::numeric_code_enum;

/// An ETC user card number: 20 ASCII digits, the 4-digit network code of
/// the issuing province (`4401` for Guangdong) then a 16-digit internal
/// number (DOMAIN.md §6).
///
/// Held inline (no allocation) and `Copy`. Nothing is trimmed or
/// normalised: spaces or separators are errors.
///
/// ```
/// use etc_invoice_order::{CardNumber, Province};
///
/// let c: CardNumber = "44011234567890123456".parse()?;
/// assert_eq!(c.province(), Province::Guangdong);
/// assert_eq!(c.network_code(), "4401");
/// assert_eq!(c.internal_number(), "1234567890123456");
/// assert_eq!(c.to_string(), "44011234567890123456");
/// assert!("99011234567890123456".parse::<CardNumber>().is_err());
/// # Ok::<(), etc_invoice_order::CardError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CardNumber {
    // `province` follows from the digits, so the derived comparisons order
    // and hash by the digits alone.
    digits: [u8; CardNumber::LEN],
    province: Province,
}

/// Why a text is not an ETC card number. Positions count characters from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CardError {
    /// The text is empty.
    #[error("empty card number")]
    Empty,
    /// A character that is not an ASCII digit.
    #[error("`{ch}` at position {position} of `{input}` is not a digit")]
    Char {
        /// The offending text (cut to 64 characters).
        input: String,
        /// The 1-based position of the character.
        position: usize,
        /// The character.
        ch: char,
    },
    /// Digits, but not 20 of them.
    #[error("`{input}` has {len} digits; a card number has 20")]
    Length {
        /// The offending text (cut to 64 characters).
        input: String,
        /// The number of digits.
        len: usize,
    },
    /// The first four digits are not the ETC network code of a province.
    #[error("`{code}` at positions 1 to 4 of `{input}` is not the ETC network code of a province")]
    NetworkCode {
        /// The offending text.
        input: String,
        /// The first four digits.
        code: String,
    },
}

impl CardError {
    /// The offending text (cut to 64 characters); empty for [`CardError::Empty`].
    #[inline]
    pub fn input(&self) -> &str {
        match self {
            CardError::Empty => "",
            CardError::Char { input, .. }
            | CardError::Length { input, .. }
            | CardError::NetworkCode { input, .. } => input,
        }
    }
}

fn cut(s: &str) -> String {
    s.chars().take(64).collect()
}

/// The first character of `s` that is not an ASCII digit, with its 1-based position.
fn first_non_digit(s: &str) -> Option<(usize, char)> {
    s.chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_digit())
        .map(|(i, c)| (i + 1, c))
}

/// The province whose network code is these four bytes (GB/T 2260 prefix + `01`).
fn network_province(code: [u8; 4]) -> Option<Province> {
    match code {
        [a, b, b'0', b'1'] if a.is_ascii_digit() && b.is_ascii_digit() => {
            Province::from_gb2260_prefix((a - b'0') * 10 + (b - b'0'))
        }
        _ => None,
    }
}

/// The text of ASCII digits held inline. Every constructor checks the
/// digits, so the fallback is never taken.
fn digits_str(digits: &[u8]) -> &str {
    std::str::from_utf8(digits).unwrap_or_default()
}

impl CardNumber {
    /// The number of digits in a card number.
    pub const LEN: usize = 20;

    /// Reads a card number.
    ///
    /// # Errors
    /// [`CardError`]: a character that is not a digit (with its position),
    /// a length other than 20, or an unknown network code.
    pub fn parse(s: &str) -> Result<CardNumber, CardError> {
        let Ok(digits) = <[u8; CardNumber::LEN]>::try_from(s.as_bytes()) else {
            return Err(CardNumber::diagnose(s));
        };
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err(CardNumber::diagnose(s));
        }
        let [a, b, c, d, ..] = digits;
        match network_province([a, b, c, d]) {
            Some(province) => Ok(CardNumber { digits, province }),
            None => Err(CardError::NetworkCode {
                input: cut(s),
                code: digits_str(&[a, b, c, d]).to_owned(),
            }),
        }
    }

    /// The error for a text that is not 20 ASCII digits.
    fn diagnose(s: &str) -> CardError {
        if s.is_empty() {
            return CardError::Empty;
        }
        match first_non_digit(s) {
            Some((position, ch)) => CardError::Char {
                input: cut(s),
                position,
                ch,
            },
            // All ASCII digits: bytes are characters.
            None => CardError::Length {
                input: cut(s),
                len: s.len(),
            },
        }
    }

    /// Checks a card number without building one.
    ///
    /// # Errors
    /// As [`CardNumber::parse`].
    pub fn check(s: &str) -> Result<(), CardError> {
        CardNumber::parse(s).map(|_| ())
    }

    /// The 20 digits.
    #[inline]
    pub fn as_str(&self) -> &str {
        digits_str(&self.digits)
    }

    /// The province whose network issued the card.
    #[inline]
    pub fn province(&self) -> Province {
        self.province
    }

    /// The four-digit ETC network code (`4401`).
    #[inline]
    pub fn network_code(&self) -> &str {
        self.as_str().get(..4).unwrap_or_default()
    }

    /// The sixteen-digit internal number after the network code.
    #[inline]
    pub fn internal_number(&self) -> &str {
        self.as_str().get(4..).unwrap_or_default()
    }
}

crate::macros::text_conversions!(CardNumber, CardError);

numeric_code_enum! {
    /// The type of an ETC user card, by its code in the card's issue data
    /// (DOMAIN.md §2): 21 period pass, 22 stored-value (储值卡), 23 debit
    /// (记账卡), and 51–53 their test versions.
    ///
    /// `Display` and serde use the code (`"22"`); `FromStr` accepts the code
    /// or the label. Some issuer APIs number the types differently (1 =
    /// debit, 2 = stored-value): read those with
    /// [`CardType::from_issuer_code`] at import.
    ///
    /// The Chinese labels of 22 and 23 are the ones printed on cards; the
    /// label of 21 (`包期卡`) is this project's choice, no source names it.
    ///
    /// ```
    /// use etc_invoice_order::CardType;
    ///
    /// assert_eq!("22".parse::<CardType>()?, CardType::StoredValue);
    /// assert_eq!(CardType::from_issuer_code("1")?, CardType::Debit);
    /// assert_eq!(CardType::from_issuer_code("23")?, CardType::Debit);
    /// assert!(CardType::TestDebit.is_debit() && CardType::TestDebit.is_test());
    /// assert!("1".parse::<CardType>().is_err());
    /// # Ok::<(), etc_invoice_order::CardTypeError>(())
    /// ```
    pub enum CardType / CardTypeError ("card type", u8) {
        /// 21: a period pass.
        PeriodPass = 21, "包期卡";
        /// 22: a stored-value card (储值卡): top up first, tolls are taken from the balance.
        StoredValue = 22, "储值卡";
        /// 23: a debit card (记账卡): tolls are settled afterwards through a bank.
        Debit = 23, "记账卡";
        /// 51: a test period pass.
        TestPeriodPass = 51, "测试包期卡";
        /// 52: a test stored-value card.
        TestStoredValue = 52, "测试储值卡";
        /// 53: a test debit card.
        TestDebit = 53, "测试记账卡";
    }
}

impl CardType {
    /// Reads a card type as an issuer API may write it: the standard codes
    /// and labels that [`CardType::parse`] accepts, plus the issuer variant
    /// `1` = debit and `2` = stored-value, normalised at import (DOMAIN.md §2).
    ///
    /// # Errors
    /// [`CardTypeError`] for anything else.
    pub fn from_issuer_code(s: &str) -> Result<CardType, CardTypeError> {
        match s.trim() {
            "1" => Ok(CardType::Debit),
            "2" => Ok(CardType::StoredValue),
            _ => CardType::parse(s),
        }
    }

    /// Whether the card is a period pass (21, or its test version 51).
    #[inline]
    pub fn is_period_pass(self) -> bool {
        matches!(self, CardType::PeriodPass | CardType::TestPeriodPass)
    }

    /// Whether the card is a stored-value card (22, or its test version 52).
    #[inline]
    pub fn is_stored_value(self) -> bool {
        matches!(self, CardType::StoredValue | CardType::TestStoredValue)
    }

    /// Whether the card is a debit card (23, or its test version 53).
    #[inline]
    pub fn is_debit(self) -> bool {
        matches!(self, CardType::Debit | CardType::TestDebit)
    }

    /// Whether the card is a test card (51–53).
    #[inline]
    pub fn is_test(self) -> bool {
        self.code() > 50
    }
}

/// An on-board unit id: an OBU network code and an OBU internal number.
///
/// The lengths are not sourced (DOMAIN.md §6), so this is project policy:
/// 16 or 20 ASCII digits, of which the first four are the network code and
/// the rest (12 or 16 digits) the internal number. The network code is
/// not required to be a province's. Held inline and `Copy`.
///
/// ```
/// use etc_invoice_order::{ObuId, Province};
///
/// let o: ObuId = "4401123456789012".parse()?;
/// assert_eq!(o.network_code(), "4401");
/// assert_eq!(o.internal_number(), "123456789012");
/// assert_eq!(o.province(), Some(Province::Guangdong));
/// assert!("44011234".parse::<ObuId>().is_err());
/// # Ok::<(), etc_invoice_order::ObuIdError>(())
/// ```
#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ObuId {
    digits: [u8; 20],
    len: u8,
}

/// Why a text is not an OBU id. Positions count characters from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ObuIdError {
    /// The text is empty.
    #[error("empty OBU id")]
    Empty,
    /// A character that is not an ASCII digit.
    #[error("`{ch}` at position {position} of `{input}` is not a digit")]
    Char {
        /// The offending text (cut to 64 characters).
        input: String,
        /// The 1-based position of the character.
        position: usize,
        /// The character.
        ch: char,
    },
    /// Digits, but neither 16 nor 20 of them.
    #[error("`{input}` has {len} digits; an OBU id has 16 or 20")]
    Length {
        /// The offending text (cut to 64 characters).
        input: String,
        /// The number of digits.
        len: usize,
    },
}

impl ObuIdError {
    /// The offending text (cut to 64 characters); empty for [`ObuIdError::Empty`].
    #[inline]
    pub fn input(&self) -> &str {
        match self {
            ObuIdError::Empty => "",
            ObuIdError::Char { input, .. } | ObuIdError::Length { input, .. } => input,
        }
    }
}

impl ObuId {
    /// Reads an OBU id.
    ///
    /// # Errors
    /// [`ObuIdError`]: a character that is not a digit (with its position)
    /// or a length other than 16 or 20.
    pub fn parse(s: &str) -> Result<ObuId, ObuIdError> {
        if s.is_empty() {
            return Err(ObuIdError::Empty);
        }
        if let Some((position, ch)) = first_non_digit(s) {
            return Err(ObuIdError::Char {
                input: cut(s),
                position,
                ch,
            });
        }
        let bytes = s.as_bytes();
        let mut digits = [0u8; 20];
        match (digits.get_mut(..bytes.len()), u8::try_from(bytes.len())) {
            (Some(slot), Ok(len @ (16 | 20))) => {
                slot.copy_from_slice(bytes);
                Ok(ObuId { digits, len })
            }
            _ => Err(ObuIdError::Length {
                input: cut(s),
                len: bytes.len(),
            }),
        }
    }

    /// Checks an OBU id without building one.
    ///
    /// # Errors
    /// As [`ObuId::parse`].
    pub fn check(s: &str) -> Result<(), ObuIdError> {
        ObuId::parse(s).map(|_| ())
    }

    /// The 16 or 20 digits.
    #[inline]
    pub fn as_str(&self) -> &str {
        digits_str(self.digits.get(..usize::from(self.len)).unwrap_or_default())
    }

    /// The four-digit OBU network code.
    #[inline]
    pub fn network_code(&self) -> &str {
        self.as_str().get(..4).unwrap_or_default()
    }

    /// The OBU internal number after the network code (12 or 16 digits).
    #[inline]
    pub fn internal_number(&self) -> &str {
        self.as_str().get(4..).unwrap_or_default()
    }

    /// The province whose ETC network code the OBU network code is, if any.
    #[inline]
    pub fn province(&self) -> Option<Province> {
        let [a, b, c, d, ..] = self.digits;
        network_province([a, b, c, d])
    }
}

impl PartialEq for ObuId {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for ObuId {}

impl PartialOrd for ObuId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ObuId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for ObuId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

crate::macros::text_conversions!(ObuId, ObuIdError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_numbers_of_every_province() {
        for p in Province::ALL {
            let text = format!("{}0123456789012345", p.network_code());
            let c: CardNumber = text.parse().unwrap();
            assert_eq!(c.province(), p);
            assert_eq!(c.network_code(), p.network_code());
            assert_eq!(c.internal_number(), "0123456789012345");
            assert_eq!(c.to_string(), text);
            assert_eq!(c.as_ref(), text);
            assert_eq!(CardNumber::try_from(text.clone()).unwrap(), c);
            assert_eq!(CardNumber::try_from(text.as_str()).unwrap(), c);
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{text}\""));
            assert_eq!(serde_json::from_str::<CardNumber>(&json).unwrap(), c);
            assert_eq!(String::from(c), text);
        }
        let c: CardNumber = "11011234567890123456".parse().unwrap();
        assert_eq!(format!("{c:?}"), "CardNumber(11011234567890123456)");
        assert!(CardNumber::check("11011234567890123456").is_ok());
    }

    #[test]
    fn card_number_errors() {
        assert_eq!("".parse::<CardNumber>().unwrap_err(), CardError::Empty);
        assert_eq!(CardError::Empty.to_string(), "empty card number");
        assert_eq!(CardError::Empty.input(), "");
        let e = "4401123456789012345X".parse::<CardNumber>().unwrap_err();
        assert_eq!(
            e,
            CardError::Char {
                input: "4401123456789012345X".into(),
                position: 20,
                ch: 'X'
            }
        );
        assert_eq!(
            e.to_string(),
            "`X` at position 20 of `4401123456789012345X` is not a digit"
        );
        let e = "4401 1234567890123456".parse::<CardNumber>().unwrap_err();
        assert!(matches!(
            e,
            CardError::Char {
                position: 5,
                ch: ' ',
                ..
            }
        ));
        let e = "粤4011234567890123".parse::<CardNumber>().unwrap_err();
        assert!(matches!(
            e,
            CardError::Char {
                position: 1,
                ch: '粤',
                ..
            }
        ));
        let e = "440112345678901234567".parse::<CardNumber>().unwrap_err();
        assert_eq!(
            e,
            CardError::Length {
                input: "440112345678901234567".into(),
                len: 21
            }
        );
        assert_eq!(
            e.to_string(),
            "`440112345678901234567` has 21 digits; a card number has 20"
        );
        assert!(matches!(
            "4401".parse::<CardNumber>(),
            Err(CardError::Length { len: 4, .. })
        ));
        for bad in [
            "99011234567890123456",
            "44021234567890123456",
            "00001234567890123456",
            "71011234567890123456",
        ] {
            let e = bad.parse::<CardNumber>().unwrap_err();
            assert!(matches!(e, CardError::NetworkCode { .. }), "{bad}");
            assert_eq!(e.input(), bad);
        }
        assert_eq!(
            "99011234567890123456"
                .parse::<CardNumber>()
                .unwrap_err()
                .to_string(),
            "`9901` at positions 1 to 4 of `99011234567890123456` is not the ETC network code of a province"
        );
        let long = "1".repeat(1 << 20);
        let e = long.parse::<CardNumber>().unwrap_err();
        assert!(matches!(e, CardError::Length { len, .. } if len == 1 << 20));
        assert_eq!(e.input().len(), 64);
        assert!(serde_json::from_str::<CardNumber>("44011234567890123456").is_err());
    }

    #[test]
    fn card_types() {
        for t in CardType::ALL {
            assert_eq!(t.to_string().parse::<CardType>().unwrap(), *t);
            assert_eq!(t.label().parse::<CardType>().unwrap(), *t);
            assert_eq!(CardType::from_issuer_code(&t.to_string()).unwrap(), *t);
            let json = serde_json::to_string(t).unwrap();
            assert_eq!(serde_json::from_str::<CardType>(&json).unwrap(), *t);
            let kinds = [t.is_period_pass(), t.is_stored_value(), t.is_debit()];
            assert_eq!(kinds.iter().filter(|k| **k).count(), 1, "{t:?}");
        }
        assert_eq!(CardType::from_issuer_code("1").unwrap(), CardType::Debit);
        assert_eq!(
            CardType::from_issuer_code(" 2 ").unwrap(),
            CardType::StoredValue
        );
        assert!(CardType::StoredValue.is_stored_value() && !CardType::StoredValue.is_test());
        assert!(CardType::TestStoredValue.is_stored_value() && CardType::TestStoredValue.is_test());
        assert!(CardType::Debit.is_debit() && !CardType::Debit.is_stored_value());
        assert!(CardType::PeriodPass.is_period_pass());
        for bad in ["1", "2", "3", "24", "50", "54", "储值", ""] {
            let e = bad.parse::<CardType>().unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("unknown card type `{bad}` (expected one of: 21, 22, 23, 51, 52, 53)")
            );
        }
        for bad in ["3", "0", "01", "debit"] {
            assert!(CardType::from_issuer_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn obu_ids() {
        for text in [
            "4401123456789012",
            "44011234567890123456",
            "0000000000000000",
        ] {
            let o: ObuId = text.parse().unwrap();
            assert_eq!(o.as_str(), text);
            assert_eq!(o.as_ref(), text);
            assert_eq!(o.to_string(), text);
            assert_eq!(format!("{}{}", o.network_code(), o.internal_number()), text);
            let json = serde_json::to_string(&o).unwrap();
            assert_eq!(serde_json::from_str::<ObuId>(&json).unwrap(), o);
            assert_eq!(ObuId::try_from(text.to_owned()).unwrap(), o);
            assert_eq!(ObuId::try_from(text).unwrap(), o);
            assert_eq!(String::from(o), text);
            assert!(ObuId::check(text).is_ok());
        }
        let short: ObuId = "4401123456789012".parse().unwrap();
        let long: ObuId = "44011234567890120000".parse().unwrap();
        assert_ne!(short, long);
        assert!(short < long);
        assert_eq!(short.province(), Some(Province::Guangdong));
        assert_eq!(
            "0000000000000000".parse::<ObuId>().unwrap().province(),
            None
        );
        assert_eq!(format!("{short:?}"), "ObuId(4401123456789012)");
        assert_eq!(short.internal_number().len(), 12);
        assert_eq!(long.internal_number().len(), 16);
    }

    #[test]
    fn obu_id_errors() {
        assert_eq!("".parse::<ObuId>().unwrap_err(), ObuIdError::Empty);
        assert_eq!(ObuIdError::Empty.to_string(), "empty OBU id");
        assert_eq!(ObuIdError::Empty.input(), "");
        let e = "44011234567890A2".parse::<ObuId>().unwrap_err();
        assert_eq!(
            e,
            ObuIdError::Char {
                input: "44011234567890A2".into(),
                position: 15,
                ch: 'A'
            }
        );
        assert_eq!(
            e.to_string(),
            "`A` at position 15 of `44011234567890A2` is not a digit"
        );
        for (bad, len) in [
            ("440112345678901", 15),
            ("44011234567890123", 17),
            ("440112345678901234567", 21),
        ] {
            let e = bad.parse::<ObuId>().unwrap_err();
            assert_eq!(
                e,
                ObuIdError::Length {
                    input: bad.into(),
                    len
                }
            );
            assert_eq!(e.input(), bad);
        }
        assert_eq!(
            "123".parse::<ObuId>().unwrap_err().to_string(),
            "`123` has 3 digits; an OBU id has 16 or 20"
        );
    }
}
