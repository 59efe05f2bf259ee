import CLVNumerics
import Foundation

/// What covariates add to a purchase model: the likelihood-ratio test against the same model
/// without them, both models' AIC and BIC, and each coefficient's effect in words.
public struct CovariateEvaluation: Codable, Equatable, Sendable {
    public struct Fit: Codable, Equatable, Sendable {
        public var parameters: Int
        public var logLikelihood: Double
        public var aic: Double
        public var bic: Double
    }

    /// One coefficient: its estimate, 95 % interval (estimate ∓ 1.96 SE) and what it means.
    public struct Effect: Codable, Equatable, Sendable {
        public var coefficient: String
        public var estimate: Double
        public var lower: Double
        public var upper: Double
        /// E.g. "multi_cd + 1: mean purchase rate ×1.44 (95 % interval ×1.21 to ×1.71)".
        public var description: String
    }

    public var model: String
    public var withoutCovariates: Fit
    public var withCovariates: Fit
    /// 2 (LL_with − LL_without) on as many degrees of freedom as there are coefficients: the
    /// null hypothesis is that every coefficient is 0.
    public var likelihoodRatio: LikelihoodRatioTest
    /// With `--shared-covariates`: the shared coefficients against every coefficient free.
    public var sharedCoefficients: LikelihoodRatioTest?
    public var effects: [Effect]

    /// Compares the records of the same model fitted with and without covariates on the same
    /// customers; `means` are the covariates' means over them (where BG/NBD's dropout effect is
    /// evaluated).
    public init(with record: FittedModelRecord, without plain: FittedModelRecord, model: any CustomerParameterModel,
                means: CovariateDesign.Means, sharedTest: LikelihoodRatioTest? = nil) {
        func fit(_ r: FittedModelRecord) -> Fit {
            Fit(parameters: r.freeParameterCount, logLikelihood: r.logLikelihood, aic: r.aic, bic: r.bic)
        }
        self.model = record.model
        withoutCovariates = fit(plain)
        withCovariates = fit(record)
        likelihoodRatio = LikelihoodRatioTest(restricted: plain.logLikelihood, unrestricted: record.logLikelihood,
                                              degreesOfFreedom: withCovariates.parameters - withoutCovariates.parameters)
        sharedCoefficients = sharedTest
        let intervals = Dictionary(uniqueKeysWithValues: record.confidenceIntervals(level: 0.95).map { ($0.name, $0) })
        effects = model.effects(means: means).map { e in
            let i = intervals[e.coefficient]!
            // A multiplicative effect e^γ: its interval is e^(γ ∓ 1.96 SE).
            let text = e.multiplicative
                ? e.description + String(format: " (95 %% interval ×%.3g to ×%.3g)", Double.exp(i.lower), Double.exp(i.upper))
                : e.description
            return Effect(coefficient: e.coefficient, estimate: i.estimate, lower: i.lower, upper: i.upper, description: text)
        }
    }

    /// Plain text for people.
    public func text() -> String {
        var s = "Covariates (\(model)): likelihood-ratio test against the model without them: "
        s += String(format: "statistic %.2f on %d degrees of freedom, p = %.3g\n", likelihoodRatio.statistic, likelihoodRatio.degreesOfFreedom, likelihoodRatio.pValue)
        s += String(format: "  without covariates   LL %.4f   AIC %.2f   BIC %.2f   (%d parameters)\n", withoutCovariates.logLikelihood, withoutCovariates.aic, withoutCovariates.bic, withoutCovariates.parameters)
        s += String(format: "  with covariates      LL %.4f   AIC %.2f   BIC %.2f   (%d parameters)\n", withCovariates.logLikelihood, withCovariates.aic, withCovariates.bic, withCovariates.parameters)
        if let t = sharedCoefficients {
            s += String(format: "  shared coefficients against free ones: statistic %.2f on %d degree%@ of freedom, p = %.3g%@\n",
                        t.statistic, t.degreesOfFreedom, t.degreesOfFreedom == 1 ? "" : "s", t.pValue, t.pValue < 0.05 ? " (the data reject sharing at 5 %)" : "")
        }
        for e in effects { s += "  \(e.description)\n" }
        return s
    }
}

extension CovariateDesign {
    /// The weighted mean of each covariate of each process.
    public struct Means: Sendable, Equatable {
        public var purchase: [Double]
        public var dropout: [Double]
    }

    public func means(weight: [Double]? = nil) -> Means {
        func mean(_ c: [Double]) -> Double {
            guard let weight else { return c.reduce(0, +) / Double(max(c.count, 1)) }
            var sw = 0.0, s = 0.0
            for i in c.indices { sw += weight[i]; s += weight[i] * c[i] }
            return s / sw
        }
        return Means(purchase: purchase.columns.map(mean), dropout: dropout.columns.map(mean))
    }
}

/// A coefficient's effect in words (no interval yet).
public struct CovariateEffectText: Sendable, Equatable {
    public var coefficient: String
    public var description: String
    /// The effect is e^γ times a rate (its interval is e^(interval of γ)).
    public var multiplicative = false
}

extension CovariatePurchaseModelOf {
    /// Each coefficient's effect, derived from how its parameter is shifted:
    /// - a Gamma rate (sign −1: α, Pareto/NBD's β) divides by e^γ per unit of the covariate, so
    ///   the mean rate (E[λ] = r/α, E[μ] = s/β) is multiplied by e^γ: "mean purchase rate ×1.44";
    /// - the beta-geometric a and b (sign +1) move the mean dropout probability a/(a+b): shown as
    ///   its value at the covariates' means and with this covariate one unit higher (both
    ///   coefficients of the covariate act together), "mean dropout probability 0.24 → 0.21".
    public func effects(means: CovariateDesign.Means) -> [CovariateEffectText] {
        var out: [CovariateEffectText] = []
        let names = parameterNames
        var c = 4
        for shift in Base.covariateShifts {
            let covariates = shift.process == .purchase ? purchaseCovariates : dropoutCovariates
            for (k, covariate) in covariates.enumerated() {
                let gamma = coefficients[c - 4]
                let name = names[c]
                c += 1
                if shift.sign < 0 {
                    let what = shift.process == .purchase ? "mean purchase rate" : "mean dropout rate"
                    out.append(CovariateEffectText(coefficient: name, description: String(format: "%@: %@ + 1: %@ ×%.3g", name, covariate, what, Double.exp(gamma)), multiplicative: true))
                } else {
                    // One line per covariate, on its first beta-geometric coefficient.
                    let first = Base.covariateShifts.first(where: { $0.sign > 0 })!.parameter
                    guard shift.parameter == first else {
                        out.append(CovariateEffectText(coefficient: name, description: "\(name): acts with \(first).\(covariate) on the mean dropout probability (its line)"))
                        continue
                    }
                    func probability(bump: Double) -> Double? {
                        var z = means.dropout
                        z[k] += bump
                        guard let m = try? customerModel(purchase: means.purchase, dropout: z).parameterValues else { return nil }
                        return m[2] / (m[2] + m[3])
                    }
                    if let p0 = probability(bump: 0), let p1 = probability(bump: 1) {
                        out.append(CovariateEffectText(coefficient: name, description: String(format: "%@: %@ + 1 (from its mean, others at theirs): mean dropout probability a/(a+b) %.3g → %.3g", name, covariate, p0, p1)))
                    }
                }
            }
        }
        return out
    }
}
