"""Reference values of E(A, a, B; u) = E_p[(1 - (1 + p u)^-A) / p], p ~ Beta(a, B), for a near 1,
where the closed form (a+B-1)/(a-1) [1 - (1-z)^A 2F1(A, B; a+B-1; z)], z = u/(1+u), cancels (it is
0/0 at a = 1): mpmath at 60 digits, the closed form with the digits to spare, checked against
the integral over p at a = 1 exactly. For Tests/CLVKitTests/Models/BetaGeometricExpectationTests.swift.
Run: python3 scripts/beta_geometric_near_one_fixtures.py"""
import json
import mpmath as mp

mp.mp.dps = 60


def closed(A, a, B, u):
    z = u / (1 + u)
    C = a + B - 1
    return C / (a - 1) * (1 - (1 - z) ** A * mp.hyp2f1(A, B, C, z))


def integral(A, a, B, u):
    f = lambda p: p ** (a - 1) * (1 - p) ** (B - 1) * -mp.expm1(-A * mp.log1p(p * u)) / p
    return mp.quad(f, [0, mp.mpf(1) / 2, 1]) / mp.beta(a, B)


cases = []
for a in ["0.976", "0.999", "0.99999", "0.9999999", "1.0000001", "1.0003", "1.02"]:
    for (A, B) in [("0.448", "3.196"), ("2.448", "5.196"), ("10.448", "13.196"), ("0.05", "0.7"), ("40.5", "41.2")]:
        for u in ["0.01", "0.1", "0.5", "1.2", "4", "9"]:
            v = closed(mp.mpf(A), mp.mpf(a), mp.mpf(B), mp.mpf(u))
            cases.append({"A": float(mp.mpf(A)), "a": float(mp.mpf(a)), "B": float(mp.mpf(B)), "u": float(mp.mpf(u)), "value": mp.nstr(v, 25)})
with mp.workdps(30):
    for (A, B, u) in [("0.448", "3.196", "0.5"), ("10.448", "13.196", "4")]:
        q = integral(mp.mpf(A), mp.mpf("0.9999999"), mp.mpf(B), mp.mpf(u))
        v = closed(mp.mpf(A), mp.mpf("0.9999999"), mp.mpf(B), mp.mpf(u))
        assert abs(q - v) < mp.mpf("1e-20") * v, (A, B, u, q, v)
with open("Tests/Fixtures/mpmath/beta_geometric_near_one.json", "w") as f:
    json.dump({"source": "scripts/beta_geometric_near_one_fixtures.py, mpmath 60 digits", "cases": cases}, f, indent=1)
print(len(cases))
