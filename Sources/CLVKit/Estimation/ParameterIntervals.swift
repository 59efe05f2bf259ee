import CLVNumerics
import Foundation

/// A confidence interval for one fitted parameter, built on the log scale the estimator works
/// on:
/// ```
/// [θ̂ · exp(−z · sᵢ),  θ̂ · exp(z · sᵢ)],   sᵢ = √Σᵢᵢ = SE(θ̂ᵢ) / θ̂ᵢ,   z = Φ⁻¹((1 + level) / 2)
/// ```
/// with Σ the covariance of the log-parameters (the inverse observed information in ln θ).
/// ln θ̂ is closer to normal than θ̂ for a positive parameter, and the interval can never reach
/// zero or below, unlike θ̂ ± z·SE (for CDNOW's a = 0.79, SE 0.19, that one is fine; for a
/// shape of 0.05 with SE 0.04 it would include negative values).
public struct ParameterInterval: Sendable, Equatable, Codable {
    public var name: String
    public var estimate: Double
    /// Standard error on the natural scale (delta method), as in the model file.
    public var standardError: Double
    /// Coverage probability, e.g. 0.95.
    public var level: Double
    public var lower: Double
    public var upper: Double
}

/// The intervals of one fitted model.
public struct ModelParameterIntervals: Sendable, Equatable, Codable {
    /// The model identifier (`bgnbd`, `gamma-gamma`, …).
    public var model: String
    public var level: Double
    public var parameters: [ParameterInterval]
}

extension FittedModelRecord {
    /// The covariance in the estimator's coordinates: of ln θ for a positive parameter
    /// (Σᵢⱼ = Cᵢⱼ / (θᵢ θⱼ)), of θ itself for a covariate coefficient (`domain(of:)`).
    ///
    /// The file's natural-scale covariance is C = J Σ J with the diagonal Jacobian
    /// J = diag(θ for positive, 1 for free) of the delta method, so dividing recovers Σ exactly
    /// (to rounding): no extra field is needed for it.
    public var logParameterCovariance: Matrix {
        let d = parameterNames.map { Self.domain(of: $0) == .positive ? parameters[$0] ?? .nan : 1 }
        var m = Matrix(rows: d.count, columns: d.count)
        for i in d.indices {
            for j in d.indices { m[i, j] = covariance[i][j] / (d[i] * d[j]) }
        }
        return m
    }

    /// Confidence intervals for every parameter at `level`, in `parameterNames` order: on the
    /// log scale for a positive parameter (see `ParameterInterval`), θ̂ ∓ z·SE for a coefficient.
    /// - Precondition: 0 < level < 1.
    public func confidenceIntervals(level: Double = 0.95) -> [ParameterInterval] {
        precondition(level > 0 && level < 1, "A confidence level must be strictly between 0 and 1.")
        let z = Special.normalQuantile((1 + level) / 2)
        return parameterNames.enumerated().map { i, name in
            let theta = parameters[name] ?? .nan
            let se = covariance[i][i].squareRoot()
            let (lower, upper) = Self.domain(of: name) == .positive
                ? (theta * Foundation.exp(-z * se / theta), theta * Foundation.exp(z * se / theta))
                : (theta - z * se, theta + z * se)
            return ParameterInterval(name: name, estimate: theta, standardError: standardErrors[name] ?? .nan, level: level,
                                     lower: lower, upper: upper)
        }
    }
}

extension ModelFile {
    /// Parameter intervals of the purchase model and (when present) the spend model.
    public func parameterIntervals(level: Double = 0.95) -> [ModelParameterIntervals] {
        ([purchaseModel] + (spendModel.map { [$0] } ?? [])).map {
            ModelParameterIntervals(model: $0.model, level: level, parameters: $0.confidenceIntervals(level: level))
        }
    }
}
