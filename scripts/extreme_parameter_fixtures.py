#!/usr/bin/env python3
"""High-precision references for predictions at extreme parameters (issue 10, item 6).

    /tmp/mpvenv/bin/python scripts/extreme_parameter_fixtures.py
        -> Tests/Fixtures/mpmath/extreme_parameters.json

Every number is computed with mpmath at 120 significant digits (mp.dps = 120) from the models'
closed forms, which at that precision lose at most ~30 digits to their cancellation (b up to
1e12, a within 1e-8 of 1), leaving 90; the removable singularities (BG/NBD and MBG/NBD at
a = 1 and a + b + x - 1 = 0) are evaluated at the parameter moved by 1e-60, an error of order
1e-60. Every 5th BG/NBD point is cross-checked against numerical integration of
E[(1 - (1 + p u)^-A) / p], p ~ Beta(a, B), in logit p (E_logit, tanh-sinh at 40 digits),
printed as the largest relative difference. The Swift tests read the JSON; they do not need Python.

  BG/BB    P(alive at n+1), E[X(n, n+t)], E[X(t)] from FHS 2010 eqs. 5 and 13 as sums of
           ln B terms (loggamma at 120 digits).

Formulas (see the doc comments of the Swift models):
  BG/NBD   P(alive) = 1/(1 + d(x>0) a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))          FHL 2005 eq. 13
           E[Y(t)]  = E(r+x, a, b+x; t/(alpha+T)) P(alive)                           FHL 2005 eq. 10
           E[X(t)]  = E(r, a, b; t/alpha)                                            FHL 2005 eq. 9
  MBG/NBD  P(alive) = 1/(1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x))                  Batislam et al. 2007
           E[Y(t)]  = E(r+x, a, b+x+1; t/(alpha+T)) P(alive)
           E[X(t)]  = b/(a+b) E(r, a, b+1; t/alpha)
  with E(A, a, B; u) = (a+B-1)/(a-1) [1 - (1+u)^-A 2F1(A, B; a+B-1; u/(1+u))].
"""

import json
import signal
import os
import sys

from mpmath import mp, mpf, hyp2f1, quad, beta as mbeta, log, exp, gamma as mgamma, loggamma

mp.dps = 120
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "mpmath", "extreme_parameters.json")

# Customer 1 of CDNOW (weeks) and two others; the horizons are 1 and 12 months of 30.436875 days.
MONTH = mpf("30.436875") / 7
CUSTOMERS = [
    (mpf(2), mpf("30.428571428571427"), mpf("38.857142857142854")),
    (mpf(0), mpf(0), mpf("38.857142857142854")),
    (mpf(30), mpf(38), mpf(39)),
]
HORIZONS = [MONTH, 12 * MONTH]
CDNOW = [mpf("0.242595"), mpf("4.413602"), mpf("0.792922"), mpf("2.425906764412072")]
GRID = ["1e-8", "1e-4", "0.01", "0.5", "1", "2", "100", "1e4", "1e8", "1e12"]
NAMES = ["r", "alpha", "a", "b"]


class Slow(Exception):
    pass


def _alarm(signum, frame):
    raise Slow()


signal.signal(signal.SIGALRM, _alarm)
METHODS = {"closed form": 0, "quadrature": 0}


def E(A, a, B, u):
    """The closed form at 120 digits; where mpmath's 2F1 takes over 3 s (huge r with z near 1),
    the positive integral over p instead (E_logit), at 40 digits."""
    signal.alarm(3)
    try:
        v = E_closed(A, a, B, u)
        signal.alarm(0)
        METHODS["closed form"] += 1
        return v
    except Slow:
        METHODS["quadrature"] += 1
        return E_logit(A, a, B, u)
    finally:
        signal.alarm(0)


def E_logit(A, a, B, u):
    """E by tanh-sinh quadrature in d = logit p - logit p0, p0 = a/(a+B) (the density of logit p
    is p^a (1-p)^B / B(a, B), log-concave, mode at d = 0), over intervals doubling outwards."""
    mp.dps = 40
    try:
        p0 = a / (a + B)
        def p_of(d):
            return p0 * exp(d) / (1 + p0 * (exp(d) - 1))
        def w(d):
            return exp(a * d - (a + B) * log(1 + p0 * (exp(d) - 1)))
        def g(d):
            p = p_of(d)
            return -mp.expm1(-A * mp.log1p(p * u)) / p
        h = min(mpf(1), mp.sqrt((a + B) / (a * B)))
        pts = [mpf(0)]
        k = h
        while w(k) > mpf("1e-60"):
            pts.append(k); k *= 2
        pts.append(k)
        k = h
        while w(-k) > mpf("1e-60"):
            pts.insert(0, -k); k *= 2
        pts.insert(0, -k)
        num = quad(lambda d: g(d) * w(d), pts)
        den = quad(w, pts)
        return num / den
    finally:
        mp.dps = 120


def E_closed(A, a, B, u):
    if a == 1:
        a = a + mpf("1e-60")
    c = a + B - 1
    if c == 0:
        a = a + mpf("1e-60")
        c = a + B - 1
    return c / (a - 1) * (1 - (1 + u) ** (-A) * hyp2f1(A, B, c, u / (1 + u)))


def E_quad(A, a, B, u):
    mp.dps = 40
    try:
        f = lambda p: (1 - (1 + p * u) ** (-A)) / p * p ** (a - 1) * (1 - p) ** (B - 1)
        m = a / (a + B)
        pts = sorted(set([mpf(0), m / 10, m, min(10 * m, (1 + m) / 2), mpf(1)]))
        return quad(f, pts) / mbeta(a, B)
    finally:
        mp.dps = 120


