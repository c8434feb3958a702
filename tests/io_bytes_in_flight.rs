//! The cap on bytes in flight across all reads of one client
//! (`RangeOptions::max_bytes_in_flight`, issue 9) against the local range server: range
//! requests queue until bytes are released (the server sees at most as many requests at
//! once as fit), a single request larger than the cap is `LimitExceeded { what: "bytes in
//! flight" }` before anything is sent, and whole-object reads are charged their
//! `Content-Length` before their body is read.

mod common;

use common::RangeServer;
use rangetile::error::IoError;
use rangetile::io::{ByteRange, HttpClient, RangeOptions, RangeSource, Store};
use std::path::PathBuf;

fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 31 % 251) as u8).collect()
}

/// `big.bin` (2 MB) and `w0.bin`..`w3.bin` (60 000 bytes each).
fn fixtures() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bytes-in-flight");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("big.bin"), pattern(2_000_000)).unwrap();
    for i in 0..4 {
        std::fs::write(dir.join(format!("w{i}.bin")), pattern(60_000)).unwrap();
    }
    dir
}

fn options(max_bytes_in_flight: u64) -> RangeOptions {
    RangeOptions { max_concurrency: 16, coalesce_gap: 0, max_bytes_in_flight, cache_bytes: 0, ..Default::default() }
}

/// Eight 40 000-byte ranges 200 000 bytes apart.
fn ranges() -> Vec<ByteRange> {
    (0..8).map(|i| ByteRange::from_offset_len(i * 200_000, 40_000).unwrap()).collect()
}

#[tokio::test(flavor = "current_thread")]
async fn range_requests_queue_for_the_byte_budget() {
    let server = RangeServer::start(&fixtures());
    let data = pattern(2_000_000);
    // Each response is held 300 ms by the server, so requests that may run together do.
    let url = server.fault("delay=300", "/big.bin");
    for (cap, most) in [(100_000u64, 2u64), (256 << 20, 8)] {
        server.reset();
        let c = HttpClient::new(options(cap));
        let got = c.source(url.clone()).get_ranges(&ranges()).await.unwrap();
        for (r, g) in ranges().iter().zip(&got) {
            let (s, e) = r.resolve(2_000_000).unwrap();
            assert_eq!(g[..], data[s as usize..e as usize]);
        }
        assert_eq!(server.log().len(), 8);
        let peak = server.stats().max_in_flight;
        println!("cap {cap}: at most {peak} request(s) in flight");
        if cap == 100_000 {
            // 2 × 40 000 fit in 100 000, 3 do not.
            assert!(peak <= most, "{peak}");
        } else {
            // Without a tight budget the eight overlap (the per-origin bound is 16).
            assert!(peak > 2, "{peak}");
        }
        assert_eq!(c.budget().in_use(), 0);
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_request_above_the_budget_is_refused_before_it_is_sent() {
    let server = RangeServer::start(&fixtures());
    let c = HttpClient::new(options(100_000));
    let e = c.source(server.at("/big.bin")).get_range(ByteRange::new(0, 100_001).unwrap()).await.unwrap_err();
    match &e {
        IoError::LimitExceeded(l) => assert_eq!((l.what, l.requested, l.max), ("bytes in flight", 100_001, 100_000)),
        e => panic!("{e:?}"),
    }
    assert_eq!(e.kind().name(), "LimitExceeded");
    assert!(server.log().is_empty(), "{:?}", server.log());
    // A read whose parts each fit is served (they queue).
    let got = c.source(server.at("/big.bin")).get_ranges(&ranges()).await.unwrap();
    assert_eq!(got.len(), 8);
}

#[tokio::test(flavor = "current_thread")]
async fn whole_objects_are_charged_their_length() {
    let server = RangeServer::start(&fixtures());
    let c = HttpClient::new(options(100_000));
    let store = c.store(server.url.clone());
    // 2 MB declared, 100 000 allowed: refused once the headers arrive, body unread.
    let e = store.get("big.bin", 10 << 20).await.unwrap_err();
    match e {
        IoError::LimitExceeded(l) => assert_eq!((l.what, l.requested, l.max), ("bytes in flight", 2_000_000, 100_000)),
        e => panic!("{e:?}"),
    }
    // Four 60 000-byte objects at once: each waits for the previous one, all arrive.
    let keys = ["w0.bin", "w1.bin", "w2.bin", "w3.bin"];
    let got = futures::future::join_all(keys.iter().map(|k| store.get(k, 1 << 20))).await;
    for g in got {
        assert_eq!(g.unwrap().unwrap(), pattern(60_000));
    }
    assert_eq!(c.budget().in_use(), 0);
    assert_eq!(c.budget().waiting(), 0);
}
