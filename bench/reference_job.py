#!/usr/bin/env python3
"""Reference side of the whole-job benchmark (issue 15): the job a quant would write in pandas.

From the same three inputs as the project's job (a folder of bars CSVs, the symbols CSV, a
signals CSV) it reads the data, labels the signals by the project's triple barrier
(Sources/TradingDomain/Labels/TripleBarrier.swift), computes the project's 30 point-in-time
features (Sources/TradingDomain/Features), vectorized per symbol with pandas / numpy, builds the
project's time split with the purge and runs the fits of bench/reference.py (imported, not
copied). It prints each step's wall time and the holdout AUCs, as one JSON object on stdout
(human-readable lines on stderr).

    reference_job.py BARS_DIR SYMBOLS.csv SIGNALS.csv [--models rf,hgb,xgb,lr,svc,svc3000,mlp]
                     [--check OUTCOMES.csv FEATURES.csv]

--models "" skips the fits. --check compares the labels and features with the project's
`improvementd export outcomes|features` of the same signals (untimed, after the job): the
fraction of identical outcome labels, of exit dates equal and returns within 1e-9, and per
feature the fraction of cells equal within 1e-9 (NaN equal to NaN).

What the reference leaves out: events and external series are not inputs of this job (the
project's store holds none either), so `is_earnings_season` uses the results-season calendar
and `results_proximity` is NaN, as the project does for a symbol without a `results` event.
Symbols are read as `import symbols` reads them (`sector` or `industry`, `market_cap_category`).
"""
import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import glob  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference  # noqa: E402  (bench/reference.py: time split and the seven fits)

from sklearn.metrics import roc_auc_score  # noqa: E402

warnings.filterwarnings("ignore", category=RuntimeWarning)  # NaN arithmetic is intended

T_IMPORTS = time.perf_counter()

INDEX = "^NSEI"
HORIZON = 30
SUCCESS = 0.02
TARGET_PCT, STOP_PCT = 0.10, 0.05
EXPIRY_GRACE = 10
# The default results-season calendar (FeatureConfig / ResultsSeasonCalendar.nse), as MMDD ranges.
SEASONS = [(110, 215), (410, 515), (710, 815), (1010, 1115)]
COLUMNS = [
    "confidence", "strategy_encoded", "entry_price_normalized", "market_volatility",
    "market_momentum", "bull_market", "bear_market", "rsi", "macd", "volume_ratio",
    "price_momentum_20d", "volatility", "month", "quarter", "is_earnings_season",
    "confidence_x_momentum", "volatility_x_momentum", "rsi_x_confidence", "high_confidence",
    "positive_momentum", "low_volatility_market", "high_volume", "rsi_oversold", "rsi_overbought",
    "days_since_signal", "sector_performance", "market_cap_category", "correlation_with_index",
    "relative_strength_vs_sector", "results_proximity",
]


def days(series):
    """ISO dates (or date-times: the date part) as int64 days since 1970-01-01."""
    return pd.to_datetime(series.astype(str).str.slice(0, 10), format="%Y-%m-%d").values.astype(
        "datetime64[D]").astype(np.int64)


# ---------------------------------------------------------------------------------------- read

def read_bars(folder):
    frames = []
    for path in sorted(glob.glob(os.path.join(folder, "*.csv"))):
        f = pd.read_csv(path)
        f.columns = [c.strip().lower() for c in f.columns]
        f["symbol"] = f["symbol"] if "symbol" in f.columns else os.path.basename(path)[:-4]
        frames.append(f[["symbol", "date", "open", "high", "low", "close", "volume"]])
    bars = pd.concat(frames, ignore_index=True)
    bars["day"] = days(bars["date"])
    bars = bars.drop(columns="date").sort_values(["symbol", "day"], kind="mergesort").reset_index(drop=True)
    return bars


def read_symbols(path):
    s = pd.read_csv(path, dtype=str)
    s.columns = [c.strip().lower() for c in s.columns]
    blank = pd.Series("", index=s.index, dtype=str)
    sector = (s["sector"] if "sector" in s.columns else s.get("industry", blank)).fillna("").str.strip()
    cap = s.get("market_cap_category", blank).fillna("").str.strip().str.lower()
    return pd.DataFrame({"symbol": s["symbol"].str.strip(), "sector": sector.where(sector.str.len() > 0),
                         "cap": cap.map({"large": 2.0, "mid": 1.0, "small": 0.0}).astype(float)})


