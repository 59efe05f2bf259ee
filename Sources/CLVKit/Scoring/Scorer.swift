import Foundation

/// Units a scoring horizon can be given in.
public enum HorizonUnit: String, Sendable, CaseIterable {
    case day, week, month
    /// Discrete purchase opportunities, for models in `TimeUnit.periods` (BG/BB).
    case periods

    /// The mean Gregorian month, 365.2425 / 12 = 30.436875 days. lifetimes instead hard-codes
    /// 30 days (daily models) or 4.345 weeks = 30.415 days (weekly models), so its monthly CLV
    /// depends on the model's time unit; the Gregorian mean is the one value that is right on
    /// average over every calendar, whatever the unit. Set `ScoringOptions.periodLength` to
    /// 4.345 (weeks) to reproduce lifetimes' `customer_lifetime_value(freq='W')` exactly.
    public static let daysPerMonth = 365.2425 / 12

    /// Length in days; nil for `periods`.
    public var days: Double? {
        switch self {
        case .day: 1
        case .week: 7
        case .month: Self.daysPerMonth
        case .periods: nil
        }
    }
}

/// What to score: a horizon of `periods` periods of `periodLength` model time units each.
public struct ScoringOptions: Sendable, Equatable {
    /// Number of periods H.
    public var periods: Int
    /// Length Δ of one period in the model's time unit.
    public var periodLength: Double
    /// Discount rate d per period.
    public var discountRate: Double
    /// Profit margin applied to the expected spend.
    public var margin: Double
    /// Which mean spend the spend model is given for each customer.
    public var spend: SpendBasis = .customer
    /// `--lifetime`: value the whole remaining relationship (DERT, `ResidualTransactionsModel`)
    /// instead of the horizon, at this rate: the continuous rate δ per model time unit for a
    /// continuous-time model, the discrete rate per opportunity for BG/BB (`lifetimeRate(for:)`).
    public var lifetimeRate: Double?

    public init(periods: Int, periodLength: Double, discountRate: Double, margin: Double = 1) {
        self.periods = periods
        self.periodLength = periodLength
        self.discountRate = discountRate
        self.margin = margin
    }

    /// A horizon of `periods` × `unit` for a model in `modelUnit`, with a discount rate per `unit`.
    /// Calendar units convert into each other; purchase opportunities only into themselves
    /// (a horizon of n periods is n opportunities, Δ = 1).
    /// - Throws: `ScoringError.invalidOption("horizon-unit", …)` when one unit is periods and the
    ///   other is not.
    public init(periods: Int, unit: HorizonUnit, modelUnit: TimeUnit, discountRate: Double, margin: Double = 1) throws(ScoringError) {
        let length: Double
        switch (unit.days, modelUnit.days) {
        case let (h?, m?): length = h / m
        case (nil, nil): length = 1
        case (nil, _?):
            throw .invalidOption("horizon-unit", "periods needs a model in periods (BG/BB); this model is in \(modelUnit.plural).")
        case (_?, nil):
            throw .invalidOption("horizon-unit", "\(unit.rawValue) has no meaning for a model in periods (discrete purchase opportunities); give --horizon-unit periods.")
        }
        if let days = unit.days, Double(periods) * days > Self.maximumYears * 365.2425 {
            throw .invalidOption("horizon", "\(periods) \(unit.rawValue)s is more than \(Int(Self.maximumYears)) years: no business plans that far, and the models do not extrapolate meaningfully there.")
        }
        self.init(periods: periods, periodLength: length, discountRate: discountRate, margin: margin)
    }

    /// The lifetime rate of a discount rate d per horizon period: δ = ln(1 + d)/Δ per model time
    /// unit for a continuous-time model (Δ the period's length in model units), d itself per
    /// opportunity for a discrete-time one (BG/BB, Δ = 1).
    public func lifetimeRate(discreteTime: Bool) -> Double {
        discreteTime ? discountRate : Double.log(onePlus: discountRate) / periodLength
    }

    /// The monthly rate 0.01 expressed per `unit`: (1.01)^(unit/month) − 1; nil for periods,
    /// whose calendar length is unknown, so that no rate is guessed for them.
    public static func defaultDiscountRate(per unit: HorizonUnit) -> Double? {
        unit.days.map { Foundation.pow(1.01, $0 / HorizonUnit.daysPerMonth) - 1 }
    }

