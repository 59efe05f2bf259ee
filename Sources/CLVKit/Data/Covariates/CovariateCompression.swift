extension PurchaseHistory {
    /// Customers with equal (x, t_x, T) and equal covariates merged into one row whose weight is
    /// the sum of theirs, with the design row-aligned to the result: what `compressed()` does for a
    /// model without covariates, with the covariates in the key (their likelihood terms are then
    /// equal too). Order: first appearance, so the same input gives the same rows.
    public func compressed(with design: CovariateDesign) -> (PurchaseHistory, CovariateDesign) {
        let columns = design.purchase.columns + design.dropout.columns
        let n = count
        var capacity = 16
        while capacity < 2 * n { capacity <<= 1 }
        let mask = capacity - 1
        var slots = [Int32](repeating: -1, count: capacity)
        var kept: [Int] = []          // the first row of each pattern
        var weights: [Double] = []
        kept.reserveCapacity(n); weights.reserveCapacity(n)
        func same(_ i: Int, _ j: Int) -> Bool {
            guard frequency[i] == frequency[j], recency[i] == recency[j], T[i] == T[j] else { return false }
            for c in columns where c[i] != c[j] { return false }
            return true
        }
        for i in 0..<n {
            var h = Self.patternHash(frequency[i], recency[i], T[i])
            for c in columns { h = murmurFinalizer(h ^ c[i].bitPattern) }
            var slot = Int(truncatingIfNeeded: h) & mask
            while true {
                let k = Int(slots[slot])
                if k < 0 {
                    slots[slot] = Int32(kept.count)
                    kept.append(i)
                    weights.append(weight[i])
                    break
                }
                if same(kept[k], i) {
                    weights[k] += weight[i]
                    break
                }
                slot = (slot + 1) & mask
            }
        }
        let history = PurchaseHistory(unchecked: kept.map { frequency[$0] }, kept.map { recency[$0] }, kept.map { T[$0] }, weights)
        func select(_ c: CovariateColumns) -> CovariateColumns {
            CovariateColumns(names: c.names, columns: c.columns.map { col in kept.map { col[$0] } })
        }
        return (history, CovariateDesign(purchase: select(design.purchase), dropout: select(design.dropout)))
    }
}
