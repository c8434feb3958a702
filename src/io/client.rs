//! [`HttpClient`]: executes range reads over a [`Transport`] with the planner, the byte
//! cache, in-flight deduplication, per-origin concurrency bounds, retries and
//! cancellation; [`HttpSource`] and [`HttpStore`] put the [`RangeSource`] and [`Store`]
//! faces on it.
//!
//! Responses are judged by `src/io/validate.rs` (RFC 9110 §15.3.7, §14.4). Object sizes
//! come from `HEAD` (§9.3.2) or, when HEAD is refused or has no `Content-Length`, from
//! the `Content-Range` of a `bytes=0-0` GET. A server that answers suffix ranges
//! (`bytes=-n`) with a whole body is remembered per origin and then read with bounded
//! ranges after learning the size.
//!
//! The caller's headers (credentials) go only to the origins of
//! [`RangeOptions::header_origins`] (by default the origin the client opened first):
//! a kerchunk reference or an external index naming another host gets no credentials.
//!
//! The client is single-threaded (`Rc`, no `Send`), like the wasm module it also serves:
//! use one per thread or worker. Cancelling a read drops its futures; a request that
//! several reads share is dropped (and its `fetch` aborted) when the last of them goes.

use super::budget::ByteBudget;
use super::cache::ByteCache;
use super::planner::{backoff_ms, plan_requests, slice_back, RangeOptions};
use super::stats::{count_bytes, count_cache_hit, count_request, Stats, StatsCounters};
use super::transport::{HttpRequest, HttpResponse, Transport};
use super::validate::{size_from_probe, status_error, validate_head, validate_range_response, RangeBody};
use super::{ByteRange, CancelToken, RangeSource, Store};
use crate::error::{IoError, LimitExceeded};
use async_lock::Semaphore;
use async_trait::async_trait;
use bytes::Bytes;
use futures::future::{select, Either, FutureExt, LocalBoxFuture, Shared, WeakShared};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;

type FetchFuture = LocalBoxFuture<'static, Result<RangeBody, IoError>>;
type WholeFuture = LocalBoxFuture<'static, Result<Option<Bytes>, IoError>>;

struct ClientInner {
    transport: Rc<dyn Transport>,
    options: RangeOptions,
    cache: RefCell<ByteCache>,
    inflight: RefCell<HashMap<(String, ByteRange), WeakShared<FetchFuture>>>,
    /// Whole-object GETs in flight, by (URL, size cap): concurrent readers share one.
    inflight_whole: RefCell<HashMap<(String, u64), WeakShared<WholeFuture>>>,
    semaphores: RefCell<HashMap<String, Arc<Semaphore>>>,
    sizes: RefCell<HashMap<String, u64>>,
    no_suffix_origins: RefCell<HashSet<String>>,
    header_scope: RefCell<HeaderScope>,
    budget: ByteBudget,
    stats: StatsCounters,
}

/// Which origins receive the caller's headers (normalised by [`normalized_origin`]).
#[derive(Debug)]
enum HeaderScope {
    /// Not decided yet: the first URL opened or requested sets it.
    FirstOpened,
    Any,
    Only(Vec<String>),
}

impl HeaderScope {
    fn from_options(list: Option<&[String]>) -> Self {
        match list {
            None => HeaderScope::FirstOpened,
            Some(l) if l.iter().any(|o| o.trim() == "*") => HeaderScope::Any,
            Some(l) => HeaderScope::Only(l.iter().map(|o| normalized_origin(o)).collect()),
        }
    }
}

/// A shared HTTP range reader: transport, planner, cache and counters. Cheap to clone
/// (clones share everything); use one per group of origins.
#[derive(Clone)]
pub struct HttpClient {
    inner: Rc<ClientInner>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient").field("options", &self.inner.options).finish_non_exhaustive()
    }
}

/// `scheme://authority` of `url` (the whole string if it has no scheme).
pub fn origin(url: &str) -> &str {
    let Some(i) = url.find("://") else { return url };
    let after = i + 3;
    let end = url.get(after..).and_then(|rest| rest.find(['/', '?', '#'])).map_or(url.len(), |j| after + j);
    url.get(..end).unwrap_or(url)
}

/// The origin of `url` as headers are scoped by it: scheme and host lower-cased, user
/// info and the scheme's default port dropped (`HTTPS://u@H.example:443/x` →
/// `https://h.example`).
pub fn normalized_origin(url: &str) -> String {
    let o = origin(url.trim());
    let Some((scheme, authority)) = o.split_once("://") else { return o.to_ascii_lowercase() };
    let scheme = scheme.to_ascii_lowercase();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h).to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => ":80",
        "https" => ":443",
        _ => "",
    };
    let host = if default_port.is_empty() { host.as_str() } else { host.strip_suffix(default_port).unwrap_or(&host) };
    format!("{scheme}://{host}")
}

