import CLVNumerics
import RealModule

/// A purchase model with static covariates: the base parameters at covariates = 0 (CLVTools'
/// α₀, β₀) and one coefficient per shifted parameter and covariate of its process. Every
/// prediction for a customer is the base model's at the customer's own parameters
/// (`customerModel`), EXTENSIONS.md §1.
public struct CovariatePurchaseModelOf<Base: CovariatePurchaseModel>: Sendable {
    /// The model at covariates = 0.
    public var base: Base
    /// Covariate names of each process, in the order `coefficients` uses within each shift.
    public var purchaseCovariates: [String]
    public var dropoutCovariates: [String]
    /// The coefficients, shift by shift (`Base.covariateShifts` order), covariate by covariate.
    public var coefficients: [Double]
    /// `Base.shiftedParameterIndices`, once (`customerModel` runs per customer).
    let shiftedIndices: [Int]

    public init(base: Base, purchaseCovariates: [String], dropoutCovariates: [String], coefficients: [Double]) {
        self.base = base
        self.purchaseCovariates = purchaseCovariates
        self.dropoutCovariates = dropoutCovariates
        self.coefficients = coefficients
        shiftedIndices = Base.shiftedParameterIndices
        precondition(Base.parameterNames.count + coefficients.count == parameterNames.count, "One coefficient per shifted parameter and covariate.")
    }

    /// Every parameter's name: the base parameters, then `<parameter>.<covariate>`.
    public var parameterNames: [String] {
        Base.parameterNames(purchase: purchaseCovariates, dropout: dropoutCovariates)
    }

    /// Base parameters then coefficients, in `parameterNames` order.
    public var parameterValues: [Double] { base.parameterValues + coefficients }

    /// The base model at one customer's parameters, ln θᵢⱼ = ln θⱼ + signⱼ γⱼᵀxᵢ.
    /// - Throws: `ModelError.invalidParameter` when a customer's parameter is not a positive
    ///   finite number (covariates so extreme that exp overflows).
    public func customerModel(purchase x: [Double], dropout z: [Double]) throws(ModelError) -> Base {
        precondition(x.count == purchaseCovariates.count && z.count == dropoutCovariates.count,
                     "Give one value per covariate of each process.")
        var theta = base.parameterValues
        var c = 0
        for (shift, j) in zip(Base.covariateShifts, shiftedIndices) {
            let values = shift.process == .purchase ? x : z
            var eta = 0.0
            for v in values { eta += coefficients[c] * v; c += 1 }
            theta[j] *= Double.exp(shift.sign * eta)
        }
        return try Base(parameterValues: theta)
    }
}

/// A covariate model seen without its base type: what scoring needs, customer by customer.
public protocol CustomerParameterModel: Sendable {
    /// The model at covariates = 0.
    var baseModel: any PurchaseModel { get }
    var purchaseCovariates: [String] { get }
    var dropoutCovariates: [String] { get }
    /// Base parameters then coefficients (`<parameter>.<covariate>`), in parameter order.
    var parameterNames: [String] { get }
    var parameterValues: [Double] { get }
    /// The base model at one customer's parameters.
    func customerPurchaseModel(purchase: [Double], dropout: [Double]) throws(ModelError) -> any PurchaseModel
    /// The same model with other parameter values (`parameterNames` order): what intervals
    /// by the delta method evaluate.
    func with(parameterValues: [Double]) throws(ModelError) -> any CustomerParameterModel
    /// Each coefficient's effect in words, at the covariates' means where it matters.
    func effects(means: CovariateDesign.Means) -> [CovariateEffectText]
}

extension CovariatePurchaseModelOf: CustomerParameterModel {
    public var baseModel: any PurchaseModel { base }

    public func customerPurchaseModel(purchase x: [Double], dropout z: [Double]) throws(ModelError) -> any PurchaseModel {
        try customerModel(purchase: x, dropout: z)
    }

    public func with(parameterValues values: [Double]) throws(ModelError) -> any CustomerParameterModel {
        guard values.count == parameterNames.count else {
            throw .wrongParameterCount(model: "\(Base.displayName) with covariates", expected: parameterNames.count, got: values.count)
        }
        for (name, v) in zip(parameterNames.dropFirst(4), values.dropFirst(4)) where !v.isFinite {
            throw .invalidParameter(model: Base.displayName, name: name, value: v)
        }
        return CovariatePurchaseModelOf(base: try Base(parameterValues: Array(values[0..<4])), purchaseCovariates: purchaseCovariates,
                                        dropoutCovariates: dropoutCovariates, coefficients: Array(values[4...]))
    }

