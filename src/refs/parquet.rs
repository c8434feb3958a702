//! A minimal Apache Parquet reader: enough for kerchunk reference files (flat schemas of
//! REQUIRED/OPTIONAL INT32, INT64 and BYTE_ARRAY columns), as fastparquet and pyarrow
//! write them.
//!
//! Follows the Parquet format specification (parquet-format `parquet.thrift`,
//! `Encodings.md`, `Compression.md`): the footer (`FileMetaData`, Thrift compact
//! protocol) between the trailing length and `PAR1`; per column chunk, a dictionary page
//! and data pages v1 and v2; values PLAIN or dictionary-encoded (PLAIN_DICTIONARY,
//! RLE_DICTIONARY); definition levels in the RLE/bit-packed hybrid; pages UNCOMPRESSED,
//! SNAPPY, GZIP, ZSTD or LZ4_RAW. Anything else (nested or repeated columns, other
//! encodings or codecs, other physical types holding values) is a typed error naming it.
//!
//! Why not the `parquet` crate (decision, measured): kerchunk writes its reference files
//! with ZSTD, which that crate decompresses through the C zstd library (`zstd-sys`), not
//! buildable for wasm32-unknown-unknown without a C toolchain for wasm. Even without ZSTD
//! (`default-features = false, features = ["snap"]`), a wasm32 cdylib reading rows with
//! `parquet` 57 is 725 KB (release, LTO, before wasm-opt), while this reader adds about
//! 40 KB to a build that already holds the crate's zstd codec (1.29 MB → 1.33 MB, same
//! settings): it reuses the crate's pure-Rust ZSTD/GZIP/LZ4 codecs and adds a Thrift
//! compact decoder and Snappy.
//!
//! Untrusted input: every length is checked against the bytes at hand, page sizes against
//! [`Limits::max_metadata_bytes`], row counts against the declared `num_rows`, and Thrift
//! nesting is bounded.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

use crate::codecs::BytesToBytesCodec;
use crate::limits::Limits;

/// Why a Parquet file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Parquet: {message}")]
pub struct ParquetError {
    pub message: String,
}

fn err<T>(m: impl Into<String>) -> Result<T, ParquetError> {
    Err(ParquetError { message: m.into() })
}

/// One column's values, row by row (`None` = null).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnData {
    /// INT32 and INT64 columns.
    Int(Vec<Option<i64>>),
    /// BYTE_ARRAY columns (strings and binary).
    Bytes(Vec<Option<Vec<u8>>>),
    /// A column of another physical type whose rows are all null.
    Null(usize),
}

impl ColumnData {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            ColumnData::Int(v) => v.len(),
            ColumnData::Bytes(v) => v.len(),
            ColumnData::Null(n) => *n,
        }
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A decoded file: its columns by name, in schema order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub num_rows: usize,
    pub columns: Vec<(String, ColumnData)>,
}

impl Table {
    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&ColumnData> {
        self.columns.iter().find(|(n, _)| n == name).map(|(_, c)| c)
    }
}

// ---------------------------------------------------------------------------
// Thrift compact protocol
// ---------------------------------------------------------------------------

/// A decoded Thrift value (integers of every width as i64).
#[derive(Debug, Clone, PartialEq)]
enum T {
    Bool(bool),
    Int(i64),
    Double,
    Bin(Vec<u8>),
    List(Vec<T>),
    Struct(Vec<(i16, T)>),
    Map,
}

const MAX_DEPTH: u32 = 32;

