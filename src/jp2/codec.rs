//! JPEG 2000 as Zarr chunk codecs (bytes → bytes, output = little-endian samples):
//!
//! - [`Jpeg2kCodec`]: `imagecodecs_jpeg2k` (imagecodecs) and `jpeg2k` (zarr-jpeg2k):
//!   each chunk is one complete JP2 file or raw codestream, sniffed
//!   (specs/jpeg2k-zarr-codec.md). Samples in the smallest type of the precision;
//!   components pixel-interleaved `(H, W, S)`, or planar `(S, H, W)` when `planar` is true.
//! - [`S2VirtualJp2Codec`]: `jp2io.zarr.Sentinel2Jpeg2000Codec` (specs/s2-virtual-jp2.md
//!   §3): a chunk is one tile-part of a 10 m Sentinel-2 band; a fixed main header is
//!   prepended, Isot set to 0, and the u16 tile zero-padded to 1024×1024.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

use super::boxes::{sniff, FileKind};
use super::bytes::be_u32_at;
use super::codestream::{retarget_tile_part, Siz};
use super::decode::{check_decode_size, decode_codestream, interleave, parse_codestream_header, SampleType};
use crate::codecs::BytesToBytesCodec;
use crate::error::{CodecError, Jp2Error};
use crate::limits::{check, Limits};
use serde_json::Value;

fn codec_err(codec: &'static str, e: Jp2Error) -> CodecError {
    match e {
        Jp2Error::LimitExceeded(l) => CodecError::LimitExceeded(l),
        Jp2Error::Unsupported { feature } => CodecError::Unsupported { codec, feature },
        other => CodecError::Format { codec, message: other.to_string() },
    }
}

/// The decoded size `out_size` against the size the array metadata implies
/// (`expected_size`) and the chunk limit.
fn check_chunk_size(
    codec: &'static str,
    out_size: u64,
    expected_size: Option<u64>,
    limits: &Limits,
) -> Result<(), CodecError> {
    if let Some(e) = expected_size {
        if e != out_size {
            return Err(CodecError::SizeMismatch { codec, expected: e, got: out_size });
        }
    }
    Ok(check("decoded chunk bytes", out_size, limits.max_decoded_chunk_bytes)?)
}

/// The sample type of a chunk codestream's output (that of its first component); chunks
/// with subsampled components are not supported.
fn chunk_sample_type(codec: &'static str, siz: &Siz) -> Result<SampleType, CodecError> {
    if !siz.unsubsampled() {
        return Err(CodecError::Unsupported { codec, feature: "subsampled components".into() });
    }
    let c0 = siz.components.first().ok_or_else(|| CodecError::Format { codec, message: "no components".into() })?;
    Ok(SampleType::for_precision(c0.precision, c0.signed))
}

/// The codestream inside a JP2-family file held in memory: the content of the first
/// `jp2c` box (I.5.4), walking top-level box headers with checked lengths.
///
/// # Errors
/// `Format` for malformed boxes or no `jp2c`.
pub fn codestream_of(file: &[u8]) -> Result<&[u8], Jp2Error> {
    let bad = |at: usize, m: &str| Jp2Error::Format { offset: at as u64, message: m.to_string() };
    match sniff(file)? {
        FileKind::Codestream => Ok(file),
        FileKind::Jp2 => {
            let mut at = 0usize;
            while at.checked_add(8).is_some_and(|e| e <= file.len()) {
                let l = be_u32_at(file, at).ok_or_else(|| bad(at, "box header"))? as u64;
                let t = file.get(at + 4..at + 8).ok_or_else(|| bad(at, "box header"))?;
                let (hl, len) = match l {
                    0 => (8u64, (file.len() - at) as u64),
                    1 => {
                        let x = file
                            .get(at + 8..at + 16)
                            .and_then(|s| s.try_into().ok())
                            .map(u64::from_be_bytes)
                            .ok_or_else(|| bad(at, "XLBox truncated"))?;
                        (16, x)
                    }
                    n => (8, n),
                };
                let end = (at as u64).checked_add(len).filter(|&e| len >= hl && e <= file.len() as u64);
                let Some(end) = end else {
                    return Err(bad(at, "box length runs past the chunk"));
                };
                let end = usize::try_from(end).map_err(|_| bad(at, "box length"))?;
                if t == b"jp2c" {
                    return file.get(at + hl as usize..end).ok_or_else(|| bad(at, "jp2c bounds"));
                }
                at = end;
            }
            Err(bad(at, "no jp2c box in the JP2 chunk"))
        }
    }
}