/// Join `key` to `base`, percent-encoding each path segment (`"my group"` →
/// `"my%20group"`); `/` separates segments.
pub fn join_url(base: &str, key: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    let mut out = base.trim_end_matches('/').to_owned();
    for seg in key.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.extend(utf8_percent_encode(seg, SEGMENT));
    }
    out
}

async fn or_cancel<F: Future>(fut: F, cancel: &CancelToken) -> Result<F::Output, IoError> {
    if cancel.is_cancelled() {
        return Err(IoError::Aborted);
    }
    let fut = std::pin::pin!(fut);
    match select(fut, cancel.cancelled()).await {
        Either::Left((v, _)) => Ok(v),
        Either::Right(_) => Err(IoError::Aborted),
    }
}

impl HttpClient {
    /// A client over the platform transport: `reqwest` natively, the global `fetch` in
    /// wasm.
    pub fn new(options: RangeOptions) -> Self {
        #[cfg(not(target_arch = "wasm32"))]
        let transport: Rc<dyn Transport> = Rc::new(super::transport::ReqwestTransport::new());
        #[cfg(target_arch = "wasm32")]
        let transport: Rc<dyn Transport> = Rc::new(super::fetch::FetchTransport::global());
        Self::with_transport(transport, options)
    }

    /// A client over a given transport (a caller-supplied `fetch`, a test double).
    pub fn with_transport(transport: Rc<dyn Transport>, options: RangeOptions) -> Self {
        let cache = RefCell::new(ByteCache::new(options.cache_bytes));
        let header_scope = RefCell::new(HeaderScope::from_options(options.header_origins.as_deref()));
        let budget = ByteBudget::new(options.max_bytes_in_flight);
        HttpClient {
            inner: Rc::new(ClientInner {
                transport,
                options,
                cache,
                inflight: RefCell::default(),
                inflight_whole: RefCell::default(),
                semaphores: RefCell::default(),
                sizes: RefCell::default(),
                no_suffix_origins: RefCell::default(),
                header_scope,
                budget,
                stats: StatsCounters::new(),
            }),
        }
    }

    /// The options this client was made with.
    pub fn options(&self) -> &RangeOptions {
        &self.inner.options
    }

    /// The budget of bytes in flight shared by this client's requests.
    pub fn budget(&self) -> &ByteBudget {
        &self.inner.budget
    }

    /// This client's counters.
    pub fn stats(&self) -> Stats {
        self.inner.stats.snapshot()
    }

    /// One object at `url`. The first URL a client opens or requests fixes the origin
    /// that receives its headers, unless [`RangeOptions::header_origins`] lists them.
    pub fn source(&self, url: impl Into<String>) -> HttpSource {
        let url = url.into();
        self.claim_origin(&url);
        HttpSource { client: self.clone(), url, cancel: CancelToken::new() }
    }

    /// The objects under `base_url` (a Zarr store, a directory of files). Sets the
    /// header origin like [`HttpClient::source`].
    pub fn store(&self, base_url: impl Into<String>) -> HttpStore {
        let base = base_url.into();
        self.claim_origin(&base);
        HttpStore { client: self.clone(), base, cancel: CancelToken::new() }
    }

    /// Whether requests to `url` carry the caller's headers. Like a request, this fixes
    /// the header origin to `url`'s on a client that has opened nothing yet.
    pub fn sends_headers_to(&self, url: &str) -> bool {
        self.claim_origin(url);
        match &*self.inner.header_scope.borrow() {
            HeaderScope::Any => true,
            HeaderScope::Only(list) => {
                let o = normalized_origin(url);
                list.contains(&o)
            }
            HeaderScope::FirstOpened => false,
        }
    }

    /// Make `url`'s origin the header origin if none is set yet.
    fn claim_origin(&self, url: &str) {
        let mut scope = self.inner.header_scope.borrow_mut();
        if matches!(*scope, HeaderScope::FirstOpened) {
            *scope = HeaderScope::Only(vec![normalized_origin(url)]);
        }
    }

    fn semaphore(&self, url: &str) -> Arc<Semaphore> {
        let o = origin(url);
        let mut map = self.inner.semaphores.borrow_mut();
        if let Some(s) = map.get(o) {
            return s.clone();
        }
        let s = Arc::new(Semaphore::new(self.inner.options.max_concurrency.max(1)));
        map.insert(o.to_owned(), s.clone());
        s
    }

