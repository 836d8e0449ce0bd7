//! What can go wrong talking to an invoicing platform.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// One reason a platform gives for rejecting an application or refusing a
/// request: a code the platform owns and a human-readable message.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Reason {
    /// The platform's code (`REVIEW-SELLER-STATUS`, `RED-WINDOW-CLOSED`, …).
    pub code: String,
    /// What it means, for a person (Chinese on a real platform).
    pub message: String,
}

impl Reason {
    /// A reason from a code and a message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Reason {
        Reason {
            code: code.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// Reasons joined for an error message: `a: x; b: y`.
struct Reasons<'a>(&'a [Reason]);

impl fmt::Display for Reasons<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "`{}`: {}", r.code, r.message)?;
        }
        Ok(())
    }
}

/// Why a call to an [`InvoicePlatform`](crate::InvoicePlatform) failed.
///
/// Callers decide what to do through the predicates
/// ([`is_retryable`](PlatformError::is_retryable),
/// [`is_conflict`](PlatformError::is_conflict),
/// [`is_rate_limited`](PlatformError::is_rate_limited),
/// [`is_not_found`](PlatformError::is_not_found)) rather than by matching
/// variants, which a platform implementation may add to.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlatformError {
    /// No reply within the time allowed. The request may or may not have
    /// been carried out: repeat it under the same idempotency key.
    #[error("no reply from the platform within {after:?}")]
    Timeout {
        /// How long the client waited.
        after: Duration,
    },
    /// The platform failed (an HTTP 5xx). The request may or may not have
    /// been carried out.
    #[error("platform failed with status {status}: {message}")]
    Server {
        /// The status code (500–599).
        status: u16,
        /// What the platform said.
        message: String,
    },
    /// Too many requests: wait at least `retry_after`, then repeat.
    #[error("rate limited by the platform; retry after {retry_after:?}")]
    RateLimited {
        /// How long the platform asks the client to wait.
        retry_after: Duration,
    },
    /// The idempotency key was used before for a different request (by the
    /// same applicant). Nothing was done.
    #[error("idempotency key `{key}` was already used for a different request")]
    KeyReused {
        /// The key.
        key: String,
    },
    /// A request with the same idempotency key is still being processed.
    /// Repeat it later; it will replay the first request's result.
    #[error("a request with idempotency key `{key}` is still in progress")]
    InProgress {
        /// The key.
        key: String,
    },
    /// The submission, invoice or document does not exist (or belongs to
    /// another applicant).
    #[error("{what} `{id}` not found")]
    NotFound {
        /// What was looked for: `submission`, `invoice`, `document`.
        what: &'static str,
        /// Its id or number.
        id: String,
    },
    /// The platform refused the request on its rules (a red reversal after
    /// the window, a reissue beyond the cap, an invoice already reversed).
    /// Nothing was done; repeating it will not help.
    #[error("platform refused the request: {}", Reasons(.reasons))]
    Refused {
        /// Why.
        reasons: Vec<Reason>,
    },
    /// The request is malformed (an HTTP 4xx other than the above). Nothing
    /// was done.
    #[error("platform rejected the request as invalid: {message}")]
    InvalidRequest {
        /// What the platform said.
        message: String,
    },
    /// A request or reply could not be encoded or decoded; the raw bytes are
    /// kept.
    #[error("cannot decode the platform's reply ({} bytes)", .raw.len())]
    Decode {
        /// The reply as received.
        raw: Vec<u8>,
        /// Why it could not be read.
        #[source]
        source: serde_json::Error,
    },
    /// A request could not be written as JSON.
    #[error("cannot encode the request")]
    Encode(#[source] serde_json::Error),
    /// A transport failure of another implementation (connection refused,
    /// TLS, DNS). Treated as retryable.
    #[error("transport failed")]
    Transport(#[source] Box<dyn StdError + Send + Sync>),
}

impl PlatformError {
    /// Whether repeating the same request (under the same idempotency key,
    /// after a pause) may succeed: timeouts, 5xx, rate limits, a request
    /// still in progress, transport failures.
    pub fn is_retryable(&self) -> bool {
        match self {
            PlatformError::Timeout { .. }
            | PlatformError::RateLimited { .. }
            | PlatformError::InProgress { .. }
            | PlatformError::Transport(_) => true,
            PlatformError::Server { status, .. } => (500..=599).contains(status),
            PlatformError::KeyReused { .. }
            | PlatformError::NotFound { .. }
            | PlatformError::Refused { .. }
            | PlatformError::InvalidRequest { .. }
            | PlatformError::Decode { .. }
            | PlatformError::Encode(_) => false,
        }
    }

    /// Whether the request collides with an earlier one under the same
    /// idempotency key: reused for a different request, or still in progress.
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            PlatformError::KeyReused { .. } | PlatformError::InProgress { .. }
        )
    }

    /// Whether the platform asked the client to slow down.
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, PlatformError::RateLimited { .. })
    }

    /// Whether the thing asked for does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, PlatformError::NotFound { .. })
    }

    /// Whether the outcome of the request is unknown: it may have been
    /// carried out although no reply arrived (timeouts, 5xx, transport).
    pub fn is_indeterminate(&self) -> bool {
        matches!(
            self,
            PlatformError::Timeout { .. }
                | PlatformError::Server { .. }
                | PlatformError::Transport(_)
        )
    }

    /// How long the platform asked the client to wait, when it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            PlatformError::RateLimited { retry_after } => Some(*retry_after),
            _ => None,
        }
    }

    /// The reasons given with a refusal; empty for other errors.
    pub fn reasons(&self) -> &[Reason] {
        match self {
            PlatformError::Refused { reasons } => reasons,
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<PlatformError> {
        vec![
            PlatformError::Timeout {
                after: Duration::from_secs(30),
            },
            PlatformError::Server {
                status: 503,
                message: "unavailable".into(),
            },
            PlatformError::RateLimited {
                retry_after: Duration::from_secs(2),
            },
            PlatformError::KeyReused { key: "k".into() },
            PlatformError::InProgress { key: "k".into() },
            PlatformError::NotFound {
                what: "invoice",
                id: "1".into(),
            },
            PlatformError::Refused {
                reasons: vec![Reason::new("RED-WINDOW-CLOSED", "超过红冲期限")],
            },
            PlatformError::InvalidRequest {
                message: "bad".into(),
            },
            PlatformError::Decode {
                raw: b"{".to_vec(),
                source: serde_json::from_slice::<u8>(b"{").unwrap_err(),
            },
            PlatformError::Transport("refused".into()),
        ]
    }

    #[test]
    fn predicates() {
        let table: Vec<(bool, bool, bool, bool)> = all()
            .iter()
            .map(|e| {
                (
                    e.is_retryable(),
                    e.is_conflict(),
                    e.is_rate_limited(),
                    e.is_not_found(),
                )
            })
            .collect();
        assert_eq!(
            table,
            vec![
                (true, false, false, false),
                (true, false, false, false),
                (true, false, true, false),
                (false, true, false, false),
                (true, true, false, false),
                (false, false, false, true),
                (false, false, false, false),
                (false, false, false, false),
                (false, false, false, false),
                (true, false, false, false),
            ]
        );
        let client = PlatformError::Server {
            status: 418,
            message: String::new(),
        };
        assert!(!client.is_retryable());
    }

    #[test]
    fn messages_are_lowercase_and_name_the_input() {
        for e in all() {
            let m = e.to_string();
            let first = m.chars().next().unwrap();
            assert!(!first.is_uppercase(), "{m}");
            assert!(!m.ends_with('.'), "{m}");
        }
        let e = PlatformError::Refused {
            reasons: vec![Reason::new("A", "一"), Reason::new("B", "二")],
        };
        assert_eq!(
            e.to_string(),
            "platform refused the request: `A`: 一; `B`: 二"
        );
        assert_eq!(e.reasons().len(), 2);
        assert_eq!(
            PlatformError::RateLimited {
                retry_after: Duration::from_secs(3)
            }
            .retry_after(),
            Some(Duration::from_secs(3))
        );
    }
}