    /// The longest horizon in periods, and in calendar time (a CLV over more than a century
    /// describes no business decision; the models' extrapolation is meaningless there).
    public static let maximumPeriods = 100_000
    public static let maximumYears = 100.0

    /// Checks the options make sense, naming the option at fault.
    public func validate() throws(ScoringError) {
        guard periods >= 1 else { throw .invalidOption("horizon", "must be a whole number ≥ 1 (got \(periods)).") }
        guard periods <= Self.maximumPeriods else {
            throw .invalidOption("horizon", "\(periods) is more than \(Self.maximumPeriods) periods; a CLV horizon is a few years (give a longer --horizon-unit for longer ones).")
        }
        guard periodLength.isFinite, periodLength > 0 else { throw .invalidOption("horizon-unit", "gives a period length of \(periodLength).") }
        guard discountRate.isFinite, discountRate > -1 else { throw .invalidOption("discount-rate", "must be a number greater than −1 (got \(discountRate)).") }
        guard margin.isFinite else { throw .invalidOption("margin", "must be a finite number (got \(margin)).") }
        if let lifetimeRate, !(lifetimeRate.isFinite && lifetimeRate > 0) {
            throw .invalidOption("discount-rate", "must be greater than 0 with --lifetime: without discounting a customer who may never leave is worth an infinite number of purchases (got \(discountRate)).")
        }
    }
}

/// What the spend model is told about each customer's spend.
public enum SpendBasis: String, Sendable, CaseIterable {
    /// The customer's own mean repeat spend m̄ (`monetary_value`), shrunk towards the population
    /// mean as Gamma-Gamma does (Fader & Hardie 2013, eq. 5). A summary without the column is
    /// refused: a missing m̄ is not a spend of 0.
    case customer
    /// The population mean spend E[M] = pγ/(q−1) for every customer, whatever they spent: for a
    /// summary without amounts, when the spend model comes from other data.
    case populationMean = "population-mean"
}

public enum ScoringError: Error, CustomStringConvertible, Sendable {
    case invalidOption(String, String)
    case prediction(customer: String, ModelError)
    /// The model has a spend model but the summary has no `monetary_value` column.
    case missingMonetaryValue(source: String, spendModel: String)
    /// A customer's T is plainly in another time unit than the model's (``TimeUnitCheck``).
    case implausibleTime(customer: String, String)

    public var description: String {
        switch self {
        case let .invalidOption(option, why): "--\(option) \(why)"
        case let .prediction(customer, error): "customer \(customer): \(error)"
        case let .missingMonetaryValue(source, spendModel):
            "\(source) has no monetary_value column, but the model's \(spendModel) spend model needs each customer's mean spend to compute expected_spend and clv. Give a summary with monetary_value (or a transaction log with its amount column), or --spend population-mean to give every customer the population mean spend pγ/(q−1)."
        case let .implausibleTime(customer, why): "customer \(customer): \(why)"
        }
    }
}

/// Refuses customers whose T is plainly in another time unit than the model's.
///
/// The summary CSV does not state its unit (lifetimes' format: no comment lines, no extra
/// columns), so a summary in days scored with a weekly model would silently give CLVs several
/// times too large. The model file records the training data's observation span (its longest
/// T). Customers are known at most for the span of the data they come from; scoring a base some
/// time after training lengthens it, but a T more than ``factor`` = 3.5 times the training span
/// (days read as weeks are 7 times too long; half of that leaves room for scoring a base up to
/// 2.5 spans after training) is taken as a unit mismatch and refused, naming both units and
/// `--unit`. The test is per row, so a streamed summary needs no first pass. A summary in a
/// larger unit than the model's (weeks against a daily model) has T too short to be told from a
/// young customer base, so it cannot be caught this way; nor are models in periods checked.
public struct TimeUnitCheck: Sendable, Equatable {
    /// How many training spans a customer's T may reach.
    public static let factor = 3.5
    public let modelUnit: TimeUnit
    /// The training data's observation span in the model's unit.
    public let trainingSpan: Double

    public init?(modelUnit: TimeUnit, trainingSpan: Double?) {
        guard modelUnit.days != nil, let trainingSpan, trainingSpan > 0, trainingSpan.isFinite else { return nil }
        self.modelUnit = modelUnit
        self.trainingSpan = trainingSpan
    }

    /// The check for a model file; nil when it has no span to compare with.
    public init?(_ file: ModelFile) {
        self.init(modelUnit: file.timeUnit, trainingSpan: file.trainingData.trainingSpan(unit: file.timeUnit))
    }

