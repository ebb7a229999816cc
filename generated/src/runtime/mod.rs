//! The hand-written runtime under the generated operations: client configuration,
//! authentication, sending with retries and a rate budget, envelope decoding, errors and
//! pagination.
//!
//! Generated operation methods build a request and return a [`Call`], [`ListCall`] or
//! [`RawCall`], which the caller awaits or streams. The plumbing they use to build it
//! (`Request`, `ParamValue`, the constructors of the call types, the serde helpers) is
//! `#[doc(hidden)]`: not API.
//!
//! ```no_run
//! # async fn example() -> Result<(), cloudflare_v4::runtime::Error> {
//! use cloudflare_v4::runtime::{Client, Credentials};
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

mod call;
mod client;
mod codec;
mod correct;
mod error;
mod list;
mod operation;
mod rate;
mod request;
mod response;
mod retry;
mod send;

#[doc(hidden)]
pub use call::BoxFuture;
pub use call::{Call, RawCall};
pub use client::{Client, ClientBuilder, Credentials, DEFAULT_BASE_URL, DEFAULT_USER_AGENT};
#[doc(hidden)]
pub use codec::{deserialize_string_enum, serialize_tagged, union_tag};
#[doc(hidden)]
pub use correct::{decode_untagged, decode_variant, double_option, unknown_variant, Alternative};
pub use correct::{Correction, CorrectionKind, Decoding, Filled};
pub use error::{ApiError, Error};
pub use list::{ListCall, Page};
pub use operation::{Method, Operation, Pagination, ResponseKind};
pub use rate::{RateBudget, RatePermit};
pub use request::{FilePart, MultipartForm};
#[doc(hidden)]
pub use request::{ParamValue, Request};
pub use response::{
    decode_response, decode_response_with, ApiResponse, Cursors, RawResponse, ResultInfo,
};
pub use retry::{parse_retry_after, RetryPolicy};

/// The types most programs name, re-exported at the crate root (`cloudflare_v4::Client`).
/// The runtime owns this list; the generated crate root only says `pub use runtime::prelude::*`.
pub mod prelude {
    pub use super::{
        ApiError, ApiResponse, Call, Client, ClientBuilder, Correction, CorrectionKind,
        Credentials, Cursors, Decoding, Error, FilePart, Filled, ListCall, MultipartForm, Page,
        RateBudget, RatePermit, RawCall, RawResponse, ResultInfo, RetryPolicy,
    };
}
