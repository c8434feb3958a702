//! The tile-part index: where each tile-part of a codestream lies in the file.
//!
//! Sources, in order of preference:
//! 1. the codestream's own TLM marker segments (ISO/IEC 15444-1 A.7.1, every Stlm
//!    variant: Ttlm absent/8/16 bits, Ptlm 16/32 bits);
//! 2. an external index: the `.tlm` layout of `specs/s2-virtual-jp2.md` §1 (file size,
//!    first-SOT offset, a ready-made TLM segment), or the JSON written by
//!    `rangetile jp2 index` ([`TileIndex::to_json`]); the spec's TLM-index Parquet
//!    (one `.tlm` per band file) is read by [`tlm_index_parquet`];
//! 3. a walk over the SOT marker segments (A.4.2), one range request per hop outside the
//!    read-ahead, whose result is cached by the caller.
//!
//! Every offset and length is checked against the codestream's end before use; the
//! SOT at each offset is checked again when a tile is fetched.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

use super::bytes::{be_u16_at, be_u32_at, be_u64_at, format_err, Cursor};
use super::codestream::{marker, parse_sot, CodestreamHeader, TlmSegment};
use super::read_ahead::ReadAhead;
use crate::error::Jp2Error;
use crate::limits::{check, Limits};
use serde_json::{json, Value};

/// Where the tile-part index came from (`Jp2Image.tileIndexSource` in JS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TileIndexSource {
    /// The codestream's TLM marker segments.
    Tlm,
    /// An external index (`.tlm` or JSON).
    Index,
    /// A walk over SOT markers.
    SotWalk,
}

impl TileIndexSource {
    /// `"tlm"`, `"index"` or `"sot-walk"`.
    pub fn name(&self) -> &'static str {
        match self {
            TileIndexSource::Tlm => "tlm",
            TileIndexSource::Index => "index",
            TileIndexSource::SotWalk => "sot-walk",
        }
    }
}

/// One tile-part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TilePart {
    /// Tile index (Isot).
    pub tile: u16,
    /// Tile-part index within the tile (TPsot; from the SOT, or counted for TLM).
    pub tpsot: u8,
    /// TNsot (0 when unknown).
    pub tnsot: u8,
    /// Absolute file offset of the SOT marker.
    pub offset: u64,
    /// Length in bytes (Psot, resolved when Psot = 0).
    pub length: u64,
}

/// The tile-part index of one codestream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileIndex {
    /// Tile-parts in codestream order.
    pub parts: Vec<TilePart>,
    /// Where it came from.
    pub source: TileIndexSource,
    /// Requests the SOT walk made (0 for other sources).
    pub walk_requests: u32,
}

/// An external tile-part index supplied by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternalIndex {
    /// The `.tlm` bytes of the s2 spec (empty = the file has its own TLM).
    Tlm(Vec<u8>),
    /// The JSON written by `rangetile jp2 index`.
    Json(Value),
}

impl ExternalIndex {
    /// Sniff bytes: JSON when they start with `{`, else the `.tlm` layout.
    ///
    /// # Errors
    /// `Format` for JSON that does not parse.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Jp2Error> {
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first == Some(&b'{') {
            serde_json::from_slice(bytes)
                .map(ExternalIndex::Json)
                .map_err(|e| format_err(0, format!("tile index JSON: {e}")))
        } else {
            Ok(ExternalIndex::Tlm(bytes.to_vec()))
        }
    }
}

/// One row of the TLM-index Parquet of `specs/s2-virtual-jp2.md` (columns `product_id`,
/// `band_id`, `path`, `index`): the `.tlm` index of one band file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlmIndexRow {
    pub product_id: String,
    pub band_id: String,
    /// The band file's path as the index names it.
    pub path: String,
    /// The `.tlm` bytes, as an external index for [`super::Jp2Options::tlm_index`].
    pub index: ExternalIndex,
}

