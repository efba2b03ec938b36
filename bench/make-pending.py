#!/usr/bin/env python3
"""Writes N pending signals for the predict benchmark: signals of the built-in strategy
names on each stock's last bar date (no later bar, so they stay pending), spread over the
stock files of BARS_DIR, entry price = that day's close.

    make-pending.py BARS_DIR N OUT.csv
"""
import csv
import os
import sys

bars, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
last = []
for name in sorted(os.listdir(bars)):
    if not name.endswith(".csv") or name.startswith("^"):
        continue
    with open(os.path.join(bars, name)) as f:
        rows = list(csv.reader(f))
    header = [h.lower() for h in rows[0]]
    d, c = header.index("date"), header.index("close")
    last.append((name[:-4], rows[-1][d], float(rows[-1][c])))
strategies = ["momentum", "mean_reversion", "breakout", "breakdown"]
with open(out, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["signal_id", "symbol", "strategy", "signal_type", "entry_date", "entry_price"])
    for i in range(n):
        sym, day, close = last[i % len(last)]
        w.writerow([f"pending-{i:07d}", sym, strategies[i % 4], "SELL" if i % 4 == 3 else "BUY", day, f"{close:.2f}"])
