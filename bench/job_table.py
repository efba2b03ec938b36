#!/usr/bin/env python3
"""The whole-job table of bench/job.sh (markdown on stdout).

    job_table.py OUT_DIR REPS

Reads OUT_DIR/project-R-STEP.{out,time} (GNU time "wall_s peak_rss_kb"), OUT_DIR/reference-R.{out,time}
and OUT_DIR/check.out; prints per step the median wall time and its share of the side's whole
job, the totals and the ratio project / reference, the holdout AUCs and the agreement lines.
"""
import json
import statistics
import sys

PROJECT_STEPS = ["import-bars", "import-symbols", "import-signals", "label", "train"]
# project model -> the reference fit of the same algorithm (bench/reference.py)
PAIRS = [("gb", "xgb"), ("rf", "rf"), ("lr", "lr"), ("svm", "svc3000"), ("nn", "mlp")]


def read_time(path):
    wall, kb = open(path).read().split()[:2]
    return float(wall), int(kb) / 1024.0


def last_json(path):
    return json.loads(open(path).read().strip().splitlines()[-1])


def med(v):
    return statistics.median(v)


def main():
    out, reps = sys.argv[1], int(sys.argv[2])
    reps_r = range(1, reps + 1)
    pt = {s: [read_time(f"{out}/project-{r}-{s}.time") for r in reps_r] for s in PROJECT_STEPS}
    p_wall = {s: med([t[0] for t in v]) for s, v in pt.items()}
    p_rss = {s: max(t[1] for t in v) for s, v in pt.items()}
    p_total = med([sum(pt[s][i][0] for s in PROJECT_STEPS) for i in range(reps)])
    ref = [last_json(f"{out}/reference-{r}.out") for r in reps_r]
    rt = [read_time(f"{out}/reference-{r}.time") for r in reps_r]
    r_total = med([t[0] for t in rt])
    r_rss = max(t[1] for t in rt)

    def rs(key):
        return med([x["steps"][key] for x in ref])
    # start-up: the interpreter and the library imports, plus whatever the steps do not cover
    r_start = med([t[0] - sum(v for k, v in x["steps"].items() if k not in ("imports", "total"))
                   for t, x in zip(rt, ref)])
    r0 = ref[0]
    print(f"Inputs: {r0['bars']} bars, {r0['signals']} signals ({r0['labeled']} labeled by the reference; "
          f"split train {r0['trainRows']}, purged {r0['purgedRows']}, holdout {r0['holdoutRows']}). "
          f"Medians of {reps} alternating repetitions; shares are of the side's median whole job.\n")
    print("| step | project command | project wall s | share | reference step | reference wall s | share | project / reference |")
    print("|---|---|---|---|---|---|---|---|")

    def row(step, pcmd, pv, rstep, rv):
        ps = f"{pv:.3f}" if pv is not None else "—"
        pshare = f"{100 * pv / p_total:.1f} %" if pv is not None else ""
        rsv = f"{rv:.3f}" if rv is not None else "—"
        rshare = f"{100 * rv / r_total:.1f} %" if rv is not None else ""
        ratio = f"{pv / rv:.2f}" if pv is not None and rv else ""
        print(f"| {step} | {pcmd} | {ps} | {pshare} | {rstep} | {rsv} | {rshare} | {ratio} |")

    row("start-up", "", None, "interpreter, imports (pandas, scikit-learn, xgboost)", r_start)
    read_p = p_wall["import-bars"] + p_wall["import-symbols"] + p_wall["import-signals"]
    row("read the inputs", f"`import bars` {p_wall['import-bars']:.3f} + `import symbols` "
        f"{p_wall['import-symbols']:.3f} + `import signals` {p_wall['import-signals']:.3f}", read_p,
        "read (bars, symbols, signals CSVs)", rs("read"))
    row("label + features", "`label`", p_wall["label"],
        f"label {rs('label'):.3f} + features {rs('features'):.3f}", rs("label") + rs("features"))
    row("train", "`train` (default configuration)", p_wall["train"],
        f"split {rs('split'):.3f} + seven fits {rs('fit'):.3f}", rs("split") + rs("fit"))
    print(f"| **whole job** | | **{p_total:.3f}** | 100 % | | **{r_total:.3f}** | 100 % | **{p_total / r_total:.2f}** |")
    # The same without the two fits that have no project counterpart of the same work: hgb
    # (a second gradient boosting) and svc (libsvm on every training row; the project's SVM,
    # like svc3000, fits the 3,000 most recent rows).
    fits = [{m["model"]: m["fitSeconds"] for m in x["models"]} for x in ref]
    cost = [{m["model"]: m["fitSeconds"] + m.get("holdoutSeconds", 0.0) for m in x["models"]} for x in ref]
    extra = [f.get("hgb", 0.0) + f.get("svc", 0.0) for f in cost]
    r5_train = med([x["steps"]["split"] + x["steps"]["fit"] - e for x, e in zip(ref, extra)])
    r5_total = med([t[0] - e for t, e in zip(rt, extra)])
    print(f"| train, five counterparts | `train` | {p_wall['train']:.3f} | | split + xgb, rf, lr, svc3000, mlp "
          f"| {r5_train:.3f} | | {p_wall['train'] / r5_train:.2f} |")
    print(f"| **whole job, five counterparts** | | **{p_total:.3f}** | | | **{r5_total:.3f}** | | "
          f"**{p_total / r5_total:.2f}** |")
    print("\nPer reference fit (without its holdout prediction), median s: " + ", ".join(
        f"{k} {med([f[k] for f in fits]):.3f}" for k in fits[0]) + ".")
    print(f"\nPeak RSS: project {max(p_rss.values()):.0f} MiB (" +
          ", ".join(f"{s} {v:.0f}" for s, v in p_rss.items()) + f"); reference {r_rss:.0f} MiB.")

    proj = json.load(open(f"{out}/project-{reps}-train.out"))
    aucs = []
    for algo, name in PAIRS:
        m = next((m for m in proj.get("models", []) if m["algorithm"] == algo), None)
        pa = (m or {}).get("holdout") or {}
        ra = next(x["auc"] for x in ref[-1]["models"] if x["model"] == name)
        aucs.append(f"{algo} {pa.get('auc', float('nan')):.4f} / {name} {ra:.4f}")
    print("\nHoldout AUC, project / reference (last repetition): " + "; ".join(aucs) + ".")
    extra = [f"{x['model']} {x['auc']:.4f}" for x in ref[-1]["models"] if x["model"] not in dict(PAIRS).values()]
    if extra:
        print(f"Other reference fits: {', '.join(extra)}.")

    c = last_json(f"{out}/check.out")["check"]
    print(f"\nLabel agreement (reference against `export outcomes`): {c['union']} labeled signals on either side "
          f"(project {c['projectLabeled']}, reference {c['referenceLabeled']}); identical outcome "
          f"{c['outcomeAgreement']:.6f}, identical exit date {c['exitDateAgreement']:.6f}, return within 1e-9 "
          f"{c['returnAgreement']:.6f}.")
    per = c["featureAgreement"]
    worst = min(v for v in per.values() if v is not None)
    print(f"Feature agreement (reference against `export features`): {c['featureRowsUnion']} rows "
          f"(project {c['projectFeatureRows']}, reference {c['referenceFeatureRows']}); cells equal within 1e-9 "
          f"(NaN = NaN): {sum(1 for v in per.values() if v == 1.0)} of {len(per)} features on every row, "
          f"lowest {worst:.6f}; largest difference of any cell {c['maxAbsDiff']:.3g}.")
    for name, d in c["differences"].items():
        print(f"- {name}: {per[name]:.6f} equal; {d['cells']} cells differ ({d['nanOnOneSide']} NaN on one side "
              f"only), largest difference {d['maxAbsDiff']:.3g}")


if __name__ == "__main__":
    main()
