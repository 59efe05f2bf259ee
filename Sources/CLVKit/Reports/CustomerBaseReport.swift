import CLVNumerics
import Foundation

/// What a marketer asks of the model in production, as numbers: how many customers are still
/// active, what they are expected to buy and to be worth over the horizon, how concentrated that
/// value is, which valuable customers are slipping away, and what a new customer is worth.
/// ``CustomerBaseHTML`` renders it; nothing on the page is computed anywhere else, and every sum
/// here is the sum of `clvfit score`'s columns for the same customers and options (Σ wᵢ·scoreᵢ
/// for a weighted summary).
public struct CustomerBaseReport: Sendable, Codable, Equatable {
    /// The page's first lines: totals over every customer (Σ weight · the customer's score).
    public struct Headline: Sendable, Codable, Equatable {
        /// Σ weight.
        public var customers: Double
        /// Σ P(alive): the number of customers expected to be still active now.
        public var expectedActive: Double
        /// Σ expected purchases over the horizon (undiscounted); DERT with `--lifetime`.
        public var expectedPurchases: Double
        /// Σ expected purchases × expected spend (undiscounted, before margin); nil without a
        /// spend model.
        public var expectedRevenue: Double?
        /// Σ CLV (discounted, after margin): the customer equity; nil without a spend model.
        public var customerEquity: Double?
        /// The share of the value (equity, else expected purchases) held by the top 1 %, 10 % and
        /// 20 % of customers.
        public var topShares: [ValueConcentration.TopShare]
    }

    /// One of the four groups of customers by value if still active and chance of buying again.
    public struct Segment: Sendable, Codable, Equatable {
        /// The name written by `--segments`: `high-value-active`, `high-value-slipping`,
        /// `low-value-active`, `probably-gone`.
        public var name: String
        /// For the page: "High value, active".
        public var label: String
        public var customers: Double
        /// Σ value (CLV, else expected purchases) of its customers.
        public var value: Double
        /// Σ value ÷ P(alive): what they would be worth if every one of them were still active.
        public var valueIfActive: Double
        public var customerShare: Double
        public var valueShare: Double
    }

    /// How customers were split into segments (the thresholds are quantiles over all customers).
    public struct SegmentRule: Sendable, Codable, Equatable {
        /// Customers at or above this quantile of value if active (CLV ÷ P(alive)) are "high
        /// value" (default 0.8: the top 20 %).
        public var valueQuantile: Double
        /// Customers below this quantile of the chance of buying again are "slipping" (default
        /// 0.5: the less likely half).
        public var chanceQuantile: Double
        /// The value if active at `valueQuantile`.
        public var valueThreshold: Double
        /// The chance of buying again at `chanceQuantile`.
        public var chanceThreshold: Double

        public static let defaultValueQuantile = 0.8, defaultChanceQuantile = 0.5
    }

    /// A customer of the "high value, slipping" segment, with their history: the retention list
    /// (the segment's customers by CLV, largest first).
    public struct RetentionCandidate: Sendable, Codable, Equatable {
        public var customerID: String
        public var frequency: Double
        public var recency: Double
        public var T: Double
        public var probabilityAlive: Double
        /// P(at least one purchase within the horizon's length; with `--lifetime`, within
        /// the periods of `--horizon-unit`, 12 by default).
        public var chance: Double
        public var expectedPurchases: Double
        public var clv: Double?
        /// CLV (else expected purchases) ÷ P(alive).
        public var valueIfActive: Double
    }

    /// The value of a just-acquired customer: their expected repeat purchases over the horizon
    /// (discounted, E[X(t)] of a new customer; DERT at x = t_x = T = 0 with `--lifetime`) ×
    /// the population's mean spend × margin. The acquisition purchase itself is not counted.
    public struct NewCustomerValue: Sendable, Codable, Equatable {
        /// Expected repeat purchases over the horizon, undiscounted (nil with `--lifetime`).
        public var expectedPurchases: Double?
        /// Discounted expected repeat purchases (DERT with `--lifetime`).
        public var discountedPurchases: Double
        /// The spend model's population mean spend per purchase, pγ/(q−1); nil without one.
        public var expectedSpend: Double?
        public var margin: Double
        /// discountedPurchases × expectedSpend × margin: the most an acquisition may cost on
        /// average without losing money; nil without a spend model.
        public var value: Double?
        /// With covariates: whose value it is ("a customer with the covariates' means (…)").
        public var customer: String?
    }