struct Thrift<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Thrift<'a> {
    fn byte(&mut self) -> Result<u8, ParquetError> {
        let v =
            self.b.get(self.pos).copied().ok_or_else(|| ParquetError { message: "Thrift data truncated".into() })?;
        self.pos += 1;
        Ok(v)
    }

    fn varint(&mut self) -> Result<u64, ParquetError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7F) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        err("Thrift varint too long")
    }

    fn zigzag(&mut self) -> Result<i64, ParquetError> {
        let v = self.varint()?;
        Ok(((v >> 1) as i64) ^ -((v & 1) as i64))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ParquetError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.b.len());
        let Some(end) = end else { return err("Thrift data truncated") };
        let s = self.b.get(self.pos..end).unwrap_or_default();
        self.pos = end;
        Ok(s)
    }

    fn value(&mut self, ty: u8, depth: u32) -> Result<T, ParquetError> {
        if depth > MAX_DEPTH {
            return err("Thrift nesting too deep");
        }
        Ok(match ty {
            1 => T::Bool(true),
            2 => T::Bool(false),
            3 => T::Int(i64::from(self.byte()? as i8)),
            4..=6 => T::Int(self.zigzag()?),
            7 => {
                self.take(8)?;
                T::Double
            }
            8 => {
                let n = usize::try_from(self.varint()?).map_err(|_| ParquetError { message: "length".into() })?;
                T::Bin(self.take(n)?.to_vec())
            }
            9 | 10 => {
                let h = self.byte()?;
                let et = h & 0x0F;
                let n = match h >> 4 {
                    15 => usize::try_from(self.varint()?).map_err(|_| ParquetError { message: "length".into() })?,
                    n => usize::from(n),
                };
                // Every element takes at least one byte.
                if n > self.b.len().saturating_sub(self.pos) {
                    return err("Thrift list longer than its data");
                }
                let mut v = Vec::with_capacity(n);
                for _ in 0..n {
                    v.push(match et {
                        1 | 2 => T::Bool(self.byte()? == 1),
                        t => self.value(t, depth + 1)?,
                    });
                }
                T::List(v)
            }
            11 => {
                let n = self.varint()?;
                if n > 0 {
                    let kv = self.byte()?;
                    if n > (self.b.len().saturating_sub(self.pos)) as u64 {
                        return err("Thrift map longer than its data");
                    }
                    for _ in 0..n {
                        self.value(kv >> 4, depth + 1)?;
                        self.value(kv & 0x0F, depth + 1)?;
                    }
                }
                T::Map
            }
            12 => T::Struct(self.fields(depth + 1)?),
            t => return err(format!("unknown Thrift type {t}")),
        })
    }

    fn fields(&mut self, depth: u32) -> Result<Vec<(i16, T)>, ParquetError> {
        if depth > MAX_DEPTH {
            return err("Thrift nesting too deep");
        }
        let mut out = Vec::new();
        let mut last: i16 = 0;
        loop {
            let h = self.byte()?;
            if h == 0 {
                return Ok(out);
            }
            let delta = h >> 4;
            let id = if delta == 0 {
                i16::try_from(self.zigzag()?).map_err(|_| ParquetError { message: "Thrift field id".into() })?
            } else {
                last.checked_add(i16::from(delta)).ok_or_else(|| ParquetError { message: "Thrift field id".into() })?
            };
            last = id;
            let v = self.value(h & 0x0F, depth)?;
            out.push((id, v));
        }
    }
}

fn field(s: &[(i16, T)], id: i16) -> Option<&T> {
    s.iter().find(|(i, _)| *i == id).map(|(_, v)| v)
}

fn int(s: &[(i16, T)], id: i16) -> Option<i64> {
    match field(s, id) {
        Some(T::Int(v)) => Some(*v),
        _ => None,
    }
}

fn req_int(s: &[(i16, T)], id: i16, what: &str) -> Result<i64, ParquetError> {
    int(s, id).ok_or_else(|| ParquetError { message: format!("{what} missing") })
}

fn strukt(s: &[(i16, T)], id: i16) -> Option<&[(i16, T)]> {
    match field(s, id) {
        Some(T::Struct(v)) => Some(v),
        _ => None,
    }
}

fn list(s: &[(i16, T)], id: i16) -> &[T] {
    match field(s, id) {
        Some(T::List(v)) => v,
        _ => &[],
    }
}

fn to_usize(v: i64, what: &str) -> Result<usize, ParquetError> {
    usize::try_from(v).map_err(|_| ParquetError { message: format!("{what} {v} is negative or too large") })
}

// ---------------------------------------------------------------------------
// Decompression
// ---------------------------------------------------------------------------

