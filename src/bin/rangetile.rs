//! The `rangetile` command-line tool: inspect stores and JP2 files, read arrays and
//! tiles, write tile indexes and virtual-Zarr references.
//!
//! Every subcommand takes an `http(s)://` URL or a local path. With `--stats`, the
//! request counters are printed to stderr at exit as `{"requests":N,"bytes":N}`, whether
//! the command succeeded or not. Errors print `rangetile: <kind>: <message>` and exit 1.
//!
//! Each subcommand is one `async fn cmd_<name>` in its own marked block below, so the
//! layers that implement it can fill it in independently.

use clap::{Args, Parser, Subcommand};
use rangetile::error::IoError;
use rangetile::Error;

#[derive(Debug, Parser)]
#[command(name = "rangetile", version, about = "Read Zarr arrays and JPEG 2000 images straight from object storage")]
struct Cli {
    /// Print {"requests":N,"bytes":N} to stderr at exit.
    #[arg(long, global = true)]
    stats: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Metadata summary of a Zarr store or array, or of a JP2 file.
    Info(InfoArgs),
    /// Read (part of) a Zarr array.
    Read(ReadArgs),
    /// JPEG 2000: tile index, tile reads, external TLM index.
    #[command(subcommand)]
    Jp2(Jp2Command),
    /// Kerchunk references exposing JP2 tiles as a virtual Zarr array (JSON on stdout).
    Refs(RefsArgs),
}

#[derive(Debug, Args)]
pub struct InfoArgs {
    /// URL or path of the store, array or file.
    pub url: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReadArgs {
    /// URL or path of the store or array.
    pub url: String,
    /// Path of the array inside the store.
    #[arg(long)]
    pub array: Option<String>,
    /// Selection, one entry per dimension: `0:10,:,5`.
    #[arg(long)]
    pub select: Option<String>,
    /// Multiscale level.
    #[arg(long)]
    pub level: Option<u32>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Where a decoded array or tile goes: a .npy file, its sha256, else a JSON summary.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Write the result as .npy.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
    /// Print the sha256 of the decoded result (C order, little-endian).
    #[arg(long)]
    pub sha256: bool,
}

impl OutputArgs {
    /// Write `npy()` to `--out`; then print `sha256()` with `--sha256`, else, when there is
    /// no `--out`, the JSON `summary()`. A closed stdout is not an error.
    ///
    /// # Errors
    /// `InvalidArgument` when the `--out` file cannot be written.
    fn emit(
        &self,
        npy: impl FnOnce() -> Vec<u8>,
        sha256: impl FnOnce() -> String,
        summary: impl FnOnce() -> serde_json::Value,
    ) -> Result<(), Error> {
        use std::io::Write as _;
        if let Some(p) = &self.out {
            std::fs::write(p, npy())
                .map_err(|e| Error::InvalidArgument { message: format!("cannot write {}: {e}", p.display()) })?;
        }
        if self.sha256 {
            let _ = writeln!(std::io::stdout(), "{}", sha256());
        } else if self.out.is_none() {
            let _ = writeln!(std::io::stdout(), "{}", summary());
        }
        Ok(())
    }
}

#[derive(Debug, Subcommand)]
enum Jp2Command {
    /// Tile-part index: tile, offset, length, source.
    Tiles(Jp2TilesArgs),
    /// Decode one tile.
    ReadTile(Jp2ReadTileArgs),
    /// External TLM index (JSON on stdout) for files without TLM markers.
    Index(Jp2IndexArgs),
}

#[derive(Debug, Args)]
pub struct Jp2TilesArgs {
    /// URL or path of the JP2/J2K file.
    pub url: String,
}

#[derive(Debug, Args)]
pub struct Jp2ReadTileArgs {
    /// URL or path of the JP2/J2K file.
    pub url: String,
    /// Tile column.
    pub tx: u32,
    /// Tile row.
    pub ty: u32,
    /// Resolution reduction (0 = full resolution).
    #[arg(long)]
    pub level: Option<u32>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct Jp2IndexArgs {
    /// URL or path of the JP2/J2K file.
    pub url: String,
}

#[derive(Debug, Args)]
pub struct RefsArgs {
    /// URLs or paths of the JP2 files.
    #[arg(required = true)]
    pub urls: Vec<String>,
}

/// The error of a subcommand that no layer implements yet.
#[allow(dead_code)]
fn not_implemented(name: &str) -> Error {
    Error::Io(IoError::Unsupported { feature: format!("the `{name}` subcommand is not implemented yet") })
}

// ============================================================================
// info (zarr + jp2 helpers)
// ============================================================================

/// Whether `url` names a JPEG 2000 file rather than a Zarr store.
fn is_jp2_url(url: &str) -> bool {
    let l = url.to_ascii_lowercase();
    [".jp2", ".j2k", ".j2c", ".jph", ".jhc", ".jpx"].iter().any(|e| l.ends_with(e))
}

async fn cmd_info(args: &InfoArgs) -> Result<(), Error> {
    if is_jp2_url(&args.url) {
        return cmd_info_jp2(args).await;
    }
    zarr_cli::info(args).await
}

/// `info` for a JPEG 2000 file (jp2 helper).
async fn cmd_info_jp2(args: &InfoArgs) -> Result<(), Error> {
    let img = jp2_cli::open(&args.url).await?;
    let v = jp2_cli::info_json(&img);
    if args.json {
        println!("{v}");
    } else if let Some(o) = v.as_object() {
        for (k, x) in o {
            println!("{k}: {x}");
        }
    }
    Ok(())
}

/// `read` of a JPEG 2000 file (jp2 helper): the whole image at `--level`, components
/// stacked H×W×C (the corpus convention). Reached from `cmd_read` for JP2 URLs.
async fn cmd_read_jp2(args: &ReadArgs) -> Result<(), Error> {
    if args.array.is_some() || args.select.is_some() {
        return Err(Error::InvalidArgument {
            message: "--array and --select are for Zarr stores; a JPEG 2000 file is read whole at --level \
                      (use `rangetile jp2 read-tile` for one tile)"
                .into(),
        });
    }
    let img = jp2_cli::open(&args.url).await?;
    let level = args.level.unwrap_or(0);
    let r = img.level_rect(level);
    let d = img.read_region(0, 0, r.width(), r.height(), level).await?;
    jp2_cli::emit(&d, &args.output)
}

/// Helpers of the `jp2` subcommands and `refs` (jp2 helper).
mod jp2_cli {
    use super::OutputArgs;
    use rangetile::io::{open_source, RangeOptions, RangeSource};
    use rangetile::jp2::{DecodedImage, Jp2Image, Jp2Options};
    use rangetile::Error;
    use serde_json::{json, Value};
    use sha2::{Digest, Sha256};
    use std::rc::Rc;

