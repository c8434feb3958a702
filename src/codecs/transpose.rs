//! The `transpose` array→array codec (Zarr v3 `codecs/transpose`, specs/sharding.md
//! § "transpose"): the encoded array has `shape[i] = decoded.shape[order[i]]`; decoding
//! permutes the axes back. A Zarr v2 `order: "F"` chunk is the encoded form of
//! `order = [n-1, ..., 0]`.

use super::common::{config_err, config_object, num_elements};
use super::{ArrayBytes, ArrayToArrayCodec, ChunkRepr};
use crate::error::CodecError;
use crate::limits::Limits;
use serde_json::Value;

const NAME: &str = "transpose";

/// The `transpose` codec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransposeCodec {
    /// A permutation of `0..ndim`.
    pub order: Vec<usize>,
}

impl TransposeCodec {
    /// A codec with the given permutation.
    ///
    /// # Errors
    /// `Config` when `order` is not a permutation.
    pub fn new(order: Vec<usize>) -> Result<Self, CodecError> {
        let mut seen = vec![false; order.len()];
        for &o in &order {
            match seen.get_mut(o) {
                Some(s) if !*s => *s = true,
                _ => return Err(config_err(NAME, format!("order {order:?} is not a permutation"))),
            }
        }
        Ok(TransposeCodec { order })
    }

    /// The codec standing for a v2 `order: "F"` chunk of `ndim` dimensions.
    pub fn fortran(ndim: usize) -> Self {
        TransposeCodec { order: (0..ndim).rev().collect() }
    }

    /// From a v3 configuration `{"order": [..]}`.
    ///
    /// # Errors
    /// `Config` when `order` is missing or not a permutation (the old `"C"`/`"F"` strings
    /// are not allowed by the spec).
    pub fn from_config(config: Option<&Value>) -> Result<Self, CodecError> {
        let cfg = config_object(config);
        let order = cfg
            .get("order")
            .and_then(Value::as_array)
            .ok_or_else(|| config_err(NAME, "order must be a list of axes"))?
            .iter()
            .map(|v| v.as_u64().and_then(|u| usize::try_from(u).ok()))
            .collect::<Option<Vec<usize>>>()
            .ok_or_else(|| config_err(NAME, "order must hold non-negative integers"))?;
        Self::new(order)
    }

    fn check_ndim(&self, decoded: &ChunkRepr) -> Result<(), CodecError> {
        if decoded.shape.len() != self.order.len() {
            return Err(config_err(
                NAME,
                format!("order has {} axes, the chunk has {}", self.order.len(), decoded.shape.len()),
            ));
        }
        Ok(())
    }

    /// Call `f` with the encoded-array index of every decoded element, in decoded C
    /// order, without materialising an index table.
    fn for_each_source(&self, shape: &[u64], mut f: impl FnMut(usize)) -> Result<(), CodecError> {
        let n = num_elements(shape)?;
        if n == 0 {
            return Ok(());
        }
        let ndim = shape.len();
        // Every dimension is ≤ n, which fits usize (checked above).
        let dims: Vec<usize> = shape.iter().map(|&d| usize::try_from(d).unwrap_or(0)).collect();
        // C-order strides of the encoded array (shape dims[order[i]]).
        let mut enc_strides = vec![0usize; ndim];
        let mut acc = 1usize;
        for i in (0..ndim).rev() {
            if let (Some(s), Some(&o)) = (enc_strides.get_mut(i), self.order.get(i)) {
                *s = acc;
                acc = acc.saturating_mul(dims.get(o).copied().unwrap_or(0));
            }
        }
        // Stride in the encoded array of each decoded axis.
        let mut stride_of_axis = vec![0usize; ndim];
        for (i, &o) in self.order.iter().enumerate() {
            if let (Some(s), Some(&e)) = (stride_of_axis.get_mut(o), enc_strides.get(i)) {
                *s = e;
            }
        }
        let (Some(&last_dim), Some(&last_stride)) = (dims.last(), stride_of_axis.last()) else {
            f(0); // 0-d: one element
            return Ok(());
        };
        let outer = n / last_dim.max(1);
        let mut pos = vec![0usize; ndim.saturating_sub(1)];
        let mut offset = 0usize;
        for _ in 0..outer {
            let mut o = offset;
            for _ in 0..last_dim {
                f(o);
                o = o.wrapping_add(last_stride);
            }
            // Odometer over the outer axes, the innermost fastest.
            for ax in (0..pos.len()).rev() {
                let (Some(p), Some(&d), Some(&st)) = (pos.get_mut(ax), dims.get(ax), stride_of_axis.get(ax)) else {
                    break;
                };
                *p += 1;
                offset = offset.wrapping_add(st);
                if *p < d {
                    break;
                }
                offset = offset.wrapping_sub(st.wrapping_mul(d));
                *p = 0;
            }
        }
        Ok(())
    }
}

