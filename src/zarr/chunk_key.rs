//! Chunk key encodings (v3 core spec § "Chunk key encoding": `default` and `v2`; Zarr
//! v2 spec § "Chunks", `dimension_separator` `.` or `/`) and the regular chunk grid
//! (v3 § "Regular grid").

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

use crate::error::ZarrError;
use serde_json::Value;

/// How chunk grid coordinates become a store key (relative to the array's path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkKeyEncoding {
    /// v3 `default`: `c` then each coordinate, all joined by the separator (`c/1/0`);
    /// a 0-d array's only chunk is `c`.
    Default { separator: char },
    /// v2 (and v3 `v2`): coordinates joined by the separator (`1.0`); 0-d: `0`.
    V2 { separator: char },
}

impl ChunkKeyEncoding {
    /// Parse a v3 `chunk_key_encoding` object.
    ///
    /// # Errors
    /// `Unsupported` for other encodings, `Metadata` for a bad separator.
    pub fn from_v3(v: &Value, path: &str) -> Result<Self, ZarrError> {
        let name = v.get("name").and_then(Value::as_str).unwrap_or("");
        let sep = v.get("configuration").and_then(|c| c.get("separator")).and_then(Value::as_str);
        let separator = |default: char| -> Result<char, ZarrError> {
            match sep {
                None => Ok(default),
                Some("/") => Ok('/'),
                Some(".") => Ok('.'),
                Some(other) => Err(ZarrError::Metadata {
                    path: path.into(),
                    message: format!("chunk key separator {other:?} is neither \"/\" nor \".\""),
                }),
            }
        };
        match name {
            "default" => Ok(ChunkKeyEncoding::Default { separator: separator('/')? }),
            "v2" => Ok(ChunkKeyEncoding::V2 { separator: separator('.')? }),
            other => {
                Err(ZarrError::Unsupported { path: path.into(), feature: format!("chunk key encoding {other:?}") })
            }
        }
    }

    /// The key of the chunk at `coords`.
    pub fn key(&self, coords: &[u64]) -> String {
        let (mut s, sep, prefix) = match *self {
            ChunkKeyEncoding::Default { separator } => (String::from("c"), separator, true),
            ChunkKeyEncoding::V2 { separator } => (String::new(), separator, false),
        };
        if coords.is_empty() && !prefix {
            s.push('0');
        }
        for (i, c) in coords.iter().enumerate() {
            if prefix || i > 0 {
                s.push(sep);
            }
            s.push_str(&c.to_string());
        }
        s
    }
}

/// The part of one chunk that a selection covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkRegion {
    /// Grid coordinates of the chunk.
    pub coords: Vec<u64>,
    /// Start of the covered part inside the chunk.
    pub chunk_start: Vec<u64>,
    /// Start of the covered part inside the selection's output.
    pub out_start: Vec<u64>,
    /// Extent of the covered part.
    pub extent: Vec<u64>,
}

/// The chunks of a regular grid with chunks `chunk_shape` that intersect the box
/// `[start, stop)` (per dimension, in array coordinates), in C order of coordinates.
/// `origin` is the array coordinate of grid cell 0 (non-zero for inner chunks of a
/// shard). At most `max` chunks.
///
/// # Errors
/// `LimitExceeded` past `max`.
pub fn intersecting_chunks(
    chunk_shape: &[u64],
    origin: &[u64],
    start: &[u64],
    stop: &[u64],
    max: u64,
) -> Result<Vec<ChunkRegion>, crate::error::LimitExceeded> {
    let nd = chunk_shape.len();
    debug_assert!(origin.len() == nd && start.len() == nd && stop.len() == nd);
    // Per dimension: (chunk size, origin, start, stop, first cell, end cell).
    let mut dims = Vec::with_capacity(nd);
    for (((&c, &o), &s), &e) in chunk_shape.iter().zip(origin).zip(start).zip(stop) {
        if s >= e || c == 0 {
            return Ok(Vec::new());
        }
        let lo = s.saturating_sub(o) / c;
        let hi = e.saturating_sub(o).saturating_sub(1) / c + 1;
        dims.push((c, o, s, e, lo, hi));
    }
    let count = crate::limits::checked_product("chunks in one selection", dims.iter().map(|d| d.5 - d.4))?;
    crate::limits::check("chunks in one selection", count, max)?;
    let mut out = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    let mut cur: Vec<u64> = dims.iter().map(|d| d.4).collect();
    loop {
        let mut chunk_start = Vec::with_capacity(nd);
        let mut out_start = Vec::with_capacity(nd);
        let mut extent = Vec::with_capacity(nd);
        for (&(c, o, s, e, _, _), &i) in dims.iter().zip(&cur) {
            let c0 = o.saturating_add(i.saturating_mul(c));
            let c1 = c0.saturating_add(c);
            let a = s.max(c0);
            let b = e.min(c1);
            chunk_start.push(a - c0);
            out_start.push(a - s);
            extent.push(b - a);
        }
        out.push(ChunkRegion { coords: cur.clone(), chunk_start, out_start, extent });
        // Odometer, last dimension fastest.
        let mut carried = true;
        for (ci, d) in cur.iter_mut().zip(&dims).rev() {
            *ci += 1;
            if *ci < d.5 {
                carried = false;
                break;
            }
            *ci = d.4;
        }
        if carried {
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys() {
        let d = ChunkKeyEncoding::from_v3(&json!({"name": "default"}), "a").unwrap();
        assert_eq!(d.key(&[1, 0, 3]), "c/1/0/3");
        assert_eq!(d.key(&[]), "c");
        let v2 = ChunkKeyEncoding::from_v3(&json!({"name": "v2", "configuration": {"separator": "/"}}), "a").unwrap();
        assert_eq!(v2.key(&[1, 0]), "1/0");
        assert_eq!(ChunkKeyEncoding::V2 { separator: '.' }.key(&[]), "0");
        assert!(ChunkKeyEncoding::from_v3(&json!({"name": "other"}), "a").is_err());
        assert!(
            ChunkKeyEncoding::from_v3(&json!({"name": "default", "configuration": {"separator": "-"}}), "a").is_err()
        );
    }

    #[test]
    fn intersections() {
        let r = intersecting_chunks(&[4, 4], &[0, 0], &[3, 0], &[5, 4], 100).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].coords, vec![0, 0]);
        assert_eq!(r[0].chunk_start, vec![3, 0]);
        assert_eq!(r[0].extent, vec![1, 4]);
        assert_eq!(r[1].coords, vec![1, 0]);
        assert_eq!(r[1].out_start, vec![1, 0]);
        assert!(intersecting_chunks(&[1, 1], &[0, 0], &[0, 0], &[100, 100], 99).is_err());
        let zero_d = intersecting_chunks(&[], &[], &[], &[], 1).unwrap();
        assert_eq!(zero_d.len(), 1);
    }
}
