import CLVNumerics

/// The likelihood-ratio test of a restricted model against the model it is nested in:
/// 2 (LL_unrestricted − LL_restricted), asymptotically χ² on as many degrees of freedom as the
/// restriction removes under the null hypothesis that it holds (Wilks 1938).
public struct LikelihoodRatioTest: Codable, Equatable, Sendable {
    public var statistic: Double
    public var degreesOfFreedom: Int
    public var pValue: Double

    /// The statistic is floored at 0: an unrestricted fit that ends a rounding error below the
    /// restricted one has not lost fit.
    public init(restricted: Double, unrestricted: Double, degreesOfFreedom df: Int) {
        statistic = max(0, 2 * (unrestricted - restricted))
        degreesOfFreedom = df
        pValue = df > 0 ? Special.chiSquareSurvival(statistic, degreesOfFreedom: df) : 1
    }
}
