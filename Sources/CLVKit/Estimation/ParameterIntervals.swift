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
    /// The covariance of the log-parameters, Σᵢⱼ = Cᵢⱼ / (θᵢ θⱼ).
    ///
    /// The file's natural-scale covariance is C = J Σ J with the diagonal Jacobian
    /// J = diag(θ) of θ = exp(u) (delta method), so dividing by θᵢθⱼ recovers Σ exactly (to
    /// rounding): version-1 files need no extra field for it.
    public var logParameterCovariance: Matrix {
        let theta = parameterValues
        var m = Matrix(rows: theta.count, columns: theta.count)
        for i in theta.indices {
            for j in theta.indices { m[i, j] = covariance[i][j] / (theta[i] * theta[j]) }
        }
        return m
    }

    /// Confidence intervals for every parameter at `level`, on the log scale
    /// (see `ParameterInterval`), in `parameterNames` order.
    /// - Precondition: 0 < level < 1.
    public func confidenceIntervals(level: Double = 0.95) -> [ParameterInterval] {
        precondition(level > 0 && level < 1, "A confidence level must be strictly between 0 and 1.")
        let z = Special.normalQuantile((1 + level) / 2)
        return parameterNames.enumerated().map { i, name in
            let theta = parameters[name] ?? .nan
            let s = covariance[i][i].squareRoot() / theta
            return ParameterInterval(name: name, estimate: theta, standardError: standardErrors[name] ?? .nan, level: level,
                                     lower: theta * Foundation.exp(-z * s), upper: theta * Foundation.exp(z * s))
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
