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

/// Fuzz target `zarr_v2_metadata`: Zarr v2 metadata: `.zarray` (+ `.zattrs`) parsing, the v2→v3 codec chain mapping and
/// pipeline construction, and `.zmetadata` consolidated documents. Input: the document.
pub fn zarr_v2_metadata(data: &[u8]) {
    use rangetile::zarr::metadata::{parse_json, parse_v2_consolidated, ArrayMetadata};
    use rangetile::zarr::pipeline::CodecPipeline;
    use rangetile::zarr::recipe::ChunkRecipe;
    let limits = small_limits();
    let Ok(doc) = parse_json(data, "a", &limits) else { return };
    let _ = parse_v2_consolidated(&doc, "", &limits);
    let attrs = doc.get(".zattrs").cloned();
    if let Ok(meta) = ArrayMetadata::from_v2(&doc, attrs.as_ref(), "a", &limits) {
        let _ = meta.grid_shape();
        let _ = meta.codecs_json();
        if CodecPipeline::from_metadata(&meta, "a", &limits).is_ok() {
            let recipe = ChunkRecipe::new(&meta, false);
            if let Ok(c) = ChunkRecipe::from_json(&recipe.to_json()).and_then(|r| r.compile(&limits)) {
                // Decoding an empty chunk must give a typed error or a capped value.
                if let Ok(rangetile::codecs::ArrayBytes::Fixed(b)) = c.decode(Vec::new(), &limits) {
                    assert!(b.len() as u64 <= limits.max_decoded_chunk_bytes);
                }
            }
        }
    }
}

/// Fuzz target `zarr_v3_metadata`: Zarr v3 metadata: `zarr.json` of arrays and groups (with consolidated metadata),
/// data types, fill values, chunk key encodings, codec lists (sharding included) and
/// the chunk recipe built from them. Input: the document.
pub fn zarr_v3_metadata(data: &[u8]) {
    use rangetile::zarr::metadata::{parse_json, parse_v3_node, NodeMetadata};
    use rangetile::zarr::pipeline::CodecPipeline;
    use rangetile::zarr::recipe::ChunkRecipe;
    let limits = small_limits();
    let Ok(doc) = parse_json(data, "a", &limits) else { return };
    let Ok((NodeMetadata::Array(meta), _)) = parse_v3_node(&doc, "a", &limits) else { return };
    let _ = meta.grid_shape();
    let _ = meta.chunk_key_encoding.key(&vec![1; meta.ndim()]);
    if CodecPipeline::from_metadata(&meta, "a", &limits).is_ok() {
        for inner in [false, true] {
            let recipe = ChunkRecipe::new(&meta, inner);
            if let Ok(c) = ChunkRecipe::from_json(&recipe.to_json()).and_then(|r| r.compile(&limits)) {
                if let Ok(rangetile::codecs::ArrayBytes::Fixed(b)) = c.decode(vec![0; 16], &limits) {
                    assert!(b.len() as u64 <= limits.max_decoded_chunk_bytes);
                }
            }
        }
    }
}

