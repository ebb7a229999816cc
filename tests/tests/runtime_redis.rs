//! The rate budget shared through a real Redis (Debian's `redis-server`, started on a loopback
//! port by each test and killed at its end): four OS processes with two clients each stay
//! within one budget at the server; clients with the same token share it and different
//! tokens do not; Redis killed in the middle of a run fails open or closed as configured,
//! never hanging.

use std::process::Command;
use std::time::{Duration, Instant};

use cloudflare_tests::{CountingServer, Limit, RedisServer};
use cloudflare_v4_runtime::{
    BudgetKey, Client, Credentials, Error, Method, OnRedisFailure, RateBudget, RedisBudget,
    RetryPolicy,
};
use serde_json::Value;

fn redis() -> RedisServer {
    RedisServer::start().unwrap_or_else(|e| panic!("{e}"))
}

fn client(server: &str, token: &str, budget: RedisBudget) -> Client {
    Client::builder()
        .base_url(server)
        .credentials(Credentials::api_token(token.to_owned()))
        .rate_budget(RateBudget::with_backend(budget))
        .retry_policy(RetryPolicy::none())
        .no_pacing()
        .build()
        .unwrap()
}

async fn get(client: &Client) -> Result<Value, Error> {
    client.request(Method::Get, "/zones", &[]).call().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_with_two_clients_each_keep_to_one_budget() {
    let redis = redis();
    let (max, window) = (8, Duration::from_millis(500));
    let server = CountingServer::start(Limit {
        max,
        window,
        headers: false,
    })
    .await;
    let started = Instant::now();
    let workers: Vec<_> = (0..4)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_budget-worker"))
                .args([
                    redis.url(),
                    server.url(),
                    max.to_string(),
                    window.as_millis().to_string(),
                    "5".to_owned(),
                ])
                .spawn()
                .expect("the worker starts")
        })
        .collect();
    let statuses = tokio::task::spawn_blocking(move || {
        workers
            .into_iter()
            .map(|mut w| w.wait().unwrap())
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    assert!(statuses.iter().all(|s| s.success()), "{statuses:?}");
    // 4 processes × 2 clients × 5 requests, at most 8 in any half second.
    assert_eq!(server.accepted(), 40);
    assert_eq!(server.rejected(), 0);
    let most = server.max_in_window(window);
    assert!(most <= max, "{most} arrivals in one window");
    // 40 requests at 8 per window take at least 4 more windows than the first.
    assert!(started.elapsed() >= window * 4, "{:?}", started.elapsed());
}

#[tokio::test]
async fn the_same_token_shares_a_budget_and_different_tokens_do_not() {
    let redis = redis();
    let server = CountingServer::start(Limit {
        max: 1000,
        window: Duration::from_secs(60),
        headers: false,
    })
    .await;
    let budget = || RedisBudget::new(&redis.url(), 2, Duration::from_secs(60)).unwrap();
    let a = client(&server.url(), "token-a", budget());
    let a_again = client(&server.url(), "token-a", budget());
    let b = client(&server.url(), "token-b", budget());
    assert_eq!(a.budget_key(), a_again.budget_key());
    assert_ne!(a.budget_key(), b.budget_key());
    // The key is a hash: the token appears nowhere in it.
    assert!(!a.budget_key().as_str().contains("token-a"));
    assert_eq!(
        a.budget_key(),
        &BudgetKey::of(Some(&Credentials::api_token("token-a")))
    );

    get(&a).await.unwrap();
    get(&a_again).await.unwrap();
    // Token A's two slots are used for a minute: a third request waits.
    let third = tokio::time::timeout(Duration::from_millis(500), get(&a)).await;
    assert!(third.is_err(), "token A got a third slot");
    // Token B has a budget of its own.
    get(&b).await.unwrap();
    get(&b).await.unwrap();
    assert_eq!(server.accepted(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_in_a_run_falls_back_to_the_local_budget_when_failing_open() {
    let mut redis = redis();
    let server = CountingServer::start(Limit {
        max: 1000,
        window: Duration::from_secs(60),
        headers: false,
    })
    .await;
    let budget = RedisBudget::new(&redis.url(), 50, Duration::from_secs(60))
        .unwrap()
        .timeout(Duration::from_millis(200))
        .on_failure(OnRedisFailure::UseLocalBudget);
    let client = client(&server.url(), "open", budget);
    for _ in 0..5 {
        get(&client).await.unwrap();
    }
    redis.kill();
    let started = Instant::now();
    for _ in 0..5 {
        get(&client)
            .await
            .expect("fails open: the local budget takes over");
    }
    // One timeout at most, then Redis is left alone for a while.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.accepted(), 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_in_a_run_refuses_requests_when_failing_closed() {
    let mut redis = redis();
    let server = CountingServer::start(Limit {
        max: 1000,
        window: Duration::from_secs(60),
        headers: false,
    })
    .await;
    let budget = RedisBudget::new(&redis.url(), 50, Duration::from_secs(60))
        .unwrap()
        .timeout(Duration::from_millis(200))
        .on_failure(OnRedisFailure::Refuse);
    let client = client(&server.url(), "closed", budget);
    for _ in 0..3 {
        get(&client).await.unwrap();
    }
    redis.kill();
    for _ in 0..3 {
        let started = Instant::now();
        let error = tokio::time::timeout(Duration::from_secs(5), get(&client))
            .await
            .expect("never hangs")
            .unwrap_err();
        assert!(matches!(error, Error::RateBudget { .. }), "{error:?}");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
    }
    // Nothing was sent without the budget.
    assert_eq!(server.accepted(), 3);
}

#[tokio::test]
async fn an_unreachable_redis_is_a_bounded_failure_from_the_start() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("redis://127.0.0.1:{port}/");
    let server = CountingServer::start(Limit {
        max: 1000,
        window: Duration::from_secs(60),
        headers: false,
    })
    .await;
    let refusing = RedisBudget::new(&url, 5, Duration::from_secs(1))
        .unwrap()
        .timeout(Duration::from_millis(100))
        .on_failure(OnRedisFailure::Refuse);
    let error = get(&client(&server.url(), "t", refusing))
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("rate budget is unavailable"),
        "{error}"
    );
    let open = RedisBudget::new(&url, 5, Duration::from_secs(1))
        .unwrap()
        .timeout(Duration::from_millis(100));
    get(&client(&server.url(), "t", open)).await.unwrap();
    // And a URL that is not one is a configuration error.
    assert!(matches!(
        RedisBudget::new("not a url", 5, Duration::from_secs(1)),
        Err(Error::Config { .. })
    ));
}
