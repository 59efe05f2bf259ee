import Foundation
import Testing
@testable import CLVKit
import CLVNumerics
import CLVTestSupport

/// The likelihood-ratio test and the effects in words of a covariate model.
@Suite struct CovariateEvaluationTests {
    @Test func likelihoodRatioTestAndEffects() throws {
        let (data, design, _) = try CovariateLikelihoodTests.cdnow()
        let plain = try Estimator().fit(ParetoNBD.self, to: data)
        let fit = try Estimator().fit(ParetoNBD.self, to: data, covariates: design, start: plain.model)
        let record = FittedModelRecord(model: ParetoNBD.identifier, fit.fit)
        let evaluation = CovariateEvaluation(with: record, without: FittedModelRecord(plain), model: fit.model, means: design.means())
        let statistic = 2 * (fit.fit.logLikelihood - plain.logLikelihood)
        #expect(isClose(evaluation.likelihoodRatio.statistic, statistic, relative: 1e-12))
        #expect(evaluation.likelihoodRatio.degreesOfFreedom == 4)
        #expect(isClose(evaluation.likelihoodRatio.pValue, Special.chiSquareSurvival(statistic, degreesOfFreedom: 4), relative: 1e-14))
        #expect(evaluation.likelihoodRatio.pValue < 1e-6)
        #expect(evaluation.withCovariates.parameters == 8 && evaluation.withoutCovariates.parameters == 4)
        #expect(isClose(evaluation.withCovariates.aic, 16 - 2 * fit.fit.logLikelihood, relative: 1e-14))
        // Pareto/NBD: a purchase coefficient multiplies the mean purchase rate r/α by e^γ.
        let gamma = fit.model.coefficients[1]
        let amount = try #require(evaluation.effects.first { $0.coefficient == "alpha.log_first_amount" })
        #expect(amount.description.hasPrefix(String(format: "alpha.log_first_amount: log_first_amount + 1: mean purchase rate ×%.3g (95 %% interval ×", Foundation.exp(gamma))))
        let rate0 = try fit.model.customerModel(purchase: [0, 0], dropout: [0, 0]), rate1 = try fit.model.customerModel(purchase: [0, 1], dropout: [0, 0])
        #expect(isClose(rate0.alpha / rate1.alpha, Foundation.exp(gamma), relative: 1e-12))
        #expect(evaluation.effects.map(\.coefficient) == fit.fit.names.suffix(4))
    }

    /// BG/NBD: a dropout covariate moves a/(a+b), evaluated at the covariates' means.
    @Test func bgnbdDropoutEffectIsTheMeanDropoutProbability() throws {
        let base = try BGNBD(r: 0.3, alpha: 5, a: 0.8, b: 2.4)
        let model = CovariatePurchaseModelOf(base: base, purchaseCovariates: [], dropoutCovariates: ["x"], coefficients: [0.5, -0.2])
        let effects = model.effects(means: CovariateDesign.Means(purchase: [], dropout: [0.25]))
        let a0 = 0.8 * Foundation.exp(0.5 * 0.25), b0 = 2.4 * Foundation.exp(-0.2 * 0.25)
        let a1 = 0.8 * Foundation.exp(0.5 * 1.25), b1 = 2.4 * Foundation.exp(-0.2 * 1.25)
        #expect(effects.map(\.description) == [
            String(format: "a.x: x + 1 (from its mean, others at theirs): mean dropout probability a/(a+b) %.3g → %.3g", a0 / (a0 + b0), a1 / (a1 + b1)),
            "b.x: acts with a.x on the mean dropout probability (its line)",
        ])
    }
}
