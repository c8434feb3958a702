//! Zarr data types (v3 core spec § "Data types"; v2 spec § "Data type encoding") and
//! fill values (v3 § "fill_value"; v2 `.zarray` `fill_value` incl. "NaN"/"Infinity").
//!
//! Decoded fixed-size elements are always held little-endian; the byte order on disk
//! is a property of the `bytes` codec (v3) or of the v2 type string, handled by the
//! pipeline. float16 stays float16 here; the JS API widens it to float32 (documented).

use crate::error::ZarrError;
use serde_json::Value;

/// Byte order of stored multi-byte elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endian {
    Little,
    Big,
}

/// An element type.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataType {
    Bool,
    Int8,
    Int16,
    Int32,
    Int64,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Float16,
    Float32,
    Float64,
    /// numpy `datetime64[unit]`, stored as int64.
    DateTime64 {
        unit: String,
    },
    /// numpy `timedelta64[unit]`, stored as int64.
    TimeDelta64 {
        unit: String,
    },
    /// numpy `|S<n>`: fixed-length byte strings, NUL-padded.
    FixedBytes(u32),
    /// numpy `<U<n>` / `>U<n>`: fixed-length UCS-4 strings of `n` code points.
    FixedUnicode(u32),
    /// Variable-length UTF-8 strings (v3 `string`, v2 `|O` with `vlen-utf8`).
    String,
    /// Variable-length bytes (v3 `bytes`, v2 `|O` with `vlen-bytes`).
    Bytes,
    /// v2 `|O` object arrays decoded by an object codec such as `json2`.
    Object,
}

impl DataType {
    /// Size in bytes of one element, or `None` for variable-length types.
    pub fn size(&self) -> Option<usize> {
        Some(match self {
            DataType::Bool | DataType::Int8 | DataType::UInt8 => 1,
            DataType::Int16 | DataType::UInt16 | DataType::Float16 => 2,
            DataType::Int32 | DataType::UInt32 | DataType::Float32 => 4,
            DataType::Int64 | DataType::UInt64 | DataType::Float64 => 8,
            DataType::DateTime64 { .. } | DataType::TimeDelta64 { .. } => 8,
            DataType::FixedBytes(n) => *n as usize,
            DataType::FixedUnicode(n) => 4 * (*n as usize),
            DataType::String | DataType::Bytes | DataType::Object => return None,
        })
    }

    /// Size of the unit whose byte order the stored endianness applies to (UCS-4
    /// strings swap per code point, byte strings never).
    pub fn swap_unit(&self) -> usize {
        match self {
            DataType::FixedUnicode(_) => 4,
            DataType::FixedBytes(_) => 1,
            other => other.size().unwrap_or(1),
        }
    }

    /// Whether elements have a variable length.
    pub fn is_variable(&self) -> bool {
        self.size().is_none()
    }

    /// The numpy dtype string, little-endian (`<f4`, `|u1`, `|b1`, `<U13`, `|O`), as used
    /// by `.npy` headers and the corpus's `*.expected.json`.
    pub fn numpy_str(&self) -> String {
        match self {
            DataType::Bool => "|b1".into(),
            DataType::Int8 => "|i1".into(),
            DataType::Int16 => "<i2".into(),
            DataType::Int32 => "<i4".into(),
            DataType::Int64 => "<i8".into(),
            DataType::UInt8 => "|u1".into(),
            DataType::UInt16 => "<u2".into(),
            DataType::UInt32 => "<u4".into(),
            DataType::UInt64 => "<u8".into(),
            DataType::Float16 => "<f2".into(),
            DataType::Float32 => "<f4".into(),
            DataType::Float64 => "<f8".into(),
            DataType::DateTime64 { unit } => format!("<M8[{unit}]"),
            DataType::TimeDelta64 { unit } => format!("<m8[{unit}]"),
            DataType::FixedBytes(n) => format!("|S{n}"),
            DataType::FixedUnicode(n) => format!("<U{n}"),
            DataType::String | DataType::Bytes | DataType::Object => "|O".into(),
        }
    }

