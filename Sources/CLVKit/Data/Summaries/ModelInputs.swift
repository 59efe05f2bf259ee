/// What a purchase (transaction-count) model is fitted to: (x, t_x, T) per row with a weight.
///
/// The likelihoods of BG/NBD, Pareto/NBD and MBG/NBD depend on a customer only through
/// (x, t_x, T), so customers sharing a tuple are one row with a count (`compressed()`):
/// the summed log-likelihood is identical and costs a fraction of the time.
public struct PurchaseHistory: Sendable, Equatable {
    public private(set) var frequency: [Double]
    public private(set) var recency: [Double]
    public private(set) var T: [Double]
    public private(set) var weight: [Double]

    /// Checks the summary's invariants; `source` names the data in messages.
    public init(frequency: [Double], recency: [Double], T: [Double], weight: [Double]? = nil,
                source: String = "the summary") throws(DataError) {
        let n = frequency.count
        let weight = weight ?? Array(repeating: 1, count: n)
        guard recency.count == n, T.count == n, weight.count == n else {
            throw DataError(file: source, message: "the frequency, recency, T and weight columns differ in length.")
        }
        guard n > 0 else { throw DataError(file: source, message: "there are no customers to fit.") }
        for i in 0..<n {
            let x = frequency[i], t = recency[i], big = T[i], w = weight[i]
            func fail(_ field: String, _ why: String) -> DataError {
                DataError(file: source, line: nil, field: field, message: "row \(i + 1): \(why)")
            }
            guard x.isFinite, x >= 0, x == x.rounded() else { throw fail("frequency", "\(x) is not a non-negative whole number.") }
            guard t.isFinite, t >= 0 else { throw fail("recency", "\(t) is not a non-negative number.") }
            guard big.isFinite, big >= t else { throw fail("T", "T = \(big) is smaller than recency = \(t).") }
            guard x > 0 || t == 0 else { throw fail("recency", "recency is \(t) but frequency is 0 (a customer without repeat purchases has recency 0).") }
            guard w.isFinite, w > 0 else { throw fail("weight", "\(w) is not a positive number.") }
        }
        self.frequency = frequency
        self.recency = recency
        self.T = T
        self.weight = weight
    }

    /// The purchase columns of a summary table.
    public init(_ table: CustomerSummaryTable, source: String = "the summary") throws(DataError) {
        try self.init(frequency: table.frequency, recency: table.recency, T: table.T, weight: table.weight, source: source)
    }

    public var count: Int { frequency.count }
    /// Σ weight: the number of customers.
    public var customerCount: Double { weight.reduce(0, +) }

    /// One row per distinct (x, t_x, T), weights summed, in first-appearance order.
    ///
    /// Uses an open-addressing table keyed by the three values' bit patterns (Swift's
    /// `Dictionary` with SipHash costs ~0.6 s per million rows; this, ~0.05 s). Tuples are
    /// equal when their Doubles are bit-for-bit equal (−0 never occurs: inputs are validated ≥ 0).
    /// - Complexity: O(n) expected.
    public func compressed() -> PurchaseHistory {
        let n = count
        var capacity = 16
        while capacity < 2 * n { capacity <<= 1 }
        let mask = capacity - 1
        var slots = [Int32](repeating: -1, count: capacity)   // index into `out`, −1 = empty
        var out = PurchaseHistory(unchecked: [], [], [], [])
        out.frequency.reserveCapacity(n); out.recency.reserveCapacity(n); out.T.reserveCapacity(n); out.weight.reserveCapacity(n)
        for i in 0..<n {
            let x = frequency[i], t = recency[i], big = T[i]
            // Whole-number values (summaries in days) have all-zero low mantissa bits, so each
            // word is mixed down (xor-shift) as well as up (multiply) before the next: a
            // multiply-only hash left the low bits zero and put every row of a day-unit summary
            // into a few hundred slots (2M customers took 1.6 s instead of 0.05 s).
            var slot = Int(truncatingIfNeeded: Self.patternHash(x, t, big)) & mask
            while true {
                let j = Int(slots[slot])
                if j < 0 {
                    slots[slot] = Int32(out.frequency.count)
                    out.frequency.append(x); out.recency.append(t); out.T.append(big); out.weight.append(weight[i])
                    break
                }
                if out.frequency[j] == x && out.recency[j] == t && out.T[j] == big {
                    out.weight[j] += weight[i]
                    break
                }
                slot = (slot + 1) & mask
            }
        }
        return out
    }

