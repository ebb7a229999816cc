//! Runtime tests against hostile or broken servers on loopback: redirects to another origin,
//! pagination metadata that is missing or absurd, rate budgets at the edges of their
//! arithmetic and counted the way a server counts, absurd `Retry-After` values.
//!
//! Every test is bounded in time: waits that must not end are raced against a short
//! timeout, on tokio's paused clock where no real server is involved.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cloudflare_v4_runtime::{
    __private, BudgetKey, Client, ClientBuilder, Credentials, Error, ListCall, Method, Operation,
    Pagination, RateBudget, ResponseKind, RetryPolicy,
};
use futures::TryStreamExt;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;
use wiremock::matchers::{path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

static GET_ZONE: Operation = Operation {
    id: "zones-0-get",
    method: Method::Get,
    path: "/zones/{zone_id}",
    permissions: &["Zone Read"],
    response: ResponseKind::Envelope,
    pagination: Pagination::None,
};

static CREATE_ZONE: Operation = Operation {
    id: "zones-post",
    method: Method::Post,
    path: "/zones",
    permissions: &["Zone Edit"],
    response: ResponseKind::Envelope,
    pagination: Pagination::None,
};

const ZONE: &str = r#"{"success":true,"errors":[],"messages":[],"result":{"id":"z1"}}"#;

#[derive(Debug, Deserialize)]
struct Zone {
    id: String,
}

async fn get_zone(client: &Client) -> Result<Zone, Error> {
    __private::call::<Zone>(__private::request(client, &GET_ZONE, &["z1"])).await
}

async fn create_zone(client: &Client) -> Result<Zone, Error> {
    let mut request = __private::request(client, &CREATE_ZONE, &[]);
    request.json(&json!({"name": "example.com"}));
    __private::call::<Zone>(request).await
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
}

// ---------------------------------------------------------------- a hand-rolled server

/// What a [`Server`] answers to its `n`th request.
struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: &'static str,
    /// How long the server waits after a request came in before it counts it (reads it),
    /// as a slow network or a busy server would.
    read_delay: Duration,
    /// How long the server waits after counting a request before it answers.
    delay: Duration,
}

impl Answer {
    fn zone() -> Self {
        Answer::status(200)
    }

    fn status(status: u16) -> Self {
        Answer {
            status,
            headers: Vec::new(),
            body: ZONE,
            read_delay: Duration::ZERO,
            delay: Duration::ZERO,
        }
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// A request as the server counted it.
struct Seen {
    at: std::time::Instant,
    head: String,
}

#[derive(Default)]
struct Log {
    connections: AtomicUsize,
    requests: Mutex<Vec<Seen>>,
}

/// A keep-alive HTTP/1.1 server on 127.0.0.1 that records every connection and request.
struct Server {
    addr: SocketAddr,
    log: Arc<Log>,
}

impl Server {
    async fn start(answer: impl Fn(usize) -> Answer + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Log::default());
        let answer = Arc::new(answer);
        let counter = Arc::new(AtomicUsize::new(0));
        let accept_log = Arc::clone(&log);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                accept_log.connections.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve_connection(
                    stream,
                    Arc::clone(&accept_log),
                    Arc::clone(&answer),
                    Arc::clone(&counter),
                ));
            }
        });
        Server { addr, log }
    }

    fn url(&self) -> String {
        format!("http://{}/client/v4", self.addr)
    }

    fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn connections(&self) -> usize {
        self.log.connections.load(Ordering::SeqCst)
    }

    fn request_count(&self) -> usize {
        self.log.requests.lock().unwrap().len()
    }

    fn heads(&self) -> Vec<String> {
        let requests = self.log.requests.lock().unwrap();
        requests.iter().map(|s| s.head.clone()).collect()
    }

    fn arrivals(&self) -> Vec<std::time::Instant> {
        let requests = self.log.requests.lock().unwrap();
        let mut times: Vec<_> = requests.iter().map(|s| s.at).collect();
        times.sort();
        times
    }
}

