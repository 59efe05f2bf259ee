import Foundation
import CLVKit

extension Simulate {
    /// An MBG/NBD customer base in continuous time (Batislam, Denizel & Filiztekin 2007):
    /// λ ~ Gamma(r, α), p ~ Beta(a, b); right after the first purchase (time 0) and after each
    /// repeat purchase the customer drops out with probability p; while active, purchases follow
    /// a Poisson(λ) process. Each customer is observed for T ~ Uniform(`observation`).
    /// Seeded (`SplitMix64`): the same table on every machine and run. Time unit: week.
    public static func mbgnbd(customers n: Int, r: Double, alpha: Double, a: Double, b: Double,
                              observation: ClosedRange<Double> = 20...60,
                              seed: UInt64 = 42) -> CustomerSummaryTable {
        var rng = SplitMix64(seed: seed)
        var ids = [String](), xs = [Double](), txs = [Double](), Ts = [Double]()
        ids.reserveCapacity(n); xs.reserveCapacity(n); txs.reserveCapacity(n); Ts.reserveCapacity(n)
        for i in 0..<n {
            let T = observation.lowerBound + (observation.upperBound - observation.lowerBound) * rng.uniform()
            let lambda = rng.gamma(shape: r, rate: alpha)
            let p = rng.beta(a, b)
            var t = 0.0, x = 0.0, tx = 0.0
            if rng.uniform() >= p {              // survives the drop-out chance at time 0
                while true {
                    t += rng.exponential(rate: lambda)
                    if t > T { break }
                    x += 1
                    tx = t
                    if rng.uniform() < p { break }
                }
            }
            ids.append(String(i + 1)); xs.append(x); txs.append(tx); Ts.append(T)
        }
        return CustomerSummaryTable(unit: .week, customerIDs: ids, frequency: xs, recency: txs, T: Ts, monetaryValue: nil)
    }

    /// A BG/BB customer base at discrete opportunities (Fader, Hardie & Shang 2010 §2):
    /// p ~ Beta(α, β), θ ~ Beta(γ, δ). At the start of each opportunity 1, 2, …, n an active
    /// customer drops out for good with probability θ; if still active they transact with
    /// probability p. Returns x = number of transactions, t_x = the last opportunity with one
    /// (0 if none), T = n, one row per customer with weight 1 (compress with `compressed()`).
    /// n is drawn uniformly from `opportunities` per customer (a fixed n by default).
    public static func bgbb(customers count: Int, alpha: Double, beta: Double, gamma: Double, delta: Double,
                            opportunities: ClosedRange<Int> = 6...6, seed: UInt64 = 42) -> PurchaseHistory {
        precondition(opportunities.lowerBound >= 1, "BG/BB customers have at least one opportunity.")
        var rng = SplitMix64(seed: seed)
        var xs = [Double](), txs = [Double](), ns = [Double]()
        xs.reserveCapacity(count); txs.reserveCapacity(count); ns.reserveCapacity(count)
        let span = UInt64(opportunities.upperBound - opportunities.lowerBound + 1)
        for _ in 0..<count {
            let n = opportunities.lowerBound + Int(rng.next() % span)
            let p = rng.beta(alpha, beta)
            let theta = rng.beta(gamma, delta)
            var x = 0, tx = 0
            for t in 1...n {
                if rng.uniform() < theta { break }
                if rng.uniform() < p {
                    x += 1
                    tx = t
                }
            }
            xs.append(Double(x)); txs.append(Double(tx)); ns.append(Double(n))
        }
        // The rows satisfy PurchaseHistory's invariants by construction (0 ≤ x ≤ t_x ≤ n, whole).
        return try! PurchaseHistory(frequency: xs, recency: txs, T: ns, source: "Simulate.bgbb")
    }
}
