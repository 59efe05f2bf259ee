import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// The stopping rule of the BG/NBD and MBG/NBD DERT quadrature (`BetaGeometricResidual`): stopping
/// once two levels differ by D ≤ 1e-6, taking the finer as accurate to D², agrees with refining
/// until two levels agree to 1e-14, over 3,000 seeded parameter sets far wider than fits give
/// (30,000 with another seed, by hand: worst 5e-12).
@Suite struct BetaGeometricResidualTests {
    @Test func stoppingEarlyKeepsTenDigits() throws {
        var rng = SplitMix64(seed: 14)
        func logUniform(_ low: Double, _ high: Double) -> Double {
            Foundation.exp(Foundation.log(low) + Double.random(in: 0..<1, using: &rng) * Foundation.log(high / low))
        }
        var worst = 0.0
        for _ in 0..<3000 {
            let x = Double(Int.random(in: 0...200, using: &rng))
            let A = logUniform(0.01, 20) + x, a = logUniform(0.05, 50), B = logUniform(0.05, 1e4) + x
            let epsilon = logUniform(1e-6, 1) * logUniform(1, 300)
            let fast = try BetaGeometricResidual.value(A: A, a: a, B: B, scaledRate: epsilon, model: "test")
            let strict = try BetaGeometricResidual.value(A: A, a: a, B: B, scaledRate: epsilon, model: "test", stopping: .strict)
            let error = abs(fast - strict) / strict
            worst = max(worst, error)
            #expect(error < 1e-10, "A = \(A), a = \(a), B = \(B), ε = \(epsilon): \(fast) vs \(strict)")
        }
        print("worst relative difference", worst)
    }

    /// The table scoring uses (a Chebyshev series in ln δ(α+T) per frequency and cell) equals each
    /// customer's own quadrature to 1e-10, for 20,000 simulated customers observed 0.5 to 150
    /// weeks (a 300-fold range of α+T), BG/NBD and MBG/NBD, at 1 % a month and at 1e-6 a week;
    /// and a customer's value is the same, to the bit, in a table of their own.
    @Test func tableEqualsEachCustomersQuadrature() throws {
        let table = Simulate.bgnbd(customers: 20_000, r: 0.5, alpha: 1, a: 0.8, b: 2.5, observation: 0.5...150, seed: 3)
        let models: [any ResidualTransactionsModel] = [try BGNBD(r: 0.5, alpha: 1, a: 0.8, b: 2.5), try MBGNBD(r: 0.5, alpha: 1, a: 0.8, b: 2.5)]
        for model in models {
            for delta in [Foundation.log(1.01) / (30.436875 / 7), 1e-6] {
                let evaluator = model.residualTransactions(discountRate: delta, frequencies: table.frequency, T: table.T)
                let interpolated = try #require(evaluator as? BetaGeometricResidual.Table)
                let kept = interpolated.series.entries.values.compactMap { $0 }.count
                #expect(kept >= 5, "\(kept) cells interpolated")
                var worst = 0.0
                for i in stride(from: 0, to: table.count, by: 7) {
                    let (x, tx, T) = (table.frequency[i], table.recency[i], table.T[i])
                    let fast = try evaluator.dert(frequency: x, recency: tx, T: T)
                    let direct = try model.discountedExpectedResidualTransactions(frequency: x, recency: tx, T: T, discountRate: delta)
                    worst = max(worst, abs(fast - direct) / direct)
                    if i % 700 == 0 {
                        let alone = try model.residualTransactions(discountRate: delta, frequencies: [x], T: [T]).dert(frequency: x, recency: tx, T: T)
                        #expect(alone == fast, "\(model) (\(x), \(T)): \(alone) alone vs \(fast) in the table")
                    }
                }
                #expect(worst < 1e-10, "\(model) δ = \(delta): worst \(worst)")
            }
        }
    }
}
