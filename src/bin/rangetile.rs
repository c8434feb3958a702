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
    /// Write the result as .npy.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
    /// Print the sha256 of the decoded array (C order, little-endian).
    #[arg(long)]
    pub sha256: bool,
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
    /// Write the tile as .npy.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
    /// Print the sha256 of the decoded tile (C order, little-endian).
    #[arg(long)]
    pub sha256: bool,
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
fn not_implemented(name: &str) -> Error {
    Error::Io(IoError::Unsupported { feature: format!("the `{name}` subcommand is not implemented yet") })
}

// ============================================================================
// info (zarr + jp2 helpers)
// ============================================================================

async fn cmd_info(args: &InfoArgs) -> Result<(), Error> {
    let _ = (&args.url, args.json);
    Err(not_implemented("info"))
}

// ============================================================================
// read (zarr helper)
// ============================================================================

async fn cmd_read(args: &ReadArgs) -> Result<(), Error> {
    let _ = args;
    Err(not_implemented("read"))
}

// ============================================================================
// jp2 tiles (jp2 helper)
// ============================================================================

async fn cmd_jp2_tiles(args: &Jp2TilesArgs) -> Result<(), Error> {
    let _ = args;
    Err(not_implemented("jp2 tiles"))
}

// ============================================================================
// jp2 read-tile (jp2 helper)
// ============================================================================

async fn cmd_jp2_read_tile(args: &Jp2ReadTileArgs) -> Result<(), Error> {
    let _ = args;
    Err(not_implemented("jp2 read-tile"))
}

// ============================================================================
// jp2 index (jp2 helper)
// ============================================================================

async fn cmd_jp2_index(args: &Jp2IndexArgs) -> Result<(), Error> {
    let _ = args;
    Err(not_implemented("jp2 index"))
}

// ============================================================================
// refs (refs / jp2 helper)
// ============================================================================

async fn cmd_refs(args: &RefsArgs) -> Result<(), Error> {
    let _ = args;
    Err(not_implemented("refs"))
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
