//! CRC-32 (ISO-HDLC, the zlib/gzip one: reflected polynomial 0xEDB88320, init and final
//! XOR 0xFFFFFFFF), for the gzip trailer and the numcodecs `crc32` checksum codec
//! (numcodecs `checksum32.CRC32`: a 4-byte little-endian CRC-32 of the data, stored
//! before it by default, `location: "end"` after it). Always verified on decode.

#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

use super::common::{config_err, config_object, format_err, get_str};
use super::BytesToBytesCodec;
use crate::error::CodecError;
use crate::limits::Limits;
use serde_json::Value;

// `i < 256` in a const context, where `get_mut` is not available.
#[allow(clippy::indexing_slicing)]
const TABLE: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
};

/// Slicing-by-16 tables: `TABLES[k][b]` is the CRC of byte `b` followed by `k` zero bytes.
// `i < 256`, `k < 16` in a const context, where `get_mut` is not available.
#[allow(clippy::indexing_slicing)]
const TABLES: [[u32; 256]; 16] = {
    let mut t = [[0u32; 256]; 16];
    t[0] = TABLE;
    let mut k = 1;
    while k < 16 {
        let mut i = 0;
        while i < 256 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ TABLE[(prev & 0xFF) as usize];
            i += 1;
        }
        k += 1;
    }
    t
};

#[inline(always)]
fn tab(k: usize, i: u32) -> u32 {
    // `k < 16` at every call site and `i & 0xFF < 256`: never out of bounds.
    TABLES.get(k).and_then(|t| t.get((i & 0xFF) as usize)).copied().unwrap_or(0)
}

/// CRC-32 of `data` (check value: `"123456789"` → `0xCBF43926`), sixteen bytes per step
/// (slicing-by-16: the dependent chain per step is one XOR into the first word, its four
/// table loads and the XOR tree, so twice the bytes of slicing-by-8 per chain) with a
/// bytewise tail.
pub fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    let mut chunks = data.chunks_exact(16);
    for ch in &mut chunks {
        let mut w = [0u8; 16];
        w.copy_from_slice(ch);
        let v = u128::from_le_bytes(w);
        let (w0, w1, w2, w3) = (v as u32 ^ c, (v >> 32) as u32, (v >> 64) as u32, (v >> 96) as u32);
        c = (tab(15, w0) ^ tab(14, w0 >> 8) ^ tab(13, w0 >> 16) ^ tab(12, w0 >> 24))
            ^ (tab(11, w1) ^ tab(10, w1 >> 8) ^ tab(9, w1 >> 16) ^ tab(8, w1 >> 24))
            ^ (tab(7, w2) ^ tab(6, w2 >> 8) ^ tab(5, w2 >> 16) ^ tab(4, w2 >> 24))
            ^ (tab(3, w3) ^ tab(2, w3 >> 8) ^ tab(1, w3 >> 16) ^ tab(0, w3 >> 24));
    }
    for &b in chunks.remainder() {
        c = tab(0, c ^ u32::from(b)) ^ (c >> 8);
    }
    !c
}

/// Where a numcodecs 32-bit checksum sits relative to the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecksumLocation {
    /// Before the data (numcodecs default for `crc32` and `adler32`).
    Start,
    /// After the data.
    End,
}

impl ChecksumLocation {
    /// Parse the numcodecs `location` setting (absent → `default`).
    ///
    /// # Errors
    /// `Config` for another value.
    pub fn from_config(codec: &'static str, config: Option<&Value>, default: Self) -> Result<Self, CodecError> {
        let cfg = config_object(config);
        match get_str(codec, &cfg, "location")? {
            None => Ok(default),
            Some("start") => Ok(ChecksumLocation::Start),
            Some("end") => Ok(ChecksumLocation::End),
            Some(o) => Err(config_err(codec, format!("location must be \"start\" or \"end\", got {o:?}"))),
        }
    }

