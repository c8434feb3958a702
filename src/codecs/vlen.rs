//! The numcodecs `vlen-utf8` and `vlen-bytes` object codecs (v2 filters on `|O` arrays;
//! Zarr v3 `vlen-utf8` / `vlen-bytes` array→bytes codecs for `string` / `bytes`), both
//! with numcodecs' `vlen.pyx` layout: a little-endian `u32` item count, then per item a
//! little-endian `u32` byte length and the bytes. The count must equal the chunk's
//! element count; every length is checked against the remaining input before use.

#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

use super::common::{format_err, num_elements, read_u32_le, slice};
use super::{ArrayBytes, ArrayToBytesCodec, ChunkRepr, VarElement};
use crate::error::CodecError;
use crate::limits::Limits;

/// Which element type a vlen codec produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VlenKind {
    /// `vlen-utf8`: UTF-8 strings.
    Utf8,
    /// `vlen-bytes`: raw bytes.
    Bytes,
}

/// A vlen codec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VlenCodec {
    /// Strings or bytes.
    pub kind: VlenKind,
}

impl VlenCodec {
    /// `vlen-utf8`.
    pub fn utf8() -> Self {
        VlenCodec { kind: VlenKind::Utf8 }
    }

    /// `vlen-bytes`.
    pub fn bytes() -> Self {
        VlenCodec { kind: VlenKind::Bytes }
    }

    fn name(&self) -> &'static str {
        match self.kind {
            VlenKind::Utf8 => "vlen-utf8",
            VlenKind::Bytes => "vlen-bytes",
        }
    }
}

impl ArrayToBytesCodec for VlenCodec {
    fn decode(&self, encoded: Vec<u8>, decoded: &ChunkRepr, limits: &Limits) -> Result<ArrayBytes, CodecError> {
        let name = self.name();
        let n = num_elements(&decoded.shape)?;
        crate::limits::check("decoded chunk bytes", encoded.len() as u64, limits.max_decoded_chunk_bytes)?;
        let count = read_u32_le(name, &encoded, 0)? as usize;
        if count != n {
            return Err(CodecError::SizeMismatch { codec: name, expected: n as u64, got: count as u64 });
        }
        // Every item needs at least its 4-byte length: refuse counts the input cannot hold.
        if count.saturating_mul(4) > encoded.len().saturating_sub(4) {
            return Err(format_err(name, format!("{count} items cannot fit in {} bytes", encoded.len())));
        }
        let mut items = Vec::with_capacity(count);
        let mut pos = 4usize;
        for i in 0..count {
            let len = read_u32_le(name, &encoded, pos)? as usize;
            pos = pos.saturating_add(4);
            let data = slice(name, &encoded, pos, len)?;
            pos = pos.saturating_add(len);
            items.push(match self.kind {
                VlenKind::Utf8 => VarElement::String(
                    std::str::from_utf8(data)
                        .map_err(|e| format_err(name, format!("item {i} is not UTF-8: {e}")))?
                        .to_string(),
                ),
                VlenKind::Bytes => VarElement::Bytes(data.to_vec()),
            });
        }
        if pos != encoded.len() {
            return Err(format_err(name, format!("{} trailing bytes", encoded.len().saturating_sub(pos))));
        }
        Ok(ArrayBytes::Variable(items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zarr::data_type::{DataType, FillValue};

    fn repr(n: u64) -> ChunkRepr {
        ChunkRepr {
            shape: vec![n],
            data_type: DataType::String,
            fill_value: FillValue::Variable(serde_json::json!("")),
        }
    }

    fn enc(items: &[&[u8]]) -> Vec<u8> {
        let mut v = (items.len() as u32).to_le_bytes().to_vec();
        for i in items {
            v.extend_from_slice(&(i.len() as u32).to_le_bytes());
            v.extend_from_slice(i);
        }
        v
    }

    #[test]
    fn decodes_and_rejects_garbage() {
        let l = Limits::default();
        let e = enc(&[b"a", b"", "é".as_bytes()]);
        let out = VlenCodec::utf8().decode(e.clone(), &repr(3), &l).unwrap();
        let want = ["a", "", "é"].iter().map(|s| VarElement::String(s.to_string())).collect();
        assert_eq!(out, ArrayBytes::Variable(want));
        let out = VlenCodec::bytes().decode(e.clone(), &repr(3), &l).unwrap();
        assert_eq!(
            out,
            ArrayBytes::Variable(vec![
                VarElement::Bytes(b"a".to_vec()),
                VarElement::Bytes(vec![]),
                VarElement::Bytes("é".as_bytes().to_vec())
            ])
        );
        assert!(matches!(VlenCodec::utf8().decode(e.clone(), &repr(2), &l), Err(CodecError::SizeMismatch { .. })));
        assert!(VlenCodec::utf8().decode(e[..e.len() - 1].to_vec(), &repr(3), &l).is_err());
        let mut extra = e.clone();
        extra.push(0);
        assert!(VlenCodec::utf8().decode(extra, &repr(3), &l).is_err());
        assert!(VlenCodec::utf8().decode(enc(&[&[0xff]]), &repr(1), &l).is_err());
        let mut huge = vec![0xff, 0xff, 0xff, 0x0f];
        huge.extend_from_slice(&[0; 8]);
        assert!(VlenCodec::utf8().decode(huge, &repr(0x0fff_ffff), &l).is_err());
        assert!(VlenCodec::utf8().decode(vec![], &repr(0), &l).is_err());
    }
}
