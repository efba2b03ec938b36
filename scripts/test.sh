#!/usr/bin/env bash
# The README's test command: system packages, then the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build --build-tests
swift test "$@"
