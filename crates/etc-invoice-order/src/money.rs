//! Exact amounts of Chinese yuan.

use std::fmt;
use std::iter::Sum;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// The largest magnitude a [`Money`] may hold, in fen: ten trillion yuan.
///
/// Far above any real toll or statement, and low enough that the sum of
/// two amounts cannot overflow an `i64` (so `checked_add` adds first and
/// checks the range after), a sum of a thousand fits one too, and a sum of
/// a billion fits the `i128` the planners add in.
const MAX_FEN: i64 = 1_000_000_000_000_000;

/// An exact amount of Chinese yuan (CNY) with two decimal places (fen).
///
/// Held as a whole number of fen (an `i64`, 8 bytes): exact, cheap to add
/// and compare, and converted to and from [`rust_decimal::Decimal`] (at
/// scale 2) where decimals come in or go out. Arithmetic is checked: an
/// overflow is an error, never a wrap or a panic. `Display` and
/// `FromStr` always use two decimals (`"9.66"`, `"0.00"`); serde uses the
/// same decimal string, never a float.
///
/// A `Money` may be negative (a refund, a red invoice); the types that hold
/// one say whether they allow it.
///
/// ```
/// use etc_invoice_order::Money;
///
/// let a: Money = "10.53".parse()?;
/// let b = Money::from_fen(47);
/// assert_eq!(a.checked_add(b)?.to_string(), "11.00");
/// assert_eq!("7".parse::<Money>()?.to_string(), "7.00");
/// assert!("1.005".parse::<Money>().is_err()); // no silent rounding
/// # Ok::<(), etc_invoice_order::MoneyError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Deserialize)]
#[serde(try_from = "MoneyRepr")]
pub struct Money(i64);

/// Serialises as the decimal string (`"9.66"`), written straight into the
/// output without an intermediate `String`.
impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Why an amount could not be read or computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// The text is not a decimal amount.
    #[error("`{input}` is not an amount: {reason}")]
    Invalid {
        /// The offending text (cut to 64 characters).
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The text has more than two decimal places.
    #[error("`{input}` has more than two decimal places")]
    TooPrecise {
        /// The offending text (cut to 64 characters).
        input: String,
    },
    /// The amount is beyond ±10 trillion yuan, or a computation overflowed.
    #[error("amount out of range")]
    Overflow,
    /// A negative amount where only zero or more is allowed.
    #[error("`{0}` is negative")]
    Negative(Money),
}

fn cut(s: &str) -> String {
    s.chars().take(64).collect()
}

impl Money {
    /// Zero yuan.
    pub const ZERO: Money = Money(0);

    /// An amount from a whole number of fen (0.01 yuan). Saturates at
    /// ±10 trillion yuan; use [`Money::try_from_fen`] to be told instead.
    #[inline]
    pub fn from_fen(fen: i64) -> Money {
        Money(fen.clamp(-MAX_FEN, MAX_FEN))
    }

    /// An amount from a whole number of fen.
    ///
    /// # Errors
    /// [`MoneyError::Overflow`] beyond ±10 trillion yuan.
    #[inline]
    pub fn try_from_fen(fen: i64) -> Result<Money, MoneyError> {
        if (-MAX_FEN..=MAX_FEN).contains(&fen) {
            Ok(Money(fen))
        } else {
            Err(MoneyError::Overflow)
        }
    }

    /// An amount from a decimal with at most two decimal places.
    ///
    /// # Errors
    /// [`MoneyError::TooPrecise`] when rounding to fen would change the value;
    /// [`MoneyError::Overflow`] beyond ±10 trillion yuan.
    pub fn from_decimal(d: Decimal) -> Result<Money, MoneyError> {
        let rounded = d.round_dp(2);
        if rounded != d {
            return Err(MoneyError::TooPrecise {
                input: cut(&d.to_string()),
            });
        }
        Money::checked_new(rounded)
    }

    /// An amount from any decimal, rounded half away from zero to fen, as
    /// price–tax separation requires.
    ///
    /// # Errors
    /// [`MoneyError::Overflow`] beyond ±10 trillion yuan.
    pub fn from_decimal_rounded(d: Decimal) -> Result<Money, MoneyError> {
        Money::checked_new(d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
    }

    /// The amount of `d`, which has at most two decimal places.
    fn checked_new(mut d: Decimal) -> Result<Money, MoneyError> {
        let limit = Decimal::new(MAX_FEN, 2);
        if d.abs() > limit {
            return Err(MoneyError::Overflow);
        }
        // At scale 2 the mantissa is the amount in fen; within the limit it
        // fits an i64.
        d.rescale(2);
        i64::try_from(d.mantissa())
            .map(Money)
            .map_err(|_| MoneyError::Overflow)
    }

    /// The amount as a decimal at scale 2.
    #[inline]
    pub fn as_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// The amount in whole fen.
    #[inline]
    pub fn to_fen(self) -> i64 {
        self.0
    }

    /// Whether the amount is below zero.
    #[inline]
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Whether the amount is zero.
    #[inline]
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Whether the amount is above zero.
    #[inline]
    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// The same amount without its sign.
    #[inline]
    pub fn abs(self) -> Money {
        // Within ±MAX_FEN, so no overflow.
        Money(self.0.saturating_abs())
    }

    /// `self + other`.
    ///
    /// # Errors
    /// [`MoneyError::Overflow`] when the result is out of range.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        // Both are within range, so the sum cannot overflow an i64.
        Money::try_from_fen(self.to_fen() + other.to_fen())
    }

