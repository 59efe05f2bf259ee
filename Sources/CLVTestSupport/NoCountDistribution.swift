import CLVKit

/// A purchase model without P(X(t) = k): BG/NBD's predictions behind a type that does not
/// conform to `PurchaseCountDistribution`.
public struct NoCountDistribution: PurchaseModel {
    public static let identifier = "test-no-count-distribution"
    public static let displayName = "no count distribution"
    public static let parameterNames = BGNBD.parameterNames
    let inner: BGNBD
    public init(parameterValues: [Double]) throws(ModelError) { inner = try BGNBD(parameterValues: parameterValues) }
    public var parameterValues: [Double] { inner.parameterValues }
    public static func startValues(for data: PurchaseHistory) -> [[Double]] { BGNBD.startValues(for: data) }
    public static func logLikelihood(of data: PurchaseHistory) -> any LogLikelihood { BGNBD.logLikelihood(of: data) }
    public func probabilityAlive(frequency: Double, recency: Double, T: Double) -> Double {
        inner.probabilityAlive(frequency: frequency, recency: recency, T: T)
    }
    public func expectedPurchases(within t: Double, frequency: Double, recency: Double, T: Double) throws(ModelError) -> Double {
        try inner.expectedPurchases(within: t, frequency: frequency, recency: recency, T: T)
    }
    public func expectedPurchasesOfNewCustomer(within t: Double) throws(ModelError) -> Double {
        try inner.expectedPurchasesOfNewCustomer(within: t)
    }
    public func probabilityOfPurchase(within t: Double, frequency: Double, recency: Double, T: Double) throws(ModelError) -> Double {
        try inner.probabilityOfPurchase(within: t, frequency: frequency, recency: recency, T: T)
    }
}
