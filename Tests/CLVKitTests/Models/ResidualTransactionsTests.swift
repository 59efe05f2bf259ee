import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// DERT against BTYD's documented examples (EXTENSIONS.md §3, to 1e-8), BG/NBD and MBG/NBD (which
/// no library has) against mpmath, against the limit of the discounted sum of period-by-period
/// expectations, and across extreme parameters.
@Suite struct ResidualTransactionsTests {
    static let pareto = try! ParetoNBD(r: 0.5629966, alpha: 12.5590370, s: 0.4081095, beta: 10.5148048)
    static let bgbb = try! BGBB(alpha: 1.20, beta: 0.75, gamma: 0.66, delta: 2.78)

    /// BTYD `pnbd.DERT` at δ = 0.0027 a week (FHL 2005's 15 % a year).
    @Test func paretoNBDAgainstBTYD() throws {
        let m = Self.pareto
        #expect(isClose(try m.discountedExpectedResidualTransactions(frequency: 7, recency: 35, T: 77.86, discountRate: 0.0027), 1.86418332807, relative: 1e-8))
        let expected = [2.199155449705, 2.843534406066, 2.867128391206, 2.445410078607, 1.840501924477,
                        1.262416471744, 0.809618119454, 0.494803619375, 0.292024701570, 0.167927508566]
        for (k, value) in expected.enumerated() {
            let dert = try m.discountedExpectedResidualTransactions(frequency: Double(k + 1), recency: 30, T: 77.86, discountRate: 0.0027)
            #expect(isClose(dert, value, relative: 1e-8), "x = \(k + 1): \(dert) vs \(value)")
        }
    }

    /// BG/NBD and MBG/NBD against mpmath (`scripts/beta_geometric_dert_fixtures.py`: each value from
    /// the definition δ∫e^(−δt) E[X(T, T+t)] dt with FHL 2005 eq. 10 and from the posterior form,
    /// agreeing to 1e-20): CDNOW's fit at 15 % a year and 1 % a month, a < 1 with b < 1, δ = 1e-5,
    /// b = 2000, x = 100, to 1e-10.
    @Test func betaGeometricModelsAgainstMpmath() throws {
        let root = try Fixtures.json("mpmath/beta_geometric_dert.json") as! [String: Any]
        let cases = root["cases"] as! [[String: Any]]
        #expect(cases.count == 32)
        for c in cases {
            let parameters = c["parameters"] as! [Double]
            let model: any ResidualTransactionsModel = c["model"] as! String == "bgnbd"
                ? try BGNBD(parameterValues: parameters) : try MBGNBD(parameterValues: parameters)
            let x = c["x"] as! Double, tx = c["tx"] as! Double, T = c["T"] as! Double, delta = c["delta"] as! Double
            let expected = Double(c["dert"] as! String)!
            let dert = try model.discountedExpectedResidualTransactions(frequency: x, recency: tx, T: T, discountRate: delta)
            #expect(isClose(dert, expected, relative: 1e-10), "\(c["model"]!) \(parameters) (\(x), \(tx), \(T)) δ = \(delta): \(dert) vs \(expected)")
        }
    }

    /// BG/NBD and MBG/NBD: DERT is the limit of Σ_k ΔE[X] · e^(−δ t_k) as for the Pareto/NBD (the
    /// expectations are clvfit's closed form, eq. 10; the DERT a quadrature over p); step 1 week
    /// over 6,000 (e^(−δ·6000) = 1e-7; the midpoint rule's error is about (δh)²/24 = 3e-7).
    @Test func betaGeometricModelsAreTheLimitOfTheDiscountedSum() throws {
        let models: [any ResidualTransactionsModel] = [
            try BGNBD(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426), try BGNBD(r: 2, alpha: 5, a: 3.5, b: 40),
            try MBGNBD(r: 0.525, alpha: 6.183, a: 0.891, b: 1.614), try MBGNBD(r: 0.5, alpha: 10, a: 0.3, b: 0.4),
        ]
        for model in models {
            for (x, tx, T) in [(7.0, 35.0, 77.86), (0, 0, 40), (2, 10, 12)] {
                let sum = try Self.discountedSum(model, x: x, tx: tx, T: T, delta: 0.0027, step: 1, horizon: 6_000)
                let dert = try model.discountedExpectedResidualTransactions(frequency: x, recency: tx, T: T, discountRate: 0.0027)
                #expect(isClose(dert, sum, relative: 1e-5), "\(model) (\(x), \(tx), \(T)): \(dert) vs \(sum)")
            }
        }
    }

    /// Without dropout (b → ∞) a BG/NBD customer buys at E[λ] = (r+x)/(α+T) forever: DERT → (r+x)/(δ(α+T)).
    /// At b = 1e9 the first correction, E[p]·E[λ²]/(δ·E[λ]), is about 1e-8 relative; 1e-6 allows for it.
    @Test func bgnbdWithoutDropoutIsTheNBDs() throws {
        let model = try BGNBD(r: 0.5, alpha: 10, a: 0.8, b: 1e9)
        for (x, tx, T) in [(0.0, 0.0, 30.0), (4, 20, 30)] {
            let dert = try model.discountedExpectedResidualTransactions(frequency: x, recency: tx, T: T, discountRate: 0.0027)
            #expect(isClose(dert, (0.5 + x) / (0.0027 * (10 + T)), relative: 1e-6), "\(x): \(dert)")
        }
    }

