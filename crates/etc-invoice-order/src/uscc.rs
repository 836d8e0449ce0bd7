//! Unified social credit codes (GB 32100-2015) and taxpayer ids.

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

use crate::Province;

/// The 31 characters of a unified social credit code, in value order
/// (no `I`, `O`, `S`, `V`, `Z`).
pub(crate) const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of the first 17 characters: `3^i mod 31`.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// The weights of all 18 positions: the check character weighs nothing.
const WEIGHTS_18: [u32; 18] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28, 0,
];

/// The largest value allowed at each position: digits only in the
/// division code (positions 3 to 8).
const LIMITS: [u8; 18] = [
    30, 30, 9, 9, 9, 9, 9, 9, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
];

/// Not a character of the alphabet.
const NONE: u8 = 0xFF;

/// The value of each byte in the alphabet (lower case too), or [`NONE`].
#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: a bad index fails the build, not a parse"
)]
const VALUES: [u8; 256] = {
    let mut table = [NONE; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        let c = ALPHABET[i];
        table[c as usize] = i as u8;
        table[c.to_ascii_lowercase() as usize] = i as u8;
        i += 1;
    }
    table
};

fn value(b: u8) -> u8 {
    VALUES.get(usize::from(b)).copied().unwrap_or(NONE)
}

/// The check character for a weighted sum of the first 17 values.
fn check_char(sum: u32) -> u8 {
    let index = (31 - sum % 31) % 31;
    ALPHABET.get(index as usize).copied().unwrap_or(b'0')
}

/// The check character of the first 17 characters of a credit code, or
/// `None` when one is outside the alphabet (for the proptest strategies).
#[cfg_attr(
    not(any(test, feature = "proptest")),
    expect(dead_code, reason = "used by the proptest strategies and tests")
)]
pub(crate) fn uscc_check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (b, w) in first17.bytes().zip(WEIGHTS) {
        let v = value(b);
        if v == NONE {
            return None;
        }
        sum += u32::from(v) * w;
    }
    Some(char::from(check_char(sum)))
}

/// The GB 11714 check character of an 8-character organisation-code body
/// (digits and upper-case letters): weights 3 7 9 10 5 8 4 2,
/// `c = 11 − Σ mod 11`, 10 → `X`, 11 → `0`. `None` when the body is not
/// eight digits and upper-case ASCII letters.
pub(crate) fn gb11714_check_char(body: &[u8]) -> Option<char> {
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    if body.len() != W.len() {
        return None;
    }
    let mut sum = 0u32;
    for (&b, w) in body.iter().zip(W) {
        let v = match b {
            b'0'..=b'9' => b - b'0',
            b'A'..=b'Z' => b - b'A' + 10,
            _ => return None,
        };
        sum += u32::from(v) * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        c => char::from_digit(c, 10).unwrap_or('0'),
    })
}

fn cut(s: &str) -> String {
    s.chars().take(64).collect()
}

/// A unified social credit code (统一社会信用代码, GB 32100-2015).
///
/// 18 characters from `0123456789ABCDEFGHJKLMNPQRTUWXY`: registration
/// authority (`9` for market regulation; `1`, `5`, `A`, `N`, `Y` and others
/// exist, and any character of the alphabet is accepted), organisation
/// category, 6-digit GB/T 2260 division code, 9-character GB 11714
/// organisation code, and a check character over the first 17.
///
/// The check of the embedded organisation code is *not* part of parsing:
/// a few codes in the wild pass the outer check and fail the inner one, and
/// they are real codes. Ask for it with [`Uscc::organisation_code_check`].
///
/// **Case**: ASCII lower-case letters are accepted and stored in upper case.
/// Nothing is trimmed.
///
/// Held inline (no allocation) and `Copy`.
///
/// ```
/// use etc_invoice_order::{Province, Uscc, UsccError};
///
/// let u: Uscc = "91310115ma1k3btp2b".parse()?;
/// assert_eq!(u.as_str(), "91310115MA1K3BTP2B");
/// assert_eq!(u.registration_authority(), '9');
/// assert_eq!(u.organisation_category(), '1');
/// assert_eq!(u.division_code(), "310115");
/// assert_eq!(u.province(), Some(Province::Shanghai));
/// assert_eq!(u.organisation_code(), "MA1K3BTP2");
/// assert_eq!(u.check_char(), 'B');
/// assert!(u.organisation_code_check().is_ok());
///
/// // A code pasted through a spreadsheet's 15-significant-digit limit.
/// let err = "911522010783762000".parse::<Uscc>().unwrap_err();
/// assert!(matches!(err, UsccError::Truncated { .. }));
/// # Ok::<(), UsccError>(())
/// ```
#[derive(Clone, Copy, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc([u8; Uscc::LEN]);

