//! The options every call takes for itself: headers, query pairs, timeout, retries and extra
//! body fields. One macro, so that the call types ([`Call`](crate::Call),
//! [`ListCall`](crate::ListCall), [`RawCall`](crate::RawCall) and
//! [`CustomRequest`](crate::CustomRequest)) document and behave alike; each holds its
//! request in a field `req`.

macro_rules! call_options {
    () => {
        /// Sends the header `name: value` with this call only, replacing a header of that
        /// name that the client or the typed parameters set.
        ///
        /// The credentials' headers (`Authorization`, `X-Auth-Email`, `X-Auth-Key`,
        /// `X-Auth-User-Service-Key`, `Proxy-Authorization`) and the headers that frame the
        /// message (`Host`, `Content-Length`, `Transfer-Encoding`, `Connection`, …) cannot be
        /// set on a call, nor can a name or value with CR, LF or NUL: the call then fails
        /// with [`Error::InvalidRequest`](crate::Error::InvalidRequest) before anything is
        /// sent. Other credentials take a client of their own.
        pub fn header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
            self.req.set_header(name.as_ref(), value.as_ref());
            self
        }

        /// Adds the query pair `name=value` (percent-encoded) to this call, after the typed
        /// parameters: a parameter the spec does not describe, or a value the typed one cannot
        /// hold. Numbers are written as Rust displays them (`3600.0_f64` as `3600`). A name
        /// or value with CR, LF or NUL fails the call with
        /// [`Error::InvalidRequest`](crate::Error::InvalidRequest).
        pub fn query(mut self, name: impl Into<String>, value: impl std::fmt::Display) -> Self {
            self.req.add_query(name.into(), value.to_string());
            self
        }

        /// Sets the timeout of each attempt of this call (the client's, 60 s by default,
        /// otherwise).
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.req.set_timeout(Some(timeout));
            self
        }

        /// Removes the timeout of each attempt of this call.
        pub fn no_timeout(mut self) -> Self {
            self.req.set_timeout(None);
            self
        }

        /// Sets the retry policy of this call (the client's otherwise);
        /// [`RetryPolicy::none`](crate::RetryPolicy::none) sends it once.
        pub fn retry_policy(mut self, retry: crate::RetryPolicy) -> Self {
            self.req.set_retry_policy(retry);
            self
        }

        /// Adds the top-level field `name` to this call's JSON body, replacing a field of
        /// that name the typed body has: a field the spec does not describe. The fields are
        /// merged into the serialized body once, before the first attempt. A call without a
        /// body sends an object of these fields alone; a body that is not a JSON object (a
        /// list, a multipart form, raw bytes) fails the call with
        /// [`Error::InvalidRequest`](crate::Error::InvalidRequest).
        pub fn body_field(mut self, name: impl Into<String>, value: impl serde::Serialize) -> Self {
            self.req.set_body_field(name.into(), &value);
            self
        }
    };
}

pub(crate) use call_options;
