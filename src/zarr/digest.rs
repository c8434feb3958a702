//! The corpus digest convention (testdata MANIFEST §0): numeric and bool arrays hash
//! their C-order little-endian bytes (`sha256_c_order_le`); string and object arrays
//! hash `json.dumps(flat C-order list, ensure_ascii=False)` as Python writes it
//! (`sha256_of_json_list_c_order`): `", "` and `": "` separators, non-ASCII kept, Python
//! float repr, `NaN`/`Infinity` spelled as Python does.

use crate::codecs::{ArrayBytes, VarElement};
use crate::zarr::data_type::DataType;
use crate::zarr::selection::ArrayData;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Whether `dt` uses the JSON-list digest rather than raw bytes.
pub fn uses_json_digest(dt: &DataType) -> bool {
    matches!(
        dt,
        DataType::FixedBytes(_) | DataType::FixedUnicode(_) | DataType::String | DataType::Bytes | DataType::Object
    )
}

/// The hex sha256 of `data` under the corpus convention for its data type.
pub fn sha256_hex(data: &ArrayData) -> String {
    let mut h = Sha256::new();
    if uses_json_digest(&data.data_type) {
        h.update(json_list(data).as_bytes());
    } else if let ArrayBytes::Fixed(b) = &data.data {
        h.update(b);
    }
    hex::encode(h.finalize())
}

/// The elements of a string-like array as Python values would print them.
pub fn elements_as_json(data: &ArrayData) -> Vec<Value> {
    match (&data.data, &data.data_type) {
        (ArrayBytes::Variable(v), _) => v
            .iter()
            .map(|e| match e {
                VarElement::String(s) => Value::String(s.clone()),
                VarElement::Bytes(b) => Value::String(String::from_utf8_lossy(b).into_owned()),
                VarElement::Json(j) => j.clone(),
            })
            .collect(),
        (ArrayBytes::Fixed(b), DataType::FixedBytes(n)) => {
            let n = (*n as usize).max(1);
            b.chunks(n)
                .map(|c| {
                    let end = c.iter().rposition(|x| *x != 0).map_or(0, |p| p + 1);
                    Value::String(String::from_utf8_lossy(&c[..end]).into_owned())
                })
                .collect()
        }
        (ArrayBytes::Fixed(b), DataType::FixedUnicode(n)) => {
            let n = (*n as usize).max(1) * 4;
            b.chunks(n)
                .map(|c| {
                    let mut cps: Vec<u32> =
                        c.chunks_exact(4).map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]])).collect();
                    while cps.last() == Some(&0) {
                        cps.pop();
                    }
                    Value::String(cps.into_iter().map(|c| char::from_u32(c).unwrap_or('\u{fffd}')).collect())
                })
                .collect()
        }
        (ArrayBytes::Fixed(_), _) => Vec::new(),
    }
}

/// `json.dumps(flat list, ensure_ascii=False)` of the elements.
pub fn json_list(data: &ArrayData) -> String {
    let mut s = String::new();
    python_dumps(&Value::Array(elements_as_json(data)), &mut s);
    s
}

/// Write `v` as Python's `json.dumps(v, ensure_ascii=False)` would.
pub fn python_dumps(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if n.is_f64() {
                out.push_str(&python_float_repr(n.as_f64().unwrap_or(f64::NAN)));
            } else {
                out.push_str(&n.to_string());
            }
        }
        Value::String(s) => python_str(s, out),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                python_dumps(x, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                python_str(k, out);
                out.push_str(": ");
                python_dumps(x, out);
            }
            out.push('}');
        }
    }
}

fn python_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Python's `repr(float)`: shortest round-trip digits, fixed notation for exponents in
/// `[-4, 16)`, otherwise `d.ddde+XX`.
pub fn python_float_repr(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    let e = format!("{x:e}");
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    if (-4..16).contains(&exp) {
        if exp < 0 {
            s.push_str("0.");
            for _ in 0..(-exp - 1) {
                s.push('0');
            }
            s.push_str(&digits);
        } else {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                s.push_str(&digits);
                for _ in digits.len()..int_len {
                    s.push('0');
                }
                s.push_str(".0");
            } else {
                s.push_str(&digits[..int_len]);
                s.push('.');
                s.push_str(&digits[int_len..]);
            }
        }
    } else {
        s.push_str(&digits[..1]);
        if digits.len() > 1 {
            s.push('.');
            s.push_str(&digits[1..]);
        }
        s.push_str(&format!("e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs()));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn python_formatting() {
        let mut s = String::new();
        python_dumps(&json!(["a", "é\"\n", {"k": [1, 2.5]}, null, true]), &mut s);
        assert_eq!(s, "[\"a\", \"é\\\"\\n\", {\"k\": [1, 2.5]}, null, true]");
        assert_eq!(python_float_repr(1e16), "1e+16");
        assert_eq!(python_float_repr(1.5e-5), "1.5e-05");
        assert_eq!(python_float_repr(0.0001), "0.0001");
        assert_eq!(python_float_repr(123.0), "123.0");
        assert_eq!(python_float_repr(-2.5), "-2.5");
        assert_eq!(python_float_repr(1234567890123456.0), "1234567890123456.0");
    }

    #[test]
    fn corpus_string_digest() {
        // MANIFEST: ['a', 'b', 'cc', 'd'] hashes to 6193fa06...
        let data = ArrayData {
            data: ArrayBytes::Fixed(b"a\0\0b\0\0cc\0d\0\0".to_vec()),
            shape: vec![4],
            data_type: DataType::FixedBytes(3),
        };
        assert_eq!(sha256_hex(&data), "6193fa06124c074ed4174237bc529601f468d0be20f75000198205c284ed3082");
    }
}
