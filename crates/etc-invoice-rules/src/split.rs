//! Price–tax separation (价税分离) and the tax-control tolerances (see the
//! crate docs).

use etc_invoice_order::{Money, TaxRate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The largest deviation `|net × rate − tax|` a tax-control system accepts on
/// one line, in fen: 0.06 yuan.
pub const LINE_TOLERANCE_FEN: i64 = 6;

/// The largest deviation `|Σ net × rate − Σ tax|` a tax-control system
/// accepts on one invoice, in fen: 1.27 yuan.
pub const INVOICE_TOLERANCE_FEN: i64 = 127;

/// A gross amount separated into the amount without tax and the tax.
///
/// Built by [`split_gross`]; `net + tax` is always the gross split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaxSplit {
    /// The amount without tax (金额).
    pub net: Money,
    /// The tax (税额).
    pub tax: Money,
}

impl TaxSplit {
    /// `net + tax`: the gross amount that was split.
    pub fn gross(self) -> Money {
        // Both parts come from one in-range gross amount and have its sign,
        // so their sum is that amount and cannot overflow.
        self.net.checked_add(self.tax).unwrap_or(self.net)
    }
}

/// Separates a tax-inclusive amount into net and tax at `rate`:
/// `net = round_half_up(gross / (1 + rate), 2)`, `tax = gross − net`.
///
/// Exact: integer arithmetic on fen (a rate has at most nine decimals);
/// never a float.
///
/// ```
/// use etc_invoice_rules::{TaxRate, split_gross};
///
/// let s = split_gross("10.53".parse()?, "9%".parse()?);
/// assert_eq!((s.net.to_string(), s.tax.to_string()), ("9.66".into(), "0.87".into()));
/// let s = split_gross("232.76".parse()?, "0.03".parse()?);
/// assert_eq!((s.net.to_string(), s.tax.to_string()), ("225.98".into(), "6.78".into()));
/// assert_eq!(s.gross().to_string(), "232.76");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn split_gross(gross: Money, rate: TaxRate) -> TaxSplit {
    let gross_fen = gross.to_fen();
    let net_fen = RateFraction::of(rate).net_fen(gross_fen);
    // |net| ≤ |gross| with the same sign, so both parts are in range.
    TaxSplit {
        net: Money::from_fen(net_fen),
        tax: Money::from_fen(gross_fen - net_fen),
    }
}

/// The deviation `net × rate − tax` that the tolerances bound, exact.
///
/// ```
/// use etc_invoice_rules::{split_gross, tax_deviation};
///
/// let rate = "3%".parse()?;
/// let s = split_gross("5.61".parse()?, rate);
/// assert_eq!(tax_deviation(s.net, s.tax, rate).to_string(), "0.0035");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn tax_deviation(net: Money, tax: Money, rate: TaxRate) -> Decimal {
    let product = net
        .as_decimal()
        .checked_mul(rate.as_decimal())
        .unwrap_or(Decimal::MAX);
    product
        .checked_sub(tax.as_decimal())
        .unwrap_or(Decimal::MAX)
        .normalize()
}

/// A rate as the integer fraction `m / 10^s` (`s ≤ 9`, so `m ≤ 10^s ≤ 10⁹`),
/// for exact integer arithmetic on fen.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RateFraction {
    /// The numerator `m`.
    m: i64,
    /// `10^s`.
    pow: i64,
}

impl RateFraction {
    /// The fraction of `rate`.
    #[inline]
    pub(crate) fn of(rate: TaxRate) -> RateFraction {
        let (units, scale) = rate.as_fraction();
        RateFraction {
            m: i64::from(units),
            // scale ≤ 9: 10^scale ≤ 10⁹.
            pow: 10_i64.pow(scale),
        }
    }

    /// `round_half_away(gross / (1 + m/pow))` in fen.
    #[inline(always)]
    pub(crate) fn net_fen(self, gross_fen: i64) -> i64 {
        // `pow + m ≤ 2·10⁹`. The same arithmetic in 64 bits when the
        // product fits (it does for any amount below 9·10⁹ yuan): a 128-bit
        // division is a library call.
        let den = self.pow + self.m;
        if let Some(n) = gross_fen.checked_mul(self.pow) {
            let q = n / den;
            let r = n % den;
            // 2|r| < 2·den ≤ 4·10⁹: no overflow.
            return if 2 * r.unsigned_abs() >= den.unsigned_abs() {
                q + n.signum()
            } else {
                q
            };
        }
        let num = i128::from(gross_fen) * i128::from(self.pow);
        let den = i128::from(den);
        let q = num / den;
        let r = num % den;
        let q = if 2 * r.abs() >= den {
            q + num.signum()
        } else {
            q
        };
        // |q| ≤ |gross_fen|, so it fits.
        i64::try_from(q).unwrap_or(gross_fen)
    }

