#!/usr/bin/env python3
"""Why does the monthly-refitted SVM rank real72 signals below chance? (measurement only)

Usage: python bench/svm_below_chance.py OUTCOMES.csv FEATURES.csv [EVAL_FROM EVAL_TO]
  defaults: entries 2021-04-11 .. 2026-04-10 (inclusive). Needs numpy, pandas, scipy, scikit-learn.
  SVM_CACHE=dir keeps each variant's scores there (re-runs then skip the fits).

Protocol (as bench/results/replay "svm alone" and /work/shared/tools/aggregate_sim.py): at the start
a of every month, fit on the labeled signals with exit_date < a and entry_date < a (in entry-date,
signal-id order), score the signals with a <= entry_date < next month. The SVM is libsvm's C-SVC
(sklearn SVC) with an RBF kernel, C=1, gamma=1/n_features, on median-imputed, standardized features
fitted on the training rows, trained on at most the 3000 most recent of them; its Platt sigmoid is
fitted on out-of-fold decision values of two time-contiguous halves, flat (ranking kept) when the
slope is non-negative, as Sources/Learning/Models/SVMClassifier.swift does.
AUC intervals: DeLong 95 %; differences against the baseline SVM: paired DeLong.
"""
import os, sys, time, pickle, warnings, numpy as np, pandas as pd
from scipy.stats import rankdata, spearmanr
from sklearn.svm import SVC
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression
from sklearn.metrics.pairwise import rbf_kernel

warnings.filterwarnings("ignore")
T0 = time.process_time()
oc, fc = sys.argv[1:3]
EV_FROM, EV_TO = (sys.argv[3:5] + ["2021-04-11", "2026-04-10"][len(sys.argv[3:5]):])
CACHE = os.environ.get("SVM_CACHE")
if CACHE: os.makedirs(CACHE, exist_ok=True)

# ---------------------------------------------------------------- data
o = pd.read_csv(oc); f = pd.read_csv(fc)
d = o.merge(f.drop(columns=[c for c in f.columns if c in o.columns and c != "signal_id"]), on="signal_id")
d = d[d.outcome.isin([0, 1]) & d.exit_date.notna()].sort_values(["entry_date", "signal_id"]).reset_index(drop=True)
COLS = [c for c in f.columns if c != "signal_id"]
X = d[COLS].to_numpy(float); y = d.outcome.to_numpy(int)
entry = d.entry_date.to_numpy(str); exit_ = d.exit_date.to_numpy(str)
# date-level columns: one value per entry date across all symbols on (almost) every date (a signal
# entered after a holiday can carry its signal day's value), all-empty columns listed apart
empty = [c for c in COLS if d[c].isna().all()]
nun = d.groupby("entry_date")[[c for c in COLS if c not in empty]].nunique(dropna=True)
DATE_LEVEL = [c for c in nun.columns if (nun[c] > 1).mean() < 0.01]
months = pd.date_range(pd.Timestamp(EV_FROM).replace(day=1), pd.Timestamp(EV_TO) + pd.offsets.MonthBegin(1), freq="MS").strftime("%Y-%m-%d").tolist()
inev = (entry >= EV_FROM) & (entry <= EV_TO)
MONTH = np.full(len(d), -1)
for k, (a, b) in enumerate(zip(months[:-1], months[1:])): MONTH[(entry >= a) & (entry < b) & inev] = k
EV = np.where(MONTH >= 0)[0]
out_lines = []
def say(s=""): print(s, flush=True); out_lines.append(s)

# ---------------------------------------------------------------- statistics
def _struct(yy, s):
    pos, neg = s[yy == 1], s[yy == 0]; m, n = len(pos), len(neg)
    tz = rankdata(np.concatenate([pos, neg])); tx = rankdata(pos); ty = rankdata(neg)
    auc = (tz[:m].sum() - m * (m + 1) / 2) / (m * n)
    return auc, (tz[:m] - tx) / n, 1 - (tz[m:] - ty) / m, m, n
def delong(yy, s):
    auc, v01, v10, m, n = _struct(yy, s)
    se = np.sqrt(np.var(v01, ddof=1) / m + np.var(v10, ddof=1) / n)
    return auc, auc - 1.96 * se, auc + 1.96 * se
