import CLVKit
import Foundation

extension Simulate {
    /// A customer base of a covariate model (EXTENSIONS.md §1): each customer gets two covariates,
    /// `binary` ~ Bernoulli(0.4) and `normal` ~ N(0, 1), used by both processes; their own
    /// parameters ln θᵢⱼ = ln θⱼ + signⱼ γⱼᵀxᵢ; and one draw of the model at those parameters,
    /// observed for T ~ Uniform(`observation`). Seeded (`SplitMix64`).
    /// - Parameters:
    ///   - model: the model at covariates = 0 and its coefficients (shift by shift, binary then normal).
    ///   - draw: one customer's (x, t_x) at parameters θᵢ over T.
    public static func withCovariates<M: CovariatePurchaseModel>(
        _ model: CovariatePurchaseModelOf<M>, customers n: Int, observation: ClosedRange<Double> = 20...60, seed: UInt64 = 42,
        draw: (inout SplitMix64, [Double], Double) -> (x: Double, tx: Double)
    ) throws -> (table: CustomerSummaryTable, design: CovariateDesign) {
        precondition(model.purchaseCovariates == ["binary", "normal"] && model.dropoutCovariates == ["binary", "normal"],
                     "The simulated covariates are named binary and normal.")
        var rng = SplitMix64(seed: seed)
        var ids = [String](), xs = [Double](), txs = [Double](), Ts = [Double](), binary = [Double](), normal = [Double]()
        for i in 0..<n {
            let T = observation.lowerBound + (observation.upperBound - observation.lowerBound) * rng.uniform()
            let covariates = [rng.uniform() < 0.4 ? 1.0 : 0.0, rng.normal()]
            let theta = try model.customerModel(purchase: covariates, dropout: covariates).parameterValues
            let (x, tx) = draw(&rng, theta, T)
            ids.append(String(i + 1)); xs.append(x); txs.append(tx); Ts.append(T)
            binary.append(covariates[0]); normal.append(covariates[1])
        }
        let columns = CovariateColumns(names: ["binary", "normal"], columns: [binary, normal])
        return (CustomerSummaryTable(unit: .week, customerIDs: ids, frequency: xs, recency: txs, T: Ts, monetaryValue: nil),
                CovariateDesign(purchase: columns, dropout: columns))
    }
}