    /// `self - other`.
    ///
    /// # Errors
    /// [`MoneyError::Overflow`] when the result is out of range.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        Money::try_from_fen(self.to_fen() - other.to_fen())
    }

    /// `self × n`, for counts of identical items.
    ///
    /// # Errors
    /// [`MoneyError::Overflow`] when the result is out of range.
    pub fn checked_mul_count(self, n: u64) -> Result<Money, MoneyError> {
        i64::try_from(n)
            .ok()
            .and_then(|n| self.0.checked_mul(n))
            .ok_or(MoneyError::Overflow)
            .and_then(Money::try_from_fen)
    }

    /// The sum of many amounts.
    ///
    /// # Errors
    /// [`MoneyError::Overflow`] as soon as a partial sum is out of range.
    pub fn checked_sum<I: IntoIterator<Item = Money>>(items: I) -> Result<Money, MoneyError> {
        items
            .into_iter()
            .try_fold(Money::ZERO, |acc, m| acc.checked_add(m))
    }

    /// This amount when it is zero or more.
    ///
    /// # Errors
    /// [`MoneyError::Negative`] when it is below zero.
    #[inline]
    pub fn non_negative(self) -> Result<Money, MoneyError> {
        if self.is_negative() {
            Err(MoneyError::Negative(self))
        } else {
            Ok(self)
        }
    }

    /// Parses an amount from bytes: an optional sign, digits, and an optional
    /// point followed by at most two digits. No exponent, no thousands
    /// separators, no white space.
    ///
    /// # Errors
    /// [`MoneyError`] describing what is wrong.
    pub fn parse_bytes(bytes: &[u8]) -> Result<Money, MoneyError> {
        let invalid = |reason| MoneyError::Invalid {
            input: cut(&String::from_utf8_lossy(bytes)),
            reason,
        };
        let (negative, rest) = match bytes.split_first() {
            None => return Err(invalid("empty")),
            Some((b'-', rest)) => (true, rest),
            Some((b'+', rest)) => (false, rest),
            Some(_) => (false, bytes),
        };
        let (int_part, frac_part) = match rest.iter().position(|&b| b == b'.') {
            Some(i) => (
                rest.get(..i).unwrap_or_default(),
                Some(rest.get(i + 1..).unwrap_or_default()),
            ),
            None => (rest, None),
        };
        if int_part.is_empty() {
            return Err(invalid("no digits before the decimal point"));
        }
        let mut fen: i64 = 0;
        for &b in int_part {
            if !b.is_ascii_digit() {
                return Err(invalid("only digits and one decimal point are allowed"));
            }
            fen = fen
                .checked_mul(10)
                .and_then(|v| v.checked_add(i64::from(b - b'0')))
                .filter(|v| *v <= MAX_FEN)
                .ok_or(MoneyError::Overflow)?;
        }
        let mut scale = 0;
        if let Some(frac) = frac_part {
            if frac.is_empty() {
                return Err(invalid("no digits after the decimal point"));
            }
            for &b in frac {
                if !b.is_ascii_digit() {
                    return Err(invalid("only digits and one decimal point are allowed"));
                }
                if scale == 2 {
                    if b == b'0' {
                        continue;
                    }
                    return Err(MoneyError::TooPrecise {
                        input: cut(&String::from_utf8_lossy(bytes)),
                    });
                }
                fen = fen * 10 + i64::from(b - b'0');
                scale += 1;
            }
        }
        for _ in scale..2 {
            fen = fen.checked_mul(10).ok_or(MoneyError::Overflow)?;
        }
        if negative {
            fen = -fen;
        }
        Money::try_from_fen(fen)
    }
}

/// `-m` never fails: the range is symmetric.
impl std::ops::Neg for Money {
    type Output = Money;

