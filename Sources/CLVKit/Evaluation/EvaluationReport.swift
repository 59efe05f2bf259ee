import CLVNumerics
import Foundation

/// Everything the evaluation report shows, as numbers: the fitted models, warnings, the tracking
/// curve, the holdout evaluation, the calibration histogram, P(alive) over frequency × recency,
/// the spend model's fit and the CLV distribution. ``ReportHTML`` renders it; nothing in the
/// page is computed anywhere else.
public struct EvaluationReport: Sendable, Codable, Equatable {
    /// A confidence interval of a parameter.
    public struct Interval: Sendable, Codable, Equatable {
        /// Coverage, e.g. 0.95.
        public var level: Double
        public var lower: Double
        public var upper: Double
        public init(level: Double, lower: Double, upper: Double) {
            self.level = level
            self.lower = lower
            self.upper = upper
        }
    }

    public struct Parameter: Sendable, Codable, Equatable {
        public var name: String
        public var estimate: Double
        public var standardError: Double?
        /// Filled in when intervals are computed; the report shows the column when any has one.
        public var interval: Interval?
    }

    public struct FittedModel: Sendable, Codable, Equatable {
        /// `bgnbd`, `gamma-gamma`, …
        public var model: String
        public var displayName: String
        public var parameters: [Parameter]
        public var logLikelihood: Double
        public var aic: Double
        public var bic: Double
        public var customers: Double
        public var iterations: Int
        public var converged: Bool

        public init(_ record: FittedModelRecord, displayName: String? = nil) {
            model = record.model
            self.displayName = displayName ?? ModelRegistry.purchaseModels[record.model]?.displayName
                ?? (record.model == GammaGamma.identifier ? GammaGamma.displayName : record.model)
            parameters = record.parameterNames.map {
                Parameter(name: $0, estimate: record.parameters[$0] ?? 0, standardError: record.standardErrors[$0], interval: nil)
            }
            logLikelihood = record.logLikelihood
            aic = record.aic
            bic = record.bic
            customers = record.customers
            iterations = record.iterations
            converged = record.converged
        }

        /// The model file's purchase and spend models, each with its intervals from `intervals`.
        static func models(of file: ModelFile, intervals: [ModelParameterIntervals]) -> (purchase: FittedModel, spend: FittedModel?) {
            var purchase = FittedModel(file.purchaseModel), spend = file.spendModel.map { FittedModel($0) }
            purchase.attach(intervals)
            spend?.attach(intervals)
            return (purchase, spend)
        }

        /// Fills in each parameter's interval from the intervals of this model, if listed.
        mutating func attach(_ intervals: [ModelParameterIntervals]) {
            guard let mine = intervals.first(where: { $0.model == model }) else { return }
            for k in parameters.indices {
                if let p = mine.parameters.first(where: { $0.name == parameters[k].name }) {
                    parameters[k].interval = Interval(level: p.level, lower: p.lower, upper: p.upper)
                }
            }
        }
    }

    /// Something the user should know about the fit or the data: a stable code and a sentence
    /// (the same type as the model file's and the CLI's warnings).
    public typealias Warning = DiagnosticWarning

    /// Customers by number of calibration repeat purchases 0, 1, …, 6, 7+: actual and the model's
    /// Σᵢ P(X(Tᵢ) = k).
    public struct FrequencyHistogram: Sendable, Codable, Equatable {
        public struct Bin: Sendable, Codable, Equatable {
            public var label: String
            public var actual: Double
            /// nil when the model offers no P(X(t) = k).
            public var expected: Double?
        }
        public var bins: [Bin]
        /// Why there is no model column, when there is none.
        public var note: String?
    }

    /// P(alive) at T = `T` over a grid of frequency (rows) and recency (columns).
    public struct AliveMatrix: Sendable, Codable, Equatable {
        public var T: Double
        public var frequencies: [Double]
        public var recencies: [Double]
        /// `values[i][j]` = P(alive | frequencies[i], recencies[j], T); nil where the cell is
        /// impossible (a discrete-time model: more purchases than opportunities).
        public var values: [[Double?]]
        /// With covariates: whose P(alive) it is, e.g. "a customer with the covariates' means
        /// (multi_cd 0.49, log_first_amount 3.2)". Absent for a model without covariates.
        public var customer: String? = nil
    }

