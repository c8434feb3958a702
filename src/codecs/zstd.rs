//! The `zstd` codec (Zarr v3 `zstd` `{level, checksum}`, numcodecs `zstd`): one or more
//! Zstandard frames (RFC 8878), skippable frames ignored, content checksums verified.
//! Pure Rust (ruzstd), decoded a few blocks at a time so the output is capped without
//! trusting the frame header's content size.

#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

use super::common::{format_err, output_cap, over_cap};
use super::BytesToBytesCodec;
use crate::error::CodecError;
use crate::limits::Limits;
use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};

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
    let mut src = input;
    let mut dec = FrameDecoder::new();
    let bad = |e: FrameDecoderError| format_err(codec, e.to_string());
    if src.is_empty() {
        return Err(format_err(codec, "empty input"));
    }
    while !src.is_empty() {
        match dec.reset(&mut src) {
            Ok(()) => {}
            Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame { length, .. })) => {
                src = usize::try_from(length)
                    .ok()
                    .and_then(|l| src.get(l..))
                    .ok_or_else(|| format_err(codec, "truncated skippable frame"))?;
                continue;
            }
            Err(e) => return Err(bad(e)),
        }
        let declared = dec.content_size();
        if declared > cap.saturating_sub(out.len()) as u64 {
            return Err(over_cap(codec, expected_size, (out.len() as u64).saturating_add(declared), limits));
        }
        if expected_size.is_none() && declared > 0 {
            // Trust the declared size only as far as the input could plausibly expand.
            out.reserve((declared as usize).min(src.len().saturating_mul(64)));
        }
        loop {
            let finished = dec.decode_blocks(&mut src, BlockDecodingStrategy::UptoBytes(64 * 1024)).map_err(bad)?;
            dec.collect_to_writer(&mut out).map_err(|e| format_err(codec, e.to_string()))?;
            if out.len() > cap {
                return Err(over_cap(codec, expected_size, out.len() as u64, limits));
            }
            if finished {
                break;
            }
        }
        if let (Some(stored), Some(computed)) = (dec.get_checksum_from_data(), dec.get_calculated_checksum()) {
            if stored != computed {
                return Err(CodecError::Checksum { codec, stored: stored.into(), computed: computed.into() });
            }
        }
    }
    Ok(out)
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