impl std::hash::Hash for Uscc {
    /// As the bytes (equal codes have equal bytes).
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl PartialEq for Uscc {
    /// The same bytes, compared as two words (sellers are compared for
    /// every segment a plan places).
    #[inline]
    fn eq(&self, other: &Uscc) -> bool {
        let words = |c: &[u8; Uscc::LEN]| {
            (
                c.first_chunk::<16>().map(|w| u128::from_le_bytes(*w)),
                c.last_chunk::<2>().copied(),
            )
        };
        words(&self.0) == words(&other.0)
    }
}

/// Why a text is not a unified social credit code. Positions count
/// characters from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsccError {
    /// The text is empty.
    #[error("empty unified social credit code")]
    Empty,
    /// Not 18 characters.
    #[error("`{input}` has {len} characters; a unified social credit code has 18")]
    Length {
        /// The offending text (cut to 64 characters).
        input: String,
        /// Its length in characters.
        len: usize,
    },
    /// A character outside the code's alphabet.
    #[error(
        "`{ch}` at position {position} of `{input}` is not allowed in a unified social credit code (digits and letters except I, O, S, V and Z)"
    )]
    Char {
        /// The offending text (cut to 64 characters).
        input: String,
        /// The 1-based position of the character.
        position: usize,
        /// The character, as written.
        ch: char,
    },
    /// A character that is not a digit in the division code (positions 3 to 8).
    #[error(
        "`{ch}` at position {position} of `{input}` is not a digit (positions 3 to 8 are a division code)"
    )]
    Division {
        /// The offending text (cut to 64 characters).
        input: String,
        /// The 1-based position of the character.
        position: usize,
        /// The character, as written.
        ch: char,
    },
    /// The check character does not match the first 17.
    #[error(
        "`{found}` at position 18 of `{input}` is not the check character (expected `{expected}`)"
    )]
    Checksum {
        /// The offending text.
        input: String,
        /// The check character the first 17 call for.
        expected: char,
        /// The check character found, as written.
        found: char,
    },
    /// All digits, ending in `000`, and failing the check: the signature of
    /// a code stored as a number in a spreadsheet, which keeps only 15
    /// significant digits.
    #[error(
        "`{input}` fails its check and ends in `000`: it looks cut to 15 significant digits by a spreadsheet (keep the code as text)"
    )]
    Truncated {
        /// The offending text.
        input: String,
    },
    /// A number in scientific notation (`9.1110000600037E+17`), as a
    /// spreadsheet shows a long number.
    #[error(
        "`{input}` is a spreadsheet number in scientific notation, not a unified social credit code (keep the code as text)"
    )]
    ScientificNotation {
        /// The offending text (cut to 64 characters).
        input: String,
    },
}

impl UsccError {
    /// The offending text (cut to 64 characters); empty for [`UsccError::Empty`].
    pub fn input(&self) -> &str {
        match self {
            UsccError::Empty => "",
            UsccError::Length { input, .. }
            | UsccError::Char { input, .. }
            | UsccError::Division { input, .. }
            | UsccError::Checksum { input, .. }
            | UsccError::Truncated { input }
            | UsccError::ScientificNotation { input } => input,
        }
    }

