//! The `bytes` array→bytes codec (Zarr v3 `codecs/bytes`, see specs/sharding.md § "bytes"):
//! raw C-order element bytes in the configured byte order. Stored big-endian data is
//! swapped to the little-endian [`ArrayBytes`] per `DataType::swap_unit` (UCS-4 strings
//! per code point, byte strings never). A Zarr v2 fixed-size dtype maps to this codec
//! with the typestr's byte order.

use super::common::{config_err, config_object, fixed_byte_size, get_str, num_elements};
use super::{ArrayBytes, ArrayToBytesCodec, ChunkRepr};
use crate::error::CodecError;
use crate::limits::Limits;
use crate::zarr::data_type::Endian;
use serde_json::Value;

const NAME: &str = "bytes";

/// The `bytes` codec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BytesCodec {
    /// Byte order of the stored elements; `None` (allowed for 1-byte types) means little.
    pub endian: Option<Endian>,
}

impl BytesCodec {
    /// A codec with the given byte order.
    pub fn new(endian: Endian) -> Self {
        BytesCodec { endian: Some(endian) }
    }

    /// From a v3 configuration (`{"endian": "little"|"big"}`, optional).
    ///
    /// # Errors
    /// `Config` for another endian value.
    pub fn from_config(config: Option<&Value>) -> Result<Self, CodecError> {
        let cfg = config_object(config);
        let endian = match get_str(NAME, &cfg, "endian")? {
            None => None,
            Some("little") => Some(Endian::Little),
            Some("big") => Some(Endian::Big),
            Some(other) => {
                return Err(config_err(NAME, format!("endian must be \"little\" or \"big\", got {other:?}")))
            }
        };
        Ok(BytesCodec { endian })
    }
}

impl ArrayToBytesCodec for BytesCodec {
    fn decode(&self, mut encoded: Vec<u8>, decoded: &ChunkRepr, limits: &Limits) -> Result<ArrayBytes, CodecError> {
        let n = num_elements(&decoded.shape)?;
        let expected = fixed_byte_size(NAME, &decoded.data_type, n, limits)?;
        if encoded.len() != expected {
            return Err(CodecError::SizeMismatch { codec: NAME, expected: expected as u64, got: encoded.len() as u64 });
        }
        let unit = decoded.data_type.swap_unit();
        if unit > 1 {
            match self.endian {
                Some(Endian::Big) => crate::kernels::byteswap::swap_in_place(&mut encoded, unit),
                Some(Endian::Little) => {}
                None => {
                    return Err(config_err(NAME, format!("endian is required for {}", decoded.data_type.numpy_str())))
                }
            }
        }
        Ok(ArrayBytes::Fixed(encoded))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zarr::data_type::{DataType, FillValue};
    use serde_json::json;

    fn repr(shape: &[u64], dt: DataType) -> ChunkRepr {
        ChunkRepr { shape: shape.to_vec(), data_type: dt, fill_value: FillValue::Fixed(vec![]) }
    }

    #[test]
    fn big_endian_is_swapped() {
        let c = BytesCodec::from_config(Some(&json!({"endian": "big"}))).unwrap();
        let out = c.decode(vec![0, 1, 0, 2], &repr(&[2], DataType::Int16), &Limits::default()).unwrap();
        assert_eq!(out, ArrayBytes::Fixed(vec![1, 0, 2, 0]));
        let out = c.decode(vec![0, 0, 0, 0x61], &repr(&[1], DataType::FixedUnicode(1)), &Limits::default()).unwrap();
        assert_eq!(out, ArrayBytes::Fixed(vec![0x61, 0, 0, 0]));
        let out = c.decode(b"ab".to_vec(), &repr(&[1], DataType::FixedBytes(2)), &Limits::default()).unwrap();
        assert_eq!(out, ArrayBytes::Fixed(b"ab".to_vec()));
    }

    #[test]
    fn size_and_config_errors() {
        let c = BytesCodec::from_config(None).unwrap();
        assert!(matches!(
            c.decode(vec![1, 2, 3], &repr(&[2], DataType::UInt8), &Limits::default()),
            Err(CodecError::SizeMismatch { expected: 2, got: 3, .. })
        ));
        assert!(c.decode(vec![1, 2], &repr(&[1], DataType::Int16), &Limits::default()).is_err());
        assert!(c.decode(vec![1, 2], &repr(&[2], DataType::UInt8), &Limits::default()).is_ok());
        assert!(BytesCodec::from_config(Some(&json!({"endian": "middle"}))).is_err());
        assert!(c.decode(vec![], &repr(&[1], DataType::String), &Limits::default()).is_err());
        let small = Limits { max_decoded_chunk_bytes: 4, ..Limits::default() };
        assert!(matches!(
            c.decode(vec![0; 8], &repr(&[8], DataType::UInt8), &small),
            Err(CodecError::LimitExceeded(_))
        ));
    }
}
