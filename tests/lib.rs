//! Test-only crate: see `tests/` for the suites. The library holds what several suites, the
//! `budget-worker` program and the benchmarks share: a real Redis server on loopback, and an
//! HTTP server that counts arrivals per window the way Cloudflare does.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// A `redis-server` (Debian's package) on a free loopback port, without persistence; killed
/// when dropped.
pub struct RedisServer {
    child: Option<Child>,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

impl RedisServer {
    /// Starts one and waits until it accepts connections. The error says what is missing.
    pub fn start() -> Result<RedisServer, String> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--protected-mode", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!("cannot start redis-server ({e}): install it (Debian: apt-get install redis-server)")
            })?;
        let mut server = RedisServer {
            child: Some(child),
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                server.kill();
                return Err(format!(
                    "redis-server did not listen on port {port} within 10 s"
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(server)
    }

    /// Its URL.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kills it (as a crash would: no shutdown).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// How a [`CountingServer`] answers.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    /// At most this many arrivals in any window…
    pub max: usize,
    /// …of this length; more are answered 429.
    pub window: Duration,
    /// Send Cloudflare's `Ratelimit` and `Ratelimit-Policy` headers with each answer.
    pub headers: bool,
}

/// An API server on loopback that counts arrivals in a sliding window, as Cloudflare does:
/// every request is answered with an empty envelope, or 429 once a window is full.
pub struct CountingServer {
    server: MockServer,
    state: Arc<Mutex<Counts>>,
}

#[derive(Default)]
struct Counts {
    arrivals: Vec<Instant>,
    rejected: usize,
}

struct Counter {
    limit: Limit,
    state: Arc<Mutex<Counts>>,
}

impl Respond for Counter {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let now = Instant::now();
        let mut counts = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let Limit {
            max,
            window,
            headers,
        } = self.limit;
        let in_window: Vec<Instant> = counts
            .arrivals
            .iter()
            .copied()
            .filter(|t| now.duration_since(*t) < window)
            .collect();
        let full = in_window.len() >= max;
        let mut answer = if full {
            counts.rejected += 1;
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(serde_json::json!({
                    "success": false, "errors": [{"code": 971, "message": "rate limited"}], "messages": [], "result": null
                }))
        } else {
            counts.arrivals.push(now);
            ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "success": true, "errors": [], "messages": [], "result": {"ok": true}
            }))
        };
        if headers {
            let used = in_window.len() + usize::from(!full);
            let remaining = max.saturating_sub(used);
            // When the oldest arrival in the window leaves it, rounded up to whole seconds.
            let oldest = in_window.first().copied().unwrap_or(now);
            let reset = (oldest + window).saturating_duration_since(now);
            let reset = reset.as_secs() + u64::from(reset.subsec_nanos() > 0);
            answer = answer
                .insert_header(
                    "ratelimit",
                    format!("\"default\";r={remaining};t={}", reset.max(1)).as_str(),
                )
                .insert_header(
                    "ratelimit-policy",
                    format!("\"default\";q={max};w={}", window.as_secs().max(1)).as_str(),
                );
        }
        answer
    }
}

impl CountingServer {
    /// Starts one that answers every path.
    pub async fn start(limit: Limit) -> CountingServer {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(Counts::default()));
        Mock::given(wiremock::matchers::any())
            .respond_with(Counter {
                limit,
                state: Arc::clone(&state),
            })
            .mount(&server)
            .await;
        CountingServer { server, state }
    }

    /// Its base URL.
    pub fn url(&self) -> String {
        self.server.uri()
    }

    /// Requests answered 429.
    pub fn rejected(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .rejected
    }

    /// Requests answered 200.
    pub fn accepted(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .arrivals
            .len()
    }

    /// The most accepted arrivals any window of this length held (arrivals less than
    /// `window` apart count in one window).
    pub fn max_in_window(&self, window: Duration) -> usize {
        let mut arrivals = self
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .arrivals
            .clone();
        arrivals.sort();
        let mut most = 0;
        let mut first = 0;
        for (last, at) in arrivals.iter().enumerate() {
            while at.duration_since(arrivals[first]) >= window {
                first += 1;
            }
            most = most.max(last + 1 - first);
        }
        most
    }
}
