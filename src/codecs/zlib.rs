//! The numcodecs `zlib` codec (v2 `{"id": "zlib", "level"}`, v3 `numcodecs.zlib`): a
//! zlib stream (RFC 1950: 2-byte header, deflate (RFC 1951), Adler-32 trailer, which is
//! verified; trailing bytes ignored as Python's `zlib.decompress` does). Pure Rust (our
//! own inflate, [`super::inflate`]; miniz_oxide only encodes, in tests), output capped. Also hosts the capped inflate used
//! by `gzip` and by Blosc's internal zlib.

#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

use super::common::{format_err, output_cap, over_cap};
use super::inflate::{inflate_raw, Error as InflateError2};
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
    let (out, used) = inflate_raw(body, cap, initial.min(cap)).map_err(|e| match e {
        InflateError2::TooLarge => InflateError::TooLarge,
        InflateError2::Malformed(m) => InflateError::Malformed(m.into()),
    })?;
    if !zlib_header {
        return Ok((out, used));
    }
    let at = used.saturating_add(2);
    let stored = input
        .get(at..at.saturating_add(4))
        .and_then(|t| <[u8; 4]>::try_from(t).ok())
        .map(u32::from_be_bytes)
        .ok_or_else(|| InflateError::Malformed("truncated Adler-32 trailer".into()))?;
    let mut a = adler2::Adler32::new();
    a.write_slice(&out);
    if a.checksum() != stored {
        return Err(InflateError::Adler32 { stored, computed: a.checksum() });
    }
    Ok((out, at.saturating_add(4)))
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
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn zlib_of(data: &[u8]) -> Vec<u8> {
        miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
    }

    #[test]
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
}
