//! Cloudflare's `Ratelimit` and `Ratelimit-Policy` response headers, and pacing by them.
//!
//! Since September 2025 every response of the API says where the caller stands, in the
//! IETF draft's RateLimit fields (Structured Field Values, RFC 9651, parsed with `sfv`):
//!
//! - `Ratelimit: "default";r=50;t=30`: 50 requests remain, and the window resets in 30 s;
//! - `Ratelimit-Policy: "default";q=1200;w=300`: the quota is 1200 per 300 s.
//!
//! The client reads them from every response ([`RateLimitStatus`]) and, when few requests
//! remain, paces its own requests so as not to be refused: [`Pacing`] has the rules.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use reqwest::header::HeaderMap;
use sfv::{BareItem, ListEntry, Parser};
use tokio::time::Instant;

/// The longest wait the server's headers can cause, whatever `t` says: a hostile or broken
/// server cannot park the client for longer than Cloudflare's own window.
const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(300);

/// Where the caller stands against one of the server's rate-limit policies, as a response's
/// `Ratelimit` (and `Ratelimit-Policy`) headers said.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitStatus {
    /// The policy's name (`"default"`).
    pub policy: String,
    /// Requests that remain in the current window (`r`).
    pub remaining: u64,
    /// Time until the window resets, counted from when the response arrived (`t`).
    pub reset: Duration,
    /// The policy's quota per window (`q` of `Ratelimit-Policy`), if the server said.
    pub quota: Option<u64>,
    /// The policy's window (`w` of `Ratelimit-Policy`), if the server said.
    pub window: Option<Duration>,
    /// When the response carrying it arrived.
    observed_at: Instant,
}

impl RateLimitStatus {
    /// When the response carrying this status arrived.
    pub fn observed_at(&self) -> std::time::Instant {
        self.observed_at.into_std()
    }

    /// The time left until the window resets, from now (zero once it has).
    pub fn resets_in(&self) -> Duration {
        self.reset.saturating_sub(self.observed_at.elapsed())
    }

    /// The statuses a response's headers carry, one per policy named in `Ratelimit`, with
    /// the quota and window of the `Ratelimit-Policy` entry of the same name. Anything
    /// malformed, missing or unknown is left out (logged at debug level), never an error.
    pub fn from_headers(headers: &HeaderMap) -> Vec<RateLimitStatus> {
        parse(headers, Instant::now())
    }

    /// The most restrictive of several: the one with the fewest requests remaining.
    pub(crate) fn most_restrictive(statuses: &[RateLimitStatus]) -> Option<&RateLimitStatus> {
        statuses.iter().min_by_key(|s| s.remaining)
    }
}

impl fmt::Display for RateLimitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} remaining, resets in {} s",
            self.policy,
            self.remaining,
            self.reset.as_secs()
        )?;
        if let (Some(quota), Some(window)) = (self.quota, self.window) {
            write!(f, " (quota {quota} per {} s)", window.as_secs())?;
        }
        Ok(())
    }
}

/// One list member of a RateLimit field: its name and integer parameters.
struct Entry {
    name: String,
    params: Vec<(String, u64)>,
}

impl Entry {
    fn param(&self, key: &str) -> Option<u64> {
        self.params.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }
}

/// The members of a List-valued field (all of its lines), or none if it is malformed.
fn entries(headers: &HeaderMap, field: &str) -> Vec<Entry> {
    let lines: Vec<&str> = headers
        .get_all(field)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect();
    if lines.is_empty() {
        return Vec::new();
    }
    let joined = lines.join(", ");
    let list = match Parser::new(joined.as_str()).parse_list::<sfv::List>() {
        Ok(list) => list,
        Err(error) => {
            tracing::debug!(field, %error, "ignored a malformed rate-limit header");
            return Vec::new();
        }
    };
    list.into_iter()
        .filter_map(|member| {
            let ListEntry::Item(item) = member else {
                tracing::debug!(field, "ignored an inner list in a rate-limit header");
                return None;
            };
            let name = match &item.bare_item {
                BareItem::String(name) => name.as_str().to_owned(),
                BareItem::Token(name) => name.as_str().to_owned(),
                _ => {
                    tracing::debug!(field, "ignored a rate-limit entry without a policy name");
                    return None;
                }
            };
            let params = item
                .params
                .iter()
                .filter_map(|(key, value)| {
                    let value = match value {
                        BareItem::Integer(n) => u64::try_from(i64::from(*n)).ok(),
                        _ => None,
                    };
                    if value.is_none() {
                        tracing::debug!(
                            field,
                            key = key.as_str(),
                            "ignored a rate-limit parameter that is not a non-negative integer"
                        );
                    }
                    Some((key.as_str().to_owned(), value?))
                })
                .collect();
            Some(Entry { name, params })
        })
        .collect()
}

