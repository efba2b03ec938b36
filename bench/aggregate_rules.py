#!/usr/bin/env python3
"""Aggregation and calibration rules re-run on a replay's own live evidence (measurement only).

A replay of the default daemon stores every candidate's live probability for every signal
(`candidate_scores`: each scored before its entry by fits that never saw the outcome). The
candidates' scores do not depend on how they are aggregated, so any rule can be re-run on them
exactly as the daemon runs its own: for each scoring day d, the weights come from the outcomes
whose exit is before d (in exit, entry, id order), the calibration from the rule's own earlier
mixtures with an exit before d. Only the retrain timing (triggers that read production's
probabilities) could differ under another rule; the candidates' fits would not.

Usage: python3 bench/aggregate_rules.py DIR/replay.sqlite [FROM_DAY]
Prints one row per rule: n, pooled AUC [95 % DeLong], Brier skill, log loss, and the rule's
paired AUC difference against the default rule (eta 0.2, share 0.01, a second Hedge over the
mixture and its Platt calibration on the last 1,000 outcomes).
"""
import math, sqlite3, sys
from collections import defaultdict
import numpy as np

db, start = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "0000-00-00")
con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
rows = con.execute("""
    SELECT c.signal_id, c.candidate, c.probability, substr(c.scored_at, 1, 10), s.entry_date, o.outcome, o.exit_date
    FROM candidate_scores c JOIN signals s USING (signal_id)
    LEFT JOIN outcomes o ON o.signal_id = c.signal_id AND o.status = 'labeled' AND o.outcome IN (0, 1)
""").fetchall()
sig = {}
for sid, cand, p, day, entry, y, exit_ in rows:
    r = sig.setdefault(sid, {"day": day, "entry": entry, "y": y, "exit": exit_, "p": {}})
    r["p"][cand] = p
    r["day"] = min(r["day"], day)
cands = sorted({c for r in sig.values() for c in r["p"]} - {"aggregate", "calibrated"})
order = ["gb", "rf", "lr", "svm", "nn", "online", "base_rate"]
cands.sort(key=lambda c: (order.index(c) if c in order else 99, c))
ids = sorted(sig, key=lambda s: (sig[s]["day"], s))
learn = sorted([s for s in sig if sig[s]["y"] is not None], key=lambda s: (sig[s]["exit"], sig[s]["entry"], s))
EPS = 1e-6

def ll(p, y):
    q = min(1 - EPS, max(EPS, p))
    return -math.log(q) if y == 1 else -math.log(1 - q)

def logit(p):
    q = min(1 - EPS, max(EPS, p)); return math.log(q / (1 - q))

def platt(s, y):
    z = np.array([logit(v) for v in s]); t = np.array(y, float); a, b = 0.0, 1.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-(a + b * z))); w = np.maximum(p * (1 - p), 1e-12); e = p - t
        g = np.array([e.sum(), (e * z).sum()]); H = np.array([[w.sum() + 1e-6, (w * z).sum()], [(w * z).sum(), (w * z * z).sum() + 1e-6]])
        try: d = np.linalg.solve(H, g)
        except np.linalg.LinAlgError: break
        a, b = a - d[0], b - d[1]
        if abs(d).sum() < 1e-10: break
    return a, b

def shift(s, y):
    z = np.array([logit(v) for v in s]); rate = np.mean(y); a = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-(a + z))); step = (p.mean() - rate) / max((p * (1 - p)).mean(), 1e-12); a -= step
        if abs(step) < 1e-12: break
    return a, 1.0

