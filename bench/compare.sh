#!/usr/bin/env bash
# Side by side with scikit-learn / xgboost (issue 6, parts 1-3).
#
#   bench/compare.sh [REPS] [SYMBOLS]
#
# REPS (default 3) alternating repetitions of each side; SYMBOLS (default 0) = the bundled real
# bars (10 NSE stocks + ^NSEI), or N > 0 = bench/make-universe.sh N (copies under new names).
# Builds one store (import bars, import symbols, backfill), exports outcomes and features, then
# per repetition runs the project side (`improvementd train --json`) and the reference side
# (bench/reference.py on the exports), alternating which goes first, each under
# /usr/bin/time (wall, peak RSS), then SEEDS (default 5) untimed runs with other seeds on each
# side, and prints the tables (bench/summarize.py).
source "$(dirname "$0")/lib.sh"
REPS=${1:-3}
SYMBOLS=${2:-0}
OUT="$ROOT/bench/out/compare-$SYMBOLS"
rm -rf "$OUT"; mkdir -p "$OUT"
ensure_venv
ensure_build
if [ "$SYMBOLS" -gt 0 ]; then
    bash "$ROOT/bench/make-universe.sh" "$SYMBOLS" "$OUT/bars"
    BARS="$OUT/bars"
else
    BARS="$ROOT/examples/data/ohlcv"
fi
DB="$OUT/store.sqlite"
make_store "$DB" "$BARS"
"$BIN" export outcomes "$OUT/outcomes.csv" --db "$DB" >&2
"$BIN" export features "$OUT/features.csv" --db "$DB" >&2
export IMPROVEMENTD_REPORTS_DIR="$OUT/reports"
# One thread per model on the reference side, as the project fits each model on one thread.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

project() { echo "rep $1: project (improvementd train --json)" >&2
    timed "$OUT/project-$1" "$BIN" train --json --db "$DB"; }
reference() { echo "rep $1: reference (bench/reference.py)" >&2
    timed "$OUT/reference-$1" "$PY" "$ROOT/bench/reference.py" "$OUT/outcomes.csv" "$OUT/features.csv"; }
for ((r = 1; r <= REPS; r++)); do
    if ((r % 2)); then project "$r"; reference "$r"; else reference "$r"; project "$r"; fi
done
# Seed spread (untimed): the AUCs with SEEDS other seeds on each side (project: training.seed via
# the environment, --no-tune; reference: random_state), to tell AUC differences from seed noise.
for ((s = 1; s <= ${SEEDS:-5}; s++)); do
    echo "seed $s" >&2
    IMPROVEMENTD_TRAINING_SEED=$s "$BIN" train --json --no-tune --db "$DB" > "$OUT/project-seed-$s.out"
    "$PY" "$ROOT/bench/reference.py" "$OUT/outcomes.csv" "$OUT/features.csv" --seed "$s" > "$OUT/reference-seed-$s.out"
done
"$PY" "$ROOT/bench/summarize.py" compare "$OUT" "$REPS" "${SEEDS:-5}" | tee "$OUT/table.md"