    public func check(T: Double, customer: String) throws(ScoringError) {
        guard T > Self.factor * trainingSpan else { return }
        let likely = modelUnit == .week ? "days" : "a smaller unit than \(modelUnit.plural)"
        let fix = modelUnit == .week
            ? "If it is in days, give --unit day and clvfit converts it to weeks; otherwise summarize the log again with --unit week."
            : "Summarize the log again with --unit \(modelUnit.rawValue)."
        throw .implausibleTime(customer: customer, "T = \(SummaryCSV.format(T)) is more than \(SummaryCSV.format(Self.factor)) times the span of the model's training data (\(SummaryCSV.format(trainingSpan)) \(modelUnit.plural)), so the summary looks like it is in \(likely) while the model is in \(modelUnit.plural). \(fix)")
    }
}

/// One customer's predictions.
public struct CustomerScore: Sendable, Equatable {
    public var customerID: String
    /// P(alive) at the end of the observation window.
    public var probabilityAlive: Double
    /// Expected purchases over the whole horizon, E[Y(H·Δ)].
    public var expectedPurchases: Double
    /// Expected spend per purchase (nil without a spend model).
    public var expectedSpend: Double?
    /// Discounted CLV over the horizon (nil without a spend model).
    public var clv: Double?
}

/// Scores customers with a purchase model and an optional spend model.
///
/// CLV follows DESIGN.md §2 and lifetimes' `customer_lifetime_value`:
/// ```
/// CLVᵢ = Σ_{k=1..H} (E[Y(kΔ)] − E[Y((k−1)Δ)]) · E[Mᵢ] · margin / (1 + d)^k
/// ```
/// i.e. each period's expected purchases, valued at the expected spend and discounted at the
/// end of the period.
public struct Scorer: Sendable {
    public var purchaseModel: any PurchaseModel
    public var spendModel: (any SpendModel)?
    public var options: ScoringOptions
    /// Refuses rows whose T is in another unit than the model's (nil: no check).
    public var unitCheck: TimeUnitCheck?
    /// A model trained with covariates, and how it coded them: every customer is then scored at
    /// their own parameters (`purchaseModel` is the model at covariates = 0).
    public var covariateModel: (any CustomerParameterModel)?
    public var covariateSpecification: CovariateSpecification?

    public init(purchaseModel: any PurchaseModel, spendModel: (any SpendModel)?, options: ScoringOptions, unitCheck: TimeUnitCheck? = nil) {
        self.purchaseModel = purchaseModel
        self.spendModel = spendModel
        self.options = options
        self.unitCheck = unitCheck
    }

    /// The scorer of a model file: its models, and the unit check of its training span.
    public init(modelFile: ModelFile, options: ScoringOptions) throws {
        self.init(purchaseModel: try modelFile.makePurchaseModel(), spendModel: try modelFile.makeSpendModel(),
                  options: options, unitCheck: TimeUnitCheck(modelFile))
        covariateModel = try modelFile.makeCovariateModel()
        covariateSpecification = modelFile.covariates
    }

    /// The purchase model of every row of `table`: the one model, or with covariates each
    /// customer's own, from `covariates` coded as the model was trained.
    /// - Throws: a usage error when a covariate model gets no covariate file or a model without
    ///   covariates gets one; `DataError` for a file that lacks a customer, a column or a level.
    public func customerModels(for table: CustomerSummaryTable, covariates: CovariateFile?) throws -> CustomerModels {
        switch (covariateModel, covariateSpecification, covariates) {
        case (nil, _, nil):
            return CustomerModels(shared: purchaseModel, covariates: nil)
        case (nil, _, _?):
            throw ScoringError.invalidOption("covariates", "was given, but the model was trained without covariates; leave it out, or train with --covariates.")
        case let (model?, specification?, file?):
            let design = try file.design(for: table.customerIDs, as: specification)
            return CustomerModels(shared: purchaseModel, covariates: (model, design))
        case let (_?, specification, nil):
            let names = specification.map { ($0.columns.map(\.column)).joined(separator: ", ") } ?? ""
            throw ScoringError.invalidOption("covariates", "is needed: the model was trained with covariates (\(names)), so every customer is scored at their own parameters; give --covariates FILE with a row per customer.")
        default:
            throw ScoringError.invalidOption("covariates", "cannot be used: the model file has coefficients but no covariate specification.")
        }
    }

