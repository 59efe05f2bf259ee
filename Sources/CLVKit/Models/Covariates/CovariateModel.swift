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
    /// ln Lᵢ of one customer at parameters θ (in `parameterNames` order, all four positive; u =
    /// ln θ given alongside), with its gradient and Hessian in θ as far as `order` asks, *but for*
    /// the shape term ln Γ(r+x) − ln Γ(r) of the first parameter, which every model here has and
    /// covariates never shift: the caller adds it once per distinct frequency
    /// (`customerLogLikelihood` adds it for one customer). `failed` when a series could not be
    /// evaluated.
    static func customerLogLikelihoodWithoutShape(frequency: Double, recency: Double, T: Double, parameters θ: SIMD4<Double>,
                                                  logParameters u: SIMD4<Double>, order: DerivativeOrder) -> FourParameterSums
}

extension CovariatePurchaseModel {
    /// Every parameter's name with these covariates: the base parameters, then for each shifted
    /// parameter (in `covariateShifts` order) `<parameter>.<covariate>` for each covariate of its
    /// process. The one naming rule of the model file, the fit and the model.
    public static func parameterNames(purchase: [String], dropout: [String]) -> [String] {
        parameterNames + covariateShifts.flatMap { shift in
            (shift.process == .purchase ? purchase : dropout).map { "\(shift.parameter).\($0)" }
        }
    }

    /// The ties of `shared` covariates (each in both processes) among the parameters
    /// `parameterNames(purchase:dropout:)` lists: one group per shared covariate, its
    /// coefficient on every parameter it shifts.
    public static func sharedCoefficients(purchase: [String], dropout: [String], shared: [String]) -> TiedParameters {
        let names = parameterNames(purchase: purchase, dropout: dropout)
        let groups = shared.map { covariate in
            covariateShifts.compactMap { names.firstIndex(of: "\($0.parameter).\(covariate)") }
        }
        precondition(groups.allSatisfy { $0.count == covariateShifts.count },
                     "A shared covariate acts on both processes (give it in both --purchase-covariates and --dropout-covariates).")
        return TiedParameters(count: names.count, groups: groups)
    }

    /// The index in `parameterNames` of each shifted parameter, in `covariateShifts` order.
    static var shiftedParameterIndices: [Int] {
        covariateShifts.map { shift in
            guard let j = parameterNames.firstIndex(of: shift.parameter) else {
                preconditionFailure("\(displayName) shifts \(shift.parameter), which is not one of its parameters.")
            }
            return j
        }
    }

    /// ln Lᵢ of one customer at parameters θ, every term included, with its gradient and Hessian in θ.
    public static func customerLogLikelihood(frequency x: Double, recency: Double, T: Double,
                                             parameters θ: SIMD4<Double>, order: DerivativeOrder) -> FourParameterSums {
        let u = SIMD4(Double.log(θ[0]), Double.log(θ[1]), Double.log(θ[2]), Double.log(θ[3]))
        var t = customerLogLikelihoodWithoutShape(frequency: x, recency: recency, T: T, parameters: θ, logParameters: u, order: order)
        t.addShapeTerm(RisingFactorial(θ[0], x, derivatives: order.rawValue))
        return t
    }
}

extension FourParameterSums {
    /// Adds ln (r)ₓ = ln Γ(r+x) − ln Γ(r) and its derivatives in the first parameter r.
    @inline(__always)
    mutating func addShapeTerm(_ f: RisingFactorial) {
        v += f.value
        g0 += f.first
        h00 += f.second
    }
}
