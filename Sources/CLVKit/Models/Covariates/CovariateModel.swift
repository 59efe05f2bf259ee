import CLVNumerics
import RealModule

/// Which of a customer's two processes a covariate acts on.
public enum CovariateProcess: String, Codable, Sendable, CaseIterable {
    /// How often the customer buys while active (the purchase rate's Gamma: α).
    case purchase
    /// How soon the customer leaves (Pareto/NBD: β; BG/NBD, MBG/NBD: a and b).
    case dropout
}

/// One base parameter that static covariates shift, customer by customer:
/// ```
/// ln θᵢ = ln θ + sign · γᵀxᵢ
/// ```
/// with xᵢ the customer's covariates of `process` and γ one coefficient per covariate, named
/// `<parameter>.<covariate>`. The sign is CLVTools' and PyMC-Marketing's convention: a Gamma's
/// rate parameter (α, β) falls as γᵀx rises (sign −1), so a positive coefficient on a purchase
/// covariate raises the purchase rate; the beta-geometric a and b rise with it (sign +1).
public struct CovariateShift: Sendable, Equatable {
    /// The base parameter's name, as in the model's `parameterNames`.
    public var parameter: String
    public var process: CovariateProcess
    /// +1 or −1.
    public var sign: Double

    public init(parameter: String, process: CovariateProcess, sign: Double) {
        self.parameter = parameter
        self.process = process
        self.sign = sign
    }
}

/// A four-parameter purchase model whose likelihood and predictions can be taken customer by
/// customer at each customer's own parameters: what static covariates need (EXTENSIONS.md §1).
/// The likelihood and every prediction of a covariate model are the model's own formulas at
/// (θᵢ), so a conformer only says which parameters covariates shift and gives one customer's
/// log-likelihood with its derivatives; `CovariateLogLikelihood` does the rest.
public protocol CovariatePurchaseModel: PurchaseModel {
    /// The parameters covariates shift, in `parameterNames` order.
    static var covariateShifts: [CovariateShift] { get }
    /// ln Lᵢ of one customer at parameters θ (in `parameterNames` order, all four positive),
    /// with its gradient and Hessian in θ as far as `order` asks; `failed` when a series could
    /// not be evaluated.
    static func customerLogLikelihood(frequency: Double, recency: Double, T: Double,
                                      parameters θ: SIMD4<Double>, order: DerivativeOrder) -> FourParameterSums
}
