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
//!
//! Speed: the rows of each plane are decoded in place, in the Blosc output buffer, right
//! after the Blosc block that holds them (`blosc::decompress_with`, while the block is in
//! the CPU cache), by one fused kernel (negabinary, Lorenzo inverse, dequantisation per
//! row: `kernels::dequantize::lq_decode_plane`); the only scratch is one row of levels.
//! Measured in wasm (node 20, 4x256x256 planes, nbits 16, Blosc zstd-5 + shuffle, ms per
//! chunk, our Blosc decode of the same bytes in brackets): weather field 1.26 ms before
//! (three plane-sized passes, a separate output buffer, and float32 demotions that LLVM
//! had scalarised) → 0.82 ms (0.46); sparse precipitation 0.94 → 0.47 ms (0.29). With
//! `npm run bench` (LQ ÷ Blosc-zstd throughput of the same bytes, target 0.5): 0.47 → 0.63
//! on the weather field, 0.34 → 0.68 on sparse precipitation.
//!
//! `decode_into` (what `decodeChunkInto` runs) writes the values straight into the
//! caller's buffer instead of in place and then copying them (`kernels::dequantize::
//! lq_decode_rows`): node 20, A/B in one process, best of 9: weather 0.802 → 0.757 ms per
//! chunk (ratio to our Blosc decode of the same bytes 0.463 → 0.481), precipitation 0.493
//! → 0.477 ms (0.515 → 0.522). What was left above the Blosc decode: the kernel (~45% of
//! the time on the weather field; its dequantisation alone ~0.2 ms per chunk, measured by
//! storing the levels instead) and the zeroing of the stream buffer that
//! `blosc::decompress_with` allocates (~4%, a memset of 1 MiB per chunk).
//!
//! With the kernel changes of the same round (see `kernels::simd::dequantize`), `npm run
//! bench` group `layerquantizer` (node 20, wasm-opt -O builds, LQ ÷ Blosc-zstd of the same
//! bytes, two runs each): weather 0.49/0.49 → 0.56/0.56 (LQ 1235 → 1584 MB/s), sparse
//! precipitation 0.50/0.51 → 0.57/0.58 (2048 → 2640 MB/s); in chromium (the same chunks,
//! A/B in one page): weather 0.49 → 0.57, precipitation 0.52 → 0.61. (The later builds
//! also had faster Blosc/zstd decoders, 2540 → 2831 MB/s on the weather bytes, which
//! lowers their ratios.)

#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

use super::common::{config_err, config_object, format_err, get_i64, get_str, output_cap};
use super::BytesToBytesCodec;
use crate::error::CodecError;
use crate::kernels::dequantize::{lq_decode_plane, lq_decode_rows, LqParams, PlaneRows};
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

/// Where things are in the word stream (specs/layerquantizer.md § "Encoded chunk layout").
struct Layout {
    planes: usize,
    rows: usize,
    cols: usize,
    /// Byte offset of the first code.
    codes_start: usize,
    /// Bytes per plane, of codes and of float32 output alike.
    plane_bytes: usize,
    out_bytes: usize,
    /// Per-plane dequantisation constants.
    params: Vec<LqParams>,
}

/// The decoding state carried from one Blosc block to the next.
struct Progress {
    layout: Option<Layout>,
    plane: usize,
    row: usize,
    /// The levels of the previous row of the current plane (zeros before its first row).
    above: Vec<i32>,
}

impl LayerQuantizerCodec {
    /// The layout, once the decoded prefix `head` holds the header and the per-plane
    /// ranges; `Ok(None)` while it does not. `nbytes` is the whole stream's size.
    fn layout(
        &self,
        head: &[u8],
        nbytes: usize,
        cap: usize,
        expected_size: Option<u64>,
        limits: &Limits,
    ) -> Result<Option<Layout>, CodecError> {
        if nbytes % 4 != 0 || nbytes < 12 {
            return Err(format_err(NAME, format!("stream of {nbytes} bytes is not a whole number of words ≥ 3")));
        }
        if head.len() < 12 {
            return Ok(None);
        }
        let nwords = nbytes / 4;
        let w = |i: usize| head.get(i.saturating_mul(4)..).map_or(0, word);
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
        // `3 + 2P + P*R*C == nwords` was checked, so these offsets do not overflow.
        let codes_start = p.saturating_mul(2).saturating_add(3).saturating_mul(4);
        if head.len() < codes_start {
            return Ok(None);
        }
        // nbits ≤ 24 (from_config), so the sentinel fits an i32.
        let nan_code = i32::try_from(1i64 << self.nbits.min(24)).unwrap_or(i32::MAX);
        let inv = 1.0f64 / ((1u64 << self.nbits.min(24)).saturating_sub(1)) as f64;
        let params = (0..p)
            .map(|k| {
                let mn = f32::from_bits(w(k.saturating_add(3)));
                let mx = f32::from_bits(w(k.saturating_add(3).saturating_add(p)));
                LqParams { delta: f64::from(mx - mn), inv, mn: f64::from(mn), nan_code }
            })
            .collect();
        let plane_bytes = plane.saturating_mul(4);
        Ok(Some(Layout { planes: p, rows: r, cols: c, codes_start, plane_bytes, out_bytes, params }))
    }

