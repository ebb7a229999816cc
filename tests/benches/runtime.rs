//! Runtime benchmarks:
//! - per-request overhead of a small GET against a loopback server, runtime vs plain
//!   reqwest doing the same work (send, read, decode the envelope into the same type);
//! - decoding a 10,000-record DNS list envelope into a typed `Vec`, runtime vs one-pass
//!   serde_json, with allocation counts from a counting global allocator.
//!
//! Run: `cargo bench -p cloudflare-tests --bench runtime`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use cloudflare_v4::runtime::{
    __private, decode_response, BudgetKey, Client, Credentials, Method, Operation, Pagination,
    RateBudget, ResponseKind,
};
use criterion::{criterion_group, Criterion, Throughput};
use reqwest::header::HeaderMap;
use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

// ---------------------------------------------------------------- counting allocator

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

fn grew(size: usize) {
    let now = CURRENT.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(now, Ordering::Relaxed);
    ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
}

// SAFETY: delegates to the system allocator; only adds bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Peak extra bytes, allocation count and retained bytes of `f`.
fn measure<T>(f: impl FnOnce() -> T) -> (T, usize, usize, usize) {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let allocations = ALLOCATIONS.load(Ordering::Relaxed);
    let value = f();
    let peak = PEAK.load(Ordering::Relaxed) - base;
    let retained = CURRENT.load(Ordering::Relaxed).saturating_sub(base);
    (
        value,
        peak,
        ALLOCATIONS.load(Ordering::Relaxed) - allocations,
        retained,
    )
}

// ---------------------------------------------------------------- types and fixtures

static GET_ZONE: Operation = Operation {
    id: "zones-0-get",
    method: Method::Get,
    path: "/zones/{zone_id}",
    permissions: &["Zone Read"],
    response: ResponseKind::Envelope,
    pagination: Pagination::None,
};

static LIST_RECORDS: Operation = Operation {
    id: "dns-records-for-a-zone-list-dns-records",
    method: Method::Get,
    path: "/zones/{zone_id}/dns_records",
    permissions: &["DNS Read"],
    response: ResponseKind::Envelope,
    pagination: Pagination::Page,
};

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Zone {
    id: String,
    name: String,
    status: String,
    paused: bool,
    name_servers: Vec<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Envelope<T> {
    success: bool,
    errors: Vec<serde_json::Value>,
    messages: Vec<serde_json::Value>,
    result: T,
    result_info: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct DnsRecord {
    id: String,
    zone_id: String,
    zone_name: String,
    name: String,
    #[serde(rename = "type")]
    kind: String,
    content: String,
    proxiable: bool,
    proxied: bool,
    ttl: u32,
    locked: bool,
    meta: Meta,
    comment: Option<String>,
    tags: Vec<String>,
    created_on: String,
    modified_on: String,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Meta {
    auto_added: bool,
    managed_by_apps: bool,
    managed_by_argo_tunnel: bool,
    source: String,
}

const ZONE_BODY: &str = r#"{"success":true,"errors":[],"messages":[],"result":{"id":"023e105f4ecef8ad9ca31a8372d0c353","name":"example.com","status":"active","paused":false,"name_servers":["bob.ns.cloudflare.com","lola.ns.cloudflare.com"]}}"#;

fn dns_list(records: usize) -> Bytes {
    let mut body = String::from(r#"{"success":true,"errors":[],"messages":[],"result":["#);
    for i in 0..records {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&format!(
            r#"{{"id":"{i:032x}","zone_id":"023e105f4ecef8ad9ca31a8372d0c353","zone_name":"example.com","name":"host-{i}.example.com","type":"A","content":"198.51.100.{}","proxiable":true,"proxied":{},"ttl":3600,"locked":false,"meta":{{"auto_added":false,"managed_by_apps":false,"managed_by_argo_tunnel":false,"source":"primary"}},"comment":{},"tags":["env:prod","team:dns"],"created_on":"2024-01-01T05:20:00.12345Z","modified_on":"2024-08-01T05:20:00.12345Z"}}"#,
            i % 256,
            i % 2 == 0,
            if i % 3 == 0 { "null".to_owned() } else { format!("\"record {i}\"") },
        ));
    }
    body.push_str(&format!(
        r#"],"result_info":{{"page":1,"per_page":{records},"count":{records},"total_count":{records},"total_pages":1}}}}"#
    ));
    Bytes::from(body)
}

// ---------------------------------------------------------------- loopback server

/// A minimal keep-alive HTTP/1.1 server answering every request (without body) with
/// `body`. Much cheaper than a mock server, so the client's cost dominates.
async fn serve(body: &'static str) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let response: Arc<[u8]> = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncf-ray: 8a1b2c3d4e5f-LHR\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
    .into();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(connection(socket, response.clone()));
        }
    });
    addr
}

