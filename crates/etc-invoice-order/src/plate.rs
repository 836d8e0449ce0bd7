//! Vehicle plate numbers under GA 36-2018.

use serde::{Deserialize, Serialize};

use crate::Province;
use crate::macros::code_enum;

code_enum! {
    /// The kind of a plate number, told by its shape (GA 36-2018, DOMAIN.md §6).
    ///
    /// The wire names are camelCase (`newEnergySmall`); the test-vector names
    /// `normal`, `nev-small`, `nev-large` and the single suffix characters
    /// (`挂`, `港` …) are accepted as aliases.
    pub enum PlateKind / PlateKindError ("plate kind") {
        /// An ordinary plate: province, authority letter and five characters
        /// with at most two letters (`粤E12345`, `粤E123A4`).
        Ordinary = "ordinary", "普通", "normal";
        /// A small new-energy plate: province, authority letter, a letter
        /// `A`–`K` (not `I`), a letter or digit and four digits (`粤BD12345`).
        NewEnergySmall = "newEnergySmall", "小型新能源", "nev-small";
        /// A large new-energy plate: province, authority letter, five digits
        /// and a letter `A`–`K` (not `I`) (`粤E12345B`).
        NewEnergyLarge = "newEnergyLarge", "大型新能源", "nev-large";
        /// A trailer plate, ending in `挂` (`粤E1234挂`).
        Trailer = "trailer", "挂车", "挂";
        /// A driving-school coach plate, ending in `学` (`粤E1234学`).
        Coach = "coach", "教练", "学";
        /// A police plate, ending in `警` (`粤E1234警`).
        Police = "police", "警用", "警";
        /// A test-vehicle plate, ending in `试` (`粤E1234试`).
        Test = "test", "试验", "试";
        /// An oversize-vehicle plate, ending in `超` (`粤E1234超`).
        Oversize = "oversize", "超限", "超";
        /// A Hong Kong cross-border plate: `粤Z`, four characters, `港` (`粤Z0000港`).
        HongKong = "hongKong", "香港入出境", "港";
        /// A Macau cross-border plate: `粤Z`, four characters, `澳` (`粤Z1234澳`).
        Macau = "macau", "澳门入出境", "澳";
        /// An embassy plate: six digits and `使`, no province (`224578使`).
        Embassy = "embassy", "使馆", "使";
        /// A consulate plate: province, four digits, a digit or letter and
        /// `领` (`沪22478领`, `沪2247A领`).
        Consulate = "consulate", "领馆", "领";
    }
}

impl PlateKind {
    /// The character that ends a plate of this kind (`挂`, `港`, `使` …), if any.
    pub fn suffix(self) -> Option<char> {
        match self {
            PlateKind::Ordinary | PlateKind::NewEnergySmall | PlateKind::NewEnergyLarge => None,
            PlateKind::Trailer => Some('挂'),
            PlateKind::Coach => Some('学'),
            PlateKind::Police => Some('警'),
            PlateKind::Test => Some('试'),
            PlateKind::Oversize => Some('超'),
            PlateKind::HongKong => Some('港'),
            PlateKind::Macau => Some('澳'),
            PlateKind::Embassy => Some('使'),
            PlateKind::Consulate => Some('领'),
        }
    }

    /// Whether this is a new-energy (green) plate.
    #[inline]
    pub fn is_new_energy(self) -> bool {
        matches!(self, PlateKind::NewEnergySmall | PlateKind::NewEnergyLarge)
    }

    fn from_suffix(c: char) -> Option<PlateKind> {
        Some(match c {
            '挂' => PlateKind::Trailer,
            '学' => PlateKind::Coach,
            '警' => PlateKind::Police,
            '试' => PlateKind::Test,
            '超' => PlateKind::Oversize,
            '港' => PlateKind::HongKong,
            '澳' => PlateKind::Macau,
            '使' => PlateKind::Embassy,
            '领' => PlateKind::Consulate,
            _ => return None,
        })
    }
}

/// A vehicle plate number under GA 36-2018 (DOMAIN.md §6).
///
/// A plate is a province abbreviation (`粤`), an issuing-authority letter
/// (`A`–`Z` except `I`; `O` is allowed here, as in `粤OD12345`) and a
/// sequence whose shape gives the [`PlateKind`]: five characters for an
/// ordinary plate, six for a new-energy plate, four and a suffix character
/// (`挂 学 警 试 超`) for the suffix kinds, `粤Z` + four + `港`/`澳` for
/// cross-border plates. Embassy plates (`224578使`) have no province, and
/// consulate plates (`沪22478领`) no authority letter. No sequence carries
/// `I` or `O`.
///
/// **Case**: ASCII lower-case letters are accepted and stored in upper case
/// (`粤e12345` reads as `粤E12345`), since plates typed by hand often come
/// in lower case. Nothing else is changed: surrounding white space,
/// full-width letters or separators (`粤E·12345`) are errors, so trim before
/// parsing.
///
/// A plate is at most 11 bytes of UTF-8 and is held inline: parsing does
/// not allocate.
///
/// ```
/// use etc_invoice_order::{PlateKind, PlateNumber, Province};
///
/// let p: PlateNumber = "粤bd12345".parse()?;
/// assert_eq!(p.as_str(), "粤BD12345");
/// assert_eq!(p.kind(), PlateKind::NewEnergySmall);
/// assert_eq!(p.province(), Some(Province::Guangdong));
///
/// let embassy: PlateNumber = "224578使".parse()?;
/// assert_eq!(embassy.kind(), PlateKind::Embassy);
/// assert_eq!(embassy.province(), None);
///
/// let err = "粤E12I3".parse::<PlateNumber>().unwrap_err();
/// assert_eq!(err.to_string(), "`I` at position 5 of `粤E12I3` is not allowed in a plate sequence");
/// # Ok::<(), etc_invoice_order::PlateError>(())
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PlateNumber {
    // The upper-cased UTF-8 text, zero-padded: no plate is longer than
    // `MAX_BYTES`, so a plate needs no heap allocation. Zero bytes never
    // occur in a plate, so the derived order of the padded bytes is the
    // order of the text; `kind` and `province` follow from the text.
    bytes: [u8; BUFFER],
    len: u8,
    kind: PlateKind,
    province: Option<Province>,
}