    pub async fn open(url: &str) -> Result<Jp2Image, Error> {
        let src: Rc<dyn RangeSource> = Rc::from(open_source(url, RangeOptions::default()));
        Ok(Jp2Image::open(src, Jp2Options::default()).await?)
    }

    pub fn info_json(img: &Jp2Image) -> Value {
        let h = img.header();
        json!({
            "kind": format!("{:?}", img.kind()),
            "width": img.width(),
            "height": img.height(),
            "components": img.components(),
            "bit_depth": img.bit_depth(),
            "signed": img.signed(),
            "dtype": img.sample_type().numpy_str(),
            "tile_width": img.tile_width(),
            "tile_height": img.tile_height(),
            "tiles_across": img.tiles_across(),
            "tiles_down": img.tiles_down(),
            "tile_parts": img.tile_index().parts.len(),
            "levels": img.levels(),
            "layers": h.cod.layers,
            "progression": h.cod.progression.name(),
            "reversible": h.reversible(),
            "htj2k": h.is_htj2k(),
            "tile_index_source": img.tile_index_source().name(),
            "boxes": img.boxes().map(|b| b.boxes.iter().map(|x| x.type_str()).collect::<Vec<_>>()),
            "georef": img.georef().map(|g| json!({"transform": g.transform, "epsg": g.epsg})),
        })
    }

    fn npy(d: &DecodedImage) -> Vec<u8> {
        let descr = d.samples.sample_type().numpy_str();
        let shape = if d.components > 1 {
            format!("({}, {}, {})", d.height, d.width, d.components)
        } else {
            format!("({}, {})", d.height, d.width)
        };
        let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend((header.len() as u16).to_le_bytes());
        out.extend(header.as_bytes());
        out.extend(d.samples.to_le_bytes());
        out
    }

