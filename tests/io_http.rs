//! The native range I/O layer against the real local range server: every fault mode
//! with its expected outcome, and request counts from the server's log.

mod common;

use common::{fixture_dir, pattern, RangeServer, DATA_LEN};
use futures::future::join;
use rangetile::error::IoError;
use rangetile::io::{ByteRange, CancelToken, HttpClient, RangeOptions, RangeSource, Store};

fn server() -> RangeServer {
    RangeServer::start(&fixture_dir())
}

fn r(start: u64, end: u64) -> ByteRange {
    ByteRange::new(start, end).unwrap()
}

fn gets(log: &[common::LogEntry]) -> Vec<(String, Option<String>, u16)> {
    log.iter().map(|e| (e.method.clone(), e.range.clone(), e.status)).collect()
}

fn get(range: &str, status: u16) -> (String, Option<String>, u16) {
    ("GET".into(), Some(range.into()), status)
}

#[tokio::test]
async fn two_reads_1k_apart_cost_one_request() {
    let s = server();
    let c = HttpClient::new(RangeOptions::default());
    let src = c.source(s.at("/data.bin"));
    let got = src.get_ranges(&[r(0, 100), r(1124, 1200)]).await.unwrap();
    assert_eq!(got[0], pattern(0, 100));
    assert_eq!(got[1], pattern(1124, 76));
    assert_eq!(gets(&s.log()), vec![get("bytes=0-1199", 206)]);
    assert_eq!(s.log()[0].bytes, 1200);
    // Far apart (> 32 KiB): two requests.
    s.reset();
    let got = src.get_ranges(&[r(100_000, 100_010), r(500_000, 500_010)]).await.unwrap();
    assert_eq!(got[1], pattern(500_000, 10));
    assert_eq!(gets(&s.log()), vec![get("bytes=100000-100009", 206), get("bytes=500000-500009", 206)]);
}

#[tokio::test]
async fn cache_hit_costs_no_request() {
    let s = server();
    let c = HttpClient::new(RangeOptions::default());
    let src = c.source(s.at("/data.bin"));
    assert_eq!(src.get_range(r(4096, 8192)).await.unwrap(), pattern(4096, 4096));
    assert_eq!(src.get_range(r(5000, 6000)).await.unwrap(), pattern(5000, 1000));
    assert_eq!(src.get_range(r(4096, 8192)).await.unwrap(), pattern(4096, 4096));
    assert_eq!(s.log().len(), 1);
    let st = c.stats();
    assert_eq!((st.requests, st.bytes_fetched, st.cache_hits), (1, 4096, 2));
    // No cache: every read is a request.
    let c = HttpClient::new(RangeOptions { cache_bytes: 0, ..Default::default() });
    let src = c.source(s.at("/data.bin"));
    src.get_range(r(0, 10)).await.unwrap();
    src.get_range(r(0, 10)).await.unwrap();
    assert_eq!(s.log().len(), 3);
}

#[tokio::test]
async fn concurrent_identical_reads_share_one_request() {
    let s = server();
    let c = HttpClient::new(RangeOptions::default());
    let a = c.source(s.fault("delay=200", "/data.bin"));
    let b = c.source(s.fault("delay=200", "/data.bin"));
    let (x, y) = join(a.get_range(r(10, 20)), b.get_range(r(10, 20))).await;
    assert_eq!(x.unwrap(), pattern(10, 10));
    assert_eq!(y.unwrap(), pattern(10, 10));
    assert_eq!(gets(&s.log()), vec![get("bytes=10-19", 206)]);
}

