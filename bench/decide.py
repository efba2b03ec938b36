#!/usr/bin/env python3
"""Reads the replay runs of bench/decide.sh and prints the options table of bench/README.md.

Each argument is NAME=DIR (a replay's --out directory with summary.json, predictions.csv and the
training reports under DIR/reports). The first run is the reference: every other option's pooled
live AUC is compared with it on the signals both scored (paired DeLong, two-sided 95 %)."""
import csv, glob, json, math, sys
import numpy as np

def midrank(x):
    order = np.argsort(x, kind="mergesort")
    xs = x[order]
    n = len(x)
    ranks = np.empty(n)
    i = 0
    while i < n:
        j = i
        while j < n and xs[j] == xs[i]:
            j += 1
        ranks[i:j] = 0.5 * (i + j - 1) + 1
        i = j
    out = np.empty(n)
    out[order] = ranks
    return out

def delong(labels, scores):
    """AUCs and their covariance (DeLong 1988, Sun & Xu's fast form) for k score rows."""
    labels = np.asarray(labels)
    pos, neg = scores[:, labels == 1], scores[:, labels == 0]
    m, n = pos.shape[1], neg.shape[1]
    k = scores.shape[0]
    tx = np.array([midrank(pos[r]) for r in range(k)])
    ty = np.array([midrank(neg[r]) for r in range(k)])
    tz = np.array([midrank(np.concatenate([pos[r], neg[r]])) for r in range(k)])
    aucs = tz[:, :m].sum(axis=1) / (m * n) - (m + 1.0) / (2.0 * n)
    v01 = (tz[:, :m] - tx) / n
    v10 = 1.0 - (tz[:, m:] - ty) / m
    cov = np.atleast_2d(np.cov(v01)) / m + np.atleast_2d(np.cov(v10)) / n
    return aucs, cov

def load(directory):
    with open(f"{directory}/summary.json") as f:
        summary = json.load(f)
    live = {}
    with open(f"{directory}/predictions.csv") as f:
        for row in csv.DictReader(f):
            if row["outcome"] in ("0", "1"):
                live[row["signal_id"]] = (int(row["outcome"]), float(row["probability"]))
    seconds = 0.0
    for path in glob.glob(f"{directory}/reports/training_report_*.json"):
        with open(path) as f:
            seconds += json.load(f).get("totalSeconds", 0.0)
    return summary, live, seconds

def fmt(i):
    return f"{i['estimate']:.3f} [{i['lower']:.3f}, {i['upper']:.3f}]"

runs = [(a.split("=", 1)[0], *load(a.split("=", 1)[1])) for a in sys.argv[1:]]
print("| option | n | pooled live AUC (95 % DeLong) | vs first (paired) | Brier skill | top-30 % success | retrains | promotions | training s |")
print("|---|---|---|---|---|---|---|---|---|")
ref_live = runs[0][2]
for name, summary, live, seconds in runs:
    d = summary["daemon"]
    top30 = next(t for t in d["top"] if t["percent"] == 30)["successRate"]
    common = sorted(set(live) & set(ref_live))
    if name == runs[0][0]:
        paired = "reference"
    else:
        y = [live[s][0] for s in common]
        scores = np.array([[ref_live[s][1] for s in common], [live[s][1] for s in common]])
        aucs, cov = delong(y, scores)
        diff = aucs[1] - aucs[0]
        se = math.sqrt(max(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1], 0))
        paired = f"{diff:+.3f} [{diff - 1.96 * se:+.3f}, {diff + 1.96 * se:+.3f}] (n {len(common)})" if se > 0 else f"{diff:+.3f} (identical)"
    c = summary["counts"]
    skill = d.get("brierSkill")
    print(f"| {name} | {d['n']} | {fmt(d['auc'])} | {paired} | {skill:+.4f} | {fmt(top30)} | {c['retrains']} | {c['promotions']} | {seconds:.0f} |")
