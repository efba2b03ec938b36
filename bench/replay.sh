#!/usr/bin/env bash
# Replay benchmark: wall time and peak RSS of `improvementd replay` over the last 1, 3 and 5 years
# (release build, default configuration) on
#   - bundled:  the 10 bundled NSE stocks (examples/data),
#   - real72:   the 72 distinct real NSE stocks of ../shared/data/ohlcv (not bundled),
#   - copies300: 300 renamed copies of the bundled stocks (bench/make-universe.sh): a size test only,
# each with the four built-in strategies backfilled. Prints a markdown table and keeps each run's
# summary.txt under bench/results/replay/.
# Usage: [BIN=binary] bash bench/replay.sh [SETS] [YEARS]     e.g. bash bench/replay.sh "bundled real72" "1 3"
set -euo pipefail
cd "$(dirname "$0")/.."
SETS=${1:-bundled real72 copies300}
YEARS=${2:-1 3 5}
# BIN=path runs that binary instead of building one (e.g. a copy, while the tree changes).
if [ -z "${BIN:-}" ]; then
    swift build -c release --product improvementd >/dev/null
    BIN=$PWD/.build/release/improvementd
fi
# OUT=dir keeps the summaries elsewhere; KEEP=dir keeps each replay's folder (its scratch store
# answers `models evidence --db KEEP/SET-Y/replay.sqlite` afterwards).
OUT=${OUT:-$PWD/bench/results/replay}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
export IMPROVEMENTD_REPORTS_DIR=$WORK/reports IMPROVEMENTD_INBOX_DIR=$WORK/inbox
source_store() { # set → path of a source store with bars, symbols and backfilled signals
    local set=$1 db=$WORK/$1.sqlite bars
    case $set in
        bundled) bars=examples/data/ohlcv ;;
        real72) bars=../shared/data/ohlcv ;;
        copies300) bash bench/make-universe.sh 300 "$WORK/u300" >/dev/null; bars=$WORK/u300 ;;
        *) echo "unknown set $set" >&2; exit 2 ;;
    esac
    "$BIN" import bars "$bars" --db "$db" >/dev/null
    "$BIN" import symbols examples/data/symbols.csv --db "$db" >/dev/null
    "$BIN" backfill --db "$db" >/dev/null
    echo "$db"
}
echo "| set | years | from | signals scored live | retrains | wall s | peak RSS MB |"
echo "|---|---|---|---|---|---|---|"
for set in $SETS; do
    src=$(source_store "$set")
    last=$(sqlite3 "$src" "SELECT MAX(date) FROM price_bars WHERE symbol = '^NSEI'")
    for y in $YEARS; do
        from=$(date -d "$last - $y years + 1 day" +%F)
        dir=$WORK/$set-$y
        /usr/bin/time -f "%e %M" -o "$WORK/time" "$BIN" replay --from "$from" --out "$dir" --db "$src" --json > "$WORK/out" 2> "$WORK/err" \
            || { cat "$WORK/err"; exit 1; }
        read -r secs kb < "$WORK/time"
        live=$(($(wc -l < "$dir/predictions.csv") - 1))
        retrains=$(sqlite3 "$dir/replay.sqlite" "SELECT COUNT(*) FROM decisions WHERE action = 'retrain'")
        cp "$dir/summary.txt" "$OUT/$set-${y}y-summary.txt"
        if [ -n "${KEEP:-}" ]; then
            mkdir -p "$KEEP" && rm -rf "${KEEP:?}/$set-$y" && cp -r "$dir" "$KEEP/$set-$y"
            "$BIN" models evidence --db "$dir/replay.sqlite" --before "$(date -d "$last + 1 day" +%F)" > "$OUT/$set-${y}y-evidence.txt" || true
        fi
        printf '| %s | %s | %s | %s | %s | %s | %.0f |\n' "$set" "$y" "$from" "$live" "$retrains" "$secs" "$(echo "$kb / 1024" | bc -l)"
    done
done