def delong_diff(yy, a, b):
    A = _struct(yy, a); B = _struct(yy, b); m, n = A[3], A[4]
    s01 = np.cov(np.vstack([A[1], B[1]])); s10 = np.cov(np.vstack([A[2], B[2]]))
    S = s01 / m + s10 / n; dif = A[0] - B[0]; se = np.sqrt(S[0, 0] + S[1, 1] - 2 * S[0, 1])
    return dif, dif - 1.96 * se, dif + 1.96 * se
def fmt(t): return f"{t[0]:.3f} [{t[1]:.3f}, {t[2]:.3f}]"
def per_month_z(s, idx):
    z = s.copy()
    for k in np.unique(MONTH[idx]):
        i = idx[MONTH[idx] == k]; sd = np.std(s[i]); z[i] = (s[i] - s[i].mean()) / (sd if sd > 0 else 1)
    return z
def month_aucs(s, idx):
    r = []
    for k in np.unique(MONTH[idx]):
        i = idx[MONTH[idx] == k]
        if len(set(y[i])) == 2 and np.ptp(s[i]) > 0: r.append(delong(y[i], s[i])[0])
        elif len(set(y[i])) == 2: r.append(0.5)
    r = np.array(r); h = 1.96 * r.std(ddof=1) / np.sqrt(len(r))
    return r.mean(), r.mean() - h, r.mean() + h, len(r)

# ---------------------------------------------------------------- Platt (libsvm's Newton method, as PlattScaling.fit)
def platt_fit(fv, lab):
    p1 = lab.sum(); p0 = len(lab) - p1
    t = np.where(lab == 1, (p1 + 1) / (p1 + 2), 1 / (p0 + 2)); a, b = 0.0, np.log((p0 + 1) / (p1 + 1))
    def obj(a, b):
        z = fv * a + b; return np.sum(np.where(z >= 0, t * z + np.log1p(np.exp(-np.abs(z))), (t - 1) * z + np.log1p(np.exp(-np.abs(z)))))
    fval = obj(a, b)
    for _ in range(100):
        z = fv * a + b; q = 1 / (1 + np.exp(-z)); p = 1 - q; d2 = p * q
        h11 = (fv * fv * d2).sum() + 1e-12; h22 = d2.sum() + 1e-12; h21 = (fv * d2).sum(); d1 = t - p; g1 = (fv * d1).sum(); g2 = d1.sum()
        if abs(g1) < 1e-5 and abs(g2) < 1e-5: break
        det = h11 * h22 - h21 * h21; dA = -(h22 * g1 - h21 * g2) / det; dB = -(-h21 * g1 + h11 * g2) / det; gd = g1 * dA + g2 * dB
        step = 1.0
        while step >= 1e-10:
            nf = obj(a + step * dA, b + step * dB)
            if nf < fval + 1e-4 * step * gd: a += step * dA; b += step * dB; fval = nf; break
            step /= 2
        if step < 1e-10: break
    return a, b
def platt_prob(fv, a, b): return 1 / (1 + np.exp(fv * a + b))

# ---------------------------------------------------------------- walk-forward
def prep(tr, cols):
    imp = SimpleImputer(strategy="median", keep_empty_features=True); sc = StandardScaler()
    Z = sc.fit_transform(imp.fit_transform(X[tr][:, cols])); return Z, (lambda i: sc.transform(imp.transform(X[i][:, cols])))
def train_rows(a, embargo_days=0):
    tr = np.where((exit_ < a) & (entry < a))[0]
    if embargo_days:
        cut = (pd.Timestamp(a) - pd.Timedelta(days=embargo_days)).strftime("%Y-%m-%d"); tr = tr[entry[tr] < cut]
    return tr
def cap_rows(tr, cap):
    if cap is None or len(tr) <= cap: return tr
    r = tr[-cap:]
    if 0 < y[r].sum() < len(r): return r
    raise RuntimeError("capped rows hold one class (the daemon's fallback is not reproduced)")

