//! kerchunk references as a [`Store`] (fsspec `ReferenceFileSystem` spec, versions 0
//! and 1: <https://fsspec.github.io/kerchunk/spec.html>).
//!
//! - Version 0: the JSON object maps keys to values directly. Version 1:
//!   `{"version": 1, "templates": {...}, "gen": [...], "refs": {...}}`.
//! - A value is inline data (a string; `base64:`-prefixed strings are base64, others are
//!   their UTF-8 bytes, as fsspec encodes them), `[url]` (the whole target) or `[url,
//!   offset, length]` (a byte range of the target).
//! - `{{name}}` in URLs expands `templates`; `gen` entries expand `key`, `url`, `offset`
//!   and `length` templates over the cartesian product of their `dimensions`.
//! - Relative target paths resolve against the folder holding the reference JSON
//!   (MANIFEST §0; fsspec resolves them against its `target` / working directory).
//!
//! Chunk reads go to a [`RangeSource`] per target, from the `opener` given at
//! construction, so the io layer plans, coalesces and counts them.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

use crate::error::{IoError, ZarrError};
use crate::io::{ByteRange, RangeSource, Store};
use crate::limits::{self, Limits};
use async_trait::async_trait;
use base64::Engine as _;
use bytes::Bytes;
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// One reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// Bytes held in the JSON.
    Inline(Bytes),
    /// The whole target object.
    Whole { url: String },
    /// `length` bytes of the target from `offset`.
    Range { url: String, offset: u64, length: u64 },
}

/// Opens a target URL or path (already resolved) as a [`RangeSource`].
pub type SourceOpener = Rc<dyn Fn(&str) -> Rc<dyn RangeSource>>;

/// A parsed reference set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct References {
    /// Key → reference.
    pub refs: HashMap<String, Reference>,
    /// The reference format version (0 or 1).
    pub version: u8,
}

fn meta_err(path: &str, m: impl Into<String>) -> ZarrError {
    ZarrError::Metadata { path: path.into(), message: m.into() }
}

/// Resolve `target` against the folder of `json_location` (a URL or a path): absolute
/// URLs and paths are kept, relative ones are joined and `.`/`..` segments removed.
pub fn resolve_target(json_location: &str, target: &str) -> String {
    if target.contains("://") || target.starts_with('/') || json_location.is_empty() {
        return target.to_string();
    }
    let (prefix, path) = match json_location.find("://") {
        Some(i) => {
            let after = i + 3;
            let rest = json_location.get(after..).unwrap_or("");
            let slash = rest.find('/').map_or(json_location.len(), |j| after + j);
            (json_location.get(..slash).unwrap_or(""), json_location.get(slash..).unwrap_or(""))
        }
        None => ("", json_location),
    };
    let dir = match path.rfind('/') {
        Some(i) => path.get(..i).unwrap_or(""),
        None => "",
    };
    let absolute = path.starts_with('/');
    let mut segs: Vec<&str> = dir.split('/').filter(|s| !s.is_empty() && *s != ".").collect();
    let mut ups = 0usize;
    for s in target.split('/') {
        match s {
            "" | "." => {}
            ".." => {
                if segs.pop().is_none() {
                    ups += 1;
                }
            }
            other => segs.push(other),
        }
    }
    let mut out = String::from(prefix);
    if absolute || !prefix.is_empty() {
        out.push('/');
    }
    for _ in 0..ups {
        out.push_str("../");
    }
    out.push_str(&segs.join("/"));
    out
}

/// Expand `{{name}}` (with optional spaces) from `vars`; unknown names are an error.
fn render(template: &str, vars: &HashMap<String, Value>, path: &str) -> Result<String, ZarrError> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find("{{") {
        out.push_str(rest.get(..i).unwrap_or(""));
        let after = rest.get(i + 2..).unwrap_or("");
        let j = after.find("}}").ok_or_else(|| meta_err(path, format!("unclosed template in {template:?}")))?;
        let expr = after.get(..j).unwrap_or("").trim();
        let v = eval(expr, vars)
            .ok_or_else(|| meta_err(path, format!("cannot evaluate {{{{{expr}}}}} in {template:?}")))?;
        match v {
            Value::String(s) => out.push_str(&s),
            other => out.push_str(&other.to_string()),
        }
        rest = after.get(j + 2..).unwrap_or("");
    }
    out.push_str(rest);
    Ok(out)
}

