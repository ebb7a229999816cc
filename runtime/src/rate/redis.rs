//! A rate budget kept in Redis, shared by every process and machine with the same credentials.

use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::Script;
use tokio::time::Instant;

use super::local::LocalBudget;
use super::{BudgetBackend, BudgetError, BudgetFuture, BudgetKey, RatePermit};
use crate::error::Error;

/// One atomic acquire. Slots are the members of a sorted set per credentials key, scored by
/// when they are free again minus the window: an attempt in flight by the time it may last
/// (`hold`), a completed one by its completion. Redis's own clock (`TIME`) is the only clock,
/// so machines whose clocks differ still share one window.
///
/// KEYS[1] the set; ARGV: max requests, window (ms), hold (ms), member. Returns `{1, 0}` with
/// a slot taken, or `{0, ms}`: no slot, the earliest frees in `ms` (or is in flight). Times
/// are whole milliseconds, so a slot frees one millisecond late rather than early.
const ACQUIRE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window - 1)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window + tonumber(ARGV[3]) + 1000)
  return {1, 0}
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, math.max(1, tonumber(first[2]) + window + 1 - now)}
";

/// The attempt of `member` completed now: its slot is free one window from now.
const COMPLETE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
return 1
";

/// The longest a waiting acquire sleeps before asking Redis again: a slot held by an attempt
/// in flight frees when it completes, which Redis cannot announce.
const MAX_POLL: Duration = Duration::from_millis(100);

/// What a [`RedisBudget`] does when Redis cannot be reached, or does not answer within its
/// timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OnRedisFailure {
    /// Fail open (the default): use an in-process budget of the same size until Redis
    /// answers again. Each process then keeps to its own budget, so a fleet of `n` processes
    /// may together send up to `n` times the budget while Redis is down.
    UseLocalBudget,
    /// Fail closed: the attempt fails at once with [`Error::RateBudget`], and nothing is
    /// sent until Redis answers again.
    Refuse,
}

/// A rate budget kept in Redis, shared by every client, process and machine that uses the
/// same credentials: the sum of their requests stays within `max_requests` per `window` at
/// the server, counted as [`RateBudget`](crate::RateBudget) describes.
///
/// - **Atomic.** Each acquire is one Lua script, run by Redis as one step; Redis's clock is
///   the only clock. Completion is one more small script, sent without waiting for it.
/// - **Keyed by the credentials' hash** ([`BudgetKey`]): `<prefix><key>`, never the
///   credentials. Clients with the same token share one budget, different tokens never do.
/// - **Bounded.** Every Redis call has a timeout (default 250 ms). If Redis is unreachable
///   or slow, [`OnRedisFailure`] applies (default: fall back to an in-process budget), and
///   Redis is not tried again for [`retry_after`](Self::retry_after) (default 5 s), so a
///   Redis outage costs one timeout, not one per request. It never panics and never hangs.
/// - **Self-healing.** An attempt counts as in flight for at most
///   [`max_hold`](Self::max_hold) (default 2 minutes) if its process dies before it
///   completes; the set expires when unused.
///
/// ```no_run
/// # fn example() -> Result<(), cloudflare_v4_runtime::Error> {
/// use std::time::Duration;
/// use cloudflare_v4_runtime::{Client, Credentials, OnRedisFailure, RateBudget, RedisBudget};
///
/// let budget = RedisBudget::new("redis://budget.internal:6379", 1100, Duration::from_secs(300))?
///     .on_failure(OnRedisFailure::Refuse);
/// let client = Client::builder()
///     .credentials(Credentials::api_token("…"))
///     .rate_budget(RateBudget::with_backend(budget))
///     .build()?;
/// # let _ = client;
/// # Ok(())
/// # }
/// ```
pub struct RedisBudget {
    settings: Settings,
    /// Made on first use, from the settings.
    state: OnceLock<Arc<Inner>>,
}

#[derive(Clone)]
struct Settings {
    client: redis::Client,
    max_requests: u32,
    window: Duration,
    hold: Duration,
    prefix: String,
    timeout: Duration,
    on_failure: OnRedisFailure,
    retry_after: Duration,
}

