//! The codec registry: builds a [`Codec`] from Zarr v2 metadata (a numcodecs config,
//! chosen by `"id"`) or Zarr v3 metadata (`{name, configuration}`, including the
//! `numcodecs.*` names zarr-python writes), and maps a whole v2 chain onto the v3 model
//! ([`v2_chain`], rules in [`crate::codecs`]). `sharding_indexed` is not here: the Zarr
//! pipeline builds it. The JPEG 2000 codecs (`imagecodecs_jpeg2k`, `jpeg2k`,
//! `jp2io.zarr.Sentinel2Jpeg2000Codec`, `rangetile_jp2_tile`) live in `crate::jp2::codec`, registered here
//! with the `jpeg2k` feature. Unknown ids/names give [`CodecError::UnsupportedCodec`].

use super::adler32::Adler32Codec;
use super::astype::AsTypeCodec;
use super::bitround::BitRoundCodec;
use super::blosc::BloscCodec;
use super::bytes::BytesCodec;
use super::bz2::Bz2Codec;
use super::common::config_err;
use super::crc32::Crc32Codec;
use super::crc32c::Crc32cCodec;
use super::delta::DeltaCodec;
use super::fixedscaleoffset::FixedScaleOffsetCodec;
use super::fletcher32::Fletcher32Codec;
use super::gzip::GzipCodec;
use super::json2::Json2Codec;
use super::layerquantizer::LayerQuantizerCodec;
use super::lz4::Lz4Codec;
use super::quantize::QuantizeCodec;
use super::shuffle::ShuffleCodec;
use super::transpose::TransposeCodec;
use super::vlen::VlenCodec;
use super::zlib::ZlibCodec;
use super::zstd::ZstdCodec;
use super::{ArrayToArrayCodec, ArrayToBytesCodec, BytesToBytesCodec};
use crate::error::CodecError;
use crate::zarr::data_type::{DataType, Endian};
use serde_json::Value;
use std::sync::Arc;

/// A codec of one of the three kinds.
#[derive(Debug, Clone)]
pub enum Codec {
    /// array → array.
    ArrayToArray(Arc<dyn ArrayToArrayCodec>),
    /// array → bytes.
    ArrayToBytes(Arc<dyn ArrayToBytesCodec>),
    /// bytes → bytes.
    BytesToBytes(Arc<dyn BytesToBytesCodec>),
}

impl Codec {
    fn a2a(c: impl ArrayToArrayCodec + 'static) -> Self {
        Codec::ArrayToArray(Arc::new(c))
    }
    fn a2b(c: impl ArrayToBytesCodec + 'static) -> Self {
        Codec::ArrayToBytes(Arc::new(c))
    }
    fn b2b(c: impl BytesToBytesCodec + 'static) -> Self {
        Codec::BytesToBytes(Arc::new(c))
    }
}

/// Build a codec from a numcodecs (v2) configuration, chosen by its `"id"`.
///
/// # Errors
/// `UnsupportedCodec { id }` for an unknown id, `Config` for a bad configuration.
pub fn from_v2(config: &Value) -> Result<Codec, CodecError> {
    let id = config
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| CodecError::UnsupportedCodec { id: format!("{config} (no \"id\")") })?;
    by_numcodecs_id(id, Some(config))
}

