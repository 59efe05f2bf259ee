import CLVNumerics
import CLVOptimize
import RealModule

/// A fitted model with the diagnostics a user needs to trust it.
public struct FitResult<Model: FittableModel>: Sendable {
    public var model: Model
    /// The maximised summed log-likelihood.
    public var logLikelihood: Double
    /// Covariance of the natural-scale parameters, J·(−H)⁻¹·J with J = diag(θ) and H the
    /// Hessian of the log-likelihood in ln θ at the optimum (the delta method).
    public var covariance: Matrix
    /// Covariance of the log-parameters, (−H)⁻¹.
    public var logParameterCovariance: Matrix
    /// Σ weights: the number of customers the fit used.
    public var observationCount: Double
    /// Rows actually evaluated (distinct patterns after compression).
    public var rows: Int
    public var iterations: Int
    public var converged: Bool
    public var termination: TerminationReason
    /// Largest absolute gradient component (in ln θ) at the optimum.
    public var gradientNorm: Double

    public var standardErrors: [Double] { covariance.diagonalEntries.map { $0.squareRoot() } }
    public var parameterCount: Int { Model.parameterNames.count }
    /// AIC = 2k − 2 LL.
    public var aic: Double { 2 * Double(parameterCount) - 2 * logLikelihood }
    /// BIC = k ln n − 2 LL, n = number of customers.
    public var bic: Double { Double(parameterCount) * Double.log(observationCount) - 2 * logLikelihood }
}

/// Why a model could not be fitted. Each case is a clear message, never NaN parameters.
public enum EstimationError: Error, CustomStringConvertible, Sendable {
    case nonFiniteLikelihood(model: String)
    case notConverged(model: String, reason: TerminationReason, iterations: Int, gradientNorm: Double, parameters: [String: Double])
    case hessianNotNegativeDefinite(model: String, parameters: [String: Double])
    case noCandidateFitted(details: String)

    public var description: String {
        switch self {
        case let .nonFiniteLikelihood(model):
            return "\(model): the log-likelihood is not finite at any start point; check the data for extreme values."
        case let .notConverged(model, .diverged, iterations, _, parameters):
            return "\(model): the fit did not converge: after \(iterations) iterations the parameters were running off to the edge of the parameter space (\(Self.format(parameters))), so the data cannot identify the model (too few customers or too few repeat purchases)."
        case let .notConverged(model, reason, iterations, gradientNorm, parameters):
            return "\(model): the fit did not converge (\(reason.rawValue) after \(iterations) iterations, largest gradient component \(gradientNorm)); last parameters \(Self.format(parameters))."
        case let .hessianNotNegativeDefinite(model, parameters):
            return "\(model): the Hessian at the optimum is not negative definite, so the maximum is not identified (a flat direction or a boundary) and standard errors are undefined; parameters \(Self.format(parameters))."
        case let .noCandidateFitted(details):
            return "no candidate model could be fitted: \(details)"
        }
    }

    static func format(_ p: [String: Double]) -> String {
        p.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: ", ")
    }
}

/// Fits any `FittableModel` by maximum likelihood on log-parameters (validate → transform →
/// optimise → Hessian → covariance), the one control flow every model shares
/// (CLVTools' `clv_template_controlflow_estimate`, statsmodels' `LikelihoodModel.fit`).
public struct Estimator: Sendable {
    public var options: NewtonOptions
    /// Convergence: largest gradient component ≤ `relativeGradientTolerance` × number of customers
    /// (a mean-per-customer gradient of 1e-8 in ln θ: parameters good to far better than 1e-6).
    public var relativeGradientTolerance: Double

    /// How far (in ln θ) a parameter may move from its start before the fit is called divergent:
    /// 12, a factor e¹² ≈ 1.6·10⁵. The start values are scaled to the data (mean T, purchase
    /// rate), and every reference fit in the tests ends within a factor e⁵ of its start; a
    /// parameter 10⁵ times its start is running to the edge of the parameter space (data that
    /// cannot identify the model: one customer, no repeat purchases), where further iterations
    /// only cost time.
    ///
    /// It was 25 (e²⁵ ≈ 7·10¹⁰), which the Pareto/NBD on one or five customers never reached: its
    /// iterates run to the NBD → Poisson, no-dropout edge within a few steps (r, α ≈ e¹⁴…e¹⁹,
    /// s ≈ e⁻¹⁶) and then crawl along a ridge flat to 10⁻⁶ in ln L, ~30 line-search halvings per
    /// step, until the 200-iteration limit (5–70 s per start, 30–90 s per fit in a debug build,
    /// most of it in line searches: quadrature near z = 1 alone still left 3–40 s). At 12 every
    /// start of those sets stops within 8–13 iterations.
    public static let divergenceDistance = 12.0

