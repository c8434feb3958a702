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

/// Adler-32 of `data`.
pub fn adler32(data: &[u8]) -> u32 {
    adler2::adler32_slice(data)
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

    #[test]
    fn layout_and_mismatch() {
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
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
