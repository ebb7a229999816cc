//! Responses: the envelope, result metadata and typed decoding.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, CONTENT_TYPE};
use serde::de::value::MapAccessDeserializer;
use serde::de::DeserializeOwned;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

use super::correct::{Correction, CorrectionKind, Corrector, Decoding, Outcome, SessionGuard};
use super::error::{snippet, ApiError, Error};
use super::operation::{Operation, ResponseKind};
use super::ratelimit::RateLimitStatus;

/// Pagination metadata of a response (`result_info`).
///
/// Decoding is lenient: numbers sent as strings are accepted and a field of an unexpected
/// type reads as `None`, so odd metadata never fails a call. Fields not listed here are
/// kept in [`other`](Self::other).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResultInfo {
    /// Current page number (1-based).
    #[serde(
        default,
        deserialize_with = "lenient_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub page: Option<u64>,
    /// Items per page.
    #[serde(
        default,
        deserialize_with = "lenient_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub per_page: Option<u64>,
    /// Items on this page.
    #[serde(
        default,
        deserialize_with = "lenient_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub count: Option<u64>,
    /// Items on all pages.
    #[serde(
        default,
        deserialize_with = "lenient_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_count: Option<u64>,
    /// Number of pages.
    #[serde(
        default,
        deserialize_with = "lenient_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_pages: Option<u64>,
    /// Cursor of the next page (cursor-paginated operations).
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub cursor: Option<String>,
    /// Cursors of the neighbouring pages (cursor-paginated operations).
    #[serde(
        default,
        deserialize_with = "lenient_cursors",
        skip_serializing_if = "Option::is_none"
    )]
    pub cursors: Option<Cursors>,
    /// Any other fields.
    #[serde(flatten)]
    pub other: serde_json::Map<String, Value>,
}

/// `result_info.cursors` of cursor-paginated operations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Cursors {
    /// Cursor of the next page.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub after: Option<String>,
    /// Cursor of the previous page.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub before: Option<String>,
}

impl ResultInfo {
    /// The cursor of the next page: `cursors.after`, else `cursor`; `None` if empty.
    pub fn next_cursor(&self) -> Option<&str> {
        self.cursors
            .as_ref()
            .and_then(|c| c.after.as_deref())
            .filter(|c| !c.is_empty())
            .or_else(|| self.cursor.as_deref().filter(|c| !c.is_empty()))
    }
}

fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| *f >= 0.0 && f.fract() == 0.0)
                .map(|f| f as u64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn lenient_cursors<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Cursors>, D::Error> {
    Ok(match Value::deserialize(d)? {
        value @ Value::Object(_) => serde_json::from_value(value).ok(),
        _ => None,
    })
}

/// `errors`/`messages`: a list of entries; `null` is an empty list and a single entry a
/// list of one.
fn lenient_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ApiError>, D::Error> {
    struct ListVisitor;

    impl<'de> Visitor<'de> for ListVisitor {
        type Value = Vec<ApiError>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of errors or messages")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut list = Vec::new();
            while let Some(entry) = seq.next_element()? {
                list.push(entry);
            }
            Ok(list)
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            ApiError::deserialize(MapAccessDeserializer::new(map)).map(|entry| vec![entry])
        }

        fn visit_str<E: de::Error>(self, message: &str) -> Result<Self::Value, E> {
            Ok(vec![ApiError::new(0, message)])
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }

        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }

        fn visit_i64<E: de::Error>(self, code: i64) -> Result<Self::Value, E> {
            Ok(vec![ApiError::new(code, "")])
        }

        fn visit_u64<E: de::Error>(self, code: u64) -> Result<Self::Value, E> {
            Ok(vec![ApiError::new(
                i64::try_from(code).unwrap_or(i64::MAX),
                "",
            )])
        }

        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
    }

    d.deserialize_any(ListVisitor)
}

