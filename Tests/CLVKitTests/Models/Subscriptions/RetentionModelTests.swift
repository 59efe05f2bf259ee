import Foundation
import Testing
@testable import CLVKit
import CLVNumerics
import CLVTestSupport

/// sBG and BdW against the papers' numbers (../shared/EXTENSIONS.md §2, which gives them to more
/// digits than the papers print), the invariants every retention model keeps, and the
/// derivatives against finite differences.
@Suite struct RetentionModelTests {
    /// FH 2007 Table 1, "regular" customers: survivors of 1,000 in years 0–7 (the fit period) and
    /// the share still subscribed in years 8–12 (the projection the paper checks).
    static let regular: [Double] = [1000, 631, 468, 382, 326, 289, 262, 241]
    static let regularLater: [Double] = [22.3, 20.7, 19.4, 18.3, 17.3]

    /// One log-term as a likelihood, so that the derivative check of `CLVTestSupport` applies.
    struct Term: LogLikelihood {
        let body: @Sendable ([Double], DerivativeOrder) -> RetentionTerms
        var observationCount: Double { 1 }
        var rowCount: Int { 1 }
        func evaluate(_ p: [Double], order: DerivativeOrder) -> LikelihoodEvaluation {
            let t = body(p, order)
            guard order >= .hessian else { return LikelihoodEvaluation(value: t.value, gradient: t.gradient) }
            let k = p.count
            var h = Matrix(rows: k, columns: k)
            for i in 0..<k { for j in 0..<k { h[i, j] = t.hessian[i * k + j] } }
            return LikelihoodEvaluation(value: t.value, gradient: t.gradient, hessian: h)
        }
    }

