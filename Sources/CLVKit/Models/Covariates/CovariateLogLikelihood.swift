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
    /// parameter it shifts.
    let coefficientTarget: [Int]
    /// The layout the sums are accumulated in: base parameter j's block is its coordinate ln θⱼ
    /// followed by its coefficients, blocks in parameter order. A customer's contribution to
    /// row c of the Hessian (c in block P) is then
    /// `w · v_c · (Σ_Q H_u[P, Q] · mask_Q) ⊙ v`, with v the customer's Jacobian entries
    /// (1 at each block's start, the covariates after it) and mask_Q the 0/1 indicator of block
    /// Q's positions: whole rows of eight-lane vector arithmetic, the same for every customer,
    /// with no per-entry lookup of which parameter a coefficient shifts.
    /// `blockStart[j]..<blockStart[j+1]` is block j; `parameterIndex[q]` is the parameter (base,
    /// then coefficients) at position q.
    let blockStart: [Int]
    let parameterIndex: [Int]
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
        // r (index 0) is never shifted: every model's shifts are on α and the dropout parameters;
        // each shifted parameter's coefficients are contiguous (one shift per parameter, in
        // parameter order), so block j's covariates are a contiguous run of each row's values.
        precondition(!target.contains(0), "The covariate layer does not shift the first parameter.")
        precondition(target == target.sorted(), "Coefficients are grouped by the parameter they shift, in parameter order.")
        coefficientTarget = target
        var starts = [0]
        for j in 0..<4 { starts.append(starts[j] + 1 + target.count(where: { $0 == j })) }
        blockStart = starts
        parameterIndex = (0..<4).flatMap { j in [j] + target.indices.filter { target[$0] == j }.map { 4 + $0 } }
        let k = column.count
        var signed = [Double](repeating: 0, count: data.count * k)
        for (c, values) in column.enumerated() {
            for i in values.indices { signed[i * k + c] = sign[c] * values[i] }
        }
        signedCovariates = signed
    }

    /// Accumulated gradient and Hessian in φ = (ln θ, γ), in the block layout, as vectors of
    /// eight lanes: `gradient` holds ⌈D/8⌉ of them (the lanes past D are 0), `hessian` ⌈D/8⌉
    /// per row, D rows.
    struct Sums: Sendable {
        var value = 0.0
        var gradient: [SIMD8<Double>]
        var hessian: [SIMD8<Double>]
        var failed = false

        init(dimension: Int, order: DerivativeOrder) {
            let chunks = (dimension + 7) / 8
            gradient = order >= .gradient ? Array(repeating: .zero, count: chunks) : []
            hessian = order >= .hessian ? Array(repeating: .zero, count: dimension * chunks) : []
        }

        static func += (total: inout Sums, part: Sums) {
            total.value += part.value
            total.failed = total.failed || part.failed
            for c in total.gradient.indices { total.gradient[c] += part.gradient[c] }
            for c in total.hessian.indices { total.hessian[c] += part.hessian[c] }
        }
    }

    /// Σ_Q c_Q · m_Q: the lanes of block Q take c_Q.
    @inline(__always)
    static func mix(_ c: SIMD4<Double>, _ m0: SIMD8<Double>, _ m1: SIMD8<Double>, _ m2: SIMD8<Double>, _ m3: SIMD8<Double>) -> SIMD8<Double> {
        var r = c[0] * m0
        r += c[1] * m1
        r += c[2] * m2
        r += c[3] * m3
        return r
    }

    func evaluate(_ p: [Double], order: DerivativeOrder) -> LikelihoodEvaluation {
        let k = coefficientTarget.count, dim = 4 + k
        precondition(p.count == dim, "\(M.displayName) with covariates has \(dim) parameters; \(p.count) were given.")
        let logBase = (Double.log(p[0]), Double.log(p[1]), Double.log(p[2]), Double.log(p[3]))
        let gamma = Array(p[4...])
        let frequency = frequency, recency = recency, T = T, weight = weight
        let signed = signedCovariates
        let blockStart = blockStart
        // Coefficient c of block j is coefficient coefficientStart[j] + (position in block − 1).
        let coefficientStart = (0..<4).map { j in blockStart[j] - j }
        let chunks = (dim + 7) / 8
        // mask[Q * chunks + j]: lanes of chunk j in block Q.
        let mask = (0..<4 * chunks).map { qj -> SIMD8<Double> in
            let (q, j) = qj.quotientAndRemainder(dividingBy: chunks)
            return SIMD8((0..<8).map { blockStart[q]..<blockStart[q + 1] ~= 8 * j + $0 ? 1 : 0 })
        }

        // ln (r)ₓ once per distinct frequency (r is never shifted).
        let shapeTerms = groups.frequencies.map { RisingFactorial(p[0], $0, derivatives: order.rawValue) }
        let groupOfRow = groups.groupOfRow

        let parts = ChunkedSum.map(rows: frequency.count) { range -> Sums in
            var sums = Sums(dimension: dim, order: order)
            var value = 0.0, failed = false
            var gradient = sums.gradient, hessian = sums.hessian
            // This row's Jacobian entries v in the block layout (1 at each block's start, 0 past
            // D), as scalars and as vectors, and (Σ_Q H_u[P, Q] mask_Q) ⊙ v of each block P.
            var scalars = [Double](repeating: 0, count: chunks * 8)
            for j in 0..<4 { scalars[blockStart[j]] = 1 }
            var vectors = [SIMD8<Double>](repeating: .zero, count: 5 * chunks)
            gradient.withUnsafeMutableBufferPointer { G in
            hessian.withUnsafeMutableBufferPointer { H in
            scalars.withUnsafeMutableBufferPointer { S in
            vectors.withUnsafeMutableBufferPointer { W in
            mask.withUnsafeBufferPointer { mask in
            signed.withUnsafeBufferPointer { X in
            gamma.withUnsafeBufferPointer { gamma in
            blockStart.withUnsafeBufferPointer { B in
                let V = S.baseAddress!, v = W.baseAddress!, hv = v + chunks
                for i in range {
                    let xi = X.baseAddress! + i * k
                    /// u_j = ln θ_j + Σ γ_c x_c over block j's coefficients; copies the x into V.
                    @inline(__always) func shifted(_ j: Int, _ base: Double) -> Double {
                        var u = base
                        let first = B[j] + 1, c0 = coefficientStart[j]
                        for q in first..<B[j + 1] {
                            let x = xi[c0 + q - first]
                            V[q] = x
                            u += gamma[c0 + q - first] * x
                        }
                        return u
                    }
                    let u = SIMD4(logBase.0, shifted(1, logBase.1), shifted(2, logBase.2), shifted(3, logBase.3))
                    let theta = SIMD4(p[0], Double.exp(u[1]), Double.exp(u[2]), Double.exp(u[3]))
                    var t = M.customerLogLikelihoodWithoutShape(frequency: frequency[i], recency: recency[i], T: T[i],
                                                                parameters: theta, logParameters: u, order: order)
                    t.addShapeTerm(shapeTerms[Int(groupOfRow[i])])
                    if t.failed || !t.v.isFinite { failed = true; return }
                    let w = weight[i]
                    value += w * t.v
                    guard order >= .gradient else { continue }
                    let gu = SIMD4(t.g0, t.g1, t.g2, t.g3) * theta * w
                    for j in 0..<chunks {
                        let vj = UnsafeRawPointer(V + 8 * j).loadUnaligned(as: SIMD8<Double>.self)
                        v[j] = vj
                        let m = mask.baseAddress! + j
                        G[j] += Self.mix(gu, m[0], m[chunks], m[2 * chunks], m[3 * chunks]) * vj
                    }
                    guard order >= .hessian else { continue }
                    // w · H_u = w · (diag(θ) H diag(θ) + diag(g_u)), row by row.
                    let wt = w * theta
                    let h0 = theta[0] * wt * SIMD4(t.h00, t.h01, t.h02, t.h03) + SIMD4(gu[0], 0, 0, 0)
                    let h1 = theta[1] * wt * SIMD4(t.h01, t.h11, t.h12, t.h13) + SIMD4(0, gu[1], 0, 0)
                    let h2 = theta[2] * wt * SIMD4(t.h02, t.h12, t.h22, t.h23) + SIMD4(0, 0, gu[2], 0)
                    let h3 = theta[3] * wt * SIMD4(t.h03, t.h13, t.h23, t.h33) + SIMD4(0, 0, 0, gu[3])
                    for j in 0..<chunks {
                        let m = mask.baseAddress! + j
                        let (m0, m1, m2, m3) = (m[0], m[chunks], m[2 * chunks], m[3 * chunks])
                        let vj = v[j]
                        hv[j] = Self.mix(h0, m0, m1, m2, m3) * vj
                        hv[chunks + j] = Self.mix(h1, m0, m1, m2, m3) * vj
                        hv[2 * chunks + j] = Self.mix(h2, m0, m1, m2, m3) * vj
                        hv[3 * chunks + j] = Self.mix(h3, m0, m1, m2, m3) * vj
                    }
                    for P in 0..<4 {
                        let row = hv + P * chunks
                        for c in B[P]..<B[P + 1] {
                            let vc = V[c]
                            let out = H.baseAddress! + c * chunks
                            for j in 0..<chunks { out[j] += vc * row[j] }
                        }
                    }
                }
            }}}}}}}}
            sums.value = value
            sums.failed = failed
            sums.gradient = gradient
            sums.hessian = hessian
            return sums
        }
        var total = Sums(dimension: dim, order: order)
        for part in parts { total += part }
        if total.failed {
            return LikelihoodEvaluation(value: -.infinity, gradient: Array(repeating: .nan, count: dim),
                                        hessian: Matrix(rows: dim, columns: dim, repeating: .nan))
        }
        guard order >= .gradient else { return LikelihoodEvaluation(value: total.value) }
        // From the block layout to parameter order, and from φ = (ln θ, γ) back to (θ, γ):
        // dφ/dθⱼ = 1/θⱼ.
        let index = parameterIndex
        var gradientPhi = [Double](repeating: 0, count: dim)
        for q in 0..<dim { gradientPhi[index[q]] = total.gradient[q / 8][q % 8] }
        let scale = (0..<dim).map { $0 < 4 ? 1 / p[$0] : 1 }
        let gradient = (0..<dim).map { gradientPhi[$0] * scale[$0] }
        guard order >= .hessian else { return LikelihoodEvaluation(value: total.value, gradient: gradient) }
        var hessian = Matrix(rows: dim, columns: dim)
        for q in 0..<dim {
            for q2 in q..<dim {
                let (c, d) = (index[q], index[q2])
                var value = total.hessian[q * chunks + q2 / 8][q2 % 8]
                if c == d && c < 4 { value -= gradientPhi[c] }
                value *= scale[c] * scale[d]
                hessian[c, d] = value
                hessian[d, c] = value
            }
        }
        return LikelihoodEvaluation(value: total.value, gradient: gradient, hessian: hessian)
    }
}
