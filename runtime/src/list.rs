//! Paginated list calls.

use std::collections::HashSet;
use std::fmt;
use std::future::IntoFuture;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::marker::PhantomData;

use bytes::Bytes;
use futures::{Stream, TryStreamExt};
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use super::call::BoxFuture;
use super::error::Error;
use super::operation::Pagination;
use super::options::call_options;
use super::request::Request;
use super::response::{decode, Parts, Reply, ResultInfo};

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items (the envelope's `result`).
    pub items: Vec<T>,
    /// The envelope's `result_info`.
    pub result_info: Option<ResultInfo>,
    /// What client error correction changed while decoding the items: empty when the page
    /// matched the spec (see [`Decoding`](super::Decoding)).
    pub corrections: Vec<super::Correction>,
    /// All response headers.
    pub headers: HeaderMap,
    /// Where the caller stands against the server's rate limit, as this page's `Ratelimit`
    /// headers said (the most restrictive policy, if they name several).
    pub rate_limit: Option<super::RateLimitStatus>,
    /// The `result` JSON as the server sent it (all of its items, also those cut by
    /// `max_items`): shared with the response body, not copied.
    raw_items: Bytes,
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<T> Page<T> {
    /// Iterates over the items.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// The `result` JSON exactly as the server sent it, for item properties the spec does not
    /// describe (typed decoding ignores them).
    pub fn raw_items(&self) -> &str {
        // Always a JSON text that parsed, so valid UTF-8.
        std::str::from_utf8(&self.raw_items).unwrap_or("null")
    }

    /// [`raw_items`](Self::raw_items) parsed as a JSON value.
    pub fn items_json(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::from_slice(&self.raw_items)
    }
}

impl<'a, T> IntoIterator for &'a Page<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// A call of a paginated list operation; `T` is the item type.
///
/// `.await` (or [`send`](Self::send)) fetches one page, the one the parameters ask for;
/// [`pages`](Self::pages) and [`items`](Self::items) walk all pages.
///
/// # How a walk ends
///
/// A [`ListCall`] stream requests pages until one of these holds, without a request past
/// the end when the server says where the end is:
/// - `max_pages` pages were yielded or `max_items` items (the last page is cut to fit);
/// - a page is empty;
/// - page style: `result_info` does not say that there is another page. It says so when
///   the page number is below `total_pages`; else when the pages so far do not cover
///   `total_count` (pages of `per_page` items, or of the longest page's length when the
///   server does not say `per_page`); else when it has `page` or `per_page` and the page is
///   full (as many items as its `per_page`, or the `per_page` asked for). A response
///   without `result_info` is the last page;
/// - cursor style: `result_info` has no next cursor (`cursors.after` or `cursor`);
/// - the request is not a read (`GET`, `HEAD`, `OPTIONS`): a listing answered to a write is
///   never sent again for the next page, which would apply the write again. If the server
///   says more pages follow, the stream ends with [`Error::Pagination`] after the first.
///
/// A server that does not advance ends the stream with [`Error::Pagination`] instead of
/// looping or silently repeating data: a page-style response whose `result_info.page` is
/// not the page requested (the server ignores `page`), a page identical to the previous
/// one, or a cursor that was already used. The pages before are yielded normally; the
/// error is the last item, so a caller who collects everything learns that the listing is
/// incomplete.
///
/// The streams are not `Unpin`; pin them to poll them one item at a time:
///
/// ```no_run
/// # async fn example(
/// #     records: cloudflare_v4_runtime::ListCall<serde_json::Value>,
/// # ) -> Result<(), cloudflare_v4_runtime::Error> {
/// use futures::TryStreamExt;
///
/// let mut items = std::pin::pin!(records.max_items(500).items());
/// while let Some(record) = items.try_next().await? {
///     println!("{record}");
/// }
/// # Ok(())
/// # }
/// ```
#[must_use = "a call does nothing until it is awaited or streamed"]
pub struct ListCall<T> {
    req: Request,
    max_pages: Option<usize>,
    max_items: Option<usize>,
    per_page: Option<u32>,
    _item: PhantomData<fn() -> T>,
}

impl<T> ListCall<T> {
    /// Wraps a request built by generated code ([`crate::__private::list_call`]) or by
    /// [`CustomRequest`](crate::CustomRequest).
    pub(crate) fn new(req: Request) -> Self {
        ListCall {
            req,
            max_pages: None,
            max_items: None,
            per_page: None,
            _item: PhantomData,
        }
    }

    call_options!();

    /// Stops after `n` pages.
    pub fn max_pages(mut self, n: usize) -> Self {
        self.max_pages = Some(n);
        self
    }

    /// Stops after `n` items.
    pub fn max_items(mut self, n: usize) -> Self {
        self.max_items = Some(n);
        self
    }

    /// Asks for `n` items per page (sets the `per_page` query parameter).
    pub fn per_page(mut self, n: u32) -> Self {
        self.per_page = Some(n);
        self
    }

    /// The request this call sends first (for the mock).
    #[cfg(feature = "mock")]
    pub(crate) fn into_request(self) -> Request {
        self.req
    }

    fn into_pager(self) -> Pager {
        Pager::new(self.req, self.per_page, self.max_pages, self.max_items)
    }
}

impl<T: DeserializeOwned + Send + 'static> ListCall<T> {
    /// Fetches one page: the one the request's parameters ask for (cut to `max_items`).
    pub async fn send(self) -> Result<Page<T>, Error> {
        let mut pager = self.into_pager();
        pager.max_pages = Some(1);
        next_page(&mut pager)
            .await?
            .ok_or_else(|| Error::Pagination {
                operation: pager.req.op.id,
                message: "no page was fetched".to_owned(),
            })
    }

    /// Fetches pages one after the other, as a stream.
    pub fn pages(self) -> impl Stream<Item = Result<Page<T>, Error>> + Send + 'static {
        futures::stream::try_unfold(self.into_pager(), |mut pager| async move {
            Ok(next_page(&mut pager).await?.map(|page| (page, pager)))
        })
    }

    /// Fetches pages one after the other, as a stream of their items.
    pub fn items(self) -> impl Stream<Item = Result<T, Error>> + Send + 'static {
        self.pages()
            .map_ok(|page| futures::stream::iter(page.items.into_iter().map(Ok)))
            .try_flatten()
    }
}