/// A tiny evaluator for kerchunk `gen` expressions: a variable, an integer, or integer
/// arithmetic with `+ - * // / %` and parentheses.
fn eval(expr: &str, vars: &HashMap<String, Value>) -> Option<Value> {
    if let Some(v) = vars.get(expr) {
        return Some(v.clone());
    }
    let tokens = tokenize(expr)?;
    let mut pos = 0;
    let v = parse_sum(&tokens, &mut pos, vars)?;
    (pos == tokens.len()).then_some(Value::from(v))
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(i64),
    Ident(String),
    Op(&'static str),
}

fn tokenize(s: &str) -> Option<Vec<Tok>> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let mut n: i64 = 0;
            while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
                n = n.checked_mul(10)?.checked_add(i64::from(d))?;
                i += 1;
            }
            out.push(Tok::Num(n));
        } else if c.is_alphabetic() || c == '_' {
            let mut id = String::new();
            while let Some(&c) = chars.get(i).filter(|c| c.is_alphanumeric() || **c == '_') {
                id.push(c);
                i += 1;
            }
            out.push(Tok::Ident(id));
        } else {
            let op = match (c, chars.get(i + 1)) {
                ('/', Some('/')) => {
                    i += 1;
                    "//"
                }
                ('+', _) => "+",
                ('-', _) => "-",
                ('*', _) => "*",
                ('/', _) => "/",
                ('%', _) => "%",
                ('(', _) => "(",
                (')', _) => ")",
                _ => return None,
            };
            out.push(Tok::Op(op));
            i += 1;
        }
    }
    Some(out)
}

fn parse_sum(t: &[Tok], pos: &mut usize, vars: &HashMap<String, Value>) -> Option<i64> {
    let mut v = parse_prod(t, pos, vars)?;
    while let Some(Tok::Op(op @ ("+" | "-"))) = t.get(*pos) {
        *pos += 1;
        let r = parse_prod(t, pos, vars)?;
        v = if *op == "+" { v.checked_add(r)? } else { v.checked_sub(r)? };
    }
    Some(v)
}

fn parse_prod(t: &[Tok], pos: &mut usize, vars: &HashMap<String, Value>) -> Option<i64> {
    let mut v = parse_atom(t, pos, vars)?;
    while let Some(Tok::Op(op @ ("*" | "/" | "//" | "%"))) = t.get(*pos) {
        *pos += 1;
        let r = parse_atom(t, pos, vars)?;
        v = match *op {
            "*" => v.checked_mul(r)?,
            "%" => v.checked_rem_euclid(r)?,
            _ => v.checked_div_euclid(r)?,
        };
    }
    Some(v)
}

fn parse_atom(t: &[Tok], pos: &mut usize, vars: &HashMap<String, Value>) -> Option<i64> {
    let tok = t.get(*pos)?.clone();
    *pos += 1;
    match tok {
        Tok::Num(n) => Some(n),
        Tok::Ident(id) => vars.get(&id).and_then(Value::as_i64),
        Tok::Op("-") => parse_atom(t, pos, vars).and_then(i64::checked_neg),
        Tok::Op("(") => {
            let v = parse_sum(t, pos, vars)?;
            (t.get(*pos) == Some(&Tok::Op(")"))).then(|| *pos += 1)?;
            Some(v)
        }
        Tok::Op(_) => None,
    }
}

fn to_u64(v: &Value, what: &str, path: &str) -> Result<u64, ZarrError> {
    match v {
        Value::Number(n) => {
            n.as_u64().ok_or_else(|| meta_err(path, format!("{what} {n} is not a non-negative integer")))
        }
        Value::String(s) => s.trim().parse().map_err(|_| meta_err(path, format!("{what} {s:?} is not an integer"))),
        other => Err(meta_err(path, format!("{what} {other} is not an integer"))),
    }
}