#[tokio::test]
async fn concurrency_per_origin_is_bounded() {
    let s = server();
    let c = HttpClient::new(RangeOptions { max_concurrency: 2, coalesce_gap: 0, ..Default::default() });
    let src = c.source(s.fault("delay=150", "/data.bin"));
    let ranges: Vec<ByteRange> = (0..8).map(|i| ByteRange::from_offset_len(i * 100_000, 16).unwrap()).collect();
    let got = src.get_ranges(&ranges).await.unwrap();
    for (i, g) in got.iter().enumerate() {
        assert_eq!(*g, pattern(i as u64 * 100_000, 16));
    }
    assert_eq!(s.log().len(), 8);
    assert_eq!(s.stats().max_in_flight, 2);
    // The default bound is 16.
    s.reset();
    let c = HttpClient::new(RangeOptions { coalesce_gap: 0, ..Default::default() });
    let src = c.source(s.fault("delay=150", "/other.bin"));
    let ranges: Vec<ByteRange> = (0..24).map(|i| ByteRange::from_offset_len(i * 40_000, 16).unwrap()).collect();
    src.get_ranges(&ranges).await.unwrap();
    assert_eq!(s.log().len(), 24);
    assert_eq!(s.stats().max_in_flight, 16);
}

#[tokio::test]
async fn custom_headers_reach_the_server() {
    let s = server();
    let headers =
        vec![("X-Rangetile-Test".to_owned(), "yes".to_owned()), ("Authorization".into(), "Bearer t0k".into())];
    let c = HttpClient::new(RangeOptions { headers, ..Default::default() });
    let src = c.source(s.at("/data.bin"));
    src.len().await.unwrap();
    src.get_range(r(0, 1)).await.unwrap();
    let log = s.log();
    assert_eq!(log.len(), 2);
    for e in log {
        assert_eq!(e.headers.get("x-rangetile-test").map(String::as_str), Some("yes"));
        assert_eq!(e.headers.get("authorization").map(String::as_str), Some("Bearer t0k"));
    }
}

#[tokio::test]
async fn len_and_suffix() {
    let s = server();
    let c = HttpClient::new(RangeOptions::default());
    let src = c.source(s.at("/data.bin"));
    assert_eq!(src.get_range(ByteRange::Suffix(100)).await.unwrap(), pattern(DATA_LEN - 100, 100));
    // The size came with the suffix's Content-Range: no HEAD.
    assert_eq!(src.len().await.unwrap(), DATA_LEN);
    assert_eq!(gets(&s.log()), vec![get("bytes=-100", 206)]);
    let other = c.source(s.at("/other.bin"));
    assert_eq!(other.len().await.unwrap(), DATA_LEN);
    assert_eq!(s.log()[1].method, "HEAD");
    // Reads past the end are clipped; starting past it is 416.
    assert_eq!(other.get_range(r(DATA_LEN - 4, DATA_LEN + 100)).await.unwrap(), pattern(DATA_LEN - 4, 4));
    let e = other.get_range(r(DATA_LEN, DATA_LEN + 1)).await.unwrap_err();
    assert!(matches!(e, IoError::RangeNotSatisfiable { ref range, .. } if range == "bytes=1048576-1048576"), "{e:?}");
    // A suffix longer than the object is the whole object.
    let small = c.source(s.at("/small.bin"));
    assert_eq!(small.get_range(ByteRange::Suffix(1000)).await.unwrap(), pattern(0, 100));
    assert_eq!(small.get_all(100).await.unwrap(), pattern(0, 100));
    let e = small.get_all(99).await.unwrap_err();
    assert!(matches!(e, IoError::LimitExceeded(ref l) if l.requested == 100 && l.max == 99), "{e:?}");
}

#[tokio::test]
async fn missing_file_is_not_found() {
    let s = server();
    let c = HttpClient::new(RangeOptions::default());
    let e = c.source(s.at("/nope.bin")).get_range(r(0, 1)).await.unwrap_err();
    assert!(matches!(e, IoError::NotFound { ref url } if url.ends_with("/nope.bin")), "{e:?}");
    assert_eq!(e.kind().name(), "NotFound");
    let e = c.source(s.at("/nope.bin")).len().await.unwrap_err();
    assert!(matches!(e, IoError::NotFound { .. }), "{e:?}");
    assert_eq!(s.log().len(), 2);
}

