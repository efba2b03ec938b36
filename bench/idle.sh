#!/usr/bin/env bash
# Idle daemon benchmark (issue 5): release build; a daemon on the bundled data whose jobs have
# all run for their periods, so it only waits on its timers. Samples RSS every 5 s and CPU time
# over IDLE_SECONDS (default 600).  Usage: bash bench/idle.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product improvementd >/dev/null
BIN=$PWD/.build/release/improvementd
WORK=$(mktemp -d)
trap 'kill -TERM $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
export IMPROVEMENTD_REPORTS_DIR=$WORK/reports IMPROVEMENTD_INBOX_DIR=$WORK/inbox
"$BIN" import bars examples/data/ohlcv --db "$WORK/b.sqlite" >/dev/null
"$BIN" import symbols examples/data/symbols.csv --db "$WORK/b.sqlite" >/dev/null
"$BIN" backfill --db "$WORK/b.sqlite" >/dev/null
IDLE=${IDLE_SECONDS:-600}
"$BIN" run --db "$WORK/b.sqlite" 2> "$WORK/daemon.log" &
PID=$!
# Catch-up jobs at start-up (daily, weekly with a retrain, monthly), then idle.
for _ in $(seq 1 120); do grep -q "job=monthly.*job finished" "$WORK/daemon.log" && break; sleep 1; done
sleep 5
ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
T0=$(ticks); S0=$(date +%s.%N); MAXRSS=0; FIRST=""
for ((i = 0; i < IDLE; i += 5)); do
    RSS=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")
    [ -z "$FIRST" ] && FIRST=$RSS
    [ "$RSS" -gt "$MAXRSS" ] && MAXRSS=$RSS
    sleep 5
done
T1=$(ticks); S1=$(date +%s.%N)
ANON=$(awk '/RssAnon/ {print $2}' "/proc/$PID/status"); FILE=$(awk '/RssFile/ {print $2}' "/proc/$PID/status")
HZ=$(getconf CLK_TCK)
printf '| idle daemon after its start-up jobs (one retrain), over %s s | CPU %.3f %% of one core | RSS %.1f MB max (%.1f MB private anonymous + %.1f MB shared library/file pages) |\n' "$IDLE" \
    "$(echo "($T1 - $T0) / $HZ / ($S1 - $S0) * 100" | bc -l)" "$(echo "$MAXRSS / 1024" | bc -l)" "$(echo "$ANON / 1024" | bc -l)" "$(echo "$FILE / 1024" | bc -l)"
