import ArgumentParser
import CLVKit

struct Summarize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarize a transaction log into one RFM row per customer.",
        discussion: """
        Writes customer_id,frequency,recency,T,monetary_value (+ frequency_holdout, \
        monetary_value_holdout, duration_holdout with --calibration-end), the same numbers as \
        lifetimes' summary_data_from_transaction_data / calibration_and_holdout_data \
        (freq 'D', multiplier 7 for weeks). Purchases of one customer on one day count as one.
        """)

    @Argument(help: "Transaction log (CSV with a header; '-' for standard input).")
    var transactions: String

    @OptionGroup var log: TransactionOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if log.unit == .periods {
            throw ValidationError("--unit periods needs an RFM summary of purchase opportunities; summarize reads a transaction log with dates, so its unit is day or week.")
        }
    }

    func run() throws {
        let table = try RFMSummarizer.summarize(path: transactions, options: log.rfmOptions())
        try SummaryCSV.write(table, to: output.path)
    }
}