impl<T: DeserializeOwned + Send + 'static> IntoFuture for ListCall<T> {
    type Output = Result<Page<T>, Error>;
    type IntoFuture = BoxFuture<Result<Page<T>, Error>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl<T> fmt::Debug for ListCall<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListCall")
            .field("request", &self.req)
            .field("max_pages", &self.max_pages)
            .field("max_items", &self.max_items)
            .field("per_page", &self.per_page)
            .finish()
    }
}

/// Fetches and decodes the next page, if any. The only generic part of a listing.
async fn next_page<T: DeserializeOwned>(pager: &mut Pager) -> Result<Option<Page<T>>, Error> {
    let Some(reply) = pager.fetch().await? else {
        return Ok(None);
    };
    let parts = reply.split()?;
    let (mut items, corrections): (Vec<T>, _) = decode(&reply, &parts)?;
    let keep = pager.accept(&reply, &parts, items.len())?;
    items.truncate(keep);
    let raw_items = reply.share(parts.json);
    let result_info = parts.result_info;
    Ok(Some(Page {
        items,
        result_info,
        corrections,
        rate_limit: super::RateLimitStatus::most_restrictive(&reply.rate_limits).cloned(),
        headers: reply.headers,
        raw_items,
    }))
}

/// What the next request of a listing is.
enum Next {
    /// The request as built (plus `per_page`).
    First,
    /// This page number.
    Page(u64),
    /// This cursor.
    Cursor(String),
    /// The listing is complete.
    Done,
    /// The listing cannot go on; the message of the [`Error::Pagination`] to return.
    Fail(String),
}

/// The non-generic state of a listing.
struct Pager {
    req: Request,
    style: Pagination,
    next: Next,
    /// Page number of the request in flight (page style).
    page: u64,
    /// Whether `page` was requested explicitly by the pager.
    page_requested: bool,
    per_page: Option<u64>,
    max_pages: Option<usize>,
    max_items: Option<usize>,
    pages: usize,
    items: usize,
    /// The length of the longest page so far.
    largest_page: u64,
    seen_cursors: HashSet<String>,
    previous_hash: Option<u64>,
}

impl Pager {
    fn new(
        mut req: Request,
        per_page: Option<u32>,
        max_pages: Option<usize>,
        max_items: Option<usize>,
    ) -> Self {
        if let Some(n) = per_page {
            req.set_query("per_page", n.to_string());
        }
        let per_page = req.query_value("per_page").and_then(|v| v.parse().ok());
        let page = req
            .query_value("page")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        let seen_cursors = req
            .query_value("cursor")
            .map(str::to_owned)
            .into_iter()
            .collect();
        Pager {
            style: req.op.pagination,
            req,
            next: Next::First,
            page,
            page_requested: false,
            per_page,
            max_pages,
            max_items,
            pages: 0,
            items: 0,
            largest_page: 0,
            seen_cursors,
            previous_hash: None,
        }
    }

