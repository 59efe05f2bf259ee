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

    @Flag(help: "No progress line and no notes on standard error (errors are still printed).")
    var quiet = false

    func run() throws {
        let table = try log.summarize(transactions, quiet: quiet)
        try SummaryCSV.write(table, to: output.path)
    }
}
