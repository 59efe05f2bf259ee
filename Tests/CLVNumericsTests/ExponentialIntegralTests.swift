import Foundation
import Testing
import CLVNumerics
import CLVTestSupport

/// e^z E_s(z) against mpmath at 400 digits (`scripts/exponential_integral_fixtures.py`): orders
/// through and around whole numbers (where BTYD's Tricomi form is singular), arguments from 1e-9
/// to 700, on both sides of the switch between series and continued fraction.
@Suite struct ExponentialIntegralTests {
    @Test func againstMpmath() throws {
        let root = try Fixtures.json("mpmath/exponential_integral.json") as! [String: Any]
        let cases = root["cases"] as! [[String: Any]]
        #expect(cases.count == 234)
        var worst = 0.0
        for c in cases {
            let s = c["s"] as! Double, z = c["z"] as! Double
            let expected = Double(c["value"] as! String)!
            let value = Special.scaledExponentialIntegral(order: s, z)
            let error = abs(value - expected) / expected
            worst = max(worst, error)
            #expect(error < 1e-13, "s = \(s), z = \(z): \(value) vs \(expected)")
        }
        #expect(worst < 1e-13)
    }

    /// Continuity where the method changes (z = 1, s = 8) and at whole s.
    @Test func continuousAcrossTheSwitches() {
        for s in [0.4, 1, 3, 7.5] {
            let below = Special.scaledExponentialIntegral(order: s, 1 - 1e-12), at = Special.scaledExponentialIntegral(order: s, 1)
            #expect(abs(below - at) / at < 1e-11, "s = \(s)")
        }
        let low = Special.scaledExponentialIntegral(order: 8 - 1e-12, 0.3), high = Special.scaledExponentialIntegral(order: 8, 0.3)
        #expect(abs(low - high) / high < 1e-11)
        #expect(Special.scaledExponentialIntegral(order: 0, 1).isNaN && Special.scaledExponentialIntegral(order: 1, 0).isNaN)
    }
}
