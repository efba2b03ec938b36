#!/usr/bin/env bash
# Label + features benchmark (issue 15): the whole job's label + features step on N symbols.
#
#   bench/features.sh [SYMBOLS] [REPS]     # default 300 symbols (61,380 signals), 3 repetitions
#
# Builds a store with bars and symbols only, backfills a copy of it (4 strategies) and exports
# those signals with sqlite3 into a signals CSV; then per repetition, on a fresh copy of the
# bars-only store: `import signals` (untimed), the first `label` (timed: every signal is new),
# then `label --full` (timed: everything recomputed, nothing changes). BIN=... overrides the
# binary (to compare two builds alternately). Prints "name wall_s peak_rss_mb cpu_s load1" rows (cpu: user + system).
CHOSEN_BIN=${BIN:-}
source "$(dirname "$0")/lib.sh"
N=${1:-300}; REPS=${2:-3}
BIN=${CHOSEN_BIN:-$BIN}
W=${WORK:-$ROOT/bench/out/features/$N}
mkdir -p "$W"
if [ ! -f "$W/signals.csv" ]; then
    rm -rf "$W/bars"; bash "$ROOT/bench/make-universe.sh" "$N" "$W/bars"
    rm -f "$W/base.sqlite"*
    "$BIN" import bars "$W/bars" --db "$W/base.sqlite" >/dev/null
    "$BIN" import symbols "$ROOT/examples/data/symbols.csv" --db "$W/base.sqlite" >/dev/null
    cp "$W/base.sqlite" "$W/bf.sqlite"
    "$BIN" backfill --db "$W/bf.sqlite" >/dev/null
    sqlite3 -header -csv "$W/bf.sqlite" "SELECT signal_id, symbol, strategy, signal_type, entry_date, entry_price,
        target_price, stop_loss, confidence, created_at FROM signals ORDER BY signal_id" > "$W/signals.csv"
    rm -rf "$W/bars" "$W/bf.sqlite"*
fi
export IMPROVEMENTD_REPORTS_DIR="$W/reports"
run() { # name, args...
    local name=$1; shift
    /usr/bin/time -f "%e %M %U %S" -o "$W/time" "$BIN" "$@" > "$W/$name.out"
    read -r secs kb user sys < "$W/time"
    printf '%s\t%s\t%.0f\t%.2f\t%s\n' "$name" "$secs" "$(echo "$kb / 1024" | bc -l)" "$(echo "$user + $sys" | bc -l)" "$(cut -d' ' -f1 /proc/loadavg)"
}
for ((r = 0; r < REPS; r++)); do
    rm -f "$W/t.sqlite"*; cp "$W/base.sqlite" "$W/t.sqlite"
    "$BIN" import signals "$W/signals.csv" --db "$W/t.sqlite" >/dev/null
    run label-first label --db "$W/t.sqlite"
    run label-full label --full --db "$W/t.sqlite"
done
