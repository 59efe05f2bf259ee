import CLVNumerics
import RealModule

/// The beta-geometric/beta-Bernoulli model of repeat transactions at discrete opportunities
/// (Fader, Hardie & Shang 2010, "Customer-Base Analysis in a Discrete-Time Noncontractual
/// Setting", Marketing Science 29(6), 1086–1108; "FHS 2010" below).
///
/// Time is a sequence of transaction opportunities 1, 2, … (an annual appeal, a weekly
/// event). At the start of each opportunity an active customer becomes inactive for good with
/// probability θ ~ Beta(γ, δ); while active they transact at an opportunity with probability
/// p ~ Beta(α, β). Parameters α, β (transaction probability) and γ, δ (dropout), as in
/// lifetimes' `BetaGeoBetaBinomFitter` and BTYD's `bgbb.*`.
///
/// **Data.** It reuses `PurchaseHistory` with the discrete meaning of its columns:
/// - `frequency` = x, the number of repeat transactions (opportunities with a transaction),
/// - `recency` = t_x, the opportunity of the last transaction (0 when x = 0),
/// - `T` = n, the number of opportunities observed,
/// exactly lifetimes' `frequency, recency, periods` (datasets/donations.csv). Besides
/// `PurchaseHistory`'s own checks, t_x and n must be whole numbers, x ≤ t_x (x transactions
/// need x opportunities) and n ≤ 100,000: `BGBB.validate(_:source:)` checks this with a message
/// naming the row.
/// The likelihood builder cannot throw (`FittableModel.logLikelihood(of:)`), so on data that
/// fails the check it returns a likelihood that evaluates to NaN and the estimator stops with
/// `EstimationError.nonFiniteLikelihood`; call `validate` first for the precise message.
/// Predictions on such inputs are NaN (`probabilityAlive`) or throw (`expectedPurchases`).
public struct BGBB: PurchaseModel, PurchaseCountDistribution, Equatable {
    public static let identifier = "bgbb"
    public static let displayName = "BG/BB"
    public static let parameterNames = ["alpha", "beta", "gamma", "delta"]
    /// Time counts discrete opportunities: a summary's T is the number of opportunities n.
    public static var isDiscreteTime: Bool { true }

    public let alpha: Double
    public let beta: Double
    public let gamma: Double
    public let delta: Double

    public init(alpha: Double, beta: Double, gamma: Double, delta: Double) throws(ModelError) {
        try self.init(parameterValues: [alpha, beta, gamma, delta])
    }

    public init(parameterValues: [Double]) throws(ModelError) {
        let v = try Self.validated(parameterValues)
        (alpha, beta, gamma, delta) = (v[0], v[1], v[2], v[3])
    }

    public var parameterValues: [Double] { [alpha, beta, gamma, delta] }

    /// Checks the discrete reading of a purchase history: t_x and n whole numbers, x ≤ t_x,
    /// n ≤ 100,000; the error names the first failing row and column.
    /// (x whole, 0 ≤ t_x ≤ n and x = 0 ⇒ t_x = 0 are already `PurchaseHistory` invariants.)
    public static func validate(_ data: PurchaseHistory, source: String = "the summary") throws(DataError) {
        if let problem = BGBBLogLikelihood.firstProblem(data) {
            throw DataError(file: source, field: problem.field, message: problem.message)
        }
    }

    /// Start points: BTYD's default (1, 1, 1, 1); then the transaction probability matched to the
    /// data's Σx / Σt_x (the share of opportunities up to the last transaction that have one)
    /// with BTYD's example dropout (γ, δ) = (0.5, 3); then a flat, heterogeneous start.
    public static func startValues(for data: PurchaseHistory) -> [[Double]] {
        var sx = 0.0, st = 0.0
        for i in 0..<data.count {
            sx += data.weight[i] * data.frequency[i]
            st += data.weight[i] * data.recency[i]
        }
        let share = st > 0 ? min(max(sx / st, 0.05), 0.95) : 0.5
        return [[1, 1, 1, 1], [2 * share, 2 * (1 - share), 0.5, 3], [0.5, 0.5, 0.5, 0.5]]
    }

    public static func logLikelihood(of data: PurchaseHistory) -> any LogLikelihood {
        BGBBLogLikelihood(data)
    }

    // MARK: Predictions