    /// A decoded image to `--out` / `--sha256` / a `{shape, dtype}` summary.
    pub fn emit(d: &DecodedImage, output: &OutputArgs) -> Result<(), Error> {
        output.emit(
            || npy(d),
            || hex::encode(Sha256::digest(d.samples.to_le_bytes())),
            || {
                let shape: Vec<u32> =
                    if d.components > 1 { vec![d.height, d.width, d.components] } else { vec![d.height, d.width] };
                json!({"shape": shape, "dtype": d.samples.sample_type().numpy_str()})
            },
        )
    }
}

// ============================================================================
// read (zarr helper)
// ============================================================================

async fn cmd_read(args: &ReadArgs) -> Result<(), Error> {
    if is_jp2_url(&args.url) {
        return cmd_read_jp2(args).await;
    }
    zarr_cli::read(args).await
}

/// The Zarr side of `info` and `read`: open a store (a directory, a base URL, a
/// `zarr.json`/`.zarray`/`.zmetadata` URL, or a kerchunk reference JSON), then describe or
/// read a node.
mod zarr_cli {
    use super::{InfoArgs, ReadArgs};
    use rangetile::io::{open_store, RangeOptions, Store};
    use rangetile::refs::ReferenceStore;
    use rangetile::zarr::digest::sha256_hex;
    use rangetile::zarr::hierarchy::NodeKind;
    use rangetile::zarr::npy::to_npy;
    use rangetile::zarr::{Array, Group, Node, Selection};
    use rangetile::{Error, Limits};
    use serde_json::{json, Map, Value};
    use std::rc::Rc;

    /// `print!` that ignores a closed stdout (`rangetile info ... | head`).
    macro_rules! out {
        ($($t:tt)*) => {{
            use std::io::Write as _;
            let _ = write!(std::io::stdout(), $($t)*);
        }};
    }
    macro_rules! outln {
        ($($t:tt)*) => {{
            use std::io::Write as _;
            let _ = writeln!(std::io::stdout(), $($t)*);
        }};
    }

    /// Nodes of a store that can be listed (kerchunk references know all their keys).
    type Listing = Option<Vec<(String, NodeKind)>>;

    /// The arrays and groups (other than the root) that a reference store's keys define:
    /// those of their `.zarray` and `.zgroup` documents.
    fn listed_nodes<'a>(keys: impl Iterator<Item = &'a String>) -> Vec<(String, NodeKind)> {
        keys.filter_map(|k| {
            let (node, leaf) = k.rsplit_once('/').unwrap_or(("", k.as_str()));
            match leaf {
                ".zarray" => Some((node.to_string(), NodeKind::Array)),
                ".zgroup" if !node.is_empty() => Some((node.to_string(), NodeKind::Group)),
                _ => None,
            }
        })
        .collect()
    }

    /// The store and the node path inside it that `url` designates.
    async fn open_target(url: &str) -> Result<(Rc<dyn Store>, String, Listing), Error> {
        let limits = Limits::default();
        let trimmed = url.trim_end_matches('/');
        if rangetile::refs::kerchunk_parquet::looks_like_parquet_refs(trimmed) {
            // kerchunk Parquet references (jp2 helper): a `*.parq` directory.
            let refs = rangetile::refs::ParquetReferenceStore::open(trimmed, RangeOptions::default(), &limits).await?;
            let nodes = listed_nodes(refs.metadata().keys());
            return Ok((Rc::new(refs), String::new(), Some(nodes)));
        }
        for doc in ["/zarr.json", "/.zarray", "/.zgroup", "/.zattrs", "/.zmetadata"] {
            if let Some(base) = trimmed.strip_suffix(doc) {
                return Ok((Rc::from(open_store(base, RangeOptions::default())), String::new(), None));
            }
        }
        if trimmed.to_ascii_lowercase().ends_with(".json") {
            let refs = ReferenceStore::open(trimmed, RangeOptions::default(), &limits).await?;
            let mut nodes = listed_nodes(refs.references().refs.keys());
            nodes.sort_by(|a, b| a.0.cmp(&b.0));
            return Ok((Rc::new(refs), String::new(), Some(nodes)));
        }
        Ok((Rc::from(open_store(trimmed, RangeOptions::default())), String::new(), None))
    }