    /// A bin of the value histogram: [lower, upper), the first from −∞ (nil lower) and the last
    /// open (nil upper).
    public struct ValueBin: Sendable, Codable, Equatable {
        public var lower: Double?
        public var upper: Double?
        public var customers: Double
    }

    /// Customers with the same number of repeat purchases (the last row: that many or more).
    public struct FrequencyRow: Sendable, Codable, Equatable {
        public var frequency: Int
        /// Whether the row is "this many or more".
        public var orMore: Bool
        public var customers: Double
        /// Their mean expected purchases in the next period.
        public var meanNextPeriod: Double
    }

    public var source: String
    /// The date the scores are for (the log's last date, `--observation-end`, or for a summary
    /// the model's training window end); nil when none is known.
    public var observationEnd: String?
    public var unit: TimeUnit
    public var toolVersion: String
    /// "12 months at a discount rate of 1 % per month" (or the lifetime form).
    public var horizon: String
    /// "the next 12 months" (the span of expected purchases and of the chance of buying again).
    public var horizonSpan: String
    /// "month", "week", …: the length of one horizon period, for "next period".
    public var period: String
    public var margin: Double
    /// Whether values are CLV (a spend model) or expected purchases.
    public var valueIsCLV: Bool
    public var headline: Headline
    /// The Lorenz curve of value: (share of customers, share of value) with customers from the
    /// most valuable down, 0…1 in 100 steps.
    public var lorenz: [ValueConcentration.Point]
    public var segmentRule: SegmentRule
    public var segments: [Segment]
    public var retentionList: [RetentionCandidate]
    /// Customers in "high value, slipping" (the list shows the first `retentionList.count`).
    public var slippingCustomers: Double
    public var newCustomer: NewCustomerValue
    public var valueBins: [ValueBin]
    public var alive: EvaluationReport.AliveMatrix
    /// The first purchase date of the customer the P(alive) map is for (observation end − T),
    /// so its recency axis can show dates; nil without an observation date.
    public var aliveFirstPurchase: String?
    public var byFrequency: [FrequencyRow]
    public var purchaseModel: EvaluationReport.FittedModel
    public var spendModel: EvaluationReport.FittedModel?
    public var warnings: [DiagnosticWarning]
    /// Every customer's segment name, in the table's row order (for `--segments`; not in the JSON).
    public var customerSegments: [String] = []

    enum CodingKeys: String, CodingKey {
        case source, observationEnd, unit, toolVersion, horizon, horizonSpan, period, margin, valueIsCLV, headline, lorenz, segmentRule,
             segments, retentionList, slippingCustomers, newCustomer, valueBins, alive, aliveFirstPurchase, byFrequency,
             purchaseModel, spendModel, warnings
    }

    /// How many "high value, slipping" customers the retention list shows by default (`--top`).
    public static let defaultRetentionListLength = 25

    /// The segment names, in page order.
    public static let segmentNames = ["high-value-active", "high-value-slipping", "low-value-active", "probably-gone"]
    static let segmentLabels = ["High value, active", "High value, slipping", "Low value, active", "Probably gone"]

    // MARK: Building