/// Fuzz target `codec_decode`: Every decoder of the codec registry, chosen by the first input byte from
/// [`codec_table`]; the next two bytes give the decoded chunk's element
/// count (array codecs), the third whether the pipeline passes an expected size
/// (bytes→bytes codecs). The output must never exceed its cap, and a bytes→bytes codec
/// that decodes must decode in place (`decode_into`, what `decodeChunkInto` uses) to the
/// same bytes, and refuse a buffer one byte longer.
pub fn codec_decode(data: &[u8]) {
    use rangetile::codecs::registry::{from_v2, from_v3, Codec};
    use rangetile::codecs::{ArrayBytes, ChunkRepr};
    use rangetile::zarr::data_type::FillValue;
    let [sel, n0, n1, flags, rest @ ..] = data else { return };
    let table = codec_table();
    let (config, typestr) = &table[usize::from(*sel) % table.len()];
    let codec = match config {
        CodecConfig::V2(v) => from_v2(v),
        CodecConfig::V3(name, v) => from_v3(name, Some(v)),
    }
    .expect("every table entry builds");
    let limits = small_limits();
    let n = u64::from(u16::from_le_bytes([*n0, *n1]));
    let data_type = table_data_type(typestr);
    let shape = if matches!(config, CodecConfig::V3("transpose", _)) { vec![n % 64 + 1, n / 64 + 1] } else { vec![n] };
    let elem = data_type.size().map(|s| s as u64);
    let repr = ChunkRepr { shape, data_type, fill_value: FillValue::Fixed(Vec::new()) };
    let fixed_cap = elem.map(|s| repr.num_elements() * s);
    match codec {
        Codec::BytesToBytes(c) => {
            let expected = (flags & 1 == 1).then_some(n);
            let cap = expected.unwrap_or(limits.max_decoded_chunk_bytes);
            match c.decode(rest.to_vec(), expected, &limits) {
                Ok(out) => {
                    assert!(out.len() as u64 <= cap, "{} bytes out, cap {cap}", out.len());
                    // In place (decodeChunkInto): the same bytes into a buffer of the
                    // decoded size, an error into one byte more.
                    let mut into = vec![0xA5u8; out.len()];
                    c.decode_into(rest.to_vec(), &mut into, &limits).expect("decode_into where decode succeeds");
                    assert!(into == out, "decode_into differs from decode");
                    let mut longer = vec![0u8; out.len() + 1];
                    assert!(
                        c.decode_into(rest.to_vec(), &mut longer, &limits).is_err(),
                        "decode_into accepted a longer buffer"
                    );
                }
                Err(_) => {
                    // Any size: an error or bytes, never a panic or a write past `out`.
                    let mut into = vec![0u8; (n as usize).min(1 << 16)];
                    let _ = c.decode_into(rest.to_vec(), &mut into, &limits);
                }
            }
        }
        Codec::ArrayToBytes(c) => {
            if let Ok(ArrayBytes::Fixed(out)) = c.decode(rest.to_vec(), &repr, &limits) {
                assert_eq!(Some(out.len() as u64), fixed_cap);
            } else if let Ok(ArrayBytes::Variable(v)) = c.decode(rest.to_vec(), &repr, &limits) {
                assert_eq!(v.len() as u64, repr.num_elements());
            }
        }
        Codec::ArrayToArray(c) => {
            // In a pipeline an array→array codec gets exactly its encoded representation's
            // bytes (the array→bytes step checks the size): give it that many.
            let Ok(enc) = c.encoded_repr(&repr) else { return };
            let Some(size) = enc.data_type.size().map(|s| enc.num_elements() * s as u64) else { return };
            if size > limits.max_decoded_chunk_bytes {
                return;
            }
            let input: Vec<u8> = rest.iter().copied().cycle().chain(std::iter::repeat(0)).take(size as usize).collect();
            if let Ok(ArrayBytes::Fixed(out)) = c.decode(ArrayBytes::Fixed(input), &repr, &limits) {
                assert_eq!(Some(out.len() as u64), fixed_cap);
            }
        }
    }
}

/// Fuzz target `blosc_frame`: Blosc frames (header, block offsets, split streams, every inner compressor, shuffle
/// and bitshuffle), with and without the expected size the pipeline knows. Input: the
/// frame; its last byte (when the frame is at least 17 bytes) says whether to pass the
/// header's own size as the expected size.
pub fn blosc_frame(data: &[u8]) {
    use rangetile::codecs::blosc::{decompress, BloscHeader};
    let limits = small_limits();
    let _ = BloscHeader::parse(data);
    if let Ok(out) = decompress(data, None, &limits) {
        assert!(out.len() as u64 <= limits.max_decoded_chunk_bytes);
    }
    // The declared size (bytes 4..8) as the expected one: must match exactly or fail.
    if let Some(n) = data.get(4..8) {
        let n = u64::from(u32::from_le_bytes([n[0], n[1], n[2], n[3]]));
        if let Ok(out) = decompress(data, Some(n), &limits) {
            assert_eq!(out.len() as u64, n);
        }
    }
}

