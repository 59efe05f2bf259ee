import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// `evaluate --compare` and `train --model auto` on CDNOW.
@Suite struct ModelComparisonTests {
    /// The continuous-time models fit CDNOW; the rows carry the numbers each model's own
    /// tests check (LL to ±0.01), and the holdout total is the same 1882 purchases for all.
    @Test func comparesTheContinuousTimeModelsOnCDNOW() throws {
        let table = try LifetimesFixtures.cdnowCalibrationSummary()
        let comparison = try ModelComparison.compare(table, source: "cdnow", candidates: ModelRegistry.continuousTimeCandidates)
        let byModel = Dictionary(uniqueKeysWithValues: comparison.rows.map { ($0.model, $0) })
        #expect(Set(byModel.keys) == Set(ModelRegistry.continuousTimeCandidates.map { $0.identifier }))
        #expect(!byModel.keys.contains("bgbb"))  // discrete-time: not a candidate for calendar time
        let bg = try #require(byModel["bgnbd"]), mbg = try #require(byModel["mbgnbd"])
        let pnbd = try #require(byModel["pareto-nbd"])
        #expect(isClose(try #require(bg.logLikelihood), -9582.43, absolute: 0.01))
        #expect(isClose(try #require(mbg.logLikelihood), -9582.13, absolute: 0.01))
        #expect(isClose(try #require(pnbd.logLikelihood), -9594.98, absolute: 0.01))
        for row in comparison.rows {
            #expect(row.error == nil, "\(row.model): \(row.error ?? "")")
            #expect(row.totalActual == 1882)
            #expect((row.holdoutMae ?? .infinity) < (row.holdoutRmse ?? 0))
        }
        // The choice is the lowest holdout MAE, and says so.
        let (best, reason) = try #require(comparison.choice())
        let lowest = comparison.rows.min { $0.holdoutMae! < $1.holdoutMae! }!
        #expect(best.model == lowest.model)
        #expect(reason.contains("holdout MAE"))
        #expect(comparison.text().contains("best: \(best.model)"))
    }

    /// Without a holdout the choice falls back to BIC, and `train --model auto` records it.
    @Test func autoWithoutHoldoutChoosesByBICAndRecordsWhy() throws {
        var table = try LifetimesFixtures.cdnowCalibrationSummary()
        table.holdout = nil
        let outcome = try Training.train(table, source: "cdnow", choosingAmong: ModelRegistry.continuousTimeCandidates)
        let selection = try #require(outcome.modelFile.selection)
        #expect(selection.reason.contains("BIC"))
        let lowestBIC = selection.candidates.filter { $0.error == nil }.min { $0.bic! < $1.bic! }!
        #expect(outcome.modelFile.purchaseModel.model == lowestBIC.model)
        // The file round-trips with its selection and validates.
        let decoded = try ModelFile.decode(try outcome.modelFile.encoded(), file: "auto.json")
        #expect(decoded == outcome.modelFile)
    }

    /// BG/BB trains on lifetimes' donations.csv as it is (`periods` is T), in unit periods; the
    /// model file records that unit, and a file claiming weeks for BG/BB does not validate.
    @Test func bgbbTrainsOnTheDonationsSummary() throws {
        let table = try SummaryCSV.read(path: Fixtures.dataset("donations.csv").path, unit: .periods)
        let outcome = try Training.train(table, source: "donations.csv", purchaseModel: BGBB.self)
        #expect(outcome.modelFile.purchaseModel.model == "bgbb")
        #expect(outcome.modelFile.timeUnit == .periods)
        #expect(isClose(outcome.modelFile.purchaseModel.logLikelihood, -33225.6, absolute: 0.05))
        #expect(outcome.spendModel == nil)
        var weekly = outcome.modelFile
        weekly.timeUnit = .week
        #expect(throws: ModelFileError.self) { try ModelFile.decode(try weekly.encoded(), file: "weekly.json") }
    }

    /// The unit must suit the model: BG/BB on a summary in weeks, or BG/NBD on one in periods,
    /// is a data error naming the file and the unit, not a fit in the wrong time scale.
    @Test func trainingRejectsAUnitThatDoesNotSuitTheModel() throws {
        let weeks = try SummaryCSV.read(path: Fixtures.dataset("donations.csv").path, unit: .week)
        let periods = try SummaryCSV.read(path: Fixtures.dataset("donations.csv").path, unit: .periods)
        for (table, model, phrase) in [(weeks, BGBB.self as any PurchaseModel.Type, "its time unit is periods, not week"),
                                       (periods, BGNBD.self, "continuous-time model")] {
            do {
                _ = try Training.train(table, source: "donations.csv", purchaseModel: model)
                Issue.record("\(model.displayName) trained in \(table.unit)")
            } catch let error as DataError {
                #expect(error.description.contains("donations.csv") && error.description.contains(phrase), "\(error)")
            }
        }
    }
}
