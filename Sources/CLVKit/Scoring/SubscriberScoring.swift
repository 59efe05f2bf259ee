import Foundation

/// One subscriber's value under a retention model (`clvfit score --subscribers`).
public struct SubscriberScore: Sendable, Equatable {
    public var customerID: String
    public var periods: Double
    public var active: Bool
    /// P(renewal at the end of period n) for an active subscriber who has paid for n periods,
    /// r(n); 0 for one who cancelled.
    public var probabilityOfRenewal: Double
    /// E[periods still to be paid for], undiscounted; nil when infinite (or, for BdW, not
    /// summable to its stated accuracy); 0 for one who cancelled.
    public var expectedResidualPeriods: Double?
    /// DERL(d | n − 1 renewals) (Fader & Hardie 2010); 0 for one who cancelled.
    public var derl: Double
    /// margin × payment × DERL.
    public var clv: Double
    /// margin × payment × r̄/(1 + d − r̄) with the observed retention rate r̄, when asked for.
    public var simpleCLV: Double?
}

/// Values subscribers: what the subscription model predicts for each row of a subscriber
/// summary, at discount rate d per period.
///
/// Convention (FH 2010, written once in docs/subscriptions.md): DERL counts the payments an
/// active subscriber who has paid for n periods will still make, the first of them being the
/// renewal at the end of period n, which is not discounted; the k-th later one is discounted by
/// (1 + d)^k. CLV is that times the payment per period and the margin.
public struct SubscriberScorer: Sendable {
    public var model: any RetentionModel
    public var discountRate: Double
    public var margin: Double

    public init(model: any RetentionModel, discountRate: Double, margin: Double = 1) throws(ModelError) {
        guard discountRate.isFinite, discountRate > 0 else {
            throw .undefinedPrediction(model: type(of: model).displayName, reason: "the discount rate per period must be a number > 0 (got \(discountRate)).")
        }
        guard margin.isFinite, margin >= 0 else {
            throw .undefinedPrediction(model: type(of: model).displayName, reason: "the margin must be a number ≥ 0 (got \(margin)).")
        }
        self.model = model
        self.discountRate = discountRate
        self.margin = margin
    }

    /// The observed retention rate of a subscriber history: renewals over renewal opportunities,
    /// Σ w(n−1) / Σ w(n−1 + cancelled), pooled over periods; nil when nobody had one.
    public static func observedRetention(_ history: SubscriberHistory) -> Double? {
        var renewals = 0.0, chances = 0.0
        for i in 0..<history.count {
            renewals += history.weight[i] * (history.periods[i] - 1)
            chances += history.weight[i] * (history.periods[i] - 1 + (history.active[i] ? 0 : 1))
        }
        return chances > 0 ? renewals / chances : nil
    }

    /// Scores every subscriber. DERL and residual periods depend only on (n, active): computed once
    /// per distinct tenure.
    /// - Parameters:
    ///   - payment: the payment per period of each subscriber (nil: 1, values in payments).
    ///   - simpleRetention: r̄ for the simple formula column, or nil for none.
    public func score(_ summary: SubscriberSummary, payment: [Double]? = nil, simpleRetention: Double? = nil) throws(ModelError) -> [SubscriberScore] {
        var cache: [Double: (renew: Double, residual: Double?, derl: Double)] = [:]
        var out: [SubscriberScore] = []
        out.reserveCapacity(summary.ids.count)
        let d = discountRate
        let simpleFactor = simpleRetention.map { r in r / (1 + d - r) }
        for i in 0..<summary.ids.count {
            let n = summary.history.periods[i], active = summary.history.active[i]
            let pay = payment?[i] ?? 1
            guard active else {
                out.append(SubscriberScore(customerID: summary.ids[i], periods: n, active: false, probabilityOfRenewal: 0,
                                           expectedResidualPeriods: 0, derl: 0, clv: 0, simpleCLV: simpleFactor.map { _ in 0 }))
                continue
            }
            let values: (renew: Double, residual: Double?, derl: Double)
            if let known = cache[n] {
                values = known
            } else {
                let periods = Int(n)
                values = (model.probabilityOfRenewal(periodsPaid: periods), model.expectedResidualPeriods(periodsPaid: periods),
                          try model.discountedExpectedResidualLifetime(periodsPaid: periods, discountRate: d))
                cache[n] = values
            }
            out.append(SubscriberScore(customerID: summary.ids[i], periods: n, active: true, probabilityOfRenewal: values.renew,
                                       expectedResidualPeriods: values.residual, derl: values.derl, clv: margin * pay * values.derl,
                                       simpleCLV: simpleFactor.map { margin * pay * $0 }))
        }
        return out
    }

    /// CSV: `customer_id,periods,active,p_renew,expected_residual_periods,derl,clv`, and
    /// `simple_clv_retention` when the scores have it; an infinite expectation is an empty field.
    public static func csv(_ scores: [SubscriberScore]) -> [UInt8] {
        let simple = scores.first?.simpleCLV != nil
        var out = SummaryCSV.ByteSink(capacity: scores.count * 80 + 100)
        out.write("customer_id,periods,active,p_renew,expected_residual_periods,derl,clv" + (simple ? ",simple_clv_retention" : "") + "\n")
        for s in scores {
            var id = s.customerID
            id.withUTF8 { SummaryCSV.appendField($0, to: &out) }
            let values: [Double?] = [s.periods, s.active ? 1 : 0, s.probabilityOfRenewal, s.expectedResidualPeriods, s.derl, s.clv] + (simple ? [s.simpleCLV] : [])
            for value in values {
                out.append(UInt8(ascii: ","))
                if let value { SummaryCSV.appendNumber(value, to: &out) }
            }
            out.append(0x0A)
        }
        return out.withBytes { Array($0) }
    }
}