    /// The (x, m̄) the spend model is given for a customer: their own for ``SpendBasis/customer``
    /// (m̄ counts only with repeat purchases), (0, 0) — the population mean — for
    /// ``SpendBasis/populationMean``. Nil when the customer's m̄ is needed but unknown.
    func spendArguments(frequency x: Double, monetaryValue: Double?) -> (frequency: Double, monetaryValue: Double)? {
        switch options.spend {
        case .populationMean: return (0, 0)
        case .customer:
            guard x > 0 else { return (x, 0) }
            return monetaryValue.map { (x, $0) }
        }
    }

    /// Refuses a table the spend model cannot value: no `monetary_value` column while each
    /// customer's own spend is asked for.
    public func checkSpendInput(_ table: CustomerSummaryTable, source: String) throws(ScoringError) {
        if let spendModel, options.spend == .customer, table.monetaryValue == nil {
            throw .missingMonetaryValue(source: source, spendModel: type(of: spendModel).displayName)
        }
    }

    /// Scores one customer: the same, to the bit, as the customer's row of `score(_:)` (the
    /// model's prepared expectations depend on the customer's own x and T only). For BG/NBD and
    /// MBG/NBD that preparation is 16 evaluations per horizon where the customer alone needs one,
    /// so score many customers with `score(_:)`.
    public func score(id: String, frequency x: Double, recency tx: Double, T: Double, monetaryValue: Double?) throws(ScoringError) -> CustomerScore {
        try score(id: id, frequency: x, recency: tx, T: T, monetaryValue: monetaryValue, model: purchaseModel,
                  prepared: Self.prepared(purchaseModel, options: options, frequencies: [x], T: [T]))
    }

    /// Scores one customer with `purchaseModel` (a covariate model's model of that customer).
    /// `prepared`: the model's expectations for the whole table (`prepared(_:options:for:)`), if any.
    func score(id: String, frequency x: Double, recency tx: Double, T: Double, monetaryValue: Double?,
               model purchaseModel: any PurchaseModel, prepared: PreparedExpectations? = nil) throws(ScoringError) -> CustomerScore {
        do {
            let pAlive = purchaseModel.probabilityAlive(frequency: x, recency: tx, T: T)
            let (previous, discountedPurchases) = try Self.horizonPurchases(purchaseModel, options: options, frequency: x, recency: tx, T: T,
                                                                            prepared: prepared, probabilityAlive: pAlive)
            var spend: Double? = nil, clv: Double? = nil
            if let spendModel {
                guard let input = spendArguments(frequency: x, monetaryValue: monetaryValue) else {
                    throw ModelError.undefinedPrediction(model: type(of: spendModel).displayName, reason: "the customer's mean spend (monetary_value) is missing; give it, or score with the population mean spend (SpendBasis.populationMean).")
                }
                let m = try spendModel.expectedSpend(frequency: input.frequency, monetaryValue: input.monetaryValue)
                spend = m
                clv = discountedPurchases * m * options.margin
            }
            let score = CustomerScore(customerID: id, probabilityAlive: pAlive, expectedPurchases: previous, expectedSpend: spend, clv: clv)
            // Each non-finite value is blamed on what produced it.
            guard pAlive.isFinite, previous.isFinite, discountedPurchases.isFinite else {
                throw ModelError.undefinedPrediction(model: type(of: purchaseModel).displayName, reason: "a prediction is not finite (x = \(x), t_x = \(tx), T = \(T)).")
            }
            if let spendModel, !(spend?.isFinite ?? true) {
                throw ModelError.undefinedPrediction(model: type(of: spendModel).displayName, reason: "the expected spend is not finite (x = \(x), monetary_value = \(monetaryValue.map { "\($0)" } ?? "none")).")
            }
            guard clv?.isFinite ?? true else {
                throw ModelError.undefinedPrediction(model: "CLV", reason: "discounted purchases \(discountedPurchases) × expected spend \(spend ?? 0) × margin \(options.margin) overflows a double (> 1.8e308); give a smaller --margin.")
            }
            return score
        } catch let error as ModelError {
            throw .prediction(customer: id, error)
        } catch {
            throw .prediction(customer: id, .undefinedPrediction(model: "model", reason: "\(error)"))
        }
    }