    /// ln L(α, β, γ, δ | x, t_x, n) for one customer (FHS 2010 eq. 5; DESIGN.md §2):
    /// ```
    /// L = B(α+x, β+n−x)/B(α,β) · B(γ, δ+n)/B(γ,δ)
    ///   + Σ_{i=0}^{n−t_x−1} B(α+x, β+t_x−x+i)/B(α,β) · B(γ+1, δ+t_x+i)/B(γ,δ)
    /// ```
    /// (alive through opportunity n, or active through t_x+i and dropped out at the start of
    /// t_x+i+1), with ln B from `Special.logBeta` and the terms combined by log-sum-exp.
    /// NaN when x, t_x, n are not whole numbers with 0 ≤ x ≤ t_x ≤ n (x = 0 ⇒ t_x = 0).
    public func logLikelihood(frequency x: Double, recency tx: Double, opportunities n: Double) -> Double {
        guard Self.isValidCustomer(x, tx, n) else { return .nan }
        var terms = [Special.logBeta(alpha + x, beta + n - x) + Special.logBeta(gamma, delta + n)]
        var i = 0.0
        while tx + i <= n - 1 {
            terms.append(Special.logBeta(alpha + x, beta + tx - x + i) + Special.logBeta(gamma + 1, delta + tx + i))
            i += 1
        }
        return LogSpace.sum(terms) - Special.logBeta(alpha, beta) - Special.logBeta(gamma, delta)
    }

    /// P(alive at opportunity n+1 | x, t_x, n): the customer will still be active at the next
    /// opportunity. This is FHS 2010's P(alive) (the quantity of its Table 6, BTYD's
    /// `bgbb.PAlive`, lifetimes' `conditional_probability_alive(1, …)`):
    /// ```
    /// B(α+x, β+n−x)/B(α,β) · B(γ, δ+n+1)/B(γ,δ) / L(α, β, γ, δ | x, t_x, n)
    /// ```
    /// In a discrete model "alive now" must say at which opportunity; the next one is the one a
    /// forecast starts from, and it matches the published numbers. `probabilityAlive(after:…)`
    /// gives any other. NaN for inputs that are not a valid discrete history (see the type).
    public func probabilityAlive(frequency x: Double, recency tx: Double, T n: Double) -> Double {
        probabilityAlive(after: 1, frequency: x, recency: tx, opportunities: n)
    }

    /// P(a transaction at one of the next t opportunities | x, t_x, n) = P(alive at n) ·
    /// Σ_{j=1}^{t} E[(1−θ)ʲ] · E[p(1−p)^(j−1)]: a customer alive at n makes their first
    /// transaction at opportunity n+j when they survive j more opportunities and transact at the
    /// j-th only, with θ | alive ~ Beta(γ, δ+n) and p | alive ~ Beta(α+x, β+n−x) independent:
    /// ```
    /// E[(1−θ)ʲ] = Π_{i<j} (δ+n+i)/(γ+δ+n+i),   E[p(1−p)^(j−1)] = (α+x)/(α+β+n) · Π_{i<j−1} (β+n−x+i)/(α+β+n+1+i)
    /// ```
    /// Products of factors in (0, 1) and a sum of positive terms: no cancellation. `t` must be a
    /// whole number of opportunities.
    public func probabilityOfPurchase(within t: Double, frequency x: Double, recency tx: Double, T n: Double) throws(ModelError) -> Double {
        guard Self.isValidCustomer(x, tx, n) else {
            throw .undefinedPrediction(model: Self.displayName, reason: "(x, t_x, n) = (\(x), \(tx), \(n)) is not a discrete history: x, t_x and n must be whole numbers with x ≤ t_x ≤ n (x = 0 ⇒ t_x = 0).")
        }
        guard t == t.rounded(), t <= 1_000_000 else {
            throw .undefinedPrediction(model: Self.displayName, reason: "the chance of a transaction within \(t) opportunities needs a whole number of opportunities (at most 1,000,000).")
        }
        guard t > 0 else { return 0 }
        let a = alpha + x, b = beta + n - x, d = delta + n
        var survive = 1.0, noneYet = a / (a + b), sum = 0.0
        for j in 0..<Int(t) {
            let i = Double(j)
            survive *= (d + i) / (gamma + d + i)
            if j > 0 { noneYet *= (b + i - 1) / (a + b + i) }
            sum += survive * noneYet
        }
        return min(1, probabilityAlive(after: 0, frequency: x, recency: tx, opportunities: n) * sum)
    }

