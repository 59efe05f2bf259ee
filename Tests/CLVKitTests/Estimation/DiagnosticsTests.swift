import Foundation
import Testing
@testable import CLVKit
import CLVNumerics
import CLVTestSupport

/// Every diagnostic has data that triggers it and data that does not.
@Suite struct DiagnosticsTests {
    static func golden() throws -> ModelFile {
        try ModelFile.load(path: Fixtures.repositoryRoot.appendingPathComponent("models/cdnow-bgnbd-gg.json").path)
    }

    static func codes(_ warnings: [DiagnosticWarning]) -> Set<String> { Set(warnings.map(\.code)) }

    /// A summary table from (x, t_x, T) rows, with the same weight 1 each.
    static func table(_ rows: [(Double, Double, Double)]) -> CustomerSummaryTable {
        CustomerSummaryTable(unit: .week, customerIDs: rows.indices.map { "c\($0)" }, frequency: rows.map(\.0),
                             recency: rows.map(\.1), T: rows.map(\.2), monetaryValue: nil)
    }

    // MARK: Gamma-Gamma independence

    /// Spend that grows with frequency (m̄ = (10 + 4x) × Gamma(4, 4) noise) is flagged after training;
    /// spend drawn independently of frequency (the Gamma-Gamma simulator) is not.
    @Test func correlatedSpendIsFlagged() throws {
        var table = Simulate.bgnbd(customers: 2000, r: 0.5, alpha: 5, a: 1.5, b: 3, spend: (p: 6, q: 4, gamma: 15), seed: 7)
        let independent = try Training.train(table, source: "independent").modelFile
        let c = try #require(independent.spendModel?.frequencyMonetaryCorrelation)
        #expect(abs(c) < Diagnostics.correlationThreshold)
        #expect(!Self.codes(try #require(independent.warnings)).contains("spend-frequency-correlation"))

        var rng = SplitMix64(seed: 11)
        table.monetaryValue = table.frequency.map { $0 > 0 ? (10 + 4 * $0) * rng.gamma(shape: 4, rate: 4) : 0 }
        let dependent = try Training.train(table, source: "dependent").modelFile
        #expect(try #require(dependent.spendModel?.frequencyMonetaryCorrelation) > 0.3)
        let warning = try #require(dependent.warnings?.first { $0.code == "spend-frequency-correlation" })
        #expect(warning.message.contains("independent"))
    }

    // MARK: Poles

    /// Gamma-Gamma q ≤ 1 has no finite population mean spend; CDNOW's q = 3.74 is fine.
    @Test func spendQAtMostOneIsFlagged() throws {
        var file = try Self.golden()
        #expect(!Self.codes(Diagnostics.warnings(for: file)).contains("spend-mean-undefined"))
        file.spendModel!.parameters["q"] = 0.95
        #expect(Self.codes(Diagnostics.warnings(for: file)).contains("spend-mean-undefined"))
    }

    /// CDNOW's BG/NBD a = 0.79 ≤ 1: the expected lifetime purchases (a + b − 1)/(a − 1) are
    /// infinite, which is flagged; a fit on data simulated with a = 3 is not. The same rule
    /// reads s for Pareto/NBD and γ for BG/BB.
    @Test func unboundedLifetimeIsFlagged() throws {
        let cdnow = try Self.golden()
        #expect(cdnow.warnings == nil, "the golden file predates the diagnostics and still loads")
        let warning = try #require(Diagnostics.warnings(for: cdnow).first { $0.code == "unbounded-lifetime" })
        #expect(warning.message.contains("a = 0.7929"))
        let table = Simulate.bgnbd(customers: 3000, r: 0.5, alpha: 5, a: 3, b: 6, seed: 3)
        let bounded = try Training.train(table, source: "simulated").modelFile
        #expect(try #require(bounded.purchaseModel.parameters["a"]) > 1.5)
        #expect(!Self.codes(try #require(bounded.warnings)).contains("unbounded-lifetime"))

        var pareto = cdnow.purchaseModel
        pareto.model = "pareto-nbd"
        pareto.parameterNames = ["r", "alpha", "s", "beta"]
        pareto.parameters = ["r": 0.55, "alpha": 10.58, "s": 0.61, "beta": 11.67]
        #expect(Self.codes(Diagnostics.lifetimeWarnings(pareto)) == ["unbounded-lifetime"])
        pareto.parameters["s"] = 1.4
        #expect(Diagnostics.lifetimeWarnings(pareto).isEmpty)
    }

    /// BG/NBD with a + b ≤ 1 used to be flagged `one-time-buyers-undefined` (its closed form's
    /// ₂F₁ has a non-positive third argument for x = 0); the pole is removable and clvfit now
    /// predicts there (BetaGeometricExpectation, checked against mpmath in
    /// ExtremeParameterTests), so no warning: a positive, finite expectation.
    @Test func oneTimeBuyersArePredictedWhenAPlusBIsAtMostOne() throws {
        var record = try Self.golden().purchaseModel
        record.parameters["a"] = 0.3
        record.parameters["b"] = 0.6
        var file = try Self.golden()
        file.purchaseModel = record
        #expect(!Diagnostics.warnings(for: file).map(\.code).contains("one-time-buyers-undefined"))
        let model = try BGNBD(parameterValues: record.parameterValues)
        let e = try model.expectedPurchases(within: 10, frequency: 0, recency: 0, T: 30)
        #expect(e.isFinite && e > 0)
    }

