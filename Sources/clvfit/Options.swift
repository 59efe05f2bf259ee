import ArgumentParser
import CLVKit
import Foundation

extension TimeUnit: ExpressibleByArgument {}
extension HorizonUnit: ExpressibleByArgument {}
extension SpendBasis: ExpressibleByArgument {}

extension CalendarDate: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

/// The field delimiter of a transaction log.
enum DelimiterChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, comma, semicolon, tab

    var byte: UInt8? {
        switch self {
        case .auto: nil
        case .comma: UInt8(ascii: ",")
        case .semicolon: UInt8(ascii: ";")
        case .tab: 0x09
        }
    }
}

/// What to do with a bad row of a transaction log.
enum BadRowChoice: String, ExpressibleByArgument, CaseIterable {
    case stop, skip
}

extension LocalZone: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

/// The calendar time units, for the commands that read only transaction logs (summarize,
/// evaluate): their help offers no `periods`.
enum CalendarUnit: String, ExpressibleByArgument, CaseIterable {
    case day, week
    var timeUnit: TimeUnit { self == .day ? .day : .week }
}

/// How to read a transaction log: column names and the observation window. The time unit is
/// each command's own option (its help differs: only train and score take periods).
struct TransactionOptions: ParsableArguments {
    @Option(help: "Header name of the customer-id column.")
    var customerColumn = "customer_id"

    @Option(help: "Header name of the date column (YYYY-MM-DD, YYYYMMDD or an ISO 8601 date-time; see --date-format, --timezone).")
    var dateColumn = "date"

    @Option(help: "Header name of the amount column; 'none' when the data has no amounts (no spend model then). (default: amount, and a log without that column is read without amounts, with a note)")
    var amountColumn: String?

    @Option(help: "Last day (inclusive) of the calibration period, YYYY-MM-DD; later purchases form the holdout.")
    var calibrationEnd: CalendarDate?

    @Option(help: "Last day (inclusive) of the observation window, YYYY-MM-DD (default: the last transaction date).")
    var observationEnd: CalendarDate?

    @Option(help: "Field delimiter: auto (the most frequent of comma, semicolon and tab in the header line), comma, semicolon or tab.")
    var delimiter: DelimiterChoice = .auto

    @Option(help: ArgumentHelp("Date pattern instead of ISO 8601: %Y (4-digit year), %y (2-digit: 69-99 are 19xx, 00-68 are 20xx), %m, %d (1-2 digits), %H, %M, %S, %z (UTC offset), %%; other characters match themselves. Example: %d/%m/%Y.", valueName: "pattern"))
    var dateFormat: String?

    @Option(name: .customLong("timezone"), help: ArgumentHelp("Zone whose calendar days count: UTC, +HH:MM or -HH:MM (write --timezone=-05:00), or an IANA name (Europe/Berlin). A timestamp with an offset is converted to it; one without is taken as local to it.", valueName: "zone"))
    var timeZone: LocalZone = .utc

    @Flag(help: "Amounts are written with a decimal comma (12,50); needs a semicolon or tab delimiter.")
    var decimalComma = false

    @Option(help: "On a bad row: stop (exit 65, write nothing) or skip it (list it in --rejects; fail if more than --max-bad-fraction of the rows are bad).")
    var onBadRow: BadRowChoice = .stop

    @Option(help: ArgumentHelp("With --on-bad-row skip: write the rejected rows (line, reason, row as written) to this CSV file.", valueName: "file"))
    var rejects: String?

    @Option(help: ArgumentHelp("With --on-bad-row skip: the largest fraction of bad rows that still gives a result.", valueName: "fraction"))
    var maxBadFraction = BadRowPolicy.defaultMaxFraction

    func validate() throws {
        if let c = calibrationEnd, let o = observationEnd, c > o {
            throw ValidationError("--calibration-end \(c) is after --observation-end \(o).")
        }
        if let dateFormat {
            do { _ = try DateFormat(dateFormat) } catch { throw ValidationError("--date-format: \(error.message).") }
        }
        if decimalComma && delimiter == .comma {
            throw ValidationError("--decimal-comma needs a delimiter other than the comma (the decimal commas would split the amounts): give --delimiter semicolon or tab.")
        }
        if onBadRow == .stop && rejects != nil {
            throw ValidationError("--rejects needs --on-bad-row skip (by default the first bad row stops the run).")
        }
        if !(0...1).contains(maxBadFraction) {
            throw ValidationError("--max-bad-fraction \(maxBadFraction) is not between 0 and 1.")
        }
    }

