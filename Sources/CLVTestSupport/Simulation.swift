import Foundation
import CLVKit

/// SplitMix64 (Steele, Lea & Flood 2014): a small, fast, seeded generator, so every simulated
/// data set is the same on every machine and run.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform on the open interval (0, 1).
    public mutating func uniform() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1.0p-53
    }

    /// Standard normal (Box–Muller).
    public mutating func normal() -> Double {
        (-2 * Foundation.log(uniform())).squareRoot() * Foundation.cos(2 * Double.pi * uniform())
    }

    /// Exponential with the given rate.
    public mutating func exponential(rate: Double) -> Double { -Foundation.log(uniform()) / rate }

    /// Gamma(shape, rate) by Marsaglia & Tsang (2000); shape < 1 via Gamma(shape+1)·U^(1/shape).
    public mutating func gamma(shape: Double, rate: Double) -> Double {
        if shape < 1 {
            return gamma(shape: shape + 1, rate: rate) * Foundation.pow(uniform(), 1 / shape)
        }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = uniform()
            if u < 1 - 0.0331 * x * x * x * x || Foundation.log(u) < 0.5 * x * x + d * (1 - v + Foundation.log(v)) {
                return d * v / rate
            }
        }
    }

    /// Beta(a, b) from two gammas.
    public mutating func beta(_ a: Double, _ b: Double) -> Double {
        let x = gamma(shape: a, rate: 1), y = gamma(shape: b, rate: 1)
        return x / (x + y)
    }
}

/// Simulated customer bases drawn from the models' own generative stories, for
/// simulate-and-recover tests and benchmarks.
public enum Simulate {
    /// A BG/NBD customer base in continuous time (FHL 2005 §2): λ ~ Gamma(r, α), p ~ Beta(a, b);
    /// purchases follow a Poisson(λ) process from the first purchase at time 0; after each repeat
    /// purchase the customer drops out with probability p. Each customer is observed for
    /// T ~ Uniform(`observation`). With `spend`, each transaction's value is Gamma(p, ν) with
    /// ν ~ Gamma(q, γ), and the summary holds the mean of the repeat transactions.
    public static func bgnbd(customers n: Int, r: Double, alpha: Double, a: Double, b: Double,
                             observation: ClosedRange<Double> = 20...60,
                             spend: (p: Double, q: Double, gamma: Double)? = nil,
                             seed: UInt64 = 42) -> CustomerSummaryTable {
        var rng = SplitMix64(seed: seed)
        var ids = [String](), xs = [Double](), txs = [Double](), Ts = [Double](), ms = [Double]()
        ids.reserveCapacity(n); xs.reserveCapacity(n); txs.reserveCapacity(n); Ts.reserveCapacity(n)
        for i in 0..<n {
            let T = observation.lowerBound + (observation.upperBound - observation.lowerBound) * rng.uniform()
            let (x, tx) = bgnbdCustomer(&rng, r: r, alpha: alpha, a: a, b: b, T: T)
            var m = 0.0
            if let s = spend, x > 0 {
                let nu = rng.gamma(shape: s.q, rate: s.gamma)
                var total = 0.0
                for _ in 0..<Int(x) { total += rng.gamma(shape: s.p, rate: nu) }
                m = total / x
            }
            ids.append(String(i + 1)); xs.append(x); txs.append(tx); Ts.append(T); ms.append(m)
        }
        return CustomerSummaryTable(unit: .week, customerIDs: ids, frequency: xs, recency: txs, T: Ts,
                                    monetaryValue: spend == nil ? nil : ms)
    }

    /// One BG/NBD customer observed for T: (x, t_x).
    public static func bgnbdCustomer(_ rng: inout SplitMix64, r: Double, alpha: Double, a: Double, b: Double,
                                     T: Double) -> (x: Double, tx: Double) {
        let lambda = rng.gamma(shape: r, rate: alpha)
        let p = rng.beta(a, b)
        var t = 0.0, x = 0.0, tx = 0.0
        while true {
            t += rng.exponential(rate: lambda)
            if t > T { break }
            x += 1
            tx = t
            if rng.uniform() < p { break }
        }
        return (x, tx)
    }
}
