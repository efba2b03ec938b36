#!/usr/bin/env bash
# The whole job side by side with a pandas reference (issue 15, deliverable 1).
#
#   bench/job.sh [REPS] [SYMBOLS]
#
# REPS (default 3) alternating repetitions; SYMBOLS (default 0) = the bundled real bars (10 NSE
# stocks + ^NSEI), N > 0 = bench/make-universe.sh N (copies under new names, each copy with
# the sector of the stock it copies), or `real` = ../shared/data (72 distinct real stocks), if
# that folder exists beside the repository. The same three inputs feed both sides: the bars folder,
# a symbols CSV and a signals CSV, made once before timing from a backfill of the built-in
# strategies in a scratch store (rows exported with sqlite3 in the `import signals` format).
#
# Project side, each command under /usr/bin/time (wall, peak RSS), in a fresh store:
#   import bars DIR, import symbols FILE, import signals FILE, label, train (default configuration)
# Reference side, one process under /usr/bin/time: bench/reference_job.py (read, label, features,
# split, the seven fits of bench/reference.py; it times each step itself).
# Then, untimed, the project's exports of the last repetition against the reference's labels
# and features (reference_job.py --check), and the table (bench/job_table.py).
source "$(dirname "$0")/lib.sh"
REPS=${1:-3}
SYMBOLS=${2:-0}
OUT="$ROOT/bench/out/job-$SYMBOLS"
rm -rf "$OUT"; mkdir -p "$OUT"
ensure_venv
[ -n "${SKIP_BUILD:-}" ] || ensure_build
SRC="$ROOT/examples/data"
REAL="$ROOT/../shared/data"
if [ "$SYMBOLS" = real ]; then
    # The developer set beside the worktree: 72 distinct real NSE stocks + ^NSEI, with industries.
    [ -d "$REAL/ohlcv" ] || { echo "no $REAL/ohlcv" >&2; exit 2; }
    BARS="$REAL/ohlcv"
    SYMS="$REAL/symbols.csv"
elif [ "$SYMBOLS" -gt 0 ]; then
    bash "$ROOT/bench/make-universe.sh" "$SYMBOLS" "$OUT/bars"
    BARS="$OUT/bars"
    # SYMnnnn copies the nnnn-th stock of the sorted bundled files (bench/make-universe.sh).
    SYMS="$OUT/symbols.csv"
    "$PY" - "$SRC" "$SYMBOLS" "$SYMS" <<'EOF'
import csv, os, sys
src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
stocks = sorted(f[:-4] for f in os.listdir(f"{src}/ohlcv") if not f.startswith("^"))
info = {r["symbol"]: r for r in csv.DictReader(open(f"{src}/symbols.csv"))}
with open(out, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["symbol", "company_name", "industry"])
    for i in range(n):
        r = info[stocks[i % len(stocks)]]
        w.writerow([f"SYM{i:04d}", r["company_name"], r["industry"]])
EOF
else
    BARS="$SRC/ohlcv"
    SYMS="$SRC/symbols.csv"
fi

# The signals CSV, once: a backfill of the built-in strategies in a scratch store.
SCRATCH="$OUT/scratch.sqlite"
"$BIN" import bars "$BARS" --db "$SCRATCH" >&2
"$BIN" import symbols "$SYMS" --db "$SCRATCH" >&2
"$BIN" backfill --db "$SCRATCH" >&2
SIGS="$OUT/signals.csv"
sqlite3 -header -csv "$SCRATCH" "SELECT signal_id, symbol, strategy, signal_type, entry_date, entry_price,
    target_price, stop_loss, confidence, created_at FROM signals ORDER BY signal_id" > "$SIGS"
rm -f "$SCRATCH" "$SCRATCH-wal" "$SCRATCH-shm"
echo "signals: $(($(wc -l < "$SIGS") - 1)) rows in $SIGS" >&2

export IMPROVEMENTD_REPORTS_DIR="$OUT/reports"
# One thread per model on the reference side, as the project fits each model on one thread.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

project() {
    local r=$1 db="$OUT/project-$1.sqlite"
    echo "rep $r: project" >&2
    rm -f "$db" "$db-wal" "$db-shm"
    timed "$OUT/project-$r-import-bars" "$BIN" import bars "$BARS" --db "$db"
    timed "$OUT/project-$r-import-symbols" "$BIN" import symbols "$SYMS" --db "$db"
    timed "$OUT/project-$r-import-signals" "$BIN" import signals "$SIGS" --db "$db"
    timed "$OUT/project-$r-label" "$BIN" label --db "$db"
    timed "$OUT/project-$r-train" "$BIN" train --json --db "$db"
}
reference() {
    echo "rep $1: reference (bench/reference_job.py)" >&2
    timed "$OUT/reference-$1" "$PY" "$ROOT/bench/reference_job.py" "$BARS" "$SYMS" "$SIGS"
}
for ((r = 1; r <= REPS; r++)); do
    if ((r % 2)); then project "$r"; reference "$r"; else reference "$r"; project "$r"; fi
    if [ "$r" -lt "$REPS" ]; then rm -f "$OUT/project-$r.sqlite"*; fi
done
LAST="$OUT/project-$REPS.sqlite"
"$BIN" export outcomes "$OUT/project-outcomes.csv" --db "$LAST" >&2
"$BIN" export features "$OUT/project-features.csv" --db "$LAST" >&2
"$PY" "$ROOT/bench/reference_job.py" "$BARS" "$SYMS" "$SIGS" --models "" \
    --check "$OUT/project-outcomes.csv" "$OUT/project-features.csv" > "$OUT/check.out"
"$PY" "$ROOT/bench/job_table.py" "$OUT" "$REPS" | tee "$OUT/table.md"
