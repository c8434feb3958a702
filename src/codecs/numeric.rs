//! Numeric element access shared by the numcodecs numeric filters (`delta`,
//! `fixedscaleoffset`, `quantize`, `astype`): reading little-endian elements of any
//! numeric [`DataType`] as `f64`/`i128`, and writing them back with numpy's `astype`
//! conversions (float → int truncates toward zero; out-of-range and NaN saturate, where
//! numpy's C cast is undefined).

use super::common::{config_err, config_object, get_str, parse_dtype};
use crate::error::CodecError;
use crate::zarr::data_type::{DataType, Endian};
use serde_json::Value;

/// The numeric kinds the filters handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Signed integer (incl. datetime64/timedelta64 as int64) of this many bytes.
    Int(usize),
    /// Unsigned integer (incl. bool) of this many bytes.
    UInt(usize),
    /// IEEE float of this many bytes (2, 4, 8).
    Float(usize),
}

impl Kind {
    /// The kind of a numeric data type, or `None`.
    pub fn of(dt: &DataType) -> Option<Kind> {
        Some(match dt {
            DataType::Bool | DataType::UInt8 => Kind::UInt(1),
            DataType::UInt16 => Kind::UInt(2),
            DataType::UInt32 => Kind::UInt(4),
            DataType::UInt64 => Kind::UInt(8),
            DataType::Int8 => Kind::Int(1),
            DataType::Int16 => Kind::Int(2),
            DataType::Int32 => Kind::Int(4),
            DataType::Int64 | DataType::DateTime64 { .. } | DataType::TimeDelta64 { .. } => Kind::Int(8),
            DataType::Float16 => Kind::Float(2),
            DataType::Float32 => Kind::Float(4),
            DataType::Float64 => Kind::Float(8),
            _ => return None,
        })
    }

    /// Element size in bytes.
    pub fn size(self) -> usize {
        match self {
            Kind::Int(n) | Kind::UInt(n) | Kind::Float(n) => n,
        }
    }

    /// Whether this is a float kind.
    pub fn is_float(self) -> bool {
        matches!(self, Kind::Float(_))
    }

    /// Read one little-endian element as `f64` (exact for floats and for integers up to 2^53).
    pub fn read_f64(self, b: &[u8]) -> f64 {
        match self {
            Kind::Float(2) => half::f16::from_bits(u16::from_le_bytes(arr(b))).to_f64(),
            Kind::Float(4) => f64::from(f32::from_le_bytes(arr(b))),
            Kind::Float(_) => f64::from_le_bytes(arr(b)),
            _ => self.read_int(b) as f64,
        }
    }

    /// Read one little-endian integer element (floats are truncated).
    pub fn read_int(self, b: &[u8]) -> i128 {
        match self {
            Kind::UInt(n) => {
                let mut a = [0u8; 8];
                for (d, s) in a.iter_mut().zip(b.iter().take(n)) {
                    *d = *s;
                }
                i128::from(u64::from_le_bytes(a))
            }
            Kind::Int(n) => {
                let mut a = [0u8; 8];
                for (d, s) in a.iter_mut().zip(b.iter().take(n)) {
                    *d = *s;
                }
                let shift = 64 - 8 * n.clamp(1, 8) as u32;
                i128::from((i64::from_le_bytes(a) << shift) >> shift)
            }
            Kind::Float(_) => self.read_f64(b) as i128,
        }
    }

    /// Write `v` as this kind (numpy `astype` from float64: float rounding to nearest,
    /// integer truncation toward zero, saturating).
    pub fn write_f64(self, v: f64, out: &mut Vec<u8>) {
        match self {
            Kind::Float(2) => out.extend_from_slice(&half::f16::from_f64(v).to_bits().to_le_bytes()),
            Kind::Float(4) => out.extend_from_slice(&(v as f32).to_le_bytes()),
            Kind::Float(_) => out.extend_from_slice(&v.to_le_bytes()),
            Kind::Int(n) => out.extend_from_slice((v as i64).to_le_bytes().get(..n).unwrap_or_default()),
            Kind::UInt(n) => {
                let u = if v < 0.0 { (v as i64) as u64 } else { v as u64 };
                out.extend_from_slice(u.to_le_bytes().get(..n).unwrap_or_default())
            }
        }
    }