impl References {
    /// Parse a reference JSON document. `location` is where it came from; relative
    /// targets resolve against its folder.
    ///
    /// # Errors
    /// `Metadata` for malformed documents or values, `LimitExceeded` for documents or
    /// `gen` expansions past the limits.
    pub fn parse(bytes: &[u8], location: &str, limits: &Limits) -> Result<Self, ZarrError> {
        let doc = crate::zarr::metadata::parse_json(bytes, location, limits)?;
        let version = match doc.get("version") {
            None => 0,
            Some(v) if v.as_u64() == Some(1) => 1,
            Some(v) => return Err(meta_err(location, format!("unsupported reference version {v}"))),
        };
        let empty = Map::new();
        let (refs, templates) = if version == 0 {
            (&doc, &empty)
        } else {
            let refs = doc.get("refs").and_then(Value::as_object).unwrap_or(&empty);
            let templates = doc.get("templates").and_then(Value::as_object).unwrap_or(&empty);
            (refs, templates)
        };
        let tvars: HashMap<String, Value> = templates.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let mut out = References { refs: HashMap::with_capacity(refs.len()), version };
        for (key, v) in refs {
            let r = Self::parse_value(v, &tvars, location, key)?;
            out.refs.insert(key.clone(), r);
        }
        if version == 1 {
            for g in doc.get("gen").and_then(Value::as_array).into_iter().flatten() {
                out.expand_gen(g, &tvars, location, limits)?;
            }
        }
        Ok(out)
    }

    fn parse_value(
        v: &Value,
        tvars: &HashMap<String, Value>,
        location: &str,
        key: &str,
    ) -> Result<Reference, ZarrError> {
        let at = format!("{location}#{key}");
        match v {
            Value::String(s) => match s.strip_prefix("base64:") {
                Some(b) => base64::engine::general_purpose::STANDARD
                    .decode(b)
                    .map(|d| Reference::Inline(Bytes::from(d)))
                    .map_err(|e| meta_err(&at, format!("bad base64: {e}"))),
                None => Ok(Reference::Inline(Bytes::from(s.clone().into_bytes()))),
            },
            // Some writers inline JSON documents as objects.
            Value::Object(_) => Ok(Reference::Inline(Bytes::from(v.to_string().into_bytes()))),
            Value::Array(a) => {
                let url = a.first().and_then(Value::as_str).ok_or_else(|| meta_err(&at, "reference without a URL"))?;
                let url = resolve_target(location, &render(url, tvars, &at)?);
                match a.len() {
                    1 => Ok(Reference::Whole { url }),
                    3 => {
                        let offset = to_u64(a.get(1).unwrap_or(&Value::Null), "offset", &at)?;
                        let length = to_u64(a.get(2).unwrap_or(&Value::Null), "length", &at)?;
                        offset
                            .checked_add(length)
                            .ok_or_else(|| meta_err(&at, format!("offset {offset} + length {length} overflows")))?;
                        Ok(Reference::Range { url, offset, length })
                    }
                    n => Err(meta_err(&at, format!("a reference list has 1 or 3 entries, not {n}"))),
                }
            }
            other => Err(meta_err(&at, format!("unsupported reference value {other}"))),
        }
    }

