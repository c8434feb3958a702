//! The J2K codestream main header (ITU-T T.800 | ISO/IEC 15444-1 Annex A): SOC, SIZ
//! (A.5.1), COD/COC (A.6.1, A.6.2), QCD/QCC (A.6.4, A.6.5), TLM (A.7.1, every Stlm
//! variant), PLM/PPM (A.7.2, A.7.4), CAP (15444-15 A.3), COM (A.9.2), up to the first SOT
//! (A.4.2); and the tile-part header fields the tile reader needs.
//!
//! Parsing is a pure function of a byte prefix: when the prefix ends before the first
//! SOT it answers [`HeaderParse::NeedMore`] with the length it needs, so the caller can
//! extend its read-ahead only as far as required. Every length is checked against the
//! bytes present and against [`Limits`]; no input panics or over-allocates.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

use super::bytes::{be_u16_at, be_u32_at, format_err, Cursor};
use crate::error::Jp2Error;
use crate::limits::{check, Limits};

/// Marker codes (Table A.2).
pub mod marker {
    pub const SOC: u16 = 0xFF4F;
    pub const CAP: u16 = 0xFF50;
    pub const SIZ: u16 = 0xFF51;
    pub const COD: u16 = 0xFF52;
    pub const COC: u16 = 0xFF53;
    pub const TLM: u16 = 0xFF55;
    pub const PLM: u16 = 0xFF57;
    pub const PLT: u16 = 0xFF58;
    pub const QCD: u16 = 0xFF5C;
    pub const QCC: u16 = 0xFF5D;
    pub const RGN: u16 = 0xFF5E;
    pub const POC: u16 = 0xFF5F;
    pub const PPM: u16 = 0xFF60;
    pub const PPT: u16 = 0xFF61;
    pub const CRG: u16 = 0xFF63;
    pub const COM: u16 = 0xFF64;
    pub const SOT: u16 = 0xFF90;
    pub const SOD: u16 = 0xFF93;
    pub const EOC: u16 = 0xFFD9;
}

/// One component's entry of SIZ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComponentSiz {
    /// Bit depth, 1..=38 (this reader decodes up to 31).
    pub precision: u8,
    /// Whether samples are signed.
    pub signed: bool,
    /// Horizontal subsampling XRsiz.
    pub dx: u8,
    /// Vertical subsampling YRsiz.
    pub dy: u8,
}

/// The SIZ marker segment (A.5.1): image and tile geometry on the reference grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Siz {
    pub rsiz: u16,
    pub xsiz: u32,
    pub ysiz: u32,
    pub xosiz: u32,
    pub yosiz: u32,
    pub xtsiz: u32,
    pub ytsiz: u32,
    pub xtosiz: u32,
    pub ytosiz: u32,
    pub components: Vec<ComponentSiz>,
}

/// A rectangle on the reference grid, `[x0, x1) × [y0, y1)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rect {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
}

impl Rect {
    /// The rectangle at resolution reduced by `level` (B-14: `ceil(x / 2^level)`).
    pub fn reduced(&self, level: u32) -> Rect {
        let f = |v: u32| -> u32 {
            let d = 1u64 << level.min(32);
            u32::try_from(u64::from(v).div_ceil(d)).unwrap_or(u32::MAX)
        };
        Rect { x0: f(self.x0), y0: f(self.y0), x1: f(self.x1), y1: f(self.y1) }
    }

    pub fn width(&self) -> u32 {
        self.x1.saturating_sub(self.x0)
    }

    pub fn height(&self) -> u32 {
        self.y1.saturating_sub(self.y0)
    }
}

impl Siz {
    /// Image width on the reference grid.
    pub fn width(&self) -> u32 {
        self.xsiz - self.xosiz
    }

    /// Image height on the reference grid.
    pub fn height(&self) -> u32 {
        self.ysiz - self.yosiz
    }

    /// Number of tile columns (B-5).
    pub fn tiles_across(&self) -> u32 {
        (self.xsiz - self.xtosiz).div_ceil(self.xtsiz)
    }

    /// Number of tile rows (B-5).
    pub fn tiles_down(&self) -> u32 {
        (self.ysiz - self.ytosiz).div_ceil(self.ytsiz)
    }

