//! Calls of endpoints the spec does not describe ([`Client::request`]).

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::sync::{Mutex, PoisonError};

use bytes::Bytes;
use serde::Serialize;

use super::call::{Call, RawCall};
use super::client::Client;
use super::error::Error;
use super::list::ListCall;
use super::multipart::MultipartForm;
use super::operation::{Method, Operation, Pagination, ResponseKind};
use super::options::call_options;
use super::request::{check_text, render_path, Body, Request};

/// The operation name of a custom call once [`MAX_NAMES`] names are taken.
const UNNAMED: &str = "custom request";

/// How many distinct `METHOD /template` names custom calls keep for errors and traces. Each
/// is kept for the life of the process (errors hold `&'static str`); templates are normally
/// literals, so a program uses a handful. Past the limit, calls are named [`UNNAMED`].
const MAX_NAMES: usize = 4096;

impl Client {
    /// Starts a call of an endpoint that the generated methods do not cover: one newer than
    /// the spec, or one the spec leaves out. It goes through everything a generated method
    /// does: the credentials, the envelope, [`Error`] kinds, retries and 429 backoff, the
    /// rate budget, the `tracing` span, and error correction when decoding into a type.
    ///
    /// `path` is a template relative to the base URL, as the API reference writes it
    /// (`/accounts/{account_id}/workers/scripts/{script_name}`); `path_values` fill its
    /// `{…}` placeholders in order, each percent-encoded as one path segment the way
    /// generated methods encode them (a `/` in a value is sent as `%2F`). Add query pairs,
    /// headers and a body, then pick what the response is:
    /// [`call`](CustomRequest::call) (the envelope's `result` as any `T`, `serde_json::Value`
    /// when you do not want a type), [`list`](CustomRequest::list) and
    /// [`cursor_list`](CustomRequest::cursor_list) (paginated), or
    /// [`raw`](CustomRequest::raw) (bytes).
    ///
    /// The request never leaves the base URL's origin. Each of these fails the call with
    /// [`Error::InvalidRequest`] before anything is sent: an absolute URL, a path starting
    /// with `//` or `\`, a scheme (`https:`), a `.` or `..` segment (also percent-encoded),
    /// `?` or `#` in the template (query pairs go through
    /// [`query`](CustomRequest::query)), a character a path cannot hold as it is (a
    /// space, a control character, a non-ASCII character), CR, LF or NUL in any part, a
    /// path value that is empty, `.` or `..`, and a count of values that does not match the
    /// placeholders.
    ///
    /// Errors and traces name the call `METHOD /template` (the first 4096 distinct ones a
    /// process uses; later ones `custom request`).
    ///
    /// ```no_run
    /// # async fn example(client: &cloudflare_v4_runtime::Client) -> Result<(), cloudflare_v4_runtime::Error> {
    /// use cloudflare_v4_runtime::Method;
    /// use futures::TryStreamExt;
    ///
    /// let account_id = "01a7362d577a6c3019a474fd6f485823";
    /// // Any `T: DeserializeOwned`; `serde_json::Value` takes whatever comes.
    /// let answer: serde_json::Value = client
    ///     .request(Method::Post, "/accounts/{account_id}/ai/run/{model}", &[account_id, "@cf/meta/llama-3-8b-instruct"])
    ///     .json(&serde_json::json!({"prompt": "Hello"}))
    ///     .call()
    ///     .timeout(std::time::Duration::from_secs(120))
    ///     .await?;
    /// // Every item of a paginated listing, page after page.
    /// let buckets: Vec<serde_json::Value> = client
    ///     .request(Method::Get, "/accounts/{account_id}/r2/buckets", &[account_id])
    ///     .cursor_list()
    ///     .items()
    ///     .try_collect()
    ///     .await?;
    /// # let _ = (answer, buckets);
    /// # Ok(())
    /// # }
    /// ```
    pub fn request(&self, method: Method, path: &str, path_values: &[&str]) -> CustomRequest {
        let template: Cow<'_, str> = if path.starts_with('/') || path.is_empty() {
            Cow::Borrowed(path)
        } else {
            Cow::Owned(format!("/{path}"))
        };
        let (id, path_name) = operation_name(method, &template);
        let op = Operation {
            id,
            method,
            path: path_name,
            permissions: &[],
            response: ResponseKind::Envelope,
            pagination: Pagination::None,
        };
        let rendered = check_template(path)
            .and_then(|()| check_values(path_values))
            .and_then(|()| render_path(&template, path_values));
        let req = match rendered {
            Ok(rendered) => Request::with_path(self.clone(), op, rendered, None),
            Err(message) => Request::with_path(
                self.clone(),
                op,
                String::new(),
                Some(Error::InvalidRequest {
                    operation: id,
                    message,
                }),
            ),
        };
        CustomRequest { req }
    }
}

