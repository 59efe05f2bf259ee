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
        Without a spend model, expected_spend and clv are empty. --interval LEVEL adds \
        expected_purchases_low,expected_purchases_high,clv_low,clv_high: intervals for the \
        expected values from the uncertainty of the fitted parameters (delta method on log \
        scales; deterministic). --simple adds simple_clv_aov,simple_clv_retention: the classic \
        AOV x rate x lifespan and margin x r/(1+d-r) formulas for the same customers. The model \
        file's diagnostic warnings are printed on standard error.
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

    @Option(help: ArgumentHelp("Add intervals at this level (e.g. 0.9) for expected purchases and CLV, from the parameters' uncertainty.", valueName: "level"))
    var interval: Double?

    @Flag(help: "Add the classic back-of-the-envelope CLVs (simple_clv_aov, simple_clv_retention) for comparison.")
    var simple = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let interval, !(interval > 0 && interval < 1) {
            throw ValidationError("--interval must be a level strictly between 0 and 1, e.g. 0.9 (got \(interval)).")
        }
    }

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
        let intervals = try interval.map { level in
            try IntervalScorer(scorer: scorer, purchaseRecord: modelFile.purchaseModel, spendRecord: modelFile.spendModel, level: level)
                .intervals(table)
        }
        let formulas = simple ? SimpleFormulas(table: table, options: options) : nil
        try AtomicOutput.write(Data(Scorer.csv(scores, intervals: intervals, simple: formulas?.score(table))), to: output.path)
        var notes = WarningText.render(modelFile.warnings ?? Diagnostics.warnings(for: modelFile))
        if modelFile.spendModel == nil {
            notes += "Note: the model file has no spend model, so expected_spend and clv are empty.\n"
        }
        if let formulas {
            notes += formulas.retentionRate.map {
                String(format: "Note: simple_clv_retention uses the retention rate r = %.4f per %@ (customers known for at least one period who bought in the last one).\n", $0, horizonUnit.rawValue)
            } ?? "Note: no customer was known for a full \(horizonUnit.rawValue), so there is no retention rate and simple_clv_retention is empty.\n"
        }
        FileHandle.standardError.write(Data(notes.utf8))
    }
}
