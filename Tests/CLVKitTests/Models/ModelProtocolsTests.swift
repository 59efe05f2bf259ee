import Testing
@testable import CLVKit
import CLVTestSupport

/// The invariants of `PurchaseCountDistribution`, checked through the protocol alone for every
/// model that conforms (so evaluation code can rely on them without knowing the model).
@Suite struct ModelProtocolsTests {
    /// Published fits: BG/NBD and Pareto/NBD on CDNOW (FHL 2005, weeks), BG/BB on the donations
    /// (Fader, Hardie & Shang 2010, opportunities); horizons include the calibration period
    /// (39 weeks, 6 opportunities) and a long one.
    static let cases: [(model: any PurchaseCountDistribution, t: Double, kMax: Int)] = [
        (try! BGNBD(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426), 39, 2000),
        (try! BGNBD(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426), 1, 200),
        (try! ParetoNBD(r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669), 39, 600),
        (try! ParetoNBD(r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669), 520, 4000),
        (try! ParetoNBD(r: 0.5143, alpha: 2.8845, s: 0.2856, beta: 14.1087), 0.5, 200),
        (try! BGBB(alpha: 1.204, beta: 0.750, gamma: 0.657, delta: 2.783), 6, 6),
        (try! BGBB(alpha: 1.204, beta: 0.750, gamma: 0.657, delta: 2.783), 50, 50),
    ]

    /// Σₖ P(X(t) = k) = 1 and Σₖ k P(X(t) = k) = E[X(t)]. Tolerances 1e-9: each term is good to
    /// ~1e-12 relative (quadrature 1e-13, ln Γ of arguments up to ~4000), the sums have up to
    /// 4000 terms, and the tails beyond kMax are below 1e-15 (geometric in t/(α+t) ≤ 0.981^k for
    /// the continuous models; BG/BB has no tail beyond n).
    @Test(arguments: 0..<cases.count) func probabilitiesSumToOneWithTheModelsMean(index: Int) throws {
        let (model, t, kMax) = Self.cases[index]
        var total = 0.0, mean = 0.0
        for k in 0...kMax {
            let p = try model.probabilityOfPurchases(k, within: t)
            #expect(p >= 0 && p <= 1, "\(type(of: model).displayName) k = \(k)")
            total += p
            mean += Double(k) * p
        }
        #expect(isClose(total, 1, absolute: 1e-9), "\(type(of: model).displayName) t = \(t)")
        #expect(isClose(mean, try model.expectedPurchasesOfNewCustomer(within: t), relative: 1e-9), "\(type(of: model).displayName) t = \(t)")
    }

    /// A discrete-time model asked for a fractional number of opportunities says so.
    @Test func discreteModelsRejectFractionalOpportunities() throws {
        let m: any PurchaseCountDistribution = try BGBB(alpha: 1.204, beta: 0.750, gamma: 0.657, delta: 2.783)
        #expect(throws: ModelError.self) { try m.probabilityOfPurchases(1, within: 2.5) }
    }
}
