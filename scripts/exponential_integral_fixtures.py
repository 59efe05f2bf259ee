"""Reference values of e^z E_s(z) = ∫₀^∞ e^(−zv) (1+v)^(−s) dv (E_s the generalized exponential
integral) by mpmath at 400 digits (at 50, mpmath's expint(250, 700) is wrong by 10^158: its series
cancels), each checked against mpmath's quadrature of the integral, for Tests/CLVNumericsTests/ExponentialIntegralTests.swift: the
Pareto/NBD DERT's E[1/(μ+δ)]. Run: python3 scripts/exponential_integral_fixtures.py"""
import json
import mpmath as mp

mp.mp.dps = 400
cases = []
orders = ["0.01", "0.3", "0.4081095", "0.5", "0.9", "0.999999", "1", "1.000001", "1.5", "2", "2.5", "3",
          "4.75", "7.999", "8", "12", "40", "250"]
arguments = ["1e-9", "1e-4", "0.01", "0.0307", "0.1", "0.2454", "0.5", "0.999", "1", "1.5", "4", "30", "700"]
for s in orders:
    for z in arguments:
        S, Z = mp.mpf(s), mp.mpf(z)
        v = mp.exp(Z) * mp.expint(S, Z)
        with mp.workdps(30):
            q = mp.quad(lambda t: mp.exp(-Z * t) * (1 + t) ** -S, [0, 1 / Z, 10 / Z, 100 / Z, mp.inf])
        assert abs(v - q) <= mp.mpf("1e-20") * abs(v), (s, z, v, q)
        cases.append({"s": float(S), "z": float(Z), "value": mp.nstr(v, 20)})
with open("Tests/Fixtures/mpmath/exponential_integral.json", "w") as f:
    json.dump({"source": "scripts/exponential_integral_fixtures.py, mpmath 400 digits, checked by quadrature", "cases": cases}, f, indent=1)
print(len(cases))
