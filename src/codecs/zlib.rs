//! The numcodecs `zlib` codec (v2 `{"id": "zlib", "level"}`, v3 `numcodecs.zlib`): a
//! zlib stream (RFC 1950: 2-byte header, deflate (RFC 1951), Adler-32 trailer, which is
//! verified; trailing bytes ignored as Python's `zlib.decompress` does). Pure Rust (our
//! own inflate, [`super::inflate`]; miniz_oxide only encodes, in tests), output capped.
//! Also hosts the capped inflate used by `gzip` and by Blosc's internal zlib, into a new
//! vector ([`inflate`]) or straight into the destination ([`inflate_into`], what
//! `decode_into` uses: no zero-filled output vector, no copy).

#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

use super::common::{format_err, output_cap, over_cap};
use super::inflate::{Error as InflateError2, Sink};
use super::BytesToBytesCodec;
use crate::error::CodecError;
use crate::limits::Limits;

const NAME: &str = "zlib";

/// Why [`inflate`] stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InflateError {
    /// The output would exceed the cap.
    TooLarge,
    /// The stream is malformed or truncated.
    Malformed(String),
    /// The Adler-32 trailer does not match the decoded bytes.
    Adler32 { stored: u32, computed: u32 },
}

/// Inflate `input` (raw deflate, or zlib when `zlib_header`) into a new vector of at most
/// `cap` bytes, starting with `initial` bytes of capacity. Returns the output and the
/// number of input bytes consumed (the zlib trailer included).
///
/// # Errors
/// [`InflateError`].
pub fn inflate(input: &[u8], zlib_header: bool, cap: usize, initial: usize) -> Result<(Vec<u8>, usize), InflateError> {
    let mut out: Vec<u8> = vec![0; initial.min(cap)];
    let (n, used) = inflate_sink(input, zlib_header, &mut out, cap)?;
    out.truncate(n);
    Ok((out, used))
}

/// Like [`inflate`], but into `out` (no output allocation, no copy). Returns the bytes
/// written (at most `out.len()`: the caller decides whether fewer is an error) and the
/// input bytes consumed.
///
/// # Errors
/// [`InflateError`]; `TooLarge` when the stream holds more than `out.len()` bytes.
pub fn inflate_into(input: &[u8], zlib_header: bool, out: &mut [u8]) -> Result<(usize, usize), InflateError> {
    let cap = out.len();
    inflate_sink(input, zlib_header, out, cap)
}

fn inflate_sink<S: Sink + ?Sized>(
    input: &[u8],
    zlib_header: bool,
    out: &mut S,
    cap: usize,
) -> Result<(usize, usize), InflateError> {
    let body = if zlib_header {
        let (cmf, flg) = match input {
            [c, f, ..] => (*c, *f),
            _ => return Err(InflateError::Malformed("truncated zlib header".into())),
        };
        if cmf & 0x0F != 8 || cmf >> 4 > 7 || (u16::from(cmf) << 8 | u16::from(flg)) % 31 != 0 {
            return Err(InflateError::Malformed("invalid zlib header".into()));
        }
        if flg & 0x20 != 0 {
            return Err(InflateError::Malformed("zlib preset dictionaries are not supported".into()));
        }
        input.get(2..).unwrap_or_default()
    } else {
        input
    };
    let (n, used) = super::inflate::inflate_sink(body, out, cap).map_err(|e| match e {
        InflateError2::TooLarge => InflateError::TooLarge,
        InflateError2::Malformed(m) => InflateError::Malformed(m.into()),
    })?;
    if !zlib_header {
        return Ok((n, used));
    }
    let at = used.saturating_add(2);
    let stored = input
        .get(at..at.saturating_add(4))
        .and_then(|t| <[u8; 4]>::try_from(t).ok())
        .map(u32::from_be_bytes)
        .ok_or_else(|| InflateError::Malformed("truncated Adler-32 trailer".into()))?;
    let computed = super::adler32::adler32(out.buf().get(..n).unwrap_or_default());
    if computed != stored {
        return Err(InflateError::Adler32 { stored, computed });
    }
    Ok((n, at.saturating_add(4)))
}

/// Map an [`InflateError`] to the codec's error.
pub fn inflate_error(
    codec: &'static str,
    e: InflateError,
    expected: Option<u64>,
    cap: usize,
    limits: &Limits,
) -> CodecError {
    match e {
        InflateError::TooLarge => over_cap(codec, expected, (cap as u64).saturating_add(1), limits),
        InflateError::Malformed(m) => format_err(codec, m),
        InflateError::Adler32 { stored, computed } => {
            CodecError::Checksum { codec, stored: stored.into(), computed: computed.into() }
        }
    }
}

/// The zlib codec (the level only matters when encoding).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZlibCodec;