    /// Write an integer value as this kind, wrapping (numpy integer `astype`).
    pub fn write_int(self, v: i128, out: &mut Vec<u8>) {
        match self {
            Kind::Float(_) => self.write_f64(v as f64, out),
            Kind::Int(n) | Kind::UInt(n) => {
                out.extend_from_slice((v as u64).to_le_bytes().get(..n).unwrap_or_default())
            }
        }
    }
}

fn arr<const N: usize>(b: &[u8]) -> [u8; N] {
    let mut a = [0u8; N];
    for (d, s) in a.iter_mut().zip(b) {
        *d = *s;
    }
    a
}

/// A numcodecs typed field (`dtype`, `astype`, `decode_dtype`, ...): the type, its
/// byte order when given as a typestr, and its [`Kind`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedField {
    /// The data type.
    pub data_type: DataType,
    /// The byte order of a numcodecs typestr (`None` for v3 names and 1-byte types).
    pub endian: Option<Endian>,
    /// The numeric kind.
    pub kind: Kind,
}

impl TypedField {
    /// Parse `cfg[key]`, falling back to `default` when absent.
    ///
    /// # Errors
    /// `Config` when missing (without default) or not numeric.
    pub fn parse(
        codec: &'static str,
        config: Option<&Value>,
        key: &str,
        default: Option<&str>,
    ) -> Result<Self, CodecError> {
        let cfg = config_object(config);
        let s =
            get_str(codec, &cfg, key)?.or(default).ok_or_else(|| config_err(codec, format!("{key} is required")))?;
        let (data_type, endian) = parse_dtype(codec, s)?;
        let kind =
            Kind::of(&data_type).ok_or_else(|| config_err(codec, format!("{key} {s:?} is not a numeric type")))?;
        Ok(TypedField { data_type, endian, kind })
    }
}

/// Check that `encoded` holds `n` elements of `kind` and that `decoded` (the data type the
/// pipeline expects back) has the kind of the filter's `dtype`.
///
/// # Errors
/// `SizeMismatch` / `Config`.
pub fn check_io(
    codec: &'static str,
    encoded: &[u8],
    enc_kind: Kind,
    decoded: &super::ChunkRepr,
    dec_kind: Kind,
    limits: &crate::limits::Limits,
) -> Result<usize, CodecError> {
    let n = super::common::num_elements(&decoded.shape)?;
    if Kind::of(&decoded.data_type) != Some(dec_kind) {
        return Err(config_err(
            codec,
            format!("the filter's dtype does not match the array's {}", decoded.data_type.numpy_str()),
        ));
    }
    super::common::fixed_byte_size(codec, &decoded.data_type, n, limits)?;
    let want = n.saturating_mul(enc_kind.size());
    if encoded.len() != want {
        return Err(super::CodecError::SizeMismatch { codec, expected: want as u64, got: encoded.len() as u64 });
    }
    Ok(n)
}

/// numpy `astype` of every element from `from` to `to`.
pub fn cast_all(encoded: &[u8], from: Kind, to: Kind) -> Vec<u8> {
    let mut out = Vec::with_capacity(encoded.len() / from.size().max(1) * to.size());
    for e in encoded.chunks_exact(from.size().max(1)) {
        if from.is_float() {
            to.write_f64(from.read_f64(e), &mut out);
        } else {
            to.write_int(from.read_int(e), &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_casts() {
        assert_eq!(Kind::Int(2).read_int(&[0xff, 0xff]), -1);
        assert_eq!(Kind::UInt(2).read_int(&[0xff, 0xff]), 65535);
        assert_eq!(Kind::Float(4).read_f64(&1.5f32.to_le_bytes()), 1.5);
        assert_eq!(Kind::Float(2).read_f64(&[0x00, 0x3c]), 1.0);
        assert_eq!(cast_all(&(-2.7f64).to_le_bytes(), Kind::Float(8), Kind::Int(2)), (-2i16).to_le_bytes());
        assert_eq!(cast_all(&300u16.to_le_bytes(), Kind::UInt(2), Kind::UInt(1)), vec![44]);
        assert_eq!(cast_all(&(-1i8).to_le_bytes(), Kind::Int(1), Kind::Float(4)), (-1f32).to_le_bytes());
    }
}
