//! Typed calls of single-response operations.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;

use serde::de::DeserializeOwned;

use super::error::Error;
use super::options::call_options;
use super::request::Request;
use super::response::{ApiResponse, RawResponse};

/// A boxed, `Send` future, as returned by `IntoFuture` of the call types.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// A call of an operation with a JSON response, decoded into `T`.
///
/// `.await` it (or call [`send`](Self::send)) to get the result;
/// [`send_with_info`](Self::send_with_info) also returns the response's metadata.
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<T> {
    req: Request,
    _result: PhantomData<fn() -> T>,
}

impl<T> Call<T> {
    /// Wraps a request built by generated code ([`crate::__private::call`]) or by
    /// [`CustomRequest`](crate::CustomRequest).
    pub(crate) fn new(req: Request) -> Self {
        Call {
            req,
            _result: PhantomData,
        }
    }

    call_options!();

    /// The request this call sends (for the mock).
    #[cfg(feature = "mock")]
    pub(crate) fn into_request(self) -> Request {
        self.req
    }
}

impl<T: DeserializeOwned> Call<T> {
    /// Sends the request and decodes the result.
    pub async fn send(mut self) -> Result<T, Error> {
        self.req.execute().await?.into_result()
    }

    /// Sends the request and returns the result with `result_info`, `messages`, the HTTP
    /// status, the `cf-ray` header, all response headers and the `result` JSON as sent
    /// ([`ApiResponse::raw_result`]).
    pub async fn send_with_info(mut self) -> Result<ApiResponse<T>, Error> {
        self.req.execute().await?.into_response()
    }
}

impl<T: DeserializeOwned + Send + 'static> IntoFuture for Call<T> {
    type Output = Result<T, Error>;
    type IntoFuture = BoxFuture<Result<T, Error>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl<T> fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Call").field(&self.req).finish()
    }
}

/// A call of an operation whose response is not JSON (files, CSV, images, …).
#[must_use = "a call does nothing until it is awaited"]
pub struct RawCall {
    req: Request,
}

impl RawCall {
    /// Wraps a request built by generated code ([`crate::__private::raw_call`]) or by
    /// [`CustomRequest`](crate::CustomRequest).
    pub(crate) fn new(req: Request) -> Self {
        RawCall { req }
    }

    call_options!();

    /// The request this call sends (for the mock).
    #[cfg(feature = "mock")]
    pub(crate) fn into_request(self) -> Request {
        self.req
    }

    /// Sends the request and returns the response body. A JSON body with
    /// `"success": false` is reported as [`Error::Api`].
    pub async fn send(mut self) -> Result<RawResponse, Error> {
        self.req.execute().await?.into_raw_checked()
    }
}

impl IntoFuture for RawCall {
    type Output = Result<RawResponse, Error>;
    type IntoFuture = BoxFuture<Result<RawResponse, Error>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl fmt::Debug for RawCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RawCall").field(&self.req).finish()
    }
}
