/// The compressed (weighted) form of an RFM summary: one row per distinct customer pattern with
/// a `weight` = the number of customers sharing it.
///
/// Which columns make a pattern — and why both models give the same parameters as on the
/// per-customer summary:
/// - the purchase models (BG/NBD, Pareto/NBD, MBG/NBD, BG/BB) see a customer only through
///   (x, t_x, T), so grouping by those three loses nothing for them;
/// - Gamma-Gamma does not: its log-likelihood per customer,
///   ```
///   (px−1) ln m̄ − (px+q) ln(γ + x m̄) + …
///   ```
///   is not linear in m̄ (ln(γ + x m̄) mixes the parameter γ with each customer's own m̄), so no
///   per-row mean or sum of m̄ over customers with different m̄ gives the same likelihood.
///   The pattern therefore includes `monetary_value` too. Customers without a repeat purchase
///   (m̄ = 0, usually the majority) still collapse to one row per T; repeat customers with the
///   same (x, t_x, T) merge only when their m̄ is the same.
/// - with a holdout, the holdout columns are part of the pattern as well, so that holdout
///   evaluation and `--model auto`'s holdout choice see every customer's own outcome.
///
/// The summed log-likelihood of every model is then the same sum of the same terms, grouped:
/// the estimates agree with those on the per-customer summary to the optimiser's tolerance.
/// Without amounts (`--amount-column none`) the pattern is just (x, t_x, T) — the full
/// compression `PurchaseHistory.compressed()` applies when fitting.
///
/// Rows are sorted by frequency, recency, T, monetary value, holdout frequency, holdout monetary
/// value (numerically, ascending), so the output is deterministic and the same as the
/// `ORDER BY` of the SQL that ``SummarySQL`` emits. Two values are the same when they are the
/// same `Double` (summaries from one summarizer compute equal inputs identically).
extension CustomerSummaryTable {
    /// One row per distinct pattern (see the extension's comment), weights summed; the ids are
    /// the 1-based row numbers (a pattern is not a customer), provenance kept.
    /// - Complexity: O(n log n).
    public func weighted() -> CustomerSummaryTable {
        let money = monetaryValue
        let holdoutFrequency = holdout?.frequency
        let holdoutMoney = holdout?.monetaryValue
        // The sort key of row i, column by column; absent columns are 0.
        @inline(__always) func key(_ i: Int) -> (Double, Double, Double, Double, Double, Double) {
            (frequency[i], recency[i], T[i], money?[i] ?? 0, holdoutFrequency?[i] ?? 0, holdoutMoney?[i] ?? 0)
        }
        let order = (0..<count).sorted { a, b in
            let ka = key(a), kb = key(b)
            if ka != kb { return ka < kb }
            return a < b
        }
        var out = CustomerSummaryTable(unit: unit, customerIDs: [], frequency: [], recency: [], T: [],
                                       monetaryValue: money == nil ? nil : [], weight: [],
                                       holdout: holdout.map { HoldoutColumns(frequency: [], monetaryValue: $0.monetaryValue == nil ? nil : [], duration: $0.duration) },
                                       provenance: provenance)
        var last: (Double, Double, Double, Double, Double, Double)?
        for i in order {
            let k = key(i)
            if let last, last == k {
                out.weight[out.weight.count - 1] += weight[i]
                continue
            }
            last = k
            out.frequency.append(frequency[i])
            out.recency.append(recency[i])
            out.T.append(T[i])
            out.monetaryValue?.append(money![i])
            out.weight.append(weight[i])
            out.holdout?.frequency.append(holdoutFrequency![i])
            out.holdout?.monetaryValue?.append(holdoutMoney![i])
        }
        out.customerIDs = (0..<out.count).map { String($0 + 1) }
        return out
    }
}