/// Read a TLM-index Parquet file (held in memory) into its rows.
///
/// # Errors
/// `Format` when it is not a Parquet file with those four columns (nulls in `index`
/// included), or past the limits.
pub fn tlm_index_parquet(bytes: &[u8], limits: &Limits) -> Result<Vec<TlmIndexRow>, Jp2Error> {
    use crate::refs::parquet::{read, ColumnData};
    let t = read(bytes, limits).map_err(|e| format_err(0, format!("TLM index: {e}")))?;
    let col = |name: &str| -> Result<&Vec<Option<Vec<u8>>>, Jp2Error> {
        match t.column(name) {
            Some(ColumnData::Bytes(v)) => Ok(v),
            _ => Err(format_err(0, format!("TLM index Parquet without a binary/string column {name:?}"))),
        }
    };
    let (product, band, path, index) = (col("product_id")?, col("band_id")?, col("path")?, col("index")?);
    let text = |v: &Option<Vec<u8>>| v.as_deref().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
    (0..t.num_rows)
        .map(|i| {
            let idx = index
                .get(i)
                .cloned()
                .flatten()
                .ok_or_else(|| format_err(0, format!("TLM index Parquet row {i} has no index")))?;
            Ok(TlmIndexRow {
                product_id: product.get(i).map(text).unwrap_or_default(),
                band_id: band.get(i).map(text).unwrap_or_default(),
                path: path.get(i).map(text).unwrap_or_default(),
                index: ExternalIndex::Tlm(idx),
            })
        })
        .collect()
}

impl TileIndex {
    /// The tile-parts of `tile`, in codestream order.
    pub fn parts_of(&self, tile: u32) -> Vec<TilePart> {
        self.parts.iter().filter(|p| u32::from(p.tile) == tile).copied().collect()
    }

    /// Whether every tile `0..num_tiles` has at least one tile-part.
    pub fn covers_all_tiles(&self, num_tiles: u64) -> bool {
        let Ok(n) = usize::try_from(num_tiles) else { return false };
        let mut seen = vec![false; n];
        for p in &self.parts {
            if let Some(s) = seen.get_mut(usize::from(p.tile)) {
                *s = true;
            }
        }
        seen.into_iter().all(|s| s)
    }

    /// Build from TLM segments. `first_sot` is the main header end, `codestream_end`
    /// the end of the codestream (EOC included).
    ///
    /// # Errors
    /// `Format` when records point past the codestream or name tiles beyond the grid.
    pub fn from_tlm(
        tlm: &[TlmSegment],
        first_sot: u64,
        codestream_end: u64,
        num_tiles: u64,
        source: TileIndexSource,
    ) -> Result<TileIndex, Jp2Error> {
        let mut parts = Vec::new();
        let mut offset = first_sot;
        let mut counts = std::collections::HashMap::<u16, u8>::new();
        let records = tlm.iter().flat_map(|s| s.entries.iter());
        for (i, (t, p)) in records.enumerate() {
            let tile = match t {
                Some(t) => *t,
                None => u16::try_from(i).map_err(|_| format_err(first_sot, "TLM without Ttlm lists > 65535 tiles"))?,
            };
            if u64::from(tile) >= num_tiles {
                return Err(format_err(first_sot, format!("TLM names tile {tile} of {num_tiles}")));
            }
            let length = if *p == 0 { codestream_end.saturating_sub(2).saturating_sub(offset) } else { u64::from(*p) };
            if length < 14 || offset.checked_add(length).map_or(true, |e| e > codestream_end) {
                return Err(format_err(
                    offset,
                    format!(
                        "TLM: tile-part {i} ({length} bytes at {offset}) runs past the codestream end {codestream_end}"
                    ),
                ));
            }
            let c = counts.entry(tile).or_insert(0);
            parts.push(TilePart { tile, tpsot: *c, tnsot: 0, offset, length });
            *c = c.saturating_add(1);
            offset += length;
        }
        if parts.is_empty() {
            return Err(format_err(first_sot, "TLM without records"));
        }
        Ok(TileIndex { parts, source, walk_requests: 0 })
    }

    /// Build from an external index, checked against the file.
    ///
    /// # Errors
    /// `Format` when the index describes another file (size or first-SOT offset differ)
    /// or is malformed; `Ok(None)` for an empty `.tlm` (use the file's own TLM).
    pub fn from_external(
        ext: &ExternalIndex,
        file_len: u64,
        header: &CodestreamHeader,
        codestream_end: u64,
        limits: &Limits,
    ) -> Result<Option<TileIndex>, Jp2Error> {
        match ext {
            ExternalIndex::Tlm(b) if b.is_empty() => Ok(None),
            ExternalIndex::Tlm(b) => {
                let size = be_u64_at(b, 0).ok_or_else(|| format_err(0, ".tlm index shorter than 20 bytes"))?;
                let first = be_u64_at(b, 8).ok_or_else(|| format_err(8, ".tlm index shorter than 20 bytes"))?;
                let l = be_u32_at(b, 16).ok_or_else(|| format_err(16, ".tlm index shorter than 20 bytes"))?;
                if size != file_len {
                    return Err(format_err(
                        0,
                        format!(".tlm index is for a {size}-byte file, this one has {file_len}"),
                    ));
                }
                if first != header.main_header_end {
                    return Err(format_err(
                        8,
                        format!(
                            ".tlm index says the first SOT is at {first}, the codestream has it at {}",
                            header.main_header_end
                        ),
                    ));
                }
                let seg = usize::try_from(l)
                    .ok()
                    .and_then(|l| b.get(20..20usize.checked_add(l)?))
                    .ok_or_else(|| format_err(16, format!(".tlm index: TLM segment of {l} bytes is truncated")))?;
                if be_u16_at(seg, 0) != Some(marker::TLM) || be_u16_at(seg, 2).map(u32::from) != l.checked_sub(2) {
                    return Err(format_err(20, ".tlm index: not a TLM marker segment"));
                }
                let body = seg.get(4..).unwrap_or_default();
                let tlm = parse_tlm_body(body, 24, limits)?;
                Self::from_tlm(&[tlm], first, codestream_end, header.siz.num_tiles(), TileIndexSource::Index).map(Some)
            }
            ExternalIndex::Json(v) => Self::from_json(v, file_len, header, codestream_end).map(Some),
        }
    }