    /// Decode every row whose codes lie inside `buf[..done]`: into `out` (the caller's
    /// buffer, `out_bytes` long) when given, else in place in `buf`.
    fn advance(&self, st: &mut Progress, buf: &mut [u8], done: usize, mut out: Option<&mut [u8]>) {
        let Some(l) = &st.layout else { return };
        let row_bytes = l.cols.saturating_mul(4);
        if row_bytes == 0 || l.rows == 0 {
            st.plane = l.planes;
            return;
        }
        while st.plane < l.planes {
            // Byte offset (from the first code) of this row of this plane; the same offset
            // from 0 is where its float32 values go. All below `out_bytes` (checked).
            let at = st.plane.saturating_mul(l.plane_bytes).saturating_add(st.row.saturating_mul(row_bytes));
            let src = l.codes_start.saturating_add(at);
            let ready = done.saturating_sub(src).checked_div(row_bytes).unwrap_or(0);
            let n = ready.min(l.rows.saturating_sub(st.row));
            if n == 0 {
                return;
            }
            let Some(params) = l.params.get(st.plane) else { return };
            if let Some(out) = out.as_deref_mut() {
                let len = n.saturating_mul(row_bytes);
                let codes = buf.get(src..src.saturating_add(len)).unwrap_or_default();
                let dst = out.get_mut(at..at.saturating_add(len)).unwrap_or_default();
                lq_decode_rows(codes, dst, l.cols, self.lorenzo, params, &mut st.above);
            } else {
                let plane = PlaneRows { src, dst: at, rows: n, cols: l.cols, lorenzo: self.lorenzo };
                lq_decode_plane(buf, plane, params, &mut st.above);
            }
            st.row = st.row.saturating_add(n);
            if st.row == l.rows {
                st.row = 0;
                st.plane = st.plane.saturating_add(1);
                st.above.fill(0);
            }
        }
    }
}

impl LayerQuantizerCodec {
    /// The decoder: the values go into `out` when given (which must be the decoded size,
    /// `expected_size`), else in place into the returned stream, cut to the output.
    fn run(
        &self,
        encoded: &[u8],
        expected_size: Option<u64>,
        limits: &Limits,
        mut out: Option<&mut [u8]>,
    ) -> Result<Vec<u8>, CodecError> {
        let cap = output_cap(expected_size, limits)?;
        // The stream adds 12 + 8P bytes (P ≤ elements) to the float32 payload.
        let stream_cap =
            (cap as u64).saturating_mul(3).saturating_add(12).min(limits.max_decoded_chunk_bytes.saturating_mul(3));
        let inner = Limits { max_decoded_chunk_bytes: stream_cap, ..limits.clone() };
        // Rows are decoded as soon as their Blosc block is, while it is still in the CPU
        // cache: plane k's codes at `codes_start + k * plane_bytes` become its float32
        // values at `k * plane_bytes`, of `out` or (in place) of the stream, which is then
        // cut to the output. No second chunk-sized buffer, one row of levels as the only
        // scratch.
        let mut st = Progress { layout: None, plane: 0, row: 0, above: Vec::new() };
        let mut on_block = |buf: &mut [u8], done: usize| -> Result<(), CodecError> {
            if st.layout.is_none() {
                st.layout = self.layout(buf.get(..done).unwrap_or_default(), buf.len(), cap, expected_size, limits)?;
                if let Some(l) = &st.layout {
                    st.above = vec![0; l.cols];
                }
            }
            self.advance(&mut st, buf, done, out.as_deref_mut());
            Ok(())
        };
        let mut stream = super::blosc::decompress_with(encoded, None, &inner, &mut on_block)?;
        let Some(l) = &st.layout else {
            // Not even a header (an empty stream): the same error as a short one.
            return Err(format_err(
                NAME,
                format!("stream of {} bytes is not a whole number of words ≥ 3", stream.len()),
            ));
        };
        if st.plane < l.planes {
            return Err(format_err(NAME, "stream ended before its last plane"));
        }
        stream.truncate(l.out_bytes);
        Ok(stream)
    }
}

impl BytesToBytesCodec for LayerQuantizerCodec {
    fn decode(&self, encoded: Vec<u8>, expected_size: Option<u64>, limits: &Limits) -> Result<Vec<u8>, CodecError> {
        self.run(&encoded, expected_size, limits, None)
    }

    /// Straight into `out` (the layout check makes its size the decoded size): no copy of
    /// the output (measured: see the module docs).
    fn decode_into(&self, encoded: Vec<u8>, out: &mut [u8], limits: &Limits) -> Result<(), CodecError> {
        self.run(&encoded, Some(out.len() as u64), limits, Some(out)).map(|_| ())
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
