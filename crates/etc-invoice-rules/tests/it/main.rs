//! Integration tests of etc-invoice-rules (one test binary).

#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers outside `#[test]` functions fail the test by panicking"
)]

mod api;
mod application;
mod cases;
mod fixtures;
mod hostile;
mod plan;
mod properties;
mod sample_month;
mod snapshots;
mod validate;
