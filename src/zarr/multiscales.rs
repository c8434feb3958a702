//! Multiscale pyramids declared in group attributes, parsed into one [`Multiscales`]
//! model for the map adapters:
//! - OME-NGFF 0.4 (`multiscales: [{version, axes, datasets: [{path,
//!   coordinateTransformations: [{type: scale}, {type: translation}]}]}]`) and 0.5 (the
//!   same under `ome`), global `coordinateTransformations` composed in;
//! - the zarr-conventions / GeoZarr `multiscales` object (`layout: [{asset (or group),
//!   derived_from, transform: {scale, translation, proj:transform}, resampling_method}]`),
//!   with the CRS from the `proj:` convention (`proj:code`, `proj:wkt2`, `proj:projjson`).

use crate::error::ZarrError;
use serde_json::{Map, Value};

/// Which convention declared the pyramid.
#[derive(Debug, Clone, PartialEq)]
pub enum MultiscalesConvention {
    /// OME-NGFF, with its version (`"0.4"`, `"0.5"`).
    OmeNgff { version: String },
    /// zarr-conventions `multiscales` (GeoZarr), with its version if stated.
    ZarrConventions { version: Option<String> },
}

/// One axis (OME-NGFF `axes`).
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub name: String,
    /// `space`, `time`, `channel`, ...
    pub kind: Option<String>,
    pub unit: Option<String>,
}

/// One resolution level.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    /// Path of the level's array or group, relative to the multiscales group.
    pub path: String,
    /// Per-dimension scale relative to the array's index space (or to level 0).
    pub scale: Option<Vec<f64>>,
    /// Per-dimension translation.
    pub translation: Option<Vec<f64>>,
    /// GDAL-style affine geotransform (`proj:transform`), if given.
    pub affine: Option<Vec<f64>>,
    /// The level it was derived from, if stated.
    pub derived_from: Option<String>,
    /// How it was resampled, if stated.
    pub resampling_method: Option<String>,
}

/// A parsed pyramid, finest level first as declared.
#[derive(Debug, Clone, PartialEq)]
pub struct Multiscales {
    pub convention: MultiscalesConvention,
    pub name: Option<String>,
    pub axes: Vec<Axis>,
    pub levels: Vec<Level>,
    /// CRS as given (`EPSG:32632`, WKT2 or PROJJSON text), if any.
    pub crs: Option<String>,
}

fn bad(path: &str, m: impl Into<String>) -> ZarrError {
    ZarrError::Metadata { path: path.into(), message: format!("multiscales: {}", m.into()) }
}

fn f64_list(v: Option<&Value>, what: &str, path: &str) -> Result<Option<Vec<f64>>, ZarrError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| x.as_f64().ok_or_else(|| bad(path, format!("{what} holds {x}, not a number"))))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(other) => Err(bad(path, format!("{what} must be a list of numbers, got {other}"))),
    }
}

fn str_of(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_string)
}

/// OME `coordinateTransformations`: (scale, translation), composing in list order.
type ScaleTranslation = (Option<Vec<f64>>, Option<Vec<f64>>);

fn ome_transforms(v: Option<&Value>, path: &str) -> Result<ScaleTranslation, ZarrError> {
    let mut scale: Option<Vec<f64>> = None;
    let mut translation: Option<Vec<f64>> = None;
    for t in v.and_then(Value::as_array).into_iter().flatten() {
        match t.get("type").and_then(Value::as_str) {
            Some("scale") => scale = f64_list(t.get("scale"), "scale", path)?,
            Some("translation") => translation = f64_list(t.get("translation"), "translation", path)?,
            Some("identity") | None => {}
            Some(other) => return Err(bad(path, format!("unsupported coordinate transformation {other:?}"))),
        }
    }
    Ok((scale, translation))
}

fn crs_of(attrs: &Map<String, Value>) -> Option<String> {
    if let Some(c) = attrs.get("proj:code").and_then(Value::as_str) {
        return Some(c.to_string());
    }
    if let Some(c) = attrs.get("proj:wkt2").and_then(Value::as_str) {
        return Some(c.to_string());
    }
    attrs.get("proj:projjson").filter(|v| !v.is_null()).map(Value::to_string)
}

