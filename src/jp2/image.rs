//! [`Jp2Image`]: a JPEG 2000 image read by HTTP ranges.
//!
//! `open` reads the boxes and the main header through a read-ahead (usually one
//! request), then builds the tile-part index (TLM, external index or SOT walk).
//! `read_tile` plans the byte ranges of one tile's tile-parts, fetches them in one
//! `get_ranges` call (the I/O planner coalesces them), and decodes a standalone
//! codestream built from them ([`decode_tile`], a pure function of bytes, recipe and
//! limits): the main header with SIZ rewritten so the image is exactly the tile in
//! absolute reference-grid coordinates (ISO/IEC 15444-1 B.3: code-block and precinct
//! partitions are anchored at the grid origin, so the samples are bit-identical to a
//! full decode), each SOT's Isot set to 0, then EOC.
//!
//! With resolution-first progressions (RLCP/RPCL) whose tiles are split into one
//! tile-part per resolution, a reduced `level` fetches only the tile-parts it needs;
//! when a tile has one tile-part whose packets are resolution-major and listed by PLT,
//! only the prefix holding the kept resolutions (see `prefix`).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

use super::boxes::{read_boxes, sniff, FileKind, Jp2Boxes};
use super::bytes::{format_err, to_usize};
use super::codestream::{
    marker, parse_main_header, parse_sot, retarget_tile_part, CodestreamHeader, HeaderParse, Rect,
};
use super::decode::{decode_codestream, interleave, ComponentPlane, DecodedImage, SampleType, Samples};
use super::georef::{self, Georef};
use super::prefix::{packets_per_resolution, prefix_len, scan_head, with_psot, HeadScan};
use super::read_ahead::ReadAhead;
use super::tile_index::{ExternalIndex, TileIndex, TileIndexSource, TilePart};
use crate::error::Jp2Error;
use crate::io::{ByteRange, RangeSource};
use crate::limits::{check, checked_product, Limits};
use bytes::Bytes;
use std::rc::Rc;

/// Bytes of a tile-part of `len` bytes fetched first for a prefix read at `level`: its
/// header (PLT) and, usually, the whole prefix (the kept resolutions hold about
/// `4^-level` of the samples), between 4 and 64 KiB.
fn prefix_head_window(len: u64, level: u32) -> u64 {
    len.min((len >> level.saturating_mul(2).min(63)).clamp(4096, 65536))
}

/// Options of [`Jp2Image::open`].
#[derive(Debug, Clone, Default)]
pub struct Jp2Options {
    /// Size and allocation limits.
    pub limits: Limits,
    /// An external tile-part index (`.tlm` or JSON), used when the codestream has no TLM.
    pub tlm_index: Option<ExternalIndex>,
}

/// The recipe of one tile decode: everything but the tile-part bytes. Serialisable, so
/// a worker can run [`decode_tile`] on fetched bytes without the image.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TileRecipe {
    /// The standalone main header (SOC … last segment before SOT).
    pub main_header: Vec<u8>,
    /// The tile's index in the original codestream (Isot).
    pub tile: u16,
    /// The tile-parts to fetch, in codestream order.
    pub parts: Vec<TilePart>,
    /// Whether only the first tile-parts are kept (a reduced resolution).
    pub partial: bool,
    /// Resolution levels discarded.
    pub level: u32,
    /// The tile's area on the reference grid at full resolution.
    pub rect: Rect,
    /// Per tile-part, the packed packet headers taken from the main header's PPM
    /// (A.7.4), re-inserted as PPT segments (A.7.5); empty without PPM.
    pub ppt: Vec<Vec<u8>>,
}

impl TileRecipe {
    /// The byte ranges to fetch.
    ///
    /// # Errors
    /// `Io(InvalidRange)` for empty parts (never produced by a checked index).
    pub fn ranges(&self) -> Result<Vec<ByteRange>, Jp2Error> {
        self.parts.iter().map(|p| ByteRange::from_offset_len(p.offset, p.length).map_err(Jp2Error::from)).collect()
    }
}