    /// Whether the text looks damaged by a spreadsheet (cut to 15
    /// significant digits, or shown in scientific notation).
    #[inline]
    pub fn is_spreadsheet_damage(&self) -> bool {
        matches!(
            self,
            UsccError::Truncated { .. } | UsccError::ScientificNotation { .. }
        )
    }
}

/// The organisation code inside a unified social credit code fails its own
/// GB 11714 check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OrganisationCodeError {
    /// The check character (position 9 of the organisation code, 17 of the
    /// credit code) does not match the first eight.
    #[error(
        "`{found}` at position 9 of organisation code `{code}` is not its check character (expected `{expected}`)"
    )]
    Checksum {
        /// The nine-character organisation code.
        code: String,
        /// The check character the first eight call for.
        expected: char,
        /// The check character found.
        found: char,
    },
}

/// Whether `s` looks like `9.1110000600037E+17`.
fn is_scientific_notation(s: &str) -> bool {
    let Some((mantissa, exponent)) = s.split_once(['E', 'e']) else {
        return false;
    };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && !exponent.is_empty()
        && [int, frac, exponent]
            .iter()
            .all(|part| part.bytes().all(|b| b.is_ascii_digit()))
}

impl Uscc {
    /// The number of characters in a unified social credit code.
    pub const LEN: usize = 18;

    /// Reads a unified social credit code, upper-casing ASCII letters.
    ///
    /// # Errors
    /// [`UsccError`]: a wrong length, a character outside the alphabet or a
    /// non-digit in the division code (with its position), a wrong check
    /// character, or the marks of spreadsheet damage.
    pub fn parse(s: &str) -> Result<Uscc, UsccError> {
        let Ok(raw) = <[u8; Uscc::LEN]>::try_from(s.as_bytes()) else {
            return Err(Uscc::diagnose(s));
        };
        // One branch-free pass: a byte outside the alphabet has the value
        // `NONE`, above every limit, so one flag catches it and letters in
        // the division code alike.
        let mut sum = 0u32;
        let mut bad = false;
        for ((&b, &limit), &weight) in raw.iter().zip(&LIMITS).zip(&WEIGHTS_18) {
            let v = value(b);
            bad |= v > limit;
            sum += u32::from(v) * weight;
        }
        if bad {
            return Err(Uscc::diagnose(s));
        }
        let [.., found] = raw;
        let expected = check_char(sum);
        if found.to_ascii_uppercase() == expected {
            Ok(Uscc(raw.map(|b| b.to_ascii_uppercase())))
        } else if raw.iter().all(u8::is_ascii_digit) && raw.ends_with(b"000") {
            Err(UsccError::Truncated {
                input: s.to_owned(),
            })
        } else {
            Err(UsccError::Checksum {
                input: s.to_owned(),
                expected: char::from(expected),
                found: char::from(found),
            })
        }
    }

    /// The error for a text that fails before the check: wrong length, or
    /// a character that is not allowed where it stands.
    fn diagnose(s: &str) -> UsccError {
        if s.is_empty() {
            return UsccError::Empty;
        }
        if is_scientific_notation(s) {
            return UsccError::ScientificNotation { input: cut(s) };
        }
        let len = s.chars().count();
        if len != Uscc::LEN {
            return UsccError::Length { input: cut(s), len };
        }
        for (i, ch) in s.chars().enumerate() {
            let v = u8::try_from(ch).map_or(NONE, value);
            if v == NONE {
                return UsccError::Char {
                    input: cut(s),
                    position: i + 1,
                    ch,
                };
            }
            if v > 9 && (2..8).contains(&i) {
                return UsccError::Division {
                    input: cut(s),
                    position: i + 1,
                    ch,
                };
            }
        }
        // Not reached: 18 characters of the alphabet are 18 bytes, which
        // `parse` reads itself.
        UsccError::Length { input: cut(s), len }
    }

    /// Checks a unified social credit code without building one.
    ///
    /// # Errors
    /// As [`Uscc::parse`].
    pub fn check(s: &str) -> Result<(), UsccError> {
        Uscc::parse(s).map(|_| ())
    }

