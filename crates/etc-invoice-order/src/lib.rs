//! The ETC toll order model: identifiers, exact money, passages with
//! per-operator segments, top-ups, statements, import and statistics.
//!
//! Every type here is a checked value: identifiers are newtypes that can only
//! be built by parsing (`FromStr`, `TryFrom<&str>`, serde as a string), money
//! is exact, and transactions check their invariants when they are built.
//!
//! ```
//! use etc_invoice_order::{Money, Province};
//!
//! let p: Province = "粤".parse()?;
//! assert_eq!(p.network_code(), "4401");
//! let total = Money::checked_sum(["10.53", "5.61"].iter().map(|s| s.parse().unwrap()))?;
//! assert_eq!(total.to_string(), "16.14");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod macros;

mod money;
mod province;
mod road;
mod tax;
mod time;

pub use money::{Money, MoneyError};
pub use province::{Province, ProvinceError};
pub use road::{
    Funding, FundingError, Medium, MediumError, RoadKind, RoadKindError, TaxMethod, TaxMethodError,
};
pub use tax::{DocumentKind, DocumentKindError, TaxRate, TaxRateError};
pub use time::{BillingMonth, CstDateTime, TimeError, cst, parse_date};
