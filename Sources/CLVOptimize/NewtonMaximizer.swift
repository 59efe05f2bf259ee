import CLVNumerics

/// Settings of the Newton maximiser. Defaults suit summed log-likelihoods on log-parameters.
public struct NewtonOptions: Sendable {
    /// Converged when the largest gradient component is at most this (absolute).
    public var gradientTolerance: Double
    /// …or when the Hessian is negative definite and the Newton decrement ½ gᵀ(−H)⁻¹g — the
    /// predicted remaining increase of f — is at most this (absolute). Scale-free in x.
    public var decrementTolerance: Double
    public var maxIterations: Int
    /// Largest allowed change of any coordinate in one step (a trust-region-like cap: on
    /// log-parameters, 3 means a factor e³ ≈ 20 at most).
    public var maxStep: Double
    /// Step halvings in the backtracking line search before giving up on a direction.
    public var maxHalvings: Int
    /// Stop with `.diverged` once any coordinate is farther than this from its start value: the
    /// iterates are running off to infinity (an optimum at the edge of the parameter space).
    /// Unlimited by default.
    public var maxDistanceFromStart: Double

    public init(gradientTolerance: Double = 1e-6, decrementTolerance: Double = 1e-10,
                maxIterations: Int = 200, maxStep: Double = 3, maxHalvings: Int = 60,
                maxDistanceFromStart: Double = .infinity) {
        self.gradientTolerance = gradientTolerance
        self.decrementTolerance = decrementTolerance
        self.maxIterations = maxIterations
        self.maxStep = maxStep
        self.maxHalvings = maxHalvings
        self.maxDistanceFromStart = maxDistanceFromStart
    }
}

/// Why the maximiser stopped.
public enum TerminationReason: String, Sendable, Codable {
    /// The gradient is below `gradientTolerance`.
    case gradientTolerance = "gradient-tolerance"
    /// The Newton decrement is below `decrementTolerance` at a negative-definite Hessian.
    case newtonDecrement = "newton-decrement"
    /// `maxIterations` steps were taken without meeting a convergence test.
    case maxIterations = "max-iterations"
    /// No step along the search direction increased f.
    case lineSearchFailed = "line-search-failed"
    /// f, its gradient or Hessian was NaN or infinite at the start.
    case nonFiniteStart = "non-finite-start"
    /// The Hessian could not be decomposed (LAPACK failure on a non-finite matrix).
    case linearAlgebraFailed = "linear-algebra-failed"
    /// A coordinate moved farther than `maxDistanceFromStart` from its start: the supremum is
    /// approached at infinity, not attained.
    case diverged = "diverged"

    /// Whether the point returned is a (numerical) local maximum.
    public var isConverged: Bool { self == .gradientTolerance || self == .newtonDecrement }
}

/// The outcome of a maximisation: data, not a print (statsmodels' `mle_retvals`).
public struct OptimizationResult: Sendable {
    public var point: [Double]
    public var value: Double
    public var gradient: [Double]
    public var hessian: Matrix
    public var iterations: Int
    /// Function evaluations (value-only and full) in total.
    public var evaluations: Int
    public var reason: TerminationReason
    public var converged: Bool { reason.isConverged }
    /// Largest absolute gradient component at `point`.
    public var gradientNorm: Double { gradient.map(abs).max() ?? 0 }
}

/// Maximises a twice-differentiable function by Newton's method with a backtracking line
/// search (Nocedal & Wright 2006, Algorithms 3.1 and 3.2 with the modified-Hessian strategy of §3.4).
///
/// Each step solves (−H) d = g. Where −H is positive definite this uses its Cholesky factor
/// (LAPACK dpotrf/dpotrs); elsewhere (far from the optimum, where the log-likelihood need not be
/// concave) −H is eigen-decomposed (dsyev) and its eigenvalues replaced by max(|λ|, δ), which
/// gives an ascent direction that still follows the curvature. The step is capped at
/// `maxStep` per coordinate and shortened by halving until the Armijo condition holds.
public struct NewtonMaximizer: Sendable {
    public var options: NewtonOptions

    public init(options: NewtonOptions = NewtonOptions()) { self.options = options }

