import Testing
@testable import CLVKit
import CLVTestSupport

/// The invariants of `PurchaseCountDistribution`, checked through the protocol alone for every
/// model that conforms (so evaluation code can rely on them without knowing the model).
@Suite struct ModelProtocolsTests {
    /// Published fits: BG/NBD, MBG/NBD (BTYDplus) and Pareto/NBD on CDNOW (weeks), BG/BB on the donations
    /// (Fader, Hardie & Shang 2010, opportunities); horizons include the calibration period
    /// (39 weeks, 6 opportunities) and a long one.
    static let cases: [(model: any PurchaseCountDistribution, t: Double, kMax: Int)] = [
        (try! BGNBD(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426), 39, 2000),
        (try! BGNBD(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426), 1, 200),
        (try! MBGNBD(r: 0.5248, alpha: 6.1830, a: 0.8914, b: 1.6140), 39, 2000),
        (try! MBGNBD(r: 0.5248, alpha: 6.1830, a: 0.8914, b: 1.6140), 2, 200),
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

/// The issue's extremes, for every purchase model: customers with hundreds of purchases,
/// t_x = T, T = 0 (bought on the last day), huge T, and parameters at or beyond the formulas'
/// poles (a ≤ 1, a + b ≤ 1 for the beta-geometric models; s ≤ 1 for Pareto/NBD; γ ≤ 1 for
/// BG/BB). Each prediction is a finite answer or a `ModelError` that says why — never NaN, ∞ or
/// a negative expectation.
@Suite struct ExtremeCustomerTests {
    /// (label, model, customers (x, t_x, T), horizons).
    typealias Case = (label: String, model: any PurchaseModel, customers: [(Double, Double, Double)], horizons: [Double])

    static let continuousCustomers: [(Double, Double, Double)] = [
        (0, 0, 0), (3, 0, 0) /* invalid: t_x < ... skipped below */, (0, 0, 38.86), (5, 38.86, 38.86), (2, 1e-9, 1e-9),
        (300, 38, 39), (500, 39, 39), (1000, 1e4, 1e4), (2, 1, 1e5), (0, 0, 1e6), (40, 5, 6),
    ].filter { $0.0 == 0 ? $0.1 == 0 : $0.1 > 0 }
    static let continuousHorizons = [0.5, 1, 10, 39, 520, 1e4]
    static let discreteCustomers: [(Double, Double, Double)] = [
        (0, 0, 0), (0, 0, 1), (1, 1, 1), (0, 0, 6), (6, 6, 6), (3, 5, 6), (100, 100, 100), (50, 100, 100), (0, 0, 1000), (400, 1000, 1000),
    ]
    static let discreteHorizons = [1.0, 2, 5, 10, 100, 1000]

    static let cases: [Case] = {
        var out: [Case] = []
        for (label, values) in [("published", [0.243, 4.414, 0.793, 2.426]), ("a = 1", [0.243, 4.414, 1, 2.426]),
                                ("a < 1", [0.243, 4.414, 0.4, 2.426]), ("a + b < 1", [0.243, 4.414, 0.3, 0.5]),
                                ("a + b = 1", [0.243, 4.414, 0.5, 0.5])] {
            out.append(("BG/NBD " + label, try! BGNBD(parameterValues: values), continuousCustomers, continuousHorizons))
            out.append(("MBG/NBD " + label, try! MBGNBD(parameterValues: values), continuousCustomers, continuousHorizons))
        }
        for (label, values) in [("published", [0.553, 10.578, 0.606, 11.669]), ("s = 1", [0.553, 10.578, 1, 11.669]),
                                ("s < 1, α ≪ β", [0.5143, 2.8845, 0.2856, 14.1087]), ("s > 1, α ≫ β", [3, 50, 4, 0.5])] {
            out.append(("Pareto/NBD " + label, try! ParetoNBD(parameterValues: values), continuousCustomers, continuousHorizons))
        }
        for (label, values) in [("published", [1.204, 0.750, 0.657, 2.783]), ("γ = 1", [1.204, 0.750, 1, 2.783]),
                                ("γ < 1, δ small", [0.2, 0.3, 0.4, 0.05]), ("γ > 1", [5, 1, 3, 0.5])] {
            out.append(("BG/BB " + label, try! BGBB(parameterValues: values), discreteCustomers, discreteHorizons))
        }
        return out
    }()

    @Test(arguments: 0..<cases.count) func predictionsAreFiniteOrAClearError(index: Int) throws {
        let c = Self.cases[index]
        for (x, tx, T) in c.customers {
            let who = "\(c.label), x = \(x), t_x = \(tx), T = \(T)"
            let alive = c.model.probabilityAlive(frequency: x, recency: tx, T: T)
            #expect(alive.isFinite && alive >= 0 && alive <= 1, "P(alive) = \(alive): \(who)")
            var previous = 0.0
            for t in c.horizons {
                let y: Double
                do {
                    y = try c.model.expectedPurchases(within: t, frequency: x, recency: tx, T: T)
                } catch {
                    // A refusal must say why in words (the pole or the failed series).
                    #expect(error.description.count > 20, "\(error): \(who)")
                    continue
                }
                #expect(y.isFinite && y >= 0, "E[Y(\(t))] = \(y): \(who)")
                // Non-decreasing in t, up to rounding (1e-12 relative).
                #expect(y >= previous * (1 - 1e-12), "E[Y(\(t))] = \(y) < \(previous): \(who)")
                previous = y
            }
            var previousNew = 0.0
            for t in c.horizons {
                guard let y = try? c.model.expectedPurchasesOfNewCustomer(within: t) else { continue }
                #expect(y.isFinite && y >= previousNew * (1 - 1e-12), "E[X(\(t))] = \(y): \(c.label)")
                previousNew = y
            }
        }
    }

    /// BG/NBD's removable singularities, a = 1 (FHL 2005 eq. 10) and a + b + x − 1 ≤ 0 (x = 0 with
    /// a + b ≤ 1), are evaluated (by `BetaGeometricExpectation`'s integral); Gamma-Gamma's
    /// expected spend when q ≤ 1 (an infinite population mean, Fader & Hardie 2013 eq. 5) is refused by name.
    @Test func polesAreClearErrors() throws {
        let aIsOne = try BGNBD(r: 0.243, alpha: 4.414, a: 1, b: 2.426)
        let y = try aIsOne.expectedPurchases(within: 10, frequency: 2, recency: 30, T: 39)
        #expect(y.isFinite && y > 0)
        let lowAB = try BGNBD(r: 0.243, alpha: 4.414, a: 0.3, b: 0.5)
        let y0 = try lowAB.expectedPurchases(within: 10, frequency: 0, recency: 0, T: 39)
        #expect(y0.isFinite && y0 > 0)
        for q in [0.5, 1.0] {
            let gg = try GammaGamma(p: 6, q: q, gamma: 15)
            do {
                _ = try gg.expectedSpend(frequency: 3, monetaryValue: 20)
                Issue.record("q = \(q) gave an expected spend")
            } catch {
                #expect(error.description.contains("q ≤ 1"), "\(error)")
            }
        }
    }
}
