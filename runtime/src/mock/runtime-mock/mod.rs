//! A typed mock of the Cloudflare API on loopback, for testing code that uses this client
//! (feature `mock`).
//!
//! [`MockServer::start`] starts a server (on [`wiremock`]) and [`MockServer::client`] is a
//! [`Client`] pointed at it. An expectation is set up from the call it expects, so it is
//! typed both ways: it matches what that call sends, and answers with the call's result type.
//! The generated crate has one expectation per operation (`mock.dns_records()
//! .list_dns_records(zone_id, &params)`); [`MockServer::on`] takes any call, including one
//! built with [`Client::request`].
//!
//! ```no_run
//! # async fn example() -> Result<(), cloudflare_v4_runtime::Error> {
//! use cloudflare_v4_runtime::{mock::MockServer, Method};
//! use std::time::Duration;
//!
//! let mock = MockServer::start().await;
//! let client = mock.client();
//! let call = || client.request(Method::Get, "/zones/{zone_id}/settings/ssl", &["z1"]).call::<serde_json::Value>();
//! // 429 once, then the answer: the client waits for `Retry-After` and retries.
//! mock.on(call()).times(1).rate_limited(Duration::from_secs(1));
//! mock.on(call()).returns_json(serde_json::json!({"id": "ssl", "value": "full"}));
//! let setting = call().await?;
//! assert_eq!(setting["value"], "full");
//! mock.verify();
//! # Ok(())
//! # }
//! ```
//!
//! Every answer carries `cf-ray`. A request that matches no expectation is answered 404
//! with an API error that lists the closest expectations and why each did not match; the
//! same text goes to standard error, so it shows in the test's output. [`MockServer::verify`]
//! (and dropping the mock, unless the thread is already panicking) panics if an expectation
//! with [`times`](Expectation::times) was not met or a request matched nothing, naming the
//! operation, what it expected, and what was received.
//!
//! The mock's client retries as a client does, with the shortest backoff, so tests of
//! retries stay fast; a 429 is waited for as `Retry-After` says.

mod answer;
mod expectation;
mod matching;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

pub use expectation::{Expectation, Mounted};

use answer::Answer;
use matching::{describe_received, ExpectedRequest, Loosening};
use wiremock::{Respond, ResponseTemplate};

use crate::{Call, Client, ClientBuilder, Credentials, ListCall, RawCall, RetryPolicy};

/// A loopback server that answers as the Cloudflare API, from expectations.
pub struct MockServer {
    server: wiremock::MockServer,
    state: Arc<Mutex<State>>,
    client: Client,
}

/// One mounted expectation.
struct Rule {
    name: String,
    expected: ExpectedRequest,
    loose: Loosening,
    times: Option<usize>,
    delay: Option<Duration>,
    answer: Answer,
    received: Arc<AtomicUsize>,
}

#[derive(Default)]
struct State {
    rules: Vec<Rule>,
    /// Every request received, and the expectation that answered it.
    received: Vec<(String, Option<usize>)>,
    /// Reports of the requests that matched nothing.
    unmatched: Vec<String>,
}

/// A call an expectation can be made from.
pub trait Expectable: sealed::Sealed {
    #[doc(hidden)]
    fn into_expected(self) -> (crate::request::Request, bool);
}

mod sealed {
    pub trait Sealed {}
    impl<T> Sealed for crate::Call<T> {}
    impl<T> Sealed for crate::ListCall<T> {}
    impl Sealed for crate::RawCall {}
}

impl<T> Expectable for Call<T> {
    fn into_expected(self) -> (crate::request::Request, bool) {
        (self.into_request(), false)
    }
}

impl<T> Expectable for ListCall<T> {
    fn into_expected(self) -> (crate::request::Request, bool) {
        (self.into_request(), true)
    }
}

impl Expectable for RawCall {
    fn into_expected(self) -> (crate::request::Request, bool) {
        (self.into_request(), false)
    }
}

impl MockServer {
    /// Starts a mock server on a loopback port, with its [`client`](Self::client).
    pub async fn start() -> MockServer {
        let server = wiremock::MockServer::start().await;
        let state = Arc::new(Mutex::new(State::default()));
        wiremock::Mock::given(wiremock::matchers::any())
            .respond_with(Dispatcher {
                state: state.clone(),
            })
            .mount(&server)
            .await;
        let client = Self::client_builder_for(&server.uri())
            .build()
            .unwrap_or_else(|e| panic!("the mock's client: {e}"));
        MockServer {
            server,
            state,
            client,
        }
    }

    fn client_builder_for(uri: &str) -> ClientBuilder {
        ClientBuilder::<Client>::new()
            .base_url(uri)
            .credentials(Credentials::api_token("mock-token"))
            .retry_policy(
                RetryPolicy::default()
                    .initial_backoff(Duration::from_millis(1))
                    .max_backoff(Duration::from_millis(5)),
            )
    }

