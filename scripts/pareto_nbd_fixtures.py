#!/usr/bin/env python3
"""Pareto/NBD reference numbers for the clvfit Swift tests (ParetoNBDTests).

Two independent sources, one output file each; the Swift tests only read the JSON:

    /tmp/ltvenv/bin/python scripts/pareto_nbd_fixtures.py lifetimes
        -> Tests/Fixtures/lifetimes/pareto_nbd_cdnow.json
           lifetimes 0.11.3 ParetoNBDFitter: its Nelder-Mead fit on the CDNOW calibration
           summary (weeks), and its per-customer log-likelihood, P(alive) and E[Y(t)] at fixed
           parameters (lifetimes' own formulas: note 009 eqs. 18-20 with a signed
           log-sum-exp for A0, scipy hyp2f1).

    python3 scripts/pareto_nbd_fixtures.py mpmath          # needs mpmath (not in the lifetimes venv)
        -> Tests/Fixtures/mpmath/pareto_nbd_references.json
           the same quantities at 50 significant digits with mpmath, from the two-positive-term
           form of the likelihood (note 028 / PyMC-Marketing) with mp.hyp2f1, cross-checked
           against direct numerical integration of the G-integral (mp.quad) for every customer.

Input: Tests/Fixtures/lifetimes/cdnow_sample_summary_weeks.json (made by
scripts/lifetimes_fixtures.py), columns frequency_cal, recency_cal, T_cal.
"""

import json
import os
import platform
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures")

# Parameter sets (r, alpha, s, beta), weeks.
PARAMS = {
    "clvtools_fit": (0.55315, 10.57633, 0.60625, 11.67150),   # CLVTools' own CDNOW fit (PEERS.md §2)
    "published": (0.553, 10.578, 0.606, 11.669),             # Fader, Hardie & Lee 2005 / lifetimes test
    "btyd_walkthrough": (0.5534, 10.5802, 0.6061, 11.6562),  # BTYD walkthrough (lifetimes/PyMC tests)
    "btyd_docs": (0.55, 10.56, 0.61, 11.64),                 # BTYD.pdf pnbd.Expectation example
    "lifetimes_underflow": (0.55, 10.58, 0.61, 11.67),       # lifetimes test_conditional_expectation_underflow
    "lifetimes_overflow": (10.465, 7.98565181e-03, 3.0516, 2.820),  # lifetimes test_overflow_error
    "clvtools_issue100": (0.5143, 2.8845, 0.2856, 14.1087),  # CLVTools test_correctness_pnbd_nocovstaticcov.R
    "alpha_equals_beta": (0.8, 7.5, 1.3, 7.5),               # the branch point alpha = beta (z = 0)
    "s_near_one": (0.55, 10.58, 1.0 + 1e-9, 11.67),          # the s -> 1 limit of E[Y(t)]
    "z_near_one": (0.7, 0.02, 0.4, 30.0),                    # beta/alpha = 1500: 2F1 arguments near 1
}

# Customers (x, t_x, T) evaluated at every parameter set.
CUSTOMERS = [
    (0, 0.0, 38.86), (0, 0.0, 1.0), (1, 2.0, 39.0), (2, 30.43, 38.86), (7, 29.43, 35.71),
    (26, 30.86, 31.0), (26, 31.0, 31.0), (50, 38.0, 39.0), (132, 200.0, 200.0), (133, 200.0, 200.0),
    (400, 5.0, 6.0), (500, 1.0, 37.0), (500, 4.0, 37.0), (40, 5.0, 6.0), (50, 1.0, 37.0),
    (221, 103.42857, 103.57143), (254, 97.14286, 97.28571), (161, 94.71429, 98.0), (204, 98.57143, 99.42857),
    (3, 0.5, 1000.0), (1000, 50.0, 52.0),
]
HORIZONS = [1.0, 10.0, 39.0, 52.0]
NEW_CUSTOMER_T = [0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 39, 78, 520]


