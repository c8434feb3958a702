//! The numcodecs `lz4` codec (v2 `{"id": "lz4", "acceleration"}`, v3 `numcodecs.lz4`):
//! a 4-byte little-endian decoded size, then one raw LZ4 block (numcodecs `lz4.pyx`,
//! `compress(..., store_size=True)`). The declared size is checked against the cap
//! before anything is allocated. Pure Rust (lz4_flex, safe decoder).

#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

use super::common::{format_err, output_cap, over_cap, read_u32_le};
use super::BytesToBytesCodec;
use crate::error::CodecError;
use crate::limits::Limits;

const NAME: &str = "lz4";

/// The lz4 codec (acceleration only matters when encoding).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lz4Codec;

/// Decode a raw LZ4 block into exactly `out.len()` bytes.
///
/// # Errors
/// `Format` when the block is malformed or does not fill `out` exactly.
pub fn decompress_block_into(codec: &'static str, block: &[u8], out: &mut [u8]) -> Result<(), CodecError> {
    let n = lz4_flex::block::decompress_into(block, out).map_err(|e| format_err(codec, format!("lz4: {e}")))?;
    if n != out.len() {
        return Err(CodecError::SizeMismatch { codec, expected: out.len() as u64, got: n as u64 });
    }
    Ok(())
}

impl BytesToBytesCodec for Lz4Codec {
    fn decode(&self, encoded: Vec<u8>, expected_size: Option<u64>, limits: &Limits) -> Result<Vec<u8>, CodecError> {
        let cap = output_cap(expected_size, limits)?;
        let declared = read_u32_le(NAME, &encoded, 0)?;
        let size = usize::try_from(declared).map_err(|_| over_cap(NAME, expected_size, declared.into(), limits))?;
        if size > cap {
            return Err(over_cap(NAME, expected_size, declared.into(), limits));
        }
        // An LZ4 block expands at most ~255x: refuse sizes the input cannot produce.
        let body = encoded.get(4..).unwrap_or_default();
        if size > body.len().saturating_mul(255).saturating_add(16) {
            return Err(format_err(NAME, format!("declared size {size} is impossible for {} input bytes", body.len())));
        }
        let mut out = vec![0u8; size];
        decompress_block_into(NAME, body, &mut out)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lz4_of(data: &[u8]) -> Vec<u8> {
        let mut v = (data.len() as u32).to_le_bytes().to_vec();
        v.extend(lz4_flex::block::compress(data));
        v
    }

    #[test]
    fn framing_caps_and_garbage() {
        let l = Limits::default();
        let data: Vec<u8> = (0..5000u32).map(|i| (i % 13) as u8).collect();
        let enc = lz4_of(&data);
        assert_eq!(Lz4Codec.decode(enc.clone(), Some(5000), &l).unwrap(), data);
        assert!(matches!(Lz4Codec.decode(enc.clone(), Some(4999), &l), Err(CodecError::SizeMismatch { .. })));
        let mut huge = enc.clone();
        huge[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(Lz4Codec.decode(huge, None, &l), Err(CodecError::LimitExceeded(_))));
        let mut lie = enc.clone();
        lie[..4].copy_from_slice(&6000u32.to_le_bytes());
        assert!(Lz4Codec.decode(lie, None, &l).is_err());
        assert!(Lz4Codec.decode(vec![1, 0], None, &l).is_err());
        assert!(Lz4Codec.decode(enc[..enc.len() - 5].to_vec(), None, &l).is_err());
        assert_eq!(Lz4Codec.decode(lz4_of(&[]), None, &l).unwrap(), Vec::<u8>::new());
    }
}