/// Decode one tile from its tile-part bytes (in recipe order).
///
/// # Errors
/// `Format` when a tile-part is not what the index said (wrong SOT, tile, TPsot out of
/// sequence, length); `Decode`, `LimitExceeded` as [`decode_codestream`].
pub fn decode_tile(recipe: &TileRecipe, parts: &[Bytes], limits: &Limits) -> Result<Vec<ComponentPlane>, Jp2Error> {
    if parts.len() != recipe.parts.len() {
        return Err(format_err(0, format!("{} tile-parts fetched, {} expected", parts.len(), recipe.parts.len())));
    }
    let total: u64 = recipe.parts.iter().map(|p| p.length).sum();
    check("encoded JPEG 2000 tile bytes", total, limits.max_encoded_chunk_bytes)?;
    let mut cs = Vec::with_capacity(recipe.main_header.len() + to_usize(total, 0, "tile bytes")? + 2);
    cs.extend_from_slice(&recipe.main_header);
    let mut zppt = 0u8;
    for (k, (p, b)) in recipe.parts.iter().zip(parts).enumerate() {
        if b.len() as u64 != p.length {
            return Err(format_err(p.offset, format!("tile-part has {} bytes, the index says {}", b.len(), p.length)));
        }
        let sot = parse_sot(b, p.offset)?;
        if usize::from(sot.tpsot) != k {
            return Err(format_err(
                p.offset + 10,
                format!("tile {}: tile-part index TPsot {} out of sequence (expected {k})", recipe.tile, sot.tpsot),
            ));
        }
        let tnsot = if recipe.partial { Some(0) } else { None };
        let part = retarget_tile_part(b, p.offset, recipe.tile, tnsot)?;
        match recipe.ppt.get(k) {
            Some(headers) => cs.extend(insert_ppt(&part, headers, &mut zppt, p.offset)?),
            None => cs.extend(part),
        }
    }
    cs.extend_from_slice(&marker::EOC.to_be_bytes());
    decode_codestream(&cs, recipe.level, limits)
}

/// A tile-part with PPT marker segments holding `headers` inserted after its SOT, and
/// Psot updated.
fn insert_ppt(part: &[u8], headers: &[u8], zppt: &mut u8, at: u64) -> Result<Vec<u8>, Jp2Error> {
    let (sot, rest) = (part.get(..12), part.get(12..));
    let (Some(sot), Some(rest)) = (sot, rest) else {
        return Err(format_err(at, "tile-part shorter than its SOT"));
    };
    let mut v = Vec::with_capacity(part.len() + headers.len() + 16);
    v.extend_from_slice(sot);
    for chunk in headers.chunks(65532) {
        v.extend_from_slice(&marker::PPT.to_be_bytes());
        v.extend_from_slice(&u16::try_from(chunk.len() + 3).unwrap_or(u16::MAX).to_be_bytes());
        v.push(*zppt);
        v.extend_from_slice(chunk);
        *zppt = zppt.checked_add(1).ok_or_else(|| format_err(at, "more than 256 PPT segments for one tile"))?;
    }
    v.extend_from_slice(rest);
    let len = u32::try_from(v.len()).map_err(|_| format_err(at, "tile-part longer than 4 GiB"))?;
    if let Some(p) = v.get_mut(6..10) {
        p.copy_from_slice(&len.to_be_bytes());
    }
    Ok(v)
}

/// Split PPM data (Nppm, Ippm pairs, A.7.4) into one packet-header blob per tile-part.
fn split_ppm(data: &[u8], at: u64) -> Result<Vec<(usize, usize)>, Jp2Error> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos < data.len() {
        let n = super::bytes::be_u32_at(data, pos).ok_or_else(|| format_err(at, "PPM: truncated Nppm"))?;
        let start = pos + 4;
        let end = start
            .checked_add(usize::try_from(n).map_err(|_| format_err(at, "PPM: Nppm"))?)
            .filter(|&e| e <= data.len())
            .ok_or_else(|| format_err(at, format!("PPM: Nppm {n} runs past the packet headers")))?;
        out.push((start, end));
        pos = end;
    }
    Ok(out)
}

/// A JPEG 2000 image (JP2, JPH or raw codestream) read through a [`RangeSource`].
pub struct Jp2Image {
    source: Rc<dyn RangeSource>,
    file_len: u64,
    kind: FileKind,
    boxes: Option<Jp2Boxes>,
    header: CodestreamHeader,
    codestream_end: u64,
    index: TileIndex,
    georef: Option<Georef>,
    limits: Limits,
    open_requests: u32,
    /// The read-ahead prefix fetched at open: tile-parts inside it need no request.
    head: Bytes,
}

impl std::fmt::Debug for Jp2Image {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jp2Image")
            .field("location", &self.source.location())
            .field("width", &self.width())
            .field("height", &self.height())
            .field("components", &self.components())
            .field("tile_index_source", &self.index.source)
            .finish()
    }
}