    /// Number of tiles.
    pub fn num_tiles(&self) -> u64 {
        u64::from(self.tiles_across()) * u64::from(self.tiles_down())
    }

    /// The area of tile `(p, q)` on the reference grid (B-7), clipped to the image.
    pub fn tile_rect(&self, p: u32, q: u32) -> Rect {
        let x0 = (u64::from(self.xtosiz) + u64::from(p) * u64::from(self.xtsiz)).max(u64::from(self.xosiz));
        let y0 = (u64::from(self.ytosiz) + u64::from(q) * u64::from(self.ytsiz)).max(u64::from(self.yosiz));
        let x1 = (u64::from(self.xtosiz) + (u64::from(p) + 1) * u64::from(self.xtsiz)).min(u64::from(self.xsiz));
        let y1 = (u64::from(self.ytosiz) + (u64::from(q) + 1) * u64::from(self.ytsiz)).min(u64::from(self.ysiz));
        let c = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        Rect { x0: c(x0), y0: c(y0), x1: c(x1), y1: c(y1) }
    }

    /// The image area.
    pub fn image_rect(&self) -> Rect {
        Rect { x0: self.xosiz, y0: self.yosiz, x1: self.xsiz, y1: self.ysiz }
    }

    /// Whether every component has subsampling 1×1.
    pub fn unsubsampled(&self) -> bool {
        self.components.iter().all(|c| c.dx == 1 && c.dy == 1)
    }

    /// Serialise as a SIZ marker segment (marker included).
    pub fn to_segment(&self) -> Vec<u8> {
        let n = self.components.len();
        let lsiz = 38 + 3 * n;
        let mut v = Vec::with_capacity(lsiz + 2);
        v.extend_from_slice(&marker::SIZ.to_be_bytes());
        v.extend_from_slice(&u16::try_from(lsiz).unwrap_or(u16::MAX).to_be_bytes());
        v.extend_from_slice(&self.rsiz.to_be_bytes());
        for x in [self.xsiz, self.ysiz, self.xosiz, self.yosiz, self.xtsiz, self.ytsiz, self.xtosiz, self.ytosiz] {
            v.extend_from_slice(&x.to_be_bytes());
        }
        v.extend_from_slice(&u16::try_from(n).unwrap_or(u16::MAX).to_be_bytes());
        for c in &self.components {
            v.push((c.precision.saturating_sub(1) & 0x7F) | if c.signed { 0x80 } else { 0 });
            v.push(c.dx);
            v.push(c.dy);
        }
        v
    }

    /// The SIZ of a codestream whose image is exactly `tile` (absolute coordinates kept,
    /// so code-block and precinct partitions, hence the decoded samples, are unchanged),
    /// holding one tile of the same nominal size.
    pub fn for_single_tile(&self, tile: Rect) -> Siz {
        Siz {
            xsiz: tile.x1,
            ysiz: tile.y1,
            xosiz: tile.x0,
            yosiz: tile.y0,
            xtosiz: tile.x0,
            ytosiz: tile.y0,
            ..self.clone()
        }
    }
}

/// Progression order (Table A.16).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progression {
    Lrcp,
    Rlcp,
    Rpcl,
    Pcrl,
    Cprl,
}

impl Progression {
    fn from_u8(v: u8) -> Option<Self> {
        Some(match v {
            0 => Progression::Lrcp,
            1 => Progression::Rlcp,
            2 => Progression::Rpcl,
            3 => Progression::Pcrl,
            4 => Progression::Cprl,
            _ => return None,
        })
    }

    /// The conventional name (`"LRCP"`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Progression::Lrcp => "LRCP",
            Progression::Rlcp => "RLCP",
            Progression::Rpcl => "RPCL",
            Progression::Pcrl => "PCRL",
            Progression::Cprl => "CPRL",
        }
    }

    /// Whether the resolution is the outermost loop (tile-parts may split by resolution).
    pub fn resolution_first(&self) -> bool {
        matches!(self, Progression::Rlcp | Progression::Rpcl)
    }
}