    fn array_json(a: &Array) -> Value {
        let m = a.metadata();
        json!({
            "node_type": "array",
            "path": a.path(),
            "zarr_format": m.zarr_format,
            "shape": m.shape,
            "chunks": m.chunk_shape,
            "inner_chunks": a.inner_chunk_shape(),
            "dtype": m.data_type.numpy_str(),
            "fill_value": fill_json(a),
            "dimension_names": m.dimension_names,
            "codecs": m.codecs_json(),
            "attributes": m.attributes,
        })
    }

    fn fill_json(a: &Array) -> Value {
        use rangetile::zarr::data_type::FillValue;
        match a.fill_value() {
            FillValue::Variable(v) => v.clone(),
            FillValue::Fixed(b) => {
                let d = rangetile::zarr::ArrayData {
                    data: rangetile::codecs::ArrayBytes::Fixed(b.clone()),
                    shape: vec![],
                    data_type: a.data_type().clone(),
                };
                scalar_json(&d)
            }
        }
    }

    /// The single element of a 0-d (or first element of any) fixed-size array as JSON.
    fn scalar_json(d: &rangetile::zarr::ArrayData) -> Value {
        use rangetile::zarr::data_type::DataType as T;
        let rangetile::codecs::ArrayBytes::Fixed(b) = &d.data else { return Value::Null };
        let mut w = [0u8; 8];
        let n = b.len().min(8);
        w[..n].copy_from_slice(&b[..n]);
        let f = |x: f64| if x.is_finite() { json!(x) } else { json!(x.to_string()) };
        match &d.data_type {
            T::Bool => json!(w[0] != 0),
            T::Int8 => json!(w[0] as i8),
            T::UInt8 => json!(w[0]),
            T::Int16 => json!(i16::from_le_bytes([w[0], w[1]])),
            T::UInt16 => json!(u16::from_le_bytes([w[0], w[1]])),
            T::Int32 => json!(i32::from_le_bytes([w[0], w[1], w[2], w[3]])),
            T::UInt32 => json!(u32::from_le_bytes([w[0], w[1], w[2], w[3]])),
            T::Int64 | T::DateTime64 { .. } | T::TimeDelta64 { .. } => json!(i64::from_le_bytes(w)),
            T::UInt64 => json!(u64::from_le_bytes(w)),
            T::Float16 => f(half::f16::from_le_bytes([w[0], w[1]]).to_f64()),
            T::Float32 => f(f64::from(f32::from_le_bytes([w[0], w[1], w[2], w[3]]))),
            T::Float64 => f(f64::from_le_bytes(w)),
            _ => Value::Null,
        }
    }

    async fn group_json(g: &Group, listing: Listing) -> Result<Value, Error> {
        let mut members = Vec::new();
        for (path, kind) in g.nodes().or(listing).unwrap_or_default() {
            match kind {
                NodeKind::Array => members.push(match g.open_array(&path).await {
                    Ok(a) => array_json(&a),
                    Err(e) => json!({"node_type": "array", "path": path, "error": e.to_string()}),
                }),
                NodeKind::Group => members.push(json!({"node_type": "group", "path": path})),
            }
        }
        let ms = g.multiscales()?.map(|m| {
            json!({
                "convention": format!("{:?}", m.convention),
                "crs": m.crs,
                "levels": m.levels.iter().map(|l| json!({"path": l.path, "scale": l.scale, "translation": l.translation})).collect::<Vec<_>>(),
            })
        });
        Ok(json!({
            "node_type": "group",
            "path": g.path(),
            "zarr_format": g.metadata().zarr_format,
            "implicit": g.metadata().implicit,
            "consolidated": g.is_consolidated(),
            "attributes": g.attributes(),
            "multiscales": ms,
            "members": members,
        }))
    }

