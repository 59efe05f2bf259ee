import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// DERT against BTYD's documented examples (EXTENSIONS.md §3, to 1e-8), against the limit of the
/// discounted sum of period-by-period expectations, and across extreme parameters.
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
                let delta = 0.0027, h = 0.5
                var sum = 0.0, previous = 0.0, t = 0.0
                while t < 20_000 {
                    t += h
                    let e = try model.expectedPurchases(within: t, frequency: x, recency: tx, T: T)
                    sum += (e - previous) * Double.exp(-delta * (t - h / 2))
                    previous = e
                }
                let dert = try model.discountedExpectedResidualTransactions(frequency: x, recency: tx, T: T, discountRate: delta)
                #expect(isClose(dert, sum, relative: 1e-5), "s = \(model.s), (\(x), \(tx), \(T)): \(dert) vs \(sum)")
            }
        }
    }

    /// Finite and non-negative at extreme parameters (s < 1 and a < 1 included), and refused
    /// for a non-positive rate.
    @Test func finiteAtTheExtremes() throws {
        for p in [[1e-3, 1e-3, 1e-3, 1e-3], [50, 0.01, 0.05, 500], [0.2, 100, 30, 0.02], [1e4, 1e4, 1e4, 1e4]] {
            let pareto = try ParetoNBD(parameterValues: p), bgbb = try BGBB(parameterValues: p)
            for (x, tx, T) in [(0.0, 0.0, 50.0), (30, 49, 50), (1, 1, 1)] {
                for rate in [1e-6, 0.0027, 0.5] {
                    let d = try pareto.discountedExpectedResidualTransactions(frequency: x, recency: tx, T: T, discountRate: rate)
                    #expect(d.isFinite && d >= 0, "\(p) \(x) \(tx) \(T) \(rate): \(d)")
                    let b = try bgbb.discountedExpectedResidualTransactions(frequency: x, recency: tx, T: T, discountRate: rate)
                    #expect(b.isFinite && b >= 0, "\(p) \(x) \(tx) \(T) \(rate): \(b)")
                }
            }
        }
        #expect(throws: ModelError.self) { try Self.pareto.discountedExpectedResidualTransactions(frequency: 1, recency: 1, T: 2, discountRate: 0) }
        #expect(throws: ModelError.self) { try Self.bgbb.discountedExpectedResidualTransactions(frequency: 1, recency: 2, T: 1, discountRate: 0.1) }
    }
}
