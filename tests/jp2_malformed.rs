//! Malformed JPEG 2000 input gives a typed error (`Format`, or `LimitExceeded` for
//! sizes past the limits), never a panic, a hang or a giant allocation: lengths past the
//! end of the file, absurd SIZ, zero-sized tiles, truncated tile data, a lying TLM, and
//! byte mutations of small corpus files.

mod jp2_common;

use jp2_common::{corpus, open, MemSource};
use rangetile::error::Jp2Error;
use rangetile::ErrorKind;

fn p0_01() -> Vec<u8> {
    std::fs::read(corpus().join("openjpeg-conformance/p0_01.j2k")).unwrap()
}

fn open_kind(bytes: Vec<u8>) -> Result<rangetile::jp2::Jp2Image, Jp2Error> {
    futures::executor::block_on(open(MemSource::new(bytes), None))
}

fn read_all(bytes: Vec<u8>) -> Result<(), Jp2Error> {
    futures::executor::block_on(async {
        let img = open(MemSource::new(bytes), None).await?;
        img.read_image_components(0).await.map(|_| ())
    })
}

/// Offset of SIZ's Xsiz in a raw codestream.
const XSIZ: usize = 8;

#[test]
fn lengths_past_the_end_of_the_file() {
    let mut b = p0_01();
    let end = b.len();
    b.truncate(end - 500); // the only tile-part's Psot now runs past EOF
    let e = open_kind(b).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Format, "{e}");

    // A marker segment length past the end of the main header's bytes.
    let mut b = p0_01();
    b.truncate(60);
    assert_eq!(open_kind(b).unwrap_err().kind(), ErrorKind::Format);

    // A JP2 whose jp2c box claims more bytes than the file has.
    let mut j = std::fs::read(corpus().join("openjpeg-conformance/file4.jp2")).unwrap();
    let n = j.len();
    j.truncate(n - 1000);
    let e = open_kind(j).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Format, "{e}");
}

#[test]
fn absurd_siz() {
    // XOsiz >= Xsiz: an empty image.
    let mut b = p0_01();
    b[XSIZ + 8..XSIZ + 12].copy_from_slice(&1000u32.to_be_bytes());
    assert_eq!(open_kind(b).unwrap_err().kind(), ErrorKind::Format);

    // 4 billion pixels square: refused before anything is allocated.
    let mut b = p0_01();
    b[XSIZ..XSIZ + 4].copy_from_slice(&u32::MAX.to_be_bytes());
    b[XSIZ + 4..XSIZ + 8].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(open_kind(b).unwrap_err().kind(), ErrorKind::LimitExceeded);

    // Millions of 1×1 tiles.
    let mut b = p0_01();
    b[XSIZ..XSIZ + 4].copy_from_slice(&100_000u32.to_be_bytes());
    b[XSIZ + 4..XSIZ + 8].copy_from_slice(&100_000u32.to_be_bytes());
    b[XSIZ + 16..XSIZ + 20].copy_from_slice(&1u32.to_be_bytes());
    b[XSIZ + 20..XSIZ + 24].copy_from_slice(&1u32.to_be_bytes());
    assert_eq!(open_kind(b).unwrap_err().kind(), ErrorKind::LimitExceeded);
}

#[test]
fn zero_tiles() {
    let mut b = p0_01();
    b[XSIZ + 16..XSIZ + 20].copy_from_slice(&0u32.to_be_bytes());
    assert_eq!(open_kind(b).unwrap_err().kind(), ErrorKind::Format);

    // A main header followed directly by EOC: no tile-part at all.
    let b = p0_01();
    let h = rangetile::jp2::decode::parse_codestream_header(&b, &Default::default()).unwrap();
    let mut c = b[..h.main_header_end as usize].to_vec();
    c.extend([0xFF, 0xD9]);
    assert_eq!(open_kind(c).unwrap_err().kind(), ErrorKind::Format);
}

