#!/usr/bin/env python3
"""`make bench-peers`: clvfit against lifetimes 0.11.3 on the same inputs, one after the other.

    .build/peers-venv/bin/python scripts/bench_peers.py --clvfit .build/release/clvfit \
        --bench .build/release/clvfit-bench --work .build/bench [--sizes 100k,1m]

Inputs (written once by `clvfit-bench --generate`, deterministic): summaries simulated from BG/NBD
(with Gamma-Gamma spend) and from Pareto/NBD, both with continuous times (every customer distinct,
as with day-resolution dates), 100,000 and 1,000,000 customers; and CDNOW's full summary in weeks
(`clvfit summarize datasets/cdnow_master.csv`); for the summarize pair, `make bench`'s 10,000,000-row log
(2,000,000 customers, dates in order) and a shuffled copy of it (seed 43).

Each pair is timed as issue 15 asks: a fit is a whole process on both sides (lifetimes: a Python
process that imports lifetimes, reads the CSV and fits; clvfit: `clvfit train --summary`); CLV is
lifetimes' in-process `customer_lifetime_value` (12 months, 1 % a month, freq='W') on already
fitted models against the whole `clvfit score` process, reading and writing included. The machine
is shared and noisy, so each pair runs back to back and the ratio of that pair is the figure.
Summarize (issue 17, item 5): DuckDB (from the engines' venv, `make setup-engines`) running
`clvfit summarize --emit-sql duckdb` on the CSV, written out as CSV, against `clvfit summarize`:
both whole processes; the two summaries must have the same number of rows.
"""
import argparse
import json
import os
import subprocess
import sys
import time

LIFETIMES_FIT = r"""
import sys, time, json
import pandas as pd
from lifetimes import BetaGeoFitter, ParetoNBDFitter, GammaGammaFitter
path, model = sys.argv[1], sys.argv[2]
df = pd.read_csv(path)
m = (BetaGeoFitter if model == "bgnbd" else ParetoNBDFitter)(penalizer_coef=0.0).fit(df["frequency"], df["recency"], df["T"])
out = {"params": {k: float(v) for k, v in m.params_.items()}}
if "monetary_value" in df:
    rep = df[(df["frequency"] > 0) & (df["monetary_value"] > 0)]   # lifetimes refuses non-positive means
    g = GammaGammaFitter(penalizer_coef=0.0).fit(rep["frequency"], rep["monetary_value"])
    out["spend"] = {k: float(v) for k, v in g.params_.items()}
print(json.dumps(out))
"""

LIFETIMES_CLV = r"""
import sys, time, json
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
df = pd.read_csv(sys.argv[1])
bgf = BetaGeoFitter(penalizer_coef=0.0).fit(df["frequency"], df["recency"], df["T"])
rep = df[(df["frequency"] > 0) & (df["monetary_value"] > 0)]
ggf = GammaGammaFitter(penalizer_coef=0.0).fit(rep["frequency"], rep["monetary_value"])
t0 = time.perf_counter()
clv = ggf.customer_lifetime_value(bgf, df["frequency"], df["recency"], df["T"], df["monetary_value"],
                                  time=12, discount_rate=0.01, freq="W")
print(json.dumps({"seconds": time.perf_counter() - t0, "total": float(clv.sum())}))
"""


DUCKDB_SUMMARIZE = r"""
import sys, duckdb
log, sql, out = sys.argv[1], open(sys.argv[2]).read().rstrip().rstrip(";"), sys.argv[3]
con = duckdb.connect()
quoted = lambda text: "'" + text.replace("'", "''") + "'"
con.execute("CREATE VIEW transactions AS SELECT * FROM read_csv(" + quoted(log) + ", header = true, "
            "columns = {'customer_id': 'VARCHAR', 'date': 'DATE', 'amount': 'DECIMAL(18,2)'})")
con.execute("COPY (" + sql + ") TO " + quoted(out) + " (HEADER)")
"""


