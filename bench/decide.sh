#!/usr/bin/env bash
# The options table of issue 11 (bench/README.md, "Choosing the defaults by replay"): one replay per
# option over the last YEARS years of the 72 real NSE stocks of ../shared/data/ohlcv (the four
# built-in strategies backfilled), each option a set of configuration overrides by environment;
# then bench/decide.py prints pooled live AUC (and its paired difference against the first option),
# Brier skill, top-30 % success, retrains, promotions and training seconds.
# Usage: [COMMON=VAR=VALUE,...] bash bench/decide.sh YEARS NAME:VAR=VALUE[,VAR=VALUE...] ...
# COMMON overrides apply to every option (e.g. the triggers of a monthly-only schedule). With no
# option it only builds and makes the source store (so parallel invocations can share it).
#   e.g. bash bench/decide.sh 3 default: pooled:IMPROVEMENTD_TRAINING_SELECTION=pooled_oof
# Runs are kept under bench/out/decide/NAME-YEARSy (summary, predictions, decisions, reports).
set -euo pipefail
cd "$(dirname "$0")/.."
YEARS=$1; shift
BARS=${BARS:-../shared/data/ohlcv}
[ -d "$BARS" ] || { echo "decide.sh: $BARS not found (the 72 real stocks)" >&2; exit 2; }
swift build -c release --product improvementd >/dev/null
BIN=$PWD/.build/release/improvementd
OUT=$PWD/bench/out/decide
mkdir -p "$OUT"
SRC=$OUT/source-real72.sqlite
if [ ! -f "$SRC" ]; then
    "$BIN" import bars "$BARS" --db "$SRC.tmp" >/dev/null
    "$BIN" import symbols examples/data/symbols.csv --db "$SRC.tmp" >/dev/null
    "$BIN" backfill --db "$SRC.tmp" >/dev/null
    mv "$SRC.tmp" "$SRC"
fi
last=$(sqlite3 "$SRC" "SELECT MAX(date) FROM price_bars WHERE symbol = '^NSEI'")
from=$(date -d "$last - $YEARS years + 1 day" +%F)
[ $# -gt 0 ] || exit 0
args=()
for option in "$@"; do
    name=${option%%:*}; overrides=${option#*:}
    dir=$OUT/$name-${YEARS}y
    rm -rf "$dir"; mkdir -p "$dir/reports"
    env_args=(IMPROVEMENTD_REPORTS_DIR="$dir/reports" IMPROVEMENTD_INBOX_DIR="$dir/inbox")
    IFS=',' read -ra pairs <<< "${COMMON:-}${COMMON:+,}$overrides"
    for p in "${pairs[@]}"; do [ -n "$p" ] && env_args+=("$p"); done
    echo "== $name (${overrides:-defaults}) from $from" >&2
    env "${env_args[@]}" /usr/bin/time -f "%e %M" -o "$dir/time" \
        "$BIN" replay --from "$from" --out "$dir" --db "$SRC" --json > "$dir/replay.json" 2> "$dir/stderr" \
        || { tail -5 "$dir/stderr" >&2; exit 1; }
    read -r secs kb < "$dir/time"
    echo "   wall ${secs} s, peak RSS $((kb / 1024)) MB" >&2
    args+=("$name=$dir")
done
python3 bench/decide.py "${args[@]}"
