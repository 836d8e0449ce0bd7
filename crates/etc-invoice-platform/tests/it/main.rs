//! Integration tests of etc-invoice-platform (one test binary per crate).

mod ledger;
mod service;
mod simulator;
