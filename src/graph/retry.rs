//! When and how long to wait before sending a failed Graph request again.
//! Retries are bounded by the operation's deadline, never by a count alone.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// Statuses worth retrying: timeouts, throttling and transient server errors.
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// Whether a request with this method may be resent after an ambiguous failure
/// (a 5xx or a broken connection): only when repeating it cannot do anything twice.
/// A 429 is always safe to retry: Graph did not process the request.
pub fn may_resend(method: &reqwest::Method, status: Option<StatusCode>) -> bool {
    status.is_some_and(|s| s == StatusCode::TOO_MANY_REQUESTS)
        || matches!(
            *method,
            reqwest::Method::GET
                | reqwest::Method::PATCH
                | reqwest::Method::DELETE
                | reqwest::Method::PUT
        )
}

/// The wait Graph asked for in `Retry-After`: seconds, possibly fractional (`2.128`).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    retry_after_value(headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?)
}

/// A `Retry-After` value in seconds (also as a JSON string or number in `$batch` items).
pub fn retry_after_value(raw: &str) -> Option<Duration> {
    let secs: f64 = raw.trim().trim_matches('"').parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(300.0)))
}

/// Exponential backoff with full jitter: a random wait up to 0.5 s × 2^(attempt-1), capped at 30 s.
pub fn backoff(attempt: u32) -> Duration {
    let cap_ms = (500u64 << attempt.saturating_sub(1).min(6)).min(30_000);
    // Cheap jitter from the clock: no need for a cryptographic RNG here.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::from(d.subsec_nanos()))
        .unwrap_or(0);
    let jittered = cap_ms / 2 + nanos % (cap_ms / 2 + 1);
    Duration::from_millis(jittered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderValue, RETRY_AFTER};

    #[test]
    fn retry_after_accepts_integer_and_fractional_seconds() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("2"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert(RETRY_AFTER, HeaderValue::from_static("2.128"));
        assert_eq!(retry_after(&h), Some(Duration::from_millis(2128)));
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn backoff_grows_and_stays_capped() {
        for attempt in 1..20 {
            let cap = Duration::from_millis((500u64 << (attempt - 1).min(6)).min(30_000));
            let b = backoff(attempt);
            assert!(
                b <= cap && b >= cap / 2,
                "attempt {attempt}: {b:?} vs cap {cap:?}"
            );
        }
    }

    #[test]
    fn only_safe_requests_are_resent_after_ambiguous_failures() {
        let post = reqwest::Method::POST;
        assert!(may_resend(&post, Some(StatusCode::TOO_MANY_REQUESTS)));
        assert!(!may_resend(&post, Some(StatusCode::SERVICE_UNAVAILABLE)));
        assert!(!may_resend(&post, None));
        assert!(may_resend(
            &reqwest::Method::GET,
            Some(StatusCode::BAD_GATEWAY)
        ));
    }
}
