//! Decoding: a pure function of (codestream bytes, reduce level, limits) to component
//! planes, through the OpenJPEG port (crate `openjp2`, driven by [`super::opj`]), then to the
//! smallest typed representation of the precision, components interleaved H×W×C.
//!
//! The sizes the decoder will allocate are computed from SIZ (ISO/IEC 15444-1 B.2, B-14)
//! and checked against [`Limits`] before the decoder runs; the planes it returns are
//! checked against those sizes.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

use super::bytes::format_err;
use super::codestream::{parse_main_header, CodestreamHeader, HeaderParse, Siz};
use crate::error::Jp2Error;
use crate::limits::{check, checked_product, Limits};

/// One decoded component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentPlane {
    pub width: u32,
    pub height: u32,
    pub precision: u8,
    pub signed: bool,
    /// `width * height` samples, row-major.
    pub data: Vec<i32>,
}

/// Samples in the smallest type holding the precision (the corpus convention:
/// ≤ 8 bits → u8/i8, ≤ 16 → u16/i16, else i32).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Samples {
    U8(Vec<u8>),
    I8(Vec<i8>),
    U16(Vec<u16>),
    I16(Vec<i16>),
    I32(Vec<i32>),
}

/// The element type of [`Samples`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleType {
    U8,
    I8,
    U16,
    I16,
    I32,
}

impl SampleType {
    /// The type for `precision` bits, signed or not.
    pub fn for_precision(precision: u8, signed: bool) -> SampleType {
        match (precision, signed) {
            (0..=8, false) => SampleType::U8,
            (0..=8, true) => SampleType::I8,
            (9..=16, false) => SampleType::U16,
            (9..=16, true) => SampleType::I16,
            _ => SampleType::I32,
        }
    }

    /// Bytes per sample.
    pub fn size(&self) -> usize {
        match self {
            SampleType::U8 | SampleType::I8 => 1,
            SampleType::U16 | SampleType::I16 => 2,
            SampleType::I32 => 4,
        }
    }

    /// The numpy type string (`"|u1"`, `"<u2"`, ...).
    pub fn numpy_str(&self) -> &'static str {
        match self {
            SampleType::U8 => "|u1",
            SampleType::I8 => "|i1",
            SampleType::U16 => "<u2",
            SampleType::I16 => "<i2",
            SampleType::I32 => "<i4",
        }
    }

    fn convert(&self, v: Vec<i32>) -> Samples {
        // Casts truncate only values outside the precision, which OpenJPEG clamps to it.
        match self {
            SampleType::U8 => Samples::U8(v.into_iter().map(|x| x as u8).collect()),
            SampleType::I8 => Samples::I8(v.into_iter().map(|x| x as i8).collect()),
            SampleType::U16 => Samples::U16(v.into_iter().map(|x| x as u16).collect()),
            SampleType::I16 => Samples::I16(v.into_iter().map(|x| x as i16).collect()),
            SampleType::I32 => Samples::I32(v),
        }
    }
}

