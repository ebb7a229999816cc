//! When and how long to wait before retrying a request.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

/// Which failed requests are retried, how often, and how long the client waits in between.
///
/// Retried:
/// - HTTP 429 for every method (the request was not processed), after the wait the server
///   asks for in `retry-after-ms` or `Retry-After` (seconds or an HTTP date), clamped to
///   [`max_retry_after`](Self::max_retry_after); without such a header, after the backoff.
/// - Connection failures (the request never reached the server) for every method.
/// - Other transport errors, timeouts, HTTP 5xx, 408 and 409 only for idempotent methods
///   (`GET`, `HEAD`, `PUT`, `DELETE`), unless
///   [`retry_non_idempotent`](Self::retry_non_idempotent) opts `POST`/`PATCH` in.
///
/// The backoff before retry *n* (1-based) is `initial_backoff * 2^(n-1)`, capped at
/// `max_backoff`, with "equal jitter": a random duration between half and all of it.
///
/// Every request body the client sends is held in memory (JSON, bytes, multipart parts as
/// `Bytes`), so every attempt sends the identical body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
    retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    /// 3 retries, backoff from 500 ms up to 10 s, `Retry-After` honoured up to 60 s,
    /// `POST`/`PATCH` retried only after 429 or a connection failure.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// Sets how many times a request is retried (attempts = retries + 1). 0 disables retries.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Sets the backoff before the first retry (doubled for each further retry).
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Sets the maximum backoff between two attempts.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Sets the longest wait honoured from a 429's `Retry-After`/`retry-after-ms`; a
    /// longer requested wait is shortened to this.
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// Also retries `POST` and `PATCH` after transient failures (5xx, 408, 409, timeouts,
    /// broken connections). Only opt in if the operations you call tolerate being applied
    /// twice.
    pub fn retry_non_idempotent(mut self, retry: bool) -> Self {
        self.retry_non_idempotent = retry;
        self
    }

    /// Configured number of retries.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// Backoff before retry number `retry` (1-based), with jitter.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let exp = retry.saturating_sub(1).min(31);
        let full = self
            .initial_backoff
            .saturating_mul(1u32 << exp)
            .min(self.max_backoff);
        let half = full / 2;
        half.saturating_add(half.mul_f64(fastrand::f64()))
    }

    /// The wait before retrying a 429 that asked for `retry_after`.
    pub(crate) fn rate_limit_wait(&self, retry_after: Option<Duration>, retry: u32) -> Duration {
        match retry_after {
            Some(wait) => wait.min(self.max_retry_after),
            None => self.backoff(retry),
        }
    }

    /// Whether transient failures (5xx, 408, 409, timeouts, broken connections) of a
    /// request with this method may be retried.
    pub(crate) fn retries_transient(&self, method: crate::Method) -> bool {
        method.is_idempotent() || self.retry_non_idempotent
    }
}

/// The wait a response asks for: `retry-after-ms` (milliseconds) if present and valid,
/// else `Retry-After` as delta seconds or as an HTTP date (relative to `now`; a date in the
/// past means no wait). `None` if neither header is present and valid.
pub fn parse_retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(ms) = value("retry-after-ms").and_then(parse_non_negative) {
        return Some(Duration::from_secs_f64(ms / 1000.0));
    }
    let raw = value("retry-after")?;
    if let Some(secs) = parse_non_negative(raw) {
        return Some(Duration::from_secs_f64(secs));
    }
    let date = httpdate::parse_http_date(raw).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A finite, non-negative number, capped at 10^9 so that no `Duration` overflows.
fn parse_non_negative(s: &str) -> Option<f64> {
    let n: f64 = s.parse().ok()?;
    (n.is_finite() && n >= 0.0).then_some(n.min(1e9))
}
