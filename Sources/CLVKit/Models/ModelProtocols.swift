import CLVNumerics

/// How many derivatives a likelihood evaluation should produce.
public enum DerivativeOrder: Int, Sendable, Comparable {
    case value = 0, gradient = 1, hessian = 2
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// A summed, weighted log-likelihood with its derivatives with respect to the model's
/// natural parameters (in `parameterNames` order). `gradient` is empty and `hessian` nil
/// when not requested.
public struct LikelihoodEvaluation: Sendable {
    public var value: Double
    public var gradient: [Double]
    public var hessian: Matrix?

    public init(value: Double, gradient: [Double] = [], hessian: Matrix? = nil) {
        self.value = value
        self.gradient = gradient
        self.hessian = hessian
    }
}

/// A log-likelihood bound to a data set: what the estimator maximises.
///
/// Models build one per data set so that they can precompute what does not depend on the
/// parameters (BG/NBD groups customers by frequency so that the ln Γ terms are evaluated once
/// per distinct x, not once per customer).
public protocol LogLikelihood: Sendable {
    /// Σ weights: the number of customers, n in BIC = k ln n − 2 LL.
    var observationCount: Double { get }
    /// Rows evaluated per call (distinct patterns after compression).
    var rowCount: Int { get }
    /// Σᵢ wᵢ ln Lᵢ(θ) and, as asked, its gradient and Hessian in θ.
    func evaluate(_ parameters: [Double], order: DerivativeOrder) -> LikelihoodEvaluation
}

/// A parametric model fitted by maximum likelihood. Each parameter is either positive (the
/// estimator works on its logarithm) or free (covariate coefficients, worked on as they are):
/// `parameterDomains`, all positive unless a model says otherwise. Models only describe
/// themselves (names, domains, start values, likelihood, predictions); `Estimator` runs the fit.
public protocol FittableModel: Sendable {
    associatedtype Observations: Sendable
    /// The identifier in model files and on the command line, e.g. `bgnbd`.
    static var identifier: String { get }
    /// The name in the literature, e.g. `BG/NBD`.
    static var displayName: String { get }
    /// Parameter names in the order `parameterValues` uses, as in the papers.
    static var parameterNames: [String] { get }
    /// The domain of each parameter, in `parameterNames` order.
    static var parameterDomains: [ParameterDomain] { get }
    /// Candidate start points for the optimiser, best guess first.
    static func startValues(for data: Observations) -> [[Double]]
    /// The log-likelihood of `data`, ready to evaluate at any parameters.
    static func logLikelihood(of data: Observations) -> any LogLikelihood

    /// The parameters in `parameterNames` order.
    var parameterValues: [Double] { get }
    /// A model with these parameters; throws when one is not a positive finite number.
    init(parameterValues: [Double]) throws(ModelError)
}

/// A model of when customers buy and when they silently leave (BG/NBD, Pareto/NBD, ...).
public protocol PurchaseModel: FittableModel where Observations == PurchaseHistory {
    /// P(the customer is still active at T | x, t_x, T).
    func probabilityAlive(frequency: Double, recency: Double, T: Double) -> Double
    /// E[number of purchases in (T, T + t] | x, t_x, T].
    func expectedPurchases(within t: Double, frequency: Double, recency: Double, T: Double) throws(ModelError) -> Double
    /// E[number of purchases in (0, t]] for a customer who has just made their first purchase.
    func expectedPurchasesOfNewCustomer(within t: Double) throws(ModelError) -> Double
    /// P(X(T, T+t) > 0 | x, t_x, T): the chance that the customer buys at least once in the next
    /// t, in [0, P(alive)]. Unlike P(alive) it separates customers who made no repeat purchase
    /// under BG/NBD (whose P(alive) is 1 for all of them): a one-time buyer with a low rate is
    /// unlikely to buy again soon. Each model writes it as P(alive) × P(a purchase within t |
    /// alive), a sum or integral of positive terms (no 1 − P(no purchase) cancellation).
    func probabilityOfPurchase(within t: Double, frequency: Double, recency: Double, T: Double) throws(ModelError) -> Double
    /// Whether time counts discrete purchase opportunities (BG/BB: T is the number of
    /// opportunities n) rather than continuous calendar time.
    static var isDiscreteTime: Bool { get }
    /// Checks what this model needs of a summary beyond the common invariants (BG/BB: whole
    /// numbers of opportunities), with a message naming row and column.
    static func validate(_ data: PurchaseHistory, source: String) throws(DataError)
    /// E[Y(t)] at the horizons `times` for the customers of a whole table, for scoring: it may
    /// share work between customers (BG/NBD and MBG/NBD interpolate per frequency and cell of
    /// ln(α+T)), and equals `expectedPurchases(within:…)` to 1e-10 relative. The default
    /// evaluates each customer alone.
    func horizonExpectations(times: [Double], frequencies: [Double], T: [Double]) -> any HorizonExpectations
}

extension PurchaseModel {
    public static var isDiscreteTime: Bool { false }
    public static func validate(_ data: PurchaseHistory, source: String) throws(DataError) {}
}

/// E[Y(times[k])] of one customer at horizons fixed in advance (`PurchaseModel.horizonExpectations`).
public protocol HorizonExpectations: Sendable {
    func expectedPurchases(_ k: Int, frequency: Double, recency: Double, T: Double) throws(ModelError) -> Double
    /// E[Y(t)] at every horizon at once into `values` (one per horizon), where that is cheaper than
    /// one by one (the lookup once per customer, the customer's P(alive), `probabilityAlive`,
    /// given by the caller who has it); false, `values` undefined, where it is not (each would be a
    /// full evaluation, and a long discounted horizon stops early).
    func allExpectedPurchases(frequency: Double, recency: Double, T: Double, probabilityAlive: Double,
                              into values: UnsafeMutableBufferPointer<Double>) throws(ModelError) -> Bool
}

extension HorizonExpectations {
    public func allExpectedPurchases(frequency: Double, recency: Double, T: Double, probabilityAlive: Double,
                                     into values: UnsafeMutableBufferPointer<Double>) throws(ModelError) -> Bool { false }
}

/// Each customer alone.
struct DirectHorizonExpectations: HorizonExpectations {
    let model: any PurchaseModel
    let times: [Double]

