//! The `gzip` codec (Zarr v3 `gzip`, numcodecs `gzip`; specs/sharding.md § "gzip"): one or
//! more gzip members (RFC 1952), NUL padding between them skipped as Python's gzip does:
//! header with optional FEXTRA/FNAME/FCOMMENT/FHCRC,
//! deflate data, CRC-32 and ISIZE trailer, both verified. Output capped.

#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

use super::common::{format_err, output_cap, read_u32_le};
use super::zlib::{inflate, inflate_error};
use super::BytesToBytesCodec;
use crate::error::CodecError;
use crate::limits::Limits;

const NAME: &str = "gzip";

/// The gzip codec (the level only matters when encoding).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GzipCodec;

/// Length of the member header starting at `pos`.
fn header_len(b: &[u8], pos: usize) -> Result<usize, CodecError> {
    let get = |i: usize| b.get(pos.saturating_add(i)).copied().ok_or_else(|| format_err(NAME, "truncated gzip header"));
    if get(0)? != 0x1f || get(1)? != 0x8b {
        return Err(format_err(NAME, "not a gzip member (bad magic)"));
    }
    if get(2)? != 8 {
        return Err(format_err(NAME, "compression method is not deflate"));
    }
    let flg = get(3)?;
    if flg & 0xe0 != 0 {
        return Err(format_err(NAME, "reserved header flags set"));
    }
    let mut p = 10usize;
    if flg & 0x04 != 0 {
        let xlen = usize::from(get(p)?) | (usize::from(get(p.saturating_add(1))?) << 8);
        p = p.saturating_add(2).saturating_add(xlen);
    }
    for bit in [0x08u8, 0x10] {
        if flg & bit != 0 {
            loop {
                let c = get(p)?;
                p = p.saturating_add(1);
                if c == 0 {
                    break;
                }
            }
        }
    }
    if flg & 0x02 != 0 {
        p = p.saturating_add(2);
    }
    if pos.saturating_add(p) > b.len() {
        return Err(format_err(NAME, "truncated gzip header"));
    }
    Ok(p)
}

impl BytesToBytesCodec for GzipCodec {
    fn decode(&self, encoded: Vec<u8>, expected_size: Option<u64>, limits: &Limits) -> Result<Vec<u8>, CodecError> {
        let cap = output_cap(expected_size, limits)?;
        let mut out: Vec<u8> = Vec::new();
        let mut pos = 0usize;
        loop {
            let h = header_len(&encoded, pos)?;
            let body = encoded.get(pos.saturating_add(h)..).unwrap_or_default();
            let remaining = cap.saturating_sub(out.len());
            let initial = expected_size.map_or(body.len().saturating_mul(4), |e| e as usize).min(remaining);
            let (member, used) = inflate(body, false, remaining, initial)
                .map_err(|e| inflate_error(NAME, e, expected_size, cap, limits))?;
            let trailer = pos.saturating_add(h).saturating_add(used);
            let crc = read_u32_le(NAME, &encoded, trailer)?;
            let isize = read_u32_le(NAME, &encoded, trailer.saturating_add(4))?;
            let computed = super::crc32::crc32(&member);
            if crc != computed {
                return Err(CodecError::Checksum { codec: NAME, stored: crc.into(), computed: computed.into() });
            }
            if isize != member.len() as u32 {
                return Err(format_err(NAME, format!("ISIZE {isize} does not match {} decoded bytes", member.len())));
            }
            if out.is_empty() {
                out = member;
            } else {
                out.extend_from_slice(&member);
            }
            pos = trailer.saturating_add(8);
            // Like Python's gzip module, skip NUL padding after a member.
            while encoded.get(pos) == Some(&0) {
                pos = pos.saturating_add(1);
            }
            if pos >= encoded.len() {
                return Ok(out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn gzip_of(data: &[u8]) -> Vec<u8> {
        let mut v = vec![0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 3];
        v.extend_from_slice(b"name\0");
        v.extend(miniz_oxide::deflate::compress_to_vec(data, 6));
        v.extend_from_slice(&crate::codecs::crc32::crc32(data).to_le_bytes());
        v.extend_from_slice(&(data.len() as u32).to_le_bytes());
        v
    }

    #[test]
    fn members_checksums_and_caps() {
        let l = Limits::default();
        let a = gzip_of(b"hello hello hello");
        assert_eq!(GzipCodec.decode(a.clone(), Some(17), &l).unwrap(), b"hello hello hello");
        let mut two = a.clone();
        two.extend(gzip_of(b"!"));
        assert_eq!(GzipCodec.decode(two.clone(), None, &l).unwrap(), b"hello hello hello!");
        assert!(matches!(GzipCodec.decode(two, Some(17), &l), Err(CodecError::SizeMismatch { .. })));
        let mut padded = a.clone();
        padded.extend_from_slice(&[0, 0, 0]);
        assert_eq!(GzipCodec.decode(padded, None, &l).unwrap(), b"hello hello hello");
        let mut bad = a.clone();
        let n = bad.len();
        bad[n - 8] ^= 0xff;
        assert!(matches!(GzipCodec.decode(bad, None, &l), Err(CodecError::Checksum { .. })));
        assert!(GzipCodec.decode(a[..a.len() - 2].to_vec(), None, &l).is_err());
        assert!(GzipCodec.decode(a[..6].to_vec(), None, &l).is_err());
        assert!(GzipCodec.decode(vec![], None, &l).is_err());
        assert!(GzipCodec.decode(vec![0x1f, 0x8b, 8, 0x04, 0, 0, 0, 0, 0, 0, 0xff, 0xff], None, &l).is_err());
    }
}
