#!/usr/bin/env bash
# The one benchmark command (issue 6):
#
#   bash bench/run.sh [REPS] [SCALE_SIZES...]
#
# creates bench/.venv (scikit-learn, xgboost, pandas, numpy from PyPI) if needed, builds the
# release binary, first times the whole job side by side with the pandas reference
# (bench/job.sh: import bars, symbols, signals, label, train against bench/reference_job.py;
# REPS alternating repetitions, default 3) on the bundled real bars and on a 300-symbol copy set
# (JOB_SETS="0 300": 0 = the bundled bars, N = bench/make-universe.sh N, plus `real` = the 72
# real stocks of ../shared/data when that folder exists), then runs the
# side-by-side comparison of the fits with scikit-learn on the bundled real bars, then the scale
# curves (default sizes 1000 10000 100000 1000000 signals). Tables go to stdout and
# bench/out/results.md.
# Environment: JOB_ONLY=1 stops after the whole-job tables; COMPARE_SYMBOLS=N also compares the
# fits on an N-symbol copy set (e.g. 50 = ~10k signals).
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${1:-3}; shift || true
mkdir -p bench/out
{
    echo "# improvementd benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/{print $2}') GiB, $(. /etc/os-release; echo "$PRETTY_NAME"), $(swift --version 2>/dev/null | head -1), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    DEFAULT_SETS="0 300"; [ -d ../shared/data/ohlcv ] && DEFAULT_SETS="0 300 real"
    for set in ${JOB_SETS:-$DEFAULT_SETS}; do
        echo
        if [ "$set" = real ]; then echo "## Whole job, the 72 real stocks of ../shared/data"
        elif [ "$set" -gt 0 ]; then echo "## Whole job, ${set} symbols (copies of the bundled bars)"
        else echo "## Whole job, bundled real bars"; fi
        echo
        echo "Load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
        echo
        bash bench/job.sh "$REPS" "$set"
        echo
        echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
    done
    [ -n "${JOB_ONLY:-}" ] && exit 0
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
