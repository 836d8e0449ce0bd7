//! Rust domain libraries for Chinese ETC toll invoices.
//!
//! This facade re-exports the workspace's crates as modules:
//!
//! - [`order`]: the order model (identifiers, money, passages, import, statistics).
pub use etc_invoice_order as order;
