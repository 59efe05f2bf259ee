import Testing
@testable import CLVKit
import CLVNumerics
import CLVTestSupport

/// Equality constraints among parameters (`--shared-covariates`): the linear map and its
/// derivatives.
@Suite struct TiedParametersTests {
    @Test func groupsMapToOneReducedParameterEach() {
        let ties = TiedParameters(count: 7, groups: [[4, 6], [2, 5]])
        #expect(ties.freeCount == 5 && !ties.isTrivial)
        #expect(ties.representative == [0, 1, 2, 3, 4])
        #expect(ties.reducedIndex == [0, 1, 2, 3, 4, 2, 4])
        #expect(ties.expand([10.0, 11, 12, 13, 14]) == [10, 11, 12, 13, 14, 12, 14])
        #expect(ties.reduce(ties.expand([10.0, 11, 12, 13, 14])) == [10, 11, 12, 13, 14])
        #expect(ties.reduceGradient([1, 2, 3, 4, 5, 6, 7]) == [1, 2, 9, 4, 12])
        #expect(TiedParameters(count: 3).isTrivial)
        // J Σ Jᵀ then the representatives' block is Σ again.
        var sigma = Matrix(rows: 5, columns: 5)
        for i in 0..<5 { for j in 0..<5 { sigma[i, j] = Double(min(i, j) + 1) } }
        let full = ties.expandCovariance(sigma)
        #expect(full[6, 6] == sigma[4, 4] && full[6, 4] == sigma[4, 4] && full[5, 1] == sigma[2, 1])
        #expect(ties.reduceCovariance(full) == sigma)
    }

    /// Jᵀ∇ and JᵀHJ of a covariate likelihood with a shared covariate against central
    /// differences of the tied likelihood (the tolerances of the covariate likelihoods' own test).
    @Test(arguments: ["bgnbd", "pnbd"])
    func tiedDerivativesMatchFiniteDifferences(_ model: String) throws {
        let (data, design) = try CovariateLikelihoodTests.cdnowHead(400)
        func check<M: CovariatePurchaseModel>(_ type: M.Type, _ theta: [Double]) {
            let ties = design.sharedCoefficients(M.self, shared: ["multi_cd"])
            #expect(ties.freeCount == ties.count - (M.covariateShifts.count - 1))
            let tied = TiedLogLikelihood(base: CovariateLogLikelihood<M>(data, design: design), ties: ties)
            let coefficients = [0.3, 0.05, 0.2, -0.1, 0.15, 0.07].prefix(ties.freeCount - 4)
            let e = derivativeDiscrepancy(tied, at: theta + coefficients)
            #expect(e.gradient < 1e-6 && e.hessian < 1e-5, "\(M.displayName): gradient \(e.gradient), Hessian \(e.hessian)")
        }
        if model == "bgnbd" { check(BGNBD.self, [0.243, 4.414, 0.793, 2.426]) } else { check(ParetoNBD.self, [0.553, 10.578, 0.606, 11.669]) }
    }
}