    /// A histogram bin [lower, upper) (the last bin: [lower, ∞) when `open`).
    public struct ValueBin: Sendable, Codable, Equatable {
        public var lower: Double
        public var upper: Double
        public var open: Bool
        public var actual: Double
        /// The model's expected count (spend fit only).
        public var expected: Double?
    }

    /// Observed mean repeat spend m̄ of the repeat customers against the Gamma-Gamma marginal:
    /// expected customers per bin Σᵢ [F(upper | xᵢ) − F(lower | xᵢ)], where x m̄/γ given x is
    /// beta-prime(px, q), so F(m | x) = I_{z/(1+z)}(px, q) with z = x m/γ.
    public struct SpendFit: Sendable, Codable, Equatable {
        public var customers: Double
        public var bins: [ValueBin]
    }

    /// The calibration customers' CLV at the calibration end, and how concentrated it is.
    public struct CLVDistribution: Sendable, Codable, Equatable {
        /// The share of the total CLV held by a top fraction of customers.
        public typealias TopShare = ValueConcentration.TopShare
        /// E.g. "12 months, 1 % per month discount".
        public var horizon: String
        public var customers: Double
        public var total: Double
        public var mean: Double
        public var median: Double
        /// Round 1-2-5 bins on a log scale, as the customer-base report's (``CustomerBaseReport/valueBins(_:weights:)``).
        public var bins: [CustomerBaseReport.ValueBin]
        public var topShares: [TopShare]
    }

    public var source: String
    public var unit: TimeUnit
    public var calibrationEnd: String
    public var observationEnd: String
    public var toolVersion: String
    public var purchaseModel: FittedModel
    public var spendModel: FittedModel?
    public var warnings: [Warning]
    public var tracking: TrackingCurve
    public var evaluation: HoldoutEvaluation
    public var calibrationFrequencies: FrequencyHistogram
    public var alive: AliveMatrix
    public var spendFit: SpendFit?
    public var clv: CLVDistribution?

    // MARK: Building

    /// Gathers every section from the data, the fitted models and their evaluation.
    /// - Parameters:
    ///   - data: the calibration summary (with holdout columns) and the cohort's dated purchases.
    ///   - source: the input's name, shown in the report.
    ///   - outcome: the models fitted on the calibration period.
    ///   - evaluation: their holdout evaluation, with its tracking curve.
    ///   - scoring: the CLV horizon and discount for the CLV distribution; default: `clvfit
    ///     score`'s, 12 calendar months at 1 % a month. With its `lifetimeRate` the distribution is
    ///     of lifetime CLV (DERT × spend × margin, `score --lifetime`).
    public static func build(data: EvaluationData, source: String, outcome: TrainingOutcome,
                             evaluation: HoldoutEvaluation, tracking: TrackingCurve,
                             scoring: ScoringOptions? = nil) throws -> EvaluationReport {
        let table = data.table
        // A report comes from a transaction log, so its unit is a calendar one (day or week).
        guard let unitDays = table.unit.days else {
            throw ScoringError.invalidOption("unit", "the evaluation report needs a calendar time unit (day or week), not \(table.unit.rawValue).")
        }
        let scoring = try scoring ?? ScoringOptions(periods: 12, unit: .month, modelUnit: table.unit,
                                                    discountRate: ScoringOptions.defaultDiscountRate(per: .month)!)
        let days = scoring.periodLength * unitDays
        let period = abs(days - HorizonUnit.daysPerMonth) < 1e-9 ? "month" : "period of \(String(format: "%.4g", scoring.periodLength)) \(table.unit.rawValue)s"
        let rate = "a discount rate of \(String(format: "%.4g", 100 * scoring.discountRate)) % per \(period)"
        let horizonDescription = scoring.lifetimeRate == nil ? "\(scoring.periods) \(period == "month" ? "months" : "periods") at \(rate)"
            : "each customer's whole remaining relationship (DERT) at \(rate)"
        let model = outcome.purchaseModel, models = outcome.customerModels
        var warnings: [Warning] = []
        for record in [outcome.modelFile.purchaseModel] + (outcome.modelFile.spendModel.map { [$0] } ?? []) where !record.converged {
            warnings.append(Warning(code: "not-converged", message: "\(record.model) did not converge (\(record.termination)); its estimates are not maximum-likelihood estimates."))
        }
        if let skipped = outcome.spendModelSkipped {
            warnings.append(Warning(code: "no-spend-model", message: "There is no spend model: \(skipped)"))
        }
        // The fit's diagnostics (``Diagnostics``), as the model file and the CLI give them.
        let diagnostics = evaluation.warnings ?? Diagnostics.warnings(for: outcome.modelFile, data: table)
        warnings += diagnostics
        // 95 % intervals (log scale, from the model file's covariance).
        let intervals = evaluation.parameterIntervals ?? outcome.modelFile.parameterIntervals(level: 0.95)
        let (purchaseModel, spendModel) = FittedModel.models(of: outcome.modelFile, intervals: intervals)
        return EvaluationReport(
            source: source, unit: table.unit,
            calibrationEnd: data.cohort.calibrationEnd.description, observationEnd: data.cohort.observationEnd.description,
            toolVersion: ClvFitVersion.current,
            purchaseModel: purchaseModel,
            spendModel: spendModel,
            warnings: warnings, tracking: tracking, evaluation: evaluation,
            calibrationFrequencies: try frequencyHistogram(table, models: models),
            alive: try aliveMatrix(table, models: models),
            spendFit: try outcome.spendModel.map { try spendFit(table, model: $0) } ?? nil,
            clv: try outcome.spendModel.map { try clvDistribution(table, scorer: Scorer(purchaseModel: model, spendModel: $0, options: scoring), models: models, horizon: horizonDescription) } ?? nil)
    }

