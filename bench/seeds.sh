#!/usr/bin/env bash
# Seed dependence of the daemon's live answer: the same replay (default configuration) with
# `training.seed` set to each of SEEDS, on SET over YEARS; prints each run's live AUC, Brier
# skill and the production aggregate's weights, and keeps the summaries under
# bench/results/seeds/. Usage: [BIN=binary] bash bench/seeds.sh [SET] [YEARS] [SEEDS]
#   e.g. bash bench/seeds.sh real72 5 "1 2 3"   (seed 42, the default, is bench/replay.sh's run)
set -euo pipefail
cd "$(dirname "$0")/.."
SET=${1:-real72}
YEARS=${2:-5}
SEEDS=${3:-1 2 3}
if [ -z "${BIN:-}" ]; then
    swift build -c release --product improvementd >/dev/null
    BIN=$PWD/.build/release/improvementd
fi
OUT=${OUT:-$PWD/bench/results/seeds}
mkdir -p "$OUT"
for seed in $SEEDS; do
    IMPROVEMENTD_TRAINING_SEED=$seed BIN=$BIN OUT=$OUT/seed-$seed bash bench/replay.sh "$SET" "$YEARS" | tail -1
    grep -m1 -A3 "^Daemon" "$OUT/seed-$seed/$SET-${YEARS}y-summary.txt" | sed "s/^/seed $seed: /"
done
