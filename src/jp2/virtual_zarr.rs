//! The virtual-Zarr writer: kerchunk references (version 1, Zarr v2 metadata) that
//! expose JPEG 2000 tiles as chunks, one chunk per tile, read back through the
//! `rangetile_jp2_tile` codec ([`super::codec::Jp2TileCodec`]).
//!
//! Files that share a grid, sample type and coding parameters (main headers equal apart
//! from TLM/PLM/COM) are stacked along a leading dimension (bands or dates); otherwise
//! each file becomes its own array. A tile's tile-parts must be contiguous in the file
//! (one reference per chunk), and the tile grid must start at the image origin so that
//! tiles are Zarr chunks.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

use super::codec::Jp2TileCodec;
use super::codestream::{marker, CodestreamHeader};
use super::image::Jp2Image;
use crate::error::Jp2Error;
use serde_json::{json, Map, Value};

/// The main header without TLM, PLM and COM (which do not affect decoding).
fn coding_header(h: &CodestreamHeader) -> Vec<u8> {
    let mut out = marker::SOC.to_be_bytes().to_vec();
    for s in &h.segments {
        if !matches!(s.marker, marker::TLM | marker::PLM | marker::COM) {
            out.extend_from_slice(h.bytes.get(s.start..s.end).unwrap_or_default());
        }
    }
    out
}

/// `[url, offset, length]` of each tile, in raster order.
fn tile_refs(url: &str, img: &Jp2Image) -> Result<Vec<Value>, Jp2Error> {
    let n = u32::try_from(img.header().siz.num_tiles())
        .map_err(|_| Jp2Error::Unsupported { feature: "tile count".into() })?;
    (0..n)
        .map(|t| {
            let parts = img.tile_index().parts_of(t);
            let first = parts.first().ok_or_else(|| Jp2Error::Format {
                offset: img.header().main_header_end,
                message: format!("no tile-part for tile {t}"),
            })?;
            let mut end = first.offset;
            for p in &parts {
                if p.offset != end {
                    return Err(Jp2Error::Unsupported {
                        feature: format!("tile {t} has tile-parts that are not contiguous (one reference per chunk)"),
                    });
                }
                end += p.length;
            }
            Ok(json!([url, first.offset, end - first.offset]))
        })
        .collect()
}

fn array_name(url: &str) -> String {
    let stem = url.rsplit(['/', '\\']).next().unwrap_or(url);
    let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
    let s: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    if s.is_empty() {
        "data".into()
    } else {
        s
    }
}

/// Kerchunk references for `images` (each with the URL the references should name).
///
/// # Errors
/// `Unsupported` for subsampled components, non-contiguous tile-parts or a tile grid not
/// anchored at the image origin; `Format` for tiles without tile-parts.
pub fn kerchunk_refs(images: &[(String, &Jp2Image)]) -> Result<Value, Jp2Error> {
    let mut refs = Map::new();
    refs.insert(".zgroup".into(), json!(json!({"zarr_format": 2}).to_string()));
    refs.insert(".zattrs".into(), json!("{}"));
    for (url, img) in images {
        let s = &img.header().siz;
        if !s.unsubsampled() {
            return Err(Jp2Error::Unsupported { feature: format!("{url}: subsampled components") });
        }
        if s.xtosiz != s.xosiz || s.ytosiz != s.yosiz {
            return Err(Jp2Error::Unsupported {
                feature: format!("{url}: tile grid not anchored at the image origin"),
            });
        }
    }
    let key = |img: &Jp2Image| (coding_header(img.header()), img.sample_type().numpy_str());
    let stack = images.len() > 1
        && images.windows(2).all(|w| match w {
            [a, b] => key(a.1) == key(b.1),
            _ => true,
        });
    let groups: Vec<(String, Vec<&(String, &Jp2Image)>)> = if stack {
        vec![("data".to_string(), images.iter().collect())]
    } else {
        let mut seen = std::collections::HashSet::new();
        images
            .iter()
            .map(|e| {
                let mut n = array_name(&e.0);
                while !seen.insert(n.clone()) {
                    n.push('_');
                }
                (n, vec![e])
            })
            .collect()
    };
    for (name, members) in groups {
        let Some((_, first)) = members.first() else { continue };
        let s = &first.header().siz;
        let nc = s.components.len() as u64;
        let mut shape = vec![u64::from(s.height()), u64::from(s.width())];
        let mut chunks = vec![u64::from(s.ytsiz), u64::from(s.xtsiz)];
        let mut dims = vec!["y", "x"];
        if nc > 1 {
            shape.push(nc);
            chunks.push(nc);
            dims.push("c");
        }
        if stack {
            shape.insert(0, members.len() as u64);
            chunks.insert(0, 1);
            dims.insert(0, "band");
        }
        let mut hdr = (*first.header()).clone();
        hdr.bytes = coding_header(first.header());
        let zarray = json!({
            "zarr_format": 2,
            "shape": shape,
            "chunks": chunks,
            "dtype": first.sample_type().numpy_str(),
            "compressor": Jp2TileCodec::config(&hdr),
            "fill_value": 0,
            "order": "C",
            "filters": null,
            "dimension_separator": ".",
        });
        let mut attrs = json!({
            "_ARRAY_DIMENSIONS": dims,
            "sources": members.iter().map(|m| m.0.clone()).collect::<Vec<_>>(),
        });
        if let (Some(g), Some(o)) = (first.georef(), attrs.as_object_mut()) {
            o.insert("georef".into(), json!({"transform": g.transform, "epsg": g.epsg}));
        }
        refs.insert(format!("{name}/.zarray"), json!(zarray.to_string()));
        refs.insert(format!("{name}/.zattrs"), json!(attrs.to_string()));
        let across = s.tiles_across();
        for (i, (url, img)) in members.iter().enumerate() {
            for (t, r) in tile_refs(url, img)?.into_iter().enumerate() {
                let t = t as u32;
                let mut k = format!("{}.{}", t / across, t % across);
                if nc > 1 {
                    k.push_str(".0");
                }
                if stack {
                    k = format!("{i}.{k}");
                }
                refs.insert(format!("{name}/{k}"), r);
            }
        }
    }
    Ok(json!({"version": 1, "refs": refs}))
}
