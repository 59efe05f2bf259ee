#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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
/// Monetary values are grouped at ``groupingDigits`` (12) significant digits: each m̄ (and
/// holdout m̄) is replaced by ``roundedForGrouping(_:)`` — the `Double` nearest to it written
/// with 12 significant digits — and rows with the same rounded values are one pattern, written
/// with the rounded value. Why: a mean is a sum divided by a count, and an engine whose `SUM`
/// depends on the rows' order (a database's parallel aggregate over `double precision`) gives
/// means that differ in the last bits from run to run; at 12 digits those differences (~1e-16
/// relative) vanish, so clvfit and the SQL of ``SummarySQL`` (which rounds the same way) give
/// the same patterns. (clvfit's own sums are exact and do not depend on the order: see
/// ``RFMSummarizer``.) What it does to the Gamma-Gamma fit: each m̄ moves by at most 5e-12
/// relative, which moves the log-likelihood and the parameters by far less than the
/// optimiser's tolerance (measured on CDNOW in `WeightedSummaryTests`); the purchase models
/// do not see m̄.
///
/// Rows are sorted by frequency, recency, T, monetary value, holdout frequency, holdout monetary
/// value (numerically, ascending), so the output is deterministic and the same as the
/// `ORDER BY` of the SQL that ``SummarySQL`` emits. Two values are the same when they are the
/// same `Double` after the rounding above.
extension CustomerSummaryTable {
    /// The significant digits at which ``weighted()`` groups monetary values.
    public static let groupingDigits = 12

    /// `value` (≥ 0, finite) rounded to ``groupingDigits`` significant digits: the `Double`
    /// nearest to the decimal that C's `printf("%.11e")` writes (the exact binary value
    /// rounded half-even to 12 digits) — what PostgreSQL's `to_char(v, '9.99999999999EEEE')`
    /// writes, so the SQL can round identically. Fast path: one scaling by an exact power of
    /// ten, when the scaled value is clearly away from a rounding boundary; else `vsnprintf`
    /// and `strtod` themselves.
    public static func roundedForGrouping(_ value: Double) -> Double {
        guard value > 0, value.isFinite else { return value }
        let exponent = Int(log10(value).rounded(.down))
        var k = 11 - exponent           // scaled = value × 10^k should lie in [1e11, 1e12)
        for _ in 0..<2 {
            guard k >= -22, k <= 22 else { break }
            let power = NumberField.exactPowerOfTen(abs(k))
            let scaled = k >= 0 ? value * power : value / power
            if scaled < 1e11 { k += 1; continue }
            if scaled >= 1e12 { k -= 1; continue }
            // `scaled` is within half an ulp of the exact product: if it is more than an ulp
            // from a half-integer, the exact product rounds to the same integer.
            let floor = scaled.rounded(.down)
            guard abs(scaled - floor - 0.5) > scaled.ulp else { break }
            let n = scaled.rounded(.toNearestOrEven)
            return k >= 0 ? n / power : n * power    // n < 2^53, power exact: correctly rounded
        }
        return printfRounded(value)
    }

    /// `strtod(printf("%.11e", value))`.
    static func printfRounded(_ value: Double) -> Double {
        var buffer = [CChar](repeating: 0, count: 40)
        _ = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%.11e", $0) }
        return strtod(buffer, nil)
    }

    /// One row per distinct pattern (see the extension's comment), weights summed; the ids are
    /// the 1-based row numbers (a pattern is not a customer), provenance kept.
    /// - Complexity: O(n log n).
    public func weighted() -> CustomerSummaryTable {
        let money = monetaryValue?.map(Self.roundedForGrouping)
        let holdoutFrequency = holdout?.frequency
        let holdoutMoney = holdout?.monetaryValue?.map(Self.roundedForGrouping)
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
