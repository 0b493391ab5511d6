"""
Reference values of test/release/analysis-statistics.test.ts, computed independently of the
library with scipy (scipy 1.17.1, numpy 2.4.6 when they were recorded). The tests hold the
printed numbers; they never run this file. To check them again:

    python3 -m venv /tmp/scipy && /tmp/scipy/bin/pip install scipy
    /tmp/scipy/bin/python test/release/reference/mann-whitney.py

Per data set: scipy.stats.mannwhitneyu(x, y, alternative='two-sided', method=..., use_continuity=True)
gives U1 and p; z is the tie-corrected, continuity-corrected standard score signed by x's
direction (scipy does not return it; computed here with scipy.stats.rankdata); r is the
rank-biserial correlation 2 U1 / (n1 n2) - 1; hl the Hodges-Lehmann shift (numpy median of
all differences x_i - y_j).
"""
import numpy as np
import scipy
from scipy import stats

print("scipy", scipy.__version__, "numpy", np.__version__)


def show(name, x, y, method):
    result = stats.mannwhitneyu(x, y, alternative="two-sided", method=method, use_continuity=True)
    n1, n2 = len(x), len(y)
    both = np.concatenate([x, y])
    u1 = stats.rankdata(both)[:n1].sum() - n1 * (n1 + 1) / 2
    n = n1 + n2
    _, t = np.unique(both, return_counts=True)
    s = np.sqrt(n1 * n2 / 12 * ((n + 1) - (t**3 - t).sum() / (n * (n - 1))))
    d = u1 - n1 * n2 / 2
    z = np.sign(d) * max(0, abs(d) - 0.5) / s if s > 0 else 0.0
    hl = float(np.median(np.subtract.outer(np.array(x), np.array(y)).ravel()))
    print(
        f"{name}: method={method} n1={n1} n2={n2} U1={float(result.statistic)!r} p={float(result.pvalue)!r} "
        f"z={float(z)!r} r={2 * u1 / (n1 * n2) - 1!r} hl={hl!r} "
        f"median_x={float(np.median(x))!r} median_y={float(np.median(y))!r}"
    )


A_x = [12.1, 15.3, 9.8, 20.4, 18.7]
A_y = [8.2, 7.5, 10.1, 9.0, 6.4, 11.3]
show("A", A_x, A_y, "exact")
B_x = [round(100 + (7 * i % 20) * 1.1 + 0.37, 2) for i in range(20)]
B_y = [round(97 + (3 * i % 20) * 1.1 + 0.61, 2) for i in range(20)]
assert len(set(B_x + B_y)) == 40
print("B_x", B_x)
print("B_y", B_y)
show("B", B_x, B_y, "exact")
show("B", B_x, B_y, "asymptotic")
C_x = [0, 0, 0.5, 1.2, 0, 2.0, 0.8, 0, 1.5, 0.9, 0, 1.1]
C_y = [0, 0, 0, 0.1, 0, 0, 0.2, 0, 0, 0, 0.1, 0]
show("C", C_x, C_y, "asymptotic")
D_x = [round(50 + (13 * i % 30) * 0.7 + 0.125, 3) for i in range(30)]
D_y = [round(47 + (11 * i % 25) * 0.7 + 0.375, 3) for i in range(25)]
assert len(set(D_x + D_y)) == 55
print("D_x", D_x)
print("D_y", D_y)
show("D", D_x, D_y, "asymptotic")
show("E", [1.0, 1.0, 1.0], [1.0, 1.0, 1.0], "asymptotic")
F_x = [0.11, 0.32, 0.05, 0.27, 0.19, 0.41, 0.08, 0.23, 0.36, 0.14, 0.29, 0.02]
F_y = [0.12, 0.31, 0.06, 0.26, 0.18, 0.42, 0.09, 0.22, 0.35, 0.15, 0.28, 0.03]
show("F", F_x, F_y, "exact")
G_x = [101, 99, 97, 102, 98, 100, 96, 103]
G_y = [110, 108, 112, 107, 111, 109, 113, 106]
show("G", G_x, G_y, "exact")
show("H", [float(v) for v in range(101, 141)], [float(v) for v in range(1, 41)], "asymptotic")
for n in (3, 4, 5):
    x = list(range(n + 1, 2 * n + 1))
    y = list(range(1, n + 1))
    print(f"separated n={n}: p={float(stats.mannwhitneyu(x, y, method='exact').pvalue)!r}")
for z in [0.5, 1.0, 1.959963984540054, 3.0, 5.0, 8.0]:
    print(f"norm.sf({z!r}) = {float(stats.norm.sf(z))!r}")
