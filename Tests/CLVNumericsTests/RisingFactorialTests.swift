import Foundation
import Testing
@testable import CLVNumerics
import CLVTestSupport

/// ln (c)ₙ and its derivatives in c against mpmath at 50 digits
/// (`scripts/rising_factorial_fixtures.py` → `Tests/Fixtures/mpmath/rising_factorial.json`):
/// both branches (direct sums, n ≤ 64 or c ≥ 10⁴; ln Γ, ψ, ψ′ differences otherwise).
@Suite struct RisingFactorialTests {
    @Test func matchesMpmath() throws {
        let root = try Fixtures.json("mpmath/rising_factorial.json") as! [String: Any]
        let cases = root["cases"] as! [[String: Any]]
        #expect(cases.count == 81)
        for c in cases {
            let x = (c["c"] as! NSNumber).doubleValue, n = (c["n"] as! NSNumber).doubleValue
            let value = Double(c["value"] as! String)!, first = Double(c["first"] as! String)!, second = Double(c["second"] as! String)!
            let f = RisingFactorial(x, n)
            #expect(isClose(f.value, value, relative: 1e-13, floor: 1e-300) || (value == 0 && f.value == 0), "c \(x), n \(n): \(f.value) vs \(value)")
            #expect(isClose(f.first, first, relative: 1e-12) || (first == 0 && f.first == 0), "c \(x), n \(n): \(f.first) vs \(first)")
            #expect(isClose(f.second, second, relative: 1e-11) || (second == 0 && f.second == 0), "c \(x), n \(n): \(f.second) vs \(second)")
        }
    }

    @Test func derivativesAreOnlyComputedWhenAsked() {
        let f = RisingFactorial(2.5, 3, derivatives: 0)
        #expect(f.first == 0 && f.second == 0)
        #expect(isClose(f.value, Foundation.log(2.5 * 3.5 * 4.5), relative: 1e-15))
    }
}
