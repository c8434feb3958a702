//! The caller's headers (credentials) reach only the origins the caller configured
//! (issue 9): by default the origin of the URL that was opened. A kerchunk reference file
//! on origin A whose chunks live on origin B: A's requests carry the headers, B's do not,
//! unless `RangeOptions::header_origins` lists B (or is `"*"`). Two range servers on
//! different ports are two origins. Natively, a redirect to another origin is followed
//! without the headers.

mod common;

use common::{LogEntry, RangeServer};
use rangetile::codecs::ArrayBytes;
use rangetile::io::{HttpClient, RangeOptions, RangeSource, Store};
use rangetile::refs::ReferenceStore;
use rangetile::zarr::{Group, Selection};
use rangetile::Limits;
use serde_json::json;
use std::path::PathBuf;
use std::rc::Rc;

const SECRET: (&str, &str) = ("x-rangetile-secret", "s3cr3t");

fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 13 % 251) as u8).collect()
}

/// `data.bin` (1000 pattern bytes) and `refs.json`: a Zarr v2 `|u1` array `x` of two
/// chunks, `x/0` on `other` (an absolute URL), `x/1` beside the references (relative).
fn fixtures(name: &str, other: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("data.bin"), pattern(1000)).unwrap();
    let zarray = json!({"zarr_format": 2, "shape": [20], "chunks": [10], "dtype": "|u1", "compressor": null,
        "filters": null, "fill_value": 0, "order": "C"});
    let refs = json!({"version": 1, "refs": {".zgroup": "{\"zarr_format\": 2}", "x/.zarray": zarray.to_string(),
        "x/0": [format!("{other}/data.bin"), 500, 10], "x/1": ["data.bin", 0, 10]}});
    std::fs::write(dir.join("refs.json"), refs.to_string()).unwrap();
    dir
}

fn with_secret(log: &[LogEntry]) -> Vec<bool> {
    log.iter().map(|e| e.headers.get(SECRET.0).map(String::as_str) == Some(SECRET.1)).collect()
}

/// Open the references on `a`, read the whole array; returns the logs of `a` and `b`.
async fn read_array(a: &RangeServer, b: &RangeServer, options: RangeOptions) -> (Vec<LogEntry>, Vec<LogEntry>) {
    a.reset();
    b.reset();
    let store = ReferenceStore::open(&a.at("/refs.json"), options, &Limits::default()).await.unwrap();
    let store: Rc<dyn Store> = Rc::new(store);
    let x = Group::open(store, "").await.unwrap().open_array("x").await.unwrap();
    let d = x.get(&Selection::all()).await.unwrap();
    let data = pattern(1000);
    let mut want = data[500..510].to_vec();
    want.extend_from_slice(&data[..10]);
    assert_eq!(d.data, ArrayBytes::Fixed(want));
    (a.log(), b.log())
}

fn options(header_origins: Option<Vec<String>>) -> RangeOptions {
    RangeOptions { headers: vec![(SECRET.0.into(), SECRET.1.into())], header_origins, ..Default::default() }
}

#[tokio::test(flavor = "current_thread")]
async fn kerchunk_targets_on_another_origin_get_no_headers_by_default() {
    let b = RangeServer::start(&fixtures("hdr-origins-b", "http://unused.invalid"));
    let a = RangeServer::start(&fixtures("hdr-origins-a", &b.url));
    let (log_a, log_b) = read_array(&a, &b, options(None)).await;
    // A: the references and chunk x/1, with the headers; B: chunk x/0, without.
    assert!(log_a.iter().any(|e| e.path == "/refs.json") && log_a.iter().any(|e| e.path == "/data.bin"), "{log_a:?}");
    assert!(with_secret(&log_a).iter().all(|&h| h), "{log_a:?}");
    assert_eq!(log_b.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(), ["/data.bin"]);
    assert_eq!(log_b[0].range.as_deref(), Some("bytes=500-509"));
    assert_eq!(with_secret(&log_b), [false]);
    assert!(log_b[0].headers.is_empty(), "{log_b:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn listed_origins_and_star_get_headers() {
    let b = RangeServer::start(&fixtures("hdr-origins-b2", "http://unused.invalid"));
    let a = RangeServer::start(&fixtures("hdr-origins-a2", &b.url));
    // Listing B: both get them (A as an origin spelled differently: upper case, a path).
    let upper_a = a.url.replace("http://", "HTTP://") + "/some/path";
    let (log_a, log_b) = read_array(&a, &b, options(Some(vec![upper_a, b.url.clone()]))).await;
    assert!(!log_a.is_empty() && with_secret(&log_a).iter().all(|&h| h), "{log_a:?}");
    assert_eq!(with_secret(&log_b), [true]);
    // Listing only B: A, though opened, gets none (an explicit list is exact).
    let (log_a, log_b) = read_array(&a, &b, options(Some(vec![b.url.clone()]))).await;
    assert!(!log_a.is_empty() && with_secret(&log_a).iter().all(|&h| !h), "{log_a:?}");
    assert_eq!(with_secret(&log_b), [true]);
    // "*": everywhere.
    let (log_a, log_b) = read_array(&a, &b, options(Some(vec!["*".into()]))).await;
    assert!(with_secret(&log_a).iter().all(|&h| h), "{log_a:?}");
    assert_eq!(with_secret(&log_b), [true]);
    // An empty list: nowhere.
    let (log_a, log_b) = read_array(&a, &b, options(Some(vec![]))).await;
    assert!(with_secret(&log_a).iter().all(|&h| !h), "{log_a:?}");
    assert_eq!(with_secret(&log_b), [false]);
}

#[tokio::test(flavor = "current_thread")]
async fn a_client_sends_headers_to_the_origin_it_opened_first() {
    let b = RangeServer::start(&fixtures("hdr-origins-b3", "http://unused.invalid"));
    let a = RangeServer::start(&fixtures("hdr-origins-a3", &b.url));
    let c = HttpClient::new(options(None));
    let store = c.store(a.url.clone());
    assert!(c.sends_headers_to(&a.at("/anything")));
    assert!(!c.sends_headers_to(&b.at("/data.bin")));
    assert_eq!(store.get("data.bin", 1 << 20).await.unwrap().unwrap(), pattern(1000));
    assert_eq!(c.source(b.at("/data.bin")).get_all(1 << 20).await.unwrap(), pattern(1000));
    assert_eq!(with_secret(&a.log()), [true]);
    assert_eq!(with_secret(&b.log()), [false]);
}

/// A server that answers every request with `302 Location: <to>` and records the
/// requests' header lines (lower-cased).
fn redirector(to: String) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                seen2.lock().unwrap().push(line.trim().to_ascii_lowercase());
                line.clear();
            }
            let _ = write!(
                stream,
                "HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    (url, seen)
}

#[tokio::test(flavor = "current_thread")]
async fn a_redirect_to_another_origin_drops_the_headers() {
    let b = RangeServer::start(&fixtures("hdr-origins-b4", "http://unused.invalid"));
    let (r, seen) = redirector(b.at("/data.bin"));
    let c = HttpClient::new(options(None));
    let got =
        c.source(format!("{r}/moved.bin")).get_range(rangetile::io::ByteRange::new(10, 20).unwrap()).await.unwrap();
    assert_eq!(got, pattern(1000)[10..20]);
    let secret_line = format!("{}: {}", SECRET.0, SECRET.1);
    assert!(seen.lock().unwrap().contains(&secret_line), "{:?}", seen.lock().unwrap());
    let log = b.log();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].range.as_deref(), Some("bytes=10-19"));
    assert_eq!(with_secret(&log), [false]);
}