    func expectedPurchases(_ k: Int, frequency x: Double, recency tx: Double, T: Double) throws(ModelError) -> Double {
        try model.expectedPurchases(within: times[k], frequency: x, recency: tx, T: T)
    }
}

extension PurchaseModel {
    public func horizonExpectations(times: [Double], frequencies: [Double], T: [Double]) -> any HorizonExpectations {
        DirectHorizonExpectations(model: self, times: times)
    }
}

/// A purchase model that gives the whole distribution of a new customer's repeat purchases,
/// P(X(t) = k), not only its mean: what a comparison of predicted and actual frequency
/// histograms needs (FHL 2005, Figure 2), without knowing which model it is.
///
/// Invariants every conformer is tested for: Σₖ P(X(t) = k) = 1 and
/// Σₖ k·P(X(t) = k) = `expectedPurchasesOfNewCustomer(within: t)`.
public protocol PurchaseCountDistribution: PurchaseModel {
    /// P(X(t) = k), k ≥ 0 repeat purchases in (0, t] (t in opportunities for discrete-time
    /// models, where it must be a whole number).
    func probabilityOfPurchases(_ k: Int, within t: Double) throws(ModelError) -> Double
}

/// A purchase model that values a customer's whole remaining relationship, not a finite horizon:
/// DERT, the discounted expected residual transactions (Fader, Hardie & Lee 2005; Fader, Hardie &
/// Shang 2010), ∫₀^∞ e^(−δt) dE[X(T, T+t) | x, t_x, T] for a continuous-time model with δ the
/// continuous discount rate per model time unit, and Σ_{k≥1} E[purchase at opportunity n+k]/(1+d)^k
/// for BG/BB with d the discrete rate per opportunity (the first future one discounted once).
public protocol ResidualTransactionsModel: PurchaseModel {
    func discountedExpectedResidualTransactions(frequency: Double, recency: Double, T: Double,
                                                discountRate: Double) throws(ModelError) -> Double
    /// DERT for the customers of a whole table at one rate, for scoring: it may share work between
    /// customers with the same frequency (BG/NBD and MBG/NBD interpolate their quadrature per
    /// frequency) and equals `discountedExpectedResidualTransactions` to 1e-10 relative for every
    /// customer of `frequencies` and `T`; any other customer is evaluated alone. The default
    /// evaluates every customer alone.
    func residualTransactions(discountRate: Double, frequencies: [Double], T: [Double]) -> any ResidualTransactionsEvaluator
}

/// DERT of one customer at a rate fixed in advance (`ResidualTransactionsModel.residualTransactions`).
public protocol ResidualTransactionsEvaluator: Sendable {
    func dert(frequency: Double, recency: Double, T: Double) throws(ModelError) -> Double
}

/// Each customer alone.
struct DirectResidualTransactions: ResidualTransactionsEvaluator {
    let model: any ResidualTransactionsModel
    let discountRate: Double

    func dert(frequency x: Double, recency tx: Double, T: Double) throws(ModelError) -> Double {
        try model.discountedExpectedResidualTransactions(frequency: x, recency: tx, T: T, discountRate: discountRate)
    }
}

extension ResidualTransactionsModel {
    public func residualTransactions(discountRate: Double, frequencies: [Double], T: [Double]) -> any ResidualTransactionsEvaluator {
        DirectResidualTransactions(model: self, discountRate: discountRate)
    }
}

/// A model of how much customers spend per purchase (Gamma-Gamma).
public protocol SpendModel: FittableModel where Observations == SpendHistory {
    /// E[mean spend per purchase | x repeat purchases with mean m̄] (the population mean for x = 0).
    func expectedSpend(frequency: Double, monetaryValue: Double) throws(ModelError) -> Double
}

/// A parameter that makes no sense, or a prediction a model cannot make at its parameters.
public enum ModelError: Error, Equatable, CustomStringConvertible, Sendable {
    case invalidParameter(model: String, name: String, value: Double)
    case wrongParameterCount(model: String, expected: Int, got: Int)
    case undefinedPrediction(model: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidParameter(model, name, value):
            "\(model) parameter \(name) = \(value) is not a positive finite number."
        case let .wrongParameterCount(model, expected, got):
            "\(model) has \(expected) parameters, but \(got) were given."
        case let .undefinedPrediction(model, reason):
            "\(model): \(reason)"
        }
    }
}

extension FittableModel {
    public static var parameterDomains: [ParameterDomain] {
        Array(repeating: .positive, count: parameterNames.count)
    }

    /// Checks that `values` has the right length and only positive finite entries.
    static func validated(_ values: [Double]) throws(ModelError) -> [Double] {
        guard values.count == parameterNames.count else {
            throw .wrongParameterCount(model: displayName, expected: parameterNames.count, got: values.count)
        }
        for (name, v) in zip(parameterNames, values) where !(v.isFinite && v > 0) {
            throw .invalidParameter(model: displayName, name: name, value: v)
        }
        return values
    }

    /// The parameters by name.
    public var namedParameters: [(name: String, value: Double)] {
        Array(zip(Self.parameterNames, parameterValues)).map { (name: $0.0, value: $0.1) }
    }
}
