import ArgumentParser
import CLVKit

extension TimeUnit: ExpressibleByArgument {}
extension HorizonUnit: ExpressibleByArgument {}

extension CalendarDate: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

/// How to read a transaction log: column names, time unit and the observation window.
struct TransactionOptions: ParsableArguments {
    @Option(help: "Header name of the customer-id column.")
    var customerColumn = "customer_id"

    @Option(help: "Header name of the date column (YYYY-MM-DD or YYYYMMDD; a time part is ignored).")
    var dateColumn = "date"

    @Option(help: "Header name of the amount column; 'none' when the data has no amounts (no spend model then).")
    var amountColumn = "amount"

    @Option(help: "Time unit of recency, T and model parameters: day, week (7 days), or periods (discrete purchase opportunities, for bgbb; with --summary only). (default: week; with --model bgbb: periods; for score: the model's unit)")
    var unit: TimeUnit?

    @Option(help: "Last day (inclusive) of the calibration period, YYYY-MM-DD; later purchases form the holdout.")
    var calibrationEnd: CalendarDate?

    @Option(help: "Last day (inclusive) of the observation window, YYYY-MM-DD (default: the last transaction date).")
    var observationEnd: CalendarDate?

    func validate() throws {
        if let c = calibrationEnd, let o = observationEnd, c > o {
            throw ValidationError("--calibration-end \(c) is after --observation-end \(o).")
        }
    }

    func rfmOptions(defaultUnit: TimeUnit = .week) -> RFMOptions {
        RFMOptions(customerColumn: customerColumn, dateColumn: dateColumn,
                          amountColumn: amountColumn == "none" ? nil : amountColumn, unit: unit ?? defaultUnit,
                          calibrationEnd: calibrationEnd, observationEnd: observationEnd)
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
        if transactions == nil && summary == nil {
            throw ValidationError("Give a transaction log, or an RFM summary with --summary.")
        }
    }

    /// Whether the customers come from a transaction log (not `--summary`).
    var isTransactionLog: Bool { summary == nil }

    /// The summary table, from whichever input was given, in `--unit` or else `defaultUnit`.
    func table(defaultUnit: TimeUnit = .week) throws -> (table: CustomerSummaryTable, source: String) {
        if let summary {
            return (try SummaryCSV.read(path: summary, unit: log.unit ?? defaultUnit), summary)
        }
        let path = transactions!
        return (try RFMSummarizer.summarize(path: path, options: log.rfmOptions(defaultUnit: defaultUnit)), path)
    }
}

/// Which purchase model to fit: a registered identifier, or `auto`.
struct ModelChoiceOptions: ParsableArguments {
    @Option(name: .customLong("model"), help: ArgumentHelp(
        "Purchase model: \(ModelRegistry.purchaseModelList.map { $0.identifier }.joined(separator: ", ")), or auto (fit the candidates; choose by holdout MAE with a holdout, else by BIC).",
        valueName: "model"))
    var name = "bgnbd"

    func validate() throws {
        guard name == "auto" || ModelRegistry.purchaseModels[name] != nil else {
            throw ValidationError("--model \(name) is not one of \((ModelRegistry.purchaseModelList.map { $0.identifier } + ["auto"]).joined(separator: ", ")).")
        }
    }

    /// The registered model type, nil for `auto`.
    var type: (any PurchaseModel.Type)? { ModelRegistry.purchaseModels[name] }

    /// The time unit when none is given: periods for a discrete-time model (BG/BB), else week.
    var defaultUnit: TimeUnit { type?.isDiscreteTime == true ? .periods : .week }

    /// A usage error when `unit` (given, or the default) does not suit the model: periods only
    /// for BG/BB (and never for auto, which compares the continuous-time models), and periods
    /// only from a summary.
    func checkUnit(_ given: TimeUnit?, fromLog: Bool) throws {
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
    func train(_ table: CustomerSummaryTable, source: String) throws -> TrainingOutcome {
        if name == "auto" {
            return try Training.train(table, source: source, choosingAmong: ModelRegistry.continuousTimeCandidates)
        }
        return try Training.train(table, source: source, purchaseModel: ModelRegistry.purchaseModels[name]!)
    }
}
