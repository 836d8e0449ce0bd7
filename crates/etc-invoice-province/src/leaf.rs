//! The kinds of value a rule can hold: how each is read from a file,
//! checked, and shown in an explanation.

use std::collections::BTreeSet;
use std::fmt;

use chrono::NaiveDate;
use etc_invoice_order::{TaxRate, TaxRateError};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use toml::Spanned;
use toml::value::Datetime;

use crate::RuleBookError;
use crate::enums::{ApplicationScope, TitleTimingSeverity};
use crate::text::LineIndex;

/// Where a value being checked was written.
pub(crate) struct At<'a> {
    pub(crate) file: &'a str,
    pub(crate) line: u32,
    pub(crate) key: &'a str,
    pub(crate) lines: &'a LineIndex,
}

impl At<'_> {
    fn moved(&self, line: u32) -> At<'_> {
        At {
            file: self.file,
            line,
            key: self.key,
            lines: self.lines,
        }
    }
}

/// A value a rule can hold.
pub(crate) trait Leaf: Sized + Clone {
    /// What the TOML file holds, before checking.
    type Raw: DeserializeOwned;

    /// Checks a value read from a file.
    fn check(raw: Self::Raw, at: &At<'_>) -> Result<Self, RuleBookError>;

    /// The value as an explanation shows it.
    fn show(&self) -> String;

    /// The value of a rule no file sets: `None` when the rule is required.
    fn when_unset() -> Option<Self> {
        None
    }
}

impl Leaf for u32 {
    type Raw = i64;

    fn check(raw: i64, at: &At<'_>) -> Result<u32, RuleBookError> {
        if raw < 0 {
            return Err(RuleBookError::Negative {
                file: at.file.to_owned(),
                line: at.line,
                key: at.key.to_owned(),
                value: raw,
            });
        }
        u32::try_from(raw).map_err(|_| RuleBookError::TooLarge {
            file: at.file.to_owned(),
            line: at.line,
            key: at.key.to_owned(),
            value: raw,
            max: i64::from(u32::MAX),
        })
    }

    fn show(&self) -> String {
        self.to_string()
    }
}

macro_rules! plain_leaf {
    ($($ty:ty),*) => {$(
        impl Leaf for $ty {
            type Raw = $ty;

            fn check(raw: $ty, _at: &At<'_>) -> Result<$ty, RuleBookError> {
                Ok(raw)
            }

            fn show(&self) -> String {
                self.to_string()
            }
        }
    )*};
}

plain_leaf!(bool, String, ApplicationScope, TitleTimingSeverity);

impl<T: Leaf> Leaf for Option<T> {
    type Raw = T::Raw;

    fn check(raw: T::Raw, at: &At<'_>) -> Result<Option<T>, RuleBookError> {
        T::check(raw, at).map(Some)
    }

    fn show(&self) -> String {
        self.as_ref()
            .map_or_else(|| "(unset)".to_owned(), Leaf::show)
    }

    fn when_unset() -> Option<Option<T>> {
        Some(None)
    }
}

impl Leaf for NaiveDate {
    type Raw = Datetime;

    fn check(raw: Datetime, at: &At<'_>) -> Result<NaiveDate, RuleBookError> {
        let date = match (raw.date, raw.time, raw.offset) {
            (Some(d), None, None) => {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
            }
            _ => None,
        };
        date.ok_or_else(|| RuleBookError::InvalidDate {
            file: at.file.to_owned(),
            line: at.line,
            key: at.key.to_owned(),
            value: raw.to_string(),
        })
    }

    fn show(&self) -> String {
        self.to_string()
    }
}

/// A rate as a file may write it: `"9%"`, `"0.09"` or `0.09`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum RawRate {
    Text(String),
    Integer(i64),
    Float(f64),
}

impl Leaf for TaxRate {
    type Raw = RawRate;

    fn check(raw: RawRate, at: &At<'_>) -> Result<TaxRate, RuleBookError> {
        let text = match raw {
            RawRate::Text(s) => s,
            RawRate::Integer(i) => i.to_string(),
            // The shortest text that reads back as the same float: what the
            // file said (`0.09`), decided exactly from here on.
            RawRate::Float(f) => f.to_string(),
        };
        text.parse::<TaxRate>().map_err(|source| match source {
            TaxRateError::OutOfRange(_) => RuleBookError::RateOutOfRange {
                file: at.file.to_owned(),
                line: at.line,
                key: at.key.to_owned(),
                value: text.chars().take(64).collect(),
            },
            _ => RuleBookError::InvalidRate {
                file: at.file.to_owned(),
                line: at.line,
                key: at.key.to_owned(),
                value: text.chars().take(64).collect(),
                source,
            },
        })
    }

