//! Amounts in Chinese capitals (大写金额), as invoices print the total.

use etc_invoice_order::Money;

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
/// What a negative amount starts with.
const NEGATIVE: &str = "（负数）";
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
/// (《支付结算办法》附件一 正确填写票据和结算凭证的基本规定), in the form
/// the tax system prints them on 数电 invoices (圆, not 元; 整 after 角):
///
/// - digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟 within a group of four and
///   万 / 亿 between groups (万亿 above 10¹²);
/// - one 零 stands for any run of zeros between two non-zero digits, also
///   across a group boundary (`1001` → 壹仟零壹, `100010` → 壹拾万零壹拾);
/// - `拾` keeps its `壹` (`10` → 壹拾圆整);
/// - 圆 after the whole yuan; 整 when the amount ends at 圆 or 角 (no fen);
///   零 between 圆 and the fen when the jiao are zero (`1.05` → 壹圆零伍分);
///   no 零圆 in front of an amount under one yuan (`0.76` → 柒角陆分);
/// - zero is 零圆整; a negative amount (a red invoice) starts with （负数）,
///   as red 数电 invoices' XML writes it (`（负数）伍佰圆整`).
///
/// [`capitals_agree`] reads the other writings the rules allow (元, 正, 负,
/// …).
///
/// ```
/// use etc_invoice_platform::amount_in_capitals;
///
/// assert_eq!(amount_in_capitals("232.76".parse()?), "贰佰叁拾贰圆柒角陆分");
/// assert_eq!(amount_in_capitals("960.50".parse()?), "玖佰陆拾圆伍角整");
/// assert_eq!(amount_in_capitals("100000".parse()?), "壹拾万圆整");
/// assert_eq!(amount_in_capitals("-10.05".parse()?), "（负数）壹拾圆零伍分");
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
        out.push_str(NEGATIVE);
    }
    if yuan > 0 {
        push_integer(&mut out, yuan);
        out.push('圆');
    }
    match (jiao, fen) {
        (0, 0) => {
            if yuan == 0 {
                out.push_str("零圆");
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
            out.push_str("角整");
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

/// Whether `text` writes `amount` in capitals: as [`amount_in_capitals`]
/// does, or in another writing the PBOC rules allow and invoices in
/// circulation use:
///
/// - 元 for 圆, and 正 for 整;
/// - no 整 after 角 (`壹圆伍角`), as the rules before the tax system's
///   form allowed;
/// - a 零 between 圆 and the jiao when the yuan end in zero
///   (`壹仟叁佰贰拾圆零伍角陆分`);
/// - a leading `人民币`, and `负` or `(负数)` for `（负数）`.
///
/// ```
/// use etc_invoice_platform::capitals_agree;
///
/// let amount = "1320.50".parse()?;
/// assert!(capitals_agree(amount, "壹仟叁佰贰拾圆伍角整"));
/// assert!(capitals_agree(amount, "人民币壹仟叁佰贰拾元零伍角"));
/// assert!(!capitals_agree(amount, "壹仟叁佰贰拾圆陆角整"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn capitals_agree(amount: Money, text: &str) -> bool {
    let canonical = amount_in_capitals(amount);
    if text == canonical {
        return true;
    }
    let mut t = text.trim().replace('元', "圆").replace('正', "整");
    if let Some(rest) = t.strip_prefix("人民币") {
        t = rest.to_owned();
    }
    for negative in ["负", "(负数)"] {
        if let Some(rest) = t.strip_prefix(negative) {
            t = format!("{NEGATIVE}{rest}");
        }
    }
    if t.ends_with('角') {
        t.push('整');
    }
    // 圆零X角 → 圆X角: the optional 零 after yuan that end in zero (a unit,
    // not a digit, before 圆).
    let chars: Vec<char> = t.chars().collect();
    let optional_zero = chars.windows(5).position(|w| {
        matches!(w, [before, '圆', '零', d, '角']
            if !DIGITS.contains(before) && DIGITS.contains(d) && *d != '零')
    });
    if let Some(at) = optional_zero {
        t = chars
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != at + 2)
            .map(|(_, c)| c)
            .collect();
    }
    t == canonical
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
        assert_eq!(caps("232.76"), "贰佰叁拾贰圆柒角陆分");
        assert_eq!(caps("10.53"), "壹拾圆伍角叁分");
        assert_eq!(caps("5.61"), "伍圆陆角壹分");
        assert_eq!(caps("19.19"), "壹拾玖圆壹角玖分");
        assert_eq!(caps("6.48"), "陆圆肆角捌分");
    }

    #[test]
    fn fractions() {
        assert_eq!(caps("0"), "零圆整");
        assert_eq!(caps("0.76"), "柒角陆分");
        assert_eq!(caps("0.06"), "陆分");
        assert_eq!(caps("0.50"), "伍角整");
        assert_eq!(caps("1.05"), "壹圆零伍分");
        assert_eq!(caps("1.50"), "壹圆伍角整");
        assert_eq!(caps("1"), "壹圆整");
    }

    #[test]
    fn zeros_inside() {
        assert_eq!(caps("10"), "壹拾圆整");
        assert_eq!(caps("15"), "壹拾伍圆整");
        assert_eq!(caps("100"), "壹佰圆整");
        assert_eq!(caps("101"), "壹佰零壹圆整");
        assert_eq!(caps("110"), "壹佰壹拾圆整");
        assert_eq!(caps("1001"), "壹仟零壹圆整");
        assert_eq!(caps("1010"), "壹仟零壹拾圆整");
        assert_eq!(caps("10010"), "壹万零壹拾圆整");
        assert_eq!(caps("100000"), "壹拾万圆整");
        assert_eq!(caps("100010"), "壹拾万零壹拾圆整");
        assert_eq!(caps("100100"), "壹拾万零壹佰圆整");
        assert_eq!(caps("1000000"), "壹佰万圆整");
        assert_eq!(caps("1020304"), "壹佰零贰万零叁佰零肆圆整");
        assert_eq!(
            caps("12345678.90"),
            "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌圆玖角整"
        );
    }

    #[test]
    fn large_groups() {
        assert_eq!(caps("100000000"), "壹亿圆整");
        assert_eq!(caps("100000001"), "壹亿零壹圆整");
        assert_eq!(caps("120000000"), "壹亿贰仟万圆整");
        assert_eq!(caps("102000000"), "壹亿零贰佰万圆整");
        assert_eq!(caps("100010000"), "壹亿零壹万圆整");
        assert_eq!(caps("1000000000000"), "壹万亿圆整");
        assert_eq!(caps("1000100000000"), "壹万零壹亿圆整");
        assert_eq!(caps("2000000010000"), "贰万亿零壹万圆整");
        assert_eq!(caps("10000000000000"), "壹拾万亿圆整");
    }

    #[test]
    fn negatives() {
        assert_eq!(caps("-232.76"), "（负数）贰佰叁拾贰圆柒角陆分");
        assert_eq!(caps("-0.06"), "（负数）陆分");
        // A red invoice's XML (`TotalTax-includedAmountInChinese`).
        assert_eq!(caps("-500"), "（负数）伍佰圆整");
    }

    /// Totals in capitals as printed on real invoices (数电 and earlier VAT
    /// invoices, read off public invoice-parsing projects' fixtures).
    #[test]
    fn as_printed_on_invoices() {
        for (amount, printed) in [
            ("960.50", "玖佰陆拾圆伍角整"),
            ("246.90", "贰佰肆拾陆圆玖角整"),
            ("692", "陆佰玖拾贰圆整"),
            ("100000", "壹拾万圆整"),
            ("226548.43", "贰拾贰万陆仟伍佰肆拾捌圆肆角叁分"),
            ("17657.07", "壹万柒仟陆佰伍拾柒圆零柒分"),
            ("36582.50", "叁万陆仟伍佰捌拾贰圆伍角整"),
            ("29659.50", "贰万玖仟陆佰伍拾玖圆伍角整"),
        ] {
            assert_eq!(caps(amount), printed, "{amount}");
        }
    }

    #[test]
    fn other_writings_agree() {
        let m = |s: &str| -> Money { s.parse().unwrap() };
        for (amount, text) in [
            ("232.76", "贰佰叁拾贰元柒角陆分"),
            ("960.50", "玖佰陆拾元伍角"),
            ("960.50", "玖佰陆拾圆伍角正"),
            ("960.50", "人民币玖佰陆拾圆零伍角整"),
            ("1320.56", "壹仟叁佰贰拾圆零伍角陆分"),
            ("100", "壹佰元正"),
            ("0", "零元整"),
            ("-10.50", "负壹拾圆伍角整"),
            ("-10.50", "(负数)壹拾元伍角"),
            ("-10.05", "负壹拾元零伍分"),
        ] {
            assert!(capitals_agree(m(amount), text), "{amount} {text}");
        }
        for (amount, text) in [
            ("960.50", "玖佰陆拾圆陆角整"),
            ("960.50", "玖佰陆拾圆伍角伍分"),
            ("960.50", "玖佰陆拾圆"),
            ("10.50", "（负数）壹拾圆伍角整"),
            ("-10.50", "壹拾圆伍角整"),
            // The optional 零 is for yuan that end in zero only.
            ("1.50", "壹圆零伍角整"),
            ("100", ""),
        ] {
            assert!(!capitals_agree(m(amount), text), "{amount} {text}");
        }
    }

    proptest::proptest! {
        /// Capitals name one amount: each amount's writing agrees with it
        /// and with no other.
        #[test]
        fn capitals_name_one_amount(a in -10_i64.pow(15)..10_i64.pow(15), b in -10_i64.pow(15)..10_i64.pow(15)) {
            let (a, b) = (Money::from_fen(a), Money::from_fen(b));
            let text = amount_in_capitals(a);
            proptest::prop_assert!(capitals_agree(a, &text));
            proptest::prop_assert_eq!(capitals_agree(b, &text), a == b);
        }
    }
}