async fn serve_connection(
    mut stream: TcpStream,
    log: Arc<Log>,
    answer: Arc<impl Fn(usize) -> Answer>,
    counter: Arc<AtomicUsize>,
) {
    let mut buf = Vec::new();
    loop {
        let head_len = loop {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_len]).to_ascii_lowercase();
        let body_len: usize = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        while buf.len() < head_len + body_len {
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        buf.drain(..head_len + body_len);
        let answer = answer(counter.fetch_add(1, Ordering::SeqCst));
        tokio::time::sleep(answer.read_delay).await;
        log.requests.lock().unwrap().push(Seen {
            at: std::time::Instant::now(),
            head,
        });
        tokio::time::sleep(answer.delay).await;
        let mut response = format!(
            "HTTP/1.1 {} Status\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
            answer.status,
            answer.body.len()
        );
        for (name, value) in &answer.headers {
            response.push_str(&format!("{name}: {value}\r\n"));
        }
        response.push_str("\r\n");
        response.push_str(answer.body);
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

// ---------------------------------------------------------------- redirects

const SECRETS: [&str; 3] = ["tok-SECRET", "key-SECRET", "usk-SECRET"];

fn all_credentials() -> [Credentials; 3] {
    [
        Credentials::api_token("tok-SECRET"),
        Credentials::api_key("ops@example.com", "key-SECRET"),
        Credentials::user_service_key("usk-SECRET"),
    ]
}

/// A redirect to another origin (another port of 127.0.0.1) is never followed, for every
/// redirect status, method, credential kind and HTTP client: the other origin sees no
/// connection at all, and the call is an [`Error::Redirect`] that names where it pointed.
#[tokio::test]
async fn redirects_to_another_origin_are_not_followed() {
    let elsewhere = Server::start(|_| Answer::zone()).await;
    let target = format!("{}/client/v4/zones/z1", elsewhere.origin());
    const STATUSES: [u16; 5] = [301, 302, 303, 307, 308];
    let api =
        Server::start(move |n| Answer::status(STATUSES[n / 2 % 5]).header("location", &target))
            .await;
    let mut calls = 0;
    for credentials in all_credentials() {
        let scheme = credentials.scheme();
        let own = Client::builder();
        // The caller's builder asks for redirects to be followed; the runtime overrides it.
        let given = Client::builder().http_client(
            reqwest::Client::builder().redirect(reqwest::redirect::Policy::limited(10)),
        );
        for (kind, builder) in [("default", own), ("given", given)] {
            let client = builder
                .base_url(api.url())
                .credentials(credentials.clone())
                .retry_policy(fast_retries())
                .build()
                .unwrap();
            for status in STATUSES {
                for (method, result) in [
                    ("GET", get_zone(&client).await),
                    ("POST", create_zone(&client).await),
                ] {
                    calls += 1;
                    let what = format!("{scheme}, {kind} client, {method}, HTTP {status}");
                    let err = result.expect_err(&what);
                    match &err {
                        Error::Redirect {
                            status: got,
                            location,
                            ..
                        } => {
                            assert_eq!(*got, status, "{what}");
                            assert_eq!(location.as_deref(), Some(&*elsewhere.origin()), "{what}");
                        }
                        other => panic!("{what}: expected Redirect, got {other:?}"),
                    }
                    assert_eq!(err.status(), Some(status));
                    let shown = format!("{err} {err:?}");
                    assert!(shown.contains("redirect"), "{shown}");
                    assert!(shown.contains(&elsewhere.origin()), "{shown}");
                    assert!(
                        !shown.contains("/zones/z1"),
                        "the path is not shown: {shown}"
                    );
                    for secret in SECRETS {
                        assert!(!shown.contains(secret), "{shown}");
                    }
                }
            }
        }
    }
    assert_eq!(elsewhere.connections(), 0, "the other origin was contacted");
    assert_eq!(elsewhere.request_count(), 0);
    // One request per call: a redirect is not retried.
    assert_eq!(api.request_count(), calls);
    // The API's own origin did get the credentials, each kind its own headers.
    let heads = api.heads();
    assert!(heads[0].contains("authorization: bearer tok-secret"));
    assert!(heads[20].contains("x-auth-key: key-secret"));
    assert!(heads[40].contains("x-auth-user-service-key: usk-secret"));
}

#[tokio::test]
async fn relative_and_missing_locations_are_errors_too() {
    let api = Server::start(|n| match n {
        0 => Answer::status(302).header("location", "/client/v4/zones/z2"),
        1 => Answer::status(301),
        _ => Answer::status(307).header("location", "http://[::1"),
    })
    .await;
    let client = Client::builder()
        .base_url(api.url())
        .credentials(Credentials::api_token("tok-SECRET"))
        .build()
        .unwrap();
    let err = get_zone(&client).await.unwrap_err();
    assert!(
        matches!(&err, Error::Redirect { location: Some(l), .. } if *l == api.origin()),
        "{err:?}"
    );
    for _ in 0..2 {
        let err = get_zone(&client).await.unwrap_err();
        assert!(
            matches!(&err, Error::Redirect { location: None, .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("no valid location"), "{err}");
    }
    assert_eq!(api.request_count(), 3);
}

/// The builder accepts a caller's reqwest builder (see the redirect test for what it
/// cannot change); a plain one works as the default does.
#[tokio::test]
async fn a_given_http_client_builder_is_used() {
    let api = Server::start(|_| Answer::zone()).await;
    let client = ClientBuilder::new()
        .base_url(api.url())
        .http_client(reqwest::Client::builder().pool_max_idle_per_host(1))
        .build()
        .unwrap();
    assert_eq!(get_zone(&client).await.unwrap().id, "z1");
    assert_eq!(api.request_count(), 1);
}

// ---------------------------------------------------------------- pagination

static LIST_RECORDS: Operation = Operation {
    id: "dns-records-for-a-zone-list-dns-records",
    method: Method::Get,
    path: "/zones/{zone_id}/dns_records",
    permissions: &["DNS Read"],
    response: ResponseKind::Envelope,
    pagination: Pagination::Page,
};

const RECORDS: &str = "/zones/z1/dns_records";

#[derive(Debug, Deserialize, PartialEq)]
struct Record {
    id: u32,
}

fn records(client: &Client) -> ListCall<Record> {
    __private::list_call(__private::request(client, &LIST_RECORDS, &["z1"]))
}

fn wiremock_client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

fn page_body(ids: std::ops::Range<u32>, info: Option<Value>) -> ResponseTemplate {
    let items: Vec<Value> = ids.map(|id| json!({"id": id})).collect();
    let mut body = json!({"success": true, "errors": [], "messages": [], "result": items});
    if let Some(info) = info {
        body["result_info"] = info;
    }
    ResponseTemplate::new(200).set_body_json(body)
}

fn ids(items: &[Record]) -> Vec<u32> {
    items.iter().map(|r| r.id).collect()
}

/// Collects a walk over a server that answers every request with `response`; returns the
/// items and how many requests the server saw.
async fn walk_repeating(response: ResponseTemplate, per_page: Option<u32>) -> (Vec<u32>, usize) {
    let server = MockServer::start().await;
    Mock::given(path(RECORDS))
        .respond_with(response)
        .mount(&server)
        .await;
    let mut list = records(&wiremock_client(&server));
    if let Some(n) = per_page {
        list = list.per_page(n);
    }
    let all: Vec<Record> =
        tokio::time::timeout(Duration::from_secs(10), list.items().try_collect())
            .await
            .expect("the walk ended")
            .expect("the walk yields its items");
    let requests = server.received_requests().await.unwrap().len();
    (ids(&all), requests)
}

/// A page-style response without `result_info` says nothing of another page: the walk ends
/// after it, with its items, even when the server would repeat it for any `page`.
#[tokio::test]
async fn a_page_without_result_info_is_the_last() {
    for per_page in [None, Some(3)] {
        let (items, requests) = walk_repeating(page_body(0..3, None), per_page).await;
        assert_eq!(items, [0, 1, 2], "per_page {per_page:?}");
        assert_eq!(requests, 1, "per_page {per_page:?}");
    }
    // `null` and values that are no `result_info` at all.
    for info in [Value::Null, json!("garbage"), json!([1, 2])] {
        let (items, requests) = walk_repeating(page_body(0..3, Some(info.clone())), Some(3)).await;
        assert_eq!((items, requests), (vec![0, 1, 2], 1), "{info}");
    }
}

/// `result_info` without page, per_page, total_count or total_pages says nothing of
/// another page either.
#[tokio::test]
async fn result_info_without_paging_fields_is_the_last_page() {
    for info in [
        json!({}),
        json!({"count": 3}),
        json!({"count": 3, "cursor": null, "other": {"page": 2}}),
        json!({"page": "not a number", "total_pages": -1, "per_page": 1.5}),
    ] {
        let (items, requests) = walk_repeating(page_body(0..3, Some(info.clone())), Some(3)).await;
        assert_eq!(items, [0, 1, 2], "{info}");
        assert_eq!(requests, 1, "{info}");
    }
    // A page number alone needs a page size to call a page full.
    let (items, requests) = walk_repeating(page_body(0..3, Some(json!({"page": 1}))), None).await;
    assert_eq!((items, requests), (vec![0, 1, 2], 1));
}

/// Page numbers and totals at the end of `u64` end the walk instead of overflowing.
#[tokio::test]
async fn absurd_page_numbers_and_totals_do_not_panic() {
    let max = u64::MAX;
    // The first page claims to be the last possible one and is full.
    let (items, requests) = walk_repeating(
        page_body(0..2, Some(json!({"page": max, "per_page": 2}))),
        None,
    )
    .await;
    assert_eq!((items, requests), (vec![0, 1], 1));
    for info in [
        json!({"page": max, "per_page": max, "total_count": max}),
        json!({"page": max, "per_page": 2, "total_pages": max}),
        json!({"page": 1, "per_page": max, "total_count": max}),
    ] {
        let (items, requests) = walk_repeating(page_body(0..2, Some(info.clone())), None).await;
        assert_eq!((items, requests), (vec![0, 1], 1), "{info}");
    }

    // The walk reaches page u64::MAX, which is full, and stops there.
    let server = MockServer::start().await;
    let info = |page: u64| json!({"page": page, "per_page": 2, "total_pages": max});
    Mock::given(path(RECORDS))
        .and(query_param_is_missing("page"))
        .respond_with(page_body(0..2, Some(info(max - 1))))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path(RECORDS))
        .and(query_param("page", max.to_string()))
        .respond_with(page_body(2..4, Some(json!({"page": max, "per_page": 2}))))
        .expect(1)
        .mount(&server)
        .await;
    let all: Vec<Record> = records(&wiremock_client(&server))
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&all), [0, 1, 2, 3]);

    // The caller asks for page u64::MAX itself.
    let server = MockServer::start().await;
    Mock::given(path(RECORDS))
        .respond_with(page_body(0..2, Some(json!({"page": max, "per_page": 2}))))
        .expect(1)
        .mount(&server)
        .await;
    let client = wiremock_client(&server);
    let mut request = __private::request(&client, &LIST_RECORDS, &["z1"]);
    request.query("page", &max);
    let all: Vec<Record> = __private::list_call(request)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&all), [0, 1]);
}