    fn show(&self) -> String {
        self.to_string()
    }
}

impl<T> Leaf for BTreeSet<T>
where
    T: DeserializeOwned + Ord + Clone + fmt::Display,
{
    type Raw = Vec<T>;

    fn check(raw: Vec<T>, at: &At<'_>) -> Result<BTreeSet<T>, RuleBookError> {
        if raw.is_empty() {
            return Err(RuleBookError::Empty {
                file: at.file.to_owned(),
                line: at.line,
                key: at.key.to_owned(),
            });
        }
        Ok(raw.into_iter().collect())
    }

    fn show(&self) -> String {
        self.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// One entry of a rate schedule: a rate in force from a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatedRate {
    /// The first day the rate applies.
    pub effective_from: NaiveDate,
    /// The rate.
    pub rate: TaxRate,
}

/// A rate schedule: rates with the dates they take effect, strictly
/// increasing by date and never empty. Each rate applies until the next
/// entry's date.
///
/// ```
/// use etc_invoice_province::RuleBook;
///
/// let rules = RuleBook::builtin_ref().rules_for("粤".parse()?, "2024-01-01".parse()?)?;
/// let schedule = &rules.vat.general_rates;
/// assert_eq!(schedule.rate_on("2018-04-30".parse()?).map(|r| r.to_string()).as_deref(), Some("11%"));
/// assert_eq!(schedule.rate_on("2018-05-01".parse()?).map(|r| r.to_string()).as_deref(), Some("10%"));
/// assert_eq!(schedule.rate_on("2016-04-30".parse()?), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<DatedRate>", into = "Vec<DatedRate>")]
pub struct RateSchedule(Vec<DatedRate>);

/// A list of dated rates that is empty or not strictly increasing by date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a rate schedule needs at least one entry, with strictly increasing dates (`{at}` is not after the entry before it)"
)]
pub struct ScheduleError {
    at: String,
}

impl RateSchedule {
    /// A schedule from its entries.
    ///
    /// # Errors
    /// [`ScheduleError`] for no entries, or dates not strictly increasing.
    pub fn new(entries: Vec<DatedRate>) -> Result<RateSchedule, ScheduleError> {
        if entries.is_empty() {
            return Err(ScheduleError {
                at: "(none)".to_owned(),
            });
        }
        if let Some(w) = entries
            .windows(2)
            .find(|w| matches!(w, [a, b] if a.effective_from >= b.effective_from))
        {
            let at = w.last().map(|e| e.effective_from.to_string());
            return Err(ScheduleError {
                at: at.unwrap_or_default(),
            });
        }
        Ok(RateSchedule(entries))
    }

    /// The entries, in date order.
    pub fn entries(&self) -> &[DatedRate] {
        &self.0
    }

    /// The rate in force on `date`, `None` before the first entry.
    #[inline]
    pub fn rate_on(&self, date: NaiveDate) -> Option<TaxRate> {
        let n = self.0.partition_point(|e| e.effective_from <= date);
        n.checked_sub(1).and_then(|i| self.0.get(i)).map(|e| e.rate)
    }
}

impl TryFrom<Vec<DatedRate>> for RateSchedule {
    type Error = ScheduleError;

    fn try_from(entries: Vec<DatedRate>) -> Result<Self, Self::Error> {
        RateSchedule::new(entries)
    }
}

impl From<RateSchedule> for Vec<DatedRate> {
    fn from(s: RateSchedule) -> Vec<DatedRate> {
        s.0
    }
}

impl fmt::Display for RateSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{} from {}", e.rate, e.effective_from)?;
        }
        Ok(())
    }
}

/// One entry of a rate schedule as a file writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDatedRate {
    effective_from: Spanned<Datetime>,
    rate: Spanned<RawRate>,
}

impl Leaf for RateSchedule {
    type Raw = Vec<RawDatedRate>;