impl Multiscales {
    /// Find and parse a multiscales declaration in group attributes.
    ///
    /// # Errors
    /// `Metadata` when a declaration is present but malformed.
    pub fn from_attributes(attrs: &Map<String, Value>, path: &str) -> Result<Option<Self>, ZarrError> {
        if let Some(ome) = attrs.get("ome").and_then(Value::as_object) {
            if let Some(ms) = ome.get("multiscales") {
                let version = str_of(ome.get("version")).unwrap_or_else(|| "0.5".into());
                return Self::from_ome(ms, version, attrs, path).map(Some);
            }
        }
        match attrs.get("multiscales") {
            None | Some(Value::Null) => Ok(None),
            Some(ms @ Value::Array(_)) => {
                let version = ms.get(0).and_then(|m| str_of(m.get("version"))).unwrap_or_else(|| "0.4".into());
                Self::from_ome(ms, version, attrs, path).map(Some)
            }
            Some(ms @ Value::Object(_)) => Self::from_conventions(ms, attrs, path).map(Some),
            Some(other) => Err(bad(path, format!("expected a list or an object, got {other}"))),
        }
    }

    fn from_ome(ms: &Value, version: String, attrs: &Map<String, Value>, path: &str) -> Result<Self, ZarrError> {
        let first = ms.get(0).ok_or_else(|| bad(path, "empty multiscales list"))?;
        let axes = first
            .get("axes")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|x| match x {
                        Value::String(s) => Axis { name: s.clone(), kind: None, unit: None },
                        o => Axis {
                            name: str_of(o.get("name")).unwrap_or_default(),
                            kind: str_of(o.get("type")),
                            unit: str_of(o.get("unit")),
                        },
                    })
                    .collect()
            })
            .unwrap_or_default();
        let (gscale, gtrans) = ome_transforms(first.get("coordinateTransformations"), path)?;
        let datasets = first.get("datasets").and_then(Value::as_array).ok_or_else(|| bad(path, "no datasets"))?;
        let mut levels = Vec::with_capacity(datasets.len());
        for d in datasets {
            let p = str_of(d.get("path")).ok_or_else(|| bad(path, "dataset without a path"))?;
            let (mut scale, mut translation) = ome_transforms(d.get("coordinateTransformations"), path)?;
            // A global transformation applies after the per-dataset one.
            if let Some(gs) = &gscale {
                scale = Some(match scale {
                    Some(s) => s.iter().zip(gs).map(|(a, b)| a * b).collect(),
                    None => gs.clone(),
                });
                if let Some(t) = translation.as_mut() {
                    t.iter_mut().zip(gs).for_each(|(a, b)| *a *= b);
                }
            }
            if let Some(gt) = &gtrans {
                translation = Some(match translation {
                    Some(t) => t.iter().zip(gt).map(|(a, b)| a + b).collect(),
                    None => gt.clone(),
                });
            }
            levels.push(Level {
                path: p,
                scale,
                translation,
                affine: None,
                derived_from: None,
                resampling_method: None,
            });
        }
        Ok(Multiscales {
            convention: MultiscalesConvention::OmeNgff { version },
            name: str_of(first.get("name")),
            axes,
            levels,
            crs: crs_of(attrs),
        })
    }

    fn from_conventions(ms: &Value, attrs: &Map<String, Value>, path: &str) -> Result<Self, ZarrError> {
        let layout = ms.get("layout").and_then(Value::as_array).ok_or_else(|| bad(path, "no layout"))?;
        let default_resampling = str_of(ms.get("resampling_method"));
        let mut levels = Vec::with_capacity(layout.len());
        for l in layout {
            let p = str_of(l.get("asset"))
                .or_else(|| str_of(l.get("group")))
                .ok_or_else(|| bad(path, "layout entry without an asset"))?;
            let t = l.get("transform");
            let scale = f64_list(t.and_then(|t| t.get("scale")).or_else(|| l.get("scale")), "scale", path)?;
            let translation =
                f64_list(t.and_then(|t| t.get("translation")).or_else(|| l.get("translation")), "translation", path)?;
            let affine = f64_list(t.and_then(|t| t.get("proj:transform")), "proj:transform", path)?;
            levels.push(Level {
                path: p,
                scale,
                translation,
                affine,
                derived_from: str_of(l.get("derived_from")).or_else(|| str_of(l.get("from_group"))),
                resampling_method: str_of(l.get("resampling_method")).or_else(|| default_resampling.clone()),
            });
        }
        let axes = attrs
            .get("proj:spatial_dimensions")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(|n| Axis { name: n.into(), kind: Some("space".into()), unit: None })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Multiscales {
            convention: MultiscalesConvention::ZarrConventions { version: str_of(ms.get("version")) },
            name: None,
            axes,
            levels,
            crs: crs_of(attrs),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn ome_04_and_05() {
        let ms = json!([{"version": "0.4", "name": "img",
            "axes": [{"name": "y", "type": "space", "unit": "micrometer"}, {"name": "x", "type": "space"}],
            "datasets": [
                {"path": "0", "coordinateTransformations": [{"type": "scale", "scale": [0.5, 0.5]}]},
                {"path": "1", "coordinateTransformations": [{"type": "scale", "scale": [1.0, 1.0]},
                                                            {"type": "translation", "translation": [0.25, 0.25]}]}],
            "coordinateTransformations": [{"type": "scale", "scale": [2.0, 2.0]}]}]);
        let m = Multiscales::from_attributes(&obj(json!({"multiscales": ms.clone()})), "g").unwrap().unwrap();
        assert_eq!(m.convention, MultiscalesConvention::OmeNgff { version: "0.4".into() });
        assert_eq!(m.levels.len(), 2);
        assert_eq!(m.levels[0].scale, Some(vec![1.0, 1.0]));
        assert_eq!(m.levels[1].translation, Some(vec![0.5, 0.5]));
        assert_eq!(m.axes[0].unit.as_deref(), Some("micrometer"));
        let m5 = Multiscales::from_attributes(&obj(json!({"ome": {"version": "0.5", "multiscales": ms}})), "g")
            .unwrap()
            .unwrap();
        assert_eq!(m5.convention, MultiscalesConvention::OmeNgff { version: "0.5".into() });
        assert_eq!(m5.levels[1].path, "1");
    }

    #[test]
    fn zarr_conventions_geozarr() {
        let attrs = json!({"multiscales": {"version": "0.1.0", "layout": [
                {"asset": "0", "transform": {"scale": [1.0, 1.0], "translation": [0.0, 0.0],
                                             "proj:transform": [10.0, 0.0, 500000.0, 0.0, -10.0, 5000000.0]}},
                {"asset": "1", "derived_from": "0", "transform": {"scale": [2.0, 2.0], "translation": [0.0, 0.0]},
                 "resampling_method": "average"}], "resampling_method": "average"},
            "proj:code": "EPSG:32632", "proj:spatial_dimensions": ["Y", "X"]});
        let m = Multiscales::from_attributes(&obj(attrs), "g").unwrap().unwrap();
        assert_eq!(m.crs.as_deref(), Some("EPSG:32632"));
        assert_eq!(m.levels[1].scale, Some(vec![2.0, 2.0]));
        assert_eq!(m.levels[1].derived_from.as_deref(), Some("0"));
        assert_eq!(m.levels[0].affine.as_ref().map(Vec::len), Some(6));
        assert_eq!(m.axes.len(), 2);
        assert!(Multiscales::from_attributes(&obj(json!({"multiscales": 3})), "g").is_err());
        assert!(Multiscales::from_attributes(&obj(json!({"multiscales": {"layout": [{}]}})), "g").is_err());
        assert_eq!(Multiscales::from_attributes(&obj(json!({})), "g").unwrap(), None);
    }
}
