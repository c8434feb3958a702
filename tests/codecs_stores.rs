//! The corpus stores whose codecs are all ours (no sharding), decoded chunk by chunk
//! through the codec registry with a minimal reader written here, compared with the
//! `*.expected.json` sha256 (numeric arrays: C order, little-endian; strings: sha256 of
//! Python's `json.dumps(flat list, ensure_ascii=False)`). This checks the codecs and the
//! v2 chain mapping (`registry::v2_chain`) against real data, independently of the Zarr
//! reader; among others the numcodecs adler32/fletcher32 layouts, bz2, lz4 framing,
//! delta, fixedscaleoffset, bitround, shuffle, vlen-utf8, json2, big-endian and F order.

use rangetile::codecs::registry::{from_v3, v2_chain, Codec};
use rangetile::codecs::{ArrayBytes, ChunkRepr, VarElement};
use rangetile::zarr::data_type::{DataType, Endian, FillValue};
use rangetile::Limits;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

fn zarr_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata/zarr")
}

/// Chunk grid index → store key.
type KeyFn = Box<dyn Fn(&[u64]) -> String>;

struct Array {
    shape: Vec<u64>,
    chunks: Vec<u64>,
    dt: DataType,
    fill: FillValue,
    chain: Vec<Codec>,
    key: KeyFn,
}

fn u64s(v: &Value) -> Vec<u64> {
    v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).collect()
}

/// Open a v2 or v3 array at `dir`; `None` when it uses sharding (not ours).
fn open(dir: &Path) -> Option<Array> {
    if let Ok(b) = std::fs::read(dir.join("zarr.json")) {
        let m: Value = serde_json::from_slice(&b).unwrap();
        let codecs = m["codecs"].as_array().unwrap();
        if codecs.iter().any(|c| c["name"] == "sharding_indexed") {
            return None;
        }
        let dt = DataType::from_v3(&m["data_type"], "a").unwrap();
        let chain =
            codecs.iter().map(|c| from_v3(c["name"].as_str().unwrap(), c.get("configuration")).unwrap()).collect();
        let enc = &m["chunk_key_encoding"];
        let sep = enc["configuration"]["separator"].as_str().unwrap_or(if enc["name"] == "v2" { "." } else { "/" });
        let sep = sep.to_string();
        let key: KeyFn = if enc["name"] == "v2" {
            Box::new(move |i: &[u64]| i.iter().map(u64::to_string).collect::<Vec<_>>().join(&sep))
        } else {
            Box::new(move |i: &[u64]| {
                let mut k = "c".to_string();
                for x in i {
                    k.push_str(&sep);
                    k.push_str(&x.to_string());
                }
                k
            })
        };
        let fill = FillValue::parse(&m["fill_value"], &dt, "a").unwrap();
        Some(Array {
            shape: u64s(&m["shape"]),
            chunks: u64s(&m["chunk_grid"]["configuration"]["chunk_shape"]),
            dt,
            fill,
            chain,
            key,
        })
    } else {
        let m: Value = serde_json::from_slice(&std::fs::read(dir.join(".zarray")).unwrap()).unwrap();
        let (dt, endian) = DataType::from_v2(m["dtype"].as_str().unwrap(), "a").unwrap();
        let filters: Vec<Value> = m["filters"].as_array().cloned().unwrap_or_default();
        let shape = u64s(&m["shape"]);
        let chain = v2_chain(&filters, m.get("compressor"), m["order"] == "F", endian, &dt, shape.len()).unwrap();
        let sep = m["dimension_separator"].as_str().unwrap_or(".").to_string();
        let fill = FillValue::parse(&m["fill_value"], &dt, "a").unwrap();
        Some(Array {
            shape,
            chunks: u64s(&m["chunks"]),
            dt,
            fill,
            chain,
            key: Box::new(move |i: &[u64]| {
                if i.is_empty() {
                    "0".into()
                } else {
                    i.iter().map(u64::to_string).collect::<Vec<_>>().join(&sep)
                }
            }),
        })
    }
}

