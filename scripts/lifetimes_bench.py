#!/usr/bin/env python3
"""Simulated BG/NBD + Gamma-Gamma data, and a lifetimes 0.11.3 timing reference.

    python3 scripts/lifetimes_bench.py OUT.csv [--n N]          # generate only (numpy)
    /tmp/ltvenv/bin/python scripts/lifetimes_bench.py OUT.csv --fit [--n N]
        # generate OUT.csv if it does not exist, then time lifetimes on it and
        # print a JSON report to stdout (saved as
        # Tests/Fixtures/lifetimes/sim1m_lifetimes_fit.json for N = 1,000,000)

Generator (deterministic: numpy.random.RandomState(42), whose stream numpy
keeps stable across versions), N customers, time unit = week, true params
BG/NBD r=0.24, alpha=4.41, a=0.79, b=2.43 and Gamma-Gamma p=6, q=3.7, v=15:

  T_i      ~ Uniform(20, 60)                 continuous observation length
  lambda_i ~ Gamma(shape r, rate alpha)      purchase rate
  p_i      ~ Beta(a, b)                      dropout probability
  Repeat purchases follow a Poisson process of rate lambda_i started at the
  first purchase (time 0). Right after each REPEAT purchase the customer drops
  out with probability p_i; never right after the first purchase (time 0), as
  in the BG/NBD likelihood and in lifetimes.generate_data.beta_geometric_nbd_model
  (which starts with alive=True and draws the dropout after each repeat purchase).

Vectorised but exact in distribution:
  n_i = N(0, T_i] ~ Poisson(lambda_i T_i)    purchases if the customer never dropped out
  L_i ~ Geometric(p_i) on {1, 2, ...}         index of the purchase after which the customer drops out
  frequency x_i = min(n_i, L_i)
  recency t_x = time of the x-th arrival = T_i * Beta(x_i, n_i - x_i + 1)
           (given n arrivals in (0, T], arrival times are uniform order statistics;
            the k-th of n is T * Beta(k, n - k + 1)); 0 when x_i = 0.
  monetary value (x_i > 0): nu_i ~ Gamma(shape q, rate v); each transaction
           z ~ Gamma(shape p, rate nu_i); the mean of x_i of them is
           Gamma(shape p x_i, rate nu_i x_i). 0 when x_i = 0.

CSV columns: frequency (int), recency, T, monetary_value (floats, shortest
round-trip repr, i.e. full precision).

--fit (needs lifetimes: pip install -r shared/lifetimes-requirements.txt): times
  read   pandas.read_csv(OUT.csv)
  bgnbd  BetaGeoFitter(penalizer_coef=0).fit(frequency, recency, T)            (lifetimes defaults, tol 1e-7)
  gg     GammaGammaFitter(penalizer_coef=0).fit(frequency, monetary_value)     on frequency > 0
and prints params, standard errors and SUMMED log-likelihoods (in weeks; see
lifetimes_fixtures.py for why lifetimes' internal value is not that).
"""

import argparse
import hashlib
import json
import os
import platform
import sys
import time

import numpy as np

TRUE_BGNBD = {"r": 0.24, "alpha": 4.41, "a": 0.79, "b": 2.43}
TRUE_GG = {"p": 6.0, "q": 3.7, "v": 15.0}
T_RANGE = (20.0, 60.0)
SEED = 42


def simulate(n, seed=SEED):
    rs = np.random.RandomState(seed)
    r, alpha, a, b = (TRUE_BGNBD[k] for k in ("r", "alpha", "a", "b"))
    p_, q_, v_ = (TRUE_GG[k] for k in ("p", "q", "v"))

    T = rs.uniform(T_RANGE[0], T_RANGE[1], size=n)
    lam = rs.gamma(shape=r, scale=1.0 / alpha, size=n)
    drop = rs.beta(a, b, size=n)
    n_arrivals = rs.poisson(lam * T)
    life = rs.geometric(drop)                      # >= 1
    x = np.minimum(n_arrivals, life)

    rec = np.zeros(n)
    rep = x > 0
    rec[rep] = T[rep] * rs.beta(x[rep], n_arrivals[rep] - x[rep] + 1)

    nu = rs.gamma(shape=q_, scale=1.0 / v_, size=n)
    mon = np.zeros(n)
    mon[rep] = rs.gamma(shape=p_ * x[rep], scale=1.0 / (nu[rep] * x[rep]))
    return x.astype(np.int64), rec, T, mon


