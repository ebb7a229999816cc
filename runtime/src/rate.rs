//! Client-side request budget.

use std::collections::VecDeque;
use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::Poll;
use std::time::Duration;

use tokio::sync::{Notify, Semaphore};
use tokio::time::Instant;

/// The longest a waiting [`RateBudget::acquire`] sleeps before it looks again; keeps every
/// deadline handed to tokio's timer far from the end of `Instant`'s range.
const MAX_SLEEP: Duration = Duration::from_secs(24 * 60 * 60);

/// A sliding-window budget of request attempts, kept so that the *server* never counts more
/// than `max_requests` arrivals in any window of length `window`.
///
/// Cloudflare counts requests as they arrive, and blocks a user for five minutes once more
/// than 1200 arrive within five minutes. The client cannot see when a request arrives, only
/// when its attempt starts (before anything is sent) and when it completes (the response was
/// read, or the attempt failed or was abandoned); the arrival lies in between. So the budget
/// counts slots, not starts:
///
/// - an attempt takes one of `max_requests` slots when it starts ([`acquire`](Self::acquire)
///   returns a [`RatePermit`]) and holds it until it completes (the permit is dropped);
/// - the slot stays used for `window` after that completion, then it is free again;
/// - an attempt that finds no free slot waits for one.
///
/// Of any `max_requests + 1` attempts, the last to start found no free slot until one of
/// the others had completed at least `window` earlier, so the arrivals of those two are at
/// least `window` apart: no window holds more than `max_requests` arrivals. This holds for
/// every request that reaches the server before its attempt completes, which is always the
/// case when its response was read. An attempt abandoned early (a timeout, a broken
/// connection, a dropped future) may still have bytes on the wire that arrive a little
/// after its completion was recorded; [`cloudflare_default`](Self::cloudflare_default)
/// keeps a margin for those.
///
/// Every attempt, including retries, takes a slot. Slow responses hold their slots longer,
/// so the budget then allows fewer requests per window than `max_requests`.
///
/// A budget is cheap to clone and clones share their state: clones of a
/// [`Client`](crate::Client) share its budget, and one budget can be given to
/// several clients that use the same credentials. Slots are granted first come, first
/// served. Waiting uses tokio's clock, so it follows `tokio::time::pause`. No
/// `max_requests` or `window` makes the bookkeeping overflow: a window too long to add to
/// the clock never ends, so the slots used in it are never free again.
#[derive(Clone)]
pub struct RateBudget {
    inner: Arc<Inner>,
}

struct Inner {
    max_requests: usize,
    window: Duration,
    /// One permit per free slot: neither held by an attempt nor inside the window after
    /// one. Fair (first come, first served); never closed.
    free: Semaphore,
    /// When the slots of completed attempts are free again, earliest first. Their permits
    /// were forgotten; [`Inner::reclaim`] adds them back.
    leaving: Mutex<VecDeque<Instant>>,
    /// Woken when `leaving` gets a new earliest entry, so that waiters can sleep until it.
    new_leaving: Notify,
}

impl RateBudget {
    /// At most `max_requests` requests in any `window`, as described on [`RateBudget`].
    /// `max_requests` 0 is treated as 1.
    pub fn new(max_requests: u32, window: Duration) -> Self {
        let max_requests = usize::try_from(max_requests.max(1))
            .unwrap_or(usize::MAX)
            .min(Semaphore::MAX_PERMITS);
        RateBudget {
            inner: Arc::new(Inner {
                max_requests,
                window,
                free: Semaphore::new(max_requests),
                leaving: Mutex::new(VecDeque::with_capacity(max_requests.min(4096))),
                new_leaving: Notify::new(),
            }),
        }
    }

    /// The client's default: 1100 requests per 5 minutes, counted as described on
    /// [`RateBudget`].
    ///
    /// Cloudflare's global limit is 1200 requests per 5 minutes. The 100 requests below it
    /// are a margin for requests the budget cannot place exactly: those of attempts
    /// abandoned by a timeout or a dropped future, which may reach the server after the
    /// client gave up on them.
    pub fn cloudflare_default() -> Self {
        RateBudget::new(1100, Duration::from_secs(300))
    }

