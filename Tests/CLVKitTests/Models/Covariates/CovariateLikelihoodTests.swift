import Foundation
import Testing
@testable import CLVKit
import CLVNumerics
import CLVTestSupport

/// The covariate likelihoods of BG/NBD, MBG/NBD and Pareto/NBD (EXTENSIONS.md §1): against
/// CLVTools 0.12.1's fixed-parameter values on CDNOW with first-purchase covariates, against the
/// models without covariates, and against finite differences.
@Suite struct CovariateLikelihoodTests {
    /// The CDNOW calibration summary (weeks, to 1997-09-30) and, per customer, the covariates of
    /// EXTENSIONS.md §1 from the first purchase day (rows of one day summed): multi_cd = 1 if that
    /// day's CDs ≥ 2, and log_first_amount = ln(1 + that day's dollars).
    static func cdnow() throws -> (PurchaseHistory, CovariateDesign, ids: [String]) {
        let table = try LifetimesFixtures.cdnowCalibrationSummary()
        let text = try String(contentsOf: Fixtures.dataset("cdnow_sample.csv"), encoding: .utf8)
        var first: [String: (date: String, cds: Double, amount: Double)] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let (id, date, cds, amount) = (f[0], f[1], Double(f[2])!, Double(f[3])!)
            if let seen = first[id] {
                if date < seen.date { first[id] = (date, cds, amount) }
                else if date == seen.date { first[id] = (date, seen.cds + cds, seen.amount + amount) }
            } else {
                first[id] = (date, cds, amount)
            }
        }
        let multi = table.customerIDs.map { first[$0]!.cds >= 2 ? 1.0 : 0.0 }
        let logAmount = table.customerIDs.map { Foundation.log(1 + first[$0]!.amount) }
        let columns = CovariateColumns(names: ["multi_cd", "log_first_amount"], columns: [multi, logAmount])
        return (try PurchaseHistory(table), CovariateDesign(purchase: columns, dropout: columns), table.customerIDs)
    }

    /// The first `n` CDNOW customers of `cdnow()` with their covariates (derivative checks).
    static func cdnowHead(_ n: Int) throws -> (PurchaseHistory, CovariateDesign) {
        let (full, design, _) = try cdnow()
        func head(_ c: CovariateColumns) -> CovariateColumns {
            CovariateColumns(names: c.names, columns: c.columns.map { Array($0[..<n]) })
        }
        return (try PurchaseHistory(frequency: Array(full.frequency[..<n]), recency: Array(full.recency[..<n]), T: Array(full.T[..<n])),
                CovariateDesign(purchase: head(design.purchase), dropout: head(design.dropout)))
    }

    /// The fixed parameters of EXTENSIONS.md §1: purchase coefficients (0.3, 0.05), dropout (0.2, −0.1).
    static let purchaseCoefficients = [0.3, 0.05], dropoutCoefficients = [0.2, -0.1]

    @Test func covariatesOfTheFirstPurchaseAreThoseOfTheCheckValues() throws {
        let (_, design, ids) = try Self.cdnow()
        #expect(ids.count == 2357)
        let multi = design.purchase.columns[0], logAmount = design.purchase.columns[1]
        #expect(isClose(multi.reduce(0, +) / 2357, 0.500636, absolute: 5e-7))
        #expect(isClose(logAmount.reduce(0, +) / 2357, 3.250178, absolute: 5e-7))
        let expected: [(Double, Double)] = [(1, 3.41213732170), (1, 4.16418152181), (0, 2.05284085988), (0, 2.70604819843), (1, 3.21647294025)]
        for (i, e) in expected.enumerated() {
            #expect(ids[i] == String(i + 1))
            #expect(multi[i] == e.0 && isClose(logAmount[i], e.1, absolute: 1e-10))
        }
    }

    /// Σ LL and per-customer LL of CLVTools 0.12.1 at fixed parameters (EXTENSIONS.md §1), to 1e-8
    /// relative (the values are given to 9–12 digits).
    @Test func paretoNBDMatchesCLVTools() throws {
        let (data, design, ids) = try Self.cdnow()
        let likelihood = CovariateLogLikelihood<ParetoNBD>(data, design: design)
        let p = [0.55, 10.5, 0.6, 11.7] + Self.purchaseCoefficients + Self.dropoutCoefficients
        #expect(isClose(likelihood.evaluate(p, order: .value).value, -9628.05384957, relative: 1e-10))
        let model = CovariatePurchaseModelOf(base: try ParetoNBD(parameterValues: Array(p[0..<4])),
                                             purchaseCovariates: design.purchase.names, dropoutCovariates: design.dropout.names,
                                             coefficients: Array(p[4...]))
        let checks: [(id: String, ll: Double, alive: Double)] = [
            ("1", -9.5329600978, 0.8722180663), ("2", -4.4118564427, 0.1557599142), ("3", -0.5841250046, 0.3336019192),
            ("1000", -14.3206233983, 0.8036009532), ("1056", -16.5837999867, 0.9862200418),
        ]
        for c in checks {
            let i = try #require(ids.firstIndex(of: c.id))
            let x = design.purchase.columns.map { $0[i] }
            let customer = try model.customerModel(purchase: x, dropout: x)
            let terms = ParetoNBD.customerLogLikelihood(frequency: data.frequency[i], recency: data.recency[i], T: data.T[i],
                                                        parameters: SIMD4(customer.parameterValues), order: .value)
            #expect(isClose(terms.v, c.ll, relative: 1e-9), "customer \(c.id): \(terms.v)")
            let alive = customer.probabilityAlive(frequency: data.frequency[i], recency: data.recency[i], T: data.T[i])
            #expect(isClose(alive, c.alive, relative: 1e-8), "customer \(c.id): \(alive)")
        }
    }

    /// BG/NBD in CLVTools' shared form (a.* = b.*): Σ LL, per-customer LL and E[X(T, T+39)].
    @Test func bgnbdMatchesCLVTools() throws {
        let (data, design, ids) = try Self.cdnow()
        let likelihood = CovariateLogLikelihood<BGNBD>(data, design: design)
        let p = [0.24, 4.4, 0.8, 2.4] + Self.purchaseCoefficients + Self.dropoutCoefficients + Self.dropoutCoefficients
        #expect(isClose(likelihood.evaluate(p, order: .value).value, -9587.5668973, relative: 1e-10))
        let model = CovariatePurchaseModelOf(base: try BGNBD(parameterValues: Array(p[0..<4])),
                                             purchaseCovariates: design.purchase.names, dropoutCovariates: design.dropout.names,
                                             coefficients: Array(p[4...]))
        let checks: [(id: String, ll: Double, expected: Double)] = [
            ("1", -9.4936962857, 1.2802795586), ("2", -4.2374681598, 0.1550858533), ("3", -0.5707746697, 0.1945575685),
            ("1000", -14.6717576120, 2.5334487770), ("1056", -17.0818144758, 3.9913660504),
        ]
        for c in checks {
            let i = try #require(ids.firstIndex(of: c.id))
            let x = design.purchase.columns.map { $0[i] }
            let customer = try model.customerModel(purchase: x, dropout: x)
            let terms = BGNBD.customerLogLikelihood(frequency: data.frequency[i], recency: data.recency[i], T: data.T[i],
                                                    parameters: SIMD4(customer.parameterValues), order: .value)
            #expect(isClose(terms.v, c.ll, relative: 1e-9), "customer \(c.id): \(terms.v)")
            let e = try customer.expectedPurchases(within: 39, frequency: data.frequency[i], recency: data.recency[i], T: data.T[i])
            #expect(isClose(e, c.expected, relative: 1e-8), "customer \(c.id): \(e)")
        }
    }

    /// All coefficients 0 ⇒ the model without covariates, value and base gradient (the base
    /// likelihood groups its Γ terms by frequency, so equal to rounding: 1e-12 relative).
    @Test(arguments: ["bgnbd", "mbgnbd", "pnbd"])
    func zeroCoefficientsGiveTheModelWithoutCovariates(_ model: String) throws {
        let (data, design, _) = try Self.cdnow()
        func check<M: CovariatePurchaseModel>(_ type: M.Type, _ theta: [Double]) {
            let plain = M.logLikelihood(of: data).evaluate(theta, order: .gradient)
            let zeros = Array(repeating: 0.0, count: design.parameterNames(M.self).count - 4)
            let covariate = CovariateLogLikelihood<M>(data, design: design).evaluate(theta + zeros, order: .gradient)
            #expect(isClose(covariate.value, plain.value, relative: 1e-12), "\(covariate.value) vs \(plain.value)")
            for j in 0..<4 {
                #expect(isClose(covariate.gradient[j], plain.gradient[j], absolute: 1e-9 * abs(plain.value)), "∂/∂\(M.parameterNames[j])")
            }
        }
        switch model {
        case "bgnbd": check(BGNBD.self, [0.243, 4.414, 0.793, 2.426])
        case "mbgnbd": check(MBGNBD.self, [0.525, 6.183, 0.891, 1.614])
        default: check(ParetoNBD.self, [0.553, 10.578, 0.606, 11.669])
        }
    }

    /// Analytic gradient and Hessian against central differences, at non-zero coefficients, on the
    /// first 400 CDNOW customers. Tolerances as the models without covariates (1e-6 gradient,
    /// 1e-5 Hessian: the differences carry ~1e-11·|LL|/h² of rounding).
    @Test(arguments: ["bgnbd", "mbgnbd", "pnbd"])
    func derivativesMatchFiniteDifferences(_ model: String) throws {
        let (data, fullDesign) = try Self.cdnowHead(400)
        let design = CovariateDesign(purchase: fullDesign.purchase, dropout: CovariateColumns(names: ["log_first_amount"], columns: [fullDesign.dropout.columns[1]]))
        func check<M: CovariatePurchaseModel>(_ type: M.Type, _ theta: [Double]) {
            let coefficients = [0.3, 0.05] + Array([-0.1, 0.15, 0.07].prefix(design.parameterNames(M.self).count - 6))
            let e = derivativeDiscrepancy(CovariateLogLikelihood<M>(data, design: design), at: theta + coefficients)
            #expect(e.gradient < 1e-6 && e.hessian < 1e-5, "\(M.displayName): gradient \(e.gradient), Hessian \(e.hessian)")
        }
        switch model {
        case "bgnbd": check(BGNBD.self, [0.243, 4.414, 0.793, 2.426])
        case "mbgnbd": check(MBGNBD.self, [0.525, 6.183, 0.891, 1.614])
        default: check(ParetoNBD.self, [0.553, 10.578, 0.606, 11.669])
        }
    }
}
