//! Tax rates and the kinds of document a toll is invoiced on.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::macros::code_enum;

/// A VAT rate or levy rate (征收率) between 0 and 1 inclusive, exact.
///
/// Parses `"0.09"`, `"9%"`, `"9 %"`, `"3.5%"`; shown as a percentage
/// (`"9%"`), the way invoices print it. Serde uses the same string.
///
/// ```
/// use etc_invoice_order::TaxRate;
///
/// let r: TaxRate = "9%".parse()?;
/// assert_eq!(r, "0.09".parse()?);
/// assert_eq!(r.to_string(), "9%");
/// assert_eq!(r.as_decimal().to_string(), "0.09");
/// assert!("1.5".parse::<TaxRate>().is_err());
/// # Ok::<(), etc_invoice_order::TaxRateError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TaxRate(Decimal);

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
}

impl TaxRate {
    /// 0 %.
    pub const ZERO: TaxRate = TaxRate(Decimal::ZERO);

    /// A rate from a decimal fraction (`0.09`).
    ///
    /// # Errors
    /// [`TaxRateError::OutOfRange`] outside 0–1.
    pub fn new(fraction: Decimal) -> Result<TaxRate, TaxRateError> {
        if fraction.is_sign_negative() && !fraction.is_zero() || fraction > Decimal::ONE {
            return Err(TaxRateError::OutOfRange(fraction.to_string()));
        }
        Ok(TaxRate(fraction.normalize()))
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
        self.0
    }

    /// The rate in percent (`9`).
    #[inline]
    pub fn percent(self) -> Decimal {
        (self.0 * Decimal::ONE_HUNDRED).normalize()
    }

    /// Whether the rate is zero.
    #[inline]
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
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
        TaxRate::new(fraction).map_err(|_| TaxRateError::OutOfRange(s.chars().take(64).collect()))
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
    fn serde_as_percentage() {
        let r = TaxRate::from_percent(3).unwrap();
        assert_eq!(serde_json::to_string(&r).unwrap(), "\"3%\"");
        assert_eq!(serde_json::from_str::<TaxRate>("\"0.03\"").unwrap(), r);
    }
}