async fn connection(mut socket: TcpStream, response: Arc<[u8]>) {
    socket.set_nodelay(true).ok();
    let mut buf = vec![0u8; 16 * 1024];
    let mut filled = 0;
    loop {
        match socket.read(&mut buf[filled..]).await {
            Ok(0) | Err(_) => return,
            Ok(n) => filled += n,
        }
        while let Some(end) = buf[..filled].windows(4).position(|w| w == b"\r\n\r\n") {
            if socket.write_all(&response).await.is_err() {
                return;
            }
            buf.copy_within(end + 4..filled, 0);
            filled -= end + 4;
        }
        if filled == buf.len() {
            return;
        }
    }
}

// ---------------------------------------------------------------- benchmarks

/// CPU time of the current thread in nanoseconds (Linux `schedstat`; 0 elsewhere).
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// The plain-reqwest equivalent of a call: same headers, same decoding.
async fn plain_get(http: &reqwest::Client, url: &str) -> Zone {
    let response = http
        .get(url)
        .bearer_auth("bench-token")
        .header("user-agent", "bench/1")
        .send()
        .await
        .unwrap();
    let body = response.bytes().await.unwrap();
    let envelope: Envelope<Zone> = serde_json::from_slice(&body).unwrap();
    envelope.result
}

fn small_get(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let addr = rt.block_on(serve(ZONE_BODY));
    let base = format!("http://{addr}/client/v4");

    let client = Client::builder()
        .base_url(&base)
        .credentials(Credentials::api_token("bench-token"))
        .no_rate_budget()
        .build()
        .unwrap();
    let no_timeout = Client::builder()
        .base_url(&base)
        .credentials(Credentials::api_token("bench-token"))
        .no_rate_budget()
        .no_timeout()
        .build()
        .unwrap();
    let with_budget = Client::builder()
        .base_url(&base)
        .credentials(Credentials::api_token("bench-token"))
        .rate_budget(RateBudget::new(u32::MAX, Duration::from_millis(1)))
        .build()
        .unwrap();
    let http = reqwest::Client::builder().build().unwrap();
    let url = format!("{base}/zones/023e105f4ecef8ad9ca31a8372d0c353");

    // Criterion measures the variants one after the other, so load from other processes
    // skews the ratio. Alternating batches and counting the CPU time of this thread
    // (client and server both run on it) cancels most of that.
    let (runtime_cpu, reqwest_cpu) = rt.block_on(async {
        const BATCH: u64 = 200;
        const ROUNDS: u64 = 100;
        let (mut runtime_cpu, mut reqwest_cpu) = (0, 0);
        for _ in 0..ROUNDS {
            let start = thread_cpu_ns();
            for _ in 0..BATCH {
                black_box(plain_get(&http, &url).await);
            }
            reqwest_cpu += thread_cpu_ns() - start;
            let start = thread_cpu_ns();
            for _ in 0..BATCH {
                let request =
                    __private::request(&client, &GET_ZONE, &["023e105f4ecef8ad9ca31a8372d0c353"]);
                black_box(__private::call::<Zone>(request).await.unwrap());
            }
            runtime_cpu += thread_cpu_ns() - start;
        }
        (
            runtime_cpu / (BATCH * ROUNDS),
            reqwest_cpu / (BATCH * ROUNDS),
        )
    });
    eprintln!(
        "small GET, mean CPU time per request (client + loopback server): runtime {runtime_cpu} ns, \
         reqwest {reqwest_cpu} ns, ratio {:.3}",
        runtime_cpu as f64 / reqwest_cpu as f64
    );

    let mut group = c.benchmark_group("small_get");
    group.bench_function("reqwest", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(plain_get(&http, &url).await) })
    });
    group.bench_function("runtime", |b| {
        b.to_async(&rt).iter(|| async {
            let request =
                __private::request(&client, &GET_ZONE, &["023e105f4ecef8ad9ca31a8372d0c353"]);
            black_box(__private::call::<Zone>(request).await.unwrap())
        })
    });
    group.bench_function("runtime_without_timeout", |b| {
        b.to_async(&rt).iter(|| async {
            let request = __private::request(
                &no_timeout,
                &GET_ZONE,
                &["023e105f4ecef8ad9ca31a8372d0c353"],
            );
            black_box(__private::call::<Zone>(request).await.unwrap())
        })
    });
    group.bench_function("runtime_with_rate_budget", |b| {
        b.to_async(&rt).iter(|| async {
            let request = __private::request(
                &with_budget,
                &GET_ZONE,
                &["023e105f4ecef8ad9ca31a8372d0c353"],
            );
            black_box(__private::call::<Zone>(request).await.unwrap())
        })
    });
    group.finish();
}

