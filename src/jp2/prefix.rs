//! Resolution prefixes of tile-parts: which leading bytes of a tile-part hold the
//! packets of the lowest resolutions, so a reduced-level read fetches only those.
//!
//! Applies when the tile-part's packets are in resolution-major order for every
//! resolution (ISO/IEC 15444-1 B.12: RLCP and RPCL; LRCP with a single quality layer)
//! and the packet lengths are listed by PLT segments in the tile-part header (A.7.3).
//! The packets per resolution are `layers × Σ_components precincts(r)`, the precinct
//! counts following B.6 (resolution rectangle B-14, precinct exponents of COD A.6.1).
//! Anything unexpected (COD/COC/POC/PPT in the tile-part header, a packet count that
//! disagrees with PLT, lengths that do not add up to the tile-part) means "no prefix":
//! the caller then uses the whole tile-part.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

use super::codestream::{marker, CodestreamHeader, Progression, Rect};

/// Number of packets of each resolution (index 0 = lowest) of a tile, or `None` when
/// the main header does not allow a resolution-major prefix.
pub(crate) fn packets_per_resolution(h: &CodestreamHeader, tile: Rect) -> Option<Vec<u64>> {
    let cod = &h.cod;
    let ordered = match cod.progression {
        Progression::Rlcp | Progression::Rpcl => true,
        Progression::Lrcp => cod.layers == 1,
        Progression::Pcrl | Progression::Cprl => false,
    };
    if !ordered || !h.cocs.is_empty() || h.ppm.is_some() || cod.layers == 0 {
        return None;
    }
    if h.segments.iter().any(|s| s.marker == marker::POC || s.marker == marker::COC) {
        return None;
    }
    let seg = h.segments.iter().find(|s| s.marker == marker::COD)?;
    let body = h.bytes.get(seg.start.checked_add(4)?..seg.end)?;
    // Scod, SGcod (4 bytes), SPcod: levels, xcb, ycb, style, transform, then precincts.
    let scod = *body.first()?;
    let levels = u32::from(cod.levels);
    let resolutions = usize::from(cod.levels) + 1;
    let precincts: Vec<(u32, u32)> = if scod & 1 != 0 {
        let p = body.get(10..10 + resolutions)?;
        p.iter().map(|b| (u32::from(b & 0x0F), u32::from(b >> 4))).collect()
    } else {
        vec![(15, 15); resolutions]
    };
    let mut out = Vec::with_capacity(resolutions);
    for (r, &(ppx, ppy)) in precincts.iter().enumerate() {
        let shift = levels.checked_sub(u32::try_from(r).ok()?)?;
        let mut n = 0u64;
        for c in &h.siz.components {
            if c.dx == 0 || c.dy == 0 {
                return None;
            }
            let div = |v: u32, d: u8| v.div_ceil(u32::from(d));
            let tc =
                Rect { x0: div(tile.x0, c.dx), y0: div(tile.y0, c.dy), x1: div(tile.x1, c.dx), y1: div(tile.y1, c.dy) };
            let rr = tc.reduced(shift);
            n = n.checked_add(count(rr.x0, rr.x1, ppx)?.checked_mul(count(rr.y0, rr.y1, ppy)?)?)?;
        }
        out.push(n.checked_mul(u64::from(cod.layers))?);
    }
    Some(out)
}

/// Precincts along one axis (B-16): `ceil(x1 / 2^pp) - floor(x0 / 2^pp)`, 0 when empty.
fn count(x0: u32, x1: u32, pp: u32) -> Option<u64> {
    if x1 <= x0 {
        return Some(0);
    }
    let d = 1u64 << pp.min(31);
    (u64::from(x1).div_ceil(d)).checked_sub(u64::from(x0) / d)
}

/// Where a fetched head of a tile-part says its header ends and its packets lie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HeadScan {
    /// The header is complete: `header_len` bytes (SOT … SOD), then packets of these lengths.
    Packets { header_len: u64, lengths: Vec<u64> },
    /// The head is too short to hold the whole tile-part header.
    NeedMore,
    /// No usable PLT, or a marker that may change the packet order or count.
    Unusable,
}

