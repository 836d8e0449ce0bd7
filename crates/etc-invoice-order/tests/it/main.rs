//! Integration tests of etc-invoice-order.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly on purpose"
)]

mod identifiers;
mod import;
#[cfg(feature = "proptest")]
mod properties;
mod transactions;