impl BytesToBytesCodec for ZlibCodec {
    fn decode(&self, encoded: Vec<u8>, expected_size: Option<u64>, limits: &Limits) -> Result<Vec<u8>, CodecError> {
        let cap = output_cap(expected_size, limits)?;
        let initial = expected_size.map_or(encoded.len().saturating_mul(4), |e| e as usize);
        // Bytes after the end of the stream are ignored, as Python's `zlib.decompress` does.
        let (out, _consumed) =
            inflate(&encoded, true, cap, initial).map_err(|e| inflate_error(NAME, e, expected_size, cap, limits))?;
        Ok(out)
    }

    /// Decodes straight into `out` (what `decodeChunkInto` uses): the stream must hold
    /// exactly `out.len()` bytes.
    fn decode_into(&self, encoded: Vec<u8>, out: &mut [u8], limits: &Limits) -> Result<(), CodecError> {
        let expected = Some(out.len() as u64);
        let cap = output_cap(expected, limits)?;
        let (n, _consumed) =
            inflate_into(&encoded, true, out).map_err(|e| inflate_error(NAME, e, expected, cap, limits))?;
        if n != out.len() {
            return Err(CodecError::SizeMismatch { codec: NAME, expected: out.len() as u64, got: n as u64 });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn zlib_of(data: &[u8]) -> Vec<u8> {
        miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn round_trip_and_caps() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let enc = zlib_of(&data);
        let l = Limits::default();
        assert_eq!(ZlibCodec.decode(enc.clone(), Some(10_000), &l).unwrap(), data);
        assert_eq!(ZlibCodec.decode(enc.clone(), None, &l).unwrap(), data);
        assert!(matches!(ZlibCodec.decode(enc.clone(), Some(9_999), &l), Err(CodecError::SizeMismatch { .. })));
        let small = Limits { max_decoded_chunk_bytes: 5000, ..Limits::default() };
        assert!(matches!(ZlibCodec.decode(enc.clone(), None, &small), Err(CodecError::LimitExceeded(_))));
        assert!(matches!(ZlibCodec.decode(enc[..enc.len() - 3].to_vec(), None, &l), Err(CodecError::Format { .. })));
        let mut bad = enc.clone();
        let n = bad.len();
        bad[n - 1] ^= 1;
        assert!(matches!(ZlibCodec.decode(bad, None, &l), Err(CodecError::Checksum { codec: "zlib", .. })));
        assert!(ZlibCodec.decode(vec![0xde, 0xad, 0xbe, 0xef], None, &l).is_err());
        assert!(ZlibCodec.decode(vec![], None, &l).is_err());
        assert_eq!(ZlibCodec.decode(zlib_of(&[]), Some(0), &l).unwrap(), Vec::<u8>::new());
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn decode_into_matches_decode() {
        let l = Limits::default();
        let mut rng = crate::kernels::TestRng::new(4);
        let texty = rng.texty(120_000, 30, 20, 100);
        for data in [Vec::new(), b"abcabcabd".repeat(5), rng.bytes(70_000), vec![7; 200_000], texty] {
            for level in [0u8, 1, 6, 9] {
                let enc = miniz_oxide::deflate::compress_to_vec_zlib(&data, level);
                let n = data.len();
                assert!(ZlibCodec.decode(enc.clone(), Some(n as u64), &l).unwrap() == data);
                let mut out = vec![0x55u8; n];
                ZlibCodec.decode_into(enc.clone(), &mut out, &l).unwrap();
                assert!(out == data, "{n} bytes, level {level}");
                // Trailing bytes are ignored, as in decode.
                let mut trailing = enc.clone();
                trailing.extend_from_slice(b"junk");
                ZlibCodec.decode_into(trailing, &mut out, &l).unwrap();
                assert!(out == data);
                let mut more = vec![0u8; n + 1];
                let r = ZlibCodec.decode_into(enc.clone(), &mut more, &l);
                let want = (n as u64 + 1, n as u64);
                assert!(matches!(r, Err(CodecError::SizeMismatch { expected, got, .. }) if (expected, got) == want));
                if n > 0 {
                    let mut less = vec![0u8; n - 1];
                    let r = ZlibCodec.decode_into(enc.clone(), &mut less, &l);
                    assert!(matches!(r, Err(CodecError::SizeMismatch { .. })), "{r:?}");
                }
                let mut bad = enc.clone();
                let at = bad.len() - 2;
                bad[at] ^= 0x40;
                assert!(matches!(
                    ZlibCodec.decode_into(bad, &mut out, &l),
                    Err(CodecError::Checksum { codec: "zlib", .. })
                ));
                for cut in [1usize, 4, 7] {
                    let t = enc[..enc.len().saturating_sub(cut)].to_vec();
                    assert!(ZlibCodec.decode_into(t, &mut out, &l).is_err(), "cut {cut}");
                }
                let small = Limits { max_decoded_chunk_bytes: n.saturating_sub(1) as u64, ..Limits::default() };
                if n > 0 {
                    assert!(matches!(ZlibCodec.decode_into(enc, &mut out, &small), Err(CodecError::LimitExceeded(_))));
                }
            }
        }
    }
}
