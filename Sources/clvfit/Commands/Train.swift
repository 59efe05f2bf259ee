import ArgumentParser
import CLVKit
import Foundation

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit a purchase model (BG/NBD by default) and Gamma-Gamma by maximum likelihood; write a model file.",
        discussion: """
        Reads a transaction log (summarized first; with --calibration-end only the calibration \
        period is used) or an RFM summary (--summary), fits both models and writes the JSON \
        model file (format version 1; 2 with --covariates; docs/model-format.md) atomically. \
        With --covariates FILE (BG/NBD, MBG/NBD, Pareto/NBD), static customer covariates shift \
        the purchase rate (alpha) and dropout (a and b, or beta) customer by customer; each coefficient \
        is named <parameter>.<covariate>. Prints the estimates. \
        BG/BB (--model bgbb) counts discrete purchase opportunities: it reads a summary whose \
        recency and T are whole numbers of opportunities, in unit periods (its default). \
        Subscriptions: --model sbg or bdw with --cohort FILE or --subscribers FILE fits how long \
        subscribers stay and writes a subscription model file (docs/subscriptions.md).
        """)

    @OptionGroup var input: CustomerInput
    @OptionGroup var subscriptions: SubscriptionInput

    @Option(help: ArgumentHelp("The name of a subscription model's period (month, year, ...), recorded in the model file.", valueName: "name"))
    var period: String?

    @Option(help: "Time unit of recency, T and the model's parameters: day, week (7 days), or periods (discrete purchase opportunities: --model bgbb, with --summary). (default: week; with --model bgbb: periods)")
    var unit: TimeUnit?
    @OptionGroup var model: ModelChoiceOptions
    @OptionGroup var covariates: CovariateFileOption
    @OptionGroup var covariateSelection: CovariateSelectionOptions

    @Option(name: .shortAndLong, help: "Model file to write (JSON).")
    var output: String

    @Flag(help: "Print nothing on success.")
    var quiet = false

    func validate() throws {
        try model.checkInputs(subscriptions: subscriptions, customers: input, unit: unit)
        if model.retentionType != nil {
            if covariates.covariates != nil || covariateSelection.given {
                throw ValidationError("--covariates works with the purchase models (\(ModelRegistry.covariateModels.map { $0.identifier }.joined(separator: ", "))), not with --model \(model.name).")
            }
            if let period, period.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--period needs a name, e.g. month.") }
            let log = input.log
            if let option = log.calibrationEnd != nil ? "--calibration-end" : log.observationEnd != nil ? "--observation-end" : log.csvOnlyOptionGiven {
                throw ValidationError("\(option) concerns transaction logs; --cohort and --subscribers are comma-separated tables read as they are (evaluate --calibration-periods fits part of a cohort).")
            }
            return
        }
        if period != nil { throw ValidationError("--period names a subscription model's period; it goes with --model \(ModelRegistry.retentionModelList.map { $0.identifier }.joined(separator: " or ")).") }
        try model.checkUnit(unit, fromLog: input.isTransactionLog)
        if covariateSelection.given, covariates.covariates == nil {
            throw ValidationError("--purchase-covariates, --dropout-covariates, --shared-covariates and --penalty concern the coefficients of the --covariates file; give --covariates FILE.")
        }
    }

    func run() throws {
        try AtomicOutput.checkWritable(output)
        if let type = model.retentionType {
            let (history, cohort, source) = try subscriptions.read()
            let (file, _) = try RetentionTraining.train(history, model: type, source: source, cohort: cohort, period: period ?? "period")
            try file.write(to: output)
            guard !quiet else { return }
            FileHandle.standardError.write(Data((RetentionSummaryText.render(file) + "Model written to \(output)\n").utf8))
            return
        }
        try input.log.checkOutputs()
        let covariateFile = try covariates.read(customerColumn: input.log.customerColumn)
        let (table, source) = try input.table(unit: unit ?? model.defaultUnit, quiet: quiet)
        let outcome = try model.train(table, source: source, covariates: covariateFile.map(covariateSelection.input))
        try outcome.modelFile.write(to: output)
        guard !quiet else { return }
        var text = outcome.covariateNotes.map { $0 + "\n" }.joined()
        text += ModelSummaryText.render(outcome.modelFile)
        if let selection = outcome.modelFile.selection { text += "Chose \(outcome.modelFile.purchaseModel.model)\(outcome.modelFile.covariates != nil ? " with covariates" : ""): \(selection.reason)\n" }
        if let skipped = outcome.spendModelSkipped { text += "Note: \(skipped)\n" }
        if !input.isTransactionLog, unit == nil, table.unit == .week {
            // A summary CSV does not say its unit; the model records the one assumed.
            text += "Note: the summary's time unit was not given, so its recency and T were taken as weeks; if they are in days, train again with --unit day.\n"
        }
        text += WarningText.render(outcome.modelFile.warnings ?? [])
        text += "Model written to \(output)\n"
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// A short human-readable table of a subscription model file's estimates.
enum RetentionSummaryText {
    static func render(_ file: RetentionModelFile) -> String {
        let t = file.trainingData
        var s = "Trained on \(SummaryCSV.format(t.subscribers)) subscribers (\(t.form == "cohort" ? "a cohort table" : "a subscriber summary"); \(SummaryCSV.format(t.active)) still active; periods: \(file.period))\n"
        s += ModelSummaryText.record(file.retentionModel)
        return s
    }
}

/// A short human-readable table of a model file's estimates.
enum ModelSummaryText {
    static func render(_ file: ModelFile) -> String {
        var s = "Trained on \(Int(file.trainingData.customers)) customers (time unit: \(file.timeUnit == .periods ? "periods, discrete purchase opportunities" : file.timeUnit.rawValue))\n"
        for record in [file.purchaseModel] + (file.spendModel.map { [$0] } ?? []) {
            s += self.record(record)
        }
        if let covariates = file.covariates, let t = covariates.sharedTest {
            s += "\nShared coefficients (\(covariates.sharedCovariates.joined(separator: ", "))) against free ones: "
            s += String(format: "likelihood-ratio statistic %.2f on %d degree%@ of freedom, p = %.3g%@\n", t.statistic, t.degreesOfFreedom, t.degreesOfFreedom == 1 ? "" : "s", t.pValue,
                        t.pValue < 0.05 ? " (the data reject sharing at 5 %; train without --shared-covariates)" : "")
        }
        return s
    }
}

extension ModelSummaryText {
    /// One fitted model: fit statistics and a row per parameter with its interval.
    static func record(_ record: FittedModelRecord) -> String {
        var s = ""
        s += "\n\(record.model): log-likelihood \(String(format: "%.4f", record.logLikelihood)), "
        s += "AIC \(String(format: "%.2f", record.aic)), BIC \(String(format: "%.2f", record.bic)), "
        s += "\(record.iterations) iterations, \(Int(record.customers)) customers\n"
        let width = max(10, record.parameterNames.map(\.count).max() ?? 0)
        s += "  " + "parameter".padding(toLength: width, withPad: " ", startingAt: 0) + "      estimate     std. error   95% interval (log scale\(record.parameterNames.contains { $0.contains(".") } ? "; coefficients: estimate ± 1.96 SE" : ""))\n"
        for interval in record.confidenceIntervals(level: 0.95) {
            s += "  " + interval.name.padding(toLength: width, withPad: " ", startingAt: 0)
            s += String(format: "%14.6f %14.6f   [%.6g, %.6g]\n", interval.estimate, interval.standardError, interval.lower, interval.upper)
        }
        if let c = record.frequencyMonetaryCorrelation {
            s += String(format: "  correlation(frequency, monetary value) = %.4f (Gamma-Gamma assumes 0)\n", c)
        }
        return s
    }
}

/// Diagnostic warnings, one line each: `warning: [code] message`.
enum WarningText {
    static func render(_ warnings: [DiagnosticWarning]) -> String {
        warnings.map { "warning: [\($0.code)] \($0.message)\n" }.joined()
    }
}