def read_signals(path):
    s = pd.read_csv(path, dtype={"signal_id": str, "symbol": str, "strategy": str})
    s["buy"] = s.get("signal_type", pd.Series("BUY", index=s.index)).fillna("BUY").str.upper().ne("SELL")
    s["entry"] = days(s["entry_date"])
    created = s["created_at"].fillna(s["entry_date"]) if "created_at" in s.columns else s["entry_date"]
    s["created"] = days(created)
    for c in ("target_price", "stop_loss", "confidence"):
        if c not in s.columns:
            s[c] = np.nan
    e = s["entry_price"]
    s["target"] = s["target_price"].fillna(pd.Series(np.where(s["buy"], e * (1 + TARGET_PCT), e * (1 - TARGET_PCT))))
    s["stop"] = s["stop_loss"].fillna(pd.Series(np.where(s["buy"], e * (1 - STOP_PCT), e * (1 + STOP_PCT))))
    return s


# --------------------------------------------------------------------------------------- label

def symbol_keys(bars, symbols):
    """Codes of the bar symbols, the (code, day) search key of every bar, and each symbol's block."""
    cats = pd.Index(bars["symbol"].unique())
    code = cats.get_indexer(bars["symbol"]).astype(np.int64)
    key = code * 1_000_000 + bars["day"].to_numpy()
    first = np.searchsorted(code, np.arange(len(cats)), "left")
    last = np.searchsorted(code, np.arange(len(cats)), "right")
    sig_code = cats.get_indexer(symbols)
    return cats, key, first, last, sig_code


def label(bars, sig, keys):
    """Triple barrier, vectorized: every (signal, window bar) pair at once, first touch per signal."""
    _, key, first, last, code = keys
    n = len(sig)
    has = code >= 0
    c = np.where(has, code, 0)
    entry = sig["entry"].to_numpy()
    wend = entry + HORIZON
    start = np.where(has, np.searchsorted(key, c * 1_000_000 + entry, "left"), 0)
    stop_ = np.where(has, np.searchsorted(key, c * 1_000_000 + wend, "right"), 0)
    count = stop_ - start
    rep = np.repeat(np.arange(n), count)
    pos = start[rep] + (np.arange(len(rep)) - np.repeat(np.cumsum(count) - count, count))
    o, h, l_, cl = (bars[k].to_numpy() for k in ("open", "high", "low", "close"))
    d = bars["day"].to_numpy()
    buy = sig["buy"].to_numpy()
    tgt, stp, ep = sig["target"].to_numpy(), sig["stop"].to_numpy(), sig["entry_price"].to_numpy()
    b = buy[rep]
    t_stop = np.where(b, l_[pos] <= stp[rep], h[pos] >= stp[rep])
    t_tgt = np.where(b, h[pos] >= tgt[rep], l_[pos] <= tgt[rep])
    hit_rows = np.flatnonzero(t_stop | t_tgt)
    hit_sig, first_hit = np.unique(rep[hit_rows], return_index=True)
    hit_rows = hit_rows[first_hit]

    outcome = np.full(n, -1, dtype=np.int64)  # -1: not labeled (pending / expired)
    exit_pos = np.full(n, -1, dtype=np.int64)
    exit_price = np.full(n, np.nan)
    reason = np.full(n, "", dtype=object)
    # barrier exits
    hp = pos[hit_rows]
    is_stop = t_stop[hit_rows]
    barrier = np.where(is_stop, stp[hit_sig], tgt[hit_sig])
    bh = buy[hit_sig]
    gap = (hp != start[hit_sig]) & np.where(is_stop == bh, o[hp] < barrier, o[hp] > barrier)
    outcome[hit_sig] = np.where(is_stop, 0, 1)
    exit_pos[hit_sig] = hp
    exit_price[hit_sig] = np.where(gap, o[hp], barrier)
    reason[hit_sig] = np.where(is_stop, "stop", "target")
    # time exits: no touch, the symbol's bars reach the window's end, at least one window bar
    sym_last = np.where(has, d[np.maximum(last[c] - 1, 0)], np.iinfo(np.int64).min)
    untouched = np.ones(n, dtype=bool)
    untouched[hit_sig] = False
    timed = untouched & has & (sym_last >= wend) & (count > 0)
    tp = stop_[timed] - 1
    ret = np.where(buy[timed], cl[tp] / ep[timed] - 1, 1 - cl[tp] / ep[timed])
    outcome[timed] = (ret > SUCCESS).astype(np.int64)
    exit_pos[timed] = tp
    exit_price[timed] = cl[tp]
    reason[timed] = "time"
    labeled = outcome >= 0
    exit_day = np.where(labeled, d[np.maximum(exit_pos, 0)], -1)
    ret_pct = np.where(buy, exit_price / ep - 1, 1 - exit_price / ep) * 100
    return pd.DataFrame({"signal_id": sig["signal_id"], "entry": entry, "outcome": outcome,
                         "exit": exit_day, "exit_price": exit_price, "return_pct": ret_pct,
                         "reason": reason})[labeled].reset_index(drop=True)


