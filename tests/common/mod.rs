//! Helpers shared by the integration tests: the local range server
//! (`tests/server/range-server.mjs`, run with node), its request log, and fixtures.
//!
//! ```ignore
//! mod common;
//! let server = common::RangeServer::start(&common::testdata());
//! let url = format!("{}/zarr/...", server.url);
//! // ... read ...
//! assert_eq!(server.log().len(), 2);
//! ```
#![allow(dead_code)]

pub mod data;

use rangetile::zarr::{DimSelection, Selection};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

/// The shared test corpus (`../shared/testdata` beside the repository).
pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata")
}

/// The corpus' sha256 (`sha256_c_order_le`) of the array at `path` in the store that the
/// `*.expected.json` at `expected` describes.
pub fn expected_sha(expected: &Path, path: &str) -> String {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(expected).unwrap()).unwrap();
    let a = v["arrays"].as_array().unwrap().iter().find(|a| a["path"] == path).unwrap();
    a["sha256_c_order_le"].as_str().unwrap().to_string()
}

/// One selection per block of `block` elements of an array of `shape` (the last blocks
/// clipped), with the block's coordinates, in C order.
pub fn block_selections(shape: &[u64], block: &[u64]) -> Vec<(Vec<u64>, Selection)> {
    let grid: Vec<u64> = shape.iter().zip(block).map(|(s, c)| s.div_ceil(*c)).collect();
    (0..grid.iter().product::<u64>())
        .map(|mut k| {
            let mut coords = vec![0; grid.len()];
            for d in (0..grid.len()).rev() {
                coords[d] = k % grid[d];
                k /= grid[d];
            }
            let sel = coords
                .iter()
                .zip(block)
                .zip(shape)
                .map(|((c, b), s)| DimSelection::Range(c * b, ((c + 1) * b).min(*s)))
                .collect();
            (coords, Selection(sel))
        })
        .collect()
}

/// One request as the server logged it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LogEntry {
    pub method: String,
    /// The request path as sent (percent-encoded, fault prefix included).
    pub path: String,
    /// The `Range` header, if any.
    pub range: Option<String>,
    /// The status sent (0: none, e.g. a stalled request).
    pub status: u16,
    /// Body bytes sent.
    pub bytes: u64,
    /// The request's `x-*` and `authorization` headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

/// The server's concurrency counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerStats {
    pub in_flight: u64,
    pub max_in_flight: u64,
}

/// A running range server, killed on drop.
pub struct RangeServer {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub url: String,
    child: Child,
    _stdin: Option<ChildStdin>,
}

impl RangeServer {
    /// Start a server over `root` on a free port. Panics (failing the test) if node is
    /// missing or the server does not come up.
    pub fn start(root: &Path) -> RangeServer {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/server/range-server.mjs");
        let mut child = Command::new("node")
            .arg(&script)
            .arg("--root")
            .arg(root)
            .arg("--exit-with-stdin")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn node tests/server/range-server.mjs (is node on PATH?)");
        let stdout = child.stdout.take().expect("server stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("read the server's first line");
        #[derive(Deserialize)]
        struct Hello {
            url: String,
        }
        let hello: Hello = serde_json::from_str(line.trim())
            .unwrap_or_else(|e| panic!("range server did not start ({e}); it printed {line:?}"));
        let stdin = child.stdin.take();
        RangeServer { url: hello.url, child, _stdin: stdin }
    }

    /// `url` joined with `path` (which starts with `/`).
    pub fn at(&self, path: &str) -> String {
        format!("{}{}", self.url, path)
    }

    /// `path` behind a fault spec: `/__fault/<spec><path>`.
    pub fn fault(&self, spec: &str, path: &str) -> String {
        format!("{}/__fault/{}{}", self.url, spec, path)
    }

    /// Every request logged since the start or the last [`RangeServer::reset`].
    pub fn log(&self) -> Vec<LogEntry> {
        serde_json::from_slice(&self.control("GET", "/__log")).expect("parse /__log")
    }

    /// The concurrency counters.
    pub fn stats(&self) -> ServerStats {
        serde_json::from_slice(&self.control("GET", "/__stats")).expect("parse /__stats")
    }

    /// Clear the log, the fault counters and `max_in_flight`.
    pub fn reset(&self) {
        self.control("POST", "/__reset");
    }

    /// A blocking HTTP/1.0 request to a control endpoint (usable from any test, async
    /// or not, without a runtime).
    fn control(&self, method: &str, path: &str) -> Vec<u8> {
        let host = self.url.trim_start_matches("http://");
        let mut s = TcpStream::connect(host).expect("connect to the range server");
        write!(s, "{method} {path} HTTP/1.0\r\nHost: {host}\r\nContent-Length: 0\r\n\r\n").expect("write");
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).expect("read");
        let split = buf.windows(4).position(|w| w == b"\r\n\r\n").expect("HTTP response");
        buf.split_off(split + 4)
    }
}

impl Drop for RangeServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The deterministic bytes of the generated fixture files: byte `i` of every file.
pub fn pattern_byte(i: u64) -> u8 {
    ((i.wrapping_mul(7)) ^ (i >> 8) ^ (i >> 16)) as u8
}

/// `len` pattern bytes from offset `start`.
pub fn pattern(start: u64, len: u64) -> Vec<u8> {
    (start..start + len).map(pattern_byte).collect()
}

/// Size of `data.bin` in [`fixture_dir`].
pub const DATA_LEN: u64 = 1 << 20;

/// A directory of generated files (written once, atomically):
/// - `data.bin`, `other.bin`: [`DATA_LEN`] pattern bytes each;
/// - `small.bin`: 100 pattern bytes; `empty.bin`: 0 bytes;
/// - `my group with spaces/x.json`: `{"ok":true}`.
pub fn fixture_dir() -> PathBuf {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("io-fixtures");
    let files: [(&str, Vec<u8>); 5] = [
        ("data.bin", pattern(0, DATA_LEN)),
        ("other.bin", pattern(0, DATA_LEN)),
        ("small.bin", pattern(0, 100)),
        ("empty.bin", Vec::new()),
        ("my group with spaces/x.json", b"{\"ok\":true}".to_vec()),
    ];
    for (name, bytes) in files {
        let p = dir.join(name);
        if std::fs::metadata(&p).map(|m| m.len() == bytes.len() as u64).unwrap_or(false) {
            continue;
        }
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir fixtures");
        let tmp = p.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, &bytes).expect("write fixture");
        std::fs::rename(&tmp, &p).expect("rename fixture");
    }
    dir
}