/// The COD marker segment (A.6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cod {
    pub scod: u8,
    pub progression: Progression,
    pub layers: u16,
    pub mct: u8,
    /// Number of decomposition levels (resolutions - 1).
    pub levels: u8,
    pub cblk_width: u32,
    pub cblk_height: u32,
    pub cblk_style: u8,
    /// 5/3 reversible (true) or 9/7 irreversible (false).
    pub reversible: bool,
}

/// A COC marker segment's decomposition levels and wavelet for one component (A.6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coc {
    pub component: u16,
    pub levels: u8,
    pub reversible: bool,
}

/// One TLM marker segment (A.7.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlmSegment {
    /// Ztlm: the order of this segment among TLM segments.
    pub ztlm: u8,
    /// Stlm.
    pub stlm: u8,
    /// (Ttlm tile index if present, Ptlm tile-part length) in codestream order.
    pub entries: Vec<(Option<u16>, u32)>,
}

/// One marker segment of the main header, as found (offsets relative to SOC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarkerSegment {
    pub marker: u16,
    /// Offset of the marker from SOC.
    pub start: usize,
    /// Offset just after the segment.
    pub end: usize,
}

/// The parsed main header of a codestream.
#[derive(Debug, Clone)]
pub struct CodestreamHeader {
    /// Absolute file offset of SOC.
    pub codestream_offset: u64,
    /// Absolute file offset of the first SOT (end of the main header).
    pub main_header_end: u64,
    pub siz: Siz,
    pub cod: Cod,
    pub cocs: Vec<Coc>,
    /// TLM segments sorted by Ztlm.
    pub tlm: Vec<TlmSegment>,
    pub has_plm: bool,
    /// PPM data (the Ippm of every segment in Zppm order, with their Nppm fields).
    pub ppm: Option<Vec<u8>>,
    /// CAP marker (Part 15, HTJ2K) present.
    pub has_cap: bool,
    /// COM segments holding Latin-1 text.
    pub comments: Vec<String>,
    /// Every marker segment in order.
    pub segments: Vec<MarkerSegment>,
    /// The main header bytes, SOC up to the first SOT.
    pub bytes: Vec<u8>,
}

impl CodestreamHeader {
    /// Lowest number of decomposition levels over all components (COD and COC): the
    /// largest `reduce` every component supports.
    pub fn min_levels(&self) -> u8 {
        self.cocs.iter().map(|c| c.levels).fold(self.cod.levels, u8::min)
    }

    /// Whether every component uses the reversible 5/3 wavelet.
    pub fn reversible(&self) -> bool {
        self.cod.reversible && self.cocs.iter().all(|c| c.reversible)
    }

    /// Whether the codestream uses HTJ2K (Part 15) block coding.
    pub fn is_htj2k(&self) -> bool {
        self.has_cap || self.cod.cblk_style & 0x40 != 0
    }

    /// The main header for a standalone codestream of tile `tile`: SIZ rewritten by
    /// [`Siz::for_single_tile`], TLM/PLM/PPM dropped (they describe the whole file).
    pub fn main_header_for_tile(&self, tile: Rect) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.bytes.len());
        out.extend_from_slice(&marker::SOC.to_be_bytes());
        for seg in &self.segments {
            match seg.marker {
                marker::SIZ => out.extend_from_slice(&self.siz.for_single_tile(tile).to_segment()),
                marker::TLM | marker::PLM | marker::PPM => {}
                _ => {
                    if let Some(b) = self.bytes.get(seg.start..seg.end) {
                        out.extend_from_slice(b);
                    }
                }
            }
        }
        out
    }
}

/// The outcome of parsing a prefix of a codestream.
#[derive(Debug)]
pub enum HeaderParse {
    /// The main header is complete.
    Complete(Box<CodestreamHeader>),
    /// The prefix ends inside the main header: at least this many bytes (from SOC) are needed.
    NeedMore(usize),
}