/// A typed result with the response's metadata.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiResponse<T> {
    /// The decoded `result`.
    pub result: T,
    /// The envelope's `result_info`, if any.
    pub result_info: Option<ResultInfo>,
    /// The envelope's `messages`.
    pub messages: Vec<ApiError>,
    /// HTTP status.
    pub status: u16,
    /// The `cf-ray` response header.
    pub ray_id: Option<String>,
    /// What client error correction changed while decoding `result`: empty when the
    /// response matched the spec (see [`Decoding`]).
    pub corrections: Vec<Correction>,
    /// All response headers.
    pub headers: HeaderMap,
    /// Where the caller stands against the server's rate limit, as this response's
    /// `Ratelimit` headers said (the most restrictive policy, if it names several).
    pub rate_limit: Option<RateLimitStatus>,
    /// The JSON of `result` as the server sent it (the whole body for operations without an
    /// envelope): shared with the response body, not copied.
    raw_result: Bytes,
}

impl<T> ApiResponse<T> {
    /// The `result` JSON exactly as the server sent it, for properties the spec does not
    /// describe (typed decoding ignores them). `null` when there was no `result`.
    ///
    /// ```no_run
    /// # async fn example(client: &cloudflare_v4_runtime::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use cloudflare_v4_runtime::Method;
    ///
    /// let zone = client
    ///     .request(Method::Get, "/zones/{zone_id}", &["023e105f4ecef8ad9ca31a8372d0c353"])
    ///     .call::<serde_json::Value>()
    ///     .send_with_info()
    ///     .await?;
    /// let raw: serde_json::Value = zone.result_json()?;
    /// println!("plan: {}", raw["plan"]["name"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn raw_result(&self) -> &str {
        // Always a JSON text that parsed, so valid UTF-8.
        std::str::from_utf8(&self.raw_result).unwrap_or("null")
    }

    /// [`raw_result`](Self::raw_result) parsed as a JSON value.
    pub fn result_json(&self) -> Result<Value, serde_json::Error> {
        serde_json::from_slice(&self.raw_result)
    }

    /// The last value of a response header, as text (`None` if absent or not visible
    /// ASCII).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The response of an operation whose body is not JSON (files, CSV, images, …).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RawResponse {
    /// HTTP status.
    pub status: u16,
    /// The `content-type` header.
    pub content_type: Option<String>,
    /// The `cf-ray` header.
    pub ray_id: Option<String>,
    /// All response headers (e.g. `content-disposition`).
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl RawResponse {
    /// The body.
    pub fn bytes(&self) -> &Bytes {
        &self.body
    }

    /// The body, consuming the response.
    pub fn into_bytes(self) -> Bytes {
        self.body
    }

    /// The body as text; invalid UTF-8 sequences become U+FFFD.
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// Where the caller stands against the server's rate limit, as this response's
    /// `Ratelimit` headers say (the most restrictive policy, if it names several).
    pub fn rate_limit(&self) -> Option<RateLimitStatus> {
        RateLimitStatus::most_restrictive(&RateLimitStatus::from_headers(&self.headers)).cloned()
    }
}

/// A complete 2xx response, read into memory. Produced by the non-generic send path.
pub(crate) struct Reply {
    pub(crate) op: Operation,
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    /// Decode without converting mistyped values ([`ClientBuilder::strict_decoding`]).
    ///
    /// [`ClientBuilder::strict_decoding`]: super::ClientBuilder::strict_decoding
    pub(crate) strict: bool,
    /// What the `Ratelimit` headers said.
    pub(crate) rate_limits: Vec<RateLimitStatus>,
}

impl Reply {
    pub(crate) fn content_type(&self) -> Option<String> {
        header_string(&self.headers, &CONTENT_TYPE)
    }

    pub(crate) fn ray_id(&self) -> Option<String> {
        header_string(&self.headers, &CF_RAY)
    }

    pub(crate) fn into_raw(self) -> RawResponse {
        RawResponse {
            status: self.status,
            content_type: self.content_type(),
            ray_id: self.ray_id(),
            headers: self.headers,
            body: self.body,
        }
    }

    fn unexpected(&self) -> Error {
        Error::UnexpectedBody {
            operation: self.op.id,
            status: self.status,
            content_type: self.content_type(),
            snippet: snippet(&self.body),
            ray_id: self.ray_id(),
        }
    }

    fn api_error(&self, errors: Vec<ApiError>, messages: Vec<ApiError>) -> Error {
        Error::Api {
            operation: self.op.id,
            status: self.status,
            errors,
            messages,
            ray_id: self.ray_id(),
            permissions: self.op.permissions,
        }
    }