# ------------------------------------------------------------------------------------ features

def indicators(bars, index_bars):
    """Per-bar indicators of every symbol, grouped by symbol (rolling / ewm within each)."""
    x = bars[["symbol", "day", "close", "volume"]].copy()
    g = x.groupby("symbol", sort=False)
    close = x["close"]
    k = g.cumcount().to_numpy()  # position within the symbol

    def roll(col, n, fn="mean", **kw):
        r = getattr(x.groupby("symbol", sort=False)[col].rolling(n, **kw), fn)()
        return r.reset_index(level=0, drop=True).sort_index()

    def ewm(col, **kw):
        return x.groupby("symbol", sort=False)[col].ewm(adjust=False, **kw).mean().reset_index(
            level=0, drop=True).sort_index()

    out = pd.DataFrame(index=x.index)
    out["sma20"] = roll("close", 20)
    prev20 = g["close"].shift(20)
    out["mom20"] = (close / prev20.where(prev20 != 0) - 1)
    x["_lr"] = np.log(close / g["close"].shift(1))
    out["vol20"] = roll("_lr", 20, "std")
    x["_pv"] = g["volume"].shift(1)
    mv = roll("_pv", 20)
    out["volratio"] = x["volume"] / mv.where(mv != 0)
    # RSI(14), Wilder: the first averages are the plain means of the first 14 changes, then
    # avg = (13 x previous + current) / 14 (an ewm with alpha 1/14 seeded at position 14).
    diff = g["close"].diff()
    x["_g"], x["_l"] = diff.clip(lower=0), (-diff).clip(lower=0)
    for col in ("_g", "_l"):
        seed = roll(col, 14)
        x[col + "s"] = np.where(k == 14, seed, np.where(k > 14, x[col], np.nan))
    ag, al = ewm("_gs", alpha=1 / 14), ewm("_ls", alpha=1 / 14)
    tot = ag + al
    out["rsi"] = (100 * ag / tot.where(tot != 0)).where(k >= 14)
    # MACD histogram / close, NaN for the first 33 bars
    x["_line"] = ewm("close", span=12) - ewm("close", span=26)
    sig = ewm("_line", span=9)
    out["macd"] = ((x["_line"] - sig) / close.where(close != 0)).where(k >= 33)
    x = x.drop(columns=["_lr", "_pv", "_g", "_l", "_gs", "_ls", "_line"])

    # correlation of the last 60 simple daily returns with the index's, on common dates
    ib = index_bars.reset_index(drop=True)
    iret = pd.DataFrame({"day": ib["day"], "iret": ib["close"] / ib["close"].shift(1) - 1})
    pairs = pd.DataFrame({"symbol": x["symbol"], "day": x["day"], "ret": close / g["close"].shift(1) - 1})
    pairs = pairs.merge(iret, on="day", how="inner")
    pairs = pairs[np.isfinite(pairs["ret"]) & np.isfinite(pairs["iret"])]
    pairs = pairs.sort_values(["symbol", "day"], kind="mergesort").reset_index(drop=True)
    pairs["corr"] = pairs.groupby("symbol", sort=False, group_keys=False)[["ret", "iret"]].apply(
        lambda p: p["ret"].rolling(60).corr(p["iret"]))
    # each bar takes the correlation of the last pair on or before it
    cm = pd.merge_asof(x[["day", "symbol"]].reset_index().sort_values("day"),
                       pairs[["day", "symbol", "corr"]].sort_values("day"),
                       on="day", by="symbol", direction="backward").set_index("index").sort_index()
    out["corr60"] = cm["corr"].where(~x["symbol"].str.startswith("^"))  # none for an index
    return out


