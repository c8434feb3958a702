//! The `crc32c` bytes→bytes codec (Zarr v3 `codecs/crc32c`, specs/sharding.md § "crc32c
//! codec"): a 4-byte little-endian CRC-32C (Castagnoli) of the preceding bytes. Decoding
//! verifies it (mismatch → [`CodecError::Checksum`]) and strips it. The numcodecs
//! `crc32c` (v2 id, v3 `numcodecs.crc32c`) is the same with an optional `location`
//! (`"end"` by default, `"start"` allowed).

use super::crc32::ChecksumLocation;
use super::BytesToBytesCodec;
use crate::error::CodecError;
use crate::limits::Limits;
use serde_json::Value;

/// The crc32c codec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crc32cCodec {
    /// Where the checksum is stored (the Zarr v3 codec: always the end).
    pub location: ChecksumLocation,
}

impl Default for Crc32cCodec {
    fn default() -> Self {
        Crc32cCodec { location: ChecksumLocation::End }
    }
}

impl Crc32cCodec {
    /// From a configuration (none for Zarr v3; numcodecs may give `location`).
    ///
    /// # Errors
    /// `Config` for a bad `location`.
    pub fn from_config(config: Option<&Value>) -> Result<Self, CodecError> {
        Ok(Crc32cCodec { location: ChecksumLocation::from_config("crc32c", config, ChecksumLocation::End)? })
    }
}

impl BytesToBytesCodec for Crc32cCodec {
    fn decode(&self, encoded: Vec<u8>, expected_size: Option<u64>, limits: &Limits) -> Result<Vec<u8>, CodecError> {
        self.location.verify("crc32c", encoded, expected_size, limits, crc32c::crc32c)
    }

    fn fixed_overhead(&self) -> Option<u64> {
        Some(4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_and_strip() {
        assert_eq!(crc32c::crc32c(b"123456789"), 0xE306_9283);
        let l = Limits::default();
        let mut enc = b"123456789".to_vec();
        enc.extend_from_slice(&0xE306_9283u32.to_le_bytes());
        assert_eq!(Crc32cCodec::default().decode(enc.clone(), Some(9), &l).unwrap(), b"123456789");
        enc[0] = b'0';
        assert!(matches!(
            Crc32cCodec::default().decode(enc, None, &l),
            Err(CodecError::Checksum { stored: 0xE306_9283, .. })
        ));
        assert!(matches!(Crc32cCodec::default().decode(vec![0; 3], None, &l), Err(CodecError::Format { .. })));
        assert!(matches!(
            Crc32cCodec::default().decode(vec![0; 20], Some(8), &l),
            Err(CodecError::SizeMismatch { .. })
        ));
        assert_eq!(Crc32cCodec::default().fixed_overhead(), Some(4));
        let start = Crc32cCodec::from_config(Some(&serde_json::json!({"location": "start"}))).unwrap();
        let mut enc = 0xE306_9283u32.to_le_bytes().to_vec();
        enc.extend_from_slice(b"123456789");
        assert_eq!(start.decode(enc, None, &l).unwrap(), b"123456789");
    }
}