/// Parse the main header from `buf` (which starts at SOC, absolute offset `base`).
/// `available` is how many codestream bytes exist at all (the file or box end), so a
/// header running past it is a `Format` error rather than a request for more.
///
/// # Errors
/// `Format` for malformed or inconsistent segments, `LimitExceeded` for images, tiles or
/// headers beyond `limits`, `Unsupported` for precisions above 31 bits.
pub fn parse_main_header(buf: &[u8], base: u64, available: u64, limits: &Limits) -> Result<HeaderParse, Jp2Error> {
    let need = |n: usize| -> Result<HeaderParse, Jp2Error> {
        if n as u64 > available {
            Err(format_err(base.saturating_add(available), "main header runs past the end of the codestream"))
        } else {
            check("JPEG 2000 main header bytes", n as u64, limits.max_header_bytes)?;
            Ok(HeaderParse::NeedMore(n))
        }
    };
    if buf.len() < 4 {
        return need(4);
    }
    if be_u16_at(buf, 0) != Some(marker::SOC) || be_u16_at(buf, 2) != Some(marker::SIZ) {
        return Err(format_err(base, "codestream does not start with SOC, SIZ (FF4F FF51)"));
    }
    let mut pos = 2usize;
    let mut siz: Option<Siz> = None;
    let mut cod: Option<Cod> = None;
    let mut cocs = Vec::new();
    let mut tlm = Vec::new();
    let mut has_plm = false;
    let mut ppm_parts: Vec<(u8, Vec<u8>)> = Vec::new();
    let mut has_cap = false;
    let mut has_qcd = false;
    let mut comments = Vec::new();
    let mut segments = Vec::new();
    loop {
        let Some(m) = be_u16_at(buf, pos) else {
            return need(pos + 2);
        };
        let at = base.saturating_add(pos as u64);
        if m == marker::SOT {
            break;
        }
        if m == marker::EOC {
            return Err(format_err(at, "EOC before any tile-part (codestream without tiles)"));
        }
        if m >> 8 != 0xFF || m < 0xFF30 {
            return Err(format_err(at, format!("expected a marker, found {m:#06x}")));
        }
        let Some(l) = be_u16_at(buf, pos + 2) else {
            return need(pos + 4);
        };
        if l < 2 {
            return Err(format_err(at + 2, format!("marker {m:#06x} has length {l} < 2")));
        }
        let end = pos + 2 + usize::from(l);
        if buf.len() < end {
            return need(end);
        }
        let body = buf.get(pos + 4..end).ok_or_else(|| format_err(at, "segment bounds"))?;
        let mut c = Cursor::new(body, at + 4);
        match m {
            marker::SIZ => {
                if siz.is_some() {
                    return Err(format_err(at, "second SIZ"));
                }
                siz = Some(parse_siz(&mut c, at, limits)?);
            }
            marker::COD => cod = Some(parse_cod(&mut c)?),
            marker::COC => {
                let ncomp = siz.as_ref().map_or(0, |s| s.components.len());
                cocs.push(parse_coc(&mut c, ncomp)?);
            }
            marker::QCD => has_qcd = true,
            marker::TLM => tlm.push(super::tile_index::parse_tlm_body(body, at + 4, limits)?),
            marker::PLM => has_plm = true,
            marker::PPM => {
                let z = c.u8("Zppm")?;
                ppm_parts.push((z, body.get(1..).unwrap_or_default().to_vec()));
            }
            marker::CAP => has_cap = true,
            marker::COM => {
                let rcom = c.u16("Rcom")?;
                if rcom == 1 {
                    comments.push(body.get(2..).unwrap_or_default().iter().map(|&b| char::from(b)).collect());
                }
            }
            _ => {}
        }
        segments.push(MarkerSegment { marker: m, start: pos, end });
        pos = end;
    }
    let siz = siz.ok_or_else(|| format_err(base, "no SIZ"))?;
    let cod = cod.ok_or_else(|| format_err(base, "main header has no COD"))?;
    if !has_qcd {
        return Err(format_err(base, "main header has no QCD"));
    }
    tlm.sort_by_key(|t: &TlmSegment| t.ztlm);
    ppm_parts.sort_by_key(|p| p.0);
    let ppm = if ppm_parts.is_empty() { None } else { Some(ppm_parts.into_iter().flat_map(|p| p.1).collect()) };
    let bytes = buf.get(..pos).unwrap_or_default().to_vec();
    Ok(HeaderParse::Complete(Box::new(CodestreamHeader {
        codestream_offset: base,
        main_header_end: base.saturating_add(pos as u64),
        siz,
        cod,
        cocs,
        tlm,
        has_plm,
        ppm,
        has_cap,
        comments,
        segments,
        bytes,
    })))
}

