import Foundation

/// The customer-base report of a contractual business (`clvfit report --subscribers`): how long
/// subscribers stay (survival and retention curves), what each tenure is worth (DERL), how much
/// value is at stake at the next renewal, and what a new subscriber is worth. Every sum is a sum
/// of `clvfit score --subscribers`'s columns for the same subscribers and options.
/// ``SubscriberBaseHTML`` renders it.
public struct SubscriberBaseReport: Sendable, Codable, Equatable {
    public struct Headline: Sendable, Codable, Equatable {
        /// Rows of the subscriber summary, active or not.
        public var subscribers: Double
        public var active: Double
        /// Σ p_renew over the active subscribers: expected renewals at each one's next renewal.
        public var expectedRenewals: Double
        /// active − expected renewals.
        public var expectedCancellations: Double
        /// Σ clv: the subscriber equity.
        public var equity: Double
        /// Σ (1 − p_renew)/p_renew × clv over the active: what the subscribers expected to cancel
        /// at their next renewal would have been worth had they renewed (clv/p_renew is the
        /// value given a renewal, DERL counting that renewal as its first payment).
        public var valueAtStake: Double
    }

    /// The active subscribers who have paid for the same number of periods.
    public struct Tenure: Sendable, Codable, Equatable {
        public var periods: Int
        public var active: Double
        /// r(n): P(renewal at the end of period n).
        public var probabilityOfRenewal: Double
        /// DERL(d | n − 1 renewals), per subscriber.
        public var derl: Double
        /// Σ clv of these subscribers.
        public var clv: Double
        public var expectedCancellations: Double
        public var valueAtStake: Double
    }

    /// S(t) of a new subscriber, and the training cohort's observed share when the model was
    /// trained on a cohort table.
    public struct CurvePoint: Sendable, Codable, Equatable {
        public var period: Int
        public var model: Double
        public var observed: Double?
    }

    /// A just-acquired subscriber (who has paid for their first period): margin × payment ×
    /// DERL(d | 0 renewals), the first payment not counted.
    public struct NewSubscriberValue: Sendable, Codable, Equatable {
        public var derl: Double
        /// The mean payment per period of the summary's subscribers (or `--payment`); nil when
        /// there is none (values in payments).
        public var payment: Double?
        public var margin: Double
        public var value: Double
    }

    public var source: String
    /// The model's period ("year", "month", "period").
    public var period: String
    public var discountRate: Double
    public var margin: Double
    public var toolVersion: String
    public var headline: Headline
    public var newSubscriber: NewSubscriberValue
    public var tenures: [Tenure]
    /// S(t), t = 0 … the longest tenure seen × 1.5 (at least 12).
    public var survival: [CurvePoint]
    /// r(t) = S(t)/S(t−1), t = 1 … the same.
    public var retention: [CurvePoint]
    /// DERL(d | n − 1 renewals) of an active subscriber who has paid for n periods, n = 1 … the same.
    public var derlByTenure: [CurvePoint]
    public var model: EvaluationReport.FittedModel

    /// Scores every subscriber as `score --subscribers` does (`payment`: each one's payment per
    /// period; nil: 1, values in payments) and gathers the report.
    public static func build(summary: SubscriberSummary, source: String, file: RetentionModelFile, scorer: SubscriberScorer,
                             payment: [Double]?) throws -> SubscriberBaseReport {
        guard !summary.ids.isEmpty else { throw ScoringError.invalidOption("subscribers", "has no subscribers: a report needs at least one.") }
        let scores = try scorer.score(summary, payment: payment)
        let model = scorer.model
        var byTenure: [Int: (active: Double, clv: [Double], stake: [Double], renew: Double, derl: Double)] = [:]
        var renewals: [Double] = [], equity: [Double] = [], stakes: [Double] = []
        for s in scores where s.active {
            let stake = s.probabilityOfRenewal > 0 ? (1 - s.probabilityOfRenewal) / s.probabilityOfRenewal * s.clv : 0
            renewals.append(s.probabilityOfRenewal); equity.append(s.clv); stakes.append(stake)
            var row = byTenure[Int(s.periods), default: (0, [], [], s.probabilityOfRenewal, s.derl)]
            row.active += 1
            row.clv.append(s.clv)
            row.stake.append(stake)
            byTenure[Int(s.periods)] = row
        }
        let active = Double(renewals.count), expectedRenewals = ValueConcentration.sum(renewals)
        let headline = Headline(subscribers: Double(scores.count), active: active, expectedRenewals: expectedRenewals,
                                expectedCancellations: active - expectedRenewals, equity: ValueConcentration.sum(equity),
                                valueAtStake: ValueConcentration.sum(stakes))
        let tenures = byTenure.keys.sorted().map { n -> Tenure in
            let row = byTenure[n]!
            return Tenure(periods: n, active: row.active, probabilityOfRenewal: row.renew, derl: row.derl, clv: ValueConcentration.sum(row.clv),
                          expectedCancellations: row.active * (1 - row.renew), valueAtStake: ValueConcentration.sum(row.stake))
        }
        let meanPayment = payment.map { ValueConcentration.sum($0) / Double($0.count) }
        let newDERL = try model.discountedExpectedResidualLifetime(periodsPaid: 1, discountRate: scorer.discountRate)
        let longest = Int(summary.history.periods.max() ?? 1)
        let horizon = max(12, longest * 3 / 2)
        let observed = file.trainingData.cohortSurvivors.map { s in s.map { $0 / max(s.first ?? 1, 1e-300) } }
        let survival = (0...horizon).map { t in
            CurvePoint(period: t, model: model.survival(t), observed: observed.flatMap { t < $0.count ? $0[t] : nil })
        }
        let retention = (1...horizon).map { t in
            CurvePoint(period: t, model: model.retentionRate(t),
                       observed: observed.flatMap { t < $0.count && $0[t - 1] > 0 ? $0[t] / $0[t - 1] : nil })
        }
        var derl: [CurvePoint] = []
        for n in 1...horizon {
            derl.append(CurvePoint(period: n, model: try model.discountedExpectedResidualLifetime(periodsPaid: n, discountRate: scorer.discountRate), observed: nil))
        }
        return SubscriberBaseReport(
            source: source, period: file.period, discountRate: scorer.discountRate, margin: scorer.margin, toolVersion: ClvFitVersion.current,
            headline: headline,
            newSubscriber: NewSubscriberValue(derl: newDERL, payment: meanPayment, margin: scorer.margin,
                                              value: scorer.margin * (meanPayment ?? 1) * newDERL),
            tenures: tenures, survival: survival, retention: retention, derlByTenure: derl,
            model: EvaluationReport.FittedModel(file.retentionModel, displayName: type(of: model).displayName))
    }
}
