//! The LayerQuantizer codec (`layerquantizer0.3b`, a numcodecs compressor for float32
//! chunks), decoded per specs/layerquantizer.md: a Blosc1 frame holding
//! `[P, R, C, min[P], max[P], codes[P*R*C]]` as little-endian 32-bit words; codes are
//! negabinary Lorenzo residuals (when `transform == "Lorenzo"`) undone by a wrapping 2-D
//! inclusive prefix sum per plane; `q == 2^nbits` is NaN (`0x7FC00000`); every other
//! level dequantises as `f32(fma(f64(f32(max - min)) * f64(q), 1/(2^nbits - 1), f64(min)))`
//! with `f64::mul_add`, which matches the reference on FMA hosts bit for bit.
//!
//! ±inf: the encoder stores ±inf as the NaN sentinel, so they decode to NaN, and a plane
//! that held ±inf has its range stretched to ±FLT_MAX; we apply the same formula to such
//! planes and so reproduce the reference's FMA result (fixture `inf_values`), which is
//! numerically meaningless there (see the spec, "Pathological inputs"). Stored min/max
//! that are themselves ±inf or NaN (never written by the encoder) follow IEEE arithmetic.
//! `nbits` above 24 is `Unsupported` (the reference cannot read it back either).

#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

use super::common::{config_err, config_object, format_err, get_i64, get_str, output_cap};
use super::BytesToBytesCodec;
use crate::error::CodecError;
use crate::kernels::dequantize::{lq_dequantize, LqParams};
use crate::kernels::lorenzo;
use crate::limits::Limits;
use serde_json::Value;

const NAME: &str = "layerquantizer";

/// The LayerQuantizer codec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerQuantizerCodec {
    /// Quantisation depth (1..=24).
    pub nbits: u32,
    /// Whether the Lorenzo predictor and negabinary mapping were applied.
    pub lorenzo: bool,
}

impl LayerQuantizerCodec {
    /// From the numcodecs configuration (`nbits` default 16, `transform` default
    /// `"Lorenzo"`; the Blosc settings are read from the frame).
    ///
    /// # Errors
    /// `Config` for a bad `nbits`, `Unsupported` above 24.
    pub fn from_config(config: Option<&Value>) -> Result<Self, CodecError> {
        let cfg = config_object(config);
        let nbits = get_i64(NAME, &cfg, "nbits")?.unwrap_or(16);
        if nbits > 24 {
            return Err(CodecError::Unsupported { codec: NAME, feature: format!("nbits {nbits} > 24") });
        }
        let nbits =
            u32::try_from(nbits).ok().filter(|&n| n >= 1).ok_or_else(|| config_err(NAME, "nbits must be ≥ 1"))?;
        let lorenzo = get_str(NAME, &cfg, "transform")?.unwrap_or("Lorenzo") == "Lorenzo";
        Ok(LayerQuantizerCodec { nbits, lorenzo })
    }
}

fn word(w: &[u8]) -> u32 {
    let mut a = [0u8; 4];
    for (d, s) in a.iter_mut().zip(w) {
        *d = *s;
    }
    u32::from_le_bytes(a)
}