#[tokio::test]
async fn store_percent_encodes_keys_and_maps_404_to_none() {
    let s = server();
    let c = HttpClient::new(RangeOptions::default());
    let store = c.store(s.url.clone());
    assert_eq!(store.describe("my group with spaces/x.json"), s.at("/my%20group%20with%20spaces/x.json"));
    assert_eq!(store.get("my group with spaces/x.json", 1000).await.unwrap().unwrap(), &b"{\"ok\":true}"[..]);
    assert_eq!(store.get("missing/key", 1000).await.unwrap(), None);
    assert_eq!(store.get_ranges("missing/key", &[r(0, 1)]).await.unwrap(), None);
    assert_eq!(store.get_ranges("data.bin", &[r(3, 5)]).await.unwrap().unwrap(), vec![pattern(3, 2)]);
    let e = store.get("data.bin", 10).await.unwrap_err();
    assert!(matches!(e, IoError::LimitExceeded(ref l) if l.requested == DATA_LEN && l.max == 10), "{e:?}");
    // 404 through a fault is also None; 403 stays an error.
    let faulty = c.store(s.fault("status=404", ""));
    assert_eq!(faulty.get("data.bin", 100).await.unwrap(), None);
    let forbidden = c.store(s.fault("status=403", ""));
    let e = forbidden.get("data.bin", 100).await.unwrap_err();
    assert!(matches!(e, IoError::Http { status: 403, .. }), "{e:?}");
}

#[tokio::test]
async fn concurrent_whole_object_gets_share_one_request() {
    let s = server();
    let c = HttpClient::new(RangeOptions::default());
    let store = c.store(s.fault("delay=100", ""));
    let (a, b, other) = tokio::join!(
        store.get("data.bin", DATA_LEN),
        store.get("data.bin", DATA_LEN),
        store.get("other.bin", DATA_LEN)
    );
    assert_eq!(a.unwrap().unwrap(), pattern(0, DATA_LEN));
    assert_eq!(b.unwrap().unwrap(), pattern(0, DATA_LEN));
    assert_eq!(other.unwrap().unwrap(), pattern(0, DATA_LEN));
    let mut paths: Vec<String> = s.log().iter().map(|e| e.path.clone()).collect();
    paths.sort();
    assert_eq!(paths, vec!["/__fault/delay=100/data.bin".to_string(), "/__fault/delay=100/other.bin".to_string()]);
    // A missing object is shared too, and stays None for both readers.
    s.reset();
    let (a, b) = tokio::join!(store.get("nope.bin", 100), store.get("nope.bin", 100));
    assert_eq!((a.unwrap(), b.unwrap()), (None, None));
    assert_eq!(s.log().len(), 1);
}

// ---- fault modes ----

#[tokio::test]
async fn fault_ignore_range() {
    let s = server();
    let c = HttpClient::new(RangeOptions::default());
    let e = c.source(s.fault("ignore-range", "/data.bin")).get_range(r(10, 20)).await.unwrap_err();
    assert!(matches!(e, IoError::NotPartial { status: 200, .. }), "{e:?}");
    assert_eq!(e.kind().name(), "RangeNotSupported");
    assert_eq!(gets(&s.log()), vec![get("bytes=10-19", 200)]);
    // Opted in: the range is sliced out of the whole body, which the byte cache keeps:
    // other ranges of the object are then read without downloading it again.
    let c = HttpClient::new(RangeOptions { allow_whole_download: true, ..Default::default() });
    let src = c.source(s.fault("ignore-range", "/data.bin"));
    s.reset();
    assert_eq!(src.get_range(r(10, 20)).await.unwrap(), pattern(10, 10));
    assert_eq!(src.get_range(r(500_000, 500_100)).await.unwrap(), pattern(500_000, 100));
    let two = src.get_ranges(&[r(7, 9), ByteRange::Suffix(3)]).await.unwrap();
    assert_eq!(two, vec![pattern(7, 2), pattern(DATA_LEN - 3, 3)]);
    assert_eq!(gets(&s.log()), vec![get("bytes=10-19", 200)]);
    // ... but never past the cap.
    let mut o = RangeOptions { allow_whole_download: true, ..Default::default() };
    o.limits.max_whole_download_bytes = 1000;
    let c = HttpClient::new(o);
    let e = c.source(s.fault("ignore-range", "/data.bin")).get_range(r(10, 20)).await.unwrap_err();
    assert!(matches!(e, IoError::LimitExceeded(ref l) if l.requested == DATA_LEN && l.max == 1000), "{e:?}");
}

