#!/usr/bin/env bash
# Pipeline benchmark (issues 3, 4, 5): release build; wall time and peak RSS of
#   - label + features for ~22,000 momentum signals over 300 symbols x 10 years,
#   - `train` (five models + tuning + report) on the bundled data and on that 22k-signal set,
#   - one `--once` cycle on the bundled data,
# (The idle daemon is bench/idle.sh.)
# Usage: bash bench/pipeline.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product improvementd >/dev/null
BIN=$PWD/.build/release/improvementd
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export IMPROVEMENTD_REPORTS_DIR=$WORK/reports IMPROVEMENTD_INBOX_DIR=$WORK/inbox
measure() { # name, args...
    local name=$1; shift
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$BIN" "$@" > "$WORK/out" 2> "$WORK/err" || { cat "$WORK/err"; exit 1; }
    read -r secs kb < "$WORK/time"
    printf '| %s | %s | %.0f |\n' "$name" "$secs" "$(echo "$kb / 1024" | bc -l)"
}
echo "| step | wall s | peak RSS MB |"
echo "|---|---|---|"
# Bundled data.
"$BIN" import bars examples/data/ohlcv --db "$WORK/b.sqlite" >/dev/null
"$BIN" import symbols examples/data/symbols.csv --db "$WORK/b.sqlite" >/dev/null
measure "bundled: backfill 4 strategies + label + features (2,059 signals)" backfill --db "$WORK/b.sqlite"
measure "bundled: label + features again (nothing changes)" label --db "$WORK/b.sqlite"
measure "bundled: train (5 models, walk-forward CV, tuning, report)" train --db "$WORK/b.sqlite"
cp "$WORK/b.sqlite" "$WORK/once.sqlite"; rm -f "$WORK"/once.sqlite-*
sqlite3 "$WORK/once.sqlite" "DELETE FROM promotions; DELETE FROM model_versions; DELETE FROM settings;" 2>/dev/null || true
measure "bundled: --once (daily job + trigger check + retrain)" --once --db "$WORK/once.sqlite"
measure "bundled: predict (nothing new)" predict --db "$WORK/b.sqlite"
# 300 symbols x 10 years, momentum only (~22k signals).
bash bench/make-universe.sh 300 "$WORK/u300"
"$BIN" import bars "$WORK/u300" --db "$WORK/u.sqlite" >/dev/null
measure "300 symbols: backfill momentum + label + features" backfill --strategy momentum --db "$WORK/u.sqlite"
N=$("$BIN" status --tables --json --db "$WORK/u.sqlite" | python3 -c 'import json,sys; print(json.load(sys.stdin)["rows"]["signals"])')
measure "300 symbols: label + features, $N signals, nothing changed (incremental: nothing recomputed)" label --db "$WORK/u.sqlite"
measure "300 symbols: label --full, $N signals (all recomputed, nothing changes)" label --full --db "$WORK/u.sqlite"
measure "300 symbols: train, $N signals (5 models, CV, tuning, report)" train --db "$WORK/u.sqlite"
measure "300 symbols: predict" predict --db "$WORK/u.sqlite"

# The idle daemon: bench/idle.sh.
