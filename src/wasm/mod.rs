//! The only `#[wasm_bindgen]` code: the functions the npm package (`js/`) calls, their
//! option parsing, and the mapping of Rust errors to tagged JS errors (`e.name`, see
//! [`error`]).
//!
//! Exports (the raw layer; `js/index.ts` is the typed API over it):
//! - `init()`: installs a panic hook that reports panics on `console.error`;
//! - `readRange(url, start, end, options)` → `Promise<Uint8Array>`;
//! - `readRanges(url, flatRanges, options)` → `Promise<Uint8Array[]>`;
//! - `objectSize(url, options)` → `Promise<number>`;
//! - `stats()` → `{ requests, bytesFetched, cacheHits, decodeMs }`;
//! - stores, Zarr nodes and JPEG 2000 images, and the worker decode entry points: see [`api`].
//!
//! Options (all optional): `headers` (`[name, value][]`), `fetch` (a function used
//! instead of the global `fetch`), `signal` (`AbortSignal`), `allowWholeDownload`,
//! `coalesceGap`, `maxConcurrency`, `timeoutMs` (per request attempt, headers and body;
//! `IoError::Timeout`, tagged `Aborted`), `maxRetries`, `limits` (camelCase fields of
//! [`Limits`], each a positive integer; unknown fields are an error), `maxBytesInFlight` (bytes of
//! response bodies in flight at once per client, default 256 MiB), `headerOrigins` (origins besides
//! the opened URL's that receive `headers`; `"*"`: all). `headers` go only to the origin of
//! the URL being opened (for references given as an object: of their base URL) and to
//! `headerOrigins`: targets of kerchunk references and external indexes elsewhere get
//! none. Reads with equal options (and, with headers, the same opened origin) share one
//! [`HttpClient`] and so its byte cache, in-flight deduplication and concurrency bounds.

mod api;
mod codecs;
mod error;

use crate::error::Error;
use crate::io::{ByteRange, CancelToken, FetchTransport, HttpClient, RangeOptions, RangeSource};
use crate::limits::Limits;
use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub use error::to_js as error_to_js;

/// Largest integer a JS number holds exactly.
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// Clients kept for reuse, most recently used last.
const MAX_CLIENTS: usize = 8;

/// Install the panic hook (idempotent). A panic aborts the wasm instance; the hook makes
/// sure the message reaches the console first instead of an opaque `unreachable`.
#[wasm_bindgen]
pub fn init() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            web_sys::console::error_1(&JsValue::from_str(&format!("rangetile panicked: {info}")));
        }));
    });
}

/// Read `[start, end)` of the object at `url`.
///
/// # Errors
/// A tagged JS error: `InvalidArgument`, `NotFound`, `RangeNotSupported`, `Http`,
/// `Aborted`, `LimitExceeded`.
#[wasm_bindgen(js_name = readRange, unchecked_return_type = "Uint8Array")]
pub async fn read_range(url: String, start: f64, end: f64, options: JsValue) -> Result<JsValue, JsValue> {
    let range = byte_range(start, end)?;
    let (client, cancel) = client_for(&options, &url)?;
    let source = client.source(url).with_cancel(cancel);
    let bytes = source.get_range(range).await.map_err(|e| error::to_js(&Error::Io(e)))?;
    Ok(Uint8Array::from(bytes.as_ref()).into())
}

/// Read several ranges of the object at `url`; `ranges` is `[start0, end0, start1, end1, ...]`.
///
/// # Errors
/// As [`read_range`].
#[wasm_bindgen(js_name = readRanges, unchecked_return_type = "Uint8Array[]")]
pub async fn read_ranges(url: String, ranges: Vec<f64>, options: JsValue) -> Result<JsValue, JsValue> {
    if ranges.len() % 2 != 0 {
        return Err(error::invalid_argument("ranges must be [start, end) pairs"));
    }
    let ranges = ranges
        .chunks_exact(2)
        .map(|p| match *p {
            [s, e] => byte_range(s, e),
            _ => Err(error::invalid_argument("ranges must be [start, end) pairs")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (client, cancel) = client_for(&options, &url)?;
    let source = client.source(url).with_cancel(cancel);
    let parts = source.get_ranges(&ranges).await.map_err(|e| error::to_js(&Error::Io(e)))?;
    let out = Array::new_with_length(u32::try_from(parts.len()).unwrap_or(u32::MAX));
    for (i, b) in (0u32..).zip(&parts) {
        out.set(i, Uint8Array::from(b.as_ref()).into());
    }
    Ok(out.into())
}

/// The size in bytes of the object at `url`.
///
/// # Errors
/// A tagged JS error: `NotFound`, `Http`, `Aborted`.
#[wasm_bindgen(js_name = objectSize, unchecked_return_type = "number")]
pub async fn object_size(url: String, options: JsValue) -> Result<JsValue, JsValue> {
    let (client, cancel) = client_for(&options, &url)?;
    let n = client.source(url).with_cancel(cancel).len().await.map_err(|e| error::to_js(&Error::Io(e)))?;
    Ok(JsValue::from_f64(n as f64))
}

thread_local! {
    static DECODE_MS: Cell<f64> = const { Cell::new(0.0) };
    static CLIENTS: RefCell<Vec<(ClientKey, HttpClient)>> = const { RefCell::new(Vec::new()) };
}

/// Add `ms` to the `decodeMs` counter (called by the decoding exports).
pub fn add_decode_ms(ms: f64) {
    DECODE_MS.with(|c| c.set(c.get() + ms));
}

/// The counters since the module was loaded: `{ requests, bytesFetched, cacheHits, decodeMs }`.
#[wasm_bindgen(
    unchecked_return_type = "{ requests: number; bytesFetched: number; cacheHits: number; decodeMs: number }"
)]
pub fn stats() -> JsValue {
    let s = crate::io::stats();
    let o = Object::new();
    for (k, v) in [
        ("requests", s.requests as f64),
        ("bytesFetched", s.bytes_fetched as f64),
        ("cacheHits", s.cache_hits as f64),
        ("decodeMs", DECODE_MS.with(Cell::get)),
    ] {
        // Setting a property on a fresh object cannot fail.
        let _ = Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_f64(v));
    }
    o.into()
}