    fn print_text(v: &Value) {
        let o = v.as_object().cloned().unwrap_or_default();
        let s = |k: &str| o.get(k).map(|v| v.to_string()).unwrap_or_default();
        if o.get("node_type").and_then(Value::as_str) == Some("array") {
            outln!(
                "array /{}  v{}  shape {}  chunks {}  dtype {}  fill {}",
                o.get("path").and_then(Value::as_str).unwrap_or(""),
                s("zarr_format"),
                s("shape"),
                s("chunks"),
                o.get("dtype").and_then(Value::as_str).unwrap_or(""),
                s("fill_value")
            );
            if let Some(i) = o.get("inner_chunks").filter(|v| !v.is_null()) {
                outln!("  sharded, inner chunks {i}");
            }
            if let Some(d) = o.get("dimension_names").filter(|v| !v.is_null()) {
                outln!("  dimensions {d}");
            }
            outln!("  codecs {}", s("codecs"));
            if o.get("attributes").and_then(Value::as_object).is_some_and(|a| !a.is_empty()) {
                outln!("  attributes {}", s("attributes"));
            }
        } else {
            outln!(
                "group /{}  v{}{}{}",
                o.get("path").and_then(Value::as_str).unwrap_or(""),
                s("zarr_format"),
                if o.get("consolidated") == Some(&Value::Bool(true)) { "  consolidated" } else { "" },
                if o.get("implicit") == Some(&Value::Bool(true)) { "  implicit" } else { "" }
            );
            if o.get("attributes").and_then(Value::as_object).is_some_and(|a| !a.is_empty()) {
                outln!("  attributes {}", s("attributes"));
            }
            if let Some(m) = o.get("multiscales").filter(|v| !v.is_null()) {
                outln!("  multiscales {m}");
            }
            for m in o.get("members").and_then(Value::as_array).into_iter().flatten() {
                if let Some(e) = m.get("error").and_then(Value::as_str) {
                    outln!("  array /{}  cannot be opened: {e}", m.get("path").and_then(Value::as_str).unwrap_or(""));
                } else if m.get("node_type").and_then(Value::as_str) == Some("array") {
                    out!("  ");
                    print_text(m);
                } else {
                    outln!("  group /{}", m.get("path").and_then(Value::as_str).unwrap_or(""));
                }
            }
        }
    }

    pub async fn info(args: &InfoArgs) -> Result<(), Error> {
        let (store, path, listing) = open_target(&args.url).await?;
        let v = match Node::open(store.clone(), &path).await {
            Ok(Node::Array(a)) => array_json(&a),
            Ok(Node::Group(g)) => group_json(&g, listing).await?,
            Err(rangetile::error::ZarrError::NodeNotFound { .. }) => {
                group_json(&Group::open(store, &path).await?, listing).await?
            }
            Err(e) => return Err(e.into()),
        };
        if args.json {
            outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        } else {
            print_text(&v);
        }
        Ok(())
    }

    fn invalid(message: String) -> Error {
        Error::InvalidArgument { message }
    }

    async fn pick_array(store: Rc<dyn Store>, root: &str, args: &ReadArgs) -> Result<Array, Error> {
        let base = match Node::open(store.clone(), root).await {
            Ok(Node::Array(a)) if args.array.is_none() && args.level.is_none() => return Ok(a),
            Ok(Node::Array(_)) => {
                return Err(invalid(format!("{} is an array: --array and --level need a group", args.url)))
            }
            Ok(Node::Group(g)) => g,
            Err(rangetile::error::ZarrError::NodeNotFound { .. }) => Group::open(store, root).await?,
            Err(e) => return Err(e.into()),
        };
        let base = match (&args.array, args.level) {
            (Some(p), None) => return Ok(base.open_array(p).await?),
            (Some(p), Some(_)) => base.open_group(p).await?,
            (None, _) => base,
        };
        let Some(level) = args.level else {
            let arrays = base.array_paths().unwrap_or_default();
            return Err(invalid(format!(
                "{} is a group: pick an array with --array (arrays: {})",
                args.url,
                arrays.join(", ")
            )));
        };
        let ms =
            base.multiscales()?.ok_or_else(|| invalid(format!("group /{} declares no multiscales", base.path())))?;
        let l = ms
            .levels
            .get(level as usize)
            .ok_or_else(|| invalid(format!("level {level} of {} levels", ms.levels.len())))?;
        match base.open_node(&l.path).await? {
            Node::Array(a) => Ok(a),
            Node::Group(g) => {
                let arrays = g.array_paths().unwrap_or_default();
                match arrays.as_slice() {
                    [only] => Ok(g.open_array(only).await?),
                    _ => Err(invalid(format!("level {level} is group /{} holding arrays {arrays:?}", g.path()))),
                }
            }
        }
    }

