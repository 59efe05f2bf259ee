#!/usr/bin/env python3
"""Reference values for Hypergeometric.log2F1UnitA in its quadrature range (1 - z < 1e-4).

ln 2F1(1, b; c; z) and its first and second partial derivatives in (b, c, z), by mpmath at 60
significant digits (mp.hyp2f1 and mp.diff, the recipe of the other unitAReferences in
Tests/CLVNumericsTests/SpecialFunctionsTests.swift), printed as Swift tuples to paste into that
table. The points follow the Pareto/NBD ridge of tiny data sets (b = r + x of 10^6..10^9, c - b =
s or s + 1 with s from 1e-7 to 0.3, z = 1 - (beta + t)/(alpha + t) within 1e-5..1e-7 of 1) and
the corners of the quadrature: c near 1, c - b < 1 (an interior mode), c - b > 1, b(1 - z) large
(a peak at v = 0) and z within 1e-12 of 1.

Usage: python3 scripts/hypergeometric_unit_a_fixtures.py   (needs mpmath; 1.3.0 or later)
"""
import mpmath as mp

mp.mp.dps = 60

POINTS = [
    ("1.61", "27.16", "0.9999"),                      # next to the switch from the continued fraction
    # (b, c, z) as decimal strings, exactly the Double literals of the Swift table.
    ("21903563.0", "21903564.287", "0.99999973"),     # 5-customer ridge, h1: r + x, s + 1
    ("21903564.0", "21903564.287", "0.99999973"),     # 5-customer ridge, h2: r + x + 1, s (c - b < 1)
    ("2621702.0", "2621703.00000011", "0.99999"),     # 1-customer ridge: s = 1.1e-7
    ("1.6", "1.9", "0.999999999"),                    # c - b < 1, z = 1 - 1e-9
    ("0.55", "1.05", "0.9999999"),                    # c near 1
    ("0.6", "1.2", "0.999999999999"),                 # z = 1 - 1e-12
    ("10000000.0", "10000002.0", "0.99999"),          # b(1 - z) = 100: the mass sits near v = 0
    ("0.5", "3.5", "0.99999999"),                     # c - b > 1
]


def f(b, c, z):
    return mp.log(mp.hyp2f1(1, b, c, z))


def main():
    for bs, cs, zs in POINTS:
        # At the Doubles the Swift literals round to (z = 0.99999973 is off by ~5e-17, which moves
        # ln F by dz * 5e-17 = 2e-10 at the ridge points).
        b, c, z = mp.mpf(float(bs)), mp.mpf(float(cs)), mp.mpf(float(zs))
        value = f(b, c, z)
        orders = [(1, 0, 0), (0, 1, 0), (0, 0, 1), (2, 0, 0), (1, 1, 0), (1, 0, 1), (0, 2, 0), (0, 1, 1), (0, 0, 2)]
        derivatives = [mp.diff(f, (b, c, z), o) for o in orders]
        numbers = ", ".join(mp.nstr(v, 20, min_fixed=-4, max_fixed=8) for v in [value] + derivatives)
        print(f"        ({bs}, {cs}, {zs}, {numbers}),")


if __name__ == "__main__":
    main()
