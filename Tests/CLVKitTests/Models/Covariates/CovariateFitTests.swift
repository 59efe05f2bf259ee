import Foundation
import Testing
@testable import CLVKit
import CLVNumerics
import CLVTestSupport

/// Fitting covariate models: the invariants of EXTENSIONS.md §1 (row and column order, the
/// user's scale), recovery of known coefficients from seeded simulations, and CDNOW.
@Suite struct CovariateFitTests {
    typealias Data = (PurchaseHistory, CovariateDesign)

    static func cdnow() throws -> Data {
        let (data, design, _) = try CovariateLikelihoodTests.cdnow()
        return (data, design)
    }

    /// On CDNOW, with both covariates in both processes, the fit converges above the model
    /// without covariates, and every base parameter is reported at covariates = 0.
    @Test(arguments: ["bgnbd", "pnbd"])
    func cdnowFitImprovesOnTheModelWithoutCovariates(_ model: String) throws {
        let (data, design) = try Self.cdnow()
        func check<M: CovariatePurchaseModel>(_ type: M.Type) throws {
            let plain = try Estimator().fit(M.self, to: data)
            let fit = try Estimator().fit(M.self, to: data, covariates: design, start: plain.model)
            #expect(fit.fit.logLikelihood > plain.logLikelihood + 1, "\(fit.fit.logLikelihood) vs \(plain.logLikelihood)")
            #expect(fit.fit.names == design.parameterNames(M.self))
            #expect(fit.fit.covariance.allFinite && fit.fit.covariance.diagonalEntries.allSatisfy { $0 > 0 })
            // The reported parameters give the maximised LL when evaluated on the user's scale.
            let ll = CovariateLogLikelihood<M>(data, design: design).evaluate(fit.fit.estimates, order: .gradient)
            #expect(isClose(ll.value, fit.fit.logLikelihood, relative: 1e-12))
            #expect(ll.gradient.allSatisfy { abs($0) < 1e-3 }, "\(ll.gradient)")
        }
        if model == "bgnbd" { try check(BGNBD.self) } else { try check(ParetoNBD.self) }
    }