def index_indicators(ib):
    c = ib["close"].reset_index(drop=True)
    lr = np.log(c / c.shift(1))
    vol = lr.rolling(20).std()
    med = vol.rolling(250, min_periods=20).median()
    s50, s200 = c.rolling(50).mean(), c.rolling(200).mean()
    ok = s50.notna() & s200.notna()
    return pd.DataFrame({
        "day": ib["day"].to_numpy(), "mvol": vol, "mmom": c / c.shift(20) - 1,
        "bull": np.where(ok, ((c > s200) & (s50 > s200)).astype(float), np.nan),
        "bear": np.where(ok, ((c < s200) & (s50 < s200)).astype(float), np.nan),
        "lowvol": np.where(vol.notna() & med.notna(), (vol < med).astype(float), np.nan),
    })


def sector_totals(bars, ind, syms):
    """Per sector and bar date: sum and count of the members' momentum at their last bar on or
    before that date (members without 20 bars of history left out)."""
    sector_of = syms.set_index("symbol")["sector"]
    # a sentinel keeps a member's own NaN from being forward-filled over
    m = pd.DataFrame({"symbol": bars["symbol"], "day": bars["day"], "mom": ind["mom20"].fillna(np.inf)})
    m = m[~m["symbol"].str.startswith("^")]
    m["sector"] = m["symbol"].map(sector_of)
    m = m[m["sector"].notna()]
    wide = m.pivot(index="day", columns="symbol", values="mom")
    wide = wide.reindex(np.union1d(wide.index, bars["day"].unique()))
    wide = wide.ffill().replace(np.inf, np.nan)
    members = m.drop_duplicates("symbol").groupby("sector")["symbol"].apply(sorted)
    sums = {s: wide[cols].sum(axis=1, min_count=0) for s, cols in members.items()}
    counts = {s: wide[cols].notna().sum(axis=1) for s, cols in members.items()}
    return wide.index.to_numpy(), sums, counts


