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
        let n = likelihood.observationCount
        var opts = options
        opts.gradientTolerance = relativeGradientTolerance * max(1, n)
        opts.decrementTolerance = 1e-12 * max(1, n)
        opts.maxDistanceFromStart = Self.divergenceDistance
        let maximizer = NewtonMaximizer(options: opts)
        let objective = LogScaleObjective(likelihood: likelihood, dimension: M.parameterNames.count)

        var best: OptimizationResult? = nil
        for start in M.startValues(for: data) {
            let result = maximizer.maximize(objective, from: start.map { Double.log($0) })
            if result.reason == .nonFiniteStart { continue }
            if best == nil || (result.converged && !best!.converged) || (result.converged == best!.converged && result.value > best!.value) {
                best = result
            }
            if result.converged { break }
        }
        guard let result = best else { throw .nonFiniteLikelihood(model: M.displayName) }
        let theta = result.point.map { Double.exp($0) }
        let named = Dictionary(uniqueKeysWithValues: zip(M.parameterNames, theta))
        guard result.converged, theta.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw .notConverged(model: M.displayName, reason: result.reason, iterations: result.iterations,
                                gradientNorm: result.gradientNorm, parameters: named)
        }
        var information = result.hessian
        for k in information.storage.indices { information.storage[k] = -information.storage[k] }
        guard let logCovariance = try? LAPACK.inverseOfPositiveDefinite(information),
              logCovariance.allFinite,
              let model = try? M(parameterValues: theta) else {
            throw .hessianNotNegativeDefinite(model: M.displayName, parameters: named)
        }
        return FitResult(model: model, logLikelihood: result.value,
                         covariance: logCovariance.scaledSymmetric(by: theta),
                         logParameterCovariance: logCovariance,
                         observationCount: n, rows: likelihood.rowCount,
                         iterations: result.iterations, converged: true, termination: result.reason,
                         gradientNorm: result.gradientNorm)
    }
}

/// A log-likelihood seen as a function of u = ln θ, with the chain rule applied:
/// ∂/∂u = θ ⊙ ∂/∂θ and ∂²/∂uᵢ∂uⱼ = θᵢθⱼ ∂²/∂θᵢ∂θⱼ + δᵢⱼ θᵢ ∂/∂θᵢ.
struct LogScaleObjective: TwiceDifferentiableObjective {
    let likelihood: any LogLikelihood
    let dimension: Int

    func value(at u: [Double]) -> Double {
        let theta = u.map { Double.exp($0) }
        guard theta.allSatisfy({ $0.isFinite && $0 > 0 }) else { return -.infinity }
        return likelihood.evaluate(theta, order: .value).value
    }

    func evaluate(at u: [Double]) -> SecondOrderEvaluation {
        let theta = u.map { Double.exp($0) }
        let e = likelihood.evaluate(theta, order: .hessian)
        let hTheta = e.hessian ?? Matrix(rows: dimension, columns: dimension, repeating: .nan)
        let gradient = zip(theta, e.gradient).map { $0 * $1 }
        var h = hTheta.scaledSymmetric(by: theta)
        for i in 0..<dimension { h[i, i] += gradient[i] }
        return SecondOrderEvaluation(value: e.value, gradient: gradient, hessian: h)
    }
}
