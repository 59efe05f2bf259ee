import CLVKit

extension Simulate {
    /// A Pareto/NBD customer base (Schmittlein, Morrison & Colombo 1987): each customer draws a
    /// purchase rate λ ~ Gamma(r, α) and a dropout rate μ ~ Gamma(s, β) (shape, rate), an
    /// exponential lifetime τ ~ Exp(μ) from the first purchase at time 0, and an observation
    /// length T ~ Uniform(`observation`). While alive they buy as a Poisson(λ) process: repeat
    /// purchases are the arrivals in (0, min(τ, T)]; x counts them and t_x is the last (0 if none).
    /// Seeded (`SplitMix64`), so the same arguments give the same table on every machine.
    public static func paretoNBD(customers n: Int, r: Double, alpha: Double, s: Double, beta: Double,
                                 observation: ClosedRange<Double> = 20...60,
                                 seed: UInt64 = 42) -> CustomerSummaryTable {
        var rng = SplitMix64(seed: seed)
        var ids = [String](), xs = [Double](), txs = [Double](), Ts = [Double]()
        ids.reserveCapacity(n); xs.reserveCapacity(n); txs.reserveCapacity(n); Ts.reserveCapacity(n)
        for i in 0..<n {
            let T = observation.lowerBound + (observation.upperBound - observation.lowerBound) * rng.uniform()
            let (x, tx) = paretoNBDCustomer(&rng, r: r, alpha: alpha, s: s, beta: beta, T: T)
            ids.append(String(i + 1)); xs.append(x); txs.append(tx); Ts.append(T)
        }
        return CustomerSummaryTable(unit: .week, customerIDs: ids, frequency: xs, recency: txs, T: Ts, monetaryValue: nil)
    }

    /// One Pareto/NBD customer observed for T: (x, t_x).
    public static func paretoNBDCustomer(_ rng: inout SplitMix64, r: Double, alpha: Double, s: Double, beta: Double,
                                         T: Double) -> (x: Double, tx: Double) {
        let lambda = rng.gamma(shape: r, rate: alpha)
        let mu = rng.gamma(shape: s, rate: beta)
        let end = min(rng.exponential(rate: mu), T)
        var t = 0.0, x = 0.0, tx = 0.0
        while true {
            t += rng.exponential(rate: lambda)
            if t > end { break }
            x += 1
            tx = t
        }
        return (x, tx)
    }
}