    /// Checks the rejects file can be written, before the log is read.
    func checkOutputs() throws {
        if let rejects { try AtomicOutput.checkWritable(rejects) }
    }

    /// The first option given that only concerns parsing a CSV file (for commands that read no file).
    var csvOnlyOptionGiven: String? {
        if delimiter != .auto { return "--delimiter" }
        if dateFormat != nil { return "--date-format" }
        if timeZone != .utc { return "--timezone" }
        if decimalComma { return "--decimal-comma" }
        if onBadRow != .stop { return "--on-bad-row" }
        return nil
    }

    func rfmOptions(unit: TimeUnit) -> RFMOptions {
        var options = RFMOptions(customerColumn: customerColumn, dateColumn: dateColumn,
                                 amountColumn: amountColumn == "none" ? nil : amountColumn ?? "amount", unit: unit,
                                 calibrationEnd: calibrationEnd, observationEnd: observationEnd)
        if let byte = delimiter.byte {
            options.csv = CSVScanner.Options(delimiter: byte)
        }
        options.amountColumnIsOptional = amountColumn == nil
        options.dateFormat = dateFormat.map { try! DateFormat($0) }   // checked in validate()
        options.timeZone = timeZone
        options.decimalComma = decimalComma
        options.badRows = onBadRow == .skip ? .skip(maxFraction: maxBadFraction) : .stop
        return options
    }

    /// Summarizes the log at `path`: shows progress on a terminal (unless `quiet`), writes the
    /// rejects file, and says on standard error how many rows were skipped.
    func summarize(_ path: String, unit: TimeUnit, quiet: Bool = false) throws -> CustomerSummaryTable {
        try summary(path, unit: unit, quiet: quiet).table
    }

    /// ``summarize(_:unit:quiet:)`` before the table is made (to write it out directly).
    func summary(_ path: String, unit: TimeUnit, quiet: Bool = false) throws -> RFMSummary {
        let outcome = try reading(path, quiet: quiet) { progress throws(DataError) in
            try RFMSummarizer.read(path: path, options: rfmOptions(unit: unit), progress: progress)
        }
        try account(rejected: outcome.rejected, of: outcome.rows, late: outcome.rowsAfterObservationEnd,
                    withoutAmounts: !outcome.summary.hasAmount, quiet: quiet)
        return outcome.summary
    }

    /// ``summarize(_:unit:quiet:)`` with the cohort's dated purchases, for `evaluate`.
    func evaluationData(_ path: String, unit: TimeUnit, quiet: Bool = false) throws -> EvaluationData {
        let data = try reading(path, quiet: quiet) { progress throws(DataError) in
            try EvaluationData.read(path: path, options: rfmOptions(unit: unit), progress: progress)
        }
        try account(rejected: data.rejected, of: data.rows, late: data.rowsAfterObservationEnd,
                    withoutAmounts: data.table.monetaryValue == nil, quiet: quiet)
        return data
    }

    /// Runs `read` with a progress line on a terminal's standard error (unless `quiet`).
    private func reading<T>(_ path: String, quiet: Bool,
                            _ read: ((@Sendable (ReadProgress) -> Void)?) throws(DataError) -> T) throws(DataError) -> T {
        let line: ProgressLine? = quiet ? nil : ProgressLine.onTerminal(label: path == "-" ? "<stdin>" : path)
        defer { line?.finish() }
        var report: (@Sendable (ReadProgress) -> Void)? = nil
        if let line { report = { progress in line.update(progress) } }
        do {
            return try read(report)
        } catch where !error.rejected.isEmpty {
            // Too many bad rows: the rejects file is a diagnosis, so it is written all the same.
            guard let rejects else { throw error }
            var error = error
            if (try? RejectsCSV.write(error.rejected, to: rejects)) != nil {
                error.message += "; all \(error.rejected.count) are listed in \(rejects)"
            } else {
                error.message += "; the rejects file \(rejects) could not be written"
            }
            throw error
        }
    }

