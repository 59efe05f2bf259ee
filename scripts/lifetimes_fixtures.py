#!/usr/bin/env python3
"""Reference fixtures from Python lifetimes 0.11.3 for the clvfit Swift tests.

How the numbers in Tests/Fixtures/lifetimes/*.json were made. The Swift test
suite only reads the JSON files; it never runs Python.

    datasets/fetch.sh                                  # or: make datasets
    python3 -m venv /tmp/ltvenv
    /tmp/ltvenv/bin/pip install -r ../shared/lifetimes-requirements.txt  # lifetimes==0.11.3 + pins (shared/ beside the repo)
    /tmp/ltvenv/bin/python scripts/lifetimes_fixtures.py

Inputs: datasets/cdnow_sample.csv, datasets/cdnow_master.csv (made by fetch.sh).
Outputs (pretty JSON, floats written with Python's shortest round-trip repr,
i.e. full double precision; one summary row per line):

    cdnow_sample_summary_weeks.json       calibration_and_holdout_data (weeks)
    cdnow_sample_summary_full_weeks.json  summary_data_from_transaction_data (weeks)
    cdnow_master_summary_days.json        summary_data_from_transaction_data (days)
    cdnow_bgnbd_gg.json                   BG/NBD + Gamma-Gamma fits and predictions
    cdnow_predictions_fixed_params.json   BG/NBD predictions at the published params

Log-likelihoods. lifetimes 0.11.3 has no public ``log_likelihood_``; it keeps
``_negative_log_likelihood_`` = the weighted MEAN negative log-likelihood (plus
penalty) at the optimum, and for BG/NBD that value is computed on rescaled time
(T / max T), which shifts it by sum(x)*ln(max T) from the LL in the data's own
time unit. Every ``ll_sum`` in the output is the SUMMED log-likelihood in the data's
own time unit, obtained by calling the fitter's static
``_negative_log_likelihood`` on unscaled data with unit weights and no penalty
and multiplying by -n. The internal value is recorded too, for reference.
"""

import contextlib
import hashlib
import json
import io
import math
import os
import platform
import sys
import tempfile

import numpy as np
import pandas as pd
import scipy

import lifetimes
from autograd import grad, hessian
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import ConvergenceError, calibration_and_holdout_data, summary_data_from_transaction_data

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "datasets")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "lifetimes")

CAL_END = "1997-09-30"
OBS_END = "1998-06-30"
FIT_TOLS = [1e-10, 1e-9]  # first that converges is used (BFGS reports precision loss at 1e-10)
FIRST_N = 20
UNCOND_T = [0.1429, 1, 3, 31.8571, 32, 78]
PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


# ------------------------------------------------------------------ helpers

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def num(v):
    """JSON-ready scalar: ints stay ints, floats keep full precision, NaN/inf -> None."""
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
    """Pretty JSON, but a list of flat dicts/numbers is written one element per line."""
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
    json.loads(text)  # sanity
    fd, tmp = tempfile.mkstemp(prefix="." + name + ".", dir=OUT)
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, os.path.join(OUT, name))
    print("wrote %s (%d bytes)" % (os.path.relpath(os.path.join(OUT, name), ROOT), len(text)), file=sys.stderr)


def environment():
    return {
        "generated_by": "scripts/lifetimes_fixtures.py",
        "python": platform.python_version(),
        "lifetimes": lifetimes.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scipy": scipy.__version__,
    }


def read_transactions(name):
    path = os.path.join(DATA, name)
    if not os.path.exists(path):
        sys.exit("missing %s: run datasets/fetch.sh (make datasets) first" % path)
    df = pd.read_csv(path, dtype={"customer_id": "int64", "date": "str", "cds": "int64", "amount": "float64"})
    return df, {"file": "datasets/" + name, "sha256": sha256(path), "rows": int(len(df))}


def summary_rows(summary, int_cols):
    summary = summary.sort_index()
    rows = []
    for cid, rec in summary.iterrows():
        row = {"customer_id": int(cid)}
        for col, v in rec.items():
            if col in int_cols:
                assert float(v).is_integer(), (col, v)
                row[col] = int(v)
            else:
                row[col] = float(v)
        rows.append(row)
    return rows


