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

    /// The table scoring uses for a horizon (per frequency and unit cell of ln(α+T), one series per
    /// month) equals each customer's own E[Y(t)] to 1e-10 for 20,000 simulated customers observed
    /// 0.5 to 150 weeks, BG/NBD (a < 1) and MBG/NBD (a = 0.976, the near-1 route), and a
    /// customer's value is the same, to the bit, in a table of their own.
    @Test func horizonTableEqualsEachCustomersExpectation() throws {
        let table = Simulate.bgnbd(customers: 20_000, r: 0.5, alpha: 1, a: 0.8, b: 2.5, observation: 0.5...150, seed: 5)
        let models: [any PurchaseModel] = [try BGNBD(r: 0.5, alpha: 1, a: 0.8, b: 2.5), try MBGNBD(r: 0.448, alpha: 5.78, a: 0.976, b: 2.196)]
        let times = (1...12).map { Double($0) * 30.436875 / 7 }
        for model in models {
            let prepared = model.horizonExpectations(times: times, frequencies: table.frequency, T: table.T)
            let interpolated = try #require(prepared as? BetaGeometricExpectation.Table)
            #expect(interpolated.series.count >= 10)
            var worst = 0.0
            for i in stride(from: 0, to: table.count, by: 7) {
                let (x, tx, T) = (table.frequency[i], table.recency[i], table.T[i])
                for k in [0, 5, 11] {
                    let fast = try prepared.expectedPurchases(k, frequency: x, recency: tx, T: T)
                    let direct = try model.expectedPurchases(within: times[k], frequency: x, recency: tx, T: T)
                    worst = max(worst, abs(fast - direct) / direct)
                    if i % 700 == 0, k == 11 {
                        let alone = try model.horizonExpectations(times: times, frequencies: [x], T: [T]).expectedPurchases(k, frequency: x, recency: tx, T: T)
                        #expect(alone == fast)
                    }
                }
            }
            #expect(worst < 1e-10, "\(model): worst \(worst)")
        }
    }
}
