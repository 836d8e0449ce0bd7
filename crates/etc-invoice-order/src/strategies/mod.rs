//! proptest strategies for the public types (feature `proptest`).

pub mod identifiers;
pub mod transactions;