    /// Scores every customer of `table` as `clvfit score` does and gathers the report.
    /// - Parameters:
    ///   - table: the customers at the observation date, in the model's unit.
    ///   - modelFile: the production model (its fitted parameters and warnings are shown at the end).
    ///   - scorer: the model file's scorer with the horizon, discount and margin options.
    ///   - models: each row's purchase model (`Scorer.customerModels(for:covariates:)`).
    ///   - observationEnd: the date of the scores, if known.
    ///   - valueQuantile, chanceQuantile: the segment thresholds (``SegmentRule``).
    ///   - retentionListLength: how many "high value, slipping" customers the list shows.
    public static func build(table: CustomerSummaryTable, source: String, modelFile: ModelFile, scorer: Scorer, models: CustomerModels,
                             observationEnd: CalendarDate?, valueQuantile: Double = SegmentRule.defaultValueQuantile,
                             chanceQuantile: Double = SegmentRule.defaultChanceQuantile,
                             retentionListLength: Int = defaultRetentionListLength) throws -> CustomerBaseReport {
        for (name, q) in [("value-quantile", valueQuantile), ("chance-quantile", chanceQuantile)] where !(q > 0 && q < 1) {
            throw ScoringError.invalidOption(name, "must be a quantile strictly between 0 and 1 (got \(q)).")
        }
        guard table.count > 0 else { throw ScoringError.invalidOption("summary", "has no customers: a report needs at least one.") }
        let options = scorer.options
        let scores = try scorer.score(table, source: source, models: models)
        let weights = table.weight
        let valueIsCLV = scorer.spendModel != nil
        let values = scores.map { valueIsCLV ? ($0.clv ?? 0) : $0.expectedPurchases }
        // What each customer is worth if still active: value ÷ P(alive) (0 where P(alive)
        // underflowed to 0, for a customer gone beyond doubt).
        let ifActive = zip(values, scores).map { v, c -> Double in
            let ratio = c.probabilityAlive > 0 ? v / c.probabilityAlive : 0
            return ratio.isFinite ? ratio : 0
        }
        let horizonLength = Double(options.periods) * options.periodLength
        // P(a purchase within the horizon) and E[purchases next period], each customer at their own model.
        let perCustomer = try ChunkedSum.mapRows(table.count) { i throws(ScoringError) -> (chance: Double, next: Double) in
            do throws(ModelError) {
                let model = try models.model(row: i)
                let (x, tx, T) = (table.frequency[i], table.recency[i], table.T[i])
                return (try model.probabilityOfPurchase(within: horizonLength, frequency: x, recency: tx, T: T),
                        try model.expectedPurchases(within: options.periodLength, frequency: x, recency: tx, T: T))
            } catch {
                throw .prediction(customer: table.customerIDs[i], error)
            }
        }
        let chances = perCustomer.map(\.chance)

        // Headline.
        let revenue: Double? = valueIsCLV ? ValueConcentration.sum(zip(scores, weights).map { ($0.0.expectedPurchases * ($0.0.expectedSpend ?? 0)) * $0.1 }) : nil
        let concentration = ValueConcentration(values: values, weights: weights)
        let headline = Headline(
            customers: ValueConcentration.sum(weights),
            expectedActive: ValueConcentration.sum(zip(scores, weights).map { $0.0.probabilityAlive * $0.1 }),
            expectedPurchases: ValueConcentration.sum(zip(scores, weights).map { $0.0.expectedPurchases * $0.1 }),
            expectedRevenue: revenue,
            customerEquity: valueIsCLV ? concentration.total : nil,
            topShares: [0.01, 0.1, 0.2].map(concentration.topShare))

        // Segments.
        let valueThreshold = WeightedQuantile.lower(ifActive, weights: weights, q: valueQuantile)
        let chanceThreshold = WeightedQuantile.lower(chances, weights: weights, q: chanceQuantile)
        let rule = SegmentRule(valueQuantile: valueQuantile, chanceQuantile: chanceQuantile,
                               valueThreshold: valueThreshold, chanceThreshold: chanceThreshold)
        var segmentOf = [Int](repeating: 0, count: table.count)
        var counts = [Double](repeating: 0, count: 4), sums = [[Double]](repeating: [], count: 4)
        var ifActiveSums = [[Double]](repeating: [], count: 4)
        for i in 0..<table.count {
            let high = ifActive[i] >= valueThreshold && ifActive[i] > 0
            let active = chances[i] >= chanceThreshold
            let s = high ? (active ? 0 : 1) : (active ? 2 : 3)
            segmentOf[i] = s
            counts[s] += weights[i]
            sums[s].append(values[i] * weights[i])
            ifActiveSums[s].append(ifActive[i] * weights[i])
        }
        let total = concentration.total
        let segments = (0..<4).map { s in
            let value = ValueConcentration.sum(sums[s])
            return Segment(name: segmentNames[s], label: segmentLabels[s], customers: counts[s], value: value,
                           valueIfActive: ValueConcentration.sum(ifActiveSums[s]),
                           customerShare: headline.customers > 0 ? counts[s] / headline.customers : 0,
                           valueShare: total > 0 ? value / total : 0)
        }
        // The retention list: "high value, slipping" by the value they still hold (CLV, else
        // expected purchases), largest first, ties by id: the customers an offer can still keep
        // (by value if active, the first would be big spenders gone for years).
        let slipping = (0..<table.count).filter { segmentOf[$0] == 1 }
            .sorted { values[$0] != values[$1] ? values[$0] > values[$1] : table.customerIDs[$0] < table.customerIDs[$1] }
        let list = slipping.prefix(max(retentionListLength, 0)).map { i in
            RetentionCandidate(customerID: table.customerIDs[i], frequency: table.frequency[i], recency: table.recency[i], T: table.T[i],
                               probabilityAlive: scores[i].probabilityAlive, chance: chances[i],
                               expectedPurchases: scores[i].expectedPurchases, clv: scores[i].clv, valueIfActive: ifActive[i])
        }

        // Expected purchases next period by frequency 0 … 6, 7+.
        var byFrequency = (0...7).map { FrequencyRow(frequency: $0, orMore: $0 == 7, customers: 0, meanNextPeriod: 0) }
        var nextSums = [[Double]](repeating: [], count: 8)
        for i in 0..<table.count {
            let k = min(Int(table.frequency[i]), 7)
            byFrequency[k].customers += weights[i]
            nextSums[k].append(perCustomer[i].next * weights[i])
        }
        for k in 0..<8 where byFrequency[k].customers > 0 {
            byFrequency[k].meanNextPeriod = ValueConcentration.sum(nextSums[k]) / byFrequency[k].customers
        }
        while let last = byFrequency.last, last.customers == 0, byFrequency.count > 1 { byFrequency.removeLast() }

        let alive = try EvaluationReport.aliveMatrix(table, models: models)
        let unitDays = table.unit.days
        let firstPurchase = observationEnd.flatMap { end in unitDays.map { end.adding(days: -Int((alive.T * $0).rounded())) } }

        let (purchaseModel, spendModel) = EvaluationReport.FittedModel.models(of: modelFile, intervals: modelFile.parameterIntervals(level: 0.95))
        return CustomerBaseReport(
            source: source, observationEnd: observationEnd?.description, unit: table.unit, toolVersion: ClvFitVersion.current,
            horizon: describeHorizon(options, unit: table.unit), horizonSpan: describeSpan(options, unit: table.unit), period: describePeriod(options, unit: table.unit),
            margin: options.margin, valueIsCLV: valueIsCLV, headline: headline, lorenz: concentration.lorenz(steps: 100),
            segmentRule: rule, segments: segments, retentionList: Array(list), slippingCustomers: counts[1],
            newCustomer: try newCustomerValue(scorer: scorer, models: models, table: table),
            valueBins: valueBins(values, weights: weights),
            alive: alive, aliveFirstPurchase: firstPurchase?.description, byFrequency: byFrequency,
            purchaseModel: purchaseModel, spendModel: spendModel,
            warnings: modelFile.warnings ?? Diagnostics.warnings(for: modelFile),
            customerSegments: segmentOf.map { segmentNames[$0] })
    }