fn decode_dns_list(c: &mut Criterion) {
    const RECORDS: usize = 10_000;
    let body = dns_list(RECORDS);

    let (records, peak, allocations, retained) = measure(|| {
        decode_response::<Vec<DnsRecord>>(&LIST_RECORDS, 200, HeaderMap::new(), body.clone())
            .unwrap()
    });
    assert_eq!(records.result.len(), RECORDS);
    drop(records);
    let (direct, direct_peak, direct_allocations, _) =
        measure(|| serde_json::from_slice::<Envelope<Vec<DnsRecord>>>(&body).unwrap());
    assert_eq!(direct.result.len(), RECORDS);
    drop(direct);
    eprintln!(
        "decode {RECORDS} DNS records ({} KiB body): runtime peak {} KiB, {allocations} allocations, \
         {} KiB retained; serde_json one pass peak {} KiB, {direct_allocations} allocations",
        body.len() / 1024,
        peak / 1024,
        retained / 1024,
        direct_peak / 1024,
    );

    // The same records as the API drifts: every `ttl` a string, every `meta` missing.
    let drifted = Bytes::from(
        String::from_utf8(body.to_vec())
            .unwrap()
            .replace(r#""ttl":3600"#, r#""ttl":"3600""#)
            .replace(
                r#""meta":{"auto_added":false,"managed_by_apps":false,"managed_by_argo_tunnel":false,"source":"primary"},"#,
                "",
            ),
    );
    let corrected =
        decode_response::<Vec<DnsRecord>>(&LIST_RECORDS, 200, HeaderMap::new(), drifted.clone())
            .unwrap();
    assert_eq!(corrected.result.len(), RECORDS);
    // Per record: `ttl` converted; `meta` filled, and its four fields.
    assert_eq!(corrected.corrections.len(), RECORDS * 6);
    drop(corrected);

    let mut group = c.benchmark_group("decode_dns_list_10k");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("runtime", |b| {
        b.iter(|| {
            decode_response::<Vec<DnsRecord>>(&LIST_RECORDS, 200, HeaderMap::new(), body.clone())
                .unwrap()
        })
    });
    group.bench_function("runtime_generated_types", |b| {
        b.iter(|| {
            decode_response::<Vec<cloudflare_v4::dns_records::DnsRecord>>(
                &LIST_RECORDS,
                200,
                HeaderMap::new(),
                body.clone(),
            )
            .unwrap()
        })
    });
    group.bench_function("runtime_drifted_corrected", |b| {
        b.iter(|| {
            decode_response::<Vec<DnsRecord>>(&LIST_RECORDS, 200, HeaderMap::new(), drifted.clone())
                .unwrap()
        })
    });
    group.bench_function("serde_json_one_pass", |b| {
        b.iter(|| serde_json::from_slice::<Envelope<Vec<DnsRecord>>>(&body).unwrap())
    });
    group.finish();
}

fn rate_budget(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let budget = RateBudget::new(u32::MAX, Duration::from_millis(1));
    let key = BudgetKey::of(None);
    c.bench_function("rate_budget_acquire", |b| {
        b.to_async(&rt).iter(|| budget.acquire(&key))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(50)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = small_get, decode_dns_list, rate_budget
}
/// `RUNTIME_BENCH_PROBE=runtime|reqwest RUNTIME_BENCH_N=n` makes n small GETs of one
/// variant and exits, for counting instructions under `valgrind --tool=callgrind` (run with
/// n and 0 and divide the difference by n): deterministic, unlike timings on a busy host.
fn probe(variant: &str) {
    let n: u32 = std::env::var("RUNTIME_BENCH_N")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let addr = serve(ZONE_BODY).await;
        let base = format!("http://{addr}/client/v4");
        let url = format!("{base}/zones/023e105f4ecef8ad9ca31a8372d0c353");
        let client = Client::builder()
            .base_url(&base)
            .credentials(Credentials::api_token("bench-token"))
            .no_rate_budget()
            .build()
            .unwrap();
        let http = reqwest::Client::builder().build().unwrap();
        // Both variants open their connection first, so n = 0 is the fixed cost.
        black_box(plain_get(&http, &url).await);
        let request = __private::request(&client, &GET_ZONE, &["023e105f4ecef8ad9ca31a8372d0c353"]);
        black_box(__private::call::<Zone>(request).await.unwrap());
        for _ in 0..n {
            if variant == "runtime" {
                let request =
                    __private::request(&client, &GET_ZONE, &["023e105f4ecef8ad9ca31a8372d0c353"]);
                black_box(__private::call::<Zone>(request).await.unwrap());
            } else {
                black_box(plain_get(&http, &url).await);
            }
        }
    });
}

fn main() {
    if let Ok(variant) = std::env::var("RUNTIME_BENCH_PROBE") {
        probe(&variant);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
