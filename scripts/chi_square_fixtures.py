"""P(chi2_k > x) at 50 digits (mpmath gammainc(k/2, x/2, inf, regularized=True)) for
Tests/CLVNumericsTests/ChiSquareTests.swift. Run: python3 scripts/chi_square_fixtures.py"""
import json
import mpmath as mp

mp.mp.dps = 50
cases = []
for k in [1, 2, 3, 4, 5, 7, 10, 31, 200]:
    for x in ["1e-8", "0.01", "0.5", "1", "3.841458820694124", "7.5", "20", "60", "300", "1400"]:
        X = mp.mpf(x)
        q = mp.gammainc(mp.mpf(k) / 2, X / 2, mp.inf, regularized=True)
        cases.append({"k": k, "x": float(X), "p": mp.nstr(q, 20)})
with open("Tests/Fixtures/mpmath/chi_square.json", "w") as f:
    json.dump({"source": "scripts/chi_square_fixtures.py, mpmath 50 digits", "cases": cases}, f, indent=1)
print(len(cases))
