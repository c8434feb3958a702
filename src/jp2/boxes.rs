//! The JP2 file format (ISO/IEC 15444-1 Annex I; JPH: 15444-15 Annex D): box headers
//! (I.4, incl. XLBox and LBox = 0), the signature (I.5.1), ftyp (I.5.2), jp2h with ihdr
//! and colr (I.5.3), res, uuid (I.7.2), asoc/lbl/xml (15444-2 M.11), and the contiguous
//! codestream box jp2c (I.5.4). Raw codestreams (J2K/J2C/JHC) are detected by SOC+SIZ.
//!
//! Boxes are read through the header read-ahead: only the box headers and the small
//! metadata boxes are fetched, never the codestream.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

use super::bytes::{be_u16_at, be_u32_at, format_err, to_usize, Cursor};
use super::read_ahead::ReadAhead;
use crate::error::Jp2Error;
use bytes::Bytes;

/// The JP2 signature box (I.5.1).
pub const JP2_SIGNATURE: [u8; 12] = [0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A];

/// The GeoJP2 uuid (a degenerate GeoTIFF inside a uuid box).
pub const GEOJP2_UUID: [u8; 16] =
    [0xB1, 0x4B, 0xF8, 0xBD, 0x08, 0x3D, 0x4B, 0x43, 0xA5, 0xAE, 0x8C, 0xD7, 0xD5, 0xA6, 0xCE, 0x03];

/// Most top-level boxes read before `jp2c`.
const MAX_BOXES: usize = 4096;

/// Largest metadata box (uuid, xml, asoc) whose content is read.
const MAX_METADATA_BOX: u64 = 4 << 20;

/// The container kind, sniffed from the first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A JP2-family file (JP2, JPX, JPH): boxes around a codestream.
    Jp2,
    /// A raw codestream (J2K, J2C, JHC).
    Codestream,
}

/// Sniff the container kind.
///
/// # Errors
/// `Format` when the bytes are neither.
pub fn sniff(prefix: &[u8]) -> Result<FileKind, Jp2Error> {
    if prefix.starts_with(&JP2_SIGNATURE) || prefix.get(4..8) == Some(b"jP  ".as_slice()) {
        Ok(FileKind::Jp2)
    } else if be_u16_at(prefix, 0) == Some(0xFF4F) && be_u16_at(prefix, 2) == Some(0xFF51) {
        Ok(FileKind::Codestream)
    } else {
        Err(format_err(0, "neither a JP2 file (signature box) nor a J2K codestream (FF4F FF51)"))
    }
}

/// The image header box (I.5.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ihdr {
    pub height: u32,
    pub width: u32,
    pub components: u16,
    pub bpc: u8,
    pub compression: u8,
}

/// A JP2 palette (pclr): `columns[c][i]` is entry `i` of column `c`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Palette {
    pub columns: Vec<Vec<i32>>,
    /// Bit depth of each column.
    pub precision: Vec<u8>,
    /// Signedness of each column.
    pub signed: Vec<bool>,
}

/// Parse a pclr box (I.5.3.4): NE entries of NPC columns of B_i bits each.
fn parse_pclr(content: &[u8], at: u64) -> Result<Palette, Jp2Error> {
    let mut c = Cursor::new(content, at);
    let ne = c.u16("pclr NE")?;
    let npc = c.u8("pclr NPC")?;
    if ne == 0 || ne > 1024 || npc == 0 {
        return Err(format_err(at, format!("pclr: {ne} entries of {npc} columns")));
    }
    let mut precision = Vec::with_capacity(usize::from(npc));
    let mut signed = Vec::with_capacity(usize::from(npc));
    for _ in 0..npc {
        let b = c.u8("pclr B")?;
        let p = (b & 0x7F) + 1;
        if p > 31 {
            return Err(format_err(at, format!("pclr: {p}-bit column")));
        }
        precision.push(p);
        signed.push(b & 0x80 != 0);
    }
    let mut columns = vec![Vec::with_capacity(usize::from(ne)); usize::from(npc)];
    for _ in 0..ne {
        for (col, &p) in columns.iter_mut().zip(&precision) {
            let n = usize::from(p).div_ceil(8);
            let raw = c.take(n, "pclr entry")?.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b));
            col.push(i32::try_from(raw & ((1u32 << p) - 1)).unwrap_or(i32::MAX));
        }
    }
    Ok(Palette { columns, precision, signed })
}

