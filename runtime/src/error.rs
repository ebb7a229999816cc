//! The error type of every API call.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Everything that can go wrong with a call.
///
/// Secrets (tokens, keys) never appear in any variant, nor in `Display`/`Debug`. Query
/// strings are not included either: transport errors carry no URL.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error: a non-2xx status with a Cloudflare envelope, or
    /// `"success": false` (even with HTTP 200).
    #[error("{}", ApiDisplay { operation, status: *status, errors, ray_id: ray_id.as_deref(), permissions })]
    #[non_exhaustive]
    Api {
        /// Operation id.
        operation: &'static str,
        /// HTTP status.
        status: u16,
        /// The envelope's `errors`.
        errors: Vec<ApiError>,
        /// The envelope's `messages`.
        messages: Vec<ApiError>,
        /// The `cf-ray` response header, to quote to Cloudflare support.
        ray_id: Option<String>,
        /// Token permissions the operation requires (named in the message of a 403).
        permissions: &'static [&'static str],
    },
    /// A response that is neither the expected success body nor a Cloudflare error
    /// envelope, e.g. an HTML 502 page from a proxy.
    #[error("unexpected response to `{operation}` (HTTP {status}, content-type {}): {snippet}", content_type.as_deref().unwrap_or("none"))]
    #[non_exhaustive]
    UnexpectedBody {
        /// Operation id.
        operation: &'static str,
        /// HTTP status.
        status: u16,
        /// The `content-type` response header.
        content_type: Option<String>,
        /// The start of the body (at most 200 characters, whitespace collapsed).
        snippet: String,
        /// The `cf-ray` response header.
        ray_id: Option<String>,
    },
    /// The API answered with a redirect (HTTP 3xx other than 304).
    ///
    /// Cloudflare's API does not redirect API calls, so the client never follows a
    /// redirect: the credentials are not sent to the place it points to, and no answer from
    /// there is taken for the API's. A redirect usually means a wrong base URL, or a proxy
    /// or captive portal in between.
    #[error("`{operation}` was answered with a redirect (HTTP {status}) to {}; the Cloudflare API does not redirect, so it was not followed and nothing was sent there (check the base URL)", location.as_deref().unwrap_or("no valid location"))]
    #[non_exhaustive]
    Redirect {
        /// Operation id.
        operation: &'static str,
        /// HTTP status.
        status: u16,
        /// The origin (`scheme://host[:port]`) the `Location` header points to; never its
        /// path or query. `None` without a valid `Location`.
        location: Option<String>,
        /// The `cf-ray` response header.
        ray_id: Option<String>,
    },
    /// A JSON response that does not match the expected type.
    #[error("cannot decode the response to `{operation}` (HTTP {status}) at `{path}`: {source}")]
    #[non_exhaustive]
    Decode {
        /// Operation id.
        operation: &'static str,
        /// HTTP status.
        status: u16,
        /// JSON path of the offending value, e.g. `result[1].ttl`.
        path: String,
        /// What serde_json reported.
        source: serde_json::Error,
    },
    /// A successful response (2xx, not `"success": false`) without the result the operation
    /// declares: `result` absent, `null`, `{}` or `[]`, or an empty body. Nothing is made up
    /// for it, in any decoding mode. Where the spec lets the result be absent (deletes, which
    /// return `Option<…>`), the call returns `None` instead; list results read as empty.
    #[error("the response to `{operation}` (HTTP {status}) has no result: it sent {found}")]
    #[non_exhaustive]
    MissingResult {
        /// Operation id.
        operation: &'static str,
        /// HTTP status.
        status: u16,
        /// What came instead: `` `null` ``, `` `{}` ``, `` `[]` `` or `an empty body`.
        found: String,
        /// The `cf-ray` response header.
        ray_id: Option<String>,
    },
    /// The request could not be sent or the response could not be read.
    #[error("request `{operation}` failed: {source}")]
    #[non_exhaustive]
    Transport {
        /// Operation id.
        operation: &'static str,
        /// The underlying error (without the URL).
        source: reqwest::Error,
    },
    /// The request (one attempt) took longer than the configured timeout.
    #[error("request `{operation}` timed out: {source}")]
    #[non_exhaustive]
    Timeout {
        /// Operation id.
        operation: &'static str,
        /// The underlying error (without the URL).
        source: reqwest::Error,
    },
    /// HTTP 429 persisted after all retries allowed by the
    /// [`RetryPolicy`](crate::RetryPolicy).
    #[error("request `{operation}` was rate limited (HTTP 429) after {attempts} attempt(s){}", RetryAfterDisplay(*retry_after))]
    #[non_exhaustive]
    RateLimited {
        /// Operation id.
        operation: &'static str,
        /// The wait the server asked for in its last response, if it said.
        retry_after: Option<Duration>,
        /// Attempts made.
        attempts: u32,
        /// The `cf-ray` header of the last response.
        ray_id: Option<String>,
    },
    /// The rate budget could not give the attempt a slot: a budget shared through Redis that
    /// cannot be reached, when its failure policy is to refuse
    /// ([`OnRedisFailure::Refuse`](crate::RateBudget)). Nothing was sent.
    #[error("request `{operation}` was not sent: the rate budget is unavailable: {message}")]
    #[non_exhaustive]
    RateBudget {
        /// Operation id.
        operation: &'static str,
        /// What failed.
        message: String,
    },
    /// Invalid client configuration (builder or environment).
    #[error("invalid client configuration: {message}")]
    #[non_exhaustive]
    Config {
        /// What is wrong.
        message: String,
    },
    /// A request body could not be serialized.
    #[error("cannot serialize the request body of `{operation}`: {source}")]
    #[non_exhaustive]
    Serialize {
        /// Operation id.
        operation: &'static str,
        /// What serde_json reported.
        source: serde_json::Error,
    },
    /// A request parameter cannot be sent (e.g. an empty or `..` path parameter, or a
    /// header value with control characters).
    #[error("invalid request `{operation}`: {message}")]
    #[non_exhaustive]
    InvalidRequest {
        /// Operation id.
        operation: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A paginated listing did not advance: the server returned the page it had already
    /// returned (it ignores `page`) or repeated a cursor. The pages before were yielded.
    #[error("pagination of `{operation}` stopped: {message}")]
    #[non_exhaustive]
    Pagination {
        /// Operation id.
        operation: &'static str,
        /// What happened.
        message: String,
    },
}