    public init(options: NewtonOptions = NewtonOptions(), relativeGradientTolerance: Double = 1e-8) {
        self.options = options
        self.relativeGradientTolerance = relativeGradientTolerance
    }

    public func fit<M: FittableModel>(_ type: M.Type, to data: M.Observations) throws(EstimationError) -> FitResult<M> {
        let likelihood = M.logLikelihood(of: data)
        let fit = try fitParameters(likelihood, names: M.parameterNames, domains: M.parameterDomains,
                                    starts: M.startValues(for: data), model: M.displayName)
        guard let model = try? M(parameterValues: fit.estimates) else {
            throw .hessianNotNegativeDefinite(model: M.displayName, parameters: fit.named)
        }
        return FitResult(model: model, logLikelihood: fit.logLikelihood,
                         covariance: fit.covariance,
                         logParameterCovariance: fit.optimizerCovariance,
                         observationCount: fit.observationCount, rows: fit.rows,
                         iterations: fit.iterations, converged: true, termination: fit.termination,
                         gradientNorm: fit.gradientNorm)
    }

    /// The model-agnostic core of `fit`: maximises `likelihood` over parameters named `names`,
    /// each optimised on the scale its domain says (ln θ for a positive parameter, θ itself for
    /// a free one, e.g. a covariate coefficient), from each start in turn until one converges.
    /// The covariance is (−H)⁻¹ in those coordinates, mapped to the natural scale by the delta
    /// method with the Jacobian J = diag(θ for positive, 1 for free): C = J (−H)⁻¹ J.
    public func fitParameters(_ likelihood: any LogLikelihood, names: [String], domains: [ParameterDomain],
                              starts: [[Double]], model: String) throws(EstimationError) -> ParameterFit {
        precondition(names.count == domains.count, "Give one domain per parameter.")
        let n = likelihood.observationCount
        var opts = options
        opts.gradientTolerance = relativeGradientTolerance * max(1, n)
        opts.decrementTolerance = 1e-12 * max(1, n)
        opts.maxDistanceFromStart = Self.divergenceDistance
        let maximizer = NewtonMaximizer(options: opts)
        let objective = TransformedObjective(likelihood: likelihood, domains: domains)

        var best: OptimizationResult? = nil
        for start in starts {
            let result = maximizer.maximize(objective, from: objective.coordinates(of: start))
            if result.reason == .nonFiniteStart { continue }
            if best == nil || (result.converged && !best!.converged) || (result.converged == best!.converged && result.value > best!.value) {
                best = result
            }
            if result.converged { break }
        }
        guard let result = best else { throw .nonFiniteLikelihood(model: model) }
        let theta = objective.parameters(at: result.point)
        let named = Dictionary(names.enumerated().map { ($0.element, theta[$0.offset]) }, uniquingKeysWith: { a, _ in a })
        let inDomain = zip(theta, domains).allSatisfy { v, d in v.isFinite && (d == .real || v > 0) }
        guard result.converged, inDomain else {
            throw .notConverged(model: model, reason: result.reason, iterations: result.iterations,
                                gradientNorm: result.gradientNorm, parameters: named)
        }
        var information = result.hessian
        for k in information.storage.indices { information.storage[k] = -information.storage[k] }
        guard let optimizerCovariance = try? LAPACK.inverseOfPositiveDefinite(information),
              optimizerCovariance.allFinite else {
            throw .hessianNotNegativeDefinite(model: model, parameters: named)
        }
        return ParameterFit(names: names, domains: domains, estimates: theta, logLikelihood: result.value,
                            covariance: optimizerCovariance.scaledSymmetric(by: objective.jacobianDiagonal(at: theta)),
                            optimizerCovariance: optimizerCovariance,
                            observationCount: n, rows: likelihood.rowCount, iterations: result.iterations,
                            termination: result.reason, gradientNorm: result.gradientNorm)
    }
}