/// Raw Snappy (the block format, no framing), at most `cap` bytes.
fn snappy(input: &[u8], cap: usize) -> Result<Vec<u8>, ParquetError> {
    let mut r = Thrift { b: input, pos: 0 };
    let n = to_usize(i64::try_from(r.varint()?).unwrap_or(-1), "Snappy length")?;
    if n > cap {
        return err(format!("Snappy block of {n} bytes exceeds {cap}"));
    }
    let mut out = Vec::with_capacity(n);
    while r.pos < input.len() {
        let tag = r.byte()?;
        let (len, offset) = match tag & 3 {
            0 => {
                let mut len = usize::from(tag >> 2);
                if len >= 60 {
                    let k = len - 59;
                    let b = r.take(k)?;
                    len = b.iter().rev().fold(0usize, |a, &x| (a << 8) | usize::from(x));
                }
                let lit =
                    r.take(len.checked_add(1).ok_or_else(|| ParquetError { message: "Snappy literal".into() })?)?;
                if out.len() + lit.len() > n {
                    return err("Snappy output longer than declared");
                }
                out.extend_from_slice(lit);
                continue;
            }
            1 => (usize::from((tag >> 2) & 7) + 4, (usize::from(tag >> 5) << 8) | usize::from(r.byte()?)),
            2 => {
                let b = r.take(2)?;
                (usize::from(tag >> 2) + 1, b.iter().rev().fold(0usize, |a, &x| (a << 8) | usize::from(x)))
            }
            _ => {
                let b = r.take(4)?;
                (usize::from(tag >> 2) + 1, b.iter().rev().fold(0usize, |a, &x| (a << 8) | usize::from(x)))
            }
        };
        if offset == 0 || offset > out.len() || out.len() + len > n {
            return err("Snappy copy outside the output");
        }
        let start = out.len() - offset;
        for i in 0..len {
            let b = out.get(start + i).copied().unwrap_or(0);
            out.push(b);
        }
    }
    if out.len() != n {
        return err(format!("Snappy block gave {} bytes, declared {n}", out.len()));
    }
    Ok(out)
}

