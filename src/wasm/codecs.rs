//! `decodeChunk(config, bytes, expectedSize?)` and `decodeChunkInto(config, bytes, out)`:
//! decode one chunk with one bytes → bytes codec (compressors, checksums, byte filters and
//! LayerQuantizer), outside any array. `decodeChunkInto` writes into a caller's buffer of
//! exactly the decoded size (no new `ArrayBuffer` per chunk: allocating a fresh 1 MiB
//! `Uint8Array` costs as much as an lz4 decode).
//! `config` is a JSON string: a numcodecs (Zarr v2) configuration chosen by `"id"`
//! (`{"id":"blosc"}`) or a Zarr v3 codec `{"name": ..., "configuration": ...}`; the codec
//! registry (`crate::codecs::registry`) decides what is supported. Used by `npm run bench`
//! and by users who fetch chunks themselves.
//!
//! `decodeJ2k(bytes, reduce)`: decode one whole JPEG 2000 codestream or JP2 file held in
//! memory (Part 1 / Part 15 HTJ2K, ITU-T T.800 Annex A and I.5.4 for the `jp2c` box) at a
//! reduced resolution, like the whole-image decoders users would pick instead (the
//! `jpeg2k` and `htj2k` bench groups compare against them).

use super::error::{invalid_argument, to_js};
use crate::codecs::registry::{from_v2, from_v3, Codec};
use crate::error::Error;
use crate::jp2::codec::codestream_of;
use crate::jp2::decode::{decode_codestream, interleave};
use crate::limits::Limits;
use js_sys::{Object, Reflect, Uint8Array};
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
pub fn decode_chunk(config: &str, bytes: Vec<u8>, expected_size: Option<f64>) -> Result<JsValue, JsValue> {
    let out = decode(config, bytes, expected_size)?;
    Ok(Uint8Array::from(out.as_slice()).into())
}

/// Decode `bytes` with the codec described by `config` (JSON) into `out`, whose length
/// must be the decoded size; returns the number of bytes written.
///
/// # Errors
/// As [`decode_chunk`]; a decoded size other than `out.length` is the codec's
/// `SizeMismatch` error.
#[wasm_bindgen(js_name = decodeChunkInto)]
pub fn decode_chunk_into(config: &str, bytes: Vec<u8>, out: &Uint8Array) -> Result<u32, JsValue> {
    let n = out.length();
    let limits = Limits::default();
    crate::codecs::common::output_cap(Some(n.into()), &limits).map_err(|e| to_js(&Error::Codec(e)))?;
    let codec = bytes_codec(config)?;
    // One wasm-side buffer reused across calls (a fresh zero-filled 1 MiB vector per chunk
    // cost 5% of a Blosc decode), dropped when over 16 MiB.
    thread_local! {
        static BUF: core::cell::Cell<Vec<u8>> = const { core::cell::Cell::new(Vec::new()) };
    }
    let mut buf = BUF.take();
    if buf.len() < n as usize {
        buf.resize(n as usize, 0);
    }
    let dest = buf.get_mut(..n as usize).unwrap_or_default();
    let r = codec.decode_into(bytes, dest, &limits).map_err(|e| to_js(&Error::Codec(e)));
    if r.is_ok() {
        out.copy_from(dest);
    }
    if buf.len() <= 1 << 24 {
        BUF.set(buf);
    }
    r.map(|()| n)
}

/// Decode a complete JPEG 2000 codestream or JP2 file at resolution `reduce` (0: full
/// resolution, each level halves it) → `{bytes, width, height, components, sampleType}`:
/// `height × width × components` interleaved little-endian samples in the smallest type
/// holding the bit depth. Memory is capped by the default [`Limits`].
///
/// # Errors
/// `Format` for malformed boxes or headers, `Unsupported` for a `reduce` beyond the
/// decomposition levels or subsampled components, `LimitExceeded`, `Decode`.
#[wasm_bindgen(
    js_name = decodeJ2k,
    unchecked_return_type = "{ bytes: Uint8Array; width: number; height: number; components: number; sampleType: string }"
)]
pub fn decode_j2k(bytes: &[u8], reduce: u32) -> Result<JsValue, JsValue> {
    let jp2 = |e| to_js(&Error::Jp2(e));
    let codestream = codestream_of(bytes).map_err(jp2)?;
    let planes = decode_codestream(codestream, reduce, &Limits::default()).map_err(jp2)?;
    let img = interleave(planes).map_err(jp2)?;
    let o = Object::new();
    let set = |k: &str, v: JsValue| Reflect::set(&o, &JsValue::from_str(k), &v).map(|_| ());
    set("width", img.width.into())?;
    set("height", img.height.into())?;
    set("components", img.components.into())?;
    set("sampleType", JsValue::from_str(img.samples.sample_type().numpy_str()))?;
    set("bytes", Uint8Array::from(img.samples.to_le_bytes().as_slice()).into())?;
    Ok(o.into())
}

fn decode(config: &str, bytes: Vec<u8>, expected_size: Option<f64>) -> Result<Vec<u8>, JsValue> {
    let codec = bytes_codec(config)?;
    let expected = match expected_size {
        None => None,
        Some(s) if s >= 0.0 && s.fract() == 0.0 && s <= 9_007_199_254_740_991.0 => Some(s as u64),
        Some(s) => return Err(invalid_argument(format!("expectedSize {s} is not a byte count"))),
    };
    codec.decode(bytes, expected, &Limits::default()).map_err(|e| to_js(&Error::Codec(e)))
}

/// The bytes → bytes codec described by `config` (JSON).
fn bytes_codec(config: &str) -> Result<std::sync::Arc<dyn crate::codecs::BytesToBytesCodec>, JsValue> {
    let v: Value = serde_json::from_str(config).map_err(|e| invalid_argument(format!("codec config: {e}")))?;
    let codec = if v.get("id").is_some() {
        from_v2(&v)
    } else if let Some(name) = v.get("name").and_then(Value::as_str) {
        from_v3(name, v.get("configuration"))
    } else {
        return Err(invalid_argument("codec config needs \"id\" (v2) or \"name\" (v3)"));
    }
    .map_err(|e| to_js(&Error::Codec(e)))?;
    match codec {
        Codec::BytesToBytes(c) => Ok(c),
        _ => Err(invalid_argument("decodeChunk takes a bytes → bytes codec (compressor or byte filter)")),
    }
}