    fn neg(self) -> Money {
        // The range is symmetric and far from i64::MIN.
        Money(self.0.saturating_neg())
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fen = self.to_fen();
        let sign = if fen < 0 { "-" } else { "" };
        let abs = fen.unsigned_abs();
        if f.width().is_some() {
            f.pad(&format!("{sign}{}.{:02}", abs / 100, abs % 100))
        } else {
            write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
        }
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({self})")
    }
}

impl FromStr for Money {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse_bytes(s.as_bytes())
    }
}

impl TryFrom<&str> for Money {
    type Error = MoneyError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Money> for String {
    fn from(m: Money) -> String {
        m.to_string()
    }
}

impl From<Money> for Decimal {
    fn from(m: Money) -> Decimal {
        m.as_decimal()
    }
}

/// What serde accepts for an amount: the decimal string, or a JSON integer
/// of whole yuan. JSON floats are refused: they are not exact.
#[derive(Deserialize)]
#[serde(untagged)]
enum MoneyRepr {
    Text(String),
    Integer(i64),
}

impl TryFrom<MoneyRepr> for Money {
    type Error = MoneyError;

    fn try_from(r: MoneyRepr) -> Result<Self, Self::Error> {
        match r {
            MoneyRepr::Text(s) => s.parse(),
            MoneyRepr::Integer(yuan) => yuan
                .checked_mul(100)
                .ok_or(MoneyError::Overflow)
                .and_then(Money::try_from_fen),
        }
    }
}

/// Sums amounts, saturating at the range limit; prefer
/// [`Money::checked_sum`] where an overflow must be reported.
impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        let fen = iter.fold(0i64, |acc, m| acc.saturating_add(m.to_fen()));
        Money::from_fen(fen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_two_decimals() {
        for (input, shown) in [
            ("9.66", "9.66"),
            ("0", "0.00"),
            ("0.5", "0.50"),
            ("+3.10", "3.10"),
            ("-0.01", "-0.01"),
            ("-0", "0.00"),
            ("1.230", "1.23"),
            ("007.00", "7.00"),
            ("10000000000000", "10000000000000.00"),
        ] {
            let m: Money = input.parse().unwrap();
            assert_eq!(m.to_string(), shown, "{input}");
            assert_eq!(m.to_string().parse::<Money>().unwrap(), m);
        }
    }

    #[test]
    fn rejects_what_is_not_an_exact_amount() {
        for bad in [
            "", "-", ".5", "5.", "1e3", "1,000", " 1", "1 ", "NaN", "inf", "1.2.3", "--1", "¥1",
            "１",
        ] {
            assert!(
                matches!(bad.parse::<Money>(), Err(MoneyError::Invalid { .. })),
                "{bad}"
            );
        }
        assert!(matches!(
            "1.005".parse::<Money>(),
            Err(MoneyError::TooPrecise { .. })
        ));
        assert_eq!(
            "10000000000000.01".parse::<Money>(),
            Err(MoneyError::Overflow)
        );
        assert_eq!(
            "99999999999999999999999999".parse::<Money>(),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn arithmetic_is_checked() {
        let max = Money::from_fen(MAX_FEN);
        assert_eq!(
            max.checked_add(Money::from_fen(1)),
            Err(MoneyError::Overflow)
        );
        assert_eq!(
            (-max).checked_sub(Money::from_fen(1)),
            Err(MoneyError::Overflow)
        );
        assert_eq!(
            Money::checked_sum(["1.10", "2.20", "-0.30"].map(|s| s.parse().unwrap())).unwrap(),
            Money::from_fen(300)
        );
        assert_eq!(
            Money::from_fen(-5).non_negative(),
            Err(MoneyError::Negative(Money::from_fen(-5)))
        );
        assert_eq!(
            Money::from_fen(250).checked_mul_count(3).unwrap(),
            Money::from_fen(750)
        );
    }

    #[test]
    fn decimal_conversions() {
        let d = Decimal::new(96555, 4); // 9.6555
        assert!(Money::from_decimal(d).is_err());
        assert_eq!(Money::from_decimal_rounded(d).unwrap().to_string(), "9.66");
        assert_eq!(
            Money::from_decimal_rounded(Decimal::new(-9665, 3))
                .unwrap()
                .to_string(),
            "-9.67"
        );
        assert_eq!(
            Money::from_decimal(Decimal::new(5, 0))
                .unwrap()
                .as_decimal()
                .scale(),
            2
        );
    }

    #[test]
    fn serde_is_a_decimal_string() {
        let m = Money::from_fen(966);
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"9.66\"");
        assert_eq!(serde_json::from_str::<Money>("\"9.66\"").unwrap(), m);
        assert_eq!(
            serde_json::from_str::<Money>("12").unwrap(),
            Money::from_fen(1200)
        );
        assert!(serde_json::from_str::<Money>("9.66").is_err());
        assert!(serde_json::from_str::<Money>("\"9.666\"").is_err());
    }
}