    /// α = 0.704077, β = 1.182043, LL = −1680.265188 (EXTENSIONS.md §2; FH 2007 print 0.704, 1.182).
    @Test func sbgFitsTheRegularSeriesOfFH2007() throws {
        let data = SubscriberHistory(cohort: Self.regular)
        #expect(data.customerCount == 1000)
        let fit = try Estimator().fit(SBG.self, to: data)
        #expect(isClose(fit.model.alpha, 0.704077, relative: 2e-6), "\(fit.model)")
        #expect(isClose(fit.model.beta, 1.182043, relative: 2e-6), "\(fit.model)")
        #expect(isClose(fit.logLikelihood, -1680.265188, relative: 1e-9), "\(fit.logLikelihood)")
        // The projection of years 8–12 is within 1 percentage point of what happened (the
        // paper's Figure 3), and the retention rate rises with tenure.
        for (k, actual) in Self.regularLater.enumerated() {
            #expect(abs(100 * fit.model.survival(8 + k) - actual) < 1, "year \(8 + k): \(100 * fit.model.survival(8 + k)) vs \(actual)")
        }
        for t in 2...12 { #expect(fit.model.retentionRate(t) > fit.model.retentionRate(t - 1)) }
    }

    /// FH 2007's test: fit years 0–7 of the regular cohort, project 8–12. The projection's
    /// survival is S(t) of the fitted model, the actual shares are the table's, and the holdout
    /// error is their mean absolute difference (0.29 percentage points here).
    @Test func projectionOfTheRegularCohort() throws {
        let table = CohortTable(survivors: Self.regular + Self.regularLater.map { $0 * 10 })
        let projection = try RetentionProjection.project(table, model: SBG.self, calibrationPeriods: 7, source: "regular.csv", period: "year")
        #expect(projection.rows.count == 13 && projection.rows.filter(\.calibration).count == 8)
        let model = try SBG(alpha: projection.parameters["alpha"]!, beta: projection.parameters["beta"]!)
        #expect(isClose(model.alpha, 0.704077, relative: 2e-6))
        var errors: [Double] = []
        for row in projection.rows {
            #expect(row.predicted == model.survival(row.period))
            #expect(isClose(row.actual, table.survivors[row.period] / 1000, relative: 1e-15))
            if !row.calibration { errors.append(abs(row.predicted - row.actual)) }
        }
        #expect(isClose(projection.holdoutMeanAbsoluteError!, errors.reduce(0, +) / 5, relative: 1e-12))
        #expect(abs(projection.holdoutMeanAbsoluteError! - 0.0029) < 0.0002, "\(projection.holdoutMeanAbsoluteError!)")
        #expect(projection.rows[0].actualRetention == nil && isClose(projection.rows[8].actualRetention!, 223.0 / 241, relative: 1e-15))
        let text = projection.text()
        #expect(text.contains("Holdout (years 8–12): mean absolute error 0.29 percentage points"), "\(text)")
        let html = projection.html(source: "regular.csv")
        #expect(html.contains("<figure id=\"survival\"><svg") && html.contains("<figure id=\"retention\"><svg") && !html.contains("NaN"))
        #expect(throws: DataError.self) { try RetentionProjection.project(table, model: SBG.self, calibrationPeriods: 13, source: "r.csv") }
    }

    /// FH 2010 Table 3: DERL at d = 0.10 for n = 1…5 (EXTENSIONS.md §2, to 4 decimals).
    @Test(arguments: [
        (3.80, 15.20, [3.3098, 3.4510, 3.5865, 3.7168, 3.8421]),
        (0.067, 0.267, [7.6708, 9.4553, 9.8508, 10.0562, 10.1886]),
    ])
    func derlOfFH2010Table3(alpha: Double, beta: Double, expected: [Double]) throws {
        let model = try SBG(alpha: alpha, beta: beta)
        let bdw = try BdW(alpha: alpha, beta: beta, c: 1)
        for (k, value) in expected.enumerated() {
            let derl = try model.discountedExpectedResidualLifetime(periodsPaid: k + 1, discountRate: 0.1)
            #expect(abs(derl - value) < 5e-5, "n = \(k + 1): \(derl) vs \(value)")
            // The closed form against the series (BdW at c = 1 sums it).
            #expect(isClose(try bdw.discountedExpectedResidualLifetime(periodsPaid: k + 1, discountRate: 0.1), derl, relative: 1e-11))
        }
        // E[CLV]/m of a new customer, payment at t = 0 included (EXTENSIONS.md §2):
        // ₂F₁(1, β; α+β; 1/(1+d)) = 1 + DERL(d | α, β, 0 renewals)/(1+d).
        let first = try model.discountedExpectedResidualLifetime(periodsPaid: 1, discountRate: 0.1)
        let f = try Hypergeometric.log2F1UnitA(b: beta, c: alpha + beta, z: 1 / 1.1)
        #expect(isClose(Double.exp(f.value), 1 + first / 1.1, relative: 1e-13))
    }

    /// BdW's survival at EXTENSIONS.md §2's unit values (to 10 digits).
    @Test(arguments: [
        ([0.8, 2, 0.7], [0.7142857143, 0.6113744498, 0.5463433979, 0.4995516342, 0.4634987731]),
        ([2, 3, 1.8], [0.6, 0.2474168225, 0.1045581848, 0.0491977654, 0.0256875477]),
    ])
    func bdwSurvival(parameters: [Double], expected: [Double]) throws {
        let model = try BdW(parameterValues: parameters)
        for (k, value) in expected.enumerated() {
            #expect(abs(model.survival(k + 1) - value) < 1e-10, "S(\(k + 1)) = \(model.survival(k + 1)) vs \(value)")
        }
    }

    /// BdW at c = 1 is sBG: the same survival, churn, likelihood and (in α, β) derivatives.
    @Test func bdwAtCOneIsSBG() throws {
        let data = SubscriberHistory(cohort: Self.regular)
        let p = [0.704077, 1.182043]
        let sbg = SBG.logLikelihood(of: data).evaluate(p, order: .hessian)
        let bdw = BdW.logLikelihood(of: data).evaluate(p + [1], order: .hessian)
        #expect(isClose(bdw.value, sbg.value, relative: 1e-12))
        for i in 0..<2 {
            #expect(abs(bdw.gradient[i] - sbg.gradient[i]) <= 1e-9 * max(1, abs(sbg.gradient[i])), "gradient \(i)")
            for j in 0..<2 { #expect(isClose(bdw.hessian![i, j], sbg.hessian![i, j], relative: 1e-9), "hessian \(i) \(j)") }
        }
        for t in 0...40 {
            let a = SBG.logSurvival(Double(t), parameters: p, order: .value).value
            let b = BdW.logSurvival(Double(t), parameters: p + [1], order: .value).value
            #expect(abs(a - b) <= 1e-12 * max(1, abs(a)), "t = \(t)")
        }
        for t in 1...40 {
            let a = SBG.logChurn(Double(t), parameters: p, order: .value).value
            let b = BdW.logChurn(Double(t), parameters: p + [1], order: .value).value
            #expect(isClose(a, b, relative: 1e-10), "t = \(t)")
        }
    }

    /// Σ_{t≤n} P(T = t) + S(n) = 1, S decreasing from S(0) = 1.
    @Test(arguments: [[0.704077, 1.182043, 1], [3.8, 15.2, 1], [0.8, 2, 0.7], [2, 3, 1.8], [0.067, 0.267, 0.4]])
    func churnAndSurvivalAddUpToOne(parameters: [Double]) throws {
        let models: [any RetentionModel] = parameters[2] == 1
            ? [try SBG(alpha: parameters[0], beta: parameters[1]), try BdW(parameterValues: parameters)]
            : [try BdW(parameterValues: parameters)]
        for model in models {
            #expect(model.survival(0) == 1)
            var churned = 0.0
            for t in 1...60 {
                churned += model.churnProbability(t)
                #expect(model.survival(t) < model.survival(t - 1))
                #expect(abs(churned + model.survival(t) - 1) < 1e-12, "\(model) t = \(t)")
            }
        }
    }

    /// Analytic derivatives of ln S, ln P(T = t) and the likelihood against finite differences.
    @Test func derivativesAgainstFiniteDifferences() throws {
        let points: [[Double]] = [[0.704077, 1.182043], [3.8, 15.2], [0.3, 0.6]]
        let data = SubscriberHistory(cohort: Self.regular)
        for p in points {
            for q in [p, p + [1.0], p + [0.6], p + [1.7]] {
                let isBdW = q.count == 3
                for t in [1.0, 2, 5, 13] {
                    let survival = Term { isBdW ? BdW.logSurvival(t, parameters: $0, order: $1) : SBG.logSurvival(t, parameters: $0, order: $1) }
                    let churn = Term { isBdW ? BdW.logChurn(t, parameters: $0, order: $1) : SBG.logChurn(t, parameters: $0, order: $1) }
                    for term in [survival, churn] {
                        let (g, h) = derivativeDiscrepancy(term, at: q)
                        #expect(g < 1e-6 && h < 1e-5, "\(q) t = \(t): \(g) \(h)")
                    }
                }
                let likelihood = isBdW ? BdW.logLikelihood(of: data) : SBG.logLikelihood(of: data)
                // Away from the optimum, where the gradient is not all rounding noise.
                let (g, h) = derivativeDiscrepancy(likelihood, at: q.map { 1.2 * $0 })
                #expect(g < 1e-6 && h < 1e-5, "likelihood at \(q): \(g) \(h)")
            }
        }
    }

    /// Undiscounted residual periods: sBG's (β+n−1)/(α−1) against BdW's sum at c = 1, and none
    /// (infinite) for α ≤ 1 or cα ≤ 1.
    @Test func expectedResidualPeriods() throws {
        let sbg = try SBG(alpha: 3.8, beta: 15.2), bdw = try BdW(alpha: 3.8, beta: 15.2, c: 1)
        for n in 1...5 {
            let closed = try #require(sbg.expectedResidualPeriods(periodsPaid: n))
            #expect(isClose(closed, (15.2 + Double(n) - 1) / 2.8, relative: 1e-15))
            let summed = try #require(bdw.expectedResidualPeriods(periodsPaid: n))
            #expect(isClose(summed, closed, relative: 1e-8), "n = \(n): \(summed) vs \(closed)")
        }
        #expect(try SBG(alpha: 0.704077, beta: 1.182043).expectedResidualPeriods(periodsPaid: 3) == nil)
        #expect(try BdW(alpha: 2, beta: 3, c: 0.4).expectedResidualPeriods(periodsPaid: 3) == nil)
        #expect(throws: ModelError.self) { try sbg.discountedExpectedResidualLifetime(periodsPaid: 1, discountRate: 0) }
        #expect(throws: ModelError.self) { try sbg.discountedExpectedResidualLifetime(periodsPaid: 0, discountRate: 0.1) }
    }

    /// A cohort table and the subscriber rows it stands for give the same likelihood.
    @Test func cohortTableIsGroupedSubscribers() throws {
        let cohort = SubscriberHistory(cohort: [10, 7, 7, 4])
        #expect(cohort == SubscriberHistory(periods: [1, 3, 4], active: [false, false, true], weight: [3, 3, 4]))
        var periods: [Double] = [], active: [Bool] = []
        for _ in 0..<3 { periods.append(1); active.append(false) }
        for _ in 0..<3 { periods.append(3); active.append(false) }
        for _ in 0..<4 { periods.append(4); active.append(true) }
        let rows = SubscriberHistory(periods: periods.reversed(), active: active.reversed())
        let p = [0.9, 1.4]
        #expect(isClose(SBG.logLikelihood(of: rows).evaluate(p, order: .value).value,
                        SBG.logLikelihood(of: cohort).evaluate(p, order: .value).value, relative: 1e-14))
    }
}
