#!/usr/bin/env bash
# Generate the map demos' data into www/data/ (git-ignored), once:
#   www/data/era5_t2m.zarr   ERA5-like 2 m temperature, multiscale sharded Zarr v3 (era5.py)
#   www/data/s2_b04_20m.jp2  Sentinel-2-like band, tiled JP2 with TLM/PLT, GMLJP2 (sentinel2.py)
# Each output is regenerated only when missing or when its generator changed (a stamp file
# holds the generator's sha256); --force regenerates both.
# Tools: zarr-python 3, numcodecs, numpy, scipy (pinned, in a venv under .cache/demo-venv)
# and OpenJPEG's opj_compress (apt package libopenjp2-tools), installed when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=scripts/demo-data
out=www/data
force=0
[ "${1:-}" = --force ] && force=1
mkdir -p "$out"

venv=.cache/demo-venv
py=$venv/bin/python
ensure_python() {
  if ! "$py" -c 'import zarr, numcodecs, numpy, scipy' 2>/dev/null; then
    echo "demo-data: installing zarr, numcodecs, numpy, scipy into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q 'zarr==3.1.3' 'numcodecs==0.16.3' 'numpy==2.3.4' 'scipy==1.16.2'
  fi
}
ensure_opj() {
  if ! command -v opj_compress >/dev/null; then
    echo "demo-data: installing opj_compress (libopenjp2-tools)"
    if [ "$(id -u)" = 0 ]; then apt-get install -y -q libopenjp2-tools; else sudo apt-get install -y -q libopenjp2-tools; fi
  fi
}
# up_to_date NAME FILES...: the stamp matches the generators' hash.
stamp_of() { cat "$@" | sha256sum | cut -d' ' -f1; }
up_to_date() {
  local name=$1; shift
  [ "$force" = 0 ] && [ -e "$out/$name" ] && [ -f "$out/.$name.stamp" ] &&
    [ "$(cat "$out/.$name.stamp")" = "$(stamp_of "$@")" ]
}

if up_to_date era5_t2m.zarr "$here/era5.py"; then
  echo "demo-data: era5_t2m.zarr up to date"
else
  ensure_python
  tmp=$(mktemp -d "$out/.era5.XXXXXX")
  "$py" "$here/era5.py" "$tmp"
  rm -rf "$out/era5_t2m.zarr" && mv "$tmp/era5_t2m.zarr" "$out/" && rmdir "$tmp"
  stamp_of "$here/era5.py" > "$out/.era5_t2m.zarr.stamp"
  echo "demo-data: wrote $out/era5_t2m.zarr"
fi

if up_to_date s2_b04_20m.jp2 "$here/sentinel2.py" "$0"; then
  echo "demo-data: s2_b04_20m.jp2 up to date"
else
  ensure_python
  ensure_opj
  tmp=$(mktemp -d "$out/.s2.XXXXXX")
  "$py" "$here/sentinel2.py" pgm "$tmp"
  # 1024^2 tiles, 5 resolutions, resolution-major progression (a zoomed-out view reads a
  # prefix of each tile's packets), TLM in the main header, PLT in the tile-parts.
  opj_compress -i "$tmp/s2_b04_20m.pgm" -o "$tmp/s2_b04_20m.jp2" -t 1024,1024 -n 5 -r 12 -p RPCL -TLM -PLT >/dev/null
  "$py" "$here/sentinel2.py" georef "$tmp/s2_b04_20m.jp2"
  mv "$tmp/s2_b04_20m.jp2" "$out/" && rm -rf "$tmp"
  stamp_of "$here/sentinel2.py" "$0" > "$out/.s2_b04_20m.jp2.stamp"
  echo "demo-data: wrote $out/s2_b04_20m.jp2"
fi
