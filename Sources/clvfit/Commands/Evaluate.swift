import ArgumentParser
import CLVKit
import Foundation

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit on the calibration period, predict the holdout and report the error.",
        discussion: """
        Needs a transaction log and --calibration-end (the holdout runs to --observation-end, by \
        default the last date in the log). Reports per-customer \
        MAE and RMSE of holdout purchases, their correlation, total predicted vs actual, the mean \
        by calibration frequency 0..6, 7+, a naive rate baseline, the spend model's error on \
        customers who bought in the calibration and the holdout, and the weekly tracking of the cohort's repeat \
        purchases (actual vs expected). --report writes all of it, with charts, as one \
        self-contained HTML page.
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "Transaction log (CSV with a header; '-' for standard input).")
    var transactions: String

    @Option(help: "Time unit of the summary and the models: day, or week (7 days).")
    var unit: CalendarUnit = .week

    @OptionGroup var log: TransactionOptions

    @Option(help: "Output format: text (for people) or json (stable, for programs).")
    var format: Format = .text

    @OptionGroup var modelChoice: ModelChoiceOptions
    @OptionGroup var covariates: CovariateFileOption
    @OptionGroup var covariateSelection: CovariateSelectionOptions

    @Flag(help: "Fit every purchase model and print one comparison table (model, parameters, LL, AIC, BIC, holdout MAE/RMSE, total predicted vs actual).")
    var compare = false

    @Option(name: .customLong("save-model"), help: "Also write the model fitted on the calibration period to this file.")
    var saveModel: String?

    @Option(help: "Also write a self-contained HTML report (parameters, tracking, histograms, P(alive), spend fit, CLV) to this file.")
    var report: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if modelChoice.retentionType != nil {
            throw ValidationError("evaluate reads a transaction log for the purchase models; it does not project subscription models yet: train --model \(modelChoice.name) --cohort FILE fits one, and score --subscribers FILE values subscribers.")
        }
        guard log.calibrationEnd != nil else {
            throw ValidationError("evaluate needs --calibration-end: the holdout it predicts is what comes after it (up to --observation-end, by default the log's last date).")
        }
        if compare && report != nil {
            throw ValidationError("--report describes one fitted model; it cannot be combined with --compare.")
        }
        if covariateSelection.given, covariates.covariates == nil {
            throw ValidationError("--purchase-covariates, --dropout-covariates, --shared-covariates and --penalty concern the coefficients of the --covariates file; give --covariates FILE.")
        }
        try modelChoice.checkUnit(unit.timeUnit, fromLog: true, summaryAccepted: false)
    }

    func run() throws {
        for path in [output.path, saveModel, report].compactMap({ $0 }) { try AtomicOutput.checkWritable(path) }
        try log.checkOutputs()
        let data = try log.evaluationData(transactions, unit: unit.timeUnit)
        let table = data.table
        let covariateFile = try covariates.read(customerColumn: log.customerColumn)
        let covariateInput = covariateFile.map(covariateSelection.input)
        if compare {
            let comparison = try ModelComparison.compare(table, source: transactions, candidates: ModelRegistry.continuousTimeCandidates,
                                                         covariates: covariateInput)
            switch format {
            case .json: try AtomicOutput.write(try comparison.json(), to: output.path)
            case .text: try AtomicOutput.write(comparison.text(), to: output.path)
            }
            return
        }
        let outcome = try modelChoice.train(table, source: transactions, covariates: covariateInput)
        if let saveModel { try outcome.modelFile.write(to: saveModel) }
        let models = outcome.customerModels
        var evaluation = try HoldoutEvaluation.evaluate(table, purchaseModel: outcome.purchaseModel,
                                                        spendModel: outcome.spendModel, models: models)
        evaluation.annotate(with: outcome.modelFile)
        let notes = outcome.covariateNotes.map { $0 + "\n" }.joined() + WarningText.render(evaluation.warnings ?? [])
        if let model = outcome.covariateModel, let design = outcome.covariateDesign, let plain = outcome.withoutCovariates {
            evaluation.covariates = CovariateEvaluation(with: outcome.modelFile.purchaseModel, without: plain, model: model, means: design.means(),
                                                         sharedTest: outcome.modelFile.covariates?.sharedTest)
        }
        FileHandle.standardError.write(Data(notes.utf8))
        let tracking = try TrackingCurve.compute(data.cohort, table: table, models: models)
        evaluation.tracking = tracking
        if let report {
            let content = try EvaluationReport.build(data: data, source: transactions, outcome: outcome,
                                                     evaluation: evaluation, tracking: tracking)
            try AtomicOutput.write(ReportHTML.render(content), to: report)
        }
        switch format {
        case .json:
            try AtomicOutput.write(try evaluation.json(), to: output.path)
        case .text:
            let text = ModelSummaryText.render(outcome.modelFile) + "\n" + evaluation.text(unit: table.unit.rawValue)
            try AtomicOutput.write(text, to: output.path)
        }
    }
}