/// Decode one chunk through the chain, as the v3 model says: bytes→bytes backwards,
/// then array→bytes, then array→array backwards.
fn decode(chain: &[Codec], bytes: Vec<u8>, repr: &ChunkRepr, limits: &Limits) -> ArrayBytes {
    let mut reprs = vec![repr.clone()];
    let mut a2b = None;
    let mut b2b = Vec::new();
    let mut a2a = Vec::new();
    for c in chain {
        match c {
            Codec::ArrayToArray(a) => {
                let next = a.encoded_repr(reprs.last().unwrap()).unwrap();
                reprs.push(next);
                a2a.push(a.clone());
            }
            Codec::ArrayToBytes(s) => a2b = Some(s.clone()),
            Codec::BytesToBytes(b) => b2b.push(b.clone()),
        }
    }
    let bytes_repr = reprs.last().unwrap().clone();
    let expected = bytes_repr.data_type.size().map(|s| bytes_repr.num_elements() * s as u64);
    let mut data = bytes;
    for (i, c) in b2b.iter().enumerate().rev() {
        data = c.decode(data, if i == 0 { expected } else { None }, limits).unwrap();
    }
    let mut arr = a2b.expect("an array→bytes codec").decode(data, &bytes_repr, limits).unwrap();
    for (i, c) in a2a.iter().enumerate().rev() {
        arr = c.decode(arr, &reprs[i], limits).unwrap();
    }
    arr
}

/// Python's `json.dumps(list_of_str, ensure_ascii=False)`.
fn py_json_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| serde_json::to_string(s).unwrap()).collect();
    format!("[{}]", quoted.join(", "))
}

fn element_strings(dt: &DataType, fixed: &[u8]) -> Vec<String> {
    match dt {
        DataType::FixedUnicode(n) => fixed
            .chunks(4 * *n as usize)
            .map(|e| {
                e.chunks(4)
                    .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
                    .take_while(|&c| c != 0)
                    .map(|c| char::from_u32(c).unwrap())
                    .collect()
            })
            .collect(),
        DataType::FixedBytes(n) => fixed
            .chunks(*n as usize)
            .map(|e| String::from_utf8(e.iter().copied().take_while(|&b| b != 0).collect()).unwrap())
            .collect(),
        other => panic!("not a string type: {other:?}"),
    }
}

/// Read a whole array; returns the hex sha256 per the corpus conventions, or `None` for
/// sharded arrays and for huge chunkless ones (`zarrs/hierarchy.zarr/a/{foo,baz}`, all
/// fill value, which test no codec).
fn read_sha(dir: &Path, limits: &Limits) -> Option<String> {
    let a = open(dir)?;
    if a.shape.iter().product::<u64>() > 1_000_000 {
        return None;
    }
    let nd = a.shape.len();
    let grid: Vec<u64> = a.shape.iter().zip(&a.chunks).map(|(s, c)| s.div_ceil(*c)).collect();
    let total: u64 = a.shape.iter().product();
    let chunk_n: u64 = a.chunks.iter().product();
    let repr = ChunkRepr { shape: a.chunks.clone(), data_type: a.dt.clone(), fill_value: a.fill.clone() };
    let size = a.dt.size();
    let mut fixed = vec![0u8; size.map_or(0, |s| total as usize * s)];
    let mut var: Vec<Option<VarElement>> = vec![None; if size.is_none() { total as usize } else { 0 }];
    let nchunks: u64 = grid.iter().product();
    for lin in 0..nchunks {
        let mut idx = vec![0u64; nd];
        let mut r = lin;
        for d in (0..nd).rev() {
            idx[d] = r % grid[d];
            r /= grid[d];
        }
        let chunk = match std::fs::read(dir.join((a.key)(&idx))) {
            Ok(b) => decode(&a.chain, b, &repr, limits),
            Err(_) => match &a.fill {
                FillValue::Fixed(f) => ArrayBytes::Fixed(f.repeat(chunk_n as usize)),
                FillValue::Variable(v) => ArrayBytes::Variable(vec![VarElement::Json(v.clone()); chunk_n as usize]),
            },
        };
        // Scatter every element of the chunk that lies inside the array.
        let mut pos = vec![0u64; nd];
        for e in 0..chunk_n {
            let mut rem = e;
            let mut inside = true;
            let mut dst = 0u64;
            for d in (0..nd).rev() {
                pos[d] = rem % a.chunks[d];
                rem /= a.chunks[d];
            }
            for d in 0..nd {
                let g = idx[d] * a.chunks[d] + pos[d];
                inside &= g < a.shape[d];
                dst = dst * a.shape[d] + g;
            }
            if !inside {
                continue;
            }
            match (&chunk, size) {
                (ArrayBytes::Fixed(b), Some(s)) => {
                    let (e, dst) = (e as usize, dst as usize);
                    fixed[dst * s..(dst + 1) * s].copy_from_slice(&b[e * s..(e + 1) * s]);
                }
                (ArrayBytes::Variable(v), None) => var[dst as usize] = Some(v[e as usize].clone()),
                _ => panic!("chunk kind does not match the data type"),
            }
        }
    }
    let strings: Option<Vec<String>> = match &a.dt {
        DataType::FixedUnicode(_) | DataType::FixedBytes(_) => Some(element_strings(&a.dt, &fixed)),
        _ if size.is_none() => Some(
            var.into_iter()
                .map(|v| match v.unwrap() {
                    VarElement::String(s) => s,
                    VarElement::Json(Value::String(s)) => s,
                    other => panic!("unexpected element {other:?}"),
                })
                .collect(),
        ),
        _ => None,
    };
    Some(match strings {
        Some(s) => hex::encode(Sha256::digest(py_json_list(&s).as_bytes())),
        None => hex::encode(Sha256::digest(&fixed)),
    })
}

