//! The `zstd` codec (Zarr v3 `zstd` `{level, checksum}`, numcodecs `zstd`): one or more
//! Zstandard frames (RFC 8878), skippable frames ignored, content checksums verified.
//! Pure Rust: our own decoder ([`super::zstd_dec`]), straight into one output buffer,
//! capped without trusting the frame header's content size beyond what the input could
//! expand to.
//!
//! Measured (`npm run bench`, 1 MiB chunks written by numcodecs.js at level 3, node 20,
//! ours ÷ numcodecs.js 0.3.2 in one process, 2-core shared machine): with ruzstd 0.8 we
//! were 0.26x on sparse precipitation (it copies overlapping matches `offset` bytes at a
//! time), 0.65x on uint16 imagery, 0.9–1.3x on a float32 field; with this decoder 1.9x,
//! 3.2x and 2.0x, and after the folded sequence tables and the Huffman fast loop
//! (`zstd_dec`'s doc) 2.6x, 2.6x and 2.6x in node, 11x, 2.4x and 3.7x in chromium 156
//! (bench/RESULTS.md). libzstd compiled to wasm was not an option here (no C toolchain
//! for wasm32 on the build machines).

#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

use super::common::{format_err, output_cap, over_cap};
use super::zstd_dec::{decode_frame, decode_frame_into, le32, ZstdError};
use super::BytesToBytesCodec;
use crate::error::CodecError;
use crate::limits::Limits;

const NAME: &str = "zstd";

/// The zstd codec (level and checksum settings only matter when encoding).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZstdCodec;

/// Decode every frame of `input` into a vector of at most `cap` bytes.
///
/// # Errors
/// `Format` for malformed or truncated frames, `Checksum` on a content checksum
/// mismatch, `SizeMismatch`/`LimitExceeded` above the cap.
pub fn decompress(
    codec: &'static str,
    input: &[u8],
    expected_size: Option<u64>,
    limits: &Limits,
) -> Result<Vec<u8>, CodecError> {
    let cap = output_cap(expected_size, limits)?;
    let mut out: Vec<u8> = Vec::new();
    if let Some(e) = expected_size {
        out.reserve_exact(e as usize);
    }
    for_each_frame(input, |frame| decode_frame(frame, &mut out, cap)).map_err(|e| match e {
        ZstdError::TooLarge => over_cap(codec, expected_size, (cap as u64).saturating_add(1), limits),
        e => error(codec, e),
    })?;
    Ok(out)
}

/// Decode every frame of `input` into exactly `out.len()` bytes, in place (no temporary:
/// Blosc decodes its zstd streams straight into the block).
///
/// # Errors
/// As [`decompress`]; `SizeMismatch` unless the frames fill `out` exactly.
pub fn decompress_into(codec: &'static str, input: &[u8], out: &mut [u8]) -> Result<(), CodecError> {
    let mut op = 0usize;
    for_each_frame(input, |frame| {
        let (used, end) = decode_frame_into(frame, out, op)?;
        op = end;
        Ok(used)
    })
    .map_err(|e| match e {
        ZstdError::TooLarge => {
            CodecError::SizeMismatch { codec, expected: out.len() as u64, got: (out.len() as u64).saturating_add(1) }
        }
        e => error(codec, e),
    })?;
    if op != out.len() {
        return Err(CodecError::SizeMismatch { codec, expected: out.len() as u64, got: op as u64 });
    }
    Ok(())
}

