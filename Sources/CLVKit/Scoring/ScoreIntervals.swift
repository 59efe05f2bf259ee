import Foundation

/// A customer's intervals for expected purchases and CLV at one level.
public struct ScoreInterval: Sendable, Equatable {
    public var expectedPurchases: ClosedRange<Double>
    /// Nil without a spend model.
    public var clv: ClosedRange<Double>?

    public init(expectedPurchases: ClosedRange<Double>, clv: ClosedRange<Double>?) {
        self.expectedPurchases = expectedPurchases
        self.clv = clv
    }
}

/// Per-customer intervals for E[Y(HΔ)] and CLV from the uncertainty of the fitted parameters,
/// by the delta method on log scales (`LogScaleDeltaMethod`, which explains the choice over
/// parametric draws):
/// ```
/// E[Y]:  Var[ln E[Y]] = ∇ᵀ Σ_purchase ∇
/// CLV = D(θ_purchase) · M(θ_spend) · margin, D = discounted purchases, M = expected spend:
///        Var[ln (D·M)] = Var[ln D] + Var[ln M]
/// ```
/// The purchase and spend models are fitted separately, so their estimates are treated as
/// independent and the variances add. These intervals cover the *expected* values (what the
/// model would say with the true parameters), not the customer's actual future purchases,
/// which vary far more (a Poisson count around the expectation).
public struct IntervalScorer: Sendable {
    public let scorer: Scorer
    public let level: Double
    let purchase: LogScaleDeltaMethod
    let spend: LogScaleDeltaMethod?
    /// The purchase (spend) model at each of the k perturbed parameter vectors, built once.
    let perturbedPurchaseModels: [any PurchaseModel]
    let perturbedSpendModels: [any SpendModel]
    /// With covariates: the covariate model at each perturbed vector (base parameters and
    /// coefficients), from which each customer's perturbed models are made.
    let perturbedCovariateModels: [any CustomerParameterModel]

    /// - Parameters:
    ///   - scorer: the point scorer (models at the estimates, horizon, discount, margin).
    ///   - purchaseRecord, spendRecord: the fitted records whose covariances give the uncertainty.
    ///   - level: coverage, strictly between 0 and 1 (e.g. 0.9).
    public init(scorer: Scorer, purchaseRecord: FittedModelRecord, spendRecord: FittedModelRecord?, level: Double) throws(ScoringError) {
        guard level > 0, level < 1, level.isFinite else {
            throw .invalidOption("interval", "must be a level strictly between 0 and 1, e.g. 0.9 (got \(level)).")
        }
        self.scorer = scorer
        self.level = level
        purchase = LogScaleDeltaMethod(purchaseRecord)
        let purchaseType = type(of: scorer.purchaseModel)
        do {
            if let covariateModel = scorer.covariateModel {
                perturbedCovariateModels = try purchase.perturbedParameters.map { try covariateModel.with(parameterValues: $0) }
                perturbedPurchaseModels = []
            } else {
                perturbedCovariateModels = []
                perturbedPurchaseModels = try purchase.perturbedParameters.map { try purchaseType.init(parameterValues: $0) }
            }
            if let spendModel = scorer.spendModel, let spendRecord {
                let method = LogScaleDeltaMethod(spendRecord)
                spend = method
                let spendType = type(of: spendModel)
                perturbedSpendModels = try method.perturbedParameters.map { try spendType.init(parameterValues: $0) }
            } else {
                spend = nil
                perturbedSpendModels = []
            }
        } catch {
            throw .invalidOption("interval", "cannot be computed for this model: a parameter multiplied by e^\(LogScaleDeltaMethod.step) is not valid (\(error)).")
        }
    }

    /// From a model file and scoring options.
    public init(modelFile: ModelFile, options: ScoringOptions, level: Double) throws {
        let scorer = try Scorer(modelFile: modelFile, options: options)
        try self.init(scorer: scorer, purchaseRecord: modelFile.purchaseModel, spendRecord: modelFile.spendModel, level: level)
    }

    /// One customer's intervals.
    /// - Complexity: k + 1 horizon evaluations of the purchase model (k parameters) and
    ///   k' + 1 of the spend model: 5 and 4 for BG/NBD and Gamma-Gamma.
    ///   The same, to the bit, as the customer's row of `intervals(_:)`.
    public func interval(frequency x: Double, recency tx: Double, T: Double, monetaryValue: Double?) throws(ModelError) -> ScoreInterval {
        try interval(frequency: x, recency: tx, T: T, monetaryValue: monetaryValue, model: scorer.purchaseModel,
                     perturbed: perturbedPurchaseModels, prepared: prepared(scorer.purchaseModel, frequencies: [x], T: [T]))
    }