    fn expand_gen(
        &mut self,
        g: &Value,
        tvars: &HashMap<String, Value>,
        location: &str,
        limits: &Limits,
    ) -> Result<(), ZarrError> {
        let key_t = g.get("key").and_then(Value::as_str).ok_or_else(|| meta_err(location, "gen entry without key"))?;
        let url_t = g.get("url").and_then(Value::as_str).ok_or_else(|| meta_err(location, "gen entry without url"))?;
        let dims = g
            .get("dimensions")
            .and_then(Value::as_object)
            .ok_or_else(|| meta_err(location, "gen without dimensions"))?;
        let mut axes: Vec<(String, Vec<Value>)> = Vec::new();
        for (name, d) in dims {
            let values: Vec<Value> = match d {
                Value::Array(a) => a.clone(),
                Value::Number(n) => (0..n.as_u64().unwrap_or(0)).map(Value::from).collect::<Vec<_>>(),
                Value::Object(o) => {
                    let get = |k: &str, def: i64| o.get(k).and_then(Value::as_i64).unwrap_or(def);
                    let (start, stop, step) = (get("start", 0), get("stop", 0), get("step", 1));
                    if step <= 0 {
                        return Err(meta_err(location, format!("gen dimension {name} has step {step}")));
                    }
                    let n = if stop > start { ((stop - start) as u64).div_ceil(step as u64) } else { 0 };
                    limits::check("kerchunk gen references", n, limits.max_chunks_per_selection)?;
                    (0..n).map(|i| Value::from(start + i as i64 * step)).collect()
                }
                other => return Err(meta_err(location, format!("gen dimension {name} is {other}"))),
            };
            axes.push((name.clone(), values));
        }
        let total = limits::checked_product("kerchunk gen references", axes.iter().map(|(_, v)| v.len() as u64))?;
        limits::check("kerchunk gen references", total, limits.max_chunks_per_selection)?;
        let mut idx = vec![0usize; axes.len()];
        for _ in 0..total {
            let mut vars = tvars.clone();
            for ((name, values), i) in axes.iter().zip(&idx) {
                vars.insert(name.clone(), values.get(*i).cloned().unwrap_or(Value::Null));
            }
            let key = render(key_t, &vars, location)?;
            let url = resolve_target(location, &render(url_t, &vars, location)?);
            let field = |k: &str| -> Result<Option<u64>, ZarrError> {
                match g.get(k) {
                    None => Ok(None),
                    Some(Value::String(t)) => {
                        to_u64(&Value::String(render(t, &vars, location)?), k, location).map(Some)
                    }
                    Some(v) => to_u64(v, k, location).map(Some),
                }
            };
            let r = match (field("offset")?, field("length")?) {
                (Some(offset), Some(length)) => Reference::Range { url, offset, length },
                _ => Reference::Whole { url },
            };
            self.refs.insert(key, r);
            // Odometer, last dimension fastest.
            for d in (0..idx.len()).rev() {
                let len = axes.get(d).map_or(0, |a| a.1.len());
                if let Some(i) = idx.get_mut(d) {
                    *i += 1;
                    if *i < len {
                        break;
                    }
                    *i = 0;
                }
            }
        }
        Ok(())
    }
}

/// The opener of [`ReferenceStore::open_with_client`]: HTTP(S) URLs through `client`,
/// other targets (natively) as local files.
pub fn default_opener(client: crate::io::HttpClient) -> SourceOpener {
    Rc::new(move |target: &str| -> Rc<dyn RangeSource> {
        let l = target.get(..8).unwrap_or(target).to_ascii_lowercase();
        #[cfg(not(target_arch = "wasm32"))]
        if !(l.starts_with("http://") || l.starts_with("https://")) {
            return Rc::new(crate::io::FileSource::new(target.strip_prefix("file://").unwrap_or(target)));
        }
        let _ = l;
        Rc::new(client.source(target))
    })
}

/// Fetch reference `r` whole (at most `max` bytes) through `source`.
///
/// # Errors
/// As [`RangeSource::get_range`]; `Truncated` when the target is shorter than the reference.
pub async fn fetch(r: &Reference, source: &dyn Fn(&str) -> Rc<dyn RangeSource>, max: u64) -> Result<Bytes, IoError> {
    match r {
        Reference::Inline(b) => {
            limits::check("inline reference bytes", b.len() as u64, max)?;
            Ok(b.clone())
        }
        Reference::Whole { url } => source(url).get_all(max).await,
        Reference::Range { url, offset, length } => {
            if *length == 0 {
                return Ok(Bytes::new());
            }
            limits::check("referenced chunk bytes", *length, max)?;
            let b = source(url).get_range(ByteRange::from_offset_len(*offset, *length)?).await?;
            if b.len() as u64 != *length {
                return Err(IoError::Truncated { url: url.clone(), expected: *length, got: b.len() as u64 });
            }
            Ok(b)
        }
    }
}

