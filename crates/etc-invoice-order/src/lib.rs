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

mod card;
mod ids;
mod money;
mod passage;
mod personal;
mod plate;
mod province;
mod records;
mod road;
mod tax;
mod time;
mod uscc;
mod vehicle;

pub mod import;
pub mod stats;
#[cfg(feature = "proptest")]
pub mod strategies;

pub use card::{CardError, CardNumber, CardType, CardTypeError, ObuId, ObuIdError};
pub use ids::{IdError, Name, OperatorId, TransactionId};
pub use money::{Money, MoneyError};
pub use passage::{
    Operator, Passage, PassageParts, SegmentParts, TollSegment, TransactionError, Visit,
};
pub use personal::{
    BankAccount, Email, IdNumber, IdType, IdTypeError, PersonalDataError, PhoneNumber,
};
pub use plate::{PlateError, PlateKind, PlateKindError, PlateNumber};
pub use province::{Province, ProvinceError};
pub use records::{
    Record, Recovery, RecoveryParts, Refund, RefundParts, Statement, StatementLine,
    StatementLineKind, StatementLineKindError, StatementParts, TopUp, TopUpParts,
};
pub use road::{
    Funding, FundingError, Medium, MediumError, RoadKind, RoadKindError, TaxMethod, TaxMethodError,
};
pub use tax::{DocumentKind, DocumentKindError, TaxRate, TaxRateError};
pub use time::{BillingMonth, CstDateTime, TimeError, cst, parse_date};
pub use uscc::{OrganisationCodeError, TaxpayerId, TaxpayerIdError, Uscc, UsccError};
pub use vehicle::{
    InvoiceVehicleType, PlateColor, PlateColorError, VehicleClass, VehicleClassError, VehicleId,
    VehicleIdError,
};