    /// Customers by calibration repeat purchases 0 … 6, 7+, actual and Σᵢ wᵢ P(X(Tᵢ) = k)
    /// (``CLVKit/FrequencyHistogram``; the 7+ bin is the rest of the customers), each customer
    /// under their own model when `models` has covariates. A model without P(X(t) = k) gets the
    /// actual bars and a note.
    public static func frequencyHistogram(_ table: CustomerSummaryTable, models: CustomerModels) throws -> FrequencyHistogram {
        let model = models.shared
        let labels = (0...6).map(String.init) + ["7+"]
        let history = try PurchaseHistory(table)
        if let h = try CLVKit.FrequencyHistogram.compute(models: models, history: history, maxCount: 7) {
            return FrequencyHistogram(
                bins: (0..<8).map { FrequencyHistogram.Bin(label: labels[$0], actual: h.actual[$0], expected: h.expected[$0]) }, note: nil)
        }
        var actual = Array(repeating: 0.0, count: 8)
        for i in 0..<history.count { actual[min(Int(history.frequency[i]), 7)] += history.weight[i] }
        return FrequencyHistogram(
            bins: (0..<8).map { FrequencyHistogram.Bin(label: labels[$0], actual: actual[$0], expected: nil) },
            note: "\(type(of: model).displayName) offers no P(X(t) = k), so the model's histogram is omitted.")
    }

    /// P(alive) at the median T over frequencies 1 … F (F: the 99th percentile of the
    /// frequencies, at least 5, at most 30) and 20 recencies from 0 to T (bin midpoints; whole
    /// numbers of opportunities for a discrete-time model). With covariates, for a customer whose
    /// covariates are the training customers' means (the grid has no room for each customer's).
    public static func aliveMatrix(_ table: CustomerSummaryTable, models: CustomerModels) throws -> AliveMatrix {
        var model = models.shared, customer: String? = nil
        if let (means, meansModel) = try models.atCovariateMeans(weight: table.weight), let design = models.covariates?.design {
            model = meansModel
            var seen: [String: Double] = [:]
            for (names, values) in [(design.purchase.names, means.purchase), (design.dropout.names, means.dropout)] {
                for (n, v) in zip(names, values) { seen[n] = v }
            }
            let listed = (design.purchase.names + design.dropout.names.filter { !design.purchase.names.contains($0) })
                .map { "\($0) \(String(format: "%.3g", seen[$0]!))" }
            customer = "a customer with the covariates' means (\(listed.joined(separator: ", ")))"
        }
        let T = weightedQuantile(table.T, table.weight, 0.5)
        let discrete = type(of: model).isDiscreteTime
        let maxFrequency = min(max(weightedQuantile(table.frequency, table.weight, 0.99).rounded(.up), 5), 30)
        let frequencies = (1...Int(maxFrequency)).map(Double.init)
        var recencies: [Double] = []
        if discrete {
            let n = max(Int(T.rounded()), 1)
            for k in 0...n { recencies.append(Double(k)) }
        } else {
            for k in 0..<20 { recencies.append(T * (Double(k) + 0.5) / 20) }
        }
        let values = frequencies.map { x in
            recencies.map { tx -> Double? in
                guard !discrete || x <= tx else { return nil }   // x purchases need x opportunities
                let p = model.probabilityAlive(frequency: x, recency: tx, T: discrete ? T.rounded() : T)
                return p.isFinite ? p : nil
            }
        }
        return AliveMatrix(T: discrete ? T.rounded() : T, frequencies: frequencies, recencies: recencies, values: values, customer: customer)
    }