def write_csv(path, x, rec, T, mon):
    tmp = path + ".tmp.%d" % os.getpid()
    with open(tmp, "w", encoding="ascii", newline="\n") as f:
        f.write("frequency,recency,T,monetary_value\n")
        f.writelines("%d,%r,%r,%r\n" % row for row in zip(x.tolist(), rec.tolist(), T.tolist(), mon.tolist()))
    os.replace(tmp, path)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fit(path):
    import pandas as pd
    import scipy
    import lifetimes
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    t0 = time.perf_counter()
    df = pd.read_csv(path)
    t_read = time.perf_counter() - t0

    t0 = time.perf_counter()
    bgf = BetaGeoFitter(penalizer_coef=0.0).fit(df["frequency"], df["recency"], df["T"])
    t_bg = time.perf_counter() - t0

    repeat = df[df["frequency"] > 0]
    t0 = time.perf_counter()
    ggf = GammaGammaFitter(penalizer_coef=0.0).fit(repeat["frequency"], repeat["monetary_value"])
    t_gg = time.perf_counter() - t0

    x = np.asarray(df["frequency"], dtype=int)
    w = np.ones_like(x)
    bg_log = np.log(bgf.params_[["r", "alpha", "a", "b"]].values.astype(float))
    bg_ll = -float(BetaGeoFitter._negative_log_likelihood(
        bg_log, x, df["recency"].values, df["T"].values, w, 0.0)) * len(x)
    rx = repeat["frequency"].values.astype(float)
    gg_log = np.log(ggf.params_[["p", "q", "v"]].values.astype(float))
    gg_ll = -float(GammaGammaFitter._negative_log_likelihood(
        gg_log, rx, repeat["monetary_value"].values.astype(float), np.ones_like(rx, dtype=int), 0.0)) * len(rx)

    return {
        "description": ("lifetimes 0.11.3 timing/accuracy reference on simulated BG/NBD + Gamma-Gamma data "
                        "(benchmark reference, not a test input)"),
        "generator": "scripts/lifetimes_bench.py (numpy RandomState(%d))" % SEED,
        "csv": {"customers": int(len(df)), "sha256": sha256(path), "bytes": os.path.getsize(path)},
        "true_params": {"bgnbd": TRUE_BGNBD, "gamma_gamma": TRUE_GG, "T_uniform_weeks": list(T_RANGE)},
        "data": {
            "customers": int(len(df)),
            "sum_frequency": int(x.sum()),
            "repeat_customers": int(len(repeat)),
            "max_frequency": int(x.max()),
        },
        "environment": {
            "python": platform.python_version(), "lifetimes": lifetimes.__version__, "numpy": np.__version__,
            "pandas": pd.__version__, "scipy": scipy.__version__, "machine": platform.machine(),
            "cpu_count": os.cpu_count(),
        },
        "seconds": {"read_csv": t_read, "bgnbd_fit": t_bg, "gg_fit": t_gg, "total": t_read + t_bg + t_gg},
        "bgnbd": {
            "call": "BetaGeoFitter(penalizer_coef=0.0).fit(frequency, recency, T)  # tol=1e-7 default",
            "params": {k: float(v) for k, v in bgf.params_.items()},
            "standard_errors": {k: float(v) for k, v in bgf.standard_errors_.items()},
            "ll_sum": bg_ll,
            "lifetimes_internal_negative_log_likelihood_": float(bgf._negative_log_likelihood_),
        },
        "gamma_gamma": {
            "call": "GammaGammaFitter(penalizer_coef=0.0).fit(frequency, monetary_value) on frequency > 0  # tol=1e-7",
            "params": {k: float(v) for k, v in ggf.params_.items()},
            "standard_errors": {k: float(v) for k, v in ggf.standard_errors_.items()},
            "ll_sum": gg_ll,
            "lifetimes_internal_negative_log_likelihood_": float(ggf._negative_log_likelihood_),
        },
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("csv", help="output CSV path, e.g. /tmp/sim1m.csv")
    ap.add_argument("--n", type=int, default=1_000_000, help="number of customers (default 1,000,000)")
    ap.add_argument("--fit", action="store_true", help="time lifetimes on the CSV (generated first if missing)")
    args = ap.parse_args()

    if not args.fit or not os.path.exists(args.csv):
        t0 = time.perf_counter()
        x, rec, T, mon = simulate(args.n)
        t1 = time.perf_counter()
        write_csv(args.csv, x, rec, T, mon)
        t2 = time.perf_counter()
        print("generated %d customers in %.2fs, wrote %s in %.2fs (sha256 %s)"
              % (args.n, t1 - t0, args.csv, t2 - t1, sha256(args.csv)), file=sys.stderr)
    if args.fit:
        print(json.dumps(fit(args.csv), indent=2, allow_nan=False))


if __name__ == "__main__":
    main()