    fn check(raw: Vec<RawDatedRate>, at: &At<'_>) -> Result<RateSchedule, RuleBookError> {
        if raw.is_empty() {
            return Err(RuleBookError::Empty {
                file: at.file.to_owned(),
                line: at.line,
                key: at.key.to_owned(),
            });
        }
        let date_key = format!("{}.effective_from", at.key);
        let rate_key = format!("{}.rate", at.key);
        let mut entries: Vec<DatedRate> = Vec::with_capacity(raw.len());
        for r in raw {
            let line = at.lines.line_of(&r.effective_from);
            let date_at = At {
                key: &date_key,
                ..at.moved(line)
            };
            let effective_from = NaiveDate::check(r.effective_from.into_inner(), &date_at)?;
            check_order(
                entries.last().map(|e| e.effective_from),
                effective_from,
                &date_at,
            )?;
            let rate_line = at.lines.line_of(&r.rate);
            let rate = TaxRate::check(
                r.rate.into_inner(),
                &At {
                    key: &rate_key,
                    ..at.moved(rate_line)
                },
            )?;
            entries.push(DatedRate {
                effective_from,
                rate,
            });
        }
        Ok(RateSchedule(entries))
    }

    fn show(&self) -> String {
        self.to_string()
    }
}

/// Checks that `date` comes strictly after `previous`.
pub(crate) fn check_order(
    previous: Option<NaiveDate>,
    date: NaiveDate,
    at: &At<'_>,
) -> Result<(), RuleBookError> {
    match previous {
        Some(p) if p == date => Err(RuleBookError::Overlapping {
            file: at.file.to_owned(),
            line: at.line,
            key: at.key.to_owned(),
            date,
        }),
        Some(p) if p > date => Err(RuleBookError::OutOfOrder {
            file: at.file.to_owned(),
            line: at.line,
            key: at.key.to_owned(),
            date,
            previous: p,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(lines: &LineIndex) -> At<'_> {
        At {
            file: "t.toml",
            line: 3,
            key: "k",
            lines,
        }
    }

    #[test]
    fn counts() {
        let lines = LineIndex::new("");
        assert_eq!(u32::check(7, &at(&lines)).unwrap(), 7);
        assert!(matches!(
            u32::check(-1, &at(&lines)),
            Err(RuleBookError::Negative { value: -1, .. })
        ));
        assert!(matches!(
            u32::check(i64::MAX, &at(&lines)),
            Err(RuleBookError::TooLarge { .. })
        ));
    }

    #[test]
    fn rates() {
        let lines = LineIndex::new("");
        for (raw, shown) in [
            (RawRate::Float(0.09), "9%"),
            (RawRate::Text("3%".into()), "3%"),
            (RawRate::Text("0.05".into()), "5%"),
            (RawRate::Integer(0), "0%"),
            (RawRate::Integer(1), "100%"),
        ] {
            assert_eq!(TaxRate::check(raw, &at(&lines)).unwrap().to_string(), shown);
        }
        assert!(matches!(
            TaxRate::check(RawRate::Float(1.5), &at(&lines)),
            Err(RuleBookError::RateOutOfRange { .. })
        ));
        assert!(matches!(
            TaxRate::check(RawRate::Float(-0.01), &at(&lines)),
            Err(RuleBookError::RateOutOfRange { .. })
        ));
        assert!(matches!(
            TaxRate::check(RawRate::Text("nine".into()), &at(&lines)),
            Err(RuleBookError::InvalidRate { .. })
        ));
    }

    #[test]
    fn schedules() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let r = |p| TaxRate::from_percent(p).unwrap();
        let s = RateSchedule::new(vec![
            DatedRate {
                effective_from: d("2016-05-01"),
                rate: r(11),
            },
            DatedRate {
                effective_from: d("2018-05-01"),
                rate: r(10),
            },
        ])
        .unwrap();
        assert_eq!(s.rate_on(d("2016-04-30")), None);
        assert_eq!(s.rate_on(d("2016-05-01")), Some(r(11)));
        assert_eq!(s.rate_on(d("2030-01-01")), Some(r(10)));
        assert_eq!(s.to_string(), "11% from 2016-05-01, 10% from 2018-05-01");
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<RateSchedule>(&json).unwrap(), s);
        assert!(RateSchedule::new(vec![]).is_err());
        let backwards = r#"[{"effective_from":"2018-05-01","rate":"10%"},{"effective_from":"2018-05-01","rate":"9%"}]"#;
        assert!(serde_json::from_str::<RateSchedule>(backwards).is_err());
    }
}
