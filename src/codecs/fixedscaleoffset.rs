//! The numcodecs `fixedscaleoffset` filter (v2 `{"id": "fixedscaleoffset", "scale",
//! "offset", "dtype", "astype"}`, v3 `numcodecs.fixedscaleoffset`): stored
//! `round((x - offset) * scale)` as `astype`; decoding is numpy's
//! `(enc / scale + offset).astype(dtype)`, computed in float64 for integer `astype`
//! (numpy's `true_divide` of integers) and in the `astype` precision for float `astype`.

use super::common::{config_err, config_object, get_f64};
use super::numeric::{check_io, Kind, TypedField};
use super::{ArrayBytes, ArrayToArrayCodec, ChunkRepr};
use crate::error::CodecError;
use crate::kernels::dequantize::{int_scale_offset, IntLe};
use crate::limits::Limits;
use crate::zarr::data_type::Endian;
use serde_json::Value;

const NAME: &str = "fixedscaleoffset";

/// The fixedscaleoffset filter.
#[derive(Debug, Clone, PartialEq)]
pub struct FixedScaleOffsetCodec {
    /// Multiplier applied when encoding.
    pub scale: f64,
    /// Subtracted when encoding.
    pub offset: f64,
    /// The decoded type.
    pub dtype: TypedField,
    /// The stored type (defaults to `dtype`).
    pub astype: TypedField,
}

impl FixedScaleOffsetCodec {
    /// From a numcodecs configuration.
    ///
    /// # Errors
    /// `Config` for missing `scale`/`offset`/`dtype` or non-numeric types.
    pub fn from_config(config: Option<&Value>) -> Result<Self, CodecError> {
        let cfg = config_object(config);
        let scale = get_f64(NAME, &cfg, "scale")?.ok_or_else(|| config_err(NAME, "scale is required"))?;
        let offset = get_f64(NAME, &cfg, "offset")?.ok_or_else(|| config_err(NAME, "offset is required"))?;
        let dtype = TypedField::parse(NAME, config, "dtype", None)?;
        let astype = match cfg.get("astype").and_then(Value::as_str) {
            Some(_) => TypedField::parse(NAME, config, "astype", None)?,
            None => dtype.clone(),
        };
        Ok(FixedScaleOffsetCodec { scale, offset, dtype, astype })
    }
}

impl ArrayToArrayCodec for FixedScaleOffsetCodec {
    fn encoded_repr(&self, decoded: &ChunkRepr) -> Result<ChunkRepr, CodecError> {
        Ok(ChunkRepr { data_type: self.astype.data_type.clone(), ..decoded.clone() })
    }

    fn encoded_endian(&self) -> Option<Endian> {
        self.astype.endian
    }

    fn decode(&self, encoded: ArrayBytes, decoded: &ChunkRepr, limits: &Limits) -> Result<ArrayBytes, CodecError> {
        let enc = encoded.into_fixed(NAME)?;
        let (from, to) = (self.astype.kind, self.dtype.kind);
        check_io(NAME, &enc, from, decoded, to, limits)?;
        // Integers to float32/float64: the SIMD kernel (same float64 arithmetic).
        let int = match from {
            Kind::Int(1) => Some(IntLe::I8),
            Kind::UInt(1) => Some(IntLe::U8),
            Kind::Int(2) => Some(IntLe::I16),
            Kind::UInt(2) => Some(IntLe::U16),
            Kind::Int(4) => Some(IntLe::I32),
            Kind::UInt(4) => Some(IntLe::U32),
            _ => None,
        };
        if let (Some(ty), Kind::Float(w @ (4 | 8))) = (int, to) {
            let mut out = vec![0u8; enc.len() / from.size() * w];
            int_scale_offset(&enc, ty, self.scale, self.offset, &mut out, w == 8);
            return Ok(ArrayBytes::Fixed(out));
        }
        let mut out = Vec::with_capacity(enc.len() / from.size() * to.size());
        for e in enc.chunks_exact(from.size()) {
            let x = from.read_f64(e);
            let y = match from {
                Kind::Float(4) => f64::from((x as f32 / self.scale as f32) + self.offset as f32),
                Kind::Float(2) => {
                    let q = half::f16::from_f64(x / f64::from(half::f16::from_f64(self.scale)));
                    half::f16::from_f64(q.to_f64() + f64::from(half::f16::from_f64(self.offset))).to_f64()
                }
                _ => x / self.scale + self.offset,
            };
            to.write_f64(y, &mut out);
        }
        Ok(ArrayBytes::Fixed(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zarr::data_type::{DataType, FillValue};
    use serde_json::json;

    #[test]
    fn decodes_like_numpy() {
        let c = FixedScaleOffsetCodec::from_config(Some(
            &json!({"id": "fixedscaleoffset", "scale": 10, "offset": 1000, "dtype": "<f4", "astype": "<i2"}),
        ))
        .unwrap();
        let repr = ChunkRepr { shape: vec![3], data_type: DataType::Float32, fill_value: FillValue::Fixed(vec![]) };
        assert_eq!(c.encoded_repr(&repr).unwrap().data_type, DataType::Int16);
        let enc: Vec<u8> = [0i16, 15, -3].iter().flat_map(|v| v.to_le_bytes()).collect();
        let out = c.decode(ArrayBytes::Fixed(enc), &repr, &Limits::default()).unwrap();
        let want: Vec<u8> = [1000.0f64, 1001.5, 999.7].iter().flat_map(|v| (*v as f32).to_le_bytes()).collect();
        assert_eq!(out, ArrayBytes::Fixed(want));
        assert!(c.decode(ArrayBytes::Fixed(vec![0; 4]), &repr, &Limits::default()).is_err());
        assert!(FixedScaleOffsetCodec::from_config(Some(&json!({"scale": 1, "dtype": "<f4"}))).is_err());
    }
}
