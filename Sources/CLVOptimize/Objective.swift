import CLVNumerics

/// The value, gradient and Hessian of a smooth function at one point.
public struct SecondOrderEvaluation: Sendable {
    public var value: Double
    public var gradient: [Double]
    public var hessian: Matrix

    public init(value: Double, gradient: [Double], hessian: Matrix) {
        self.value = value
        self.gradient = gradient
        self.hessian = hessian
    }

    public var isFinite: Bool {
        value.isFinite && gradient.allSatisfy(\.isFinite) && hessian.allFinite
    }
}

/// A twice-differentiable function of a real vector, to be maximised.
///
/// The optimiser knows nothing else about what it maximises: a model's log-likelihood on
/// log-parameters, a test function, anything. `value(at:)` is called by the line search and
/// may return a non-finite value to signal "outside the domain"; the step is then shortened.
public protocol TwiceDifferentiableObjective {
    /// Number of variables.
    var dimension: Int { get }
    /// f(x).
    func value(at x: [Double]) -> Double
    /// f(x), ∇f(x), ∇²f(x).
    func evaluate(at x: [Double]) -> SecondOrderEvaluation
}
