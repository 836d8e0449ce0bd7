//! Findings: what a validation reports, each with a stable code, the JSON
//! path of the field, the offending value (redacted where it is personal)
//! and a message in Chinese and English.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The longest echoed value, in characters; longer values are cut and end
/// in `…`.
pub const MAX_ECHO_CHARS: usize = 64;

macro_rules! finding_codes {
    (
        $(
            $(#[$meta:meta])*
            $variant:ident = $wire:literal;
        )*
    ) => {
        /// The stable code of a finding. Its string form (`as_str`, serde,
        /// `Display`) never changes once released; new rules get new codes.
        ///
        /// | code | meaning |
        /// | --- | --- |
        $( #[doc = concat!("| `", $wire, "` | see [`FindingCode::", stringify!($variant), "`] |")] )*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum FindingCode {
            $( $(#[$meta])* #[doc = concat!("\n\nString form: `", $wire, "`.")] $variant, )*
        }

        impl FindingCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [FindingCode] = &[$(FindingCode::$variant),*];

            /// The stable string form, `SCREAMING_SNAKE_CASE`.
            pub fn as_str(self) -> &'static str {
                match self { $(FindingCode::$variant => $wire,)* }
            }

            /// Reads the string form.
            ///
            /// # Errors
            /// [`UnknownCodeError`] for anything else.
            pub fn parse(s: &str) -> Result<FindingCode, UnknownCodeError> {
                match s {
                    $($wire => Ok(FindingCode::$variant),)*
                    _ => Err(UnknownCodeError { input: s.chars().take(MAX_ECHO_CHARS).collect() }),
                }
            }
        }
    };
}

finding_codes! {
    /// The applicant's user id is empty, too long or has control characters.
    ApplicantInvalid = "APPLICANT_INVALID";
    /// The card number is not a valid 20-digit ETC card number.
    CardInvalid = "CARD_INVALID";
    /// The card is not bound to the applicant.
    CardNotBound = "CARD_NOT_BOUND";
    /// The billing month is not `YYYY-MM` or `YYYYMM`.
    MonthInvalid = "MONTH_INVALID";
    /// No rule set is in force for the card's province on the day of
    /// validation, or for a transaction's province and date.
    RulesNotInForce = "RULES_NOT_IN_FORCE";
    /// The province does not offer applications through this channel.
    ChannelNotOffered = "CHANNEL_NOT_OFFERED";
    /// The province does not allow this merge mode.
    MergeModeNotAllowed = "MERGE_MODE_NOT_ALLOWED";
    /// The province does not deliver invoices by email (warning: they are
    /// available for download instead).
    DeliveryEmailNotOffered = "DELIVERY_EMAIL_NOT_OFFERED";
    /// The receiving email address is not valid.
    DeliveryEmailInvalid = "DELIVERY_EMAIL_INVALID";
    /// The notification phone is not a valid phone number.
    DeliveryPhoneInvalid = "DELIVERY_PHONE_INVALID";
    /// The province does not allow this kind of title.
    TitleKindNotAllowed = "TITLE_KIND_NOT_ALLOWED";
    /// The title's name is empty.
    TitleNameMissing = "TITLE_NAME_MISSING";
    /// The title's name is too long, has control characters or no letter.
    TitleNameInvalid = "TITLE_NAME_INVALID";
    /// An enterprise title without a taxpayer id.
    TitleTaxpayerIdMissing = "TITLE_TAXPAYER_ID_MISSING";
    /// The taxpayer id is neither a unified social credit code nor a legacy
    /// taxpayer id.
    TitleTaxpayerIdInvalid = "TITLE_TAXPAYER_ID_INVALID";
    /// The unified social credit code passes its own check but its embedded
    /// organisation code fails the GB 11714 check (warning).
    TitleTaxpayerIdInnerCheck = "TITLE_TAXPAYER_ID_INNER_CHECK";
    /// A personal title carries enterprise fields, which are left off the
    /// invoice (warning).
    TitleFieldIgnored = "TITLE_FIELD_IGNORED";
    /// The address is too long or has control characters.
    TitleAddressInvalid = "TITLE_ADDRESS_INVALID";
    /// The title's phone is not a valid phone number.
    TitlePhoneInvalid = "TITLE_PHONE_INVALID";
    /// The bank name is too long or has control characters.
    TitleBankNameInvalid = "TITLE_BANK_NAME_INVALID";
    /// A bank account without a bank name.
    TitleBankNameMissing = "TITLE_BANK_NAME_MISSING";
    /// The bank account is not a valid account number.
    TitleBankAccountInvalid = "TITLE_BANK_ACCOUNT_INVALID";
    /// The title took effect after a selected transaction: warning or error
    /// as the province's rule set says.
    TitleSetAfterTransaction = "TITLE_SET_AFTER_TRANSACTION";
    /// Nothing is selected.
    SelectionEmpty = "SELECTION_EMPTY";
    /// More transactions are selected than the province allows; only the
    /// allowed number is examined.
    SelectionTooMany = "SELECTION_TOO_MANY";
    /// A selected id is not a valid transaction id.
    SelectionIdInvalid = "SELECTION_ID_INVALID";
    /// A transaction is selected twice.
    SelectionDuplicate = "SELECTION_DUPLICATE";
    /// A selected transaction does not exist.
    SelectionUnknown = "SELECTION_UNKNOWN";
    /// A statement application selects more than one id.
    SelectionNotSingleStatement = "SELECTION_NOT_SINGLE_STATEMENT";
    /// A selected transaction belongs to a card that is not bound to the
    /// applicant.
    TransactionNotOwned = "TRANSACTION_NOT_OWNED";
    /// A selected transaction belongs to another of the applicant's cards,
    /// where the province allows one card per application.
    ScopeOtherCard = "SCOPE_OTHER_CARD";
    /// A selected transaction is in another billing month, where the
    /// province allows one month per application.
    ScopeOtherMonth = "SCOPE_OTHER_MONTH";
    /// A selected transaction is of the wrong kind for the application
    /// (a top-up application selects only top-ups, and so on).
    KindMismatch = "KIND_MISMATCH";
    /// A refund is selected: refunds are never invoiced.
    KindRefund = "KIND_REFUND";
    /// An audit-recovered toll is selected where the province does not
    /// invoice them.
    KindRecoveryNotInvoiceable = "KIND_RECOVERY_NOT_INVOICEABLE";
    /// A passage is not settled yet.
    TransactionUnsettled = "TRANSACTION_UNSETTLED";
    /// A transaction cannot be invoiced yet (the N-day wait).
    TransactionNotYetEligible = "TRANSACTION_NOT_YET_ELIGIBLE";
    /// A transaction is past the latest application date.
    TransactionTooOld = "TRANSACTION_TOO_OLD";
    /// A transaction is already invoiced.
    TransactionInvoiced = "TRANSACTION_INVOICED";
    /// A transaction is reserved by another application.
    TransactionReserved = "TRANSACTION_RESERVED";
    /// A passage of a stored-value card was paid after a top-up that was
    /// invoiced at top-up time.
    StoredValueTopUpInvoiced = "STORED_VALUE_TOP_UP_INVOICED";
    /// A top-up of a card whose passages of that month or later are
    /// already invoiced.
    StoredValuePassagesInvoiced = "STORED_VALUE_PASSAGES_INVOICED";
    /// The card issuer (the seller of a top-up invoice) is not known.
    TopUpIssuerUnknown = "TOP_UP_ISSUER_UNKNOWN";
    /// A statement line names a transaction that does not exist.
    StatementLineUnknown = "STATEMENT_LINE_UNKNOWN";
    /// A statement line's transaction is already invoiced or reserved.
    StatementLineInvoiced = "STATEMENT_LINE_INVOICED";
    /// A statement has refund lines, which are not deducted from the
    /// invoices (warning).
    StatementHasRefunds = "STATEMENT_HAS_REFUNDS";
    /// A selected transaction has nothing to invoice (zero amount).
    AmountZero = "AMOUNT_ZERO";
    /// A statement line's amount differs from its transaction's amount.
    AmountStatementLineMismatch = "AMOUNT_STATEMENT_LINE_MISMATCH";
    /// An audit recovery's invoiceable amount exceeds what was collected
    /// (warning).
    AmountRecoveryExceedsCollected = "AMOUNT_RECOVERY_EXCEEDS_COLLECTED";
    /// The selection's total is beyond the money range.
    AmountOverflow = "AMOUNT_OVERFLOW";
    /// No document rule covers a segment (a government-repaid road before
    /// non-taxable invoices, or a date before the rate schedule).
    SegmentNoDocument = "SEGMENT_NO_DOCUMENT";
}

/// A text that is not a finding code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown finding code `{input}`")]
pub struct UnknownCodeError {
    input: String,
}

impl UnknownCodeError {
    /// The offending text (cut to 64 characters).
    pub fn input(&self) -> &str {
        &self.input
    }
}

impl fmt::Display for FindingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FindingCode {
    type Err = UnknownCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FindingCode::parse(s)
    }
}