/// Fetch byte `ranges` of reference `r` (relative to the referenced bytes) through `source`.
///
/// # Errors
/// As [`RangeSource::get_ranges`]; `InvalidRange` for ranges outside the reference.
pub async fn fetch_ranges(
    r: &Reference,
    source: &dyn Fn(&str) -> Rc<dyn RangeSource>,
    ranges: &[ByteRange],
) -> Result<Vec<Bytes>, IoError> {
    match r {
        Reference::Inline(b) => ranges.iter().map(|r| slice_inline(b, r)).collect(),
        Reference::Whole { url } => source(url).get_ranges(ranges).await,
        Reference::Range { url, offset, length } => {
            // Translate to absolute ranges of the target, clipped to the reference.
            let abs = ranges
                .iter()
                .map(|r| {
                    let (a, e) = r.resolve(*length)?;
                    ByteRange::new(offset + a, offset + e)
                })
                .collect::<Result<Vec<_>, _>>()?;
            source(url).get_ranges(&abs).await
        }
    }
}

/// The sources of a reference store's targets: each opened through the store's opener
/// on first use, then shared by every reference to it.
pub(crate) struct TargetSources {
    pub(crate) opener: SourceOpener,
    opened: RefCell<HashMap<String, Rc<dyn RangeSource>>>,
}

impl TargetSources {
    pub(crate) fn new(opener: SourceOpener) -> Self {
        TargetSources { opener, opened: RefCell::default() }
    }

    /// The source of target `url`.
    pub(crate) fn get(&self, url: &str) -> Rc<dyn RangeSource> {
        if let Some(s) = self.opened.borrow().get(url) {
            return s.clone();
        }
        let s = (self.opener)(url);
        self.opened.borrow_mut().insert(url.to_string(), s.clone());
        s
    }
}

/// A kerchunk reference set as a [`Store`]: the Zarr reader opens it like any other.
pub struct ReferenceStore {
    refs: References,
    location: String,
    targets: TargetSources,
}

impl std::fmt::Debug for ReferenceStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReferenceStore").field("location", &self.location).field("refs", &self.refs.refs.len()).finish()
    }
}

impl ReferenceStore {
    /// A store over parsed references; `opener` opens target URLs.
    pub fn new(refs: References, location: impl Into<String>, opener: SourceOpener) -> Self {
        ReferenceStore { refs, location: location.into(), targets: TargetSources::new(opener) }
    }

    /// Parse `bytes` (a reference JSON read from `location`) into a store.
    ///
    /// # Errors
    /// As [`References::parse`].
    pub fn from_json(bytes: &[u8], location: &str, opener: SourceOpener, limits: &Limits) -> Result<Self, ZarrError> {
        Ok(Self::new(References::parse(bytes, location, limits)?, location, opener))
    }

    /// Read the reference JSON at `url_or_path` (HTTP(S), or natively a local file)
    /// and open its targets through `client` (or the local file system).
    ///
    /// # Errors
    /// Store errors reading the JSON; as [`References::parse`].
    pub async fn open_with_client(
        url_or_path: &str,
        client: crate::io::HttpClient,
        limits: &Limits,
    ) -> Result<Self, ZarrError> {
        let opener = default_opener(client);
        let json = opener(url_or_path).get_all(limits.max_metadata_bytes).await?;
        Self::from_json(&json, url_or_path, opener, limits)
    }

    /// As [`ReferenceStore::open_with_client`] with a new client.
    ///
    /// # Errors
    /// As [`ReferenceStore::open_with_client`].
    pub async fn open(url_or_path: &str, options: crate::io::RangeOptions, limits: &Limits) -> Result<Self, ZarrError> {
        Self::open_with_client(url_or_path, crate::io::HttpClient::new(options), limits).await
    }

    /// The parsed references.
    pub fn references(&self) -> &References {
        &self.refs
    }
}

fn slice_inline(b: &Bytes, r: &ByteRange) -> Result<Bytes, IoError> {
    let (a, e) = r.resolve(b.len() as u64)?;
    Ok(b.slice(a as usize..e as usize))
}

#[async_trait(?Send)]
impl Store for ReferenceStore {
    fn describe(&self, key: &str) -> String {
        match self.refs.refs.get(key) {
            Some(Reference::Range { url, offset, length }) => format!("{url} [{offset}, +{length}] ({key})"),
            Some(Reference::Whole { url }) => format!("{url} ({key})"),
            _ => format!("{}#{key}", self.location),
        }
    }