    /// Writes the rejects file (when asked) and, unless `quiet`, says how many rows were skipped,
    /// how many were dated after the observation end, and that a log without the default amount
    /// column was read without amounts.
    private func account(rejected: [RejectedRow], of rows: Int, late: Int, withoutAmounts: Bool, quiet: Bool) throws {
        if let rejects {
            try RejectsCSV.write(rejected, to: rejects)
        }
        guard !quiet else { return }
        if onBadRow == .skip && !rejected.isEmpty {
            let percent = String(format: "%.2f", 100 * Double(rejected.count) / Double(rows))
            let listed = rejects.map { "listed in \($0)" } ?? "give --rejects FILE to list them"
            UserNote.write("skipped \(rejected.count) bad row\(rejected.count == 1 ? "" : "s") of \(rows) (\(percent) %); \(listed)")
        }
        if withoutAmounts, amountColumn == nil {
            UserNote.write("the log has no column 'amount', so it is read without amounts: no monetary values and no spend model (give --amount-column NAME if the amounts are in another column, or --amount-column none to say there are none)")
        }
        if late > 0, let observationEnd {
            UserNote.write("ignored \(late) row\(late == 1 ? "" : "s") dated after the observation end \(observationEnd)")
        }
    }
}

/// Where a command writes its result.
struct OutputOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Output file (written atomically); '-' or omitted: standard output.")
    var output: String?

    var path: String { output ?? "-" }
}

/// Reads the customers to work on: a transaction log (positional) or a summary (--summary).
struct CustomerInput: ParsableArguments {
    @Argument(help: "Transaction log (CSV with a header; '-' for standard input).")
    var transactions: String?

    @Option(help: "Read an RFM summary (customer_id,frequency,recency,T[,monetary_value][,weight]) instead of a transaction log.")
    var summary: String?

    @OptionGroup var log: TransactionOptions

    func validate() throws {
        if transactions != nil && summary != nil {
            throw ValidationError("Give either a transaction log or --summary, not both.")
        }
    }

    /// A usage error when neither a log nor a summary is given (checked by the commands, since
    /// `train` also takes subscription inputs instead).
    func requireOne() throws {
        if transactions == nil && summary == nil {
            throw ValidationError("Give a transaction log, or an RFM summary with --summary.")
        }
    }

    /// Whether the customers come from a transaction log (not `--summary`).
    var isTransactionLog: Bool { summary == nil }

    /// The summary table, from whichever input was given, in `unit`.
    /// `columns` and `allowsEmpty` are ``SummaryCSV/read(path:unit:options:columns:allowsEmpty:)``'s,
    /// for a summary (`score --no-header --columns`, and `score`'s empty partitions).
    func table(unit: TimeUnit, quiet: Bool = false, columns: [String]? = nil, allowsEmpty: Bool = false) throws -> (table: CustomerSummaryTable, source: String) {
        if let summary {
            // The delimiter as for a log: given, or found in the header line.
            let csv = CSVScanner.Options(delimiter: log.delimiter.byte ?? UInt8(ascii: ","), detectsDelimiter: log.delimiter.byte == nil)
            return (try SummaryCSV.read(path: summary, unit: unit, options: csv, columns: columns, allowsEmpty: allowsEmpty), summary)
        }
        let path = transactions!
        return (try log.summarize(path, unit: unit, quiet: quiet), path)
    }
}

/// A subscription model's data: a cohort table or a subscriber summary.
struct SubscriptionInput: ParsableArguments {
    @Option(help: ArgumentHelp("Cohort table for a subscription model: CSV period,customers, the customers of one cohort still subscribed in periods 0, 1, 2 and so on (period 0: the cohort's size).", valueName: "file"))
    var cohort: String?

    @Option(help: ArgumentHelp("Subscriber summary for a subscription model: CSV customer_id,periods,active[,payment], periods paid for so far (the first included), active 1 or 0 (cancelled).", valueName: "file"))
    var subscribers: String?

    var given: Bool { cohort != nil || subscribers != nil }

    func validate() throws {
        if cohort != nil && subscribers != nil {
            throw ValidationError("Give either --cohort or --subscribers, not both.")
        }
    }

    /// The subscribers, the cohort table when that was the input, and the file's name.
    func read() throws -> (history: SubscriberHistory, cohort: CohortTable?, source: String) {
        if let cohort {
            let table = try CohortTable.read(path: cohort)
            return (table.history, table, cohort)
        }
        return (try SubscriberSummary.read(path: subscribers!).history, nil, subscribers!)
    }
}

