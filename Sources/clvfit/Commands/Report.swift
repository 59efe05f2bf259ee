import ArgumentParser
import CLVKit
import Foundation

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a customer-base report: who is worth what, who is slipping away, what a new customer is worth.",
        discussion: """
        Scores every customer with the production model, as 'clvfit score' does with the same \
        options, and writes one self-contained HTML page (inline SVG; no scripts or links): \
        customers, expected active customers, expected purchases and revenue over the horizon, \
        customer equity (the sum of CLV) and its concentration, four segments by value and by \
        the chance of buying again within the horizon, the retention list (the most valuable \
        customers of the high-value, slipping segment), the value of a new customer (what an \
        acquisition may cost on average), the CLV distribution, P(alive) by frequency and \
        recency, and expected purchases next period by frequency; the model's parameters and \
        warnings at the end. The date in the title is the log's last date or --observation-end; \
        for --summary, --observation-end or the end of the model's training window. \
        --segments FILE writes customer_id,segment for every customer (high-value-active, \
        high-value-slipping, low-value-active, probably-gone). With a subscription model file \
        (train --model sbg or bdw), --subscribers FILE and --discount-rate: the subscribers' page \
        (survival and renewal curves, DERL by tenure, the value at stake at the next renewal, a \
        new subscriber's value).
        """)

    @Option(help: "Model file written by 'clvfit train'.")
    var model: String

    @OptionGroup var input: CustomerInput
    @OptionGroup var covariates: CovariateFileOption
    @OptionGroup var scoring: ScoringOptionGroup

    @Option(help: ArgumentHelp("Currency code or symbol shown before every amount (e.g. EUR). (default: none; amounts are in the data's own units)", valueName: "code"))
    var currency: String?

    @Option(help: ArgumentHelp("Customers at or above this quantile of value (CLV, else expected purchases) are high value.", valueName: "q"))
    var valueQuantile: Double = CustomerBaseReport.SegmentRule.defaultValueQuantile

    @Option(help: ArgumentHelp("Customers below this quantile of the chance of buying again within the horizon are slipping (high value) or probably gone (low value).", valueName: "q"))
    var chanceQuantile: Double = CustomerBaseReport.SegmentRule.defaultChanceQuantile

    @Option(help: ArgumentHelp("Number of customers in the retention list.", valueName: "n"))
    var top: Int = CustomerBaseReport.defaultRetentionListLength

    @Option(help: ArgumentHelp("Also write every customer's segment to this CSV file (customer_id,segment; written atomically).", valueName: "file"))
    var segments: String?

    @Option(help: ArgumentHelp("Subscriber summary (CSV customer_id,periods,active[,payment]) to report on with a subscription model file (train --model sbg or bdw); needs --discount-rate per period.", valueName: "file"))
    var subscribers: String?

    @Option(help: ArgumentHelp("Payment per period of every subscriber (default: the subscriber summary's payment column; without one, values are in payments).", valueName: "amount"))
    var payment: Double?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if subscribers != nil {
            if input.transactions != nil || input.summary != nil {
                throw ValidationError("--subscribers reports on subscribers with a subscription model; leave out the transaction log and --summary.")
            }
            let given = [("--covariates", covariates.covariates != nil), ("--segments", segments != nil),
                         ("--value-quantile", valueQuantile != CustomerBaseReport.SegmentRule.defaultValueQuantile),
                         ("--chance-quantile", chanceQuantile != CustomerBaseReport.SegmentRule.defaultChanceQuantile),
                         ("--top", top != CustomerBaseReport.defaultRetentionListLength)].first { $0.1 }?.0
            if let name = scoring.purchaseModelOptionGiven ?? given {
                throw ValidationError("\(name) concerns the purchase models' report; the subscribers' page values each subscriber by DERL, discounted by --discount-rate per period.")
            }
            if let payment, !(payment.isFinite && payment >= 0) { throw ValidationError("--payment must be an amount ≥ 0 (got \(payment)).") }
            return
        }
        if payment != nil { throw ValidationError("--payment is the payment per period of a subscriber; it goes with --subscribers FILE.") }
        try input.requireOne()
        if input.log.calibrationEnd != nil {
            throw ValidationError("--calibration-end splits a log for evaluation; the report is about the customers at the observation date: leave it out (or use 'clvfit evaluate --report').")
        }
        for (name, q) in [("--value-quantile", valueQuantile), ("--chance-quantile", chanceQuantile)] where !(q > 0 && q < 1) {
            throw ValidationError("\(name) must be a quantile strictly between 0 and 1 (got \(q)).")
        }
        if top < 0 { throw ValidationError("--top must be 0 or more (got \(top)).") }
        if let currency, currency.isEmpty || currency.count > 8 || currency.contains(where: { $0.isNewline }) {
            throw ValidationError("--currency must be a short code or symbol such as EUR or $ (got \"\(currency)\").")
        }
    }

    func run() throws {
        try AtomicOutput.checkWritable(output.path)
        if let segments { try AtomicOutput.checkWritable(segments) }
        let modelFile: ModelFile
        switch try AnyModelFile.load(path: model) {
        case .retention(let file):
            guard let subscribers else {
                throw CommandFailure(status: .usage, description: "the model \(model) is a subscription model: give its subscribers with --subscribers FILE (customer_id,periods,active).")
            }
            return try reportSubscribers(subscribers, with: file)
        case .purchase(let file):
            modelFile = file
        }
        if subscribers != nil {
            throw CommandFailure(status: .usage, description: "--subscribers needs a subscription model file (train --model \(ModelRegistry.retentionModelList.map { $0.identifier }.joined(separator: " or ")) --cohort FILE); \(model) is a purchase model.")
        }
        let (table, source, options, resolveNotes) = try scoring.resolve(modelFile, modelPath: model, input: input)
        let scorer = try Scorer(modelFile: modelFile, options: options)
        let models = try scorer.customerModels(for: table, covariates: try covariates.read(customerColumn: input.log.customerColumn))
        let training = modelFile.trainingData
        // The date of the scores: given, else the log's, else the model's training window end.
        let dateText: String? = input.isTransactionLog ? (table.provenance.observationEnd ?? table.provenance.lastDate)
            : (training.calibrationEnd ?? training.observationEnd ?? training.lastDate)
        let date: CalendarDate? = input.log.observationEnd ?? dateText.flatMap { CalendarDate($0) }
        let report = try CustomerBaseReport.build(table: table, source: source, modelFile: modelFile, scorer: scorer, models: models,
                                                  observationEnd: date, valueQuantile: valueQuantile, chanceQuantile: chanceQuantile,
                                                  retentionListLength: top)
        try AtomicOutput.write(Data(CustomerBaseHTML.render(report, currency: currency).utf8), to: output.path)
        if let segments {
            try AtomicOutput.write(CustomerBaseReport.segmentsCSV(ids: table.customerIDs, segments: report.customerSegments), to: segments)
        }
        var notes = WarningText.render(report.warnings) + resolveNotes
        if !input.isTransactionLog, input.log.observationEnd == nil, date != nil {
            notes += "Note: the report's date \(date!) is the end of the model's training window; give --observation-end for the summary's own date.\n"
        }
        FileHandle.standardError.write(Data(notes.utf8))
    }

    /// The subscribers' page: every active subscriber valued as `score --subscribers` does.
    func reportSubscribers(_ path: String, with file: RetentionModelFile) throws {
        let (summary, payments, scorer) = try subscriberValuation(path, file: file, payment: payment, scoring: scoring)
        let report = try SubscriberBaseReport.build(summary: summary, source: path, file: file, scorer: scorer, payment: payments)
        try AtomicOutput.write(Data(SubscriberBaseHTML.render(report, currency: currency).utf8), to: output.path)
        if payments == nil {
            FileHandle.standardError.write(Data("Note: no payment column and no --payment, so values are in payments (payment 1 per \(file.period)).\n".utf8))
        }
    }
}
