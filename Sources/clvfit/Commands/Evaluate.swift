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
        self-contained HTML page. For a subscription model (--model sbg or bdw) give --cohort \
        FILE and --calibration-periods K instead: it fits periods 0 to K and projects the rest.
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "Transaction log (CSV with a header; '-' for standard input).")
    var transactions: String?

    /// The log (required unless a subscription model is projected; checked in `validate`).
    var logPath: String { transactions ?? "-" }

    @Option(help: ArgumentHelp("With --model sbg or bdw: a cohort table (CSV period,customers) to fit on its first periods and project over the rest.", valueName: "file"))
    var cohort: String?

    @Option(help: ArgumentHelp("With --cohort: fit on periods 0 to K of the cohort table, project the rest.", valueName: "K"))
    var calibrationPeriods: Int?

    @Option(help: ArgumentHelp("With --cohort: the name of the period (month, year, ...), used in the output.", valueName: "name"))
    var period: String?

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

    @Flag(help: "With --report: the report's CLV distribution values each customer's whole remaining relationship (DERT: discounted expected residual transactions) at 1 % a month, instead of 12 months.")
    var lifetime = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if modelChoice.retentionType != nil {
            guard cohort != nil, let k = calibrationPeriods else {
                throw ValidationError("--model \(modelChoice.name) is a subscription model: evaluate projects it over a cohort table; give --cohort FILE (period,customers) and --calibration-periods K (fit on periods 0 to K, project the rest).")
            }
            guard k >= 1 else { throw ValidationError("--calibration-periods must be a whole number >= 1 (got \(k)).") }
            if transactions != nil || log.calibrationEnd != nil || compare || covariates.covariates != nil || saveModel != nil {
                throw ValidationError("evaluate --model \(modelChoice.name) reads --cohort and --calibration-periods; leave out the transaction log, --calibration-end, --compare, --covariates and --save-model.")
            }
            return
        }
        if cohort != nil || calibrationPeriods != nil || period != nil {
            throw ValidationError("--cohort, --calibration-periods and --period project a subscription model; give --model \(ModelRegistry.retentionModelList.map { $0.identifier }.joined(separator: " or ")).")
        }
        guard transactions != nil else { throw ValidationError("Missing expected argument '<transactions>': the transaction log to evaluate on (or, for a subscription model, --model sbg --cohort FILE --calibration-periods K).") }
        guard log.calibrationEnd != nil else {
            throw ValidationError("evaluate needs --calibration-end: the holdout it predicts is what comes after it (up to --observation-end, by default the log's last date).")
        }
        if compare && report != nil {
            throw ValidationError("--report describes one fitted model; it cannot be combined with --compare.")
        }
        if lifetime && report == nil {
            throw ValidationError("--lifetime concerns the CLV distribution of the report; give --report FILE (for each customer's lifetime value, use score --lifetime).")
        }
        if covariateSelection.given, covariates.covariates == nil {
            throw ValidationError("--purchase-covariates, --dropout-covariates, --shared-covariates and --penalty concern the coefficients of the --covariates file; give --covariates FILE.")
        }
        try modelChoice.checkUnit(unit.timeUnit, fromLog: true, summaryAccepted: false)
    }

    func run() throws {
        for path in [output.path, saveModel, report].compactMap({ $0 }) { try AtomicOutput.checkWritable(path) }
        if let type = modelChoice.retentionType, let cohort, let k = calibrationPeriods {
            let table = try CohortTable.read(path: cohort)
            let projection = try RetentionProjection.project(table, model: type, calibrationPeriods: k, source: cohort, period: period ?? "period")
            if let report { try AtomicOutput.write(projection.html(source: URL(fileURLWithPath: cohort).lastPathComponent), to: report) }
            switch format {
            case .json: try AtomicOutput.write(try projection.json(), to: output.path)
            case .text: try AtomicOutput.write(projection.text(), to: output.path)
            }
            return
        }
        try log.checkOutputs()
        let data = try log.evaluationData(logPath, unit: unit.timeUnit)
        let table = data.table
        let covariateFile = try covariates.read(customerColumn: log.customerColumn)
        let covariateInput = covariateFile.map(covariateSelection.input)
        if compare {
            let comparison = try ModelComparison.compare(table, source: logPath, candidates: ModelRegistry.continuousTimeCandidates,
                                                         covariates: covariateInput)
            switch format {
            case .json: try AtomicOutput.write(try comparison.json(), to: output.path)
            case .text: try AtomicOutput.write(comparison.text(), to: output.path)
            }
            return
        }
        let outcome = try modelChoice.train(table, source: logPath, covariates: covariateInput)
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
            var scoring: ScoringOptions? = nil
            if lifetime {
                var options = try ScoringOptions(periods: 12, unit: .month, modelUnit: table.unit,
                                                 discountRate: ScoringOptions.defaultDiscountRate(per: .month)!)
                options.lifetimeRate = options.lifetimeRate(discreteTime: false)
                scoring = options
            }
            let content = try EvaluationReport.build(data: data, source: logPath, outcome: outcome,
                                                     evaluation: evaluation, tracking: tracking, scoring: scoring)
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