/// Run `decode` (returning the bytes it used) on each frame of `input`, skipping
/// skippable frames; `input` must hold at least one frame.
fn for_each_frame(input: &[u8], mut decode: impl FnMut(&[u8]) -> Result<usize, ZstdError>) -> Result<(), ZstdError> {
    if input.is_empty() {
        return Err(ZstdError::Format("empty input"));
    }
    let mut src = input;
    while !src.is_empty() {
        let magic = le32(src, 0);
        if magic.is_some_and(|m| m & 0xFFFF_FFF0 == 0x184D_2A50) {
            let len = le32(src, 4);
            src = len
                .and_then(|l| usize::try_from(l).ok())
                .and_then(|l| l.checked_add(8))
                .and_then(|l| src.get(l..))
                .ok_or(ZstdError::Format("truncated skippable frame"))?;
            continue;
        }
        let used = decode(src)?;
        src = src.get(used..).unwrap_or_default();
    }
    Ok(())
}

fn error(codec: &'static str, e: ZstdError) -> CodecError {
    match e {
        ZstdError::Format(m) => format_err(codec, m),
        ZstdError::Unsupported(f) => CodecError::Unsupported { codec, feature: f.into() },
        ZstdError::TooLarge => format_err(codec, "output too large"),
        ZstdError::Checksum(stored, computed) => {
            CodecError::Checksum { codec, stored: stored.into(), computed: computed.into() }
        }
    }
}

impl BytesToBytesCodec for ZstdCodec {
    fn decode(&self, encoded: Vec<u8>, expected_size: Option<u64>, limits: &Limits) -> Result<Vec<u8>, CodecError> {
        decompress(NAME, &encoded, expected_size, limits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zstd_of(data: &[u8]) -> Vec<u8> {
        ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
    }

    #[test]
    fn frames_caps_and_garbage() {
        let l = Limits::default();
        let data: Vec<u8> = (0..300_000u32).map(|i| (i / 7) as u8).collect();
        let enc = zstd_of(&data);
        assert_eq!(ZstdCodec.decode(enc.clone(), Some(300_000), &l).unwrap(), data);
        assert_eq!(ZstdCodec.decode(enc.clone(), None, &l).unwrap(), data);
        assert!(matches!(ZstdCodec.decode(enc.clone(), Some(1000), &l), Err(CodecError::SizeMismatch { .. })));
        let small = Limits { max_decoded_chunk_bytes: 100_000, ..Limits::default() };
        assert!(matches!(ZstdCodec.decode(enc.clone(), None, &small), Err(CodecError::LimitExceeded(_))));
        // Two frames plus a skippable frame.
        let mut two = zstd_of(b"ab");
        two.extend_from_slice(&[0x50, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 9, 9]);
        two.extend(zstd_of(b"cd"));
        assert_eq!(ZstdCodec.decode(two, None, &l).unwrap(), b"abcd");
        assert!(ZstdCodec.decode(enc[..enc.len() / 2].to_vec(), None, &l).is_err());
        assert!(ZstdCodec.decode(vec![1, 2, 3, 4, 5, 6], None, &l).is_err());
        assert!(ZstdCodec.decode(vec![], None, &l).is_err());
        // In place: exactly the decoded size, or SizeMismatch; frames may follow each other.
        let mut out = vec![0u8; 300_000];
        decompress_into(NAME, &enc, &mut out).unwrap();
        assert_eq!(out, data);
        for n in [299_999, 300_001, 0] {
            let r = decompress_into(NAME, &enc, &mut vec![0u8; n]);
            assert!(matches!(r, Err(CodecError::SizeMismatch { .. })), "{n}: {r:?}");
        }
        let mut four = [0u8; 4];
        let mut two = zstd_of(b"ab");
        two.extend(zstd_of(b"cd"));
        decompress_into(NAME, &two, &mut four).unwrap();
        assert_eq!(&four, b"abcd");
        assert!(matches!(decompress_into(NAME, &[], &mut four), Err(CodecError::Format { .. })));
        let mut rng = crate::kernels::TestRng::new(5);
        for _ in 0..200 {
            let mut g = enc[..rng.below(200)].to_vec();
            if let Some(b) = g.get_mut(rng.below(200)) {
                *b ^= rng.next_u64() as u8;
            }
            let _ = ZstdCodec.decode(g, Some(300_000), &l);
        }
    }
}