fn parse_siz(c: &mut Cursor<'_>, at: u64, limits: &Limits) -> Result<Siz, Jp2Error> {
    let rsiz = c.u16("Rsiz")?;
    let mut f = [0u32; 8];
    for (i, v) in f.iter_mut().enumerate() {
        *v =
            c.u32(["Xsiz", "Ysiz", "XOsiz", "YOsiz", "XTsiz", "YTsiz", "XTOsiz", "YTOsiz"].get(i).unwrap_or(&"SIZ"))?;
    }
    let [xsiz, ysiz, xosiz, yosiz, xtsiz, ytsiz, xtosiz, ytosiz] = f;
    let csiz = c.u16("Csiz")?;
    if csiz == 0 || csiz > 16384 {
        return Err(format_err(at, format!("SIZ: Csiz {csiz} not in 1..=16384")));
    }
    if c.remaining() != 3 * usize::from(csiz) {
        return Err(format_err(at, format!("SIZ: length does not match Csiz {csiz}")));
    }
    if xosiz >= xsiz || yosiz >= ysiz {
        return Err(format_err(at, format!("SIZ: empty image ({xosiz}..{xsiz} × {yosiz}..{ysiz})")));
    }
    if xtsiz == 0 || ytsiz == 0 {
        return Err(format_err(at, "SIZ: zero tile size"));
    }
    if xtosiz > xosiz || ytosiz > yosiz {
        return Err(format_err(at, "SIZ: tile origin after the image origin"));
    }
    if u64::from(xtosiz) + u64::from(xtsiz) <= u64::from(xosiz)
        || u64::from(ytosiz) + u64::from(ytsiz) <= u64::from(yosiz)
    {
        return Err(format_err(at, "SIZ: first tile does not intersect the image"));
    }
    check("JPEG 2000 image width", u64::from(xsiz - xosiz), limits.max_image_side)?;
    check("JPEG 2000 image height", u64::from(ysiz - yosiz), limits.max_image_side)?;
    let mut components = Vec::with_capacity(usize::from(csiz));
    for _ in 0..csiz {
        let s = c.u8("Ssiz")?;
        let dx = c.u8("XRsiz")?;
        let dy = c.u8("YRsiz")?;
        if dx == 0 || dy == 0 {
            return Err(format_err(at, "SIZ: zero subsampling"));
        }
        let precision = (s & 0x7F) + 1;
        if precision > 38 {
            return Err(format_err(at, format!("SIZ: precision {precision} > 38")));
        }
        if precision > 31 {
            return Err(Jp2Error::Unsupported { feature: format!("{precision}-bit samples") });
        }
        components.push(ComponentSiz { precision, signed: s & 0x80 != 0, dx, dy });
    }
    let siz = Siz { rsiz, xsiz, ysiz, xosiz, yosiz, xtsiz, ytsiz, xtosiz, ytosiz, components };
    check("JPEG 2000 tiles", siz.num_tiles(), limits.max_tiles)?;
    Ok(siz)
}

fn parse_cod(c: &mut Cursor<'_>) -> Result<Cod, Jp2Error> {
    let at = c.offset();
    let scod = c.u8("Scod")?;
    let prog = c.u8("progression")?;
    let progression = Progression::from_u8(prog).ok_or_else(|| format_err(at, format!("COD: progression {prog}")))?;
    let layers = c.u16("layers")?;
    let mct = c.u8("MCT")?;
    let levels = c.u8("levels")?;
    if levels > 32 || layers == 0 {
        return Err(format_err(at, format!("COD: {levels} levels, {layers} layers")));
    }
    let (cw, ch) = (c.u8("xcb")?, c.u8("ycb")?);
    if cw > 8 || ch > 8 || cw + ch > 8 {
        return Err(format_err(at, "COD: code-block size out of range"));
    }
    let cblk_style = c.u8("cblk style")?;
    let wavelet = c.u8("transform")?;
    Ok(Cod {
        scod,
        progression,
        layers,
        mct,
        levels,
        cblk_width: 1 << (cw + 2),
        cblk_height: 1 << (ch + 2),
        cblk_style,
        reversible: wavelet == 1,
    })
}