    /// P(alive at opportunity n+m | x, t_x, n) for m ≥ 0 (m = 0: alive at opportunity n;
    /// lifetimes' `conditional_probability_alive(m, …)`, FHS 2010 appendix):
    /// B(α+x, β+n−x)/B(α,β) · B(γ, δ+n+m)/B(γ,δ) / L. Clamped to [0, 1] against rounding.
    ///
    /// The ln B differences lose ε·|ln Γ(α+β+n)| absolute (6e-3 at α = β = 10¹²), so where that is
    /// above 1e-13 (α+β+n or γ+δ+n beyond ~150, or α, β, γ, δ below ~1e-300) the ratios are taken
    /// as products of factors in (0, 1) instead (`logPosteriorTerms`), good to ~1e-14·n relative.
    public func probabilityAlive(after m: Double, frequency x: Double, recency tx: Double, opportunities n: Double) -> Double {
        guard m >= 0 else { return .nan }
        if Self.isValidCustomer(x, tx, n), m == m.rounded(), m <= 100_000, !betaDifferencesAreAccurate(n + m) {
            let (logAlive, logL) = logPosteriorTerms(x: Int(x), tx: Int(tx), n: Int(n), m: Int(m))
            return min(1, Double.exp(logAlive - logL))
        }
        let logL = logLikelihood(frequency: x, recency: tx, opportunities: n)
        guard logL.isFinite else { return .nan }
        let logAlive = Special.logBeta(alpha + x, beta + n - x) - Special.logBeta(alpha, beta)
            + Special.logBeta(gamma, delta + n + m) - Special.logBeta(gamma, delta)
        return min(1, Double.exp(logAlive - logL))
    }

    /// E[X(n, n+t) | x, t_x, n], the expected number of transactions at the next t opportunities
    /// (FHS 2010 eq. 13; lifetimes' `conditional_expected_number_of_purchases_up_to_time`):
    /// ```
    /// 1/L · B(α+x+1, β+n−x)/B(α,β) · Σ_{s=1}^{t} B(γ, δ+n+s)/B(γ,δ)
    /// = (α+x)/(α+β+n) · P(alive at n) · Σ_{s=1}^{t} B(γ, δ+n+s)/B(γ, δ+n)
    /// ```
    /// read as: the posterior mean transaction probability of a customer alive at n, times the
    /// probability that they are, times the expected number of the next t opportunities at which
    /// they are still alive (θ | alive at n ~ Beta(γ, δ+n)). The sum is FHS 2010's closed form
    /// δ'/(γ−1) · [1 − Γ(γ+δ')Γ(1+δ'+t) / (Γ(γ+δ'+t)Γ(1+δ'))] with δ' = δ+n; see
    /// `expectedOpportunitiesAlive` for how it is evaluated. `t` is a number of opportunities;
    /// whole t is exact, fractional t the closed form's interpolation.
    /// Throws for inputs that are not a valid discrete history and when γ = 1 with fractional t.
    public func expectedPurchases(within t: Double, frequency x: Double, recency tx: Double, T n: Double) throws(ModelError) -> Double {
        guard Self.isValidCustomer(x, tx, n) else {
            throw .undefinedPrediction(model: Self.displayName, reason: "(x, t_x, n) = (\(x), \(tx), \(n)) is not a discrete history: x, t_x and n must be whole numbers with x ≤ t_x ≤ n (x = 0 ⇒ t_x = 0).")
        }
        guard t > 0 else { return 0 }
        let aliveNow = probabilityAlive(after: 0, frequency: x, recency: tx, opportunities: n)
        return (alpha + x) / (alpha + beta + n) * aliveNow * (try expectedOpportunitiesAlive(after: n, within: t))
    }

    /// E[X(t)], the expected number of transactions at the first t opportunities of a customer
    /// who has just made their first transaction (FHS 2010 §3, the mean of its eq. 7):
    /// ```
    /// α/(α+β) · δ/(γ−1) · [1 − Γ(γ+δ)Γ(1+δ+t) / (Γ(γ+δ+t)Γ(1+δ))] = α/(α+β) · Σ_{s=1}^{t} B(γ, δ+s)/B(γ,δ)
    /// ```
    public func expectedPurchasesOfNewCustomer(within t: Double) throws(ModelError) -> Double {
        guard t > 0 else { return 0 }
        return alpha / (alpha + beta) * (try expectedOpportunitiesAlive(after: 0, within: t))
    }

    /// P(X(n) = x): the probability that a new customer transacts at exactly x of the first n
    /// opportunities (FHS 2010 eq. 7, lifetimes' `expected_number_of_transactions_in_first_n_periods`
    /// divided by the number of customers):
    /// ```
    /// C(n,x) B(α+x, β+n−x)/B(α,β) · B(γ, δ+n)/B(γ,δ) + Σ_{i=x}^{n−1} C(i,x) B(α+x, β+i−x)/B(α,β) · B(γ+1, δ+i)/B(γ,δ)
    /// ```
    /// 0 for x > n; NaN unless x and n are whole numbers ≥ 0.
    public func probabilityOfPurchases(_ x: Int, inFirst n: Int) -> Double {
        guard x >= 0, n >= 0 else { return .nan }
        guard x <= n else { return 0 }
        func logChoose(_ k: Int, _ j: Int) -> Double {
            Special.logGamma(Double(k + 1)) - Special.logGamma(Double(j + 1)) - Special.logGamma(Double(k - j + 1))
        }
        let xd = Double(x), nd = Double(n)
        var terms = [logChoose(n, x) + Special.logBeta(alpha + xd, beta + nd - xd) + Special.logBeta(gamma, delta + nd)]
        for i in x..<max(x, n) {
            let id = Double(i)
            terms.append(logChoose(i, x) + Special.logBeta(alpha + xd, beta + id - xd) + Special.logBeta(gamma + 1, delta + id))
        }
        return Double.exp(LogSpace.sum(terms) - Special.logBeta(alpha, beta) - Special.logBeta(gamma, delta))
    }

