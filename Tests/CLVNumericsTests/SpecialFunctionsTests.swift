import Testing
@testable import CLVNumerics
import CLVTestSupport

/// Reference values computed with mpmath 1.3.0 at 40 significant digits
/// (`mp.digamma(x)`, `mp.psi(1, x)`, `mp.log(mp.hyp2f1(a, b, c, z))`), printed to 20–25 digits.
@Suite struct SpecialFunctionsTests {
    static let polygammaReferences: [(x: Double, digamma: Double, trigamma: Double)] = [
        (1e-6, -1000000.5772140200139, 1000000000001.6450222),
        (0.1, -10.423754940411076232, 101.4332991507927477),
        (0.5, -1.9635100260214234794, 4.9348022005446793094),
        (1, -0.57721566490153286061, 1.6449340668482264365),
        (2.5, 0.70315664064524318723, 0.49035775610023486497),
        (5.9999, 1.7060995359722761709, 0.18132623476948003402),
        (6, 1.7061176684318004727, 0.18132295573711532536),
        (10, 2.2517525890667211076, 0.10516633568168574612),
        (123.456, 4.8118293238289854123, 0.0081329458342781978071),
        (1e6, 13.815510057964190771, 1.0000005000001666667e-6),
    ]

    /// 1e-13 relative: the asymptotic series is good to ~1e-16; the recurrence below 6 adds a
    /// handful of roundings, and cancellation near the digamma root (1.46) is not sampled here.
    @Test(arguments: polygammaReferences.indices)
    func polygammaMatchesMpmath(_ i: Int) {
        let ref = Self.polygammaReferences[i]
        #expect(isClose(Special.digamma(ref.x), ref.digamma, relative: 1e-13), "ψ(\(ref.x))")
        #expect(isClose(Special.trigamma(ref.x), ref.trigamma, relative: 1e-13), "ψ′(\(ref.x))")
    }

    @Test func polygammaOutsideDomainIsNaNNotGarbage() {
        #expect(Special.digamma(0).isNaN)
        #expect(Special.digamma(-1.5).isNaN)
        #expect(Special.trigamma(.nan).isNaN)
    }

    @Test func digammaIsDerivativeOfLogGamma() {
        for x in [0.3, 1.7, 4.2, 55.5] {
            let h = 1e-5
            let numeric = (Special.logGamma(x + h) - Special.logGamma(x - h)) / (2 * h)
            #expect(isClose(Special.digamma(x), numeric, relative: 1e-8))  // central-difference error O(h²)
        }
    }

    static let hypergeometricReferences: [(a: Double, b: Double, c: Double, z: Double, log: Double)] = [
        (0.24, 2.43, 2.22, 0.3, 0.09472861702770116582429452),
        (2.24, 4.43, 4.22, 0.47, 1.501660333277037916909271),
        (100.24, 102.43, 101.22, 0.5, 70.31391272183182814258259),      // large x: Euler transform
        (500.24, 502.43, 501.22, 0.9, 1154.629164163252359317003),      // value ~ e^1154 overflows a Double
        (0.5, -0.3, 1.7, 0.95, -0.1192109071837951928546156),           // a negative parameter
        (1, 1, 2, 0.999, 1.933645234249648897010673),                   // z near 1: −ln(1−z)/z
    ]

    /// 1e-12 relative on ln ₂F₁: series summed to 1e-17 relative, a few hundred roundings.
    @Test(arguments: hypergeometricReferences.indices)
    func hypergeometricMatchesMpmath(_ i: Int) throws {
        let ref = Self.hypergeometricReferences[i]
        let v = try Hypergeometric.log2F1(ref.a, ref.b, ref.c, ref.z)
        #expect(v.sign == 1)
        #expect(isClose(v.logMagnitude, ref.log, relative: 1e-12), "ln 2F1\(ref)")
    }

    @Test func hypergeometricRejectsPolesAndOutOfRange() {
        #expect(throws: Hypergeometric.Failure.self) { try Hypergeometric.log2F1(1, 1, 0, 0.5) }
        #expect(throws: Hypergeometric.Failure.self) { try Hypergeometric.log2F1(1, 1, -2, 0.5) }
        #expect(throws: Hypergeometric.Failure.self) { try Hypergeometric.log2F1(1, 1, 2, 1) }
        #expect(throws: Hypergeometric.Failure.self) { try Hypergeometric.log2F1(1, 1, 2, .nan) }
    }

    @Test func logSpaceArithmetic() {
        #expect(isClose(LogSpace.add(1000, 1000), 1000 + 0.6931471805599453, relative: 1e-15))
        #expect(LogSpace.add(-.infinity, 3) == 3)
        #expect(isClose(LogSpace.sum([-1000, -1000, -1000]), -1000 + 1.0986122886681098, relative: 1e-15))
        #expect(LogSpace.sum([Double]()) == -.infinity)
        #expect(LogSpace.logistic(-700) > 0 && LogSpace.logistic(-700) < 1e-300)  // e^−700 ≈ 1e−304, no underflow to 0
        #expect(LogSpace.logistic(800) == 1)
    }
}