/// A server that ignores the `per_page` asked for and does not say its own still gets
/// walked to `total_count`: its pages show the size it uses.
#[tokio::test]
async fn total_count_is_covered_with_the_page_size_the_server_uses() {
    let server = MockServer::start().await;
    let info = |page: u32| json!({"page": page, "total_count": 5});
    Mock::given(path(RECORDS))
        .and(query_param_is_missing("page"))
        .respond_with(page_body(0..2, Some(info(1))))
        .expect(1)
        .mount(&server)
        .await;
    for (page, ids) in [(2, 2..4), (3, 4..5)] {
        Mock::given(path(RECORDS))
            .and(query_param("page", page.to_string()))
            .respond_with(page_body(ids, Some(info(page))))
            .expect(1)
            .mount(&server)
            .await;
    }
    let all: Vec<Record> = records(&wiremock_client(&server))
        .per_page(100)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&all), [0, 1, 2, 3, 4]);
}

// ---------------------------------------------------------------- rate budget

/// Whether `call` is still waiting 200 ms after `server` counted its `requests`th
/// request (bounded: at most 10 s for that). The call is then aborted; a call that panicked
/// counts as not waiting.
async fn still_waiting<F>(server: &Server, requests: usize, call: F) -> bool
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let task = tokio::spawn(call);
    let counted = async {
        while server.request_count() < requests {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), counted)
        .await
        .expect("the server counted the request");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let waiting = !task.is_finished();
    task.abort();
    waiting
}