/// Static customer covariates (`--covariates`): the file, and for training which columns act on
/// which process.
struct CovariateFileOption: ParsableArguments {
    @Option(help: ArgumentHelp("CSV of customer covariates: the customer id (the column named as --customer-column, else the first), then one column per covariate (numbers as they are; text dummy-coded against its most frequent level). Every customer needs a row.", valueName: "file"))
    var covariates: String?

    /// Reads the file, naming the id column as the transaction log's customer column.
    func read(customerColumn: String) throws -> CovariateFile? {
        try covariates.map { try CovariateFile.read(path: $0, customerColumn: customerColumn) }
    }
}

struct CovariateSelectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Covariate columns that shift the purchase rate (comma-separated; default: every column).", valueName: "columns"))
    var purchaseCovariates: String?

    @Option(help: ArgumentHelp("Covariate columns that shift dropout (comma-separated; default: every column).", valueName: "columns"))
    var dropoutCovariates: String?

    @Option(help: ArgumentHelp("L2 penalty lambda on the covariate coefficients: the fit minimises (-LL)/N + lambda * sum of squared coefficients (CLVTools' scaling; 0: plain maximum likelihood).", valueName: "lambda"))
    var penalty: Double = 0

    @Option(help: ArgumentHelp("Covariate columns with one coefficient for every parameter they shift, in both processes (comma-separated; CLVTools' constrained covariates). The fit is compared with the free one by a likelihood-ratio test.", valueName: "columns"))
    var sharedCovariates: String?

    static func list(_ s: String?) -> [String]? {
        s.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }

    var purchase: [String]? { Self.list(purchaseCovariates) }
    var dropout: [String]? { Self.list(dropoutCovariates) }
    var shared: [String] { Self.list(sharedCovariates) ?? [] }
    var given: Bool { purchaseCovariates != nil || dropoutCovariates != nil || sharedCovariates != nil || penalty != 0 }

    /// What the training library takes.
    func input(_ file: CovariateFile) -> CovariateInput {
        CovariateInput(file: file, purchase: purchase, dropout: dropout, penalty: penalty, shared: shared)
    }

    func validate() throws {
        guard penalty.isFinite, penalty >= 0 else { throw ValidationError("--penalty \(penalty) is not a number >= 0.") }
    }
}

/// Which purchase model to fit: a registered identifier, or `auto`.
struct ModelChoiceOptions: ParsableArguments {
    @Option(name: .customLong("model"), help: ArgumentHelp(
        "Purchase model: \(ModelRegistry.purchaseModelList.map { $0.identifier }.joined(separator: ", ")), or auto (fit the candidates; choose by holdout MAE with a holdout, else by BIC); subscription model (with --cohort or --subscribers): \(ModelRegistry.retentionModelList.map { $0.identifier }.joined(separator: ", ")).",
        valueName: "model"))
    var name = "bgnbd"

    func validate() throws {
        guard name == "auto" || ModelRegistry.purchaseModels[name] != nil || ModelRegistry.retentionModels[name] != nil else {
            throw ValidationError("--model \(name) is not one of \((ModelRegistry.purchaseModelList.map { $0.identifier } + ["auto"] + ModelRegistry.retentionModelList.map { $0.identifier }).joined(separator: ", ")).")
        }
    }

    /// The registered purchase model type, nil for `auto` and for a subscription model.
    var type: (any PurchaseModel.Type)? { ModelRegistry.purchaseModels[name] }

    /// The subscription model, when `--model` names one.
    var retentionType: (any RetentionModel.Type)? { ModelRegistry.retentionModels[name] }

    /// Usage errors for a subscription model given a purchase input, or the other way round.
    func checkInputs(subscriptions: SubscriptionInput, customers: CustomerInput, unit: TimeUnit?) throws {
        if retentionType != nil {
            guard subscriptions.given else {
                throw ValidationError("--model \(name) is a subscription model: give --cohort FILE (period,customers) or --subscribers FILE (customer_id,periods,active), not a transaction log or --summary.")
            }
            if customers.transactions != nil || customers.summary != nil {
                throw ValidationError("--model \(name) reads --cohort or --subscribers only; leave out the transaction log and --summary.")
            }
            if unit != nil {
                throw ValidationError("--unit concerns the purchase models; a subscription model counts periods (name them with --period).")
            }
        } else {
            if subscriptions.given {
                throw ValidationError("--cohort and --subscribers are for the subscription models; give --model \(ModelRegistry.retentionModelList.map { $0.identifier }.joined(separator: " or ")).")
            }
            try customers.requireOne()
        }
    }

