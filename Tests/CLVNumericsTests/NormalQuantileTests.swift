import Foundation
import Testing
@testable import CLVNumerics
import CLVTestSupport

/// Φ⁻¹ against Python 3.12's `statistics.NormalDist().inv_cdf` (Wichura's AS241, good to
/// about 1e-16), printed with `repr`.
@Suite struct NormalQuantileTests {
    static let references: [(p: Double, z: Double)] = [
        (0.5, 0), (0.95, 1.6448536269514715), (0.975, 1.9599639845400536), (0.995, 2.5758293035489),
        (0.9, 1.2815515655446008), (0.3, -0.5244005127080407), (0.02425, -1.9729610513118845),
        (0.001, -3.090232306167813), (1e-10, -6.361340902404056),
    ]

    /// 1e-13 relative (absolute at p = 0.5): Acklam's approximation is good to 1.15e-9 and the
    /// Halley step squares that error, leaving rounding in erfc and exp (a few ulps; the
    /// p = 1e-10 tail loses a few more to 1 − p-free but exp(z²/2) ≈ 6e8 scaling).
    @Test(arguments: references.indices)
    func matchesAS241(_ i: Int) {
        let (p, z) = Self.references[i]
        let q = Special.normalQuantile(p)
        #expect(z == 0 ? abs(q) < 1e-15 : isClose(q, z, relative: 1e-13), "Φ⁻¹(\(p)) = \(q), reference \(z)")
    }

    /// Symmetry Φ⁻¹(1 − p) = −Φ⁻¹(p) and the edges: ±∞ at 0 and 1, NaN outside.
    @Test func symmetryAndEdges() {
        for p in [0.001, 0.02, 0.2, 0.45] {
            #expect(isClose(Special.normalQuantile(1 - p), -Special.normalQuantile(p), relative: 1e-12), "p = \(p)")
        }
        #expect(Special.normalQuantile(0) == -.infinity)
        #expect(Special.normalQuantile(1) == .infinity)
        #expect(Special.normalQuantile(1.5).isNaN)
        #expect(Special.normalQuantile(-0.1).isNaN)
    }
}
