import Testing
import CLVNumerics
import CLVTestSupport

/// `WeightedQuantile.lower` against its definition evaluated by sorting (exact equality: both
/// return one of the input values).
@Suite struct WeightedQuantileTests {
    /// The smallest v with Σ{w : x ≤ v} ≥ q Σ w, by sorting and accumulating.
    static func reference(_ values: [Double], _ weights: [Double], _ q: Double) -> Double {
        let order = values.indices.sorted { values[$0] < values[$1] }
        let target = q * weights.reduce(0, +)
        var cumulative = 0.0
        for i in order {
            cumulative += weights[i]
            if cumulative >= target { return values[i] }
        }
        return values[order.last!]
    }

    @Test(arguments: [1, 2, 3, 10, 1000, 20_000])
    func matchesTheSortedDefinition(count: Int) {
        var rng = SplitMix64(seed: UInt64(count))
        // Few distinct values (ties, as T in a cohort), some zero and whole-number weights.
        let values = (0..<count).map { _ in Double(rng.next() % 50) / 4 }
        let weights = (0..<count).map { _ in Double(rng.next() % 4) }
        for q in [0.0, 0.01, 0.25, 0.5, 0.9, 0.99, 1.0] {
            #expect(WeightedQuantile.lower(values, weights: weights, q: q) == Self.reference(values, weights, q), "q = \(q)")
        }
        let continuous = (0..<count).map { _ in rng.uniform() * 100 }
        let ones = Array(repeating: 1.0, count: count)
        for q in [0.1, 0.5, 0.95] {
            #expect(WeightedQuantile.lower(continuous, weights: ones, q: q) == Self.reference(continuous, ones, q), "q = \(q)")
        }
    }

    @Test func sortedAndReversedInputs() {
        let up = (0..<1001).map(Double.init)
        let ones = Array(repeating: 1.0, count: up.count)
        #expect(WeightedQuantile.lower(up, weights: ones, q: 0.5) == 500)
        #expect(WeightedQuantile.lower(Array(up.reversed()), weights: ones, q: 0.5) == 500)
        #expect(WeightedQuantile.lower([3, 1, 2], weights: [0, 0, 5], q: 0.5) == 2)
    }
}
