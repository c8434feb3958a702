//! The `gzip` codec (Zarr v3 `gzip`, numcodecs `gzip`; specs/sharding.md § "gzip"): one or
//! more gzip members (RFC 1952), NUL padding between them skipped as Python's gzip does:
//! header with optional FEXTRA/FNAME/FCOMMENT/FHCRC,
//! deflate data, CRC-32 and ISIZE trailer, both verified. Output capped. `decode_into`
//! inflates each member straight into the destination (no output vector, no copy) and
//! requires the members to fill it exactly.

#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

use super::common::{format_err, output_cap, read_u32_le};
use super::zlib::{inflate, inflate_error, inflate_into};
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

/// Walk the members of `encoded`: for each, `member(deflate data)` inflates it to its
/// destination and returns (CRC-32 of its output, output length, input bytes used); the
/// trailer is checked against them. Returns the total decoded length.
fn members(
    encoded: &[u8],
    mut member: impl FnMut(&[u8]) -> Result<(u32, usize, usize), CodecError>,
) -> Result<usize, CodecError> {
    let mut total = 0usize;
    let mut pos = 0usize;
    loop {
        let h = header_len(encoded, pos)?;
        let body = encoded.get(pos.saturating_add(h)..).unwrap_or_default();
        let (computed, len, used) = member(body)?;
        let trailer = pos.saturating_add(h).saturating_add(used);
        let crc = read_u32_le(NAME, encoded, trailer)?;
        let isize = read_u32_le(NAME, encoded, trailer.saturating_add(4))?;
        if crc != computed {
            return Err(CodecError::Checksum { codec: NAME, stored: crc.into(), computed: computed.into() });
        }
        if isize != len as u32 {
            return Err(format_err(NAME, format!("ISIZE {isize} does not match {len} decoded bytes")));
        }
        total = total.saturating_add(len);
        pos = trailer.saturating_add(8);
        // Like Python's gzip module, skip NUL padding after a member.
        while encoded.get(pos) == Some(&0) {
            pos = pos.saturating_add(1);
        }
        if pos >= encoded.len() {
            return Ok(total);
        }
    }
}

impl BytesToBytesCodec for GzipCodec {
    fn decode(&self, encoded: Vec<u8>, expected_size: Option<u64>, limits: &Limits) -> Result<Vec<u8>, CodecError> {
        let cap = output_cap(expected_size, limits)?;
        let mut out: Vec<u8> = Vec::new();
        members(&encoded, |body| {
            let remaining = cap.saturating_sub(out.len());
            let initial = expected_size.map_or(body.len().saturating_mul(4), |e| e as usize).min(remaining);
            let (member, used) = inflate(body, false, remaining, initial)
                .map_err(|e| inflate_error(NAME, e, expected_size, cap, limits))?;
            let crc = super::crc32::crc32(&member);
            let len = member.len();
            if out.is_empty() {
                out = member;
            } else {
                out.extend_from_slice(&member);
            }
            Ok((crc, len, used))
        })?;
        Ok(out)
    }