/// Fuzz target `shard_index`: Sharding (`sharding_indexed`): the shard index (entries, crc32c, start/end location,
/// both byte orders) and whole-shard decoding with inner codecs, under the shapes and
/// configurations of the corpus' sharded arrays (so its shards are valid seeds). Every
/// input is tried against every configuration.
pub fn shard_index(data: &[u8]) {
    use rangetile::codecs::{ArrayBytes, ChunkRepr};
    use rangetile::zarr::data_type::{DataType, FillValue};
    use rangetile::zarr::sharding::ShardingCodec;
    use serde_json::{json, Value};
    fn configs() -> Vec<(Value, Vec<u64>, DataType, usize)> {
        vec![
            (
                json!({"chunk_shape": [16, 32], "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                    {"name": "zstd", "configuration": {"level": 3}}],
                    "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}],
                    "index_location": "end"}),
                vec![64, 64],
                DataType::Float32,
                4,
            ),
            (
                json!({"chunk_shape": [16, 24], "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                    {"name": "blosc", "configuration": {"typesize": 2, "cname": "lz4", "clevel": 5, "shuffle": "bitshuffle", "blocksize": 0}}],
                    "index_codecs": [{"name": "bytes", "configuration": {"endian": "big"}}, {"name": "crc32c"}],
                    "index_location": "end"}),
                vec![48, 48],
                DataType::UInt16,
                2,
            ),
            (
                json!({"chunk_shape": [2, 2], "codecs": [{"name": "bytes"}, {"name": "gzip", "configuration": {"level": 1}}, {"name": "crc32c"}],
                    "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
                    "index_location": "start"}),
                vec![4, 6],
                DataType::Int16,
                2,
            ),
            (
                json!({"chunk_shape": [8, 8], "codecs": [{"name": "sharding_indexed", "configuration": {
                        "chunk_shape": [4, 4], "codecs": [{"name": "bytes"}],
                        "index_codecs": [{"name": "bytes"}, {"name": "crc32c"}], "index_location": "start"}}],
                    "index_codecs": [{"name": "bytes"}, {"name": "crc32c"}], "index_location": "end"}),
                vec![16, 16],
                DataType::UInt8,
                1,
            ),
        ]
    }
    let limits = small_limits();
    for (config, shape, data_type, elem) in configs() {
        let codec = ShardingCodec::from_config(Some(&config), "s", &limits).expect("config builds");
        let n: u64 = codec.chunks_per_shard(&shape).expect("shape divides").iter().product();
        let size = codec.index_size(n, &limits).expect("index size");
        // The index alone, at the end or the start of the input.
        if data.len() as u64 >= size {
            let tail = data[data.len() - size as usize..].to_vec();
            if let Ok(index) = codec.decode_index(tail, n, Some(data.len() as u64), "s", &limits) {
                assert_eq!(index.len() as u64, n);
                for k in 0..index.len() {
                    if let Some((off, len)) = index.get(k) {
                        assert!(off.checked_add(len).is_some_and(|e| e <= data.len() as u64));
                    }
                }
            }
            let _ = codec.decode_index(data[..size as usize].to_vec(), n, None, "s", &limits);
        }
        let repr = ChunkRepr { shape: shape.clone(), data_type, fill_value: FillValue::Fixed(vec![0; elem]) };
        if let Ok(ArrayBytes::Fixed(out)) = codec.decode_shard(data, &repr, "s", &limits) {
            assert_eq!(out.len() as u64, shape.iter().product::<u64>() * elem as u64);
        }
    }
}