def bgnbd_ll_sum(params, x, t_x, T):
    """Summed BG/NBD log-likelihood in the data's time unit (lifetimes' own formula)."""
    log_params = np.log([params["r"], params["alpha"], params["a"], params["b"]])
    x, t_x, T = np.asarray(x, dtype=int), np.asarray(t_x, dtype=float), np.asarray(T, dtype=float)
    w = np.ones_like(x)
    return -float(BetaGeoFitter._negative_log_likelihood(log_params, x, t_x, T, w, 0.0)) * len(x)


def bgnbd_ll_individual(params, x, t_x, T):
    return bgnbd_ll_sum(params, [x], [t_x], [T])


def gg_ll_sum(params, x, m):
    log_params = np.log([params["p"], params["q"], params["v"]])
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    w = np.ones_like(x, dtype=int)
    return -float(GammaGammaFitter._negative_log_likelihood(log_params, x, m, w, 0.0)) * len(x)


def fit_with_tols(make, *args):
    """Fit with the first tolerance in FIT_TOLS that lifetimes accepts; returns (fitter, tol, attempts)."""
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


def newton_polish(nll_sum, log_params, iters=20):
    """Newton steps on a summed NLL (log params) from lifetimes' optimum, using autograd."""
    g_f, h_f = grad(nll_sum), hessian(nll_sum)
    theta = np.array(log_params, dtype=float)
    for _ in range(iters):
        g = g_f(theta)
        step = np.linalg.solve(h_f(theta), g)
        theta = theta - step
        if np.max(np.abs(step)) < 1e-15:
            break
    return theta, g_f(theta)


# ------------------------------------------------------------------ fixtures

def summaries():
    sample, sample_src = read_transactions("cdnow_sample.csv")
    master, master_src = read_transactions("cdnow_master.csv")

    cal = calibration_and_holdout_data(
        sample, "customer_id", "date",
        calibration_period_end=CAL_END, observation_period_end=OBS_END,
        freq="D", freq_multiplier=7, monetary_value_col="amount",
    )
    cal = cal.sort_index()
    cal_cols = ["frequency_cal", "recency_cal", "T_cal", "monetary_value_cal",
                "frequency_holdout", "monetary_value_holdout", "duration_holdout"]
    cal = cal[cal_cols]
    write_json("cdnow_sample_summary_weeks.json", {
        "description": "lifetimes calibration/holdout summary of the CDNOW 1/10 sample, time unit = week (7 days)",
        "source": sample_src,
        "call": ("lifetimes.utils.calibration_and_holdout_data(df, 'customer_id', 'date', "
                 "calibration_period_end='%s', observation_period_end='%s', freq='D', "
                 "freq_multiplier=7, monetary_value_col='amount')" % (CAL_END, OBS_END)),
        "notes": [
            "frequency_cal: repeat purchase DAYS in calibration (same-day transactions merged, first day excluded)",
            "recency_cal, T_cal: (last day - first day)/7 and (1997-09-30 - first day)/7",
            "monetary_value_cal: mean over repeat days of the per-day summed amount; 0 if frequency_cal = 0",
            "frequency_holdout: number of distinct days with a transaction in (1997-09-30, 1998-06-30]; every such day counts",
            "monetary_value_holdout: mean of the raw holdout transaction amounts (per ROW, not per day); 0 if none",
            "duration_holdout: (Period(1998-06-30) - Period(1997-09-30)).n / 7 = 273/7 = 39.0",
        ],
        "count": len(cal),
        "rows": summary_rows(cal, {"frequency_cal", "frequency_holdout"}),
    })

    full = summary_data_from_transaction_data(
        sample, "customer_id", "date", monetary_value_col="amount",
        observation_period_end=OBS_END, freq="D", freq_multiplier=7,
    )
    write_json("cdnow_sample_summary_full_weeks.json", {
        "description": "lifetimes summary of the whole CDNOW 1/10 sample period, time unit = week (7 days)",
        "source": sample_src,
        "call": ("lifetimes.utils.summary_data_from_transaction_data(df, 'customer_id', 'date', "
                 "monetary_value_col='amount', observation_period_end='%s', freq='D', freq_multiplier=7)" % OBS_END),
        "count": len(full),
        "rows": summary_rows(full, {"frequency"}),
    })

    master_full = summary_data_from_transaction_data(
        master, "customer_id", "date", monetary_value_col="amount",
        observation_period_end=OBS_END, freq="D", freq_multiplier=1,
    )
    write_json("cdnow_master_summary_days.json", {
        "description": "lifetimes summary of the full CDNOW master file, time unit = day",
        "source": master_src,
        "call": ("lifetimes.utils.summary_data_from_transaction_data(df, 'customer_id', 'date', "
                 "monetary_value_col='amount', observation_period_end='%s', freq='D', freq_multiplier=1)" % OBS_END),
        "count": len(master_full),
        "sum_frequency": int(master_full["frequency"].sum()),
        "rows": summary_rows(master_full, {"frequency", "recency", "T"}),
    })

    # published summary (shipped with lifetimes) vs lifetimes' own calibration summary
    pub = pd.read_csv(os.path.join(DATA, "cdnow_customers_summary.csv")).set_index("ID")
    j = cal.join(pub, how="outer")
    cmp = {
        "customers_published": int(len(pub)),
        "customers_lifetimes": int(len(cal)),
        "max_abs_diff_frequency": float((j["frequency_cal"] - j["frequency"]).abs().max()),
        "max_abs_diff_recency": float((j["recency_cal"] - j["recency"]).abs().max()),
        "max_abs_diff_T": float((j["T_cal"] - j["T"]).abs().max()),
        "rows_differing_after_rounding_to_2dp": int(
            ((j["recency_cal"].round(2) - j["recency"]).abs() > 1e-9).sum()
            + ((j["T_cal"].round(2) - j["T"]).abs() > 1e-9).sum()
            + (j["frequency_cal"] != j["frequency"]).sum()),
    }
    return cal, sample_src, cmp


