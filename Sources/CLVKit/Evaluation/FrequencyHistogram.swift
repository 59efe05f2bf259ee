/// Expected against actual numbers of customers by their number of repeat purchases in the
/// calibration period: the model-fit check of Fader, Hardie & Lee 2005, Figure 2 (lifetimes'
/// `plot_period_transactions`, which simulates it; here it is exact):
/// ```
/// expected(k) = Σᵢ wᵢ · P(X(Tᵢ) = k),   k = 0 … K−1,    expected(K+) = Σᵢ wᵢ − Σₖ₍<K₎ expected(k)
/// ```
/// Works for any model that gives P(X(t) = k) (`PurchaseCountDistribution`) without knowing
/// which one it is.
public struct FrequencyHistogram: Sendable, Equatable {
    /// The purchase model's display name.
    public var model: String
    /// Customers with k = 0 … K−1 repeat purchases, then K or more (the last entry).
    public var actual: [Double]
    /// The model's expectation of the same counts; sums to the number of customers.
    public var expected: [Double]

    /// The histogram of `history` under `model` with buckets 0 … `maxCount`−1 and `maxCount`+;
    /// nil when the model does not give P(X(t) = k).
    ///
    /// Customers are grouped by T (cohorts share a few distinct values: 84 in CDNOW's 2,357), so
    /// the PMF is evaluated once per distinct T and bucket.
    /// - Throws: `ModelError` when a probability cannot be computed.
    /// - Complexity: O(distinct T × maxCount) PMF evaluations plus O(n).
    public static func compute(model: any PurchaseModel, history: PurchaseHistory, maxCount: Int = 7) throws(ModelError) -> FrequencyHistogram? {
        precondition(maxCount >= 1, "A histogram needs at least the bucket 0 and the open bucket.")
        guard let distribution = model as? any PurchaseCountDistribution else { return nil }
        var actual = [Double](repeating: 0, count: maxCount + 1)
        var weightByT: [Double: Double] = [:]
        for i in 0..<history.count {
            let w = history.weight[i]
            actual[min(Int(history.frequency[i]), maxCount)] += w
            weightByT[history.T[i], default: 0] += w
        }
        var expected = [Double](repeating: 0, count: maxCount + 1)
        for (T, w) in weightByT.sorted(by: { $0.key < $1.key }) {
            var below = 0.0
            for k in 0..<maxCount {
                let p = try distribution.probabilityOfPurchases(k, within: T)
                expected[k] += w * p
                below += p
            }
            expected[maxCount] += w * max(0, 1 - below)
        }
        return FrequencyHistogram(model: type(of: model).displayName, actual: actual, expected: expected)
    }
}