    /// The 18 characters, in upper case.
    #[inline]
    pub fn as_str(&self) -> &str {
        // Every byte comes from `ALPHABET`, so the fallback is never taken.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    fn char_at(&self, i: usize) -> char {
        self.0.get(i).copied().map_or('0', char::from)
    }

    /// Position 1: the registration authority (`9` market regulation,
    /// `1` government organs, `5` civil affairs …).
    #[inline]
    pub fn registration_authority(&self) -> char {
        self.char_at(0)
    }

    /// Position 2: the organisation category within the authority.
    #[inline]
    pub fn organisation_category(&self) -> char {
        self.char_at(1)
    }

    /// Positions 3–8: the GB/T 2260 division code of the registering office.
    #[inline]
    pub fn division_code(&self) -> &str {
        self.as_str().get(2..8).unwrap_or_default()
    }

    /// The province of the division code, if it names one (`None` for
    /// central-government codes starting `10` and the like).
    #[inline]
    pub fn province(&self) -> Option<Province> {
        // Positions 3 and 4 are digits: `parse` checks the division code.
        let [_, _, a, b, ..] = self.0;
        Province::from_gb2260_prefix((a - b'0') * 10 + (b - b'0'))
    }

    /// Positions 9–17: the GB 11714 organisation code, its own check
    /// character last.
    #[inline]
    pub fn organisation_code(&self) -> &str {
        self.as_str().get(8..17).unwrap_or_default()
    }

    /// Position 18: the check character.
    #[inline]
    pub fn check_char(&self) -> char {
        self.char_at(17)
    }

    /// Checks the embedded organisation code against its own GB 11714
    /// check character. Parsing does not: see the type's documentation.
    ///
    /// # Errors
    /// [`OrganisationCodeError::Checksum`] when the check character is wrong.
    pub fn organisation_code_check(&self) -> Result<(), OrganisationCodeError> {
        let code = self.organisation_code();
        let (body, found) = code.split_at_checked(8).unwrap_or((code, ""));
        let found = found.chars().next().unwrap_or_default();
        match gb11714_check_char(body.as_bytes()) {
            Some(expected) if expected == found => Ok(()),
            expected => Err(OrganisationCodeError::Checksum {
                code: code.to_owned(),
                expected: expected.unwrap_or('?'),
                found,
            }),
        }
    }
}

crate::macros::text_conversions!(Uscc, UsccError);

/// A taxpayer id (纳税人识别号): a unified social credit code, or a legacy
/// id from before the credit code of 15, 17 or 20 digits and letters
/// (DOMAIN.md §6).
///
/// An 18-character text must be a valid [`Uscc`]; there is no 18-character
/// legacy form. ASCII lower case is accepted and stored in upper case, as
/// for [`Uscc`]. Nothing is trimmed.
///
/// ```
/// use etc_invoice_order::TaxpayerId;
///
/// let t: TaxpayerId = "91110000600037341L".parse()?;
/// assert!(!t.is_legacy());
/// assert_eq!(t.as_uscc().map(|u| u.division_code()), Some("110000"));
///
/// let legacy: TaxpayerId = "440301715267267".parse()?;
/// assert!(legacy.is_legacy());
/// assert_eq!(legacy.as_uscc(), None);
/// assert_eq!(legacy.as_str(), "440301715267267");
/// # Ok::<(), etc_invoice_order::TaxpayerIdError>(())
/// ```
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TaxpayerId(TaxpayerRepr);

#[derive(Clone)]
enum TaxpayerRepr {
    Uscc(Uscc),
    Legacy(String),
}

/// Why a text is not a taxpayer id. Positions count characters from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TaxpayerIdError {
    /// The text is empty.
    #[error("empty taxpayer id")]
    Empty,
    /// Not 15, 17, 18 or 20 characters.
    #[error("`{input}` has {len} characters; a taxpayer id has 15, 17, 18 or 20")]
    Length {
        /// The offending text (cut to 64 characters).
        input: String,
        /// Its length in characters.
        len: usize,
    },
    /// A character that is neither an ASCII digit nor a letter.
    #[error(
        "`{ch}` at position {position} of `{input}` is not allowed in a taxpayer id (digits and letters only)"
    )]
    Char {
        /// The offending text (cut to 64 characters).
        input: String,
        /// The 1-based position of the character.
        position: usize,
        /// The character, as written.
        ch: char,
    },
    /// An 18-character id that is not a valid unified social credit code.
    #[error(transparent)]
    Uscc(#[from] UsccError),
}