    /// E[Y(HΔ)] and the discounted purchases Σₖ (E[Y(kΔ)] − E[Y((k−1)Δ)]) / (1 + d)ᵏ of one
    /// customer: the purchase part of CLV, before spend and margin.
    ///
    /// Cost: at most H + 1 evaluations of E[Y(t)], and far fewer for long horizons. Without
    /// discounting the sum telescopes to E[Y(HΔ)] (one evaluation). With d > 0 it stops once the
    /// rest cannot matter: every model here has E[Y(t)] concave in t (its derivative is the
    /// expected purchase rate times the probability of being still alive at T + t, which falls
    /// with t), so the increments do not grow and the terms after period k sum to at most
    /// incrementₖ · Σⱼ₍>ₖ₎ (1+d)^−ʲ = incrementₖ / ((1+d)ᵏ · d); the loop ends when that is below
    /// 1e-13 of the sum so far.
    ///
    /// With `options.lifetimeRate` both are the customer's DERT (the discounted purchases over
    /// the whole remaining relationship). `prepared`, when given, is the model's expectations
    /// prepared for the whole table (`prepared(_:options:for:)`): DERT, or E[Y(kΔ)] for k = 1…H.
    static func horizonPurchases(_ model: any PurchaseModel, options: ScoringOptions, frequency x: Double, recency tx: Double,
                                 T: Double, prepared: PreparedExpectations? = nil,
                                 probabilityAlive: Double? = nil) throws(ModelError) -> (cumulative: Double, discounted: Double) {
        if let lifetime = prepared?.lifetime, options.lifetimeRate != nil {
            let dert = try lifetime.dert(frequency: x, recency: tx, T: T)
            return (dert, dert)
        }
        if let rate = options.lifetimeRate {
            guard let lifetime = model as? any ResidualTransactionsModel else {
                throw .undefinedPrediction(model: type(of: model).displayName, reason: "has no DERT in clvfit yet, so it cannot value the whole relationship (--lifetime); give a horizon, or train --model \(ModelRegistry.lifetimeModels.joined(separator: " or ")).")
            }
            let dert = try lifetime.discountedExpectedResidualTransactions(frequency: x, recency: tx, T: T, discountRate: rate)
            return (dert, dert)
        }
        let H = options.periods, d = options.discountRate, length = options.periodLength
        let horizon = prepared?.horizon
        // (1 + d)ᵏ, k = 1…H: the table's when prepared (the same values, computed once).
        let growths = prepared?.growths
        func growth(_ k: Int) -> Double { growths?[k - 1] ?? Foundation.pow(1 + d, Double(k)) }
        func sum(_ all: UnsafeMutableBufferPointer<Double>?) throws(ModelError) -> (cumulative: Double, discounted: Double) {
            func expected(_ k: Int) throws(ModelError) -> Double {
                if let all { return all[k - 1] }
                if let horizon { return try horizon.expectedPurchases(k - 1, frequency: x, recency: tx, T: T) }
                return try model.expectedPurchases(within: Double(k) * length, frequency: x, recency: tx, T: T)
            }
            return try discountedSum(periods: H, discountRate: d, growth: growth, expected: expected)
        }
        guard let horizon else { return try sum(nil) }
        return try withUnsafeTemporaryAllocation(of: Double.self, capacity: H) { (all) throws(ModelError) -> (cumulative: Double, discounted: Double) in
            let pAlive = probabilityAlive ?? model.probabilityAlive(frequency: x, recency: tx, T: T)
            return try sum(horizon.allExpectedPurchases(frequency: x, recency: tx, T: T, probabilityAlive: pAlive, into: all) ? all : nil)
        }
    }

    /// Σ_{k=1..H} (E(k) − E(k−1)) / (1 + d)ᵏ with E(0) = 0, and E(H): the discounted and the
    /// cumulative expected purchases of a horizon of `options.periods` periods, E(k) the
    /// expected purchases within k periods. Stops early once the remaining periods cannot add
    /// 1e-13 of the sum (E(k) − E(k−1) falls, each period's discount is at most 1/(1+d)ᵏ).
    static func discountedSum(options: ScoringOptions,
                              expected: (Int) throws(ModelError) -> Double) throws(ModelError) -> (cumulative: Double, discounted: Double) {
        let d = options.discountRate
        return try discountedSum(periods: options.periods, discountRate: d, growth: { Foundation.pow(1 + d, Double($0)) }, expected: expected)
    }

