# Shared helpers of the benchmark scripts (sourced).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.build/release/improvementd"
VENV="$ROOT/bench/.venv"
PY="$VENV/bin/python"

# The reference side's virtual environment (scikit-learn, xgboost, pandas, numpy from PyPI).
ensure_venv() {
    if [ ! -x "$PY" ] || ! "$PY" -c 'import sklearn, xgboost, pandas, numpy' 2>/dev/null; then
        echo "creating $VENV (scikit-learn, xgboost, pandas, numpy from PyPI)" >&2
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install -q --upgrade pip >&2
        "$VENV/bin/pip" install -q scikit-learn xgboost pandas numpy >&2
    fi
}

ensure_build() {
    echo "swift build -c release --product improvementd" >&2
    (cd "$ROOT" && swift build -c release --product improvementd >&2)
}

# timed OUT_PREFIX cmd...: runs cmd with stdout to OUT_PREFIX.out, and writes
# "wall_seconds peak_rss_kb" (GNU time) to OUT_PREFIX.time.
timed() {
    local prefix=$1; shift
    /usr/bin/time -f "%e %M" -o "$prefix.time" "$@" > "$prefix.out"
}

# A store at $1 from the bars in $2: import bars, import symbols, backfill (label + features).
make_store() {
    local db=$1 bars=$2
    rm -f "$db" "$db-wal" "$db-shm"
    "$BIN" import bars "$bars" --db "$db" >&2
    "$BIN" import symbols "$ROOT/examples/data/symbols.csv" --db "$db" >&2
    "$BIN" backfill --db "$db" >&2
}
