"""Reference values of Tests/ModelMetricsTests/IntervalsTests.swift, independent of the Swift code.

Run: python3 Tests/ModelMetricsTests/Fixtures/intervals_reference.py   (numpy, scipy)

DeLong is computed the straightforward O(n^2) way (the kernel psi over every positive/negative
pair), and cross-checked by the two-sample jackknife, which equals DeLong's variance exactly
(leaving out positive i moves the AUC by -(V10_i - AUC)/(m-1), so the jackknife sum is S10/m).
"""
import numpy as np
np.set_printoptions(legacy='1.13')
from scipy import stats


def psi(x, y):
    return np.where(x > y, 1.0, np.where(x == y, 0.5, 0.0))


def delong_components(labels, scores):
    labels = np.asarray(labels); scores = np.asarray(scores, dtype=float)
    pos = scores[labels == 1]; neg = scores[labels != 1]
    k = psi(pos[:, None], neg[None, :])          # m x n
    return k.mean(axis=1), k.mean(axis=0), k.mean()   # V10, V01, AUC


def delong(labels, scores):
    v10, v01, auc = delong_components(labels, scores)
    var = np.var(v10, ddof=1) / len(v10) + np.var(v01, ddof=1) / len(v01)
    return auc, var


def delong_paired(labels, a, b):
    a10, a01, auc_a = delong_components(labels, a)
    b10, b01, auc_b = delong_components(labels, b)
    s10 = np.cov(np.vstack([a10, b10]), ddof=1)
    s01 = np.cov(np.vstack([a01, b01]), ddof=1)
    s = s10 / len(a10) + s01 / len(a01)
    var = s[0, 0] + s[1, 1] - 2 * s[0, 1]
    return auc_a, auc_b, s[0, 0], s[1, 1], s[0, 1], var


def jackknife(labels, scores):
    labels = np.asarray(labels); scores = np.asarray(scores, dtype=float)
    pos = scores[labels == 1]; neg = scores[labels != 1]
    auc = lambda p, q: psi(p[:, None], q[None, :]).mean()
    tp = np.array([auc(np.delete(pos, i), neg) for i in range(len(pos))])
    tn = np.array([auc(pos, np.delete(neg, j)) for j in range(len(neg))])
    m, n = len(pos), len(neg)
    return (m - 1) / m * ((tp - tp.mean()) ** 2).sum() + (n - 1) / n * ((tn - tn.mean()) ** 2).sum()


z975 = stats.norm.ppf(0.975)

# Fixture 1: 20 rows with ties within and across classes (scores on a 0.05 grid).
labels1 = [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1]
a1 = [0.90, 0.80, 0.55, 0.55, 0.55, 0.10, 0.70, 0.40, 0.65, 0.30,
      0.65, 0.20, 0.85, 0.35, 0.45, 0.50, 0.05, 0.75, 0.60, 0.40]
b1 = [0.70, 0.75, 0.45, 0.45, 0.50, 0.20, 0.65, 0.45, 0.55, 0.40,
      0.60, 0.35, 0.60, 0.30, 0.40, 0.60, 0.25, 0.55, 0.50, 0.50]
auc, var = delong(labels1, a1)
assert abs(var - jackknife(labels1, a1)) < 1e-14
print(f"fixture1 a: auc {auc!r} var {var!r} ci [{auc - z975*np.sqrt(var)!r}, {auc + z975*np.sqrt(var)!r}]")
auc_a, auc_b, va, vb, cov, vd = delong_paired(labels1, a1, b1)
assert abs(vb - jackknife(labels1, b1)) < 1e-14
d = auc_a - auc_b; z = d / np.sqrt(vd)
print(f"fixture1 paired: aucA {auc_a!r} aucB {auc_b!r} varA {va!r} varB {vb!r} cov {cov!r} varDiff {vd!r}")
print(f"  z {z!r} pGreater {stats.norm.sf(z)!r} pTwoSided {2*stats.norm.sf(abs(z))!r} "
      f"ci [{d - z975*np.sqrt(vd)!r}, {d + z975*np.sqrt(vd)!r}]")

# Fixture 2: Hanley & McNeil (1982), Radiology 143:29-36, Table 1: CT ratings 1-5 of 58
# normal and 51 abnormal patients; their published AUC is 0.893 (SE 0.032 by their own
# exponential approximation, a different estimator from DeLong's).
normal_counts = [33, 6, 6, 11, 2]; abnormal_counts = [3, 2, 2, 11, 33]
labels2 = [0] * 58 + [1] * 51
scores2 = [r + 1 for r, c in enumerate(normal_counts) for _ in range(c)] + \
          [r + 1 for r, c in enumerate(abnormal_counts) for _ in range(c)]
auc, var = delong(labels2, scores2)
assert abs(var - jackknife(labels2, scores2)) < 1e-14
q1 = auc / (2 - auc); q2 = 2 * auc ** 2 / (1 + auc)
hm = (auc * (1 - auc) + 50 * (q1 - auc ** 2) + 57 * (q2 - auc ** 2)) / (51 * 58)
print(f"hanley-mcneil: auc {auc!r} delong var {var!r} se {np.sqrt(var)!r} hanley-mcneil se {np.sqrt(hm)!r}")

# Wilson intervals (scipy.stats.binomtest(...).proportion_ci(method="wilson")).
for k, n in [(8, 10), (0, 10), (10, 10), (81, 263), (15, 148), (0, 20), (1, 29)]:
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    print(f"wilson {k}/{n}: [{ci.low!r}, {ci.high!r}]")
ci = stats.binomtest(8, 10).proportion_ci(confidence_level=0.90, method="wilson")
print(f"wilson 8/10 at 90%: [{ci.low!r}, {ci.high!r}]")

# The normal distribution.
for p in [0.975, 0.995, 0.9, 0.5, 0.025, 1e-10, 0.02425, 0.97575, 1 - 1e-12]:
    print(f"ppf({p!r}) = {stats.norm.ppf(p)!r}")
for x in [0.0, 1.0, -1.959963984540054, 3.0, -8.0, 0.5]:
    print(f"cdf({x!r}) = {stats.norm.cdf(x)!r}")
