"""Reference DERT values for BG/NBD and MBG/NBD by mpmath, for
Tests/CLVKitTests/Models/ResidualTransactionsTests.swift. No closed form is published, so each value
is computed two independent ways and the two must agree to 1e-20:
  1. the definition, delta * Int_0^inf e^(-delta t) E[X(T, T+t) | x, t_x, T] dt, with FHL 2005 eq. 10
     (BG/NBD) or Wagner & Hoppe 2008 (MBG/NBD) for E[X] through mpmath's hyp2f1;
  2. the posterior form clvfit uses: P(alive) * (r+x) * E_p[e^z E_(r+x+1)(z) / p], z = delta (alpha+T) / p,
     p ~ Beta(a, b+x) (BG/NBD) or Beta(a, b+x+1) (MBG/NBD).
Run: python3 scripts/beta_geometric_dert_fixtures.py"""
import json
import mpmath as mp

mp.mp.dps = 40


def palive(model, r, al, a, b, x, tx, T):
    if model == "bgnbd":
        if x == 0:
            return mp.mpf(1)
        return 1 / (1 + a / (b + x - 1) * ((al + T) / (al + tx)) ** (r + x))
    return 1 / (1 + a / (b + x) * ((al + T) / (al + tx)) ** (r + x))


def by_definition(model, r, al, a, b, x, tx, T, d):
    B = b + x if model == "bgnbd" else b + x + 1
    c = a + B - 1
    def expected(t):
        z = t / (al + T + t)
        return c / (a - 1) * (1 - ((al + T) / (al + T + t)) ** (r + x) * mp.hyp2f1(r + x, B, c, z))
    scale = 1 / d
    pts = [0, (al + T) / 10, al + T, 10 * (al + T), scale, 10 * scale, 100 * scale, mp.inf]
    pts = sorted(set(pts))
    return palive(model, r, al, a, b, x, tx, T) * d * mp.quad(lambda t: mp.exp(-d * t) * expected(t), pts)


def posterior_form(model, r, al, a, b, x, tx, T, d):
    B = b + x if model == "bgnbd" else b + x + 1
    s = r + x
    e = d * (al + T)
    lb = mp.log(mp.beta(a, B))
    # In t = logit p, so that 1 - p near 1 keeps its digits: p^a (1-p)^B dt is the Beta weight.
    def scaled_ei(z):    # e^z E_(s+1)(z); for z > 1e6 s its asymptotic series (terms fall by (s+k+1)/z)
        if z < 1e6 * (s + 2):
            return mp.exp(z) * mp.expint(s + 1, z)
        total, term, k = mp.mpf(0), 1 / z, 0
        while abs(term) > mp.mpf(10) ** (-mp.mp.dps - 5) * abs(total + term):
            total += term
            term *= -(s + 1 + k) / z
            k += 1
        return total
    def f(t):
        lp, lq = -mp.log1p(mp.exp(-t)), -mp.log1p(mp.exp(t))
        z = e * mp.exp(-lp)
        return mp.exp(a * lp + B * lq - lb) * scaled_ei(z) * mp.exp(-lp)
    eps = e / s
    pts = [q for q in [eps / 1e4, eps / 100, eps, 100 * eps, a / (a + B), mp.mpf(1) / 2] if q < 1]
    # Beyond these ends the weight p^a (1-p)^B is below e^-130 of its peak's share.
    ts = [mp.log(q / (1 - q)) for q in pts]
    ts = sorted(set([min(ts) - 130 / a, max(ts) + 130 / B] + ts))
    return palive(model, r, al, a, b, x, tx, T) * s * mp.quad(f, ts)


cdnow = ("0.242594150135", "4.41359091734", "0.792919156", "2.42589514")   # BG/NBD on CDNOW (FHL 2005)
cases = []
# (model, r, alpha, a, b, x, t_x, T, delta): CDNOW's fit at FHL 2005's 15 % a year (0.0027 a week) and
# at 1 % a month (ln 1.01 / (52/12)); then extremes: a < 1, r < 1, a small discount rate, large x,
# b large (little dropout), a and b below 1 with x = 0.
grid = []
for model in ["bgnbd", "mbgnbd"]:
    for (x, tx, T) in [(0, 0, 38.86), (2, 30.43, 38.86), (7, 35, 77.86), (20, 36, 38), (1, 1, 1)]:
        for d in ["0.0027", "0.00229631"]:
            grid.append((model,) + cdnow + (x, tx, T, d))
    grid += [
        (model, "0.5", "10", "0.3", "0.4", 0, 0, 40, "0.0027"),
        (model, "0.5", "10", "0.3", "0.4", 3, 20, 40, "1e-5"),
        (model, "2", "5", "3.5", "40", 12, 39, 40, "0.01"),
        (model, "0.05", "0.5", "0.15", "0.2", 1, 5, 50, "0.001"),
        (model, "1.5", "20", "1.7", "2000", 5, 30, 52, "0.0027"),
        (model, "0.8", "3", "50", "60", 100, 51, 52, "0.2"),
    ]
for (model, r, al, a, b, x, tx, T, d) in grid:
    args = (model, mp.mpf(r), mp.mpf(al), mp.mpf(a), mp.mpf(b), mp.mpf(x), mp.mpf(tx), mp.mpf(T), mp.mpf(d))
    v1 = by_definition(*args)
    v2 = posterior_form(*args)
    assert abs(v1 - v2) <= mp.mpf("1e-20") * v2, (model, r, al, a, b, x, tx, T, d, v1, v2)
    cases.append({"model": model, "parameters": [float(mp.mpf(q)) for q in (r, al, a, b)], "x": float(x), "tx": float(tx),
                  "T": float(T), "delta": float(mp.mpf(d)), "dert": mp.nstr(v2, 20)})
    print(model, r, al, a, b, x, tx, T, d, mp.nstr(v2, 15))
with open("Tests/Fixtures/mpmath/beta_geometric_dert.json", "w") as f:
    json.dump({"source": "scripts/beta_geometric_dert_fixtures.py: mpmath 40 digits, by the definition and by the posterior form (agreeing to 1e-20)",
               "cases": cases}, f, indent=1)
print(len(cases))
