//! `RangeOptions::timeout_ms` natively bounds a whole request attempt, body included
//! (issue 9, "stalled connection with a timeout"): a server that sends its headers and the
//! first bytes of the body and then nothing times out like one that never answers, with
//! `IoError::Timeout` (tagged `Aborted`), and is not retried.

use rangetile::error::IoError;
use rangetile::io::{ByteRange, HttpClient, RangeOptions, RangeSource};
use std::io::{BufRead, BufReader, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A server that answers each request with a 206 for `bytes 0-15/1000` declaring 16
/// bytes, sends 4 of them and then holds the connection open without sending more.
/// Returns its URL and the number of requests it received.
fn stalling_body_server() -> (String, Arc<AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/stalled.bin", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            counter.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                    line.clear();
                }
                let _ = write!(
                    stream,
                    "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-15/1000\r\nContent-Length: 16\r\n\r\n"
                );
                let _ = stream.write_all(&[1, 2, 3, 4]);
                let _ = stream.flush();
                // Hold the connection until the client closes it.
                let mut buf = [0u8; 64];
                while std::io::Read::read(&mut stream, &mut buf).is_ok_and(|n| n > 0) {}
            });
        }
    });
    (url, count)
}

#[tokio::test(flavor = "current_thread")]
async fn a_body_that_stalls_times_out() {
    let (url, count) = stalling_body_server();
    let c = HttpClient::new(RangeOptions { timeout_ms: Some(300), ..Default::default() });
    let e = c.source(url.clone()).get_range(ByteRange::new(0, 16).unwrap()).await.unwrap_err();
    match &e {
        IoError::Timeout { url: u, ms } => assert_eq!((u.as_str(), *ms), (url.as_str(), 300)),
        e => panic!("{e:?}"),
    }
    assert_eq!(e.kind().name(), "Aborted");
    assert_eq!(e.to_string(), format!("request timed out after 300 ms: {url}"));
    // Timeouts are not retried.
    assert_eq!(count.load(Ordering::SeqCst), 1);
}