impl Error {
    /// The HTTP status of the response this error comes from, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. }
            | Error::UnexpectedBody { status, .. }
            | Error::Redirect { status, .. }
            | Error::Decode { status, .. }
            | Error::MissingResult { status, .. } => Some(*status),
            Error::RateLimited { .. } => Some(429),
            Error::Transport { source, .. } | Error::Timeout { source, .. } => {
                source.status().map(|s| s.as_u16())
            }
            _ => None,
        }
    }

    /// The `cf-ray` header of the response this error comes from, if any.
    pub fn ray_id(&self) -> Option<&str> {
        match self {
            Error::Api { ray_id, .. }
            | Error::UnexpectedBody { ray_id, .. }
            | Error::MissingResult { ray_id, .. }
            | Error::Redirect { ray_id, .. }
            | Error::RateLimited { ray_id, .. } => ray_id.as_deref(),
            _ => None,
        }
    }

    /// The operation id of the failed call (`None` for configuration errors).
    pub fn operation(&self) -> Option<&'static str> {
        match self {
            Error::Api { operation, .. }
            | Error::UnexpectedBody { operation, .. }
            | Error::Redirect { operation, .. }
            | Error::Decode { operation, .. }
            | Error::MissingResult { operation, .. }
            | Error::Transport { operation, .. }
            | Error::Timeout { operation, .. }
            | Error::RateLimited { operation, .. }
            | Error::Serialize { operation, .. }
            | Error::InvalidRequest { operation, .. }
            | Error::RateBudget { operation, .. }
            | Error::Pagination { operation, .. } => Some(operation),
            Error::Config { .. } => None,
        }
    }

    /// The envelope's `errors` of an [`Error::Api`] (empty for other variants).
    pub fn api_errors(&self) -> &[ApiError] {
        match self {
            Error::Api { errors, .. } => errors,
            _ => &[],
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::Config {
            message: message.into(),
        }
    }
}