/// A window too long to add to the clock means waiting for good, not a panic; the same
/// for every extreme of `max_requests` and `window`.
#[tokio::test(start_paused = true)]
async fn rate_budget_extremes_wait_instead_of_panicking() {
    const DAY: Duration = Duration::from_secs(24 * 60 * 60);
    for window in [
        Duration::MAX,
        Duration::from_secs(u64::MAX / 2),
        DAY * 365 * 1000,
    ] {
        let budget = RateBudget::new(1, window);
        drop(budget.acquire(&BudgetKey::of(None)).await);
        assert!(
            tokio::time::timeout(DAY, budget.acquire(&BudgetKey::of(None)))
                .await
                .is_err(),
            "{window:?}"
        );
        // Also while the first permit is still held.
        let budget = RateBudget::new(1, window);
        let held = budget.acquire(&BudgetKey::of(None)).await;
        assert!(
            tokio::time::timeout(DAY, budget.acquire(&BudgetKey::of(None)))
                .await
                .is_err()
        );
        drop(held);
        assert!(
            tokio::time::timeout(DAY, budget.acquire(&BudgetKey::of(None)))
                .await
                .is_err()
        );
    }
    // The largest budget hands out slots at once, whatever the window.
    for window in [Duration::MAX, Duration::ZERO] {
        let budget = RateBudget::new(u32::MAX, window);
        let start = Instant::now();
        let key = BudgetKey::of(None);
        let permits: Vec<_> =
            futures::future::join_all((0..1000).map(|_| budget.acquire(&key))).await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        drop(permits);
        drop(budget.acquire(&BudgetKey::of(None)).await);
    }
    // 0 requests is 1; a zero window frees a slot as soon as its attempt completes.
    let budget = RateBudget::new(0, Duration::ZERO);
    assert_eq!(budget.max_requests(), 1);
    let held = budget.acquire(&BudgetKey::of(None)).await;
    assert!(
        tokio::time::timeout(DAY, budget.acquire(&BudgetKey::of(None)))
            .await
            .is_err()
    );
    drop(held);
    let next = budget.acquire(&BudgetKey::of(None)).await.unwrap();
    assert_eq!(next.waited(), Duration::ZERO);
}