/// Scan the tile-part header in `head` (starting at SOT) for PLT segments.
pub(crate) fn scan_head(head: &[u8]) -> HeadScan {
    let be16 = |at: usize| head.get(at..at + 2).and_then(|b| b.try_into().ok()).map(u16::from_be_bytes);
    let mut pos = 12usize; // after SOT
    let mut plts: Vec<(u8, &[u8])> = Vec::new();
    loop {
        let Some(m) = be16(pos) else { return HeadScan::NeedMore };
        if m == marker::SOD {
            break;
        }
        if matches!(m, marker::COD | marker::COC | marker::POC | marker::PPT) || m >> 8 != 0xFF {
            return HeadScan::Unusable;
        }
        let Some(l) = be16(pos + 2) else { return HeadScan::NeedMore };
        if l < 2 {
            return HeadScan::Unusable;
        }
        let end = pos + 2 + usize::from(l);
        let Some(seg) = head.get(pos + 4..end) else { return HeadScan::NeedMore };
        if m == marker::PLT {
            let Some((&z, rest)) = seg.split_first() else { return HeadScan::Unusable };
            plts.push((z, rest));
        }
        pos = end;
    }
    if plts.is_empty() {
        return HeadScan::Unusable;
    }
    plts.sort_by_key(|&(z, _)| z);
    if plts.windows(2).any(|w| matches!(w, [a, b] if a.0 == b.0)) {
        return HeadScan::Unusable;
    }
    let mut lengths = Vec::new();
    let mut acc = 0u64;
    for (_, data) in plts {
        for &b in data {
            acc = match acc.checked_mul(128) {
                Some(v) if v < (1u64 << 40) => v | u64::from(b & 0x7F),
                _ => return HeadScan::Unusable,
            };
            if b & 0x80 == 0 {
                lengths.push(acc);
                acc = 0;
            }
        }
        if acc != 0 {
            // A packet length split across PLT segments: allowed, but keep it simple.
            return HeadScan::Unusable;
        }
    }
    HeadScan::Packets { header_len: pos as u64 + 2, lengths }
}

/// The byte length of the prefix of a tile-part of `part_len` bytes holding the first
/// `keep` resolutions, or `None` when the PLT lengths and packet counts disagree.
pub(crate) fn prefix_len(per_res: &[u64], keep: usize, header_len: u64, lengths: &[u64], part_len: u64) -> Option<u64> {
    let total: u64 = per_res.iter().sum();
    if u64::try_from(lengths.len()).ok()? != total {
        return None;
    }
    let sum = lengths.iter().try_fold(0u64, |a, &l| a.checked_add(l))?;
    if header_len.checked_add(sum)? != part_len {
        return None;
    }
    let needed: u64 = per_res.iter().take(keep).sum();
    let n = usize::try_from(needed).ok()?;
    let body = lengths.get(..n)?.iter().sum::<u64>();
    header_len.checked_add(body)
}

/// A copy of `prefix` (a tile-part truncated to its first bytes) with Psot set to its length.
pub(crate) fn with_psot(prefix: &[u8]) -> Option<Vec<u8>> {
    let len = u32::try_from(prefix.len()).ok()?;
    let mut v = prefix.to_vec();
    v.get_mut(6..10)?.copy_from_slice(&len.to_be_bytes());
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_plt_and_prefix() {
        let mut p = vec![0xFF, 0x90, 0, 10, 0, 0, 0, 0, 0, 0, 0, 1];
        // PLT Zplt=0: lengths 3, 200 (0x81 0x48), 5.
        p.extend([0xFF, 0x58, 0, 7, 0, 3, 0x81, 0x48, 5]);
        p.extend([0xFF, 0x93]);
        let h = p.len() as u64;
        match scan_head(&p) {
            HeadScan::Packets { header_len, lengths } => {
                assert_eq!((header_len, lengths.clone()), (h, vec![3, 200, 5]));
                assert_eq!(prefix_len(&[1, 1, 1], 2, h, &lengths, h + 208), Some(h + 203));
                assert_eq!(prefix_len(&[1, 2], 1, h, &lengths, h + 208), Some(h + 3));
                assert_eq!(prefix_len(&[1, 1], 1, h, &lengths, h + 208), None);
                assert_eq!(prefix_len(&[1, 1, 1], 1, h, &lengths, h + 209), None);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(scan_head(&p[..20]), HeadScan::NeedMore);
        let mut q = p[..12].to_vec();
        q.extend([0xFF, 0x93]);
        assert_eq!(scan_head(&q), HeadScan::Unusable);
        assert_eq!(count(0, 1024, 6), Some(16));
        assert_eq!(count(3, 5, 1), Some(2));
        assert_eq!(count(5, 5, 1), Some(0));
    }
}