/// One entry of an envelope's `errors` or `messages`.
///
/// Decoding is lenient: a plain string becomes the message, a missing or non-numeric
/// `code` becomes 0, so an oddly shaped error never hides the error itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ApiError {
    /// Cloudflare error code (these exceed 65535, e.g. 1000000).
    pub code: i64,
    /// Human-readable message.
    pub message: String,
    /// Link to documentation about the error, if given.
    pub documentation_url: Option<String>,
    /// JSON pointer into the request that the error is about (`source.pointer`), if given.
    pub pointer: Option<String>,
    /// Nested errors (`error_chain`), if given.
    pub error_chain: Vec<ApiError>,
}

impl ApiError {
    /// An error with the given code and message.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            ..ApiError::default()
        }
    }

    fn from_value(value: Value) -> Self {
        let mut map = match value {
            Value::Object(map) => map,
            Value::String(message) => return ApiError::new(0, message),
            Value::Null => return ApiError::default(),
            other => return ApiError::new(0, other.to_string()),
        };
        let code = match map.get("code") {
            Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
            Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
            _ => 0,
        };
        let message = match map.remove("message") {
            Some(Value::String(s)) => s,
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        let documentation_url = match map.remove("documentation_url") {
            Some(Value::String(s)) if !s.is_empty() => Some(s),
            _ => None,
        };
        let pointer = map
            .get("source")
            .and_then(|s| s.get("pointer"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let error_chain = match map.remove("error_chain") {
            Some(Value::Array(items)) => items.into_iter().map(ApiError::from_value).collect(),
            _ => Vec::new(),
        };
        ApiError {
            code,
            message,
            documentation_url,
            pointer,
            error_chain,
        }
    }
}

impl<'de> Deserialize<'de> for ApiError {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(ApiError::from_value)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.code, self.message)?;
        for inner in &self.error_chain {
            write!(f, " ({inner})")?;
        }
        Ok(())
    }
}

struct ApiDisplay<'a> {
    operation: &'a str,
    status: u16,
    errors: &'a [ApiError],
    ray_id: Option<&'a str>,
    permissions: &'a [&'a str],
}

impl fmt::Display for ApiDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Cloudflare API error in `{}` (HTTP {})",
            self.operation, self.status
        )?;
        if self.errors.is_empty() {
            f.write_str(": no error details")?;
        }
        for (i, error) in self.errors.iter().enumerate() {
            f.write_str(if i == 0 { ": " } else { "; " })?;
            write!(f, "{error}")?;
        }
        if self.status == 403 && !self.permissions.is_empty() {
            write!(
                f,
                "; this operation requires the token permission(s): {}",
                self.permissions.join(", ")
            )?;
        }
        if let Some(ray) = self.ray_id {
            write!(f, " (cf-ray {ray})")?;
        }
        Ok(())
    }
}

struct RetryAfterDisplay(Option<Duration>);

impl fmt::Display for RetryAfterDisplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(wait) => write!(
                f,
                "; the server asks to retry after {:.3}s",
                wait.as_secs_f64()
            ),
            None => Ok(()),
        }
    }
}

/// Maximum number of characters of a body quoted in [`Error::UnexpectedBody`].
const SNIPPET_CHARS: usize = 200;

/// The start of `body` as text: at most [`SNIPPET_CHARS`] characters, cut on a character
/// boundary, whitespace runs collapsed to one space, `…` appended when cut.
pub(crate) fn snippet(body: &[u8]) -> String {
    // A character is at most 4 bytes: look at a bounded prefix only.
    let prefix = &body[..body.len().min(SNIPPET_CHARS * 4)];
    let text = match std::str::from_utf8(prefix) {
        // Cut inside a character at the end of the prefix: drop the partial character.
        Err(e) if e.error_len().is_none() => String::from_utf8_lossy(&prefix[..e.valid_up_to()]),
        // Invalid bytes elsewhere become U+FFFD.
        _ => String::from_utf8_lossy(prefix),
    };
    let mut out = String::with_capacity(text.len());
    let mut chars = 0;
    let mut space = false;
    let mut truncated = prefix.len() < body.len();
    for c in text.chars() {
        if c.is_whitespace() {
            space = chars > 0;
            continue;
        }
        if chars + usize::from(space) >= SNIPPET_CHARS {
            truncated = true;
            break;
        }
        if space {
            out.push(' ');
            chars += 1;
            space = false;
        }
        out.push(c);
        chars += 1;
    }
    if truncated {
        out.push('…');
    }
    out
}
