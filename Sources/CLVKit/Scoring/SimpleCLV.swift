import Foundation

/// One customer's back-of-the-envelope CLVs, the formulas a business user knows, for
/// comparison with the model's.
public struct SimpleCLV: Sendable, Equatable {
    /// AOV × purchases per period × lifespan (× margin); nil without amounts.
    public var aov: Double?
    /// margin per period · r / (1 + d − r); nil without amounts or a usable retention rate.
    public var retention: Double?
}

/// The classic CLV formulas, with every input estimated from the customer's own summary row:
/// ```
/// AOVᵢ   = m̄ᵢ                 the customer's mean (repeat) purchase amount
/// rateᵢ  = xᵢ / Tᵢ · Δ          repeat purchases per period so far (0 when T = 0)
/// simple_clv_aov       = AOVᵢ · rateᵢ · H · margin                       lifespan = the horizon, H periods
/// simple_clv_retention = (AOVᵢ · rateᵢ · margin) · r / (1 + d − r)       (Gupta & Lehmann 2003)
/// ```
/// with the population retention rate r = the share of customers acquired at least one period
/// before the end (T ≥ Δ) who bought in the last period (t_x > T − Δ), and d the discount rate
/// per period. The retention formula sums the margin of every future period k ≥ 1, each kept
/// with probability rᵏ and discounted by (1 + d)ᵏ: an unlimited horizon.
///
/// Neither formula knows that a customer may already have left (no drop-out: every customer's
/// past rate continues), nor that a rate measured on one or two purchases is mostly luck (no
/// regression to the mean), nor that the first purchase is not a repeat; docs/simple-formulas.md
/// compares them with the model on CDNOW.
public struct SimpleFormulas: Sendable {
    public var options: ScoringOptions
    /// r, or nil when no customer was acquired a full period before the end.
    public var retentionRate: Double?

    /// Estimates r from `table` for the horizon's period length.
    public init(table: CustomerSummaryTable, options: ScoringOptions) {
        self.options = options
        retentionRate = Self.retentionRate(table, periodLength: options.periodLength)
    }

    public init(options: ScoringOptions, retentionRate: Double?) {
        self.options = options
        self.retentionRate = retentionRate
    }

    /// r = Σ w [T ≥ Δ][t_x > T − Δ] / Σ w [T ≥ Δ]: of the customers known for at least one
    /// period, the (weighted) share with a purchase in the last period. Nil when nobody has T ≥ Δ.
    public static func retentionRate(_ table: CustomerSummaryTable, periodLength delta: Double) -> Double? {
        var known = 0.0, active = 0.0
        for i in 0..<table.count where table.T[i] >= delta {
            known += table.weight[i]
            if table.recency[i] > table.T[i] - delta { active += table.weight[i] }
        }
        return known > 0 ? active / known : nil
    }

    /// One customer's simple CLVs; nil entries where the inputs are missing or the formula
    /// is undefined (1 + d − r ≤ 0), never ±∞.
    public func score(frequency x: Double, T: Double, monetaryValue: Double?) -> SimpleCLV {
        guard let m = monetaryValue else { return SimpleCLV(aov: nil, retention: nil) }
        let aov = x > 0 ? m : 0
        let rate = T > 0 ? x / T * options.periodLength : 0
        let perPeriod = aov * rate * options.margin
        var retention: Double? = nil
        if let r = retentionRate, 1 + options.discountRate - r > 0 {
            retention = perPeriod * r / (1 + options.discountRate - r)
        }
        return SimpleCLV(aov: perPeriod * Double(options.periods), retention: retention)
    }

    /// Every row of a summary, in its order.
    public func score(_ table: CustomerSummaryTable) -> [SimpleCLV] {
        (0..<table.count).map { score(frequency: table.frequency[$0], T: table.T[$0], monetaryValue: table.monetaryValue?[$0]) }
    }
}