    /// P(X(t) = k) for `PurchaseCountDistribution`: t counts opportunities and must be a whole
    /// number (`probabilityOfPurchases(_:inFirst:)`); throws otherwise.
    public func probabilityOfPurchases(_ k: Int, within t: Double) throws(ModelError) -> Double {
        precondition(k >= 0, "A number of purchases is non-negative.")
        guard t >= 0, t.rounded() == t, t <= Double(Int32.max) else {
            throw .undefinedPrediction(model: Self.displayName, reason: "P(X(n) = \(k)) needs a whole number of opportunities n; got \(t).")
        }
        return probabilityOfPurchases(k, inFirst: Int(t))
    }

    /// Σ_{s=1}^{t} B(γ, δ+n+s)/B(γ, δ+n) = Σ_{s=1}^{t} Π_{k=0}^{s−1} (δ+n+k)/(γ+δ+n+k): the expected
    /// number of the t opportunities after n at which a customer alive at n is still alive.
    ///
    /// Whole t (up to 100,000): the sum itself, with the running product (t terms, each in
    /// (0, 1); no cancellation and no singularity). Fractional or longer t: the telescoped closed form
    /// ```
    /// (δ+n)/(γ−1) · [1 − exp(D)],  D = ln Γ(γ+δ+n) − ln Γ(γ+δ+n+t) + ln Γ(δ+n+t+1) − ln Γ(δ+n+1)
    /// ```
    /// with −expm1(D) for the bracket; it has a removable singularity at γ = 1, where it throws.
    /// D is a difference of ln Γ values of size ~ln Γ(γ+δ+n), so the closed form's relative error
    /// is ~ε·ln Γ(γ+δ+n)/|D| (about 1e-11 at n = 100, t = 1); the sum is good to a few ulps.
    func expectedOpportunitiesAlive(after n: Double, within t: Double) throws(ModelError) -> Double {
        guard t > 0 else { return 0 }
        let d = delta + n
        if t == t.rounded(), t <= 100_000 {
            var product = 1.0, sum = 0.0
            var k = 0.0
            while k < t {
                product *= (d + k) / (gamma + d + k)
                sum += product
                k += 1
            }
            return sum
        }
        guard abs(gamma - 1) > 1e-9 else {
            throw .undefinedPrediction(model: Self.displayName, reason: "expected transactions over a fractional number of opportunities (\(t)) are not computed at γ = 1 (a removable singularity of the closed form); γ = \(gamma).")
        }
        let D = Special.logGamma(gamma + d) - Special.logGamma(gamma + d + t)
            + Special.logGamma(d + t + 1) - Special.logGamma(d + 1)
        let value = d / (gamma - 1) * -Double.expMinusOne(D)
        guard value.isFinite, value >= 0 else {
            throw .undefinedPrediction(model: Self.displayName, reason: "expected transactions over \(t) opportunities are not finite.")
        }
        return value
    }

    /// Whether ln B(·,·) differences at up to n opportunities keep 1e-13 absolute: ln Γ of
    /// α+β+n and γ+δ+n (and of the smallest parameter) times ε is below that.
    func betaDifferencesAreAccurate(_ n: Double) -> Bool {
        let largest = max(abs(Special.logGamma(alpha + beta + n)), abs(Special.logGamma(gamma + delta + n)),
                          abs(Special.logGamma(min(alpha, beta, gamma, delta))))
        return largest * Double.ulpOfOne <= 1e-13
    }

