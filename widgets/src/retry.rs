//! When to try a submission again: pure rules, tested on the host.
//!
//! Network errors, 5xx and 429 are retried with the same idempotency key, waiting 1, 2, 4, 8
//! and 16 seconds (or longer when the server's `Retry-After` asks for it); any other answer is
//! final. After the last attempt the widget shows an error and keeps the citizen's choice.

/// How many times a submission is sent at most, the first time included.
pub const MAX_ATTEMPTS: u32 = 6;
const BASE_DELAY_MS: u32 = 1_000;
/// A `Retry-After` beyond this is not waited for within one attempt series.
const MAX_DELAY_MS: u32 = 120_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// No answer at all: offline, DNS, CORS refused, timeout.
    NetworkError,
    Status(u16),
}

impl Outcome {
    pub fn is_retryable(self) -> bool {
        match self {
            Outcome::NetworkError => true,
            Outcome::Status(s) => s == 429 || s >= 500,
        }
    }
}

/// The wait before attempt `attempt + 1` after attempt number `attempt` (1-based) failed with
/// `outcome`; `None` when there is no further attempt.
pub fn delay_ms(attempt: u32, outcome: Outcome, retry_after_s: Option<u32>) -> Option<u32> {
    if !outcome.is_retryable() || attempt >= MAX_ATTEMPTS {
        return None;
    }
    let backoff = BASE_DELAY_MS.saturating_mul(1 << (attempt - 1).min(16));
    let asked = retry_after_s.map_or(0, |s| s.saturating_mul(1000));
    let wait = backoff.max(asked);
    (wait <= MAX_DELAY_MS).then_some(wait)
}

/// `Retry-After` as seconds. The HTTP-date form is converted by the caller, which has a clock.
pub fn parse_retry_after_seconds(value: &str) -> Option<u32> {
    value.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backs_off_exponentially_then_gives_up() {
        let waits: Vec<_> = (1..=MAX_ATTEMPTS)
            .map(|a| delay_ms(a, Outcome::NetworkError, None))
            .collect();
        assert_eq!(
            waits,
            [
                Some(1000),
                Some(2000),
                Some(4000),
                Some(8000),
                Some(16000),
                None
            ]
        );
    }

    #[test]
    fn only_transient_failures_are_retried() {
        assert_eq!(delay_ms(1, Outcome::Status(503), None), Some(1000));
        assert_eq!(delay_ms(1, Outcome::Status(429), None), Some(1000));
        for final_status in [400, 403, 413, 415, 422] {
            assert_eq!(delay_ms(1, Outcome::Status(final_status), None), None);
        }
    }

    #[test]
    fn honours_retry_after_within_reason() {
        assert_eq!(delay_ms(1, Outcome::Status(429), Some(7)), Some(7000));
        assert_eq!(delay_ms(3, Outcome::Status(429), Some(1)), Some(4000));
        assert_eq!(delay_ms(1, Outcome::Status(429), Some(3600)), None);
        assert_eq!(parse_retry_after_seconds(" 12 "), Some(12));
        assert_eq!(
            parse_retry_after_seconds("Wed, 21 Oct 2026 07:28:00 GMT"),
            None
        );
    }
}
