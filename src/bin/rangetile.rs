//! The `rangetile` command-line tool: inspect stores and JP2 files, read arrays and
//! tiles, write tile indexes and virtual-Zarr references.

fn main() {
    eprintln!("rangetile: no subcommands yet");
    std::process::exit(2);
}
