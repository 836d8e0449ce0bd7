//! Business time: China Standard Time and billing months.
//!
//! Every business time in this workspace is China Standard Time (UTC+08:00,
//! no daylight saving). A time written without an offset means +08:00; a time
//! written with another offset is converted.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// The UTC+08:00 offset of China Standard Time.
pub fn cst() -> FixedOffset {
    #[expect(
        clippy::expect_used,
        reason = "8 h lies inside the ±24 h a fixed offset allows"
    )]
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// A point in time, held and shown in China Standard Time (+08:00).
///
/// Parses RFC 3339 (`2024-03-05T08:30:00+08:00`, `…Z`, any offset), or a
/// naive `2024-03-05T08:30:00` / `2024-03-05 08:30:00` (seconds optional,
/// fractions allowed), which means +08:00. Shown as RFC 3339 with `+08:00`.
/// Text is read only for times whose year in China is 0000–9999, the years
/// RFC 3339 can write, so that every time read is shown as text that reads
/// back to it.
///
/// ```
/// use etc_invoice_order::CstDateTime;
///
/// let a: CstDateTime = "2024-03-05 08:30:00".parse()?;
/// let b: CstDateTime = "2024-03-05T00:30:00Z".parse()?;
/// assert_eq!(a, b);
/// assert_eq!(a.to_string(), "2024-03-05T08:30:00+08:00");
/// assert_eq!(a.date().to_string(), "2024-03-05");
/// # Ok::<(), etc_invoice_order::TimeError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct CstDateTime(
    /// The wall-clock time in China. With one fixed offset, wall-clock
    /// order is time order, and the date is read off without arithmetic.
    /// Every value held is one whose instant chrono can represent.
    NaiveDateTime,
);

/// A time or month that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimeError {
    /// Not a date-time in a known form.
    #[error("`{0}` is not a date-time (expected RFC 3339 or `YYYY-MM-DD HH:MM:SS` in +08:00)")]
    DateTime(String),
    /// Not a calendar date.
    #[error("`{0}` is not a date (expected `YYYY-MM-DD` or `YYYYMMDD`)")]
    Date(String),
    /// Not a billing month.
    #[error("`{0}` is not a billing month (expected `YYYYMM` or `YYYY-MM`)")]
    Month(String),
}

fn cut(s: &str) -> String {
    s.chars().take(64).collect()
}

/// The years text may name: the four-digit years of RFC 3339. chrono's `%Y`
/// also reads signed and longer years (`-4`, `+10000`), and a time given
/// in another offset may cross into year -1 or 10000 in China; neither
/// could be written back as the text this crate reads.
const YEARS: std::ops::RangeInclusive<i32> = 0..=9999;

impl CstDateTime {
    /// A time from any offset-aware date-time, converted to +08:00.
    pub fn from_datetime<Tz: TimeZone>(dt: &DateTime<Tz>) -> CstDateTime {
        CstDateTime(dt.with_timezone(&cst()).naive_local())
    }

    /// A time from a wall-clock time in China.
    ///
    /// # Errors
    /// [`TimeError::DateTime`] for a wall-clock time within eight hours of
    /// the end of chrono's range, whose instant cannot be represented.
    pub fn from_naive(naive: NaiveDateTime) -> Result<CstDateTime, TimeError> {
        match cst().from_local_datetime(&naive).single() {
            Some(_) => Ok(CstDateTime(naive)),
            None => Err(TimeError::DateTime(naive.to_string())),
        }
    }

    /// Midnight at the start of `date`, China time.
    pub fn start_of(date: NaiveDate) -> CstDateTime {
        CstDateTime(date.and_time(chrono::NaiveTime::MIN))
    }

