/// Weighted quantiles of a sample: the diagnostics' median T and the report's axis ranges.
public enum WeightedQuantile {
    /// The lower weighted q-quantile: the smallest value v with Σ{wᵢ : xᵢ ≤ v} ≥ q · Σ wᵢ
    /// (for q = 0.5, the lower weighted median; q ≤ 0 gives the minimum).
    ///
    /// Selection, not sorting: a three-way partition around a median-of-three pivot keeps only
    /// the side that holds the quantile, so the expected cost is O(n) — a million customers'
    /// T take a few milliseconds where sorting them took a tenth of a second of `clvfit train`.
    /// Deterministic (no random pivots). Weights must be non-negative and values not NaN.
    /// - Precondition: `values` is non-empty and as long as `weights`.
    public static func lower(_ values: [Double], weights: [Double], q: Double) -> Double {
        precondition(!values.isEmpty && values.count == weights.count,
                     "a weighted quantile needs as many weights as values, and at least one value")
        var items = Array(zip(values, weights))
        var target = q * weights.reduce(0, +)
        var lo = 0, hi = items.count   // the quantile lies in items[lo..<hi]
        while hi - lo > 1 {
            let a = items[lo].0, b = items[(lo + hi) / 2].0, c = items[hi - 1].0
            let pivot = max(min(a, b), min(max(a, b), c))
            // Dutch-flag partition of lo..<hi: [lo, less) < pivot, [less, i) == pivot, (greater, hi) > pivot.
            var less = lo, i = lo, greater = hi - 1
            var weightLess = 0.0, weightEqual = 0.0
            while i <= greater {
                let v = items[i].0
                if v < pivot {
                    weightLess += items[i].1
                    items.swapAt(i, less)
                    less += 1
                    i += 1
                } else if v > pivot {
                    items.swapAt(i, greater)
                    greater -= 1
                } else {
                    weightEqual += items[i].1
                    i += 1
                }
            }
            if less > lo && target <= weightLess {
                hi = less
            } else if target <= weightLess + weightEqual || greater + 1 == hi {
                return pivot
            } else {
                target -= weightLess + weightEqual
                lo = greater + 1
            }
        }
        return items[lo].0
    }
}
