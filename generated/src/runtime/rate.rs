//! Client-side request budget.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// A sliding-window request budget: at most `max_requests` requests start in any window of
/// length `window` (any interval `(t - window, t]`).
///
/// Cloudflare blocks a user for five minutes once it exceeds 1200 requests in five
/// minutes; the client's default budget ([`RateBudget::cloudflare_default`]) keeps it
/// under that limit by making a burst wait instead. Every attempt, including retries,
/// takes one slot.
///
/// A budget is cheap to clone and clones share their state: clones of a
/// [`Client`](crate::runtime::Client) share its budget, and one budget can be given to
/// several clients that use the same credentials. Slots are granted first come, first
/// served. Waiting uses tokio's clock, so it follows `tokio::time::pause`.
#[derive(Clone)]
pub struct RateBudget {
    inner: Arc<Inner>,
}

struct Inner {
    max_requests: usize,
    window: Duration,
    /// Start times granted so far, oldest first; may lie in the future for waiting callers.
    granted: Mutex<VecDeque<Instant>>,
}

impl RateBudget {
    /// At most `max_requests` requests in any `window`. `max_requests` 0 is treated as 1.
    pub fn new(max_requests: u32, window: Duration) -> Self {
        let max_requests = usize::try_from(max_requests.max(1)).unwrap_or(usize::MAX);
        RateBudget {
            inner: Arc::new(Inner {
                max_requests,
                window,
                granted: Mutex::new(VecDeque::with_capacity(max_requests.min(4096))),
            }),
        }
    }

    /// Cloudflare's global API limit: 1200 requests per 5 minutes.
    pub fn cloudflare_default() -> Self {
        RateBudget::new(1200, Duration::from_secs(300))
    }

    /// The configured maximum number of requests per window.
    pub fn max_requests(&self) -> usize {
        self.inner.max_requests
    }

    /// The configured window.
    pub fn window(&self) -> Duration {
        self.inner.window
    }

    /// Takes a slot, waiting until one is free. Returns how long it waited.
    ///
    /// If the returned future is dropped while waiting, its slot stays used (the budget
    /// errs on the safe side).
    pub async fn acquire(&self) -> Duration {
        let now = Instant::now();
        let at = self.reserve(now);
        if at > now {
            tokio::time::sleep_until(at).await;
        }
        at - now
    }

    /// Reserves the earliest start time at or after `now` that keeps every window within
    /// the budget, and records it.
    fn reserve(&self, now: Instant) -> Instant {
        let inner = &*self.inner;
        let mut granted = inner.granted.lock().unwrap_or_else(PoisonError::into_inner);
        // Grants at or before `now - window` no longer count for any window ending at or
        // after `now`.
        while let Some(&oldest) = granted.front() {
            if now.saturating_duration_since(oldest) >= inner.window {
                granted.pop_front();
            } else {
                break;
            }
        }
        let at = if granted.len() < inner.max_requests {
            // Grants are kept in order, so a new one never precedes the last.
            granted.back().map_or(now, |&last| last.max(now))
        } else {
            // The grant `max_requests` places back must leave the window first.
            let index = granted.len() - inner.max_requests;
            let leaves = granted[index] + inner.window;
            leaves.max(now).max(*granted.back().unwrap_or(&now))
        };
        granted.push_back(at);
        at
    }
}

impl Default for RateBudget {
    /// Same as [`RateBudget::cloudflare_default`].
    fn default() -> Self {
        RateBudget::cloudflare_default()
    }
}

impl fmt::Debug for RateBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateBudget")
            .field("max_requests", &self.inner.max_requests)
            .field("window", &self.inner.window)
            .finish()
    }
}