/// A box found in the file (top level or inside a superbox).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoxInfo {
    pub box_type: [u8; 4],
    /// Offset of the box header.
    pub offset: u64,
    /// Length of the header (8 or 16).
    pub header_len: u64,
    /// Length of the whole box.
    pub len: u64,
}

impl BoxInfo {
    /// The type as text (`"jp2c"`).
    pub fn type_str(&self) -> String {
        self.box_type.iter().map(|&b| char::from(b)).collect()
    }
}

/// What the boxes before the codestream say.
#[derive(Debug, Clone, Default)]
pub struct Jp2Boxes {
    /// ftyp brand (`jp2 `, `jpx `, `jph `).
    pub brand: Option<[u8; 4]>,
    pub ihdr: Option<Ihdr>,
    /// colr enumerated colour space, if METH = 1.
    pub enumerated_colourspace: Option<u32>,
    /// Top-level boxes in order, up to and including jp2c.
    pub boxes: Vec<BoxInfo>,
    /// The palette (pclr, I.5.3.4), if any.
    pub palette: Option<Palette>,
    /// The component mapping (cmap, I.5.3.5): (CMP, MTYP, PCOL) per output channel.
    pub component_mapping: Vec<(u16, u8, u8)>,
    /// uuid boxes: (uuid, content).
    pub uuids: Vec<([u8; 16], Bytes)>,
    /// xml boxes, top level or inside asoc, as text.
    pub xml: Vec<String>,
    /// Offset of the codestream (SOC) in the file.
    pub codestream_offset: u64,
    /// Length of the codestream (to the end of jp2c, or of the file).
    pub codestream_len: u64,
}

/// A parsed box header.
struct Header {
    box_type: [u8; 4],
    header_len: u64,
    /// Total box length (resolved for LBox = 0 against `limit`).
    len: u64,
}

fn parse_header(buf: &[u8], at: u64, limit_end: u64) -> Result<Header, Jp2Error> {
    let lbox = be_u32_at(buf, 0).ok_or_else(|| format_err(at, "box header truncated"))?;
    let box_type: [u8; 4] =
        buf.get(4..8).and_then(|s| s.try_into().ok()).ok_or_else(|| format_err(at, "box header truncated"))?;
    let (header_len, len) = match lbox {
        0 => (8, limit_end.saturating_sub(at)),
        1 => {
            let xl = buf
                .get(8..16)
                .and_then(|s| s.try_into().ok())
                .map(u64::from_be_bytes)
                .ok_or_else(|| format_err(at, "XLBox truncated"))?;
            (16, xl)
        }
        2..=7 => return Err(format_err(at, format!("box length {lbox} is shorter than its header"))),
        n => (8, u64::from(n)),
    };
    if len < header_len {
        return Err(format_err(at, format!("box length {len} is shorter than its header")));
    }
    if at.checked_add(len).map_or(true, |e| e > limit_end) {
        return Err(format_err(at, format!("box of {len} bytes runs past the end ({limit_end})")));
    }
    Ok(Header { box_type, header_len, len })
}

/// Walk the boxes of a JP2-family file up to `jp2c`.
///
/// # Errors
/// `Format` for a bad signature, malformed box lengths or a missing `jp2c`; I/O errors.
pub(crate) async fn read_boxes(ra: &mut ReadAhead<'_>) -> Result<Jp2Boxes, Jp2Error> {
    let file_len = ra.len();
    let sig = ra.get(0, 12.min(file_len)).await?;
    if sig.as_ref() != JP2_SIGNATURE {
        return Err(format_err(0, "bad JP2 signature box"));
    }
    let mut out = Jp2Boxes::default();
    let mut at = 12u64;
    loop {
        if at >= file_len {
            return Err(format_err(at, "no contiguous codestream box (jp2c)"));
        }
        let hb = ra.get(at, 16.min(file_len - at)).await?;
        let h = parse_header(&hb, at, file_len)?;
        if out.boxes.len() >= MAX_BOXES {
            return Err(format_err(at, format!("more than {MAX_BOXES} boxes before the codestream")));
        }
        out.boxes.push(BoxInfo { box_type: h.box_type, offset: at, header_len: h.header_len, len: h.len });
        let content_at = at + h.header_len;
        let content_len = h.len - h.header_len;
        match &h.box_type {
            b"jp2c" => {
                out.codestream_offset = content_at;
                out.codestream_len = content_len;
                // Tools that insert a TLM into the codestream without updating LBox leave
                // the codestream's tail after the box (specs/s2-virtual-jp2.md §5). When
                // what follows is not a box, the codestream runs to the end of the file,
                // as OpenJPEG reads it.
                let end = at + h.len;
                if end < file_len {
                    let next = ra.get(end, 8.min(file_len - end)).await?;
                    let plausible = parse_header(&next, end, file_len).is_ok()
                        && next.get(4..8).is_some_and(|t| t.iter().all(|c| (0x20..0x7F).contains(c)));
                    if !plausible {
                        out.codestream_len = file_len - content_at;
                    }
                }
                return Ok(out);
            }
            b"ftyp" | b"jp2h" | b"uuid" | b"xml " | b"asoc" if content_len <= MAX_METADATA_BOX => {
                let content = ra.get(content_at, content_len).await?;
                parse_content(&h.box_type, &content, content_at, &mut out, 0)?;
            }
            _ => {}
        }
        at = at.checked_add(h.len).ok_or_else(|| format_err(at, "box offset overflow"))?;
    }
}