def dumps(obj, indent=2, level=0):
    """Pretty JSON; a list of flat dicts/numbers is written one element per line."""
    pad, inner = " " * (indent * level), " " * (indent * (level + 1))
    if isinstance(obj, dict) and obj:
        items = [inner + json.dumps(k) + ": " + dumps(v, indent, level + 1) for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and obj:
        if all(isinstance(v, (int, float, bool, type(None))) for v in obj):
            return json.dumps(obj, allow_nan=False)
        if all(isinstance(v, dict) and all(not isinstance(x, (dict, list)) for x in v.values()) for v in obj):
            return "[\n" + ",\n".join(inner + json.dumps(v, allow_nan=False) for v in obj) + "\n" + pad + "]"
        return "[\n" + ",\n".join(inner + dumps(v, indent, level + 1) for v in obj) + "\n" + pad + "]"
    return json.dumps(obj, allow_nan=False)


def write_json(subpath, obj):
    path = os.path.join(FIXTURES, subpath)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    text = dumps(obj) + "\n"
    json.loads(text)
    fd, tmp = tempfile.mkstemp(prefix=".pnbd.", dir=os.path.dirname(path))
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    print("wrote %s (%d bytes)" % (os.path.relpath(path, ROOT), len(text)), file=sys.stderr)


def finite(v):
    v = float(v)
    return v if v == v and abs(v) != float("inf") else None


def cdnow_summary():
    with open(os.path.join(FIXTURES, "lifetimes", "cdnow_sample_summary_weeks.json")) as f:
        rows = json.load(f)["rows"]
    return ([r["frequency_cal"] for r in rows], [r["recency_cal"] for r in rows], [r["T_cal"] for r in rows])


# ----------------------------------------------------------------------------- lifetimes

def lifetimes_fixture():
    import numpy as np
    import scipy
    import lifetimes
    from lifetimes import ParetoNBDFitter

    x, tx, T = (np.asarray(c, dtype=float) for c in cdnow_summary())
    xi = x.astype(int)

    def ll_sum(params):
        # lifetimes' static NLL is a weighted MEAN (÷ mean weight = 1 here) of -LL: the sum is -value.
        return -float(ParetoNBDFitter._negative_log_likelihood(params, xi, tx, T, np.ones_like(xi), 0.0))

    def ll_one(params, x1, tx1, T1):
        return float(ParetoNBDFitter._conditional_log_likelihood(params, np.array([x1]), np.array([tx1]), np.array([T1]))[0])

    # The fit: lifetimes scales time by 1/max(T) internally; Nelder-Mead from N(1, 0.05) starts.
    np.random.seed(20240601)
    fitter = ParetoNBDFitter()
    fitter.fit(xi, tx, T, iterative_fitting=3, tol=1e-10, maxiter=20000)
    fitted = [float(fitter.params_[k]) for k in ("r", "alpha", "s", "beta")]

    fixed = {}
    for name, p in PARAMS.items():
        f = ParetoNBDFitter()
        f.params_ = __import__("pandas").Series(list(p), index=["r", "alpha", "s", "beta"])
        customers = []
        for (cx, ctx, cT) in CUSTOMERS:
            with np.errstate(all="ignore"):
                row = {"frequency": cx, "recency": ctx, "T": cT,
                       "ll": finite(ll_one(p, cx, ctx, cT)),
                       "p_alive": finite(f.conditional_probability_alive(cx, ctx, cT))}
                for t in HORIZONS:
                    row["cet_%g" % t] = finite(f.conditional_expected_number_of_purchases_up_to_time(t, cx, ctx, cT))
            customers.append(row)
        with np.errstate(all="ignore"):
            ex = [{"t": t, "expected_purchases": finite(f.expected_number_of_purchases_up_to_time(t))} for t in NEW_CUSTOMER_T]
        fixed[name] = {"params": dict(zip(("r", "alpha", "s", "beta"), p)), "customers": customers,
                       "expected_number_of_purchases_up_to_time": ex}

    write_json("lifetimes/pareto_nbd_cdnow.json", {
        "description": "lifetimes 0.11.3 ParetoNBDFitter on the CDNOW calibration summary (weeks), and its predictions at fixed parameters",
        "generated_by": "scripts/pareto_nbd_fixtures.py lifetimes",
        "environment": {"python": platform.python_version(), "lifetimes": lifetimes.__version__,
                        "numpy": np.__version__, "scipy": scipy.__version__},
        "input": "Tests/Fixtures/lifetimes/cdnow_sample_summary_weeks.json (frequency_cal, recency_cal, T_cal)",
        "notes": [
            "fit: ParetoNBDFitter().fit(frequency, recency, T, iterative_fitting=3, tol=1e-10, maxiter=20000) after np.random.seed(20240601); Nelder-Mead, no gradient",
            "ll_sum values are SUMMED log-likelihoods in weeks: -ParetoNBDFitter._negative_log_likelihood(params, x, t_x, T, ones, 0) (its weighted sum divided by the mean weight, 1 here); per-customer ll is _conditional_log_likelihood",
            "lifetimes' value is None where it returns NaN or inf (its A0 difference or hyp2f1 breaks down)",
        ],
        "fit": {"params": dict(zip(("r", "alpha", "s", "beta"), fitted)), "ll_sum": ll_sum(fitted),
                "internal_negative_log_likelihood": float(fitter._negative_log_likelihood_)},
        "ll_sum_at": {name: ll_sum(p) for name, p in PARAMS.items() if name in ("clvtools_fit", "published", "btyd_walkthrough")},
        "fixed_params": fixed,
    })


# ----------------------------------------------------------------------------- mpmath

def mpmath_fixture():
    import mpmath as mp
    mp.mp.dps = 50

    def log_terms(p, x, tx, T):
        r, a, s, b = (mp.mpf(v) for v in p)
        x, tx, T = mp.mpf(x), mp.mpf(tx), mp.mpf(T)
        rsx = r + s + x
        # The two positive terms, note 028 eq. (3) / PyMC-Marketing: L = K/rsx * (s*A1 + (r+x)*A2)
        if a >= b:
            A1 = mp.hyp2f1(rsx, s + 1, rsx + 1, (a - b) / (a + tx)) / (a + tx) ** rsx
            A2 = mp.hyp2f1(rsx, s, rsx + 1, (a - b) / (a + T)) / (a + T) ** rsx
        else:
            A1 = mp.hyp2f1(rsx, r + x, rsx + 1, (b - a) / (b + tx)) / (b + tx) ** rsx
            A2 = mp.hyp2f1(rsx, r + x + 1, rsx + 1, (b - a) / (b + T)) / (b + T) ** rsx
        logK = mp.loggamma(r + x) - mp.loggamma(r) + r * mp.log(a) + s * mp.log(b)
        return r, a, s, b, x, tx, T, logK, s * A1 / rsx, (r + x) * A2 / rsx

    def note009_check(p, x, tx, T, t1, t2):
        """Relative difference between the two-term form and note 009's own form
        (alive part + s/(r+s+x) * A0, A0 a DIFFERENCE of two 2F1 terms, eqs. 18-20): at 50 digits
        the cancellation in A0 is harmless, so this checks the rearrangement independently."""
        r, a, s, b = (mp.mpf(v) for v in p)
        x, tx, T = mp.mpf(x), mp.mpf(tx), mp.mpf(T)
        rsx = r + s + x
        hi, lo = max(a, b), min(a, b)
        second = s + 1 if a >= b else r + x
        A0 = (mp.hyp2f1(rsx, second, rsx + 1, (hi - lo) / (hi + tx)) / (hi + tx) ** rsx
              - mp.hyp2f1(rsx, second, rsx + 1, (hi - lo) / (hi + T)) / (hi + T) ** rsx)
        note009 = (a + T) ** (-(r + x)) * (b + T) ** (-s) + s / rsx * A0
        return abs(note009 / (t1 + t2) - 1)

    def quad_check(p, x, tx, T, t1, t2):
        """The G-integral s*G(r+x, s+1; a+tx, b+tx) + (r+x)*G(r+x+1, s; a+T, b+T) by numerical
        quadrature (u = e^v), a loose independent check of the hypergeometric closed forms."""
        r, a, s, b = (mp.mpf(v) for v in p)
        x, tx, T = mp.mpf(x), mp.mpf(tx), mp.mpf(T)
        def G(pp, qq, A, B):
            c = mp.log(min(A, B) / (pp + qq))
            pts = [-mp.inf] + [c + k for k in range(-40, 200, 2)] + [mp.inf]
            return mp.quad(lambda v: mp.exp(v) * (A + mp.exp(v)) ** (-pp) * (B + mp.exp(v)) ** (-qq), pts)
        q1 = s * G(r + x, s + 1, a + tx, b + tx)
        q2 = (r + x) * G(r + x + 1, s, a + T, b + T)
        return max(abs(q1 / t1 - 1), abs(q2 / t2 - 1))

    out = {}
    worst, worst_quad = 0, 0
    for name, p in PARAMS.items():
        customers = []
        for (cx, ctx, cT) in CUSTOMERS:
            r, a, s, b, x, tx, T, logK, t1, t2 = log_terms(p, cx, ctx, cT)
            worst = max(worst, note009_check(p, cx, ctx, cT, t1, t2))
            if cx <= 50:   # mp.quad is slow and loses digits on the sharply peaked integrands of large x
                worst_quad = max(worst_quad, quad_check(p, cx, ctx, cT, t1, t2))
            logL = logK + mp.log(t1 + t2)
            log_alive = -(r + x) * mp.log(a + T) - s * mp.log(b + T) - mp.log(t1 + t2)
            palive = mp.exp(log_alive)
            row = {"frequency": cx, "recency": ctx, "T": cT, "ll": float(logL), "log_p_alive": float(log_alive),
                   "p_alive": float(palive)}
            for t in HORIZONS:
                t = mp.mpf(t)
                if s == 1:
                    bracket = mp.log((b + T + t) / (b + T))
                else:
                    bracket = (1 - ((b + T) / (b + T + t)) ** (s - 1)) / (s - 1)
                row["cet_%g" % t] = float((r + x) * (b + T) / (a + T) * bracket * palive)
            customers.append(row)
        r, a, s, b = (mp.mpf(v) for v in p)
        ex = []
        for t in NEW_CUSTOMER_T:
            t = mp.mpf(t)
            val = r * b / a * mp.log(1 + t / b) if s == 1 else r * b / (a * (s - 1)) * (1 - (b / (b + t)) ** (s - 1))
            ex.append({"t": float(t), "expected_purchases": float(val)})
        out[name] = {"params": dict(zip(("r", "alpha", "s", "beta"), p)), "customers": customers,
                     "expected_number_of_purchases_up_to_time": ex}
    assert worst < 1e-35 and worst_quad < 1e-6, (worst, worst_quad)

    # Summed CDNOW log-likelihood at the reference parameter sets.
    xs, txs, Ts = cdnow_summary()
    pats = {}
    for cx, ctx, cT in zip(xs, txs, Ts):
        pats[(cx, ctx, cT)] = pats.get((cx, ctx, cT), 0) + 1
    ll_sums = {}
    for name in ("clvtools_fit", "published", "btyd_walkthrough"):
        total = mp.mpf(0)
        for (cx, ctx, cT), w in pats.items():
            r, a, s, b, x, tx, T, logK, t1, t2 = log_terms(PARAMS[name], cx, ctx, cT)
            total += w * (logK + mp.log(t1 + t2))
        ll_sums[name] = float(total)

    write_json("mpmath/pareto_nbd_references.json", {
        "description": "Pareto/NBD log-likelihood, P(alive), E[Y(t)] and E[X(t)] at 50 significant digits (mpmath), rounded to doubles",
        "generated_by": "scripts/pareto_nbd_fixtures.py mpmath",
        "environment": {"python": platform.python_version(), "mpmath": mp.__version__, "dps": mp.mp.dps},
        "notes": [
            "ll = ln Gamma(r+x) - ln Gamma(r) + r ln alpha + s ln beta + ln(s*A1 + (r+x)*A2)/(r+s+x) with mp.hyp2f1 (the two positive terms, no A0 difference)",
            "check 1: note 009's own form (alive part + s/(r+s+x) A0, A0 a difference of 2F1 terms, eqs. 18-20) at 50 digits agrees to %s relative" % mp.nstr(worst, 3),
            "check 2: for x <= 50, numerical quadrature (mp.quad) of the G-integrals agrees to %s relative" % mp.nstr(worst_quad, 3),
            "cet_<t> = (r+x)(beta+T)/((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)] P(alive)",
        ],
        "ll_sum_cdnow": ll_sums,
        "fixed_params": out,
    })


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else ""
    if which == "lifetimes":
        lifetimes_fixture()
    elif which == "mpmath":
        mpmath_fixture()
    else:
        sys.exit("usage: pareto_nbd_fixtures.py lifetimes|mpmath")