struct Inner {
    settings: Settings,
    /// Made on first use (it needs the Tokio runtime), then reconnects by itself.
    connection: OnceLock<ConnectionManager>,
    /// Until when Redis is not asked again after a failure.
    down_until: Mutex<Option<Instant>>,
    fallback: LocalBudget,
    acquire: Script,
    complete: Script,
}

impl RedisBudget {
    /// A budget of at most `max_requests` (0 counts as 1) requests per `window` in the Redis at
    /// `url` (`redis://host:port/db`, with `user:password@` if needed). Nothing is connected
    /// until the first request; an invalid URL is an [`Error::Config`].
    pub fn new(url: &str, max_requests: u32, window: Duration) -> Result<Self, Error> {
        let client = redis::Client::open(url)
            .map_err(|e| Error::config(format!("invalid Redis URL for the rate budget: {e}")))?;
        Ok(RedisBudget {
            settings: Settings {
                client,
                max_requests: max_requests.max(1),
                window,
                hold: Duration::from_secs(120),
                prefix: "cloudflare-v4:budget:".to_owned(),
                timeout: Duration::from_millis(250),
                on_failure: OnRedisFailure::UseLocalBudget,
                retry_after: Duration::from_secs(5),
            },
            state: OnceLock::new(),
        })
    }

    /// Sets what happens when Redis cannot be reached (default
    /// [`OnRedisFailure::UseLocalBudget`]).
    pub fn on_failure(mut self, policy: OnRedisFailure) -> Self {
        self.settings.on_failure = policy;
        self
    }

    /// Sets the timeout of each Redis call (default 250 ms), connecting included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = timeout;
        self
    }

    /// Sets how long Redis is left alone after a failure (default 5 s).
    pub fn retry_after(mut self, wait: Duration) -> Self {
        self.settings.retry_after = wait;
        self
    }

    /// Sets how long an attempt counts as in flight at most (default 2 minutes): longer than
    /// any request of yours takes, retries excluded. It frees the slots of a process that dies
    /// with requests in flight.
    pub fn max_hold(mut self, hold: Duration) -> Self {
        self.settings.hold = hold;
        self
    }

    /// Sets the prefix of the Redis keys (default `cloudflare-v4:budget:`), before the
    /// credentials' [`BudgetKey`].
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.settings.prefix = prefix.into();
        self
    }

    fn state(&self) -> &Arc<Inner> {
        self.state.get_or_init(|| {
            let settings = self.settings.clone();
            Arc::new(Inner {
                fallback: LocalBudget::new(settings.max_requests, settings.window),
                settings,
                connection: OnceLock::new(),
                down_until: Mutex::new(None),
                acquire: Script::new(ACQUIRE),
                complete: Script::new(COMPLETE),
            })
        })
    }
}