    /// The error for a non-2xx response (other than an exhausted 429): an API error if the
    /// body is a Cloudflare envelope or error object, else [`Error::UnexpectedBody`].
    pub(crate) fn into_error(self) -> Error {
        match parse_failure(&self.body) {
            Some(failure) => self.api_error(failure.errors, failure.messages),
            None => self.unexpected(),
        }
    }

    /// Splits a 2xx response into the JSON to decode the typed value from and the
    /// envelope's metadata, or reports `success: false`. Not generic: it is shared by all
    /// operations.
    pub(crate) fn split(&self) -> Result<Parts<'_>, Error> {
        let body = json_text(&self.body);
        match self.op.response {
            ResponseKind::Envelope => {
                if body.is_empty() {
                    return Ok(Parts::null(""));
                }
                let envelope: Envelope<'_> =
                    serde_json::from_slice(body).map_err(|e| self.envelope_error(body, e))?;
                if envelope.success == Some(false) {
                    return Err(self.api_error(envelope.errors, envelope.messages));
                }
                Ok(Parts {
                    json: envelope.result.map_or(b"null", |r| r.get().as_bytes()),
                    path_prefix: "result",
                    result_info: envelope.result_info,
                    messages: envelope.messages,
                })
            }
            ResponseKind::Json | ResponseKind::Raw | ResponseKind::Empty => {
                if let Some(failure) = parse_failure(body) {
                    if failure.success == Some(false) {
                        return Err(self.api_error(failure.errors, failure.messages));
                    }
                }
                match self.op.response {
                    ResponseKind::Empty => Ok(Parts::null("")),
                    _ if body.is_empty() => Ok(Parts::null("")),
                    _ => Ok(Parts {
                        json: body,
                        path_prefix: "",
                        result_info: None,
                        messages: Vec::new(),
                    }),
                }
            }
        }
    }

    /// A body that should be an envelope but is not: JSON with a broken structure is a
    /// decode error at its path, anything else (HTML, text) is an unexpected body.
    fn envelope_error(&self, body: &[u8], error: serde_json::Error) -> Error {
        if body.first() != Some(&b'{') {
            return self.unexpected();
        }
        let mut de = serde_json::Deserializer::from_slice(body);
        let path = match serde_path_to_error::deserialize::<_, Envelope<'_>>(&mut de) {
            Err(e) if e.path().iter().next().is_some() => json_path("", e.path()),
            _ if error.is_syntax() => return self.unexpected(),
            _ => ".".to_owned(),
        };
        self.decode_error(path, error)
    }

    pub(crate) fn decode_error(&self, path: String, source: serde_json::Error) -> Error {
        Error::Decode {
            operation: self.op.id,
            status: self.status,
            path,
            source,
        }
    }

    /// The typed result of a 2xx reply.
    pub(crate) fn into_result<T: DeserializeOwned>(self) -> Result<T, Error> {
        decode(&self, &self.split()?).map(|(result, _)| result)
    }

    /// The typed response of a 2xx reply.
    pub(crate) fn into_response<T: DeserializeOwned>(self) -> Result<ApiResponse<T>, Error> {
        let parts = self.split()?;
        let (result, corrections) = decode(&self, &parts)?;
        let raw_result = self.share(parts.json);
        Ok(ApiResponse {
            result,
            result_info: parts.result_info,
            messages: parts.messages,
            status: self.status,
            ray_id: self.ray_id(),
            corrections,
            rate_limit: RateLimitStatus::most_restrictive(&self.rate_limits).cloned(),
            headers: self.headers,
            raw_result,
        })
    }

    /// `json`, a part of the body (or a static `null`), as a handle that shares the body's
    /// buffer.
    pub(crate) fn share(&self, json: &[u8]) -> Bytes {
        if !json.is_empty() && self.body.as_ptr_range().contains(&json.as_ptr()) {
            self.body.slice_ref(json)
        } else {
            Bytes::copy_from_slice(json)
        }
    }

    /// Raw response of a `Raw` operation, after checking for `success: false`.
    pub(crate) fn into_raw_checked(self) -> Result<RawResponse, Error> {
        let json = self.content_type().is_some_and(|ct| ct.contains("json"));
        if json {
            if let Some(failure) = parse_failure(&self.body) {
                if failure.success == Some(false) {
                    return Err(self.api_error(failure.errors, failure.messages));
                }
            }
        }
        Ok(self.into_raw())
    }
}