#[tokio::test]
async fn fault_statuses() {
    let s = server();
    let c = HttpClient::new(RangeOptions::default());
    let read = |spec: &str| {
        let src = c.source(s.fault(spec, "/data.bin"));
        async move { src.get_range(r(0, 8)).await }
    };
    let e = read("status=403").await.unwrap_err();
    assert!(matches!(e, IoError::Http { status: 403, ref message, .. } if message == "fault 403"), "{e:?}");
    let e = read("status=404").await.unwrap_err();
    assert!(matches!(e, IoError::NotFound { .. }), "{e:?}");
    let e = read("status=416").await.unwrap_err();
    assert!(matches!(e, IoError::RangeNotSatisfiable { ref range, .. } if range == "bytes=0-7"), "{e:?}");
    // None of these is retried.
    assert_eq!(s.log().len(), 3);
}

#[tokio::test]
async fn fault_5xx_retried_then_success() {
    let s = server();
    let c = HttpClient::new(RangeOptions::default());
    let got = c.source(s.fault("status=500,times=2", "/data.bin")).get_range(r(0, 8)).await.unwrap();
    assert_eq!(got, pattern(0, 8));
    assert_eq!(gets(&s.log()), vec![get("bytes=0-7", 500), get("bytes=0-7", 500), get("bytes=0-7", 206)]);
}

#[tokio::test]
async fn fault_5xx_gives_up_after_retries() {
    let s = server();
    let c = HttpClient::new(RangeOptions { max_retries: 2, ..Default::default() });
    let e = c.source(s.fault("status=503", "/data.bin")).get_range(r(0, 8)).await.unwrap_err();
    assert!(matches!(e, IoError::Http { status: 503, .. }), "{e:?}");
    assert_eq!(e.kind().name(), "Http");
    assert_eq!(gets(&s.log()), vec![get("bytes=0-7", 503); 3]);
}

#[tokio::test]
async fn fault_truncate() {
    let s = server();
    let c = HttpClient::new(RangeOptions { max_retries: 1, ..Default::default() });
    // Once: retried, then correct.
    let got = c.source(s.fault("truncate=10,times=1", "/data.bin")).get_range(r(0, 100)).await.unwrap();
    assert_eq!(got, pattern(0, 100));
    assert_eq!(s.log().iter().map(|e| e.bytes).collect::<Vec<_>>(), vec![90, 100]);
    // Always: a network error (the body ended before its Content-Length) after the retry.
    s.reset();
    let e = c.source(s.fault("truncate=10", "/data.bin")).get_range(r(0, 100)).await.unwrap_err();
    assert!(matches!(e, IoError::Network { .. }), "{e:?}");
    assert_eq!(s.log().len(), 2);
}

