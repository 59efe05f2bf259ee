import Foundation
import Testing
@testable import CLVNumerics
import CLVTestSupport

/// Adaptive Gauss–Kronrod on integrals with known values.
@Suite struct GaussKronrodTests {
    /// ∫₀¹ eᵛ dv = e − 1 and ∫₀^π sin v dv = 2 (as the log of a positive integrand). Tolerance
    /// 1e-13 relative: the quadrature's own target, with a few ulps to spare for the sum.
    @Test func smoothIntegrals() throws {
        let e = try GaussKronrod.logIntegral(ofLog: { $0 }, from: 0, to: 1)
        #expect(isClose(Foundation.exp(e), M_E - 1, relative: 1e-13))
        let sine = try GaussKronrod.logIntegral(ofLog: { Foundation.log(Foundation.sin($0)) }, from: 0, to: Double.pi)
        #expect(isClose(Foundation.exp(sine), 2, relative: 1e-13))
    }

    /// ln ∫ e^(±1000 − v²/2) dv over [−40, 40] = ±1000 + ln √(2π): integrands of e^±1000 neither
    /// overflow nor underflow, and a narrow peak in a wide interval is found (tolerance 1e-14
    /// relative on a value of size 1000, i.e. ~1e-11 absolute).
    @Test func scaledIntegrandsAndNarrowPeaks() throws {
        for shift in [-1000.0, 1000.0] {
            let v = try GaussKronrod.logIntegral(ofLog: { shift - $0 * $0 / 2 }, from: -40, to: 40)
            #expect(isClose(v, shift + 0.5 * Foundation.log(2 * Double.pi), relative: 1e-14))
        }
        // A peak of width 0.01 in [0, 100], off the initial panel boundaries.
        let peak = try GaussKronrod.logIntegral(ofLog: { -($0 - 37.3) * ($0 - 37.3) / 2e-4 }, from: 0, to: 100)
        #expect(isClose(peak, Foundation.log(0.01 * (2 * Double.pi).squareRoot()), absolute: 1e-12))
    }

    /// An empty interval is −∞ (an integral of 0); a NaN integrand or a budget too small for
    /// the tolerance are errors, not numbers.
    @Test func degenerateCasesAndFailures() throws {
        #expect(try GaussKronrod.logIntegral(ofLog: { $0 }, from: 2, to: 2) == -.infinity)
        #expect(try GaussKronrod.logIntegral(ofLog: { _ in -.infinity }, from: 0, to: 1) == -.infinity)
        #expect(throws: GaussKronrod.Failure.self) {
            try GaussKronrod.logIntegral(ofLog: { _ in .nan }, from: 0, to: 1)
        }
        #expect(throws: GaussKronrod.Failure.self) {
            try GaussKronrod.logIntegral(ofLog: { -($0 - 0.5) * ($0 - 0.5) / 2e-8 }, from: 0, to: 1, initialPanels: 1, maxPanels: 2)
        }
    }
}