/// Fuzz target `jp2_open`: Opening a JP2/J2K file from an in-memory range source under small limits: the box
/// walk (ftyp, jp2h/ihdr/colr/pclr/cmap, uuid, xml, jp2c), the main header, the
/// tile-part index from TLM or, without one, the SOT walk, the georeferencing boxes, and
/// every tile's recipe (its byte ranges must lie inside the file). Input: the file.
pub fn jp2_open(data: &[u8]) {
    use bytes::Bytes;
    use rangetile::io::RangeSource;
    use rangetile::jp2::{Jp2Image, Jp2Options};
    use std::rc::Rc;
    let source: Rc<dyn RangeSource> = Rc::new(MemSource { data: Bytes::copy_from_slice(data) });
    let options = Jp2Options { limits: small_limits(), tlm_index: None };
    let Ok(img) = block_on(Jp2Image::open(source, options)) else { return };
    let len = data.len() as u64;
    assert!(img.codestream_end() <= len);
    for p in &img.tile_index().parts {
        assert!(p.offset.checked_add(p.length).is_some_and(|e| e <= len), "{p:?} past {len}");
    }
    let _ = img.index_json();
    let _ = block_on(img.walk_sot());
    let (across, down) = (img.tiles_across(), img.tiles_down());
    let mut n = 0;
    'tiles: for ty in 0..down {
        for tx in 0..across {
            for level in [0, img.levels()] {
                if let Ok(r) = img.tile_recipe(tx, ty, level) {
                    for range in r.ranges().unwrap_or_default() {
                        let (_, e) = range.resolve(len).expect("recipe range inside the file");
                        assert!(e <= len);
                    }
                }
            }
            n += 1;
            if n >= 64 {
                break 'tiles;
            }
        }
    }
}

/// Fuzz target `j2k_main_header`: The J2K main header parser (SIZ, COD/COC, QCD/QCC, TLM, PPM, ... with segment length
/// checks) fed a codestream prefix, as the opener does: short prefixes must ask for more
/// (`NeedMore`) or fail, never read past `available`. Also SOT parsing and tile-part
/// retargeting at every SOT marker found in the input, and the standalone header built
/// for each tile. Input: a codestream (starting at SOC).
pub fn j2k_main_header(data: &[u8]) {
    use rangetile::jp2::codestream::{parse_main_header, parse_sot, retarget_tile_part, HeaderParse};
    let limits = small_limits();
    let len = data.len() as u64;
    // The whole input, then a prefix as a read-ahead would see it.
    if let Ok(HeaderParse::Complete(h)) = parse_main_header(data, 0, len, &limits) {
        assert!(h.siz.num_tiles() <= limits.max_tiles);
        let mut n = 0;
        'outer: for q in 0..h.siz.tiles_down() {
            for p in 0..h.siz.tiles_across() {
                let _ = h.main_header_for_tile(h.siz.tile_rect(p, q));
                n += 1;
                if n > 16 {
                    break 'outer;
                }
            }
        }
    }
    let cut = data.len() / 2;
    if let Ok(HeaderParse::NeedMore(m)) = parse_main_header(&data[..cut], 0, len, &limits) {
        assert!(m > cut && m as u64 <= len, "NeedMore({m}) with {cut} of {len} bytes");
    }
    for (i, w) in data.windows(2).enumerate().take(4096) {
        if w == [0xFF, 0x90] {
            if let Ok(sot) = parse_sot(&data[i..], i as u64) {
                let end = (i as u64).saturating_add(u64::from(sot.psot)).min(len) as usize;
                let _ = retarget_tile_part(&data[i..end], i as u64, sot.isot, Some(1));
            }
        }
    }
}