#[test]
fn truncated_tile_data() {
    // Keep the SOT but cut the packet data and patch Psot to match: the decoder must
    // fail cleanly or decode what is there, never panic.
    let b = p0_01();
    let h = rangetile::jp2::decode::parse_codestream_header(&b, &Default::default()).unwrap();
    let sot = h.main_header_end as usize;
    let mut c = b[..sot + 200].to_vec();
    c[sot + 6..sot + 10].copy_from_slice(&200u32.to_be_bytes());
    c.extend([0xFF, 0xD9]);
    let _ = read_all(c);

    // Psot larger than the data: Format at open.
    let mut c = b[..sot + 200].to_vec();
    c.extend([0xFF, 0xD9]);
    assert_eq!(open_kind(c).unwrap_err().kind(), ErrorKind::Format);
}

#[test]
fn lying_tlm_is_caught_when_the_tile_is_fetched() {
    // p0_03 has a TLM; shift one record so the offsets no longer point at SOTs.
    let mut b = std::fs::read(corpus().join("openjpeg-conformance/p0_03.j2k")).unwrap();
    let h = rangetile::jp2::decode::parse_codestream_header(&b, &Default::default()).unwrap();
    let tlm = h.segments.iter().find(|s| s.marker == 0xFF55).unwrap();
    let st = (h.tlm[0].stlm >> 4) & 3;
    let sp = if h.tlm[0].stlm & 0x40 != 0 { 4 } else { 2 };
    let first_p = tlm.start + 6 + st as usize;
    if sp == 4 {
        let v = u32::from_be_bytes(b[first_p..first_p + 4].try_into().unwrap()) - 1;
        b[first_p..first_p + 4].copy_from_slice(&v.to_be_bytes());
    } else {
        let v = u16::from_be_bytes(b[first_p..first_p + 2].try_into().unwrap()) - 1;
        b[first_p..first_p + 2].copy_from_slice(&v.to_be_bytes());
    }
    let img = open_kind(b).unwrap();
    let e = futures::executor::block_on(img.read_tile(1, 0, 0)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Format, "{e}");
}

#[test]
fn byte_mutations_never_panic() {
    // A small deterministic fuzz over headers and data of small files.
    let files = ["openjpeg-conformance/p0_12.j2k", "openjpeg-conformance/p0_09.j2k", "openjpeg-nonregression/byte.jph"];
    let mut seed = 0x2545F4914F6CDD1Du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for f in files {
        let orig = std::fs::read(corpus().join(f)).unwrap();
        for _ in 0..150 {
            let mut b = orig.clone();
            for _ in 0..1 + next() % 4 {
                let i = (next() % b.len() as u64) as usize;
                b[i] = next() as u8;
            }
            if let Err(e) = read_all(b) {
                assert!(
                    matches!(e.kind(), ErrorKind::Format | ErrorKind::Unsupported | ErrorKind::LimitExceeded),
                    "{f}: {e}"
                );
            }
        }
    }
}

#[test]
fn incomplete_tlm_falls_back_to_the_sot_walk() {
    // p0_03: 4 tiles with a TLM. Make the last record name tile 2 again: tile 3 is then
    // missing from the TLM, which is set aside for the SOT walk.
    let mut b = std::fs::read(corpus().join("openjpeg-conformance/p0_03.j2k")).unwrap();
    let h = rangetile::jp2::decode::parse_codestream_header(&b, &Default::default()).unwrap();
    let tlm = h.segments.iter().find(|s| s.marker == 0xFF55).unwrap();
    let st = ((h.tlm[0].stlm >> 4) & 3) as usize;
    let sp = if h.tlm[0].stlm & 0x40 != 0 { 4 } else { 2 };
    assert!(st > 0, "p0_03's TLM carries tile indexes");
    let last = tlm.end - (st + sp);
    b[last + st - 1] = 2;
    let img = open_kind(b).unwrap();
    assert_eq!(img.tile_index_source(), rangetile::jp2::TileIndexSource::SotWalk);
    futures::executor::block_on(img.read_tile(1, 1, 0)).unwrap();
}
