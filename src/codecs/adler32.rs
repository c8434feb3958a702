//! The numcodecs `adler32` checksum codec (`numcodecs.checksum32.Adler32`; v3 name
//! `numcodecs.adler32`): a 4-byte little-endian Adler-32 (RFC 1950 § 8) of the data,
//! stored **before** the data by default (`location: "start"`; numcodecs ≥ 0.14 also
//! allows `"end"`). Checked against the corpus store
//! `zarrs/v3_zarr_python/array_adler32.zarr` (written by numcodecs 0.16). Always verified.

use super::crc32::ChecksumLocation;
use super::BytesToBytesCodec;
use crate::error::CodecError;
use crate::limits::Limits;
use serde_json::Value;

/// Adler-32 of `data` (wasm with SIMD: 16 bytes per step in vectors; else the `adler2`
/// crate).
pub fn adler32(data: &[u8]) -> u32 {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        simd::adler32(data)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        adler2::adler32_slice(data)
    }
}

/// Adler-32 in wasm SIMD. Per block of `16 * K` bytes (K 16-byte chunks, `16 * K` at
/// most 5552, zlib's NMAX) from sums (a0, b0): `a = a0 + Σ x`, and byte `j` of chunk `k`
/// adds `16 (K - 1 - k) + (16 - j)` times itself to `b` besides `16 K a0`: lanes keep
/// the running byte sums (`s1`), the sum of `s1` before each chunk (`p`, weight 16) and
/// the in-chunk weighted sums (`w`, weights 16..1 by `i32x4_dot_i16x8`); reduced mod
/// 65521 once per block in 64 bits.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::*;

    const MOD: u64 = 65521;
    /// Chunks per block: 347 * 16 = 5552 bytes.
    const K: usize = 347;

    fn hsum(v: v128) -> u64 {
        u64::from(u32x4_extract_lane::<0>(v))
            + u64::from(u32x4_extract_lane::<1>(v))
            + u64::from(u32x4_extract_lane::<2>(v))
            + u64::from(u32x4_extract_lane::<3>(v))
    }

    pub(super) fn adler32(data: &[u8]) -> u32 {
        let (mut a, mut b) = (1u64, 0u64);
        let w_lo = i16x8(16, 15, 14, 13, 12, 11, 10, 9);
        let w_hi = i16x8(8, 7, 6, 5, 4, 3, 2, 1);
        let mut blocks = data.chunks(16 * K);
        for block in &mut blocks {
            let mut chunks = block.chunks_exact(16);
            let n = (chunks.len() * 16) as u64;
            let (mut s1, mut p, mut w) = (u32x4_splat(0), u32x4_splat(0), u32x4_splat(0));
            for ch in &mut chunks {
                // SAFETY: `ch` is 16 readable bytes; `v128_load` has no alignment requirement.
                let x = unsafe { v128_load(ch.as_ptr() as *const v128) };
                p = i32x4_add(p, s1);
                s1 = i32x4_add(s1, u32x4_extadd_pairwise_u16x8(u16x8_extadd_pairwise_u8x16(x)));
                w = i32x4_add(w, i32x4_dot_i16x8(u16x8_extend_low_u8x16(x), w_lo));
                w = i32x4_add(w, i32x4_dot_i16x8(u16x8_extend_high_u8x16(x), w_hi));
            }
            b = (b + n * a + 16 * hsum(p) + hsum(w)) % MOD;
            a = (a + hsum(s1)) % MOD;
            for &x in chunks.remainder() {
                a += u64::from(x);
                b += a;
            }
            a %= MOD;
            b %= MOD;
        }
        (b << 16 | a) as u32
    }
}

/// The adler32 codec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adler32Codec {
    /// Where the checksum is stored.
    pub location: ChecksumLocation,
}

impl Adler32Codec {
    /// From a numcodecs configuration (`location` optional, default `"start"`).
    ///
    /// # Errors
    /// `Config` for a bad `location`.
    pub fn from_config(config: Option<&Value>) -> Result<Self, CodecError> {
        Ok(Adler32Codec { location: ChecksumLocation::from_config("adler32", config, ChecksumLocation::Start)? })
    }
}

impl BytesToBytesCodec for Adler32Codec {
    fn decode(&self, encoded: Vec<u8>, expected_size: Option<u64>, limits: &Limits) -> Result<Vec<u8>, CodecError> {
        self.location.verify("adler32", encoded, expected_size, limits, adler32)
    }

    fn fixed_overhead(&self) -> Option<u64> {
        Some(4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn layout_and_mismatch() {
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        // Every length around the 16-byte steps and the 5552-byte blocks, all-0xFF bytes
        // (the largest sums) included.
        let mut rng = crate::kernels::TestRng::new(3);
        let data = rng.bytes(20_000);
        for len in (0..40).chain(5540..5570).chain(11_090..11_120).chain([20_000]) {
            assert_eq!(adler32(&data[..len]), adler2::adler32_slice(&data[..len]), "{len}");
            let ff = vec![0xFFu8; len];
            assert_eq!(adler32(&ff), adler2::adler32_slice(&ff), "0xFF {len}");
        }
        let l = Limits::default();
        let c = Adler32Codec::from_config(Some(&serde_json::json!({}))).unwrap();
        let mut enc = adler32(b"data").to_le_bytes().to_vec();
        enc.extend_from_slice(b"data");
        assert_eq!(c.decode(enc.clone(), None, &l).unwrap(), b"data");
        enc[0] ^= 1;
        assert!(matches!(c.decode(enc, None, &l), Err(CodecError::Checksum { .. })));
        assert!(c.decode(vec![], None, &l).is_err());
    }
}
