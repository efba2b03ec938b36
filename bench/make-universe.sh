#!/usr/bin/env bash
# Makes a larger bar set by copying the bundled real files under new symbol names:
#   bench/make-universe.sh N OUT_DIR   → N stock files (SYM0000.csv ...) plus ^NSEI.csv
# Each copy is a real 10-year (RVNL: 7-year) NSE history; only the name changes.
set -euo pipefail
N=${1:?number of symbols}
OUT=${2:?output folder}
SRC="$(cd "$(dirname "$0")/.." && pwd)/examples/data/ohlcv"
mkdir -p "$OUT"
mapfile -t STOCKS < <(ls "$SRC" | grep -v '^\^' | sort)
for ((i = 0; i < N; i++)); do
    cp "$SRC/${STOCKS[$((i % ${#STOCKS[@]}))]}" "$OUT/$(printf 'SYM%04d' "$i").csv"
done
cp "$SRC/^NSEI.csv" "$OUT/"