/// The longest plate in bytes: a province, five ASCII characters and a
/// suffix (`粤E1234挂`, `粤Z0000港`, `沪2247A领`) take 3 + 5 + 3.
const MAX_BYTES: usize = 11;

/// The inline buffer: room for the longest plate, rounded up to 16 bytes
/// for word-wise copying.
const BUFFER: usize = 16;

/// Why a text is not a plate number. Positions count characters from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlateError {
    /// The text is empty.
    #[error("empty plate number")]
    Empty,
    /// The text has the wrong number of characters for its kind.
    #[error("`{input}` has {len} characters; {rule}")]
    Length {
        /// The offending text (cut to 64 characters).
        input: String,
        /// Its length in characters.
        len: usize,
        /// The length rule that applies.
        rule: &'static str,
    },
    /// The first character is neither a province abbreviation nor a digit.
    #[error("`{ch}` at position 1 of `{input}` is not a province abbreviation")]
    Province {
        /// The offending text (cut to 64 characters).
        input: String,
        /// The first character.
        ch: char,
    },
    /// The second character is not an issuing-authority letter.
    #[error(
        "`{ch}` at position 2 of `{input}` is not an issuing-authority letter (A to Z except I)"
    )]
    Authority {
        /// The offending text (cut to 64 characters).
        input: String,
        /// The second character.
        ch: char,
    },
    /// A character that is not allowed where it stands.
    #[error("`{ch}` at position {position} of `{input}` is not allowed {rule}")]
    Char {
        /// The offending text (cut to 64 characters).
        input: String,
        /// The 1-based position of the character.
        position: usize,
        /// The character, as written.
        ch: char,
        /// Where it is not allowed, and what is expected instead.
        rule: &'static str,
    },
    /// An ordinary plate whose sequence has a third letter.
    #[error(
        "`{ch}` at position {position} of `{input}` is a third letter; an ordinary plate has at most two"
    )]
    TooManyLetters {
        /// The offending text (cut to 64 characters).
        input: String,
        /// The 1-based position of the third letter.
        position: usize,
        /// The third letter, as written.
        ch: char,
    },
    /// A `粤Z` plate that does not end in `港` or `澳`.
    #[error("`Z` at position 2 of `{input}` is only allowed on plates ending in `港` or `澳`")]
    GuangdongZ {
        /// The offending text (cut to 64 characters).
        input: String,
    },
    /// A `港` or `澳` plate that does not start with `粤Z`.
    #[error("`{ch}` at position {position} of `{input}` is only allowed after `粤Z`")]
    CrossBorder {
        /// The offending text (cut to 64 characters).
        input: String,
        /// The 1-based position of the suffix.
        position: usize,
        /// The suffix, `港` or `澳`.
        ch: char,
    },
    /// A new-energy plate (six-character sequence) with a suffix.
    #[error(
        "`{ch}` at position {position} of `{input}` is not allowed: new-energy plates take no suffix"
    )]
    NewEnergySuffix {
        /// The offending text (cut to 64 characters).
        input: String,
        /// The 1-based position of the suffix.
        position: usize,
        /// The suffix character.
        ch: char,
    },
}

impl PlateError {
    /// The offending text (cut to 64 characters); empty for [`PlateError::Empty`].
    pub fn input(&self) -> &str {
        match self {
            PlateError::Empty => "",
            PlateError::Length { input, .. }
            | PlateError::Province { input, .. }
            | PlateError::Authority { input, .. }
            | PlateError::Char { input, .. }
            | PlateError::TooManyLetters { input, .. }
            | PlateError::GuangdongZ { input }
            | PlateError::CrossBorder { input, .. }
            | PlateError::NewEnergySuffix { input, .. } => input,
        }
    }

    /// The 1-based position of the offending character, when one is to blame.
    pub fn position(&self) -> Option<usize> {
        match self {
            PlateError::Empty | PlateError::Length { .. } => None,
            PlateError::Province { .. } => Some(1),
            PlateError::Authority { .. } | PlateError::GuangdongZ { .. } => Some(2),
            PlateError::Char { position, .. }
            | PlateError::TooManyLetters { position, .. }
            | PlateError::CrossBorder { position, .. }
            | PlateError::NewEnergySuffix { position, .. } => Some(*position),
        }
    }
}

fn cut(s: &str) -> String {
    s.chars().take(64).collect()
}

/// The longest plate looked at: a new-energy plate with a (forbidden)
/// suffix, kept so that it gets its own error rather than a length error.
const MAX_CHARS: usize = 9;

