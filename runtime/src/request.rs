//! Building a request: path, query, headers and body, and the options of one call.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::header::{HeaderName, HeaderValue};
use serde::Serialize;
use serde_json::{Map, Value};

use super::client::Client;
use super::codec::to_json_vec;
use super::error::Error;
use super::multipart::MultipartForm;
use super::operation::Operation;
use super::params::{ParamValue, QueryStyle};
use super::retry::RetryPolicy;

/// Characters encoded in a path parameter: everything except RFC 3986 "unreserved".
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// One request of an [`Operation`], being built by generated code.
///
/// Owns everything it needs (a clone of the [`Client`], the rendered path, query pairs,
/// headers and an in-memory body), so it can be sent again for a retry or the next page.
/// Errors found while building (a body that does not serialize, a bad path parameter) are
/// kept and returned when the request is sent.
pub struct Request {
    pub(crate) client: Client,
    pub(crate) op: Operation,
    pub(crate) path: String,
    pub(crate) query: Vec<(Cow<'static, str>, String)>,
    pub(crate) headers: Vec<(Cow<'static, str>, String)>,
    pub(crate) body: Body,
    pub(crate) error: Option<Error>,
    /// What the caller set on this call alone; boxed, as most calls set nothing.
    pub(crate) options: Option<Box<CallOptions>>,
}

/// A request body; always in memory, so every attempt can resend it.
#[derive(Clone)]
pub(crate) enum Body {
    None,
    Bytes {
        content_type: Cow<'static, str>,
        bytes: Bytes,
    },
    Multipart(MultipartForm),
}

/// The options of one call ([`Call::header`](crate::Call::header) and its siblings).
#[derive(Default)]
pub(crate) struct CallOptions {
    /// Headers that replace any header of the same name.
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    /// `Some(None)`: no timeout.
    pub(crate) timeout: Option<Option<Duration>>,
    pub(crate) retry: Option<RetryPolicy>,
    /// Top-level fields merged into the JSON body before the first attempt.
    pub(crate) body_fields: Map<String, Value>,
}

/// Headers a call cannot set: the client's credentials, and those that frame the message
/// (setting them could smuggle a second request, or aim the credentials at another host).
const RESERVED_HEADERS: &[(&str, &str)] = &[
    ("authorization", "it carries the client's credentials"),
    ("x-auth-email", "it carries the client's credentials"),
    ("x-auth-key", "it carries the client's credentials"),
    (
        "x-auth-user-service-key",
        "it carries the client's credentials",
    ),
    ("proxy-authorization", "it carries credentials"),
    ("host", "it names the server the credentials are sent to"),
    ("content-length", "the client frames the body"),
    ("transfer-encoding", "the client frames the body"),
    ("connection", "the client manages the connection"),
    ("keep-alive", "the client manages the connection"),
    ("proxy-connection", "the client manages the connection"),
    ("te", "the client manages the connection"),
    ("trailer", "the client frames the body"),
    ("upgrade", "the client manages the connection"),
];

impl Request {
    pub(crate) fn new(client: Client, op: &'static Operation, path_args: &[&str]) -> Self {
        let (path, error) = match render_path(op.path, path_args) {
            Ok(path) => (path, None),
            Err(message) => (
                String::new(),
                Some(Error::InvalidRequest {
                    operation: op.id,
                    message,
                }),
            ),
        };
        Request::with_path(client, *op, path, error)
    }

    pub(crate) fn with_path(
        client: Client,
        op: Operation,
        path: String,
        error: Option<Error>,
    ) -> Self {
        Request {
            client,
            op,
            path,
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::None,
            error,
            options: None,
        }
    }

    /// The operation this request is for.
    pub fn operation(&self) -> &Operation {
        &self.op
    }

    /// Adds a query parameter, one `name=value` pair per value (OpenAPI `form` style with
    /// `explode: true`); nothing for `None` or an empty list.
    pub fn query<V: ParamValue + ?Sized>(&mut self, name: &'static str, value: &V) {
        self.query_styled(name, QueryStyle::Form, true, value);
    }

    /// Adds a query parameter as one pair with the values joined by `,` (`explode: false`);
    /// nothing if there are no values.
    pub fn query_joined<V: ParamValue + ?Sized>(&mut self, name: &'static str, value: &V) {
        self.query_styled(name, QueryStyle::Form, false, value);
    }

    /// Adds a query parameter serialized as OpenAPI 3.0 says for its `style` and `explode`:
    ///
    /// | style, explode | array `[a, b]` | object `{x: 1, y: 2}` |
    /// |---|---|---|
    /// | form, true | `name=a&name=b` | `x=1&y=2` |
    /// | form, false | `name=a,b` | `name=x,1,y,2` |
    /// | spaceDelimited / pipeDelimited, false | `name=a b` / `name=a\|b` | — |
    /// | deepObject, true | — | `name[x]=1&name[y]=2` |
    ///
    /// A primitive is `name=value` in every style; `None` or an empty list adds nothing.
    pub fn query_styled<V: ParamValue + ?Sized>(
        &mut self,
        name: &'static str,
        style: QueryStyle,
        explode: bool,
        value: &V,
    ) {
        let mut fields = Vec::new();
        if value.write_fields(&mut fields) {
            match (style, explode) {
                (QueryStyle::DeepObject, _) => self.query.extend(
                    fields
                        .into_iter()
                        .map(|(key, v)| (Cow::Owned(format!("{name}[{key}]")), v)),
                ),
                (_, true) => self
                    .query
                    .extend(fields.into_iter().map(|(key, v)| (Cow::Borrowed(key), v))),
                (_, false) if !fields.is_empty() => {
                    let flat: Vec<String> = fields
                        .into_iter()
                        .flat_map(|(key, v)| [key.to_owned(), v])
                        .collect();
                    self.query.push((Cow::Borrowed(name), flat.join(",")));
                }
                (_, false) => {}
            }
            return;
        }
        let mut values = Vec::new();
        value.write_values(&mut values);
        if values.is_empty() {
            return;
        }
        let separator = match (style, explode) {
            (_, true) => {
                self.query
                    .extend(values.into_iter().map(|v| (Cow::Borrowed(name), v)));
                return;
            }
            (QueryStyle::SpaceDelimited, false) => " ",
            (QueryStyle::PipeDelimited, false) => "|",
            (QueryStyle::Form | QueryStyle::DeepObject, false) => ",",
        };
        self.query
            .push((Cow::Borrowed(name), values.join(separator)));
    }

    /// Sets a header, values joined by `,`; nothing if there are no values.
    pub fn header<V: ParamValue + ?Sized>(&mut self, name: &'static str, value: &V) {
        let mut values = Vec::new();
        value.write_values(&mut values);
        if !values.is_empty() {
            self.headers.push((Cow::Borrowed(name), values.join(",")));
        }
    }

    /// Sets a JSON body, serialized now (whole numbers as integers, see
    /// [`to_json_vec`]); a serialization error is returned when sending.
    pub fn json<T: Serialize + ?Sized>(&mut self, body: &T) {
        match to_json_vec(body) {
            Ok(bytes) => {
                self.body = Body::Bytes {
                    content_type: Cow::Borrowed("application/json"),
                    bytes: Bytes::from(bytes),
                }
            }
            Err(source) => self.fail(Error::Serialize {
                operation: self.op.id,
                source,
            }),
        }
    }

    /// Sets a body of the given content type.
    pub fn raw_body(&mut self, content_type: &'static str, body: Bytes) {
        self.body = Body::Bytes {
            content_type: Cow::Borrowed(content_type),
            bytes: body,
        };
    }

    /// Sets a `multipart/form-data` body.
    pub fn multipart(&mut self, form: MultipartForm) {
        self.body = Body::Multipart(form);
    }

    /// Replaces all query pairs named `name` by one with `value`.
    pub(crate) fn set_query(&mut self, name: &'static str, value: String) {
        self.query.retain(|(n, _)| n != name);
        self.query.push((Cow::Borrowed(name), value));
    }

    /// The value of the first query pair named `name`.
    pub(crate) fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn fail(&mut self, error: Error) {
        // The first error is the one reported.
        self.error.get_or_insert(error);
    }

    pub(crate) fn invalid(&mut self, message: String) {
        let operation = self.op.id;
        self.fail(Error::InvalidRequest { operation, message });
    }

    fn options_mut(&mut self) -> &mut CallOptions {
        self.options.get_or_insert_with(Box::default)
    }

    // ------------------------------------------------------------ options of one call

    /// Adds a query pair to this call (after the typed parameters).
    pub(crate) fn add_query(&mut self, name: String, value: String) {
        if let Err(message) = check_text("query parameter name", &name)
            .and_then(|()| check_text(&format!("value of query parameter `{name}`"), &value))
        {
            return self.invalid(message);
        }
        self.query.push((Cow::Owned(name), value));
    }

    /// Sets a header on this call, replacing one of the same name the client or the typed
    /// parameters set; credentials and the headers that frame the message are refused.
    pub(crate) fn set_header(&mut self, name: &str, value: &str) {
        match checked_header(name, value) {
            Ok((name, value)) => self.options_mut().headers.push((name, value)),
            Err(message) => self.invalid(message),
        }
    }

    pub(crate) fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.options_mut().timeout = Some(timeout);
    }

    pub(crate) fn set_retry_policy(&mut self, retry: RetryPolicy) {
        self.options_mut().retry = Some(retry);
    }

    pub(crate) fn set_body_field<T: Serialize + ?Sized>(&mut self, name: String, value: &T) {
        match serde_json::to_value(value) {
            Ok(value) => {
                self.options_mut().body_fields.insert(name, value);
            }
            Err(source) => self.fail(Error::Serialize {
                operation: self.op.id,
                source,
            }),
        }
    }

    /// The timeout of one attempt: this call's, else the client's.
    pub(crate) fn timeout(&self) -> Option<Duration> {
        match self.options.as_ref().and_then(|o| o.timeout) {
            Some(timeout) => timeout,
            None => self.client.inner.timeout,
        }
    }

    /// The retry policy: this call's, else the client's.
    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        self.options
            .as_ref()
            .and_then(|o| o.retry.as_ref())
            .unwrap_or(&self.client.inner.retry)
    }