/// Parse the content of a metadata box (recursing into superboxes, depth-limited).
fn parse_content(box_type: &[u8; 4], content: &Bytes, at: u64, out: &mut Jp2Boxes, depth: u32) -> Result<(), Jp2Error> {
    match box_type {
        b"ftyp" => {
            out.brand = content.get(0..4).and_then(|s| s.try_into().ok());
        }
        b"ihdr" => {
            let mut c = Cursor::new(content, at);
            let height = c.u32("ihdr HEIGHT")?;
            let width = c.u32("ihdr WIDTH")?;
            let components = c.u16("ihdr NC")?;
            let bpc = c.u8("ihdr BPC")?;
            let compression = c.u8("ihdr C")?;
            out.ihdr = Some(Ihdr { height, width, components, bpc, compression });
        }
        b"colr" if content.first() == Some(&1) => {
            out.enumerated_colourspace = be_u32_at(content, 3);
        }
        b"pclr" => out.palette = Some(parse_pclr(content, at)?),
        b"cmap" => {
            out.component_mapping =
                content.chunks_exact(4).filter_map(|e| Some((be_u16_at(e, 0)?, *e.get(2)?, *e.get(3)?))).collect();
        }
        b"uuid" => {
            if let Some(id) = content.get(0..16).and_then(|s| <[u8; 16]>::try_from(s).ok()) {
                out.uuids.push((id, content.slice(16..)));
            }
        }
        b"xml " => out.xml.push(String::from_utf8_lossy(content).into_owned()),
        b"jp2h" | b"asoc" | b"res " if depth < 8 => {
            let end = content.len() as u64;
            let mut pos = 0u64;
            while pos + 8 <= end {
                let p = to_usize(pos, at + pos, "box offset")?;
                let sub = content.slice(p..);
                let h = parse_header(&sub, at + pos, at + end)?;
                let s = to_usize(h.header_len, at + pos, "box header")?;
                let e = to_usize(h.len, at + pos, "box length")?;
                let inner = sub.slice(s.min(sub.len())..e.min(sub.len()));
                parse_content(&h.box_type, &inner, at + pos + h.header_len, out, depth + 1)?;
                pos += h.len;
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        let b = [0, 0, 0, 1, b'j', b'p', b'2', b'c', 0, 0, 0, 0, 0, 0, 0, 40];
        let h = parse_header(&b, 0, 100).unwrap();
        assert_eq!((h.header_len, h.len), (16, 40));
        assert!(parse_header(&b, 70, 100).is_err());
        let z = [0, 0, 0, 0, b'j', b'p', b'2', b'c'];
        assert_eq!(parse_header(&z, 10, 100).unwrap().len, 90);
        let s = [0, 0, 0, 5, b'x', b'x', b'x', b'x'];
        assert!(parse_header(&s, 0, 100).is_err());
        assert_eq!(sniff(&JP2_SIGNATURE).unwrap(), FileKind::Jp2);
        assert_eq!(sniff(&[0xFF, 0x4F, 0xFF, 0x51]).unwrap(), FileKind::Codestream);
        assert!(sniff(b"GIF89a").is_err());
    }
}