    async fn get(&self, key: &str, max: u64) -> Result<Option<Bytes>, IoError> {
        match self.refs.refs.get(key) {
            None => Ok(None),
            Some(r) => fetch(r, &|u| self.targets.get(u), max).await.map(Some),
        }
    }

    async fn get_ranges(&self, key: &str, ranges: &[ByteRange]) -> Result<Option<Vec<Bytes>>, IoError> {
        match self.refs.refs.get(key) {
            None => Ok(None),
            Some(r) => fetch_ranges(r, &|u| self.targets.get(u), ranges).await.map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_relative_targets() {
        assert_eq!(resolve_target("/data/refs/a.json", "b.h5"), "/data/refs/b.h5");
        assert_eq!(resolve_target("/data/refs/a.json", "../../jp2/x.jp2"), "/jp2/x.jp2");
        assert_eq!(resolve_target("refs/a.json", "../x"), "x");
        assert_eq!(resolve_target("a.json", "../x"), "../x");
        assert_eq!(resolve_target("http://h:1/t/refs/a.json", "../jp2/x"), "http://h:1/t/jp2/x");
        assert_eq!(resolve_target("http://h/a.json", "s3://b/k"), "s3://b/k");
    }

    #[test]
    fn parses_v0_v1_templates_and_gen() {
        let l = Limits::default();
        let v0 = json!({".zgroup": "{\"zarr_format\": 2}", "a/0": ["f.bin", 10, 5], "a/1": "base64:AAEC"});
        let r = References::parse(v0.to_string().as_bytes(), "/d/r.json", &l).unwrap();
        assert_eq!(r.version, 0);
        assert_eq!(r.refs["a/0"], Reference::Range { url: "/d/f.bin".into(), offset: 10, length: 5 });
        assert_eq!(r.refs["a/1"], Reference::Inline(Bytes::from_static(&[0, 1, 2])));
        let v1 = json!({"version": 1, "templates": {"u": "data.grb"},
            "refs": {"x/0": ["{{u}}", 0, 100], "x/1": ["{{ u }}"]},
            "gen": [{"key": "g/{{i}}", "url": "part{{i}}.bin", "offset": "{{i * 10 + 2}}", "length": "10",
                     "dimensions": {"i": {"start": 0, "stop": 3}}}]});
        let r = References::parse(v1.to_string().as_bytes(), "http://h/r.json", &l).unwrap();
        assert_eq!(r.refs["x/0"], Reference::Range { url: "http://h/data.grb".into(), offset: 0, length: 100 });
        assert_eq!(r.refs["x/1"], Reference::Whole { url: "http://h/data.grb".into() });
        assert_eq!(r.refs["g/2"], Reference::Range { url: "http://h/part2.bin".into(), offset: 22, length: 10 });
        assert_eq!(r.refs.len(), 5);
    }

    #[test]
    fn bad_references_are_typed() {
        let l = Limits::default();
        for bad in [
            json!({"version": 2, "refs": {}}),
            json!({"a": ["f", 1]}),
            json!({"a": ["f", -1, 2]}),
            json!({"a": ["f", u64::MAX, 2]}),
            json!({"a": "base64:!!"}),
            json!({"a": 5}),
            json!({"version": 1, "refs": {"a": ["{{nope}}", 0, 1]}}),
        ] {
            let e = References::parse(bad.to_string().as_bytes(), "r.json", &l).unwrap_err();
            assert!(matches!(e, ZarrError::Metadata { .. }), "{bad}: {e:?}");
        }
        assert!(References::parse(b"{\"a\":", "r.json", &l).is_err());
        let huge = json!({"version": 1, "refs": {}, "gen": [{"key": "k{{i}}", "url": "u",
            "dimensions": {"i": {"start": 0, "stop": 1_000_000_000}}}]});
        assert!(matches!(
            References::parse(huge.to_string().as_bytes(), "r.json", &l),
            Err(ZarrError::LimitExceeded(_))
        ));
    }
}
