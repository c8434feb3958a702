//! Georeferencing of JP2 files: GeoJP2 (a uuid box `B14BF8BD-083D-4B43-A5AE-8CD7D5A6CE03`
//! holding a degenerate GeoTIFF: ModelPixelScale 33550, ModelTiepoint 33922,
//! ModelTransformation 34264, GeoKeyDirectory 34735 with ProjectedCSTypeGeoKey 3072 /
//! GeographicTypeGeoKey 2048; GeoTIFF 1.1 §7) and GMLJP2 (OGC 08-085r4: an `xml` box
//! in an `asoc` with a `gml:RectifiedGrid`, its `gml:origin`, `gml:offsetVector`s and
//! `srsName` EPSG code).
//!
//! The result is a GDAL-style affine transform mapping pixel corners to CRS coordinates:
//! `X = a0 + col * a1 + row * a2`, `Y = a3 + col * a4 + row * a5`.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

use super::boxes::{Jp2Boxes, GEOJP2_UUID};

/// Where the georeference came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeorefSource {
    GeoJp2,
    GmlJp2,
}

/// An affine transform (pixel corner → CRS) and an EPSG code.
#[derive(Debug, Clone, PartialEq)]
pub struct Georef {
    /// `[a0, a1, a2, a3, a4, a5]`, GDAL's geotransform order.
    pub transform: [f64; 6],
    /// EPSG code of the CRS, when known.
    pub epsg: Option<u32>,
    pub source: GeorefSource,
}

/// The georeference of a JP2 file: GeoJP2 first, then GMLJP2; `None` when absent or
/// unreadable (a bad georeference never fails the image).
pub fn from_boxes(boxes: &Jp2Boxes) -> Option<Georef> {
    boxes
        .uuids
        .iter()
        .filter(|(id, _)| *id == GEOJP2_UUID)
        .find_map(|(_, tiff)| geojp2(tiff))
        .or_else(|| boxes.xml.iter().find_map(|x| gmljp2(x)))
}

// ---------------------------------------------------------------- GeoJP2 (TIFF)

struct Tiff<'a> {
    b: &'a [u8],
    le: bool,
}

impl Tiff<'_> {
    fn u16(&self, p: usize) -> Option<u16> {
        let a: [u8; 2] = self.b.get(p..p.checked_add(2)?)?.try_into().ok()?;
        Some(if self.le { u16::from_le_bytes(a) } else { u16::from_be_bytes(a) })
    }
    fn u32(&self, p: usize) -> Option<u32> {
        let a: [u8; 4] = self.b.get(p..p.checked_add(4)?)?.try_into().ok()?;
        Some(if self.le { u32::from_le_bytes(a) } else { u32::from_be_bytes(a) })
    }
    fn f64(&self, p: usize) -> Option<f64> {
        let a: [u8; 8] = self.b.get(p..p.checked_add(8)?)?.try_into().ok()?;
        Some(if self.le { f64::from_le_bytes(a) } else { f64::from_be_bytes(a) })
    }
}

/// (tag, type, count, value offset or inline position) of IFD0 entries.
fn ifd_entries(t: &Tiff<'_>) -> Option<Vec<(u16, u16, u32, usize)>> {
    let ifd = usize::try_from(t.u32(4)?).ok()?;
    let n = t.u16(ifd)?;
    let mut v = Vec::new();
    for i in 0..usize::from(n.min(1000)) {
        let e = ifd.checked_add(2)?.checked_add(i.checked_mul(12)?)?;
        let (tag, ty, count) = (t.u16(e)?, t.u16(e + 2)?, t.u32(e + 4)?);
        let size = match ty {
            3 => 2u64,
            4 => 4,
            12 => 8,
            _ => 1,
        } * u64::from(count);
        let pos = if size <= 4 { e + 8 } else { usize::try_from(t.u32(e + 8)?).ok()? };
        v.push((tag, ty, count, pos));
    }
    Some(v)
}

fn doubles(t: &Tiff<'_>, e: &[(u16, u16, u32, usize)], tag: u16) -> Option<Vec<f64>> {
    let &(_, ty, count, pos) = e.iter().find(|x| x.0 == tag)?;
    if ty != 12 || count > 64 {
        return None;
    }
    (0..count as usize).map(|i| t.f64(pos.checked_add(i * 8)?)).collect()
}

