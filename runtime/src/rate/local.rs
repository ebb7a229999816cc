//! The in-process budget: a sliding window of slots, shared by the clones of a budget.

use std::collections::VecDeque;
use std::fmt;

use super::RatePermit;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::Poll;
use std::time::Duration;

use tokio::sync::{Notify, Semaphore};
use tokio::time::Instant;

/// The longest a waiting [`LocalBudget::acquire`] sleeps before it looks again; keeps every
/// deadline handed to tokio's timer far from the end of `Instant`'s range.
const MAX_SLEEP: Duration = Duration::from_secs(24 * 60 * 60);

/// The in-process sliding window described on [`RateBudget`](super::RateBudget).
#[derive(Clone)]
pub(crate) struct LocalBudget {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
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

impl LocalBudget {
    /// At most `max_requests` requests in any `window`, as described on [`RateBudget`].
    /// `max_requests` 0 is treated as 1.
    pub fn new(max_requests: u32, window: Duration) -> Self {
        let max_requests = usize::try_from(max_requests.max(1))
            .unwrap_or(usize::MAX)
            .min(Semaphore::MAX_PERMITS);
        LocalBudget {
            inner: Arc::new(Inner {
                max_requests,
                window,
                free: Semaphore::new(max_requests),
                leaving: Mutex::new(VecDeque::with_capacity(max_requests.min(4096))),
                new_leaving: Notify::new(),
            }),
        }
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
        let permit = |inner: &Arc<Inner>| {
            RatePermit::local(
                Arc::clone(inner),
                Instant::now().saturating_duration_since(start),
            )
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
    pub(crate) fn complete(&self) {
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

impl fmt::Debug for LocalBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalBudget")
            .field("max_requests", &self.inner.max_requests)
            .field("window", &self.inner.window)
            .finish()
    }
}