    /// ln of the alive term at n+m and ln L, both over B(α,β)B(γ,δ) (FHS 2010 eq. 5 and its
    /// appendix), as sums of logs of factors in (0, 1) (with (a)ₖ = Γ(a+k)/Γ(a), k whole):
    /// ```
    /// B(α+x, β+j−x)/B(α,β) = Π_{i<x} 1/(1 + β/(α+i)) · Π_{k<j−x} 1/(1 + (α+x)/(β+k))
    /// B(γ, δ+j)/B(γ,δ)     = Π_{k<j} 1/(1 + γ/(δ+k))
    /// B(γ+1, δ+j)/B(γ,δ)   = 1/(1 + δ/γ) · Π_{k<j} 1/(1 + (γ+1)/(δ+k))
    /// ```
    /// each factor's log a log1p of a positive number: no cancellation for any α, β, γ, δ > 0;
    /// O(n + m) operations.
    func logPosteriorTerms(x: Int, tx: Int, n: Int, m: Int) -> (alive: Double, likelihood: Double) {
        var logAB = 0.0                                   // ln B(α+x, β+j−x)/B(α,β) at j = x
        for i in 0..<x { logAB -= Double.log(onePlus: beta / (alpha + Double(i))) }
        let ax = alpha + Double(x)
        var logDrop = -Double.log(onePlus: delta / gamma) // ln B(γ+1, δ+j)/B(γ,δ) at j = 0
        var logStay = 0.0                                 // ln B(γ, δ+j)/B(γ,δ) at j = 0
        var dropTerms: [Double] = []
        dropTerms.reserveCapacity(max(0, n - tx))
        var logABAtN = 0.0, logStayAtN = 0.0
        for j in 0...(n + m) {
            if j >= tx && j < n { dropTerms.append(logAB + logDrop) }
            if j == n { logABAtN = logAB; logStayAtN = logStay }
            if j == n + m { break }
            let dj = Double(j)
            if j >= x { logAB -= Double.log(onePlus: ax / (beta + dj - Double(x))) }
            logDrop -= Double.log(onePlus: (gamma + 1) / (delta + dj))
            logStay -= Double.log(onePlus: gamma / (delta + dj))
        }
        // logStay is now at j = n + m.
        let aliveAtN = logABAtN + logStayAtN
        let likelihood = LogSpace.sum([aliveAtN] + dropTerms)
        return (logABAtN + logStay, likelihood)
    }

    static func isValidCustomer(_ x: Double, _ tx: Double, _ n: Double) -> Bool {
        x.isFinite && tx.isFinite && n.isFinite && x >= 0 && x == x.rounded() && tx == tx.rounded()
            && n == n.rounded() && x <= tx && tx <= n && (x > 0 || tx == 0)
    }
}

/// The BG/BB log-likelihood over a discrete purchase history (FHS 2010 eq. 5, see
/// `BGBB.logLikelihood(frequency:recency:opportunities:)`), with analytic gradient and Hessian.
///
/// Writing every ln B as ln Γ terms, the ln Γ(α+x) of every term and ln Γ(γ) (ln Γ(γ+1) =
/// ln Γ(γ) + ln γ) factor out:
/// ```
/// ln Lᵢ = C + ln Γ(α+x) + ln Σₖ e^{uₖ}
/// C     = ln Γ(α+β) − ln Γ(α) − ln Γ(β) + ln Γ(γ+δ) − ln Γ(δ)              (= −ln B(α,β) − ln B(γ,δ) + ln Γ(γ))
/// u_alive = ln Γ(β+n−x) − ln Γ(α+β+n) + ln Γ(δ+n) − ln Γ(γ+δ+n)
/// u_j     = ln Γ(β+j−x) − ln Γ(α+β+j) + ln Γ(δ+j) − ln Γ(γ+δ+j+1) + ln γ,   j = t_x, …, n−1  (j = t_x+i)
/// ```
/// Every argument is a parameter plus a whole number in [0, max n], so each evaluation first
/// tabulates ln Γ, ψ and ψ′ of α+k, β+k, α+β+k, δ+k, γ+δ+k for k = 0…max n (5·(max n + 1)
/// special-function calls; `Special.logBeta` is the same ln Γ sum), after which a row costs
/// n − t_x + 1 table look-ups and exponentials. This is why t_x and n must be whole numbers.
///
/// Derivatives: with πₖ the softmax weights of the uₖ and ḡ = Σ πₖ∇uₖ,
/// ∇ ln Σ e^{uₖ} = ḡ and ∇² ln Σ e^{uₖ} = Σ πₖ [∇²uₖ + (∇uₖ − ḡ)(∇uₖ − ḡ)ᵀ] (the weighted
/// covariance, accumulated centred for accuracy). Each uₖ separates into an (α, β) part and a
/// (γ, δ) part, so ∇²uₖ is block-diagonal:
/// ```
/// ∂u/∂α = −ψ(α+β+s)          ∂u/∂β = ψ(β+m) − ψ(α+β+s)       (m = n−x, s = n  or  m = j−x, s = j)
/// ∂u/∂γ = −ψ(γ+δ+e) [+ 1/γ]  ∂u/∂δ = ψ(δ+d) − ψ(γ+δ+e)         (d = e = n        or  d = j, e = j+1)
/// ∂²u/∂α² = ∂²u/∂α∂β = −ψ′(α+β+s),  ∂²u/∂β² = ψ′(β+m) − ψ′(α+β+s)
/// ∂²u/∂γ² = −ψ′(γ+δ+e) [− 1/γ²],  ∂²u/∂γ∂δ = −ψ′(γ+δ+e),  ∂²u/∂δ² = ψ′(δ+d) − ψ′(γ+δ+e)
/// ```
/// ([…] for the j terms only), plus ψ(α+x), ψ′(α+x) for ln Γ(α+x) and the derivatives of C.
struct BGBBLogLikelihood: LogLikelihood {
    let frequency: [Int32]
    let recency: [Int32]
    let opportunities: [Int32]
    let weight: [Double]
    let maxOpportunities: Int
    let observationCount: Double
    /// Why the data is not a discrete history; the likelihood is then NaN everywhere.
    let invalidReason: String?
    var rowCount: Int { frequency.count }

