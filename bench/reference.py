#!/usr/bin/env python3
"""Reference side of the side-by-side benchmark (issue 6).

Reads the project's own exports (`improvementd export outcomes|features`), applies the
project's time split and purge (Sources/Learning/Evaluation/TimeSplit.swift), trains the
scikit-learn / xgboost counterparts of the five models with the project's default
hyperparameters (Sources/Learning/Core/Hyperparameters.swift) where the algorithm is the same,
and prints one JSON object: per model the fit seconds on the purged training part and the
holdout AUC, accuracy, F1 and Brier score.

    reference.py OUTCOMES.csv FEATURES.csv [--models rf,hgb,xgb,lr,svc,svc3000,mlp] [--seed N]

Each model is fitted on one thread (n_jobs=1, nthread=1; the bench command also sets
OMP_NUM_THREADS / OPENBLAS_NUM_THREADS=1), as the project fits each model on one thread.
"""
import argparse
import warnings
import json
import math
import sys
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, brier_score_loss, f1_score, roc_auc_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.svm import SVC
import sklearn
import xgboost as xgb

warnings.filterwarnings("ignore", category=FutureWarning)  # SVC(probability=True) is deprecated in 1.9

SEED = 42
HOLDOUT_FRACTION = 0.2
SVM_MAX_ROWS = 3000          # SVMParameters.maxTrainingRows
ES_FRACTION = 0.15           # validationFraction of gb and nn


def load(outcomes_path, features_path):
    """Labeled signals with features, in the project's TrainingDataset order."""
    outc = pd.read_csv(outcomes_path, dtype={"signal_id": str})
    feat = pd.read_csv(features_path, dtype={"signal_id": str}, na_values=["nan", "NaN", ""])
    columns = [c for c in feat.columns if c != "signal_id"]
    df = outc[["signal_id", "entry_date", "exit_date", "outcome"]].merge(feat, on="signal_id", how="inner")
    df = df[df["exit_date"] >= df["entry_date"]]
    # TrainingDataset: sorted by (entry date, signal id).
    df = df.sort_values(["entry_date", "signal_id"], kind="mergesort").reset_index(drop=True)
    entry = pd.to_datetime(df["entry_date"]).values.astype("datetime64[D]").astype(np.int64)
    exit_ = pd.to_datetime(df["exit_date"]).values.astype("datetime64[D]").astype(np.int64)
    x = df[columns].to_numpy(dtype=np.float64)
    y = df["outcome"].to_numpy(dtype=np.int64)
    return x, y, entry, exit_, columns


def time_split(entry, exit_, fraction=HOLDOUT_FRACTION):
    """TimeSplit.holdout: order by (entry, exit, index); last `fraction` is the holdout;
    a training row is kept only when its exit day is strictly before the holdout's first entry."""
    n = len(entry)
    order = sorted(range(n), key=lambda r: (entry[r], exit_[r], r))
    count = min(n - 1, max(1, int(math.floor(n * fraction + 0.5))))  # Swift .rounded(): half away from zero
    holdout = order[n - count:]
    start = entry[holdout[0]]
    train, purged = [], []
    for r in order[:n - count]:
        (train if exit_[r] < start else purged).append(r)
    return np.array(train), np.array(holdout), np.array(purged)


KEEP = None  # columns not empty in the training part (set in main)


def scaled(model):
    return make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler(), model)


def fit_xgb(x, y):
    """XGBoost gb as the project: early stopping on the time-ordered tail (last 15 %), trained
    on the rows before it, keeping the trees up to the best round."""
    cut = len(y) - max(1, int(len(y) * ES_FRACTION))
    m = xgb.XGBClassifier(
        tree_method="hist", n_estimators=400, learning_rate=0.1, max_depth=4, min_child_weight=1.0,
        subsample=0.8, colsample_bytree=0.8, reg_lambda=1.0, reg_alpha=0.0, gamma=0.0, max_bin=64,
        early_stopping_rounds=25, eval_metric="logloss", n_jobs=1, random_state=SEED)
    m.fit(x[:cut], y[:cut], eval_set=[(x[cut:], y[cut:])], verbose=False)
    return m


