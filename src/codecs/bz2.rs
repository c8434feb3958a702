//! The numcodecs `bz2` codec (v2 `{"id": "bz2", "level"}`, v3 `numcodecs.bz2`): one or
//! more concatenated bzip2 streams (as Python's `bz2.decompress` accepts). Pure Rust
//! (the `bzip2` crate on its libbz2-rs-sys backend, a Rust port of libbzip2 1.0.8, whose
//! block CRCs are verified), output capped.
//!
//! Integrity: the 32-bit CRC of every block and the combined CRC of every stream are
//! verified by the decoder, so a mismatch never yields data. It is reported as
//! [`CodecError::Format`], not `Checksum`: libbz2-rs-sys returns the same `BZ_DATA_ERROR`
//! for a CRC mismatch as for any other corruption (`BZ2_bzDecompress`, as libbzip2 does),
//! and the `bzip2` crate maps that to one `Error::Data` ("invalid data") without the
//! stored or computed CRC, so the two cannot be told apart through its API.

use super::common::{format_err, output_cap, over_cap};
use super::BytesToBytesCodec;
use crate::error::CodecError;
use crate::limits::Limits;
use std::io::Read;

const NAME: &str = "bz2";

/// The bz2 codec (the level only matters when encoding).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bz2Codec;

impl BytesToBytesCodec for Bz2Codec {
    fn decode(&self, encoded: Vec<u8>, expected_size: Option<u64>, limits: &Limits) -> Result<Vec<u8>, CodecError> {
        let cap = output_cap(expected_size, limits)?;
        if encoded.len() < 4 || !encoded.starts_with(b"BZh") {
            return Err(format_err(NAME, "not a bzip2 stream (bad magic)"));
        }
        let mut out =
            Vec::with_capacity(expected_size.map_or(encoded.len().saturating_mul(4).min(cap), |e| e as usize));
        let dec = bzip2::bufread::MultiBzDecoder::new(encoded.as_slice());
        dec.take((cap as u64).saturating_add(1)).read_to_end(&mut out).map_err(|e| format_err(NAME, e.to_string()))?;
        if out.len() > cap {
            return Err(over_cap(NAME, expected_size, out.len() as u64, limits));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn bz2_of(data: &[u8]) -> Vec<u8> {
        let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::new(9));
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn round_trip_caps_and_garbage() {
        let l = Limits::default();
        let data: Vec<u8> = (0..20_000u32).map(|i| (i % 17) as u8).collect();
        let enc = bz2_of(&data);
        assert_eq!(Bz2Codec.decode(enc.clone(), Some(20_000), &l).unwrap(), data);
        assert!(matches!(Bz2Codec.decode(enc.clone(), Some(100), &l), Err(CodecError::SizeMismatch { .. })));
        let mut two = enc.clone();
        two.extend(bz2_of(b"xyz"));
        assert_eq!(Bz2Codec.decode(two, None, &l).unwrap().len(), 20_003);
        assert!(Bz2Codec.decode(enc[..enc.len() - 10].to_vec(), None, &l).is_err());
        let mut bad = enc.clone();
        bad[20] ^= 0x55;
        assert!(Bz2Codec.decode(bad, None, &l).is_err());
        assert!(Bz2Codec.decode(b"BZh9garbage".to_vec(), None, &l).is_err());
        assert!(Bz2Codec.decode(vec![], None, &l).is_err());
    }

    /// The bit offset of the last occurrence of the 48-bit `magic` in `b` (bzip2 blocks
    /// and the end-of-stream marker are bit-aligned).
    fn find_bits(b: &[u8], magic: u64) -> Option<usize> {
        let bit = |i: usize| (b[i / 8] >> (7 - i % 8)) & 1;
        (0..=(b.len() * 8).checked_sub(48)?)
            .rev()
            .find(|&p| (0..48).fold(0u64, |acc, k| (acc << 1) | u64::from(bit(p + k))) == magic)
    }

    #[test]
    fn crc_mismatch_is_an_error_not_data() {
        let l = Limits::default();
        let data: Vec<u8> = (0..5_000u32).map(|i| (i % 251) as u8).collect();
        let enc = bz2_of(&data);
        // The first block is byte-aligned: "BZh9", the block magic, then its stored CRC.
        assert_eq!(find_bits(&enc, 0x3141_5926_5359), Some(32));
        let mut bad_block_crc = enc.clone();
        bad_block_crc[10] ^= 0x01;
        let e = Bz2Codec.decode(bad_block_crc, None, &l).unwrap_err();
        assert!(matches!(e, CodecError::Format { codec: "bz2", .. }), "{e:?}");
        // The combined stream CRC: the 32 bits after the end-of-stream magic.
        let eos = find_bits(&enc, 0x1772_4538_5090).unwrap();
        let mut bad_stream_crc = enc.clone();
        let crc_bit = eos + 48 + 31;
        bad_stream_crc[crc_bit / 8] ^= 0x80 >> (crc_bit % 8);
        let e = Bz2Codec.decode(bad_stream_crc, None, &l).unwrap_err();
        assert!(matches!(e, CodecError::Format { codec: "bz2", .. }), "{e:?}");
        assert_eq!(Bz2Codec.decode(enc, None, &l).unwrap(), data);
    }
}
