//! Client-side request budget: the handle clients hold ([`RateBudget`]), the backends that
//! keep its slots (in this process, `local`; in Redis, shared by processes and machines,
//! `redis` behind the cargo feature of that name), and the permit of one attempt.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};

mod local;
#[cfg(feature = "redis")]
mod redis;

use local::LocalBudget;
#[cfg(feature = "redis")]
pub use redis::{OnRedisFailure, RedisBudget};

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
/// # Backends
///
/// Where the slots are kept is the budget's backend ([`BudgetBackend`]). The default, made by
/// [`new`](Self::new), keeps them in this process: a budget is cheap to clone and clones share
/// their state, so clones of a [`Client`](crate::Client) share its budget, and one budget can
/// be given to several clients that use the same credentials. Slots are granted first come, first
/// served. Waiting uses tokio's clock, so it follows `tokio::time::pause`. No
/// `max_requests` or `window` makes the bookkeeping overflow: a window too long to add to
/// the clock never ends, so the slots used in it are never free again.
#[derive(Clone)]
pub struct RateBudget {
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    Local(LocalBudget),
    Backend(Arc<dyn BudgetBackend>),
}

impl RateBudget {
    /// At most `max_requests` requests in any `window`, as described on [`RateBudget`], kept
    /// in this process. `max_requests` 0 is treated as 1.
    pub fn new(max_requests: u32, window: Duration) -> Self {
        RateBudget {
            kind: Kind::Local(LocalBudget::new(max_requests, window)),
        }
    }

    /// The client's default: 1100 requests per 5 minutes, counted as described on
    /// [`RateBudget`], in this process.
    ///
    /// Cloudflare's global limit is 1200 requests per 5 minutes. The 100 requests below it
    /// are a margin for requests the budget cannot place exactly: those of attempts
    /// abandoned by a timeout or a dropped future, which may reach the server after the
    /// client gave up on them.
    pub fn cloudflare_default() -> Self {
        RateBudget::new(1100, Duration::from_secs(300))
    }

    /// A budget whose slots another backend keeps: one shared by processes and machines,
    /// such as [`RedisBudget`] (cargo feature `redis`), or one of your own.
    pub fn with_backend(backend: impl BudgetBackend) -> Self {
        RateBudget {
            kind: Kind::Backend(Arc::new(backend)),
        }
    }

    /// The configured maximum number of requests per window.
    pub fn max_requests(&self) -> usize {
        match &self.kind {
            Kind::Local(local) => local.max_requests(),
            Kind::Backend(backend) => backend.max_requests(),
        }
    }

    /// The configured window.
    pub fn window(&self) -> Duration {
        match &self.kind {
            Kind::Local(local) => local.window(),
            Kind::Backend(backend) => backend.window(),
        }
    }

    /// Takes a slot for one attempt by clients whose credentials have the key `key`, waiting
    /// until one is free. Hold the returned permit until the attempt is complete (its response
    /// read, or failed): dropping it starts the `window` after which the slot is free again.
    /// The in-process backend ignores the key (a budget object is one budget) and never
    /// fails; a shared backend may, as its failure policy says.
    ///
    /// Cancel-safe: if the returned future is dropped while waiting, it takes no slot.
    pub async fn acquire(&self, key: &BudgetKey) -> Result<RatePermit, BudgetError> {
        match &self.kind {
            Kind::Local(local) => Ok(local.acquire().await),
            Kind::Backend(backend) => backend.acquire(key).await,
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
        match &self.kind {
            Kind::Local(local) => local.fmt(f),
            Kind::Backend(backend) => backend.fmt(f),
        }
    }
}

/// A boxed future of a [`BudgetBackend`].
pub type BudgetFuture<'a> =
    Pin<Box<dyn Future<Output = Result<RatePermit, BudgetError>> + Send + 'a>>;

/// Where a [`RateBudget`]'s slots are kept, when not in this process.
///
/// A backend keeps, per [`BudgetKey`] (one per set of credentials), at most
/// [`max_requests`](Self::max_requests) slots of the kind described on [`RateBudget`]: taken
/// when an attempt starts, used until one [`window`](Self::window) after the attempt
/// completes. [`acquire`](Self::acquire) waits for a free slot and returns a [`RatePermit`]
/// made with [`RatePermit::new`], whose drop records the completion.
pub trait BudgetBackend: fmt::Debug + Send + Sync + 'static {
    /// Takes a slot for clients whose credentials have the key `key`, waiting for one. An
    /// error fails the attempt with [`Error::RateBudget`](crate::Error::RateBudget); it should
    /// come within a bounded time, never a hang.
    fn acquire<'a>(&'a self, key: &'a BudgetKey) -> BudgetFuture<'a>;

    /// The configured maximum number of requests per window.
    fn max_requests(&self) -> usize;

    /// The configured window.
    fn window(&self) -> Duration;
}

/// Why a budget could not give a slot (a shared backend that cannot be reached and refuses to
/// go on without it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetError {
    /// What failed.
    pub message: String,
}

impl fmt::Display for BudgetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BudgetError {}

/// The key of a budget shared by every client with the same credentials: a hash of the
/// credentials, never the credentials themselves. Clients with the same token share one
/// budget, and different tokens never do.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BudgetKey(String);

impl BudgetKey {
    /// The key of these credentials: 32 hex digits of a SHA-256 over their kind and secret.
    pub fn of(credentials: Option<&crate::Credentials>) -> Self {
        let mut hash = Sha256::new();
        hash.update(b"cloudflare-v4 rate budget\0");
        match credentials {
            Some(credentials) => credentials.hash_into(&mut |part: &[u8]| {
                hash.update(part);
                hash.update(b"\0");
            }),
            None => hash.update(b"anonymous"),
        }
        let digest = hash.finalize();
        BudgetKey(digest[..16].iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for BudgetKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("BudgetKey").field(&self.0).finish()
    }
}

/// One slot of a [`RateBudget`], held by one attempt from its start until it is dropped.
///
/// Drop it when the attempt is complete: its response was read, or it failed. The slot is
/// free again one window after that. A permit that is leaked (never dropped) keeps its
/// slot for good (a shared backend frees it after its own limit).
#[must_use = "the slot's window starts when the permit is dropped: hold it until the response is read"]
pub struct RatePermit {
    slot: Slot,
    waited: Duration,
}

enum Slot {
    Local(Arc<local::Inner>),
    Other(#[allow(dead_code)] Box<dyn Send + Sync>),
}

impl RatePermit {
    /// A permit of a [`BudgetBackend`]: dropping `release` records that the attempt is
    /// complete. `waited` is how long the backend waited for the slot.
    pub fn new(release: impl Send + Sync + 'static, waited: Duration) -> Self {
        RatePermit {
            slot: Slot::Other(Box::new(release)),
            waited,
        }
    }

    pub(crate) fn local(inner: Arc<local::Inner>, waited: Duration) -> Self {
        RatePermit {
            slot: Slot::Local(inner),
            waited,
        }
    }

    /// How long [`RateBudget::acquire`] waited for this slot.
    pub fn waited(&self) -> Duration {
        self.waited
    }

    /// The same permit, having waited `waited` in all.
    #[cfg(feature = "redis")]
    pub(crate) fn with_waited(mut self, waited: Duration) -> Self {
        self.waited = waited;
        self
    }
}

impl Drop for RatePermit {
    fn drop(&mut self) {
        if let Slot::Local(inner) = &self.slot {
            inner.complete();
        }
    }
}

impl fmt::Debug for RatePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RatePermit")
            .field("waited", &self.waited)
            .finish_non_exhaustive()
    }
}