MODELS = {
    # project rf: XGBoost RF mode, 100 trees, depth 6, row sample 0.4, column sample per split 0.5
    # (its leaves down to one row and no leaf penalty are scikit-learn's defaults)
    "rf": ("rf", lambda x, y: RandomForestClassifier(
        n_estimators=100, max_depth=6, max_features=0.5, max_samples=0.4, n_jobs=1,
        random_state=SEED).fit(x, y)),
    # project gb counterpart in scikit-learn (its early-stopping split is random, not a time tail)
    "hgb": ("gb", lambda x, y: make_pipeline(FunctionTransformer(lambda z: z[:, KEEP]), HistGradientBoostingClassifier(
        max_iter=400, learning_rate=0.1, max_depth=4, max_leaf_nodes=None, max_bins=63,
        l2_regularization=1.0, early_stopping=True, validation_fraction=ES_FRACTION,
        n_iter_no_change=25, random_state=SEED)).fit(x, y)),
    "xgb": ("gb", fit_xgb),
    "lr": ("lr", lambda x, y: scaled(LogisticRegression(
        C=1.0, solver="liblinear", tol=0.01, random_state=SEED)).fit(x, y)),
    # sklearn's SVC(probability=True): libsvm with its internal 5-fold Platt fit, on all rows
    "svc": ("svm", lambda x, y: scaled(SVC(
        C=1.0, kernel="rbf", gamma="auto", probability=True, cache_size=40, tol=1e-3,
        random_state=SEED)).fit(x, y)),
    # the same on the 3000 most recent rows only, as the project's SVM
    "svc3000": ("svm", lambda x, y: scaled(SVC(
        C=1.0, kernel="rbf", gamma="auto", probability=True, cache_size=40, tol=1e-3,
        random_state=SEED)).fit(x[-SVM_MAX_ROWS:], y[-SVM_MAX_ROWS:])),
    "mlp": ("nn", lambda x, y: scaled(MLPClassifier(
        hidden_layer_sizes=(32, 16), activation="relu", solver="adam", learning_rate_init=0.001,
        batch_size=128, max_iter=200, alpha=0.0001, early_stopping=True,
        validation_fraction=ES_FRACTION, n_iter_no_change=12, random_state=SEED)).fit(x, y)),
}


def main():
    global SEED, KEEP
    ap = argparse.ArgumentParser()
    ap.add_argument("outcomes")
    ap.add_argument("features")
    ap.add_argument("--models", default="rf,hgb,xgb,lr,svc,svc3000,mlp")
    ap.add_argument("--seed", type=int, default=SEED, help="random_state of every model (default 42)")
    a = ap.parse_args()
    SEED = a.seed
    t_all = time.perf_counter()
    x, y, entry, exit_, columns = load(a.outcomes, a.features)
    train, hold, purged = time_split(entry, exit_)
    # Columns with no value at all in the training part (e.g. sector features without sector
    # data) carry nothing, but make HistGradientBoosting's binning fail: only that model drops
    # them. The others see all columns, as the project's models do (the imputer keeps empty
    # columns as 0, so SVC's gamma="auto" is 1 / all columns, as the project's default).
    KEEP = ~np.all(np.isnan(x[train]), axis=0)
    tx, ty, hx, hy = x[train], y[train], x[hold], y[hold]
    out = {"rows": int(len(y)), "trainRows": int(len(train)), "holdoutRows": int(len(hold)),
           "purgedRows": int(len(purged)), "features": len(columns), "emptyColumns": int((~KEEP).sum()),
           "versions": {"sklearn": sklearn.__version__, "xgboost": xgb.__version__, "numpy": np.__version__},
           "models": []}
    for name in a.models.split(","):
        project_algo, fit = MODELS[name]
        t0 = time.perf_counter()
        m = fit(tx, ty)
        secs = time.perf_counter() - t0
        p = m.predict_proba(hx)[:, 1]
        pred = (p >= 0.5).astype(int)
        out["models"].append({
            "model": name, "projectAlgorithm": project_algo, "trainSeconds": secs,
            "auc": float(roc_auc_score(hy, p)), "accuracy": float(accuracy_score(hy, pred)),
            "f1": float(f1_score(hy, pred, zero_division=0)), "brier": float(brier_score_loss(hy, p)),
        })
        print(f"{name:8s} fit {secs:8.3f} s  AUC {out['models'][-1]['auc']:.4f}", file=sys.stderr)
    out["totalSeconds"] = time.perf_counter() - t_all
    print(json.dumps(out))


if __name__ == "__main__":
    main()
