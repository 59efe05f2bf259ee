#!/usr/bin/env python3
"""Reference fixtures from Python lifetimes 0.11.3 for the MBG/NBD and BG/BB Swift tests.

How the numbers in Tests/Fixtures/lifetimes/mbgnbd_cdnow.json and
Tests/Fixtures/lifetimes/bgbb_donations.json were made. The Swift test suite
only reads the JSON files; it never runs Python.

    datasets/fetch.sh                                  # or: make datasets
    python3 -m venv /tmp/ltvenv
    /tmp/ltvenv/bin/pip install -r ../shared/lifetimes-requirements.txt  # lifetimes==0.11.3 + pins
    /tmp/ltvenv/bin/python scripts/lifetimes_fixtures.py          # makes cdnow_sample_summary_weeks.json
    /tmp/ltvenv/bin/python scripts/lifetimes_fixtures_family.py

Inputs: Tests/Fixtures/lifetimes/cdnow_sample_summary_weeks.json (the CDNOW calibration
summary lifetimes computes; the BG/NBD tests use the same one), datasets/donations.csv and
datasets/cdnow_customers_summary.csv (made by fetch.sh).

Conventions (as in scripts/lifetimes_fixtures.py):
- every ``ll_sum`` is the SUMMED log-likelihood in the data's own time unit, not
  lifetimes' internal weighted-mean NLL (which for MBG/NBD is on time rescaled to max T = 1);
- ``newton_polished_mle`` = Newton iterations with autograd's exact Hessian on the summed
  LL in log parameters, started from lifetimes' BFGS optimum; its ``standard_errors`` are
  sqrt(diag(J (-H)^-1 J)), J = diag(params), H the Hessian of the summed LL in log params
  (the delta method, the same definition clvfit's Estimator uses);
- ``lifetimes.standard_errors`` are lifetimes' own ``standard_errors_`` (its Hessian at its
  own, slightly less converged, optimum);
- BG/BB: lifetimes' likelihood adds a 1e-15 floor inside a log (``B = 1e-15 + sum ...``);
  ``ll_sum_exact`` is the floor-free formula (log-sum-exp of ln B terms, as BTYD and clvfit
  compute it) and is what the Swift tests compare with; the difference is recorded.
- null = lifetimes returned NaN/inf (not used by the tests).
"""

import contextlib
import hashlib
import io
import json
import math
import os
import platform
import sys
import tempfile
import warnings

import autograd.numpy as anp
import numpy as np
import pandas as pd
import scipy
from autograd import grad, hessian
from autograd.scipy.special import gammaln as agammaln
from scipy.special import betaln, gammaln, hyp2f1, logsumexp

import lifetimes
from lifetimes import BetaGeoBetaBinomFitter, ModifiedBetaGeoFitter
from lifetimes.utils import ConvergenceError

warnings.simplefilter("ignore")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "datasets")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "lifetimes")

FIT_TOLS = [1e-10, 1e-9, 1e-8, 1e-7]  # first that lifetimes accepts is used
MBG_PUBLISHED = {"r": 0.5248, "alpha": 6.1830, "a": 0.8914, "b": 1.6140}   # BTYDplus, CDNOW weeks
MBG_PUBLISHED_LL = -9582.13
BGBB_PUBLISHED = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}  # FHS 2010
BGBB_PUBLISHED_LL = -33225.6
UNCOND_T = [0.1429, 1, 3, 31.8571, 32, 39, 78, 520]
MBG_GRID = [
    (0, 0.0, 38.86),
    (0, 0.0, 27.0),
    (1, 0.0, 38.86),
    (1, 1.71, 38.86),
    (1, 38.86, 38.86),
    (2, 30.43, 38.86),
    (3, 20.0, 35.0),
    (7, 29.43, 38.86),
    (20, 38.5, 39.0),
    (50, 38.0, 39.0),
]
MBG_HORIZONS = [1, 10, 39, 78]


# ------------------------------------------------------------------ helpers (as in lifetimes_fixtures.py)

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def num(v):
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    v = float(v)
    return v if math.isfinite(v) else None


