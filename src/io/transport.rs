//! One HTTP request and its raw response, behind the [`Transport`] trait.
//!
//! A transport only moves bytes: it sends the `Range` and caller headers, reads at most
//! [`HttpRequest::max_body`] bytes of body and reports what the server said. Judging the
//! response (RFC 9110 §15.3.7 206 Partial Content, §14.4 Content-Range) is
//! `src/io/validate.rs`'s job; retries, merging and caching are the planner's.
//! Natively the transport is [`ReqwestTransport`]; in wasm it is `FetchTransport`
//! (`src/io/fetch.rs`) over the global or a caller-supplied `fetch`.

use super::budget::ByteBudget;
use super::{ByteRange, CancelToken};
use crate::error::IoError;
use async_trait::async_trait;
use bytes::Bytes;

/// The HTTP method of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Head,
}

impl Method {
    /// `"GET"` or `"HEAD"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
        }
    }
}

/// One request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub url: String,
    pub method: Method,
    /// Sent as the `Range` header when set.
    pub range: Option<ByteRange>,
    /// Extra headers (auth, ...), sent as given.
    pub headers: Vec<(String, String)>,
    /// Read at most this many body bytes; past it the transport stops reading and sets
    /// [`HttpResponse::overflow`]. `None`: no cap (only for trusted callers).
    pub max_body: Option<u64>,
    /// Charge the body's size (its `Content-Length`, else `max_body`) to this budget once
    /// the response headers arrive, before reading the body; release it when the body is
    /// read. Set for requests whose size is unknown before sending (whole objects).
    pub budget: Option<ByteBudget>,
}

impl HttpRequest {
    /// A GET, with a `Range` header if `range` is set and a body cap of `max_body`.
    pub fn get(url: impl Into<String>, range: Option<ByteRange>, max_body: Option<u64>) -> Self {
        HttpRequest { url: url.into(), method: Method::Get, range, headers: Vec::new(), max_body, budget: None }
    }

    /// A HEAD.
    pub fn head(url: impl Into<String>) -> Self {
        HttpRequest {
            url: url.into(),
            method: Method::Head,
            range: None,
            headers: Vec::new(),
            max_body: Some(0),
            budget: None,
        }
    }
}

/// What the server answered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpResponse {
    pub status: u16,
    /// The raw `Content-Range` header.
    pub content_range: Option<String>,
    /// The `Content-Length` header (of a HEAD: the object's size).
    pub content_length: Option<u64>,
    /// The body, at most the request's `max_body` bytes.
    pub body: Bytes,
    /// The server sent (or declared) more than `max_body` bytes; `body` is cut.
    pub overflow: bool,
}

/// Performs single HTTP requests. Implementations must honour `cancel` (return
/// [`IoError::Aborted`] promptly once it fires) and `max_body`.
#[async_trait(?Send)]
pub trait Transport {
    /// Send `req` and read its response.
    ///
    /// # Errors
    /// [`IoError::Network`] when no HTTP response arrived (connection refused, reset,
    /// body cut short), [`IoError::Aborted`] on cancellation. HTTP error statuses are
    /// not errors here.
    async fn send(&self, req: &HttpRequest, cancel: &CancelToken) -> Result<HttpResponse, IoError>;

    /// Wait `ms` milliseconds (backoff between retries, timeouts).
    async fn sleep(&self, ms: u64);
}

/// Body bytes kept of an error response (not 2xx), whatever `max_body` says: enough
/// for the server's message.
pub const ERROR_BODY_MAX: u64 = 4096;

/// The body cap for a response with `status` to `req`.
pub(crate) fn body_cap(req: &HttpRequest, status: u16) -> Option<u64> {
    if (200..300).contains(&status) {
        req.max_body
    } else {
        Some(ERROR_BODY_MAX)
    }
}

/// The bytes a body will hold: its declared length, else the cap (0 when neither is known).
pub(crate) fn expected_body(content_length: Option<u64>, cap: Option<u64>) -> u64 {
    match (content_length, cap) {
        (Some(n), Some(c)) => n.min(c),
        (Some(n), None) => n,
        (None, Some(c)) => c,
        (None, None) => 0,
    }
}

/// Charge the expected body of a response to `req`'s budget, if it has one.
///
/// # Errors
/// [`IoError::LimitExceeded`] when the body is larger than the whole budget.
pub(crate) async fn charge_body(
    req: &HttpRequest,
    content_length: Option<u64>,
    cap: Option<u64>,
) -> Result<Option<super::budget::Charge>, IoError> {
    match &req.budget {
        Some(b) => Ok(Some(b.charge(expected_body(content_length, cap)).await?)),
        None => Ok(None),
    }
}

/// Whether `have` body bytes exceed `max_body`.
pub(crate) fn cap_reached(have: u64, max_body: Option<u64>) -> bool {
    max_body.is_some_and(|m| have > m)
}

