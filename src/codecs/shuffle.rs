//! The numcodecs `shuffle` filter (v2 `{"id": "shuffle", "elementsize"}`, v3
//! `numcodecs.shuffle`): a byte shuffle of the whole serialised buffer with elements of
//! `elementsize` bytes (byte `b` of every element stored together). It acts on bytes, so
//! it is a bytes→bytes codec in the v3 model. Trailing bytes that do not fill an element
//! are kept in place.

use super::common::{config_object, get_i64, output_cap, over_cap};
use super::BytesToBytesCodec;
use crate::error::CodecError;
use crate::limits::Limits;
use serde_json::Value;

const NAME: &str = "shuffle";

/// The shuffle filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShuffleCodec {
    /// Element size in bytes (numcodecs default 4).
    pub elementsize: usize,
}

impl ShuffleCodec {
    /// From a numcodecs configuration (`elementsize` optional, default 4).
    ///
    /// # Errors
    /// `Config` when `elementsize` is not a positive integer.
    pub fn from_config(config: Option<&Value>) -> Result<Self, CodecError> {
        let cfg = config_object(config);
        let e = get_i64(NAME, &cfg, "elementsize")?.unwrap_or(4);
        let elementsize = usize::try_from(e)
            .ok()
            .filter(|&e| e > 0)
            .ok_or_else(|| super::common::config_err(NAME, format!("elementsize {e} must be positive")))?;
        Ok(ShuffleCodec { elementsize })
    }
}

impl BytesToBytesCodec for ShuffleCodec {
    fn decode(&self, encoded: Vec<u8>, expected_size: Option<u64>, limits: &Limits) -> Result<Vec<u8>, CodecError> {
        let cap = output_cap(expected_size, limits)?;
        if encoded.len() > cap {
            return Err(over_cap(NAME, expected_size, encoded.len() as u64, limits));
        }
        if self.elementsize <= 1 {
            return Ok(encoded);
        }
        let mut out = vec![0u8; encoded.len()];
        crate::kernels::shuffle::byte_unshuffle(&encoded, &mut out, self.elementsize);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unshuffles() {
        let c = ShuffleCodec::from_config(Some(&json!({"id": "shuffle", "elementsize": 2}))).unwrap();
        let out = c.decode(vec![1, 2, 3, 10, 20, 30, 99], None, &Limits::default()).unwrap();
        assert_eq!(out, vec![1, 10, 2, 20, 3, 30, 99]);
        assert!(ShuffleCodec::from_config(Some(&json!({"elementsize": 0}))).is_err());
        assert!(c.decode(vec![0; 10], Some(8), &Limits::default()).is_err());
    }
}