/// Fuzz target `jp2_tile_decode`: Whole-tile decoding under small limits: open the file from memory, then decode the
/// first tile (full and lowest resolution) and the last one through the tile recipe and
/// the OpenJPEG port, and apply the palette. Every output plane must have the size its
/// recipe implies and stay under the decoded-bytes cap. Input: the file.
pub fn jp2_tile_decode(data: &[u8]) {
    use bytes::Bytes;
    use rangetile::io::RangeSource;
    use rangetile::jp2::{Jp2Image, Jp2Options};
    use rangetile::Limits;
    use std::rc::Rc;
    let limits = Limits { max_decoded_chunk_bytes: 1 << 20, max_output_bytes: 1 << 20, ..small_limits() };
    let source: Rc<dyn RangeSource> = Rc::new(MemSource { data: Bytes::copy_from_slice(data) });
    let Ok(img) = block_on(Jp2Image::open(source, Jp2Options { limits: limits.clone(), tlm_index: None })) else {
        return;
    };
    let last = (img.tiles_across().saturating_sub(1), img.tiles_down().saturating_sub(1));
    for (tx, ty, level) in [(0, 0, 0), (0, 0, img.levels()), (last.0, last.1, 0)] {
        if let Ok(planes) = block_on(img.read_tile_components(tx, ty, level)) {
            let bytes: usize = planes.iter().map(|p| p.data.len() * 4).sum();
            assert!(bytes as u64 <= limits.max_decoded_chunk_bytes.saturating_mul(4), "{bytes} decoded bytes");
            let _ = img.apply_palette(planes);
        }
    }
}

/// Fuzz target `kerchunk_refs`: Kerchunk JSON references (version 0 and 1: inline text/base64, `[url]`,
/// `[url, offset, length]`, templates, `gen` expansions), then the reference store as a
/// Zarr store: up to 64 keys are read from it (URL references go to a 4 KiB object in
/// memory, so offsets and lengths past its end must be errors). Input: the document.
pub fn kerchunk_refs(data: &[u8]) {
    use rangetile::io::Store;
    use rangetile::refs::kerchunk::{ReferenceStore, References};
    let limits = small_limits();
    let Ok(refs) = References::parse(data, "mem://refs/refs.json", &limits) else { return };
    let keys: Vec<String> = refs.refs.keys().take(64).cloned().collect();
    let object = bytes::Bytes::from((0..4096u32).map(|i| i as u8).collect::<Vec<u8>>());
    let opener: rangetile::refs::kerchunk::SourceOpener = std::rc::Rc::new(move |_url: &str| {
        std::rc::Rc::new(MemSource { data: object.clone() }) as std::rc::Rc<dyn rangetile::io::RangeSource>
    });
    let store = ReferenceStore::new(refs, "mem://refs/refs.json", opener);
    for k in keys {
        if let Ok(Some(b)) = block_on(store.get(&k, 1 << 20)) {
            assert!(b.len() <= 1 << 20);
        }
    }
}

