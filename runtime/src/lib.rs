//! The hand-written runtime of the `cloudflare-v4` client: client configuration,
//! authentication, sending with retries and a rate budget, envelope decoding, errors and
//! pagination.
//!
//! The generated crate `cloudflare-v4` re-exports this crate as `cloudflare_v4::runtime` and
//! its [`prelude`] at its root; its operation methods build a request and return a [`Call`],
//! [`ListCall`] or [`RawCall`], which the caller awaits or streams. What they use to build
//! it (the request type, the constructors of the call types, the serde helpers) is in
//! `__private`: not API.
//!
//! ```no_run
//! # async fn example() -> Result<(), cloudflare_v4_runtime::Error> {
//! use cloudflare_v4_runtime::{Client, Credentials};
//!
//! let client = Client::builder()
//!     .credentials(Credentials::api_token("…"))
//!     .build()?;
//! # let _ = client;
//! # Ok(())
//! # }
//! ```
//!
//! Decoding is split so that generic code stays small: sending, retrying and parsing the
//! envelope are compiled once; only the final decoding of `result` into the operation's
//! type is generic. A response that drifts from the spec is corrected and every correction
//! recorded ([`Correction`]), or refused in strict mode; [`Decoding`] has the rules.
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod call;
mod client;
mod codec;
mod correct;
mod custom;
mod error;
mod list;
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub mod mock;
mod multipart;
mod operation;
mod options;
mod params;
mod rate;
mod ratelimit;
mod request;
mod response;
mod retry;
mod send;

pub use call::{Call, RawCall};
pub use client::{Client, ClientBuilder, Credentials, DEFAULT_BASE_URL, DEFAULT_USER_AGENT};
pub use correct::{Correction, CorrectionKind, Decoding, Filled};
pub use custom::CustomRequest;
pub use error::{ApiError, Error};
pub use list::{ListCall, Page};
pub use multipart::{FilePart, MultipartForm};
pub use operation::{Method, Operation, Pagination, ResponseKind};
pub use rate::{BudgetBackend, BudgetError, BudgetFuture, BudgetKey, RateBudget, RatePermit};
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use rate::{OnRedisFailure, RedisBudget};
pub use ratelimit::{Pacing, RateLimitStatus};
pub use response::{
    decode_response, decode_response_with, ApiResponse, Cursors, RawResponse, ResultInfo,
};
pub use retry::RetryPolicy;

/// The types most programs name. The generated crate re-exports them at its root
/// (`cloudflare_v4::Error`, `cloudflare_v4::Credentials`); this crate owns the list, the
/// generated `lib.rs` only says `pub use runtime::prelude::*`.
pub mod prelude {
    pub use super::{
        ApiError, ApiResponse, Call, Client, ClientBuilder, Correction, CorrectionKind,
        Credentials, Cursors, CustomRequest, Decoding, Error, FilePart, Filled, ListCall, Method,
        MultipartForm, Page, RateBudget, RatePermit, RawCall, RawResponse, ResultInfo, RetryPolicy,
    };
    #[cfg(feature = "redis")]
    pub use super::{OnRedisFailure, RedisBudget};
}

/// Plumbing for generated code: **not API, may change in any release** (including patch
/// releases), and not covered by semver. Generated operation methods, serde impls and the
/// conformance tests use it; programs should not.
#[doc(hidden)]
pub mod __private {
    pub use crate::call::BoxFuture;
    pub use crate::codec::{deserialize_string_enum, serialize_tagged, union_tag};
    pub use crate::correct::{
        decode_untagged, decode_variant, double_option, unknown_variant, Alternative,
    };
    pub use crate::params::{ParamValue, QueryStyle};
    pub use crate::request::Request;
    pub use crate::retry::parse_retry_after;

    use crate::{Call, Client, Filled, ListCall, Operation, RawCall};

    /// Starts a request of `op` on `client`, substituting `path_args` into the `{…}`
    /// placeholders of its path in order, each percent-encoded as a path segment.
    pub fn request(client: &Client, op: &'static Operation, path_args: &[&str]) -> Request {
        Request::new(client.clone(), op, path_args)
    }

    /// The text of a scalar multipart part: a string as it is, a number, boolean or enum as
    /// its JSON text (`3`, `true`).
    pub fn form_text<T: serde::Serialize + ?Sized>(value: &T) -> String {
        match serde_json::to_value(value) {
            Ok(serde_json::Value::String(text)) => text,
            Ok(other) => crate::codec::to_json_string(&other).unwrap_or_default(),
            // Scalars always serialize; keep the reason rather than send nothing silently.
            Err(error) => error.to_string(),
        }
    }

    /// The call of an operation with a JSON response, decoded into `T`.
    pub fn call<T>(request: Request) -> Call<T> {
        Call::new(request)
    }

    /// The call of a paginated list operation whose items are `T`.
    pub fn list_call<T>(request: Request) -> ListCall<T> {
        ListCall::new(request)
    }

    /// The call of an operation whose response is not JSON.
    pub fn raw_call(request: Request) -> RawCall {
        RawCall::new(request)
    }

    /// The error-correction record of the struct being decoded: the generated
    /// `#[serde(default = "…")]` of a `filled_in` field.
    pub fn take_filled() -> Filled {
        Filled::take()
    }
}