    public func maximize(_ f: some TwiceDifferentiableObjective, from start: [Double]) -> OptimizationResult {
        precondition(start.count == f.dimension, "The start point has \(start.count) coordinates; the objective has \(f.dimension).")
        var x = start
        var e = f.evaluate(at: x)
        var evaluations = 1
        func result(_ reason: TerminationReason, _ iterations: Int) -> OptimizationResult {
            OptimizationResult(point: x, value: e.value, gradient: e.gradient, hessian: e.hessian,
                               iterations: iterations, evaluations: evaluations, reason: reason)
        }
        guard e.isFinite else { return result(.nonFiniteStart, 0) }

        for iteration in 0..<options.maxIterations {
            let gNorm = e.gradient.map(abs).max() ?? 0
            if gNorm <= options.gradientTolerance { return result(.gradientTolerance, iteration) }

            guard let (direction, positiveDefinite) = try? Self.ascentDirection(hessian: e.hessian, gradient: e.gradient) else {
                return result(.linearAlgebraFailed, iteration)
            }
            let slope = zip(e.gradient, direction).reduce(0) { $0 + $1.0 * $1.1 }
            if positiveDefinite && slope / 2 <= options.decrementTolerance {
                return result(.newtonDecrement, iteration)
            }
            var d = direction
            let longest = d.map(abs).max() ?? 0
            if longest > options.maxStep { d = d.map { $0 * options.maxStep / longest } }
            let dSlope = zip(e.gradient, d).reduce(0) { $0 + $1.0 * $1.1 }

            // The full step is evaluated with derivatives straight away: near the optimum it is
            // nearly always accepted, and this saves evaluating f twice at the same point.
            var t = 1.0
            var accepted: (point: [Double], evaluation: SecondOrderEvaluation?)? = nil
            for halving in 0...options.maxHalvings {
                let trial = zip(x, d).map { $0 + t * $1 }
                let full = halving == 0 ? f.evaluate(at: trial) : nil
                let v = full?.value ?? f.value(at: trial)
                evaluations += 1
                if v.isFinite && v >= e.value + 1e-4 * t * dSlope {
                    accepted = (trial, full)
                    break
                }
                t /= 2
            }
            guard let (next, known) = accepted else {
                // No increase is possible along an ascent direction: at the limit of floating-point
                // resolution this is a maximum; the caller sees the gradient and decides.
                return result(.lineSearchFailed, iteration)
            }
            let candidate: SecondOrderEvaluation
            if let known {
                candidate = known
            } else {
                candidate = f.evaluate(at: next)
                evaluations += 1
            }
            guard candidate.isFinite else { return result(.lineSearchFailed, iteration) }
            x = next
            e = candidate
            if zip(x, start).contains(where: { abs($0 - $1) > options.maxDistanceFromStart }) {
                return result(.diverged, iteration + 1)
            }
        }
        let gNorm = e.gradient.map(abs).max() ?? 0
        return result(gNorm <= options.gradientTolerance ? .gradientTolerance : .maxIterations, options.maxIterations)
    }

    /// Solves (−H) d = g, modifying −H to be positive definite where it is not.
    /// Returns the direction and whether −H was positive definite as it stood.
    static func ascentDirection(hessian: Matrix, gradient: [Double]) throws -> ([Double], Bool) {
        var negH = hessian
        for k in negH.storage.indices { negH.storage[k] = -negH.storage[k] }
        if let factor = try? LAPACK.cholesky(negH) {
            return (LAPACK.choleskySolve(factor: factor, gradient), true)
        }
        let (values, vectors) = try LAPACK.symmetricEigen(negH)
        let largest = values.map(abs).max() ?? 1
        let floor = max(largest * 1e-8, 1e-12)
        let n = gradient.count
        var d = [Double](repeating: 0, count: n)
        for k in 0..<n {
            var proj = 0.0
            for i in 0..<n { proj += vectors[i, k] * gradient[i] }
            let scale = proj / max(abs(values[k]), floor)
            for i in 0..<n { d[i] += scale * vectors[i, k] }
        }
        return (d, false)
    }
}