    /// Parse a v3 `data_type` (a name such as `"float32"`, or an object with `name`).
    ///
    /// # Errors
    /// `Unsupported` naming the type.
    pub fn from_v3(v: &Value, path: &str) -> Result<Self, ZarrError> {
        let name = match v {
            Value::String(s) => s.as_str(),
            Value::Object(o) => o.get("name").and_then(Value::as_str).unwrap_or(""),
            _ => "",
        };
        Ok(match name {
            "bool" => DataType::Bool,
            "int8" => DataType::Int8,
            "int16" => DataType::Int16,
            "int32" => DataType::Int32,
            "int64" => DataType::Int64,
            "uint8" => DataType::UInt8,
            "uint16" => DataType::UInt16,
            "uint32" => DataType::UInt32,
            "uint64" => DataType::UInt64,
            "float16" => DataType::Float16,
            "float32" => DataType::Float32,
            "float64" => DataType::Float64,
            "string" => DataType::String,
            "bytes" | "variable_length_bytes" => DataType::Bytes,
            "numpy.datetime64" | "numpy.timedelta64" => {
                let unit = v
                    .get("configuration")
                    .and_then(|c| c.get("unit"))
                    .and_then(Value::as_str)
                    .unwrap_or("generic")
                    .to_string();
                if name == "numpy.datetime64" {
                    DataType::DateTime64 { unit }
                } else {
                    DataType::TimeDelta64 { unit }
                }
            }
            // zarr-python 3: numpy `|S<n>` (NUL-padded) and `|V<n>` (raw) bytes.
            "null_terminated_bytes" | "raw_bytes" | "fixed_length_bytes" => {
                let bytes =
                    v.get("configuration").and_then(|c| c.get("length_bytes")).and_then(Value::as_u64).unwrap_or(0);
                if bytes == 0 {
                    return Err(ZarrError::Unsupported { path: path.into(), feature: format!("data type {v}") });
                }
                DataType::FixedBytes(
                    u32::try_from(bytes)
                        .map_err(|_| ZarrError::Unsupported { path: path.into(), feature: format!("data type {v}") })?,
                )
            }
            "fixed_length_utf32" => {
                let bytes =
                    v.get("configuration").and_then(|c| c.get("length_bytes")).and_then(Value::as_u64).unwrap_or(0);
                DataType::FixedUnicode(u32::try_from(bytes / 4).unwrap_or(0))
            }
            _ => {
                return Err(ZarrError::Unsupported { path: path.into(), feature: format!("data type {v}") });
            }
        })
    }

    /// Parse a v2 type string (`"<f4"`, `">i2"`, `"|b1"`, `"|S7"`, `"<U13"`, `"|O"`,
    /// `"<M8[ns]"`), returning the type and its stored byte order.
    ///
    /// # Errors
    /// `Unsupported` naming the type (structured dtypes, complex, ...).
    pub fn from_v2(typestr: &str, path: &str) -> Result<(Self, Endian), ZarrError> {
        let unsupported = || ZarrError::Unsupported { path: path.into(), feature: format!("data type {typestr:?}") };
        let mut chars = typestr.chars();
        let order = chars.next().ok_or_else(unsupported)?;
        let endian = match order {
            '<' | '|' | '=' => Endian::Little,
            '>' => Endian::Big,
            _ => return Err(unsupported()),
        };
        let rest = chars.as_str();
        let kind = rest.chars().next().ok_or_else(unsupported)?;
        let tail = &rest[kind.len_utf8()..];
        let dt = match (kind, tail) {
            ('b', "1") => DataType::Bool,
            ('i', "1") => DataType::Int8,
            ('i', "2") => DataType::Int16,
            ('i', "4") => DataType::Int32,
            ('i', "8") => DataType::Int64,
            ('u', "1") => DataType::UInt8,
            ('u', "2") => DataType::UInt16,
            ('u', "4") => DataType::UInt32,
            ('u', "8") => DataType::UInt64,
            ('f', "2") => DataType::Float16,
            ('f', "4") => DataType::Float32,
            ('f', "8") => DataType::Float64,
            ('O', "") => DataType::Object,
            ('S', n) => DataType::FixedBytes(n.parse().map_err(|_| unsupported())?),
            ('U', n) => DataType::FixedUnicode(n.parse().map_err(|_| unsupported())?),
            ('M', u) | ('m', u) if u.starts_with("8[") && u.ends_with(']') => {
                let unit = u[2..u.len() - 1].to_string();
                if kind == 'M' {
                    DataType::DateTime64 { unit }
                } else {
                    DataType::TimeDelta64 { unit }
                }
            }
            _ => return Err(unsupported()),
        };
        Ok((dt, endian))
    }
}

