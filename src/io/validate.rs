//! Judge a server's answer to a range request: pure functions from an [`HttpResponse`]
//! to bytes or a typed [`IoError`].
//!
//! Follows RFC 9110: a range request must get `206 Partial Content` (§15.3.7) whose
//! `Content-Range: bytes first-last/complete-length` (§14.4) is the range asked for
//! (clipped at the object's end as §14.1.2 allows); `416` carries `bytes */complete-length`
//! (§15.5.17). A `200` means the server ignored `Range` (§14.2): an error
//! ([`IoError::NotPartial`]) unless the caller allowed whole downloads, and then only up to
//! [`Limits::max_whole_download_bytes`].

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

use super::transport::HttpResponse;
use super::ByteRange;
use crate::error::{IoError, LimitExceeded};
use crate::limits::Limits;
use bytes::Bytes;

/// A parsed `Content-Range` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentRange {
    /// `[start, end)` of the bytes sent, or `None` for `*` (the form of a 416).
    pub range: Option<(u64, u64)>,
    /// The complete length, or `None` for `*` (unknown).
    pub total: Option<u64>,
}

/// Parse `bytes first-last/complete` or `bytes */complete` (RFC 9110 §14.4).
///
/// Returns `None` for anything else (other units, reversed or overflowing numbers, a
/// range reaching past a known total).
pub fn parse_content_range(value: &str) -> Option<ContentRange> {
    let rest = value.trim().strip_prefix("bytes")?;
    let rest = rest.strip_prefix(' ')?.trim_start();
    let (range_part, total_part) = rest.split_once('/')?;
    let total = match total_part.trim() {
        "*" => None,
        t => Some(parse_u64(t)?),
    };
    let range = match range_part.trim() {
        "*" => {
            // `*/*` says nothing.
            total?;
            None
        }
        r => {
            let (a, b) = r.split_once('-')?;
            let first = parse_u64(a)?;
            let last = parse_u64(b)?;
            if last < first {
                return None;
            }
            let end = last.checked_add(1)?;
            if total.is_some_and(|t| end > t) {
                return None;
            }
            Some((first, end))
        }
    };
    Some(ContentRange { range, total })
}

