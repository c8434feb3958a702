//! The numcodecs `delta` filter (v2 `{"id": "delta", "dtype", "astype"}`, v3
//! `numcodecs.delta`): stored values are differences of consecutive elements (in the
//! flattened memory order), typed `astype`; decoding is numpy's `cumsum` into `dtype`:
//! wrapping for integers, sequential sums in the `astype` precision for floats.

use super::numeric::{check_io, Kind, TypedField};
use super::{ArrayBytes, ArrayToArrayCodec, ChunkRepr};
use crate::error::CodecError;
use crate::limits::Limits;
use crate::zarr::data_type::Endian;
use serde_json::Value;

const NAME: &str = "delta";

/// The delta filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeltaCodec {
    /// The decoded type.
    pub dtype: TypedField,
    /// The stored type (defaults to `dtype`).
    pub astype: TypedField,
}

impl DeltaCodec {
    /// From a numcodecs configuration (`dtype` required, `astype` optional).
    ///
    /// # Errors
    /// `Config` for missing or non-numeric types.
    pub fn from_config(config: Option<&Value>) -> Result<Self, CodecError> {
        let dtype = TypedField::parse(NAME, config, "dtype", None)?;
        let astype = match config.and_then(|c| c.get("astype")).and_then(Value::as_str) {
            Some(_) => TypedField::parse(NAME, config, "astype", None)?,
            None => dtype.clone(),
        };
        Ok(DeltaCodec { dtype, astype })
    }
}

impl ArrayToArrayCodec for DeltaCodec {
    fn encoded_repr(&self, decoded: &ChunkRepr) -> Result<ChunkRepr, CodecError> {
        Ok(ChunkRepr { data_type: self.astype.data_type.clone(), ..decoded.clone() })
    }

    fn encoded_endian(&self) -> Option<Endian> {
        self.astype.endian
    }

    fn decode(&self, encoded: ArrayBytes, decoded: &ChunkRepr, limits: &Limits) -> Result<ArrayBytes, CodecError> {
        let mut enc = encoded.into_fixed(NAME)?;
        let (from, to) = (self.astype.kind, self.dtype.kind);
        check_io(NAME, &enc, from, decoded, to, limits)?;
        let int_kinds = !from.is_float() && !to.is_float();
        if int_kinds && from.size() == to.size() {
            crate::kernels::delta::delta_decode_le(&mut enc, from.size());
            return Ok(ArrayBytes::Fixed(enc));
        }
        let mut out = Vec::with_capacity(enc.len() / from.size() * to.size());
        match from {
            Kind::Float(fs) => {
                let mut acc = 0f64;
                for e in enc.chunks_exact(fs) {
                    acc += from.read_f64(e);
                    // Round the accumulator to the astype precision after every step.
                    acc = match fs {
                        2 => half::f16::from_f64(acc).to_f64(),
                        4 => f64::from(acc as f32),
                        _ => acc,
                    };
                    to.write_f64(acc, &mut out);
                }
            }
            _ => {
                let mut acc = 0i128;
                for e in enc.chunks_exact(from.size()) {
                    acc = (acc + from.read_int(e)) as i64 as i128;
                    to.write_int(acc, &mut out);
                }
            }
        }
        Ok(ArrayBytes::Fixed(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zarr::data_type::{DataType, FillValue};
    use serde_json::json;

    fn repr(n: u64, dt: DataType) -> ChunkRepr {
        ChunkRepr { shape: vec![n], data_type: dt, fill_value: FillValue::Fixed(vec![]) }
    }

    #[test]
    fn integers_wrap_and_types_map() {
        let c = DeltaCodec::from_config(Some(&json!({"id": "delta", "dtype": "<i2", "astype": "<i2"}))).unwrap();
        let enc: Vec<u8> = [1i16, 1, 1, i16::MAX].iter().flat_map(|v| v.to_le_bytes()).collect();
        let out = c.decode(ArrayBytes::Fixed(enc), &repr(4, DataType::Int16), &Limits::default()).unwrap();
        let want: Vec<u8> = [1i16, 2, 3, 3i16.wrapping_add(i16::MAX)].iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(out, ArrayBytes::Fixed(want));
        assert_eq!(c.encoded_endian(), Some(Endian::Little));
        let v3 = DeltaCodec::from_config(Some(&json!({"dtype": "int32"}))).unwrap();
        assert_eq!(v3.encoded_endian(), None);
        let be = DeltaCodec::from_config(Some(&json!({"dtype": ">i4", "astype": ">i2"}))).unwrap();
        assert_eq!(be.encoded_endian(), Some(Endian::Big));
        assert_eq!(be.encoded_repr(&repr(2, DataType::Int32)).unwrap().data_type, DataType::Int16);
        // i2 differences into i4.
        let out = be
            .decode(ArrayBytes::Fixed(vec![0xff, 0xff, 0xff, 0xff]), &repr(2, DataType::Int32), &Limits::default())
            .unwrap();
        assert_eq!(out, ArrayBytes::Fixed([-1i32, -2].iter().flat_map(|v| v.to_le_bytes()).collect()));
    }

    #[test]
    fn floats_and_errors() {
        let c = DeltaCodec::from_config(Some(&json!({"dtype": "<f4"}))).unwrap();
        let enc: Vec<u8> = [0.5f32, 0.25, -1.0].iter().flat_map(|v| v.to_le_bytes()).collect();
        let out = c.decode(ArrayBytes::Fixed(enc), &repr(3, DataType::Float32), &Limits::default()).unwrap();
        assert_eq!(out, ArrayBytes::Fixed([0.5f32, 0.75, -0.25].iter().flat_map(|v| v.to_le_bytes()).collect()));
        assert!(c.decode(ArrayBytes::Fixed(vec![0; 5]), &repr(3, DataType::Float32), &Limits::default()).is_err());
        assert!(c.decode(ArrayBytes::Fixed(vec![0; 12]), &repr(3, DataType::Int32), &Limits::default()).is_err());
        assert!(DeltaCodec::from_config(Some(&json!({}))).is_err());
        assert!(DeltaCodec::from_config(Some(&json!({"dtype": "|O"}))).is_err());
    }
}