    @inline(__always)
    static func discountedSum(periods H: Int, discountRate d: Double, growth: (Int) -> Double,
                              expected: (Int) throws(ModelError) -> Double) throws(ModelError) -> (cumulative: Double, discounted: Double) {
        let total = try expected(H)
        if d == 0 || H == 1 { return (total, total / growth(H)) }
        var previous = 0.0
        var discounted = 0.0
        for k in 1...H {
            let cumulative = k == H ? total : try expected(k)
            let growth = growth(k)
            let increment = cumulative - previous
            discounted += increment / growth
            previous = cumulative
            if d > 0, k < H, increment / (growth * d) <= 1e-13 * discounted { break }
        }
        return (total, discounted)
    }

    /// Scores every row of a summary, in its order: in chunks on all cores for large tables
    /// (each customer's score is computed alone, so the result is the same; a failure reported
    /// is the first in row order). `source` names the summary in messages.
    /// - Throws: ``ScoringError/missingMonetaryValue(source:spendModel:)`` before any row is
    ///   scored; ``ScoringError/implausibleTime(customer:_:)`` for the first row the unit check
    ///   refuses; a row's prediction error.
    public func score(_ table: CustomerSummaryTable, source: String = "the summary") throws(ScoringError) -> [CustomerScore] {
        try score(table, source: source, models: CustomerModels(shared: purchaseModel, covariates: nil))
    }

    /// Scores every row with its own purchase model (`customerModels(for:covariates:)`).
    public func score(_ table: CustomerSummaryTable, source: String = "the summary", models: CustomerModels) throws(ScoringError) -> [CustomerScore] {
        try options.validate()
        try checkSpendInput(table, source: source)
        let unitCheck = unitCheck
        let prepared = models.covariates == nil ? Self.prepared(models.shared, options: options, for: table) : nil
        return try ChunkedSum.mapRows(table.count) { i throws(ScoringError) in
            try unitCheck?.check(T: table.T[i], customer: table.customerIDs[i])
            let model: any PurchaseModel
            do throws(ModelError) { model = try models.model(row: i) } catch { throw .prediction(customer: table.customerIDs[i], error) }
            return try score(id: table.customerIDs[i], frequency: table.frequency[i], recency: table.recency[i],
                             T: table.T[i], monetaryValue: table.monetaryValue?[i], model: model, prepared: prepared)
        }
    }

    /// The expectations of `model` for the customers of `table`, prepared once: with
    /// `--lifetime` its DERT (`ResidualTransactionsModel.residualTransactions`; nil for a model
    /// without), else E[Y(kΔ)] for k = 1…H (`PurchaseModel.horizonExpectations`).
    static func prepared(_ model: any PurchaseModel, options: ScoringOptions, for table: CustomerSummaryTable) -> PreparedExpectations? {
        prepared(model, options: options, frequencies: table.frequency, T: table.T)
    }

    static func prepared(_ model: any PurchaseModel, options: ScoringOptions, frequencies: [Double], T: [Double]) -> PreparedExpectations? {
        if let rate = options.lifetimeRate {
            guard let lifetime = model as? any ResidualTransactionsModel else { return nil }
            return PreparedExpectations(lifetime: lifetime.residualTransactions(discountRate: rate, frequencies: frequencies, T: T))
        }
        let times = (1...max(1, options.periods)).map { Double($0) * options.periodLength }
        return PreparedExpectations(horizon: model.horizonExpectations(times: times, frequencies: frequencies, T: T),
                                    growths: (1...max(1, options.periods)).map { Foundation.pow(1 + options.discountRate, Double($0)) })
    }