impl Jp2Image {
    /// Open: read the boxes and the main header, build the tile-part index.
    ///
    /// # Errors
    /// I/O errors; `Format` for malformed files; `LimitExceeded`; `Unsupported`.
    pub async fn open(source: Rc<dyn RangeSource>, options: Jp2Options) -> Result<Jp2Image, Jp2Error> {
        let limits = options.limits;
        // The first read-ahead goes out before the size is known: an HTTP source learns
        // the size from its Content-Range, so opening costs one request, not a HEAD too.
        let first = source.get_range(ByteRange::new(0, limits.header_read_ahead.max(64))?).await?;
        let file_len = source.len().await?;
        if file_len < 4 {
            return Err(format_err(0, format!("{file_len}-byte file is too short for JPEG 2000")));
        }
        if first.len() as u64 > file_len {
            return Err(format_err(0, "the source returned more bytes than the file holds"));
        }
        let mut ra = ReadAhead::new(source.as_ref(), file_len, &limits);
        ra.seed(0, first, 1);
        let first = ra.get(0, file_len.min(16)).await?;
        let kind = sniff(&first)?;
        let (boxes, cs_off, cs_len) = match kind {
            FileKind::Jp2 => {
                let b = read_boxes(&mut ra).await?;
                let (o, l) = (b.codestream_offset, b.codestream_len);
                (Some(b), o, l)
            }
            FileKind::Codestream => (None, 0, file_len),
        };
        let header = read_main_header(&mut ra, cs_off, cs_len, &limits).await?;
        let codestream_end = cs_off + cs_len;
        let num_tiles = header.siz.num_tiles();
        let mut index = None;
        if !header.tlm.is_empty() {
            // A TLM that is malformed or leaves tiles out is not fatal: the next source
            // (external index, SOT walk) takes over.
            index = TileIndex::from_tlm(
                &header.tlm,
                header.main_header_end,
                codestream_end,
                num_tiles,
                TileIndexSource::Tlm,
            )
            .ok()
            .filter(|i| i.covers_all_tiles(num_tiles));
        }
        if index.is_none() {
            if let Some(ext) = &options.tlm_index {
                index = TileIndex::from_external(ext, file_len, &header, codestream_end, &limits)?;
            }
        }
        let index = match index {
            Some(i) => i,
            None => TileIndex::sot_walk(&mut ra, &header, codestream_end, &limits).await?,
        };
        let georef = boxes.as_ref().and_then(georef::from_boxes);
        let open_requests = ra.requests;
        let head = ra.cached_from(0).unwrap_or_default();
        Ok(Jp2Image {
            source,
            file_len,
            kind,
            boxes,
            header,
            codestream_end,
            index,
            georef,
            limits,
            open_requests,
            head,
        })
    }