    /// Opportunities beyond this are rejected: each evaluation tabulates 15·(max n + 1) values
    /// (12 MB at the limit) plus 5·(max n + 2) scratch values per chunk of rows.
    static let opportunityLimit = 100_000

    init(_ data: PurchaseHistory) {
        weight = data.weight
        observationCount = data.customerCount
        if let problem = Self.firstProblem(data) {
            invalidReason = problem.field + ": " + problem.message
            frequency = []; recency = []; opportunities = []
            maxOpportunities = 0
            return
        }
        invalidReason = nil
        frequency = data.frequency.map { Int32($0) }
        recency = data.recency.map { Int32($0) }
        opportunities = data.T.map { Int32($0) }
        maxOpportunities = Int(opportunities.max() ?? 0)
    }

    /// The first row that is not a discrete history, beyond `PurchaseHistory`'s invariants.
    static func firstProblem(_ data: PurchaseHistory) -> (field: String, message: String)? {
        for i in 0..<data.count {
            let x = data.frequency[i], tx = data.recency[i], n = data.T[i]
            if tx != tx.rounded() {
                return ("recency", "row \(i + 1): \(tx) is not a whole number of opportunities (BG/BB needs t_x = the opportunity of the last transaction).")
            }
            if n != n.rounded() {
                return ("T", "row \(i + 1): \(n) is not a whole number of opportunities (BG/BB needs n = the number of opportunities).")
            }
            if n > Double(opportunityLimit) {
                return ("T", "row \(i + 1): \(n) opportunities is more than BG/BB supports (\(opportunityLimit)).")
            }
            if x > tx {
                return ("frequency", "row \(i + 1): \(x) transactions cannot happen in the first \(tx) opportunities (x ≤ t_x).")
            }
        }
        return nil
    }

    /// Per-row sums: value, gradient (α, β, γ, δ) and the Hessian's upper triangle
    /// (h00 h01 h02 h03 h11 h12 h13 h22 h23 h33).
    struct Sums: Sendable {
        var v = 0.0
        var g0 = 0.0, g1 = 0.0, g2 = 0.0, g3 = 0.0
        var h00 = 0.0, h01 = 0.0, h02 = 0.0, h03 = 0.0, h11 = 0.0, h12 = 0.0, h13 = 0.0, h22 = 0.0, h23 = 0.0, h33 = 0.0

        static func + (l: Sums, s: Sums) -> Sums {
            var o = l
            o.v += s.v
            o.g0 += s.g0; o.g1 += s.g1; o.g2 += s.g2; o.g3 += s.g3
            o.h00 += s.h00; o.h01 += s.h01; o.h02 += s.h02; o.h03 += s.h03
            o.h11 += s.h11; o.h12 += s.h12; o.h13 += s.h13
            o.h22 += s.h22; o.h23 += s.h23; o.h33 += s.h33
            return o
        }
    }