/// The `imagecodecs_jpeg2k` / `jpeg2k` codec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jpeg2kCodec {
    /// `(S, H, W)` output instead of `(H, W, S)`.
    pub planar: bool,
}

impl Jpeg2kCodec {
    /// From the codec's JSON configuration (`{"id": "imagecodecs_jpeg2k", ...}` or the
    /// v3 `configuration` object). Unknown keys are ignored; only `planar` matters.
    ///
    /// # Errors
    /// `Config` when `planar` is neither a boolean nor null.
    pub fn from_config(config: &Value) -> Result<Self, CodecError> {
        let planar = match config.get("planar") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(CodecError::Config { codec: "imagecodecs_jpeg2k", message: format!("planar = {other}") })
            }
        };
        Ok(Jpeg2kCodec { planar })
    }

    /// Decode one chunk: samples as little-endian bytes.
    ///
    /// # Errors
    /// As [`BytesToBytesCodec::decode`].
    pub fn decode_chunk(
        &self,
        encoded: &[u8],
        expected_size: Option<u64>,
        limits: &Limits,
    ) -> Result<Vec<u8>, CodecError> {
        const ID: &str = "imagecodecs_jpeg2k";
        let cs = codestream_of(encoded).map_err(|e| codec_err(ID, e))?;
        let header = parse_codestream_header(cs, limits).map_err(|e| codec_err(ID, e))?;
        let siz = &header.siz;
        let ty = chunk_sample_type(ID, siz)?;
        let out_size = u64::from(siz.width())
            .saturating_mul(u64::from(siz.height()))
            .saturating_mul(siz.components.len() as u64)
            .saturating_mul(ty.size() as u64);
        check_chunk_size(ID, out_size, expected_size, limits)?;
        check_decode_size(&header, 0, limits).map_err(|e| codec_err(ID, e))?;
        let planes = decode_codestream(cs, 0, limits).map_err(|e| codec_err(ID, e))?;
        if self.planar && planes.len() > 1 {
            let mut out = Vec::with_capacity(usize::try_from(out_size).unwrap_or(0));
            for p in planes {
                let img = interleave(vec![p]).map_err(|e| codec_err(ID, e))?;
                if img.samples.sample_type() != ty {
                    return Err(CodecError::Unsupported { codec: ID, feature: "components of different types".into() });
                }
                out.extend(img.samples.to_le_bytes());
            }
            Ok(out)
        } else {
            Ok(interleave(planes).map_err(|e| codec_err(ID, e))?.samples.to_le_bytes())
        }
    }
}

impl BytesToBytesCodec for Jpeg2kCodec {
    fn decode(&self, encoded: Vec<u8>, expected_size: Option<u64>, limits: &Limits) -> Result<Vec<u8>, CodecError> {
        self.decode_chunk(&encoded, expected_size, limits)
    }
}

/// The `jp2io.zarr.Sentinel2Jpeg2000Codec` (numcodecs variant: output zero-padded to
/// 1024×1024 u16).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct S2VirtualJp2Codec;

/// The tile size, raster size and tiles per row hard-coded by the reference codec.
const S2_TILE: u32 = 1024;
const S2_RASTER: u32 = 10980;
const S2_TILES: u16 = 11;

impl S2VirtualJp2Codec {
    /// From the codec's JSON configuration (it has no parameters).
    ///
    /// # Errors
    /// Never; the signature matches the other codecs.
    pub fn from_config(_config: &Value) -> Result<Self, CodecError> {
        Ok(S2VirtualJp2Codec)
    }

    /// The 82-byte synthetic main header (SOC, SIZ, COD, QCD) for a `w × h` tile.
    pub fn main_header(w: u32, h: u32) -> Vec<u8> {
        let mut v = vec![0xFF, 0x4F, 0xFF, 0x51, 0x00, 0x29, 0x00, 0x00];
        v.extend(w.to_be_bytes());
        v.extend(h.to_be_bytes());
        v.extend([0u8; 8]);
        v.extend(S2_TILE.to_be_bytes());
        v.extend(S2_TILE.to_be_bytes());
        v.extend([0u8; 8]);
        v.extend([0x00, 0x01, 0x0E, 0x01, 0x01]);
        v.extend([0xFF, 0x52, 0x00, 0x11, 0x01, 0x00, 0x00, 0x01, 0x00, 0x04, 0x04, 0x04, 0x00, 0x01]);
        v.extend([0x88; 5]);
        v.extend([
            0xFF, 0x5C, 0x00, 0x10, 0x20, 0x80, 0x88, 0x88, 0x90, 0x88, 0x88, 0x90, 0x88, 0x88, 0x88, 0x80, 0x80,
        ]);
        v.push(0x88);
        v
    }