    /// `customer_id,segment`, one row per customer in the table's order (`--segments`); ids
    /// quoted as the summary writer quotes them.
    public static func segmentsCSV(ids: [String], segments: [String]) -> [UInt8] {
        var out = SummaryCSV.ByteSink(capacity: ids.count * 32 + 32)
        out.write("customer_id,segment\n")
        for (id, segment) in zip(ids, segments) {
            var id = id
            id.withUTF8 { SummaryCSV.appendField($0, to: &out) }
            out.append(UInt8(ascii: ","))
            out.write(segment)
            out.append(0x0A)
        }
        return out.withBytes { Array($0) }
    }

    /// The value of a just-acquired customer (``NewCustomerValue``): E[X(kΔ)] of a new customer
    /// (`PurchaseModel.expectedPurchasesOfNewCustomer`) discounted period by period as `score`
    /// discounts a customer's, or DERT at x = t_x = T = 0 with `--lifetime`; × pγ/(q−1) × margin.
    /// With covariates, for a customer whose covariates are the table's means.
    public static func newCustomerValue(scorer: Scorer, models: CustomerModels, table: CustomerSummaryTable) throws -> NewCustomerValue {
        var model = models.shared, customer: String? = nil
        if let (_, meansModel) = try models.atCovariateMeans(weight: table.weight) {
            model = meansModel
            customer = "a customer with the covariates' means"
        }
        let options = scorer.options
        let undiscounted: Double?, discounted: Double
        if let rate = options.lifetimeRate {
            guard let lifetime = model as? any ResidualTransactionsModel else {
                throw ScoringError.invalidOption("lifetime", "needs a model with DERT; \(type(of: model).displayName) has none.")
            }
            (undiscounted, discounted) = (nil, try lifetime.discountedExpectedResidualTransactions(frequency: 0, recency: 0, T: 0, discountRate: rate))
        } else {
            let sums = try Scorer.discountedSum(options: options) { k throws(ModelError) in
                try model.expectedPurchasesOfNewCustomer(within: Double(k) * options.periodLength)
            }
            (undiscounted, discounted) = (sums.cumulative, sums.discounted)
        }
        let spend = try scorer.spendModel.map { try $0.expectedSpend(frequency: 0, monetaryValue: 0) }
        return NewCustomerValue(expectedPurchases: undiscounted, discountedPurchases: discounted, expectedSpend: spend,
                                margin: options.margin, value: spend.map { discounted * $0 * options.margin }, customer: customer)
    }

