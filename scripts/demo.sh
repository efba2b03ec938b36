#!/usr/bin/env bash
# The README's main command: system packages, a release build, then a real improvement cycle on
# the bundled NSE data in an embedded SQLite store (var/demo.sqlite).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release --product improvementd
BIN=.build/release/improvementd
DB=${DB:-var/demo.sqlite}
mkdir -p var
$BIN import bars examples/data/ohlcv --db "$DB"
$BIN import symbols examples/data/symbols.csv --db "$DB"
$BIN status --db "$DB"