/// What [`Reply::split`] found.
pub(crate) struct Parts<'a> {
    /// JSON text to decode the typed value from.
    pub(crate) json: &'a [u8],
    /// Prefix of JSON paths in decode errors (`result` for envelopes).
    pub(crate) path_prefix: &'static str,
    pub(crate) result_info: Option<ResultInfo>,
    pub(crate) messages: Vec<ApiError>,
}

impl Parts<'_> {
    fn null(path_prefix: &'static str) -> Self {
        Parts {
            json: b"null",
            path_prefix,
            result_info: None,
            messages: Vec::new(),
        }
    }
}

/// The envelope, with `result` left undecoded.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(default, deserialize_with = "lenient_bool")]
    success: Option<bool>,
    #[serde(default, deserialize_with = "lenient_list")]
    errors: Vec<ApiError>,
    #[serde(default, deserialize_with = "lenient_list")]
    messages: Vec<ApiError>,
    #[serde(default, borrow)]
    result: Option<&'a RawValue>,
    #[serde(default, deserialize_with = "lenient_result_info")]
    result_info: Option<ResultInfo>,
}

/// `success` as a boolean, or as the strings `"true"`/`"false"` that some spec examples (and so
/// mock servers) use; anything else counts as absent.
fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => Some(b),
        Value::String(s) if s == "true" => Some(true),
        Value::String(s) if s == "false" => Some(false),
        _ => None,
    })
}

fn lenient_result_info<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ResultInfo>, D::Error> {
    Ok(match Value::deserialize(d)? {
        value @ Value::Object(_) => serde_json::from_value(value).ok(),
        _ => None,
    })
}

/// An error object: the envelope without `result`.
#[derive(Deserialize)]
struct Failure {
    #[serde(default, deserialize_with = "lenient_bool")]
    success: Option<bool>,
    #[serde(default, deserialize_with = "lenient_list")]
    errors: Vec<ApiError>,
    #[serde(default, deserialize_with = "lenient_list")]
    messages: Vec<ApiError>,
}

/// Reads `body` as a Cloudflare error object: a JSON object with `"success": false` or a
/// non-empty `errors` list.
fn parse_failure(body: &[u8]) -> Option<Failure> {
    let body = json_text(body);
    // Cheap checks first: this also runs on successful non-envelope bodies.
    let has_key = |key: &[u8]| body.windows(key.len()).any(|w| w == key);
    if body.first() != Some(&b'{') || !(has_key(b"\"success\"") || has_key(b"\"errors\"")) {
        return None;
    }
    let failure: Failure = serde_json::from_slice(body).ok()?;
    (failure.success == Some(false) || !failure.errors.is_empty()).then_some(failure)
}

/// Decodes a complete response of `op` exactly as a [`Call`](super::Call) of a default
/// client does: a non-2xx status or `"success": false` is an error, an envelope is unwrapped
/// to `result`, and drift from the spec is corrected and recorded in
/// [`ApiResponse::corrections`] (see [`Decoding`]).
///
/// Useful for responses obtained some other way (a cache, a recorded fixture).
pub fn decode_response<T: DeserializeOwned>(
    op: &'static Operation,
    status: u16,
    headers: HeaderMap,
    body: Bytes,
) -> Result<ApiResponse<T>, Error> {
    decode_response_with(op, status, headers, body, Decoding::Corrected)
}

/// [`decode_response`] with a choice of [`Decoding`]: [`Decoding::Strict`] decodes as a
/// client built with [`strict_decoding`](super::ClientBuilder::strict_decoding) does.
pub fn decode_response_with<T: DeserializeOwned>(
    op: &'static Operation,
    status: u16,
    headers: HeaderMap,
    body: Bytes,
    decoding: Decoding,
) -> Result<ApiResponse<T>, Error> {
    let reply = Reply {
        op: *op,
        status,
        rate_limits: RateLimitStatus::from_headers(&headers),
        headers,
        body,
        strict: decoding == Decoding::Strict,
    };
    if !(200..300).contains(&status) {
        return Err(reply.into_error());
    }
    reply.into_response()
}