/// The codecs known by their numcodecs id, shared by v2 ids and v3 `numcodecs.<id>` names.
fn by_numcodecs_id(id: &str, config: Option<&Value>) -> Result<Codec, CodecError> {
    Ok(match id {
        "blosc" => Codec::b2b(BloscCodec),
        "zstd" => Codec::b2b(ZstdCodec),
        "gzip" => Codec::b2b(GzipCodec),
        "zlib" => Codec::b2b(ZlibCodec),
        "lz4" => Codec::b2b(Lz4Codec),
        "bz2" => Codec::b2b(Bz2Codec),
        "crc32" => Codec::b2b(Crc32Codec::from_config(config)?),
        "crc32c" => Codec::b2b(Crc32cCodec::from_config(config)?),
        "adler32" => Codec::b2b(Adler32Codec::from_config(config)?),
        "fletcher32" => Codec::b2b(Fletcher32Codec),
        "shuffle" => Codec::b2b(ShuffleCodec::from_config(config)?),
        "delta" => Codec::a2a(DeltaCodec::from_config(config)?),
        "fixedscaleoffset" => Codec::a2a(FixedScaleOffsetCodec::from_config(config)?),
        "quantize" => Codec::a2a(QuantizeCodec::from_config(config)?),
        "bitround" => Codec::a2a(BitRoundCodec::from_config(config)?),
        "astype" => Codec::a2a(AsTypeCodec::from_config(config)?),
        "vlen-utf8" => Codec::a2b(VlenCodec::utf8()),
        "vlen-bytes" => Codec::a2b(VlenCodec::bytes()),
        "json2" => Codec::a2b(Json2Codec),
        lq if lq.starts_with("layerquantizer") => {
            if lq != "layerquantizer0.3b" {
                return Err(CodecError::UnsupportedCodec { id: lq.to_string() });
            }
            Codec::b2b(LayerQuantizerCodec::from_config(config)?)
        }
        // JPEG 2000 chunks (src/jp2/codec.rs; specs/jpeg2k-zarr-codec.md, s2-virtual-jp2.md).
        #[cfg(feature = "jpeg2k")]
        "imagecodecs_jpeg2k" | "jpeg2k" => {
            Codec::b2b(crate::jp2::codec::Jpeg2kCodec::from_config(config.unwrap_or(&Value::Null))?)
        }
        #[cfg(feature = "jpeg2k")]
        "jp2io.zarr.Sentinel2Jpeg2000Codec" => {
            Codec::b2b(crate::jp2::codec::S2VirtualJp2Codec::from_config(config.unwrap_or(&Value::Null))?)
        }
        // The virtual Zarr arrays `rangetile refs` writes (src/jp2/virtual_zarr.rs).
        #[cfg(feature = "jpeg2k")]
        "rangetile_jp2_tile" => {
            Codec::b2b(crate::jp2::codec::Jp2TileCodec::from_config(config.unwrap_or(&Value::Null))?)
        }
        other => return Err(CodecError::UnsupportedCodec { id: other.to_string() }),
    })
}

/// Build a codec from a v3 `{name, configuration}`. Accepts the core names (`bytes`,
/// `transpose`, `gzip`, `zstd`, `blosc`, `crc32c`, `vlen-utf8`, `vlen-bytes`),
/// `numcodecs.<id>` names as zarr-python writes them, and bare numcodecs ids.
///
/// # Errors
/// `UnsupportedCodec { id }` for an unknown name, `Config` for a bad configuration.
pub fn from_v3(name: &str, configuration: Option<&Value>) -> Result<Codec, CodecError> {
    match name {
        "bytes" | "endian" => Ok(Codec::a2b(BytesCodec::from_config(configuration)?)),
        "transpose" => Ok(Codec::a2a(TransposeCodec::from_config(configuration)?)),
        "sharding_indexed" => {
            Err(CodecError::UnsupportedCodec { id: "sharding_indexed (built by the Zarr pipeline)".into() })
        }
        n => by_numcodecs_id(n.strip_prefix("numcodecs.").unwrap_or(n), configuration),
    }
}

/// Whether a numcodecs v2 filter acts on the array (before the array→bytes step).
fn is_array_filter(c: &Codec) -> bool {
    !matches!(c, Codec::BytesToBytes(_))
}

