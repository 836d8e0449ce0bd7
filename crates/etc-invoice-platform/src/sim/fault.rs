//! Scriptable faults for the simulator.

use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::Reason;

/// A probability in parts per million (0 to 1 000 000), exact and free of
/// floating point.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(try_from = "u32", into = "u32")]
pub struct Chance(u32);

/// A number of parts per million above one million.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("chance `{0}` is more than 1000000 parts per million")]
pub struct ChanceError(pub u32);

impl Chance {
    /// Never.
    pub const NEVER: Chance = Chance(0);
    /// Always.
    pub const ALWAYS: Chance = Chance(1_000_000);

    /// `ppm` parts per million.
    ///
    /// # Errors
    /// [`ChanceError`] above 1 000 000.
    pub fn per_million(ppm: u32) -> Result<Chance, ChanceError> {
        if ppm > 1_000_000 {
            Err(ChanceError(ppm))
        } else {
            Ok(Chance(ppm))
        }
    }

    /// `percent` percent, saturating at 100.
    pub fn percent(percent: u32) -> Chance {
        Chance(percent.min(100) * 10_000)
    }

    /// `permille` per mille, saturating at 1000.
    pub fn per_mille(permille: u32) -> Chance {
        Chance(permille.min(1000) * 1_000)
    }

    /// The chance in parts per million.
    pub fn ppm(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for Chance {
    type Error = ChanceError;
    fn try_from(ppm: u32) -> Result<Chance, ChanceError> {
        Chance::per_million(ppm)
    }
}

impl From<Chance> for u32 {
    fn from(c: Chance) -> u32 {
        c.0
    }
}

impl fmt::Display for Chance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:04}%", self.0 / 10_000, self.0 % 10_000)
    }
}

/// A platform operation, for aiming scripted faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// [`InvoicePlatform::submit`](crate::InvoicePlatform::submit).
    Submit,
    /// [`InvoicePlatform::status`](crate::InvoicePlatform::status).
    Status,
    /// [`InvoicePlatform::documents`](crate::InvoicePlatform::documents).
    Documents,
    /// [`InvoicePlatform::red_reverse`](crate::InvoicePlatform::red_reverse).
    RedReverse,
    /// [`InvoicePlatform::reissue`](crate::InvoicePlatform::reissue).
    Reissue,
}

impl Op {
    /// Whether the operation changes something (and takes an idempotency
    /// key).
    pub fn is_mutation(self) -> bool {
        matches!(self, Op::Submit | Op::RedReverse | Op::Reissue)
    }
}

/// One fault the simulator can inject into a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Fault {
    /// The request is carried out and stored, then the reply is lost: the
    /// client sees a timeout. (On reads, just a timeout.)
    LoseResponseAfterCommit,
    /// The request never arrives: the client waits the configured timeout
    /// and sees [`PlatformError::Timeout`](crate::PlatformError::Timeout).
    Timeout,
    /// The request is delivered twice (a network retry): the second delivery
    /// must replay the first's stored result.
    DuplicateDelivery,
    /// The platform fails before doing anything, with this 5xx status.
    ServerError {
        /// The HTTP status (500–599).
        status: u16,
    },
    /// The platform refuses to take the request now.
    RateLimited {
        /// How long it asks the client to wait.
        retry_after: Duration,
    },
    /// A submission's review takes the configured factor longer.
    SlowReview,
    /// A submission is rejected in review, with these reasons.
    Reject {
        /// Why.
        reasons: Vec<Reason>,
    },
}

impl Fault {
    /// A short name for statistics (`timeout`, `server_error`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Fault::LoseResponseAfterCommit => "lose_response_after_commit",
            Fault::Timeout => "timeout",
            Fault::DuplicateDelivery => "duplicate_delivery",
            Fault::ServerError { .. } => "server_error",
            Fault::RateLimited { .. } => "rate_limited",
            Fault::SlowReview => "slow_review",
            Fault::Reject { .. } => "reject",
        }
    }
}

