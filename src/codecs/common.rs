//! Helpers shared by the codecs: output caps (no decompression bombs), little-endian
//! readers over untrusted bytes, and configuration accessors that accept both the
//! numcodecs (v2, `{"id": ..., ...}`) and the Zarr v3 (`configuration`) spelling.

#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

use crate::error::{CodecError, LimitExceeded};
use crate::limits::Limits;
use crate::zarr::data_type::{DataType, Endian};
use serde_json::Value;

/// The largest output a bytes→bytes decoder may produce: `expected_size` when known
/// (itself checked against the limit), else `limits.max_decoded_chunk_bytes`.
///
/// # Errors
/// `LimitExceeded` when the expected size is above the limit or above `usize`.
pub fn output_cap(expected_size: Option<u64>, limits: &Limits) -> Result<usize, CodecError> {
    let max = limits.max_decoded_chunk_bytes;
    let cap = match expected_size {
        Some(e) => {
            crate::limits::check("decoded chunk bytes", e, max)?;
            e
        }
        None => max,
    };
    usize::try_from(cap).map_err(|_| LimitExceeded { what: "decoded chunk bytes", requested: cap, max }.into())
}

/// The error for a decoder whose output would exceed its cap: `SizeMismatch` when the
/// size was known, `LimitExceeded` otherwise.
pub fn over_cap(codec: &'static str, expected_size: Option<u64>, got: u64, limits: &Limits) -> CodecError {
    match expected_size {
        Some(expected) => CodecError::SizeMismatch { codec, expected, got },
        None => {
            LimitExceeded { what: "decoded chunk bytes", requested: got, max: limits.max_decoded_chunk_bytes }.into()
        }
    }
}

/// A `Format` error.
pub fn format_err(codec: &'static str, message: impl Into<String>) -> CodecError {
    CodecError::Format { codec, message: message.into() }
}

/// A `Config` error.
pub fn config_err(codec: &'static str, message: impl Into<String>) -> CodecError {
    CodecError::Config { codec, message: message.into() }
}

/// Little-endian `u32` at `pos`, or a `Format` error when the input is too short.
///
/// # Errors
/// `Format` when `bytes` has fewer than `pos + 4` bytes.
pub fn read_u32_le(codec: &'static str, bytes: &[u8], pos: usize) -> Result<u32, CodecError> {
    pos.checked_add(4)
        .and_then(|end| bytes.get(pos..end))
        .and_then(|s| <[u8; 4]>::try_from(s).ok())
        .map(u32::from_le_bytes)
        .ok_or_else(|| format_err(codec, format!("truncated: need 4 bytes at offset {pos}, have {}", bytes.len())))
}

/// `bytes[start..start + len]`, or a `Format` error.
///
/// # Errors
/// `Format` when the range is outside `bytes`.
pub fn slice<'a>(codec: &'static str, bytes: &'a [u8], start: usize, len: usize) -> Result<&'a [u8], CodecError> {
    start.checked_add(len).and_then(|end| bytes.get(start..end)).ok_or_else(|| {
        format_err(codec, format!("truncated: need {len} bytes at offset {start}, have {}", bytes.len()))
    })
}

/// Number of elements of a shape, checked against overflow and `usize`.
///
/// # Errors
/// `LimitExceeded` on overflow.
pub fn num_elements(shape: &[u64]) -> Result<usize, CodecError> {
    let n = crate::limits::checked_product("chunk elements", shape.iter().copied())?;
    usize::try_from(n)
        .map_err(|_| LimitExceeded { what: "chunk elements", requested: n, max: usize::MAX as u64 }.into())
}

/// Byte size of `n` elements of `dt`, checked against `limits.max_decoded_chunk_bytes`.
///
/// # Errors
/// `Config` for variable-length types, `LimitExceeded` above the limit.
pub fn fixed_byte_size(codec: &'static str, dt: &DataType, n: usize, limits: &Limits) -> Result<usize, CodecError> {
    let size =
        dt.size().ok_or_else(|| config_err(codec, format!("needs a fixed-size data type, got {}", dt.numpy_str())))?;
    let total = (n as u64).saturating_mul(size as u64);
    crate::limits::check("decoded chunk bytes", total, limits.max_decoded_chunk_bytes)?;
    usize::try_from(total).map_err(|_| {
        LimitExceeded { what: "decoded chunk bytes", requested: total, max: limits.max_decoded_chunk_bytes }.into()
    })
}

/// The configuration object of either spelling (`null` → empty).
pub fn config_object(config: Option<&Value>) -> serde_json::Map<String, Value> {
    match config {
        Some(Value::Object(o)) => o.clone(),
        _ => serde_json::Map::new(),
    }
}