def clean(o):
    if isinstance(o, dict):
        return {str(k): clean(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [clean(v) for v in o]
    if isinstance(o, pd.Series):
        return {str(k): clean(v) for k, v in o.items()}
    if isinstance(o, np.ndarray):
        return [clean(v) for v in o.tolist()]
    if isinstance(o, (str, type(None))):
        return o
    return num(o)


def dumps(obj, indent=2, level=0):
    pad, inner = " " * (indent * level), " " * (indent * (level + 1))
    if isinstance(obj, dict) and obj:
        items = [inner + json.dumps(k) + ": " + dumps(v, indent, level + 1) for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and obj:
        if all(isinstance(v, (int, float, bool, type(None))) for v in obj):
            return json.dumps(obj, allow_nan=False)
        if all(isinstance(v, dict) and all(not isinstance(x, (dict, list)) for x in v.values()) for v in obj):
            rows = [inner + json.dumps(v, allow_nan=False) for v in obj]
            return "[\n" + ",\n".join(rows) + "\n" + pad + "]"
        items = [inner + dumps(v, indent, level + 1) for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(obj, allow_nan=False)


def write_json(name, obj):
    os.makedirs(OUT, exist_ok=True)
    text = dumps(clean(obj)) + "\n"
    json.loads(text)
    fd, tmp = tempfile.mkstemp(prefix="." + name + ".", dir=OUT)
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, os.path.join(OUT, name))
    print("wrote %s (%d bytes)" % (os.path.relpath(os.path.join(OUT, name), ROOT), len(text)), file=sys.stderr)


def environment():
    return {
        "generated_by": "scripts/lifetimes_fixtures_family.py",
        "python": platform.python_version(),
        "lifetimes": lifetimes.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scipy": scipy.__version__,
    }


def fit_with_tols(make, *args):
    """Fit with the first tolerance in FIT_TOLS that lifetimes accepts."""
    attempts = []
    for tol in FIT_TOLS:
        fitter = make()
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):  # lifetimes prints the OptimizeResult on failure
                fitter.fit(*args, tol=tol)
        except ConvergenceError:
            msg = [l.split(":", 1)[1].strip() for l in out.getvalue().splitlines() if l.strip().startswith("message:")]
            attempts.append({"tol": tol, "result": "ConvergenceError", "scipy_message": msg[0] if msg else None})
            continue
        attempts.append({"tol": tol, "result": "converged"})
        return fitter, tol, attempts
    raise RuntimeError("no tolerance converged: %r" % attempts)


def newton_polish(nll_sum, log_params, iters=30):
    """Newton steps on a summed NLL (log params) from lifetimes' optimum, using autograd."""
    g_f, h_f = grad(nll_sum), hessian(nll_sum)
    theta = np.array(log_params, dtype=float)
    for _ in range(iters):
        step = np.linalg.solve(h_f(theta), g_f(theta))
        theta = theta - step
        if np.max(np.abs(step)) < 1e-15:
            break
    h = h_f(theta)            # Hessian of the summed NEGATIVE LL = -H
    cov_log = np.linalg.inv(h)
    p = np.exp(theta)
    cov = cov_log * np.outer(p, p)
    return theta, g_f(theta), np.sqrt(np.diag(cov)), cov


def named(names, values):
    return {k: float(v) for k, v in zip(names, values)}


# ------------------------------------------------------------------ MBG/NBD

MBG_NAMES = ("r", "alpha", "a", "b")


def mbg_ll_rows(params, x, t_x, T):
    """Per-row MBG/NBD log-likelihood (lifetimes' formula), in the data's time unit."""
    r, alpha, a, b = params
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    A1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    A2 = gammaln(a + b) + gammaln(b + x + 1) - gammaln(b) - gammaln(a + b + x + 1)
    A3 = -(r + x) * np.log(alpha + T)
    A4 = np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    return A1 + A2 + A3 + np.logaddexp(A4, 0)


def mbg_ll_sum(params, x, t_x, T):
    """= -n * ModifiedBetaGeoFitter._negative_log_likelihood(log params, unit weights, no penalty)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    w = np.ones_like(x)
    return -float(ModifiedBetaGeoFitter._negative_log_likelihood(np.log(params), x, t_x, T, w, 0.0)) * len(x)


def mbg_fixture():
    cal_path = os.path.join(OUT, "cdnow_sample_summary_weeks.json")
    rows = json.load(open(cal_path))["rows"]
    x = np.array([r["frequency_cal"] for r in rows], dtype=float)
    t_x = np.array([r["recency_cal"] for r in rows], dtype=float)
    T = np.array([r["T_cal"] for r in rows], dtype=float)
    n = len(x)

    mbg, tol, attempts = fit_with_tols(lambda: ModifiedBetaGeoFitter(penalizer_coef=0.0), x, t_x, T)
    params = [float(mbg.params_[k]) for k in MBG_NAMES]

    xa, ta, Ta = x.astype(int), t_x, T
    wa = np.ones_like(xa)
    theta, g, se, cov = newton_polish(
        lambda th: ModifiedBetaGeoFitter._negative_log_likelihood(th, xa, ta, Ta, wa, 0.0) * n, np.log(params))
    polished = list(np.exp(theta))

    # The summary shipped with lifetimes / BTYD (recency, T rounded to 2 decimals): the data
    # the published BTYDplus numbers were made on.
    pub = pd.read_csv(os.path.join(DATA, "cdnow_customers_summary.csv"))
    px, pt, pT = pub["frequency"].values.astype(float), pub["recency"].values.astype(float), pub["T"].values.astype(float)
    mbg_pub, tol_pub, _ = fit_with_tols(lambda: ModifiedBetaGeoFitter(penalizer_coef=0.0), px, pt, pT)
    params_pub = [float(mbg_pub.params_[k]) for k in MBG_NAMES]

    # Predictions at fixed parameters: lifetimes' methods with params_ set by hand.
    fixed = ModifiedBetaGeoFitter()
    fixed.params_ = pd.Series(MBG_PUBLISHED)
    P = [MBG_PUBLISHED[k] for k in MBG_NAMES]
    customers = []
    with np.errstate(all="ignore"):
        for (cx, ctx, cT) in MBG_GRID:
            xs, ts, Ts = np.array([cx]), np.array([ctx]), np.array([cT])
            row = {"frequency": cx, "recency": ctx, "T": cT,
                   "p_alive": float(fixed.conditional_probability_alive(xs, ts, Ts)[0]),
                   "ll": float(mbg_ll_rows(P, xs, ts, Ts)[0])}
            for h in MBG_HORIZONS:
                row["cet_%d" % h] = float(np.asarray(
                    fixed.conditional_expected_number_of_purchases_up_to_time(h, xs, ts, Ts)).ravel()[0])
            customers.append(row)
        uncond = [{"t": t, "expected_purchases": float(fixed.expected_number_of_purchases_up_to_time(t))}
                  for t in UNCOND_T]

    write_json("mbgnbd_cdnow.json", {
        "description": "MBG/NBD (Batislam, Denizel & Filiztekin 2007) fitted by lifetimes 0.11.3 on the CDNOW sample calibration summary (weeks)",
        "environment": environment(),
        "data": {
            "summary_fixture": "cdnow_sample_summary_weeks.json",
            "summary_fixture_sha256": sha256(cal_path),
            "customers": n,
            "sum_frequency_cal": int(x.sum()),
        },
        "published": {
            "source": "BTYDplus mbgnbd.EstimateParameters on the CDNOW sample (asserted to 3 decimals in lifetimes' tests); LL as quoted in the issue",
            "params": MBG_PUBLISHED,
            "ll": MBG_PUBLISHED_LL,
            "ll_sum_at_published_params": mbg_ll_sum(P, x, t_x, T),
        },
        "lifetimes": {
            "call": "ModifiedBetaGeoFitter(penalizer_coef=0.0).fit(frequency_cal, recency_cal, T_cal, tol=%g)" % tol,
            "tol_attempts": attempts,
            "params": named(MBG_NAMES, params),
            "standard_errors": {k: float(mbg.standard_errors_[k]) for k in MBG_NAMES},
            "ll_sum": mbg_ll_sum(params, x, t_x, T),
        },
        "newton_polished_mle": {
            "params": named(MBG_NAMES, polished),
            "ll_sum": mbg_ll_sum(polished, x, t_x, T),
            "gradient_wrt_log_params": g,
            "standard_errors": named(MBG_NAMES, se),
            "covariance": cov,
        },
        "published_cdnow_customers_summary": {
            "file": "datasets/cdnow_customers_summary.csv",
            "sha256": sha256(os.path.join(DATA, "cdnow_customers_summary.csv")),
            "lifetimes_params": named(MBG_NAMES, params_pub),
            "ll_sum": mbg_ll_sum(params_pub, px, pt, pT),
            "ll_sum_at_published_params": mbg_ll_sum(P, px, pt, pT),
        },
        "predictions_at_published_params": {
            "params": MBG_PUBLISHED,
            "notes": [
                "p_alive = conditional_probability_alive(x, t_x, T)",
                "cet_h = conditional_expected_number_of_purchases_up_to_time(h, x, t_x, T) (scipy hyp2f1)",
                "ll = per-customer MBG/NBD log-likelihood (lifetimes' formula)",
                "expected_number_of_purchases_up_to_time(t) for a new customer",
            ],
            "customers": customers,
            "expected_number_of_purchases_up_to_time": uncond,
        },
    })


# ------------------------------------------------------------------ BG/BB

BGBB_NAMES = ("alpha", "beta", "gamma", "delta")


def bgbb_ll_rows_exact(params, x, t_x, n):
    """Floor-free BG/BB log-likelihood per row: log-sum-exp over the ln B terms (scipy)."""
    al, be, ga, de = params
    out = []
    for xi, ti, ni in zip(x, t_x, n):
        terms = [betaln(al + xi, be + ni - xi) + betaln(ga, de + ni)]
        for i in range(int(ni - ti)):
            terms.append(betaln(al + xi, be + ti - xi + i) + betaln(ga + 1, de + ti + i))
        out.append(logsumexp(terms) - betaln(al, be) - betaln(ga, de))
    return np.array(out)


def a_betaln(a, b):
    return agammaln(a) + agammaln(b) - agammaln(a + b)


def bgbb_nll_sum_autograd(log_params, x, t_x, n, w):
    """Summed floor-free NLL for autograd (Newton polishing, standard errors)."""
    p = anp.exp(log_params)
    al, be, ga, de = p[0], p[1], p[2], p[3]
    total = 0.0
    for xi, ti, ni, wi in zip(x, t_x, n, w):
        terms = [a_betaln(al + xi, be + ni - xi) + a_betaln(ga, de + ni)]
        for i in range(int(ni - ti)):
            terms.append(a_betaln(al + xi, be + ti - xi + i) + a_betaln(ga + 1, de + ti + i))
        stacked = anp.array(terms) if len(terms) > 1 else terms[0]
        if len(terms) > 1:
            m = anp.max(stacked)
            lse = m + anp.log(anp.sum(anp.exp(stacked - m)))
        else:
            lse = stacked
        total = total + wi * (lse - a_betaln(al, be) - a_betaln(ga, de))
    return -total


def bgbb_new_customer(params, n):
    """E[X(n)] = alpha/(alpha+beta) * delta/(gamma-1) * [1 - G(g+d)G(1+d+n)/(G(g+d+n)G(1+d))] (closed form)."""
    al, be, ga, de = params
    ratio = np.exp(gammaln(ga + de) + gammaln(1 + de + n) - gammaln(ga + de + n) - gammaln(1 + de))
    return al / (al + be) * de / (ga - 1) * (1 - ratio)


def bgbb_fixture():
    path = os.path.join(DATA, "donations.csv")
    d = pd.read_csv(path)
    x, t_x, n, w = (d[c].values for c in ("frequency", "recency", "periods", "weights"))

    bb, tol, attempts = fit_with_tols(lambda: BetaGeoBetaBinomFitter(penalizer_coef=0.0), x, t_x, n, w)
    params = [float(bb.params_[k]) for k in BGBB_NAMES]
    W = float(w.sum())
    lifetimes_ll = -float(BetaGeoBetaBinomFitter._negative_log_likelihood(np.log(params), x, t_x, n, w, 0.0)) * W
    exact_ll = float((w * bgbb_ll_rows_exact(params, x, t_x, n)).sum())

    theta, g, se, cov = newton_polish(
        lambda th: bgbb_nll_sum_autograd(th, x.astype(float), t_x.astype(float), n.astype(float), w.astype(float)),
        np.log(params))
    polished = list(np.exp(theta))

    P = [BGBB_PUBLISHED[k] for k in BGBB_NAMES]
    per_pattern = []
    rows_ll = bgbb_ll_rows_exact(params, x, t_x, n)
    cet = {m: np.asarray(bb.conditional_expected_number_of_purchases_up_to_time(m, x, t_x, n)) for m in (1, 2, 5, 10)}
    cet_frac = np.asarray(bb.conditional_expected_number_of_purchases_up_to_time(2.5, x, t_x, n))
    p_next = np.asarray(bb.conditional_probability_alive(1, x, t_x, n))
    p_now = np.asarray(bb.conditional_probability_alive(0, x, t_x, n))
    p_5 = np.asarray(bb.conditional_probability_alive(5, x, t_x, n))
    for i in range(len(x)):
        per_pattern.append({
            "frequency": int(x[i]), "recency": int(t_x[i]), "periods": int(n[i]), "weight": int(w[i]),
            "ll": float(rows_ll[i]),
            "p_alive_next": float(p_next[i]), "p_alive_now": float(p_now[i]), "p_alive_in_5": float(p_5[i]),
            "cet_1": float(cet[1][i]), "cet_2": float(cet[2][i]), "cet_5": float(cet[5][i]), "cet_10": float(cet[10][i]),
            "cet_2.5": float(cet_frac[i]),
        })
    pmf = bb.expected_number_of_transactions_in_first_n_periods(6)["model"]
    new_customer = [{"n": k, "expected_transactions": float(bgbb_new_customer(params, k))} for k in (1, 2, 3, 6, 10, 2.5)]

    write_json("bgbb_donations.json", {
        "description": "BG/BB (Fader, Hardie & Shang 2010) fitted by lifetimes 0.11.3 on the donations data (22 weighted patterns, n = 6)",
        "environment": environment(),
        "data": {"file": "datasets/donations.csv", "sha256": sha256(path), "rows": int(len(d)), "donors": int(W)},
        "published": {
            "source": "Fader, Hardie & Shang (2010), Marketing Science 29(6): parameters and LL (one decimal)",
            "params": BGBB_PUBLISHED,
            "ll": BGBB_PUBLISHED_LL,
            "ll_sum_exact_at_published_params": float((w * bgbb_ll_rows_exact(P, x, t_x, n)).sum()),
            "p_alive_table6": [{"frequency": 0, "recency": 0, "p_alive_next": 0.11},
                               {"frequency": 2, "recency": 4, "p_alive_next": 0.59},
                               {"frequency": 6, "recency": 6, "p_alive_next": 0.93}],
            "sum_weighted_cet_5_hardie_sheet": 12884.2,
            "expected_donors_by_x_in_6_hardie_sheet": {"0": 3454.9, "6": 1253.1},
        },
        "lifetimes": {
            "call": "BetaGeoBetaBinomFitter(penalizer_coef=0.0).fit(frequency, recency, periods, weights, tol=%g)" % tol,
            "tol_attempts": attempts,
            "params": named(BGBB_NAMES, params),
            "standard_errors": {k: float(bb.standard_errors_[k]) for k in BGBB_NAMES},
            "ll_sum_lifetimes_formula": lifetimes_ll,
            "ll_sum_exact": exact_ll,
            "ll_floor_effect": lifetimes_ll - exact_ll,
        },
        "newton_polished_mle": {
            "params": named(BGBB_NAMES, polished),
            "ll_sum_exact": float((w * bgbb_ll_rows_exact(polished, x, t_x, n)).sum()),
            "gradient_wrt_log_params": g,
            "standard_errors": named(BGBB_NAMES, se),
            "covariance": cov,
        },
        "predictions_at_lifetimes_params": {
            "notes": [
                "params = lifetimes.params above",
                "ll = floor-free per-pattern log-likelihood",
                "p_alive_next = conditional_probability_alive(1, x, t_x, n): alive at opportunity n+1 (FHS 2010 Table 6)",
                "p_alive_now = conditional_probability_alive(0, ...): alive at opportunity n",
                "p_alive_in_5 = conditional_probability_alive(5, ...)",
                "cet_m = conditional_expected_number_of_purchases_up_to_time(m, x, t_x, n) (FHS 2010 eq. 13, closed form)",
                "expected_donors_by_x_in_6 = expected_number_of_transactions_in_first_n_periods(6) (N * P(X(6) = x))",
                "new_customer = closed-form E[X(n)] computed here (lifetimes has no method for it)",
            ],
            "patterns": per_pattern,
            "sum_weighted_cet_5": float((w * cet[5]).sum()),
            "expected_donors_by_x_in_6": {str(int(k)): float(v) for k, v in pmf.items()},
            "new_customer": new_customer,
        },
    })


def main():
    mbg_fixture()
    bgbb_fixture()


if __name__ == "__main__":
    main()
