#!/usr/bin/env bash
# The README's main command: system packages, a release build, then a real improvement cycle on
# the bundled NSE data in an embedded SQLite store (var/demo.sqlite): import the bars and symbols,
# backfill the built-in strategies when the store has no signals, and run `improvementd --once`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release --product improvementd
BIN=.build/release/improvementd
DB=${DB:-var/demo.sqlite}
export IMPROVEMENTD_REPORTS_DIR=${IMPROVEMENTD_REPORTS_DIR:-var/reports}
export IMPROVEMENTD_INBOX_DIR=${IMPROVEMENTD_INBOX_DIR:-var/inbox}
mkdir -p "$(dirname "$DB")"
echo "== import the bundled real bars and symbols"
$BIN import bars examples/data/ohlcv --db "$DB"
$BIN import symbols examples/data/symbols.csv --db "$DB"
if [ "$($BIN status --tables --json --db "$DB" | python3 -c 'import json,sys; print(json.load(sys.stdin)["rows"]["signals"])')" = "0" ]; then
    echo "== no signals yet: backfill the built-in strategies over the bars"
    $BIN backfill --db "$DB"
fi
echo "== one improvement cycle (improvementd --once)"
$BIN --once --config config/improvementd.yaml --db "$DB"
echo "== the store now"
$BIN status --db "$DB"
$BIN models list --db "$DB"