    /// Decode one tile-part chunk into 1024×1024 little-endian u16, zero-padded.
    ///
    /// # Errors
    /// As [`BytesToBytesCodec::decode`].
    pub fn decode_chunk(
        &self,
        encoded: &[u8],
        expected_size: Option<u64>,
        limits: &Limits,
    ) -> Result<Vec<u8>, CodecError> {
        const ID: &str = "jp2io.zarr.Sentinel2Jpeg2000Codec";
        let out_size = u64::from(S2_TILE) * u64::from(S2_TILE) * 2;
        check_chunk_size(ID, out_size, expected_size, limits)?;
        let isot = super::bytes::be_u16_at(encoded, 4)
            .ok_or_else(|| CodecError::Format { codec: ID, message: "chunk shorter than an SOT".into() })?;
        let (tx, ty) = (u32::from(isot % S2_TILES), u32::from(isot / S2_TILES));
        if ty >= u32::from(S2_TILES) {
            return Err(CodecError::Format {
                codec: ID, message: format!("tile index {isot} outside the 11×11 grid")
            });
        }
        let edge = S2_RASTER - 10 * S2_TILE;
        let w = if tx == 10 { edge } else { S2_TILE };
        let h = if ty == 10 { edge } else { S2_TILE };
        let part = retarget_tile_part(encoded, 0, isot, None).map_err(|e| codec_err(ID, e))?;
        let mut cs = Self::main_header(w, h);
        cs.extend(part);
        cs.extend([0xFF, 0xD9]);
        let planes = decode_codestream(&cs, 0, limits).map_err(|e| codec_err(ID, e))?;
        let plane = planes
            .into_iter()
            .next()
            .filter(|p| p.width == w && p.height == h)
            .ok_or_else(|| CodecError::Format { codec: ID, message: "decoded tile has the wrong size".into() })?;
        let mut out = vec![0u8; out_size as usize];
        for (r, row) in plane.data.chunks(w as usize).enumerate() {
            let start = r * S2_TILE as usize * 2;
            if let Some(dst) = out.get_mut(start..start + row.len() * 2) {
                for (d, s) in dst.chunks_exact_mut(2).zip(row) {
                    d.copy_from_slice(&(*s as u16).to_le_bytes());
                }
            }
        }
        Ok(out)
    }
}