    /// The deviation `net × rate − tax` in units of `1 / (100 · pow)` yuan.
    pub(crate) fn deviation_units(self, net_fen: i64, tax_fen: i64) -> i128 {
        i128::from(net_fen) * i128::from(self.m) - i128::from(tax_fen) * i128::from(self.pow)
    }

    /// A tolerance in fen, in the units of [`RateFraction::deviation_units`].
    pub(crate) fn tolerance_units(self, tolerance_fen: i64) -> i128 {
        i128::from(tolerance_fen) * i128::from(self.pow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn m(s: &str) -> Money {
        s.parse().unwrap()
    }

    fn r(s: &str) -> TaxRate {
        s.parse().unwrap()
    }

    #[test]
    fn domain_samples() {
        for (gross, rate, net, tax) in [
            ("10.53", "9%", "9.66", "0.87"),
            ("5.61", "3%", "5.45", "0.16"),
            ("19.19", "3%", "18.63", "0.56"),
            ("6.48", "3%", "6.29", "0.19"),
            ("232.76", "3%", "225.98", "6.78"),
            ("0.00", "9%", "0.00", "0.00"),
            ("0.01", "9%", "0.01", "0.00"),
            ("100.00", "0", "100.00", "0.00"),
            ("-10.53", "9%", "-9.66", "-0.87"),
        ] {
            let s = split_gross(m(gross), r(rate));
            assert_eq!(s.net, m(net), "{gross} @ {rate}");
            assert_eq!(s.tax, m(tax), "{gross} @ {rate}");
            assert_eq!(s.gross(), m(gross));
        }
    }

    #[test]
    fn half_fen_ties_round_away_from_zero() {
        // 0.03 at 100 % is 0.015 exactly: a tie.
        let s = split_gross(m("0.03"), r("1"));
        assert_eq!(s.net, m("0.02"));
        assert_eq!(s.tax, m("0.01"));
        let s = split_gross(m("-0.03"), r("1"));
        assert_eq!(s.net, m("-0.02"));
    }

    #[test]
    fn tolerances() {
        let rate = r("9%");
        assert_eq!(
            tax_deviation(m("9.66"), m("0.87"), rate).to_string(),
            "-0.0006"
        );
    }

    proptest! {
        #[test]
        fn integer_path_matches_decimal_formula(
            fen in -1_000_000_000_000_i64..1_000_000_000_000,
            basis_points in 0_u32..=10_000,
        ) {
            let rate = TaxRate::new(Decimal::new(i64::from(basis_points), 4)).unwrap();
            let gross = Money::from_fen(fen);
            let s = split_gross(gross, rate);
            let expected = Money::from_decimal_rounded(
                gross.as_decimal() / (Decimal::ONE + rate.as_decimal()),
            ).unwrap();
            prop_assert_eq!(s.net, expected);
            prop_assert_eq!(s.net.checked_add(s.tax).unwrap(), gross);
            prop_assert!(tax_deviation(s.net, s.tax, rate).abs() <= Decimal::new(LINE_TOLERANCE_FEN, 2));
        }

        /// The 64-bit path gives what a plain 128-bit division gives, over
        /// any `i64` amount and any rate of up to nine decimals (where
        /// `gross × 10^s` leaves 64 bits, the 128-bit path answers).
        #[test]
        fn narrow_division_matches_wide_division(
            fen in prop_oneof![any::<i64>(), -1_000_000_000_i64..1_000_000_000],
            scale in 0_u32..=9,
            mantissa_part in 0_u64..=1_000_000_000,
        ) {
            let pow = 10_i128.pow(scale);
            let m = i128::from(mantissa_part) % (pow + 1);
            let rate = TaxRate::new(Decimal::from_i128_with_scale(m, scale)).unwrap();
            let f = RateFraction::of(rate);
            let num = i128::from(fen) * pow;
            let den = pow + m;
            let (q, r) = (num / den, num % den);
            let expected = if 2 * r.abs() >= den { q + num.signum() } else { q };
            prop_assert_eq!(i128::from(f.net_fen(fen)), expected);
        }
    }
}
