import CLVNumerics
import RealModule

/// Covariate values per customer for one process: `columns[k][i]` is covariate `names[k]` of
/// row i of the purchase history it belongs to.
public struct CovariateColumns: Sendable, Equatable {
    public var names: [String]
    public var columns: [[Double]]

    public init(names: [String], columns: [[Double]]) {
        precondition(names.count == columns.count, "One name per covariate column.")
        self.names = names
        self.columns = columns
    }

    public static let none = CovariateColumns(names: [], columns: [])
    public var count: Int { names.count }
}

/// The covariates of every customer, by process, row-aligned with a purchase history.
public struct CovariateDesign: Sendable, Equatable {
    public var purchase: CovariateColumns
    public var dropout: CovariateColumns

    public init(purchase: CovariateColumns, dropout: CovariateColumns) {
        self.purchase = purchase
        self.dropout = dropout
    }

    public func columns(of process: CovariateProcess) -> CovariateColumns {
        process == .purchase ? purchase : dropout
    }

    /// The parameter layout of model `M` with these covariates: the base parameters, then for
    /// each shifted parameter (in `M.covariateShifts` order) one coefficient per covariate of
    /// its process, named `<parameter>.<covariate>`.
    public func parameterNames<M: CovariatePurchaseModel>(_ type: M.Type) -> [String] {
        M.parameterNames(purchase: purchase.names, dropout: dropout.names)
    }

    public func parameterDomains<M: CovariatePurchaseModel>(_ type: M.Type) -> [ParameterDomain] {
        M.parameterDomains + Array(repeating: .real, count: parameterNames(type).count - M.parameterNames.count)
    }

    /// The equality constraints of `shared` covariates in `M`'s parameter layout: for each, its
    /// coefficients on every parameter it shifts (`<parameter>.<covariate>`) are one.
    public func sharedCoefficients<M: CovariatePurchaseModel>(_ type: M.Type, shared: [String]) -> TiedParameters {
        M.sharedCoefficients(purchase: purchase.names, dropout: dropout.names, shared: shared)
    }
}

/// The log-likelihood of a covariate model (EXTENSIONS.md §1): the base model's likelihood of each
/// customer at their own parameters,
/// ```
/// ln θᵢⱼ = ln θⱼ + signⱼ · γⱼᵀxᵢ          (j a shifted parameter; θᵢⱼ = θⱼ otherwise)
/// LL = Σᵢ wᵢ ln L(θᵢ | xᵢ, t_x,ᵢ, Tᵢ)
/// ```
/// with derivatives by the chain rule. In u = ln θᵢ the per-customer gradient and Hessian are
/// g_u = θᵢ ⊙ g and H_u = diag(θᵢ) H diag(θᵢ) + diag(g_u), and uᵢ is linear in the coordinates
/// φ = (ln θ, γ): ∂uᵢⱼ/∂ln θⱼ = 1, ∂uᵢⱼ/∂γⱼₖ = signⱼ xᵢₖ. Each column c of that Jacobian has one
/// non-zero entry vᵢ,c in row p(c), so ∇_φ = Σ wᵢ vᵢ,c g_u[p(c)] and
/// ∇²_φ[c, d] = Σ wᵢ vᵢ,c vᵢ,d H_u[p(c), p(d)]. The result is returned in the natural
/// parameters (θ, γ) the estimator expects: ∂/∂θⱼ = (1/θⱼ) ∂/∂ln θⱼ, and so on.
///
/// With every coefficient 0 each customer's terms are the base model's: the same likelihood as
/// the model without covariates (to rounding; the base likelihood groups its Γ terms by frequency).
struct CovariateLogLikelihood<M: CovariatePurchaseModel>: LogLikelihood {
    let frequency: [Double]
    let recency: [Double]
    let T: [Double]
    let weight: [Double]
    /// Per coefficient (in parameter order after the base parameters): the index of the base
    /// parameter it shifts, its sign and the covariate column.
    let coefficientTarget: [Int]
    let coefficientSign: [Double]
    /// sign · x of every row and coefficient, row-major (row i's k values contiguous): the
    /// non-zero Jacobian entries ∂uᵢ/∂γ, read once per row.
    let signedCovariates: [Double]
    let observationCount: Double
    /// Customers by frequency: the shape term ln Γ(r+x) − ln Γ(r) is computed once per group.
    let groups: FrequencyGroups
    var rowCount: Int { frequency.count }

    init(_ data: PurchaseHistory, design: CovariateDesign) {
        frequency = data.frequency
        recency = data.recency
        T = data.T
        weight = data.weight
        observationCount = data.customerCount
        groups = FrequencyGroups(frequency: data.frequency, weight: data.weight)
        var target: [Int] = [], sign: [Double] = [], column: [[Double]] = []
        for (shift, j) in zip(M.covariateShifts, M.shiftedParameterIndices) {
            for c in design.columns(of: shift.process).columns {
                precondition(c.count == data.count, "A covariate column must have one value per row of the purchase history.")
                target.append(j); sign.append(shift.sign); column.append(c)
            }
        }
        coefficientTarget = target
        coefficientSign = sign
        let k = column.count
        var signed = [Double](repeating: 0, count: data.count * k)
        for (c, values) in column.enumerated() {
            for i in values.indices { signed[i * k + c] = sign[c] * values[i] }
        }
        signedCovariates = signed
    }

    /// Accumulated gradient and Hessian in φ = (ln θ, γ), row-major D × D.
    struct Sums: Sendable {
        var value = 0.0
        var gradient: [Double]
        var hessian: [Double]
        var failed = false