    /// Merges this call's extra body fields into the JSON body, once, before the first
    /// attempt. A body that is not a JSON object is an error; no body becomes an object of
    /// the fields alone.
    pub(crate) fn merge_body_fields(&mut self) -> Result<(), Error> {
        let Some(options) = self.options.as_mut() else {
            return Ok(());
        };
        if options.body_fields.is_empty() {
            return Ok(());
        }
        let fields = std::mem::take(&mut options.body_fields);
        let operation = self.op.id;
        let invalid = |message: &str| Error::InvalidRequest {
            operation,
            message: format!("extra body fields need a JSON object body: {message}"),
        };
        let mut object = match &self.body {
            Body::None => Map::new(),
            Body::Bytes {
                content_type,
                bytes,
            } if content_type.contains("json") => match serde_json::from_slice(bytes) {
                Ok(Value::Object(object)) => object,
                Ok(other) => return Err(invalid(&format!("the body is {}", kind_of(&other)))),
                Err(_) => return Err(invalid("the body is not valid JSON")),
            },
            Body::Bytes { content_type, .. } => {
                return Err(invalid(&format!("the body is `{content_type}`")))
            }
            Body::Multipart(_) => return Err(invalid("the body is a multipart form")),
        };
        object.extend(fields);
        let bytes =
            to_json_vec(&object).map_err(|source| Error::Serialize { operation, source })?;
        self.body = Body::Bytes {
            content_type: Cow::Borrowed("application/json"),
            bytes: Bytes::from(bytes),
        };
        Ok(())
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "`null`",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Refuses CR, LF and NUL, which could end a header line or a string early.
pub(crate) fn check_text(what: &str, text: &str) -> Result<(), String> {
    match text.find(['\r', '\n', '\0']) {
        Some(_) => Err(format!("{what} contains CR, LF or NUL")),
        None => Ok(()),
    }
}

/// A header a caller sets on one call: a valid name and value, not reserved.
pub(crate) fn checked_header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), String> {
    check_text("header name", name)?;
    check_text(&format!("value of header `{name}`"), value)?;
    let header_name = HeaderName::from_bytes(name.trim().as_bytes())
        .map_err(|_| format!("invalid header name {name:?}"))?;
    if let Some((_, why)) = RESERVED_HEADERS
        .iter()
        .find(|(reserved, _)| *reserved == header_name.as_str())
    {
        return Err(format!(
            "header `{header_name}` cannot be set on a call: {why} (build a client with other \
             credentials or settings instead)"
        ));
    }
    let header_value =
        HeaderValue::from_str(value).map_err(|_| format!("invalid value for header `{name}`"))?;
    Ok((header_name, header_value))
}

impl fmt::Debug for Request {
    /// Shows the operation and parameter names, not their values (they may be secret).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let query: Vec<&str> = self.query.iter().map(|(n, _)| n.as_ref()).collect();
        let mut headers: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_ref()).collect();
        if let Some(options) = &self.options {
            headers.extend(options.headers.iter().map(|(n, _)| n.as_str()));
        }
        f.debug_struct("Request")
            .field("operation", &self.op.id)
            .field("method", &self.op.method)
            .field("path", &self.op.path)
            .field("query", &query)
            .field("headers", &headers)
            .finish_non_exhaustive()
    }
}