    /// The underlying date-time at +08:00.
    #[inline]
    pub fn as_datetime(&self) -> DateTime<FixedOffset> {
        #[expect(
            clippy::expect_used,
            reason = "every constructor checks that the instant is representable"
        )]
        cst()
            .from_local_datetime(&self.0)
            .single()
            .expect("a representable instant")
    }

    /// The same instant in UTC.
    #[inline]
    pub fn to_utc(&self) -> DateTime<Utc> {
        self.as_datetime().with_timezone(&Utc)
    }

    /// The calendar date in China.
    #[inline]
    pub fn date(&self) -> NaiveDate {
        self.0.date()
    }

    /// The billing month this time falls in.
    #[inline]
    pub fn billing_month(&self) -> BillingMonth {
        BillingMonth::of(self.date())
    }

    /// Seconds since the Unix epoch.
    #[inline]
    pub fn timestamp(&self) -> i64 {
        self.as_datetime().timestamp()
    }

    /// This time plus a duration, `None` when out of chrono's range.
    pub fn checked_add(&self, d: chrono::TimeDelta) -> Option<CstDateTime> {
        self.0
            .checked_add_signed(d)
            .and_then(|t| CstDateTime::from_naive(t).ok())
    }
}

impl FromStr for CstDateTime {
    type Err = TimeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(t) = fast_datetime(s.as_bytes()) {
            // Four digits: always within `YEARS`.
            return Ok(t);
        }
        let t = if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
            CstDateTime::from_datetime(&dt)
        } else {
            const NAIVE: [&str; 4] = [
                "%Y-%m-%dT%H:%M:%S%.f",
                "%Y-%m-%d %H:%M:%S%.f",
                "%Y-%m-%dT%H:%M",
                "%Y-%m-%d %H:%M",
            ];
            NAIVE
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
                .ok_or_else(|| TimeError::DateTime(cut(s)))
                .and_then(CstDateTime::from_naive)?
        };
        if YEARS.contains(&t.0.year()) {
            Ok(t)
        } else {
            Err(TimeError::DateTime(cut(s)))
        }
    }
}

impl fmt::Display for CstDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use chrono::Timelike;
        let t = self.0;
        if t.nanosecond() == 0 {
            // The common case, written without chrono's formatting machinery.
            write!(
                f,
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+08:00",
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        } else {
            f.write_str(
                &self
                    .as_datetime()
                    .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false),
            )
        }
    }
}

/// Serialises as RFC 3339 text, written straight into the output.
impl Serialize for CstDateTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl fmt::Debug for CstDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CstDateTime({self})")
    }
}

impl TryFrom<String> for CstDateTime {
    type Error = TimeError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl TryFrom<&str> for CstDateTime {
    type Error = TimeError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<CstDateTime> for String {
    fn from(t: CstDateTime) -> String {
        t.to_string()
    }
}

/// Parses a calendar date written `YYYY-MM-DD` or `YYYYMMDD` (as on
/// invoices), of a year 0000–9999.
///
/// # Errors
/// [`TimeError::Date`] when the text is neither, or names another year.
pub fn parse_date(s: &str) -> Result<NaiveDate, TimeError> {
    if let Some(d) = fast_date(s.as_bytes()) {
        return Ok(d);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| {
            if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
                NaiveDate::parse_from_str(s, "%Y%m%d")
            } else {
                NaiveDate::parse_from_str("", "%Y")
            }
        })
        .ok()
        .filter(|d| YEARS.contains(&d.year()))
        .ok_or_else(|| TimeError::Date(cut(s)))
}

/// The value of `N` ASCII digits, `None` if any byte is not a digit.
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// `YYYY-MM-DD`, exactly, without chrono's format machinery (the import
/// hot path); anything else is left to the general parser.
fn fast_date(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let year = i32::try_from(digits(b.get(..4)?)?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(b.get(5..7)?)?, digits(b.get(8..10)?)?)
}

/// `YYYY-MM-DD[T ]HH:MM:SS` with no offset or `+08:00`, the forms the
/// writer and most issuers use; anything else goes to the general parser.
fn fast_datetime(b: &[u8]) -> Option<CstDateTime> {
    let (main, offset) = match b.len() {
        19 => (b, None),
        25 => (b.get(..19)?, Some(b.get(19..)?)),
        _ => return None,
    };
    if offset.is_some_and(|o| o != b"+08:00") {
        return None;
    }
    if !matches!(main.get(10), Some(b'T' | b' '))
        || main.get(13) != Some(&b':')
        || main.get(16) != Some(&b':')
    {
        return None;
    }
    let date = fast_date(main.get(..10)?)?;
    let time = chrono::NaiveTime::from_hms_opt(
        digits(main.get(11..13)?)?,
        digits(main.get(14..16)?)?,
        digits(main.get(17..19)?)?,
    )?;
    CstDateTime::from_naive(date.and_time(time)).ok()
}

/// A calendar month in China, the unit of statements and invoice applications.
///
/// Parses `YYYYMM` and `YYYY-MM`; shown as `YYYY-MM` ([`BillingMonth::compact`]
/// gives `YYYYMM`). Years 2000–2099.
///
/// ```
/// use etc_invoice_order::BillingMonth;
///
/// let m: BillingMonth = "202403".parse()?;
/// assert_eq!(m, "2024-03".parse()?);
/// assert_eq!(m.to_string(), "2024-03");
/// assert_eq!(m.compact(), "202403");
/// assert_eq!(m.next().to_string(), "2024-04");
/// # Ok::<(), etc_invoice_order::TimeError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BillingMonth {
    year: u16,
    month: u8,
}