/// Per-call chances of each fault. For every call the simulator draws at
/// most one fault, trying them in the order of the fields; faults that do
/// not apply to the operation (a slow review on a status poll) are skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct FaultRates {
    /// [`Fault::LoseResponseAfterCommit`].
    pub lose_response_after_commit: Chance,
    /// [`Fault::Timeout`].
    pub timeout: Chance,
    /// [`Fault::DuplicateDelivery`] (mutations only).
    pub duplicate_delivery: Chance,
    /// [`Fault::ServerError`] with status 500, 502 or 503.
    pub server_error: Chance,
    /// [`Fault::RateLimited`] with the plan's `retry_after`.
    pub rate_limited: Chance,
    /// [`Fault::SlowReview`] (submissions only).
    pub slow_review: Chance,
}

impl FaultRates {
    /// The same chance for every fault.
    pub fn uniform(chance: Chance) -> FaultRates {
        FaultRates {
            lose_response_after_commit: chance,
            timeout: chance,
            duplicate_delivery: chance,
            server_error: chance,
            rate_limited: chance,
            slow_review: chance,
        }
    }
}

/// Faults to inject: scripted ones first (in order, each for the next call
/// of its operation, or of any operation), then random ones at the given
/// rates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct FaultPlan {
    /// Random faults.
    pub rates: FaultRates,
    /// How long a rate-limited client is asked to wait.
    pub retry_after: Duration,
    /// Scripted faults: `(operation or any, fault)`, consumed in order.
    pub script: VecDeque<(Option<Op>, Fault)>,
}

impl Default for FaultPlan {
    fn default() -> FaultPlan {
        FaultPlan {
            rates: FaultRates::default(),
            retry_after: Duration::from_secs(1),
            script: VecDeque::new(),
        }
    }
}

impl FaultPlan {
    /// No faults.
    pub fn none() -> FaultPlan {
        FaultPlan::default()
    }

    /// Random faults at `rates`.
    pub fn random(rates: FaultRates) -> FaultPlan {
        FaultPlan {
            rates,
            ..FaultPlan::default()
        }
    }

    /// Adds a scripted fault for the next call of `op` (or of any operation
    /// with `None`).
    pub fn then(mut self, op: Option<Op>, fault: Fault) -> FaultPlan {
        self.script.push_back((op, fault));
        self
    }

    /// Takes the first scripted fault that applies to `op`.
    pub(crate) fn take_scripted(&mut self, op: Op) -> Option<Fault> {
        let i = self
            .script
            .iter()
            .position(|(target, fault)| target.is_none_or(|t| t == op) && applies(fault, op))?;
        self.script.remove(i).map(|(_, fault)| fault)
    }
}

/// Whether `fault` means anything for `op`.
pub(crate) fn applies(fault: &Fault, op: Op) -> bool {
    match fault {
        Fault::LoseResponseAfterCommit
        | Fault::Timeout
        | Fault::ServerError { .. }
        | Fault::RateLimited { .. } => true,
        Fault::DuplicateDelivery => op.is_mutation(),
        Fault::SlowReview | Fault::Reject { .. } => op == Op::Submit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chances() {
        assert_eq!(Chance::percent(5).ppm(), 50_000);
        assert_eq!(Chance::per_mille(1).ppm(), 1_000);
        assert_eq!(Chance::percent(500), Chance::ALWAYS);
        assert_eq!(
            Chance::per_million(1_000_001).unwrap_err().to_string(),
            "chance `1000001` is more than 1000000 parts per million"
        );
        assert_eq!(Chance::percent(5).to_string(), "5.0000%");
        assert!(serde_json::from_str::<Chance>("2000000").is_err());
    }

    #[test]
    fn script_is_taken_in_order_for_matching_ops() {
        let mut plan = FaultPlan::none()
            .then(Some(Op::Submit), Fault::SlowReview)
            .then(None, Fault::Timeout)
            .then(Some(Op::Status), Fault::ServerError { status: 503 });
        assert_eq!(plan.take_scripted(Op::Status), Some(Fault::Timeout));
        assert_eq!(
            plan.take_scripted(Op::Status),
            Some(Fault::ServerError { status: 503 })
        );
        assert_eq!(plan.take_scripted(Op::Status), None);
        assert_eq!(plan.take_scripted(Op::Submit), Some(Fault::SlowReview));
        assert!(plan.script.is_empty());
    }

    #[test]
    fn duplicates_only_for_mutations() {
        let mut plan = FaultPlan::none().then(None, Fault::DuplicateDelivery);
        assert_eq!(plan.take_scripted(Op::Documents), None);
        assert_eq!(
            plan.take_scripted(Op::Reissue),
            Some(Fault::DuplicateDelivery)
        );
    }
}