    /// Split `encoded` into (data, stored little-endian checksum), then verify with `f`.
    ///
    /// # Errors
    /// `Format` when shorter than 4 bytes, `Checksum` on mismatch, `SizeMismatch`/
    /// `LimitExceeded` when the data is above the cap.
    pub fn verify(
        self,
        codec: &'static str,
        mut encoded: Vec<u8>,
        expected_size: Option<u64>,
        limits: &Limits,
        f: impl Fn(&[u8]) -> u32,
    ) -> Result<Vec<u8>, CodecError> {
        let n = encoded.len();
        if n < 4 {
            return Err(format_err(codec, format!("{n} bytes, shorter than the 4-byte checksum")));
        }
        let cap = super::common::output_cap(expected_size, limits)?;
        let data_len = n.saturating_sub(4);
        if data_len > cap {
            return Err(super::common::over_cap(codec, expected_size, data_len as u64, limits));
        }
        let (data, sum) = match self {
            ChecksumLocation::Start => (encoded.get(4..), encoded.get(..4)),
            ChecksumLocation::End => (encoded.get(..data_len), encoded.get(data_len..)),
        };
        let stored = sum.and_then(|s| <[u8; 4]>::try_from(s).ok()).map(u32::from_le_bytes).unwrap_or(0);
        let computed = f(data.unwrap_or_default());
        if stored != computed {
            return Err(CodecError::Checksum { codec, stored: stored.into(), computed: computed.into() });
        }
        match self {
            ChecksumLocation::Start => {
                encoded.drain(..4);
            }
            ChecksumLocation::End => encoded.truncate(data_len),
        }
        Ok(encoded)
    }
}

/// The numcodecs `crc32` checksum codec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crc32Codec {
    /// Where the checksum is stored.
    pub location: ChecksumLocation,
}

impl Crc32Codec {
    /// From a numcodecs configuration (`location` optional, default `"start"`).
    ///
    /// # Errors
    /// `Config` for a bad `location`.
    pub fn from_config(config: Option<&Value>) -> Result<Self, CodecError> {
        Ok(Crc32Codec { location: ChecksumLocation::from_config("crc32", config, ChecksumLocation::Start)? })
    }
}

impl BytesToBytesCodec for Crc32Codec {
    fn decode(&self, encoded: Vec<u8>, expected_size: Option<u64>, limits: &Limits) -> Result<Vec<u8>, CodecError> {
        self.location.verify("crc32", encoded, expected_size, limits, crc32)
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
    fn check_value_and_codec() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        // Against the bitwise definition, every length around the 16-byte steps.
        let mut rng = crate::kernels::TestRng::new(8);
        let data = rng.bytes(100);
        for len in 0..100 {
            let mut r = 0xFFFF_FFFFu32;
            for &b in &data[..len] {
                r ^= u32::from(b);
                for _ in 0..8 {
                    r = if r & 1 != 0 { 0xEDB8_8320 ^ (r >> 1) } else { r >> 1 };
                }
            }
            assert_eq!(crc32(&data[..len]), !r, "{len}");
        }
        let l = Limits::default();
        let mut enc = crc32(b"abc").to_le_bytes().to_vec();
        enc.extend_from_slice(b"abc");
        let c = Crc32Codec::from_config(None).unwrap();
        assert_eq!(c.decode(enc.clone(), Some(3), &l).unwrap(), b"abc");
        enc[5] ^= 1;
        assert!(matches!(c.decode(enc, None, &l), Err(CodecError::Checksum { .. })));
        assert!(matches!(c.decode(vec![1, 2], None, &l), Err(CodecError::Format { .. })));
        let end = Crc32Codec::from_config(Some(&serde_json::json!({"location": "end"}))).unwrap();
        let mut enc = b"abc".to_vec();
        enc.extend_from_slice(&crc32(b"abc").to_le_bytes());
        assert_eq!(end.decode(enc, None, &l).unwrap(), b"abc");
        assert!(Crc32Codec::from_config(Some(&serde_json::json!({"location": "middle"}))).is_err());
    }
}
