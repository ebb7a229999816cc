//! The client, its builder and credentials.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};

use super::error::Error;
use super::rate::{BudgetKey, RateBudget};
use super::ratelimit::{Pacer, Pacing, RateLimitStatus};
use super::retry::RetryPolicy;

/// The default base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.cloudflare.com/client/v4";

/// The default `User-Agent`: the runtime crate's name and version
/// (`cloudflare-v4-runtime/<version>`).
pub const DEFAULT_USER_AGENT: &str =
    concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// Client of the Cloudflare v4 API.
///
/// Cheap to clone (an `Arc` inside); clones share the connection pool and the
/// [`RateBudget`]. Build one with [`Client::builder`] or [`Client::from_env`].
///
/// Requests go to the base URL's origin only: redirects are never followed (a redirect is
/// an [`Error::Redirect`]), so the credentials are never sent anywhere else.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Clone)]
pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    /// Without a trailing `/`.
    pub(crate) base_url: String,
    /// `base_url` parsed, so requests only parse their path.
    pub(crate) base: reqwest::Url,
    /// Default headers, user agent and (sensitive) authentication headers.
    pub(crate) headers: HeaderMap,
    pub(crate) credentials: Option<Credentials>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry: RetryPolicy,
    pub(crate) budget: Option<RateBudget>,
    /// The key of the credentials in a shared budget.
    pub(crate) budget_key: BudgetKey,
    /// The server's view (`Ratelimit` headers) and the pacing by it; shared by clones.
    pub(crate) pacer: Arc<Pacer>,
    /// No conversion of values sent with another type than the spec declares.
    pub(crate) strict_decoding: bool,
}

impl Client {
    /// A builder with the defaults: base URL [`DEFAULT_BASE_URL`], no credentials,
    /// 10 s connect timeout, 60 s timeout per attempt, [`RetryPolicy::default`] and
    /// [`RateBudget::cloudflare_default`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from the environment; see [`ClientBuilder::from_env`].
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_env()?.build()
    }

    /// The base URL requests are sent to (without a trailing `/`).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The rate budget, if enabled.
    pub fn rate_budget(&self) -> Option<&RateBudget> {
        self.inner.budget.as_ref()
    }

    /// Where the client's credentials stand against the server's rate limit, as the
    /// `Ratelimit` headers of the last response said (the most restrictive policy, if the
    /// server names several); `None` before a response with them. Shared by clones.
    pub fn rate_limit(&self) -> Option<RateLimitStatus> {
        self.inner.pacer.last()
    }

    /// The key of the client's credentials in a rate budget shared with other processes (a
    /// hash, never the credentials).
    pub fn budget_key(&self) -> &BudgetKey {
        &self.inner.budget_key
    }

    /// A client identical to this one (sharing its connection pool and rate budget) but
    /// with another retry policy, e.g. to opt some calls in to retrying `POST`.
    pub fn with_retry_policy(&self, retry: RetryPolicy) -> Client {
        let mut inner = Inner::clone(&self.inner);
        inner.retry = retry;
        Client {
            inner: Arc::new(inner),
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("Client")
            .field("base_url", &inner.base_url)
            .field("credentials", &inner.credentials)
            .field("timeout", &inner.timeout)
            .field("retry", &inner.retry)
            .field("rate_budget", &inner.budget)
            .field("pacer", &inner.pacer)
            .field("strict_decoding", &inner.strict_decoding)
            .finish_non_exhaustive()
    }
}

/// Builder of a [`Client`], or of a client type that wraps one (`C`).
///
/// `C` is what [`build`](Self::build) returns: [`Client`] itself (start from
/// [`Client::builder`]), or any type made from a [`Client`] (`C: From<Client>`), such as the
/// generated crate's client, whose `Client::builder()` returns a `ClientBuilder<Self>`.
/// [`new`](Self::new) and [`from_env`](Self::from_env) do not fix `C`: name it
/// (`ClientBuilder::<Client>::new()`) or let the use of the built client decide it.
pub struct ClientBuilder<C = Client> {
    base_url: String,
    credentials: Option<Credentials>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    user_agent: String,
    default_headers: Vec<(String, String)>,
    http: Option<reqwest::ClientBuilder>,
    retry: RetryPolicy,
    budget: Option<RateBudget>,
    pacing: Option<Pacing>,
    strict_decoding: bool,
    client: PhantomData<fn() -> C>,
}