def run(name, model="svm", drop=(), cap=3000, gamma=1.0, C=1.0, platt=False, diag=False, embargo=0, weight=None, only=None, reuse=None):
    """Scores on EV rows: decision values (svm, lr); Platt probabilities if asked; diagnostics.
    reuse: a variant already run with the same settings whose decision values are taken (only the Platt halves are fitted)."""
    key = f"{CACHE}/{name}.pkl" if CACHE else None
    if key and os.path.exists(key): return pickle.load(open(key, "rb"))
    prior = run(reuse) if reuse else None
    cols = [i for i, c in enumerate(COLS) if c not in drop] if only is None else [COLS.index(c) for c in only]
    dec = np.full(len(d), np.nan); prob = np.full(len(d), np.nan); flat = []; D = {"insample_last": [], "insample_all": [], "rows": []}
    knn_all = np.full(len(d), np.nan); knn_rec = np.full(len(d), np.nan); comp = {k: np.full(len(d), np.nan) for k in ["age<1m", "age1-3m", "age3-12m", "age>12m"]}
    t = time.process_time()
    for k, (a, b) in enumerate(zip(months[:-1], months[1:])):
        te = np.where(MONTH == k)[0]
        if len(te) == 0: continue
        tr = cap_rows(train_rows(a, embargo), cap); Z, tf = prep(tr, cols); Zt = tf(te); D["rows"].append(len(tr))
        if model == "lr":
            m = LogisticRegression(max_iter=500).fit(Z, y[tr]); dec[te] = m.decision_function(Zt); continue
        g = gamma / len(cols) if gamma != "scale" else "scale"
        mk = lambda: SVC(C=C, kernel="rbf", gamma=g, cache_size=40, tol=1e-3, class_weight=weight)
        if prior is None or diag: m = mk().fit(Z, y[tr]); dec[te] = m.decision_function(Zt)
        else: dec[te] = prior["dec"][te]
        if platt:
            n = len(tr); h = n // 2; oof = np.zeros(n)
            for fi, si in [(np.arange(h), np.arange(h, n)), (np.arange(h, n), np.arange(h))]:
                oof[si] = mk().fit(Z[fi], y[tr][fi]).decision_function(Z[si])
            # libsvm's P = 1/(1+exp(A f + B)) with f pointing to class 1: a good fit has A < 0
            A, B = platt_fit(oof, y[tr])
            if A >= 0:
                p1 = y[tr].sum(); A, B = -1e-6, np.log((n - p1 + 1) / (p1 + 1)); flat.append(a)
            prob[te] = platt_prob(dec[te], A, B)
        if diag:
            prev = (pd.Timestamp(a) - pd.DateOffset(months=1)).strftime("%Y-%m-%d")
            last = (entry[tr] >= prev); ins = m.decision_function(Z)
            D["insample_last"].append((ins[last], y[tr][last])); D["insample_all"].append((ins, y[tr]))
            # success rate of the 25 nearest training rows (standardized space): all kept rows, and those entered in the last 2 months
            dist = ((Zt[:, None, :] - Z[None, :, :]) ** 2).sum(-1); nn = np.argsort(dist, axis=1)[:, :25]; knn_all[te] = y[tr][nn].mean(1)
            rec = np.where(entry[tr] >= (pd.Timestamp(a) - pd.DateOffset(months=2)).strftime("%Y-%m-%d"))[0]
            if len(rec) >= 25: nn = np.argsort(dist[:, rec], axis=1)[:, :25]; knn_rec[te] = y[tr][rec][nn].mean(1)
            # decision value split by the age of the support vectors (entry date before a)
            sv = tr[m.support_]; K = rbf_kernel(Zt, m.support_vectors_, gamma=m._gamma); coef = m.dual_coef_[0]
            age = (pd.Timestamp(a) - pd.to_datetime(entry[sv])).days.to_numpy()
            for lab, lo, hi in [("age<1m", 0, 31), ("age1-3m", 31, 92), ("age3-12m", 92, 366), ("age>12m", 366, 10 ** 6)]:
                s = (age >= lo) & (age < hi); comp[lab][te] = K[:, s] @ coef[s]
    res = {"dec": dec, "prob": prob, "flat": flat, "cpu": time.process_time() - t, "rows": np.array(D["rows"])}
    if diag: res.update(D=D, knn_all=knn_all, knn_rec=knn_rec, comp=comp)
    if key: pickle.dump(res, open(key, "wb"))
    return res