    func evaluate(_ p: [Double], order: DerivativeOrder) -> LikelihoodEvaluation {
        guard invalidReason == nil else {
            return LikelihoodEvaluation(value: .nan, gradient: order >= .gradient ? [.nan, .nan, .nan, .nan] : [],
                                        hessian: order >= .hessian ? Matrix(rows: 4, columns: 4, repeating: .nan) : nil)
        }
        let (al, be, ga, de) = (p[0], p[1], p[2], p[3])
        let wantGradient = order >= .gradient, wantHessian = order >= .hessian
        let size = maxOpportunities + 1
        // Flat table: [kind q][argument t][k], kinds ln Γ, ψ, ψ′; arguments α, β, α+β, δ, γ+δ (+ k).
        let shifts = [al, be, al + be, de, ga + de]
        let kinds = wantHessian ? 3 : (wantGradient ? 2 : 1)
        var filling = [Double](repeating: 0, count: 15 * size)   // unused kinds stay 0
        for (t, shift) in shifts.enumerated() {
            for k in 0..<size {
                let z = shift + Double(k)
                filling[t * size + k] = Special.logGamma(z)
                if kinds > 1 { filling[(5 + t) * size + k] = Special.digamma(z) }
                if kinds > 2 { filling[(10 + t) * size + k] = Special.trigamma(z) }
            }
        }
        let table = filling
        let logGa = Double.log(ga), invGa = 1 / ga
        let frequency = frequency, recency = recency, opportunities = opportunities, weight = weight

        let parts = ChunkedSum.map(rows: frequency.count) { range -> Sums in
            var s = Sums()
            // Per-term scratch for one row: u, then πₖ; the four gradient components of uₖ.
            var scratch = [Double](repeating: 0, count: 5 * (size + 1))
            table.withUnsafeBufferPointer { tab in
            scratch.withUnsafeMutableBufferPointer { buf in
            frequency.withUnsafeBufferPointer { X in
            recency.withUnsafeBufferPointer { TX in
            opportunities.withUnsafeBufferPointer { N in
            weight.withUnsafeBufferPointer { W in
                let base = tab.baseAddress!
                let lgA = base, lgB = base + size, lgAB = base + 2 * size, lgD = base + 3 * size, lgGD = base + 4 * size
                let psA = base + 5 * size, psB = base + 6 * size, psAB = base + 7 * size, psD = base + 8 * size, psGD = base + 9 * size
                let trA = base + 10 * size, trB = base + 11 * size, trAB = base + 12 * size, trD = base + 13 * size, trGD = base + 14 * size
                let stride = size + 1
                let u = buf.baseAddress!, d0 = u + stride, d1 = u + 2 * stride, d2 = u + 3 * stride, d3 = u + 4 * stride
                for row in range {
                    let x = Int(X[row]), tx = Int(TX[row]), n = Int(N[row])
                    let w = W[row]
                    let terms = n - tx + 1
                    // Term 0: alive through n (m = n−x, s = n, d = e = n). Term k ≥ 1: j = t_x+k−1
                    // (m = j−x, s = j, d = j, e = j+1, plus ln γ).
                    var top = lgB[n - x] - lgAB[n] + lgD[n] - lgGD[n]
                    u[0] = top
                    for k in 1..<terms {
                        let j = tx + k - 1
                        let uk = lgB[j - x] - lgAB[j] + lgD[j] - lgGD[j + 1] + logGa
                        u[k] = uk
                        if uk > top { top = uk }
                    }
                    var total = 0.0
                    for k in 0..<terms {
                        let e = Double.exp(u[k] - top)
                        u[k] = e
                        total += e
                    }
                    s.v += w * (lgA[x] + top + Double.log(total))
                    guard wantGradient else { continue }
                    let inv = 1 / total
                    var gb0 = 0.0, gb1 = 0.0, gb2 = 0.0, gb3 = 0.0
                    for k in 0..<terms {
                        let pk = u[k] * inv
                        u[k] = pk
                        let c0: Double, c1: Double, c2: Double, c3: Double
                        if k == 0 {
                            c0 = -psAB[n]; c1 = psB[n - x] - psAB[n]; c2 = -psGD[n]; c3 = psD[n] - psGD[n]
                        } else {
                            let j = tx + k - 1
                            c0 = -psAB[j]; c1 = psB[j - x] - psAB[j]; c2 = invGa - psGD[j + 1]; c3 = psD[j] - psGD[j + 1]
                        }
                        d0[k] = c0; d1[k] = c1; d2[k] = c2; d3[k] = c3
                        gb0 += pk * c0; gb1 += pk * c1; gb2 += pk * c2; gb3 += pk * c3
                    }
                    s.g0 += w * (psA[x] + gb0)
                    s.g1 += w * gb1
                    s.g2 += w * gb2
                    s.g3 += w * gb3
                    guard wantHessian else { continue }
                    var h00 = 0.0, h01 = 0.0, h02 = 0.0, h03 = 0.0, h11 = 0.0, h12 = 0.0, h13 = 0.0, h22 = 0.0, h23 = 0.0, h33 = 0.0
                    for k in 0..<terms {
                        let pk = u[k]
                        let c0 = d0[k] - gb0, c1 = d1[k] - gb1, c2 = d2[k] - gb2, c3 = d3[k] - gb3
                        let triAB: Double, triB: Double, triGD: Double, triD: Double, extra: Double
                        if k == 0 {
                            triAB = trAB[n]; triB = trB[n - x]; triGD = trGD[n]; triD = trD[n]; extra = 0
                        } else {
                            let j = tx + k - 1
                            triAB = trAB[j]; triB = trB[j - x]; triGD = trGD[j + 1]; triD = trD[j]; extra = invGa * invGa
                        }
                        h00 += pk * (c0 * c0 - triAB)
                        h01 += pk * (c0 * c1 - triAB)
                        h02 += pk * (c0 * c2)
                        h03 += pk * (c0 * c3)
                        h11 += pk * (c1 * c1 + triB - triAB)
                        h12 += pk * (c1 * c2)
                        h13 += pk * (c1 * c3)
                        h22 += pk * (c2 * c2 - triGD - extra)
                        h23 += pk * (c2 * c3 - triGD)
                        h33 += pk * (c3 * c3 + triD - triGD)
                    }
                    s.h00 += w * (trA[x] + h00)
                    s.h01 += w * h01; s.h02 += w * h02; s.h03 += w * h03
                    s.h11 += w * h11; s.h12 += w * h12; s.h13 += w * h13
                    s.h22 += w * h22; s.h23 += w * h23; s.h33 += w * h33
                }
            }}}}}}
            return s
        }
        var s = parts.reduce(Sums(), +)

        // C = ln Γ(α+β) − ln Γ(α) − ln Γ(β) + ln Γ(γ+δ) − ln Γ(δ), once with the total weight.
        let W = observationCount
        func at(_ q: Int, _ t: Int) -> Double { table[(5 * q + t) * size] }   // kind q, argument t, k = 0
        s.v += W * (at(0, 2) - at(0, 0) - at(0, 1) + at(0, 4) - at(0, 3))
        guard wantGradient else { return LikelihoodEvaluation(value: s.v) }
        s.g0 += W * (at(1, 2) - at(1, 0))
        s.g1 += W * (at(1, 2) - at(1, 1))
        s.g2 += W * at(1, 4)
        s.g3 += W * (at(1, 4) - at(1, 3))
        let gradient = [s.g0, s.g1, s.g2, s.g3]
        guard wantHessian else { return LikelihoodEvaluation(value: s.v, gradient: gradient) }
        s.h00 += W * (at(2, 2) - at(2, 0))
        s.h01 += W * at(2, 2)
        s.h11 += W * (at(2, 2) - at(2, 1))
        s.h22 += W * at(2, 4)
        s.h23 += W * at(2, 4)
        s.h33 += W * (at(2, 4) - at(2, 3))
        let hessian = Matrix([
            [s.h00, s.h01, s.h02, s.h03],
            [s.h01, s.h11, s.h12, s.h13],
            [s.h02, s.h12, s.h22, s.h23],
            [s.h03, s.h13, s.h23, s.h33],
        ])
        return LikelihoodEvaluation(value: s.v, gradient: gradient, hessian: hessian)
    }
}