fn parse(headers: &HeaderMap, now: Instant) -> Vec<RateLimitStatus> {
    let limits = entries(headers, "ratelimit");
    if limits.is_empty() {
        return Vec::new();
    }
    let policies = entries(headers, "ratelimit-policy");
    limits
        .into_iter()
        .filter_map(|limit| {
            let (Some(remaining), Some(reset)) = (limit.param("r"), limit.param("t")) else {
                tracing::debug!(
                    policy = limit.name,
                    "ignored a rate-limit entry without `r` and `t`"
                );
                return None;
            };
            let policy = policies.iter().find(|p| p.name == limit.name);
            Some(RateLimitStatus {
                remaining,
                reset: Duration::from_secs(reset),
                quota: policy.and_then(|p| p.param("q")),
                window: policy.and_then(|p| p.param("w")).map(Duration::from_secs),
                policy: limit.name,
                observed_at: now,
            })
        })
        .collect()
}

/// How the client paces itself by the server's `Ratelimit` headers.
///
/// After each response the client knows, per policy, how many requests remain (`r`) and when
/// the window resets (`t`), and it counts the requests it started since the request whose
/// response said so. Before each attempt:
///
/// - if none remain, it waits until the reset;
/// - if few remain (at most [`spread_below`](Self::spread_below) requests, or
///   [`spread_below_fraction`](Self::spread_below_fraction) of the quota when the server
///   names one, whichever is more), it spreads them evenly over the time until the reset;
/// - otherwise it does not wait.
///
/// No wait is longer than [`max_wait`](Self::max_wait) (5 minutes by default, Cloudflare's
/// window). Each wait is a `tracing` event at info level. This works beside the
/// [`RateBudget`](crate::RateBudget): an attempt waits for both, so the stricter of the
/// server's view and the local budget wins. A 429 is still retried after its `Retry-After`.
/// The defaults: 20 requests or 10 % of the quota.
#[derive(Debug, Clone, PartialEq)]
pub struct Pacing {
    spread_below: u64,
    spread_below_fraction: f64,
    max_wait: Duration,
}

impl Default for Pacing {
    fn default() -> Self {
        Pacing {
            spread_below: 20,
            spread_below_fraction: 0.1,
            max_wait: DEFAULT_MAX_WAIT,
        }
    }
}

impl Pacing {
    /// Spreads the remaining requests once at most `requests` remain (default 20).
    pub fn spread_below(mut self, requests: u64) -> Self {
        self.spread_below = requests;
        self
    }

    /// Spreads the remaining requests once at most this fraction of the quota remains
    /// (default 0.1), when the server names its quota (`Ratelimit-Policy`).
    pub fn spread_below_fraction(mut self, fraction: f64) -> Self {
        self.spread_below_fraction = if fraction.is_finite() {
            fraction.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self
    }

    /// The longest the headers can make one attempt wait (default 5 minutes).
    pub fn max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = wait;
        self
    }

    fn threshold(&self, status: &RateLimitStatus) -> u64 {
        let fraction = status.quota.map_or(0, |quota| {
            (quota as f64 * self.spread_below_fraction) as u64
        });
        self.spread_below.max(fraction)
    }
}

/// A status and the start of the attempt whose response carried it.
struct Observation {
    status: RateLimitStatus,
    request_started: Instant,
}

/// What the client knows of the server's view, shared by the clones of a client.
pub(crate) struct Pacer {
    policy: Option<Pacing>,
    state: Mutex<PacerState>,
}

#[derive(Default)]
struct PacerState {
    /// The latest statuses, per policy, from the latest-started request that answered.
    observations: Vec<Observation>,
    /// When attempts started (or will, after their wait), oldest first: those after an
    /// observation's request are not counted in its `remaining`.
    started: VecDeque<Instant>,
    /// The earliest start of the next attempt while requests are being spread.
    next_spread: Option<Instant>,
}

/// A wait before an attempt, and why.
pub(crate) struct PaceWait {
    pub(crate) wait: Duration,
    pub(crate) policy: String,
    pub(crate) remaining: u64,
    pub(crate) exhausted: bool,
}

