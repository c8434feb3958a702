//! The wasm range I/O tests, shared by `tests/wasm_io_node.rs` (node) and
//! `tests/wasm_io_browser.rs` (headless chromium) through `#[path]`.
//!
//! They fetch real byte ranges, cross-origin, from the range server whose URL
//! `scripts/test-wasm.sh` bakes in at compile time (`RANGETILE_TEST_SERVER`), serving
//! the fixtures of `tests/server/fixtures.mjs`. wasm-bindgen-test runs tests one at a
//! time, so each test resets the server's log and checks it exactly.

use futures::future::join;
use js_sys::{Function, Promise, Reflect};
use rangetile::error::IoError;
use rangetile::io::{ByteRange, CancelToken, FetchTransport, HttpClient, RangeOptions, RangeSource, Store, Transport};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

const DATA_LEN: u64 = 1 << 20;

fn server() -> &'static str {
    match option_env!("RANGETILE_TEST_SERVER") {
        Some(url) => url,
        None => panic!("RANGETILE_TEST_SERVER was not set at compile time: run scripts/test-wasm.sh"),
    }
}

fn at(path: &str) -> String {
    format!("{}{}", server(), path)
}

fn fault(spec: &str, path: &str) -> String {
    format!("{}/__fault/{}{}", server(), spec, path)
}

fn pattern(start: u64, len: u64) -> Vec<u8> {
    (start..start + len).map(|i| ((i.wrapping_mul(7)) ^ (i >> 8) ^ (i >> 16)) as u8).collect()
}

fn r(start: u64, end: u64) -> ByteRange {
    ByteRange::new(start, end).unwrap()
}

