/// The calibration cohort's repeat purchase days counted by date while a log is summarized, for
/// the tracking curve (``CohortPurchases``) — so that `clvfit evaluate` reads the log once.
///
/// The summarizer counts a day when a customer's running state learns of a new purchase day
/// after the first (or a new first day turns the old one into a repeat day); in the holdout,
/// only for customers already in the cohort. That is exact when each customer's rows come in
/// date order, and in most other cases; when the state cannot tell (a day between known days,
/// or holdout days before the customer's first calibration purchase), the count is flagged
/// inexact (``isExact``) and the summarizer counts the days again, exactly, in one more pass
/// (``RFMSummarizer/exactRepeatPurchaseDays(from:)``).
struct RepeatPurchaseDays: Sendable {
    /// The day of `counts[0]`.
    private(set) var base: Int32 = 0
    /// Repeat purchase days on each day from `base` on.
    private(set) var counts: [Int] = []
    /// Whether every repeat purchase day was counted once.
    var isExact = true

    /// Counts one repeat purchase day on `day`.
    @inline(__always)
    mutating func add(_ day: Int32) {
        let k = Int(day) - Int(base)
        if k >= 0 && k < counts.count {
            counts[k] += 1
        } else {
            widen(toInclude: day)
            counts[Int(day) - Int(base)] += 1
        }
    }

    /// Grows the range of days to include `day` (with room on both sides).
    @inline(never)
    private mutating func widen(toInclude day: Int32) {
        guard !counts.isEmpty else {
            base = day - 512
            counts = [Int](repeating: 0, count: 1024)
            return
        }
        let low = min(Int(base), Int(day) - 512), high = max(Int(base) + counts.count, Int(day) + 512)
        var grown = [Int](repeating: 0, count: high - low)
        for (k, n) in counts.enumerated() where n != 0 { grown[Int(base) - low + k] = n }
        base = Int32(low)
        counts = grown
    }

    /// The count on each day of `range` (days since the epoch), or `nil` if some day outside it
    /// has a count.
    func counts(over range: ClosedRange<Int32>) -> [Double]? {
        var out = [Double](repeating: 0, count: Int(range.upperBound) - Int(range.lowerBound) + 1)
        for (k, n) in counts.enumerated() where n != 0 {
            let day = Int(base) + k
            guard range.contains(Int32(day)) else { return nil }
            out[day - Int(range.lowerBound)] = Double(n)
        }
        return out
    }
}