impl BillingMonth {
    /// The month `year-month`.
    ///
    /// # Errors
    /// [`TimeError::Month`] for a month outside 1–12 or a year outside 2000–2099.
    pub fn new(year: u16, month: u8) -> Result<BillingMonth, TimeError> {
        if (2000..=2099).contains(&year) && (1..=12).contains(&month) {
            Ok(BillingMonth { year, month })
        } else {
            Err(TimeError::Month(format!("{year:04}-{month:02}")))
        }
    }

    /// The month a date falls in. Dates outside 2000–2099 are clamped to
    /// that range's first or last month.
    pub fn of(date: NaiveDate) -> BillingMonth {
        match u16::try_from(date.year()) {
            Ok(y) if (2000..=2099).contains(&y) => BillingMonth {
                year: y,
                // chrono months are 1..=12
                month: u8::try_from(date.month()).unwrap_or(1),
            },
            _ if date.year() < 2000 => BillingMonth {
                year: 2000,
                month: 1,
            },
            _ => BillingMonth {
                year: 2099,
                month: 12,
            },
        }
    }

    /// The year.
    #[inline]
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1–12.
    #[inline]
    pub fn month(self) -> u8 {
        self.month
    }

    /// The first day of the month.
    #[inline]
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(i32::from(self.year), u32::from(self.month), 1)
            .unwrap_or(NaiveDate::MIN)
    }

    /// The last day of the month.
    #[inline]
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MAX)
    }

    /// Whether `date` falls in this month.
    pub fn contains(self, date: NaiveDate) -> bool {
        BillingMonth::of(date) == self && date.year() == i32::from(self.year)
    }

    /// The month after (saturating at 2099-12).
    #[must_use]
    pub fn next(self) -> BillingMonth {
        match (self.year, self.month) {
            (2099, 12) => self,
            (y, 12) => BillingMonth {
                year: y + 1,
                month: 1,
            },
            (y, m) => BillingMonth {
                year: y,
                month: m + 1,
            },
        }
    }

    /// The month before (saturating at 2000-01).
    #[must_use]
    pub fn prev(self) -> BillingMonth {
        match (self.year, self.month) {
            (2000, 1) => self,
            (y, 1) => BillingMonth {
                year: y - 1,
                month: 12,
            },
            (y, m) => BillingMonth {
                year: y,
                month: m - 1,
            },
        }
    }

    /// `YYYYMM`, as in summary-sheet numbers.
    #[inline]
    pub fn compact(self) -> String {
        format!("{:04}{:02}", self.year, self.month)
    }
}