    /// The time unit when none is given: periods for a discrete-time model (BG/BB), else week.
    var defaultUnit: TimeUnit { type?.isDiscreteTime == true ? .periods : .week }

    /// A usage error when `unit` (given, or the default) does not suit the model: periods only
    /// for BG/BB (and never for auto, which compares the continuous-time models), and periods
    /// only from a summary.
    func checkUnit(_ given: TimeUnit?, fromLog: Bool, summaryAccepted: Bool = true) throws {
        if !summaryAccepted, type?.isDiscreteTime == true {
            throw ValidationError("--model \(name) counts discrete purchase opportunities, and this command reads a transaction log, whose time is calendar days; train and score BG/BB on an RFM summary of opportunities (clvfit train --summary FILE --model \(name)).")
        }
        let unit = given ?? defaultUnit
        if let type, let mismatch = unit.mismatch(with: type) {
            throw ValidationError("--unit \(unit.rawValue) does not suit --model \(name): \(mismatch)")
        }
        if type == nil, unit == .periods {
            throw ValidationError("--model auto compares the continuous-time models, which need --unit day or week; for purchase opportunities give --model bgbb.")
        }
        if fromLog, unit == .periods {
            throw ValidationError("--unit periods needs an RFM summary (--summary): a transaction log has dates, not purchase opportunities.")
        }
    }

    /// Trains the chosen model (or chooses one) on `table`.
    func train(_ table: CustomerSummaryTable, source: String, covariates: CovariateInput? = nil) throws -> TrainingOutcome {
        if name == "auto" {
            return try Training.train(table, source: source, choosingAmong: ModelRegistry.continuousTimeCandidates, covariates: covariates)
        }
        return try Training.train(table, source: source, purchaseModel: ModelRegistry.purchaseModels[name]!, covariates: covariates)
    }
}

/// What `score` and `report` value: the customers' time unit, the horizon, discounting, margin,
/// the spend basis and `--lifetime`.
struct ScoringOptionGroup: ParsableArguments {
    @Option(help: "Time unit of the customers' recency and T (of the summary, or of the log's summary): day, week or periods; converted to the model's unit when they differ. (default: the model's unit)")
    var unit: TimeUnit?

    @Option(help: "Number of periods to look ahead. (default: 12)")
    var horizon: Int?

    @Option(help: "Length of one period: day, week, month, or periods (purchase opportunities, for a model in periods). (default: month; for a model in periods: periods)")
    var horizonUnit: HorizonUnit?

    @Option(help: "Discount rate per period (default: 0.01 a month, converted to the period; required with --horizon-unit periods).")
    var discountRate: Double?

    @Option(help: "Profit margin applied to spend.")
    var margin: Double = 1

    @Option(help: ArgumentHelp("Mean spend per purchase given to the spend model: customer (each customer's monetary_value; a summary without it is refused) or population-mean (the Gamma-Gamma mean p*gamma/(q-1) for everyone, e.g. for a summary without amounts).", valueName: "basis"))
    var spend: SpendBasis = .customer

    @Flag(help: "Value the whole remaining relationship instead of a horizon: a dert column (discounted expected residual transactions) in place of expected_purchases, and clv = dert x expected spend x margin. Pareto/NBD and BG/BB. The discount rate per --horizon-unit period becomes the continuous rate ln(1 + rate) per period (per opportunity for BG/BB).")
    var lifetime = false

    func validate() throws {
        if lifetime, horizon != nil { throw ValidationError("--lifetime values the whole remaining relationship; it takes no --horizon (--horizon-unit still says the period of --discount-rate).") }
    }

    /// The first of these options given, which only the purchase models use (a subscription
    /// model values subscribers by DERL, per the model's period).
    var purchaseModelOptionGiven: String? {
        [("--unit", unit != nil), ("--horizon", horizon != nil), ("--horizon-unit", horizonUnit != nil),
         ("--spend", spend != .customer), ("--lifetime", lifetime)].first { $0.1 }?.0
    }

