//! Static description of API operations.

use std::fmt;

/// Static metadata of one API operation.
///
/// The generated code holds one `static` of this type per operation; the runtime uses it
/// to build the request, decide what is safe to retry, decode the response and name the
/// operation in errors and traces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The `operationId` from the OpenAPI schema.
    pub id: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Path template relative to the base URL, e.g. `/zones/{zone_id}/dns_records`.
    pub path: &'static str,
    /// Token permissions the operation requires (`x-cfPermissionsRequired`), named in the
    /// message of a 403 error.
    pub permissions: &'static [&'static str],
    /// What a successful response body contains.
    pub response: ResponseKind,
    /// How the operation paginates, if at all.
    pub pagination: Pagination,
}

/// HTTP method of an [`Operation`], or of a call built with
/// [`Client::request`](crate::Client::request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
    /// `HEAD`
    Head,
    /// `OPTIONS`
    Options,
}

impl Method {
    /// The method name as sent on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
        }
    }

    /// Whether repeating the request has the same effect as sending it once (RFC 9110
    /// §9.2.2): `GET`, `HEAD`, `PUT` and `DELETE`. Only these are retried after transient
    /// failures unless the [`RetryPolicy`](crate::RetryPolicy) opts in.
    pub const fn is_idempotent(self) -> bool {
        matches!(
            self,
            Method::Get | Method::Head | Method::Put | Method::Delete | Method::Options
        )
    }

    /// Whether the request only reads (RFC 9110 §9.2.1): `GET`, `HEAD` and `OPTIONS`. A
    /// [`ListCall`](crate::ListCall) fetches further pages only for these: repeating a write
    /// with `page=2` would apply it again.
    pub const fn is_safe(self) -> bool {
        matches!(self, Method::Get | Method::Head | Method::Options)
    }

    pub(crate) fn to_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
            Method::Head => reqwest::Method::HEAD,
            Method::Options => reqwest::Method::OPTIONS,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the body of a successful response of an [`Operation`] contains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResponseKind {
    /// The Cloudflare envelope `{success, errors, messages, result, result_info}`; the
    /// typed value is decoded from `result` (a missing or `null` result decodes from JSON
    /// `null`, so `()`, `Option<T>` and `serde_json::Value` work).
    Envelope,
    /// JSON without an envelope: the whole body is the typed value. A body that is an
    /// object with `"success": false` and `errors` is still reported as an API error.
    Json,
    /// Anything else (files, CSV, images, PDF, pcap, NDJSON, …), returned as bytes.
    Raw,
    /// No body is declared; the body is ignored unless it is an envelope with
    /// `"success": false`.
    Empty,
}

/// Pagination style of an [`Operation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pagination {
    /// Not paginated.
    None,
    /// `page`/`per_page` query parameters; `result_info` holds `page`, `per_page`,
    /// `count`, `total_count` and sometimes `total_pages`.
    Page,
    /// `cursor` query parameter; the next cursor is `result_info.cursor` or
    /// `result_info.cursors.after`.
    Cursor,
}
