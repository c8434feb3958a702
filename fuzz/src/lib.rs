//! Shared pieces of the fuzz targets: small limits, an in-memory [`RangeSource`], the
//! table of registry codecs the `codec_decode` target picks from, and a blocking
//! executor. Kept in a library so the regression tests under `tests/regressions/` and
//! the targets drive the crate the same way.

use async_trait::async_trait;
use bytes::Bytes;
use rangetile::error::IoError;
use rangetile::io::{ByteRange, RangeSource};
use rangetile::Limits;
use serde_json::{json, Value};

/// Limits small enough that a fuzz input can reach every cap quickly, and that no
/// accepted input can make a run allocate much.
pub fn small_limits() -> Limits {
    Limits {
        max_decoded_chunk_bytes: 1 << 20,
        max_encoded_chunk_bytes: 1 << 20,
        max_output_bytes: 1 << 20,
        max_dims: 8,
        max_chunks_per_selection: 1024,
        max_metadata_bytes: 1 << 20,
        max_whole_download_bytes: 1 << 20,
        header_read_ahead: 1024,
        max_header_bytes: 1 << 20,
        max_in_flight_bytes: 1 << 22,
        max_tiles: 4096,
        max_image_side: 4096,
    }
}

/// Run a future to completion on the current thread.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    futures::executor::block_on(f)
}

/// One object in memory, read by ranges (clipped at the end as HTTP clips them).
#[derive(Debug, Clone)]
pub struct MemSource {
    pub data: Bytes,
}

#[async_trait(?Send)]
impl RangeSource for MemSource {
    fn location(&self) -> &str {
        "mem://fuzz"
    }
    async fn len(&self) -> Result<u64, IoError> {
        Ok(self.data.len() as u64)
    }
    async fn get_ranges(&self, ranges: &[ByteRange]) -> Result<Vec<Bytes>, IoError> {
        let total = self.data.len() as u64;
        ranges
            .iter()
            .map(|r| {
                let (s, e) = r.resolve(total)?;
                Ok(self.data.slice(s as usize..e as usize))
            })
            .collect()
    }
    async fn get_all(&self, max: u64) -> Result<Bytes, IoError> {
        rangetile::limits::check("whole object bytes", self.data.len() as u64, max)?;
        Ok(self.data.clone())
    }
}

/// How a table entry of [`codec_table`] is built.
#[derive(Debug, Clone)]
pub enum CodecConfig {
    /// A numcodecs (v2) configuration.
    V2(Value),
    /// A v3 `{name, configuration}`.
    V3(&'static str, Value),
}

/// Every codec of the registry with a working configuration, and the data type the
/// decoded chunk has (a numpy typestr) for array codecs.
pub fn codec_table() -> Vec<(CodecConfig, &'static str)> {
    use CodecConfig::{V2, V3};
    let mut t = vec![
        (V2(json!({"id": "blosc"})), "|u1"),
        (V2(json!({"id": "zstd"})), "|u1"),
        (V2(json!({"id": "gzip"})), "|u1"),
        (V2(json!({"id": "zlib"})), "|u1"),
        (V2(json!({"id": "lz4"})), "|u1"),
        (V2(json!({"id": "bz2"})), "|u1"),
        (V2(json!({"id": "crc32"})), "|u1"),
        (V2(json!({"id": "crc32c"})), "|u1"),
        (V2(json!({"id": "adler32"})), "|u1"),
        (V2(json!({"id": "fletcher32"})), "|u1"),
        (V2(json!({"id": "shuffle", "elementsize": 4})), "|u1"),
        (V2(json!({"id": "layerquantizer0.3b", "nbits": 8})), "|u1"),
        (V2(json!({"id": "layerquantizer0.3b", "nbits": 16, "transform": "none"})), "|u1"),
        (V2(json!({"id": "delta", "dtype": "<i4"})), "<i4"),
        (V2(json!({"id": "fixedscaleoffset", "scale": 10, "offset": 1, "dtype": "<f8", "astype": "<i2"})), "<f8"),
        (V2(json!({"id": "quantize", "digits": 2, "dtype": "<f8"})), "<f8"),
        (V2(json!({"id": "bitround", "keepbits": 5})), "<f4"),
        (V2(json!({"id": "astype", "encode_dtype": "<f4", "decode_dtype": "<f8"})), "<f8"),
        (V2(json!({"id": "vlen-utf8"})), "str"),
        (V2(json!({"id": "vlen-bytes"})), "bytes"),
        (V2(json!({"id": "json2"})), "json"),
        (V3("bytes", json!({"endian": "big"})), "<u2"),
        (V3("bytes", json!({"endian": "little"})), "<f8"),
        (V3("transpose", json!({"order": [1, 0]})), "<u2"),
        (V3("crc32c", json!({})), "|u1"),
        (V3("gzip", json!({"level": 1})), "|u1"),
        (V3("zstd", json!({"level": 1})), "|u1"),
        (V3("blosc", json!({"cname": "lz4", "clevel": 5, "shuffle": "shuffle", "typesize": 4, "blocksize": 0})), "|u1"),
    ];
    // The JPEG 2000 codecs (the crate's default `jpeg2k` feature).
    t.push((V2(json!({"id": "imagecodecs_jpeg2k"})), "|u1"));
    t.push((V2(json!({"id": "jp2io.zarr.Sentinel2Jpeg2000Codec"})), "<u2"));
    t
}

/// The data type of a [`codec_table`] entry.
pub fn table_data_type(t: &str) -> rangetile::zarr::data_type::DataType {
    use rangetile::zarr::data_type::DataType;
    match t {
        "str" => DataType::String,
        "bytes" => DataType::Bytes,
        "json" => DataType::Object,
        t => DataType::from_v2(t, "fuzz").map(|(d, _)| d).unwrap_or(DataType::UInt8),
    }
}