impl TaxpayerIdError {
    /// The offending text (cut to 64 characters); empty for [`TaxpayerIdError::Empty`].
    #[inline]
    pub fn input(&self) -> &str {
        match self {
            TaxpayerIdError::Empty => "",
            TaxpayerIdError::Length { input, .. } | TaxpayerIdError::Char { input, .. } => input,
            TaxpayerIdError::Uscc(e) => e.input(),
        }
    }
}

impl TaxpayerId {
    /// Reads a taxpayer id, upper-casing ASCII letters.
    ///
    /// # Errors
    /// [`TaxpayerIdError`]: a character that is not a digit or letter (with
    /// its position), a length other than 15, 17, 18 or 20, or an
    /// 18-character text that is not a valid credit code.
    pub fn parse(s: &str) -> Result<TaxpayerId, TaxpayerIdError> {
        if s.is_empty() {
            return Err(TaxpayerIdError::Empty);
        }
        if s.len() == Uscc::LEN && s.is_ascii() {
            return Ok(TaxpayerId(TaxpayerRepr::Uscc(Uscc::parse(s)?)));
        }
        if let Some((i, ch)) = s
            .chars()
            .enumerate()
            .find(|(_, c)| !c.is_ascii_alphanumeric())
        {
            return Err(TaxpayerIdError::Char {
                input: cut(s),
                position: i + 1,
                ch,
            });
        }
        // All ASCII: bytes are characters.
        match s.len() {
            15 | 17 | 20 => Ok(TaxpayerId(TaxpayerRepr::Legacy(s.to_ascii_uppercase()))),
            len => Err(TaxpayerIdError::Length { input: cut(s), len }),
        }
    }

    /// Checks a taxpayer id without building one.
    ///
    /// # Errors
    /// As [`TaxpayerId::parse`].
    pub fn check(s: &str) -> Result<(), TaxpayerIdError> {
        TaxpayerId::parse(s).map(|_| ())
    }

    /// The id, in upper case.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            TaxpayerRepr::Uscc(u) => u.as_str(),
            TaxpayerRepr::Legacy(s) => s,
        }
    }

    /// The unified social credit code, when the id is one.
    #[inline]
    pub fn as_uscc(&self) -> Option<&Uscc> {
        match &self.0 {
            TaxpayerRepr::Uscc(u) => Some(u),
            TaxpayerRepr::Legacy(_) => None,
        }
    }

    /// Whether this is a legacy id rather than a unified social credit code.
    #[inline]
    pub fn is_legacy(&self) -> bool {
        matches!(self.0, TaxpayerRepr::Legacy(_))
    }
}

impl From<Uscc> for TaxpayerId {
    fn from(u: Uscc) -> TaxpayerId {
        TaxpayerId(TaxpayerRepr::Uscc(u))
    }
}

impl PartialEq for TaxpayerId {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for TaxpayerId {}

impl PartialOrd for TaxpayerId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for TaxpayerId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for TaxpayerId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

crate::macros::text_conversions!(TaxpayerId, TaxpayerIdError);

#[cfg(test)]
mod tests {
    use super::*;

    /// Appends the right check character to 17 characters.
    fn with_check(first17: &str) -> String {
        let sum: u32 = first17
            .bytes()
            .zip(WEIGHTS)
            .map(|(b, w)| u32::from(value(b)) * w)
            .sum();
        format!("{first17}{}", char::from(check_char(sum)))
    }