    // MARK: The fit

    /// A shape parameter of 1e5 (a beta distribution collapsed to a point) or a log-scale
    /// standard error above 3 is a boundary; CDNOW's fit is not. α (a time) is exempt from the
    /// size rule: 1e5 weeks is merely a slow purchase rate in those units.
    @Test func boundaryIsFlagged() throws {
        let record = try Self.golden().purchaseModel
        #expect(!Self.codes(Diagnostics.fitWarnings(record)).contains("parameter-at-boundary"))

        var huge = record
        huge.parameters["b"] = 1e5
        huge.covariance[3][3] = 1e-4 * 1e10   // keep SE(ln b) = 0.1 so only the size rule fires
        huge.covariance[2][3] = 0; huge.covariance[3][2] = 0
        let warning = try #require(Diagnostics.fitWarnings(huge).first { $0.code == "parameter-at-boundary" })
        #expect(warning.message.contains("b = 1e+05"))

        var timeScale = record
        timeScale.parameters["alpha"] = record.parameters["alpha"]! * 1e5
        for i in 0..<4 { timeScale.covariance[i][1] *= 1e5; timeScale.covariance[1][i] *= 1e5 }
        #expect(!Self.codes(Diagnostics.fitWarnings(timeScale)).contains("parameter-at-boundary"))

        var flat = record
        for i in 0..<4 { flat.covariance[i][3] *= 200; flat.covariance[3][i] *= 200 }  // SE(ln b) ≈ 0.29 · 200
        #expect(Self.codes(Diagnostics.fitWarnings(flat)).contains("parameter-at-boundary"))
    }

    /// A log-scale covariance whose a–b correlation is 1 − 1e-12 has a condition number far
    /// above 1e8 and is flagged; CDNOW's (a–b correlation 0.94) is not.
    @Test func nearSingularHessianIsFlagged() throws {
        let record = try Self.golden().purchaseModel
        let condition = try #require(Diagnostics.conditionNumber(record.logParameterCovariance))
        #expect(condition > 10 && condition < Diagnostics.conditionNumberThreshold)
        #expect(!Self.codes(Diagnostics.fitWarnings(record)).contains("hessian-near-singular"))

        var singular = record
        let (va, vb) = (record.covariance[2][2], record.covariance[3][3])
        singular.covariance[2][3] = (1 - 1e-12) * (va * vb).squareRoot()
        singular.covariance[3][2] = singular.covariance[2][3]
        singular.covariance[0][2] = 0; singular.covariance[2][0] = 0; singular.covariance[0][3] = 0; singular.covariance[3][0] = 0
        singular.covariance[1][2] = 0; singular.covariance[2][1] = 0; singular.covariance[1][3] = 0; singular.covariance[3][1] = 0
        #expect(Self.codes(Diagnostics.fitWarnings(singular)).contains("hessian-near-singular"))
    }

    // MARK: The data

    /// Customers who bought again after 5 weeks on average but were observed for only 6:
    /// median T (6) < 3 × mean gap (5), flagged. Observed for 40 weeks with 2-week gaps: not.
    @Test func shortCalibrationIsFlagged() {
        let short = Self.table(Array(repeating: (1, 5, 6), count: 60) + Array(repeating: (0, 0, 6), count: 40))
        let warning = Diagnostics.calibrationWarnings(short).first { $0.code == "short-calibration" }
        #expect(warning?.message.contains("6 weeks") == true)
        let long = Self.table(Array(repeating: (5, 10, 40), count: 60) + Array(repeating: (0, 0, 40), count: 40))
        #expect(Diagnostics.calibrationWarnings(long).isEmpty)
    }

    /// 5 repeat customers in 100 (fewer than 30 and than 10 %) are flagged; 40 in 100 are not.
    @Test func fewRepeatCustomersAreFlagged() {
        let few = Self.table(Array(repeating: (2, 10, 40), count: 5) + Array(repeating: (0, 0, 40), count: 95))
        #expect(Self.codes(Diagnostics.calibrationWarnings(few)) == ["few-repeat-customers"])
        let enough = Self.table(Array(repeating: (2, 10, 40), count: 40) + Array(repeating: (0, 0, 40), count: 60))
        #expect(Diagnostics.calibrationWarnings(enough).isEmpty)
    }

    /// CDNOW trains with exactly one warning (a ≤ 1), and the model file carries it.
    @Test func cdnowTrainsWithOnlyTheLifetimeWarning() throws {
        let dataset = Fixtures.dataset("cdnow_sample.csv")
        try #require(FileManager.default.fileExists(atPath: dataset.path), "run `make datasets` first")
        let table = try RFMSummarizer.summarize(path: dataset.path, options: RFMOptions(
            unit: .week, calibrationEnd: CalendarDate("1997-09-30"), observationEnd: CalendarDate("1998-06-30")))
        let file = try Training.train(table, source: dataset.path).modelFile
        #expect(file.warnings?.map(\.code) == ["unbounded-lifetime"])
        let reloaded = try ModelFile.decode(try file.encoded(), file: "memory")
        #expect(reloaded.warnings == file.warnings)
    }
}
