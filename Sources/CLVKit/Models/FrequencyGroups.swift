/// Customers grouped by their (whole-number) frequency x.
///
/// The Γ-function terms of the BTYD likelihoods depend on a customer only through x, and real
/// data have few distinct frequencies (a few hundred at most), so the likelihoods evaluate
/// those terms once per group with the group's summed weight instead of once per customer.
struct FrequencyGroups: Sendable {
    /// The distinct frequencies, in first-appearance order.
    let frequencies: [Double]
    /// Σ weight of the rows in each group.
    let weights: [Double]
    /// For each row, the index of its group in `frequencies`.
    let groupOfRow: [Int32]

    init(frequency: [Double], weight: [Double]) {
        var index: [Double: Int32] = [:]
        var xs: [Double] = [], ws: [Double] = []
        var groupOfRow = [Int32](repeating: 0, count: frequency.count)
        for i in frequency.indices {
            let x = frequency[i]
            if let k = index[x] {
                groupOfRow[i] = k
                ws[Int(k)] += weight[i]
            } else {
                let k = Int32(xs.count)
                index[x] = k
                xs.append(x)
                ws.append(weight[i])
                groupOfRow[i] = k
            }
        }
        frequencies = xs
        weights = ws
        self.groupOfRow = groupOfRow
    }
}