impl Pacer {
    pub(crate) fn new(policy: Option<Pacing>) -> Self {
        Pacer {
            policy,
            state: Mutex::new(PacerState::default()),
        }
    }

    /// The most restrictive status last seen (pacing on or off).
    pub(crate) fn last(&self) -> Option<RateLimitStatus> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let statuses: Vec<RateLimitStatus> = state
            .observations
            .iter()
            .map(|o| o.status.clone())
            .collect();
        RateLimitStatus::most_restrictive(&statuses).cloned()
    }

    /// Records the statuses of a response to an attempt started at `request_started`. An
    /// answer to an older request than the one already recorded is not newer news.
    pub(crate) fn observe(&self, statuses: Vec<RateLimitStatus>, request_started: Instant) {
        if statuses.is_empty() {
            return;
        }
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        for status in statuses {
            match state
                .observations
                .iter_mut()
                .find(|o| o.status.policy == status.policy)
            {
                Some(old) if old.request_started > request_started => {}
                Some(old) => {
                    *old = Observation {
                        status,
                        request_started,
                    }
                }
                None => state.observations.push(Observation {
                    status,
                    request_started,
                }),
            }
        }
        // Starts before every observation's request are counted by all of them already.
        if let Some(oldest) = state.observations.iter().map(|o| o.request_started).min() {
            while state.started.front().is_some_and(|t| *t <= oldest) {
                state.started.pop_front();
            }
        }
    }

    /// Reserves the start of the next attempt: how long to wait first (none if the headers
    /// allow it now, or pacing is off). The start is counted at once, so that concurrent
    /// attempts see each other.
    pub(crate) fn reserve(&self, now: Instant) -> Option<PaceWait> {
        let policy = self.policy.as_ref()?;
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.observations.is_empty() {
            return None; // a server without the headers: nothing to count against
        }
        let mut longest: Option<PaceWait> = None;
        let mut spread_until = None;
        for observation in &state.observations {
            let status = &observation.status;
            // A reset further away than `max_wait` (a broken or hostile server) counts as
            // that far: no attempt waits longer.
            let reset = status.reset.min(policy.max_wait);
            let reset_at = status.observed_at.checked_add(reset).unwrap_or(now);
            if reset_at <= now {
                continue; // the window has reset since
            }
            let started_since = state
                .started
                .iter()
                .filter(|t| **t > observation.request_started)
                .count() as u64;
            let left = status.remaining.saturating_sub(started_since);
            let (wait, exhausted) = if left == 0 {
                (reset_at - now, true)
            } else if left <= policy.threshold(status) {
                // This attempt's turn, then the time to the reset shared by those left.
                let start = state.next_spread.map_or(now, |next| next.max(now));
                if start < reset_at {
                    let interval = (reset_at - start) / u32::try_from(left).unwrap_or(u32::MAX);
                    let next = start + interval;
                    spread_until = Some(spread_until.map_or(next, |s: Instant| s.max(next)));
                }
                (start.min(reset_at) - now, false)
            } else {
                (Duration::ZERO, false)
            };
            if longest.as_ref().is_none_or(|l| wait > l.wait) {
                longest = Some(PaceWait {
                    wait,
                    policy: status.policy.clone(),
                    remaining: left,
                    exhausted,
                });
            }
        }
        let mut longest = longest.filter(|l| !l.wait.is_zero());
        if let Some(wait) = &mut longest {
            wait.wait = wait.wait.min(policy.max_wait);
        }
        let start = now + longest.as_ref().map_or(Duration::ZERO, |l| l.wait);
        if let Some(until) = spread_until {
            state.next_spread = Some(until.max(start));
        }
        // Bounded: an observation is replaced by each response, and starts before the oldest
        // one are dropped then; this caps a client that gets no headers at all.
        if state.started.len() >= 100_000 {
            state.started.pop_front();
        }
        state.started.push_back(start);
        longest
    }
}