impl FromStr for BillingMonth {
    type Err = TimeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || TimeError::Month(cut(s));
        let b = s.as_bytes();
        let (y, m) = match b.len() {
            6 => (s.get(..4), s.get(4..)),
            7 if b.get(4) == Some(&b'-') => (s.get(..4), s.get(5..)),
            _ => return Err(err()),
        };
        let number = |x: Option<&str>| -> Option<u16> {
            x.filter(|t| t.bytes().all(|c| c.is_ascii_digit()))?
                .parse()
                .ok()
        };
        let year = number(y).ok_or_else(err)?;
        let month = number(m)
            .and_then(|m| u8::try_from(m).ok())
            .ok_or_else(err)?;
        BillingMonth::new(year, month).map_err(|_| err())
    }
}

impl fmt::Display for BillingMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl fmt::Debug for BillingMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BillingMonth({self})")
    }
}

impl TryFrom<String> for BillingMonth {
    type Error = TimeError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl TryFrom<&str> for BillingMonth {
    type Error = TimeError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<BillingMonth> for String {
    fn from(m: BillingMonth) -> String {
        m.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naive_means_china_time() {
        let a: CstDateTime = "2024-03-05T08:30:00".parse().unwrap();
        let b: CstDateTime = "2024-03-05T08:30:00+08:00".parse().unwrap();
        let c: CstDateTime = "2024-03-05T00:30:00Z".parse().unwrap();
        let d: CstDateTime = "2024-03-05 08:30".parse().unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a, d);
        assert_eq!(c.to_string(), "2024-03-05T08:30:00+08:00");
        // 23:30 UTC is the next day in China.
        let late: CstDateTime = "2024-03-31T16:30:00Z".parse().unwrap();
        assert_eq!(late.billing_month().to_string(), "2024-04");
        assert_eq!(
            CstDateTime::start_of(late.date()).to_string(),
            "2024-04-01T00:00:00+08:00"
        );
    }

    #[test]
    fn bad_times_are_errors() {
        for bad in [
            "",
            "2024-02-30 00:00:00",
            "yesterday",
            "2024-03-05T25:00:00",
            "2024/03/05 08:00",
        ] {
            assert!(bad.parse::<CstDateTime>().is_err(), "{bad}");
        }
    }

    /// Found by fuzzing (`fuzz/`, target `identifiers`): chrono's `%Y` read
    /// `-4` as a year, and the time shown as `-004-…` did not read back.
    #[test]
    fn years_outside_0000_to_9999_are_errors() {
        for bad in [
            "-4-03-06 10:00:00",
            "-0004-03-06T10:00:00",
            "+10000-01-01 00:00:00",
            // Valid RFC 3339, but year -1 or 10000 in China.
            "0000-01-01T00:00:00+09:00",
            "9999-12-31T23:00:00-08:00",
        ] {
            assert_eq!(
                bad.parse::<CstDateTime>(),
                Err(TimeError::DateTime(bad.to_owned())),
                "{bad}"
            );
        }
        for bad in ["-4-03-06", "-0004-03-06", "+10000-01-01"] {
            assert_eq!(parse_date(bad), Err(TimeError::Date(bad.to_owned())));
        }
        for edge in ["0000-01-01T08:00:00+08:00", "9999-12-31T23:59:59+08:00"] {
            let t: CstDateTime = edge.parse().unwrap();
            assert_eq!(t.to_string(), edge);
        }
        let t: CstDateTime = "0000-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(t.to_string().parse::<CstDateTime>(), Ok(t));
    }

    #[test]
    fn months() {
        for bad in [
            "",
            "2024",
            "202413",
            "2024-00",
            "1999-12",
            "2024_03",
            "２０２４０３",
            "+20243",
        ] {
            assert!(bad.parse::<BillingMonth>().is_err(), "{bad}");
        }
        let m: BillingMonth = "2024-02".parse().unwrap();
        assert_eq!(m.last_day().to_string(), "2024-02-29");
        assert!(m.contains(m.first_day()));
        assert!(!m.contains(m.next().first_day()));
        assert_eq!(
            "2023-12".parse::<BillingMonth>().unwrap().next(),
            "2024-01".parse().unwrap()
        );
        assert_eq!(m.prev().prev().to_string(), "2023-12");
        assert_eq!(parse_date("20240305").unwrap().to_string(), "2024-03-05");
        assert!(parse_date("2024035").is_err());
    }
}