impl Serialize for FindingCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for FindingCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        FindingCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    /// The application cannot go ahead.
    Error,
    /// The application may go ahead; the applicant should know.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding of a validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Finding {
    /// The stable code.
    pub code: FindingCode,
    /// Error or warning.
    pub severity: Severity,
    /// The JSON path of the field in the application: `title.taxpayerId`,
    /// `selected[3]`.
    pub path: String,
    /// The offending value, cut to [`MAX_ECHO_CHARS`] characters and
    /// redacted where it is personal (names of persons, phones, emails,
    /// bank accounts, addresses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The message in Chinese.
    pub message_zh: String,
    /// The message in English.
    pub message_en: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} at `{}`: {}",
            self.severity, self.code, self.path, self.message_en
        )
    }
}

/// `s` cut to [`MAX_ECHO_CHARS`] characters, ending in `…` when cut.
pub(crate) fn echo(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(MAX_ECHO_CHARS * 4));
    for (i, c) in s.chars().enumerate() {
        if i == MAX_ECHO_CHARS {
            out.push('…');
            return out;
        }
        // Control characters would break a table or a log line.
        out.push(if c.is_control() { '\u{fffd}' } else { c });
    }
    out
}

/// A personal value redacted: the first and last characters kept when it
/// is long enough, the rest masked with `*`; at most
/// [`MAX_ECHO_CHARS`] characters (a long value shows `…` before its tail).
pub(crate) fn redact(s: &str) -> String {
    let n = s.chars().count();
    let keep = match n {
        0..=2 => 0,
        3..=6 => 1,
        _ => 2,
    };
    let tail = n.saturating_sub(keep);
    if n <= MAX_ECHO_CHARS {
        return s
            .chars()
            .enumerate()
            .map(|(i, c)| if i < keep || i >= tail { clean(c) } else { '*' })
            .collect();
    }
    let mut out: String = s.chars().take(keep).map(clean).collect();
    out.extend(std::iter::repeat_n('*', MAX_ECHO_CHARS - 2 * keep - 1));
    out.push('…');
    out.extend(s.chars().skip(tail).map(clean));
    out
}

