/// Subscribers as the contractual models see them (Fader & Hardie 2007): for each, the number of
/// periods paid for so far, n ≥ 1 (the first included: n − 1 renewals), and whether the
/// subscription is still active. A cancelled subscriber churned in period n (T = n); an active
/// one has survived n − 1 renewal opportunities and is right-censored there (S(n − 1)).
///
/// A cohort table (customers of one cohort still subscribed in periods 0, 1, …, K) is the same
/// data grouped: the n_t = c(t−1) − c(t) lost in period t paid for t periods and cancelled; the
/// c(K) still subscribed at K paid for K + 1 and are active. Rows carry weights, so either form
/// is a few rows.
public struct SubscriberHistory: Sendable, Equatable {
    /// Periods paid for, a whole number ≥ 1.
    public var periods: [Double]
    public var active: [Bool]
    /// Subscribers each row stands for.
    public var weight: [Double]

    public var count: Int { periods.count }
    /// Σ weights: the number of subscribers.
    public var customerCount: Double { weight.reduce(0, +) }

    /// - Precondition: equal lengths, whole `periods` ≥ 1 and positive finite weights (the
    ///   readers check files and name the line; this is for callers that built the arrays).
    public init(periods: [Double], active: [Bool], weight: [Double]? = nil) {
        let weight = weight ?? Array(repeating: 1, count: periods.count)
        precondition(periods.count == active.count && periods.count == weight.count, "One value per subscriber in every column.")
        precondition(periods.allSatisfy { $0 >= 1 && $0 == $0.rounded() && $0.isFinite }, "Periods paid for are whole numbers ≥ 1.")
        precondition(weight.allSatisfy { $0 > 0 && $0.isFinite }, "Weights are positive.")
        self.periods = periods
        self.active = active
        self.weight = weight
    }

    /// The subscribers of a cohort table: `survivors[t]` customers still subscribed in period t,
    /// t = 0…K (`survivors[0]` the cohort's size). Periods in which nobody was lost give no row.
    /// - Precondition: at least two periods, whole non-negative counts that never increase,
    ///   and a cohort of at least one (`CohortTable` checks a file and names the line).
    public init(cohort survivors: [Double]) {
        precondition(survivors.count >= 2 && survivors[0] >= 1, "A cohort table has periods 0 and 1 at least, and a cohort of one or more.")
        var periods: [Double] = [], active: [Bool] = [], weight: [Double] = []
        for t in 1..<survivors.count {
            let lost = survivors[t - 1] - survivors[t]
            precondition(lost >= 0 && survivors[t] >= 0, "A cohort never grows.")
            if lost > 0 { periods.append(Double(t)); active.append(false); weight.append(lost) }
        }
        if let last = survivors.last, last > 0 {
            periods.append(Double(survivors.count)); active.append(true); weight.append(last)
        }
        self.init(periods: periods, active: active, weight: weight)
    }

    /// Rows with equal (periods, active) merged into one, weights summed, in first-appearance
    /// order: what the likelihood evaluates (a few distinct tenures, however many subscribers).
    public func grouped() -> SubscriberHistory {
        var index: [Double: Int] = [:]   // key: ±periods (negative for cancelled)
        var out = SubscriberHistory(periods: [], active: [], weight: [])
        for i in 0..<count {
            let key = active[i] ? periods[i] : -periods[i]
            if let k = index[key] {
                out.weight[k] += weight[i]
            } else {
                index[key] = out.count
                out.periods.append(periods[i]); out.active.append(active[i]); out.weight.append(weight[i])
            }
        }
        return out
    }
}