    /// `req` with the caller's headers if its origin may receive them.
    fn request(&self, mut req: HttpRequest) -> HttpRequest {
        if !self.inner.options.headers.is_empty() && self.sends_headers_to(&req.url) {
            req.headers.clone_from(&self.inner.options.headers);
        }
        req
    }

    async fn send_once(&self, req: &HttpRequest, cancel: &CancelToken) -> Result<HttpResponse, IoError> {
        let t = &self.inner.transport;
        match self.inner.options.timeout_ms {
            None => t.send(req, cancel).await,
            Some(ms) => {
                let send = std::pin::pin!(t.send(req, cancel));
                let sleep = std::pin::pin!(t.sleep(ms));
                match select(send, sleep).await {
                    Either::Left((r, _)) => r,
                    Either::Right(_) => Err(IoError::Timeout { url: req.url.clone(), ms }),
                }
            }
        }
    }

    /// Send `req` under the origin's concurrency bound and with `charge` bytes of the
    /// client's budget (taken after the origin's permit, so that a holder of budget never
    /// waits for anything else), judge the response, and retry transient failures with
    /// backoff.
    async fn with_retries<T>(
        &self,
        req: &HttpRequest,
        charge: u64,
        cancel: &CancelToken,
        judge: impl Fn(&HttpResponse) -> Result<T, IoError>,
    ) -> Result<T, IoError> {
        let sem = self.semaphore(&req.url);
        let mut attempt = 0u32;
        loop {
            let result = {
                let _permit = or_cancel(sem.acquire_arc(), cancel).await?;
                let _charge = or_cancel(self.inner.budget.charge(charge), cancel).await??;
                count_request(Some(&self.inner.stats));
                match self.send_once(req, cancel).await {
                    Ok(resp) => {
                        count_bytes(Some(&self.inner.stats), resp.body.len() as u64);
                        judge(&resp)
                    }
                    Err(e) => Err(e),
                }
            };
            match result {
                Err(e) if e.is_transient() && attempt < self.inner.options.max_retries => {
                    or_cancel(self.inner.transport.sleep(backoff_ms(attempt)), cancel).await?;
                    attempt += 1;
                }
                r => return r,
            }
        }
    }

    /// The size of the object at `url` (remembered once known).
    ///
    /// # Errors
    /// `NotFound`, HTTP and network errors, `Aborted`.
    pub async fn len(&self, url: &str, cancel: &CancelToken) -> Result<u64, IoError> {
        if let Some(&n) = self.inner.sizes.borrow().get(url) {
            return Ok(n);
        }
        let head = self.request(HttpRequest::head(url));
        let size = match self.with_retries(&head, 0, cancel, |r| validate_head(url, r)).await {
            Ok(Some(n)) => n,
            // HEAD refused (405, 501, a presigned GET URL's 403) or without Content-Length.
            Ok(None) | Err(IoError::Http { .. }) => {
                let probe = self.request(HttpRequest::get(url, Some(ByteRange::Bounded { start: 0, end: 1 }), Some(1)));
                self.with_retries(&probe, 1, cancel, |r| size_from_probe(url, r)).await?
            }
            Err(e) => return Err(e),
        };
        self.inner.sizes.borrow_mut().insert(url.to_owned(), size);
        Ok(size)
    }

    /// The whole object at `url`, at most `max` bytes; `None` if it does not exist.
    /// Concurrent calls for the same object share one request.
    ///
    /// # Errors
    /// HTTP and network errors, `Aborted`, `LimitExceeded` past `max`.
    pub async fn get_whole(&self, url: &str, max: u64, cancel: &CancelToken) -> Result<Option<Bytes>, IoError> {
        let key = (url.to_owned(), max);
        let existing = self.inner.inflight_whole.borrow().get(&key).and_then(WeakShared::upgrade);
        let shared = match existing {
            Some(s) => s,
            None => {
                let this = self.clone();
                let k = key.clone();
                let fut: WholeFuture = async move {
                    // Not cancelled by any one reader: dropped when the last one leaves.
                    let r = this.fetch_whole(&k.0, k.1, &CancelToken::new()).await;
                    this.inner.inflight_whole.borrow_mut().remove(&k);
                    r
                }
                .boxed_local();
                let s = fut.shared();
                let mut map = self.inner.inflight_whole.borrow_mut();
                if map.len() >= 256 {
                    map.retain(|_, w| w.upgrade().is_some());
                }
                if let Some(w) = s.downgrade() {
                    map.insert(key, w);
                }
                s
            }
        };
        or_cancel(shared, cancel).await?
    }