    /// `--horizon-unit`, by default a month, or one opportunity for a model in periods.
    func horizonUnit(for modelFile: ModelFile) -> HorizonUnit {
        horizonUnit ?? (modelFile.timeUnit == .periods ? .periods : .month)
    }

    /// The customers of `input` in the model's unit (converted from `--unit` when it differs,
    /// with a note), and the scoring options for `modelFile` (`modelPath` names it in messages).
    func resolve(_ modelFile: ModelFile, modelPath: String, input: CustomerInput, columns: [String]? = nil, allowsEmpty: Bool = false) throws
        -> (table: CustomerSummaryTable, source: String, options: ScoringOptions, notes: String) {
        try input.log.checkOutputs()
        if modelFile.timeUnit == .periods, input.isTransactionLog {
            throw CommandFailure(status: .usage, description: "the model \(modelPath) is in periods (discrete purchase opportunities); give its customers as an RFM summary with --summary, not a transaction log.")
        }
        var notes = ""
        var (table, source) = try input.table(unit: unit ?? modelFile.timeUnit, columns: columns, allowsEmpty: allowsEmpty)
        if table.unit != modelFile.timeUnit {
            guard let converted = table.converted(to: modelFile.timeUnit) else {
                throw CommandFailure(status: .usage, description: "the model \(modelPath) is in \(modelFile.timeUnit.plural) but --unit is \(table.unit.rawValue); periods (purchase opportunities) and calendar time do not convert into each other: give --unit \(modelFile.timeUnit.rawValue).")
            }
            notes += "Note: converted the customers' recency and T from \(table.unit.plural) (--unit \(table.unit.rawValue)) to the model's \(modelFile.timeUnit.plural).\n"
            table = converted
        }
        let horizonUnit = horizonUnit(for: modelFile)
        guard let rate = discountRate ?? ScoringOptions.defaultDiscountRate(per: horizonUnit) else {
            throw CommandFailure(status: .usage, description: "give --discount-rate with --horizon-unit periods: a purchase opportunity has no calendar length, so the default 1 % a month cannot be converted to it.")
        }
        var options: ScoringOptions
        do {
            options = try ScoringOptions(periods: horizon ?? 12, unit: horizonUnit, modelUnit: modelFile.timeUnit,
                                         discountRate: rate, margin: margin)
        } catch {
            throw CommandFailure(status: .usage, description: error.description)
        }
        options.spend = spend
        if lifetime {
            let type = ModelRegistry.purchaseModels[modelFile.purchaseModel.model]
            guard type is any ResidualTransactionsModel.Type else {
                throw CommandFailure(status: .usage, description: "--lifetime needs a model with DERT (\(ModelRegistry.lifetimeModels.joined(separator: ", "))); \(modelFile.purchaseModel.model) has none in clvfit yet: give a horizon (--horizon N) or train --model \(ModelRegistry.lifetimeModels.joined(separator: " or ")).")
            }
            options.lifetimeRate = options.lifetimeRate(discreteTime: modelFile.timeUnit == .periods)
        }
        return (table, source, options, notes)
    }
}

/// The subscribers of `--subscribers FILE` and their scorer, for `score` and `report`: the
/// summary, each subscriber's payment (the file's column, else `--payment` for all, else nil:
/// values in payments), and the model file's scorer at `--discount-rate` and `--margin`.
func subscriberValuation(_ path: String, file: RetentionModelFile, payment: Double?, scoring: ScoringOptionGroup) throws
    -> (summary: SubscriberSummary, payments: [Double]?, scorer: SubscriberScorer) {
    guard let rate = scoring.discountRate else {
        throw CommandFailure(status: .usage, description: "give --discount-rate: the discount rate per \(file.period) (the model's period), e.g. 0.1.")
    }
    let summary = try SubscriberSummary.read(path: path)
    if payment != nil, summary.payment != nil {
        throw CommandFailure(status: .usage, description: "\(path) has a payment column and --payment was given; leave out one of them.")
    }
    let payments = summary.payment ?? payment.map { Array(repeating: $0, count: summary.ids.count) }
    do {
        return (summary, payments, try SubscriberScorer(model: try file.makeRetentionModel(), discountRate: rate, margin: scoring.margin))
    } catch let error as ModelError {
        throw CommandFailure(status: .usage, description: error.description)
    }
}