    #[test]
    fn tables() {
        assert_eq!(ALPHABET.len(), 31);
        for (i, w) in WEIGHTS.iter().enumerate() {
            assert_eq!(*w, 3u32.pow(i as u32) % 31);
            assert_eq!(WEIGHTS_18[i], *w);
        }
        assert_eq!(WEIGHTS_18[17], 0);
        for c in b"IOSVZioszv-" {
            assert_eq!(value(*c), NONE);
        }
        assert_eq!(value(b'y'), 30);
        assert_eq!(uscc_check_char("91110000600037341"), Some('L'));
        assert_eq!(uscc_check_char("9111000060003734"), None);
        assert_eq!(uscc_check_char("9111000060003734I"), None);
    }

    #[test]
    fn parts() {
        let u: Uscc = "91110000600037341L".parse().unwrap();
        assert_eq!(u.registration_authority(), '9');
        assert_eq!(u.organisation_category(), '1');
        assert_eq!(u.division_code(), "110000");
        assert_eq!(u.province(), Some(Province::Beijing));
        assert_eq!(u.organisation_code(), "600037341");
        assert_eq!(u.check_char(), 'L');
        assert_eq!(u.organisation_code_check(), Ok(()));
        assert_eq!(format!("{u:?}"), "Uscc(91110000600037341L)");
        assert_eq!(u.as_ref(), "91110000600037341L");
        assert_eq!(String::from(u), "91110000600037341L");
        assert!(Uscc::check("91110000600037341L").is_ok());
        assert_eq!(Uscc::try_from("91110000600037341L").unwrap(), u);
        let json = serde_json::to_string(&u).unwrap();
        assert_eq!(serde_json::from_str::<Uscc>(&json).unwrap(), u);
        assert_eq!(
            Uscc::try_from(json.trim_matches('"').to_owned()).unwrap(),
            u
        );
        // A central-government division code names no province.
        let central: Uscc = with_check("11100000MB0143553").parse().unwrap();
        assert_eq!(central.province(), None);
    }

    #[test]
    fn every_registration_authority() {
        for &a in ALPHABET {
            let code = with_check(&format!("{}1440300715267267", char::from(a)));
            let u: Uscc = code.parse().unwrap_or_else(|e| panic!("{code}: {e}"));
            assert_eq!(u.registration_authority(), char::from(a));
        }
    }

    #[test]
    fn lower_case_is_normalised() {
        let u: Uscc = "9144030071526726xg".parse().unwrap();
        assert_eq!(u.as_str(), "9144030071526726XG");
        assert_eq!(u, "9144030071526726XG".parse().unwrap());
    }

    #[test]
    fn organisation_code_check_is_separate() {
        // Passes the outer check; the inner organisation code is wrong.
        let code = with_check("91440300715267260");
        let u: Uscc = code.parse().unwrap();
        let e = u.organisation_code_check().unwrap_err();
        assert_eq!(
            e,
            OrganisationCodeError::Checksum {
                code: "715267260".into(),
                expected: 'X',
                found: '0'
            }
        );
        assert_eq!(
            e.to_string(),
            "`0` at position 9 of organisation code `715267260` is not its check character (expected `X`)"
        );
        assert_eq!(gb11714_check_char(b"60003734"), Some('1'));
        assert_eq!(gb11714_check_char(b"MA1K3BTP"), Some('2'));
        assert_eq!(gb11714_check_char(b"6000373"), None);
        assert_eq!(gb11714_check_char(b"6000373-"), None);
        // c = 11 → `0`: Σ mod 11 = 0.
        assert_eq!(gb11714_check_char(b"00000000"), Some('0'));
    }

