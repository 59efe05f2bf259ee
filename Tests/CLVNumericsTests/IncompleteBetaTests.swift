import Foundation
import Testing
import CLVNumerics
import CLVTestSupport

/// The regularized incomplete beta function against mpmath 1.3.0 at 40 digits
/// (`mpmath.betainc(a, b, 0, x, regularized=True)`) and against closed forms.
@Suite struct IncompleteBetaTests {
    /// (a, b, x, I_x(a, b)): Gamma-Gamma-like shapes (px = 6.25·x, q = 3.74), U-shaped (0.5, 0.5),
    /// a small a, and arguments near 1. Tolerance 1e-12 relative: the continued fraction stops at
    /// 1e-16 per step; the log-space prefactor (ln Γ of values up to ~35) loses a few more digits.
    static let references: [(Double, Double, Double, Double)] = [
        (6.25, 3.74, 0.3, 0.01679062093901473408126885),
        (31.25, 3.74, 0.9, 0.4953550765483089953294602),
        (0.5, 0.5, 0.01, 0.06376856085851984858278601),
        (2.0, 3.0, 0.4, 0.5248000000000000383693077),
        (12.5, 3.74, 0.999, 0.9999999932488739492528664),
        (0.3, 7.0, 0.5, 0.9990093494804438568024549),
    ]

    @Test func matchesMpmath() {
        for (a, b, x, expected) in Self.references {
            let v = Special.regularizedIncompleteBeta(a, b, x)
            #expect(isClose(v, expected, relative: 1e-12), "I_\(x)(\(a), \(b)) = \(v), mpmath \(expected)")
        }
    }

    /// I_x(1, b) = 1 − (1−x)^b and the symmetry I_x(a, b) = 1 − I_{1−x}(b, a); 1e-13 absolute
    /// (values in [0, 1], a handful of roundings).
    @Test func closedFormsAndSymmetry() {
        for b in [0.5, 1.0, 3.74, 20.0] {
            for x in stride(from: 0.05, through: 0.95, by: 0.1) {
                #expect(isClose(Special.regularizedIncompleteBeta(1, b, x), 1 - pow(1 - x, b), absolute: 1e-13))
                #expect(isClose(Special.regularizedIncompleteBeta(2.5, b, x), 1 - Special.regularizedIncompleteBeta(b, 2.5, 1 - x), absolute: 1e-13))
            }
        }
        #expect(Special.regularizedIncompleteBeta(2, 3, 0) == 0)
        #expect(Special.regularizedIncompleteBeta(2, 3, 1) == 1)
    }
}