/// The second request of a client with an endless window waits instead of panicking.
#[tokio::test]
async fn a_client_with_an_endless_window_waits_on_its_second_request() {
    let api = Server::start(|_| Answer::zone()).await;
    let client = Client::builder()
        .base_url(api.url())
        .rate_budget(RateBudget::new(1, Duration::MAX))
        .build()
        .unwrap();
    get_zone(&client).await.unwrap();
    let second = async move { get_zone(&client).await.is_ok() };
    assert!(
        still_waiting(&api, 1, second).await,
        "the second request completed"
    );
    assert_eq!(api.request_count(), 1);
}

/// The bookkeeping: a slot is held from an attempt's start until its permit is dropped and
/// is free one window after that; waiters are served in order; a cancelled wait takes no
/// slot.
#[tokio::test(start_paused = true)]
async fn rate_budget_counts_a_window_from_each_completion() {
    let secs = Duration::from_secs;
    let budget = RateBudget::new(2, secs(10));
    let start = Instant::now();
    let at = |start: Instant| Instant::now().duration_since(start).as_secs();

    let a = budget.acquire(&BudgetKey::of(None)).await.unwrap();
    let b = budget.acquire(&BudgetKey::of(None)).await.unwrap();
    assert_eq!((a.waited(), b.waited()), (Duration::ZERO, Duration::ZERO));
    // Three waiters, queued in this order.
    let granted = Arc::new(Mutex::new(Vec::new()));
    let mut waiters = Vec::new();
    for name in ["c", "d", "e"] {
        let (budget, granted) = (budget.clone(), Arc::clone(&granted));
        waiters.push(tokio::spawn(async move {
            let permit = budget.acquire(&BudgetKey::of(None)).await.unwrap();
            granted
                .lock()
                .unwrap()
                .push((name, at(start), permit.waited().as_secs()));
            // Each attempt takes 1 s.
            tokio::time::sleep(secs(1)).await;
            drop(permit);
        }));
        tokio::task::yield_now().await;
    }
    // A waiter that gives up: it must not take a slot.
    let quitter = budget.clone();
    assert!(
        tokio::time::timeout(secs(2), quitter.acquire(&BudgetKey::of(None)))
            .await
            .is_err()
    );

    tokio::time::sleep_until(start + secs(3)).await;
    drop(a); // free at 13
    tokio::time::sleep_until(start + secs(5)).await;
    drop(b); // free at 15
    for waiter in waiters {
        waiter.await.unwrap();
    }
    // c at 13 (done at 14, free at 24), d at 15 (done at 16, free at 26), e at 24.
    assert_eq!(
        *granted.lock().unwrap(),
        [("c", 13, 13), ("d", 15, 15), ("e", 24, 24)]
    );
    // e completed at 25; the next slot is d's, free at 26.
    let f = budget.acquire(&BudgetKey::of(None)).await;
    assert_eq!(at(start), 26);
    drop(f);
}

