#!/usr/bin/env bash
# The README's test command (CI runs exactly this): system packages, a Python venv with xgboost
# for the export test, the build, the systemd unit checks, the whole test suite, then the
# systemd sandbox test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

# The exported XGBoost model must load in Python's xgboost with the same probabilities, and the
# metrics textfile must parse with prometheus_client's parser; those tests need an interpreter
# with both (set IMPROVEMENTD_PYTHON yourself to skip this step).
if [ -z "${IMPROVEMENTD_PYTHON:-}" ]; then
    VENV=.build/python-venv
    if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import xgboost, prometheus_client" 2>/dev/null; then
        python3 -m venv "$VENV" && "$VENV/bin/pip" install --quiet xgboost-cpu numpy prometheus_client \
            || echo "test.sh: WARNING: could not install xgboost and prometheus_client for Python; the export and metrics-textfile tests will be skipped"
    fi
    if "$VENV/bin/python" -c "import xgboost" 2>/dev/null; then export IMPROVEMENTD_PYTHON=$PWD/$VENV/bin/python; fi
fi

swift build --build-tests
bash .ci/check-systemd.sh "$PWD/.build/debug/improvementd"
swift test "$@"
# A real systemd (../shared/tools/systemd-sandbox.sh) runs the hardened unit: notify, watchdog,
# journal fields, graceful stop, and the real daemon; skips with a message where it cannot run.
bash .ci/sandbox-journal-test.sh