/// A fill value: one element's little-endian bytes, or a variable-length default.
#[derive(Debug, Clone, PartialEq)]
pub enum FillValue {
    /// Little-endian bytes of one fixed-size element.
    Fixed(Vec<u8>),
    /// The default element of a variable-length array (empty string/bytes, JSON value).
    Variable(Value),
}

impl FillValue {
    /// Parse a JSON fill value for `dt`: numbers, `"NaN"`, `"Infinity"`, `"-Infinity"`,
    /// hex bit patterns (`"0x7fc00000"`, v3), booleans, base64 for byte strings (v2),
    /// and `null` (v2: treated as zero).
    ///
    /// # Errors
    /// `Metadata` when the value does not fit the type.
    pub fn parse(v: &Value, dt: &DataType, path: &str) -> Result<Self, ZarrError> {
        let bad = || ZarrError::Metadata {
            path: path.into(),
            message: format!("fill_value {v} does not fit {}", dt.numpy_str()),
        };
        let Some(size) = dt.size() else {
            return Ok(FillValue::Variable(if v.is_null() { Value::String(String::new()) } else { v.clone() }));
        };
        if v.is_null() {
            return Ok(FillValue::Fixed(vec![0; size]));
        }
        let float = |x: f64| -> Vec<u8> {
            match dt {
                DataType::Float16 => half::f16::from_f64(x).to_le_bytes().to_vec(),
                DataType::Float32 => (x as f32).to_le_bytes().to_vec(),
                _ => x.to_le_bytes().to_vec(),
            }
        };
        let bytes = match (dt, v) {
            (DataType::Bool, Value::Bool(b)) => vec![u8::from(*b)],
            (DataType::Bool, Value::Number(n)) => vec![u8::from(n.as_f64() != Some(0.0))],
            (DataType::Float16 | DataType::Float32 | DataType::Float64, Value::Number(n)) => {
                float(n.as_f64().ok_or_else(bad)?)
            }
            (DataType::Float16 | DataType::Float32 | DataType::Float64, Value::String(s)) => match s.as_str() {
                "NaN" => float(f64::NAN),
                "Infinity" => float(f64::INFINITY),
                "-Infinity" => float(f64::NEG_INFINITY),
                hex if hex.starts_with("0x") => {
                    let bits = u64::from_str_radix(&hex[2..], 16).map_err(|_| bad())?;
                    bits.to_le_bytes()[..size].to_vec()
                }
                _ => return Err(bad()),
            },
            (DataType::FixedBytes(_) | DataType::FixedUnicode(_), Value::String(s)) => {
                // v2 stores byte-string fill values base64-encoded.
                use base64::Engine as _;
                let mut b = base64::engine::general_purpose::STANDARD.decode(s).unwrap_or_default();
                b.resize(size, 0);
                b
            }
            (DataType::FixedBytes(_) | DataType::FixedUnicode(_), Value::Number(_)) => vec![0; size],
            // numpy's NaT is the smallest int64.
            (DataType::DateTime64 { .. } | DataType::TimeDelta64 { .. }, Value::String(s)) if s == "NaT" => {
                i64::MIN.to_le_bytes().to_vec()
            }
            (DataType::Bool, Value::String(s)) if s == "true" || s == "false" => vec![u8::from(s == "true")],
            (_, Value::Number(n)) => {
                if let Some(i) = n.as_i64() {
                    i.to_le_bytes()[..size].to_vec()
                } else if let Some(u) = n.as_u64() {
                    u.to_le_bytes()[..size].to_vec()
                } else {
                    let f = n.as_f64().ok_or_else(bad)?;
                    if f.fract() != 0.0 {
                        return Err(bad());
                    }
                    (f as i64).to_le_bytes()[..size].to_vec()
                }
            }
            _ => return Err(bad()),
        };
        Ok(FillValue::Fixed(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn v2_typestrs() {
        assert_eq!(DataType::from_v2("<f4", "a").unwrap(), (DataType::Float32, Endian::Little));
        assert_eq!(DataType::from_v2(">i2", "a").unwrap(), (DataType::Int16, Endian::Big));
        assert_eq!(DataType::from_v2("|S7", "a").unwrap().0, DataType::FixedBytes(7));
        assert_eq!(DataType::from_v2(">U13", "a").unwrap(), (DataType::FixedUnicode(13), Endian::Big));
        assert_eq!(DataType::from_v2("<M8[ns]", "a").unwrap().0, DataType::DateTime64 { unit: "ns".into() });
        assert!(DataType::from_v2("<c8", "a").is_err());
        assert!(DataType::from_v2("", "a").is_err());
    }

    #[test]
    fn v3_names() {
        assert_eq!(DataType::from_v3(&json!("uint16"), "a").unwrap(), DataType::UInt16);
        let s = json!({"name": "null_terminated_bytes", "configuration": {"length_bytes": 7}});
        assert_eq!(DataType::from_v3(&s, "a").unwrap(), DataType::FixedBytes(7));
        let u = json!({"name": "fixed_length_utf32", "configuration": {"length_bytes": 52}});
        assert_eq!(DataType::from_v3(&u, "a").unwrap(), DataType::FixedUnicode(13));
        let t = json!({"name": "numpy.datetime64", "configuration": {"unit": "s", "scale_factor": 1}});
        assert_eq!(DataType::from_v3(&t, "a").unwrap(), DataType::DateTime64 { unit: "s".into() });
        for bad in [json!("complex64"), json!({"name": "null_terminated_bytes"}), json!(3)] {
            assert!(matches!(DataType::from_v3(&bad, "a"), Err(ZarrError::Unsupported { .. })), "{bad}");
        }
    }

    #[test]
    fn fill_values() {
        let nan = FillValue::parse(&json!("NaN"), &DataType::Float32, "a").unwrap();
        assert_eq!(nan, FillValue::Fixed(f32::NAN.to_le_bytes().to_vec()));
        let hex = FillValue::parse(&json!("0x7fc00000"), &DataType::Float32, "a").unwrap();
        assert_eq!(hex, FillValue::Fixed(0x7fc0_0000u32.to_le_bytes().to_vec()));
        let neg = FillValue::parse(&json!(-1), &DataType::Int16, "a").unwrap();
        assert_eq!(neg, FillValue::Fixed(vec![0xff, 0xff]));
        assert!(FillValue::parse(&json!(1.5), &DataType::Int32, "a").is_err());
        let nat = FillValue::parse(&json!("NaT"), &DataType::DateTime64 { unit: "ns".into() }, "a").unwrap();
        assert_eq!(nat, FillValue::Fixed(i64::MIN.to_le_bytes().to_vec()));
        let inf = FillValue::parse(&json!("-Infinity"), &DataType::Float64, "a").unwrap();
        assert_eq!(inf, FillValue::Fixed(f64::NEG_INFINITY.to_le_bytes().to_vec()));
        assert!(FillValue::parse(&json!("x"), &DataType::Float64, "a").is_err());
    }
}