#[tokio::test]
async fn fault_bad_content_range() {
    let s = server();
    let c = HttpClient::new(RangeOptions::default());
    let e = c.source(s.fault("bad-content-range", "/data.bin")).get_range(r(0, 100)).await.unwrap_err();
    match e {
        IoError::BadContentRange { expected, got, .. } => {
            assert_eq!(expected, "bytes=0-99");
            assert_eq!(got.as_deref(), Some("bytes 1-100/1048577"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.log().len(), 1);
}

#[tokio::test]
async fn fault_delay_and_stall() {
    let s = server();
    let c = HttpClient::new(RangeOptions { timeout_ms: Some(10_000), ..Default::default() });
    assert_eq!(c.source(s.fault("delay=300", "/data.bin")).get_range(r(0, 4)).await.unwrap(), pattern(0, 4));
    // A stalled server: the timeout fires; timeouts are not retried.
    let c = HttpClient::new(RangeOptions { timeout_ms: Some(300), ..Default::default() });
    let e = c.source(s.fault("stall", "/data.bin")).get_range(r(0, 4)).await.unwrap_err();
    assert!(matches!(e, IoError::Timeout { ms: 300, .. }), "{e:?}");
    assert_eq!(e.kind().name(), "Aborted");
    // Cancellation of a stalled read.
    let c = HttpClient::new(RangeOptions::default());
    let token = CancelToken::new();
    let src = c.source(s.fault("stall", "/other.bin")).with_cancel(token.clone());
    let canceller = async {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        token.cancel();
    };
    let (res, ()) = join(src.get_range(r(0, 4)), canceller).await;
    assert!(matches!(res, Err(IoError::Aborted)), "{res:?}");
    let log = s.log();
    assert_eq!(log.len(), 3);
    assert_eq!(log[1].status, 0);
}

#[tokio::test]
async fn fault_no_head() {
    let s = server();
    let c = HttpClient::new(RangeOptions::default());
    assert_eq!(c.source(s.fault("no-head", "/data.bin")).len().await.unwrap(), DATA_LEN);
    assert_eq!(gets(&s.log()), vec![("HEAD".into(), None, 405), get("bytes=0-0", 206)]);
}

#[tokio::test]
async fn fault_no_suffix() {
    let s = server();
    let c = HttpClient::new(RangeOptions::default());
    let src = c.source(s.fault("no-suffix", "/data.bin"));
    assert_eq!(src.get_range(ByteRange::Suffix(100)).await.unwrap(), pattern(DATA_LEN - 100, 100));
    assert_eq!(
        gets(&s.log()),
        vec![get("bytes=-100", 200), ("HEAD".into(), None, 200), get("bytes=1048476-1048575", 206)]
    );
    // The origin is now known to refuse suffixes: the next file goes straight to HEAD.
    s.reset();
    let other = c.source(s.fault("no-suffix", "/other.bin"));
    assert_eq!(other.get_range(ByteRange::Suffix(10)).await.unwrap(), pattern(DATA_LEN - 10, 10));
    assert_eq!(gets(&s.log()), vec![("HEAD".into(), None, 200), get("bytes=1048566-1048575", 206)]);
}

#[tokio::test]
async fn fault_no_length() {
    let s = server();
    let c = HttpClient::new(RangeOptions::default());
    let src = c.source(s.fault("no-length", "/data.bin"));
    assert_eq!(src.len().await.unwrap(), DATA_LEN);
    assert_eq!(gets(&s.log()), vec![("HEAD".into(), None, 200), get("bytes=0-0", 206)]);
    assert_eq!(src.get_range(r(1000, 3000)).await.unwrap(), pattern(1000, 2000));
}

#[tokio::test]
async fn empty_file() {
    let s = server();
    let c = HttpClient::new(RangeOptions::default());
    let src = c.source(s.at("/empty.bin"));
    assert_eq!(src.len().await.unwrap(), 0);
    assert_eq!(src.get_all(10).await.unwrap().len(), 0);
    let e = src.get_range(r(0, 1)).await.unwrap_err();
    assert!(matches!(e, IoError::RangeNotSatisfiable { .. }), "{e:?}");
}

#[tokio::test]
async fn global_stats_count_requests() {
    let s = server();
    let before = rangetile::io::stats();
    let c = HttpClient::new(RangeOptions::default());
    c.source(s.at("/small.bin")).get_range(r(0, 50)).await.unwrap();
    let after = rangetile::io::stats();
    // Other tests run concurrently: at least our request and bytes.
    assert!(after.requests > before.requests);
    assert!(after.bytes_fetched >= before.bytes_fetched + 50);
    assert_eq!(c.stats().requests, 1);
    assert_eq!(c.stats().bytes_fetched, 50);
}