/// Fuzz target `split_invariance`: Split invariance of the range planner and client: the same byte ranges read through
/// an HTTP client whose requests are coalesced (large gap) and through one that sends
/// every range alone (gap 0, no cache) give the same bytes, equal to slicing the object
/// directly; a range past the end is clipped in both or fails in both. The fake transport
/// answers like a conforming server (206 with Content-Range). Input: 2 bytes of object
/// size, 1 byte of gap choice, then ranges as (start u16, len u8) triples; a len of 0
/// means a suffix range of `start` bytes.
pub fn split_invariance(input: &[u8]) {
    use async_trait::async_trait;
    use bytes::Bytes;
    use rangetile::error::IoError;
    use rangetile::io::{
        ByteRange, CancelToken, HttpClient, HttpRequest, HttpResponse, Method, RangeOptions, RangeSource, Transport,
    };
    use std::rc::Rc;
    struct Fake {
        data: Bytes,
    }

    #[async_trait(?Send)]
    impl Transport for Fake {
        async fn send(&self, req: &HttpRequest, _cancel: &CancelToken) -> Result<HttpResponse, IoError> {
            let total = self.data.len() as u64;
            if req.method == Method::Head {
                return Ok(HttpResponse { status: 200, content_length: Some(total), ..Default::default() });
            }
            let Some(range) = req.range else {
                return Ok(HttpResponse {
                    status: 200,
                    content_length: Some(total),
                    body: self.data.clone(),
                    ..Default::default()
                });
            };
            match range.resolve(total) {
                Ok((s, e)) => Ok(HttpResponse {
                    status: 206,
                    content_range: Some(format!("bytes {}-{}/{}", s, e - 1, total)),
                    content_length: Some(e - s),
                    body: self.data.slice(s as usize..e as usize),
                    overflow: false,
                }),
                Err(_) => Ok(HttpResponse {
                    status: 416,
                    content_range: Some(format!("bytes */{total}")),
                    ..Default::default()
                }),
            }
        }
        async fn sleep(&self, _ms: u64) {}
    }
    let [s0, s1, g, rest @ ..] = input else { return };
    let size = usize::from(u16::from_le_bytes([*s0, *s1]) % 8192) + 1;
    let data = Bytes::from((0..size).map(|i| (i * 31 % 251) as u8).collect::<Vec<u8>>());
    let mut ranges = Vec::new();
    for t in rest.chunks_exact(3).take(32) {
        let start = u64::from(u16::from_le_bytes([t[0], t[1]]) % 9000);
        let r = if t[2] == 0 {
            ByteRange::suffix(start.max(1))
        } else {
            ByteRange::from_offset_len(start, u64::from(t[2]))
        };
        if let Ok(r) = r {
            ranges.push(r);
        }
    }
    if ranges.is_empty() {
        return;
    }
    let gap = [0u64, 16, 1024, 1 << 20][usize::from(*g % 4)];
    let transport = Rc::new(Fake { data: data.clone() });
    let coalesced =
        HttpClient::with_transport(transport.clone(), RangeOptions { coalesce_gap: gap, ..Default::default() });
    let separate =
        HttpClient::with_transport(transport, RangeOptions { coalesce_gap: 0, cache_bytes: 0, ..Default::default() });
    let together = block_on(coalesced.source("http://h/o").get_ranges(&ranges));
    let one_by_one: Vec<Result<Bytes, IoError>> = {
        let src = separate.source("http://h/o");
        ranges.iter().map(|r| block_on(src.get_range(*r))).collect()
    };
    let direct: Vec<Option<Bytes>> =
        ranges.iter().map(|r| r.resolve(size as u64).ok().map(|(s, e)| data.slice(s as usize..e as usize))).collect();
    for (i, r) in ranges.iter().enumerate() {
        match (&one_by_one[i], &direct[i]) {
            (Ok(b), Some(d)) => assert_eq!(b, d, "range {r} alone"),
            (Err(_), None) => {}
            (got, want) => panic!("range {r} alone: {got:?}, direct {want:?}"),
        }
    }
    match together {
        Ok(bufs) => {
            assert_eq!(bufs.len(), ranges.len());
            for (i, b) in bufs.iter().enumerate() {
                assert_eq!(Some(b), direct[i].as_ref(), "range {} coalesced (gap {gap})", ranges[i]);
            }
        }
        // A batch fails as a whole only when some range cannot be served at all.
        Err(e) => assert!(direct.iter().any(Option::is_none), "batch failed ({e}) though every range is valid"),
    }
}

/// Fuzz target `parquet_refs`: the small Parquet reader behind kerchunk Parquet references
/// and TLM-index Parquet files (footer, Thrift metadata, row groups, pages, PLAIN and
/// dictionary encodings, definition levels). Every column must have the declared number of
/// rows. Input: the file.
pub fn parquet_refs(data: &[u8]) {
    let limits = small_limits();
    if let Ok(t) = rangetile::refs::parquet::read(data, &limits) {
        for (_, c) in &t.columns {
            assert_eq!(c.len(), t.num_rows);
        }
    }
}