    /// Image width (Xsiz − XOsiz).
    pub fn width(&self) -> u32 {
        self.header.siz.width()
    }
    /// Image height (Ysiz − YOsiz).
    pub fn height(&self) -> u32 {
        self.header.siz.height()
    }
    /// Number of components.
    pub fn components(&self) -> u32 {
        self.header.siz.components.len() as u32
    }
    /// Bit depth of component 0.
    pub fn bit_depth(&self) -> u8 {
        self.header.siz.components.first().map_or(0, |c| c.precision)
    }
    /// Whether component 0 is signed.
    pub fn signed(&self) -> bool {
        self.header.siz.components.first().is_some_and(|c| c.signed)
    }
    /// The sample type of decoded output.
    pub fn sample_type(&self) -> SampleType {
        SampleType::for_precision(self.bit_depth(), self.signed())
    }
    /// Nominal tile width XTsiz.
    pub fn tile_width(&self) -> u32 {
        self.header.siz.xtsiz
    }
    /// Nominal tile height YTsiz.
    pub fn tile_height(&self) -> u32 {
        self.header.siz.ytsiz
    }
    /// Tile columns.
    pub fn tiles_across(&self) -> u32 {
        self.header.siz.tiles_across()
    }
    /// Tile rows.
    pub fn tiles_down(&self) -> u32 {
        self.header.siz.tiles_down()
    }
    /// Reduced resolution levels available (the lowest decomposition level count).
    pub fn levels(&self) -> u32 {
        u32::from(self.header.min_levels())
    }
    /// Where the tile-part index came from.
    pub fn tile_index_source(&self) -> TileIndexSource {
        self.index.source
    }
    /// The tile-part index.
    pub fn tile_index(&self) -> &TileIndex {
        &self.index
    }
    /// The georeference, if any.
    pub fn georef(&self) -> Option<&Georef> {
        self.georef.as_ref()
    }
    /// The parsed main header.
    pub fn header(&self) -> &CodestreamHeader {
        &self.header
    }
    /// The JP2 boxes (None for raw codestreams).
    pub fn boxes(&self) -> Option<&Jp2Boxes> {
        self.boxes.as_ref()
    }
    /// Container kind.
    pub fn kind(&self) -> FileKind {
        self.kind
    }
    /// File size in bytes.
    pub fn file_len(&self) -> u64 {
        self.file_len
    }
    /// End of the codestream in the file.
    pub fn codestream_end(&self) -> u64 {
        self.codestream_end
    }
    /// Range requests `open` made (header read-ahead and SOT walk).
    pub fn open_requests(&self) -> u32 {
        self.open_requests
    }
    /// The limits in use.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Walk the SOT markers now (whatever the index source), e.g. to write an external
    /// index or to check a TLM. Requests are counted in the result.
    ///
    /// # Errors
    /// As the walk in [`Jp2Image::open`].
    pub async fn walk_sot(&self) -> Result<TileIndex, Jp2Error> {
        let mut ra = ReadAhead::new(self.source.as_ref(), self.file_len, &self.limits);
        TileIndex::sot_walk(&mut ra, &self.header, self.codestream_end, &self.limits).await
    }

    /// Apply the file's JP2 palette and component mapping (pclr/cmap) to decoded planes;
    /// planes are returned unchanged when the file has no palette. Reads return raw
    /// components (the corpus convention); this gives what a viewer shows.
    ///
    /// # Errors
    /// `Format` when the mapping names a missing component or palette column.
    pub fn apply_palette(&self, planes: Vec<ComponentPlane>) -> Result<Vec<ComponentPlane>, Jp2Error> {
        match self.boxes.as_ref() {
            Some(b) if !b.component_mapping.is_empty() => match &b.palette {
                Some(p) => super::decode::apply_palette(planes, p, &b.component_mapping),
                None => Ok(planes),
            },
            _ => Ok(planes),
        }
    }

    /// The external JSON index for this file (`rangetile jp2 index`).
    pub fn index_json(&self) -> serde_json::Value {
        self.index.to_json(self.file_len, &self.header)
    }

    /// Plan the decode of tile `(tx, ty)` at `level`: no I/O.
    ///
    /// # Errors
    /// `TileOutOfRange`; `Unsupported` for a level beyond the decomposition levels; `Format` when the index has no (or inconsistent) tile-parts.
    pub fn tile_recipe(&self, tx: u32, ty: u32, level: u32) -> Result<TileRecipe, Jp2Error> {
        let (across, down) = (self.tiles_across(), self.tiles_down());
        if tx >= across || ty >= down {
            return Err(Jp2Error::TileOutOfRange { tx, ty, across, down });
        }
        if level > self.levels() {
            return Err(Jp2Error::Unsupported { feature: format!("level {level} (the image has {})", self.levels()) });
        }
        let t = ty * across + tx;
        let tile = u16::try_from(t).map_err(|_| format_err(0, "tile index above 65535"))?;
        let positions: Vec<usize> =
            self.index.parts.iter().enumerate().filter(|(_, p)| u32::from(p.tile) == t).map(|(i, _)| i).collect();
        let mut parts: Vec<TilePart> = positions.iter().filter_map(|&i| self.index.parts.get(i).copied()).collect();
        let mut ppt = Vec::new();
        if let Some(ppm) = &self.header.ppm {
            let blobs = split_ppm(ppm, self.header.codestream_offset)?;
            if blobs.len() != self.index.parts.len() {
                return Err(format_err(
                    self.header.codestream_offset,
                    format!(
                        "PPM has packet headers for {} tile-parts, the codestream has {}",
                        blobs.len(),
                        self.index.parts.len()
                    ),
                ));
            }
            for &i in &positions {
                let (s, e) = blobs.get(i).copied().unwrap_or((0, 0));
                ppt.push(ppm.get(s..e).unwrap_or_default().to_vec());
            }
        }
        if parts.is_empty() {
            return Err(format_err(
                self.header.main_header_end,
                format!("the tile-part index has no tile-part for tile {t}"),
            ));
        }
        let rect = self.header.siz.tile_rect(tx, ty);
        let resolutions = usize::from(self.header.cod.levels) + 1;
        let has_poc = self.header.segments.iter().any(|s| s.marker == marker::POC);
        let mut partial = false;
        if level > 0
            && self.header.cod.progression.resolution_first()
            && !has_poc
            && self.header.cocs.iter().all(|c| c.levels == self.header.cod.levels)
            && parts.len() == resolutions
        {
            parts.truncate(resolutions - level as usize);
            ppt.truncate(parts.len());
            partial = true;
        }
        Ok(TileRecipe { main_header: self.header.main_header_for_tile(rect), tile, parts, partial, level, rect, ppt })
    }