impl Samples {
    /// Number of samples.
    pub fn len(&self) -> usize {
        match self {
            Samples::U8(v) => v.len(),
            Samples::I8(v) => v.len(),
            Samples::U16(v) => v.len(),
            Samples::I16(v) => v.len(),
            Samples::I32(v) => v.len(),
        }
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element type.
    pub fn sample_type(&self) -> SampleType {
        match self {
            Samples::U8(_) => SampleType::U8,
            Samples::I8(_) => SampleType::I8,
            Samples::U16(_) => SampleType::U16,
            Samples::I16(_) => SampleType::I16,
            Samples::I32(_) => SampleType::I32,
        }
    }

    /// Little-endian bytes, in order.
    pub fn to_le_bytes(&self) -> Vec<u8> {
        match self {
            Samples::U8(v) => v.clone(),
            Samples::I8(v) => v.iter().map(|&x| x as u8).collect(),
            Samples::U16(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Samples::I16(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Samples::I32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        }
    }
}

/// A decoded image or tile: `height × width × components`, interleaved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedImage {
    pub width: u32,
    pub height: u32,
    pub components: u32,
    pub samples: Samples,
}

/// Interleave planes of equal size into H×W×C samples of the type of component 0.
///
/// # Errors
/// `Unsupported` when the planes differ in size (subsampled components) or in type.
pub fn interleave(planes: Vec<ComponentPlane>) -> Result<DecodedImage, Jp2Error> {
    let first = planes.first().ok_or_else(|| Jp2Error::Decode { message: "no components".into() })?;
    let (w, h) = (first.width, first.height);
    let ty = SampleType::for_precision(first.precision, first.signed);
    if planes.iter().any(|p| p.width != w || p.height != h) {
        return Err(Jp2Error::Unsupported {
            feature: "interleaving subsampled components (read them per component instead)".into(),
        });
    }
    if planes.iter().any(|p| SampleType::for_precision(p.precision, p.signed) != ty) {
        return Err(Jp2Error::Unsupported { feature: "components of different precision or signedness".into() });
    }
    let n = planes.len();
    let data = if n == 1 {
        planes.into_iter().next().map(|p| p.data).unwrap_or_default()
    } else {
        let total = first.data.len().saturating_mul(n);
        let mut out = vec![0i32; total];
        for (c, p) in planes.iter().enumerate() {
            for (dst, src) in out.iter_mut().skip(c).step_by(n).zip(p.data.iter()) {
                *dst = *src;
            }
        }
        out
    };
    Ok(DecodedImage { width: w, height: h, components: n as u32, samples: ty.convert(data) })
}

/// Apply a JP2 palette and component mapping (I.5.3.4, I.5.3.5) to decoded planes: each
/// output channel is a component (MTYP 0) or a palette column indexed by a component's
/// samples (MTYP 1, indexes clamped to the palette).
///
/// # Errors
/// `Format` when the mapping names a missing component or column.
pub fn apply_palette(
    planes: Vec<ComponentPlane>,
    palette: &super::boxes::Palette,
    mapping: &[(u16, u8, u8)],
) -> Result<Vec<ComponentPlane>, Jp2Error> {
    let bad = |m: String| format_err(0, m);
    mapping
        .iter()
        .map(|&(cmp, mtyp, pcol)| {
            let src = planes.get(usize::from(cmp)).ok_or_else(|| bad(format!("cmap names component {cmp}")))?;
            if mtyp == 0 {
                return Ok(src.clone());
            }
            let col = palette.columns.get(usize::from(pcol)).ok_or_else(|| bad(format!("cmap names column {pcol}")))?;
            let last = col.len().saturating_sub(1);
            let data = src
                .data
                .iter()
                .map(|&v| col.get(usize::try_from(v.max(0)).unwrap_or(0).min(last)).copied().unwrap_or(0))
                .collect();
            Ok(ComponentPlane {
                width: src.width,
                height: src.height,
                precision: palette.precision.get(usize::from(pcol)).copied().unwrap_or(8),
                signed: palette.signed.get(usize::from(pcol)).copied().unwrap_or(false),
                data,
            })
        })
        .collect()
}

/// The size of component `c` of the image area of `siz` at `reduce` (B-14).
pub fn component_size(siz: &Siz, c: usize, reduce: u32) -> Option<(u32, u32)> {
    let comp = siz.components.get(c)?;
    let d = |v: u32, s: u8| -> u64 {
        let a = u64::from(v).div_ceil(u64::from(s));
        a.div_ceil(1u64 << reduce.min(40))
    };
    let w = d(siz.xsiz, comp.dx) - d(siz.xosiz, comp.dx);
    let h = d(siz.ysiz, comp.dy) - d(siz.yosiz, comp.dy);
    Some((u32::try_from(w).ok()?, u32::try_from(h).ok()?))
}

/// Check what decoding `header` at `reduce` would allocate against `limits`.
///
/// # Errors
/// `LimitExceeded` past `max_decoded_chunk_bytes` (OpenJPEG holds i32 per sample);
/// `Unsupported` when `reduce` exceeds the decomposition levels.
pub fn check_decode_size(header: &CodestreamHeader, reduce: u32, limits: &Limits) -> Result<u64, Jp2Error> {
    if reduce > u32::from(header.min_levels()) {
        return Err(Jp2Error::Unsupported {
            feature: format!("reduce {reduce} beyond the {} decomposition levels", header.min_levels()),
        });
    }
    let mut total = 0u64;
    for c in 0..header.siz.components.len() {
        // The decoder allocates the full-resolution tile-component too.
        let (w, h) = component_size(&header.siz, c, 0).ok_or_else(|| format_err(0, "component size"))?;
        total = total.saturating_add(checked_product("decoded JPEG 2000 samples", [u64::from(w), u64::from(h), 4])?);
    }
    check("decoded JPEG 2000 bytes", total, limits.max_decoded_chunk_bytes)?;
    Ok(total)
}

/// Parse the main header of a complete codestream in memory.
///
/// # Errors
/// `Format` when it is malformed or truncated; `LimitExceeded`.
pub fn parse_codestream_header(codestream: &[u8], limits: &Limits) -> Result<CodestreamHeader, Jp2Error> {
    match parse_main_header(codestream, 0, codestream.len() as u64, limits)? {
        HeaderParse::Complete(h) => Ok(*h),
        HeaderParse::NeedMore(_) => Err(format_err(codestream.len() as u64, "codestream ends inside its main header")),
    }
}

/// Decode a complete raw codestream (SOC … EOC) at `reduce` into component planes.
///
/// # Errors
/// `Format` for malformed headers, `LimitExceeded` before any large allocation,
/// `Decode` when OpenJPEG fails, `Unsupported` for a `reduce` beyond the levels.
pub fn decode_codestream(codestream: &[u8], reduce: u32, limits: &Limits) -> Result<Vec<ComponentPlane>, Jp2Error> {
    let header = parse_codestream_header(codestream, limits)?;
    check_decode_size(&header, reduce, limits)?;
    let planes = run_decoder(codestream, reduce)?;
    if planes.len() != header.siz.components.len() {
        return Err(Jp2Error::Decode {
            message: format!("decoder gave {} components, SIZ has {}", planes.len(), header.siz.components.len()),
        });
    }
    planes
        .into_iter()
        .enumerate()
        .map(|(c, p)| {
            let want = component_size(&header.siz, c, reduce);
            let ok = want.filter(|&(w, h)| {
                // OpenJPEG sizes a reduced component as ceil((x1 - x0) / 2^r), one more than
                // ceil(x1 / 2^r) - ceil(x0 / 2^r) for some origins; the samples start at 0.
                p.width >= w
                    && p.height >= h
                    && p.width - w <= 1
                    && p.height - h <= 1
                    && p.data.len() as u64 == u64::from(p.width) * u64::from(p.height)
            });
            match ok {
                Some((w, h)) => Ok(crop(p, w, h)),
                None => Err(Jp2Error::Decode {
                    message: format!("component {c}: decoded {}×{}, expected {want:?}", p.width, p.height),
                }),
            }
        })
        .collect()
}

/// The top-left `w × h` of a plane at least that large.
fn crop(p: ComponentPlane, w: u32, h: u32) -> ComponentPlane {
    if p.width == w && p.height == h {
        return p;
    }
    let mut data = Vec::with_capacity(w as usize * h as usize);
    for row in p.data.chunks(p.width as usize).take(h as usize) {
        data.extend(row.iter().take(w as usize));
    }
    ComponentPlane { width: w, height: h, data, ..p }
}

#[cfg(feature = "jpeg2k")]
fn run_decoder(codestream: &[u8], reduce: u32) -> Result<Vec<ComponentPlane>, Jp2Error> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        // The port is not panic-free on every malformed input; natively a panic becomes an error.
        std::panic::catch_unwind(|| super::opj::decode(codestream, reduce))
            .unwrap_or_else(|_| Err(Jp2Error::Decode { message: "the JPEG 2000 decoder panicked".into() }))
    }
    #[cfg(target_arch = "wasm32")]
    {
        super::opj::decode(codestream, reduce)
    }
}

#[cfg(not(feature = "jpeg2k"))]
fn run_decoder(_codestream: &[u8], _reduce: u32) -> Result<Vec<ComponentPlane>, Jp2Error> {
    Err(Jp2Error::Unsupported { feature: "JPEG 2000 decoding (build with the `jpeg2k` feature)".into() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleaves() {
        let p = |v: Vec<i32>| ComponentPlane { width: 2, height: 1, precision: 8, signed: false, data: v };
        let d = interleave(vec![p(vec![1, 2]), p(vec![3, 4])]).unwrap();
        assert_eq!(d.samples, Samples::U8(vec![1, 3, 2, 4]));
        assert_eq!(SampleType::for_precision(12, true), SampleType::I16);
        let q = ComponentPlane { width: 1, height: 1, precision: 8, signed: false, data: vec![0] };
        assert!(interleave(vec![p(vec![1, 2]), q]).is_err());
    }
}
