#!/usr/bin/env bash
# Boots a real systemd (../shared/tools/systemd-sandbox.sh) and runs the HARDENED
# systemd/improvementd.service with the DaemonTests binary as its ExecStart (the
# "Sandbox service" test acts as the daemon), then checks from outside:
#   * Type=notify: the unit becomes active only after READY=1; STATUS text is shown;
#   * WATCHDOG=1 pings keep it alive (WatchdogSec=2 in the test copy);
#   * the journal round trip: `journalctl -u improvementd DECISION=retrain -o json` finds the
#     record with MESSAGE_ID, SYSLOG_IDENTIFIER, TRIGGER (twice: accuracy and schedule, so
#     `TRIGGER=schedule` matches), MODEL_VERSION, PRIORITY, via the
#     native protocol (_TRANSPORT=journal), under DynamicUser;
#   * the instance lock in the StateDirectory refuses a second instance with the pid;
#   * `systemctl stop` (SIGTERM) is a graceful shutdown: quick, Result=success;
#   * JournalRoundTripTests (sd_journal_sendv + journalctl query) pass inside the sandbox.
# Skips (exit 0) with a message when the tools are absent, not root, or unshare fails.
# Usage: .ci/sandbox-journal-test.sh   (after `swift build --build-tests`)
set -uo pipefail
cd "$(dirname "$0")/.."

skip() { echo "sandbox-journal-test: SKIPPED: $*"; exit 0; }
fail() { echo "sandbox-journal-test: FAIL: $*" >&2; FAILED=1; }

TOOL=${SDBOX_TOOL:-$(cd .. && pwd)/shared/tools/systemd-sandbox.sh}
[ -x "$TOOL" ] || skip "systemd-sandbox.sh not found (../shared/tools)"
[ "$(id -u)" = 0 ] || skip "needs root"
command -v unshare >/dev/null || skip "unshare not installed"
unshare --mount --pid --fork true 2>/dev/null || skip "unshare fails here (no namespaces)"
BIN=$(ls .build/debug/improvementdPackageTests.xctest 2>/dev/null) || skip "build the tests first"
# The tool uses one fixed cgroup (<cgroup2>/sdbox): never disturb a sandbox someone else runs.
for cg in /sys/fs/cgroup/sdbox /sys/fs/cgroup/unified/sdbox; do
    if [ -d "$cg" ] && find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null | grep -q .; then
        skip "another systemd sandbox is running ($cg has processes)"
    fi
done

export SDBOX_DIR=${SDBOX_DIR:-/tmp/sdbox-improvementd-ci}
WORK=$(mktemp -d)
FAILED=0
cleanup() { "$TOOL" down >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT

"$TOOL" up || skip "the sandbox did not boot"
in_box() { "$TOOL" sh "$@"; }

RUN=ci$(date +%s)$$
sed -e "s#^ExecStart=.*#ExecStart=/usr/local/bin/improvementd --testing-library swift-testing --filter actAsService#" \
    -e "s#^WatchdogSec=120#WatchdogSec=2#" \
    -e "s#^Environment=OMP_WAIT_POLICY=passive#Environment=OMP_WAIT_POLICY=passive IMPROVEMENTD_SANDBOX_SERVICE=1 SANDBOX_SERVICE_SECONDS=600 TEST_RUN=$RUN#" \
    systemd/improvementd.service > "$WORK/improvementd.service"
"$TOOL" install "$WORK/improvementd.service" "$BIN:/usr/local/bin/improvementd" >/dev/null || fail "install"

in_box systemctl start improvementd.service || fail "systemctl start (READY=1 never came?)"
show() { in_box systemctl show -p "$1" --value improvementd.service; }
[ "$(show ActiveState)" = active ] || fail "not active after start: $(show ActiveState)/$(show SubState)"
status=$(show StatusText)
echo "sandbox-journal-test: STATUS=$status"
case "$status" in *"next: daily at "*) ;; *) fail "STATUS text missing: '$status'";; esac
# WatchdogSec=2 in this copy: the service pings every second; without pings systemd would
# kill it after 2 s. Still running, not restarted, after 5 s:
[ "$(show WatchdogUSec)" = 2s ] || fail "WatchdogUSec=$(show WatchdogUSec)"
pid0=$(show MainPID)
sleep 5
[ "$(show ActiveState)" = active ] && [ "$(show MainPID)" = "$pid0" ] && [ "$(show NRestarts)" = 0 ] \
    || fail "watchdog: state $(show ActiveState), pid $pid0 -> $(show MainPID), restarts $(show NRestarts)"

# Journal round trip of the decision record.
json=""
for _ in $(seq 1 50); do
    json=$(in_box journalctl -u improvementd.service "TEST_RUN=$RUN" DECISION=retrain TRIGGER=schedule -o json --no-pager)
    [ -n "$json" ] && break
    sleep 0.1