/// Map a Zarr v2 chain onto the v3 model `[array→array*, array→bytes, bytes→bytes*]`
/// following the rules documented in [`crate::codecs`]: `transpose` for order F, the
/// numeric filters, `bytes` (with the byte order of the last numeric filter's `astype`
/// typestr, else `endian`, the dtype's) or the object codec for `|O`, the byte-level
/// filters, then the compressor.
///
/// # Errors
/// `UnsupportedCodec` for unknown ids, `Config` for a `|O` array without an object codec
/// or an object codec on a fixed-size array, `Unsupported` for a numeric filter after a
/// byte-level one.
pub fn v2_chain(
    filters: &[Value],
    compressor: Option<&Value>,
    fortran: bool,
    endian: Endian,
    data_type: &DataType,
    ndim: usize,
) -> Result<Vec<Codec>, CodecError> {
    let mut array_filters: Vec<Codec> = Vec::new();
    let mut object_codec: Option<Codec> = None;
    let mut byte_filters: Vec<Codec> = Vec::new();
    let mut last_endian: Option<Endian> = None;
    for f in filters {
        let c = from_v2(f)?;
        match &c {
            Codec::ArrayToArray(a) if byte_filters.is_empty() && object_codec.is_none() => {
                if let Some(e) = a.encoded_endian() {
                    last_endian = Some(e);
                }
                array_filters.push(c);
            }
            Codec::ArrayToBytes(_) if byte_filters.is_empty() && object_codec.is_none() => object_codec = Some(c),
            Codec::BytesToBytes(_) => byte_filters.push(c),
            _ => {
                return Err(CodecError::Unsupported {
                    codec: "v2 filters",
                    feature: format!("filter {f} after a byte-level or object filter"),
                })
            }
        }
    }
    debug_assert!(array_filters.iter().all(is_array_filter));
    let mut chain = Vec::new();
    if fortran && ndim > 1 {
        chain.push(Codec::a2a(TransposeCodec::fortran(ndim)));
    }
    chain.extend(array_filters);
    match (data_type.is_variable(), object_codec) {
        (true, Some(o)) => chain.push(o),
        (true, None) => {
            return Err(config_err("v2 filters", "an object (|O) array needs vlen-utf8, vlen-bytes or json2"))
        }
        (false, Some(_)) => return Err(config_err("v2 filters", "an object codec on a fixed-size data type")),
        (false, None) => chain.push(Codec::a2b(BytesCodec::new(last_endian.unwrap_or(endian)))),
    }
    chain.extend(byte_filters);
    if let Some(c) = compressor.filter(|c| !c.is_null()) {
        chain.push(from_v2(c)?);
    }
    Ok(chain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn kinds(chain: &[Codec]) -> String {
        chain
            .iter()
            .map(|c| match c {
                Codec::ArrayToArray(_) => 'A',
                Codec::ArrayToBytes(_) => 'S',
                Codec::BytesToBytes(_) => 'B',
            })
            .collect()
    }

    #[test]
    fn v2_and_v3_names() {
        for id in
            ["blosc", "zstd", "gzip", "zlib", "lz4", "bz2", "crc32", "adler32", "fletcher32", "vlen-utf8", "json2"]
        {
            assert!(from_v2(&json!({"id": id})).is_ok(), "{id}");
        }
        assert!(matches!(from_v2(&json!({"id": "delta", "dtype": "<i2"})), Ok(Codec::ArrayToArray(_))));
        assert!(matches!(from_v2(&json!({"id": "shuffle", "elementsize": 2})), Ok(Codec::BytesToBytes(_))));
        assert!(matches!(from_v2(&json!({"id": "nope"})), Err(CodecError::UnsupportedCodec { id }) if id == "nope"));
        assert!(matches!(from_v2(&json!({"cname": "lz4"})), Err(CodecError::UnsupportedCodec { .. })));
        for name in [
            "numcodecs.delta",
            "numcodecs.bz2",
            "numcodecs.zlib",
            "numcodecs.adler32",
            "numcodecs.fletcher32",
            "numcodecs.shuffle",
            "numcodecs.lz4",
            "numcodecs.fixedscaleoffset",
        ] {
            let cfg = json!({"dtype": "int32", "scale": 1, "offset": 0});
            assert!(from_v3(name, Some(&cfg)).is_ok(), "{name}");
        }
        assert!(matches!(from_v3("bytes", Some(&json!({"endian": "big"}))), Ok(Codec::ArrayToBytes(_))));
        assert!(matches!(from_v3("transpose", Some(&json!({"order": [1, 0]}))), Ok(Codec::ArrayToArray(_))));
        assert!(matches!(from_v3("crc32c", None), Ok(Codec::BytesToBytes(_))));
        assert!(matches!(from_v3("vlen-utf8", Some(&json!({}))), Ok(Codec::ArrayToBytes(_))));
        assert!(matches!(from_v3("made.up", None), Err(CodecError::UnsupportedCodec { .. })));
        assert!(matches!(from_v2(&json!({"id": "layerquantizer0.4"})), Err(CodecError::UnsupportedCodec { .. })));
        assert!(from_v2(&json!({"id": "layerquantizer0.3b", "nbits": 16})).is_ok());
        #[cfg(feature = "jpeg2k")]
        for cfg in [
            json!({"id": "imagecodecs_jpeg2k", "planar": null}),
            json!({"id": "jpeg2k", "level": 50}),
            json!({"id": "jp2io.zarr.Sentinel2Jpeg2000Codec", "name": "jp2io.zarr.Sentinel2Jpeg2000Codec"}),
        ] {
            assert!(matches!(from_v2(&cfg), Ok(Codec::BytesToBytes(_))), "{cfg}");
        }
    }

    #[test]
    fn v2_chains() {
        let delta = json!({"id": "delta", "dtype": "<i2", "astype": "<i2"});
        let shuffle = json!({"id": "shuffle", "elementsize": 2});
        let zlib = json!({"id": "zlib", "level": 1});
        let c = v2_chain(&[delta.clone(), shuffle.clone()], Some(&zlib), false, Endian::Little, &DataType::Int16, 1)
            .unwrap();
        assert_eq!(kinds(&c), "ASBB");
        let c = v2_chain(&[], None, true, Endian::Big, &DataType::Int32, 3).unwrap();
        assert_eq!(kinds(&c), "AS");
        let c = v2_chain(
            &[json!({"id": "vlen-utf8"})],
            Some(&json!({"id": "blosc"})),
            false,
            Endian::Little,
            &DataType::Object,
            3,
        )
        .unwrap();
        assert_eq!(kinds(&c), "SB");
        assert!(v2_chain(&[], None, false, Endian::Little, &DataType::Object, 1).is_err());
        assert!(v2_chain(&[shuffle, delta], None, false, Endian::Little, &DataType::Int16, 1).is_err());
        assert!(v2_chain(&[json!({"id": "json2"})], None, false, Endian::Little, &DataType::Int16, 1).is_err());
        assert!(v2_chain(&[], Some(&json!({"id": "snappy"})), false, Endian::Little, &DataType::Int16, 1).is_err());
    }

    #[test]
    fn garbage_never_panics() {
        let mut rng = crate::kernels::TestRng::new(42);
        let limits = crate::limits::Limits { max_decoded_chunk_bytes: 1 << 20, ..Default::default() };
        let ids = [
            "blosc",
            "zstd",
            "gzip",
            "zlib",
            "lz4",
            "bz2",
            "crc32",
            "adler32",
            "fletcher32",
            "shuffle",
            "crc32c",
            "layerquantizer0.3b",
        ];
        // Valid-looking prefixes so the decoders get past their magic numbers.
        let prefixes: [&[u8]; 6] = [
            &[],
            &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3],
            &[0x78, 0x9c],
            &[0x28, 0xb5, 0x2f, 0xfd],
            b"BZh9",
            &[2, 1, 0x21, 4, 0, 4, 0, 0, 0, 4, 0, 0, 64, 0, 0, 0],
        ];
        for id in ids {
            let Codec::BytesToBytes(c) = from_v2(&json!({"id": id})).unwrap() else { panic!("{id}") };
            for round in 0..300 {
                let mut input = prefixes[round % prefixes.len()].to_vec();
                let n = rng.below(300);
                input.extend(rng.bytes(n));
                let expected = if round % 2 == 0 { None } else { Some(rng.below(5000) as u64) };
                let _ = c.decode(input, expected, &limits);
            }
        }
    }

    /// Decode through a chain the way the pipeline does.
    fn run_chain(chain: &[Codec], bytes: Vec<u8>, repr: &crate::codecs::ChunkRepr) -> crate::codecs::ArrayBytes {
        let limits = crate::limits::Limits::default();
        let mut reprs = vec![repr.clone()];
        let (mut a2a, mut a2b, mut b2b) = (Vec::new(), None, Vec::new());
        for c in chain {
            match c {
                Codec::ArrayToArray(a) => {
                    reprs.push(a.encoded_repr(reprs.last().unwrap()).unwrap());
                    a2a.push(a.clone());
                }
                Codec::ArrayToBytes(s) => a2b = Some(s.clone()),
                Codec::BytesToBytes(b) => b2b.push(b.clone()),
            }
        }
        let mut data = bytes;
        for b in b2b.iter().rev() {
            data = b.decode(data, None, &limits).unwrap();
        }
        let mut arr = a2b.unwrap().decode(data, reprs.last().unwrap(), &limits).unwrap();
        for (i, a) in a2a.iter().enumerate().rev() {
            arr = a.decode(arr, &reprs[i], &limits).unwrap();
        }
        arr
    }

    #[test]
    fn v2_chain_byte_order_and_f_order() {
        use crate::codecs::{ArrayBytes, ChunkRepr};
        use crate::zarr::data_type::FillValue;
        // dtype >i4, delta stored as >i2, zlib: values 1, 3, 6 are stored as 1, 2, 3 big-endian i2.
        let filters = [json!({"id": "delta", "dtype": ">i4", "astype": ">i2"})];
        let chain = v2_chain(&filters, Some(&json!({"id": "zlib"})), false, Endian::Big, &DataType::Int32, 1).unwrap();
        let stored = miniz_oxide::deflate::compress_to_vec_zlib(&[0, 1, 0, 2, 0, 3], 6);
        let repr = ChunkRepr { shape: vec![3], data_type: DataType::Int32, fill_value: FillValue::Fixed(vec![0; 4]) };
        let want: Vec<u8> = [1i32, 3, 6].iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(run_chain(&chain, stored, &repr), ArrayBytes::Fixed(want));
        // Order F with delta: the deltas run over the F-order memory 1,4,2,5,3,6.
        let filters = [json!({"id": "delta", "dtype": "<i2"})];
        let chain = v2_chain(&filters, None, true, Endian::Little, &DataType::Int16, 2).unwrap();
        let stored: Vec<u8> = [1i16, 3, -2, 3, -2, 3].iter().flat_map(|v| v.to_le_bytes()).collect();
        let repr =
            ChunkRepr { shape: vec![2, 3], data_type: DataType::Int16, fill_value: FillValue::Fixed(vec![0; 2]) };
        let want: Vec<u8> = [1i16, 2, 3, 4, 5, 6].iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(run_chain(&chain, stored, &repr), ArrayBytes::Fixed(want));
    }
}
