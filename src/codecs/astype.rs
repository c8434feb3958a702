//! The numcodecs `astype` filter (v2 `{"id": "astype", "encode_dtype", "decode_dtype"}`,
//! v3 `numcodecs.astype`): elements stored as `encode_dtype`; decoding is numpy's
//! `enc.view(encode_dtype).astype(decode_dtype)`.

use super::numeric::{cast_all, check_io, TypedField};
use super::{ArrayBytes, ArrayToArrayCodec, ChunkRepr};
use crate::error::CodecError;
use crate::limits::Limits;
use crate::zarr::data_type::Endian;
use serde_json::Value;

const NAME: &str = "astype";

/// The astype filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsTypeCodec {
    /// The stored type.
    pub encode_dtype: TypedField,
    /// The decoded type.
    pub decode_dtype: TypedField,
}

impl AsTypeCodec {
    /// From a numcodecs configuration.
    ///
    /// # Errors
    /// `Config` for missing or non-numeric types.
    pub fn from_config(config: Option<&Value>) -> Result<Self, CodecError> {
        Ok(AsTypeCodec {
            encode_dtype: TypedField::parse(NAME, config, "encode_dtype", None)?,
            decode_dtype: TypedField::parse(NAME, config, "decode_dtype", None)?,
        })
    }
}

impl ArrayToArrayCodec for AsTypeCodec {
    fn encoded_repr(&self, decoded: &ChunkRepr) -> Result<ChunkRepr, CodecError> {
        Ok(ChunkRepr { data_type: self.encode_dtype.data_type.clone(), ..decoded.clone() })
    }

    fn encoded_endian(&self) -> Option<Endian> {
        self.encode_dtype.endian
    }

    fn decode(&self, encoded: ArrayBytes, decoded: &ChunkRepr, limits: &Limits) -> Result<ArrayBytes, CodecError> {
        let enc = encoded.into_fixed(NAME)?;
        check_io(NAME, &enc, self.encode_dtype.kind, decoded, self.decode_dtype.kind, limits)?;
        Ok(ArrayBytes::Fixed(cast_all(&enc, self.encode_dtype.kind, self.decode_dtype.kind)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zarr::data_type::{DataType, FillValue};
    use serde_json::json;

    #[test]
    fn widens() {
        let c = AsTypeCodec::from_config(Some(&json!({"encode_dtype": ">i2", "decode_dtype": "<i4"}))).unwrap();
        assert_eq!(c.encoded_endian(), Some(Endian::Big));
        let r = ChunkRepr { shape: vec![1], data_type: DataType::Int32, fill_value: FillValue::Fixed(vec![]) };
        let out = c.decode(ArrayBytes::Fixed(vec![0xfe, 0xff]), &r, &Limits::default()).unwrap();
        assert_eq!(out, ArrayBytes::Fixed((-2i32).to_le_bytes().to_vec()));
    }
}