    async fn fetch_whole(&self, url: &str, max: u64, cancel: &CancelToken) -> Result<Option<Bytes>, IoError> {
        let mut req = self.request(HttpRequest::get(url, None, Some(max)));
        // The size is known once the headers arrive: the transport charges it then.
        req.budget = Some(self.inner.budget.clone());
        self.with_retries(&req, 0, cancel, |r| match r.status {
            200 => {
                let got = r.body.len() as u64;
                if r.overflow {
                    let requested = r.content_length.unwrap_or(got.saturating_add(1)).max(got);
                    return Err(LimitExceeded { what: "object bytes", requested, max }.into());
                }
                match r.content_length {
                    Some(n) if n != got => Err(IoError::Truncated { url: url.to_owned(), expected: n, got }),
                    _ => Ok(Some(r.body.clone())),
                }
            }
            404 | 410 => Ok(None),
            s => Err(status_error(url, s, None, &r.body)),
        })
        .await
    }

    /// Fetch `ranges` of the object at `url`, one buffer per range in order: served from
    /// the cache where possible, the rest merged into as few requests as the gap allows,
    /// run concurrently.
    ///
    /// # Errors
    /// `NotFound`, `NotPartial`, `RangeNotSatisfiable`, HTTP, network, limit errors,
    /// `Aborted`.
    pub async fn get_ranges(
        &self,
        url: &str,
        ranges: &[ByteRange],
        cancel: &CancelToken,
    ) -> Result<Vec<Bytes>, IoError> {
        let size = self.inner.sizes.borrow().get(url).copied();
        let eff: Vec<ByteRange> = ranges
            .iter()
            .map(|r| match (*r, size) {
                (ByteRange::Suffix(n), Some(s)) if s > 0 => ByteRange::Bounded { start: s - n.min(s), end: s },
                _ => *r,
            })
            .collect();
        let mut out: Vec<Option<Bytes>> = vec![None; ranges.len()];
        let mut miss_idx = Vec::new();
        {
            let mut cache = self.inner.cache.borrow_mut();
            for (i, r) in eff.iter().enumerate() {
                if let ByteRange::Bounded { start, end } = *r {
                    let end = size.map_or(end, |s| end.min(s));
                    if let Some(b) = cache.get(url, start, end) {
                        count_cache_hit(Some(&self.inner.stats));
                        if let Some(slot) = out.get_mut(i) {
                            *slot = Some(b);
                        }
                        continue;
                    }
                }
                miss_idx.push(i);
            }
        }
        let misses: Vec<ByteRange> = miss_idx.iter().filter_map(|&i| eff.get(i).copied()).collect();
        let plan = plan_requests(&misses, self.inner.options.coalesce_gap);
        // All requests of one read go out at once: cap their sum before sending any.
        let in_flight = plan.iter().fold(0u64, |acc, p| acc.saturating_add(p.range.len()));
        crate::limits::check("bytes in flight of one read", in_flight, self.inner.options.limits.max_in_flight_bytes)?;
        let results = futures::future::join_all(plan.iter().map(|p| self.fetch_planned(url, p.range, cancel))).await;
        for (p, r) in plan.iter().zip(results) {
            let body = r?;
            for &j in &p.serves {
                let Some(&i) = miss_idx.get(j) else { continue };
                let (Some(want), Some(slot)) = (eff.get(i), out.get_mut(i)) else { continue };
                *slot = Some(slice_back(want, body.start, &body.bytes, body.total)?);
            }
        }
        out.into_iter()
            .map(|b| b.ok_or_else(|| IoError::InvalidRange { reason: "a range was not served".into() }))
            .collect()
    }

    /// One planned request, with the fallback for servers that refuse suffix ranges.
    async fn fetch_planned(&self, url: &str, range: ByteRange, cancel: &CancelToken) -> Result<RangeBody, IoError> {
        let o = origin(url);
        let suffix_refused = || self.inner.no_suffix_origins.borrow().contains(o);
        if let ByteRange::Suffix(n) = range {
            if !suffix_refused() {
                match self.fetch_dedup(url, range, cancel).await {
                    Err(IoError::NotPartial { .. }) => {
                        self.inner.no_suffix_origins.borrow_mut().insert(o.to_owned());
                    }
                    r => return r,
                }
            }
            let size = self.len(url, cancel).await?;
            if size == 0 {
                return Ok(RangeBody { start: 0, bytes: Bytes::new(), total: Some(0) });
            }
            let bounded = ByteRange::Bounded { start: size - n.min(size), end: size };
            let mut body = self.fetch_dedup(url, bounded, cancel).await?;
            body.total = Some(size);
            return Ok(body);
        }
        self.fetch_dedup(url, range, cancel).await
    }

