//! Amounts in Chinese capitals (大写金额), as invoices print the total.

use etc_invoice_order::Money;

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
/// The unit of each position inside a group of four digits.
const SMALL: [&str; 4] = ["", "拾", "佰", "仟"];

fn digit(d: u64) -> char {
    DIGITS
        .get(usize::try_from(d).unwrap_or(0))
        .copied()
        .unwrap_or('零')
}

/// An amount in Chinese financial capitals, the way a tax invoice prints
/// 价税合计（大写）.
///
/// The rules are those of the People's Bank of China for writing amounts
/// (《支付结算办法》附件一 正确填写票据和结算凭证的基本规定), as invoicing
/// software applies them:
///
/// - digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟 within a group of four and
///   万 / 亿 between groups (万亿 above 10¹²);
/// - one 零 stands for any run of zeros between two non-zero digits, also
///   across a group boundary (`1001` → 壹仟零壹, `100010` → 壹拾万零壹拾);
/// - `拾` keeps its `壹` (`10` → 壹拾元整);
/// - 元 after the whole yuan; 整 when there are no jiao and fen; 零 between
///   元 and the fen when the jiao are zero (`1.05` → 壹元零伍分); no 零元 in
///   front of an amount under one yuan (`0.76` → 柒角陆分);
/// - zero is 零元整; a negative amount (a red invoice) starts with 负.
///
/// ```
/// use etc_invoice_platform::amount_in_capitals;
///
/// assert_eq!(amount_in_capitals("232.76".parse()?), "贰佰叁拾贰元柒角陆分");
/// assert_eq!(amount_in_capitals("100000".parse()?), "壹拾万元整");
/// assert_eq!(amount_in_capitals("-10.05".parse()?), "负壹拾元零伍分");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn amount_in_capitals(amount: Money) -> String {
    let fen_total = amount.to_fen();
    let negative = fen_total < 0;
    let fen_total = fen_total.unsigned_abs();
    let yuan = fen_total / 100;
    let jiao = (fen_total / 10) % 10;
    let fen = fen_total % 10;

    let mut out = String::new();
    if negative {
        out.push('负');
    }
    if yuan > 0 {
        push_integer(&mut out, yuan);
        out.push('元');
    }
    match (jiao, fen) {
        (0, 0) => {
            if yuan == 0 {
                out.push_str("零元");
            }
            out.push('整');
        }
        (0, f) => {
            if yuan > 0 {
                out.push('零');
            }
            out.push(digit(f));
            out.push('分');
        }
        (j, 0) => {
            out.push(digit(j));
            out.push('角');
        }
        (j, f) => {
            out.push(digit(j));
            out.push('角');
            out.push(digit(f));
            out.push('分');
        }
    }
    out
}

/// Writes a positive whole number in capitals.
fn push_integer(out: &mut String, n: u64) {
    let digits: Vec<u64> = {
        let mut v = Vec::new();
        let mut rest = n;
        while rest > 0 {
            v.push(rest % 10);
            rest /= 10;
        }
        v
    };
    // `digits[p]` is the digit at position p (10^p).
    let mut pending_zero = false;
    let mut written = false;
    for p in (0..digits.len()).rev() {
        let d = digits.get(p).copied().unwrap_or(0);
        if d == 0 {
            if written {
                pending_zero = true;
            }
        } else {
            if pending_zero {
                out.push('零');
                pending_zero = false;
            }
            out.push(digit(d));
            out.push_str(SMALL.get(p % 4).copied().unwrap_or(""));
            written = true;
        }
        // At the end of a group of four, its unit: 万 for 10^4 and 10^12
        // (万亿), 亿 for 10^8 whenever anything at or above it was written.
        if p == 8 && written {
            out.push('亿');
        } else if (p == 4 || p == 12) && group_has_digit(&digits, p) {
            out.push('万');
        }
    }
}

/// Whether any digit of the group of four starting at position `start` is
/// non-zero.
fn group_has_digit(digits: &[u64], start: usize) -> bool {
    digits.iter().skip(start).take(4).any(|d| *d != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(s: &str) -> String {
        amount_in_capitals(s.parse().unwrap())
    }

    #[test]
    fn domain_samples() {
        assert_eq!(caps("232.76"), "贰佰叁拾贰元柒角陆分");
        assert_eq!(caps("10.53"), "壹拾元伍角叁分");
        assert_eq!(caps("5.61"), "伍元陆角壹分");
        assert_eq!(caps("19.19"), "壹拾玖元壹角玖分");
        assert_eq!(caps("6.48"), "陆元肆角捌分");
    }

    #[test]
    fn fractions() {
        assert_eq!(caps("0"), "零元整");
        assert_eq!(caps("0.76"), "柒角陆分");
        assert_eq!(caps("0.06"), "陆分");
        assert_eq!(caps("0.50"), "伍角");
        assert_eq!(caps("1.05"), "壹元零伍分");
        assert_eq!(caps("1.50"), "壹元伍角");
        assert_eq!(caps("1"), "壹元整");
    }

    #[test]
    fn zeros_inside() {
        assert_eq!(caps("10"), "壹拾元整");
        assert_eq!(caps("15"), "壹拾伍元整");
        assert_eq!(caps("100"), "壹佰元整");
        assert_eq!(caps("101"), "壹佰零壹元整");
        assert_eq!(caps("110"), "壹佰壹拾元整");
        assert_eq!(caps("1001"), "壹仟零壹元整");
        assert_eq!(caps("1010"), "壹仟零壹拾元整");
        assert_eq!(caps("10010"), "壹万零壹拾元整");
        assert_eq!(caps("100000"), "壹拾万元整");
        assert_eq!(caps("100010"), "壹拾万零壹拾元整");
        assert_eq!(caps("100100"), "壹拾万零壹佰元整");
        assert_eq!(caps("1000000"), "壹佰万元整");
        assert_eq!(caps("1020304"), "壹佰零贰万零叁佰零肆元整");
        assert_eq!(caps("12345678.90"), "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角");
    }

    #[test]
    fn large_groups() {
        assert_eq!(caps("100000000"), "壹亿元整");
        assert_eq!(caps("100000001"), "壹亿零壹元整");
        assert_eq!(caps("120000000"), "壹亿贰仟万元整");
        assert_eq!(caps("102000000"), "壹亿零贰佰万元整");
        assert_eq!(caps("100010000"), "壹亿零壹万元整");
        assert_eq!(caps("1000000000000"), "壹万亿元整");
        assert_eq!(caps("1000100000000"), "壹万零壹亿元整");
        assert_eq!(caps("2000000010000"), "贰万亿零壹万元整");
        assert_eq!(caps("10000000000000"), "壹拾万亿元整");
    }

    #[test]
    fn negatives() {
        assert_eq!(caps("-232.76"), "负贰佰叁拾贰元柒角陆分");
        assert_eq!(caps("-0.06"), "负陆分");
    }
}