    #[test]
    fn errors() {
        assert_eq!("".parse::<Uscc>().unwrap_err(), UsccError::Empty);
        assert_eq!(
            UsccError::Empty.to_string(),
            "empty unified social credit code"
        );
        assert_eq!(UsccError::Empty.input(), "");

        let e = "12345".parse::<Uscc>().unwrap_err();
        assert_eq!(
            e,
            UsccError::Length {
                input: "12345".into(),
                len: 5
            }
        );
        assert_eq!(
            e.to_string(),
            "`12345` has 5 characters; a unified social credit code has 18"
        );
        assert!(matches!(
            "91110000600037341LL".parse::<Uscc>(),
            Err(UsccError::Length { len: 19, .. })
        ));
        // 18 bytes, 6 characters.
        assert!(matches!(
            "统一社会信用".parse::<Uscc>(),
            Err(UsccError::Length { len: 6, .. })
        ));

        let e = "9111000060003IOZSV".parse::<Uscc>().unwrap_err();
        assert_eq!(
            e,
            UsccError::Char {
                input: "9111000060003IOZSV".into(),
                position: 14,
                ch: 'I'
            }
        );
        assert_eq!(
            e.to_string(),
            "`I` at position 14 of `9111000060003IOZSV` is not allowed in a unified social credit code (digits and letters except I, O, S, V and Z)"
        );
        assert!(matches!(
            "9111000060003734统L".parse::<Uscc>(),
            Err(UsccError::Char {
                position: 17,
                ch: '统',
                ..
            })
        ));
        assert!(matches!(
            "91110000600037341-".parse::<Uscc>(),
            Err(UsccError::Char {
                position: 18,
                ch: '-',
                ..
            })
        ));

        let e = "9111A000600037341L".parse::<Uscc>().unwrap_err();
        assert_eq!(
            e,
            UsccError::Division {
                input: "9111A000600037341L".into(),
                position: 5,
                ch: 'A'
            }
        );
        assert!(
            e.to_string()
                .contains("positions 3 to 8 are a division code")
        );

        let e = "91110000600037341N".parse::<Uscc>().unwrap_err();
        assert_eq!(
            e,
            UsccError::Checksum {
                input: "91110000600037341N".into(),
                expected: 'L',
                found: 'N'
            }
        );
        assert_eq!(
            e.to_string(),
            "`N` at position 18 of `91110000600037341N` is not the check character (expected `L`)"
        );
        assert!(!e.is_spreadsheet_damage());
        // Lower case is reported as written.
        assert!(matches!(
            "91110000600037341n".parse::<Uscc>(),
            Err(UsccError::Checksum {
                expected: 'L',
                found: 'n',
                ..
            })
        ));
    }

    #[test]
    fn spreadsheet_damage() {
        // 911522010783762860 through a 15-significant-digit spreadsheet.
        let e = "911522010783762000".parse::<Uscc>().unwrap_err();
        assert_eq!(
            e,
            UsccError::Truncated {
                input: "911522010783762000".into()
            }
        );
        assert_eq!(
            e.to_string(),
            "`911522010783762000` fails its check and ends in `000`: it looks cut to 15 significant digits by a spreadsheet (keep the code as text)"
        );
        assert!(e.is_spreadsheet_damage());
        assert_eq!(e.input(), "911522010783762000");
        // Ending in 000 with a letter is an ordinary check failure.
        assert!(matches!(
            "91152201078376A000".parse::<Uscc>(),
            Err(UsccError::Checksum { .. })
        ));
        for s in ["9.11522010783762E+17", "9.11522010783762e17", "9E+17"] {
            let e = s.parse::<Uscc>().unwrap_err();
            assert_eq!(e, UsccError::ScientificNotation { input: s.into() }, "{s}");
            assert!(e.is_spreadsheet_damage());
            assert!(e.to_string().contains("scientific notation"));
        }
        assert!(matches!(
            "E+17".parse::<Uscc>(),
            Err(UsccError::Length { .. })
        ));
        assert!(matches!(
            "9.1E+".parse::<Uscc>(),
            Err(UsccError::Length { .. })
        ));
    }

    #[test]
    fn hostile_input() {
        let long = "9".repeat(1 << 20);
        let e = long.parse::<Uscc>().unwrap_err();
        assert_eq!(
            e,
            UsccError::Length {
                input: "9".repeat(64),
                len: 1 << 20
            }
        );
        for s in ["\u{0}", "🦀🦀🦀🦀🦀🦀🦀🦀🦀", "9111000060003734\u{0}L", "é"] {
            assert!(s.parse::<Uscc>().is_err(), "{s}");
        }
    }

