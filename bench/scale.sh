#!/usr/bin/env bash
# Scale curves (issue 6, part 4): wall time and peak RSS of each step for growing signal counts.
#
#   bench/scale.sh [SIZES...]        # default: 1000 10000 100000 1000000 (target signal counts)
#
# Per size: ceil(size / 206) stock copies of the bundled real bars (bench/make-universe.sh;
# ~206 backfilled signals per 10-year symbol), a fresh store, then, each under /usr/bin/time:
#   import          improvementd import bars DIR (+ import symbols, untimed)
#   label+features  improvementd backfill (replay 4 strategies, label, features)
#   train           improvementd train --json (5 models x 4 CV folds + holdout fit, tuning, final)
#   predict         improvementd predict --json, after importing `size` pending signals
#                   (bench/make-pending.py; `import signals` + `label`, untimed) so it scores
#                   `size` signals
# Rows go to bench/out/scale/scale.tsv; the table (bench/summarize.py scale) to stdout.
source "$(dirname "$0")/lib.sh"
SIZES=("$@"); [ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 10000 100000 1000000)
OUT="$ROOT/bench/out/scale"
mkdir -p "$OUT"
ensure_build
export IMPROVEMENTD_REPORTS_DIR="$OUT/reports"
for size in "${SIZES[@]}"; do
    syms=$(( (size + 205) / 206 ))
    W="$OUT/$size"; rm -rf "$W"; mkdir -p "$W"
    bash "$ROOT/bench/make-universe.sh" "$syms" "$W/bars"
    DB="$W/store.sqlite"
    step() { # name, args...
        local name=$1; shift
        echo "size $size ($syms symbols): $name" >&2
        timed "$W/$name" "$BIN" "$@" --db "$DB" || { echo "$name failed (see $W/$name.out)" >&2; return 1; }
        read -r secs kb < "$W/$name.time"
        printf '%s\t%s\t%s\t%s\t%s\t%.1f\n' "$syms" "$(signals)" "$(labeled)" "$name" "$secs" "$(echo "$kb / 1024" | bc -l)" >> "$W/rows.tsv"
        cat "$W/$name.out" >&2
    }
    signals() { sqlite3 "$DB" "select count(*) from signals where signal_id not like 'pending-%'" 2>/dev/null || echo 0; }
    labeled() { sqlite3 "$DB" "select count(*) from outcomes where status = 'labeled'" 2>/dev/null || echo 0; }
    step import import bars "$W/bars"
    "$BIN" import symbols "$ROOT/examples/data/symbols.csv" --db "$DB" >/dev/null
    step label+features backfill
    step train train --json
    python3 "$ROOT/bench/make-pending.py" "$W/bars" "$size" "$W/pending.csv"
    "$BIN" import signals "$W/pending.csv" --db "$DB" >&2
    "$BIN" label --db "$DB" >/dev/null
    step predict predict --json
    scored=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("scored", 0))' "$W/predict.out" 2>/dev/null || echo 0)
    printf '%s\t%s\t%s\n' "$syms" "$scored" "$(cut -d' ' -f1 "$W/predict.time")" >> "$OUT/predict.tsv"
    # the signal count column is the backfilled count (pending signals excluded), final for the size
    n=$(signals); awk -F'\t' -v n="$n" 'BEGIN{OFS="\t"} {$2=n; print}' "$W/rows.tsv" >> "$OUT/scale.tsv"
    rm -rf "$W/bars"
done
python3 "$ROOT/bench/summarize.py" scale "$OUT"
