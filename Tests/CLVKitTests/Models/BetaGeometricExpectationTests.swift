import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// E(A, a, B; u) for a near 1, where the closed form is 0/0 at a = 1 and cancels around it,
/// against mpmath at 60 digits (`scripts/beta_geometric_near_one_fixtures.py`).
@Suite struct BetaGeometricExpectationTests {
    static let cases: [(A: Double, a: Double, B: Double, u: Double, value: Double)] = {
        let root = try! Fixtures.json("mpmath/beta_geometric_near_one.json") as! [String: Any]
        return (root["cases"] as! [[String: Any]]).map {
            ($0["A"] as! Double, $0["a"] as! Double, $0["B"] as! Double, $0["u"] as! Double, Double($0["value"] as! String)!)
        }
    }()

    /// Every route `value` takes, to 1e-12.
    @Test func nearOneAgainstMpmath() throws {
        #expect(Self.cases.count == 210)
        for c in Self.cases {
            let value = try BetaGeometricExpectation.value(A: c.A, a: c.a, B: c.B, base: 1, t: c.u, model: "test")
            #expect(isClose(value, c.value, relative: 1e-12), "\(c): \(value)")
        }
    }

    /// The series without the a − 1 division, where it answers: to 1e-12, and it answers for every
    /// case with z ≤ 0.8 and B ≥ A (MBG/NBD's 12-month horizons at the a = 0.976 of `make bench`),
    /// which the closed form refuses near a = 1 and the quadrature took ~250 µs each for.
    @Test func nearOneSeriesIsAccurateWhereItAnswers() throws {
        var answered = 0
        for c in Self.cases {
            guard let value = BetaGeometricExpectation.nearOneSeries(A: c.A, a: c.a, B: c.B, base: 1, t: c.u) else {
                #expect(!(c.u <= 4 && c.B >= c.A && c.A > 0.1), "no answer for \(c)")
                continue
            }
            answered += 1
            #expect(isClose(value, c.value, relative: 1e-12), "\(c): \(value)")
        }
        #expect(answered > 120)
    }
}