/// A plate read into fixed buffers: the upper-cased characters (for the
/// rules) and the characters as written (for the messages).
struct Chars<'a> {
    input: &'a str,
    upper: [char; MAX_CHARS],
    raw: [char; MAX_CHARS],
    len: usize,
}

impl Chars<'_> {
    fn upper(&self) -> &[char] {
        self.upper.get(..self.len).unwrap_or_default()
    }

    /// The character at a 0-based index, as written.
    fn raw(&self, i: usize) -> char {
        self.raw.get(i).copied().unwrap_or_default()
    }

    fn char_error(&self, i: usize, rule: &'static str) -> PlateError {
        PlateError::Char {
            input: cut(self.input),
            position: i + 1,
            ch: self.raw(i),
            rule,
        }
    }

    fn length_error(&self, rule: &'static str) -> PlateError {
        PlateError::Length {
            input: cut(self.input),
            len: self.len,
            rule,
        }
    }
}

/// What a successful check learns about a plate.
struct Shape {
    kind: PlateKind,
    province: Option<Province>,
}

/// A sequence character: a digit or an upper-case letter other than `I` and `O`.
fn is_sequence_char(c: char) -> bool {
    c.is_ascii_digit() || (c.is_ascii_uppercase() && c != 'I' && c != 'O')
}

/// A new-energy letter: `A`–`K` except `I`.
fn is_new_energy_letter(c: char) -> bool {
    matches!(c, 'A'..='H' | 'J' | 'K')
}

const SEQUENCE: &str = "in a plate sequence";
const LENGTH: &str = "a plate has 7 or 8 characters";

/// Checks a plate and tells its kind and province: the byte-level fast
/// path recognises well-formed plates; anything it does not recognise goes
/// to the slow path, which accepts the same plates and names the first
/// fault of the others.
fn scan(s: &str) -> Result<Shape, PlateError> {
    match fast_scan(s) {
        Some(shape) => Ok(shape),
        None => slow_scan(s),
    }
}

/// Byte classes for the fast path, in either case: a digit …
const DIGIT: u8 = 1;
/// … a sequence letter (not `I` or `O`) …
const SEQUENCE_LETTER: u8 = 2;
/// … an issuing-authority letter (not `I`) …
const AUTHORITY: u8 = 4;
/// … a new-energy letter (`A`–`K`, not `I`).
const NEW_ENERGY: u8 = 8;
/// A sequence character: a digit or a sequence letter.
const SEQUENCE_CHAR: u8 = DIGIT | SEQUENCE_LETTER;

/// The classes of every byte.
#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: a bad index fails the build, not a parse"
)]
const CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let upper = (b as u8).to_ascii_uppercase();
        table[b] = if upper.is_ascii_digit() {
            DIGIT
        } else if upper.is_ascii_uppercase() {
            let mut class = 0;
            if upper != b'I' {
                class |= AUTHORITY;
            }
            if upper != b'I' && upper != b'O' {
                class |= SEQUENCE_LETTER;
            }
            if upper <= b'K' && upper != b'I' {
                class |= NEW_ENERGY;
            }
            class
        } else {
            0
        };
        b += 1;
    }
    table
};

fn class(b: u8) -> u8 {
    CLASSES.get(usize::from(b)).copied().unwrap_or(0)
}

/// Whether every byte of `part` has one of the classes in `classes`.
fn all_in(part: &[u8], classes: u8) -> bool {
    part.iter().all(|&b| class(b) & classes != 0)
}

/// The three-byte UTF-8 character at the start of `bytes`, which come from
/// a `str` (so a lead byte is followed by its continuation bytes).
fn three_byte_char(bytes: &[u8]) -> Option<char> {
    match bytes {
        [b0, b1, b2, ..] if b0 & 0xF0 == 0xE0 => char::from_u32(
            u32::from(b0 & 0x0F) << 12 | u32::from(b1 & 0x3F) << 6 | u32::from(b2 & 0x3F),
        ),
        _ => None,
    }
}

