//! Tax rates and the kinds of document a toll is invoiced on.

use std::cmp::Ordering;
use std::fmt;
use std::num::NonZeroU8;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::macros::code_enum;

/// A VAT rate or levy rate (征收率) between 0 and 1 inclusive, exact, of
/// up to nine decimal places (0.0000001 %).
///
/// Parses `"0.09"`, `"9%"`, `"9 %"`, `"3.5%"`; shown as a percentage
/// (`"9%"`), the way invoices print it. Serde uses the same string.
///
/// Held as a whole number over a power of ten (`9 / 10²`) in eight bytes,
/// `Option<TaxRate>` too: a plan has a rate on every line and document,
/// and compares rates for every segment it places.
///
/// ```
/// use etc_invoice_order::TaxRate;
///
/// let r: TaxRate = "9%".parse()?;
/// assert_eq!(r, "0.09".parse()?);
/// assert_eq!(r.to_string(), "9%");
/// assert_eq!(r.as_decimal().to_string(), "0.09");
/// assert!("1.5".parse::<TaxRate>().is_err());
/// assert!("0.0000000001".parse::<TaxRate>().is_err());
/// # Ok::<(), etc_invoice_order::TaxRateError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TaxRate {
    /// The rate is `units / 10^scale`, with no trailing zero in `units`
    /// (normalised, so that equal rates have equal fields): 0 is `0 / 10⁰`,
    /// 9 % is `9 / 10²`. `units ≤ 10^scale ≤ 10⁹`.
    units: u32,
    /// `scale + 1` (never zero: `Option<TaxRate>` takes no more room).
    scale_plus_one: NonZeroU8,
}

/// A text that is not a rate between 0 and 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TaxRateError {
    /// Not a number or percentage.
    #[error("`{0}` is not a rate (expected a decimal such as `0.09` or a percentage such as `9%`)")]
    Invalid(String),
    /// A number outside 0–1 (0 %–100 %).
    #[error("rate `{0}` is outside 0 to 1")]
    OutOfRange(String),
    /// More than nine decimal places (as a fraction, not in percent).
    #[error("rate `{0}` has more than {max} decimal places", max = TaxRate::MAX_SCALE)]
    TooPrecise(String),
}

impl TaxRate {
    /// 0 %.
    pub const ZERO: TaxRate = TaxRate {
        units: 0,
        scale_plus_one: NonZeroU8::MIN,
    };

    /// The most decimal places a rate has (as a fraction: 0.123456789).
    pub const MAX_SCALE: u32 = 9;

    /// A rate from a decimal fraction (`0.09`).
    ///
    /// # Errors
    /// [`TaxRateError::OutOfRange`] outside 0–1, [`TaxRateError::TooPrecise`]
    /// with more than [`TaxRate::MAX_SCALE`] decimal places (trailing zeros
    /// do not count).
    pub fn new(fraction: Decimal) -> Result<TaxRate, TaxRateError> {
        if fraction.is_sign_negative() && !fraction.is_zero() || fraction > Decimal::ONE {
            return Err(TaxRateError::OutOfRange(fraction.to_string()));
        }
        let d = fraction.normalize();
        let scale = d.scale();
        // 0 ≤ d ≤ 1 with at most nine places: the mantissa is at most 10⁹.
        match (u32::try_from(d.mantissa()), u8::try_from(scale)) {
            (Ok(units), Ok(s)) if scale <= TaxRate::MAX_SCALE => Ok(TaxRate {
                units,
                scale_plus_one: NonZeroU8::MIN.saturating_add(s),
            }),
            _ => Err(TaxRateError::TooPrecise(fraction.to_string())),
        }
    }

    /// The rate as `(units, scale)`: `units / 10^scale`, normalised (9 % is
    /// `(9, 2)`, 0 is `(0, 0)`), with `scale ≤` [`TaxRate::MAX_SCALE`].
    #[inline]
    pub fn as_fraction(self) -> (u32, u32) {
        (self.units, u32::from(self.scale_plus_one.get() - 1))
    }

    /// A rate from whole percent (`9` → 9 %).
    ///
    /// # Errors
    /// [`TaxRateError::OutOfRange`] above 100.
    pub fn from_percent(percent: u32) -> Result<TaxRate, TaxRateError> {
        TaxRate::new(Decimal::new(i64::from(percent), 2))
    }

    /// The rate as a decimal fraction (`0.09`).
    #[inline]
    pub fn as_decimal(self) -> Decimal {
        let (units, scale) = self.as_fraction();
        Decimal::new(i64::from(units), scale)
    }

    /// The rate in percent (`9`).
    #[inline]
    pub fn percent(self) -> Decimal {
        (self.as_decimal() * Decimal::ONE_HUNDRED).normalize()
    }

    /// Whether the rate is zero.
    #[inline]
    pub fn is_zero(self) -> bool {
        self.units == 0
    }
}

impl Ord for TaxRate {
    /// By value: `a / 10^s` against `b / 10^t` as `a · 10^t` against
    /// `b · 10^s` (each at most 10¹⁸).
    fn cmp(&self, other: &TaxRate) -> Ordering {
        let ((a, s), (b, t)) = (self.as_fraction(), other.as_fraction());
        (u64::from(a) * 10_u64.pow(t)).cmp(&(u64::from(b) * 10_u64.pow(s)))
    }
}