    /// The Gamma-Gamma fit: observed m̄ of repeat customers (x > 0, m̄ > 0) in 24 bins from 0
    /// to the 95th percentile and one open bin above, against the model's expected counts.
    public static func spendFit(_ table: CustomerSummaryTable, model: GammaGamma) throws -> SpendFit? {
        guard let monetary = table.monetaryValue else { return nil }
        var values: [Double] = [], weights: [Double] = []
        var weightByX: [Double: Double] = [:]
        for i in 0..<table.count where table.frequency[i] > 0 && monetary[i] > 0 {
            values.append(monetary[i]); weights.append(table.weight[i])
            weightByX[table.frequency[i], default: 0] += table.weight[i]
        }
        guard !values.isEmpty else { return nil }
        let upper = weightedQuantile(values, weights, 0.95)
        guard upper > 0 else { return nil }
        let count = 24
        let edges = (0...count).map { upper * Double($0) / Double(count) }
        var bins = (0...count).map { k in
            ValueBin(lower: edges[min(k, count)], upper: k < count ? edges[k + 1] : upper, open: k == count, actual: 0, expected: 0)
        }
        for (v, w) in zip(values, weights) {
            bins[min(Int(v / upper * Double(count)), count)].actual += w
        }
        for (x, w) in weightByX {
            func cdf(_ m: Double) -> Double {
                let z = x * m / model.gamma
                return Special.regularizedIncompleteBeta(model.p * x, model.q, z / (1 + z))
            }
            var previous = 0.0
            for k in 0..<count {
                let next = cdf(edges[k + 1])
                bins[k].expected! += w * (next - previous)
                previous = next
            }
            bins[count].expected! += w * (1 - previous)
        }
        return SpendFit(customers: weights.reduce(0, +), bins: bins)
    }

    /// CLV of every calibration customer in round bins on a log scale (the customer-base
    /// report's); the share of the total held by the top 10 % and 20 % of customers.
    public static func clvDistribution(_ table: CustomerSummaryTable, scorer: Scorer, models: CustomerModels? = nil,
                                       horizon: String) throws -> CLVDistribution? {
        let scores = try models.map { try scorer.score(table, models: $0) } ?? scorer.score(table)
        let values = scores.map { $0.clv ?? 0 }
        let weights = table.weight
        // Customers sorted by CLV, largest first: the total, and the top shares (a fractional weight at the cut).
        let concentration = ValueConcentration(values: values, weights: weights)
        let total = concentration.total, customers = concentration.customers
        guard customers > 0 else { return nil }
        let bins = CustomerBaseReport.valueBins(values, weights: weights)
        let topShares = [0.1, 0.2].map(concentration.topShare)
        return CLVDistribution(horizon: horizon, customers: customers, total: total, mean: total / customers,
                               median: weightedQuantile(values, weights, 0.5), bins: bins, topShares: topShares)
    }

    /// The weighted q-quantile: the smallest value whose cumulative weight reaches q of the total.
    static func weightedQuantile(_ values: [Double], _ weights: [Double], _ q: Double) -> Double {
        values.isEmpty ? 0 : WeightedQuantile.lower(values, weights: weights, q: q)
    }
}