/// Recognises a well-formed plate from its bytes without building any
/// error; `None` means "not recognised", not "invalid".
fn fast_scan(s: &str) -> Option<Shape> {
    let bytes = s.as_bytes();
    if bytes.first().is_some_and(u8::is_ascii_digit) {
        return match bytes {
            [digits @ .., _, _, _]
                if digits.len() == 6 && all_in(digits, DIGIT) && s.ends_with('使') =>
            {
                Some(Shape {
                    kind: PlateKind::Embassy,
                    province: None,
                })
            }
            _ => None,
        };
    }
    if !(9..=MAX_BYTES).contains(&bytes.len()) {
        return None;
    }
    // Every province abbreviation takes three bytes.
    let province = Province::from_abbreviation(three_byte_char(bytes)?)?;
    let rest = bytes.get(3..)?;
    // A suffix, if any, is the one non-ASCII (three-byte) character at the end.
    let (ascii, suffix) = match rest {
        [ascii @ .., _, _, last] if !last.is_ascii() => {
            let suffix = three_byte_char(rest.get(ascii.len()..)?)?;
            (ascii, Some(PlateKind::from_suffix(suffix)?))
        }
        _ => (rest, None),
    };
    let guangdong_z = province == Province::Guangdong && matches!(ascii.first(), Some(b'Z' | b'z'));
    let authority = |b: &u8| class(*b) & AUTHORITY != 0 && !guangdong_z;
    let kind = match (suffix, ascii) {
        (None, [first, sequence @ ..]) if authority(first) => match sequence {
            [_, _, _, _, _] => {
                // One pass: every byte a sequence character, at most two letters.
                let (ok, letters) = sequence.iter().fold((true, 0u8), |(ok, letters), &b| {
                    let c = class(b);
                    (
                        ok && c & SEQUENCE_CHAR != 0,
                        letters + u8::from(c & SEQUENCE_LETTER != 0),
                    )
                });
                (ok && letters <= 2).then_some(PlateKind::Ordinary)?
            }
            [letter, second, digits @ ..]
                if digits.len() == 4 && class(*letter) & NEW_ENERGY != 0 =>
            {
                (class(*second) & SEQUENCE_CHAR != 0 && all_in(digits, DIGIT))
                    .then_some(PlateKind::NewEnergySmall)?
            }
            [digits @ .., letter] if digits.len() == 5 => (all_in(digits, DIGIT)
                && class(*letter) & NEW_ENERGY != 0)
                .then_some(PlateKind::NewEnergyLarge)?,
            _ => return None,
        },
        (
            Some(
                kind @ (PlateKind::Trailer
                | PlateKind::Coach
                | PlateKind::Police
                | PlateKind::Test
                | PlateKind::Oversize),
            ),
            [first, sequence @ ..],
        ) if authority(first) && sequence.len() == 4 => {
            all_in(sequence, SEQUENCE_CHAR).then_some(kind)?
        }
        (Some(kind @ (PlateKind::HongKong | PlateKind::Macau)), [_, sequence @ ..])
            if guangdong_z && sequence.len() == 4 =>
        {
            all_in(sequence, SEQUENCE_CHAR).then_some(kind)?
        }
        (Some(PlateKind::Consulate), [digits @ .., last]) if digits.len() == 4 => {
            (all_in(digits, DIGIT) && class(*last) & SEQUENCE_CHAR != 0)
                .then_some(PlateKind::Consulate)?
        }
        _ => return None,
    };
    Some(Shape {
        kind,
        province: Some(province),
    })
}

/// Checks a plate character by character and names the first fault.
///
/// The first pass reads the characters once into a fixed buffer, checking
/// each against what may stand at its place in any plate; the second pass
/// checks the shape of at most nine buffered characters.
fn slow_scan(s: &str) -> Result<Shape, PlateError> {
    let mut chars = Chars {
        input: s,
        upper: ['\0'; MAX_CHARS],
        raw: ['\0'; MAX_CHARS],
        len: 0,
    };
    let mut province = None;
    for (i, raw) in s.chars().enumerate() {
        let c = raw.to_ascii_uppercase();
        let (Some(upper_slot), Some(raw_slot)) = (chars.upper.get_mut(i), chars.raw.get_mut(i))
        else {
            return Err(PlateError::Length {
                input: cut(s),
                len: s.chars().count(),
                rule: LENGTH,
            });
        };
        *upper_slot = c;
        *raw_slot = raw;
        chars.len = i + 1;
        match i {
            0 if c.is_ascii_digit() => {}
            0 => match Province::from_abbreviation(c) {
                Some(p) => province = Some(p),
                None => {
                    return Err(PlateError::Province {
                        input: cut(s),
                        ch: raw,
                    });
                }
            },
            // `O` may be an authority letter; a digit stands here in
            // consulate and embassy plates.
            1 if c == 'O' => {}
            1 if province.is_some() && !is_sequence_char(c) => {
                return Err(PlateError::Authority {
                    input: cut(s),
                    ch: raw,
                });
            }
            _ if is_sequence_char(c) || PlateKind::from_suffix(c).is_some() => {}
            _ => return Err(chars.char_error(i, SEQUENCE)),
        }
    }
    match province {
        None if chars.len == 0 => Err(PlateError::Empty),
        None => embassy(&chars),
        Some(p) => with_province(&chars).map(|kind| Shape {
            kind,
            province: Some(p),
        }),
    }
}

fn embassy(chars: &Chars<'_>) -> Result<Shape, PlateError> {
    let upper = chars.upper();
    for (i, c) in upper.iter().enumerate().take(6) {
        if !c.is_ascii_digit() {
            return Err(chars.char_error(i, "in an embassy plate (expected a digit)"));
        }
    }
    match upper {
        [_, _, _, _, _, _, '使'] => Ok(Shape {
            kind: PlateKind::Embassy,
            province: None,
        }),
        [_, _, _, _, _, _, _] => {
            Err(chars.char_error(6, "at the end of an embassy plate (expected `使`)"))
        }
        _ => Err(chars.length_error("an embassy plate has 7: six digits then `使`")),
    }
}

