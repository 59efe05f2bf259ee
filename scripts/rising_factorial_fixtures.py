"""Reference values of ln (c)_n = ln Γ(c+n) − ln Γ(c) and its first two derivatives in c, at 50 digits
(mpmath), for Tests/CLVNumericsTests/RisingFactorialTests.swift. Run: python3 scripts/rising_factorial_fixtures.py"""
import json
import mpmath as mp

mp.mp.dps = 50
cases = []
for c in ["1e-8", "0.0137", "0.5", "1", "2.426", "37.5", "1e4", "1e8", "3e12"]:
    for n in [0, 1, 2, 7, 63, 64, 65, 200, 5000]:
        C = mp.mpf(c)
        v = mp.loggamma(C + n) - mp.loggamma(C)
        d1 = mp.digamma(C + n) - mp.digamma(C)
        d2 = mp.psi(1, C + n) - mp.psi(1, C)
        cases.append({"c": float(C), "n": n, "value": mp.nstr(v, 20), "first": mp.nstr(d1, 20), "second": mp.nstr(d2, 20)})
with open("Tests/Fixtures/mpmath/rising_factorial.json", "w") as f:
    json.dump({"source": "scripts/rising_factorial_fixtures.py, mpmath 50 digits", "cases": cases}, f, indent=1)
print(len(cases))