/// `[start, end)` from JS numbers: non-negative safe integers with `start < end`.
fn byte_range(start: f64, end: f64) -> Result<ByteRange, JsValue> {
    let int = |v: f64, what: &str| {
        if v.is_finite() && v.fract() == 0.0 && (0.0..=MAX_SAFE).contains(&v) {
            Ok(v as u64)
        } else {
            Err(error::invalid_argument(format!("{what} must be a non-negative integer, got {v}")))
        }
    };
    ByteRange::new(int(start, "start")?, int(end, "end")?).map_err(|e| error::to_js(&Error::Io(e)))
}

/// What makes two reads' clients interchangeable: everything but the signal.
#[derive(PartialEq)]
struct ClientKey {
    headers: Vec<(String, String)>,
    fetch: Option<Function>,
    allow_whole_download: bool,
    coalesce_gap: Option<u64>,
    max_concurrency: Option<usize>,
    timeout_ms: Option<u64>,
    max_retries: Option<u32>,
    max_bytes_in_flight: Option<u64>,
    limits: Limits,
    /// With `headers`: the origins that receive them; else `None`.
    header_origins: Option<Vec<String>>,
}

/// The client for `options` opening `opened` (shared with earlier reads that used equal
/// options) and a cancel token linked to `options.signal`. The caller's headers go to
/// `opened`'s origin and to `options.headerOrigins` only.
fn client_for(options: &JsValue, opened: &str) -> Result<(HttpClient, CancelToken), JsValue> {
    let mut key = parse_options(options)?;
    key.header_origins = if key.headers.is_empty() {
        None
    } else {
        let mut list = vec![crate::io::normalized_origin(opened)];
        list.extend(header_origins(options)?);
        list.sort_unstable();
        list.dedup();
        Some(list)
    };
    let cancel = CancelToken::new();
    if let Some(signal) = get(options, "signal") {
        let signal = signal
            .dyn_into::<web_sys::AbortSignal>()
            .map_err(|_| error::invalid_argument("options.signal must be an AbortSignal"))?;
        cancel.link_abort_signal(&signal);
    }
    let client = CLIENTS.with(|clients| {
        let mut clients = clients.borrow_mut();
        if let Some(i) = clients.iter().position(|(k, _)| *k == key) {
            let entry = clients.remove(i);
            let client = entry.1.clone();
            clients.push(entry);
            return client;
        }
        let mut opts = RangeOptions {
            headers: key.headers.clone(),
            allow_whole_download: key.allow_whole_download,
            ..RangeOptions::default()
        };
        if let Some(g) = key.coalesce_gap {
            opts.coalesce_gap = g;
        }
        if let Some(c) = key.max_concurrency {
            opts.max_concurrency = c;
        }
        opts.timeout_ms = key.timeout_ms;
        opts.limits = key.limits.clone();
        if let Some(n) = key.max_bytes_in_flight {
            opts.max_bytes_in_flight = n;
        }
        opts.header_origins.clone_from(&key.header_origins);
        if let Some(r) = key.max_retries {
            opts.max_retries = r;
        }
        let client = match &key.fetch {
            Some(f) => HttpClient::with_transport(Rc::new(FetchTransport::with_fetch(f.clone())), opts),
            None => HttpClient::new(opts),
        };
        if clients.len() >= MAX_CLIENTS {
            clients.remove(0);
        }
        clients.push((key, client.clone()));
        client
    });
    Ok((client, cancel))
}