impl Inner {
    fn connection(&self) -> Result<ConnectionManager, redis::RedisError> {
        if let Some(connection) = self.connection.get() {
            return Ok(connection.clone());
        }
        let timeout = self.settings.timeout;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1)
            .set_max_delay(timeout);
        let connection =
            ConnectionManager::new_lazy_with_config(self.settings.client.clone(), config)?;
        Ok(self.connection.get_or_init(|| connection).clone())
    }

    fn is_down(&self, now: Instant) -> bool {
        let down = self
            .down_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        down.is_some_and(|until| now < until)
    }

    fn mark_down(&self, now: Instant) {
        let mut down = self
            .down_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *down = Some(now + self.settings.retry_after);
    }

    /// One acquire script: `Ok(None)` with a slot, `Ok(Some(wait))` without.
    async fn try_acquire(&self, key: &str, member: &str) -> Result<Option<Duration>, String> {
        let settings = &self.settings;
        let mut connection = self.connection().map_err(|e| e.to_string())?;
        let mut invocation = self.acquire.key(key);
        invocation
            .arg(settings.max_requests)
            .arg(duration_ms(settings.window))
            .arg(duration_ms(settings.hold))
            .arg(member);
        let call = invocation.invoke_async::<(u8, u64)>(&mut connection);
        match tokio::time::timeout(settings.timeout, call).await {
            Ok(Ok((1, _))) => Ok(None),
            Ok(Ok((_, wait_ms))) => Ok(Some(Duration::from_millis(wait_ms))),
            Ok(Err(error)) => Err(error.to_string()),
            Err(_) => Err(format!(
                "Redis did not answer within {:?}",
                settings.timeout
            )),
        }
    }

    async fn acquire(self: &Arc<Self>, key: &BudgetKey) -> Result<RatePermit, BudgetError> {
        let start = Instant::now();
        let redis_key = format!("{}{}", self.settings.prefix, key.as_str());
        let member = format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
        loop {
            if self.is_down(Instant::now()) {
                return self.without_redis(start, "it failed recently").await;
            }
            match self.try_acquire(&redis_key, &member).await {
                Ok(None) => {
                    let release = Release {
                        inner: Arc::clone(self),
                        key: redis_key,
                        member,
                    };
                    return Ok(RatePermit::new(release, start.elapsed()));
                }
                Ok(Some(wait)) => tokio::time::sleep(wait.min(MAX_POLL)).await,
                Err(message) => {
                    self.mark_down(Instant::now());
                    tracing::warn!(
                        %message,
                        retry_in_ms = duration_ms(self.settings.retry_after),
                        policy = ?self.settings.on_failure,
                        "the Redis rate budget failed"
                    );
                    return self.without_redis(start, &message).await;
                }
            }
        }
    }

    /// The failure policy, Redis being unavailable.
    async fn without_redis(&self, start: Instant, why: &str) -> Result<RatePermit, BudgetError> {
        match self.settings.on_failure {
            OnRedisFailure::UseLocalBudget => {
                Ok(self.fallback.acquire().await.with_waited(start.elapsed()))
            }
            OnRedisFailure::Refuse => Err(BudgetError {
                message: format!(
                    "the Redis rate budget is unavailable ({why}) and refuses to go on without it"
                ),
            }),
        }
    }
}

fn duration_ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Completes an attempt in Redis when its permit is dropped: sent in the background, as a
/// drop cannot wait; without a Tokio runtime (or if it fails), the slot frees after
/// `max_hold` instead.
struct Release {
    inner: Arc<Inner>,
    key: String,
    member: String,
}

impl Drop for Release {
    fn drop(&mut self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let inner = Arc::clone(&self.inner);
        let key = std::mem::take(&mut self.key);
        let member = std::mem::take(&mut self.member);
        runtime.spawn(async move {
            let Ok(mut connection) = inner.connection() else {
                return;
            };
            let mut invocation = inner.complete.key(&key);
            invocation.arg(&member);
            let call = invocation.invoke_async::<u8>(&mut connection);
            match tokio::time::timeout(inner.settings.timeout, call).await {
                Ok(Ok(_)) => {}
                Ok(Err(error)) => {
                    tracing::debug!(%error, "could not record an attempt's completion in Redis")
                }
                Err(_) => tracing::debug!("recording an attempt's completion in Redis timed out"),
            }
        });
    }
}

impl BudgetBackend for RedisBudget {
    fn acquire<'a>(&'a self, key: &'a BudgetKey) -> BudgetFuture<'a> {
        Box::pin(self.state().acquire(key))
    }

    fn max_requests(&self) -> usize {
        usize::try_from(self.settings.max_requests).unwrap_or(usize::MAX)
    }

    fn window(&self) -> Duration {
        self.settings.window
    }
}

impl From<RedisBudget> for crate::RateBudget {
    fn from(budget: RedisBudget) -> Self {
        crate::RateBudget::with_backend(budget)
    }
}

impl fmt::Debug for RedisBudget {
    /// Never the URL: it may hold a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let settings = &self.settings;
        f.debug_struct("RedisBudget")
            .field("max_requests", &settings.max_requests)
            .field("window", &settings.window)
            .field("prefix", &settings.prefix)
            .field("timeout", &settings.timeout)
            .field("on_failure", &settings.on_failure)
            .finish_non_exhaustive()
    }
}
