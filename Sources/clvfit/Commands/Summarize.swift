import ArgumentParser
import CLVKit
import Foundation

extension SummarySQL.Dialect: ExpressibleByArgument {}

struct Summarize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarize a transaction log into one RFM row per customer.",
        discussion: """
        Writes customer_id,frequency,recency,T,monetary_value (+ frequency_holdout, \
        monetary_value_holdout, duration_holdout with --calibration-end), the same numbers as \
        lifetimes' summary_data_from_transaction_data / calibration_and_holdout_data \
        (freq 'D', multiplier 7 for weeks). Purchases of one customer on one day count as one.

        --weighted writes one row per distinct (frequency, recency, T, monetary_value[, holdout \
        columns]) with a weight count and no customer_id; train --summary gives the same \
        parameters on it. --emit-sql postgres|duckdb|spark prints, instead of reading a log, the SQL \
        that computes the same summary from a table (--table) inside that database.
        """)

    @Argument(help: "Transaction log (CSV with a header; '-' for standard input). Not with --emit-sql.")
    var transactions: String?

    @Option(help: "Time unit of recency and T: day, or week (7 days).")
    var unit: CalendarUnit = .week

    @OptionGroup var log: TransactionOptions

    @Flag(help: "Write the compressed summary: one row per distinct pattern with a weight column, no customer_id.")
    var weighted = false

    @Option(name: .customLong("emit-sql"), help: ArgumentHelp("Print the SQL that computes this summary in the database instead of reading a log: postgres, duckdb or spark.", valueName: "dialect"))
    var emitSQL: SummarySQL.Dialect?

    @Option(help: "With --emit-sql: the transactions table (schema.table allowed).")
    var table = "transactions"

    @Option(help: ArgumentHelp("Read a subscription log instead (CSV customer_id,start,end; an empty end: still subscribed) and write a subscriber summary customer_id,periods,active for the subscription models. Needs --period.", valueName: "file"))
    var subscriptions: String?

    @Option(help: ArgumentHelp("With --subscriptions: the billing period, day, week, month or year; a period is paid for when it begins.", valueName: "period"))
    var period: BillingPeriod?

    @OptionGroup var output: OutputOptions

    @Flag(help: "No progress line and no notes on standard error (errors are still printed).")
    var quiet = false

    func validate() throws {
        if subscriptions != nil || period != nil {
            guard subscriptions != nil, period != nil else {
                throw ValidationError("--subscriptions LOG and --period day|week|month|year go together.")
            }
            let given = [("a transaction log", transactions != nil), ("--emit-sql", emitSQL != nil), ("--weighted", weighted),
                         ("--calibration-end", log.calibrationEnd != nil), ("--amount-column", log.amountColumn != nil),
                         ("--date-column", log.dateColumn != "date"), ("--decimal-comma", log.decimalComma), ("--table", table != "transactions")]
            if let (name, _) = given.first(where: { $0.1 }) {
                throw ValidationError("--subscriptions reads a log of start and end dates; \(name) does not go with it.")
            }
            return
        }
        if emitSQL != nil, transactions != nil {
            throw ValidationError("--emit-sql prints SQL for a database table (--table); give no transaction log with it.")
        }
        if emitSQL == nil, transactions == nil {
            throw ValidationError("Give a transaction log, or --emit-sql postgres (duckdb, spark) for the SQL that summarizes a table.")
        }
        if emitSQL == nil, table != "transactions" {
            throw ValidationError("--table is for --emit-sql.")
        }
        if table.isEmpty { throw ValidationError("--table needs a table name.") }
        if emitSQL != nil, let option = log.csvOnlyOptionGiven {
            throw ValidationError("\(option) is about reading a CSV log; the SQL reads a typed table (a date column, a numeric amount), so it does not apply with --emit-sql.")
        }
    }

    func run() throws {
        try AtomicOutput.checkWritable(output.path)
        try log.checkOutputs()
        if let subscriptions, let period {
            return try summarizeSubscriptions(subscriptions, period: period)
        }
        if let dialect = emitSQL {
            let sql = SummarySQL(dialect: dialect, table: table, options: log.rfmOptions(unit: unit.timeUnit), weighted: weighted)
            try AtomicOutput.write(try sql.render(), to: output.path)
            return
        }
        let summary = try log.summary(transactions!, unit: unit.timeUnit, quiet: quiet)
        if weighted {
            try SummaryCSV.write(summary.table.weighted(), to: output.path, style: .weighted)
        } else {
            try summary.writeCSV(to: output.path)
        }
    }

    /// `--subscriptions`: the subscriber summary of a log of start and end dates.
    func summarizeSubscriptions(_ path: String, period: BillingPeriod) throws {
        var options = SubscriptionLogOptions(period: period, observationEnd: log.observationEnd)
        options.customerColumn = log.customerColumn
        let csv = log.rfmOptions(unit: .day)
        options.csv = csv.csv
        options.dateFormat = csv.dateFormat
        options.timeZone = csv.timeZone
        options.badRows = csv.badRows
        let outcome: SubscriptionLog.Outcome
        do {
            outcome = try SubscriptionLog.read(path: path, options: options)
        } catch {
            // Too many bad rows: the rejects file is a diagnosis, so it is written all the same.
            if let rejects = log.rejects, !error.rejected.isEmpty { try? RejectsCSV.write(error.rejected, to: rejects) }
            throw error
        }
        if let rejects = log.rejects { try RejectsCSV.write(outcome.rejected, to: rejects) }
        try AtomicOutput.write(Data(SubscriberSummary.csv(outcome.summary)), to: output.path)
        guard !quiet else { return }
        if !outcome.rejected.isEmpty {
            UserNote.write("skipped \(outcome.rejected.count) bad row\(outcome.rejected.count == 1 ? "" : "s") of \(outcome.rows); \(log.rejects.map { "listed in \($0)" } ?? "give --rejects FILE to list them")")
        }
        if outcome.startingLater > 0 {
            UserNote.write("left out \(outcome.startingLater) subscription\(outcome.startingLater == 1 ? "" : "s") starting after the observation end \(outcome.observationEnd)")
        }
    }
}

extension BillingPeriod: ExpressibleByArgument {}