def wall(cmd):
    t0 = time.perf_counter()
    run = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if run.returncode != 0:
        sys.exit("bench-peers: %s failed (%d):\n%s" % (" ".join(cmd), run.returncode, run.stderr[-2000:]))
    return seconds, run.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clvfit", required=True)
    ap.add_argument("--bench", required=True, help="clvfit-bench, which writes the simulated inputs")
    ap.add_argument("--work", required=True, help="directory for inputs and outputs")
    ap.add_argument("--sizes", default="100k,1m", help="which simulated sizes: 100k, 1m or both (default)")
    ap.add_argument("--workloads", default="fits,clv,summarize", help="which pairs: fits, clv, summarize (default: all)")
    ap.add_argument("--duckdb-python", help="a Python with duckdb (the engines' venv), for the summarize pair")
    args = ap.parse_args()
    workloads = args.workloads.split(",")
    os.makedirs(args.work, exist_ok=True)
    py = sys.executable
    sizes = args.sizes.split(",")

    inputs = []   # (label, path, has spend)
    # clvfit-bench's input names and the files `make bench` keeps them in.
    names = {("bgnbd", "100k"): ("bgnbdSummary100k", "sim100k"), ("bgnbd", "1m"): ("bgnbdSummary", "sim1m"),
             ("pareto", "100k"): ("paretoSummary100k", "pnbd100000"), ("pareto", "1m"): ("paretoSummary1M", "pnbd1000000")}
    for size in sizes:
        for family in ["bgnbd", "pareto"]:
            name, file = names[(family, size)]
            path = os.path.join(args.work, file + "-summary.csv")
            if not os.path.exists(path):
                wall([args.bench, "--generate", name, path])
            inputs.append(("%s-simulated %s" % ("BG/NBD" if family == "bgnbd" else "Pareto/NBD", size), path, family == "bgnbd"))
    cdnow = os.path.join(args.work, "cdnow-full-summary.csv")
    if not os.path.exists(cdnow):
        wall([args.clvfit, "summarize", "datasets/cdnow_master.csv", "--unit", "week", "-o", cdnow])
    inputs.insert(0, ("CDNOW (23,570)", cdnow, True))

    rows = []
    def report(workload, label, lifetimes_s, clvfit_s, goal=None):
        ratio = lifetimes_s / clvfit_s
        rows.append((workload, label, lifetimes_s, clvfit_s, ratio, goal))
        print("%-44s %-26s lifetimes %8.2f s   clvfit %7.3f s   %7.1fx%s" % (
            workload, label, lifetimes_s, clvfit_s, ratio, "   (goal >= %dx)" % goal if goal else ""), flush=True)

    model_out = os.path.join(args.work, "peers-model.json")
    for label, path, spend in (inputs if "fits" in workloads else []):
        for model in ["bgnbd", "pareto-nbd"]:
            lt, _ = wall([py, "-c", LIFETIMES_FIT, path, "bgnbd" if model == "bgnbd" else "pareto"])
            cmd = [args.clvfit, "train", "--summary", path, "--model", model, "-o", model_out, "--quiet"]
            cv, _ = wall(cmd)
            goal = 100 if model == "pareto-nbd" and "simulated" in label else (50 if model == "bgnbd" and "1m" in label and spend else None)
            report("fit %s%s (whole process)" % (model, " + Gamma-Gamma" if spend else ""), label, lt, cv, goal)

    # CLV over 12 months on the BG/NBD + Gamma-Gamma inputs: in-process lifetimes against the whole clvfit score.
    scores = os.path.join(args.work, "peers-scores.csv")
    for label, path, spend in (inputs if "clv" in workloads else []):
        if not spend or "CDNOW" in label:
            continue
        wall([args.clvfit, "train", "--summary", path, "-o", model_out, "--quiet"])
        _, out = wall([py, "-c", LIFETIMES_CLV, path])
        lt = json.loads(out)["seconds"]
        cv, _ = wall([args.clvfit, "score", "--model", model_out, "--summary", path, "-o", scores])
        report("12-month CLV (lifetimes in-process)", label, lt, cv, 20 if "1m" in label else None)
        ci, _ = wall([args.clvfit, "score", "--model", model_out, "--summary", path, "--interval", "0.9", "-o", scores])
        print("%-44s %-26s clvfit score --interval 0.9 %.3f s = %.2fx the plain score (goal <= 3x)" % ("", label, ci, ci / cv), flush=True)

    if "summarize" in workloads:
        summarize_pair(args)

    print("\n(%d cores; lifetimes 0.11.3 from scripts/lifetimes-requirements.txt; each pair back to back)" % os.cpu_count())


def summarize_pair(args):
    """DuckDB running the emitted SQL on the 10M-row log, against clvfit summarize, sorted and shuffled."""
    if not args.duckdb_python:
        print("summarize: skipped (no --duckdb-python; make bench-peers passes the engines' venv)")
        return
    log = os.path.join(args.work, "tx10m.csv")
    if not os.path.exists(log):
        wall([args.bench, "--generate", "transactionLog", log])
    shuffled = os.path.join(args.work, "tx10m-shuffled.csv")
    if not os.path.exists(shuffled):
        import random
        with open(log) as f:
            header, lines = f.readline(), f.readlines()
        random.Random(43).shuffle(lines)
        with open(shuffled + ".partial", "w") as f:
            f.write(header)
            f.writelines(lines)
        os.replace(shuffled + ".partial", shuffled)
        del lines
    sql = os.path.join(args.work, "summary-duckdb.sql")
    _, text = wall([args.clvfit, "summarize", "--emit-sql", "duckdb", "--table", "transactions", "--unit", "day"])
    with open(sql, "w") as f:
        f.write(text)
    size = os.path.getsize(log) / 1e6
    for label, path in [("date order", log), ("shuffled", shuffled)]:
        out_duckdb, out_clvfit = os.path.join(args.work, "summary-by-duckdb.csv"), os.path.join(args.work, "summary-by-clvfit.csv")
        dd, _ = wall([args.duckdb_python, "-c", DUCKDB_SUMMARIZE, path, sql, out_duckdb])
        cv, _ = wall([args.clvfit, "summarize", path, "--unit", "day", "-o", out_clvfit])
        rows = [sum(1 for _ in open(p)) for p in (out_duckdb, out_clvfit)]
        if rows[0] != rows[1]:
            sys.exit("bench-peers: DuckDB's summary has %d lines, clvfit's %d" % tuple(rows))
        print("%-44s %-26s duckdb    %8.2f s   clvfit %7.3f s   %7.1fx   (%d MB; clvfit %.0f MB/s)" % (
            "summarize 10,000,000 rows (whole process)", label, dd, cv, dd / cv, size, size / cv), flush=True)


if __name__ == "__main__":
    main()