    /// Fetch `ranges` in one `get_ranges` call; ranges inside the prefix read at open
    /// are served from it.
    async fn fetch_ranges(&self, ranges: &[ByteRange]) -> Result<Vec<Bytes>, Jp2Error> {
        let head_len = self.head.len() as u64;
        let inside = |r: &ByteRange| matches!(*r, ByteRange::Bounded { end, .. } if end <= head_len);
        let remote: Vec<ByteRange> = ranges.iter().filter(|r| !inside(r)).copied().collect();
        let mut fetched =
            if remote.is_empty() { Vec::new() } else { self.source.get_ranges(&remote).await? }.into_iter();
        let mut all = Vec::with_capacity(ranges.len());
        for r in ranges {
            match *r {
                ByteRange::Bounded { start, end } if end <= head_len => {
                    all.push(self.head.slice(to_usize(start, start, "offset")?..to_usize(end, end, "offset")?));
                }
                _ => all.push(
                    fetched.next().ok_or_else(|| format_err(0, "the source returned fewer ranges than requested"))?,
                ),
            }
        }
        Ok(all)
    }

    /// Fetch the tile-parts of `recipes`. A reduced-level recipe whose single tile-part
    /// lists its packet lengths in PLT, in resolution-major order, gets only the prefix
    /// holding the kept resolutions ([`prefix`](super::prefix)): its head is fetched
    /// first, then the rest of the prefix; the recipe's part length and the SOT's Psot
    /// are set to the prefix length. Otherwise whole tile-parts. The bytes returned are
    /// what [`decode_tile`] expects for the (possibly updated) recipes.
    ///
    /// # Errors
    /// `LimitExceeded` when the tile-parts exceed `max_in_flight_bytes`; I/O errors;
    /// `Format` when the source returns fewer ranges than requested.
    pub async fn fetch_tiles(&self, recipes: &mut [TileRecipe]) -> Result<Vec<Vec<Bytes>>, Jp2Error> {
        let mut ranges = Vec::new();
        for r in recipes.iter() {
            ranges.extend(r.ranges()?);
        }
        let total: u64 = ranges.iter().map(ByteRange::len).sum();
        check("encoded JPEG 2000 bytes of one read", total, self.limits.max_in_flight_bytes)?;
        // Prefix candidates: (packets per resolution, resolutions kept).
        let cands: Vec<Option<(Vec<u64>, usize)>> = recipes
            .iter()
            .map(|r| {
                if r.level == 0 || r.partial || r.parts.len() != 1 || !r.ppt.is_empty() {
                    return None;
                }
                let per_res = packets_per_resolution(&self.header, r.rect)?;
                let keep = per_res.len().checked_sub(usize::try_from(r.level).ok()?)?;
                Some((per_res, keep))
            })
            .collect();
        let mut first = Vec::new();
        for (r, c) in recipes.iter().zip(&cands) {
            match (c, r.parts.first()) {
                (Some(_), Some(p)) => {
                    first.push(ByteRange::from_offset_len(p.offset, prefix_head_window(p.length, r.level))?);
                }
                _ => first.extend(r.ranges()?),
            }
        }
        let mut got = self.fetch_ranges(&first).await?.into_iter();
        let mut out: Vec<Vec<Bytes>> = Vec::with_capacity(recipes.len());
        // (recipe index, head, target length) of the candidates.
        let mut pending: Vec<(usize, Bytes, u64)> = Vec::new();
        let mut second = Vec::new();
        for (i, (r, c)) in recipes.iter().zip(&cands).enumerate() {
            match (c, r.parts.first()) {
                (Some((per_res, keep)), Some(p)) => {
                    let head =
                        got.next().ok_or_else(|| format_err(0, "the source returned fewer ranges than requested"))?;
                    let target = match scan_head(&head) {
                        HeadScan::Packets { header_len, lengths } => {
                            prefix_len(per_res, *keep, header_len, &lengths, p.length).unwrap_or(p.length)
                        }
                        HeadScan::NeedMore | HeadScan::Unusable => p.length,
                    };
                    let have = head.len() as u64;
                    if target > have {
                        second.push(ByteRange::from_offset_len(p.offset + have, target - have)?);
                    }
                    pending.push((i, head, target));
                    out.push(Vec::new());
                }
                _ => {
                    let v: Vec<Bytes> = got.by_ref().take(r.parts.len()).collect();
                    if v.len() != r.parts.len() {
                        return Err(format_err(0, "the source returned fewer ranges than requested"));
                    }
                    out.push(v);
                }
            }
        }
        let mut rest = if second.is_empty() { Vec::new() } else { self.fetch_ranges(&second).await? }.into_iter();
        for (i, head, target) in pending {
            let have = head.len() as u64;
            let bytes = if target > have {
                let tail =
                    rest.next().ok_or_else(|| format_err(0, "the source returned fewer ranges than requested"))?;
                let mut v = Vec::with_capacity(to_usize(target, 0, "tile-part length")?);
                v.extend_from_slice(&head);
                v.extend_from_slice(&tail);
                v
            } else {
                head.get(..to_usize(target, 0, "tile-part length")?).unwrap_or_default().to_vec()
            };
            let (Some(recipe), Some(slot)) = (recipes.get_mut(i), out.get_mut(i)) else { continue };
            let Some(part) = recipe.parts.first_mut() else { continue };
            if target < part.length {
                let v = with_psot(&bytes).ok_or_else(|| format_err(part.offset, "tile-part prefix too short"))?;
                part.length = target;
                *slot = vec![Bytes::from(v)];
            } else {
                *slot = vec![Bytes::from(bytes)];
            }
        }
        Ok(out)
    }

