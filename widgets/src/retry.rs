//! When to try a submission again: pure rules, tested on the host.
//!
//! Every retry reuses the submission's idempotency key, so the endpoint stores it once however
//! often it arrives. Without any answer (offline, endpoint unreachable) the widget keeps trying
//! for the rest of the visit, waiting 1, 2, 4 ... and at most 30 seconds between attempts (and
//! at once when the browser reports it is back online), so a vote cast on a train arrives when
//! the train leaves the tunnel. A 5xx or 429 answer is retried a few times only (the server is
//! there but failing), waiting at least what `Retry-After` asks. Any other answer is final.

/// How many times a submission is sent at most when the endpoint answers 5xx or 429.
pub const MAX_ANSWERED_ATTEMPTS: u32 = 6;
const BASE_DELAY_MS: u32 = 1_000;
/// The longest wait between two attempts while there is no connection.
const MAX_OFFLINE_DELAY_MS: u32 = 30_000;
/// A `Retry-After` beyond this is not waited for within one visit.
const MAX_RETRY_AFTER_MS: u32 = 120_000;

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

/// The wait before the next attempt after attempt number `attempt` (1-based) failed with
/// `outcome`; `None` when there is no further attempt.
pub fn delay_ms(attempt: u32, outcome: Outcome, retry_after_s: Option<u32>) -> Option<u32> {
    let backoff = BASE_DELAY_MS.saturating_mul(1 << (attempt.max(1) - 1).min(16));
    match outcome {
        Outcome::NetworkError => Some(backoff.min(MAX_OFFLINE_DELAY_MS)),
        Outcome::Status(_) if !outcome.is_retryable() || attempt >= MAX_ANSWERED_ATTEMPTS => None,
        Outcome::Status(_) => {
            let wait = backoff.max(retry_after_s.map_or(0, |s| s.saturating_mul(1000)));
            (wait <= MAX_RETRY_AFTER_MS).then_some(wait)
        }
    }
}

/// `Retry-After` as seconds. The HTTP-date form is converted by the caller, which has a clock.
pub fn parse_retry_after_seconds(value: &str) -> Option<u32> {
    value.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_back_off_exponentially_then_give_up() {
        let waits: Vec<_> = (1..=MAX_ANSWERED_ATTEMPTS)
            .map(|a| delay_ms(a, Outcome::Status(503), None))
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
    fn without_a_connection_it_keeps_trying_at_most_every_30_seconds() {
        let waits: Vec<_> = [1, 2, 5, 6, 7, 50, 10_000]
            .iter()
            .map(|a| delay_ms(*a, Outcome::NetworkError, None))
            .collect();
        assert_eq!(
            waits,
            [
                Some(1000),
                Some(2000),
                Some(16000),
                Some(30000),
                Some(30000),
                Some(30000),
                Some(30000)
            ]
        );
    }

    #[test]
    fn only_transient_failures_are_retried() {
        assert_eq!(delay_ms(1, Outcome::Status(429), None), Some(1000));
        for final_status in [400, 403, 404, 413, 415, 422] {
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
