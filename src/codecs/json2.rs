//! The numcodecs `json2` object codec (v2 filter on `|O` arrays, `numcodecs.json.JSON`):
//! the chunk is one JSON array `[item..., dtype, shape]`, items being the chunk's
//! elements as nested lists in C order (`ndarray.tolist()`), `dtype` a typestr (`"|O"`)
//! and `shape` the chunk shape. Decoded into [`VarElement::Json`] values, flattened.

#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

use super::common::{format_err, num_elements};
use super::{ArrayBytes, ArrayToBytesCodec, ChunkRepr, VarElement};
use crate::error::CodecError;
use crate::limits::Limits;
use serde_json::Value;

const NAME: &str = "json2";

/// The json2 codec (its encoder options do not matter when decoding).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Json2Codec;

fn flatten(v: Value, depth: usize, out: &mut Vec<VarElement>) -> Result<(), CodecError> {
    if depth == 0 {
        out.push(VarElement::Json(v));
        return Ok(());
    }
    match v {
        Value::Array(items) => {
            for i in items {
                flatten(i, depth.saturating_sub(1), out)?;
            }
            Ok(())
        }
        other => Err(format_err(NAME, format!("expected a nested list, got {other}"))),
    }
}

impl ArrayToBytesCodec for Json2Codec {
    fn decode(&self, encoded: Vec<u8>, decoded: &ChunkRepr, limits: &Limits) -> Result<ArrayBytes, CodecError> {
        crate::limits::check("decoded chunk bytes", encoded.len() as u64, limits.max_decoded_chunk_bytes)?;
        let n = num_elements(&decoded.shape)?;
        let v: Value = serde_json::from_slice(&encoded).map_err(|e| format_err(NAME, e.to_string()))?;
        let Value::Array(mut items) = v else {
            return Err(format_err(NAME, "the chunk is not a JSON list"));
        };
        let shape = items.pop().ok_or_else(|| format_err(NAME, "missing shape"))?;
        let _dtype = items.pop().ok_or_else(|| format_err(NAME, "missing dtype"))?;
        let shape: Vec<u64> = shape
            .as_array()
            .and_then(|a| a.iter().map(Value::as_u64).collect())
            .ok_or_else(|| format_err(NAME, format!("shape {shape} is not a list of sizes")))?;
        let count = num_elements(&shape)?;
        if count != n {
            return Err(CodecError::SizeMismatch { codec: NAME, expected: n as u64, got: count as u64 });
        }
        let mut out = Vec::with_capacity(n);
        if shape.is_empty() {
            // 0-d: `tolist()` of a 0-d array is the bare item (numcodecs wraps with atleast_1d).
            for i in items {
                out.push(VarElement::Json(i));
            }
        } else {
            flatten(Value::Array(items), shape.len(), &mut out)?;
        }
        if out.len() != n {
            return Err(CodecError::SizeMismatch { codec: NAME, expected: n as u64, got: out.len() as u64 });
        }
        Ok(ArrayBytes::Variable(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zarr::data_type::{DataType, FillValue};
    use serde_json::json;

    fn repr(shape: &[u64]) -> ChunkRepr {
        ChunkRepr { shape: shape.to_vec(), data_type: DataType::Object, fill_value: FillValue::Variable(json!(0)) }
    }

    #[test]
    fn decodes_corpus_layout() {
        let l = Limits::default();
        let out = Json2Codec.decode(br#"["foo","bar","baz","qux","|O",[4]]"#.to_vec(), &repr(&[4]), &l).unwrap();
        let want = ["foo", "bar", "baz", "qux"].iter().map(|s| VarElement::Json(json!(s))).collect();
        assert_eq!(out, ArrayBytes::Variable(want));
        let out = Json2Codec.decode(br#"[[1,{"a":2}],[null,"x"],"|O",[2,2]]"#.to_vec(), &repr(&[2, 2]), &l).unwrap();
        assert_eq!(
            out,
            ArrayBytes::Variable(vec![
                VarElement::Json(json!(1)),
                VarElement::Json(json!({"a": 2})),
                VarElement::Json(json!(null)),
                VarElement::Json(json!("x"))
            ])
        );
        assert!(Json2Codec.decode(br#"["a","|O",[2]]"#.to_vec(), &repr(&[2]), &l).is_err());
        assert!(Json2Codec.decode(br#"["a","|O",[1]]"#.to_vec(), &repr(&[2]), &l).is_err());
        assert!(Json2Codec.decode(b"{".to_vec(), &repr(&[1]), &l).is_err());
        assert!(Json2Codec.decode(b"[]".to_vec(), &repr(&[1]), &l).is_err());
        assert!(Json2Codec.decode(br#"[1,2,"|O",[2,1]]"#.to_vec(), &repr(&[2, 1]), &l).is_err());
    }
}