impl BytesToBytesCodec for LayerQuantizerCodec {
    fn decode(&self, encoded: Vec<u8>, expected_size: Option<u64>, limits: &Limits) -> Result<Vec<u8>, CodecError> {
        let cap = output_cap(expected_size, limits)?;
        // The stream adds 12 + 8P bytes (P ≤ elements) to the float32 payload.
        let stream_cap =
            (cap as u64).saturating_mul(3).saturating_add(12).min(limits.max_decoded_chunk_bytes.saturating_mul(3));
        let inner = Limits { max_decoded_chunk_bytes: stream_cap, ..limits.clone() };
        let stream = super::blosc::decompress(&encoded, None, &inner)?;
        if stream.len() % 4 != 0 || stream.len() < 12 {
            return Err(format_err(
                NAME,
                format!("stream of {} bytes is not a whole number of words ≥ 3", stream.len()),
            ));
        }
        let nwords = stream.len() / 4;
        let w = |i: usize| stream.get(i.saturating_mul(4)..).map_or(0, word);
        let (p, r, c) = (w(0) as usize, w(1) as usize, w(2) as usize);
        let plane = r.checked_mul(c);
        let total = plane.and_then(|pl| pl.checked_mul(p));
        let want = total.and_then(|t| p.checked_mul(2).and_then(|x| x.checked_add(3)).and_then(|x| x.checked_add(t)));
        let (Some(plane), Some(total)) = (plane, total) else {
            return Err(format_err(NAME, "plane sizes overflow"));
        };
        if want != Some(nwords) {
            return Err(format_err(NAME, format!("header P={p} R={r} C={c} does not match {nwords} words")));
        }
        let out_bytes = total.saturating_mul(4);
        if out_bytes > cap {
            return Err(super::common::over_cap(NAME, expected_size, out_bytes as u64, limits));
        }
        if let Some(e) = expected_size {
            if out_bytes as u64 != e {
                return Err(CodecError::SizeMismatch { codec: NAME, expected: e, got: out_bytes as u64 });
            }
        }
        // nbits ≤ 24 (from_config), so the sentinel fits an i32.
        let nan_code = i32::try_from(1i64 << self.nbits.min(24)).unwrap_or(i32::MAX);
        let inv = 1.0f64 / ((1u64 << self.nbits.min(24)).saturating_sub(1)) as f64;
        let mut out = vec![0u8; out_bytes];
        let mut q = vec![0i32; plane];
        // `3 + 2P + P*R*C == nwords` was checked, so these offsets do not overflow.
        let codes_start = p.saturating_mul(2).saturating_add(3).saturating_mul(4);
        let plane_bytes = plane.saturating_mul(4);
        let codes = stream.get(codes_start..).unwrap_or_default();
        for (k, (src, dst)) in
            codes.chunks(plane_bytes.max(1)).zip(out.chunks_mut(plane_bytes.max(1))).enumerate().take(p)
        {
            let mn = f32::from_bits(w(k.saturating_add(3)));
            let mx = f32::from_bits(w(k.saturating_add(3).saturating_add(p)));
            if self.lorenzo {
                lorenzo::negabinary_le_to_i32(src, &mut q);
                lorenzo::lorenzo_inverse_2d(&mut q, r, c);
            } else {
                for (d, s) in q.iter_mut().zip(src.chunks_exact(4)) {
                    *d = word(s) as i32;
                }
            }
            let params = LqParams { delta: f64::from(mx - mn), inv, mn: f64::from(mn), nan_code };
            lq_dequantize(&q, &params, dst);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(words: &[u32]) -> Vec<u8> {
        let data: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        let mut f = vec![2, 1, 0x02, 4];
        f.extend_from_slice(&(data.len() as u32).to_le_bytes());
        f.extend_from_slice(&(data.len() as u32).to_le_bytes());
        f.extend_from_slice(&(data.len() as u32 + 16).to_le_bytes());
        f.extend(data);
        f
    }

    #[test]
    fn hand_built_stream() {
        // One 1x3 plane, nbits 2 (MAX 3, NaN 4), no transform: levels 0, 3, 4 with min 1, max 4.
        let c = LayerQuantizerCodec::from_config(Some(&serde_json::json!({"nbits": 2, "transform": "none"}))).unwrap();
        let f = frame(&[1, 1, 3, 1f32.to_bits(), 4f32.to_bits(), 0, 3, 4]);
        let out = c.decode(f.clone(), Some(12), &Limits::default()).unwrap();
        let vals: Vec<u32> = out.chunks(4).map(|b| u32::from_le_bytes(b.try_into().unwrap())).collect();
        assert_eq!(vals, vec![1f32.to_bits(), 4f32.to_bits(), 0x7FC0_0000]);
        assert!(matches!(c.decode(f, Some(8), &Limits::default()), Err(CodecError::SizeMismatch { .. })));
        assert!(c.decode(frame(&[2, 1, 3, 0, 0]), None, &Limits::default()).is_err());
        assert!(c.decode(frame(&[u32::MAX, u32::MAX, u32::MAX]), None, &Limits::default()).is_err());
        assert!(matches!(
            LayerQuantizerCodec::from_config(Some(&serde_json::json!({"nbits": 25}))),
            Err(CodecError::Unsupported { .. })
        ));
    }
}