    /// Decodes straight into `out` (what `decodeChunkInto` uses), member after member:
    /// the members must hold exactly `out.len()` bytes in all.
    fn decode_into(&self, encoded: Vec<u8>, out: &mut [u8], limits: &Limits) -> Result<(), CodecError> {
        let expected = Some(out.len() as u64);
        let cap = output_cap(expected, limits)?;
        let mut written = 0usize;
        members(&encoded, |body| {
            let dst = out.get_mut(written..).unwrap_or_default();
            let (n, used) =
                inflate_into(body, false, dst).map_err(|e| inflate_error(NAME, e, expected, cap, limits))?;
            let crc = super::crc32::crc32(dst.get(..n).unwrap_or_default());
            written = written.saturating_add(n);
            Ok((crc, n, used))
        })?;
        if written != out.len() {
            return Err(CodecError::SizeMismatch { codec: NAME, expected: out.len() as u64, got: written as u64 });
        }
        Ok(())
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

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
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

    fn varied() -> Vec<Vec<u8>> {
        let mut rng = crate::kernels::TestRng::new(12);
        let texty = rng.texty(120_000, 30, 20, 100);
        vec![Vec::new(), b"x".to_vec(), b"abcabcabd".repeat(5), rng.bytes(70_000), vec![0; 200_000], texty]
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn decode_into_matches_decode() {
        let l = Limits::default();
        for data in varied() {
            for level in [0u8, 1, 6, 9] {
                let mut enc = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
                enc.extend(miniz_oxide::deflate::compress_to_vec(&data, level));
                enc.extend_from_slice(&crate::codecs::crc32::crc32(&data).to_le_bytes());
                enc.extend_from_slice(&(data.len() as u32).to_le_bytes());
                let n = data.len();
                assert!(GzipCodec.decode(enc.clone(), Some(n as u64), &l).unwrap() == data);
                let mut out = vec![0x55u8; n];
                GzipCodec.decode_into(enc.clone(), &mut out, &l).unwrap();
                assert!(out == data, "{n} bytes, level {level}");
                let mut more = vec![0u8; n + 1];
                let r = GzipCodec.decode_into(enc.clone(), &mut more, &l);
                let want = (n as u64 + 1, n as u64);
                assert!(matches!(r, Err(CodecError::SizeMismatch { expected, got, .. }) if (expected, got) == want));
                if n > 0 {
                    let mut less = vec![0u8; n - 1];
                    let r = GzipCodec.decode_into(enc.clone(), &mut less, &l);
                    assert!(matches!(r, Err(CodecError::SizeMismatch { .. })), "{r:?}");
                    let mut bad = enc.clone();
                    let at = bad.len() - 8;
                    bad[at] ^= 0x10;
                    assert!(matches!(GzipCodec.decode_into(bad, &mut out, &l), Err(CodecError::Checksum { .. })));
                }
                let mut bad_isize = enc.clone();
                let at = bad_isize.len() - 4;
                bad_isize[at] ^= 1;
                assert!(matches!(GzipCodec.decode_into(bad_isize, &mut out, &l), Err(CodecError::Format { .. })));
                for cut in [1usize, 5, 9, 12] {
                    let t = enc[..enc.len().saturating_sub(cut)].to_vec();
                    assert!(GzipCodec.decode_into(t, &mut out, &l).is_err(), "cut {cut}");
                }
            }
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn decode_into_multi_member_and_limits() {
        let l = Limits::default();
        let data = varied();
        let (a, b) = (&data[5], &data[3]);
        let mut enc = gzip_of(a);
        enc.extend_from_slice(&[0, 0]);
        enc.extend(gzip_of(b));
        let mut want = a.clone();
        want.extend_from_slice(b);
        assert!(GzipCodec.decode(enc.clone(), None, &l).unwrap() == want);
        let mut out = vec![0u8; want.len()];
        GzipCodec.decode_into(enc.clone(), &mut out, &l).unwrap();
        assert!(out == want);
        let mut less = vec![0u8; want.len() - 1];
        assert!(matches!(GzipCodec.decode_into(enc.clone(), &mut less, &l), Err(CodecError::SizeMismatch { .. })));
        let mut more = vec![0u8; want.len() + 1];
        assert!(matches!(GzipCodec.decode_into(enc.clone(), &mut more, &l), Err(CodecError::SizeMismatch { .. })));
        // The second member's CRC is checked too.
        let mut bad = enc.clone();
        let at = bad.len() - 6;
        bad[at] ^= 1;
        assert!(matches!(GzipCodec.decode_into(bad, &mut out, &l), Err(CodecError::Checksum { .. })));
        // A destination above the limit is refused before decoding.
        let small = Limits { max_decoded_chunk_bytes: 1000, ..Limits::default() };
        assert!(matches!(GzipCodec.decode_into(enc, &mut out, &small), Err(CodecError::LimitExceeded(_))));
    }
}