done
echo "$json" > "$WORK/decision.json"
python3 - "$WORK/decision.json" <<'PY' || fail "decision record fields"
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
assert len(lines) == 1, f"expected 1 decision record, got {len(lines)}"
d = json.loads(lines[0])
want = {"MESSAGE_ID": "dca8abe327b94ea387a370e98260a4bd", "SYSLOG_IDENTIFIER": "improvementd",
        "DECISION": "retrain", "TRIGGER": ["accuracy", "schedule"], "MODEL_VERSION": "7", "PRIORITY": "5",
        "EVENT": "decision", "_TRANSPORT": "journal", "_SYSTEMD_UNIT": "improvementd.service"}
bad = {k: (d.get(k), v) for k, v in want.items() if d.get(k) != v}
assert not bad, f"wrong fields (got, want): {bad}"
assert d.get("_UID") not in (None, "0"), "DynamicUser: should not run as root"
print("sandbox-journal-test: decision record OK:", {k: d[k] for k in want})
PY
lockmsg=$(in_box journalctl -u improvementd.service MESSAGE_ID=5d301dd20634447db435881128dfa1c1 -o cat --output-fields=REASON --no-pager)
case "$lockmsg" in *"another improvementd (pid "*") holds /var/lib/improvementd/improvementd.sqlite"*) ;;
    *) fail "instance lock message: '$lockmsg'";; esac

# Graceful stop on SIGTERM.
t0=$(date +%s)
in_box systemctl stop improvementd.service || fail "systemctl stop"
t1=$(date +%s)
[ $((t1 - t0)) -le 10 ] || fail "stop took $((t1 - t0))s"
[ "$(show Result)" = success ] || fail "Result=$(show Result) after stop"
in_box journalctl -u improvementd.service -o cat --no-pager | grep -q "scheduler stopped" || fail "no 'scheduler stopped' record"

# The Swift round-trip test, inside the sandbox where journald listens.
in_box /usr/local/bin/improvementd --testing-library swift-testing --filter JournalRoundTripTests > "$WORK/rt.log" 2>&1 \
    || { cat "$WORK/rt.log" >&2; fail "JournalRoundTripTests"; }
grep -q "skipped" "$WORK/rt.log" && fail "JournalRoundTripTests was skipped inside the sandbox"

# The real daemon under the shipped, hardened unit and its shipped configuration: it becomes
# ready, runs the jobs missed at start-up on its (empty) store in the StateDirectory, logs each
# decision to the journal with structured fields, and stops gracefully.
REAL=$(readlink -f .build/debug/improvementd 2>/dev/null)
if [ -x "$REAL" ]; then
    "$TOOL" install systemd/improvementd.service "$REAL:/usr/local/bin/improvementd" \
        "systemd/improvementd.yaml:/etc/improvementd/improvementd.yaml" >/dev/null || fail "install the real daemon"
    in_box systemctl start improvementd.service || fail "real daemon: systemctl start (READY=1 never came?)"
    [ "$(show ActiveState)" = active ] || fail "real daemon not active: $(show ActiveState)/$(show SubState)"
    decisions=""
    for _ in $(seq 1 100); do
        decisions=$(in_box journalctl -u improvementd.service MESSAGE_ID=dca8abe327b94ea387a370e98260a4bd JOB=monthly -o json --no-pager)
        [ -n "$decisions" ] && break
        sleep 0.2
    done
    echo "$decisions" > "$WORK/real.json"
    python3 - "$WORK/real.json" <<'PY' || fail "real daemon decision record"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert lines, "no monthly decision record from the real daemon"
d = lines[-1]
for k, v in {"SYSLOG_IDENTIFIER": "improvementd", "EVENT": "decision", "JOB": "monthly", "DECISION": "skipped",
             "_TRANSPORT": "journal", "_SYSTEMD_UNIT": "improvementd.service"}.items():
    assert d.get(k) == v, f"{k}: got {d.get(k)!r}, want {v!r}"
for k in ("TRIGGER_ACCURACY", "TRIGGER_SCHEDULE", "TRIGGER_INSUFFICIENT_DATA", "REASON"):
    assert k in d, f"missing field {k}"
assert d.get("_UID") not in (None, "0"), "DynamicUser: should not run as root"
print("sandbox-journal-test: real daemon decision OK:", {k: d[k] for k in ("JOB", "DECISION", "REASON")})
PY
    status=$(show StatusText)
    echo "sandbox-journal-test: real daemon STATUS=$status"
    in_box test -s /var/lib/private/improvementd/improvementd.sqlite || fail "real daemon: no store in the StateDirectory"
    in_box systemctl stop improvementd.service || fail "real daemon: systemctl stop"
    [ "$(show Result)" = success ] || fail "real daemon: Result=$(show Result) after stop"
else
    echo "sandbox-journal-test: real daemon part skipped: build .build/debug/improvementd first"
fi

if [ $FAILED -eq 0 ]; then echo "sandbox-journal-test: PASS"; else exit 1; fi