fn parse_coc(c: &mut Cursor<'_>, ncomp: usize) -> Result<Coc, Jp2Error> {
    let at = c.offset();
    let component = if ncomp < 257 { u16::from(c.u8("Ccoc")?) } else { c.u16("Ccoc")? };
    if usize::from(component) >= ncomp {
        return Err(format_err(at, format!("COC for component {component} of {ncomp}")));
    }
    let _scoc = c.u8("Scoc")?;
    let levels = c.u8("levels")?;
    if levels > 32 {
        return Err(format_err(at, format!("COC: {levels} levels")));
    }
    c.skip(3, "COC code-block")?;
    let wavelet = c.u8("transform")?;
    Ok(Coc { component, levels, reversible: wavelet == 1 })
}

/// The fields of an SOT marker segment (A.4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sot {
    pub isot: u16,
    pub psot: u32,
    pub tpsot: u8,
    pub tnsot: u8,
}

/// Parse the 12-byte SOT marker segment at the start of `buf` (absolute offset `at`).
///
/// # Errors
/// `Format` when `buf` does not start with a valid SOT.
pub fn parse_sot(buf: &[u8], at: u64) -> Result<Sot, Jp2Error> {
    if be_u16_at(buf, 0) != Some(marker::SOT) {
        return Err(format_err(at, "expected an SOT marker (FF90)"));
    }
    if be_u16_at(buf, 2) != Some(10) {
        return Err(format_err(at + 2, "SOT: Lsot is not 10"));
    }
    let isot = be_u16_at(buf, 4).ok_or_else(|| format_err(at, "SOT truncated"))?;
    let psot = be_u32_at(buf, 6).ok_or_else(|| format_err(at, "SOT truncated"))?;
    let tpsot = *buf.get(10).ok_or_else(|| format_err(at, "SOT truncated"))?;
    let tnsot = *buf.get(11).ok_or_else(|| format_err(at, "SOT truncated"))?;
    if psot != 0 && psot < 14 {
        return Err(format_err(at + 6, format!("SOT: Psot {psot} is shorter than SOT + SOD")));
    }
    Ok(Sot { isot, psot, tpsot, tnsot })
}

