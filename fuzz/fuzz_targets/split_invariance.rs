//! Split invariance of the range planner and client: the same byte ranges read through
//! an HTTP client whose requests are coalesced (large gap) and through one that sends
//! every range alone (gap 0, no cache) give the same bytes, equal to slicing the object
//! directly; a range past the end is clipped in both or fails in both. The fake transport
//! answers like a conforming server (206 with Content-Range). Input: 2 bytes of object
//! size, 1 byte of gap choice, then ranges as (start u16, len u8) triples; a len of 0
//! means a suffix range of `start` bytes.
#![no_main]
use async_trait::async_trait;
use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use rangetile::error::IoError;
use rangetile::io::{
    ByteRange, CancelToken, HttpClient, HttpRequest, HttpResponse, Method, RangeOptions, RangeSource, Transport,
};
use rangetile_fuzz::block_on;
use std::rc::Rc;

struct Fake {
    data: Bytes,
}

#[async_trait(?Send)]
impl Transport for Fake {
    async fn send(&self, req: &HttpRequest, _cancel: &CancelToken) -> Result<HttpResponse, IoError> {
        let total = self.data.len() as u64;
        if req.method == Method::Head {
            return Ok(HttpResponse { status: 200, content_length: Some(total), ..Default::default() });
        }
        let Some(range) = req.range else {
            return Ok(HttpResponse {
                status: 200,
                content_length: Some(total),
                body: self.data.clone(),
                ..Default::default()
            });
        };
        match range.resolve(total) {
            Ok((s, e)) => Ok(HttpResponse {
                status: 206,
                content_range: Some(format!("bytes {}-{}/{}", s, e - 1, total)),
                content_length: Some(e - s),
                body: self.data.slice(s as usize..e as usize),
                overflow: false,
            }),
            Err(_) => {
                Ok(HttpResponse { status: 416, content_range: Some(format!("bytes */{total}")), ..Default::default() })
            }
        }
    }
    async fn sleep(&self, _ms: u64) {}
}

fuzz_target!(|input: &[u8]| {
    let [s0, s1, g, rest @ ..] = input else { return };
    let size = usize::from(u16::from_le_bytes([*s0, *s1]) % 8192) + 1;
    let data = Bytes::from((0..size).map(|i| (i * 31 % 251) as u8).collect::<Vec<u8>>());
    let mut ranges = Vec::new();
    for t in rest.chunks_exact(3).take(32) {
        let start = u64::from(u16::from_le_bytes([t[0], t[1]]) % 9000);
        let r = if t[2] == 0 {
            ByteRange::suffix(start.max(1))
        } else {
            ByteRange::from_offset_len(start, u64::from(t[2]))
        };
        if let Ok(r) = r {
            ranges.push(r);
        }
    }
    if ranges.is_empty() {
        return;
    }
    let gap = [0u64, 16, 1024, 1 << 20][usize::from(*g % 4)];
    let transport = Rc::new(Fake { data: data.clone() });
    let coalesced =
        HttpClient::with_transport(transport.clone(), RangeOptions { coalesce_gap: gap, ..Default::default() });
    let separate =
        HttpClient::with_transport(transport, RangeOptions { coalesce_gap: 0, cache_bytes: 0, ..Default::default() });
    let together = block_on(coalesced.source("http://h/o").get_ranges(&ranges));
    let one_by_one: Vec<Result<Bytes, IoError>> = {
        let src = separate.source("http://h/o");
        ranges.iter().map(|r| block_on(src.get_range(*r))).collect()
    };
    let direct: Vec<Option<Bytes>> =
        ranges.iter().map(|r| r.resolve(size as u64).ok().map(|(s, e)| data.slice(s as usize..e as usize))).collect();
    for (i, r) in ranges.iter().enumerate() {
        match (&one_by_one[i], &direct[i]) {
            (Ok(b), Some(d)) => assert_eq!(b, d, "range {r} alone"),
            (Err(_), None) => {}
            (got, want) => panic!("range {r} alone: {got:?}, direct {want:?}"),
        }
    }
    match together {
        Ok(bufs) => {
            assert_eq!(bufs.len(), ranges.len());
            for (i, b) in bufs.iter().enumerate() {
                assert_eq!(Some(b), direct[i].as_ref(), "range {} coalesced (gap {gap})", ranges[i]);
            }
        }
        // A batch fails as a whole only when some range cannot be served at all.
        Err(e) => assert!(direct.iter().any(Option::is_none), "batch failed ({e}) though every range is valid"),
    }
});