    /// Bins with round edges on a log scale (1, 2, 5 × 10ᵏ) from about the 1st to the 99th
    /// percentile of the positive values: a first bin "below" (zeros included) and an open top
    /// bin; at most 16 bins, fewer where the values span less.
    public static func valueBins(_ values: [Double], weights: [Double]) -> [ValueBin] {
        let positive = zip(values, weights).filter { $0.0 > 0 }
        guard !positive.isEmpty else { return [ValueBin(lower: nil, upper: nil, customers: weights.reduce(0, +))] }
        let hi = WeightedQuantile.lower(positive.map(\.0), weights: positive.map(\.1), q: 0.99)
        var lo = WeightedQuantile.lower(positive.map(\.0), weights: positive.map(\.1), q: 0.01)
        lo = max(lo, hi / 1e5)
        var edges = roundEdges(from: lo, to: hi)
        while edges.count > 15 { edges = stride(from: 0, to: edges.count, by: 2).map { edges[$0] } }
        var bins = [ValueBin(lower: nil, upper: edges[0], customers: 0)]
        for k in 0..<(edges.count - 1) { bins.append(ValueBin(lower: edges[k], upper: edges[k + 1], customers: 0)) }
        bins.append(ValueBin(lower: edges[edges.count - 1], upper: nil, customers: 0))
        for (v, w) in zip(values, weights) {
            // The bin is the number of edges at or below v.
            var k = 0
            while k < edges.count && edges[k] <= v { k += 1 }
            bins[k].customers += w
        }
        return bins
    }

    /// The 1-2-5 numbers from the largest one at or below `lo` to the smallest at or above `hi`.
    static func roundEdges(from lo: Double, to hi: Double) -> [Double] {
        guard lo > 0, hi.isFinite, hi > 0 else { return [1] }
        var exponent = Foundation.floor(Foundation.log10(lo))
        var edges: [Double] = []
        while edges.count < 60 {
            for m in [1.0, 2, 5] {
                let e = m * Foundation.pow(10, exponent)
                // Rounded to its significant digit, so 0.1·3 ≠ 0.30000000000000004 stays out.
                let edge = Double(String(format: "%.0e", e))!
                if edge <= lo { edges = [edge] } else if edges.last.map({ $0 < hi }) ?? true { edges.append(edge) }
            }
            if let last = edges.last, last >= hi { break }
            exponent += 1
        }
        return edges.count >= 2 ? edges : [edges[0], edges[0] * 2]
    }

