//! Selections (per dimension: all, one index, or a half-open range, as in DESIGN.md's
//! `get(selection)`) and the strided copy that assembles decoded chunks into one
//! C-order output buffer.

use crate::codecs::{ArrayBytes, VarElement};
use crate::error::ZarrError;
use crate::zarr::data_type::{DataType, FillValue};

/// The selection along one dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DimSelection {
    /// The whole dimension.
    All,
    /// One index; the dimension is dropped from the result's shape.
    Index(u64),
    /// `[start, stop)`.
    Range(u64, u64),
}

/// `(start, stop, result shape)` of a resolved selection.
pub type ResolvedSelection = (Vec<u64>, Vec<u64>, Vec<u64>);

/// One [`DimSelection`] per dimension; an empty list selects everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selection(pub Vec<DimSelection>);

impl Selection {
    /// Everything.
    pub fn all() -> Self {
        Selection(Vec::new())
    }

    /// Parse the CLI form: comma-separated `:` (all), `i` (index) or `a:b` (range, either
    /// side optional), e.g. `0:10,:,5`.
    ///
    /// # Errors
    /// `Selection` for anything else.
    pub fn parse(s: &str) -> Result<Self, ZarrError> {
        let bad =
            |p: &str| ZarrError::Selection { message: format!("cannot parse {p:?} (expected `:`, `i` or `a:b`)") };
        let s = s.trim();
        if s.is_empty() {
            return Ok(Selection::all());
        }
        let mut out = Vec::new();
        for part in s.split(',') {
            let part = part.trim();
            let sel = if let Some((a, b)) = part.split_once(':') {
                let (a, b) = (a.trim(), b.trim());
                if a.is_empty() && b.is_empty() {
                    DimSelection::All
                } else {
                    let start = if a.is_empty() { 0 } else { a.parse().map_err(|_| bad(part))? };
                    let stop = if b.is_empty() { u64::MAX } else { b.parse().map_err(|_| bad(part))? };
                    DimSelection::Range(start, stop)
                }
            } else {
                DimSelection::Index(part.parse().map_err(|_| bad(part))?)
            };
            out.push(sel);
        }
        Ok(Selection(out))
    }

    /// Resolve against `shape`: per-dimension `[start, stop)` and the result shape
    /// (index dimensions dropped). Open range ends (`u64::MAX`) are clipped to the shape.
    ///
    /// # Errors
    /// `Selection` when the length differs from the shape or a bound is out of range.
    pub fn resolve(&self, shape: &[u64]) -> Result<ResolvedSelection, ZarrError> {
        if !self.0.is_empty() && self.0.len() != shape.len() {
            return Err(ZarrError::Selection {
                message: format!("{} entries for an array of {} dimensions", self.0.len(), shape.len()),
            });
        }
        let mut start = Vec::with_capacity(shape.len());
        let mut stop = Vec::with_capacity(shape.len());
        let mut out_shape = Vec::with_capacity(shape.len());
        for (d, &n) in shape.iter().enumerate() {
            let sel = self.0.get(d).copied().unwrap_or(DimSelection::All);
            let (a, b, keep) = match sel {
                DimSelection::All => (0, n, true),
                DimSelection::Index(i) => {
                    if i >= n {
                        return Err(ZarrError::Selection {
                            message: format!("index {i} out of bounds for dimension {d} of size {n}"),
                        });
                    }
                    (i, i + 1, false)
                }
                DimSelection::Range(a, b) => {
                    let b = if b == u64::MAX { n } else { b };
                    if a > b || b > n {
                        return Err(ZarrError::Selection {
                            message: format!("range {a}:{b} out of bounds for dimension {d} of size {n}"),
                        });
                    }
                    (a, b, true)
                }
            };
            start.push(a);
            stop.push(b);
            if keep {
                out_shape.push(b - a);
            }
        }
        Ok((start, stop, out_shape))
    }
}

/// A decoded selection.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrayData {
    /// C-order little-endian elements (or variable-length elements).
    pub data: ArrayBytes,
    /// Shape of the result (index-selected dimensions dropped).
    pub shape: Vec<u64>,
    /// Element type.
    pub data_type: DataType,
}

/// Runs of contiguous elements when copying the box `extent` from a C-order array of
/// shape `src_shape` at `src_start` into one of shape `dst_shape` at `dst_start`:
/// calls `f(src_offset, dst_offset, run_len)` in elements.
pub(crate) fn for_each_run(
    src_shape: &[u64],
    src_start: &[u64],
    dst_shape: &[u64],
    dst_start: &[u64],
    extent: &[u64],
    mut f: impl FnMut(usize, usize, usize),
) {
    let nd = extent.len();
    if extent.contains(&0) {
        return;
    }
    if nd == 0 {
        f(0, 0, 1);
        return;
    }
    // Strides in elements.
    let strides = |shape: &[u64]| {
        let mut s = vec![1u64; nd];
        for d in (0..nd.saturating_sub(1)).rev() {
            s[d] = s[d + 1] * shape[d + 1];
        }
        s
    };
    let ss = strides(src_shape);
    let ds = strides(dst_shape);
    // Merge trailing dimensions that are copied whole into one run.
    let mut run = extent[nd - 1];
    let mut last = nd - 1;
    while last > 0 && extent[last] == src_shape[last] && extent[last] == dst_shape[last] {
        run *= extent[last - 1];
        last -= 1;
    }
    let mut idx = vec![0u64; last];
    loop {
        let mut so = 0u64;
        let mut doff = 0u64;
        for d in 0..nd {
            let i = if d < last { idx[d] } else { 0 };
            so += (src_start[d] + i) * ss[d];
            doff += (dst_start[d] + i) * ds[d];
        }
        f(so as usize, doff as usize, run as usize);
        let mut d = last;
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            idx[d] += 1;
            if idx[d] < extent[d] {
                break;
            }
            idx[d] = 0;
        }
    }
}