    /// The expectations of `model` and of each perturbed purchase model, prepared for these
    /// customers (`Scorer.prepared`); nil if any of them has none.
    func prepared(_ model: any PurchaseModel, frequencies: [Double], T: [Double]) -> (center: PreparedExpectations, perturbed: [PreparedExpectations])? {
        let options = scorer.options
        guard let center = Scorer.prepared(model, options: options, frequencies: frequencies, T: T) else { return nil }
        let perturbed = perturbedPurchaseModels.compactMap { Scorer.prepared($0, options: options, frequencies: frequencies, T: T) }
        return perturbed.count == perturbedPurchaseModels.count ? (center, perturbed) : nil
    }

    /// One customer's intervals from their purchase model and its k perturbed versions.
    /// `prepared`: the expectations of the model and of each perturbed one, if prepared for the table.
    func interval(frequency x: Double, recency tx: Double, T: Double, monetaryValue: Double?,
                  model purchaseModel: any PurchaseModel, perturbed: [any PurchaseModel],
                  prepared: (center: PreparedExpectations, perturbed: [PreparedExpectations])? = nil) throws(ModelError) -> ScoreInterval {
        let options = scorer.options
        let center = try Scorer.horizonPurchases(purchaseModel, options: options, frequency: x, recency: tx, T: T, prepared: prepared?.center)
        var logY: [Double] = [], logD: [Double] = []
        for (k, model) in perturbed.enumerated() {
            let h = try Scorer.horizonPurchases(model, options: options, frequency: x, recency: tx, T: T, prepared: prepared?.perturbed[k])
            logY.append(Foundation.log(h.cumulative))
            logD.append(Foundation.log(h.discounted))
        }
        let purchases = try Self.range(center: center.cumulative, variance: purchase.logVariance(
            logCenter: Foundation.log(center.cumulative), perturbedLogValues: logY), level: level)
        guard let spendModel = scorer.spendModel, let spend else { return ScoreInterval(expectedPurchases: purchases, clv: nil) }
        guard let input = scorer.spendArguments(frequency: x, monetaryValue: monetaryValue) else {
            throw .undefinedPrediction(model: type(of: spendModel).displayName, reason: "the customer's mean spend (monetary_value) is missing.")
        }
        let centerSpend = try spendModel.expectedSpend(frequency: input.frequency, monetaryValue: input.monetaryValue)
        var logM: [Double] = []
        for model in perturbedSpendModels {
            logM.append(Foundation.log(try model.expectedSpend(frequency: input.frequency, monetaryValue: input.monetaryValue)))
        }
        var variance: Double? = nil
        if let vd = purchase.logVariance(logCenter: Foundation.log(center.discounted), perturbedLogValues: logD),
           let vm = spend.logVariance(logCenter: Foundation.log(centerSpend), perturbedLogValues: logM) { variance = vd + vm }
        let value = try Self.range(center: center.discounted * centerSpend, variance: variance, level: level)
        let margin = options.margin
        let clv = margin >= 0 ? (value.lowerBound * margin)...(value.upperBound * margin) : (value.upperBound * margin)...(value.lowerBound * margin)
        return ScoreInterval(expectedPurchases: purchases, clv: clv)
    }

    /// center · exp(∓ z √variance); [0, 0] when the expectation itself is 0.
    static func range(center: Double, variance: Double?, level: Double) throws(ModelError) -> ClosedRange<Double> {
        if center == 0 { return 0...0 }
        guard center > 0, center.isFinite, let variance else {
            throw .undefinedPrediction(model: "interval", reason: "the expectation is not positive and finite near the estimates, so the delta method does not apply.")
        }
        return LogScaleDeltaMethod.interval(center: center, logVariance: variance, level: level)
    }

    /// Every row of a summary, in its order (chunks in parallel; the result does not depend
    /// on the number of cores).
    public func intervals(_ table: CustomerSummaryTable, source: String = "the summary",
                          models: CustomerModels? = nil) throws(ScoringError) -> [ScoreInterval] {
        try scorer.options.validate()
        try scorer.checkSpendInput(table, source: source)
        let models = models ?? CustomerModels(shared: scorer.purchaseModel, covariates: nil)
        if scorer.covariateModel != nil, models.covariates == nil {
            throw .invalidOption("covariates", "is needed for the intervals of a model trained with covariates.")
        }
        let perturbedCovariateModels = perturbedCovariateModels, shared = perturbedPurchaseModels
        let evaluators = models.covariates == nil ? prepared(models.shared, frequencies: table.frequency, T: table.T) : nil
        return try ChunkedSum.mapRows(table.count) { i throws(ScoringError) in
            do throws(ModelError) {
                let perturbed = models.covariates == nil ? shared : try perturbedCovariateModels.map { m throws(ModelError) in try models.model(row: i, of: m) }
                return try interval(frequency: table.frequency[i], recency: table.recency[i], T: table.T[i],
                                    monetaryValue: table.monetaryValue?[i], model: try models.model(row: i), perturbed: perturbed,
                                    prepared: evaluators)
            } catch {
                throw .prediction(customer: table.customerIDs[i], error)
            }
        }
    }
}
