#!/usr/bin/env bash
# Run fuzz targets one after the other, each for SECONDS (default 180) on one core,
# over fuzz/corpus/<target> (written) and fuzz/seeds/<target> (run fuzz/seed.sh first).
# Crashes go to fuzz/artifacts/<target>/, logs to fuzz/logs/<target>.log.
# Usage: fuzz/run.sh [target...]   (no target: all of them)
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
secs="${SECONDS_PER_TARGET:-180}"
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=($(cargo fuzz list))
mkdir -p logs
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "seeds/$t" "artifacts/$t"
  case "$t" in
    jp2_open|jp2_tile_decode|j2k_main_header) maxlen=524288 ;;
    kerchunk_refs|zarr_v2_metadata|zarr_v3_metadata) maxlen=262144 ;;
    *) maxlen=70000 ;;
  esac
  RUSTC_BOOTSTRAP=1 nice cargo fuzz run "$t" "corpus/$t" "seeds/$t" -- \
    -max_total_time="$secs" -max_len="$maxlen" -timeout=20 -rss_limit_mb=2048 \
    -artifact_prefix="artifacts/$t/" -print_final_stats=1 > "logs/$t.log" 2>&1
  echo "$t exit $? $(grep -E '^Done|stat::number_of_executed_units' "logs/$t.log" | tr '\n' ' ')"
done