/// A call of an endpoint the spec does not describe, being built; see [`Client::request`].
///
/// Set query pairs, headers, a body and the call's options, then turn it into a
/// [`Call`], [`ListCall`] or [`RawCall`], which are awaited or streamed as the generated
/// methods' calls are (and take the same options).
#[must_use = "a request does nothing until it is made a call and awaited"]
pub struct CustomRequest {
    req: Request,
}

impl CustomRequest {
    call_options!();

    /// Sends `body` as JSON (`content-type: application/json`), whole numbers written as
    /// integers as every body is. A body that cannot be serialized fails the call with
    /// [`Error::Serialize`].
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        self.req.json(body);
        self
    }

    /// Sends a `multipart/form-data` body.
    pub fn multipart(mut self, form: MultipartForm) -> Self {
        self.req.multipart(form);
        self
    }

    /// Sends `body` as it is, with the given content type (`application/javascript`,
    /// `text/csv`, …).
    pub fn body(mut self, content_type: impl Into<String>, body: impl Into<Bytes>) -> Self {
        let content_type = content_type.into();
        if let Err(message) = check_text("the content type", &content_type) {
            self.req.invalid(message);
        }
        self.req.body = Body::Bytes {
            content_type: Cow::Owned(content_type),
            bytes: body.into(),
        };
        self
    }

    /// The call, its response the Cloudflare envelope: `.await` gives `result` decoded into
    /// `T` (corrected where it drifts, see [`Decoding`](crate::Decoding)), and
    /// [`send_with_info`](Call::send_with_info) adds `result_info`, the headers and the raw
    /// `result`. `"success": false` or a non-2xx status is an [`Error::Api`].
    pub fn call<T>(self) -> Call<T> {
        Call::new(self.with_response(ResponseKind::Envelope, Pagination::None))
    }

    /// The call, its response JSON without an envelope: the whole body decoded into `T`. A
    /// body with `"success": false` is still an [`Error::Api`].
    pub fn call_without_envelope<T>(self) -> Call<T> {
        Call::new(self.with_response(ResponseKind::Json, Pagination::None))
    }

    /// A paginated listing with `page`/`per_page` query parameters: `.await` gives one page,
    /// [`pages`](ListCall::pages) and [`items`](ListCall::items) walk them all, as
    /// [`ListCall`] describes. Only a `GET` is sent again for further pages: a listing that
    /// is a write (a `POST` that pulls messages) yields its first page, and an
    /// [`Error::Pagination`] if the server says more pages follow.
    pub fn list<T>(self) -> ListCall<T> {
        ListCall::new(self.with_response(ResponseKind::Envelope, Pagination::Page))
    }

    /// A paginated listing with a `cursor` query parameter (the next cursor read from
    /// `result_info.cursor` or `result_info.cursors.after`); otherwise as [`list`](Self::list).
    pub fn cursor_list<T>(self) -> ListCall<T> {
        ListCall::new(self.with_response(ResponseKind::Envelope, Pagination::Cursor))
    }

    /// The call, its response body returned as bytes with the status and headers (a JSON
    /// body with `"success": false` is still an [`Error::Api`]).
    pub fn raw(self) -> RawCall {
        RawCall::new(self.with_response(ResponseKind::Raw, Pagination::None))
    }

    fn with_response(mut self, response: ResponseKind, pagination: Pagination) -> Request {
        self.req.op.response = response;
        self.req.op.pagination = pagination;
        self.req
    }
}

impl fmt::Debug for CustomRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CustomRequest").field(&self.req).finish()
    }
}

/// Characters a path template holds as they are, besides `/` and `{…}`: RFC 3986 `pchar`
/// (unreserved, sub-delims, `:` and `@`) and `%` of a percent-encoded octet.
fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@%".contains(c)
}