fn with_province(chars: &Chars<'_>) -> Result<PlateKind, PlateError> {
    let upper = chars.upper();
    let Some((&last, init)) = upper.split_last() else {
        return Err(PlateError::Empty);
    };
    // A suffix character anywhere but at the end.
    if let Some(i) = init
        .iter()
        .skip(2)
        .position(|&c| PlateKind::from_suffix(c).is_some())
    {
        return Err(chars.char_error(i + 2, "before the end of a plate (a suffix comes last)"));
    }
    let guangdong_z = matches!(upper, ['粤', 'Z', ..]);
    let last_index = chars.len - 1;
    match PlateKind::from_suffix(last) {
        Some(PlateKind::Embassy) => Err(chars.char_error(
            last_index,
            "after a province abbreviation (an embassy plate is six digits then `使`)",
        )),
        Some(PlateKind::Consulate) => consulate(chars),
        Some(kind @ (PlateKind::HongKong | PlateKind::Macau)) => {
            if !guangdong_z {
                return Err(PlateError::CrossBorder {
                    input: cut(chars.input),
                    position: chars.len,
                    ch: chars.raw(last_index),
                });
            }
            if chars.len != 7 {
                return Err(chars.length_error(
                    "a Hong Kong or Macau plate has 7: `粤Z`, four characters, then `港` or `澳`",
                ));
            }
            Ok(kind)
        }
        Some(kind) => {
            authority(chars, guangdong_z)?;
            match chars.len {
                7 => Ok(kind),
                9 => Err(PlateError::NewEnergySuffix {
                    input: cut(chars.input),
                    position: chars.len,
                    ch: chars.raw(last_index),
                }),
                _ => Err(chars.length_error(
                    "a plate with a suffix has 7: province, authority letter, four characters, suffix",
                )),
            }
        }
        None => {
            authority(chars, guangdong_z)?;
            match upper {
                [_, _, sequence @ ..] if sequence.len() == 5 => ordinary(chars, sequence),
                [_, _, sequence @ ..] if sequence.len() == 6 => new_energy(chars, sequence),
                _ => Err(chars.length_error(LENGTH)),
            }
        }
    }
}

/// Checks the authority letter of a plate that needs one.
fn authority(chars: &Chars<'_>, guangdong_z: bool) -> Result<(), PlateError> {
    if guangdong_z {
        return Err(PlateError::GuangdongZ {
            input: cut(chars.input),
        });
    }
    match chars.upper().get(1) {
        Some(c) if c.is_ascii_uppercase() => Ok(()),
        Some(_) => Err(PlateError::Authority {
            input: cut(chars.input),
            ch: chars.raw(1),
        }),
        None => Err(chars.length_error(LENGTH)),
    }
}

fn ordinary(chars: &Chars<'_>, sequence: &[char]) -> Result<PlateKind, PlateError> {
    let mut letters = 0;
    for (i, c) in sequence.iter().enumerate() {
        if c.is_ascii_uppercase() {
            letters += 1;
            if letters > 2 {
                return Err(PlateError::TooManyLetters {
                    input: cut(chars.input),
                    position: i + 3,
                    ch: chars.raw(i + 2),
                });
            }
        }
    }
    Ok(PlateKind::Ordinary)
}

fn new_energy(chars: &Chars<'_>, sequence: &[char]) -> Result<PlateKind, PlateError> {
    let [first, _, third, fourth, fifth, sixth] = sequence else {
        return Err(chars.length_error(LENGTH));
    };
    if first.is_ascii_uppercase() {
        if !is_new_energy_letter(*first) {
            return Err(chars.char_error(
                2,
                "in a new-energy plate (expected a digit or a letter A to K except I)",
            ));
        }
        // The second character may be any sequence character.
        for (i, c) in [third, fourth, fifth, sixth].into_iter().enumerate() {
            if !c.is_ascii_digit() {
                return Err(
                    chars.char_error(i + 4, "in a small new-energy plate (expected a digit)")
                );
            }
        }
        Ok(PlateKind::NewEnergySmall)
    } else {
        for (i, c) in sequence.iter().enumerate().take(5) {
            if !c.is_ascii_digit() {
                return Err(
                    chars.char_error(i + 2, "in a large new-energy plate (expected a digit)")
                );
            }
        }
        if is_new_energy_letter(*sixth) {
            Ok(PlateKind::NewEnergyLarge)
        } else {
            Err(chars.char_error(
                7,
                "at the end of a large new-energy plate (expected a letter A to K except I)",
            ))
        }
    }
}

fn consulate(chars: &Chars<'_>) -> Result<PlateKind, PlateError> {
    for (i, c) in chars.upper().iter().enumerate().take(5).skip(1) {
        if !c.is_ascii_digit() {
            return Err(chars.char_error(i, "in a consulate plate (expected a digit)"));
        }
    }
    if chars.len == 7 {
        Ok(PlateKind::Consulate)
    } else {
        Err(chars.length_error(
            "a consulate plate has 7: province, four digits, a digit or letter, then `领`",
        ))
    }
}

impl PlateNumber {
    /// Reads a plate number, upper-casing ASCII letters.
    ///
    /// # Errors
    /// [`PlateError`] naming the first character that breaks the rules, or
    /// the length rule that applies.
    pub fn parse(s: &str) -> Result<PlateNumber, PlateError> {
        let shape = scan(s)?;
        let src = s.as_bytes();
        let mut bytes = [0u8; BUFFER];
        // Every accepted plate fits: the error is never returned.
        let (Some(slot), Some(len)) = (
            bytes.get_mut(..src.len()),
            u8::try_from(src.len())
                .ok()
                .filter(|_| src.len() <= MAX_BYTES),
        ) else {
            return Err(PlateError::Length {
                input: cut(s),
                len: s.chars().count(),
                rule: LENGTH,
            });
        };
        slot.copy_from_slice(src);
        // Over the whole fixed-size buffer, so that it compiles to a few
        // vector instructions; the zero padding stays zero.
        bytes.make_ascii_uppercase();
        Ok(PlateNumber {
            bytes,
            len,
            kind: shape.kind,
            province: shape.province,
        })
    }

