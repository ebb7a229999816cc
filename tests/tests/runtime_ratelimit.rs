//! Pacing by Cloudflare's `Ratelimit` headers, on loopback: a server that counts arrivals in
//! a sliding window and sends falling `r` values is never pushed into a 429; malformed
//! headers are ignored; the last quota seen is readable.

use std::time::Duration;

use cloudflare_tests::{CountingServer, Limit};
use cloudflare_v4_runtime::{Client, Credentials, Method, Pacing, RetryPolicy};
use serde_json::{json, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn builder(url: &str) -> cloudflare_v4_runtime::ClientBuilder {
    Client::builder()
        .base_url(url)
        .credentials(Credentials::api_token("pacing-token"))
        // Only the server's view limits these clients.
        .no_rate_budget()
        .retry_policy(RetryPolicy::default().max_retry_after(Duration::from_millis(50)))
}

/// Fires `n` requests from `tasks` concurrent tasks; returns how many failed.
async fn fire(client: &Client, tasks: usize, n: usize) -> usize {
    let per_task = n / tasks;
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                let mut failed = 0;
                for _ in 0..per_task {
                    let call = client.request(Method::Get, "/zones", &[]).call::<Value>();
                    failed += usize::from(call.await.is_err());
                }
                failed
            })
        })
        .collect();
    let mut failed = 0;
    for handle in handles {
        failed += handle.await.unwrap();
    }
    failed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_paces_by_falling_remaining_counts_and_never_meets_a_429() {
    let window = Duration::from_secs(1);
    let limit = Limit {
        max: 10,
        window,
        headers: true,
    };
    let server = CountingServer::start(limit).await;
    let client: Client = builder(&server.url()).build().unwrap();
    let failed = fire(&client, 4, 40).await;
    assert_eq!(failed, 0);
    assert_eq!(server.rejected(), 0, "the server had to refuse requests");
    assert_eq!(server.accepted(), 40);
    assert!(server.max_in_window(window) <= 10);
    let status = client.rate_limit().expect("the last quota seen");
    assert_eq!(
        (status.policy.as_str(), status.quota),
        ("default", Some(10))
    );

    // The control: the same load without pacing walks into 429s.
    let server = CountingServer::start(limit).await;
    let client: Client = builder(&server.url()).no_pacing().build().unwrap();
    fire(&client, 4, 40).await;
    assert!(server.rejected() > 0, "without pacing the load fits anyway");
}

#[tokio::test]
async fn the_last_quota_seen_is_on_the_response_and_the_client() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("ratelimit", "\"default\";r=1150;t=240")
                .insert_header("ratelimit-policy", "\"default\";q=1200;w=300")
                .set_body_json(json!({"success": true, "errors": [], "messages": [], "result": 1})),
        )
        .mount(&server)
        .await;
    let client: Client = builder(&server.uri()).build().unwrap();
    assert!(client.rate_limit().is_none());
    let response = client
        .request(Method::Get, "/zones", &[])
        .call::<u32>()
        .send_with_info()
        .await
        .unwrap();
    let status = response.rate_limit.expect("parsed from the response");
    assert_eq!(status.remaining, 1150);
    assert_eq!(status.reset, Duration::from_secs(240));
    assert_eq!(status.quota, Some(1200));
    assert_eq!(status.window, Some(Duration::from_secs(300)));
    // Clones share what the client saw.
    assert_eq!(client.clone().rate_limit().map(|s| s.remaining), Some(1150));
    let raw = client.request(Method::Get, "/x", &[]).raw().await.unwrap();
    assert_eq!(raw.rate_limit().map(|s| s.remaining), Some(1150));
}

#[tokio::test]
async fn malformed_rate_limit_headers_are_ignored_never_an_error() {
    for (ratelimit, policy) in [
        ("garbage;;", "\"default\";q=1200;w=300"),
        ("\"default\";r=-5;t=30", ""),
        ("\"default\";r=1.5;t=30", "x"),
        ("\"default\";t=30", "\"default\";q=nope"),
        ("(\"a\" \"b\");r=1;t=1", "\"default\";q=1200;w=300"),
        ("\"default\";r=0", ""),
    ] {
        let server = MockServer::start().await;
        let mut answer = ResponseTemplate::new(200)
            .insert_header("ratelimit", ratelimit)
            .set_body_json(json!({"success": true, "errors": [], "messages": [], "result": 1}));
        if !policy.is_empty() {
            answer = answer.insert_header("ratelimit-policy", policy);
        }
        Mock::given(any()).respond_with(answer).mount(&server).await;
        let client: Client = builder(&server.uri()).build().unwrap();
        let started = std::time::Instant::now();
        for _ in 0..3 {
            let value: u32 = client
                .request(Method::Get, "/zones", &[])
                .call()
                .await
                .unwrap();
            assert_eq!(value, 1);
        }
        assert!(client.rate_limit().is_none(), "{ratelimit:?} was read");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{ratelimit:?} made it wait"
        );
    }
}

#[tokio::test]
async fn at_zero_remaining_the_next_request_waits_for_the_reset() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("ratelimit", "\"default\";r=0;t=1")
                .set_body_json(json!({"success": true, "errors": [], "messages": [], "result": 1})),
        )
        .mount(&server)
        .await;
    let client: Client = builder(&server.uri()).build().unwrap();
    client
        .request(Method::Get, "/a", &[])
        .call::<u32>()
        .await
        .unwrap();
    let started = std::time::Instant::now();
    client
        .request(Method::Get, "/b", &[])
        .call::<u32>()
        .await
        .unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    // `max_wait` bounds what a header can ask for.
    let capped: Client = builder(&server.uri())
        .pacing(Pacing::default().max_wait(Duration::from_millis(100)))
        .build()
        .unwrap();
    capped
        .request(Method::Get, "/a", &[])
        .call::<u32>()
        .await
        .unwrap();
    let started = std::time::Instant::now();
    capped
        .request(Method::Get, "/b", &[])
        .call::<u32>()
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_millis(800));
}