fn parse_u64(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The validated bytes of one range response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeBody {
    /// Absolute offset of `bytes[0]` in the object.
    pub start: u64,
    /// Exactly the bytes of the (clipped) requested range.
    pub bytes: Bytes,
    /// The object's size when the response revealed it.
    pub total: Option<u64>,
}

/// Map a non-success status to its error.
pub fn status_error(url: &str, status: u16, range: Option<&ByteRange>, body: &[u8]) -> IoError {
    match status {
        404 | 410 => IoError::NotFound { url: url.to_owned() },
        416 => IoError::RangeNotSatisfiable {
            url: url.to_owned(),
            range: range.map_or_else(|| "(none)".to_owned(), ByteRange::header_value),
        },
        _ => {
            let text = String::from_utf8_lossy(body.get(..body.len().min(200)).unwrap_or_default());
            IoError::Http { url: url.to_owned(), status, message: text.trim().to_owned() }
        }
    }
}

/// Validate the response to a GET with `Range: requested`.
///
/// # Errors
/// [`IoError::NotFound`] (404), [`IoError::RangeNotSatisfiable`] (416),
/// [`IoError::Http`] (403, other 4xx, 5xx, any other status),
/// [`IoError::NotPartial`] (200 without `allow_whole_download`),
/// [`IoError::BadContentRange`] (206 whose Content-Range is missing, malformed or not
/// the requested range), [`IoError::Truncated`] (body length differs from the range),
/// [`IoError::LimitExceeded`] (a whole download above `max_whole_download_bytes`).
pub fn validate_range_response(
    url: &str,
    requested: &ByteRange,
    resp: &HttpResponse,
    allow_whole_download: bool,
    limits: &Limits,
) -> Result<RangeBody, IoError> {
    match resp.status {
        206 => validate_partial(url, requested, resp),
        200 => {
            if !allow_whole_download {
                return Err(IoError::NotPartial { url: url.to_owned(), status: 200 });
            }
            validate_whole(url, requested, resp, limits)
        }
        s => Err(status_error(url, s, Some(requested), &resp.body)),
    }
}

fn validate_partial(url: &str, requested: &ByteRange, resp: &HttpResponse) -> Result<RangeBody, IoError> {
    let bad = || IoError::BadContentRange {
        url: url.to_owned(),
        expected: requested.header_value(),
        got: resp.content_range.clone(),
    };
    let cr = resp.content_range.as_deref().and_then(parse_content_range).ok_or_else(bad)?;
    let (first, end) = cr.range.ok_or_else(bad)?;
    let ok = match *requested {
        ByteRange::Bounded { start, end: want_end } => {
            // The server may clip a range that reaches past the end (§14.1.2).
            first == start && (end == want_end || (end < want_end && cr.total == Some(end)))
        }
        ByteRange::Suffix(n) => match cr.total {
            Some(total) => first == total.saturating_sub(n) && end == total,
            None => end - first == n,
        },
    };
    if !ok {
        return Err(bad());
    }
    let expected = end - first;
    let got = resp.body.len() as u64;
    if resp.overflow || got != expected {
        let got = if resp.overflow { resp.content_length.unwrap_or(got.saturating_add(1)).max(got) } else { got };
        return Err(IoError::Truncated { url: url.to_owned(), expected, got });
    }
    Ok(RangeBody { start: first, bytes: resp.body.clone(), total: cr.total })
}

fn validate_whole(
    url: &str,
    requested: &ByteRange,
    resp: &HttpResponse,
    limits: &Limits,
) -> Result<RangeBody, IoError> {
    let max = limits.max_whole_download_bytes;
    let got = resp.body.len() as u64;
    if resp.overflow || got > max || resp.content_length.is_some_and(|n| n > max) {
        let requested = resp.content_length.unwrap_or(got.saturating_add(1)).max(got);
        return Err(LimitExceeded { what: "whole-object download (server ignored Range)", requested, max }.into());
    }
    if let Some(declared) = resp.content_length {
        if declared != got {
            return Err(IoError::Truncated { url: url.to_owned(), expected: declared, got });
        }
    }
    requested
        .resolve(got)
        .map_err(|_| IoError::RangeNotSatisfiable { url: url.to_owned(), range: requested.header_value() })?;
    // The whole body, as the body of the range `0..got`: the caller slices the requested
    // range out and keeps the whole object in its byte cache (within the cache's budget),
    // so that later ranges of the object are served without downloading it again.
    Ok(RangeBody { start: 0, bytes: resp.body.clone(), total: Some(got) })
}

/// The object size from a HEAD response: `Ok(Some(n))` for a 2xx with Content-Length,
/// `Ok(None)` for a 2xx without it.
///
/// # Errors
/// [`IoError::NotFound`] for 404, [`IoError::Http`] for any other status (405 when HEAD
/// is refused).
pub fn validate_head(url: &str, resp: &HttpResponse) -> Result<Option<u64>, IoError> {
    match resp.status {
        200..=299 => Ok(resp.content_length),
        s => Err(status_error(url, s, None, &resp.body)),
    }
}

/// The object size from the answer to `Range: bytes=0-0`: the complete length of a 206's
/// or a 416's Content-Range, or a 200's Content-Length (or body length when the body was
/// read whole).
///
/// # Errors
/// [`IoError::NotFound`], [`IoError::Http`], and [`IoError::BadContentRange`] when the
/// response does not reveal the size.
pub fn size_from_probe(url: &str, resp: &HttpResponse) -> Result<u64, IoError> {
    let bad = || IoError::BadContentRange {
        url: url.to_owned(),
        expected: "bytes 0-0/<size>".to_owned(),
        got: resp.content_range.clone(),
    };
    match resp.status {
        206 | 416 => resp.content_range.as_deref().and_then(parse_content_range).and_then(|c| c.total).ok_or_else(bad),
        200 => match resp.content_length {
            Some(n) => Ok(n),
            None if !resp.overflow => Ok(resp.body.len() as u64),
            None => Err(bad()),
        },
        s => Err(status_error(url, s, None, &resp.body)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "http://h/x";

    fn resp(status: u16, cr: Option<&str>, body: &[u8]) -> HttpResponse {
        HttpResponse {
            status,
            content_range: cr.map(str::to_owned),
            content_length: Some(body.len() as u64),
            body: Bytes::copy_from_slice(body),
            overflow: false,
        }
    }

    fn v(r: ByteRange, resp: &HttpResponse, allow: bool) -> Result<RangeBody, IoError> {
        validate_range_response(URL, &r, resp, allow, &Limits::default())
    }

    fn b(s: u64, e: u64) -> ByteRange {
        ByteRange::new(s, e).unwrap()
    }

    #[test]
    fn parses_content_range() {
        assert_eq!(parse_content_range("bytes 0-9/100"), Some(ContentRange { range: Some((0, 10)), total: Some(100) }));
        assert_eq!(parse_content_range("bytes 5-5/*"), Some(ContentRange { range: Some((5, 6)), total: None }));
        assert_eq!(parse_content_range("bytes */42"), Some(ContentRange { range: None, total: Some(42) }));
        assert_eq!(parse_content_range("  bytes  3-4/5 "), Some(ContentRange { range: Some((3, 5)), total: Some(5) }));
        for bad in [
            "bytes */*",
            "bytes 9-0/100",
            "bytes 0-100/100",
            "items 0-1/2",
            "bytes 0-1",
            "bytes -1-2/3",
            "bytes 0-18446744073709551615/*",
            "bytes a-b/c",
            "bytes=0-1/2",
            "",
        ] {
            assert_eq!(parse_content_range(bad), None, "{bad}");
        }
    }

    #[test]
    fn partial_bounded_ok_and_clipped() {
        let r = v(b(10, 14), &resp(206, Some("bytes 10-13/100"), b"abcd"), false).unwrap();
        assert_eq!(r, RangeBody { start: 10, bytes: Bytes::from_static(b"abcd"), total: Some(100) });
        // Past the end: the server clips to the object's end.
        let r = v(b(98, 200), &resp(206, Some("bytes 98-99/100"), b"yz"), false).unwrap();
        assert_eq!((r.start, &r.bytes[..], r.total), (98, &b"yz"[..], Some(100)));
        // Clipped but the total does not say so: wrong.
        let e = v(b(98, 200), &resp(206, Some("bytes 98-99/*"), b"yz"), false).unwrap_err();
        assert!(matches!(e, IoError::BadContentRange { .. }), "{e:?}");
    }

    #[test]
    fn partial_suffix() {
        let r = v(ByteRange::Suffix(3), &resp(206, Some("bytes 97-99/100"), b"xyz"), false).unwrap();
        assert_eq!((r.start, &r.bytes[..], r.total), (97, &b"xyz"[..], Some(100)));
        // A suffix longer than the object: the whole object.
        let r = v(ByteRange::Suffix(300), &resp(206, Some("bytes 0-1/2"), b"ab"), false).unwrap();
        assert_eq!((r.start, r.total), (0, Some(2)));
        let r = v(ByteRange::Suffix(2), &resp(206, Some("bytes 7-8/*"), b"ab"), false).unwrap();
        assert_eq!((r.start, r.total), (7, None));
        let e = v(ByteRange::Suffix(3), &resp(206, Some("bytes 96-98/100"), b"xyz"), false).unwrap_err();
        assert!(matches!(e, IoError::BadContentRange { .. }));
    }

    #[test]
    fn partial_bad_content_range() {
        for cr in [None, Some("bytes 11-14/100"), Some("bytes 10-12/100"), Some("garbage"), Some("bytes */100")] {
            let e = v(b(10, 14), &resp(206, cr, b"abcd"), false).unwrap_err();
            match e {
                IoError::BadContentRange { expected, got, .. } => {
                    assert_eq!(expected, "bytes=10-13");
                    assert_eq!(got.as_deref(), cr);
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn partial_wrong_length_is_truncated() {
        let e = v(b(0, 4), &resp(206, Some("bytes 0-3/10"), b"abc"), false).unwrap_err();
        assert!(matches!(e, IoError::Truncated { expected: 4, got: 3, .. }), "{e:?}");
        let mut r = resp(206, Some("bytes 0-3/10"), b"abcd");
        r.overflow = true;
        r.content_length = Some(10);
        let e = v(b(0, 4), &r, false).unwrap_err();
        assert!(matches!(e, IoError::Truncated { expected: 4, got: 10, .. }), "{e:?}");
    }

    #[test]
    fn whole_body_needs_opt_in() {
        let whole = resp(200, None, b"0123456789");
        let e = v(b(2, 5), &whole, false).unwrap_err();
        assert!(matches!(e, IoError::NotPartial { status: 200, .. }));
        assert_eq!(e.kind().name(), "RangeNotSupported");
        // Opted in: the whole body comes back as the range 0..len, the requested range
        // inside it (the client slices it out and caches the whole object).
        for want in [b(2, 5), ByteRange::Suffix(4), b(8, 50)] {
            let r = v(want, &whole, true).unwrap();
            assert_eq!((r.start, &r.bytes[..], r.total), (0, &b"0123456789"[..], Some(10)));
        }
        let e = v(b(10, 12), &whole, true).unwrap_err();
        assert!(matches!(e, IoError::RangeNotSatisfiable { .. }));
    }

    #[test]
    fn whole_body_capped() {
        let limits = Limits { max_whole_download_bytes: 8, ..Limits::default() };
        let whole = resp(200, None, b"0123456789");
        let e = validate_range_response(URL, &b(0, 2), &whole, true, &limits).unwrap_err();
        match e {
            IoError::LimitExceeded(l) => assert_eq!((l.requested, l.max), (10, 8)),
            other => panic!("{other:?}"),
        }
        let mut cut = resp(200, None, b"012345678");
        cut.overflow = true;
        cut.content_length = Some(5_000_000_000);
        let e = validate_range_response(URL, &b(0, 2), &cut, true, &limits).unwrap_err();
        assert!(matches!(e, IoError::LimitExceeded(LimitExceeded { requested: 5_000_000_000, max: 8, .. })));
        let mut short = resp(200, None, b"01234");
        short.content_length = Some(6);
        let e = v(b(0, 2), &short, true).unwrap_err();
        assert!(matches!(e, IoError::Truncated { expected: 6, got: 5, .. }));
    }

    #[test]
    fn statuses() {
        let r = b(0, 1);
        let e = v(r, &resp(404, None, b""), true).unwrap_err();
        assert!(matches!(e, IoError::NotFound { ref url } if url == URL));
        assert_eq!(e.kind().name(), "NotFound");
        let e = v(r, &resp(416, Some("bytes */0"), b""), false).unwrap_err();
        assert!(matches!(e, IoError::RangeNotSatisfiable { ref range, .. } if range == "bytes=0-0"));
        let e = v(r, &resp(403, None, b"denied"), false).unwrap_err();
        assert!(matches!(e, IoError::Http { status: 403, ref message, .. } if message == "denied"));
        assert!(!e.is_transient());
        for s in [500, 502, 503] {
            let e = v(r, &resp(s, None, b""), false).unwrap_err();
            assert!(matches!(e, IoError::Http { status, .. } if status == s));
            assert!(e.is_transient());
        }
        let e = v(r, &resp(204, None, b""), false).unwrap_err();
        assert!(matches!(e, IoError::Http { status: 204, .. }));
    }

    #[test]
    fn head_and_probe() {
        let mut h = resp(200, None, b"");
        h.content_length = Some(1234);
        assert_eq!(validate_head(URL, &h).unwrap(), Some(1234));
        h.content_length = None;
        assert_eq!(validate_head(URL, &h).unwrap(), None);
        assert!(matches!(validate_head(URL, &resp(405, None, b"")), Err(IoError::Http { status: 405, .. })));
        assert!(matches!(validate_head(URL, &resp(404, None, b"")), Err(IoError::NotFound { .. })));
        assert_eq!(size_from_probe(URL, &resp(206, Some("bytes 0-0/777"), b"a")).unwrap(), 777);
        assert_eq!(size_from_probe(URL, &resp(416, Some("bytes */0"), b"")).unwrap(), 0);
        assert_eq!(size_from_probe(URL, &resp(200, None, b"abc")).unwrap(), 3);
        assert!(matches!(
            size_from_probe(URL, &resp(206, Some("bytes 0-0/*"), b"a")),
            Err(IoError::BadContentRange { .. })
        ));
    }
}
