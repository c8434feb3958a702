//! The numcodecs `quantize` filter (v2 `{"id": "quantize", "digits", "dtype", "astype"}`,
//! v3 `numcodecs.quantize`): values were rounded to `digits` decimal digits when
//! encoding; decoding is numpy's `enc.view(astype).astype(dtype)`.

use super::numeric::{cast_all, check_io, TypedField};
use super::{ArrayBytes, ArrayToArrayCodec, ChunkRepr};
use crate::error::CodecError;
use crate::limits::Limits;
use crate::zarr::data_type::Endian;
use serde_json::Value;

const NAME: &str = "quantize";

/// The quantize filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuantizeCodec {
    /// The decoded type.
    pub dtype: TypedField,
    /// The stored type (defaults to `dtype`).
    pub astype: TypedField,
}

impl QuantizeCodec {
    /// From a numcodecs configuration.
    ///
    /// # Errors
    /// `Config` for a missing `dtype` or non-float types.
    pub fn from_config(config: Option<&Value>) -> Result<Self, CodecError> {
        let dtype = TypedField::parse(NAME, config, "dtype", None)?;
        let astype = match config.and_then(|c| c.get("astype")).and_then(Value::as_str) {
            Some(_) => TypedField::parse(NAME, config, "astype", None)?,
            None => dtype.clone(),
        };
        Ok(QuantizeCodec { dtype, astype })
    }
}

impl ArrayToArrayCodec for QuantizeCodec {
    fn encoded_repr(&self, decoded: &ChunkRepr) -> Result<ChunkRepr, CodecError> {
        Ok(ChunkRepr { data_type: self.astype.data_type.clone(), ..decoded.clone() })
    }

    fn encoded_endian(&self) -> Option<Endian> {
        self.astype.endian
    }

    fn decode(&self, encoded: ArrayBytes, decoded: &ChunkRepr, limits: &Limits) -> Result<ArrayBytes, CodecError> {
        let enc = encoded.into_fixed(NAME)?;
        check_io(NAME, &enc, self.astype.kind, decoded, self.dtype.kind, limits)?;
        Ok(ArrayBytes::Fixed(cast_all(&enc, self.astype.kind, self.dtype.kind)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zarr::data_type::{DataType, FillValue};
    use serde_json::json;

    #[test]
    fn casts_astype_to_dtype() {
        let c = QuantizeCodec::from_config(Some(&json!({"digits": 2, "dtype": "<f8", "astype": "<f4"}))).unwrap();
        let repr = ChunkRepr { shape: vec![2], data_type: DataType::Float64, fill_value: FillValue::Fixed(vec![]) };
        let enc: Vec<u8> = [0.5f32, 1.25].iter().flat_map(|v| v.to_le_bytes()).collect();
        let out = c.decode(ArrayBytes::Fixed(enc), &repr, &Limits::default()).unwrap();
        assert_eq!(out, ArrayBytes::Fixed([0.5f64, 1.25].iter().flat_map(|v| v.to_le_bytes()).collect()));
        assert!(c.decode(ArrayBytes::Fixed(vec![0; 3]), &repr, &Limits::default()).is_err());
    }
}