    #[test]
    fn taxpayer_ids() {
        let t: TaxpayerId = "91110000600037341l".parse().unwrap();
        assert_eq!(t.as_str(), "91110000600037341L");
        assert!(!t.is_legacy());
        assert_eq!(
            t.as_uscc(),
            Some(&"91110000600037341L".parse::<Uscc>().unwrap())
        );
        assert_eq!(t, TaxpayerId::from(*t.as_uscc().unwrap()));
        assert_eq!(format!("{t:?}"), "TaxpayerId(91110000600037341L)");
        for legacy in [
            "440301715267267",
            "44030171526726712",
            "4403017152672671234x",
        ] {
            let t: TaxpayerId = legacy.parse().unwrap();
            assert!(t.is_legacy());
            assert_eq!(t.as_uscc(), None);
            assert_eq!(t.as_str(), legacy.to_ascii_uppercase());
            assert_eq!(t.to_string().parse::<TaxpayerId>().unwrap(), t);
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(serde_json::from_str::<TaxpayerId>(&json).unwrap(), t);
            assert_eq!(String::from(t.clone()), legacy.to_ascii_uppercase());
            assert_eq!(t.as_ref(), legacy.to_ascii_uppercase());
        }
        let a: TaxpayerId = "440301715267267".parse().unwrap();
        let b: TaxpayerId = "91110000600037341L".parse().unwrap();
        assert!(a < b);
        assert_eq!(String::from(b.clone()), "91110000600037341L");
        assert!(TaxpayerId::check("91110000600037341L").is_ok());
        assert!(TaxpayerId::try_from("91110000600037341L".to_owned()).is_ok());
        assert!(TaxpayerId::try_from("440301715267267").is_ok());
    }

    #[test]
    fn taxpayer_id_errors() {
        assert_eq!(
            "".parse::<TaxpayerId>().unwrap_err(),
            TaxpayerIdError::Empty
        );
        assert_eq!(TaxpayerIdError::Empty.to_string(), "empty taxpayer id");
        assert_eq!(TaxpayerIdError::Empty.input(), "");
        let e = "4403017152672".parse::<TaxpayerId>().unwrap_err();
        assert_eq!(
            e,
            TaxpayerIdError::Length {
                input: "4403017152672".into(),
                len: 13
            }
        );
        assert_eq!(
            e.to_string(),
            "`4403017152672` has 13 characters; a taxpayer id has 15, 17, 18 or 20"
        );
        assert_eq!(e.input(), "4403017152672");
        for len in [1, 14, 16, 19, 21] {
            assert!(matches!(
                "1".repeat(len).parse::<TaxpayerId>(),
                Err(TaxpayerIdError::Length { .. })
            ));
        }
        let e = "4403017152-7267".parse::<TaxpayerId>().unwrap_err();
        assert_eq!(
            e,
            TaxpayerIdError::Char {
                input: "4403017152-7267".into(),
                position: 11,
                ch: '-'
            }
        );
        assert_eq!(
            e.to_string(),
            "`-` at position 11 of `4403017152-7267` is not allowed in a taxpayer id (digits and letters only)"
        );
        assert!(matches!(
            "4403017152672统7".parse::<TaxpayerId>(),
            Err(TaxpayerIdError::Char {
                position: 14,
                ch: '统',
                ..
            })
        ));
        let e = "91110000600037341N".parse::<TaxpayerId>().unwrap_err();
        assert!(matches!(
            e,
            TaxpayerIdError::Uscc(UsccError::Checksum { .. })
        ));
        assert_eq!(e.input(), "91110000600037341N");
        assert_eq!(
            e.to_string(),
            "`N` at position 18 of `91110000600037341N` is not the check character (expected `L`)"
        );
        assert!(matches!(
            "911522010783762000".parse::<TaxpayerId>(),
            Err(TaxpayerIdError::Uscc(UsccError::Truncated { .. }))
        ));
        assert!(matches!(
            "9111000060003IOZSV".parse::<TaxpayerId>(),
            Err(TaxpayerIdError::Uscc(UsccError::Char { .. }))
        ));
    }
}
