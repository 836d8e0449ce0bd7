//! Rust domain libraries for Chinese ETC toll invoices.
//!
//! This facade re-exports the workspace's crates as modules:
//!
//! - [`order`]: the order model (identifiers, money, passages, import, statistics).
//! - [`province`]: provincial rule sets as versioned, effective-dated data.
//! - [`rules`]: invoice applications: validation report, invoice planning, price–tax separation.
//! - [`platform`]: the invoicing platform: trait, simulator, ledger, apply service.
pub use etc_invoice_order as order;
/// The invoicing platform: the platform trait, the deterministic simulator,
/// the ledger and the apply service.
pub use etc_invoice_platform as platform;
/// Provincial rule sets held as effective-dated data (`RuleBook`, `RuleSet`).
pub use etc_invoice_province as province;
/// Invoice applications: validation, invoice planning, price–tax separation.
pub use etc_invoice_rules as rules;