    /// Sends the next request, or returns `None` when the listing is complete.
    async fn fetch(&mut self) -> Result<Option<Reply>, Error> {
        match std::mem::replace(&mut self.next, Next::Done) {
            Next::Done => return Ok(None),
            Next::Fail(message) => {
                return Err(Error::Pagination {
                    operation: self.req.op.id,
                    message,
                })
            }
            Next::First => {}
            Next::Page(page) => {
                self.req.set_query("page", page.to_string());
                self.page = page;
                self.page_requested = true;
            }
            Next::Cursor(cursor) => self.req.set_query("cursor", cursor),
        }
        self.req.execute().await.map(Some)
    }

    /// Checks that a fetched page advanced the listing and decides what comes next.
    /// Returns how many of its `len` items to yield.
    fn accept(&mut self, reply: &Reply, parts: &Parts<'_>, len: usize) -> Result<usize, Error> {
        let info = parts.result_info.as_ref();
        let fail = |message: String| Error::Pagination {
            operation: reply.op.id,
            message,
        };
        if self.page_requested {
            if let Some(got) = info.and_then(|i| i.page).filter(|got| *got != self.page) {
                return Err(fail(format!(
                    "asked for page {} but the server returned page {got}; it probably ignores the `page` parameter",
                    self.page
                )));
            }
        }
        let hash = {
            let mut hasher = DefaultHasher::new();
            parts.json.hash(&mut hasher);
            hasher.finish()
        };
        if len > 0 && self.previous_hash == Some(hash) {
            return Err(fail("the server returned the same page twice".to_owned()));
        }
        self.previous_hash = Some(hash);

        let keep = match self.max_items {
            Some(max) => len.min(max.saturating_sub(self.items)),
            None => len,
        };
        self.pages = self.pages.saturating_add(1);
        self.items = self.items.saturating_add(keep);
        self.largest_page = self.largest_page.max(len as u64);
        let capped = self.max_pages.is_some_and(|max| self.pages >= max)
            || self.max_items.is_some_and(|max| self.items >= max);
        self.next = if capped || len == 0 {
            Next::Done
        } else {
            match self.style {
                Pagination::None => Next::Done,
                Pagination::Page => self.next_page(info, len),
                Pagination::Cursor => self.next_cursor(info),
            }
        };
        let method = self.req.op.method;
        if matches!(self.next, Next::Page(_) | Next::Cursor(_)) && !method.is_safe() {
            // Only reads are repeated: another page of a write would apply it again.
            self.next = Next::Fail(format!(
                "the listing has more pages, but the request is a {method}: pages after the \
                 first are fetched only for GET, as repeating a write would apply it again \
                 (send the next page as a call of its own)"
            ));
        }
        Ok(keep)
    }

    /// The page after this one, if `result_info` says there is one. If it does not, the
    /// walk ends: another request could only find nothing or repeat this page, which would
    /// end the stream in an error and cost a collecting caller the items so far.
    fn next_page(&self, info: Option<&ResultInfo>, len: usize) -> Next {
        let Some(info) = info else {
            return Next::Done;
        };
        let current = match (self.page_requested, info.page) {
            (false, Some(page)) => page,
            _ => self.page,
        };
        let more = if let Some(total_pages) = info.total_pages {
            current < total_pages
        } else if let Some(total) = info.total_count {
            // The server's page size, else the largest page it sent: full pages have the
            // size it really uses, whatever `per_page` asked for.
            let per_page = info
                .per_page
                .filter(|n| *n > 0)
                .unwrap_or(self.largest_page);
            current.saturating_mul(per_page) < total
        } else if info.page.is_some() || info.per_page.is_some() {
            // A page number or size but no totals: a full page may have a successor.
            info.per_page
                .or(self.per_page)
                .filter(|n| *n > 0)
                .is_some_and(|per_page| len as u64 >= per_page)
        } else {
            false
        };
        match current.checked_add(1) {
            Some(next) if more => Next::Page(next),
            _ => Next::Done,
        }
    }

    fn next_cursor(&mut self, info: Option<&ResultInfo>) -> Next {
        match info.and_then(ResultInfo::next_cursor) {
            None => Next::Done,
            Some(cursor) if self.seen_cursors.insert(cursor.to_owned()) => {
                Next::Cursor(cursor.to_owned())
            }
            Some(_) => Next::Fail("the server returned a cursor that was already used".to_owned()),
        }
    }
}