    /// The client the expectations are made with, pointed at this server.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// A builder for another client pointed at this server (own retry policy, timeout,
    /// strict decoding…).
    pub fn client_builder(&self) -> ClientBuilder {
        Self::client_builder_for(&self.server.uri())
    }

    /// The server's base URL (`http://127.0.0.1:<port>`).
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// Expects the request `call` would send (build it on [`client`](Self::client)).
    ///
    /// # Panics
    /// If the call could not be sent (an invalid path value, a body that does not
    /// serialize): a mistake in the test's setup.
    pub fn on<C: Expectable>(&self, call: C) -> Expectation<'_, C> {
        let (request, list) = call.into_expected();
        let expected = ExpectedRequest::from_request(request)
            .unwrap_or_else(|e| panic!("the expected call cannot be sent: {e}"));
        Expectation::new(self, expected, list)
    }

    fn mount(&self, rule: Rule) {
        self.lock().rules.push(rule);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `METHOD /path?query` of every request received so far, in order.
    pub fn received(&self) -> Vec<String> {
        self.lock().received.iter().map(|(r, _)| r.clone()).collect()
    }

    /// What is wrong so far: expectations with [`times`](Expectation::times) answered
    /// another number of times, and requests that matched nothing. `Ok` if nothing is.
    pub fn check(&self) -> Result<(), String> {
        let state = self.lock();
        let mut report = String::new();
        for (index, rule) in state.rules.iter().enumerate() {
            let received = rule.received.load(Ordering::SeqCst);
            let Some(times) = rule.times.filter(|&t| t != received) else {
                continue;
            };
            let _ = writeln!(
                report,
                "- `{}` ({}) expected {times} time(s), received {received}",
                rule.name,
                rule.expected.describe()
            );
            let matched: Vec<&str> = state
                .received
                .iter()
                .filter(|(_, by)| *by == Some(index))
                .map(|(r, _)| r.as_str())
                .collect();
            for request in matched {
                let _ = writeln!(report, "    received: {request}");
            }
        }
        for unmatched in &state.unmatched {
            let _ = writeln!(report, "- {unmatched}");
        }
        if report.is_empty() {
            return Ok(());
        }
        let mut all = String::new();
        for (request, by) in &state.received {
            let by = by.map_or("no expectation".to_owned(), |i| format!("`{}`", state.rules[i].name));
            let _ = writeln!(all, "    {request} (answered by {by})");
        }
        Err(format!(
            "the mock's expectations were not met:\n{report}requests received:\n{}",
            if all.is_empty() { "    none\n".to_owned() } else { all }
        ))
    }

    /// Panics with [`check`](Self::check)'s report if anything is wrong.
    pub fn verify(&self) {
        if let Err(report) = self.check() {
            panic!("{report}");
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        if let Err(report) = self.check() {
            panic!("{report}");
        }
    }
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("uri", &self.server.uri())
            .field("expectations", &self.lock().rules.len())
            .finish()
    }
}

/// Answers each request from the first expectation that matches it and still answers.
struct Dispatcher {
    state: Arc<Mutex<State>>,
}

impl Respond for Dispatcher {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let described = describe_received(request);
        let ray = format!("{:016x}-MCK", state.received.len() + 1);
        let mut near: Vec<(usize, String)> = Vec::new();
        for (index, rule) in state.rules.iter().enumerate() {
            let differences = rule.expected.differences(request, &rule.loose);
            let spent = rule
                .times
                .is_some_and(|t| rule.received.load(Ordering::SeqCst) >= t);
            if differences.is_empty() && !spent {
                rule.received.fetch_add(1, Ordering::SeqCst);
                let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
                let mut answer = rule.answer.render(&rule.expected.op, &query, &ray);
                if let Some(delay) = rule.delay {
                    answer = answer.set_delay(delay);
                }
                state.received.push((described, Some(index)));
                return answer;
            }
            let why = if differences.is_empty() {
                "it already answered the times it expects".to_owned()
            } else {
                differences.join("; ")
            };
            near.push((
                differences.len(),
                format!("`{}` ({}): {why}", rule.name, rule.expected.describe()),
            ));
        }
        near.sort_by_key(|(distance, _)| *distance);
        let mut report = format!("no expectation matches {described}");
        if near.is_empty() {
            report.push_str(" (none is mounted)");
        } else {
            report.push_str("; the closest:");
            for (_, line) in near.iter().take(3) {
                let _ = write!(report, "\n    {line}");
            }
        }
        eprintln!("cloudflare mock: {report}");
        state.received.push((described, None));
        state.unmatched.push(report.clone());
        ResponseTemplate::new(404)
            .set_body_json(answer::error_body(7003, &report))
            .insert_header("cf-ray", ray.as_str())
    }
}
