#!/usr/bin/env bash
# A coverage-guided libFuzzer run of the input validators (docs/TESTING.md, "Fuzzed imports"):
# TradingDomain's sources and Tests/LibFuzzer compiled as one module with -sanitize=fuzzer,address,
# over CivilCalendar (the day arithmetic TradingDomain imports) built first as its own module;
# seeded with the bundled real files. Arguments go to libFuzzer (default: 10 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=.build/libfuzzer
mkdir -p "$OUT/corpus" "$OUT/modules"
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name CivilCalendar -emit-library -static \
    -emit-module -emit-module-path "$OUT/modules/CivilCalendar.swiftmodule" \
    $(find Sources/CivilCalendar -name '*.swift') -o "$OUT/libCivilCalendar.a"
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name TradingDomain -I "$OUT/modules" -L "$OUT" -lCivilCalendar \
    $(find Sources/TradingDomain -name '*.swift') Tests/LibFuzzer/FuzzValidators.swift -o "$OUT/fuzz-validators"
# Seeds: each real bars file for the bars validator (first byte 0), the symbols file (2).
for f in examples/data/ohlcv/*.csv; do { printf '\x00'; head -100 "$f"; } > "$OUT/corpus/$(basename "$f")"; done
{ printf '\x02'; cat examples/data/symbols.csv; } > "$OUT/corpus/symbols.csv"
"$OUT/fuzz-validators" "$OUT/corpus" -max_len=65536 -timeout=2 -rss_limit_mb=2048 -artifact_prefix="$OUT/" "${@:--max_total_time=600}"