    /// The model described by a model file's record and covariate specification.
    static func make(_ record: FittedModelRecord, _ specification: CovariateSpecification) throws(ModelError) -> Self {
        let base = try Base(parameterValues: Array(record.parameterValues[0..<4]))
        return Self(base: base, purchaseCovariates: specification.purchase, dropoutCovariates: specification.dropout,
                    coefficients: Array(record.parameterValues[4...]))
    }
}

/// A covariate model's maximum-likelihood fit, reported on the user's scale.
public struct CovariateFitResult<Base: CovariatePurchaseModel>: Sendable {
    public var model: CovariatePurchaseModelOf<Base>
    /// Names, estimates, covariance (natural scale) and the optimiser's diagnostics. The
    /// optimiser worked on centred and scaled covariates; `optimizerCovariance` is in
    /// (ln θ, γ) on the user's scale, the coordinates intervals are built in.
    public var fit: ParameterFit
}

/// Centring and scaling of the covariates for the optimiser, x̃ = (x − m)/s with the weighted
/// mean and standard deviation of each column, and the way back. A covariate such as an amount
/// in dollars (mean 3,000) would otherwise make ln α and its coefficient nearly collinear and
/// the Hessian ill-conditioned. With ln θᵢⱼ = ln θ̃ⱼ + signⱼ Σ γ̃ x̃ᵢ:
/// ```
/// γ = γ̃ / s,   ln θⱼ = ln θ̃ⱼ − signⱼ Σ_c γ̃_c m_c / s_c
/// ```
/// a linear map φ = A φ̃ of the coordinates (ln θ, γ), so the covariance is A Σ̃ Aᵀ exactly.
struct CovariateScaling {
    var purchase: [(mean: Double, scale: Double)]
    var dropout: [(mean: Double, scale: Double)]

    init(_ design: CovariateDesign, weight: [Double]) {
        func moments(_ c: CovariateColumns) -> [(mean: Double, scale: Double)] {
            c.columns.map { col in
                var sw = 0.0, sx = 0.0
                for i in col.indices { sw += weight[i]; sx += weight[i] * col[i] }
                let m = sx / sw
                var ss = 0.0
                for i in col.indices { ss += weight[i] * (col[i] - m) * (col[i] - m) }
                let sd = (ss / sw).squareRoot()
                return (mean: m, scale: sd > 0 && sd.isFinite ? sd : 1)
            }
        }
        purchase = moments(design.purchase)
        dropout = moments(design.dropout)
    }

    func standardised(_ design: CovariateDesign) -> CovariateDesign {
        func apply(_ c: CovariateColumns, _ m: [(mean: Double, scale: Double)]) -> CovariateColumns {
            CovariateColumns(names: c.names, columns: zip(c.columns, m).map { col, s in col.map { ($0 - s.mean) / s.scale } })
        }
        return CovariateDesign(purchase: apply(design.purchase, purchase), dropout: apply(design.dropout, dropout))
    }

    /// The scale s of each coefficient's covariate, in coefficient order (γ = γ̃ / s).
    func coefficientScales<M: CovariatePurchaseModel>(_ type: M.Type) -> [Double] {
        M.covariateShifts.flatMap { shift in (shift.process == .purchase ? purchase : dropout).map(\.scale) }
    }

    /// A, with φ = A φ̃ (base parameters first, then coefficients shift by shift).
    func map<M: CovariatePurchaseModel>(_ type: M.Type) -> Matrix {
        let coefficients = zip(M.covariateShifts, M.shiftedParameterIndices).flatMap { shift, j in
            (shift.process == .purchase ? purchase : dropout).map { (shift, j, $0) }
        }
        let dim = 4 + coefficients.count
        var a = Matrix(rows: dim, columns: dim)
        for j in 0..<4 { a[j, j] = 1 }
        for (c, (shift, j, s)) in coefficients.enumerated() {
            a[4 + c, 4 + c] = 1 / s.scale
            a[j, 4 + c] = -shift.sign * s.mean / s.scale
        }
        return a
    }
}