def run(eta, share, cal, window, weights="hedge", exclude=(), share2=0.01):
    n = len(cands); w = np.ones(n) / n; cum = np.zeros(n); k = 0; raw = {}; out = {}
    live = np.array([0.0 if c in exclude else 1.0 for c in cands]); w = w * live / (w * live).sum()
    eq = live / live.sum()
    w2 = np.array([0.5, 0.5]); cal_known = {}  # cal == "hedge2": Hedge over {raw, Platt} mixtures
    known = []  # (raw, y) of learned signals, in learning order
    days = defaultdict(list)
    for s in ids: days[sig[s]["day"]].append(s)
    for d in sorted(days):
        while k < len(learn) and sig[learn[k]]["exit"] < d:
            s = learn[k]; k += 1; r = sig[s]; y = r["y"]
            ps = [r["p"].get(c) for c in cands]
            m = sum(wi * p for wi, p in zip(w, ps) if p is not None); mass = sum(wi for wi, p in zip(w, ps) if p is not None)
            mix = m / mass if mass > 0 else None
            if mix is None: continue
            losses = np.array([ll(p, y) if p is not None else ll(mix, y) for p in ps]); cum += losses
            if weights == "hedge":
                w = w * np.exp(-eta * (losses - losses.min())); w /= w.sum(); w = (1 - share) * w + share / n
                w = w * live; w /= w.sum()
            elif weights == "equal":
                w = eq
            elif weights == "ftl":
                w = np.eye(n)[int(np.argmin(cum))]
            if s in raw: known.append((raw[s], y))
            if s in cal_known:
                l2 = np.array([ll(cal_known[s][0], y), ll(cal_known[s][1], y)]); w2 = w2 * np.exp(-(l2 - l2.min())); w2 /= w2.sum(); w2 = (1 - share2) * w2 + share2 / 2
        a, b, kind = 0.0, 1.0, "identity"
        recent = known[-window:]
        if cal not in ("none",) and len(recent) >= 200 and 0 < sum(y for _, y in recent) < len(recent):
            a, b = (platt if cal in ("platt", "hedge2") else shift)([v for v, _ in recent], [y for _, y in recent]); kind = cal
            if cal in ("platt", "hedge2") and b < 0.05: a, b = shift([v for v, _ in recent], [y for _, y in recent])
        for s in days[d]:
            ps = [sig[s]["p"].get(c) for c in cands]
            m = sum(wi * p for wi, p in zip(w, ps) if p is not None); mass = sum(wi for wi, p in zip(w, ps) if p is not None)
            mix = m / mass if mass > 0 else 0.5
            raw[s] = mix
            calibrated = mix if kind == "identity" else 1 / (1 + math.exp(-(a + b * logit(mix))))
            if cal == "hedge2":
                cal_known[s] = (mix, calibrated); out[s] = w2[0] * mix + w2[1] * calibrated
            else:
                out[s] = calibrated
    return out

def delong(y, *scores):
    y = np.asarray(y); pos, neg = np.where(y == 1)[0], np.where(y == 0)[0]; m, n = len(pos), len(neg)
    aucs, v10, v01 = [], [], []
    for s in scores:
        s = np.asarray(s); x, z = s[pos], s[neg]
        allv = np.concatenate([x, z]); from_rank = lambda a: __import__("scipy.stats", fromlist=["rankdata"]).rankdata(a)
        r_all = from_rank(allv); rx = from_rank(x); rz = from_rank(z)
        aucs.append((r_all[:m].sum() - m * (m + 1) / 2) / (m * n))
        v10.append((r_all[:m] - rx) / n); v01.append(1 - (r_all[m:] - rz) / m)
    S10, S01 = np.cov(np.array(v10)), np.cov(np.array(v01))
    S = S10 / m + S01 / n
    return np.array(aucs), np.atleast_2d(S)

def report(name, p, ref=None):
    s = [x for x in ids if sig[x]["y"] is not None and sig[x]["day"] >= start and x in p]
    y = [sig[x]["y"] for x in s]; q = [p[x] for x in s]; base = np.mean(y)
    if ref is not None:
        aucs, S = delong(y, q, [ref[x] for x in s]); var = S[0, 0] + S[1, 1] - 2 * S[0, 1]
        diff = f"{aucs[0]-aucs[1]:+.4f} [{aucs[0]-aucs[1]-1.96*math.sqrt(max(var,0)):+.4f}, {aucs[0]-aucs[1]+1.96*math.sqrt(max(var,0)):+.4f}]"
    else:
        aucs, S = delong(y, q); diff = "-"
    se = math.sqrt(max(S[0, 0], 0)); brier = np.mean((np.array(q) - y) ** 2); ref_b = np.mean((base - np.array(y)) ** 2)
    lls = np.mean([ll(v, t) for v, t in zip(q, y)])
    print(f"| {name} | {len(s)} | {aucs[0]:.4f} [{aucs[0]-1.96*se:.4f}, {aucs[0]+1.96*se:.4f}] | {1-brier/ref_b:+.4f} | {lls:.4f} | {diff} |", flush=True)

