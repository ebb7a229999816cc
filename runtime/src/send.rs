//! Sending a request: rate budget, retries, timeouts and tracing.
//!
//! Everything here is non-generic, so it is compiled once for all operations.

use std::time::SystemTime;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE, LOCATION};
use reqwest::StatusCode;
use tokio::time::Instant;
use tracing::Instrument;

use super::error::Error;
use super::operation::ResponseKind;
use super::ratelimit::RateLimitStatus;
use super::request::{Body, Request};
use super::response::{Reply, CF_RAY};
use super::retry::parse_retry_after;

impl Request {
    /// Sends the request, retrying as the client's [`RetryPolicy`] allows, and reads the
    /// whole response. Returns 2xx responses; every other outcome is an error.
    ///
    /// [`RetryPolicy`]: super::RetryPolicy
    pub(crate) async fn execute(&mut self) -> Result<Reply, Error> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        self.merge_body_fields()?;
        // Never the rendered path or query: they may hold values worth keeping private.
        let span = tracing::debug_span!(
            "cloudflare_request",
            operation = self.op.id,
            method = self.op.method.as_str(),
            path = self.op.path,
        );
        self.send_with_retries().instrument(span).await
    }

    async fn send_with_retries(&self) -> Result<Reply, Error> {
        let inner = &*self.client.inner;
        let op = self.op;
        let retry = self.retry_policy();
        let url = self.url()?;
        let started = Instant::now();
        let mut attempt: u32 = 0;
        loop {
            attempt = attempt.saturating_add(1);
            let may_retry = attempt <= retry.retries();
            // Built before taking a slot: a request that cannot be built is never sent.
            let request = self.build(url.clone())?;
            // The server's view first (its `Ratelimit` headers), then the local budget: the
            // attempt waits for both, so the stricter wins.
            if let Some(pace) = inner.pacer.reserve(Instant::now()) {
                tracing::info!(
                    wait_ms = pace.wait.as_millis() as u64,
                    policy = %pace.policy,
                    remaining = pace.remaining,
                    "pacing by the server's rate-limit headers: {}",
                    if pace.exhausted {
                        "no requests remain, waiting for the reset"
                    } else {
                        "few requests remain, spreading them until the reset"
                    }
                );
                tokio::time::sleep(pace.wait).await;
            }
            let slot =
                match &inner.budget {
                    Some(budget) => {
                        let slot = budget.acquire(&inner.budget_key).await.map_err(|e| {
                            Error::RateBudget {
                                operation: op.id,
                                message: e.message,
                            }
                        })?;
                        if !slot.waited().is_zero() {
                            tracing::debug!(
                                wait_ms = slot.waited().as_millis() as u64,
                                "waited for the rate budget"
                            );
                        }
                        Some(slot)
                    }
                    None => None,
                };
            let sent = Instant::now();
            let outcome = send_once(&inner.http, request).await;
            // The attempt is complete: its slot's window starts now, not after the wait
            // before a retry.
            drop(slot);
            let (status, headers, body) = match outcome {
                Ok(response) => response,
                Err(e) => {
                    // A connection that was never established carried no request.
                    let safe = e.is_connect() || retry.retries_transient(op.method);
                    tracing::debug!(
                        attempt,
                        elapsed_ms = sent.elapsed().as_millis() as u64,
                        timeout = e.is_timeout(),
                        connect = e.is_connect(),
                        "request failed",
                    );
                    if may_retry && safe && !e.is_builder() {
                        self.wait(retry.backoff(attempt), attempt, "transport error")
                            .await;
                        continue;
                    }
                    let source = e.without_url();
                    return Err(if source.is_timeout() {
                        Error::Timeout {
                            operation: op.id,
                            source,
                        }
                    } else {
                        Error::Transport {
                            operation: op.id,
                            source,
                        }
                    });
                }
            };
            tracing::debug!(
                attempt,
                status = status.as_u16(),
                elapsed_ms = sent.elapsed().as_millis() as u64,
                total_ms = started.elapsed().as_millis() as u64,
                "response",
            );
            let rate_limits = RateLimitStatus::from_headers(&headers);
            inner.pacer.observe(rate_limits.clone(), sent);
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                // Not followed (the HTTP client follows none): the answer of another origin
                // is not the API's, and that origin must not see the credentials.
                return Err(Error::Redirect {
                    operation: op.id,
                    status: status.as_u16(),
                    location: redirect_origin(&url, &headers),
                    ray_id: headers
                        .get(&CF_RAY)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned),
                });
            }
            if status == StatusCode::TOO_MANY_REQUESTS {
                let retry_after = parse_retry_after(&headers, SystemTime::now());
                if may_retry {
                    let wait = retry.rate_limit_wait(retry_after, attempt);
                    self.wait(wait, attempt, "rate limited").await;
                    continue;
                }
                return Err(Error::RateLimited {
                    operation: op.id,
                    retry_after,
                    attempts: attempt,
                    ray_id: headers
                        .get(&CF_RAY)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned),
                });
            }
            if is_transient(status) && may_retry && retry.retries_transient(op.method) {
                self.wait(retry.backoff(attempt), attempt, "transient status")
                    .await;
                continue;
            }
            let reply = Reply {
                op: self.op,
                status: status.as_u16(),
                headers,
                body,
                strict: inner.strict_decoding,
                rate_limits,
            };
            return if status.is_success() {
                Ok(reply)
            } else {
                Err(reply.into_error())
            };
        }
    }

    async fn wait(&self, wait: std::time::Duration, attempt: u32, reason: &'static str) {
        tracing::debug!(
            attempt,
            wait_ms = wait.as_millis() as u64,
            reason,
            "retrying"
        );
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// The full URL: base URL, rendered path, query. Never another origin than the base
    /// URL's: the credentials go there only.
    pub(crate) fn url(&self) -> Result<reqwest::Url, Error> {
        let base = &self.client.inner.base;
        let mut url = base.clone();
        // Only the path is parsed; the base URL was checked when the client was built.
        url.set_path(&format!(
            "{}{}",
            base.path().trim_end_matches('/'),
            self.path
        ));
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&self.query);
        }
        // Paths are checked when they are built (`render_path`, `Client::request`); this
        // holds whatever a future path source gets wrong.
        if url.scheme() != base.scheme()
            || url.host() != base.host()
            || url.port_or_known_default() != base.port_or_known_default()
        {
            return Err(Error::InvalidRequest {
                operation: self.op.id,
                message: "the path would leave the client's base URL".to_owned(),
            });
        }
        Ok(url)
    }

    /// The client's headers, the request's headers and the body's content type.
    fn header_map(&self) -> Result<HeaderMap, Error> {
        let mut map = self.client.inner.headers.clone();
        for (name, value) in &self.headers {
            let invalid = |what: &str| Error::InvalidRequest {
                operation: self.op.id,
                message: format!("invalid {what} for header `{name}`"),
            };
            let header_name =
                HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid("name"))?;
            let header_value = HeaderValue::from_str(value).map_err(|_| invalid("value"))?;
            map.append(header_name, header_value);
        }
        if let Body::Bytes { content_type, .. } = &self.body {
            let value = HeaderValue::from_str(content_type).map_err(|_| Error::InvalidRequest {
                operation: self.op.id,
                message: format!("invalid content type {content_type:?}"),
            })?;
            map.insert(CONTENT_TYPE, value);
        }
        if let Some(options) = &self.options {
            // This call's own headers replace the client's and the typed parameters'.
            for (name, value) in &options.headers {
                map.insert(name.clone(), value.clone());
            }
        }
        if !map.contains_key(ACCEPT) {
            // JSON operations ask for JSON; files and other raw bodies take what comes. A
            // caller's default `Accept` header wins.
            let accept = match self.op.response {
                ResponseKind::Raw => "*/*",
                _ => "application/json",
            };
            map.insert(ACCEPT, HeaderValue::from_static(accept));
        }
        if let Body::Multipart(form) = &self.body {
            if let Some((part, message)) = &form.error {
                return Err(Error::Serialize {
                    operation: self.op.id,
                    source: serde::ser::Error::custom(format_args!(
                        "multipart part `{part}`: {message}"
                    )),
                });
            }
        }
        Ok(map)
    }

    /// One attempt's reqwest request.
    fn build(&self, url: reqwest::Url) -> Result<reqwest::Request, Error> {
        let inner = &*self.client.inner;
        let method = self.op.method.to_reqwest();
        let headers = self.header_map()?;
        if let Body::Multipart(form) = &self.body {
            // reqwest sets the multipart content type (with the boundary) and length.
            let form = form.to_reqwest().map_err(|message| Error::InvalidRequest {
                operation: self.op.id,
                message,
            })?;
            let mut builder = inner
                .http
                .request(method, url)
                .headers(headers)
                .multipart(form);
            if let Some(timeout) = self.timeout() {
                builder = builder.timeout(timeout);
            }
            return builder.build().map_err(|e| Error::InvalidRequest {
                operation: self.op.id,
                message: e.without_url().to_string(),
            });
        }
        let mut request = reqwest::Request::new(method, url);
        *request.headers_mut() = headers;
        *request.timeout_mut() = self.timeout();
        if let Body::Bytes { bytes, .. } = &self.body {
            *request.body_mut() = Some(reqwest::Body::from(bytes.clone()));
        }
        Ok(request)
    }
}

/// Sends one request and reads the whole body.
async fn send_once(
    http: &reqwest::Client,
    request: reqwest::Request,
) -> Result<(StatusCode, HeaderMap, bytes::Bytes), reqwest::Error> {
    let mut response = http.execute(request).await?;
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let body = response.bytes().await?;
    Ok((status, headers, body))
}

/// The origin (scheme, host, port) a redirect's `Location` points to, resolved against the
/// request's URL. Never the path or query, which may hold private values.
fn redirect_origin(url: &reqwest::Url, headers: &HeaderMap) -> Option<String> {
    let location = headers.get(LOCATION)?.to_str().ok()?;
    let target = url.join(location.trim()).ok()?;
    let (scheme, host) = (target.scheme(), target.host_str()?);
    Some(match target.port() {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    })
}

/// Statuses worth retrying for idempotent requests: 408, 409 and 5xx other than 501
/// (Not Implemented) and 505 (HTTP Version Not Supported).
fn is_transient(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 409)
        || (status.is_server_error()
            && status != StatusCode::NOT_IMPLEMENTED
            && status != StatusCode::HTTP_VERSION_NOT_SUPPORTED)
}