def bgnbd_gg(cal, sample_src, cmp):
    x, t_x, T, m = cal["frequency_cal"], cal["recency_cal"], cal["T_cal"], cal["monetary_value_cal"]
    n = len(cal)

    bgf, bg_tol, bg_attempts = fit_with_tols(lambda: BetaGeoFitter(penalizer_coef=0.0), x, t_x, T)
    bg_params = {k: float(v) for k, v in bgf.params_.items()}
    bg_ll = bgnbd_ll_sum(bg_params, x, t_x, T)
    bg_default = BetaGeoFitter(penalizer_coef=0.0).fit(x, t_x, T)
    bg_default_params = {k: float(v) for k, v in bg_default.params_.items()}

    xa, ta, Ta = np.asarray(x, dtype=int), np.asarray(t_x, dtype=float), np.asarray(T, dtype=float)
    wa = np.ones_like(xa)
    bg_theta, bg_grad = newton_polish(
        lambda th: BetaGeoFitter._negative_log_likelihood(th, xa, ta, Ta, wa, 0.0) * len(xa),
        np.log([bg_params[k] for k in ("r", "alpha", "a", "b")]))
    bg_polished = dict(zip(("r", "alpha", "a", "b"), np.exp(bg_theta).tolist()))

    rep = cal[cal["frequency_cal"] > 0]
    ggf, gg_tol, gg_attempts = fit_with_tols(lambda: GammaGammaFitter(penalizer_coef=0.0),
                                             rep["frequency_cal"], rep["monetary_value_cal"])
    gg_params = {k: float(v) for k, v in ggf.params_.items()}
    gg_ll = gg_ll_sum(gg_params, rep["frequency_cal"], rep["monetary_value_cal"])
    gg_default = GammaGammaFitter(penalizer_coef=0.0).fit(rep["frequency_cal"], rep["monetary_value_cal"])
    gg_default_params = {k: float(v) for k, v in gg_default.params_.items()}

    rx, rm = np.asarray(rep["frequency_cal"], dtype=float), np.asarray(rep["monetary_value_cal"], dtype=float)
    rw = np.ones_like(rx, dtype=int)
    gg_theta, gg_grad = newton_polish(
        lambda th: GammaGammaFitter._negative_log_likelihood(th, rx, rm, rw, 0.0) * len(rx),
        np.log([gg_params[k] for k in ("p", "q", "v")]))
    gg_polished = dict(zip(("p", "q", "v"), np.exp(gg_theta).tolist()))

    first = cal.sort_index().iloc[:FIRST_N]
    fx, ftx, fT, fm = first["frequency_cal"], first["recency_cal"], first["T_cal"], first["monetary_value_cal"]
    p_alive = bgf.conditional_probability_alive(fx, ftx, fT)
    cet39 = bgf.conditional_expected_number_of_purchases_up_to_time(39, fx, ftx, fT)
    gg_profit = ggf.conditional_expected_average_profit(fx, fm)
    clv_12 = ggf.customer_lifetime_value(bgf, fx, ftx, fT, fm, time=12, discount_rate=0.01, freq="W")
    clv_3 = ggf.customer_lifetime_value(bgf, fx, ftx, fT, fm, time=3, discount_rate=0.05, freq="W")

    customers = []
    for i, cid in enumerate(first.index):
        customers.append({
            "customer_id": int(cid),
            "frequency": int(fx.iloc[i]),
            "recency": float(ftx.iloc[i]),
            "T": float(fT.iloc[i]),
            "monetary_value": float(fm.iloc[i]),
            "p_alive": float(np.asarray(p_alive)[i]),
            "cet_39": float(np.asarray(cet39)[i]),
            "gg_expected_average_profit": float(np.asarray(gg_profit)[i]),
            "clv_time12_dr0.01_W": float(np.asarray(clv_12)[i]),
            "clv_time3_dr0.05_W": float(np.asarray(clv_3)[i]),
        })

    uncond = [{"t": t, "expected_purchases": float(bgf.expected_number_of_purchases_up_to_time(t))}
              for t in UNCOND_T]

    write_json("cdnow_bgnbd_gg.json", {
        "description": "BG/NBD and Gamma-Gamma fitted by lifetimes on the CDNOW sample calibration summary (weeks)",
        "environment": environment(),
        "data": {
            "summary_fixture": "cdnow_sample_summary_weeks.json",
            "source": sample_src,
            "customers": n,
            "sum_frequency_cal": int(x.sum()),
            "customers_with_frequency_cal_gt_0": int((x > 0).sum()),
            "sum_T_cal": float(T.sum()),
            "max_T_cal": float(T.max()),
            "pearson_corr_frequency_monetary_repeat": float(
                np.corrcoef(rep["frequency_cal"], rep["monetary_value_cal"])[0, 1]),
            "comparison_with_published_cdnow_customers_summary": cmp,
        },
        "bgnbd": {
            "call": "BetaGeoFitter(penalizer_coef=0.0).fit(frequency_cal, recency_cal, T_cal, tol=%g)" % bg_tol,
            "options": {"penalizer_coef": 0.0, "tol": bg_tol, "initial_params": "lifetimes default 0.1*ones (log space)",
                        "optimizer": "scipy.optimize.minimize(method=None -> BFGS, jac=autograd) on log params, time scaled by 1/max(T)"},
            "tol_attempts": bg_attempts,
            "params": bg_params,
            "standard_errors": {k: float(v) for k, v in bgf.standard_errors_.items()},
            "standard_errors_note": "lifetimes: sqrt(diag(params^2 * inv(Hessian of mean NLL wrt log params) / n)) (delta method)",
            "ll_sum": bg_ll,
            "ll_sum_note": "SUMMED log-likelihood in weeks, = -n * BetaGeoFitter._negative_log_likelihood(log(params), x, t_x, T, 1, 0)",
            "lifetimes_internal_negative_log_likelihood_": float(bgf._negative_log_likelihood_),
            "lifetimes_internal_note": ("mean NLL on time scaled so max T = 1; "
                                        "-n*internal = ll_sum + sum(x)*ln(max T)"),
            "ll_sum_at_published_params": bgnbd_ll_sum(PUBLISHED, x, t_x, T),
            "default_tol_fit": {"tol": 1e-7, "params": bg_default_params,
                                "ll_sum": bgnbd_ll_sum(bg_default_params, x, t_x, T)},
            "newton_polished_mle": {
                "note": ("Newton iterations (autograd Hessian) on the summed LL in weeks, log params, "
                         "started from 'params'; a tighter optimum than lifetimes reaches"),
                "params": bg_polished,
                "ll_sum": bgnbd_ll_sum(bg_polished, x, t_x, T),
                "gradient_wrt_log_params": bg_grad,
            },
        },
        "gamma_gamma": {
            "call": ("GammaGammaFitter(penalizer_coef=0.0).fit(frequency_cal, monetary_value_cal, tol=%g) "
                     "on customers with frequency_cal > 0" % gg_tol),
            "options": {"penalizer_coef": 0.0, "tol": gg_tol, "q_constraint": False,
                        "initial_params": "lifetimes default 0.1*ones (log space)"},
            "tol_attempts": gg_attempts,
            "customers": int(len(rep)),
            "params": gg_params,
            "standard_errors": {k: float(v) for k, v in ggf.standard_errors_.items()},
            "ll_sum": gg_ll,
            "ll_sum_note": "SUMMED log-likelihood = -n * lifetimes' mean NLL (no time scaling in GG)",
            "lifetimes_internal_negative_log_likelihood_": float(ggf._negative_log_likelihood_),
            "population_mean_spend": gg_params["v"] * gg_params["p"] / (gg_params["q"] - 1),
            "default_tol_fit": {"tol": 1e-7, "params": gg_default_params,
                                "ll_sum": gg_ll_sum(gg_default_params, rep["frequency_cal"], rep["monetary_value_cal"])},
            "newton_polished_mle": {
                "note": "Newton iterations (autograd Hessian) on the summed LL, log params, started from 'params'",
                "params": gg_polished,
                "ll_sum": gg_ll_sum(gg_polished, rep["frequency_cal"], rep["monetary_value_cal"]),
                "gradient_wrt_log_params": gg_grad,
            },
        },
        "predictions_notes": [
            "all at the fitted BG/NBD / GG params above; time unit = week",
            "p_alive = bgf.conditional_probability_alive(x, t_x, T)",
            "cet_39 = bgf.conditional_expected_number_of_purchases_up_to_time(39, x, t_x, T)",
            "gg_expected_average_profit = ggf.conditional_expected_average_profit(x, m) (x = 0 -> population mean)",
            ("clv_time12_dr0.01_W = ggf.customer_lifetime_value(bgf, x, t_x, T, m, time=12, discount_rate=0.01, freq='W'): "
             "sum_{i=1..time} GGprofit * (CET(4.345 i) - CET(4.345 (i-1))) / (1+discount_rate)^i"),
            "clv_time3_dr0.05_W = same with time=3, discount_rate=0.05",
        ],
        "first_customers": customers,
        "expected_number_of_purchases_up_to_time": uncond,
    })
    return bg_params, gg_params