print(f"evidence: {len(sig)} signals scored live, {len(learn)} with outcomes; candidates {', '.join(cands)}; measured from {start}\n")
print("| rule | n | pooled AUC [95 % DeLong] | Brier skill | log loss | AUC difference vs default [95 %] |")
print("|---|---|---|---|---|---|")
default = run(0.2, 0.01, "hedge2", 1000)
report("default: Hedge eta 0.2, share 0.01, Hedge over raw and Platt 1,000", default)
for c in cands:
    report(f"{c} alone (live)", {s: sig[s]["p"][c] for s in ids if c in sig[s]["p"]}, None)
stored = dict(con.execute("SELECT signal_id, probability FROM predictions p WHERE id = (SELECT MIN(id) FROM predictions q WHERE q.signal_id = p.signal_id)").fetchall())
report("stored production (the replay's own predictions)", {s: stored[s] for s in ids if s in stored})
for name, args in [
    ("equal weights, Platt 1,000", (1.0, 0.0, "platt", 1000, "equal")),
    ("follow the leader, Platt 1,000", (1.0, 0.0, "platt", 1000, "ftl")),
    ("Hedge eta 1, share 0, Platt 1,000", (1.0, 0.0, "platt", 1000)),
    ("Hedge eta 1, share 0.05, Platt 1,000", (1.0, 0.05, "platt", 1000)),
    ("Hedge eta 0.2, share 0.01, Platt 1,000", (0.2, 0.01, "platt", 1000)),
    ("Hedge eta 0.05, share 0, Platt 1,000", (0.05, 0.0, "platt", 1000)),
    ("Hedge eta 1, share 0.01, no calibration", (1.0, 0.01, "none", 1000)),
    ("Hedge eta 1, share 0.01, shift on 1,000", (1.0, 0.01, "shift", 1000)),
    ("Hedge eta 1, share 0.01, Platt on 500", (1.0, 0.01, "platt", 500)),
    ("Hedge eta 1, share 0.01, Platt on 3,000", (1.0, 0.01, "platt", 3000)),
    ("Hedge eta 1, share 0.01, Hedge over raw and Platt 1,000", (1.0, 0.01, "hedge2", 1000)),
    ("Hedge eta 1, share 0, no calibration", (1.0, 0.0, "none", 1000)),
    ("Hedge eta 1, share 0.05, no calibration", (1.0, 0.05, "none", 1000)),
    ("Hedge eta 0.2, share 0.01, no calibration", (0.2, 0.01, "none", 1000)),
    ("equal weights, no calibration", (1.0, 0.0, "none", 1000, "equal")),
    ("Hedge eta 1, share 0.01, no calibration, without svm", (1.0, 0.01, "none", 1000, "hedge", ("svm",))),
    ("equal weights, no calibration, without svm", (1.0, 0.0, "none", 1000, "equal", ("svm",))),
    ("Hedge eta 1, share 0.01, Platt on 1,000 (the first aggregate's rule)", (1.0, 0.01, "platt", 1000)),
    ("default without the online model", (0.2, 0.01, "hedge2", 1000, "hedge", ("online",))),
    ("default, calibration Hedge without share", (0.2, 0.01, "hedge2", 1000, "hedge", (), 0.0)),
    ("default, calibration Hedge share 0.001", (0.2, 0.01, "hedge2", 1000, "hedge", (), 0.001)),
    ("default without the online model and svm", (0.2, 0.01, "hedge2", 1000, "hedge", ("online", "svm"))),
    ("Hedge eta 0.2, share 0.01, no calibration, without the online model", (0.2, 0.01, "none", 1000, "hedge", ("online",))),
    ("equal weights, no calibration, without the online model", (1.0, 0.0, "none", 1000, "equal", ("online",))),
    ("Hedge eta 0.2, share 0.01, Hedge over raw and Platt 3,000", (0.2, 0.01, "hedge2", 3000)),
    ("Hedge eta 0.1, share 0.01, no calibration", (0.1, 0.01, "none", 1000)),
    ("Hedge eta 0.5, share 0.02, no calibration", (0.5, 0.02, "none", 1000)),
]:
    report(name, run(*args), default)