def features(bars, syms, sig, keys):
    idx_bars = bars[bars["symbol"] == INDEX]
    ind = indicators(bars, idx_bars)
    ii = index_indicators(idx_bars)
    _, key, first, last, code = keys
    has = code >= 0
    c = np.where(has, code, 0)
    entry = sig["entry"].to_numpy()
    f = np.searchsorted(key, c * 1_000_000 + entry, "left") - 1
    fvalid = has & (f >= first[c]) & (f >= 0)
    f = np.where(fvalid, f, 0)
    d = bars["day"].to_numpy()
    fday = np.where(fvalid, d[f], entry - 1)

    def at(col):
        v = ind[col].to_numpy()[f]
        return np.where(fvalid, v, np.nan)

    n = len(sig)
    r = {}
    conf = sig["confidence"].to_numpy(dtype=float)
    r["confidence"] = conf
    strategies = np.sort(sig["strategy"].unique())  # codes: sorted names of one import
    r["strategy_encoded"] = np.searchsorted(strategies, sig["strategy"].to_numpy()).astype(float)
    sma = at("sma20")
    ep = sig["entry_price"].to_numpy()
    r["entry_price_normalized"] = np.where(sma != 0, ep / sma, np.nan)
    ip = np.searchsorted(ii["day"].to_numpy(), fday, "right") - 1
    iok = ip >= 0
    for name, col in (("market_volatility", "mvol"), ("market_momentum", "mmom"),
                      ("bull_market", "bull"), ("bear_market", "bear")):
        r[name] = np.where(iok, ii[col].to_numpy()[np.maximum(ip, 0)], np.nan)
    rsi, mom, vol, vr = at("rsi"), at("mom20"), at("vol20"), at("volratio")
    r["rsi"], r["macd"], r["volume_ratio"] = rsi, at("macd"), vr
    r["price_momentum_20d"], r["volatility"] = mom, vol
    ed = pd.to_datetime(entry, unit="D")
    month = ed.month.to_numpy()
    r["month"] = month.astype(float)
    r["quarter"] = ((month - 1) // 3 + 1).astype(float)
    md = month * 100 + ed.day.to_numpy()
    r["is_earnings_season"] = np.any([(a <= md) & (md <= b) for a, b in SEASONS], axis=0).astype(float)
    r["confidence_x_momentum"] = conf * mom
    r["volatility_x_momentum"] = vol * mom
    r["rsi_x_confidence"] = rsi / 100 * conf

    def flag(v, cond):
        return np.where(np.isnan(v), np.nan, cond.astype(float))

    r["high_confidence"] = flag(conf, conf >= 0.7)
    r["positive_momentum"] = flag(mom, mom > 0)
    r["low_volatility_market"] = np.where(iok, ii["lowvol"].to_numpy()[np.maximum(ip, 0)], np.nan)
    r["high_volume"] = flag(vr, vr > 1.5)
    r["rsi_oversold"] = flag(rsi, rsi < 30)
    r["rsi_overbought"] = flag(rsi, rsi > 70)
    r["days_since_signal"] = (entry - sig["created"].to_numpy()).astype(float)
    # sector: the other members' mean momentum at the feature date
    dates, sums, counts = sector_totals(bars, ind, syms)
    sec = sig["symbol"].map(syms.set_index("symbol")["sector"]).to_numpy(dtype=object)
    dp = np.searchsorted(dates, fday, "right") - 1
    sector = np.full(n, np.nan)
    caret = sig["symbol"].str.startswith("^").to_numpy()
    for name in sums:
        rows = np.flatnonzero((sec == name) & (dp >= 0))
        s = sums[name].to_numpy()[dp[rows]]
        k = counts[name].to_numpy()[dp[rows]].astype(float)
        own = ~np.isnan(mom[rows]) & ~caret[rows]  # then the symbol is a member with that bar
        s = np.where(own, s - np.nan_to_num(mom[rows]), s)
        k = np.where(own, k - 1, k)
        sector[rows] = np.where(k > 0, s / np.where(k > 0, k, 1), np.nan)
    r["sector_performance"] = sector
    r["market_cap_category"] = sig["symbol"].map(syms.set_index("symbol")["cap"]).to_numpy(dtype=float)
    r["correlation_with_index"] = at("corr60")
    r["relative_strength_vs_sector"] = mom - sector
    r["results_proximity"] = np.full(n, np.nan)  # no `results` events among the inputs
    out = pd.DataFrame(r)[COLUMNS]
    out.insert(0, "signal_id", sig["signal_id"].to_numpy())
    return out


# --------------------------------------------------------------------------------------- check

def close(a, b, tol=1e-9):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return (np.isnan(a) & np.isnan(b)) | (np.abs(a - b) <= tol)


def check(lab, feat, outcomes_path, features_path):
    po = pd.read_csv(outcomes_path, dtype={"signal_id": str})
    po["exit"] = days(po["exit_date"])
    m = lab.merge(po[["signal_id", "outcome", "exit", "return_pct"]], on="signal_id", how="outer",
                  suffixes=("", "_p"), indicator=True)
    both = m["_merge"] == "both"
    union = len(m)
    res = {"projectLabeled": int(len(po)), "referenceLabeled": int(len(lab)), "union": int(union),
           "outcomeAgreement": float((both & (m["outcome"] == m["outcome_p"])).sum() / max(union, 1)),
           "exitDateAgreement": float((both & (m["exit"] == m["exit_p"])).sum() / max(union, 1)),
           "returnAgreement": float((both & close(m["return_pct"], m["return_pct_p"])).sum() / max(union, 1))}
    pf = pd.read_csv(features_path, dtype={"signal_id": str}, na_values=["nan", "NaN", ""])
    fm = feat.merge(pf, on="signal_id", how="outer", suffixes=("", "_p"), indicator=True)
    fboth = fm["_merge"] == "both"
    per = {}
    for col in COLUMNS:
        if col + "_p" not in fm.columns:
            per[col] = None
            continue
        ok = fboth & close(fm[col], fm[col + "_p"])
        per[col] = float(ok.sum() / max(len(fm), 1))
    res.update({"projectFeatureRows": int(len(pf)), "referenceFeatureRows": int(len(feat)),
                "featureRowsUnion": int(len(fm)), "featureAgreement": per,
                "featuresDiffering": [c for c, v in per.items() if v is None or v < 1.0]})
    # the largest difference of each differing feature, to tell rounding from a definition
    diffs = {}
    for col in res["featuresDiffering"]:
        if per[col] is None:
            continue
        a, b = fm.loc[fboth, col].to_numpy(float), fm.loc[fboth, col + "_p"].to_numpy(float)
        bad = ~close(a, b)
        diffs[col] = {"cells": int(bad.sum()),
                      "nanOnOneSide": int((np.isnan(a) != np.isnan(b)).sum()),
                      "maxAbsDiff": float(np.nanmax(np.abs(a - b))) if bad.any() else 0.0}
    res["differences"] = diffs
    a = fm.loc[fboth, COLUMNS].to_numpy(float)
    b = fm.loc[fboth, [c + "_p" for c in COLUMNS]].to_numpy(float)
    res["maxAbsDiff"] = float(np.nanmax(np.abs(a - b))) if a.size else 0.0
    return res


# ---------------------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bars")
    ap.add_argument("symbols")
    ap.add_argument("signals")
    ap.add_argument("--models", default="rf,hgb,xgb,lr,svc,svc3000,mlp")
    ap.add_argument("--check", nargs=2, metavar=("OUTCOMES", "FEATURES"))
    a = ap.parse_args()
    steps = {"imports": T_IMPORTS - T_START}

    t = time.perf_counter()
    bars = read_bars(a.bars)
    syms = read_symbols(a.symbols)
    sig = read_signals(a.signals)
    steps["read"] = time.perf_counter() - t

    t = time.perf_counter()
    keys = symbol_keys(bars, sig["symbol"])
    lab = label(bars, sig, keys)
    steps["label"] = time.perf_counter() - t

    t = time.perf_counter()
    feat = features(bars, syms, sig, keys)
    steps["features"] = time.perf_counter() - t

    # the project's TrainingDataset: labeled signals with features, exit >= entry, sorted by
    # (entry date, signal id); then bench/reference.py's split and fits
    t = time.perf_counter()
    df = lab.merge(feat, on="signal_id", how="inner")
    df = df[df["exit"] >= df["entry"]].sort_values(["entry", "signal_id"], kind="mergesort").reset_index(drop=True)
    x = df[COLUMNS].to_numpy(dtype=np.float64)
    y = df["outcome"].to_numpy(dtype=np.int64)
    train, hold, purged = reference.time_split(df["entry"].to_numpy(), df["exit"].to_numpy())
    reference.KEEP = ~np.all(np.isnan(x[train]), axis=0)
    tx, ty, hx, hy = x[train], y[train], x[hold], y[hold]
    steps["split"] = time.perf_counter() - t

    out = {"signals": int(len(sig)), "bars": int(len(bars)), "labeled": int(len(lab)),
           "rows": int(len(y)), "trainRows": int(len(train)), "holdoutRows": int(len(hold)),
           "purgedRows": int(len(purged)), "models": []}
    t = time.perf_counter()
    for name in [m for m in a.models.split(",") if m]:
        t0 = time.perf_counter()
        model = reference.MODELS[name][1](tx, ty)
        secs = time.perf_counter() - t0
        t1 = time.perf_counter()
        auc = float(roc_auc_score(hy, model.predict_proba(hx)[:, 1]))
        out["models"].append({"model": name, "fitSeconds": secs, "auc": auc,
                              "holdoutSeconds": time.perf_counter() - t1})
        print(f"{name:8s} fit {secs:8.3f} s  holdout AUC {auc:.4f}", file=sys.stderr)
    steps["fit"] = time.perf_counter() - t
    steps["total"] = time.perf_counter() - T_START
    out["steps"] = steps
    for k, v in steps.items():
        print(f"{k:9s} {v:8.3f} s", file=sys.stderr)
    if a.check:
        out["check"] = check(lab, feat, *a.check)
        c = out["check"]
        print(f"labels: outcome {c['outcomeAgreement']:.6f}, exit date {c['exitDateAgreement']:.6f}, "
              f"return {c['returnAgreement']:.6f} of {c['union']} (project {c['projectLabeled']}, "
              f"reference {c['referenceLabeled']})", file=sys.stderr)
        print(f"features differing: {c['featuresDiffering'] or 'none'} {c['differences']}", file=sys.stderr)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