    /// Fetch one range, sharing the request with identical reads in flight.
    async fn fetch_dedup(&self, url: &str, range: ByteRange, cancel: &CancelToken) -> Result<RangeBody, IoError> {
        let limits = &self.inner.options.limits;
        crate::limits::check("bytes of one range request", range.len(), limits.max_in_flight_bytes)?;
        let key = (url.to_owned(), range);
        let existing = self.inner.inflight.borrow().get(&key).and_then(WeakShared::upgrade);
        let shared: Shared<FetchFuture> = match existing {
            Some(s) => s,
            None => {
                let this = self.clone();
                let k = key.clone();
                let fut: FetchFuture = async move {
                    // Not cancelled by any one reader: dropped when the last one leaves.
                    let r = this.fetch_with_retries(&k.0, k.1, &CancelToken::new()).await;
                    this.inner.inflight.borrow_mut().remove(&k);
                    r
                }
                .boxed_local();
                let s = fut.shared();
                let mut map = self.inner.inflight.borrow_mut();
                if map.len() >= 256 {
                    map.retain(|_, w| w.upgrade().is_some());
                }
                if let Some(w) = s.downgrade() {
                    map.insert(key, w);
                }
                s
            }
        };
        or_cancel(shared, cancel).await?
    }

    async fn fetch_with_retries(
        &self,
        url: &str,
        range: ByteRange,
        cancel: &CancelToken,
    ) -> Result<RangeBody, IoError> {
        let o = &self.inner.options;
        let max_body =
            if o.allow_whole_download { range.len().max(o.limits.max_whole_download_bytes) } else { range.len() };
        let req = self.request(HttpRequest::get(url, Some(range), Some(max_body)));
        let body = self
            .with_retries(&req, range.len(), cancel, |r| {
                validate_range_response(url, &range, r, o.allow_whole_download, &o.limits)
            })
            .await?;
        if let Some(t) = body.total {
            self.inner.sizes.borrow_mut().insert(url.to_owned(), t);
        }
        self.inner.cache.borrow_mut().insert(url, body.start, body.bytes.clone());
        Ok(body)
    }
}

/// One object over HTTP(S). Reads are cancelled through the token of
/// [`HttpSource::with_cancel`].
#[derive(Debug, Clone)]
pub struct HttpSource {
    client: HttpClient,
    url: String,
    cancel: CancelToken,
}

impl HttpSource {
    /// The same source, its reads cancelled by `cancel`.
    #[must_use]
    pub fn with_cancel(mut self, cancel: CancelToken) -> Self {
        self.cancel = cancel;
        self
    }

    /// The client behind this source.
    pub fn client(&self) -> &HttpClient {
        &self.client
    }
}

#[async_trait(?Send)]
impl RangeSource for HttpSource {
    fn location(&self) -> &str {
        &self.url
    }

    async fn len(&self) -> Result<u64, IoError> {
        self.client.len(&self.url, &self.cancel).await
    }

    async fn get_ranges(&self, ranges: &[ByteRange]) -> Result<Vec<Bytes>, IoError> {
        self.client.get_ranges(&self.url, ranges, &self.cancel).await
    }

    async fn get_all(&self, max: u64) -> Result<Bytes, IoError> {
        self.client
            .get_whole(&self.url, max, &self.cancel)
            .await?
            .ok_or_else(|| IoError::NotFound { url: self.url.clone() })
    }
}

/// The objects under a base URL; keys are joined with each path segment
/// percent-encoded. A 404 is `Ok(None)`.
#[derive(Debug, Clone)]
pub struct HttpStore {
    client: HttpClient,
    base: String,
    cancel: CancelToken,
}

impl HttpStore {
    /// The same store, its reads cancelled by `cancel`.
    #[must_use]
    pub fn with_cancel(mut self, cancel: CancelToken) -> Self {
        self.cancel = cancel;
        self
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The client behind this store.
    pub fn client(&self) -> &HttpClient {
        &self.client
    }
}

#[async_trait(?Send)]
impl Store for HttpStore {
    fn describe(&self, key: &str) -> String {
        join_url(&self.base, key)
    }

    async fn get(&self, key: &str, max: u64) -> Result<Option<Bytes>, IoError> {
        self.client.get_whole(&join_url(&self.base, key), max, &self.cancel).await
    }