    pub async fn read(args: &ReadArgs) -> Result<(), Error> {
        let (store, root, _) = open_target(&args.url).await?;
        let array = pick_array(store, &root, args).await?;
        let sel = match &args.select {
            Some(s) => Selection::parse(s)?,
            None => Selection::all(),
        };
        let data = array.get(&sel).await?;
        args.output.emit(
            || to_npy(&data),
            || sha256_hex(&data),
            || {
                let mut o = Map::new();
                o.insert("path".into(), json!(array.path()));
                o.insert("shape".into(), json!(data.shape));
                o.insert("dtype".into(), json!(data.data_type.numpy_str()));
                if data.shape.is_empty() {
                    o.insert("value".into(), scalar_json(&data));
                }
                Value::Object(o)
            },
        )
    }
}

// ============================================================================
// jp2 tiles (jp2 helper)
// ============================================================================

async fn cmd_jp2_tiles(args: &Jp2TilesArgs) -> Result<(), Error> {
    let img = jp2_cli::open(&args.url).await?;
    let source = img.tile_index_source().name();
    println!("tile\ttile_part\tnum_parts\toffset\tlength\tsource");
    for p in &img.tile_index().parts {
        println!("{}\t{}\t{}\t{}\t{}\t{source}", p.tile, p.tpsot, p.tnsot, p.offset, p.length);
    }
    Ok(())
}

// ============================================================================
// jp2 read-tile (jp2 helper)
// ============================================================================

async fn cmd_jp2_read_tile(args: &Jp2ReadTileArgs) -> Result<(), Error> {
    let img = jp2_cli::open(&args.url).await?;
    let d = img.read_tile(args.tx, args.ty, args.level.unwrap_or(0)).await?;
    jp2_cli::emit(&d, &args.output)
}

// ============================================================================
// jp2 index (jp2 helper)
// ============================================================================

async fn cmd_jp2_index(args: &Jp2IndexArgs) -> Result<(), Error> {
    let img = jp2_cli::open(&args.url).await?;
    // The SOT values themselves, whatever index the file offers.
    let walk = img.walk_sot().await?;
    println!("{}", walk.to_json(img.file_len(), img.header()));
    Ok(())
}

// ============================================================================
// refs (refs / jp2 helper)
// ============================================================================

async fn cmd_refs(args: &RefsArgs) -> Result<(), Error> {
    let mut images = Vec::new();
    for u in &args.urls {
        images.push((u.clone(), jp2_cli::open(u).await?));
    }
    let refs: Vec<(String, &rangetile::jp2::Jp2Image)> = images.iter().map(|(u, i)| (u.clone(), i)).collect();
    println!("{}", rangetile::jp2::virtual_zarr::kerchunk_refs(&refs)?);
    Ok(())
}

// ============================================================================
// dispatch
// ============================================================================

async fn run(cli: &Cli) -> Result<(), Error> {
    match &cli.command {
        Command::Info(a) => cmd_info(a).await,
        Command::Read(a) => cmd_read(a).await,
        Command::Jp2(Jp2Command::Tiles(a)) => cmd_jp2_tiles(a).await,
        Command::Jp2(Jp2Command::ReadTile(a)) => cmd_jp2_read_tile(a).await,
        Command::Jp2(Jp2Command::Index(a)) => cmd_jp2_index(a).await,
        Command::Refs(a) => cmd_refs(a).await,
    }
}

fn main() {
    let cli = Cli::parse();
    let result = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt.block_on(run(&cli)),
        Err(e) => {
            Err(Error::Io(IoError::Network { url: String::new(), message: format!("cannot start the runtime: {e}") }))
        }
    };
    if cli.stats {
        let s = rangetile::io::stats();
        eprintln!("{{\"requests\":{},\"bytes\":{}}}", s.requests, s.bytes_fetched);
    }
    if let Err(e) = result {
        eprintln!("rangetile: {}: {e}", e.kind().name());
        std::process::exit(1);
    }
}