#[test]
fn corpus_stores_with_our_codecs_are_bit_exact() {
    let root = zarr_root();
    let limits = Limits::default();
    let mut checked = Vec::new();
    let mut skipped = Vec::new();
    let mut expected_files: Vec<PathBuf> = Vec::new();
    for sub in ["", "zarr-js", "zarrs", "zarrs/v2", "zarrs/v3_zarr_python", "zarrs/v3_from_v2"] {
        for e in std::fs::read_dir(root.join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.to_string_lossy().ends_with(".expected.json") {
                expected_files.push(p);
            }
        }
    }
    expected_files.sort();
    for f in expected_files {
        let exp: Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
        let store = f.with_file_name(exp["store"].as_str().unwrap());
        for a in exp["arrays"].as_array().unwrap() {
            let path = a["path"].as_str().unwrap();
            let dir = if path.is_empty() { store.clone() } else { store.join(path) };
            let want = a["sha256_c_order_le"].as_str().or(a["sha256_of_json_list_c_order"].as_str()).unwrap();
            match read_sha(&dir, &limits) {
                Some(got) => {
                    assert_eq!(got, want, "{}", dir.display());
                    checked.push(dir.display().to_string());
                }
                None => skipped.push(dir.display().to_string()),
            }
        }
    }
    eprintln!("{} arrays checked, {} skipped (sharded or huge): {skipped:#?}", checked.len(), skipped.len());
    // Every array of these stores except the sharded ones (the Zarr reader's business).
    assert_eq!((checked.len(), skipped.len()), (101, 18), "{checked:#?}");
    for must in [
        "array_adler32.zarr",
        "array_fletcher32.zarr",
        "1d.contiguous.json2.O",
        "3d.chunked.mixed.i2.F",
        "1d.contiguous.fixedscaleoffset.f4",
        "1d.contiguous.delta.shuffle.i2",
        "1d.contiguous.U13.be",
        "simple_float16_BE.zarr",
        "3d.contiguous.delta.i4.mixed",
        "1d.string.unicode",
    ] {
        assert!(checked.iter().any(|c| c.ends_with(must)), "{must} was not checked");
    }
}

#[test]
fn corrupted_checksums_in_corpus_chunks_are_reported() {
    let root = zarr_root().join("zarrs/v3_zarr_python");
    let limits = Limits::default();
    for (store, name) in
        [("array_adler32.zarr", "numcodecs.adler32"), ("array_fletcher32.zarr", "numcodecs.fletcher32")]
    {
        let Codec::BytesToBytes(c) = from_v3(name, Some(&serde_json::json!({}))).unwrap() else { panic!() };
        let enc = std::fs::read(root.join(store).join("c/0/0")).unwrap();
        assert_eq!(c.decode(enc.clone(), Some(100), &limits).unwrap().len(), 100);
        let mut bad = enc.clone();
        bad[50] ^= 1;
        let e = c.decode(bad, Some(100), &limits).unwrap_err();
        assert_eq!(e.kind(), rangetile::ErrorKind::Checksum, "{store}: {e}");
    }
    let _ = Endian::Little;
}