    /// The scores as CSV: `customer_id,p_alive,expected_purchases,expected_spend,clv` (the last
    /// two empty without a spend model), then, when given, the interval columns
    /// `expected_purchases_low,expected_purchases_high,clv_low,clv_high` and the simple-formula
    /// columns `simple_clv_aov,simple_clv_retention` (a value that does not exist is left empty).
    /// With `lifetime` (scores of `--lifetime`) the purchase columns are `dert`, `dert_low`, `dert_high`.
    public static func csv(_ scores: [CustomerScore], intervals: [ScoreInterval]? = nil, simple: [SimpleCLV]? = nil,
                           lifetime: Bool = false, header writesHeader: Bool = true) -> [UInt8] {
        precondition(intervals.map { $0.count == scores.count } ?? true, "One interval per score.")
        precondition(simple.map { $0.count == scores.count } ?? true, "One simple CLV per score.")
        let purchases = lifetime ? "dert" : "expected_purchases"
        var header = "customer_id,p_alive,\(purchases),expected_spend,clv"
        if intervals != nil { header += ",\(purchases)_low,\(purchases)_high,clv_low,clv_high" }
        if simple != nil { header += ",simple_clv_aov,simple_clv_retention" }
        // The rows are formatted in chunks on all cores (``ChunkedSum``), then joined in order.
        let rowBytes = 96 + (intervals == nil ? 0 : 80) + (simple == nil ? 0 : 40)
        let chunks = ChunkedSum.map(rows: scores.count) { range -> [UInt8] in
            var out = SummaryCSV.ByteSink(capacity: range.count * rowBytes)
            // (Numbers as the summary writer prints them — ``SummaryCSV/format(_:)``'s bytes —
            // without a String per value.)
            @inline(__always) func append(_ value: Double?, to out: inout SummaryCSV.ByteSink) {
                out.append(UInt8(ascii: ","))
                if let value { SummaryCSV.appendNumber(value, to: &out) }
            }
            for i in range {
                let c = scores[i]
                var id = c.customerID
                id.withUTF8 { SummaryCSV.appendField($0, to: &out) }
                append(c.probabilityAlive, to: &out); append(c.expectedPurchases, to: &out)
                append(c.expectedSpend, to: &out); append(c.clv, to: &out)
                if let interval = intervals?[i] {
                    append(interval.expectedPurchases.lowerBound, to: &out); append(interval.expectedPurchases.upperBound, to: &out)
                    append(interval.clv?.lowerBound, to: &out); append(interval.clv?.upperBound, to: &out)
                }
                if let s = simple?[i] { append(s.aov, to: &out); append(s.retention, to: &out) }
                out.append(0x0A)
            }
            return out.withBytes { Array($0) }
        }
        var all = writesHeader ? Array(header.utf8) + [0x0A] : []
        all.reserveCapacity(all.count + chunks.reduce(0) { $0 + $1.count })
        for chunk in chunks { all += chunk }
        return all
    }
}

/// A model's expectations prepared for a whole table (`Scorer.prepared(_:options:for:)`).
/// (A class: it is handed to every customer's score, and a struct of two existentials and an
/// array cost three reference-count updates per copy.)
final class PreparedExpectations: Sendable {
    let lifetime: (any ResidualTransactionsEvaluator)?
    let horizon: (any HorizonExpectations)?
    /// (1 + d)ᵏ for k = 1…H, the discount of each horizon period.
    let growths: [Double]?

    init(lifetime: (any ResidualTransactionsEvaluator)? = nil, horizon: (any HorizonExpectations)? = nil, growths: [Double]? = nil) {
        (self.lifetime, self.horizon, self.growths) = (lifetime, horizon, growths)
    }
}

/// The purchase model of each row of a table: one for all, or each customer's own under a
/// covariate model (the base model at ln θᵢ = ln θ + sign·γᵀxᵢ).
public struct CustomerModels: Sendable {
    public let shared: any PurchaseModel
    public let covariates: (model: any CustomerParameterModel, design: CovariateDesign)?

    public init(shared: any PurchaseModel, covariates: (model: any CustomerParameterModel, design: CovariateDesign)?) {
        self.shared = shared
        self.covariates = covariates
    }

    /// With covariates, the covariates' means over `weight` and the purchase model of a customer
    /// who has them (for what is shown for "a customer", not each one); nil without covariates.
    public func atCovariateMeans(weight: [Double]) throws(ModelError) -> (means: CovariateDesign.Means, model: any PurchaseModel)? {
        guard let (covariateModel, design) = covariates else { return nil }
        let means = design.means(weight: weight)
        return (means, try covariateModel.customerPurchaseModel(purchase: means.purchase, dropout: means.dropout))
    }

    /// Row i's model.
    public func model(row i: Int) throws(ModelError) -> any PurchaseModel {
        try model(row: i, of: covariates?.model)
    }

    /// Row i's model under `covariateModel` (the fitted one, or one at perturbed parameters).
    func model(row i: Int, of covariateModel: (any CustomerParameterModel)?) throws(ModelError) -> any PurchaseModel {
        guard let covariateModel, let design = covariates?.design else { return shared }
        return try covariateModel.customerPurchaseModel(purchase: design.purchase.columns.map { $0[i] },
                                                        dropout: design.dropout.columns.map { $0[i] })
    }
}
