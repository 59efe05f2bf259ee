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

    @Option(help: "Also write the model fitted on the calibration period to this file.")
    var model: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard log.calibrationEnd != nil, log.observationEnd != nil else {
            throw ValidationError("evaluate needs both --calibration-end and --observation-end.")
        }
    }

    func run() throws {
        let table = try RFMSummarizer.summarize(path: transactions, options: log.rfmOptions())
        let outcome = try Training.train(table, source: transactions)
        if let model { try outcome.modelFile.write(to: model) }
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
