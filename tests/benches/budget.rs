//! The rate budget shared through Redis against the in-process one, on loopback (a real
//! `redis-server`, started here):
//! - the cost per request of taking and releasing a slot (criterion, then the ratio of the two
//!   medians measured in this run);
//! - the throughput the shared budget reaches against its configured limit, with 16 tasks
//!   asking for slots as fast as they can.
//!
//! Run: `cargo bench -p cloudflare-tests --bench budget` (needs `redis-server` on the PATH).

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cloudflare_tests::RedisServer;
use cloudflare_v4_runtime::{BudgetKey, Credentials, RateBudget, RedisBudget};
use criterion::Criterion;

fn budgets(redis: &RedisServer) -> [(&'static str, RateBudget); 2] {
    let limit = u32::MAX;
    [
        (
            "in_process",
            RateBudget::new(limit, Duration::from_millis(1)),
        ),
        (
            "redis",
            RateBudget::with_backend(
                RedisBudget::new(&redis.url(), limit, Duration::from_millis(1))
                    .unwrap()
                    .timeout(Duration::from_secs(2)),
            ),
        ),
    ]
}

/// Median time of one acquire and release, over `batches` batches of `n`.
fn median_per_request(
    rt: &tokio::runtime::Runtime,
    budget: &RateBudget,
    key: &BudgetKey,
) -> Duration {
    let (batches, n) = (7, 2000);
    let mut times: Vec<Duration> = (0..batches)
        .map(|_| {
            rt.block_on(async {
                let started = Instant::now();
                for _ in 0..n {
                    drop(black_box(budget.acquire(key).await.unwrap()));
                }
                started.elapsed() / n
            })
        })
        .collect();
    times.sort();
    times[batches / 2]
}

fn main() {
    let redis = match RedisServer::start() {
        Ok(redis) => redis,
        Err(error) => {
            eprintln!("budget bench: {error}");
            std::process::exit(1);
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let key = BudgetKey::of(Some(&Credentials::api_token("bench-token")));
    let mut criterion = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let mut group = criterion.benchmark_group("rate_budget_per_request");
    let budgets = budgets(&redis);
    for (name, budget) in &budgets {
        group.bench_function(*name, |b| {
            b.to_async(&rt)
                .iter(|| async { drop(black_box(budget.acquire(&key).await.unwrap())) })
        });
    }
    group.finish();

    // The two medians of this run, and their ratio.
    let local = median_per_request(&rt, &budgets[0].1, &key);
    let shared = median_per_request(&rt, &budgets[1].1, &key);
    println!(
        "rate budget per request: in-process {local:?}, Redis {shared:?}: Redis costs {:.1}x the in-process budget",
        shared.as_secs_f64() / local.as_secs_f64()
    );

    // Throughput against the limit: 16 tasks take slots for 3 s from a budget of 300 per
    // second; each attempt holds its slot 1 ms, as a fast request would.
    let (limit, window, run) = (300u32, Duration::from_secs(1), Duration::from_secs(3));
    let budget = RateBudget::with_backend(
        RedisBudget::new(&redis.url(), limit, window)
            .unwrap()
            .key_prefix("bench-throughput:")
            .timeout(Duration::from_secs(2)),
    );
    let granted = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        let deadline = Instant::now() + run;
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let (budget, key, granted) = (budget.clone(), key.clone(), Arc::clone(&granted));
                tokio::spawn(async move {
                    while Instant::now() < deadline {
                        let acquire =
                            tokio::time::timeout_at(deadline.into(), budget.acquire(&key));
                        let Ok(permit) = acquire.await else { break };
                        let permit = permit.unwrap();
                        granted.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(1)).await;
                        drop(permit);
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    let granted = granted.load(Ordering::Relaxed);
    let rate = granted as f64 / run.as_secs_f64();
    // A slot frees one window after its attempt completes, so in a run of `run` at most
    // `limit * ceil(run / window)` attempts can start.
    let ceiling = f64::from(limit) * (run.as_secs_f64() / window.as_secs_f64()).ceil();
    println!(
        "shared budget throughput: {granted} slots in {run:?} ({rate:.0}/s) with a limit of {limit} per {window:?}: {:.0} % of the most the limit allows ({ceiling:.0})",
        100.0 * granted as f64 / ceiling
    );
    criterion.final_summary();
}
