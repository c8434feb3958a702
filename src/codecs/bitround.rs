//! The numcodecs `bitround` filter (v2 `{"id": "bitround", "keepbits"}`, v3
//! `numcodecs.bitround`): mantissa bits beyond `keepbits` were rounded away when
//! encoding; the stored values are ordinary floats, so decoding is the identity.

use super::common::{config_err, config_object, get_i64};
use super::{ArrayBytes, ArrayToArrayCodec, ChunkRepr};
use crate::error::CodecError;
use crate::limits::Limits;
use serde_json::Value;

const NAME: &str = "bitround";

/// The bitround filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BitRoundCodec {
    /// Mantissa bits kept.
    pub keepbits: u32,
}

impl BitRoundCodec {
    /// From a numcodecs configuration.
    ///
    /// # Errors
    /// `Config` when `keepbits` is missing or negative.
    pub fn from_config(config: Option<&Value>) -> Result<Self, CodecError> {
        let cfg = config_object(config);
        let k = get_i64(NAME, &cfg, "keepbits")?.ok_or_else(|| config_err(NAME, "keepbits is required"))?;
        let keepbits = u32::try_from(k).map_err(|_| config_err(NAME, format!("keepbits {k} is negative")))?;
        Ok(BitRoundCodec { keepbits })
    }
}

impl ArrayToArrayCodec for BitRoundCodec {
    fn encoded_repr(&self, decoded: &ChunkRepr) -> Result<ChunkRepr, CodecError> {
        Ok(decoded.clone())
    }

    fn decode(&self, encoded: ArrayBytes, _decoded: &ChunkRepr, _limits: &Limits) -> Result<ArrayBytes, CodecError> {
        Ok(encoded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zarr::data_type::{DataType, FillValue};
    use serde_json::json;

    #[test]
    fn identity() {
        let c = BitRoundCodec::from_config(Some(&json!({"id": "bitround", "keepbits": 3}))).unwrap();
        let r = ChunkRepr { shape: vec![1], data_type: DataType::Float32, fill_value: FillValue::Fixed(vec![]) };
        let out = c.decode(ArrayBytes::Fixed(vec![1, 2, 3, 4]), &r, &Limits::default()).unwrap();
        assert_eq!(out, ArrayBytes::Fixed(vec![1, 2, 3, 4]));
        assert!(BitRoundCodec::from_config(Some(&json!({"keepbits": -1}))).is_err());
        assert!(BitRoundCodec::from_config(None).is_err());
    }
}
