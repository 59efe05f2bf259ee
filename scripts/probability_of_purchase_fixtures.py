"""Reference values of P(X(T, T+t) > 0 | x, t_x, T), the chance of buying again, for
Tests/CLVKitTests/Models/ProbabilityOfPurchaseTests.swift: 1 − L(x, t_x, T+t)/L(x, t_x, T) (the
history with no purchase in (T, T+t]) with each model's likelihood written out in mpmath at 40
digits, independently of clvfit's formulas (Pareto/NBD's dropout term by mpmath.quad, BG/BB's
as FHS 2010's sum of Beta functions). L(0, 0, 0) = 1 for a just-acquired customer.
Run: python3 scripts/probability_of_purchase_fixtures.py (prints the values the test holds)."""
from mpmath import mp, mpf, gamma, beta, quad

mp.dps = 40


def bgnbd_L(r, al, a, b, x, tx, T):   # FHL 2005 eq. 6
    alive = beta(a, b + x) / beta(a, b) * gamma(r + x) * al**r / (gamma(r) * (al + T)**(r + x))
    dead = beta(a + 1, b + x - 1) / beta(a, b) * gamma(r + x) * al**r / (gamma(r) * (al + tx)**(r + x)) if x > 0 else 0
    return alive + dead


def mbgnbd_L(r, al, a, b, x, tx, T):  # Batislam et al. 2007, as corrected by Wagner & Hoppe 2008
    alive = beta(a, b + x + 1) / beta(a, b) * gamma(r + x) * al**r / (gamma(r) * (al + T)**(r + x))
    dead = beta(a + 1, b + x) / beta(a, b) * gamma(r + x) * al**r / (gamma(r) * (al + tx)**(r + x))
    return alive + dead


def pareto_L(r, al, s, be, x, tx, T):  # alive through T, or dead at τ in (t_x, T)
    alive = gamma(r + x) / gamma(r) * al**r / (al + T)**(r + x) * (be / (be + T))**s
    dead = quad(lambda tau: gamma(r + x) / gamma(r) * al**r / (al + tau)**(r + x) * s / be * (be / (be + tau))**(s + 1), [tx, T])
    return alive + dead


def bgbb_L(al, be, ga, de, x, tx, n):  # FHS 2010 eq. 5
    total = beta(al + x, be + n - x) / beta(al, be) * beta(ga, de + n) / beta(ga, de)
    for i in range(int(n - tx)):
        total += beta(al + x, be + tx - x + i) / beta(al, be) * beta(ga + 1, de + tx + i) / beta(ga, de)
    return total


def chance(L, params, x, tx, T, t):
    x, tx, T, t = mpf(x), mpf(tx), mpf(T), mpf(t)
    return 1 - L(*params, x, tx, T + t) / (L(*params, x, tx, T) if T > 0 else 1)


CASES = [(0, 0, 38.86, 52), (2, 30.43, 38.86, 52), (10, 37, 38.86, 12), (1, 5, 60, 4), (50, 70, 78, 52), (0, 0, 0, 39), (3, 20, 38.86, 0.5)]
MODELS = [("bgnbd", bgnbd_L, ("0.243", "4.414", "0.793", "2.426")),     # FHL 2005, CDNOW
          ("mbgnbd", mbgnbd_L, ("0.525", "6.183", "0.891", "1.614")),   # CDNOW's MBG/NBD, rounded
          ("pareto", pareto_L, ("0.553", "10.58", "0.606", "11.67"))]   # FHL 2005, CDNOW
BGBB = ("1.204", "0.750", "0.657", "2.783")                            # FHS 2010, donations
BGBB_CASES = [(0, 0, 6, 5), (3, 4, 6, 5), (6, 6, 6, 1), (2, 5, 6, 10), (0, 0, 0, 6), (5, 5, 6, 30)]

if __name__ == "__main__":
    for name, L, params in MODELS:
        p = tuple(mpf(v) for v in params)
        print(name, [mp.nstr(chance(L, p, *c), 17) for c in CASES])
    p = tuple(mpf(v) for v in BGBB)
    print("bgbb", [mp.nstr(chance(bgbb_L, p, *c), 17) for c in BGBB_CASES])
