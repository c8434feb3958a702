//! The `crc32c` bytes→bytes codec (Zarr v3 `codecs/crc32c`, specs/sharding.md § "crc32c
//! codec"): a 4-byte little-endian CRC-32C (Castagnoli) of the preceding bytes. Decoding
//! verifies it (mismatch → [`CodecError::Checksum`]) and strips it.

use super::crc32::ChecksumLocation;
use super::BytesToBytesCodec;
use crate::error::CodecError;
use crate::limits::Limits;

/// The crc32c codec (no configuration).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Crc32cCodec;

impl BytesToBytesCodec for Crc32cCodec {
    fn decode(&self, encoded: Vec<u8>, expected_size: Option<u64>, limits: &Limits) -> Result<Vec<u8>, CodecError> {
        ChecksumLocation::End.verify("crc32c", encoded, expected_size, limits, crc32c::crc32c)
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
        assert_eq!(Crc32cCodec.decode(enc.clone(), Some(9), &l).unwrap(), b"123456789");
        enc[0] = b'0';
        assert!(matches!(Crc32cCodec.decode(enc, None, &l), Err(CodecError::Checksum { stored: 0xE306_9283, .. })));
        assert!(matches!(Crc32cCodec.decode(vec![0; 3], None, &l), Err(CodecError::Format { .. })));
        assert!(matches!(Crc32cCodec.decode(vec![0; 20], Some(8), &l), Err(CodecError::SizeMismatch { .. })));
        assert_eq!(Crc32cCodec.fixed_overhead(), Some(4));
    }
}