fn parse_options(options: &JsValue) -> Result<ClientKey, JsValue> {
    let mut key = ClientKey {
        headers: Vec::new(),
        fetch: None,
        allow_whole_download: false,
        coalesce_gap: None,
        max_concurrency: None,
        timeout_ms: None,
        max_retries: None,
        max_bytes_in_flight: None,
        limits: Limits::default(),
        header_origins: None,
    };
    if options.is_undefined() || options.is_null() {
        return Ok(key);
    }
    if !options.is_object() {
        return Err(error::invalid_argument("options must be an object"));
    }
    if let Some(h) = get(options, "headers") {
        let bad = || error::invalid_argument("options.headers must be [name, value] pairs of strings");
        let pairs: Array = h.dyn_into().map_err(|_| bad())?;
        for pair in pairs.iter() {
            let pair: Array = pair.dyn_into().map_err(|_| bad())?;
            let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) else { return Err(bad()) };
            key.headers.push((k, v));
        }
    }
    if let Some(f) = get(options, "fetch") {
        key.fetch =
            Some(f.dyn_into::<Function>().map_err(|_| error::invalid_argument("options.fetch must be a function"))?);
    }
    if let Some(b) = get(options, "allowWholeDownload") {
        key.allow_whole_download =
            b.as_bool().ok_or_else(|| error::invalid_argument("options.allowWholeDownload must be a boolean"))?;
    }
    if let Some(g) = get(options, "coalesceGap") {
        key.coalesce_gap = Some(count(&g, "options.coalesceGap", 0.0)? as u64);
    }
    if let Some(c) = get(options, "maxConcurrency") {
        key.max_concurrency = Some(count(&c, "options.maxConcurrency", 1.0)?.min(1024.0) as usize);
    }
    if let Some(t) = get(options, "timeoutMs") {
        key.timeout_ms = Some(count(&t, "options.timeoutMs", 1.0)? as u64);
    }
    if let Some(l) = get(options, "limits") {
        key.limits = parse_limits(&l)?;
    }
    if let Some(n) = get(options, "maxBytesInFlight") {
        key.max_bytes_in_flight = Some(count(&n, "options.maxBytesInFlight", 1.0)? as u64);
    }
    if let Some(r) = get(options, "maxRetries") {
        // More than a few dozen retries only prolongs a failure (backoff caps at 5 s).
        key.max_retries = Some(count(&r, "options.maxRetries", 0.0)?.min(100.0) as u32);
    }
    Ok(key)
}

/// `options.limits`: the defaults with the given camelCase fields replaced.
fn parse_limits(v: &JsValue) -> Result<Limits, JsValue> {
    if !v.is_object() {
        return Err(error::invalid_argument("options.limits must be an object"));
    }
    let mut l = Limits::default();
    for k in Object::keys(v.unchecked_ref::<Object>()).iter() {
        let Some(name) = k.as_string() else { continue };
        let Some(value) = get(v, &name) else { continue };
        let n = count(&value, &format!("options.limits.{name}"), 1.0)? as u64;
        let small = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        match name.as_str() {
            "maxDecodedChunkBytes" => l.max_decoded_chunk_bytes = n,
            "maxEncodedChunkBytes" => l.max_encoded_chunk_bytes = n,
            "maxOutputBytes" => l.max_output_bytes = n,
            "maxDims" => l.max_dims = small(n),
            "maxChunksPerSelection" => l.max_chunks_per_selection = n,
            "maxMetadataBytes" => l.max_metadata_bytes = n,
            "maxWholeDownloadBytes" => l.max_whole_download_bytes = n,
            "headerReadAhead" => l.header_read_ahead = n,
            "maxHeaderBytes" => l.max_header_bytes = n,
            "maxInFlightBytes" => l.max_in_flight_bytes = n,
            "maxTiles" => l.max_tiles = n,
            "maxImageSide" => l.max_image_side = n,
            _ => return Err(error::invalid_argument(format!("options.limits.{name} is not a limit"))),
        }
    }
    Ok(l)
}

/// `options.headerOrigins`, normalised: `"*"` or `http(s)://host[:port]` origins (a URL
/// stands for its origin).
fn header_origins(options: &JsValue) -> Result<Vec<String>, JsValue> {
    let Some(v) = get(options, "headerOrigins") else { return Ok(Vec::new()) };
    let bad = |what: &str| {
        error::invalid_argument(format!(
            "options.headerOrigins must be an array of origins like 'https://bucket.example.org' or '*', got {what}"
        ))
    };
    let list: Array = v.dyn_into().map_err(|_| bad("a non-array"))?;
    list.iter()
        .map(|o| {
            let o = o.as_string().ok_or_else(|| bad("a non-string"))?;
            let t = o.trim();
            let l = t.get(..8).unwrap_or(t).to_ascii_lowercase();
            if t == "*" {
                Ok("*".to_owned())
            } else if l.starts_with("http://") || l.starts_with("https://") {
                Ok(crate::io::normalized_origin(t))
            } else {
                Err(bad(&format!("{o:?}")))
            }
        })
        .collect()
}

/// A non-negative safe integer at least `min`.
fn count(v: &JsValue, what: &str, min: f64) -> Result<f64, JsValue> {
    match v.as_f64() {
        Some(n) if n.is_finite() && n.fract() == 0.0 && n >= min && n <= MAX_SAFE => Ok(n),
        _ => Err(error::invalid_argument(format!("{what} must be an integer >= {min}"))),
    }
}

/// `options[key]`, or `None` when absent, `undefined` or `null`.
fn get(options: &JsValue, key: &str) -> Option<JsValue> {
    if !options.is_object() {
        return None;
    }
    Reflect::get(options, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined() && !v.is_null())
}
