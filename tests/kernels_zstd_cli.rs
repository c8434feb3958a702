//! The zstd decoder against the reference `zstd` command-line tool, when it is installed
//! (the test says so and passes trivially when it is not): varied data (float fields,
//! zero runs, text-like repeats, random bytes, tiny inputs) compressed at several levels,
//! with and without checksums, `--long`, and multi-frame concatenations, must decode to
//! the original bytes through the registry's zstd codec.

use rangetile::codecs::registry::{from_v2, Codec};
use rangetile::Limits;

mod common;
use common::data::{float_field, pipe, Rng};

fn zstd_cli(data: &[u8], args: &[&str]) -> Option<Vec<u8>> {
    pipe("zstd", &[args, &["-c", "-q"]].concat(), data)
}

fn datasets() -> Vec<(String, Vec<u8>)> {
    let mut r = Rng(0x1234_5678_9abc_def1);
    let mut v = Vec::new();
    v.push(("float field".to_string(), float_field(&mut r, 300_000)));
    let sparse: Vec<u8> = (0..300_000u32)
        .flat_map(|i| (if (i / 1000) % 5 == 0 { (i % 97) as f32 * 0.1 } else { 0.0 }).to_le_bytes())
        .collect();
    v.push(("sparse".to_string(), sparse));
    let text: Vec<u8> =
        (0..200_000).map(|i| b"the quick brown fox jumps over the lazy dog "[(i * 7 / 5) % 44]).collect();
    v.push(("text".to_string(), text));
    v.push(("random".to_string(), (0..150_000).map(|_| r.next() as u8).collect()));
    v.push(("zeros".to_string(), vec![0u8; 1 << 20]));
    v.push(("tiny".to_string(), b"abc".to_vec()));
    v.push(("empty".to_string(), Vec::new()));
    let imagery: Vec<u8> =
        (0..400_000u32).flat_map(|i| ((i % 724) as u16 * 3 + (r.next() % 50) as u16).to_le_bytes()).collect();
    v.push(("uint16".to_string(), imagery));
    v
}

fn r_mix(a: u64, b: usize) -> u64 {
    (a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (b as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)).rotate_left(17)
}

#[test]
fn decodes_what_the_reference_cli_writes() {
    let Codec::BytesToBytes(codec) = from_v2(&serde_json::json!({"id": "zstd"})).unwrap() else { panic!() };
    if zstd_cli(b"probe", &[]).is_none() {
        eprintln!("zstd CLI not installed: skipping the reference comparison");
        return;
    }
    let settings: [&[&str]; 8] = [
        &["-1"],
        &["-3"],
        &["-3", "--no-check"],
        &["-9"],
        &["-19"],
        &["--fast=5"],
        &["-3", "--long=20"],
        &["-22", "--ultra"],
    ];
    let mut checked = 0;
    for (name, data) in datasets() {
        for s in settings {
            let enc = zstd_cli(&data, s).unwrap();
            let got = codec.decode(enc.clone(), Some(data.len() as u64), &Limits::default());
            match got {
                Ok(g) => assert!(g == data, "{name} {s:?}: wrong bytes"),
                Err(e) => panic!("{name} {s:?}: {e}"),
            }
            // Unknown size too, and two frames back to back.
            let mut two = enc.clone();
            two.extend_from_slice(&enc);
            let got = codec.decode(two, None, &Limits::default()).unwrap();
            assert_eq!(got.len(), 2 * data.len(), "{name} {s:?}");
            assert!(got[..data.len()] == data[..] && got[data.len()..] == data[..]);
            checked += 1;
            // Corrupted copies decode or fail, never panic, never exceed the cap.
            for k in 0..30u64 {
                let mut g = enc.clone();
                if g.is_empty() {
                    break;
                }
                let i = (r_mix(k, checked) as usize) % g.len();
                g[i] ^= 1 << (k % 8);
                if k % 3 == 0 {
                    g.truncate(i.max(1));
                }
                if let Ok(v) = codec.decode(g, Some(data.len() as u64), &Limits::default()) {
                    assert!(v.len() <= data.len());
                }
            }
        }
    }
    assert_eq!(checked, 64);
}
