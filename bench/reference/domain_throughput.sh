#!/bin/sh
# Throughput of the TradingDomain hot paths (backfill, labels, feature engine, feature rows) on
# the bundled NSE bars replicated COPIES times per stock (default 20 -> ~480k bars).
# Builds a throw-away release package in a temp dir that links Sources/TradingDomain (and the
# CivilCalendar it imports), so the main package and its dependencies are not touched.
# Usage: bench/reference/domain_throughput.sh [COPIES]
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${TMPDIR:-/tmp}/domain_throughput
mkdir -p "$WORK/Sources/Bench"
ln -sfn "$ROOT/Sources/CivilCalendar" "$WORK/Sources/CivilCalendar"
ln -sfn "$ROOT/Sources/TradingDomain" "$WORK/Sources/TradingDomain"
cat > "$WORK/Package.swift" <<'PKG'
// swift-tools-version: 6.1
import PackageDescription
let package = Package(name: "domain_throughput", targets: [
    .target(name: "CivilCalendar"),
    .target(name: "TradingDomain", dependencies: ["CivilCalendar"]),
    .executableTarget(name: "Bench", dependencies: ["TradingDomain"]),
])
PKG
cp "$ROOT/bench/reference/domain_throughput_main.swift" "$WORK/Sources/Bench/main.swift"
cd "$WORK" && swift build -c release >/dev/null && .build/release/Bench "$ROOT/examples/data/ohlcv/" "${1:-20}"
