import Foundation
import Testing
@testable import CLVKit
import CLVNumerics
import CLVTestSupport

/// Parameter confidence intervals from the model file's covariance.
@Suite struct ParameterIntervalsTests {
    static func cdnowFit() throws -> (FitResult<BGNBD>, FittedModelRecord) {
        let dataset = Fixtures.dataset("cdnow_sample.csv")
        try #require(FileManager.default.fileExists(atPath: dataset.path), "run `make datasets` first")
        let table = try RFMSummarizer.summarize(path: dataset.path, options: RFMOptions(
            unit: .week, calibrationEnd: CalendarDate("1997-09-30"), observationEnd: CalendarDate("1998-06-30")))
        let fit = try Estimator().fit(BGNBD.self, to: try PurchaseHistory(table, source: "cdnow").compressed())
        return (fit, FittedModelRecord(fit))
    }

    /// The record's natural-scale covariance J Σ J (J = diag θ) converts back to the estimator's
    /// log-scale covariance Σ: 1e-12 relative (one multiplication and one division by θᵢθⱼ,
    /// a few ulps).
    @Test func logCovarianceIsRecoveredFromTheFile() throws {
        let (fit, record) = try Self.cdnowFit()
        let recovered = record.logParameterCovariance
        for i in 0..<4 { for j in 0..<4 {
            #expect(isClose(recovered[i, j], fit.logParameterCovariance[i, j], relative: 1e-12), "Σ[\(i)][\(j)]")
        } }
    }

    /// On CDNOW: each interval contains its estimate, is symmetric about it on the log scale,
    /// has log-width 2 z SE/θ, and — as SE/θ is small for r (5 %) — is close to θ ± z SE
    /// (1e-3 relative: the log and linear intervals differ by O((z SE/θ)²) ≈ 1 %·θ at most, so
    /// the bounds agree to about (z SE/θ)²/2 ≈ 5e-3 of θ; checked at 1e-2 on the bounds).
    @Test func cdnowIntervalsAreLogSymmetricAndMatchTheSEs() throws {
        let (_, record) = try Self.cdnowFit()
        let z95 = 1.9599639845400536   // Φ⁻¹(0.975), Python statistics.NormalDist
        let intervals = record.confidenceIntervals(level: 0.95)
        #expect(intervals.map(\.name) == ["r", "alpha", "a", "b"])
        for interval in intervals {
            #expect(interval.lower < interval.estimate && interval.estimate < interval.upper, "\(interval)")
            #expect(isClose(Foundation.log(interval.upper / interval.estimate), Foundation.log(interval.estimate / interval.lower), relative: 1e-12))
            #expect(isClose(Foundation.log(interval.upper / interval.lower), 2 * z95 * interval.standardError / interval.estimate, relative: 1e-12))
        }
        let r = intervals[0]
        #expect(isClose(r.lower, r.estimate - z95 * r.standardError, relative: 1e-2))
        #expect(isClose(r.upper, r.estimate + z95 * r.standardError, relative: 1e-2))
        // A higher level gives a wider interval.
        let r99 = record.confidenceIntervals(level: 0.99)[0]
        #expect(r99.lower < r.lower && r99.upper > r.upper)
    }

    /// `ModelFile.parameterIntervals` lists the purchase model, then the spend model, from the
    /// golden file (which predates the feature: no new field is needed).
    @Test func goldenFileHasIntervalsForBothModels() throws {
        let golden = try ModelFile.load(path: Fixtures.repositoryRoot.appendingPathComponent("models/cdnow-bgnbd-gg.json").path)
        let all = golden.parameterIntervals(level: 0.9)
        #expect(all.map(\.model) == ["bgnbd", "gamma-gamma"])
        #expect(all.allSatisfy { $0.level == 0.9 && $0.parameters.allSatisfy { $0.lower > 0 && $0.upper.isFinite } })
    }
}
