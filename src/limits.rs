//! Caps on everything an untrusted file or server can make us allocate or do.
//!
//! Every length, count and dimension read from metadata or a byte stream is checked
//! against these before anything is fetched or allocated. Exceeding one gives
//! [`LimitExceeded`] naming the quantity, so a user with trusted data knows which knob
//! to raise.

use crate::error::LimitExceeded;

/// Configurable limits, with defaults safe for a browser tab. Serialised with camelCase
/// field names (missing fields take their defaults), the form the wasm module sends along
/// with a decode job so that a worker decodes under the caller's limits.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Limits {
    /// Bytes of one decoded chunk or tile (after all codecs).
    pub max_decoded_chunk_bytes: u64,
    /// Bytes of one encoded chunk, shard object or tile-part set fetched in one go.
    pub max_encoded_chunk_bytes: u64,
    /// Bytes of one decoded selection or region (the output buffer).
    pub max_output_bytes: u64,
    /// Number of dimensions of an array.
    pub max_dims: u32,
    /// Number of chunks one selection may touch.
    pub max_chunks_per_selection: u64,
    /// Bytes of one metadata document (`.zarray`, `zarr.json`, consolidated, refs JSON).
    pub max_metadata_bytes: u64,
    /// Bytes of a whole-object download when a server ignores `Range` and the caller
    /// allowed whole downloads.
    pub max_whole_download_bytes: u64,
    /// Bytes read ahead when parsing a JPEG 2000 header; extended only as needed, up to
    /// `max_header_bytes`.
    pub header_read_ahead: u64,
    /// Bytes of a JPEG 2000 main header (or of the boxes before it).
    pub max_header_bytes: u64,
    /// Bytes of requests in flight at once for one read: all the (coalesced) requests
    /// one `get_ranges` call sends together, and the tile-parts of one JPEG 2000 read,
    /// checked before any request goes out. Across concurrent reads the HTTP client's
    /// `max_concurrency` bounds how many such reads run at once.
    pub max_in_flight_bytes: u64,
    /// Number of tiles or tile-parts a JPEG 2000 codestream may declare.
    pub max_tiles: u64,
    /// Width or height of an image in pixels.
    pub max_image_side: u64,
}

impl Default for Limits {
    fn default() -> Self {
        const MIB: u64 = 1024 * 1024;
        Limits {
            max_decoded_chunk_bytes: 256 * MIB,
            max_encoded_chunk_bytes: 256 * MIB,
            max_output_bytes: 1024 * MIB,
            max_dims: 32,
            max_chunks_per_selection: 1_000_000,
            max_metadata_bytes: 64 * MIB,
            max_whole_download_bytes: 256 * MIB,
            header_read_ahead: 16 * 1024,
            max_header_bytes: 16 * MIB,
            max_in_flight_bytes: 512 * MIB,
            max_tiles: 1 << 20,
            max_image_side: 1 << 24,
        }
    }
}

/// Check `requested <= max`, naming the quantity in the error.
///
/// # Errors
/// [`LimitExceeded`] when `requested > max`.
pub fn check(what: &'static str, requested: u64, max: u64) -> Result<(), LimitExceeded> {
    if requested > max {
        Err(LimitExceeded { what, requested, max })
    } else {
        Ok(())
    }
}

/// Multiply sizes with overflow reported as a limit error (an overflow is always
/// beyond any limit).
///
/// # Errors
/// [`LimitExceeded`] on overflow of `u64`.
pub fn checked_product(what: &'static str, factors: impl IntoIterator<Item = u64>) -> Result<u64, LimitExceeded> {
    factors.into_iter().try_fold(1u64, |acc, f| {
        acc.checked_mul(f).ok_or(LimitExceeded { what, requested: u64::MAX, max: u64::MAX - 1 })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_travel_as_camel_case_json() {
        let l = Limits { max_decoded_chunk_bytes: 1 << 30, max_tiles: 7, ..Limits::default() };
        let v = serde_json::to_value(&l).unwrap();
        assert_eq!(v["maxDecodedChunkBytes"], 1u64 << 30);
        assert_eq!(serde_json::from_value::<Limits>(v).unwrap(), l);
        // Missing fields take their defaults.
        let partial: Limits = serde_json::from_str(r#"{"maxTiles": 3}"#).unwrap();
        assert_eq!(partial, Limits { max_tiles: 3, ..Limits::default() });
    }

    #[test]
    fn check_and_product() {
        assert!(check("x", 5, 5).is_ok());
        let e = check("x", 6, 5).unwrap_err();
        assert_eq!((e.requested, e.max), (6, 5));
        assert_eq!(checked_product("n", [2, 3, 4]).unwrap(), 24);
        assert!(checked_product("n", [u64::MAX, 2]).is_err());
    }
}