# ---------------------------------------------------------------- report
say(f"data: {len(d)} labeled signals {entry[0]}..{entry[-1]}; evaluated entries {EV_FROM}..{EV_TO}: n {len(EV)}, base rate {y[EV].mean():.3f}, {len(np.unique(MONTH[EV]))} months")
say(f"date-level columns (one value per entry date): {', '.join(DATE_LEVEL)}; all-empty columns: {', '.join(empty)}")
rows = []
def row(label, s, idx=EV, ref=None, note=""):
    ok = idx[~np.isnan(s[idx])]; t = delong(y[ok], s[ok]); mz = month_aucs(s, ok)
    dif = fmt(delong_diff(y[ok], s[ok], ref[ok])) if ref is not None else ""
    pz = delong(y[ok], per_month_z(s, ok)[ok])
    mm = s.copy()
    for k in np.unique(MONTH[ok]): i = ok[MONTH[ok] == k]; mm[i] = s[i].mean()
    mmt = delong(y[ok], mm[ok])
    rows.append((label, len(ok), fmt(t), fmt(pz), f"{mz[0]:.3f} [{mz[1]:.3f}, {mz[2]:.3f}]", f"{mmt[0]:.3f}", dif, note))
    say(f"{label:58s} n {len(ok):5d}  pooled {fmt(t)}  pooled z/month {fmt(pz)}  mean of monthly {mz[0]:.3f}  month-mean only {mmt[0]:.3f}  {('vs base ' + dif) if dif else ''} {note}")

base = run("svm_base", platt=True, diag=True)
S = base["dec"]
say(f"\n[1] reproduction (cpu {float(base['cpu']):.0f} s; training rows per month {base['rows'].min()}..{base['rows'].max()})")
row("SVM decision value (C=1, gamma=1/n, cap 3000)", S)
row("SVM Platt probability (flat when slope >= 0)", base["prob"], ref=S, note=f"flat Platt in {len(base['flat'])} of {len(np.unique(MONTH[EV]))} months")
lr = run("lr_all", model="lr", cap=None); row("LR (same protocol, all training rows)", lr["dec"], ref=S)
row("LR, trained on the 3000 most recent rows", run("lr_cap", model="lr", cap=3000)["dec"], ref=S)
trail = np.full(len(d), np.nan)
for k, a in enumerate(months[:-1]): trail[MONTH == k] = y[cap_rows(train_rows(a), 3000)].mean()
row("constant per month: base rate of the 3000 training rows", trail)
fl = np.isin(MONTH, [months.index(a) for a in base["flat"]])
row("SVM Platt probability, months with a flat Platt map", base["prob"], EV[fl[EV]])
row("SVM Platt probability, months with a fitted Platt map", base["prob"], EV[~fl[EV]])
ks = np.unique(MONTH[EV]); P = base["prob"]
mp = np.array([P[MONTH == k].mean() for k in ks]); mt = np.array([trail[MONTH == k][0] for k in ks]); mr = np.array([y[MONTH == k].mean() for k in ks])
wsd = np.sqrt(np.mean([P[MONTH == k].var() for k in ks]))
say(f"over the {len(ks)} months (Spearman): month-mean Platt probability vs base rate of the training rows {spearmanr(mp, mt)[0]:+.2f}; "
    f"month-mean probability vs the month's success rate {spearmanr(mp, mr)[0]:+.2f}; training base rate vs the month's success rate {spearmanr(mt, mr)[0]:+.2f}")
say(f"spread of the Platt probabilities: within a month (rms sd) {wsd:.4f}, of the month means {mp.std():.4f}")

say("\n[2a] row cap"); row("SVM trained on all rows (no cap)", run("svm_nocap", cap=None)["dec"], ref=S)
say("\n[2b] gamma and C")
for nm, kw in [("gamma 'scale'", dict(gamma="scale")), ("gamma 0.1/n", dict(gamma=0.1)), ("gamma 0.01/n", dict(gamma=0.01)), ("gamma 10/n", dict(gamma=10.0)),
               ("C 0.1", dict(C=0.1)), ("C 10", dict(C=10.0)), ("class_weight balanced", dict(weight="balanced"))]:
    row("SVM " + nm, run("svm_" + nm.replace(" ", "_").replace("'", "").replace("/", "_"), **kw)["dec"], ref=S)
say("\n[2c] date-level (market / calendar) columns")
nodate = run("svm_nodate", drop=DATE_LEVEL); row("SVM without the date-level columns", nodate["dec"], ref=S)
row("SVM on the date-level columns only", run("svm_dateonly", only=DATE_LEVEL)["dec"], ref=S)
row("LR without the date-level columns", run("lr_nodate2", model="lr", cap=None, drop=DATE_LEVEL)["dec"], ref=S)
for c in ["month", "quarter", "days_since_signal", "market_volatility", "market_momentum"]:
    row(f"SVM without {c}", run(f"svm_no_{c}", drop=[c])["dec"], ref=S)