impl<C> Default for ClientBuilder<C> {
    fn default() -> Self {
        ClientBuilder::new()
    }
}

impl<C> ClientBuilder<C> {
    /// A builder with the defaults; see [`Client::builder`].
    pub fn new() -> Self {
        ClientBuilder {
            base_url: DEFAULT_BASE_URL.to_owned(),
            credentials: None,
            connect_timeout: Some(Duration::from_secs(10)),
            timeout: Some(Duration::from_secs(60)),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            default_headers: Vec::new(),
            http: None,
            retry: RetryPolicy::default(),
            budget: Some(RateBudget::cloudflare_default()),
            pacing: Some(Pacing::default()),
            strict_decoding: false,
            client: PhantomData,
        }
    }

    /// A builder with credentials from the environment (see [`Credentials::from_env`]) and
    /// the base URL from `CLOUDFLARE_BASE_URL` if set.
    pub fn from_env() -> Result<Self, Error> {
        let mut builder = Self::new().credentials(Credentials::from_env()?);
        if let Some(url) = env_var("CLOUDFLARE_BASE_URL")? {
            builder = builder.base_url(url);
        }
        Ok(builder)
    }

    /// Sets the base URL (default [`DEFAULT_BASE_URL`]).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Sets the credentials.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Sets the connect timeout (default 10 s). It also replaces any connect timeout set on
    /// a builder given with [`http_client`](Self::http_client).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Sets the total timeout of one attempt, from sending the request to reading the
    /// whole response (default 60 s). Retries get a fresh timeout each.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Removes the total timeout of an attempt.
    pub fn no_timeout(mut self) -> Self {
        self.timeout = None;
        self
    }

    /// Sets the `User-Agent` header (default [`DEFAULT_USER_AGENT`]).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Adds a header sent with every request.
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }

    /// Builds the HTTP client from the given reqwest builder (its proxy, TLS, pool and
    /// other settings) instead of a default one.
    ///
    /// Two settings are always replaced when the client is built: redirects are never
    /// followed (see [`Error::Redirect`]), so that the credentials cannot reach another
    /// origin, and the connect timeout is [`connect_timeout`](Self::connect_timeout)'s.
    /// This takes a builder rather than a built `reqwest::Client` because a built client's
    /// redirect policy can be neither inspected nor changed. This builder's timeout, user
    /// agent and headers still apply to every request.
    pub fn http_client(mut self, builder: reqwest::ClientBuilder) -> Self {
        self.http = Some(builder);
        self
    }

    /// Sets the retry policy (default [`RetryPolicy::default`]; [`RetryPolicy::none`]
    /// turns retries off).
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sets the rate budget (default [`RateBudget::cloudflare_default`]). Give several
    /// clients clones of one budget to make them share it.
    pub fn rate_budget(mut self, budget: RateBudget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Turns the rate budget off.
    pub fn no_rate_budget(mut self) -> Self {
        self.budget = None;
        self
    }

    /// Sets how the client paces itself by the server's `Ratelimit` headers (default
    /// [`Pacing::default`]: spread the last 20 requests, or 10 % of the quota, over the time
    /// to the reset, and wait for the reset when none remain).
    pub fn pacing(mut self, pacing: Pacing) -> Self {
        self.pacing = Some(pacing);
        self
    }

    /// Turns pacing by the `Ratelimit` headers off (they are still read:
    /// [`Client::rate_limit`]).
    pub fn no_pacing(mut self) -> Self {
        self.pacing = None;
        self
    }

    /// Decodes responses strictly: a value the API sends with another type than the spec
    /// declares (`"5432"` for an integer) is an [`Error::Decode`] instead of being converted.
    /// By default such values are converted when nothing is lost, with a `tracing` warning
    /// naming the JSON paths.
    pub fn strict_decoding(mut self) -> Self {
        self.strict_decoding = true;
        self
    }

    /// Builds the client, as a `C`.
    pub fn build(self) -> Result<C, Error>
    where
        C: From<Client>,
    {
        let (base_url, base) = check_base_url(&self.base_url)?;
        let mut headers = HeaderMap::new();
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|_| Error::config("the user agent contains invalid characters"))?;
        headers.insert(reqwest::header::USER_AGENT, user_agent);
        for (name, value) in &self.default_headers {
            let header_name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::config(format!("invalid header name {name:?}")))?;
            let header_value = HeaderValue::from_str(value)
                .map_err(|_| Error::config(format!("invalid value for header {name:?}")))?;
            headers.append(header_name, header_value);
        }
        if let Some(credentials) = &self.credentials {
            for (name, value) in credentials.headers()? {
                headers.insert(name, value);
            }
        }
        let mut http = match self.http {
            Some(builder) => builder,
            None => reqwest::Client::builder().use_rustls_tls(),
        };
        // Cloudflare's API does not redirect API calls; following a redirect would send
        // the credentials (reqwest strips only `Authorization`) to wherever it points.
        http = http.redirect(reqwest::redirect::Policy::none());
        if let Some(timeout) = self.connect_timeout {
            http = http.connect_timeout(timeout);
        }
        let http = http
            .build()
            .map_err(|e| Error::config(format!("cannot build the HTTP client: {e}")))?;
        let budget_key = BudgetKey::of(self.credentials.as_ref());
        let client = Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                base,
                headers,
                credentials: self.credentials,
                timeout: self.timeout,
                retry: self.retry,
                budget: self.budget,
                budget_key,
                pacer: Arc::new(Pacer::new(self.pacing)),
                strict_decoding: self.strict_decoding,
            }),
        };
        Ok(C::from(client))
    }
}