    /// Row order and covariate column order do not change the fit; neither does the unit of a
    /// covariate (×1000 divides its coefficients by 1000) or its origin (+5 moves only the base
    /// parameters at covariates = 0, by exp(sign·γ·5)).
    @Test func fitIsInvariantToOrderAndScale() throws {
        let (data, design) = try Self.cdnow()
        let reference = try Estimator().fit(BGNBD.self, to: data, covariates: design)
        let n = data.count
        // A fixed permutation: i ↦ (i · 1009) mod n (1009 is prime and does not divide 2357).
        let order = (0..<n).map { ($0 * 1009) % n }
        func permute(_ c: CovariateColumns) -> CovariateColumns {
            CovariateColumns(names: c.names, columns: c.columns.map { col in order.map { col[$0] } })
        }
        let permutedData = try PurchaseHistory(frequency: order.map { data.frequency[$0] }, recency: order.map { data.recency[$0] },
                                               T: order.map { data.T[$0] })
        let permuted = try Estimator().fit(BGNBD.self, to: permutedData,
                                           covariates: CovariateDesign(purchase: permute(design.purchase), dropout: permute(design.dropout)))
        for (a, b) in zip(reference.fit.estimates, permuted.fit.estimates) { #expect(isClose(a, b, relative: 1e-6)) }
        #expect(isClose(reference.fit.logLikelihood, permuted.fit.logLikelihood, relative: 1e-12))

        func swapped(_ c: CovariateColumns) -> CovariateColumns {
            CovariateColumns(names: c.names.reversed(), columns: c.columns.reversed())
        }
        let columnsSwapped = try Estimator().fit(BGNBD.self, to: data,
                                                 covariates: CovariateDesign(purchase: swapped(design.purchase), dropout: swapped(design.dropout)))
        let byName = Dictionary(uniqueKeysWithValues: zip(columnsSwapped.fit.names, columnsSwapped.fit.estimates))
        for (name, value) in zip(reference.fit.names, reference.fit.estimates) {
            #expect(isClose(byName[name]!, value, relative: 1e-6), "\(name)")
        }

        func rescaled(_ c: CovariateColumns) -> CovariateColumns {
            CovariateColumns(names: c.names, columns: [c.columns[0], c.columns[1].map { $0 * 1000 + 5 }])
        }
        let scaled = try Estimator().fit(BGNBD.self, to: data,
                                         covariates: CovariateDesign(purchase: rescaled(design.purchase), dropout: rescaled(design.dropout)))
        #expect(isClose(scaled.fit.logLikelihood, reference.fit.logLikelihood, relative: 1e-12))
        let ref = Dictionary(uniqueKeysWithValues: zip(reference.fit.names, reference.fit.estimates))
        let new = Dictionary(uniqueKeysWithValues: zip(scaled.fit.names, scaled.fit.estimates))
        for shifted in ["alpha", "a", "b"] {
            #expect(isClose(new["\(shifted).log_first_amount"]! * 1000, ref["\(shifted).log_first_amount"]!, relative: 1e-6))
            #expect(isClose(new["\(shifted).multi_cd"]!, ref["\(shifted).multi_cd"]!, relative: 1e-6))
            let sign = BGNBD.covariateShifts.first { $0.parameter == shifted }!.sign
            // ln θ(x = 0) on the new scale = ln θ(x = 0) on the old one − sign · γ_old · 5/1000 · 1000 … i.e. at old x = −5/1000.
            let expected = ref[shifted]! * Foundation.exp(-sign * ref["\(shifted).log_first_amount"]! * 5 / 1000)
            #expect(isClose(new[shifted]!, expected, relative: 1e-6), "\(shifted): \(new[shifted]!) vs \(expected)")
        }
        #expect(isClose(new["r"]!, ref["r"]!, relative: 1e-6))
        // Standard errors of the coefficients scale with the unit too.
        let seRef = zip(reference.fit.names, reference.fit.covariance.diagonalEntries).first { $0.0 == "alpha.log_first_amount" }!.1.squareRoot()
        let seNew = zip(scaled.fit.names, scaled.fit.covariance.diagonalEntries).first { $0.0 == "alpha.log_first_amount" }!.1.squareRoot()
        #expect(isClose(seNew * 1000, seRef, relative: 1e-5))
    }

    /// Known coefficients are recovered from simulated customer bases: over 10 seeds × the
    /// coefficients, the 95 % intervals (γ̂ ∓ 1.96 SE) cover the truth at least 33 times in 40 for
    /// BG/NBD (P(fewer) ≈ 0.1 % at a true 95 % rate) and 17 in 20 for Pareto/NBD.
    @Test func bgnbdRecoversKnownCoefficients() throws {
        let truth = CovariatePurchaseModelOf(base: try BGNBD(r: 0.8, alpha: 6, a: 0.9, b: 3),
                                             purchaseCovariates: ["binary", "normal"], dropoutCovariates: ["binary", "normal"],
                                             coefficients: [0.5, -0.3, 0.4, 0.2, -0.3, 0.25])
        var covered = 0, total = 0
        for seed in 1...10 as ClosedRange<UInt64> {
            let (table, design) = try Simulate.withCovariates(truth, customers: 3000, seed: seed) { rng, theta, T in
                Simulate.bgnbdCustomer(&rng, r: theta[0], alpha: theta[1], a: theta[2], b: theta[3], T: T)
            }
            let fit = try Estimator().fit(BGNBD.self, to: try PurchaseHistory(table), covariates: design)
            for c in [4, 5, 8, 9] {   // alpha.* and b.*: a's are weakly identified at 3,000 customers
                let se = fit.fit.covariance[c, c].squareRoot()
                let target = truth.parameterValues[c]
                if abs(fit.fit.estimates[c] - target) <= 1.96 * se { covered += 1 }
                total += 1
            }
        }
        #expect(total == 40 && covered >= 33, "covered \(covered) of \(total)")
    }

    @Test func paretoNBDRecoversKnownCoefficients() throws {
        let truth = CovariatePurchaseModelOf(base: try ParetoNBD(r: 0.8, alpha: 6, s: 0.7, beta: 9),
                                             purchaseCovariates: ["binary", "normal"], dropoutCovariates: ["binary", "normal"],
                                             coefficients: [0.5, -0.3, 0.6, 0.3])
        var covered = 0, total = 0
        for seed in 1...5 as ClosedRange<UInt64> {
            let (table, design) = try Simulate.withCovariates(truth, customers: 3000, seed: seed) { rng, theta, T in
                Simulate.paretoNBDCustomer(&rng, r: theta[0], alpha: theta[1], s: theta[2], beta: theta[3], T: T)
            }
            let fit = try Estimator().fit(ParetoNBD.self, to: try PurchaseHistory(table), covariates: design)
            for c in 4..<8 {
                let se = fit.fit.covariance[c, c].squareRoot()
                if abs(fit.fit.estimates[c] - truth.parameterValues[c]) <= 1.96 * se { covered += 1 }
                total += 1
            }
        }
        #expect(total == 20 && covered >= 17, "covered \(covered) of \(total)")
    }

    /// The L2 penalty in CLVTools' scaling: at the penalised optimum the mean log-likelihood's
    /// gradient in each user-scale coefficient is 2λγ (the first-order condition of
    /// (−LL)/N + λΣγ²), whatever the covariates' scales; λ = 0 is the plain fit; a penalty
    /// shrinks the coefficients' squared norm, and a large one all of them to about 0.
    @Test func penaltyFollowsCLVToolsScaling() throws {
        let (data, design) = try Self.cdnow()
        let plain = try Estimator().fit(ParetoNBD.self, to: data, covariates: design)
        let zero = try Estimator().fit(ParetoNBD.self, to: data, covariates: design, penalty: 0)
        #expect(zero.fit.estimates == plain.fit.estimates)
        let lambda = 0.01
        let penalised = try Estimator().fit(ParetoNBD.self, to: data, covariates: design, penalty: lambda)
        let g = CovariateLogLikelihood<ParetoNBD>(data, design: design).evaluate(penalised.fit.estimates, order: .gradient).gradient
        let n = data.customerCount
        for k in 4..<8 {
            let gamma = penalised.fit.estimates[k]
            // The fit stops at a mean gradient of about 1e-8 on the optimiser's scaled coordinates,
            // a few 1e-8 on the user's (∂/∂γ = s ∂/∂γ̃ ± m ∂/∂ln θ̃): 1e-4 of 2λγ here. A wrong scale
            // (the penalty on γ̃ instead of γ) would be off by the factor s² ≈ 0.5.
            #expect(isClose(g[k] / n, 2 * lambda * gamma, relative: 1e-4) || isClose(g[k] / n, 2 * lambda * gamma, absolute: 1e-7), "\(penalised.fit.names[k]): \(g[k] / n) vs \(2 * lambda * gamma)")
        }
        func norm(_ v: ArraySlice<Double>) -> Double { v.reduce(0) { $0 + $1 * $1 } }
        #expect(norm(penalised.fit.estimates[4...]) < norm(plain.fit.estimates[4...]))
        #expect(penalised.fit.logLikelihood < plain.fit.logLikelihood)
        let heavy = try Estimator().fit(ParetoNBD.self, to: data, covariates: design, penalty: 100)
        #expect(heavy.fit.estimates[4...].allSatisfy { abs($0) < 1e-3 })
    }

    /// `--shared-covariates`: on CDNOW, the shared fit is the maximum of the free likelihood
    /// under the equality: its tied coefficients are equal, the free likelihood's gradient
    /// vanishes along every untied parameter and its sum over each tied group vanishes (the
    /// first-order condition of the constrained problem), it fits no better than the free fit,
    /// and AIC/BIC count one parameter per group. No shared covariate is the free fit.
    @Test(arguments: ["bgnbd", "pnbd"])
    func sharedFitIsTheConstrainedMaximum(_ model: String) throws {
        let (data, design) = try Self.cdnow()
        func check<M: CovariatePurchaseModel>(_ type: M.Type) throws {
            let free = try Estimator().fit(M.self, to: data, covariates: design)
            #expect(try Estimator().fit(M.self, to: data, covariates: design, shared: []).fit.estimates == free.fit.estimates)
            let shared = try Estimator().fit(M.self, to: data, covariates: design, shared: ["multi_cd"])
            let ties = design.sharedCoefficients(M.self, shared: ["multi_cd"])
            #expect(shared.fit.ties == ties && shared.fit.freeParameterCount == free.fit.names.count - (M.covariateShifts.count - 1))
            let group = shared.fit.names.indices.filter { shared.fit.names[$0].hasSuffix(".multi_cd") }
            #expect(group.count == M.covariateShifts.count && group.allSatisfy { shared.fit.estimates[$0] == shared.fit.estimates[group[0]] })
            #expect(shared.fit.logLikelihood <= free.fit.logLikelihood + 1e-9)
            let g = CovariateLogLikelihood<M>(data, design: design).evaluate(shared.fit.estimates, order: .gradient).gradient
            let reduced = ties.reduceGradient(g.enumerated().map { $0.offset < 4 ? $0.element * shared.fit.estimates[$0.offset] : $0.element })
            #expect(reduced.allSatisfy { abs($0) < 1e-3 }, "\(reduced)")
            #expect(abs(g[group[0]]) > 0.1, "the constraint binds on CDNOW: \(g[group[0]])")
            // The covariance of tied coefficients is one block: their standard errors are equal.
            #expect(group.allSatisfy { isClose(shared.fit.covariance[$0, $0], shared.fit.covariance[group[0], group[0]], relative: 1e-12) })
            let record = FittedModelRecord(model: M.identifier, shared.fit)
            #expect(record.freeParameters == ties.freeCount)
            #expect(isClose(record.aic, 2 * Double(ties.freeCount) - 2 * shared.fit.logLikelihood, relative: 1e-14))
        }
        if model == "bgnbd" { try check(BGNBD.self) } else { try check(ParetoNBD.self) }
    }

    /// When the data make the coefficients equal (simulated with γ_α = γ_β on `binary`), the
    /// shared fit agrees with the free one: over 6 seeds of 3,000 Pareto/NBD customers the
    /// likelihood-ratio test rejects sharing at 1 % at most once (P(two or more) ≈ 0.15 % when
    /// sharing holds), the shared coefficient's 95 % interval covers the truth at least 5 times
    /// (P(fewer) ≈ 3 %), and it lies between or near the two free estimates.
    @Test func sharedFitAgreesWithTheFreeFitWhenTheDataMakeThemEqual() throws {
        let truth = CovariatePurchaseModelOf(base: try ParetoNBD(r: 0.8, alpha: 6, s: 0.7, beta: 9),
                                             purchaseCovariates: ["binary", "normal"], dropoutCovariates: ["binary", "normal"],
                                             coefficients: [0.5, -0.3, 0.5, 0.3])
        var rejected = 0, covered = 0
        for seed in 1...6 as ClosedRange<UInt64> {
            let (table, design) = try Simulate.withCovariates(truth, customers: 3000, seed: seed) { rng, theta, T in
                Simulate.paretoNBDCustomer(&rng, r: theta[0], alpha: theta[1], s: theta[2], beta: theta[3], T: T)
            }
            let data = try PurchaseHistory(table)
            let free = try Estimator().fit(ParetoNBD.self, to: data, covariates: design)
            let shared = try Estimator().fit(ParetoNBD.self, to: data, covariates: design, shared: ["binary"])
            let test = LikelihoodRatioTest(restricted: shared.fit.logLikelihood, unrestricted: free.fit.logLikelihood, degreesOfFreedom: 1)
            if test.pValue < 0.01 { rejected += 1 }
            let gamma = shared.fit.estimates[4], se = shared.fit.covariance[4, 4].squareRoot()
            #expect(shared.fit.estimates[6] == gamma)
            if abs(gamma - 0.5) <= 1.96 * se { covered += 1 }
            let (lo, hi) = (min(free.fit.estimates[4], free.fit.estimates[6]), max(free.fit.estimates[4], free.fit.estimates[6]))
            #expect(gamma >= lo - se && gamma <= hi + se, "seed \(seed): shared \(gamma), free \(lo)…\(hi)")
        }
        #expect(rejected <= 1 && covered >= 5, "rejected \(rejected), covered \(covered) of 6")
    }
}