/// Decodes `T` from `parts`. This is the only generic step of a call.
///
/// The fast path is plain serde_json, exactly as the spec says, with no path tracking. Only
/// if that fails is the result parsed and decoded again through [`Corrector`], which corrects
/// drift from the spec (or, in strict mode, reports the first value that would need a
/// correction) and knows the JSON path of every value: two extra passes, however many values
/// drifted.
pub(crate) fn decode<T: DeserializeOwned>(
    reply: &Reply,
    parts: &Parts<'_>,
) -> Result<(T, Vec<Correction>), Error> {
    match serde_json::from_slice::<T>(parts.json) {
        Ok(value) => Ok((value, Vec::new())),
        Err(error) => {
            let Ok(value) = serde_json::from_slice::<Value>(parts.json) else {
                return Err(reply.decode_error(whole(parts), error));
            };
            let session = SessionGuard::begin(reply.op.id, parts.path_prefix, reply.strict);
            let decoded = T::deserialize(Corrector::result(&value));
            let outcome = session.finish();
            match decoded {
                // Decoded as parsed with nothing corrected, though not as sent: the parse
                // changed something (a repeated key, the last kept).
                Ok(_) if outcome.corrections.is_empty() && reply.strict => {
                    Err(reply.decode_error(whole(parts), error))
                }
                Ok(decoded) if outcome.corrections.is_empty() => {
                    let reparsed =
                        Correction::new(reply.op.id, whole(parts), CorrectionKind::Reparsed);
                    Ok((decoded, reply.corrected(vec![reparsed])))
                }
                Ok(decoded) => Ok((decoded, reply.corrected(outcome.corrections))),
                Err(error) => Err(reply.not_decoded(&value, outcome, error, parts)),
            }
        }
    }
}

impl Reply {
    /// Logs the corrections of a decoded response and hands them over.
    fn corrected(&self, corrections: Vec<Correction>) -> Vec<Correction> {
        if !corrections.is_empty() {
            const SHOWN: usize = 10;
            let mut paths: Vec<&str> = corrections
                .iter()
                .take(SHOWN)
                .map(|c| c.path.as_str())
                .collect();
            if corrections.len() > SHOWN {
                paths.push("…");
            }
            tracing::warn!(
                operation = self.op.id,
                corrections = corrections.len(),
                paths = %paths.join(", "),
                "corrected values where the response differs from the spec"
            );
        }
        corrections
    }

    /// The error of a corrected (or strict) decode that failed.
    fn not_decoded(
        &self,
        value: &Value,
        outcome: Outcome,
        error: serde_json::Error,
        parts: &Parts<'_>,
    ) -> Error {
        if outcome.missing_result {
            return Error::MissingResult {
                operation: self.op.id,
                status: self.status,
                found: if json_text(&self.body).is_empty() {
                    "an empty body".to_owned()
                } else {
                    format!("`{value}`")
                },
                ray_id: self.ray_id(),
            };
        }
        let path = outcome.error_path.unwrap_or_else(|| whole(parts));
        self.decode_error(path, error)
    }
}

/// The JSON path of the whole result: `result` in an envelope, else `.`.
fn whole(parts: &Parts<'_>) -> String {
    match parts.path_prefix {
        "" => ".".to_owned(),
        prefix => prefix.to_owned(),
    }
}

/// The JSON text of a body: without surrounding whitespace, nor a UTF-8 byte order mark,
/// which some servers put in front of JSON (RFC 8259 lets a parser ignore it).
fn json_text(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(body)
        .trim_ascii()
}

/// Renders a serde_path_to_error path after `prefix`: `result[1].ttl`, `result.name`.
pub(crate) fn json_path(prefix: &str, path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::from(prefix);
    for segment in path {
        match segment {
            Segment::Seq { index } => {
                out.push('[');
                out.push_str(&index.to_string());
                out.push(']');
            }
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Unknown => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push('?');
            }
        }
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// The `cf-ray` header: Cloudflare's request id.
pub(crate) static CF_RAY: HeaderName = HeaderName::from_static("cf-ray");

fn header_string(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
