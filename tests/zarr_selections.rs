//! Selections on corpus arrays (sharded and not, ragged edges, C and F order, strings):
//! every sub-box read through `Array::get` equals the same box cut from the whole array
//! (itself checked against the corpus sha256 in `zarr_corpus`). Boxes are drawn by a
//! fixed-seed generator so failures reproduce.

use futures::executor::block_on;
use rangetile::codecs::ArrayBytes;
use rangetile::io::{FileStore, Store};
use rangetile::zarr::{Array, ArrayData, DimSelection, Group, Selection};
use std::path::Path;
use std::rc::Rc;

fn testdata() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata")
}

fn open(store: &str, path: &str) -> Array {
    let s: Rc<dyn Store> = Rc::new(FileStore::new(testdata().join(store)));
    block_on(async { Group::open(s, "").await.unwrap().open_array(path).await.unwrap() })
}

/// xorshift64*: deterministic and dependency-free.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n.max(1)
    }
}

/// Cut `sel` (resolved `start`/`stop` per dimension) out of the whole array.
fn cut(all: &ArrayData, shape: &[u64], start: &[u64], stop: &[u64]) -> ArrayData {
    let nd = shape.len();
    let mut idx: Vec<u64> = start.to_vec();
    let n: u64 = start.iter().zip(stop).map(|(a, b)| b - a).product();
    let elem = all.data_type.size().unwrap_or(1);
    let mut fixed = Vec::new();
    let mut var = Vec::new();
    for _ in 0..n {
        let mut lin = 0u64;
        for d in 0..nd {
            lin = lin * shape[d] + idx[d];
        }
        match &all.data {
            ArrayBytes::Fixed(b) => fixed.extend_from_slice(&b[lin as usize * elem..(lin as usize + 1) * elem]),
            ArrayBytes::Variable(v) => var.push(v[lin as usize].clone()),
        }
        for d in (0..nd).rev() {
            idx[d] += 1;
            if idx[d] < stop[d] {
                break;
            }
            idx[d] = start[d];
        }
    }
    let data = match &all.data {
        ArrayBytes::Fixed(_) => ArrayBytes::Fixed(fixed),
        ArrayBytes::Variable(_) => ArrayBytes::Variable(var),
    };
    ArrayData { data, shape: vec![], data_type: all.data_type.clone() }
}

#[test]
fn random_boxes_equal_cuts_of_the_whole_array() {
    let arrays = [
        ("era5/era5-2mt-2019-03-uk_first240h_v3_sharded_zstd.zarr", "t2m"),
        ("era5/era5-2mt-2019-03-uk_first240h_v2_blosc.zarr", "t2m"),
        ("codecs/sharding-v3/v3.zarr", "sharded_zstd_crc_index_end"),
        ("codecs/sharding-v3/v3.zarr", "sharded_zstd_crc_index_start"),
        ("codecs/sharding-v3/v3.zarr", "sharded_gzip_crc32c_inner_index_nocrc"),
        ("codecs/sharding-v3/v3.zarr", "sharded_blosc_bitshuffle_u2"),
        ("codecs/sharding-v3/v3.zarr", "transpose_bytes_be_gzip"),
        ("codecs/sharding-v3/v3.zarr", "sharded_nested_u1"),
        ("zarr/zarrita-js_v3_data.zarr", "3d.chunked.mixed.compressed.sharded.i2"),
        ("zarr/zarrita-js_v3_data.zarr", "2d.chunked.ragged.compressed.sharded.i2"),
        ("zarr/zarrita-js_v3_data.zarr", "2d.chunked.string.vlen"),
        ("zarr/zarrita-js_v2_data.zarr", "3d.chunked.mixed.i2.F"),
        ("zarr/zarrita-js_v2_data.zarr", "3d.chunked.O"),
        ("zarr/zarr-implementations_zarr-python.zr", "blosc"),
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut checked = 0;
    for (store, path) in arrays {
        let a = open(store, path);
        let shape = a.shape().to_vec();
        let all = block_on(a.get_all()).unwrap();
        for _ in 0..12 {
            let mut sel = Vec::new();
            let mut start = Vec::new();
            let mut stop = Vec::new();
            let mut kept = Vec::new();
            for &n in &shape {
                match rng.below(4) {
                    0 => {
                        let i = rng.below(n);
                        sel.push(DimSelection::Index(i));
                        start.push(i);
                        stop.push(i + 1);
                    }
                    1 => {
                        sel.push(DimSelection::All);
                        start.push(0);
                        stop.push(n);
                        kept.push(n);
                    }
                    _ => {
                        let a = rng.below(n);
                        let b = a + 1 + rng.below(n - a);
                        sel.push(DimSelection::Range(a, b));
                        start.push(a);
                        stop.push(b);
                        kept.push(b - a);
                    }
                }
            }
            let got = block_on(a.get(&Selection(sel.clone()))).unwrap();
            let want = cut(&all, &shape, &start, &stop);
            assert_eq!(got.shape, kept, "{store}/{path} {sel:?}");
            assert!(got.data == want.data, "{store}/{path} {sel:?}: values differ");
            checked += 1;
        }
    }
    println!("{checked} random selections equal cuts of the whole arrays");
}