/// The reason for the model above: what a server counts are arrivals, which lie anywhere
/// between an attempt's start and its completion. A server that counts requests late and
/// answers slowly (by varying amounts) must still never count more than `max_requests`
/// within any window. Real time, as the server's clock is `std::time::Instant`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arrivals_at_the_server_stay_within_the_budget() {
    const MAX: usize = 5;
    const WINDOW: Duration = Duration::from_millis(500);
    const REQUESTS: usize = 15;
    let ms = Duration::from_millis;
    let read_delays = [0, 150, 20, 220, 60, 0, 180, 90, 0, 240, 30, 120, 0, 200, 50];
    let delays = [100, 0, 200, 30, 0, 150, 10, 60, 250, 0, 40, 0, 170, 20, 80];
    let api = Server::start(move |n| Answer {
        read_delay: ms(read_delays[n % REQUESTS]),
        delay: ms(delays[n % REQUESTS]),
        ..Answer::zone()
    })
    .await;
    let client = Client::builder()
        .base_url(api.url())
        .retry_policy(RetryPolicy::none())
        .rate_budget(RateBudget::new(MAX as u32, WINDOW))
        .build()
        .unwrap();
    let calls: Vec<_> = (0..REQUESTS)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { get_zone(&client).await })
        })
        .collect();
    let all = async {
        for call in calls {
            call.await.unwrap().unwrap();
        }
    };
    tokio::time::timeout(Duration::from_secs(30), all)
        .await
        .expect("all requests completed");
    let arrivals = api.arrivals();
    assert_eq!(arrivals.len(), REQUESTS);
    for (i, first) in arrivals.iter().enumerate() {
        let in_window = arrivals[i..]
            .iter()
            .take_while(|t| t.duration_since(*first) < WINDOW)
            .count();
        assert!(
            in_window <= MAX,
            "{in_window} arrivals within {WINDOW:?} from arrival {i}: {:?}",
            arrivals
                .iter()
                .map(|t| t.duration_since(arrivals[0]).as_millis())
                .collect::<Vec<_>>()
        );
    }
}

// ---------------------------------------------------------------- Retry-After

/// A 429 that asks for an absurd wait makes the call wait, never panic, whatever the header
/// says and however long the policy lets it wait; so does an absurd backoff.
#[tokio::test]
async fn absurd_retry_after_values_wait_instead_of_panicking() {
    let mut cases = Vec::new();
    for (name, value) in [
        ("retry-after", "99999999999999999999"),
        ("retry-after", "1e308"),
        ("retry-after", "Fri, 31 Dec 9999 23:59:59 GMT"),
        ("retry-after-ms", "18446744073709551615"),
    ] {
        let api = Server::start(move |_| Answer::status(429).header(name, value)).await;
        let policy = RetryPolicy::default().max_retry_after(Duration::MAX);
        cases.push((format!("{name}: {value}"), api, policy));
    }
    let api = Server::start(|_| Answer::status(503)).await;
    let policy = RetryPolicy::default()
        .max_retries(u32::MAX)
        .initial_backoff(Duration::MAX)
        .max_backoff(Duration::MAX);
    cases.push(("backoff".to_owned(), api, policy));
    let checks = cases.iter().map(|(what, api, policy)| async move {
        let client = Client::builder()
            .base_url(api.url())
            .retry_policy(policy.clone())
            .build()
            .unwrap();
        let waiting = still_waiting(api, 1, async move { get_zone(&client).await.is_ok() }).await;
        assert!(waiting, "{what}: the call did not wait");
        assert_eq!(api.request_count(), 1, "{what}");
    });
    futures::future::join_all(checks).await;
}