impl BytesToBytesCodec for S2VirtualJp2Codec {
    fn decode(&self, encoded: Vec<u8>, expected_size: Option<u64>, limits: &Limits) -> Result<Vec<u8>, CodecError> {
        self.decode_chunk(&encoded, expected_size, limits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_header_matches_the_spec() {
        let h = S2VirtualJp2Codec::main_header(740, 1024);
        assert_eq!(h.len(), 82);
        assert_eq!(&h[8..12], &740u32.to_be_bytes());
        assert!(Jpeg2kCodec::from_config(&serde_json::json!({"id": "jpeg2k", "level": 50})).is_ok());
        assert!(Jpeg2kCodec::from_config(&serde_json::json!({"planar": 3})).is_err());
        assert!(codestream_of(b"not a jpeg 2000 chunk").is_err());
    }
}

/// The codec of the virtual Zarr arrays `rangetile refs` writes (id
/// `rangetile_jp2_tile`): a chunk is the tile-parts of one tile (contiguous in the
/// file); the configuration carries the file's main header (base64, SOC up to the first
/// SOT). Decoding rewrites SIZ for that tile (as [`super::image::decode_tile`] does),
/// decodes at full resolution and zero-pads edge tiles to the nominal tile size.
/// Output: little-endian samples, `(YTsiz, XTsiz)` or `(YTsiz, XTsiz, C)`.
#[derive(Debug, Clone)]
pub struct Jp2TileCodec {
    header: super::codestream::CodestreamHeader,
}

impl Jp2TileCodec {
    /// The codec id.
    pub const ID: &'static str = "rangetile_jp2_tile";

    /// From `{"id": "rangetile_jp2_tile", "main_header": "<base64>"}`.
    ///
    /// # Errors
    /// `Config` when the header is missing, not base64, or not a valid main header.
    pub fn from_config(config: &Value) -> Result<Self, CodecError> {
        use base64::Engine;
        let cfg = |m: String| CodecError::Config { codec: Self::ID, message: m };
        let b64 = config.get("main_header").and_then(Value::as_str).ok_or_else(|| cfg("no \"main_header\"".into()))?;
        let mut bytes =
            base64::engine::general_purpose::STANDARD.decode(b64).map_err(|e| cfg(format!("main_header: {e}")))?;
        bytes.extend([0xFF, 0x90]);
        let header = parse_codestream_header(&bytes, &Limits::default()).map_err(|e| cfg(e.to_string()))?;
        Ok(Jp2TileCodec { header })
    }

    /// The configuration for a codestream whose main header is `header`.
    pub fn config(header: &super::codestream::CodestreamHeader) -> Value {
        use base64::Engine;
        serde_json::json!({"id": Self::ID, "main_header": base64::engine::general_purpose::STANDARD.encode(&header.bytes)})
    }

    /// Decode one chunk (the tile-parts of one tile).
    ///
    /// # Errors
    /// As [`BytesToBytesCodec::decode`].
    pub fn decode_chunk(
        &self,
        encoded: &[u8],
        expected_size: Option<u64>,
        limits: &Limits,
    ) -> Result<Vec<u8>, CodecError> {
        const ID: &str = Jp2TileCodec::ID;
        let siz = &self.header.siz;
        let ty = chunk_sample_type(ID, siz)?;
        let nc = siz.components.len() as u64;
        let (tw, th) = (u64::from(siz.xtsiz), u64::from(siz.ytsiz));
        let out_size = tw.saturating_mul(th).saturating_mul(nc).saturating_mul(ty.size() as u64);
        check_chunk_size(ID, out_size, expected_size, limits)?;
        // Split the chunk into tile-parts by their Psot.
        let mut parts = Vec::new();
        let mut pos = 0usize;
        let mut tile = None;
        while pos < encoded.len() {
            let rest = encoded.get(pos..).unwrap_or_default();
            let sot = super::codestream::parse_sot(rest, pos as u64).map_err(|e| codec_err(ID, e))?;
            let len = if sot.psot == 0 { rest.len() } else { sot.psot as usize };
            if len > rest.len() || tile.is_some_and(|t| t != sot.isot) {
                return Err(CodecError::Format { codec: ID, message: "tile-parts do not tile the chunk".into() });
            }
            tile = Some(sot.isot);
            parts.push(super::tile_index::TilePart {
                tile: sot.isot,
                tpsot: sot.tpsot,
                tnsot: sot.tnsot,
                offset: pos as u64,
                length: len as u64,
            });
            pos += len;
        }
        let tile = tile.ok_or_else(|| CodecError::Format { codec: ID, message: "empty chunk".into() })?;
        let across = siz.tiles_across();
        if across == 0 || u64::from(tile) >= siz.num_tiles() {
            return Err(CodecError::Format { codec: ID, message: format!("tile {tile} outside the grid") });
        }
        let (tx, tyy) = (u32::from(tile) % across, u32::from(tile) / across);
        let rect = siz.tile_rect(tx, tyy);
        let recipe = super::image::TileRecipe {
            main_header: self.header.main_header_for_tile(rect),
            tile,
            parts: parts.clone(),
            partial: false,
            level: 0,
            rect,
            ppt: Vec::new(),
        };
        let slices: Vec<bytes::Bytes> = parts
            .iter()
            .map(|p| {
                bytes::Bytes::copy_from_slice(
                    encoded.get(p.offset as usize..(p.offset + p.length) as usize).unwrap_or_default(),
                )
            })
            .collect();
        let img = interleave(super::image::decode_tile(&recipe, &slices, limits).map_err(|e| codec_err(ID, e))?)
            .map_err(|e| codec_err(ID, e))?;
        let src = img.samples.to_le_bytes();
        let row_src = img.width as usize * nc as usize * ty.size();
        let row_dst = tw as usize * nc as usize * ty.size();
        let mut out = vec![0u8; usize::try_from(out_size).unwrap_or(0)];
        for (r, row) in src.chunks(row_src.max(1)).enumerate().take(th as usize) {
            if let Some(d) = out.get_mut(r * row_dst..r * row_dst + row.len()) {
                d.copy_from_slice(row);
            }
        }
        Ok(out)
    }
}

impl BytesToBytesCodec for Jp2TileCodec {
    fn decode(&self, encoded: Vec<u8>, expected_size: Option<u64>, limits: &Limits) -> Result<Vec<u8>, CodecError> {
        self.decode_chunk(&encoded, expected_size, limits)
    }
}