/// Refuses a template that could leave the base URL or is not a plain path.
fn check_template(template: &str) -> Result<(), String> {
    let refuse = |why: &str| Err(format!("path template {template:?} {why}"));
    check_text("the path template", template)?;
    let body = template.trim_start_matches('/');
    if template.starts_with("//") || template.starts_with("/\\") || template.starts_with('\\') {
        return refuse("names another host (it starts with `//` or `\\`)");
    }
    // With a leading `/` the text is a path whatever follows; without one, `name:` would be
    // read as a scheme.
    if template.contains("://") || (!template.starts_with('/') && has_scheme(template)) {
        return refuse("is an absolute URL: give the path relative to the client's base URL");
    }
    if let Some(c) = template.chars().find(|c| matches!(c, '?' | '#')) {
        return refuse(&format!(
            "contains `{c}`: add query pairs with `.query(name, value)`"
        ));
    }
    let mut depth = 0usize;
    for c in template.chars() {
        match c {
            '{' if depth == 0 => depth = 1,
            '}' if depth == 1 => depth = 0,
            '{' | '}' => return refuse("has unbalanced or nested `{}`"),
            // A placeholder's name is only matched against nothing; any text but `/` will do.
            '/' if depth == 1 => return refuse("has a placeholder with `/` in its name"),
            _ if depth == 1 => {}
            '/' => {}
            c if is_path_char(c) => {}
            c => {
                return refuse(&format!(
                    "contains {c:?}, which a path cannot hold as it is (percent-encode it, or \
                     pass it as a path value)"
                ))
            }
        }
    }
    if depth != 0 {
        return refuse("has an unclosed `{`");
    }
    for segment in body.split('/') {
        if segment.contains('{') {
            continue;
        }
        let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
        if decoded == "." || decoded == ".." {
            return refuse("has a `.` or `..` segment");
        }
        if decoded.contains(['/', '\\']) {
            return refuse("has a percent-encoded `/` or `\\` in a fixed segment");
        }
    }
    Ok(())
}

/// `scheme:` at the start (RFC 3986: a letter, then letters, digits, `+`, `-`, `.`).
fn has_scheme(text: &str) -> bool {
    let Some(colon) = text.find(':') else {
        return false;
    };
    let scheme = &text[..colon];
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !scheme.contains('{')
}

fn check_values(values: &[&str]) -> Result<(), String> {
    values
        .iter()
        .enumerate()
        .try_for_each(|(i, value)| check_text(&format!("path value {}", i + 1), value))
}

/// The `&'static` name of a custom call, `METHOD /template`, and its template part.
fn operation_name(method: Method, template: &str) -> (&'static str, &'static str) {
    static NAMES: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);
    let name = format!("{method} {template}");
    let mut names = NAMES.lock().unwrap_or_else(PoisonError::into_inner);
    let names = names.get_or_insert_with(HashSet::new);
    let interned = match names.get(name.as_str()) {
        Some(interned) => *interned,
        None if names.len() < MAX_NAMES => {
            let interned: &'static str = Box::leak(name.into_boxed_str());
            names.insert(interned);
            interned
        }
        None => return (UNNAMED, UNNAMED),
    };
    (interned, &interned[method.as_str().len() + 1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_templates_pass() {
        for template in [
            "/zones",
            "/accounts/{account_id}/ai/run/{model}",
            "/zones/{zone_id}/dns_records/{id}/export.{format}",
            "/a:b/@c/%20d/~e",
            "",
            "/",
        ] {
            assert_eq!(check_template(template), Ok(()), "{template}");
        }
    }

    #[test]
    fn templates_that_could_leave_the_base_url_are_refused() {
        for template in [
            "https://evil.example/zones",
            "//evil.example/zones",
            "/\\evil.example",
            "\\\\evil.example",
            "http:zones",
            "mailto:x",
            "/zones/../../x",
            "/zones/./x",
            "/zones/%2e%2E/x",
            "/zones/%2E",
            "/zones/a%2Fb",
            "/zones?page=2",
            "/zones#x",
            "/zones/\r\nHost: evil",
            "/zones/\0",
            "/zones/a b",
            "/zones/é",
            "/zones/{a/b}",
            "/zones/{zone_id",
            "/zones/}",
            "/zones/{{x}}",
        ] {
            assert!(check_template(template).is_err(), "{template:?} passed");
        }
    }

    #[test]
    fn names_are_interned_once() {
        let (a, path_a) = operation_name(Method::Get, "/interned/{x}");
        let (b, _) = operation_name(Method::Get, "/interned/{x}");
        assert_eq!(a, "GET /interned/{x}");
        assert_eq!(path_a, "/interned/{x}");
        assert!(std::ptr::eq(a, b));
    }
}