        init(dimension: Int, order: DerivativeOrder) {
            gradient = order >= .gradient ? Array(repeating: 0, count: dimension) : []
            hessian = order >= .hessian ? Array(repeating: 0, count: dimension * dimension) : []
        }
    }

    func evaluate(_ p: [Double], order: DerivativeOrder) -> LikelihoodEvaluation {
        let k = coefficientTarget.count, dim = 4 + k
        precondition(p.count == dim, "\(M.displayName) with covariates has \(dim) parameters; \(p.count) were given.")
        // r (index 0) is never shifted: every model's shifts are on α and the dropout parameters.
        precondition(!coefficientTarget.contains(0), "The covariate layer does not shift the first parameter.")
        let logBase = SIMD4(Double.log(p[0]), Double.log(p[1]), Double.log(p[2]), Double.log(p[3]))
        let gamma = Array(p[4...])
        let frequency = frequency, recency = recency, T = T, weight = weight
        let target = coefficientTarget, signed = signedCovariates
        // Row p(c) of the Jacobian's column c.
        let rowOf = [0, 1, 2, 3] + target

        // ln (r)ₓ once per distinct frequency (r is never shifted).
        let shapeTerms = groups.frequencies.map { RisingFactorial(p[0], $0, derivatives: order.rawValue) }
        let groupOfRow = groups.groupOfRow

        let parts = ChunkedSum.map(rows: frequency.count) { range -> Sums in
            var sums = Sums(dimension: dim, order: order)
            var value = 0.0, failed = false
            var gradient = sums.gradient, hessian = sums.hessian
            var v = [Double](repeating: 1, count: dim)
            gradient.withUnsafeMutableBufferPointer { G in
            hessian.withUnsafeMutableBufferPointer { H in
            v.withUnsafeMutableBufferPointer { V in
            signed.withUnsafeBufferPointer { X in
            gamma.withUnsafeBufferPointer { gamma in
            rowOf.withUnsafeBufferPointer { rowOf in
            target.withUnsafeBufferPointer { target in
                for i in range {
                    var u = logBase
                    let xi = X.baseAddress! + i * k
                    for c in 0..<k {
                        V[4 + c] = xi[c]
                        u[target[c]] += gamma[c] * xi[c]
                    }
                    let theta = SIMD4(p[0], Double.exp(u[1]), Double.exp(u[2]), Double.exp(u[3]))
                    var t = M.customerLogLikelihoodWithoutShape(frequency: frequency[i], recency: recency[i], T: T[i],
                                                                parameters: theta, logParameters: u, order: order)
                    t.addShapeTerm(shapeTerms[Int(groupOfRow[i])])
                    if t.failed || !t.v.isFinite { failed = true; return }
                    let w = weight[i]
                    value += w * t.v
                    guard order >= .gradient else { continue }
                    let gu = SIMD4(t.g0, t.g1, t.g2, t.g3) * theta
                    for c in 0..<dim { G[c] += w * V[c] * gu[rowOf[c]] }
                    guard order >= .hessian else { continue }
                    // H_u = diag(θ) H diag(θ) + diag(g_u), row by row.
                    var hu = (theta[0] * theta * SIMD4(t.h00, t.h01, t.h02, t.h03),
                              theta[1] * theta * SIMD4(t.h01, t.h11, t.h12, t.h13),
                              theta[2] * theta * SIMD4(t.h02, t.h12, t.h22, t.h23),
                              theta[3] * theta * SIMD4(t.h03, t.h13, t.h23, t.h33))
                    hu.0[0] += gu[0]; hu.1[1] += gu[1]; hu.2[2] += gu[2]; hu.3[3] += gu[3]
                    for c in 0..<dim {
                        let wc = w * V[c]
                        let row: SIMD4<Double>
                        switch rowOf[c] { case 0: row = hu.0; case 1: row = hu.1; case 2: row = hu.2; default: row = hu.3 }
                        let out = H.baseAddress! + c * dim
                        for d in c..<dim { out[d] += wc * V[d] * row[rowOf[d]] }
                    }
                }
            }}}}}}}
            sums.value = value
            sums.failed = failed
            sums.gradient = gradient
            sums.hessian = hessian
            return sums
        }
        var total = Sums(dimension: dim, order: order)
        for part in parts {
            total.value += part.value
            total.failed = total.failed || part.failed
            for c in total.gradient.indices { total.gradient[c] += part.gradient[c] }
            for c in total.hessian.indices { total.hessian[c] += part.hessian[c] }
        }
        if total.failed {
            return LikelihoodEvaluation(value: -.infinity, gradient: Array(repeating: .nan, count: dim),
                                        hessian: Matrix(rows: dim, columns: dim, repeating: .nan))
        }
        guard order >= .gradient else { return LikelihoodEvaluation(value: total.value) }
        // From φ = (ln θ, γ) back to (θ, γ): dφ/dθⱼ = 1/θⱼ.
        let scale = (0..<dim).map { $0 < 4 ? 1 / p[$0] : 1 }
        let gradient = (0..<dim).map { total.gradient[$0] * scale[$0] }
        guard order >= .hessian else { return LikelihoodEvaluation(value: total.value, gradient: gradient) }
        var hessian = Matrix(rows: dim, columns: dim)
        for c in 0..<dim {
            for d in c..<dim {
                var value = total.hessian[c * dim + d]
                if c == d && c < 4 { value -= total.gradient[c] }
                value *= scale[c] * scale[d]
                hessian[c, d] = value
                hessian[d, c] = value
            }
        }
        return LikelihoodEvaluation(value: total.value, gradient: gradient, hessian: hessian)
    }
}
