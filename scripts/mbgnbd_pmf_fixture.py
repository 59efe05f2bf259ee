#!/usr/bin/env python3
"""MBG/NBD P(X(t) = x) reference values for the clvfit Swift tests (MBGNBDTests).

    /tmp/ltvenv/bin/python scripts/mbgnbd_pmf_fixture.py         # step 1: lifetimes
    python3 scripts/mbgnbd_pmf_fixture.py mpmath                  # step 2: adds mpmath values
        -> Tests/Fixtures/lifetimes/mbgnbd_pmf.json

Step 1: lifetimes 0.11.3 ModifiedBetaGeoFitter.probability_of_n_purchases_up_to_time(t, x) at
the published CDNOW parameters (BTYDplus; r, alpha, a, b = 0.5248, 6.1830, 0.8914, 1.6140).
Step 2: the same formula at 50 digits with mpmath ("p_mpmath"), the negative binomial's upper
tail summed directly (sum_{j >= x}, to 1e-60 relative), so it is exact where lifetimes'
1 - sum_{j < x} cancels (its values below ~1e-16 times B(a+1, b+x)/B(a, b) are rounding noise).
"""

import json
import os
import platform
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PARAMS = {"r": 0.5248, "alpha": 6.1830, "a": 0.8914, "b": 1.6140}
CASES = [(t, x) for t in (1.0, 2.0, 39.0, 78.0) for x in (0, 1, 2, 5, 12, 30)]


def add_mpmath():
    import mpmath as mp
    mp.mp.dps = 50
    path = os.path.join(ROOT, "Tests", "Fixtures", "lifetimes", "mbgnbd_pmf.json")
    with open(path) as fh:
        doc = json.load(fh)
    r, alpha, a, b = (mp.mpf(str(PARAMS[k])) for k in ("r", "alpha", "a", "b"))

    def nb(j, t):
        return mp.exp(mp.loggamma(r + j) - mp.loggamma(r) - mp.loggamma(j + 1)) * (alpha / (alpha + t)) ** r * (t / (alpha + t)) ** j

    for v in doc["values"]:
        t, x = mp.mpf(str(v["t"])), v["x"]
        tail = mp.mpf(0)
        j = x
        while True:
            term = nb(j, t)
            tail += term
            if j > x + 10 and term < tail * mp.mpf("1e-60"):
                break
            j += 1
        p = mp.beta(a, b + x + 1) / mp.beta(a, b) * nb(x, t) + mp.beta(a + 1, b + x) / mp.beta(a, b) * (tail if x > 0 else 1)
        v["p_mpmath"] = float(p)
    doc["mpmath"] = mp.__version__
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(doc, indent=1) + "\n")
    print("added mpmath values to %s" % os.path.relpath(path, ROOT), file=sys.stderr)


def main():
    if sys.argv[1:] == ["mpmath"]:
        return add_mpmath()
    import pandas as pd
    import lifetimes
    from lifetimes import ModifiedBetaGeoFitter

    f = ModifiedBetaGeoFitter()
    f.params_ = pd.Series(PARAMS)
    values = [{"t": t, "x": x, "p": float(f.probability_of_n_purchases_up_to_time(t, x))} for t, x in CASES]
    out = {
        "description": "MBG/NBD P(X(t) = x), lifetimes %s ModifiedBetaGeoFitter.probability_of_n_purchases_up_to_time" % lifetimes.__version__,
        "generated_by": "scripts/mbgnbd_pmf_fixture.py",
        "environment": {"python": platform.python_version(), "lifetimes": lifetimes.__version__},
        "params": PARAMS,
        "values": values,
    }
    path = os.path.join(ROOT, "Tests", "Fixtures", "lifetimes", "mbgnbd_pmf.json")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(out, indent=1) + "\n")
    print("wrote %s" % os.path.relpath(path, ROOT), file=sys.stderr)


if __name__ == "__main__":
    main()
