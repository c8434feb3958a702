//! `decodeChunk(config, bytes, expectedSize?)`: decode one chunk with one bytes → bytes
//! codec (compressors, checksums, byte filters and LayerQuantizer), outside any array.
//! `config` is a JSON string: a numcodecs (Zarr v2) configuration chosen by `"id"`
//! (`{"id":"blosc"}`) or a Zarr v3 codec `{"name": ..., "configuration": ...}`; the codec
//! registry (`crate::codecs::registry`) decides what is supported. Used by `npm run bench`
//! and by users who fetch chunks themselves.

use super::error::{invalid_argument, to_js};
use crate::codecs::registry::{from_v2, from_v3, Codec};
use crate::error::Error;
use crate::limits::Limits;
use js_sys::Uint8Array;
use serde_json::Value;
use wasm_bindgen::prelude::*;

/// Decode `bytes` with the codec described by `config` (JSON). `expected_size`, when
/// given, is the decoded size (checked; decoders allocate once); otherwise the default
/// [`Limits`] cap the output.
///
/// # Errors
/// A tagged JS error: `InvalidArgument` for bad JSON, a non-integer size or an
/// array → array / array → bytes codec; the codec's own error kinds (`UnsupportedCodec`,
/// `Codec`/`Checksum`, `LimitExceeded`) otherwise.
#[wasm_bindgen(js_name = decodeChunk, unchecked_return_type = "Uint8Array")]
pub fn decode_chunk(config: &str, bytes: &[u8], expected_size: Option<f64>) -> Result<JsValue, JsValue> {
    let out = decode(config, bytes.to_vec(), expected_size)?;
    Ok(Uint8Array::from(out.as_slice()).into())
}

fn decode(config: &str, bytes: Vec<u8>, expected_size: Option<f64>) -> Result<Vec<u8>, JsValue> {
    let v: Value = serde_json::from_str(config).map_err(|e| invalid_argument(format!("codec config: {e}")))?;
    let codec = if v.get("id").is_some() {
        from_v2(&v)
    } else if let Some(name) = v.get("name").and_then(Value::as_str) {
        from_v3(name, v.get("configuration"))
    } else {
        return Err(invalid_argument("codec config needs \"id\" (v2) or \"name\" (v3)"));
    }
    .map_err(|e| to_js(&Error::Codec(e)))?;
    let expected = match expected_size {
        None => None,
        Some(s) if s >= 0.0 && s.fract() == 0.0 && s <= 9_007_199_254_740_991.0 => Some(s as u64),
        Some(s) => return Err(invalid_argument(format!("expectedSize {s} is not a byte count"))),
    };
    match codec {
        Codec::BytesToBytes(c) => c.decode(bytes, expected, &Limits::default()).map_err(|e| to_js(&Error::Codec(e))),
        _ => Err(invalid_argument("decodeChunk takes a bytes → bytes codec (compressor or byte filter)")),
    }
}