    /// Decode tile `(tx, ty)` at `level` into component planes (any subsampling).
    ///
    /// # Errors
    /// As [`Jp2Image::tile_recipe`] and [`decode_tile`]; I/O errors.
    pub async fn read_tile_components(&self, tx: u32, ty: u32, level: u32) -> Result<Vec<ComponentPlane>, Jp2Error> {
        let mut recipe = self.tile_recipe(tx, ty, level)?;
        let bytes = self.fetch_tiles(std::slice::from_mut(&mut recipe)).await?;
        decode_tile(&recipe, bytes.first().map(Vec::as_slice).unwrap_or_default(), &self.limits)
    }

    /// Decode tile `(tx, ty)` at `level`: `height × width × components`, interleaved.
    ///
    /// # Errors
    /// As [`Jp2Image::read_tile_components`]; `Unsupported` for subsampled components.
    pub async fn read_tile(&self, tx: u32, ty: u32, level: u32) -> Result<DecodedImage, Jp2Error> {
        interleave(self.read_tile_components(tx, ty, level).await?)
    }

    /// The subsampling shared by every component, if they all share one.
    pub fn uniform_subsampling(&self) -> Option<(u8, u8)> {
        let c = self.header.siz.components.first()?;
        self.header.siz.components.iter().all(|d| d.dx == c.dx && d.dy == c.dy).then_some((c.dx, c.dy))
    }

    /// The image area at `level`, on the grid of component 0 (B-12, B-14).
    pub fn level_rect(&self, level: u32) -> Rect {
        let (dx, dy) = self.header.siz.components.first().map_or((1, 1), |c| (c.dx, c.dy));
        grid_rect(self.header.siz.image_rect(), dx, dy, level)
    }

