import ArgumentParser
import CLVKit
import Foundation

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit on the calibration period, predict the holdout and report the error.",
        discussion: """
        Needs a transaction log with --calibration-end and --observation-end. Reports per-customer \
        MAE and RMSE of holdout purchases, their correlation, total predicted vs actual, the mean \
        by calibration frequency 0..6, 7+, a naive rate baseline, and the spend model's error on \
        customers who bought in both periods.
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "Transaction log (CSV with a header; '-' for standard input).")
    var transactions: String

    @OptionGroup var log: TransactionOptions

    @Option(help: "Output format: text (for people) or json (stable, for programs).")
    var format: Format = .text

    @OptionGroup var modelChoice: ModelChoiceOptions

    @Flag(help: "Fit every purchase model and print one comparison table (model, parameters, LL, AIC, BIC, holdout MAE/RMSE, total predicted vs actual).")
    var compare = false

    @Option(name: .customLong("save-model"), help: "Also write the model fitted on the calibration period to this file.")
    var saveModel: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard log.calibrationEnd != nil, log.observationEnd != nil else {
            throw ValidationError("evaluate needs both --calibration-end and --observation-end.")
        }
        try modelChoice.checkUnit(log.unit, fromLog: true)
    }

    func run() throws {
        let table = try RFMSummarizer.summarize(path: transactions, options: log.rfmOptions())
        if compare {
            let comparison = try ModelComparison.compare(table, source: transactions, candidates: ModelRegistry.continuousTimeCandidates)
            switch format {
            case .json: try AtomicOutput.write(try comparison.json(), to: output.path)
            case .text: try AtomicOutput.write(comparison.text(), to: output.path)
            }
            return
        }
        let outcome = try modelChoice.train(table, source: transactions)
        if let saveModel { try outcome.modelFile.write(to: saveModel) }
        let evaluation = try HoldoutEvaluation.evaluate(table, purchaseModel: outcome.purchaseModel,
                                                        spendModel: outcome.spendModel)
        switch format {
        case .json:
            try AtomicOutput.write(try evaluation.json(), to: output.path)
        case .text:
            let text = ModelSummaryText.render(outcome.modelFile) + "\n" + evaluation.text(unit: table.unit.rawValue)
            try AtomicOutput.write(text, to: output.path)
        }
    }
}