#[cfg(not(target_arch = "wasm32"))]
pub use native::ReqwestTransport;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use super::*;
    use futures::future::{select, Either};

    /// Redirects followed before giving up (as browsers: 20).
    pub const MAX_REDIRECTS: u32 = 20;

    /// The native transport: `reqwest` over tokio (rustls for HTTPS). Redirects are
    /// followed here, not by reqwest: on a hop to another origin the caller's headers are
    /// dropped (reqwest would keep all but `Authorization`, `Cookie` and the like), so
    /// credentials never follow a redirect off the origin they were sent to.
    #[derive(Debug, Clone)]
    pub struct ReqwestTransport {
        client: reqwest::Client,
    }

    impl Default for ReqwestTransport {
        fn default() -> Self {
            Self::new()
        }
    }

    impl ReqwestTransport {
        /// A transport with its own connection pool. Automatic decompression is off
        /// (byte ranges address the stored bytes).
        pub fn new() -> Self {
            let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build();
            // `build` fails only where the TLS backend cannot start, where the default
            // client (which panics then) would not start either.
            ReqwestTransport { client: client.unwrap_or_default() }
        }

        /// Send `req`, following redirects, up to the final response's headers. The
        /// caller's headers go only to hops on `req`'s own origin.
        async fn send_following(&self, req: &HttpRequest) -> Result<reqwest::Response, IoError> {
            let net = |url: &str, e: reqwest::Error| IoError::Network { url: url.to_owned(), message: error_chain(&e) };
            let method = match req.method {
                Method::Get => reqwest::Method::GET,
                Method::Head => reqwest::Method::HEAD,
            };
            let first_origin = crate::io::normalized_origin(&req.url);
            let mut url = req.url.clone();
            for _ in 0..=MAX_REDIRECTS {
                let mut rb = self.client.request(method.clone(), &url);
                if let Some(r) = req.range {
                    rb = rb.header(reqwest::header::RANGE, r.header_value());
                }
                if crate::io::normalized_origin(&url) == first_origin {
                    for (k, v) in &req.headers {
                        rb = rb.header(k.as_str(), v.as_str());
                    }
                }
                let resp = rb.send().await.map_err(|e| net(&url, e))?;
                let location = resp.headers().get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok());
                let next = match (resp.status().as_u16(), location) {
                    (301 | 302 | 303 | 307 | 308, Some(l)) => resp.url().join(l).ok(),
                    _ => None,
                };
                match next {
                    Some(n) if n.scheme() == "http" || n.scheme() == "https" => url = n.to_string(),
                    _ => return Ok(resp),
                }
            }
            Err(IoError::Network { url: req.url.clone(), message: format!("more than {MAX_REDIRECTS} redirects") })
        }

        async fn send_inner(&self, req: &HttpRequest) -> Result<HttpResponse, IoError> {
            let net = |e: reqwest::Error| IoError::Network { url: req.url.clone(), message: error_chain(&e) };
            let mut resp = self.send_following(req).await?;
            let status = resp.status().as_u16();
            let header = |name: reqwest::header::HeaderName| {
                resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
            };
            let content_range = header(reqwest::header::CONTENT_RANGE);
            let content_length = header(reqwest::header::CONTENT_LENGTH).and_then(|v| v.trim().parse::<u64>().ok());
            let mut out = HttpResponse { status, content_range, content_length, body: Bytes::new(), overflow: false };
            if req.method == Method::Head {
                return Ok(out);
            }
            let cap = body_cap(req, status);
            if content_length.is_some_and(|n| cap_reached(n, cap)) {
                out.overflow = true;
                return Ok(out);
            }
            let _charge = charge_body(req, content_length, cap).await?;
            let mut buf: Vec<u8> = Vec::new();
            while let Some(chunk) = resp.chunk().await.map_err(net)? {
                let have = (buf.len() as u64).saturating_add(chunk.len() as u64);
                if cap_reached(have, cap) {
                    let room = cap.unwrap_or(0).saturating_sub(buf.len() as u64);
                    let room = usize::try_from(room).unwrap_or(usize::MAX).min(chunk.len());
                    buf.extend_from_slice(chunk.get(..room).unwrap_or_default());
                    out.overflow = true;
                    break;
                }
                buf.extend_from_slice(&chunk);
            }
            out.body = Bytes::from(buf);
            Ok(out)
        }
    }

    fn error_chain(e: &dyn std::error::Error) -> String {
        let mut s = e.to_string();
        let mut src = e.source();
        while let Some(c) = src {
            s.push_str(": ");
            s.push_str(&c.to_string());
            src = c.source();
        }
        s
    }

    #[async_trait(?Send)]
    impl Transport for ReqwestTransport {
        async fn send(&self, req: &HttpRequest, cancel: &CancelToken) -> Result<HttpResponse, IoError> {
            if cancel.is_cancelled() {
                return Err(IoError::Aborted);
            }
            let work = Box::pin(self.send_inner(req));
            match select(work, cancel.cancelled()).await {
                Either::Left((r, _)) => r,
                Either::Right(_) => Err(IoError::Aborted),
            }
        }

        async fn sleep(&self, ms: u64) {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
    }
}
