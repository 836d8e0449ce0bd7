//! The one error type of this crate.

use chrono::NaiveDate;
use etc_invoice_order::{Province, ProvinceError, TaxRateError};

/// Why a rule file could not be loaded, or a lookup has no answer.
///
/// Every error about a file names the file (`builtin:data/national.toml` or
/// the name an overlay was given), the 1-based line and the key as written
/// in the file, without array indexes (`period.timing.eligible_after_days`);
/// a missing value names the rule key (`timing.eligible_after_days`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RuleBookError {
    /// The text is not TOML, or a value has the wrong type or shape.
    #[error("malformed toml: {} (in `{file}` line {line}{})", .source.message(), key_suffix(.key.as_deref()))]
    Toml {
        /// The file.
        file: String,
        /// The line of the problem (1 when the parser gave no position).
        line: u32,
        /// The key at that position, when one can be told.
        key: Option<String>,
        /// The parser's error.
        source: Box<toml::de::Error>,
    },
    /// A key the schema does not know.
    #[error("unknown key `{key}` (in `{file}` line {line})")]
    UnknownKey {
        /// The file.
        file: String,
        /// The line of the key.
        line: u32,
        /// The unknown key, with the tables it sits in.
        key: String,
    },
    /// A schema version this crate does not read.
    #[error(
        "unsupported schema version `{found}`, expected `1` (in `{file}` line {line}, key `version`)"
    )]
    Version {
        /// The file.
        file: String,
        /// The line of `version`.
        line: u32,
        /// The version found.
        found: i64,
    },
    /// A province name that names no province.
    #[error("unknown province `{}` (in `{file}` line {line}, key `{key}`)", .source.input())]
    UnknownProvince {
        /// The file.
        file: String,
        /// The line of the value.
        line: u32,
        /// The key.
        key: String,
        /// Why the name was refused.
        source: ProvinceError,
    },
    /// A second file for the same province (or a second national file) in
    /// one book.
    #[error(
        "`{scope}` already has a rule file, `{previous}` (in `{file}` line {line}, key `province`)"
    )]
    DuplicateScope {
        /// The file.
        file: String,
        /// The line of `province` (1 for a national file).
        line: u32,
        /// The province's name, or `national`.
        scope: String,
        /// The file that came first.
        previous: String,
    },
    /// An effective date earlier than the one before it (or a range that
    /// ends before it starts).
    #[error(
        "date `{date}` comes before the previous date, `{previous}` (in `{file}` line {line}, key `{key}`)"
    )]
    OutOfOrder {
        /// The file.
        file: String,
        /// The line of the date.
        line: u32,
        /// The key.
        key: String,
        /// The offending date.
        date: NaiveDate,
        /// The date before it.
        previous: NaiveDate,
    },
    /// An effective date equal to the one before it: two entries would be
    /// in force at once.
    #[error(
        "date `{date}` overlaps the previous entry, which starts on the same day (in `{file}` line {line}, key `{key}`)"
    )]
    Overlapping {
        /// The file.
        file: String,
        /// The line of the date.
        line: u32,
        /// The key.
        key: String,
        /// The repeated date.
        date: NaiveDate,
    },
    /// A value that should be a plain date (`2018-01-01`).
    #[error(
        "`{value}` is not a date, expected `YYYY-MM-DD` (in `{file}` line {line}, key `{key}`)"
    )]
    InvalidDate {
        /// The file.
        file: String,
        /// The line of the value.
        line: u32,
        /// The key.
        key: String,
        /// The value as written.
        value: String,
    },
    /// A text that is not a rate.
    #[error(
        "`{value}` is not a rate, expected a decimal such as `0.09` or a percentage such as `\"9%\"` (in `{file}` line {line}, key `{key}`)"
    )]
    InvalidRate {
        /// The file.
        file: String,
        /// The line of the value.
        line: u32,
        /// The key.
        key: String,
        /// The value as written.
        value: String,
        /// Why the rate was refused.
        source: TaxRateError,
    },
    /// A rate below 0 or above 1 (100 %).
    #[error("rate `{value}` is outside 0 to 1 (in `{file}` line {line}, key `{key}`)")]
    RateOutOfRange {
        /// The file.
        file: String,
        /// The line of the value.
        line: u32,
        /// The key.
        key: String,
        /// The value as written.
        value: String,
    },
    /// A negative day count or other count.
    #[error("count `{value}` is negative (in `{file}` line {line}, key `{key}`)")]
    Negative {
        /// The file.
        file: String,
        /// The line of the value.
        line: u32,
        /// The key.
        key: String,
        /// The value.
        value: i64,
    },
    /// A count above what the key allows.
    #[error(
        "count `{value}` is above the largest allowed, `{max}` (in `{file}` line {line}, key `{key}`)"
    )]
    TooLarge {
        /// The file.
        file: String,
        /// The line of the value.
        line: u32,
        /// The key.
        key: String,
        /// The value.
        value: i64,
        /// The largest value allowed.
        max: i64,
    },
    /// A list that must name at least one value is empty.
    #[error(
        "the list is empty, expected at least one value (in `{file}` line {line}, key `{key}`)"
    )]
    Empty {
        /// The file.
        file: String,
        /// The line of the list.
        line: u32,
        /// The key.
        key: String,
    },
    /// A rule with no value in force on a date some period starts on: the
    /// first national period must set every key.
    #[error(
        "no value for `{key}` is in force on `{date}` (in `{file}` line {line}, the period that starts then)"
    )]
    Missing {
        /// The file of the period that starts on `date`.
        file: String,
        /// The line of that period's `effective_from`.
        line: u32,
        /// The rule key without a value (`timing.eligible_after_days`).
        key: String,
        /// The date.
        date: NaiveDate,
    },
    /// A lookup for a date before the earliest rule of a province.
    #[error("no rules for `{province}` on `{date}`{}", earliest_suffix(*.earliest))]
    TooEarly {
        /// The province.
        province: Province,
        /// The date asked for.
        date: NaiveDate,
        /// The date the earliest rules take effect, if there are any.
        earliest: Option<NaiveDate>,
    },
    /// A rule key that [`RuleSet::KEYS`](crate::RuleSet::KEYS) does not list.
    #[error("unknown rule key `{key}`")]
    UnknownRuleKey {
        /// The key asked for.
        key: String,
    },
    /// A date outside a rule's schedule (a VAT rate before the first entry,
    /// a government-repaid road before non-taxable invoices began).
    #[error("no {what} is in force on `{date}`")]
    NotInForce {
        /// The rule.
        what: &'static str,
        /// The date asked for.
        date: NaiveDate,
    },
    /// A file could not be read.
    #[error("cannot read `{file}`")]
    Io {
        /// The path.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

fn key_suffix(key: Option<&str>) -> String {
    key.map(|k| format!(", key `{k}`")).unwrap_or_default()
}

fn earliest_suffix(earliest: Option<NaiveDate>) -> String {
    match earliest {
        Some(d) => format!(": the earliest rules take effect on `{d}`"),
        None => ": the book has no rules for it".to_owned(),
    }
}

impl RuleBookError {
    /// The file the error is about, if it is about a file.
    pub fn file(&self) -> Option<&str> {
        match self {
            RuleBookError::Toml { file, .. }
            | RuleBookError::UnknownKey { file, .. }
            | RuleBookError::Version { file, .. }
            | RuleBookError::UnknownProvince { file, .. }
            | RuleBookError::DuplicateScope { file, .. }
            | RuleBookError::OutOfOrder { file, .. }
            | RuleBookError::Overlapping { file, .. }
            | RuleBookError::InvalidDate { file, .. }
            | RuleBookError::InvalidRate { file, .. }
            | RuleBookError::RateOutOfRange { file, .. }
            | RuleBookError::Negative { file, .. }
            | RuleBookError::TooLarge { file, .. }
            | RuleBookError::Empty { file, .. }
            | RuleBookError::Missing { file, .. }
            | RuleBookError::Io { file, .. } => Some(file),
            RuleBookError::TooEarly { .. }
            | RuleBookError::UnknownRuleKey { .. }
            | RuleBookError::NotInForce { .. } => None,
        }
    }

    /// The 1-based line the error is about, if it is about a place in a file.
    pub fn line(&self) -> Option<u32> {
        match self {
            RuleBookError::Toml { line, .. }
            | RuleBookError::UnknownKey { line, .. }
            | RuleBookError::Version { line, .. }
            | RuleBookError::UnknownProvince { line, .. }
            | RuleBookError::DuplicateScope { line, .. }
            | RuleBookError::OutOfOrder { line, .. }
            | RuleBookError::Overlapping { line, .. }
            | RuleBookError::InvalidDate { line, .. }
            | RuleBookError::InvalidRate { line, .. }
            | RuleBookError::RateOutOfRange { line, .. }
            | RuleBookError::Negative { line, .. }
            | RuleBookError::TooLarge { line, .. }
            | RuleBookError::Empty { line, .. }
            | RuleBookError::Missing { line, .. } => Some(*line),
            RuleBookError::Io { .. }
            | RuleBookError::TooEarly { .. }
            | RuleBookError::UnknownRuleKey { .. }
            | RuleBookError::NotInForce { .. } => None,
        }
    }

    /// The key the error is about, if one can be told.
    pub fn key(&self) -> Option<&str> {
        match self {
            RuleBookError::Toml { key, .. } => key.as_deref(),
            RuleBookError::UnknownKey { key, .. }
            | RuleBookError::UnknownProvince { key, .. }
            | RuleBookError::OutOfOrder { key, .. }
            | RuleBookError::Overlapping { key, .. }
            | RuleBookError::InvalidDate { key, .. }
            | RuleBookError::InvalidRate { key, .. }
            | RuleBookError::RateOutOfRange { key, .. }
            | RuleBookError::Negative { key, .. }
            | RuleBookError::TooLarge { key, .. }
            | RuleBookError::Empty { key, .. }
            | RuleBookError::Missing { key, .. }
            | RuleBookError::UnknownRuleKey { key } => Some(key),
            RuleBookError::Version { .. } => Some("version"),
            RuleBookError::DuplicateScope { .. } => Some("province"),
            RuleBookError::Io { .. }
            | RuleBookError::TooEarly { .. }
            | RuleBookError::NotInForce { .. } => None,
        }
    }

    /// Whether the error is a lookup outside the book's dates (a date before
    /// the earliest rules, or outside a rule's schedule), rather than bad data.
    pub fn is_out_of_range(&self) -> bool {
        matches!(
            self,
            RuleBookError::TooEarly { .. } | RuleBookError::NotInForce { .. }
        )
    }
}