    /// Decode the window `[x0, x1) × [y0, y1)` of the image at `level` (pixel indices of
    /// the reduced image, origin at its top-left), stitching tiles.
    ///
    /// # Errors
    /// `InvalidRegion` for an empty window or one outside the image; `Unsupported` for
    /// subsampled components; `LimitExceeded` past `max_output_bytes`; I/O and decode errors.
    pub async fn read_region(&self, x0: u32, y0: u32, x1: u32, y1: u32, level: u32) -> Result<DecodedImage, Jp2Error> {
        let Some((sdx, sdy)) = self.uniform_subsampling() else {
            return Err(Jp2Error::Unsupported { feature: "regions of components with different subsampling".into() });
        };
        let lr = self.level_rect(level);
        if x0 >= x1 || y0 >= y1 || x1 > lr.width() || y1 > lr.height() {
            return Err(Jp2Error::InvalidRegion { x0, y0, x1, y1, width: lr.width(), height: lr.height() });
        }
        // The window on the reduced grid.
        let win = Rect { x0: lr.x0 + x0, y0: lr.y0 + y0, x1: lr.x0 + x1, y1: lr.y0 + y1 };
        let ncomp = self.components();
        let ty = self.sample_type();
        let (w, h) = (x1 - x0, y1 - y0);
        let n = checked_product("JPEG 2000 region samples", [u64::from(w), u64::from(h), u64::from(ncomp)])?;
        check("JPEG 2000 region bytes", n.saturating_mul(ty.size() as u64), self.limits.max_output_bytes)?;
        let mut recipes = Vec::new();
        let mut placements = Vec::new();
        for q in 0..self.tiles_down() {
            for p in 0..self.tiles_across() {
                let tr = grid_rect(self.header.siz.tile_rect(p, q), sdx, sdy, level);
                let ix =
                    Rect { x0: tr.x0.max(win.x0), y0: tr.y0.max(win.y0), x1: tr.x1.min(win.x1), y1: tr.y1.min(win.y1) };
                if ix.x0 < ix.x1 && ix.y0 < ix.y1 {
                    recipes.push(self.tile_recipe(p, q, level)?);
                    placements.push((tr, ix));
                }
            }
        }
        check("JPEG 2000 tiles of one region", recipes.len() as u64, self.limits.max_chunks_per_selection)?;
        let fetched = self.fetch_tiles(&mut recipes).await?;
        let n = to_usize(n, 0, "region samples")?;
        let mut out = match ty {
            SampleType::U8 => Samples::U8(vec![0; n]),
            SampleType::I8 => Samples::I8(vec![0; n]),
            SampleType::U16 => Samples::U16(vec![0; n]),
            SampleType::I16 => Samples::I16(vec![0; n]),
            SampleType::I32 => Samples::I32(vec![0; n]),
        };
        for ((recipe, bytes), (tr, ix)) in recipes.iter().zip(&fetched).zip(&placements) {
            let tile = interleave(decode_tile(recipe, bytes, &self.limits)?)?;
            if tile.width != tr.width() || tile.height != tr.height() {
                return Err(Jp2Error::Decode {
                    message: format!(
                        "tile decoded {}×{}, expected {}×{}",
                        tile.width,
                        tile.height,
                        tr.width(),
                        tr.height()
                    ),
                });
            }
            let b = Blit {
                c: ncomp as usize,
                src_w: tr.width() as usize,
                dst_w: w as usize,
                sx: (ix.x0 - tr.x0) as usize,
                sy: (ix.y0 - tr.y0) as usize,
                dx: (ix.x0 - win.x0) as usize,
                dy: (ix.y0 - win.y0) as usize,
                w: ix.width() as usize,
                h: ix.height() as usize,
            };
            match (&mut out, &tile.samples) {
                (Samples::U8(d), Samples::U8(s)) => b.run(d, s),
                (Samples::I8(d), Samples::I8(s)) => b.run(d, s),
                (Samples::U16(d), Samples::U16(s)) => b.run(d, s),
                (Samples::I16(d), Samples::I16(s)) => b.run(d, s),
                (Samples::I32(d), Samples::I32(s)) => b.run(d, s),
                _ => return Err(Jp2Error::Unsupported { feature: "tiles of different sample types".into() }),
            }
        }
        Ok(DecodedImage { width: w, height: h, components: ncomp, samples: out })
    }

