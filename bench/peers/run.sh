#!/usr/bin/env bash
# Compares ml-connector's X12 tokenizer with the npm peers on the same generated file, in one run:
#   node-x12 1.7.1 as a stream (non-strict: `new X12Parser(false)`; strict streaming crashes on
#   the second chunk in 1.7.1, see RECIPES.md) and x12-parser 1.3.0 as a stream, both reading the
#   file; ours = bench/edi_tokenize_bench (streams the file through edi::Reader in 64 KiB reads).
# Prints MB/s (10^6 bytes per wall second, process start included), peak RSS and the ratios.
# Then measures our speed and peak RSS on a 1 GB file, tokenizing and validating, three runs each
# (skip with SKIP_1GB=1).
#   bench/peers/run.sh [MB=50]
# Needs node + npm (packages go to a temporary folder) and a Release build (made in $BUILD).
set -euo pipefail
cd "$(dirname "$0")/../.."
mb="${1:-50}"
build="${BUILD:-build/bench-release}"
tmp="$(mktemp -d /tmp/mlc-edi-peers.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMLC_WERROR=OFF >/dev/null
ninja -C "$build" -j2 edi_tokenize_bench >/dev/null
tool="$build/bench/edi_tokenize_bench"

file="$tmp/synthetic-810-${mb}MB.x12"
"$tool" generate "$file" "$mb" >/dev/null
bytes=$(stat -c %s "$file")

(cd "$tmp" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent \
    node-x12@1.7.1 x12-parser@1.3.0 >/dev/null)
cat > "$tmp/nodex12.js" <<'JS'
const fs = require('fs');
const { X12Parser } = require('node-x12');
const parser = new X12Parser(false);
let n = 0;
fs.createReadStream(process.argv[2]).pipe(parser)
  .on('data', () => { n++; })
  .on('end', () => console.log(`segments=${n}`));
JS
cat > "$tmp/x12parser.js" <<'JS'
const fs = require('fs');
const { X12parser } = require('x12-parser');
let n = 0;
fs.createReadStream(process.argv[2]).pipe(new X12parser())
  .on('data', () => { n++; })
  .on('end', () => console.log(`segments=${n}`));
JS

# run NAME CMD...: prints one table row and records the rate.
declare -A rate
run() {
  local name="$1"; shift
  local out start end
  # Wall time from the clock in nanoseconds (time's %e has 10 ms steps: too coarse for ours);
  # peak RSS from time's %M.
  start=$(date +%s.%N)
  out=$( { /usr/bin/time -f 'TIME %e %M' "$@" >"$tmp/$name.out"; } 2>&1 | grep '^TIME' )
  end=$(date +%s.%N)
  local secs kb
  read -r _ _ kb <<<"$out"
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
  rate[$name]=$(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.1f", b / 1e6 / s }')
  printf '%-28s %8s s %10s MB/s %8d MB peak RSS   %s\n' "$name" "$secs" "${rate[$name]}" \
    $((kb / 1024)) "$(head -c 120 "$tmp/$name.out" | tr '\n' ' ')"
}

echo "file: $file ($bytes bytes, $(nproc) cores; best single run, wall clock incl. start-up)"
run ml-connector "$tool" tokenize "$file"
run node-x12-stream node "$tmp/nodex12.js" "$file"
run x12-parser-stream node "$tmp/x12parser.js" "$file"
for peer in node-x12-stream x12-parser-stream; do
  awk -v a="${rate[ml-connector]}" -v b="${rate[$peer]}" -v p="$peer" \
    'BEGIN { printf "ratio ml-connector / %s = %.0fx\n", p, a / b }'
done

if [[ "${SKIP_1GB:-0}" != 1 ]]; then
  rm -f "$file"
  big="$tmp/synthetic-810-1000MB.x12"
  "$tool" generate "$big" 1000 >/dev/null
  echo "1 GB file: $(stat -c %s "$big") bytes"
  # Three runs each (this machine is shared: take the best); validate keeps only the sets with
  # problems.
  for mode in tokenize validate; do
    for run in 1 2 3; do
      /usr/bin/time -v "$tool" "$mode" "$big" 2>"$tmp/time-v.txt"
      grep -E 'Maximum resident set size' "$tmp/time-v.txt"
    done
  done
fi