impl<C> fmt::Debug for ClientBuilder<C> {
    /// Shows default header names only: their values may be secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self
            .default_headers
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .field("default_headers", &header_names)
            .field("http_client", &self.http.is_some())
            .field("retry", &self.retry)
            .field("rate_budget", &self.budget)
            .field("pacing", &self.pacing)
            .field("strict_decoding", &self.strict_decoding)
            .finish_non_exhaustive()
    }
}

fn check_base_url(url: &str) -> Result<(String, reqwest::Url), Error> {
    let trimmed = url.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(trimmed)
        .map_err(|e| Error::config(format!("invalid base URL {trimmed:?}: {e}")))?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return Err(Error::config(format!(
            "base URL {trimmed:?} is not http(s)"
        )));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() || parsed.cannot_be_a_base() {
        return Err(Error::config(format!(
            "base URL {trimmed:?} must not have a query or fragment"
        )));
    }
    Ok((trimmed.to_owned(), parsed))
}

/// How requests authenticate. `Debug` never shows the secret.
#[derive(Clone)]
pub struct Credentials(Kind);

#[derive(Clone)]
enum Kind {
    ApiToken(SecretString),
    ApiKey { email: String, key: SecretString },
    UserServiceKey(SecretString),
}

impl Credentials {
    /// An API token, sent as `Authorization: Bearer …` (recommended).
    pub fn api_token(token: impl Into<SecretString>) -> Self {
        Credentials(Kind::ApiToken(token.into()))
    }

    /// An account email and global API key, sent as `X-Auth-Email` and `X-Auth-Key`.
    pub fn api_key(email: impl Into<String>, key: impl Into<SecretString>) -> Self {
        Credentials(Kind::ApiKey {
            email: email.into(),
            key: key.into(),
        })
    }

    /// A user service key (Origin CA), sent as `X-Auth-User-Service-Key`.
    pub fn user_service_key(key: impl Into<SecretString>) -> Self {
        Credentials(Kind::UserServiceKey(key.into()))
    }

