import CLVNumerics
import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// The numbers behind the HTML report, on CDNOW (BG/NBD + Gamma-Gamma fitted on the 39-week
/// calibration period), each checked against an independent, per-customer computation.
@Suite struct EvaluationReportTests {
    typealias S = DataTestSupport

    struct Setup {
        var data: EvaluationData
        var outcome: TrainingOutcome
        var report: EvaluationReport
    }

    static func setup() throws -> Setup {
        let url = try S.requireDataset("cdnow_sample.csv")
        let data = try EvaluationData.read(path: url.path, options: RFMOptions(
            unit: .week, calibrationEnd: S.date("1997-09-30"), observationEnd: S.date("1998-06-30")))
        let outcome = try Training.train(data.table, source: url.path)
        var evaluation = try HoldoutEvaluation.evaluate(data.table, purchaseModel: outcome.purchaseModel, spendModel: outcome.spendModel)
        let tracking = try TrackingCurve.compute(data.cohort, model: outcome.purchaseModel, unit: .week)
        evaluation.tracking = tracking
        let report = try EvaluationReport.build(data: data, source: "cdnow_sample.csv", outcome: outcome,
                                                evaluation: evaluation, tracking: tracking)
        return Setup(data: data, outcome: outcome, report: report)
    }

    @Test func parametersAndWarningsComeFromTheModelFile() throws {
        let s = try Self.setup()
        let record = s.outcome.modelFile.purchaseModel
        #expect(s.report.purchaseModel.parameters.map(\.name) == ["r", "alpha", "a", "b"])
        for p in s.report.purchaseModel.parameters {
            #expect(p.estimate == record.parameters[p.name] && p.standardError == record.standardErrors[p.name])
            // The model file's 95 % log-scale interval, around the estimate.
            let interval = try #require(p.interval)
            let want = try #require(s.outcome.modelFile.parameterIntervals(level: 0.95)[0].parameters.first { $0.name == p.name })
            #expect(interval.level == 0.95 && interval.lower == want.lower && interval.upper == want.upper)
            #expect(interval.lower < p.estimate && p.estimate < interval.upper)
        }
        #expect(s.report.spendModel?.parameters.map(\.name) == ["p", "q", "gamma"])
        #expect(s.report.spendModel?.parameters.allSatisfy { $0.interval != nil } == true)
        // Both fits converge on CDNOW; the one warning is the diagnostics' a ≤ 1 (a = 0.79).
        #expect(s.report.warnings.map(\.code) == ["unbounded-lifetime"])
        #expect(s.report.calibrationEnd == "1997-09-30" && s.report.observationEnd == "1998-06-30")
    }

    /// Actual bins are the calibration frequencies (the same counts as the holdout table's
    /// groups); expected bins equal a per-customer sum of P(X(Tᵢ) = k) to 1e-9 relative
    /// (grouping by T only reorders the additions) and add up to the customers.
    @Test func calibrationHistogramIsTheSumOfEachCustomersProbabilities() throws {
        let s = try Self.setup()
        let h = s.report.calibrationFrequencies
        #expect(h.note == nil)
        #expect(h.bins.map(\.label) == ["0", "1", "2", "3", "4", "5", "6", "7+"])
        #expect(h.bins.map(\.actual) == [1411, 439, 214, 100, 62, 38, 29, 64])
        let model = try #require(s.outcome.purchaseModel as? BGNBD)
        var expected = Array(repeating: 0.0, count: 8)
        for T in s.data.table.T {
            for k in 0..<7 { expected[k] += model.probabilityOfPurchases(k, within: T) }
        }
        expected[7] = 2357 - expected[0..<7].reduce(0, +)
        for (bin, e) in zip(h.bins, expected) {
            #expect(isClose(try #require(bin.expected), e, relative: 1e-9), "\(bin.label): \(bin.expected ?? .nan) vs \(e)")
        }
        #expect(isClose(h.bins.compactMap(\.expected).reduce(0, +), 2357, relative: 1e-12))
    }

    /// A model without P(X(t) = k) gets the actual bars and a note instead of a model column.
    @Test func histogramWithoutCountDistributionHasANote() throws {
        let s = try Self.setup()
        let plain = try NoCountDistribution(parameterValues: [0.2426, 4.4136, 0.7929, 2.4259])
        let h = try EvaluationReport.frequencyHistogram(s.data.table, models: CustomerModels(shared: plain, covariates: nil))
        #expect(h.bins.allSatisfy { $0.expected == nil })
        #expect(h.note?.contains("offers no P(X(t) = k)") == true)
        #expect(h.bins.map(\.actual).reduce(0, +) == 2357)
        #expect(h.bins.map(\.actual) == [1411, 439, 214, 100, 62, 38, 29, 64])
    }