    /// "12 months at a discount rate of 1 % per month", as the evaluation report says it.
    static func describeHorizon(_ options: ScoringOptions, unit: TimeUnit) -> String {
        let period = describePeriod(options, unit: unit)
        let rate = "a discount rate of \(String(format: "%.4g", 100 * options.discountRate)) % per \(period)"
        if options.lifetimeRate != nil { return "each customer's whole remaining relationship (DERT) at \(rate)" }
        return "\(options.periods) \(plural(period, options.periods)) at \(rate)"
    }

    /// "months", "periods of 3.5 days".
    static func plural(_ period: String, _ count: Int) -> String {
        guard count != 1 else { return period }
        if period == "opportunity" { return "opportunities" }
        return period.hasPrefix("period of ") ? "periods of " + period.dropFirst("period of ".count) : period + "s"
    }

    /// "the next 12 months": the horizon's length (with `--lifetime`, the periods of
    /// `--horizon-unit` over which the chance of buying again is taken).
    static func describeSpan(_ options: ScoringOptions, unit: TimeUnit) -> String {
        let period = describePeriod(options, unit: unit)
        return options.periods == 1 ? "the next \(period)" : "the next \(options.periods) \(plural(period, options.periods))"
    }

    static func describePeriod(_ options: ScoringOptions, unit: TimeUnit) -> String {
        guard let days = unit.days else { return options.periodLength == 1 ? "opportunity" : "period of \(String(format: "%.4g", options.periodLength)) opportunities" }
        let length = options.periodLength * days
        for (name, d) in [("month", HorizonUnit.daysPerMonth), ("week", 7.0), ("day", 1.0)] where abs(length - d) < 1e-9 { return name }
        return "period of \(String(format: "%.4g", length)) days"
    }
}

/// How concentrated value is among customers: the Lorenz curve from the most valuable customer
/// down, the share held by the top fraction (a fractional weight at the cut), and sums that do
/// not depend on the rows' order.
public struct ValueConcentration: Sendable {
    public struct TopShare: Sendable, Codable, Equatable {
        /// The top fraction of customers by value, e.g. 0.1.
        public var customers: Double
        /// Their share of the total value.
        public var share: Double
    }

    public struct Point: Sendable, Codable, Equatable {
        public var customers: Double
        public var value: Double
    }

    /// (value, weight) from the largest value down.
    let sorted: [(value: Double, weight: Double)]
    public let customers: Double
    public let total: Double

    public init(values: [Double], weights: [Double]) {
        sorted = zip(values, weights).map { (value: $0.0, weight: $0.1) }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.weight > $1.weight }
        customers = Self.sum(weights)
        total = Self.sum(sorted.map { $0.value * $0.weight })
    }

    /// The share of the total held by the top `fraction` of customers (0 when the total is 0).
    public func topShare(_ fraction: Double) -> TopShare {
        TopShare(customers: fraction, share: total > 0 ? valueOfTop(fraction * customers) / total : 0)
    }

    /// Σ value of the first `count` customers from the top (a fractional weight at the cut).
    func valueOfTop(_ count: Double) -> Double {
        var remaining = count, sum = 0.0
        for (v, w) in sorted where remaining > 0 {
            let take = min(w, remaining)
            sum += take * v
            remaining -= take
        }
        return sum
    }

    /// The Lorenz curve at customer shares 0, 1/steps, …, 1.
    public func lorenz(steps: Int) -> [Point] {
        var points = [Point(customers: 0, value: 0)]
        var index = 0, taken = 0.0, inIndex = 0.0, sum = 0.0
        for k in 1...max(steps, 1) {
            let target = customers * Double(k) / Double(steps)
            while index < sorted.count && taken < target {
                let room = sorted[index].weight - inIndex
                let take = min(room, target - taken)
                sum += take * sorted[index].value
                taken += take
                inIndex += take
                if inIndex >= sorted[index].weight { index += 1; inIndex = 0 }
            }
            points.append(Point(customers: Double(k) / Double(steps), value: total > 0 ? min(sum / total, 1) : 0))
        }
        return points
    }

    /// Σ terms in a canonical order (sorted), so the sum is the same whatever the rows' order.
    public static func sum(_ terms: [Double]) -> Double {
        terms.sorted().reduce(0, +)
    }
}