impl PartialOrd for TaxRate {
    fn partial_cmp(&self, other: &TaxRate) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl FromStr for TaxRate {
    type Err = TaxRateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || TaxRateError::Invalid(s.chars().take(64).collect());
        let t = s.trim();
        let (number, percent) = match t.strip_suffix('%') {
            Some(n) => (n.trim_end(), true),
            None => (t, false),
        };
        if number.is_empty()
            || !number
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        {
            return Err(invalid());
        }
        let d: Decimal = number.parse().map_err(|_| invalid())?;
        let fraction = if percent {
            d.checked_div(Decimal::ONE_HUNDRED).ok_or_else(invalid)?
        } else {
            d
        };
        TaxRate::new(fraction).map_err(|e| {
            let text = s.chars().take(64).collect();
            match e {
                TaxRateError::TooPrecise(_) => TaxRateError::TooPrecise(text),
                _ => TaxRateError::OutOfRange(text),
            }
        })
    }
}

impl fmt::Display for TaxRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.percent())
    }
}

impl fmt::Debug for TaxRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TaxRate({self})")
    }
}

impl TryFrom<String> for TaxRate {
    type Error = TaxRateError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl TryFrom<&str> for TaxRate {
    type Error = TaxRateError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<TaxRate> for String {
    fn from(r: TaxRate) -> String {
        r.to_string()
    }
}

code_enum! {
    /// The kind of document a toll (or top-up) is invoiced on (DOMAIN.md §2).
    pub enum DocumentKind / DocumentKindError ("document kind") {
        /// 征税发票: a taxable toll VAT e-invoice, with a rate.
        VatInvoice = "vatInvoice", "征税发票", "taxable";
        /// 不征税发票: a non-taxable e-invoice (top-ups; government-repaid
        /// roads before fiscal e-bills).
        NonTaxableInvoice = "nonTaxableInvoice", "不征税发票", "nonTaxable";
        /// 通行费财政电子票据: a fiscal e-bill for government-repaid roads.
        FiscalEBill = "fiscalEBill", "财政电子票据", "fiscal";
    }
}

impl DocumentKind {
    /// Whether the document carries VAT (and so a rate and a tax amount).
    #[inline]
    pub fn is_taxable(self) -> bool {
        self == DocumentKind::VatInvoice
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_both_ways() {
        for (input, shown) in [
            ("0.09", "9%"),
            ("9%", "9%"),
            ("9 %", "9%"),
            ("0.03", "3%"),
            ("3%", "3%"),
            ("0", "0%"),
            ("1", "100%"),
            ("0.105", "10.5%"),
            ("0.110", "11%"),
        ] {
            let r: TaxRate = input.parse().unwrap();
            assert_eq!(r.to_string(), shown, "{input}");
            assert_eq!(r.to_string().parse::<TaxRate>().unwrap(), r);
        }
        for bad in ["", "%", "abc", "1e-2", "0x1", "9%%", "--1"] {
            assert!(
                matches!(bad.parse::<TaxRate>(), Err(TaxRateError::Invalid(_))),
                "{bad}"
            );
        }
        for bad in ["1.01", "-0.01", "101%"] {
            assert!(
                matches!(bad.parse::<TaxRate>(), Err(TaxRateError::OutOfRange(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn rates_hold_nine_places_and_order_by_value() {
        let r: TaxRate = "0.123456789".parse().unwrap();
        assert_eq!(r.as_fraction(), (123_456_789, 9));
        assert_eq!(r.to_string(), "12.3456789%");
        assert_eq!("0.090".parse::<TaxRate>().unwrap().as_fraction(), (9, 2));
        assert_eq!(TaxRate::ZERO.as_fraction(), (0, 0));
        assert_eq!("-0".parse::<TaxRate>().unwrap(), TaxRate::ZERO);
        assert_eq!("1".parse::<TaxRate>().unwrap().as_fraction(), (1, 0));
        assert!(matches!(
            "0.0000000001".parse::<TaxRate>(),
            Err(TaxRateError::TooPrecise(_))
        ));
        assert!(matches!(
            TaxRate::new(Decimal::new(30_000_000_001, 12)),
            Err(TaxRateError::TooPrecise(_))
        ));
        let mut rates: Vec<TaxRate> = ["9%", "0.105", "3%", "0", "1", "0.123456789", "13%"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        rates.sort();
        let shown: Vec<String> = rates.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            ["0%", "3%", "9%", "10.5%", "12.3456789%", "13%", "100%"]
        );
        assert_eq!(std::mem::size_of::<Option<TaxRate>>(), 8);
    }

    proptest::proptest! {
        /// A rate keeps its value exactly, orders as its value does, and
        /// reads back what it prints.
        #[test]
        fn rates_are_exact_ordered_and_round_trip(
            a in 0_u64..=1_000_000_000,
            s in 0_u32..=9,
            b in 0_u64..=1_000_000_000,
            t in 0_u32..=9,
        ) {
            let d = |u: u64, scale: u32| {
                let max = 10_u64.pow(scale);
                Decimal::new(i64::try_from(u % (max + 1)).unwrap(), scale)
            };
            let (x, y) = (d(a, s), d(b, t));
            let (p, q) = (TaxRate::new(x).unwrap(), TaxRate::new(y).unwrap());
            proptest::prop_assert_eq!(p.as_decimal(), x);
            proptest::prop_assert_eq!(p.cmp(&q), x.cmp(&y));
            proptest::prop_assert_eq!(p == q, x == y);
            proptest::prop_assert_eq!(p.to_string().parse::<TaxRate>().unwrap(), p);
        }
    }

    #[test]
    fn serde_as_percentage() {
        let r = TaxRate::from_percent(3).unwrap();
        assert_eq!(serde_json::to_string(&r).unwrap(), "\"3%\"");
        assert_eq!(serde_json::from_str::<TaxRate>("\"0.03\"").unwrap(), r);
    }
}