extension BGBB: ResidualTransactionsModel {
    /// DERT(d | x, t_x, n) (Fader, Hardie & Shang 2010, eq. 14), d the discount rate per
    /// opportunity, the first future opportunity discounted by 1/(1+d):
    /// ```
    /// B(α+x+1, β+n−x)/B(α,β) · B(γ, δ+n+1)/(B(γ,δ)(1+d)) · ₂F₁(1, δ+n+1; γ+δ+n+1; 1/(1+d)) / L(α,β,γ,δ | x, t_x, n)
    /// ```
    /// in logarithms, the ₂F₁ by `Hypergeometric.log2F1UnitA`.
    public func discountedExpectedResidualTransactions(frequency x: Double, recency tx: Double, T n: Double,
                                                       discountRate d: Double) throws(ModelError) -> Double {
        guard d.isFinite, d > 0 else {
            throw .undefinedPrediction(model: Self.displayName, reason: "DERT needs a discount rate d > 0 per opportunity (got \(d)).")
        }
        let logL = logLikelihood(frequency: x, recency: tx, opportunities: n)
        guard logL.isFinite else {
            throw .undefinedPrediction(model: Self.displayName, reason: "x = \(x), t_x = \(tx), n = \(n) is not a discrete purchase history (0 ≤ x ≤ t_x ≤ n, whole numbers).")
        }
        let f: Double
        do {
            f = try Hypergeometric.log2F1UnitA(b: delta + n + 1, c: gamma + delta + n + 1, z: 1 / (1 + d)).value
        } catch {
            throw .undefinedPrediction(model: Self.displayName, reason: "DERT at d = \(d) for n = \(n): the hypergeometric series did not converge (\(error)).")
        }
        let logValue = Special.logBeta(alpha + x + 1, beta + n - x) - Special.logBeta(alpha, beta)
            + Special.logBeta(gamma, delta + n + 1) - Special.logBeta(gamma, delta) - Double.log(onePlus: d) + f - logL
        let value = Double.exp(logValue)
        guard value.isFinite else {
            throw .undefinedPrediction(model: Self.displayName, reason: "DERT for x = \(x), t_x = \(tx), n = \(n) at d = \(d) is not a finite number.")
        }
        return value
    }
}
