#!/usr/bin/env python3
"""Independent reference values for the TradingDomain indicator tests (README.md, "Features").

Computes, with pandas, for MARICO at 20 fixed bar dates: SMA20, EMA12, Wilder RSI14,
MACD histogram / close, 20-bar log-return sample std, volume ratio (volume / mean of the 20
volumes before), 20-bar momentum and the 60-common-date correlation of simple daily returns
with ^NSEI. Run from the package root:

    python3 Tests/TradingDomainTests/Fixtures/make_reference.py > Tests/TradingDomainTests/Fixtures/reference_MARICO.csv
"""
import sys

import numpy as np
import pandas as pd

ROOT = "examples/data/ohlcv/"
SYMBOL = "MARICO"


def load(symbol):
    df = pd.read_csv(ROOT + symbol + ".csv", parse_dates=["date"])
    return df.sort_values("date").set_index("date")


def wilder_rsi(close, n=14):
    # Plain loop, deliberately not the Swift shape: seed with plain means of the first n
    # gains/losses, then avg = ((n-1) * prev + cur) / n; RSI = 100 * g / (g + l).
    diff = close.diff().to_numpy()
    out = np.full(len(close), np.nan)
    if len(close) <= n:
        return pd.Series(out, index=close.index)
    gains = np.where(diff > 0, diff, 0.0)
    losses = np.where(diff < 0, -diff, 0.0)
    g = gains[1:n + 1].mean()
    l = losses[1:n + 1].mean()
    out[n] = np.nan if g + l == 0 else 100 * g / (g + l)
    for i in range(n + 1, len(close)):
        g = ((n - 1) * g + gains[i]) / n
        l = ((n - 1) * l + losses[i]) / n
        out[i] = np.nan if g + l == 0 else 100 * g / (g + l)
    return pd.Series(out, index=close.index)


def main():
    s = load(SYMBOL)
    idx = load("^NSEI")
    close, volume = s["close"], s["volume"]

    sma20 = close.rolling(20).mean()
    ema12 = close.ewm(span=12, adjust=False).mean()
    ema26 = close.ewm(span=26, adjust=False).mean()
    line = ema12 - ema26
    signal = line.ewm(span=9, adjust=False).mean()
    macd = (line - signal) / close
    macd.iloc[:33] = np.nan  # warm-up: NaN before 26 + 9 - 1 bars
    rsi = wilder_rsi(close)
    logret = np.log(close / close.shift(1))
    vol20 = logret.rolling(20).std(ddof=1)
    vratio = volume / volume.shift(1).rolling(20).mean()
    mom20 = close / close.shift(20) - 1

    sret = close.pct_change()
    iret = idx["close"].pct_change()
    both = pd.concat([sret.rename("s"), iret.rename("i")], axis=1, join="inner").dropna()
    corr = both["s"].rolling(60).corr(both["i"])
    # Value at a symbol bar date: the correlation over the last 60 common dates up to it.
    corr_at = corr.reindex(close.index, method="ffill")

    positions = [0, 13, 14, 19, 20, 33, 40, 60, 61, 150, 300, 555, 800, 1000, 1234, 1500, 1800, 2000, 2300, len(close) - 1]
    cols = {
        "sma20": sma20, "ema12": ema12, "rsi14": rsi, "macd_hist_over_close": macd,
        "logret_std20": vol20, "volume_ratio": vratio, "momentum20": mom20, "corr60_index": corr_at,
    }
    out = sys.stdout
    out.write("position,date," + ",".join(cols) + "\n")
    for p in positions:
        vals = []
        for series in cols.values():
            v = series.iloc[p]
            vals.append("nan" if pd.isna(v) else repr(float(v)))
        out.write(f"{p},{close.index[p].date().isoformat()}," + ",".join(vals) + "\n")


if __name__ == "__main__":
    main()