    fn from_json(
        v: &Value,
        file_len: u64,
        header: &CodestreamHeader,
        codestream_end: u64,
    ) -> Result<TileIndex, Jp2Error> {
        let bad = |m: &str| format_err(0, format!("tile index JSON: {m}"));
        if v.get("format").and_then(Value::as_str) != Some("rangetile-jp2-index") {
            return Err(bad("\"format\" is not \"rangetile-jp2-index\""));
        }
        if v.get("file_size").and_then(Value::as_u64) != Some(file_len) {
            return Err(bad(&format!("\"file_size\" does not match the file's {file_len} bytes")));
        }
        if v.get("main_header_end").and_then(Value::as_u64) != Some(header.main_header_end) {
            return Err(bad("\"main_header_end\" does not match the codestream"));
        }
        let rows = v.get("tile_parts").and_then(Value::as_array).ok_or_else(|| bad("no \"tile_parts\" array"))?;
        let mut parts = Vec::with_capacity(rows.len().min(1 << 20));
        for r in rows {
            let f = |i: usize| r.get(i).and_then(Value::as_u64);
            let (Some(tile), Some(tpsot), Some(tnsot), Some(offset), Some(length)) = (f(0), f(1), f(2), f(3), f(4))
            else {
                return Err(bad("a row is not [tile, tpsot, tnsot, offset, length]"));
            };
            let tile = u16::try_from(tile).ok().filter(|&t| u64::from(t) < header.siz.num_tiles());
            let (Some(tile), Ok(tpsot), Ok(tnsot)) = (tile, u8::try_from(tpsot), u8::try_from(tnsot)) else {
                return Err(bad("tile, tpsot or tnsot out of range"));
            };
            if offset < header.main_header_end
                || length < 14
                || offset.checked_add(length).map_or(true, |e| e > codestream_end)
            {
                return Err(bad(&format!("tile-part at {offset} (+{length}) lies outside the codestream")));
            }
            parts.push(TilePart { tile, tpsot, tnsot, offset, length });
        }
        Ok(TileIndex { parts, source: TileIndexSource::Index, walk_requests: 0 })
    }

    /// The JSON external index (`rangetile jp2 index`), rows as `[tile, tpsot, tnsot,
    /// offset, length]` (the corpus `tile_parts_table` convention).
    pub fn to_json(&self, file_len: u64, header: &CodestreamHeader) -> Value {
        json!({
            "format": "rangetile-jp2-index",
            "version": 1,
            "file_size": file_len,
            "codestream_offset": header.codestream_offset,
            "main_header_end": header.main_header_end,
            "tile_parts": self.parts.iter().map(|p| json!([p.tile, p.tpsot, p.tnsot, p.offset, p.length])).collect::<Vec<_>>(),
        })
    }