#[derive(Debug, Clone, Deserialize)]
struct LogEntry {
    method: String,
    range: Option<String>,
    status: u16,
    bytes: u64,
    #[serde(default)]
    headers: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServerStats {
    max_in_flight: u64,
}

/// A control request with the plain global `fetch` (outside the code under test).
async fn control(method: &str, path: &str) -> String {
    let global = js_sys::global();
    let fetch: Function = Reflect::get(&global, &"fetch".into()).unwrap().dyn_into().unwrap();
    let init = js_sys::Object::new();
    Reflect::set(&init, &"method".into(), &method.into()).unwrap();
    let resp = JsFuture::from(fetch.call2(&global, &at(path).into(), &init).unwrap().unchecked_into::<Promise>())
        .await
        .expect("control request");
    let resp: web_sys::Response = resp.unchecked_into();
    let text = JsFuture::from(resp.text().unwrap()).await.unwrap();
    text.as_string().unwrap()
}

async fn reset() {
    control("POST", "/__reset").await;
}

async fn log() -> Vec<LogEntry> {
    serde_json::from_str(&control("GET", "/__log").await).unwrap()
}

async fn max_in_flight() -> u64 {
    serde_json::from_str::<ServerStats>(&control("GET", "/__stats").await).unwrap().max_in_flight
}

async fn gets() -> Vec<(String, Option<String>, u16)> {
    log().await.into_iter().map(|e| (e.method, e.range, e.status)).collect()
}

fn get(range: &str, status: u16) -> (String, Option<String>, u16) {
    ("GET".into(), Some(range.into()), status)
}

fn head(status: u16) -> (String, Option<String>, u16) {
    ("HEAD".into(), None, status)
}

fn client(o: RangeOptions) -> HttpClient {
    HttpClient::new(o)
}

#[wasm_bindgen_test]
async fn two_reads_1k_apart_cost_one_request() {
    reset().await;
    let c = client(RangeOptions::default());
    let src = c.source(at("/data.bin"));
    let got = src.get_ranges(&[r(0, 100), r(1124, 1200)]).await.unwrap();
    assert_eq!(got[0], pattern(0, 100));
    assert_eq!(got[1], pattern(1124, 76));
    assert_eq!(gets().await, vec![get("bytes=0-1199", 206)]);
    assert_eq!(log().await[0].bytes, 1200);
    assert_eq!((c.stats().requests, c.stats().bytes_fetched), (1, 1200));
}

#[wasm_bindgen_test]
async fn cache_hit_costs_no_request() {
    reset().await;
    let c = client(RangeOptions::default());
    let src = c.source(at("/data.bin"));
    assert_eq!(src.get_range(r(4096, 8192)).await.unwrap(), pattern(4096, 4096));
    assert_eq!(src.get_range(r(5000, 6000)).await.unwrap(), pattern(5000, 1000));
    assert_eq!(log().await.len(), 1);
    assert_eq!(c.stats().cache_hits, 1);
}

#[wasm_bindgen_test]
async fn concurrent_identical_reads_share_one_request() {
    reset().await;
    let c = client(RangeOptions::default());
    let a = c.source(fault("delay=200", "/data.bin"));
    let b = c.source(fault("delay=200", "/data.bin"));
    let (x, y) = join(a.get_range(r(10, 20)), b.get_range(r(10, 20))).await;
    assert_eq!(x.unwrap(), pattern(10, 10));
    assert_eq!(y.unwrap(), pattern(10, 10));
    assert_eq!(gets().await, vec![get("bytes=10-19", 206)]);
}

#[wasm_bindgen_test]
async fn concurrency_per_origin_is_bounded() {
    reset().await;
    let c = client(RangeOptions { max_concurrency: 2, coalesce_gap: 0, ..Default::default() });
    let src = c.source(fault("delay=150", "/data.bin"));
    let ranges: Vec<ByteRange> = (0..6).map(|i| ByteRange::from_offset_len(i * 100_000, 16).unwrap()).collect();
    let got = src.get_ranges(&ranges).await.unwrap();
    for (i, g) in got.iter().enumerate() {
        assert_eq!(*g, pattern(i as u64 * 100_000, 16));
    }
    assert_eq!(log().await.len(), 6);
    assert_eq!(max_in_flight().await, 2);
}

#[wasm_bindgen_test]
async fn custom_headers_reach_the_server() {
    reset().await;
    let headers =
        vec![("X-Rangetile-Test".to_owned(), "yes".to_owned()), ("Authorization".into(), "Bearer t0k".into())];
    let c = client(RangeOptions { headers, ..Default::default() });
    let src = c.source(at("/data.bin"));
    assert_eq!(src.len().await.unwrap(), DATA_LEN);
    assert_eq!(src.get_range(r(0, 1)).await.unwrap(), pattern(0, 1));
    let log = log().await;
    assert_eq!(log.len(), 2);
    for e in log {
        assert_eq!(e.headers.get("x-rangetile-test").map(String::as_str), Some("yes"));
        assert_eq!(e.headers.get("authorization").map(String::as_str), Some("Bearer t0k"));
    }
}

#[wasm_bindgen_test]
async fn caller_supplied_fetch_is_used() {
    reset().await;
    let f = Function::new_with_args(
        "url, init",
        "globalThis.__rangetileFetchCalls = (globalThis.__rangetileFetchCalls || 0) + 1; \
         init.headers.append('X-Via', 'custom-fetch'); return fetch(url, init);",
    );
    let c = HttpClient::with_transport(Rc::new(FetchTransport::with_fetch(f)), RangeOptions::default());
    assert_eq!(c.source(at("/data.bin")).get_range(r(7, 9)).await.unwrap(), pattern(7, 2));
    let calls = Reflect::get(&js_sys::global(), &"__rangetileFetchCalls".into()).unwrap().as_f64().unwrap();
    assert!(calls >= 1.0);
    let log = log().await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].headers.get("x-via").map(String::as_str), Some("custom-fetch"));
}

#[wasm_bindgen_test]
async fn len_and_suffix() {
    reset().await;
    let c = client(RangeOptions::default());
    let src = c.source(at("/data.bin"));
    assert_eq!(src.get_range(ByteRange::Suffix(100)).await.unwrap(), pattern(DATA_LEN - 100, 100));
    assert_eq!(src.len().await.unwrap(), DATA_LEN);
    assert_eq!(gets().await, vec![get("bytes=-100", 206)]);
    let other = c.source(at("/other.bin"));
    assert_eq!(other.len().await.unwrap(), DATA_LEN);
    assert_eq!(other.get_range(r(DATA_LEN - 4, DATA_LEN + 100)).await.unwrap(), pattern(DATA_LEN - 4, 4));
    let e = other.get_range(r(DATA_LEN, DATA_LEN + 1)).await.unwrap_err();
    assert!(matches!(e, IoError::RangeNotSatisfiable { .. }), "{e:?}");
    assert_eq!(
        gets().await,
        vec![get("bytes=-100", 206), head(200), get("bytes=1048572-1048675", 206), get("bytes=1048576-1048576", 416)]
    );
    let small = c.source(at("/small.bin"));
    assert_eq!(small.get_all(100).await.unwrap(), pattern(0, 100));
    assert!(matches!(small.get_all(99).await, Err(IoError::LimitExceeded(_))));
}

