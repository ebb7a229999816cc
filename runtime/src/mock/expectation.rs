//! An expectation being set up, and the handle of one set up.

use std::marker::PhantomData;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use super::answer::Answer;
use super::matching::{ExpectedRequest, Loosening};
use super::{MockServer, Rule};
use crate::{Call, ListCall, Pagination, RawCall};

/// An expected call, being set up: what it matches, how often, and (last) what it answers.
///
/// Made by a group's mock (`mock.dns_records().list_dns_records(…)`, the same arguments as
/// the client's method) or by [`MockServer::on`] for any call, including
/// [`Client::request`](crate::Client::request)'s. It matches the request that call would
/// send: the method, the path with its values, the query the typed parameters write (but a
/// listing's `page`, `cursor` and `per_page`, which the pager sets), the headers they set,
/// and the body (JSON compared as JSON; a multipart form by its content
/// type). [`any_path_values`](Self::any_path_values), [`any_query`](Self::any_query) and
/// [`any_body`](Self::any_body) loosen that.
///
/// Nothing is mounted until an answer is chosen: [`returns`](Expectation::returns) (and its
/// list, JSON and bytes siblings), [`fails`](Self::fails), [`rate_limited`](Self::rate_limited)
/// or [`html_error`](Self::html_error). Expectations are tried in the order they were
/// mounted; one with [`times`](Self::times) stops answering once it has answered that many,
/// so a `rate_limited(…).times(1)` before a `returns(…)` answers 429 and then succeeds.
#[must_use = "an expectation is mounted only when an answer is chosen (`returns`, `fails`, …)"]
pub struct Expectation<'m, C> {
    mock: &'m MockServer,
    name: String,
    expected: ExpectedRequest,
    loose: Loosening,
    times: Option<usize>,
    delay: Option<Duration>,
    _call: PhantomData<fn() -> C>,
}

/// The handle of a mounted expectation: how many requests it has answered.
#[derive(Debug, Clone)]
pub struct Mounted {
    received: Arc<AtomicUsize>,
}

impl Mounted {
    /// How many requests this expectation has answered so far.
    pub fn received(&self) -> usize {
        self.received.load(Ordering::SeqCst)
    }
}

impl<'m, C> Expectation<'m, C> {
    pub(super) fn new(mock: &'m MockServer, expected: ExpectedRequest, list: bool) -> Self {
        let name = expected.op.id.to_owned();
        // What the client's pager sets itself (`ListCall::per_page` too) is not matched.
        let pagination_keys: &'static [&'static str] = match (list, expected.op.pagination) {
            (true, Pagination::Cursor) => &["cursor", "per_page"],
            (true, _) => &["page", "per_page"],
            (false, _) => &[],
        };
        Expectation {
            mock,
            name,
            expected,
            loose: Loosening {
                pagination_keys,
                ..Loosening::default()
            },
            times: None,
            delay: None,
            _call: PhantomData,
        }
    }

    /// Expects exactly `n` matching requests (checked by [`MockServer::verify`] and when the
    /// mock is dropped), and answers no more than `n`: later ones go to the expectations
    /// mounted after this one.
    pub fn times(mut self, n: usize) -> Self {
        self.times = Some(n);
        self
    }

    /// Matches any values in the path's placeholders (`/zones/{zone_id}` matches
    /// `/zones/anything`).
    pub fn any_path_values(mut self) -> Self {
        self.loose.any_path_values = true;
        self
    }

    /// Matches any query.
    pub fn any_query(mut self) -> Self {
        self.loose.any_query = true;
        self
    }

    /// Matches any body.
    pub fn any_body(mut self) -> Self {
        self.loose.any_body = true;
        self
    }

    /// Answers after this delay (to test timeouts).
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// Answers `{"success": false, "errors": [{"code": code, "message": message}]}` with
    /// this HTTP status: [`Error::Api`](crate::Error::Api) for the client.
    pub fn fails(self, status: u16, code: i64, message: &str) -> Mounted {
        self.mount(Answer::ApiError {
            status,
            code,
            message: message.to_owned(),
        })
    }

    /// Answers 429 with `Retry-After` (whole seconds, rounded up): the client waits and
    /// retries, or returns [`Error::RateLimited`](crate::Error::RateLimited) once its
    /// retries are spent. Use [`times`](Self::times) to answer 429 only so many times.
    pub fn rate_limited(self, retry_after: Duration) -> Mounted {
        self.mount(Answer::RateLimited { retry_after })
    }

    /// Answers an HTML error page with this status, as Cloudflare's edge does for a 502:
    /// the client retries a 5xx when the method is idempotent, then returns
    /// [`Error::UnexpectedBody`](crate::Error::UnexpectedBody).
    pub fn html_error(self, status: u16) -> Mounted {
        self.mount(Answer::Html { status })
    }

    /// Answers a success whose `result` is this JSON, whatever the call's type.
    pub fn returns_json(self, result: Value) -> Mounted {
        self.mount(Answer::Result(result))
    }

    fn mount(self, answer: Answer) -> Mounted {
        let received = Arc::new(AtomicUsize::new(0));
        self.mock.mount(Rule {
            name: self.name,
            expected: self.expected,
            loose: self.loose,
            times: self.times,
            delay: self.delay,
            answer,
            received: received.clone(),
        });
        Mounted { received }
    }
}

/// `result` as JSON; a value that does not serialize is a mistake in the test's setup.
fn to_json<T: Serialize + ?Sized>(value: &T, what: &str) -> Value {
    serde_json::to_value(value)
        .unwrap_or_else(|e| panic!("the mock's {what} does not serialize to JSON: {e}"))
}

impl<T: Serialize> Expectation<'_, Call<T>> {
    /// Answers a success whose `result` is `result` (for an operation without the
    /// envelope, the whole body).
    pub fn returns(self, result: T) -> Mounted {
        let json = to_json(&result, "result");
        self.mount(Answer::Result(json))
    }
}

impl<T: Serialize> Expectation<'_, ListCall<T>> {
    /// Answers one page holding `items`.
    pub fn returns(self, items: Vec<T>) -> Mounted {
        self.returns_pages([items])
    }

    /// Answers these pages, one per `page` (or `cursor`) the client asks for, with the
    /// `result_info` that leads it from one to the next: `page`, `per_page`, `count`,
    /// `total_count` and `total_pages`, or `cursor`/`cursors.after` until the last.
    pub fn returns_pages(self, pages: impl IntoIterator<Item = Vec<T>>) -> Mounted {
        let pages = pages
            .into_iter()
            .map(|page| page.iter().map(|item| to_json(item, "list item")).collect())
            .collect();
        self.mount(Answer::Pages(pages))
    }
}

impl Expectation<'_, RawCall> {
    /// Answers a success whose body is `bytes`, sent as `content_type`.
    pub fn returns_bytes(self, content_type: &str, bytes: impl Into<Vec<u8>>) -> Mounted {
        self.mount(Answer::Bytes {
            content_type: content_type.to_owned(),
            bytes: bytes.into(),
        })
    }
}
