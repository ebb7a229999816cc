//! One process of the shared-budget test (`tests/runtime_redis.rs`): two clients, each with
//! its own `RedisBudget` of the same Redis and size, with the same token, send requests to a
//! counting server as fast as their budget lets them.
//!
//! `budget-worker <redis url> <server url> <max requests> <window ms> <requests per client>`;
//! exits 0 when every request succeeded, else prints the first error and exits 1.

use std::time::Duration;

use cloudflare_v4_runtime::{Client, Credentials, Method, RateBudget, RedisBudget, RetryPolicy};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [redis, server, max, window_ms, requests] = &args[..] else {
        eprintln!("usage: budget-worker <redis url> <server url> <max> <window ms> <requests>");
        std::process::exit(2);
    };
    let number = |s: &str| {
        s.parse::<u64>()
            .unwrap_or_else(|_| panic!("not a number: {s}"))
    };
    let window = Duration::from_millis(number(window_ms));
    let clients: Vec<Client> = (0..2)
        .map(|_| {
            let budget = RedisBudget::new(redis, number(max) as u32, window)
                .expect("a valid Redis URL")
                .timeout(Duration::from_secs(2));
            Client::builder()
                .base_url(server.as_str())
                .credentials(Credentials::api_token("shared-fleet-token"))
                .rate_budget(RateBudget::with_backend(budget))
                .retry_policy(RetryPolicy::none())
                .no_pacing()
                .build()
                .expect("a client")
        })
        .collect();
    let calls = clients.iter().flat_map(|client| {
        (0..number(requests)).map(move |_| {
            client
                .request(Method::Get, "/zones", &[])
                .call::<serde_json::Value>()
        })
    });
    let results = futures::future::join_all(calls.map(|call| async move { call.await })).await;
    if let Some(Err(error)) = results.into_iter().find(Result::is_err) {
        eprintln!("budget-worker: {error}");
        std::process::exit(1);
    }
}