#[wasm_bindgen_test]
async fn missing_file_is_not_found() {
    reset().await;
    let c = client(RangeOptions::default());
    let e = c.source(at("/nope.bin")).get_range(r(0, 1)).await.unwrap_err();
    assert!(matches!(e, IoError::NotFound { .. }), "{e:?}");
    assert_eq!(e.kind().name(), "NotFound");
    assert_eq!(gets().await, vec![get("bytes=0-0", 404)]);
}

#[wasm_bindgen_test]
async fn store_percent_encodes_keys_and_maps_404_to_none() {
    reset().await;
    let c = client(RangeOptions::default());
    let store = c.store(server());
    assert_eq!(store.get("my group with spaces/x.json", 1000).await.unwrap().unwrap(), &b"{\"ok\":true}"[..]);
    assert_eq!(store.get("missing/key", 1000).await.unwrap(), None);
    assert_eq!(store.get_ranges("missing/key", &[r(0, 1)]).await.unwrap(), None);
    assert_eq!(store.get_ranges("data.bin", &[r(3, 5)]).await.unwrap().unwrap(), vec![pattern(3, 2)]);
    assert_eq!(log().await.len(), 4);
}

#[wasm_bindgen_test]
async fn fault_ignore_range() {
    reset().await;
    let c = client(RangeOptions::default());
    let e = c.source(fault("ignore-range", "/data.bin")).get_range(r(10, 20)).await.unwrap_err();
    assert!(matches!(e, IoError::NotPartial { status: 200, .. }), "{e:?}");
    assert_eq!(e.kind().name(), "RangeNotSupported");
    let c = client(RangeOptions { allow_whole_download: true, ..Default::default() });
    assert_eq!(c.source(fault("ignore-range", "/data.bin")).get_range(r(10, 20)).await.unwrap(), pattern(10, 10));
    let mut o = RangeOptions { allow_whole_download: true, ..Default::default() };
    o.limits.max_whole_download_bytes = 1000;
    let e = client(o).source(fault("ignore-range", "/data.bin")).get_range(r(10, 20)).await.unwrap_err();
    assert!(matches!(e, IoError::LimitExceeded(ref l) if l.requested == DATA_LEN && l.max == 1000), "{e:?}");
    assert_eq!(gets().await, vec![get("bytes=10-19", 200); 3]);
}

#[wasm_bindgen_test]
async fn fault_statuses() {
    reset().await;
    let c = client(RangeOptions::default());
    let e = c.source(fault("status=403", "/data.bin")).get_range(r(0, 8)).await.unwrap_err();
    assert!(matches!(e, IoError::Http { status: 403, ref message, .. } if message == "fault 403"), "{e:?}");
    let e = c.source(fault("status=404", "/data.bin")).get_range(r(0, 8)).await.unwrap_err();
    assert!(matches!(e, IoError::NotFound { .. }), "{e:?}");
    let e = c.source(fault("status=416", "/data.bin")).get_range(r(0, 8)).await.unwrap_err();
    assert!(matches!(e, IoError::RangeNotSatisfiable { ref range, .. } if range == "bytes=0-7"), "{e:?}");
    assert_eq!(gets().await, vec![get("bytes=0-7", 403), get("bytes=0-7", 404), get("bytes=0-7", 416)]);
}

#[wasm_bindgen_test]
async fn fault_5xx_retried_then_success() {
    reset().await;
    let c = client(RangeOptions::default());
    let got = c.source(fault("status=500,times=2", "/data.bin")).get_range(r(0, 8)).await.unwrap();
    assert_eq!(got, pattern(0, 8));
    assert_eq!(gets().await, vec![get("bytes=0-7", 500), get("bytes=0-7", 500), get("bytes=0-7", 206)]);
}

#[wasm_bindgen_test]
async fn fault_5xx_gives_up_after_retries() {
    reset().await;
    let c = client(RangeOptions { max_retries: 1, ..Default::default() });
    let e = c.source(fault("status=503", "/data.bin")).get_range(r(0, 8)).await.unwrap_err();
    assert!(matches!(e, IoError::Http { status: 503, .. }), "{e:?}");
    assert_eq!(gets().await, vec![get("bytes=0-7", 503); 2]);
}