    /// The hash of a (frequency, recency, T) pattern in ``compressed()``.
    @inline(__always)
    static func patternHash(_ x: Double, _ t: Double, _ big: Double) -> UInt64 {
        murmurFinalizer(murmurFinalizer(murmurFinalizer(x.bitPattern) ^ t.bitPattern) ^ big.bitPattern)
    }

    /// Each row repeated `weight` times (weights must be whole numbers); for tests.
    public func expanded() -> PurchaseHistory {
        var out = PurchaseHistory(unchecked: [], [], [], [])
        for i in 0..<count {
            for _ in 0..<Int(weight[i]) {
                out.frequency.append(frequency[i])
                out.recency.append(recency[i])
                out.T.append(T[i])
                out.weight.append(1)
            }
        }
        return out
    }

    init(unchecked frequency: [Double], _ recency: [Double], _ T: [Double], _ weight: [Double]) {
        self.frequency = frequency
        self.recency = recency
        self.T = T
        self.weight = weight
    }
}

/// What a spend model is fitted to: customers with at least one repeat purchase, their
/// repeat-purchase count x and mean repeat-purchase amount m̄ (Fader, Hardie & Lee 2005b).
public struct SpendHistory: Sendable, Equatable {
    public private(set) var frequency: [Double]
    public private(set) var monetaryValue: [Double]
    public private(set) var weight: [Double]

    public init(frequency: [Double], monetaryValue: [Double], weight: [Double]? = nil,
                source: String = "the summary") throws(DataError) {
        let n = frequency.count
        let weight = weight ?? Array(repeating: 1, count: n)
        guard monetaryValue.count == n, weight.count == n else {
            throw DataError(file: source, message: "the frequency, monetary_value and weight columns differ in length.")
        }
        guard n > 0 else {
            throw DataError(file: source, message: "no customer has a repeat purchase with a positive amount, so the spend model cannot be fitted.")
        }
        for i in 0..<n {
            guard frequency[i].isFinite, frequency[i] >= 1, frequency[i] == frequency[i].rounded() else {
                throw DataError(file: source, field: "frequency", message: "row \(i + 1): \(frequency[i]) is not a whole number ≥ 1.")
            }
            guard monetaryValue[i].isFinite, monetaryValue[i] > 0 else {
                throw DataError(file: source, field: "monetary_value", message: "row \(i + 1): \(monetaryValue[i]) is not a positive amount.")
            }
            guard weight[i].isFinite, weight[i] > 0 else {
                throw DataError(file: source, field: "weight", message: "row \(i + 1): \(weight[i]) is not a positive number.")
            }
        }
        self.frequency = frequency
        self.monetaryValue = monetaryValue
        self.weight = weight
    }

    /// The repeat customers of a summary with a positive mean repeat amount. Customers whose
    /// repeat purchases sum to zero carry no information for the Gamma likelihood (ln 0) and are
    /// left out, as in lifetimes and CLVTools; `excludedZeroSpend` counts them.
    public init(_ table: CustomerSummaryTable, source: String = "the summary") throws(DataError) {
        guard let m = table.monetaryValue else {
            throw DataError(file: source, field: "monetary_value", message: "the data has no amount column, so there is no spend model.")
        }
        var x: [Double] = [], mv: [Double] = [], w: [Double] = []
        var zero = 0.0
        for i in 0..<table.count where table.frequency[i] > 0 {
            if m[i] > 0 {
                x.append(table.frequency[i]); mv.append(m[i]); w.append(table.weight[i])
            } else {
                zero += table.weight[i]
            }
        }
        try self.init(frequency: x, monetaryValue: mv, weight: w, source: source)
        self.excludedZeroSpend = zero
    }

    /// Repeat customers left out because their mean repeat amount is 0.
    public private(set) var excludedZeroSpend: Double = 0

    public var count: Int { frequency.count }
    public var customerCount: Double { weight.reduce(0, +) }

    /// Each row repeated `weight` times (whole-number weights); for tests.
    public func expanded() throws(DataError) -> SpendHistory {
        var x: [Double] = [], m: [Double] = []
        for i in 0..<count { for _ in 0..<Int(weight[i]) { x.append(frequency[i]); m.append(monetaryValue[i]) } }
        return try SpendHistory(frequency: x, monetaryValue: m)
    }
}
