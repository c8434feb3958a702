//! The wasm transport: one HTTP request over the WHATWG `fetch` of the global scope
//! (window, worker or node 18+), or over a caller-supplied function with the same
//! signature (auth, presigned URLs, a test double).
//!
//! Each request gets its own `AbortController`, whose signal goes to `fetch`; the request
//! is aborted when its [`CancelToken`] fires or its future is dropped (a timeout, a read
//! nobody waits for any more). The body is read from the response stream chunk by chunk
//! so that at most `max_body` bytes are held (Fetch standard §5.6 Response body).

use super::transport::{body_cap, cap_reached, charge_body, HttpRequest, HttpResponse, Method, Transport};
use super::CancelToken;
use crate::error::IoError;
use async_trait::async_trait;
use bytes::Bytes;
use futures::future::{select, Either};
use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The transport over `fetch`.
#[derive(Debug, Clone, Default)]
pub struct FetchTransport {
    fetch: Option<Function>,
}

impl FetchTransport {
    /// Use `globalThis.fetch`, looked up at each request.
    pub fn global() -> Self {
        FetchTransport { fetch: None }
    }

    /// Use `fetch(url, init) -> Promise<Response>` supplied by the caller.
    pub fn with_fetch(fetch: Function) -> Self {
        FetchTransport { fetch: Some(fetch) }
    }
}

/// Aborts the request when dropped before [`AbortOnDrop::disarm`].
struct AbortOnDrop(Option<web_sys::AbortController>);

impl AbortOnDrop {
    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            c.abort();
        }
    }
}

fn js_message(v: &JsValue) -> String {
    if let Some(e) = v.dyn_ref::<js_sys::Error>() {
        let name = String::from(e.name());
        let msg = String::from(e.message());
        // Node's fetch puts the real reason ("ECONNREFUSED", "other side closed") in `cause`.
        let cause = Reflect::get(e, &JsValue::from_str("cause"))
            .ok()
            .filter(|c| !c.is_undefined() && !c.is_null())
            .map(|c| format!(" ({})", js_message(&c)))
            .unwrap_or_default();
        format!("{name}: {msg}{cause}")
    } else {
        v.as_string().unwrap_or_else(|| format!("{v:?}"))
    }
}

fn is_abort_error(v: &JsValue) -> bool {
    v.dyn_ref::<js_sys::Error>().is_some_and(|e| e.name() == "AbortError")
}

async fn await_or_cancel(p: Promise, cancel: &CancelToken) -> Result<Result<JsValue, JsValue>, IoError> {
    if cancel.is_cancelled() {
        return Err(IoError::Aborted);
    }
    let fut = JsFuture::from(p);
    match select(fut, cancel.cancelled()).await {
        Either::Left((r, _)) => Ok(r),
        Either::Right(_) => Err(IoError::Aborted),
    }
}

impl FetchTransport {
    fn function(&self) -> Result<(Function, JsValue), String> {
        if let Some(f) = &self.fetch {
            return Ok((f.clone(), JsValue::UNDEFINED));
        }
        let global = js_sys::global();
        let f = Reflect::get(&global, &JsValue::from_str("fetch"))
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .ok_or_else(|| "this JavaScript environment has no global fetch".to_owned())?;
        Ok((f, global.into()))
    }