def bgnbd(params, x, tx, T, t):
    r, al, a, b = params
    alive = 1 / (1 + a / (b + x - 1) * ((al + T) / (al + tx)) ** (r + x)) if x > 0 else mpf(1)
    return alive, E(r + x, a, b + x, t / (al + T)) * alive, E(r, a, b, t / al)


def mbgnbd(params, x, tx, T, t):
    r, al, a, b = params
    alive = 1 / (1 + a / (b + x) * ((al + T) / (al + tx)) ** (r + x))
    return alive, E(r + x, a, b + x + 1, t / (al + T)) * alive, b / (a + b) * E(r, a, b + 1, t / al)


def s(v):
    return mp.nstr(v, 25, min_fixed=-5, max_fixed=5) if v != 0 else "0"


def points():
    out = []
    for model, fn in [("bgnbd", bgnbd), ("mbgnbd", mbgnbd)]:
        sets = [("cdnow", list(CDNOW))]
        for k, name in enumerate(NAMES):
            for g in GRID:
                p = list(CDNOW)
                p[k] = mpf(g)
                sets.append((f"{name}={g}", p))
        # The numbers: b = 1e8 and 1e9, and the no-dropout limit.
        for g in ["1e8", "1e9"]:
            sets.append((f"issue b={g}", CDNOW[:3] + [mpf(g)]))
        # Removable singularities and a two-parameter corner.
        sets.append(("a=1 b=0.5", [CDNOW[0], CDNOW[1], mpf(1), mpf("0.5")]))
        sets.append(("a+b=1", [CDNOW[0], CDNOW[1], mpf("0.3"), mpf("0.7")]))
        sets.append(("a=b=1e8", [CDNOW[0], CDNOW[1], mpf("1e8"), mpf("1e8")]))
        sets.append(("r=alpha=1e8", [mpf("1e8"), mpf("1e8"), CDNOW[2], CDNOW[3]]))
        for label, p in sets:
            for (x, tx, T) in CUSTOMERS:
                for t in HORIZONS:
                    alive, cet, new = fn(p, x, tx, T, t)
                    out.append({"model": model, "label": label, "parameters": [s(v) for v in p],
                                "x": float(x), "tx": float(tx), "T": float(T), "t": s(t),
                                "p_alive": s(alive), "expected_purchases": s(cet), "expected_new": s(new)})
    return out


def crosscheck(pts):
    """Every 5th BG/NBD point's E[Y(t)] by E_logit (40-digit tanh-sinh, independent of 2F1)."""
    worst = mpf(0)
    for k, pt in enumerate(pts):
        if k % 5 or pt["model"] != "bgnbd":
            continue
        r, al, a, b = [mpf(v) for v in pt["parameters"]]
        x, T, t = mpf(pt["x"]), mpf(pt["T"]), mpf(pt["t"])
        q = E_logit(r + x, a, b + x, t / (al + T)) * mpf(pt["p_alive"])
        ref = mpf(pt["expected_purchases"])
        worst = max(worst, abs(q - ref) / ref)
    print("largest relative difference, logit quadrature vs reference:", mp.nstr(worst, 3), file=sys.stderr)


def main():
    pts = points() + bgbb_points()
    crosscheck(pts)
    import mpmath
    doc = {"source": "scripts/extreme_parameter_fixtures.py, mpmath " + mpmath.__version__,
           "precision_digits": 120, "points": pts}
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
    print("methods:", METHODS, file=sys.stderr)
    print(f"{len(pts)} points -> {OUT}", file=sys.stderr)




# BG/BB (FHS 2010 eq. 5, 13): alpha, beta, gamma, delta; customers (x, t_x, n); horizons whole.
def lbeta(a, b):
    return loggamma(a) + loggamma(b) - loggamma(a + b)


def bgbb(params, x, tx, n, t):
    al, be, ga, de = params
    base = lbeta(al, be) + lbeta(ga, de)
    terms = [exp(lbeta(al + x, be + n - x) + lbeta(ga, de + n) - base)]
    for i in range(int(n - tx)):
        terms.append(exp(lbeta(al + x, be + tx - x + i) + lbeta(ga + 1, de + tx + i) - base))
    L = mp.fsum(terms)
    alive_next = exp(lbeta(al + x, be + n - x) + lbeta(ga, de + n + 1) - base) / L
    alive_now = terms[0] / L
    opp = mp.fsum(exp(lbeta(ga, de + n + s_) - lbeta(ga, de + n)) for s_ in range(1, int(t) + 1))
    new = al / (al + be) * mp.fsum(exp(lbeta(ga, de + s_) - lbeta(ga, de)) for s_ in range(1, int(t) + 1))
    return alive_next, (al + x) / (al + be + n) * alive_now * opp, new


def bgbb_points():
    out = []
    fit = [mpf("1.204"), mpf("0.750"), mpf("0.657"), mpf("2.783")]
    sets = [("fit", fit)]
    for k, name in enumerate(["alpha", "beta", "gamma", "delta"]):
        for g in ["1e-8", "0.01", "100", "1e4", "1e8", "1e12"]:
            p = list(fit)
            p[k] = mpf(g)
            sets.append((f"{name}={g}", p))
    sets.append(("all=1e10", [mpf("1e10")] * 4))
    for label, p in sets:
        for (x, tx, n) in [(0, 0, 6), (3, 5, 6), (6, 6, 6), (20, 40, 50)]:
            for t in [1, 5]:
                alive, cet, new = bgbb(p, mpf(x), mpf(tx), mpf(n), t)
                out.append({"model": "bgbb", "label": label, "parameters": [s(v) for v in p],
                            "x": x, "tx": tx, "T": n, "t": t,
                            "p_alive": s(alive), "expected_purchases": s(cet), "expected_new": s(new)})
    return out


if __name__ == "__main__":
    main()
