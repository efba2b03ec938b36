#!/usr/bin/env bash
# Import benchmark: release build, wall time and peak RSS of `improvementd import bars` for the
# bundled files and for a 300-symbol x 10-year set (copies of the bundled files).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product improvementd >/dev/null
BIN=.build/release/improvementd
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
measure() { # name, args...
    local name=$1; shift
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$BIN" "$@" >/dev/null
    read -r secs kb < "$WORK/time"
    printf '| %s | %s | %.1f |\n' "$name" "$secs" "$(echo "$kb / 1024" | bc -l)"
}
bash bench/make-universe.sh 300 "$WORK/u300"
echo "| import | wall s | peak RSS MB |"
echo "|---|---|---|"
measure "bundled (11 files, 26,367 bars), fresh store" import bars examples/data/ohlcv --db "$WORK/a.sqlite"
measure "bundled again (all unchanged)" import bars examples/data/ohlcv --db "$WORK/a.sqlite"
measure "300 symbols x 10 years (301 files, $(cat "$WORK"/u300/*.csv | wc -l) lines), fresh store" import bars "$WORK/u300" --db "$WORK/b.sqlite"
measure "300 symbols again (all unchanged)" import bars "$WORK/u300" --db "$WORK/b.sqlite"