/// Where a parameter lives, and so the scale the estimator optimises it on.
public enum ParameterDomain: String, Sendable, Codable, Equatable {
    /// θ > 0 (rates, shapes): optimised as ln θ, with intervals θ̂·exp(∓z·SE/θ̂).
    case positive
    /// θ ∈ ℝ (covariate coefficients): optimised as θ, with intervals θ̂ ∓ z·SE.
    case real
}

/// A converged maximum-likelihood fit, before it is bound to a model type.
public struct ParameterFit: Sendable {
    public var names: [String]
    public var domains: [ParameterDomain]
    /// θ̂ in `names` order, on the natural scale.
    public var estimates: [Double]
    public var logLikelihood: Double
    /// Covariance of θ̂ on the natural scale (delta method).
    public var covariance: Matrix
    /// Covariance in the optimiser's coordinates (ln θ for positive parameters, θ for free ones).
    public var optimizerCovariance: Matrix
    public var observationCount: Double
    public var rows: Int
    public var iterations: Int
    public var termination: TerminationReason
    public var gradientNorm: Double
    /// Equality constraints the fit was under (`--shared-covariates`); nil when none. The
    /// estimates and covariance are of every parameter, tied ones repeated.
    public var ties: TiedParameters? = nil

    /// The parameters the data determine, k in AIC = 2k − 2 LL and BIC = k ln n − 2 LL.
    public var freeParameterCount: Int { ties?.freeCount ?? names.count }

    var named: [String: Double] {
        Dictionary(names.enumerated().map { ($0.element, estimates[$0.offset]) }, uniquingKeysWith: { a, _ in a })
    }
}

/// A log-likelihood seen as a function of the optimiser's coordinates u: uᵢ = ln θᵢ for a
/// positive parameter, uᵢ = θᵢ for a free one. With dᵢ = ∂θᵢ/∂uᵢ (θᵢ or 1), the chain rule gives
/// ∂/∂uᵢ = dᵢ ∂/∂θᵢ and ∂²/∂uᵢ∂uⱼ = dᵢdⱼ ∂²/∂θᵢ∂θⱼ + δᵢⱼ [positive i] θᵢ ∂/∂θᵢ.
struct TransformedObjective: TwiceDifferentiableObjective {
    let likelihood: any LogLikelihood
    let domains: [ParameterDomain]
    var dimension: Int { domains.count }

    init(likelihood: any LogLikelihood, domains: [ParameterDomain]) {
        self.likelihood = likelihood
        self.domains = domains
    }

    func parameters(at u: [Double]) -> [Double] {
        zip(u, domains).map { $1 == .positive ? Double.exp($0) : $0 }
    }

    func coordinates(of theta: [Double]) -> [Double] {
        zip(theta, domains).map { $1 == .positive ? Double.log($0) : $0 }
    }

    /// dθᵢ/duᵢ at θ.
    func jacobianDiagonal(at theta: [Double]) -> [Double] {
        zip(theta, domains).map { $1 == .positive ? $0 : 1 }
    }

    func value(at u: [Double]) -> Double {
        let theta = parameters(at: u)
        guard zip(theta, domains).allSatisfy({ v, d in v.isFinite && (d == .real || v > 0) }) else { return -.infinity }
        return likelihood.evaluate(theta, order: .value).value
    }

    func evaluate(at u: [Double]) -> SecondOrderEvaluation {
        let theta = parameters(at: u)
        let e = likelihood.evaluate(theta, order: .hessian)
        let hTheta = e.hessian ?? Matrix(rows: dimension, columns: dimension, repeating: .nan)
        let d = jacobianDiagonal(at: theta)
        let gradient = zip(d, e.gradient).map { $0 * $1 }
        var h = hTheta.scaledSymmetric(by: d)
        for i in 0..<dimension where domains[i] == .positive { h[i, i] += gradient[i] }
        return SecondOrderEvaluation(value: e.value, gradient: gradient, hessian: h)
    }
}