/// Control characters would break a table or a log line.
fn clean(c: char) -> char {
    if c.is_control() { '\u{fffd}' } else { c }
}

/// A person's name redacted: the family name (first character) kept.
pub(crate) fn redact_name(s: &str) -> String {
    let mut chars = s.chars();
    let mut out = String::new();
    if let Some(c) = chars.next() {
        out.push(if c.is_control() { '\u{fffd}' } else { c });
    }
    let rest = chars.take(MAX_ECHO_CHARS - 1).count();
    out.extend(std::iter::repeat_n('*', rest));
    if s.chars().nth(MAX_ECHO_CHARS).is_some() {
        out.push('…');
    }
    out
}

/// An email redacted: the first character of the local part and the domain.
pub(crate) fn redact_email(s: &str) -> String {
    match s.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            echo(&format!("{first}***@{domain}"))
        }
        None => redact(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for c in FindingCode::ALL {
            assert_eq!(c.as_str().parse::<FindingCode>().unwrap(), *c);
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(serde_json::from_str::<FindingCode>(&json).unwrap(), *c);
            assert!(
                c.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b == b'_')
            );
        }
        assert_eq!(
            "NOPE".parse::<FindingCode>().unwrap_err().to_string(),
            "unknown finding code `NOPE`"
        );
        let mut seen = std::collections::BTreeSet::new();
        assert!(FindingCode::ALL.iter().all(|c| seen.insert(c.as_str())));
    }

    #[test]
    fn echo_cuts() {
        assert_eq!(echo("abc"), "abc");
        let long = "x".repeat(100);
        let e = echo(&long);
        assert_eq!(e.chars().count(), 65);
        assert!(e.ends_with('…'));
        assert_eq!(echo("a\nb"), "a\u{fffd}b");
    }

    #[test]
    fn redaction() {
        assert_eq!(redact("13800138000"), "13*******00");
        assert_eq!(redact("6222020200112233445"), "62***************45");
        assert_eq!(redact("ab"), "**");
        assert_eq!(redact("abcd"), "a**d");
        assert_eq!(redact_name("张三"), "张*");
        assert_eq!(redact_name(""), "");
        assert_eq!(redact_email("finance@example.com"), "f***@example.com");
        assert_eq!(redact_email("nope"), "n**e");
        let long = "1".repeat(1000);
        assert_eq!(redact(&long).chars().count(), MAX_ECHO_CHARS);
        assert!(redact(&long).ends_with("…11"));
        assert!(redact_name(&"名".repeat(1000)).chars().count() <= MAX_ECHO_CHARS + 1);
    }
}
