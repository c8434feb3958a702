//! A `.npy` writer (NumPy format version 1.0: magic, header dict padded to a multiple
//! of 64 bytes, then C-order data) for decoded selections.
//!
//! Fixed-size types are written as their little-endian dtype. Variable-length strings
//! have no fixed-size npy form: they are written as `<U{max_len}` UCS-4 strings.

use crate::codecs::ArrayBytes;
use crate::zarr::data_type::DataType;
use crate::zarr::digest::elements_as_json;
use crate::zarr::selection::ArrayData;

/// Serialise `data` as a `.npy` file.
pub fn to_npy(data: &ArrayData) -> Vec<u8> {
    let (descr, body) = match (&data.data, &data.data_type) {
        (ArrayBytes::Fixed(b), dt) => (dt.numpy_str(), b.clone()),
        (ArrayBytes::Variable(_), _) => {
            let strings: Vec<String> = elements_as_json(data)
                .into_iter()
                .map(|v| match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                })
                .collect();
            let width = strings.iter().map(|s| s.chars().count()).max().unwrap_or(0).max(1);
            let mut body = Vec::with_capacity(strings.len() * width * 4);
            for s in &strings {
                let mut n = 0;
                for c in s.chars() {
                    body.extend_from_slice(&(c as u32).to_le_bytes());
                    n += 1;
                }
                body.resize(body.len() + (width - n) * 4, 0);
            }
            (DataType::FixedUnicode(width as u32).numpy_str(), body)
        }
    };
    let shape = match data.shape.len() {
        0 => "()".to_string(),
        1 => format!("({},)", data.shape[0]),
        _ => format!("({})", data.shape.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")),
    };
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    // magic (6) + version (2) + header length (2) + header + '\n', padded to 64.
    let total = 10 + header.len() + 1;
    header.push_str(&" ".repeat((64 - total % 64) % 64));
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + body.len());
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_aligned() {
        let d = ArrayData { data: ArrayBytes::Fixed(vec![1, 0, 2, 0]), shape: vec![2], data_type: DataType::Int16 };
        let npy = to_npy(&d);
        assert_eq!(&npy[..8], b"\x93NUMPY\x01\x00");
        let hl = u16::from_le_bytes([npy[8], npy[9]]) as usize;
        assert_eq!((10 + hl) % 64, 0);
        let h = std::str::from_utf8(&npy[10..10 + hl]).unwrap();
        assert!(h.starts_with("{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }"));
        assert_eq!(&npy[10 + hl..], &[1, 0, 2, 0]);
    }
}
