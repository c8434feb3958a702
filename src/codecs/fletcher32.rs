//! The numcodecs `fletcher32` checksum codec (`numcodecs.fletcher32.Fletcher32`; v3 name
//! `numcodecs.fletcher32`): HDF5's Fletcher-32 (`H5_checksum_fletcher32`: big-endian
//! 16-bit words, an odd last byte as the high byte of a word, sums folded every 360
//! words) stored as a 4-byte little-endian value **after** the data. Checked against
//! the corpus store `zarrs/v3_zarr_python/array_fletcher32.zarr` (numcodecs 0.16).
//! Always verified.

use super::crc32::ChecksumLocation;
use super::BytesToBytesCodec;
use crate::error::CodecError;
use crate::limits::Limits;

/// HDF5 Fletcher-32 of `data`.
pub fn fletcher32(data: &[u8]) -> u32 {
    let mut sum1: u32 = 0;
    let mut sum2: u32 = 0;
    let words = data.chunks_exact(2);
    let odd = words.remainder().first().copied();
    let mut words = words.peekable();
    while words.peek().is_some() {
        for w in words.by_ref().take(360) {
            let v = (u32::from(w.first().copied().unwrap_or(0)) << 8) | u32::from(w.get(1).copied().unwrap_or(0));
            // At most 360 words between folds: neither sum can overflow u32.
            sum1 = sum1.wrapping_add(v);
            sum2 = sum2.wrapping_add(sum1);
        }
        sum1 = (sum1 & 0xffff).wrapping_add(sum1 >> 16);
        sum2 = (sum2 & 0xffff).wrapping_add(sum2 >> 16);
    }
    if let Some(b) = odd {
        sum1 = sum1.wrapping_add(u32::from(b) << 8);
        sum2 = sum2.wrapping_add(sum1);
        sum1 = (sum1 & 0xffff).wrapping_add(sum1 >> 16);
        sum2 = (sum2 & 0xffff).wrapping_add(sum2 >> 16);
    }
    sum1 = (sum1 & 0xffff).wrapping_add(sum1 >> 16);
    sum2 = (sum2 & 0xffff).wrapping_add(sum2 >> 16);
    (sum2 << 16) | sum1
}

/// The fletcher32 codec (no configuration).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fletcher32Codec;

impl BytesToBytesCodec for Fletcher32Codec {
    fn decode(&self, encoded: Vec<u8>, expected_size: Option<u64>, limits: &Limits) -> Result<Vec<u8>, CodecError> {
        ChecksumLocation::End.verify("fletcher32", encoded, expected_size, limits, fletcher32)
    }

    fn fixed_overhead(&self) -> Option<u64> {
        Some(4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(data: &[u8]) -> u32 {
        let (mut s1, mut s2) = (0u64, 0u64);
        let mut padded = data.to_vec();
        if padded.len() % 2 == 1 {
            padded.push(0);
        }
        for w in padded.chunks(2) {
            s1 = (s1 + ((u64::from(w[0]) << 8) | u64::from(w[1]))) % 65535;
            s2 = (s2 + s1) % 65535;
        }
        ((s2 << 16) | s1) as u32
    }

    #[test]
    fn matches_modular_definition_away_from_the_fold_edge() {
        let mut rng = crate::kernels::TestRng::new(9);
        for _ in 0..100 {
            let len = rng.below(3000);
            let d = rng.bytes(len);
            let (a, b) = (fletcher32(&d), naive(&d));
            // Folding can leave 0xffff where the modulus gives 0.
            assert_eq!((a & 0xffff) % 0xffff, b & 0xffff);
            assert_eq!((a >> 16) % 0xffff, b >> 16);
        }
    }

    #[test]
    fn layout_and_mismatch() {
        let l = Limits::default();
        let mut enc = b"abcde".to_vec();
        enc.extend_from_slice(&fletcher32(b"abcde").to_le_bytes());
        assert_eq!(Fletcher32Codec.decode(enc.clone(), None, &l).unwrap(), b"abcde");
        enc[1] ^= 4;
        assert!(matches!(Fletcher32Codec.decode(enc, None, &l), Err(CodecError::Checksum { .. })));
        assert!(Fletcher32Codec.decode(vec![0; 3], None, &l).is_err());
    }
}