/// An integer field, if present.
///
/// # Errors
/// `Config` when present but not an integer.
pub fn get_i64(
    codec: &'static str,
    cfg: &serde_json::Map<String, Value>,
    key: &str,
) -> Result<Option<i64>, CodecError> {
    match cfg.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_i64().map(Some).ok_or_else(|| config_err(codec, format!("{key} must be an integer, got {v}"))),
    }
}

/// A number field, if present.
///
/// # Errors
/// `Config` when present but not a number.
pub fn get_f64(
    codec: &'static str,
    cfg: &serde_json::Map<String, Value>,
    key: &str,
) -> Result<Option<f64>, CodecError> {
    match cfg.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_f64().map(Some).ok_or_else(|| config_err(codec, format!("{key} must be a number, got {v}"))),
    }
}

/// A string field, if present.
///
/// # Errors
/// `Config` when present but not a string.
pub fn get_str<'a>(
    codec: &'static str,
    cfg: &'a serde_json::Map<String, Value>,
    key: &str,
) -> Result<Option<&'a str>, CodecError> {
    match cfg.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_str().map(Some).ok_or_else(|| config_err(codec, format!("{key} must be a string, got {v}"))),
    }
}

/// A data type given either as a numcodecs typestr (`"<i2"`, `">f4"`: byte order kept)
/// or as a v3 name (`"int16"`: no byte order).
///
/// # Errors
/// `Config` when the type is not understood.
pub fn parse_dtype(codec: &'static str, v: &str) -> Result<(DataType, Option<Endian>), CodecError> {
    let bad = |e: crate::error::ZarrError| config_err(codec, format!("data type {v:?}: {e}"));
    if v.starts_with(['<', '>', '|', '=']) {
        let (dt, endian) = DataType::from_v2(v, codec).map_err(bad)?;
        // Single-byte types have no byte order.
        let endian = if dt.swap_unit() > 1 { Some(endian) } else { None };
        Ok((dt, endian))
    } else {
        let dt = DataType::from_v3(&Value::String(v.to_string()), codec).map_err(bad)?;
        Ok((dt, None))
    }
}

/// Where a decoder writes: a vector grown on demand (the decoded size unknown, capped) or
/// a fixed slice (the size known: decoded in place, e.g. `decodeChunkInto` or a Blosc
/// stream). Decoders are generic over it (monomorphised: the fixed case pays one
/// comparison per check).
pub(crate) trait Sink {
    /// Make `buf()[..need]` writable: a vector is zero-extended to exactly `need` (`slack`
    /// `None`) or grown by doubling with at least `slack` spare bytes, never past `cap`; a
    /// slice only checks. `false` when `need` is above `cap` or the slice's length.
    fn room(&mut self, need: usize, cap: usize, slack: Option<usize>) -> bool;
    /// The writable bytes.
    fn buf(&mut self) -> &mut [u8];
}

impl Sink for Vec<u8> {
    #[inline]
    fn room(&mut self, need: usize, cap: usize, slack: Option<usize>) -> bool {
        if need > cap {
            return false;
        }
        if self.len() < need {
            let grow = match slack {
                None => need,
                Some(k) => need.max(self.len().saturating_mul(2)).max(need.saturating_add(k)).min(cap),
            };
            self.resize(grow, 0);
        }
        true
    }
    #[inline(always)]
    fn buf(&mut self) -> &mut [u8] {
        self
    }
}

impl Sink for [u8] {
    #[inline]
    fn room(&mut self, need: usize, cap: usize, _slack: Option<usize>) -> bool {
        need <= cap && need <= self.len()
    }
    #[inline(always)]
    fn buf(&mut self) -> &mut [u8] {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_and_readers() {
        let limits = Limits { max_decoded_chunk_bytes: 100, ..Limits::default() };
        assert_eq!(output_cap(Some(10), &limits).unwrap(), 10);
        assert_eq!(output_cap(None, &limits).unwrap(), 100);
        assert!(matches!(output_cap(Some(101), &limits), Err(CodecError::LimitExceeded(_))));
        assert_eq!(read_u32_le("t", &[1, 0, 0, 0, 9], 0).unwrap(), 1);
        assert!(read_u32_le("t", &[1, 0, 0], 0).is_err());
        assert!(read_u32_le("t", &[1, 0, 0, 0], usize::MAX).is_err());
        assert!(slice("t", &[1, 2, 3], 2, 2).is_err());
        assert_eq!(parse_dtype("t", ">i4").unwrap(), (DataType::Int32, Some(Endian::Big)));
        assert_eq!(parse_dtype("t", "|u1").unwrap(), (DataType::UInt8, None));
        assert_eq!(parse_dtype("t", "int32").unwrap(), (DataType::Int32, None));
        assert!(parse_dtype("t", "<c8").is_err());
    }
}