    /// Walk the SOT markers from the end of the main header. Each hop reads the 12-byte
    /// SOT from what is cached, or else fetches one read-ahead window there (so at most
    /// one request per tile-part, and far fewer when tile-parts are small; the windows
    /// are not charged to the header budget and only the last is kept).
    ///
    /// # Errors
    /// `Format` for a missing SOT, a Psot past the codestream, or more tile-parts than
    /// `limits.max_tiles`; I/O errors.
    pub(crate) async fn sot_walk(
        ra: &mut ReadAhead<'_>,
        header: &CodestreamHeader,
        codestream_end: u64,
        limits: &Limits,
    ) -> Result<TileIndex, Jp2Error> {
        let before = ra.requests;
        let mut parts = Vec::new();
        let mut at = header.main_header_end;
        let num_tiles = header.siz.num_tiles();
        while at.saturating_add(2) <= codestream_end {
            if at.saturating_add(12) > codestream_end {
                let m = ra.get_exact(at, 2).await?;
                if be_u16_at(&m, 0) == Some(marker::EOC) {
                    break;
                }
                return Err(format_err(at, "truncated SOT at the end of the codestream"));
            }
            // At most one request per hop: a read-ahead window at the SOT, which also
            // serves the next hops when tile-parts are small.
            let window = ra.read_ahead();
            let b = ra.get_window(at, 12, window).await?;
            if be_u16_at(&b, 0) == Some(marker::EOC) {
                break;
            }
            let sot = parse_sot(&b, at)?;
            if u64::from(sot.isot) >= num_tiles {
                return Err(format_err(at + 4, format!("SOT for tile {} of {num_tiles}", sot.isot)));
            }
            let length =
                if sot.psot == 0 { codestream_end.saturating_sub(2).saturating_sub(at) } else { u64::from(sot.psot) };
            let end = at.checked_add(length).filter(|&e| e <= codestream_end).ok_or_else(|| {
                format_err(at + 6, format!("Psot {length} runs past the codestream end {codestream_end}"))
            })?;
            parts.push(TilePart { tile: sot.isot, tpsot: sot.tpsot, tnsot: sot.tnsot, offset: at, length });
            check("JPEG 2000 tile-parts", parts.len() as u64, limits.max_tiles)?;
            if sot.psot == 0 {
                break;
            }
            at = end;
        }
        if parts.is_empty() {
            return Err(format_err(header.main_header_end, "codestream has no tile-parts"));
        }
        Ok(TileIndex { parts, source: TileIndexSource::SotWalk, walk_requests: ra.requests - before })
    }
}

/// Parse a TLM segment body (after `FF55 Ltlm`).
pub(crate) fn parse_tlm_body(body: &[u8], at: u64, limits: &Limits) -> Result<TlmSegment, Jp2Error> {
    let mut c = Cursor::new(body, at);
    let ztlm = c.u8("Ztlm")?;
    let stlm = c.u8("Stlm")?;
    let st = usize::from((stlm >> 4) & 3);
    let sp = if stlm & 0x40 != 0 { 4 } else { 2 };
    if st == 3 {
        return Err(format_err(at, "TLM: ST = 3 is reserved"));
    }
    let n = c.remaining() / (st + sp);
    if c.remaining() % (st + sp) != 0 {
        return Err(format_err(at, "TLM: not a whole number of records"));
    }
    check("JPEG 2000 tile-parts", n as u64, limits.max_tiles)?;
    let mut entries = Vec::with_capacity(n);
    for _ in 0..n {
        let t = match st {
            0 => None,
            1 => Some(u16::from(c.u8("Ttlm")?)),
            _ => Some(c.u16("Ttlm")?),
        };
        let p = if sp == 4 { c.u32("Ptlm")? } else { u32::from(c.u16("Ptlm")?) };
        entries.push((t, p));
    }
    Ok(TlmSegment { ztlm, stlm, entries })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlm_variants() {
        // ST=0 (tiles in order), SP=0.
        let s = TlmSegment { ztlm: 0, stlm: 0, entries: vec![(None, 20), (None, 30)] };
        let ix = TileIndex::from_tlm(&[s], 100, 200, 2, TileIndexSource::Tlm).unwrap();
        assert_eq!(ix.parts[1], TilePart { tile: 1, tpsot: 0, tnsot: 0, offset: 120, length: 30 });
        // Past the end.
        let s = TlmSegment { ztlm: 0, stlm: 0x60, entries: vec![(Some(0), 20), (Some(0), 300)] };
        assert!(TileIndex::from_tlm(&[s], 100, 200, 2, TileIndexSource::Tlm).is_err());
        // Tile beyond the grid.
        let s = TlmSegment { ztlm: 0, stlm: 0x10, entries: vec![(Some(5), 20)] };
        assert!(TileIndex::from_tlm(&[s], 100, 200, 2, TileIndexSource::Tlm).is_err());
        // Body parsing: ST=2, SP=1.
        let t = parse_tlm_body(&[0, 0x60, 0, 1, 0, 0, 1, 0], 0, &Limits::default()).unwrap();
        assert_eq!(t.entries, vec![(Some(1), 256)]);
        assert!(parse_tlm_body(&[0, 0x60, 0, 1, 0], 0, &Limits::default()).is_err());
        assert!(parse_tlm_body(&[0, 0x30], 0, &Limits::default()).is_err());
    }
}