    async fn send_inner(&self, req: &HttpRequest, cancel: &CancelToken) -> Result<HttpResponse, IoError> {
        let net = |m: String| IoError::Network { url: req.url.clone(), message: m };
        let (func, this) = self.function().map_err(net)?;
        let headers = web_sys::Headers::new().map_err(|e| net(js_message(&e)))?;
        if let Some(r) = req.range {
            headers.append("Range", &r.header_value()).map_err(|e| net(js_message(&e)))?;
        }
        for (k, v) in &req.headers {
            headers.append(k, v).map_err(|e| net(js_message(&e)))?;
        }
        let controller = web_sys::AbortController::new().map_err(|e| net(js_message(&e)))?;
        let mut guard = AbortOnDrop(Some(controller.clone()));
        let init = web_sys::RequestInit::new();
        init.set_method(req.method.as_str());
        init.set_headers(headers.as_ref());
        init.set_signal(Some(&controller.signal()));
        // Bypass the browser's HTTP cache: it serialises concurrent requests for one URL
        // (Chromium's cache lock), which would defeat the per-origin concurrency, and the
        // client keeps its own byte cache.
        init.set_cache(web_sys::RequestCache::NoStore);
        let p = func.call2(&this, &JsValue::from_str(&req.url), init.as_ref()).map_err(|e| net(js_message(&e)))?;
        let p = p.dyn_into::<Promise>().unwrap_or_else(|v| Promise::resolve(&v));
        let resp = match await_or_cancel(p, cancel).await? {
            Ok(r) => r,
            Err(e) if is_abort_error(&e) => return Err(IoError::Aborted),
            Err(e) => return Err(net(js_message(&e))),
        };
        let resp: web_sys::Response = resp.unchecked_into();
        let status = resp.status();
        let h = resp.headers();
        let content_range = h.get("content-range").ok().flatten();
        let content_length = h.get("content-length").ok().flatten().and_then(|v| v.trim().parse::<u64>().ok());
        let mut out = HttpResponse { status, content_range, content_length, body: Bytes::new(), overflow: false };
        if req.method == Method::Head {
            guard.disarm();
            return Ok(out);
        }
        let cap = body_cap(req, status);
        if content_length.is_some_and(|n| cap_reached(n, cap)) {
            // The guard aborts the body download.
            out.overflow = true;
            return Ok(out);
        }
        // Waiting for the byte budget (whole objects) holds the body unread.
        let charge = std::pin::pin!(charge_body(req, content_length, cap));
        let _charge = match select(charge, cancel.cancelled()).await {
            Either::Left((r, _)) => r?,
            Either::Right(_) => return Err(IoError::Aborted),
        };
        let Some(stream) = resp.body() else {
            guard.disarm();
            return Ok(out);
        };
        let reader: web_sys::ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
        let done_key = JsValue::from_str("done");
        let value_key = JsValue::from_str("value");
        let mut buf: Vec<u8> = Vec::new();
        loop {
            let chunk = match await_or_cancel(reader.read(), cancel).await? {
                Ok(c) => c,
                Err(e) if is_abort_error(&e) => return Err(IoError::Aborted),
                Err(e) => return Err(net(js_message(&e))),
            };
            if Reflect::get(&chunk, &done_key).ok().and_then(|d| d.as_bool()).unwrap_or(true) {
                break;
            }
            let Ok(value) = Reflect::get(&chunk, &value_key) else { break };
            let Some(bytes) = value.dyn_ref::<Uint8Array>() else {
                return Err(net("response body chunk is not a Uint8Array".into()));
            };
            let n = bytes.length() as usize;
            let have = (buf.len() as u64).saturating_add(n as u64);
            if cap_reached(have, cap) {
                let room =
                    usize::try_from(cap.unwrap_or(0).saturating_sub(buf.len() as u64)).unwrap_or(usize::MAX).min(n);
                let start = buf.len();
                buf.resize(start + room, 0);
                if let Some(dst) = buf.get_mut(start..) {
                    bytes.subarray(0, room as u32).copy_to(dst);
                }
                out.overflow = true;
                let _ = reader.cancel();
                break;
            }
            let start = buf.len();
            buf.resize(start + n, 0);
            if let Some(dst) = buf.get_mut(start..) {
                bytes.copy_to(dst);
            }
        }
        if !out.overflow {
            guard.disarm();
        }
        out.body = Bytes::from(buf);
        Ok(out)
    }
}

#[async_trait(?Send)]
impl Transport for FetchTransport {
    async fn send(&self, req: &HttpRequest, cancel: &CancelToken) -> Result<HttpResponse, IoError> {
        self.send_inner(req, cancel).await
    }

    async fn sleep(&self, ms: u64) {
        let ms = i32::try_from(ms).unwrap_or(i32::MAX);
        let p = Promise::new(&mut |resolve, _reject| {
            let global = js_sys::global();
            let set_timeout = Reflect::get(&global, &JsValue::from_str("setTimeout"))
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok());
            match set_timeout {
                Some(f) => {
                    if f.call2(&global, &resolve, &JsValue::from(ms)).is_err() {
                        let _ = resolve.call0(&JsValue::UNDEFINED);
                    }
                }
                None => {
                    let _ = resolve.call0(&JsValue::UNDEFINED);
                }
            }
        });
        let _ = JsFuture::from(p).await;
    }
}
