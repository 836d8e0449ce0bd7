//! Retries and polling as data: how often, how long to wait between tries,
//! and when to give up.

use std::time::Duration;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::PlatformError;

/// How delays are spread so that many clients retrying at once do not
/// retry in step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Jitter {
    /// Exactly the exponential delay.
    None,
    /// "Equal jitter": half the exponential delay plus a random part of the
    /// other half, drawn from a ChaCha8 generator seeded by `seed`, the
    /// request's salt and the attempt number: the same inputs give the same
    /// delay in every run.
    Seeded {
        /// The seed.
        seed: u64,
    },
}

/// When and how often the service repeats a failed call, and how it polls
/// for the outcome of a review.
///
/// Only retryable errors ([`PlatformError::is_retryable`]) are repeated;
/// every repetition of a request carries the same idempotency key. A rate
/// limit's `retry_after` is honoured when it is longer than the backoff.
///
/// ```
/// use std::time::Duration;
/// use etc_invoice_platform::RetryPolicy;
///
/// let policy = RetryPolicy::default();
/// assert_eq!(policy.backoff(0, 0), Duration::from_millis(200));
/// assert_eq!(policy.backoff(1, 0), Duration::from_millis(400));
/// assert_eq!(policy.backoff(20, 0), policy.max_delay);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RetryPolicy {
    /// How many times one call is tried in all (at least 1).
    pub max_attempts: u32,
    /// The wait before the first retry.
    pub base_delay: Duration,
    /// The longest wait between tries.
    pub max_delay: Duration,
    /// The factor by which the wait grows after each try (at least 1).
    pub multiplier: u32,
    /// How waits are spread.
    pub jitter: Jitter,
    /// The wait between two status polls while a review runs.
    pub poll_interval: Duration,
    /// How long to poll before leaving the application pending (to be
    /// finished by [`InvoiceService::resume`](crate::InvoiceService::resume)).
    pub poll_timeout: Duration,
}

impl Default for RetryPolicy {
    /// 8 tries from 200 ms doubling to 30 s, no jitter; a poll every 15 s for
    /// up to 2 days.
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 8,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(30),
            multiplier: 2,
            jitter: Jitter::None,
            poll_interval: Duration::from_secs(15),
            poll_timeout: Duration::from_secs(2 * 24 * 3600),
        }
    }
}

impl RetryPolicy {
    /// The wait after failed try number `attempt` (0 for the first try),
    /// before jitter's spread: `base_delay × multiplier^attempt`, capped at
    /// `max_delay`. `salt` distinguishes requests for the jitter (the service
    /// uses a hash of the idempotency key).
    pub fn backoff(&self, attempt: u32, salt: u64) -> Duration {
        let factor = self.multiplier.max(1).checked_pow(attempt);
        let exp = factor
            .and_then(|f| self.base_delay.checked_mul(f))
            .unwrap_or(self.max_delay)
            .min(self.max_delay);
        match self.jitter {
            Jitter::None => exp,
            Jitter::Seeded { seed } => {
                let mut rng = ChaCha8Rng::seed_from_u64(
                    seed ^ salt.rotate_left(17)
                        ^ u64::from(attempt).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                );
                let nanos = u64::try_from(exp.as_nanos()).unwrap_or(u64::MAX);
                let half = nanos / 2;
                let extra = rng.random_range(0..=nanos - half);
                Duration::from_nanos(half.saturating_add(extra))
            }
        }
    }

    /// What to do after try number `attempt` (0-based) failed with `error`:
    /// `Some(wait)` to try again after `wait`, `None` to give up (the error
    /// is not retryable, or the tries are used up).
    pub fn next_delay(&self, attempt: u32, error: &PlatformError, salt: u64) -> Option<Duration> {
        if !error.is_retryable() || attempt.saturating_add(1) >= self.max_attempts.max(1) {
            return None;
        }
        let backoff = self.backoff(attempt, salt);
        Some(match error.retry_after() {
            Some(after) => backoff.max(after),
            None => backoff,
        })
    }
}

/// A stable 64-bit FNV-1a hash of `text`, used as a jitter salt.
pub(crate) fn salt_of(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_and_capped() {
        let p = RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(10),
            multiplier: 3,
            ..RetryPolicy::default()
        };
        let waits: Vec<u64> = (0..4).map(|a| p.backoff(a, 0).as_secs()).collect();
        assert_eq!(waits, [1, 3, 9, 10]);
        assert_eq!(p.backoff(u32::MAX, 0), Duration::from_secs(10));
    }

    #[test]
    fn seeded_jitter_is_deterministic_and_bounded() {
        let p = RetryPolicy {
            jitter: Jitter::Seeded { seed: 7 },
            ..RetryPolicy::default()
        };
        for attempt in 0..10 {
            let plain = RetryPolicy::default().backoff(attempt, 1);
            let a = p.backoff(attempt, 1);
            assert_eq!(a, p.backoff(attempt, 1));
            assert!(a >= plain / 2 && a <= plain, "{a:?} vs {plain:?}");
        }
        assert_ne!(p.backoff(3, 1), p.backoff(3, 2));
    }

    #[test]
    fn gives_up_on_permanent_errors_and_after_the_last_try() {
        let p = RetryPolicy {
            max_attempts: 3,
            ..RetryPolicy::default()
        };
        let timeout = PlatformError::Timeout {
            after: Duration::from_secs(1),
        };
        assert!(p.next_delay(0, &timeout, 0).is_some());
        assert!(p.next_delay(1, &timeout, 0).is_some());
        assert!(p.next_delay(2, &timeout, 0).is_none());
        let refused = PlatformError::Refused { reasons: vec![] };
        assert!(p.next_delay(0, &refused, 0).is_none());
        let limited = PlatformError::RateLimited {
            retry_after: Duration::from_secs(5),
        };
        assert_eq!(p.next_delay(0, &limited, 0), Some(Duration::from_secs(5)));
    }

    #[test]
    fn salt_is_stable() {
        assert_eq!(salt_of(""), 0xcbf2_9ce4_8422_2325);
        assert_ne!(salt_of("a"), salt_of("b"));
    }
}