    async fn get_ranges(&self, key: &str, ranges: &[ByteRange]) -> Result<Option<Vec<Bytes>>, IoError> {
        match self.client.get_ranges(&join_url(&self.base, key), ranges, &self.cancel).await {
            Ok(v) => Ok(Some(v)),
            Err(IoError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::transport::Method;
    use futures::executor::block_on;
    use std::cell::Cell;

    #[test]
    fn origins_and_joins() {
        assert_eq!(origin("http://127.0.0.1:8080/a/b?x"), "http://127.0.0.1:8080");
        assert_eq!(origin("https://h.example"), "https://h.example");
        assert_eq!(origin("https://h?q"), "https://h");
        assert_eq!(
            join_url("http://h/base/", "my group with spaces/.zarray"),
            "http://h/base/my%20group%20with%20spaces/.zarray"
        );
        assert_eq!(join_url("http://h/b", "a/c/0/1"), "http://h/b/a/c/0/1");
        assert_eq!(join_url("http://h/b", "x#y?z/é"), "http://h/b/x%23y%3Fz/%C3%A9");
    }

    /// An in-memory server: serves `data` with ranges, counting requests; `fail` makes
    /// the first N requests 503; `gate` holds responses until released (to observe
    /// concurrency).
    struct Fake {
        data: Bytes,
        log: RefCell<Vec<HttpRequest>>,
        fail: Cell<u32>,
        in_flight: Cell<usize>,
        max_in_flight: Cell<usize>,
        yields: u32,
    }

    impl Fake {
        fn new(n: usize) -> Rc<Self> {
            Rc::new(Fake {
                data: Bytes::from((0..n).map(|i| (i % 251) as u8).collect::<Vec<u8>>()),
                log: RefCell::default(),
                fail: Cell::new(0),
                in_flight: Cell::new(0),
                max_in_flight: Cell::new(0),
                yields: 0,
            })
        }
    }

    /// Yields to the executor once, so concurrent requests overlap.
    struct YieldNow(bool);
    impl Future for YieldNow {
        type Output = ();
        fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
            if self.0 {
                std::task::Poll::Ready(())
            } else {
                self.0 = true;
                cx.waker().wake_by_ref();
                std::task::Poll::Pending
            }
        }
    }

    #[async_trait(?Send)]
    impl Transport for Fake {
        async fn send(&self, req: &HttpRequest, _cancel: &CancelToken) -> Result<HttpResponse, IoError> {
            self.log.borrow_mut().push(req.clone());
            self.in_flight.set(self.in_flight.get() + 1);
            self.max_in_flight.set(self.max_in_flight.get().max(self.in_flight.get()));
            for _ in 0..self.yields {
                YieldNow(false).await;
            }
            self.in_flight.set(self.in_flight.get() - 1);
            if self.fail.get() > 0 {
                self.fail.set(self.fail.get() - 1);
                return Ok(HttpResponse { status: 503, ..Default::default() });
            }
            let total = self.data.len() as u64;
            if req.method == Method::Head {
                return Ok(HttpResponse { status: 200, content_length: Some(total), ..Default::default() });
            }
            let (s, e) = req.range.unwrap().resolve(total).unwrap();
            Ok(HttpResponse {
                status: 206,
                content_range: Some(format!("bytes {}-{}/{}", s, e - 1, total)),
                content_length: Some(e - s),
                body: self.data.slice(s as usize..e as usize),
                overflow: false,
            })
        }
        async fn sleep(&self, _ms: u64) {}
    }

    fn client(fake: &Rc<Fake>, o: RangeOptions) -> HttpClient {
        HttpClient::with_transport(fake.clone(), o)
    }

    fn ranges(log: &[HttpRequest]) -> Vec<String> {
        log.iter().map(|r| r.range.map_or_else(|| r.method.as_str().to_owned(), |r| r.header_value())).collect()
    }

    #[test]
    fn merges_caches_and_slices() {
        let fake = Fake::new(100_000);
        let c = client(&fake, RangeOptions::default());
        let src = c.source("http://h/f");
        let r = [ByteRange::new(0, 100).unwrap(), ByteRange::new(1124, 1200).unwrap()];
        let got = block_on(src.get_ranges(&r)).unwrap();
        assert_eq!(&got[0][..], &fake.data[0..100]);
        assert_eq!(&got[1][..], &fake.data[1124..1200]);
        assert_eq!(ranges(&fake.log.borrow()), ["bytes=0-1199"]);
        // Sub-range of the cached request: no new request.
        let got = block_on(src.get_range(ByteRange::new(500, 600).unwrap())).unwrap();
        assert_eq!(&got[..], &fake.data[500..600]);
        assert_eq!(fake.log.borrow().len(), 1);
        assert_eq!(c.stats(), Stats { requests: 1, bytes_fetched: 1200, cache_hits: 1 });
    }

    #[test]
    fn suffix_then_size_known() {
        let fake = Fake::new(5000);
        let c = client(&fake, RangeOptions::default());
        let src = c.source("http://h/f");
        let got = block_on(src.get_range(ByteRange::Suffix(10))).unwrap();
        assert_eq!(&got[..], &fake.data[4990..]);
        // Size learned from Content-Range: no HEAD, and the suffix is now a cache hit.
        assert_eq!(block_on(src.len()).unwrap(), 5000);
        assert_eq!(&block_on(src.get_range(ByteRange::Suffix(4))).unwrap()[..], &fake.data[4996..]);
        assert_eq!(ranges(&fake.log.borrow()), ["bytes=-10"]);
    }

    #[test]
    fn dedupes_identical_concurrent_reads() {
        let mut fake = Fake::new(10_000);
        Rc::get_mut(&mut fake).unwrap().yields = 3;
        let c = client(&fake, RangeOptions::default());
        let a = c.source("http://h/f");
        let b = c.source("http://h/f");
        let r = ByteRange::new(10, 20).unwrap();
        let (x, y) = block_on(futures::future::join(a.get_range(r), b.get_range(r)));
        assert_eq!(x.unwrap(), y.unwrap());
        assert_eq!(ranges(&fake.log.borrow()), ["bytes=10-19"]);
    }

    #[test]
    fn bounds_concurrency_per_origin() {
        let mut fake = Fake::new(10_000_000);
        Rc::get_mut(&mut fake).unwrap().yields = 5;
        let c = client(&fake, RangeOptions { max_concurrency: 3, coalesce_gap: 0, ..Default::default() });
        let src = c.source("http://h/f");
        let r: Vec<ByteRange> = (0..10).map(|i| ByteRange::from_offset_len(i * 100_000, 10).unwrap()).collect();
        let got = block_on(src.get_ranges(&r)).unwrap();
        assert_eq!(got.len(), 10);
        assert_eq!(fake.log.borrow().len(), 10);
        assert_eq!(fake.max_in_flight.get(), 3);
    }

    #[test]
    fn bytes_in_flight_are_capped_across_reads() {
        let mut fake = Fake::new(10_000_000);
        Rc::get_mut(&mut fake).unwrap().yields = 5;
        let o = RangeOptions { max_concurrency: 100, coalesce_gap: 0, max_bytes_in_flight: 250, ..Default::default() };
        let c = client(&fake, o);
        // Two reads of five 100-byte ranges each: at most two requests at once.
        let r = |k: u64| -> Vec<ByteRange> {
            (0..5).map(|i| ByteRange::from_offset_len((k * 5 + i) * 100_000, 100).unwrap()).collect()
        };
        let (a, b) = (c.source("http://h/f"), c.source("http://other/g"));
        let (x, y) = block_on(futures::future::join(a.get_ranges(&r(0)), b.get_ranges(&r(1))));
        assert_eq!(x.unwrap()[4][..], fake.data[400_000..400_100]);
        assert_eq!(y.unwrap()[0][..], fake.data[500_000..500_100]);
        assert_eq!(fake.log.borrow().len(), 10);
        assert_eq!(fake.max_in_flight.get(), 2);
        assert_eq!(c.budget().in_use(), 0);
        // One request above the whole budget: refused before it is sent.
        let e = block_on(a.get_range(ByteRange::new(0, 251).unwrap())).unwrap_err();
        match e {
            IoError::LimitExceeded(l) => assert_eq!((l.what, l.requested, l.max), ("bytes in flight", 251, 250)),
            e => panic!("{e:?}"),
        }
        assert_eq!(fake.log.borrow().len(), 10);
    }

    #[test]
    fn retries_transient_then_gives_up() {
        let fake = Fake::new(1000);
        fake.fail.set(2);
        let c = client(&fake, RangeOptions::default());
        let got = block_on(c.source("http://h/f").get_range(ByteRange::new(0, 4).unwrap())).unwrap();
        assert_eq!(&got[..], &fake.data[..4]);
        assert_eq!(fake.log.borrow().len(), 3);
        fake.fail.set(10);
        let e = block_on(c.source("http://h/g").get_range(ByteRange::new(0, 4).unwrap())).unwrap_err();
        assert!(matches!(e, IoError::Http { status: 503, .. }), "{e:?}");
        // 1 + 3 more: the first try and three retries.
        assert_eq!(fake.log.borrow().len(), 3 + 4);
    }

    #[test]
    fn a_cancelled_reader_does_not_cancel_a_shared_request() {
        let mut fake = Fake::new(10_000);
        // Long enough that the cancel (after one yield) comes first.
        Rc::get_mut(&mut fake).unwrap().yields = 20;
        let c = client(&fake, RangeOptions::default());
        let token = CancelToken::new();
        let a = c.source("http://h/f").with_cancel(token.clone());
        let b = c.source("http://h/f");
        let r = ByteRange::new(100, 200).unwrap();
        let cancel_soon = async {
            YieldNow(false).await;
            token.cancel();
        };
        let (x, y, ()) = block_on(futures::future::join3(a.get_range(r), b.get_range(r), cancel_soon));
        assert!(matches!(x, Err(IoError::Aborted)), "{x:?}");
        assert_eq!(&y.unwrap()[..], &fake.data[100..200]);
        assert_eq!(ranges(&fake.log.borrow()), ["bytes=100-199"]);
    }

    #[test]
    fn normalises_origins() {
        assert_eq!(normalized_origin("HTTPS://user:pw@H.Example:443/x?y"), "https://h.example");
        assert_eq!(normalized_origin("http://h:80"), "http://h");
        assert_eq!(normalized_origin("http://h:8080/"), "http://h:8080");
        assert_eq!(normalized_origin("https://h:80/"), "https://h:80");
        assert_eq!(normalized_origin("http://[::1]:80/a"), "http://[::1]");
        assert_eq!(normalized_origin(" https://h.example/ "), "https://h.example");
    }

    /// Which of the logged requests carried the caller's header, in order.
    fn with_header(fake: &Fake) -> Vec<bool> {
        fake.log.borrow().iter().map(|q| q.headers == [("authorization".to_owned(), "Bearer s".to_owned())]).collect()
    }

    #[test]
    fn headers_go_only_to_allowed_origins() {
        let headers = vec![("authorization".to_owned(), "Bearer s".to_owned())];
        let r = ByteRange::new(0, 4).unwrap();
        let urls = [
            "https://a.example/refs.json",
            "https://b.example/data.bin",
            "HTTPS://A.example:443/other",
            "http://a.example/x",
        ];
        let read_all = |c: &HttpClient| {
            for u in urls {
                block_on(c.source(u).get_range(r)).unwrap();
            }
        };
        // Default: the first opened origin only (not another host, not http for https).
        let fake = Fake::new(1000);
        let c = client(&fake, RangeOptions { headers: headers.clone(), ..Default::default() });
        read_all(&c);
        assert_eq!(with_header(&fake), [true, false, true, false]);
        // The first request (without `source`) fixes it too; a HEAD gets them as well.
        let fake = Fake::new(1000);
        let c = client(&fake, RangeOptions { headers: headers.clone(), ..Default::default() });
        block_on(c.len("https://b.example/data.bin", &CancelToken::new())).unwrap();
        read_all(&c);
        assert_eq!(with_header(&fake), [true, false, true, false, false]);
        // An explicit list (any URL of the origin will do).
        let fake = Fake::new(1000);
        let only = Some(vec!["https://b.example/some/path".to_owned(), "http://A.EXAMPLE".to_owned()]);
        let c = client(&fake, RangeOptions { headers: headers.clone(), header_origins: only, ..Default::default() });
        read_all(&c);
        assert_eq!(with_header(&fake), [false, true, false, true]);
        // An empty list: nowhere. "*": everywhere.
        for (list, want) in [(vec![], [false; 4]), (vec!["*".to_owned()], [true; 4])] {
            let fake = Fake::new(1000);
            let c = client(
                &fake,
                RangeOptions { headers: headers.clone(), header_origins: Some(list), ..Default::default() },
            );
            read_all(&c);
            assert_eq!(with_header(&fake), want);
        }
    }

    #[test]
    fn cancelled_reads_abort() {
        let fake = Fake::new(1000);
        let c = client(&fake, RangeOptions::default());
        let t = CancelToken::new();
        t.cancel();
        let e = block_on(c.source("http://h/f").with_cancel(t).get_range(ByteRange::new(0, 4).unwrap())).unwrap_err();
        assert!(matches!(e, IoError::Aborted));
        assert_eq!(fake.log.borrow().len(), 0);
    }
}