    /// Credentials from the first of these that is set (and non-empty):
    /// `CLOUDFLARE_API_TOKEN`; `CLOUDFLARE_EMAIL` with `CLOUDFLARE_API_KEY`;
    /// `CLOUDFLARE_API_USER_SERVICE_KEY`. The error says what is missing.
    pub fn from_env() -> Result<Self, Error> {
        if let Some(token) = env_var("CLOUDFLARE_API_TOKEN")? {
            return Ok(Credentials::api_token(token));
        }
        let email = env_var("CLOUDFLARE_EMAIL")?;
        let key = env_var("CLOUDFLARE_API_KEY")?;
        match (email, key) {
            (Some(email), Some(key)) => return Ok(Credentials::api_key(email, key)),
            (Some(_), None) => {
                return Err(Error::config(
                    "CLOUDFLARE_EMAIL is set but CLOUDFLARE_API_KEY is not: \
                     API key authentication needs both",
                ))
            }
            (None, Some(_)) => {
                return Err(Error::config(
                    "CLOUDFLARE_API_KEY is set but CLOUDFLARE_EMAIL is not: \
                     API key authentication needs both",
                ))
            }
            (None, None) => {}
        }
        if let Some(key) = env_var("CLOUDFLARE_API_USER_SERVICE_KEY")? {
            return Ok(Credentials::user_service_key(key));
        }
        Err(Error::config(
            "no Cloudflare credentials in the environment: set CLOUDFLARE_API_TOKEN, or \
             CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY, or CLOUDFLARE_API_USER_SERVICE_KEY",
        ))
    }

    /// The scheme's name: `api_token`, `api_key` or `user_service_key`.
    pub fn scheme(&self) -> &'static str {
        match self.0 {
            Kind::ApiToken(_) => "api_token",
            Kind::ApiKey { .. } => "api_key",
            Kind::UserServiceKey(_) => "user_service_key",
        }
    }

    /// Feeds what identifies these credentials (their kind, email and secret) to `out`, part
    /// by part: the input of [`BudgetKey::of`](crate::BudgetKey::of).
    pub(crate) fn hash_into(&self, out: &mut dyn FnMut(&[u8])) {
        match &self.0 {
            Kind::ApiToken(token) => {
                out(b"api-token");
                out(token.expose_secret().as_bytes());
            }
            Kind::ApiKey { email, key } => {
                out(b"api-key");
                out(email.as_bytes());
                out(key.expose_secret().as_bytes());
            }
            Kind::UserServiceKey(key) => {
                out(b"user-service-key");
                out(key.expose_secret().as_bytes());
            }
        }
    }

    /// The authentication headers, values marked sensitive.
    fn headers(&self) -> Result<Vec<(HeaderName, HeaderValue)>, Error> {
        let secret = |name: &str, value: &str| {
            let mut value = HeaderValue::from_str(value).map_err(|_| {
                Error::config(format!(
                    "the {name} contains characters not allowed in a header"
                ))
            })?;
            value.set_sensitive(true);
            Ok::<_, Error>(value)
        };
        Ok(match &self.0 {
            Kind::ApiToken(token) => vec![(
                reqwest::header::AUTHORIZATION,
                secret(
                    "API token",
                    &Zeroizing::new(format!("Bearer {}", token.expose_secret().trim())),
                )?,
            )],
            Kind::ApiKey { email, key } => vec![
                (
                    HeaderName::from_static("x-auth-email"),
                    HeaderValue::from_str(email.trim())
                        .map_err(|_| Error::config("the email contains invalid characters"))?,
                ),
                (
                    HeaderName::from_static("x-auth-key"),
                    secret("API key", key.expose_secret().trim())?,
                ),
            ],
            Kind::UserServiceKey(key) => vec![(
                HeaderName::from_static("x-auth-user-service-key"),
                secret("user service key", key.expose_secret().trim())?,
            )],
        })
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Kind::ApiToken(_) => f.write_str("ApiToken(<redacted>)"),
            Kind::ApiKey { email, .. } => f
                .debug_struct("ApiKey")
                .field("email", email)
                .field("key", &format_args!("<redacted>"))
                .finish(),
            Kind::UserServiceKey(_) => f.write_str("UserServiceKey(<redacted>)"),
        }
    }
}

/// A non-empty environment variable; an error if it is not valid Unicode.
fn env_var(name: &str) -> Result<Option<String>, Error> {
    match std::env::var(name) {
        Ok(value) if value.trim().is_empty() => Ok(None),
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(Error::config(format!("{name} is not valid Unicode")))
        }
    }
}