/// An output buffer of `n` elements, pre-filled with the fill value.
pub(crate) fn filled(n: u64, dt: &DataType, fill: &FillValue) -> ArrayBytes {
    match (dt.size(), fill) {
        (Some(_), FillValue::Fixed(b)) => {
            if b.iter().all(|x| *x == 0) {
                ArrayBytes::Fixed(vec![0; n as usize * b.len()])
            } else {
                ArrayBytes::Fixed(b.repeat(n as usize))
            }
        }
        (Some(size), FillValue::Variable(_)) => ArrayBytes::Fixed(vec![0; n as usize * size]),
        (None, f) => {
            let e = var_fill(dt, f);
            ArrayBytes::Variable(vec![e; n as usize])
        }
    }
}

fn var_fill(dt: &DataType, fill: &FillValue) -> VarElement {
    let v = match fill {
        FillValue::Variable(v) => v.clone(),
        FillValue::Fixed(_) => serde_json::Value::Null,
    };
    match (dt, v) {
        (DataType::Bytes, serde_json::Value::String(s)) => VarElement::Bytes(s.into_bytes()),
        (DataType::Bytes, _) => VarElement::Bytes(Vec::new()),
        (DataType::String, serde_json::Value::String(s)) => VarElement::String(s),
        (DataType::String, serde_json::Value::Null) => VarElement::String(String::new()),
        (DataType::String, other) => VarElement::String(other.to_string()),
        (_, serde_json::Value::String(s)) => VarElement::String(s),
        (_, other) => VarElement::Json(other),
    }
}

/// Copy a decoded chunk's box into the output.
///
/// # Errors
/// `Metadata` when the chunk and output kinds or sizes disagree (a codec returned the
/// wrong representation).
#[allow(clippy::too_many_arguments)]
pub(crate) fn copy_chunk(
    chunk: &ArrayBytes,
    chunk_shape: &[u64],
    chunk_start: &[u64],
    out: &mut ArrayBytes,
    out_shape: &[u64],
    out_start: &[u64],
    extent: &[u64],
    elem_size: usize,
    path: &str,
) -> Result<(), ZarrError> {
    let n_chunk: u64 = chunk_shape.iter().product();
    let n_out: u64 = out_shape.iter().product();
    let bad = |m: String| ZarrError::Metadata { path: path.into(), message: m };
    match (chunk, out) {
        (ArrayBytes::Fixed(src), ArrayBytes::Fixed(dst)) => {
            if src.len() as u64 != n_chunk * elem_size as u64 || dst.len() as u64 != n_out * elem_size as u64 {
                return Err(bad(format!(
                    "decoded chunk has {} bytes, expected {} ({chunk_shape:?} x {elem_size})",
                    src.len(),
                    n_chunk * elem_size as u64
                )));
            }
            let es = elem_size;
            for_each_run(chunk_shape, chunk_start, out_shape, out_start, extent, |s, d, n| {
                dst[d * es..(d + n) * es].copy_from_slice(&src[s * es..(s + n) * es]);
            });
            Ok(())
        }
        (ArrayBytes::Variable(src), ArrayBytes::Variable(dst)) => {
            if src.len() as u64 != n_chunk || dst.len() as u64 != n_out {
                return Err(bad(format!("decoded chunk has {} elements, expected {n_chunk}", src.len())));
            }
            for_each_run(chunk_shape, chunk_start, out_shape, out_start, extent, |s, d, n| {
                dst[d..d + n].clone_from_slice(&src[s..s + n]);
            });
            Ok(())
        }
        _ => Err(bad("a codec returned variable-length data for a fixed-size type, or the reverse".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_resolve() {
        let s = Selection::parse("0:10, :, 5, 2:").unwrap();
        assert_eq!(
            s.0,
            vec![
                DimSelection::Range(0, 10),
                DimSelection::All,
                DimSelection::Index(5),
                DimSelection::Range(2, u64::MAX)
            ]
        );
        let (a, b, shape) = s.resolve(&[20, 3, 6, 4]).unwrap();
        assert_eq!(a, vec![0, 0, 5, 2]);
        assert_eq!(b, vec![10, 3, 6, 4]);
        assert_eq!(shape, vec![10, 3, 2]);
        assert!(s.resolve(&[5, 3, 6, 4]).is_err());
        assert!(Selection::parse("x").is_err());
        assert!(Selection(vec![DimSelection::Index(3)]).resolve(&[3]).is_err());
    }

    #[test]
    fn copy_box() {
        // 3x4 chunk, copy rows 1..3, cols 1..3 into a 2x2 output.
        let src: Vec<u8> = (0..12).collect();
        let mut out = ArrayBytes::Fixed(vec![0; 4]);
        copy_chunk(&ArrayBytes::Fixed(src), &[3, 4], &[1, 1], &mut out, &[2, 2], &[0, 0], &[2, 2], 1, "p").unwrap();
        assert_eq!(out, ArrayBytes::Fixed(vec![5, 6, 9, 10]));
        // Whole rows merge into one run.
        let mut runs = Vec::new();
        for_each_run(&[3, 4], &[0, 0], &[3, 4], &[0, 0], &[3, 4], |s, d, n| runs.push((s, d, n)));
        assert_eq!(runs, vec![(0, 0, 12)]);
        let mut runs = Vec::new();
        for_each_run(&[], &[], &[], &[], &[], |s, d, n| runs.push((s, d, n)));
        assert_eq!(runs, vec![(0, 0, 1)]);
    }
}
