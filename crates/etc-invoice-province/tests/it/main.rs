//! Integration tests of `etc-invoice-province` (one test binary).

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers outside `#[test]` functions fail the test by panicking"
)]

mod builtin;
mod errors;
mod overlay;
mod resolution;

use chrono::NaiveDate;
use etc_invoice_order::Province;

/// A date from `YYYY-MM-DD`.
pub fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A province from any of its names.
pub fn p(s: &str) -> Province {
    s.parse().unwrap()
}