    /// The configured maximum number of requests per window.
    pub fn max_requests(&self) -> usize {
        self.inner.max_requests
    }

    /// The configured window.
    pub fn window(&self) -> Duration {
        self.inner.window
    }

    /// Takes a slot for one attempt, waiting until one is free. Hold the returned permit
    /// until the attempt is complete (its response read, or failed): dropping it starts
    /// the `window` after which the slot is free again.
    ///
    /// Cancel-safe: if the returned future is dropped while waiting, it takes no slot.
    pub async fn acquire(&self) -> RatePermit {
        let inner = &*self.inner;
        let start = Instant::now();
        inner.reclaim(start);
        let permit = |inner: &Arc<Inner>| RatePermit {
            inner: Arc::clone(inner),
            waited: Instant::now().saturating_duration_since(start),
        };
        if let Ok(free) = inner.free.try_acquire() {
            free.forget();
            return permit(&self.inner);
        }
        // Queued once, so that the semaphore serves waiters in order of arrival.
        let mut queued = pin!(inner.free.acquire());
        loop {
            // Registered before looking at `leaving`, so that no new entry goes unnoticed.
            let mut notified = pin!(inner.new_leaving.notified());
            notified.as_mut().enable();
            let now = Instant::now();
            let next = inner.reclaim(now);
            let wake = next.map(|at| at.min(now.checked_add(MAX_SLEEP).unwrap_or(at)));
            let mut sleep = pin!(wake.map(tokio::time::sleep_until));
            let granted = poll_fn(|cx| {
                if let Poll::Ready(result) = queued.as_mut().poll(cx) {
                    return Poll::Ready(Some(result));
                }
                if notified.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(None);
                }
                if let Some(sleep) = sleep.as_mut().as_pin_mut() {
                    if sleep.poll(cx).is_ready() {
                        return Poll::Ready(None);
                    }
                }
                Poll::Pending
            })
            .await;
            if let Some(result) = granted {
                // The semaphore is never closed, so `result` is always a permit.
                if let Ok(free) = result {
                    free.forget();
                }
                return permit(&self.inner);
            }
        }
    }
}

impl Inner {
    /// Frees the slots whose window has passed by `now`; returns when the next one will.
    fn reclaim(&self, now: Instant) -> Option<Instant> {
        let mut leaving = self.leaving.lock().unwrap_or_else(PoisonError::into_inner);
        let passed = leaving.partition_point(|at| *at <= now);
        if passed > 0 {
            leaving.drain(..passed);
            self.free.add_permits(passed);
        }
        leaving.front().copied()
    }

    /// Records that an attempt completed: its slot is free one window from now.
    fn complete(&self) {
        let mut leaving = self.leaving.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        // A window too long to add to the clock never ends: the slot stays used.
        let Some(at) = now.checked_add(self.window) else {
            return;
        };
        // Completions arrive in time order, so this is nearly always the back.
        let index = leaving.partition_point(|t| *t <= at);
        leaving.insert(index, at);
        drop(leaving);
        if index == 0 {
            self.new_leaving.notify_waiters();
        }
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

/// One slot of a [`RateBudget`], held by one attempt from its start until it is dropped.
///
/// Drop it when the attempt is complete: its response was read, or it failed. The slot is
/// free again one window after that. A permit that is leaked (never dropped) keeps its
/// slot for good.
#[must_use = "the slot's window starts when the permit is dropped: hold it until the response is read"]
pub struct RatePermit {
    inner: Arc<Inner>,
    waited: Duration,
}

impl RatePermit {
    /// How long [`RateBudget::acquire`] waited for this slot.
    pub fn waited(&self) -> Duration {
        self.waited
    }
}

impl Drop for RatePermit {
    fn drop(&mut self) {
        self.inner.complete();
    }
}

impl fmt::Debug for RatePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RatePermit")
            .field("waited", &self.waited)
            .finish_non_exhaustive()
    }
}