fn decompress(codec: i64, data: &[u8], size: usize, limits: &Limits) -> Result<Vec<u8>, ParquetError> {
    let cerr = |e: crate::error::CodecError| ParquetError { message: e.to_string() };
    let out = match codec {
        0 => data.to_vec(),
        1 => snappy(data, size)?,
        2 => crate::codecs::gzip::GzipCodec.decode(data.to_vec(), Some(size as u64), limits).map_err(cerr)?,
        6 => crate::codecs::zstd::decompress("parquet", data, Some(size as u64), limits).map_err(cerr)?,
        7 => {
            let mut out = vec![0u8; size];
            crate::codecs::lz4::decompress_block_into("parquet", data, &mut out).map_err(cerr)?;
            out
        }
        c => {
            let name = match c {
                3 => "LZO",
                4 => "BROTLI",
                5 => "LZ4 (Hadoop framing)",
                _ => "unknown",
            };
            return err(format!("compression codec {c} ({name}) is not supported"));
        }
    };
    if out.len() != size {
        return err(format!("page decompressed to {} bytes, header says {size}", out.len()));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Encodings
// ---------------------------------------------------------------------------

/// `n` values of the RLE/bit-packed hybrid with `bit_width` (Encodings.md).
fn rle_hybrid(data: &[u8], bit_width: u8, n: usize) -> Result<Vec<u32>, ParquetError> {
    if bit_width > 32 {
        return err(format!("bit width {bit_width}"));
    }
    let mut r = Thrift { b: data, pos: 0 };
    let mut out = Vec::with_capacity(n.min(data.len().saturating_mul(8).saturating_add(64)));
    let bw = usize::from(bit_width);
    while out.len() < n {
        let h = r.varint()?;
        let count = usize::try_from(h >> 1).map_err(|_| ParquetError { message: "run length".into() })?;
        if h & 1 == 0 {
            let b = r.take(bw.div_ceil(8))?;
            let v = b.iter().rev().fold(0u32, |a, &x| (a << 8) | u32::from(x));
            let k = count.min(n - out.len());
            if k == 0 {
                return err("empty RLE run");
            }
            out.extend(std::iter::repeat(v).take(k));
        } else {
            let groups = count;
            let bytes =
                r.take(groups.checked_mul(bw).ok_or_else(|| ParquetError { message: "bit-packed run".into() })?)?;
            if groups == 0 {
                return err("empty bit-packed run");
            }
            let total = groups * 8;
            for i in 0..total {
                if out.len() >= n {
                    break;
                }
                let mut v = 0u32;
                for b in 0..bw {
                    let bit = i * bw + b;
                    let byte = bytes.get(bit / 8).copied().unwrap_or(0);
                    v |= u32::from((byte >> (bit % 8)) & 1) << b;
                }
                out.push(v);
            }
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phys {
    Int32,
    Int64,
    ByteArray,
    Other(i64),
}

#[derive(Debug, Clone)]
enum Values {
    Int(Vec<i64>),
    Bytes(Vec<Vec<u8>>),
}

impl Values {
    fn len(&self) -> usize {
        match self {
            Values::Int(v) => v.len(),
            Values::Bytes(v) => v.len(),
        }
    }
}

fn plain(data: &[u8], ty: Phys, n: usize) -> Result<Values, ParquetError> {
    let short = || ParquetError { message: "PLAIN values truncated".into() };
    match ty {
        Phys::Int32 => {
            let b = data.get(..n.checked_mul(4).ok_or_else(short)?).ok_or_else(short)?;
            Ok(Values::Int(
                b.chunks_exact(4).map(|c| i64::from(i32::from_le_bytes(c.try_into().unwrap_or([0; 4])))).collect(),
            ))
        }
        Phys::Int64 => {
            let b = data.get(..n.checked_mul(8).ok_or_else(short)?).ok_or_else(short)?;
            Ok(Values::Int(b.chunks_exact(8).map(|c| i64::from_le_bytes(c.try_into().unwrap_or([0; 8]))).collect()))
        }
        Phys::ByteArray => {
            let mut r = Thrift { b: data, pos: 0 };
            // Each value takes at least its 4-byte length.
            if n > data.len() / 4 {
                return Err(short());
            }
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                let l = r.take(4)?;
                let l = u32::from_le_bytes(l.try_into().unwrap_or([0; 4])) as usize;
                v.push(r.take(l)?.to_vec());
            }
            Ok(Values::Bytes(v))
        }
        Phys::Other(t) => err(format!("values of physical type {t} are not supported")),
    }
}

// ---------------------------------------------------------------------------
// File
// ---------------------------------------------------------------------------

/// A column's rows being decoded: integers, bytes, or a count of nulls of another type.
type Rows = (Vec<Option<i64>>, Vec<Option<Vec<u8>>>, usize);

struct Leaf {
    name: String,
    optional: bool,
    ty: Phys,
}

/// Decode a whole Parquet file held in memory.
///
/// # Errors
/// [`ParquetError`] for malformed files, unsupported features and sizes past the limits.
pub fn read(file: &[u8], limits: &Limits) -> Result<Table, ParquetError> {
    let n = file.len();
    if n < 12 || file.get(..4) != Some(b"PAR1") || file.get(n - 4..) != Some(b"PAR1") {
        return err("not a Parquet file (no PAR1 magic)");
    }
    let flen = file.get(n - 8..n - 4).map_or(0, |b| u32::from_le_bytes(b.try_into().unwrap_or([0; 4]))) as usize;
    if flen > n - 12 || flen as u64 > limits.max_metadata_bytes {
        return err(format!("footer length {flen} does not fit the file"));
    }
    let mut t = Thrift { b: file.get(n - 8 - flen..n - 8).unwrap_or_default(), pos: 0 };
    let meta = t.fields(0)?;
    let num_rows = to_usize(req_int(&meta, 3, "num_rows")?, "num_rows")?;
    // Rows are held in memory (at least 8 bytes each per column).
    if (num_rows as u64).saturating_mul(8) > limits.max_metadata_bytes {
        return err(format!("{num_rows} rows exceed the metadata limit"));
    }
    // Flat schema: the root, then leaves.
    let schema = list(&meta, 2);
    let mut leaves = Vec::new();
    for (i, e) in schema.iter().enumerate() {
        let T::Struct(e) = e else { return err("schema element is not a struct") };
        let name = match field(e, 4) {
            Some(T::Bin(b)) => String::from_utf8_lossy(b).into_owned(),
            _ => return err("schema element without a name"),
        };
        let children = int(e, 5).unwrap_or(0);
        if i == 0 {
            if to_usize(children, "num_children")? + 1 != schema.len() {
                return err("nested schemas are not supported");
            }
            continue;
        }
        if children != 0 {
            return err(format!("column {name:?} is nested (not supported)"));
        }
        let optional = match int(e, 3).unwrap_or(0) {
            0 => false,
            1 => true,
            _ => return err(format!("column {name:?} is repeated (not supported)")),
        };
        let ty = match int(e, 1) {
            Some(1) => Phys::Int32,
            Some(2) => Phys::Int64,
            Some(6) => Phys::ByteArray,
            Some(t) => Phys::Other(t),
            None => return err(format!("column {name:?} has no type")),
        };
        leaves.push(Leaf { name, optional, ty });
    }
    let mut cols: Vec<Rows> = leaves.iter().map(|_| (Vec::new(), Vec::new(), 0)).collect();
    // Bytes of BYTE_ARRAY values kept, across columns (dictionaries can amplify).
    let mut retained = 0u64;
    for rg in list(&meta, 4) {
        let T::Struct(rg) = rg else { return err("row group is not a struct") };
        let chunks = list(rg, 1);
        if chunks.len() != leaves.len() {
            return err("row group columns do not match the schema");
        }
        for ((cc, leaf), col) in chunks.iter().zip(&leaves).zip(cols.iter_mut()) {
            let T::Struct(cc) = cc else { return err("column chunk is not a struct") };
            let md = strukt(cc, 3).ok_or_else(|| ParquetError { message: "column chunk without metadata".into() })?;
            read_chunk(file, md, leaf, col, num_rows, &mut retained, limits)?;
        }
    }
    let mut columns = Vec::with_capacity(leaves.len());
    for (leaf, (ints, bytes, nulls)) in leaves.into_iter().zip(cols) {
        let c = match leaf.ty {
            Phys::Int32 | Phys::Int64 => ColumnData::Int(ints),
            Phys::ByteArray => ColumnData::Bytes(bytes),
            Phys::Other(_) => ColumnData::Null(nulls),
        };
        if c.len() != num_rows {
            return err(format!("column {:?} has {} rows, the file {num_rows}", leaf.name, c.len()));
        }
        columns.push((leaf.name, c));
    }
    Ok(Table { num_rows, columns })
}

/// The value count of a data page header, checked against what the column chunk and the
/// file still hold (before any level or value is decoded).
fn page_values(h: &[(i16, T)], done: usize, num_values: usize, num_rows: usize) -> Result<usize, ParquetError> {
    let n = to_usize(req_int(h, 1, "num_values")?, "num_values")?;
    let end = done.saturating_add(n);
    if end > num_values || end > num_rows {
        return err("pages hold more values than the column chunk");
    }
    Ok(n)
}

/// Decode one column chunk, appending its rows to `col` (ints, bytes, or a null count).
fn read_chunk(
    file: &[u8],
    md: &[(i16, T)],
    leaf: &Leaf,
    col: &mut Rows,
    num_rows: usize,
    retained: &mut u64,
    limits: &Limits,
) -> Result<(), ParquetError> {
    let codec = req_int(md, 4, "codec")?;
    let num_values = to_usize(req_int(md, 5, "num_values")?, "num_values")?;
    let size = to_usize(req_int(md, 7, "total_compressed_size")?, "total_compressed_size")?;
    let data_off = to_usize(req_int(md, 9, "data_page_offset")?, "data_page_offset")?;
    let start = match int(md, 11) {
        Some(d) if d > 0 && (d as u64) < data_off as u64 => to_usize(d, "dictionary_page_offset")?,
        _ => data_off,
    };
    let chunk = start
        .checked_add(size)
        .and_then(|e| file.get(start..e))
        .ok_or_else(|| ParquetError { message: format!("column {:?} runs past the file", leaf.name) })?;
    let mut pos = 0usize;
    let mut done = 0usize;
    let mut dict: Option<Values> = None;
    while done < num_values {
        let mut t = Thrift { b: chunk.get(pos..).unwrap_or_default(), pos: 0 };
        let ph = t.fields(0)?;
        pos += t.pos;
        let ptype = req_int(&ph, 1, "page type")?;
        let usize_ = to_usize(req_int(&ph, 2, "uncompressed_page_size")?, "page size")?;
        let csize = to_usize(req_int(&ph, 3, "compressed_page_size")?, "page size")?;
        if usize_ as u64 > limits.max_metadata_bytes {
            return err(format!("page of {usize_} bytes exceeds the metadata limit"));
        }
        let body = pos
            .checked_add(csize)
            .and_then(|e| chunk.get(pos..e))
            .ok_or_else(|| ParquetError { message: "page runs past its column chunk".into() })?;
        pos += csize;
        match ptype {
            2 => {
                let h = strukt(&ph, 7).ok_or_else(|| ParquetError { message: "dictionary page header".into() })?;
                let n = to_usize(req_int(h, 1, "dictionary size")?, "dictionary size")?;
                let raw = decompress(codec, body, usize_, limits)?;
                dict = Some(plain(&raw, leaf.ty, n)?);
            }
            0 | 3 => {
                let (n, enc, defs, values) = if ptype == 0 {
                    let h = strukt(&ph, 5).ok_or_else(|| ParquetError { message: "data page header".into() })?;
                    let n = page_values(h, done, num_values, num_rows)?;
                    let raw = decompress(codec, body, usize_, limits)?;
                    let mut rest: &[u8] = &raw;
                    let defs = if leaf.optional {
                        if int(h, 3).unwrap_or(3) != 3 {
                            return err("definition levels not RLE-encoded");
                        }
                        let l =
                            rest.get(..4).map_or(0, |b| u32::from_le_bytes(b.try_into().unwrap_or([0; 4]))) as usize;
                        let lv =
                            rest.get(4..4 + l).ok_or_else(|| ParquetError { message: "levels truncated".into() })?;
                        let d = rle_hybrid(lv, 1, n)?;
                        rest = rest.get(4 + l..).unwrap_or_default();
                        Some(d)
                    } else {
                        None
                    };
                    (n, req_int(h, 2, "encoding")?, defs, rest.to_vec())
                } else {
                    let h = strukt(&ph, 8).ok_or_else(|| ParquetError { message: "data page v2 header".into() })?;
                    let n = page_values(h, done, num_values, num_rows)?;
                    let dl = to_usize(req_int(h, 5, "definition_levels_byte_length")?, "levels length")?;
                    let rl = to_usize(req_int(h, 6, "repetition_levels_byte_length")?, "levels length")?;
                    let compressed = !matches!(field(h, 7), Some(T::Bool(false)));
                    let lv = body
                        .get(rl..rl.saturating_add(dl))
                        .ok_or_else(|| ParquetError { message: "levels truncated".into() })?;
                    let defs = if leaf.optional { Some(rle_hybrid(lv, 1, n)?) } else { None };
                    let vbody = body.get(rl + dl..).unwrap_or_default();
                    let vsize = usize_
                        .checked_sub(rl + dl)
                        .ok_or_else(|| ParquetError { message: "page size smaller than its levels".into() })?;
                    let values = if compressed { decompress(codec, vbody, vsize, limits)? } else { vbody.to_vec() };
                    (n, req_int(h, 4, "encoding")?, defs, values)
                };
                let present = defs.as_ref().map_or(n, |d| d.iter().filter(|&&x| x == 1).count());
                let vals = if present == 0 {
                    None
                } else {
                    Some(match enc {
                        0 => {
                            let v = plain(&values, leaf.ty, present)?;
                            if let Values::Bytes(b) = &v {
                                let total: u64 = b.iter().map(|x| x.len() as u64).sum();
                                *retained = retained.saturating_add(total);
                                if *retained > limits.max_metadata_bytes {
                                    return err("decoded values exceed the metadata limit");
                                }
                            }
                            v
                        }
                        2 | 8 => {
                            let d =
                                dict.as_ref().ok_or_else(|| ParquetError { message: "no dictionary page".into() })?;
                            let bw = *values.first().ok_or_else(|| ParquetError { message: "empty page".into() })?;
                            let idx = rle_hybrid(values.get(1..).unwrap_or_default(), bw, present)?;
                            let pick = |i: &u32| -> Result<usize, ParquetError> {
                                let i = *i as usize;
                                if i < d.len() {
                                    Ok(i)
                                } else {
                                    err("dictionary index out of range")
                                }
                            };
                            match d {
                                Values::Int(v) => Values::Int(
                                    idx.iter()
                                        .map(|i| pick(i).map(|i| v.get(i).copied().unwrap_or(0)))
                                        .collect::<Result<_, _>>()?,
                                ),
                                Values::Bytes(v) => {
                                    let mut out = Vec::with_capacity(idx.len());
                                    for i in &idx {
                                        let b = v.get(pick(i)?).map_or(&[][..], Vec::as_slice);
                                        *retained = retained.saturating_add(b.len() as u64);
                                        if *retained > limits.max_metadata_bytes {
                                            return err("decoded values exceed the metadata limit");
                                        }
                                        out.push(b.to_vec());
                                    }
                                    Values::Bytes(out)
                                }
                            }
                        }
                        e => return err(format!("value encoding {e} is not supported")),
                    })
                };
                let mut it_i = match &vals {
                    Some(Values::Int(v)) => v.clone().into_iter(),
                    _ => Vec::new().into_iter(),
                };
                let mut it_b = match vals {
                    Some(Values::Bytes(v)) => v.into_iter(),
                    _ => Vec::new().into_iter(),
                };
                for k in 0..n {
                    let is_present = defs.as_ref().map_or(true, |d| d.get(k) == Some(&1));
                    match leaf.ty {
                        Phys::Int32 | Phys::Int64 => col.0.push(if is_present { it_i.next() } else { None }),
                        Phys::ByteArray => col.1.push(if is_present { it_b.next() } else { None }),
                        Phys::Other(_) => {
                            if is_present {
                                return err(format!("column {:?}: values of an unsupported type", leaf.name));
                            }
                            col.2 += 1;
                        }
                    }
                }
                done += n;
            }
            _ => {} // index pages and unknown pages are skipped
        }
        if pos >= chunk.len() && done < num_values {
            return err("column chunk ends before its values");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snappy_literals_and_copies() {
        // "abcabcabcX": literal "abc", copy(offset 3, len 6), literal "X".
        let enc = [10u8, 2 << 2, b'a', b'b', b'c', ((6 - 4) << 2) | 1, 3, 0, b'X'];
        assert_eq!(snappy(&enc, 100).unwrap(), b"abcabcabcX");
        assert!(snappy(&enc, 5).is_err());
        assert!(snappy(&[10u8, 1, 9], 100).is_err());
    }

    #[test]
    fn rle_and_bit_packed_runs() {
        // RLE run of 5 ones (header 5<<1), then one bit-packed group of 8: 0b10101010.
        let data = [5u8 << 1, 1, (1 << 1) | 1, 0b1010_1010];
        assert_eq!(rle_hybrid(&data, 1, 13).unwrap(), vec![1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
        assert!(rle_hybrid(&data, 1, 20).is_err());
    }

    #[test]
    fn garbage_is_an_error() {
        let l = Limits::default();
        assert!(read(b"PAR1PAR1", &l).is_err());
        assert!(read(b"PAR1\xff\xff\xff\xff\x10\x00\x00\x00PAR1", &l).is_err());
        let mut f = b"PAR1".to_vec();
        f.extend([0x19, 0x1c, 0x1c, 0x1c, 0x00]);
        f.extend(5u32.to_le_bytes());
        f.extend(b"PAR1");
        assert!(read(&f, &l).is_err());
    }
}
