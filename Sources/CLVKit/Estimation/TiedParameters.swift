import CLVNumerics

/// Equality constraints among a likelihood's parameters: groups of parameters that take one
/// value. CLVTools' `names.cov.constr` (one coefficient for a covariate in every process it
/// shifts, `--shared-covariates`) is this. The fit runs on the reduced parameters ψ, one per
/// group (the group's first member) and one per untied parameter; the full parameters are
/// p = Jψ with J a 0/1 matrix (row j has its 1 in column `reducedIndex[j]`), a linear map, so
/// ```
/// ∇_ψ = Jᵀ ∇_p,   ∇²_ψ = Jᵀ ∇²_p J,   Σ_p = J Σ_ψ Jᵀ
/// ```
/// exactly (no second-derivative term). Σ_p is singular: tied parameters are perfectly
/// correlated, which is what they are.
public struct TiedParameters: Sendable, Equatable {
    /// The full dimension.
    public let count: Int
    /// For each full parameter, the index of its reduced parameter.
    public let reducedIndex: [Int]
    /// For each reduced parameter, the full parameter that represents it (its group's first).
    public let representative: [Int]

    /// - Parameter groups: disjoint sets of full indices (each of two or more) that share a value.
    public init(count: Int, groups: [[Int]]) {
        var owner = Array(0..<count)
        for group in groups {
            let first = group.min()!
            for j in group {
                precondition(owner[j] == j, "Parameter \(j) is in two tied groups.")
                owner[j] = first
            }
            owner[first] = first
        }
        var reducedOf = [Int](repeating: -1, count: count), representative: [Int] = []
        for j in 0..<count where owner[j] == j {
            reducedOf[j] = representative.count
            representative.append(j)
        }
        self.count = count
        self.representative = representative
        reducedIndex = owner.map { reducedOf[$0] }
    }

    /// No constraint.
    public init(count: Int) { self.init(count: count, groups: []) }

    /// Parameters the data determine: the reduced dimension (what AIC and BIC count).
    public var freeCount: Int { representative.count }
    public var isTrivial: Bool { freeCount == count }

    /// The full parameters p = Jψ.
    public func expand<T>(_ reduced: [T]) -> [T] { reducedIndex.map { reduced[$0] } }

    /// The reduced parameters (or names, domains) of full ones that satisfy the ties: each group's first.
    public func reduce<T>(_ full: [T]) -> [T] { representative.map { full[$0] } }

    /// Jᵀ g.
    public func reduceGradient(_ g: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: freeCount)
        for j in 0..<count { out[reducedIndex[j]] += g[j] }
        return out
    }

    /// Jᵀ H J.
    public func reduceHessian(_ h: Matrix) -> Matrix {
        var out = Matrix(rows: freeCount, columns: freeCount)
        for j in 0..<count {
            for k in 0..<count { out[reducedIndex[j], reducedIndex[k]] += h[j, k] }
        }
        return out
    }

    /// J Σ Jᵀ.
    public func expandCovariance(_ sigma: Matrix) -> Matrix {
        var out = Matrix(rows: count, columns: count)
        for j in 0..<count {
            for k in 0..<count { out[j, k] = sigma[reducedIndex[j], reducedIndex[k]] }
        }
        return out
    }

    /// The submatrix of the representatives: the covariance of the reduced parameters, which
    /// is non-singular when the fit is (what a condition number should be taken of).
    public func reduceCovariance(_ sigma: Matrix) -> Matrix {
        var out = Matrix(rows: freeCount, columns: freeCount)
        for (a, j) in representative.enumerated() {
            for (b, k) in representative.enumerated() { out[a, b] = sigma[j, k] }
        }
        return out
    }
}

/// A log-likelihood of the reduced parameters ψ of `ties`: the base likelihood at p = Jψ.
struct TiedLogLikelihood: LogLikelihood {
    let base: any LogLikelihood
    let ties: TiedParameters
    var observationCount: Double { base.observationCount }
    var rowCount: Int { base.rowCount }

    func evaluate(_ psi: [Double], order: DerivativeOrder) -> LikelihoodEvaluation {
        let e = base.evaluate(ties.expand(psi), order: order)
        guard order >= .gradient, !e.gradient.isEmpty else { return LikelihoodEvaluation(value: e.value) }
        let gradient = ties.reduceGradient(e.gradient)
        guard order >= .hessian, let h = e.hessian else { return LikelihoodEvaluation(value: e.value, gradient: gradient) }
        return LikelihoodEvaluation(value: e.value, gradient: gradient, hessian: ties.reduceHessian(h))
    }
}