/// Copy a tile-part for a standalone one-tile codestream: Isot set to 0, Psot set to
/// the real length, TNsot to `tnsot` (0 = unknown, used when only some tile-parts are
/// kept).
///
/// # Errors
/// `Format` when `part` is not a tile-part of `expected_tile`.
pub fn retarget_tile_part(part: &[u8], at: u64, expected_tile: u16, tnsot: Option<u8>) -> Result<Vec<u8>, Jp2Error> {
    let sot = parse_sot(part, at)?;
    if sot.isot != expected_tile {
        return Err(format_err(
            at + 4,
            format!("tile-part of tile {} where tile {expected_tile} was expected", sot.isot),
        ));
    }
    let len = u32::try_from(part.len()).map_err(|_| format_err(at, "tile-part longer than 4 GiB"))?;
    if sot.psot != 0 && sot.psot != len {
        return Err(format_err(at + 6, format!("SOT: Psot {} but the index gives {len} bytes", sot.psot)));
    }
    let mut v = part.to_vec();
    if let Some(b) = v.get_mut(4..6) {
        b.copy_from_slice(&[0, 0]);
    }
    if let Some(b) = v.get_mut(6..10) {
        b.copy_from_slice(&len.to_be_bytes());
    }
    if let (Some(t), Some(b)) = (tnsot, v.get_mut(11)) {
        *b = t;
    }
    Ok(v)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A minimal main header: 1 component, `w`×`h` image, `tw`×`th` tiles.
    pub(crate) fn header_bytes(w: u32, h: u32, tw: u32, th: u32) -> Vec<u8> {
        let siz = Siz {
            rsiz: 0,
            xsiz: w,
            ysiz: h,
            xosiz: 0,
            yosiz: 0,
            xtsiz: tw,
            ytsiz: th,
            xtosiz: 0,
            ytosiz: 0,
            components: vec![ComponentSiz { precision: 8, signed: false, dx: 1, dy: 1 }],
        };
        let mut v = vec![0xFF, 0x4F];
        v.extend(siz.to_segment());
        v.extend([0xFF, 0x52, 0, 12, 0, 0, 0, 1, 0, 5, 4, 4, 0, 1]);
        v.extend([0xFF, 0x5C, 0, 4, 0x40, 0x48]);
        v
    }

    #[test]
    fn parses_and_asks_for_more() {
        let mut b = header_bytes(100, 50, 64, 64);
        // TLM with ST=1, SP=0: two entries.
        b.extend([0xFF, 0x55, 0, 10, 0, 0x10, 0, 0, 20, 1, 0, 30]);
        let end = b.len();
        b.extend([0xFF, 0x90]);
        let l = Limits::default();
        assert!(matches!(parse_main_header(&b[..10], 0, 1000, &l).unwrap(), HeaderParse::NeedMore(n) if n > 10));
        let HeaderParse::Complete(h) = parse_main_header(&b, 7, 1000, &l).unwrap() else { panic!() };
        assert_eq!(h.main_header_end, 7 + end as u64);
        assert_eq!((h.siz.tiles_across(), h.siz.tiles_down()), (2, 1));
        assert_eq!(h.cod.levels, 5);
        assert_eq!(h.tlm[0].entries, vec![(Some(0), 20), (Some(1), 30)]);
        assert_eq!(h.siz.tile_rect(1, 0), Rect { x0: 64, y0: 0, x1: 100, y1: 50 });
        let t = h.main_header_for_tile(h.siz.tile_rect(1, 0));
        let HeaderParse::Complete(h2) = parse_main_header(&[t, vec![0xFF, 0x90]].concat(), 0, 1000, &l).unwrap() else {
            panic!()
        };
        assert!(h2.tlm.is_empty());
        assert_eq!(h2.siz.num_tiles(), 1);
        assert_eq!(h2.siz.image_rect(), Rect { x0: 64, y0: 0, x1: 100, y1: 50 });
    }

    #[test]
    fn rejects_bad_headers() {
        let l = Limits::default();
        // Lengths past the end of the codestream.
        let b = header_bytes(100, 50, 64, 64);
        assert!(matches!(parse_main_header(&b, 0, b.len() as u64, &l), Err(Jp2Error::Format { .. })));
        // Zero tile size.
        let mut z = header_bytes(100, 50, 0, 64);
        z.extend([0xFF, 0x90]);
        assert!(matches!(parse_main_header(&z, 0, 1000, &l), Err(Jp2Error::Format { .. })));
        // Absurd SIZ: 2^32-1 square with 1×1 tiles.
        let mut a = header_bytes(u32::MAX, u32::MAX, 1, 1);
        a.extend([0xFF, 0x90]);
        assert!(matches!(parse_main_header(&a, 0, 1000, &l), Err(Jp2Error::LimitExceeded(_))));
        // Segment length < 2 and garbage.
        let mut g = header_bytes(10, 10, 10, 10);
        g.extend([0xFF, 0x64, 0, 1, 0xFF, 0x90]);
        assert!(parse_main_header(&g, 0, 1000, &l).is_err());
        assert!(parse_main_header(&[0, 1, 2, 3, 4], 0, 5, &l).is_err());
        // Bad TLM record size.
        let mut t = header_bytes(10, 10, 10, 10);
        t.extend([0xFF, 0x55, 0, 7, 0, 0x50, 1, 2, 3, 0xFF, 0x90]);
        assert!(parse_main_header(&t, 0, 1000, &l).is_err());
    }

    #[test]
    fn sot_retarget() {
        let part = [0xFF, 0x90, 0, 10, 0, 3, 0, 0, 0, 16, 0, 1, 0xFF, 0x93, 1, 2];
        let v = retarget_tile_part(&part, 0, 3, None).unwrap();
        assert_eq!(&v[4..6], &[0, 0]);
        assert!(retarget_tile_part(&part, 0, 2, None).is_err());
        assert!(retarget_tile_part(&part[..12], 0, 3, None).is_err());
    }
}