    /// Checks a plate number without building one.
    ///
    /// # Errors
    /// As [`PlateNumber::parse`].
    pub fn check(s: &str) -> Result<(), PlateError> {
        scan(s).map(|_| ())
    }

    /// The plate in upper case (`粤E12345`).
    #[inline]
    pub fn as_str(&self) -> &str {
        // The bytes are a checked plate with ASCII letters upper-cased,
        // which is still UTF-8, so the fallback is never taken.
        self.bytes
            .get(..usize::from(self.len))
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or_default()
    }

    /// The kind of plate.
    #[inline]
    pub fn kind(&self) -> PlateKind {
        self.kind
    }

    /// The province that issued the plate; `None` for embassy plates.
    #[inline]
    pub fn province(&self) -> Option<Province> {
        self.province
    }

    /// The issuing-authority letter (`E` in `粤E12345`); `None` for embassy
    /// and consulate plates, which have none.
    #[inline]
    pub fn authority(&self) -> Option<char> {
        match self.kind {
            PlateKind::Embassy | PlateKind::Consulate => None,
            // Province abbreviations take three bytes; the letter is ASCII.
            _ => self.bytes.get(3).copied().map(char::from),
        }
    }

    /// Whether this is a new-energy (green) plate.
    #[inline]
    pub fn is_new_energy(&self) -> bool {
        self.kind.is_new_energy()
    }
}

