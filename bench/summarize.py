#!/usr/bin/env python3
"""Tables of the benchmark (markdown on stdout).

    summarize.py compare OUT_DIR REPS   # side by side: project-R.{out,time}, reference-R.{out,time}
    summarize.py scale OUT_DIR          # scale curves: OUT_DIR/scale.tsv
"""
import json
import math
import statistics
import sys

# project algorithm -> reference models compared with it (the first is the headline pair)
PAIRS = [("gb", ["xgb", "hgb"]), ("rf", ["rf"]), ("lr", ["lr"]), ("svm", ["svc", "svc3000"]), ("nn", ["mlp"])]
HEADLINE = {"gb": "xgb", "rf": "rf", "lr": "lr", "svm": "svc", "nn": "mlp"}


def read_time(path):
    wall, kb = open(path).read().split()[:2]
    return float(wall), int(kb) / 1024.0


def med(v):
    return statistics.median(v) if v else float("nan")


def seed_spread(out, seeds):
    """AUC mean and standard deviation over seeds 1..seeds, per pair."""
    if seeds <= 0:
        return
    proj = [json.load(open(f"{out}/project-seed-{s}.out")) for s in range(1, seeds + 1)]
    ref = [json.loads(open(f"{out}/reference-seed-{s}.out").read().strip().splitlines()[-1]) for s in range(1, seeds + 1)]

    def sd(v):
        return statistics.stdev(v) if len(v) > 1 else 0.0
    print(f"\nSeed spread of the holdout AUC (seeds 1-{seeds}; project `train --no-tune` with `IMPROVEMENTD_TRAINING_SEED`, "
          "reference `random_state`; lr is deterministic on both sides):\n")
    print("| project model | reference model | project AUC mean ± sd | reference AUC mean ± sd | difference of means | goal (>= -0.01) |")
    print("|---|---|---|---|---|---|")
    for algo, names in PAIRS:
        pa = [next(m for m in p["models"] if m["algorithm"] == algo).get("holdout") for p in proj]
        pa = [h["auc"] for h in pa if h]
        for name in names:
            ra = [next(m for m in r["models"] if m["model"] == name)["auc"] for r in ref]
            if not pa:
                print(f"| {algo} | {name} | failed | {statistics.mean(ra):.4f} ± {sd(ra):.4f} | | |")
                continue
            d = statistics.mean(pa) - statistics.mean(ra)
            print(f"| {algo} | {name} | {statistics.mean(pa):.4f} ± {sd(pa):.4f} | {statistics.mean(ra):.4f} ± {sd(ra):.4f} "
                  f"| {d:+.4f} | {'met' if d >= -0.01 else 'not met'} |")