    /// P(alive) at the median T: probabilities, each matching the model at that cell, rising with
    /// recency for every frequency (FHL 2005: a recent purchase means alive).
    @Test func aliveMatrixAtTheMedianT() throws {
        let s = try Self.setup()
        let a = s.report.alive
        let sortedT = s.data.table.T.sorted()
        #expect(a.T == sortedT[(sortedT.count + 1) / 2 - 1])   // the smallest T with half the customers at or below
        #expect(a.frequencies.first == 1 && a.values.count == a.frequencies.count && a.recencies.count == 20)
        for (i, row) in a.values.enumerated() {
            let values = row.map { $0 ?? -1 }
            #expect(values.allSatisfy { $0 >= 0 && $0 <= 1 })
            #expect(zip(values, values.dropFirst()).allSatisfy { $0 <= $1 }, "frequency \(a.frequencies[i])")
            #expect(isClose(values[5], s.outcome.purchaseModel.probabilityAlive(frequency: a.frequencies[i], recency: a.recencies[5], T: a.T), relative: 1e-15))
        }
    }

    /// Spend fit: observed counts add up to the repeat customers with positive spend; expected
    /// counts add up to the same (the marginal CDF telescopes to 1) to 1e-9; and one bin's
    /// expected mass for x = 2 equals a Simpson integral of the Gamma-Gamma density
    /// f(m̄ | x) (DESIGN.md §2), an independent route to the beta-prime CDF, to 1e-7 (Simpson
    /// with 2000 intervals on a smooth density).
    @Test func spendFitExpectedCountsFollowTheGammaGammaMarginal() throws {
        let s = try Self.setup()
        let fit = try #require(s.report.spendFit)
        #expect(fit.customers == 946)
        #expect(fit.bins.map(\.actual).reduce(0, +) == 946)
        #expect(isClose(fit.bins.compactMap(\.expected).reduce(0, +), 946, relative: 1e-9))
        #expect(fit.bins.last?.open == true)

        let gg = try #require(s.outcome.spendModel)
        let x = 2.0, p = gg.p, q = gg.q, g = gg.gamma
        func density(_ m: Double) -> Double {
            guard m > 0 else { return 0 }
            return Foundation.exp(Special.logGamma(p * x + q) - Special.logGamma(p * x) - Special.logGamma(q) + q * Foundation.log(g)
                                  + (p * x - 1) * Foundation.log(m) + p * x * Foundation.log(x) - (p * x + q) * Foundation.log(g + x * m))
        }
        let bin = fit.bins[3], n = 2000
        let h = (bin.upper - bin.lower) / Double(n)
        var simpson = density(bin.lower) + density(bin.upper)
        for i in 1..<n { simpson += Double(i % 2 == 1 ? 4 : 2) * density(bin.lower + Double(i) * h) }
        simpson *= h / 3
        func cdf(_ m: Double) -> Double { let z = x * m / g; return Special.regularizedIncompleteBeta(p * x, q, z / (1 + z)) }
        #expect(isClose(cdf(bin.upper) - cdf(bin.lower), simpson, relative: 1e-7))
    }

    /// CLV: counts add up to the customers; mean and top shares equal a direct computation from
    /// the scores `clvfit score` would write (default horizon), to 1e-9 relative.
    @Test func clvDistributionAndTopShares() throws {
        let s = try Self.setup()
        let c = try #require(s.report.clv)
        let scorer = Scorer(purchaseModel: s.outcome.purchaseModel, spendModel: s.outcome.spendModel,
                            options: try ScoringOptions(periods: 12, unit: .month, modelUnit: .week,
                                                        discountRate: try #require(ScoringOptions.defaultDiscountRate(per: .month))))
        let clv = try scorer.score(s.data.table).map { try #require($0.clv) }.sorted(by: >)
        let total = clv.reduce(0, +)
        #expect(c.customers == 2357 && c.bins.map(\.customers).reduce(0, +) == 2357)
        #expect(c.bins == CustomerBaseReport.valueBins(try scorer.score(s.data.table).map { try #require($0.clv) }, weights: s.data.table.weight))
        #expect(isClose(c.total, total, relative: 1e-9) && isClose(c.mean, total / 2357, relative: 1e-9))
        // Top 10 % of 2357 customers = 235.7: the 235 largest and 0.7 of the next.
        let top10 = clv[0..<235].reduce(0, +) + 0.7 * clv[235]
        let top20 = clv[0..<471].reduce(0, +) + 0.4 * clv[471]
        #expect(c.topShares.map(\.customers) == [0.1, 0.2])
        #expect(isClose(c.topShares[0].share, top10 / total, relative: 1e-9))
        #expect(isClose(c.topShares[1].share, top20 / total, relative: 1e-9))
        #expect(c.topShares[0].share > 0.1 && c.topShares[1].share > c.topShares[0].share)
    }
}