impl fmt::Debug for Pacer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pacer")
            .field("policy", &self.policy)
            .field("last", &self.last())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn reads_cloudflare_headers() {
        let now = Instant::now();
        let statuses = parse(
            &headers(&[
                ("ratelimit", "\"default\";r=50;t=30"),
                (
                    "ratelimit-policy",
                    "\"burst\";q=100;w=60, \"default\";q=1200;w=300",
                ),
            ]),
            now,
        );
        assert_eq!(
            statuses,
            [RateLimitStatus {
                policy: "default".into(),
                remaining: 50,
                reset: Duration::from_secs(30),
                quota: Some(1200),
                window: Some(Duration::from_secs(300)),
                observed_at: now,
            }]
        );
        assert_eq!(
            statuses[0].to_string(),
            "default: 50 remaining, resets in 30 s (quota 1200 per 300 s)"
        );
    }

    #[test]
    fn malformed_missing_and_unknown_items_are_ignored() {
        let now = Instant::now();
        for bad in [
            "",
            "\"default\";r=50",     // no `t`
            "\"default\";r=-1;t=3", // negative
            "\"default\";r=1.5;t=3",
            "\"default\";r=\"5\";t=3",
            "(\"a\" \"b\");r=1;t=1", // an inner list
            "5;r=1;t=1",             // no name
            "\"unterminated;r=1;t=1",
            "\u{7f}",
        ] {
            let mut map = HeaderMap::new();
            if let Ok(value) = HeaderValue::from_str(bad) {
                map.insert("ratelimit", value);
            }
            assert_eq!(parse(&map, now), [], "{bad:?}");
        }
        // A token name, unknown parameters, and a policy header that is malformed: kept,
        // without quota.
        let statuses = parse(
            &headers(&[
                ("ratelimit", "default;r=5;t=7;pk=:YWJj:;x=?1"),
                ("ratelimit-policy", "\"default\";q=oops"),
            ]),
            now,
        );
        assert_eq!(statuses.len(), 1);
        assert_eq!((statuses[0].remaining, statuses[0].quota), (5, None));
        // Several lines of the field are one list.
        let statuses = parse(
            &headers(&[
                ("ratelimit", "\"a\";r=5;t=7"),
                ("ratelimit", "\"b\";r=1;t=2"),
            ]),
            now,
        );
        assert_eq!(
            RateLimitStatus::most_restrictive(&statuses).map(|s| s.policy.as_str()),
            Some("b")
        );
    }

    fn status(remaining: u64, reset_secs: u64, observed_at: Instant) -> RateLimitStatus {
        RateLimitStatus {
            policy: "default".into(),
            remaining,
            reset: Duration::from_secs(reset_secs),
            quota: Some(1200),
            window: Some(Duration::from_secs(300)),
            observed_at,
        }
    }

    #[test]
    fn pacing_waits_for_the_reset_at_zero_and_spreads_what_is_left() {
        let pacer = Pacer::new(Some(Pacing::default()));
        let t0 = Instant::now();
        assert!(pacer.reserve(t0).is_none(), "nothing observed: no wait");
        // Plenty left: no wait.
        pacer.observe(vec![status(500, 60, t0)], t0);
        assert!(pacer.reserve(t0).is_none());
        // 4 left, 40 s to go (below the threshold, 120 = 10 % of 1200): one each 10 s.
        // (The request that carried it started a little before its response arrived.)
        let t1 = t0 + Duration::from_secs(1);
        pacer.observe(vec![status(4, 40, t1)], t1 - Duration::from_millis(5));
        let waits: Vec<u64> = (0..4)
            .map(|_| pacer.reserve(t1).map_or(0, |w| w.wait.as_secs()))
            .collect();
        assert_eq!(waits, [0, 10, 20, 30]);
        // All four are spent: the next waits for the reset.
        let wait = pacer.reserve(t1).unwrap();
        assert!(wait.exhausted);
        assert_eq!(wait.wait, Duration::from_secs(40));
        // After the reset the old status says nothing.
        assert!(pacer.reserve(t1 + Duration::from_secs(41)).is_none());
    }

    #[test]
    fn an_answer_to_an_older_request_does_not_replace_a_newer_one() {
        let pacer = Pacer::new(Some(Pacing::default()));
        let t0 = Instant::now();
        pacer.observe(vec![status(0, 30, t0)], t0 + Duration::from_millis(5));
        pacer.observe(vec![status(900, 30, t0)], t0);
        assert_eq!(pacer.last().unwrap().remaining, 0);
    }

    #[test]
    fn waits_are_capped_and_pacing_can_be_off() {
        let t0 = Instant::now();
        let capped = Pacer::new(Some(Pacing::default().max_wait(Duration::from_secs(2))));
        capped.observe(vec![status(0, 1_000_000_000, t0)], t0);
        assert_eq!(capped.reserve(t0).unwrap().wait, Duration::from_secs(2));
        let off = Pacer::new(None);
        off.observe(vec![status(0, 30, t0)], t0);
        assert!(off.reserve(t0).is_none());
        assert_eq!(off.last().unwrap().remaining, 0);
    }
}