def compare(out, reps, seeds=0):
    proj, ref, proj_t, ref_t = [], [], [], []
    for r in range(1, reps + 1):
        proj.append(json.load(open(f"{out}/project-{r}.out")))
        ref.append(json.loads(open(f"{out}/reference-{r}.out").read().strip().splitlines()[-1]))
        proj_t.append(read_time(f"{out}/project-{r}.time"))
        ref_t.append(read_time(f"{out}/reference-{r}.time"))
    p0, r0 = proj[0], ref[0]
    print(f"Data: {p0['signals']} labeled signals; project split train {p0['trainRows']}, purged "
          f"{p0['purgedRows']}, holdout {p0['holdoutRows']}; reference split train {r0['trainRows']}, "
          f"purged {r0['purgedRows']}, holdout {r0['holdoutRows']}; {r0['features']} features. "
          f"Medians of {reps} alternating repetitions. Reference: scikit-learn {r0['versions']['sklearn']}, "
          f"xgboost {r0['versions']['xgboost']}.\n")

    def pm(algo, key):
        vals = []
        for p in proj:
            m = next(m for m in p["models"] if m["algorithm"] == algo)
            vals.append(m["trainSeconds"] if key == "trainSeconds" else (m["holdout"] or {}).get(key, float("nan")))
        return med(vals)

    def rm(name, key):
        return med([next(m for m in r["models"] if m["model"] == name)[key] for r in ref])

    print("Per-model fit on the purged training part (one thread each side; project `trainSeconds`, "
          "reference `fit()` wall time); holdout metrics of that fit.\n")
    print("| project model | reference model | project fit s | reference fit s | time ratio (project / reference) "
          "| project AUC | reference AUC | AUC difference (project - reference) | project acc / F1 / Brier | reference acc / F1 / Brier |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    tot_p = tot_r = 0.0
    for algo, names in PAIRS:
        for name in names:
            ps, rs = pm(algo, "trainSeconds"), rm(name, "trainSeconds")
            if HEADLINE[algo] == name:
                tot_p += ps; tot_r += rs
            print(f"| {algo} | {name} | {ps:.3f} | {rs:.3f} | {ps / rs:.3f} | {pm(algo, 'auc'):.4f} | {rm(name, 'auc'):.4f} "
                  f"| {pm(algo, 'auc') - rm(name, 'auc'):+.4f} "
                  f"| {pm(algo, 'accuracy'):.3f} / {pm(algo, 'f1'):.3f} / {pm(algo, 'brier'):.4f} "
                  f"| {rm(name, 'accuracy'):.3f} / {rm(name, 'f1'):.3f} / {rm(name, 'brier'):.4f} |")
    print(f"| **total (gb-xgb, rf, lr, svm-svc, nn-mlp)** | | **{tot_p:.3f}** | **{tot_r:.3f}** | **{tot_p / tot_r:.3f}** | | | | | |")
    alt_r = tot_r - rm("svc", "trainSeconds") + rm("svc3000", "trainSeconds")
    print(f"| total with svc3000 instead of svc | | {tot_p:.3f} | {alt_r:.3f} | {tot_p / alt_r:.3f} | | | | | |")
    print()
    pw, pr = med([t[0] for t in proj_t]), max(t[1] for t in proj_t)
    rw, rr = med([t[0] for t in ref_t]), max(t[1] for t in ref_t)
    print("Whole commands (wall and peak RSS from `/usr/bin/time`; RSS is the maximum over repetitions):\n")
    print("| side | command | what it does | wall s | peak RSS MB |")
    print("|---|---|---|---|---|")
    print(f"| project | `improvementd train --json` | open store, features check, 5 models x (4 walk-forward CV folds + holdout fit) "
          f"on 2 workers, tuning of the best, final fit, importances, registry | {pw:.2f} (in-process total {med([p['totalSeconds'] for p in proj]):.2f}) | {pr:.1f} |")
    print(f"| reference | `reference.py` | read CSVs, split, 7 fits (rf, hgb, xgb, lr, svc, svc3000, mlp) one after another, "
          f"score holdout | {rw:.2f} | {rr:.1f} |")
    print(f"\nWhole-command wall ratio (project / reference): {pw / rw:.3f}")
    seed_spread(out, seeds)


def fit_exponent(ns, ts):
    pts = [(math.log(n), math.log(t)) for n, t in zip(ns, ts) if n > 0 and t > 0]
    if len(pts) < 2:
        return float("nan")
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    return sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x, _ in pts)


def scale(out):
    rows = [l.rstrip("\n").split("\t") for l in open(f"{out}/scale.tsv") if l.strip()]
    # symbols, signals, labeled, step, wall, rssMB
    steps = []
    for r in rows:
        if r[3] not in steps:
            steps.append(r[3])
    last = {}
    for r in rows:  # a size measured again replaces the earlier figures
        last[int(r[0])] = (int(r[0]), int(r[1]), int(r[2]))
    sizes = sorted(last.values())
    print("| step | " + " | ".join(f"{s[1]:,} signals ({s[0]} symbols)" for s in sizes) + " | growth exponent (wall) | growth exponent (RSS) |")
    print("|---|" + "---|" * (len(sizes) + 2))
    for step in steps:
        cells, ns, ts, rs = [], [], [], []
        for s in sizes:
            m = [r for r in rows if int(r[0]) == s[0] and r[3] == step]
            if m:
                w, rss = float(m[-1][4]), float(m[-1][5])
                cells.append(f"{w:.2f} s / {rss:.0f} MB")
                ns.append(s[1]); ts.append(w); rs.append(rss)
            else:
                cells.append("-")
        print(f"| {step} | " + " | ".join(cells) + f" | {fit_exponent(ns, ts):.2f} | {fit_exponent(ns, rs):.2f} |")
    try:
        pred = {}
        for l in open(f"{out}/predict.tsv"):
            syms, scored, wall = l.split()
            pred[int(syms)] = (int(scored), float(wall))
        print("\n| predict | " + " | ".join(
            f"{pred[s[0]][0]:,} scored in {pred[s[0]][1]:.2f} s = {pred[s[0]][0] / max(pred[s[0]][1], 1e-9):,.0f} signals/s"
            if s[0] in pred else "-" for s in sizes) + " |")
    except FileNotFoundError:
        pass
    print("\nGrowth exponent: least-squares slope of log(wall) (or log(peak RSS)) against log(signals) over the sizes measured.")


if __name__ == "__main__":
    if sys.argv[1] == "compare":
        compare(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 0)
    else:
        scale(sys.argv[2])