extension Estimator {
    /// Fits `M` with static covariates (EXTENSIONS.md §1) by maximum likelihood: base parameters
    /// on ln θ, coefficients as they are, covariates centred and scaled inside and the result
    /// mapped back to the user's scale.
    /// - Parameters:
    ///   - start: base parameters to start from with every coefficient 0 (the fit without
    ///     covariates: with centred covariates that start is that model exactly); else the
    ///     model's own start values.
    ///   - penalty: λ ≥ 0 of CLVTools' L2 penalty, objective (−LL)/N + λ·Σγ² on the user's scale
    ///     (N the number of customers); 0 is the plain maximum-likelihood fit. The fit then
    ///     reports the log-likelihood itself (not the penalised objective) at the penalised
    ///     optimum, and the covariance from the penalised Hessian, as CLVTools does.
    ///   - shared: covariates (of both processes) that take one coefficient for every parameter
    ///     they shift (CLVTools' `names.cov.constr`); the fit is then under those equalities
    ///     (`TiedParameters`), and reports every coefficient, tied ones equal.
    public func fit<M: CovariatePurchaseModel>(_ type: M.Type, to data: PurchaseHistory, covariates design: CovariateDesign,
                                               start: M? = nil, penalty: Double = 0,
                                               shared: [String] = []) throws(EstimationError) -> CovariateFitResult<M> {
        precondition(penalty >= 0 && penalty.isFinite, "The L2 penalty is a finite λ ≥ 0.")
        let scaling = CovariateScaling(design, weight: data.weight)
        let covariateLikelihood = CovariateLogLikelihood<M>(data, design: scaling.standardised(design))
        let penalized: any LogLikelihood = penalty == 0 ? covariateLikelihood
            : PenalizedLogLikelihood(covariateLikelihood, firstCoefficient: 4,
                                     weights: scaling.coefficientScales(M.self).map { penalty * data.customerCount / ($0 * $0) })
        let names = design.parameterNames(M.self)
        let ties = design.sharedCoefficients(M.self, shared: shared)
        let likelihood: any LogLikelihood = ties.isTrivial ? penalized : TiedLogLikelihood(base: penalized, ties: ties)
        let zeros = Array(repeating: 0.0, count: names.count - 4)
        let starts = (start.map { [$0.parameterValues] } ?? []) + M.startValues(for: data)
        let domains = design.parameterDomains(M.self)
        var inner = try fitParameters(likelihood, names: ties.reduce(names), domains: ties.reduce(domains),
                                      starts: starts.map { ties.reduce($0 + zeros) }, model: "\(M.displayName) with covariates")
        if !ties.isTrivial {
            inner.names = names
            inner.domains = domains
            inner.estimates = ties.expand(inner.estimates)
            inner.optimizerCovariance = ties.expandCovariance(inner.optimizerCovariance)
            inner.ties = ties
        }
        if penalty > 0 { inner.logLikelihood = covariateLikelihood.evaluate(inner.estimates, order: .value).value }
        // Back to the user's scale: φ = A φ̃ with φ = (ln θ, γ). A shared covariate has one mean
        // and scale in both processes, so equal γ̃ stay equal.
        let a = scaling.map(M.self)
        let phiTilde = (0..<names.count).map { $0 < 4 ? Double.log(inner.estimates[$0]) : inner.estimates[$0] }
        let phi = a * phiTilde
        let estimates = (0..<names.count).map { $0 < 4 ? Double.exp(phi[$0]) : phi[$0] }
        let optimizerCovariance = inner.optimizerCovariance.congruence(by: a)
        var fit = inner
        fit.estimates = estimates
        fit.optimizerCovariance = optimizerCovariance
        fit.covariance = optimizerCovariance.scaledSymmetric(by: (0..<names.count).map { $0 < 4 ? estimates[$0] : 1 })
        guard let base = try? M(parameterValues: Array(estimates[0..<4])) else {
            throw .hessianNotNegativeDefinite(model: "\(M.displayName) with covariates", parameters: fit.named)
        }
        let model = CovariatePurchaseModelOf(base: base, purchaseCovariates: design.purchase.names,
                                             dropoutCovariates: design.dropout.names, coefficients: Array(estimates[4...]))
        return CovariateFitResult(model: model, fit: fit)
    }
}

/// LL(θ) − Σₖ wₖ θₖ² over the coefficients from `firstCoefficient` on: an L2 penalty, with
/// wₖ = λN/sₖ² so that on the optimiser's scaled coefficients γ̃ = s·γ it is λN·Σγ² on the
/// user's scale (CLVTools' (−LL)/N + λΣγ², times −N).
struct PenalizedLogLikelihood: LogLikelihood {
    let base: any LogLikelihood
    let firstCoefficient: Int
    let weights: [Double]
    var observationCount: Double { base.observationCount }
    var rowCount: Int { base.rowCount }

    init(_ base: any LogLikelihood, firstCoefficient: Int, weights: [Double]) {
        self.base = base
        self.firstCoefficient = firstCoefficient
        self.weights = weights
    }

    func evaluate(_ p: [Double], order: DerivativeOrder) -> LikelihoodEvaluation {
        var e = base.evaluate(p, order: order)
        for (k, w) in weights.enumerated() {
            let j = firstCoefficient + k, g = p[j]
            e.value -= w * g * g
            if order >= .gradient, !e.gradient.isEmpty { e.gradient[j] -= 2 * w * g }
            if order >= .hessian { e.hessian?[j, j] -= 2 * w }
        }
        return e
    }
}