def fixed_params(cal):
    bgf = BetaGeoFitter()
    bgf.params_ = pd.Series(PUBLISHED)
    grid = [
        (2, 30.43, 38.86),       # customer 1 of the published summary
        (1, 1.71, 38.86),        # customer 2
        (0, 0.0, 38.86),
        (0, 0.0, 27.0),
        (1, 0.0, 38.86),         # x = 1 with t_x = 0
        (1, 38.86, 38.86),
        (3, 20.0, 35.0),
        (7, 29.43, 38.86),
        (50, 38.0, 39.0),
        (200, 38.0, 40.0),
        (1000, 10.0, 100.0),
    ]
    rows = []
    with np.errstate(all="ignore"):
        for x, t_x, T in grid:
            xs, ts, Ts = np.array([x]), np.array([t_x]), np.array([T])
            rows.append({
                "frequency": x, "recency": t_x, "T": T,
                "p_alive": float(bgf.conditional_probability_alive(xs, ts, Ts)[0]),
                "cet_39": float(bgf.conditional_expected_number_of_purchases_up_to_time(39, xs, ts, Ts)[0]),
                "ll": bgnbd_ll_individual(PUBLISHED, x, t_x, T),
            })
    x, t_x, T = cal["frequency_cal"], cal["recency_cal"], cal["T_cal"]
    write_json("cdnow_predictions_fixed_params.json", {
        "description": "lifetimes BG/NBD predictions at fixed (published) params; time unit = week",
        "environment": environment(),
        "params": PUBLISHED,
        "how": "bgf = BetaGeoFitter(); bgf.params_ = pd.Series(params); then the calls below with length-1 arrays",
        "notes": [
            "p_alive = bgf.conditional_probability_alive(x, t_x, T)",
            "cet_39 = bgf.conditional_expected_number_of_purchases_up_to_time(39, x, t_x, T)",
            "ll = individual BG/NBD log-likelihood (lifetimes' formula, weeks, no penalty)",
            "null = lifetimes returned NaN or inf",
        ],
        "cdnow_calibration_ll_sum": bgnbd_ll_sum(PUBLISHED, x, t_x, T),
        "expected_number_of_purchases_up_to_time": [
            {"t": t, "expected_purchases": float(bgf.expected_number_of_purchases_up_to_time(t))} for t in UNCOND_T],
        "customers": rows,
    })


def main():
    cal, sample_src, cmp = summaries()
    bgnbd_gg(cal, sample_src, cmp)
    fixed_params(cal)


if __name__ == "__main__":
    main()
