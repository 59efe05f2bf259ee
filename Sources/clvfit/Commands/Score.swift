import ArgumentParser
import CLVKit
import Foundation

struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score customers: P(alive), expected purchases, expected spend and discounted CLV.",
        discussion: """
        Writes customer_id,p_alive,expected_purchases,expected_spend,clv. CLV sums, over the \
        horizon's periods, each period's expected purchases x expected spend x margin, \
        discounted by (1 + rate)^k (lifetimes' customer_lifetime_value). A month is the mean \
        Gregorian month, 30.436875 days. The observation end defaults to the log's last date. \
        Without a spend model, expected_spend and clv are empty. --interval LEVEL adds \
        expected_purchases_low,expected_purchases_high,clv_low,clv_high: intervals for the \
        expected values from the uncertainty of the fitted parameters (delta method on log \
        scales; deterministic). --simple adds simple_clv_aov,simple_clv_retention: the classic \
        AOV x rate x lifespan and margin x r/(1+d-r) formulas for the same customers. The model \
        file's diagnostic warnings are printed on standard error. With a spend model the summary \
        needs monetary_value (else give --spend population-mean). A summary in days for a model \
        in weeks (or the reverse) is converted when --unit says its unit; a summary whose T is \
        more than 3.5 times the model's training span is refused as being in another unit. \
        Under BG/NBD, P(alive) is 1 for every customer without repeat purchases (the model lets \
        customers drop out only after a repeat purchase): to rank churners, train --model mbgnbd \
        or pareto-nbd. --lifetime values the whole remaining relationship (DERT) instead of a \
        horizon. With a subscription model file (train --model sbg or bdw), --subscribers FILE \
        writes p_renew, expected_residual_periods, derl and clv per subscriber. For a map step \
        (Spark's rdd.pipe): a summary with a header and no rows scores to the header alone (exit \
        0); --no-header --columns NAMES reads and writes rows without header lines; --quiet \
        prints only errors.
        """)

    @Option(help: "Model file written by 'clvfit train'.")
    var model: String

    @OptionGroup var input: CustomerInput
    @OptionGroup var covariates: CovariateFileOption

    @OptionGroup var scoring: ScoringOptionGroup

    @Option(help: ArgumentHelp("Add intervals at this level (e.g. 0.9) for expected purchases and CLV, from the parameters' uncertainty.", valueName: "level"))
    var interval: Double?

    @Flag(help: "Add the classic back-of-the-envelope CLVs (simple_clv_aov, simple_clv_retention) for comparison.")
    var simple = false

    @Option(help: ArgumentHelp("Subscriber summary (CSV customer_id,periods,active[,payment]) to value with a subscription model file (train --model sbg or bdw): writes p_renew, expected_residual_periods, derl and clv.", valueName: "file"))
    var subscribers: String?

    @Option(help: ArgumentHelp("Payment per period of every subscriber, for clv (default: the subscriber summary's payment column; without one, 1: clv counts payments).", valueName: "amount"))
    var payment: Double?

    @Flag(help: "The summary has no header line (give its columns with --columns), and the scores are written without one: for a map step that pipes each partition of a table through score.")
    var noHeader = false

    @Option(help: ArgumentHelp("With --no-header: the summary's columns in order, comma-separated, e.g. customer_id,frequency,recency,T,monetary_value.", valueName: "names"))
    var columns: String?

    @Flag(help: "Print no warnings or notes on standard error, only errors (in a map step every process would repeat the model's warnings).")
    var quiet = false

    @OptionGroup var output: OutputOptions

    /// `--columns` as names.
    var columnNames: [String]? {
        columns.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) } }
    }

    func validate() throws {
        if noHeader || columns != nil {
            guard input.summary != nil else {
                throw ValidationError("--no-header and --columns describe a summary without a header line: give it with --summary FILE (or --summary - for standard input).")
            }
            guard noHeader, let names = columnNames else {
                throw ValidationError(noHeader ? "--no-header needs --columns: the summary's columns in order, e.g. customer_id,frequency,recency,T,monetary_value."
                                               : "--columns names the columns of a summary without a header line: add --no-header (a summary with a header names its own columns).")
            }
            if let empty = names.firstIndex(where: \.isEmpty) { throw ValidationError("--columns: name \(empty + 1) is empty (got \"\(columns!)\").") }
            if Set(names).count != names.count { throw ValidationError("--columns names a column twice (got \"\(columns!)\").") }
            if simple { throw ValidationError("--simple estimates a retention rate from the whole summary, which a partition is not; score without it (or on the whole summary).") }
        }
        if subscribers != nil {
            if input.transactions != nil || input.summary != nil {
                throw ValidationError("--subscribers values subscribers with a subscription model; leave out the transaction log and --summary.")
            }
            let given = [("--interval", interval != nil), ("--covariates", covariates.covariates != nil)].first { $0.1 }?.0
            if let name = scoring.purchaseModelOptionGiven ?? given {
                throw ValidationError("\(name) concerns the purchase models; a subscription model values subscribers over their whole remaining lifetime (DERL), discounted by --discount-rate per period.")
            }
            if let payment, !(payment.isFinite && payment >= 0) { throw ValidationError("--payment must be an amount ≥ 0 (got \(payment)).") }
            return
        }
        if payment != nil { throw ValidationError("--payment is the payment per period of a subscriber; it goes with --subscribers FILE.") }
        if scoring.lifetime, simple { throw ValidationError("--simple compares horizon formulas; it does not go with --lifetime.") }
        try input.requireOne()
        if let interval, !(interval > 0 && interval < 1) {
            throw ValidationError("--interval must be a level strictly between 0 and 1, e.g. 0.9 (got \(interval)).")
        }
    }

    func run() throws {
        try AtomicOutput.checkWritable(output.path)
        let modelFile: ModelFile
        switch try AnyModelFile.load(path: model) {
        case .retention(let file):
            guard let subscribers else {
                throw CommandFailure(status: .usage, description: "the model \(model) is a subscription model: give its subscribers with --subscribers FILE (customer_id,periods,active).")
            }
            return try scoreSubscribers(subscribers, with: file)
        case .purchase(let file):
            modelFile = file
        }
        if subscribers != nil {
            throw CommandFailure(status: .usage, description: "--subscribers needs a subscription model file (train --model \(ModelRegistry.retentionModelList.map { $0.identifier }.joined(separator: " or ")) --cohort FILE); \(model) is a purchase model.")
        }
        let (table, source, options, resolveNotes) = try scoring.resolve(modelFile, modelPath: model, input: input,
                                                                         columns: noHeader ? columnNames : nil, allowsEmpty: input.summary != nil)
        var notes = resolveNotes
        let scorer = try Scorer(modelFile: modelFile, options: options)
        let warnings = WarningText.render(modelFile.warnings ?? Diagnostics.warnings(for: modelFile))
        // A summary without rows (an empty partition of a map step) scores to the header alone.
        if table.count == 0 {
            try AtomicOutput.write(Scorer.csv([], intervals: interval.map { _ in [] }, simple: simple ? [] : nil, lifetime: scoring.lifetime, header: !noHeader),
                                   to: output.path)
            if !quiet { FileHandle.standardError.write(Data((warnings + notes).utf8)) }
            return
        }
        let models = try scorer.customerModels(for: table, covariates: try covariates.read(customerColumn: input.log.customerColumn))
        let scores = try scorer.score(table, source: source, models: models)
        let intervals = try interval.map { level in
            try IntervalScorer(scorer: scorer, purchaseRecord: modelFile.purchaseModel, spendRecord: modelFile.spendModel, level: level)
                .intervals(table, source: source, models: models)
        }
        let formulas = simple ? SimpleFormulas(table: table, options: options) : nil
        try AtomicOutput.write(Scorer.csv(scores, intervals: intervals, simple: formulas?.score(table), lifetime: scoring.lifetime, header: !noHeader),
                               to: output.path)
        if quiet { return }
        notes = warnings + notes
        if let spendModel = scorer.spendModel {
            if scoring.spend == .populationMean {
                notes += "Note: --spend population-mean: expected_spend is the population mean spend pγ/(q−1) = \(SummaryCSV.format(try spendModel.expectedSpend(frequency: 0, monetaryValue: 0))) for every customer, whatever they spent.\n"
            }
        } else {
            notes += "Note: the model file has no spend model, so expected_spend and clv are empty.\n"
        }
        if let formulas {
            notes += formulas.retentionRate.map {
                String(format: "Note: simple_clv_retention uses the retention rate r = %.4f per %@ (customers known for at least one period who bought in the last one).\n", $0, scoring.horizonUnit(for: modelFile).rawValue)
            } ?? "Note: no customer was known for a full \(scoring.horizonUnit(for: modelFile).rawValue), so there is no retention rate and simple_clv_retention is empty.\n"
        }
        FileHandle.standardError.write(Data(notes.utf8))
    }

    /// `--subscribers`: p_renew, expected residual periods, DERL and CLV per subscriber.
    func scoreSubscribers(_ path: String, with file: RetentionModelFile) throws {
        let (summary, payments, scorer) = try subscriberValuation(path, file: file, payment: payment, scoring: scoring)
        let retention = simple ? (file.trainingData.cohortSurvivors.map { SubscriberHistory(cohort: $0) }.flatMap(SubscriberScorer.observedRetention)
                                  ?? SubscriberScorer.observedRetention(summary.history)) : nil
        let scores = try scorer.score(summary, payment: payments, simpleRetention: retention)
        try AtomicOutput.write(Data(SubscriberScorer.csv(scores)), to: output.path)
        var notes = ""
        if payments == nil { notes += "Note: no payment column and no --payment, so clv counts payments (payment 1 per \(file.period)).\n" }
        if scores.contains(where: { $0.active && $0.expectedResidualPeriods == nil }) {
            let why = file.retentionModel.model == SBG.identifier
                ? "it is infinite: at alpha ≤ 1 some subscribers practically never leave"
                : "it is infinite (c·alpha ≤ 1: some subscribers practically never leave) or too slow to sum (c·alpha just above 1)"
            notes += "Note: expected_residual_periods is empty where \(why); the discounted derl is finite.\n"
        }
        if let retention {
            notes += String(format: "Note: simple_clv_retention = margin × payment × r/(1+d−r) with the observed retention r = %.4f per %@ (renewals over renewal opportunities%@); it discounts the first renewal, which derl does not: compare it with clv/(1+d).\n",
                            retention, file.period, file.trainingData.cohortSurvivors != nil ? " of the training cohort" : " in \(path)")
        }
        FileHandle.standardError.write(Data(notes.utf8))
    }
}