    /// Decode the whole image at `level` per component (any subsampling), stitching
    /// tiles. Planes are `i32`.
    ///
    /// # Errors
    /// As [`Jp2Image::read_tile_components`]; `LimitExceeded` past `max_output_bytes`.
    pub async fn read_image_components(&self, level: u32) -> Result<Vec<ComponentPlane>, Jp2Error> {
        let siz = &self.header.siz;
        let sizes: Vec<(u32, u32)> = (0..siz.components.len())
            .map(|c| super::decode::component_size(siz, c, level).ok_or_else(|| format_err(0, "component size")))
            .collect::<Result<_, _>>()?;
        let total: u64 = sizes.iter().map(|(w, h)| u64::from(*w) * u64::from(*h) * 4).sum();
        check("JPEG 2000 image bytes", total, self.limits.max_output_bytes)?;
        let mut planes: Vec<ComponentPlane> = siz
            .components
            .iter()
            .zip(&sizes)
            .map(|(c, (w, h))| ComponentPlane {
                width: *w,
                height: *h,
                precision: c.precision,
                signed: c.signed,
                data: vec![0; (*w as usize) * (*h as usize)],
            })
            .collect();
        let d = |v: u32, s: u8| -> u32 { (u64::from(v).div_ceil(u64::from(s))).div_ceil(1u64 << level) as u32 };
        let mut recipes = Vec::new();
        for q in 0..self.tiles_down() {
            for p in 0..self.tiles_across() {
                recipes.push(self.tile_recipe(p, q, level)?);
            }
        }
        let fetched = self.fetch_tiles(&mut recipes).await?;
        for (recipe, bytes) in recipes.iter().zip(&fetched) {
            let tile = decode_tile(recipe, bytes, &self.limits)?;
            for ((plane, comp), t) in planes.iter_mut().zip(&siz.components).zip(&tile) {
                let ox = d(recipe.rect.x0, comp.dx) - d(siz.xosiz, comp.dx);
                let oy = d(recipe.rect.y0, comp.dy) - d(siz.yosiz, comp.dy);
                if ox as u64 + t.width as u64 > plane.width as u64 || oy as u64 + t.height as u64 > plane.height as u64
                {
                    return Err(Jp2Error::Decode { message: "tile-component outside the image".into() });
                }
                let b = Blit {
                    c: 1,
                    src_w: t.width as usize,
                    dst_w: plane.width as usize,
                    sx: 0,
                    sy: 0,
                    dx: ox as usize,
                    dy: oy as usize,
                    w: t.width as usize,
                    h: t.height as usize,
                };
                b.run(&mut plane.data, &t.data);
            }
        }
        Ok(planes)
    }
}

/// `r` on the grid of a component subsampled by `dx × dy`, at `level` (B-12, B-14).
fn grid_rect(r: Rect, dx: u8, dy: u8, level: u32) -> Rect {
    let f = |v: u32, s: u8| -> u32 {
        let a = u64::from(v).div_ceil(u64::from(s.max(1)));
        u32::try_from(a.div_ceil(1u64 << level.min(40))).unwrap_or(u32::MAX)
    };
    Rect { x0: f(r.x0, dx), y0: f(r.y0, dy), x1: f(r.x1, dx), y1: f(r.y1, dy) }
}

/// Copy a `w × h` window (with `c` interleaved components) from `src` (row length
/// `src_w` pixels, window at `sx, sy`) into `dst` (row length `dst_w`, at `dx, dy`).
struct Blit {
    c: usize,
    src_w: usize,
    dst_w: usize,
    sx: usize,
    sy: usize,
    dx: usize,
    dy: usize,
    w: usize,
    h: usize,
}

impl Blit {
    fn run<T: Copy>(&self, dst: &mut [T], src: &[T]) {
        let row = self.w * self.c;
        for r in 0..self.h {
            let s = ((self.sy + r) * self.src_w + self.sx) * self.c;
            let d = ((self.dy + r) * self.dst_w + self.dx) * self.c;
            if let (Some(dd), Some(ss)) = (dst.get_mut(d..d + row), src.get(s..s + row)) {
                dd.copy_from_slice(ss);
            }
        }
    }
}

/// Read the main header at `cs_off`, extending the read-ahead only as needed.
async fn read_main_header(
    ra: &mut ReadAhead<'_>,
    cs_off: u64,
    cs_len: u64,
    limits: &Limits,
) -> Result<CodestreamHeader, Jp2Error> {
    let mut want = cs_len.min(256);
    loop {
        let buf = match ra.cached_from(cs_off) {
            Some(b) if b.len() as u64 >= want => b,
            _ => ra.get(cs_off, want).await?,
        };
        let avail = (buf.len() as u64).min(cs_len);
        let slice = buf.get(..to_usize(avail, cs_off, "header")?).unwrap_or_default();
        match parse_main_header(slice, cs_off, cs_len, limits)? {
            HeaderParse::Complete(h) => return Ok(*h),
            HeaderParse::NeedMore(n) => {
                let n = n as u64;
                if n <= avail {
                    return Err(format_err(cs_off, "main header parser made no progress"));
                }
                want = n;
            }
        }
    }
}