#[wasm_bindgen_test]
async fn fault_truncate() {
    reset().await;
    let c = client(RangeOptions { max_retries: 1, ..Default::default() });
    let got = c.source(fault("truncate=10,times=1", "/data.bin")).get_range(r(0, 100)).await.unwrap();
    assert_eq!(got, pattern(0, 100));
    assert_eq!(log().await.iter().map(|e| e.bytes).collect::<Vec<_>>(), vec![90, 100]);
    reset().await;
    let e = c.source(fault("truncate=10", "/data.bin")).get_range(r(0, 100)).await.unwrap_err();
    assert!(matches!(e, IoError::Network { .. }), "{e:?}");
    assert_eq!(log().await.len(), 2);
}

#[wasm_bindgen_test]
async fn fault_bad_content_range() {
    reset().await;
    let c = client(RangeOptions::default());
    let e = c.source(fault("bad-content-range", "/data.bin")).get_range(r(0, 100)).await.unwrap_err();
    match e {
        IoError::BadContentRange { expected, got, .. } => {
            assert_eq!(expected, "bytes=0-99");
            assert_eq!(got.as_deref(), Some("bytes 1-100/1048577"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(log().await.len(), 1);
}

#[wasm_bindgen_test]
async fn fault_delay_and_stall() {
    reset().await;
    let c = client(RangeOptions { timeout_ms: Some(10_000), ..Default::default() });
    assert_eq!(c.source(fault("delay=300", "/data.bin")).get_range(r(0, 4)).await.unwrap(), pattern(0, 4));
    let c = client(RangeOptions { timeout_ms: Some(300), ..Default::default() });
    let e = c.source(fault("stall", "/data.bin")).get_range(r(0, 4)).await.unwrap_err();
    assert!(matches!(e, IoError::Timeout { ms: 300, .. }), "{e:?}");
    assert_eq!(e.kind().name(), "Aborted");
    let log = log().await;
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].status, 0);
}

#[wasm_bindgen_test]
async fn abort_signal_cancels_a_stalled_read() {
    reset().await;
    let c = client(RangeOptions::default());
    let controller = web_sys::AbortController::new().unwrap();
    let token = CancelToken::new();
    token.link_abort_signal(&controller.signal());
    let src = c.source(fault("stall", "/other.bin")).with_cancel(token);
    let abort = async {
        FetchTransport::global().sleep(200).await;
        controller.abort();
    };
    let (res, ()) = join(src.get_range(r(0, 4)), abort).await;
    assert!(matches!(res, Err(IoError::Aborted)), "{res:?}");
    assert_eq!(gets().await, vec![get("bytes=0-3", 0)]);
    // An already aborted signal: no request at all.
    let token = CancelToken::new();
    token.link_abort_signal(&controller.signal());
    let e = c.source(at("/data.bin")).with_cancel(token).get_range(r(0, 4)).await.unwrap_err();
    assert!(matches!(e, IoError::Aborted));
    assert_eq!(log().await.len(), 1);
}

#[wasm_bindgen_test]
async fn fault_no_head() {
    reset().await;
    let c = client(RangeOptions::default());
    assert_eq!(c.source(fault("no-head", "/data.bin")).len().await.unwrap(), DATA_LEN);
    assert_eq!(gets().await, vec![head(405), get("bytes=0-0", 206)]);
}

#[wasm_bindgen_test]
async fn fault_no_suffix() {
    reset().await;
    let c = client(RangeOptions::default());
    let src = c.source(fault("no-suffix", "/data.bin"));
    assert_eq!(src.get_range(ByteRange::Suffix(100)).await.unwrap(), pattern(DATA_LEN - 100, 100));
    assert_eq!(gets().await, vec![get("bytes=-100", 200), head(200), get("bytes=1048476-1048575", 206)]);
}

#[wasm_bindgen_test]
async fn fault_no_length() {
    reset().await;
    let c = client(RangeOptions::default());
    let src = c.source(fault("no-length", "/data.bin"));
    assert_eq!(src.len().await.unwrap(), DATA_LEN);
    assert_eq!(gets().await, vec![head(200), get("bytes=0-0", 206)]);
    assert_eq!(src.get_range(r(1000, 3000)).await.unwrap(), pattern(1000, 2000));
}