crate::macros::text_conversions!(PlateNumber, PlateError);

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> PlateKind {
        s.parse::<PlateNumber>()
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .kind()
    }

    fn err(s: &str) -> PlateError {
        match s.parse::<PlateNumber>() {
            Ok(p) => panic!("{s} parsed as {p:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn every_kind_parses() {
        for (plate, expected) in [
            ("粤E12345", PlateKind::Ordinary),
            ("粤E123A4", PlateKind::Ordinary),
            ("京AB1C23", PlateKind::Ordinary),
            ("粤OD12345", PlateKind::NewEnergySmall),
            ("粤BD12345", PlateKind::NewEnergySmall),
            ("粤EKA1234", PlateKind::NewEnergySmall),
            ("粤E12345B", PlateKind::NewEnergyLarge),
            ("京A12345D", PlateKind::NewEnergyLarge),
            ("粤E1234挂", PlateKind::Trailer),
            ("粤EA23B挂", PlateKind::Trailer),
            ("粤E1234学", PlateKind::Coach),
            ("粤E1234警", PlateKind::Police),
            ("粤E1234试", PlateKind::Test),
            ("粤E1234超", PlateKind::Oversize),
            ("粤Z0000港", PlateKind::HongKong),
            ("粤Z1A34澳", PlateKind::Macau),
            ("224578使", PlateKind::Embassy),
            ("沪22478领", PlateKind::Consulate),
            ("沪2247A领", PlateKind::Consulate),
        ] {
            assert_eq!(kind(plate), expected, "{plate}");
            let p: PlateNumber = plate.parse().unwrap();
            assert_eq!(p.to_string(), plate);
            assert_eq!(p.to_string().parse::<PlateNumber>().unwrap(), p);
            assert!(PlateNumber::check(plate).is_ok());
            // Every kind takes the fast path, in either case.
            assert!(fast_scan(plate).is_some(), "{plate}");
            assert!(fast_scan(&plate.to_ascii_lowercase()).is_some(), "{plate}");
        }
    }

    #[test]
    fn byte_classes() {
        for b in 0..=255u8 {
            let c = char::from(b.to_ascii_uppercase());
            assert_eq!(class(b) & DIGIT != 0, c.is_ascii_digit(), "{b}");
            assert_eq!(
                class(b) & SEQUENCE_LETTER != 0,
                c.is_ascii_uppercase() && is_sequence_char(c),
                "{b}"
            );
            assert_eq!(
                class(b) & AUTHORITY != 0,
                c.is_ascii_uppercase() && c != 'I',
                "{b}"
            );
            assert_eq!(class(b) & NEW_ENERGY != 0, is_new_energy_letter(c), "{b}");
        }
        assert_eq!(three_byte_char("粤".as_bytes()), Some('粤'));
        assert_eq!(three_byte_char(b"A"), None);
        assert_eq!(three_byte_char("é".as_bytes()), None);
    }

    #[test]
    fn parts() {
        let p: PlateNumber = "粤E12345".parse().unwrap();
        assert_eq!(p.province(), Some(Province::Guangdong));
        assert_eq!(p.authority(), Some('E'));
        assert!(!p.is_new_energy());
        assert_eq!(p.as_ref(), "粤E12345");
        assert_eq!(format!("{p:?}"), "PlateNumber(粤E12345)");
        assert_eq!(String::from(p), "粤E12345");
        let e: PlateNumber = "224578使".parse().unwrap();
        assert_eq!((e.province(), e.authority()), (None, None));
        let c: PlateNumber = "沪22478领".parse().unwrap();
        assert_eq!(
            (c.province(), c.authority()),
            (Some(Province::Shanghai), None)
        );
        let n: PlateNumber = "京A12345D".parse().unwrap();
        assert!(n.is_new_energy());
        assert_eq!(PlateKind::Trailer.suffix(), Some('挂'));
        assert_eq!(PlateKind::Ordinary.suffix(), None);
        for k in PlateKind::ALL {
            if let Some(c) = k.suffix() {
                assert_eq!(PlateKind::from_suffix(c), Some(*k));
                assert_eq!(c.to_string().parse::<PlateKind>().unwrap(), *k);
            }
        }
        assert_eq!(
            "nev-small".parse::<PlateKind>().unwrap(),
            PlateKind::NewEnergySmall
        );
    }

    #[test]
    fn lower_case_is_normalised() {
        let p: PlateNumber = "粤ed12345".parse().unwrap();
        assert_eq!(p.as_str(), "粤ED12345");
        assert_eq!(p, "粤ED12345".parse().unwrap());
        assert_eq!(
            PlateNumber::try_from("粤od12345".to_owned())
                .unwrap()
                .as_str(),
            "粤OD12345"
        );
        assert_eq!(
            PlateNumber::try_from("粤e12345").unwrap().as_str(),
            "粤E12345"
        );
        assert!(matches!(
            err("粤e12i34"),
            PlateError::Char {
                ch: 'i',
                position: 5,
                ..
            }
        ));
    }

    #[test]
    fn serde_is_the_text() {
        let p: PlateNumber = "粤E12345".parse().unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, "\"粤E12345\"");
        assert_eq!(serde_json::from_str::<PlateNumber>(&json).unwrap(), p);
        let e = serde_json::from_str::<PlateNumber>("\"粤E12I3\"").unwrap_err();
        assert!(e.to_string().contains("position 5"), "{e}");
    }

    #[test]
    fn empty_and_length() {
        assert_eq!(err(""), PlateError::Empty);
        assert_eq!(err("").to_string(), "empty plate number");
        assert_eq!(err("").input(), "");
        assert_eq!(err("").position(), None);
        for bad in [
            "粤",
            "粤E",
            "粤E1234",
            "粤E1234567",
            "1",
            "22457",
            "2245789使",
        ] {
            let e = err(bad);
            assert!(matches!(e, PlateError::Length { .. }), "{bad}: {e}");
            assert_eq!(e.position(), None);
            assert_eq!(e.input(), bad);
        }
        assert_eq!(
            err("粤E1234").to_string(),
            "`粤E1234` has 6 characters; a plate has 7 or 8 characters"
        );
        let long = format!("粤E{}", "1".repeat(1398));
        let e = err(&long);
        assert!(matches!(e, PlateError::Length { len: 1400, .. }), "{e}");
        assert_eq!(e.input().chars().count(), 64);
    }

    #[test]
    fn province_and_authority() {
        let e = err("假E12345");
        assert_eq!(
            e,
            PlateError::Province {
                input: "假E12345".into(),
                ch: '假'
            }
        );
        assert_eq!(
            e.to_string(),
            "`假` at position 1 of `假E12345` is not a province abbreviation"
        );
        assert_eq!(e.position(), Some(1));
        assert!(matches!(
            err("AE12345"),
            PlateError::Province { ch: 'A', .. }
        ));
        assert!(matches!(err("E12345"), PlateError::Province { .. }));
        let e = err("浙苏H6F681");
        assert_eq!(
            e.to_string(),
            "`苏` at position 2 of `浙苏H6F681` is not an issuing-authority letter (A to Z except I)"
        );
        assert_eq!(e.position(), Some(2));
        assert!(matches!(
            err("粤I12345"),
            PlateError::Authority { ch: 'I', .. }
        ));
        assert!(matches!(
            err("粤-12345"),
            PlateError::Authority { ch: '-', .. }
        ));
        assert!(matches!(
            err("粤112345"),
            PlateError::Authority { ch: '1', .. }
        ));
        assert!(matches!(
            err("粤1D12345"),
            PlateError::Authority { ch: '1', .. }
        ));
        assert!(matches!(
            err("粤11234挂"),
            PlateError::Authority { ch: '1', .. }
        ));
    }

    #[test]
    fn sequence_characters() {
        let e = err("粤E12I3");
        assert_eq!(
            e.to_string(),
            "`I` at position 5 of `粤E12I3` is not allowed in a plate sequence"
        );
        assert_eq!(e.position(), Some(5));
        assert_eq!(e.input(), "粤E12I3");
        for (bad, position, ch) in [
            ("粤E12O3", 5, 'O'),
            ("粤E12O34", 5, 'O'),
            ("粤E1I234", 4, 'I'),
            ("粤E1234+", 7, '+'),
            ("沪22-78领", 4, '-'),
            ("沪2247I领", 6, 'I'),
            ("粤E 12345", 3, ' '),
            ("粤E12345 ", 8, ' '),
            ("粤E１2345", 3, '１'),
            ("粤E12粤45", 5, '粤'),
        ] {
            let e = err(bad);
            assert_eq!(
                e,
                PlateError::Char {
                    input: bad.into(),
                    position,
                    ch,
                    rule: SEQUENCE
                },
                "{bad}"
            );
        }
        // A suffix character before the end.
        let e = err("粤E12挂45");
        assert!(
            matches!(
                e,
                PlateError::Char {
                    position: 5,
                    ch: '挂',
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("a suffix comes last"), "{e}");
    }

    #[test]
    fn ordinary_letters() {
        let e = err("粤EAB1C2");
        assert_eq!(
            e,
            PlateError::TooManyLetters {
                input: "粤EAB1C2".into(),
                position: 6,
                ch: 'C'
            }
        );
        assert_eq!(
            e.to_string(),
            "`C` at position 6 of `粤EAB1C2` is a third letter; an ordinary plate has at most two"
        );
        assert_eq!(e.position(), Some(6));
    }

    #[test]
    fn new_energy_shapes() {
        for (bad, position) in [
            ("粤ED1A234", 5),
            ("粤EZ12345", 3),
            ("粤EL12345", 3),
            ("粤E1234DD", 7),
            ("粤ED1234D", 8),
            ("粤E12345Z", 8),
            ("粤E1A345B", 4),
        ] {
            let e = err(bad);
            assert!(
                matches!(e, PlateError::Char { position: p, .. } if p == position),
                "{bad}: {e}"
            );
        }
        assert!(err("粤ED1A234").to_string().contains("small new-energy"));
        assert!(err("粤E1234DD").to_string().contains("large new-energy"));
        let e = err("粤ED12345挂");
        assert_eq!(
            e,
            PlateError::NewEnergySuffix {
                input: "粤ED12345挂".into(),
                position: 9,
                ch: '挂'
            }
        );
        assert_eq!(
            e.to_string(),
            "`挂` at position 9 of `粤ED12345挂` is not allowed: new-energy plates take no suffix"
        );
        assert_eq!(e.position(), Some(9));
        assert!(matches!(
            err("粤ED12345超"),
            PlateError::NewEnergySuffix { .. }
        ));
        assert!(matches!(err("粤E12345挂"), PlateError::Length { .. }));
        assert!(matches!(err("粤E123挂"), PlateError::Length { .. }));
    }

    #[test]
    fn cross_border() {
        for bad in [
            "粤Z0000警",
            "粤Z0000挂",
            "粤Z0000超",
            "粤Z12345",
            "粤Z12345B",
        ] {
            let e = err(bad);
            assert_eq!(e, PlateError::GuangdongZ { input: bad.into() }, "{bad}");
            assert_eq!(e.position(), Some(2));
        }
        assert_eq!(
            err("粤Z0000警").to_string(),
            "`Z` at position 2 of `粤Z0000警` is only allowed on plates ending in `港` or `澳`"
        );
        let e = err("京A1234港");
        assert_eq!(
            e,
            PlateError::CrossBorder {
                input: "京A1234港".into(),
                position: 7,
                ch: '港'
            }
        );
        assert_eq!(
            e.to_string(),
            "`港` at position 7 of `京A1234港` is only allowed after `粤Z`"
        );
        assert_eq!(e.position(), Some(7));
        assert!(matches!(err("粤E1234澳"), PlateError::CrossBorder { .. }));
        assert!(matches!(err("粤Z00000港"), PlateError::Length { .. }));
    }

    #[test]
    fn embassy_and_consulate() {
        let e = err("22457A使");
        assert!(
            matches!(
                e,
                PlateError::Char {
                    position: 6,
                    ch: 'A',
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("embassy"), "{e}");
        assert!(matches!(
            err("2245781"),
            PlateError::Char { position: 7, .. }
        ));
        assert!(matches!(
            err("224578领"),
            PlateError::Char { position: 7, .. }
        ));
        assert!(matches!(
            err("粤A1234使"),
            PlateError::Char {
                position: 7,
                ch: '使',
                ..
            }
        ));
        assert!(matches!(
            err("沪O2478领"),
            PlateError::Char {
                position: 2,
                ch: 'O',
                ..
            }
        ));
        assert!(matches!(
            err("沪A2478领"),
            PlateError::Char {
                position: 2,
                ch: 'A',
                ..
            }
        ));
        let e = err("沪2247A8领");
        assert!(matches!(e, PlateError::Length { .. }), "{e}");
        assert!(e.to_string().contains("consulate"), "{e}");
    }

    /// What a path finds: the kind and province, or `None` for a rejection.
    type Found = Option<(PlateKind, Option<Province>)>;

    /// What the fast and the slow path find.
    fn both(s: &str) -> (Found, Found) {
        (
            fast_scan(s).map(|x| (x.kind, x.province)),
            slow_scan(s).ok().map(|x| (x.kind, x.province)),
        )
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1024))]

        /// The fast path is only an optimisation: it accepts exactly what
        /// the slow path accepts, with the same kind and province.
        #[test]
        fn fast_path_agrees_with_slow_path(
            s in "(粤|京|沪|假|1)[A-Za-z0-9]{5,6}|(粤|京|沪)[A-Za-z0-9]{4,6}(挂|学|警|试|超|港|澳|领|使)|[0-9]{5,7}(使|领)|[粤京Z港使领挂IiOo0-9A-Za-z·]{0,10}"
        ) {
            let (fast, slow) = both(&s);
            proptest::prop_assert_eq!(fast, slow, "{}", s);
        }
    }

    #[test]
    fn hostile_input_never_panics() {
        for s in [
            "\u{0}",
            "粤\u{0}",
            "🚗🚗🚗🚗🚗🚗🚗",
            "粤E🚗2345",
            "使使使使使使使",
            "领",
            "粤领",
            "粤E领",
        ] {
            let _ = s.parse::<PlateNumber>();
        }
        let e = err("粤E🚗2345");
        assert!(matches!(
            e,
            PlateError::Char {
                position: 3,
                ch: '🚗',
                ..
            }
        ));
    }
}