    /// BTYD `bgbb.DERT` at d = 0.1 per opportunity.
    @Test func bgbbAgainstBTYD() throws {
        let m = Self.bgbb
        #expect(isClose(try m.discountedExpectedResidualTransactions(frequency: 3, recency: 4, T: 6, discountRate: 0.1), 1.62137918584, relative: 1e-8))
        let expected = [1.80204479861, 2.62115607071, 3.44026734281, 4.25937861491, 5.078489887, 5.8976011591]
        for (k, value) in expected.enumerated() {
            let dert = try m.discountedExpectedResidualTransactions(frequency: Double(k + 1), recency: 6, T: 6, discountRate: 0.1)
            #expect(isClose(dert, value, relative: 1e-8), "x = \(k + 1): \(dert) vs \(value)")
        }
        #expect(isClose(try m.discountedExpectedResidualTransactions(frequency: 0, recency: 0, T: 6, discountRate: 0.1), 0.113878918222, relative: 1e-8))
    }

    /// BG/BB: DERT is Σ_{k≥1} (E[X(n, n+k)] − E[X(n, n+k−1)])/(1+d)^k exactly.
    @Test func bgbbIsTheDiscountedSumOfItsExpectations() throws {
        let m = Self.bgbb
        for (x, tx, n) in [(3.0, 4.0, 6.0), (0, 0, 6), (6, 6, 6), (1, 2, 11)] {
            var sum = 0.0, previous = 0.0
            for k in 1...600 {
                let e = try m.expectedPurchases(within: Double(k), frequency: x, recency: tx, T: n)
                sum += (e - previous) / Double.pow(1.1, Double(k))
                previous = e
            }
            let dert = try m.discountedExpectedResidualTransactions(frequency: x, recency: tx, T: n, discountRate: 0.1)
            #expect(isClose(dert, sum, relative: 1e-10), "(\(x), \(tx), \(n)): \(dert) vs \(sum)")
        }
    }

    /// Pareto/NBD: DERT is the limit of Σ_k ΔE[X] · e^(−δ t_k) as the step shrinks and the horizon
    /// grows (midpoint discounting; step 0.5 week over 20,000 weeks: within 1e-5).
    @Test func paretoNBDIsTheLimitOfTheDiscountedSum() throws {
        for model in [Self.pareto, try ParetoNBD(r: 0.55, alpha: 10.5, s: 1, beta: 11.7), try ParetoNBD(r: 2, alpha: 5, s: 3.5, beta: 40)] {
            for (x, tx, T) in [(7.0, 35.0, 77.86), (0, 0, 40), (2, 10, 12)] {
                let sum = try Self.discountedSum(model, x: x, tx: tx, T: T, delta: 0.0027, step: 0.5, horizon: 20_000)
                let dert = try model.discountedExpectedResidualTransactions(frequency: x, recency: tx, T: T, discountRate: 0.0027)
                #expect(isClose(dert, sum, relative: 1e-5), "s = \(model.s), (\(x), \(tx), \(T)): \(dert) vs \(sum)")
            }
        }
    }

    /// Σ_k (E[X(T, T+t_k)] − E[X(T, T+t_{k−1})]) · e^(−δ(t_k − step/2)), t_k = k·step up to `horizon`:
    /// the discrete CLV sum whose limit DERT is (midpoint discounting).
    static func discountedSum(_ model: any PurchaseModel, x: Double, tx: Double, T: Double, delta: Double,
                              step h: Double, horizon: Double) throws -> Double {
        var sum = 0.0, previous = 0.0, t = 0.0
        while t < horizon {
            t += h
            let e = try model.expectedPurchases(within: t, frequency: x, recency: tx, T: T)
            sum += (e - previous) * Double.exp(-delta * (t - h / 2))
            previous = e
        }
        return sum
    }

    /// Finite and non-negative at extreme parameters (s < 1 and a < 1 included), and refused
    /// for a non-positive rate.
    @Test func finiteAtTheExtremes() throws {
        for p in [[1e-3, 1e-3, 1e-3, 1e-3], [50, 0.01, 0.05, 500], [0.2, 100, 30, 0.02], [1e4, 1e4, 1e4, 1e4]] {
            let models: [any ResidualTransactionsModel] = [try ParetoNBD(parameterValues: p), try BGBB(parameterValues: p),
                                                           try BGNBD(parameterValues: p), try MBGNBD(parameterValues: p)]
            for model in models {
                for (x, tx, T) in [(0.0, 0.0, 50.0), (30, 49, 50), (1, 1, 1)] {
                    for rate in [1e-6, 0.0027, 0.5] {
                        let d = try model.discountedExpectedResidualTransactions(frequency: x, recency: tx, T: T, discountRate: rate)
                        #expect(d.isFinite && d >= 0, "\(model) \(x) \(tx) \(T) \(rate): \(d)")
                    }
                }
            }
        }
        #expect(throws: ModelError.self) { try Self.pareto.discountedExpectedResidualTransactions(frequency: 1, recency: 1, T: 2, discountRate: 0) }
        #expect(throws: ModelError.self) { try BGNBD(r: 1, alpha: 1, a: 1, b: 1).discountedExpectedResidualTransactions(frequency: 1, recency: 1, T: 2, discountRate: 0) }
        #expect(throws: ModelError.self) { try Self.bgbb.discountedExpectedResidualTransactions(frequency: 1, recency: 2, T: 1, discountRate: 0.1) }
    }
}