say("\n[2g] label-window (censoring) embargo: train only on signals entered > 30 days before the month (all their exits known)")
emb = run("svm_embargo", embargo=31); row("SVM, embargo 31 days", emb["dec"], ref=S)
row("SVM, embargo 31 days, without date-level columns", run("svm_embargo_nodate", embargo=31, drop=DATE_LEVEL)["dec"], ref=S)
row("LR, embargo 31 days", run("lr_embargo2", model="lr", cap=None, embargo=31)["dec"], ref=S)
say("\n[3] fix candidates in the daemon's output space (Platt probabilities, flat when the slope is >= 0)")
for nm, kw in [("SVM no cap", dict(cap=None, reuse="svm_nocap")), ("SVM gamma 0.01/n", dict(gamma=0.01, reuse="svm_gamma_0.01_n")),
               ("SVM without the date-level columns", dict(drop=DATE_LEVEL, reuse="svm_nodate")), ("SVM embargo 31 days", dict(embargo=31, reuse="svm_embargo"))]:
    r = run(nm.replace(" ", "_").replace("/", "_") + "_platt", platt=True, **kw)
    row(nm + ", Platt probability", r["prob"], ref=base["prob"], note=f"flat Platt in {len(r['flat'])} of {len(np.unique(MONTH[EV]))} months; paired difference against the baseline's Platt probability")

say("\n[2d] within-month vs pooled: columns 'pooled z/month' (decision values standardized per month) and 'mean of monthly' above")
say("\n[2e] memorization")
D = base["D"]
ins_last = delong(np.concatenate([t[1] for t in D["insample_last"]]), np.concatenate([t[0] for t in D["insample_last"]]))
ins_all = np.mean([delong(t[1], t[0])[0] for t in D["insample_all"]])
say(f"in-sample AUC on the training rows entered in the month before a (pooled over months): {fmt(ins_last)}; mean in-sample AUC on all training rows {ins_all:.3f}")
for lab, s in [("kNN-25 success rate, all kept training rows", base["knn_all"]), ("kNN-25 success rate, training rows of the last 2 months", base["knn_rec"])]:
    ok = EV[~np.isnan(s[EV])]; rho = np.mean([spearmanr(S[ok][MONTH[ok] == k], s[ok][MONTH[ok] == k])[0] for k in np.unique(MONTH[ok])])
    row(lab, s); say(f"    mean within-month Spearman with the SVM decision value: {rho:+.3f}")
for lab, s in base["comp"].items(): row(f"SVM decision part from support vectors of {lab}", s)
# censoring evidence: success rate of training rows by entry age, against the eventual rate
say("success rate of the rows entered in the month before a: known at a (exit < a) vs eventual")
kn, al = [], []
for a in months[:-1]:
    prev = (pd.Timestamp(a) - pd.DateOffset(months=1)).strftime("%Y-%m-%d"); i = np.where((entry >= prev) & (entry < a))[0]
    kn += list(y[i][exit_[i] < a]); al += list(y[i])
say(f"    known at a: n {len(kn)} rate {np.mean(kn):.3f}; eventual: n {len(al)} rate {np.mean(al):.3f}")

say("\n[2f] by signal type and strategy (baseline SVM decision value; LR for reference)")
for lab, mask in [("BUY", d.signal_type.to_numpy() == "BUY"), ("SELL", d.signal_type.to_numpy() == "SELL")] + \
        [(s, d.strategy.to_numpy() == s) for s in sorted(d.strategy.unique())]:
    idx = EV[mask[EV]]; row(f"SVM {lab}", S, idx); row(f"LR  {lab}", lr["dec"], idx)
    row(f"SVM embargo {lab}", emb["dec"], idx)
say("\nby year of entry (SVM / SVM embargo / LR)")
for yr in sorted(set(e[:4] for e in entry[EV])):
    idx = EV[np.char.startswith(entry[EV].astype(str), yr)]
    say(f"  {yr}: n {len(idx)}  SVM {fmt(delong(y[idx], S[idx]))}  embargo {fmt(delong(y[idx], emb['dec'][idx]))}  LR {fmt(delong(y[idx], lr['dec'][idx]))}")
say(f"\nprocess CPU {time.process_time() - T0:.0f} s")
print("\n| variant | n | pooled AUC [95 %] | pooled, z per month | mean of monthly AUCs | month mean only | vs baseline SVM decision (paired) |")
print("|---|---|---|---|---|---|---|")
for r in rows: print(f"| {r[0]}{(' (' + r[7] + ')') if r[7] else ''} | {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]} | {r[6]} |")
