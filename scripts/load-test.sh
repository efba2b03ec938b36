#!/usr/bin/env bash
# A longer run of the trading-system load test (docs/TESTING.md, "Load from the trading
# system"): a full retrain WITH tuning while a second connection inserts signals straight into
# `signals` and a third reads the current scores; then the following `--once` must label and
# score every inserted signal. RATE sets the rows/s (default 500).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
IMPROVEMENTD_LOAD_TUNE=1 IMPROVEMENTD_LOAD_RATE="${RATE:-500}" \
    swift test --skip-build --filter LoadTests 2>&1 | tee "${LOG:-/tmp/improvementd-load-test.log}" | grep -E '^load|✘|passed|failed'
