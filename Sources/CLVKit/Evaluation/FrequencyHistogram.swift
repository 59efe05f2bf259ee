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

    /// The histogram when every customer has a model of their own (a covariate model): the same
    /// sums with row i's P(X(Tᵢ) = k) under row i's model. `history` is row-aligned with the
    /// models' covariate design (the summary's rows).
    /// - Complexity: O(rows × maxCount) PMF evaluations, rows in parallel.
    public static func compute(models: CustomerModels, history: PurchaseHistory, maxCount: Int = 7) throws(ModelError) -> FrequencyHistogram? {
        guard models.covariates != nil else { return try compute(model: models.shared, history: history, maxCount: maxCount) }
        precondition(maxCount >= 1, "A histogram needs at least the bucket 0 and the open bucket.")
        guard models.shared is any PurchaseCountDistribution else { return nil }
        let parts = ChunkedSum.map(rows: history.count) { range -> Result<(actual: [Double], expected: [Double]), ModelError> in
            var actual = [Double](repeating: 0, count: maxCount + 1), expected = actual
            for i in range {
                let w = history.weight[i]
                actual[min(Int(history.frequency[i]), maxCount)] += w
                do throws(ModelError) {
                    guard let distribution = try models.model(row: i) as? any PurchaseCountDistribution else { continue }
                    var below = 0.0
                    for k in 0..<maxCount {
                        let p = try distribution.probabilityOfPurchases(k, within: history.T[i])
                        expected[k] += w * p
                        below += p
                    }
                    expected[maxCount] += w * max(0, 1 - below)
                } catch {
                    return .failure(error)
                }
            }
            return .success((actual, expected))
        }
        var actual = [Double](repeating: 0, count: maxCount + 1), expected = actual
        for part in parts {
            let (a, e) = try part.get()
            for k in 0...maxCount { actual[k] += a[k]; expected[k] += e[k] }
        }
        return FrequencyHistogram(model: type(of: models.shared).displayName, actual: actual, expected: expected)
    }
}