/// RFC 3986 "unreserved": the bytes a path parameter keeps as they are.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Substitutes `args` into the `{…}` placeholders of `template` in order, each
/// percent-encoded as one path segment (a `/` in a value is `%2F`, so no value changes the
/// path's shape). An empty value, `.` or `..` is refused: URL parsing would drop or resolve
/// them as relative segments, even encoded.
pub(crate) fn render_path(template: &str, args: &[&str]) -> Result<String, String> {
    let mut out =
        String::with_capacity(template.len() + args.iter().map(|a| a.len()).sum::<usize>());
    let mut args = args.iter();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = rest[open..]
            .find('}')
            .map(|i| open + i)
            .ok_or_else(|| format!("unclosed placeholder in path template {template}"))?;
        let name = &rest[open + 1..close];
        let arg = args
            .next()
            .ok_or_else(|| format!("no value for path parameter `{name}`"))?;
        if arg.is_empty() || *arg == "." || *arg == ".." {
            return Err(format!(
                "path parameter `{name}` must not be empty, `.` or `..`"
            ));
        }
        out.push_str(&rest[..open]);
        if arg.bytes().all(is_unreserved) {
            out.push_str(arg); // the common case: ids are plain ASCII
        } else {
            out.extend(utf8_percent_encode(arg, PATH_SEGMENT));
        }
        rest = &rest[close + 1..];
    }
    if args.next().is_some() {
        return Err(format!(
            "more path parameters than placeholders in {template}"
        ));
    }
    out.push_str(rest);
    Ok(out)
}