impl ArrayToArrayCodec for TransposeCodec {
    fn encoded_repr(&self, decoded: &ChunkRepr) -> Result<ChunkRepr, CodecError> {
        self.check_ndim(decoded)?;
        let shape = self.order.iter().map(|&o| decoded.shape.get(o).copied().unwrap_or(0)).collect();
        Ok(ChunkRepr { shape, ..decoded.clone() })
    }

    fn decode(&self, encoded: ArrayBytes, decoded: &ChunkRepr, limits: &Limits) -> Result<ArrayBytes, CodecError> {
        self.check_ndim(decoded)?;
        let n = num_elements(&decoded.shape)?;
        match encoded {
            ArrayBytes::Fixed(bytes) => {
                let size = super::common::fixed_byte_size(NAME, &decoded.data_type, n, limits)? / n.max(1);
                if bytes.len() != n * size {
                    return Err(CodecError::SizeMismatch {
                        codec: NAME,
                        expected: (n * size) as u64,
                        got: bytes.len() as u64,
                    });
                }
                let mut out = Vec::with_capacity(bytes.len());
                let mut bad = false;
                self.for_each_source(&decoded.shape, |s| match bytes.get(s * size..(s + 1) * size) {
                    Some(e) => out.extend_from_slice(e),
                    None => bad = true,
                })?;
                if bad {
                    return Err(super::common::format_err(NAME, "index out of range"));
                }
                Ok(ArrayBytes::Fixed(out))
            }
            ArrayBytes::Variable(elems) => {
                if elems.len() != n {
                    return Err(CodecError::SizeMismatch { codec: NAME, expected: n as u64, got: elems.len() as u64 });
                }
                let mut slots: Vec<Option<super::VarElement>> = elems.into_iter().map(Some).collect();
                let mut out = Vec::with_capacity(n);
                self.for_each_source(&decoded.shape, |s| {
                    if let Some(e) = slots.get_mut(s).and_then(Option::take) {
                        out.push(e);
                    }
                })?;
                if out.len() != n {
                    return Err(super::common::format_err(NAME, "index out of range"));
                }
                Ok(ArrayBytes::Variable(out))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codecs::VarElement;
    use crate::zarr::data_type::{DataType, FillValue};
    use serde_json::json;

    fn repr(shape: &[u64], dt: DataType) -> ChunkRepr {
        ChunkRepr { shape: shape.to_vec(), data_type: dt, fill_value: FillValue::Fixed(vec![]) }
    }

    #[test]
    fn transpose_3d_matches_naive() {
        let c = TransposeCodec::from_config(Some(&json!({"order": [2, 0, 1]}))).unwrap();
        let dec = repr(&[2, 3, 4], DataType::UInt8);
        let enc = c.encoded_repr(&dec).unwrap();
        assert_eq!(enc.shape, vec![4, 2, 3]);
        // Encoded B[k][i][j] = A[i][j][k]; A[i][j][k] = 12i + 4j + k.
        let mut b = vec![0u8; 24];
        for i in 0..2 {
            for j in 0..3 {
                for k in 0..4 {
                    b[k * 6 + i * 3 + j] = (12 * i + 4 * j + k) as u8;
                }
            }
        }
        let out = c.decode(ArrayBytes::Fixed(b), &dec, &Limits::default()).unwrap();
        assert_eq!(out, ArrayBytes::Fixed((0..24).collect()));
    }

    #[test]
    fn fortran_order_and_variable() {
        let c = TransposeCodec::fortran(2);
        let dec = repr(&[2, 3], DataType::String);
        // F-order storage of [[a,b,c],[d,e,f]] is a d b e c f.
        let enc: Vec<VarElement> = "adbecf".chars().map(|ch| VarElement::String(ch.to_string())).collect();
        let out = c.decode(ArrayBytes::Variable(enc), &dec, &Limits::default()).unwrap();
        let want: Vec<VarElement> = "abcdef".chars().map(|ch| VarElement::String(ch.to_string())).collect();
        assert_eq!(out, ArrayBytes::Variable(want));
        let i16s = repr(&[2, 2], DataType::Int16);
        let out = c.decode(ArrayBytes::Fixed(vec![1, 0, 3, 0, 2, 0, 4, 0]), &i16s, &Limits::default()).unwrap();
        assert_eq!(out, ArrayBytes::Fixed(vec![1, 0, 2, 0, 3, 0, 4, 0]));
    }

    #[test]
    fn errors() {
        assert!(TransposeCodec::new(vec![0, 0]).is_err());
        assert!(TransposeCodec::new(vec![0, 2]).is_err());
        assert!(TransposeCodec::from_config(Some(&json!({"order": "F"}))).is_err());
        let c = TransposeCodec::fortran(2);
        assert!(c.encoded_repr(&repr(&[2], DataType::UInt8)).is_err());
        assert!(matches!(
            c.decode(ArrayBytes::Fixed(vec![0; 3]), &repr(&[2, 2], DataType::UInt8), &Limits::default()),
            Err(CodecError::SizeMismatch { .. })
        ));
        let empty = c.decode(ArrayBytes::Fixed(vec![]), &repr(&[0, 2], DataType::UInt8), &Limits::default()).unwrap();
        assert_eq!(empty, ArrayBytes::Fixed(vec![]));
    }

    #[test]
    fn random_permutations_match_naive() {
        let mut rng = crate::kernels::TestRng::new(17);
        for _ in 0..200 {
            let ndim = 1 + rng.below(4);
            let shape: Vec<u64> = (0..ndim).map(|_| 1 + rng.below(4) as u64).collect();
            let mut order: Vec<usize> = (0..ndim).collect();
            for i in (1..ndim).rev() {
                order.swap(i, rng.below(i + 1));
            }
            let c = TransposeCodec::new(order.clone()).unwrap();
            let dec = repr(&shape, DataType::UInt16);
            let enc_shape = c.encoded_repr(&dec).unwrap().shape;
            let n: u64 = shape.iter().product();
            // Encoded element k holds the C-order index (in the decoded array) it came from.
            let mut enc = vec![0u16; n as usize];
            for (k, slot) in enc.iter_mut().enumerate() {
                let mut rem = k as u64;
                let mut epos = vec![0u64; ndim];
                for i in (0..ndim).rev() {
                    epos[i] = rem % enc_shape[i];
                    rem /= enc_shape[i];
                }
                let mut dpos = vec![0u64; ndim];
                for i in 0..ndim {
                    dpos[order[i]] = epos[i];
                }
                *slot = dpos.iter().zip(&shape).fold(0u64, |a, (p, d)| a * d + p) as u16;
            }
            let bytes: Vec<u8> = enc.iter().flat_map(|v| v.to_le_bytes()).collect();
            let out = c.decode(ArrayBytes::Fixed(bytes), &dec, &Limits::default()).unwrap();
            let want: Vec<u8> = (0..n as u16).flat_map(|v| v.to_le_bytes()).collect();
            assert_eq!(out, ArrayBytes::Fixed(want), "shape {shape:?} order {order:?}");
        }
    }
}
