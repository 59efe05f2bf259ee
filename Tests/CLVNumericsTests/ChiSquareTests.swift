import Foundation
import Testing
@testable import CLVNumerics
import CLVTestSupport

/// P(χ²ₖ > x) against mpmath at 50 digits (`scripts/chi_square_fixtures.py`), even and odd k,
/// p-values from 1 to below 1e-300.
@Suite struct ChiSquareTests {
    @Test func survivalMatchesMpmath() throws {
        let root = try Fixtures.json("mpmath/chi_square.json") as! [String: Any]
        let cases = root["cases"] as! [[String: Any]]
        #expect(cases.count == 90)
        for c in cases {
            let k = (c["k"] as! NSNumber).intValue, x = (c["x"] as! NSNumber).doubleValue
            let p = Double(c["p"] as! String)!
            let q = Special.chiSquareSurvival(x, degreesOfFreedom: k)
            if p < 1e-300 { #expect(q < 1e-290, "k \(k), x \(x): \(q)"); continue }
            #expect(isClose(q, p, relative: 1e-13), "k \(k), x \(x): \(q) vs \(p)")
        }
        // The 5 % critical value on 1 df.
        #expect(isClose(Special.chiSquareSurvival(3.841458820694124, degreesOfFreedom: 1), 0.05, relative: 1e-13))
        #expect(Special.chiSquareSurvival(0, degreesOfFreedom: 3) == 1)
    }
}