fn geojp2(tiff: &[u8]) -> Option<Georef> {
    let le = match tiff.get(0..2)? {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let t = Tiff { b: tiff, le };
    if t.u16(2)? != 42 {
        return None;
    }
    let e = ifd_entries(&t)?;
    let transform = if let Some(m) = doubles(&t, &e, 34264).filter(|m| m.len() >= 8) {
        [*m.get(3)?, *m.first()?, *m.get(1)?, *m.get(7)?, *m.get(4)?, *m.get(5)?]
    } else {
        let s = doubles(&t, &e, 33550)?;
        let tp = doubles(&t, &e, 33922)?;
        let (sx, sy) = (*s.first()?, *s.get(1)?);
        let (i, j, x, y) = (*tp.first()?, *tp.get(1)?, *tp.get(3)?, *tp.get(4)?);
        [x - i * sx, sx, 0.0, y + j * sy, 0.0, -sy]
    };
    let mut epsg = None;
    if let Some(&(_, 3, count, pos)) = e.iter().find(|x| x.0 == 34735) {
        let n = usize::from(t.u16(pos + 6)?).min(count as usize / 4);
        let mut geographic = None;
        for k in 1..=n {
            let p = pos + k * 8;
            let (key, loc, _cnt, val) = (t.u16(p)?, t.u16(p + 2)?, t.u16(p + 4)?, t.u16(p + 6)?);
            if loc != 0 || val == 0 || val == 32767 {
                continue;
            }
            match key {
                3072 => epsg = Some(u32::from(val)),
                2048 => geographic = Some(u32::from(val)),
                _ => {}
            }
        }
        epsg = epsg.or(geographic);
    }
    Some(Georef { transform, epsg, source: GeorefSource::GeoJp2 })
}

// ---------------------------------------------------------------- GMLJP2

/// The text of the first element named `name` (any prefix) after `from`, and where it ends.
fn element<'a>(xml: &'a str, name: &str, from: usize) -> Option<(&'a str, &'a str, usize)> {
    let hay = xml.get(from..)?;
    let mut search = 0usize;
    loop {
        let rel = hay.get(search..)?.find(name)?;
        let start = search + rel;
        let before = hay.get(..start)?;
        let lt = before.rfind('<')?;
        let tag_prefix = before.get(lt + 1..)?;
        let after = hay.get(start + name.len()..)?;
        if !tag_prefix.starts_with('/')
            && (tag_prefix.is_empty() || tag_prefix.ends_with(':'))
            && after.starts_with([' ', '>', '/'])
        {
            let gt = after.find('>')?;
            let attrs = after.get(..gt)?;
            let body_start = start + name.len() + gt + 1;
            let body = hay.get(body_start..)?;
            let close = body.find("</")?;
            return Some((attrs, body.get(..close)?, from + body_start + close));
        }
        search = start + name.len();
    }
}

fn epsg_of(attrs: &str) -> Option<u32> {
    let i = attrs.find("srsName")?;
    let v = attrs.get(i..)?;
    let q = v.find(['"', '\''])?;
    let rest = v.get(q + 1..)?;
    let end = rest.find(['"', '\''])?;
    let name = rest.get(..end)?;
    let digits: String = name.rsplit([':', '/', '#']).next()?.chars().filter(char::is_ascii_digit).collect();
    if name.to_ascii_uppercase().contains("EPSG") {
        digits.parse().ok()
    } else {
        None
    }
}

fn numbers(s: &str) -> Vec<f64> {
    s.split_whitespace().filter_map(|x| x.parse().ok()).collect()
}

fn gmljp2(xml: &str) -> Option<Georef> {
    let grid = xml.find("RectifiedGrid")?;
    let (_, _, after_origin) = element(xml, "origin", grid)?;
    let (pattrs, _, _) = element(xml, "Point", grid)?;
    let (_, pos, _) = element(xml, "pos", grid).or_else(|| element(xml, "coordinates", grid))?;
    let o = numbers(&pos.replace(',', " "));
    let (a1, v1, next) = element(xml, "offsetVector", after_origin)?;
    let (_, v2, _) = element(xml, "offsetVector", next)?;
    let (v1, v2) = (numbers(v1), numbers(v2));
    let (ox, oy) = (*o.first()?, *o.get(1)?);
    let (ax, ay, bx, by) = (*v1.first()?, *v1.get(1)?, *v2.first()?, *v2.get(1)?);
    // The origin is the centre of the first pixel; the transform maps pixel corners.
    let transform = [ox - 0.5 * (ax + bx), ax, bx, oy - 0.5 * (ay + by), ay, by];
    let epsg = epsg_of(pattrs).or_else(|| epsg_of(a1));
    Some(Georef { transform, epsg, source: GeorefSource::GmlJp2 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gml_rectified_grid() {
        let x = r#"<gml:RectifiedGrid dimension="2"><gml:origin><gml:Point gml:id="P" srsName="urn:ogc:def:crs:EPSG::32629"><gml:pos>499985 5900035</gml:pos></gml:Point></gml:origin><gml:offsetVector srsName="urn:ogc:def:crs:EPSG::32629">10 0</gml:offsetVector><gml:offsetVector srsName="urn:ogc:def:crs:EPSG::32629">0 -10</gml:offsetVector></gml:RectifiedGrid>"#;
        let g = gmljp2(x).unwrap();
        assert_eq!(g.transform, [499980.0, 10.0, 0.0, 5900040.0, 0.0, -10.0]);
        assert_eq!(g.epsg, Some(32629));
        assert!(gmljp2("<a/>").is_none());
    }
}
