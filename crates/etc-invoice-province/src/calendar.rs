//! Public holidays, as input to the eligibility rule.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use toml::Spanned;
use toml::value::Datetime;

use crate::RuleBookError;
use crate::leaf::{At, Leaf};
use crate::schema::SCHEMA_VERSION;
use crate::text::{LineIndex, toml_error};

/// The longest range of holidays one `[[range]]` may give, in days.
const MAX_RANGE_DAYS: i64 = 366;

/// A set of public-holiday dates (法定节假日), given by the caller.
///
/// The crate ships no calendar: China's holidays (and the working weekends
/// traded for them) are announced each year, so a deployment supplies its
/// own, from a list or from a TOML file:
///
/// ```toml
/// version = 1
/// holidays = [2019-05-01, 2019-06-07]
///
/// [[range]]
/// first = 2019-10-01
/// last = 2019-10-07
/// name = "国庆节"
/// ```
///
/// ```
/// use etc_invoice_province::HolidayCalendar;
///
/// let text = "version = 1\n[[range]]\nfirst = 2019-10-01\nlast = 2019-10-07\n";
/// let cal = HolidayCalendar::from_toml_str("holidays.toml", text)?;
/// assert_eq!(cal.len(), 7);
/// assert!(cal.is_holiday("2019-10-07".parse()?));
/// assert_eq!(cal.next_working_day("2019-10-03".parse()?).to_string(), "2019-10-08");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HolidayCalendar {
    dates: BTreeSet<NaiveDate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    version: Spanned<i64>,
    #[serde(default)]
    holidays: Vec<Spanned<Datetime>>,
    #[serde(default)]
    range: Vec<RawRange>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRange {
    first: Spanned<Datetime>,
    last: Spanned<Datetime>,
    #[expect(
        dead_code,
        reason = "a name documents the range; it is read only to allow the key"
    )]
    name: Option<String>,
}

impl HolidayCalendar {
    /// An empty calendar: no day is a holiday.
    pub fn new() -> HolidayCalendar {
        HolidayCalendar::default()
    }

    /// A calendar of the given dates.
    pub fn from_dates(dates: impl IntoIterator<Item = NaiveDate>) -> HolidayCalendar {
        HolidayCalendar {
            dates: dates.into_iter().collect(),
        }
    }

    /// Reads a calendar file (see the type's docs for the format).
    ///
    /// # Errors
    /// [`RuleBookError`] naming `name`, the line and the key, for malformed
    /// TOML, unknown keys, an unsupported version, a value that is not a
    /// date, a range that ends before it starts, or a range over 366 days.
    pub fn from_toml_str(name: &str, text: &str) -> Result<HolidayCalendar, RuleBookError> {
        let raw: RawCalendar = toml::from_str(text).map_err(|e| toml_error(name, text, e))?;
        let lines = LineIndex::new(text);
        if *raw.version.get_ref() != SCHEMA_VERSION {
            return Err(RuleBookError::Version {
                file: name.to_owned(),
                line: lines.line_of(&raw.version),
                found: *raw.version.get_ref(),
            });
        }
        let date = |value: Spanned<Datetime>, key: &str| {
            let at = At {
                file: name,
                line: lines.line_of(&value),
                key,
                lines: &lines,
            };
            NaiveDate::check(value.into_inner(), &at)
        };
        let mut dates = BTreeSet::new();
        for d in raw.holidays {
            dates.insert(date(d, "holidays")?);
        }
        for r in raw.range {
            let line = lines.line_of(&r.last);
            let first = date(r.first, "range.first")?;
            let last = date(r.last, "range.last")?;
            let days = (last - first).num_days();
            if days < 0 {
                return Err(RuleBookError::OutOfOrder {
                    file: name.to_owned(),
                    line,
                    key: "range.last".to_owned(),
                    date: last,
                    previous: first,
                });
            }
            if days >= MAX_RANGE_DAYS {
                return Err(RuleBookError::TooLarge {
                    file: name.to_owned(),
                    line,
                    key: "range.last".to_owned(),
                    value: days + 1,
                    max: MAX_RANGE_DAYS,
                });
            }
            dates.extend(first.iter_days().take_while(|d| *d <= last));
        }
        Ok(HolidayCalendar { dates })
    }

    /// Adds a holiday; `false` if it was already there.
    pub fn insert(&mut self, date: NaiveDate) -> bool {
        self.dates.insert(date)
    }

    /// Whether `date` is a holiday.
    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.dates.contains(&date)
    }

    /// `date` itself if it is not a holiday, else the first later day that
    /// is not one.
    pub fn next_working_day(&self, date: NaiveDate) -> NaiveDate {
        let mut d = date;
        // Each step passes one holiday of a finite set, so this ends.
        while self.dates.contains(&d) {
            match d.succ_opt() {
                Some(next) => d = next,
                None => break,
            }
        }
        d
    }

    /// The holidays, in date order.
    pub fn iter(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.dates.iter().copied()
    }

    /// The number of holidays.
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// Whether the calendar has no holidays.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }
}

impl FromIterator<NaiveDate> for HolidayCalendar {
    fn from_iter<I: IntoIterator<Item = NaiveDate>>(iter: I) -> Self {
        HolidayCalendar::from_dates(iter)
    }
}

impl Extend<NaiveDate> for HolidayCalendar {
    fn extend<I: IntoIterator<Item = NaiveDate>>(&mut self, iter: I) {
        self.dates.extend(iter);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn reads_lists_and_ranges() {
        let cal = HolidayCalendar::from_toml_str(
            "h.toml",
            "version = 1\nholidays = [2019-05-01, 2019-06-07]\n[[range]]\nfirst = 2019-10-01\nlast = 2019-10-02\nname = \"国庆节\"\n",
        )
        .unwrap();
        assert_eq!(
            cal.iter().collect::<Vec<_>>(),
            [
                d("2019-05-01"),
                d("2019-06-07"),
                d("2019-10-01"),
                d("2019-10-02")
            ]
        );
        assert_eq!(cal.next_working_day(d("2019-10-01")), d("2019-10-03"));
        assert_eq!(cal.next_working_day(d("2019-10-05")), d("2019-10-05"));
    }

    #[test]
    fn bad_files() {
        let err = |t: &str| {
            HolidayCalendar::from_toml_str("h.toml", t)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err("version = 1\n[[range]]\nfirst = 2019-10-07\nlast = 2019-10-01\n"),
            "date `2019-10-01` comes before the previous date, `2019-10-07` (in `h.toml` line 4, key `range.last`)"
        );
        assert_eq!(
            err("version = 1\n[[range]]\nfirst = 2019-01-01\nlast = 2021-01-01\n"),
            "count `732` is above the largest allowed, `366` (in `h.toml` line 4, key `range.last`)"
        );
        assert_eq!(
            err("version = 1\nholidays = [2019-10-01T00:00:00]\n"),
            "`2019-10-01T00:00:00` is not a date, expected `YYYY-MM-DD` (in `h.toml` line 2, key `holidays`)"
        );
        assert_eq!(
            err("version = 1\nholiday = []\n"),
            "unknown key `holiday` (in `h.toml` line 2)"
        );
    }
}
