#!/usr/bin/env bash
# The one benchmark command (issue 6):
#
#   bash bench/run.sh [REPS] [SCALE_SIZES...]
#
# creates bench/.venv (scikit-learn, xgboost, pandas, numpy from PyPI) if needed, builds the
# release binary, runs the side-by-side comparison with scikit-learn on the bundled real bars
# (REPS alternating repetitions, default 3), then the scale curves (default sizes
# 1000 10000 100000 1000000 signals). Tables go to stdout and bench/out/results.md.
# Environment: COMPARE_SYMBOLS=N also compares on an N-symbol copy set (e.g. 50 = ~10k signals).
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${1:-3}; shift || true
mkdir -p bench/out
{
    echo "# improvementd benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/{print $2}') GiB, $(. /etc/os-release; echo "$PRETTY_NAME"), $(swift --version 2>/dev/null | head -1), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "## Side by side, bundled real bars"
    echo
    bash bench/compare.sh "$REPS" 0
    if [ "${COMPARE_SYMBOLS:-0}" -gt 0 ]; then
        echo
        echo "## Side by side, ${COMPARE_SYMBOLS} symbols (copies of the bundled bars)"
        echo
        bash bench/compare.sh "$REPS" "$COMPARE_SYMBOLS"
    fi
    echo
    echo "## Scale curves"
    echo
    bash bench/scale.sh "$@"
} | tee bench/out/results.md
