#!/usr/bin/env bash
# Label + features at scale (issue 15): `backfill` (4 strategies, label, features: the
# label+features row of bench/scale.sh) and `label --full` on SYMBOLS copies of the bundled
# stocks (~206 signals a symbol), each on a fresh copy of a bars + symbols store.
#
#   bench/features-scale.sh SYMBOLS...        # e.g. 486 971 (~100k and ~200k signals)
#
# BIN=... overrides the binary (to compare two builds alternately). Prints
# "symbols signals step wall_s peak_rss_mb cpu_s load1" rows (cpu: user + system).
CHOSEN_BIN=${BIN:-}
source "$(dirname "$0")/lib.sh"
BIN=${CHOSEN_BIN:-$BIN}
W=${WORK:-$ROOT/bench/out/features-scale}
mkdir -p "$W"
for n in "$@"; do
    if [ ! -f "$W/base$n.sqlite" ]; then
        rm -rf "$W/bars$n"; bash "$ROOT/bench/make-universe.sh" "$n" "$W/bars$n"
        "$BIN" import bars "$W/bars$n" --db "$W/base$n.sqlite" >/dev/null
        "$BIN" import symbols "$ROOT/examples/data/symbols.csv" --db "$W/base$n.sqlite" >/dev/null
        rm -rf "$W/bars$n"
    fi
    rm -f "$W/t.sqlite"*; cp "$W/base$n.sqlite" "$W/t.sqlite"
    for step in backfill "label --full"; do
        # shellcheck disable=SC2086
        /usr/bin/time -f "%e %M %U %S" -o "$W/time" "$BIN" $step --db "$W/t.sqlite" > "$W/out"
        read -r secs kb user sys < "$W/time"
        printf '%s\t%s\t%s\t%s\t%.0f\t%.2f\t%s\n' "$n" "$(sqlite3 "$W/t.sqlite" 'select count(*) from signals')" "$step" "$secs" \
            "$(echo "$kb / 1024" | bc -l)" "$(echo "$user + $sys" | bc -l)" "$(cut -d' ' -f1 /proc/loadavg)"
    done
    rm -f "$W/t.sqlite"*
done
