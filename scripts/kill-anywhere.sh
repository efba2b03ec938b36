#!/bin/sh
# kill -9 at N seeded random moments of real improvementd runs (Tests/UseCasesTests/KillAnywhereTests.swift):
# imports, label, train, predict, --once, replay, backup, each checked after the kill.
# Usage: scripts/kill-anywhere.sh [N] [SEED]   (default 500 kills, a random seed, printed)
# The predict and --once follow-ups run after every kill (KILL_ANYWHERE_FOLLOW_EVERY=n: every n-th).
set -eu
cd "$(dirname "$0")/.."
N="${1:-500}"
SEED="${2:-}"
swift build --build-tests
KILL_ANYWHERE_COUNT="$N" KILL_ANYWHERE_SEED="$SEED" KILL_ANYWHERE_FOLLOW_EVERY="${KILL_ANYWHERE_FOLLOW_EVERY:-1}" \
  swift test --skip-build --filter KillAnywhereTests
