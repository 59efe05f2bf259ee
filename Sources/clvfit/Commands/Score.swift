import ArgumentParser
import CLVKit
import Foundation

struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score customers: P(alive), expected purchases, expected spend and discounted CLV.",
        discussion: """
        Writes customer_id,p_alive,expected_purchases,expected_spend,clv. CLV sums, over the \
        horizon's periods, each period's expected purchases × expected spend × margin, \
        discounted by (1 + rate)^k (lifetimes' customer_lifetime_value). A month is the mean \
        Gregorian month, 30.436875 days. The observation end defaults to the log's last date. \
        Without a spend model, expected_spend and clv are empty.
        """)

    @Option(help: "Model file written by 'clvfit train'.")
    var model: String

    @OptionGroup var input: CustomerInput

    @Option(help: "Number of periods to look ahead.")
    var horizon: Int = 12

    @Option(help: "Length of one period: day, week, month, or periods (purchase opportunities, for a model in periods). (default: month; for a model in periods: periods)")
    var horizonUnit: HorizonUnit?

    @Option(help: "Discount rate per period (default: 0.01 a month, converted to the period; required with --horizon-unit periods).")
    var discountRate: Double?

    @Option(help: "Profit margin applied to spend.")
    var margin: Double = 1

    @OptionGroup var output: OutputOptions

    func run() throws {
        let modelFile = try ModelFile.load(path: model)
        if modelFile.timeUnit == .periods, input.isTransactionLog {
            throw CommandFailure(status: .usage, description: "the model \(model) is in periods (discrete purchase opportunities); give its customers as an RFM summary with --summary, not a transaction log.")
        }
        let (table, _) = try input.table(defaultUnit: modelFile.timeUnit)
        guard table.unit == modelFile.timeUnit else {
            throw CommandFailure(status: .usage, description: "the model \(model) was trained in \(modelFile.timeUnit.plural) but the data is in \(table.unit.plural); give --unit \(modelFile.timeUnit.rawValue).")
        }
        let horizonUnit = horizonUnit ?? (modelFile.timeUnit == .periods ? .periods : .month)
        guard let rate = discountRate ?? ScoringOptions.defaultDiscountRate(per: horizonUnit) else {
            throw CommandFailure(status: .usage, description: "give --discount-rate with --horizon-unit periods: a purchase opportunity has no calendar length, so the default 1 % a month cannot be converted to it.")
        }
        let options: ScoringOptions
        do {
            options = try ScoringOptions(periods: horizon, unit: horizonUnit, modelUnit: modelFile.timeUnit,
                                         discountRate: rate, margin: margin)
        } catch {
            throw CommandFailure(status: .usage, description: error.description)
        }
        let scorer = Scorer(purchaseModel: try modelFile.makePurchaseModel(), spendModel: try modelFile.makeSpendModel(), options: options)
        let scores = try scorer.score(table)
        try AtomicOutput.write(Data(Scorer.csv(scores)), to: output.path)
        if modelFile.spendModel == nil {
            FileHandle.standardError.write(Data("Note: the model file has no spend model, so expected_spend and clv are empty.\n".utf8))
        }
    }
}
