import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import CLVKit
import CLVTestSupport

/// The subscribers' report (`clvfit report --subscribers`) on FH 2007's regular cohort (years
/// 0–7, sBG α = 0.704077, β = 1.182043 as FH 2007 fit them), written as a subscriber summary with payments: its sums
/// against `SubscriberScorer.score`, its curves against sBG's closed forms (FH 2007 eq. 1, 3).
@Suite struct SubscriberBaseReportTests {
    static let survivors: [Double] = [1000, 631, 468, 382, 326, 289, 262, 241]

    static func setup(payments: Bool = true) throws -> (SubscriberBaseReport, [SubscriberScore], SBG) {
        let cohort = CohortTable(survivors: survivors)
        let (file, fitted) = try RetentionTraining.train(SubscriberHistory(cohort: survivors), model: SBG.self, source: "fh2007.csv",
                                                         cohort: cohort, period: "year")
        let model = try #require(fitted as? SBG)
        #expect(abs(model.alpha - 0.704077) <= 2e-6 && abs(model.beta - 1.182043) <= 2e-6)
        var ids: [String] = [], periods: [Double] = [], active: [Bool] = [], pay: [Double] = []
        for t in 1...7 {
            for _ in 0..<Int(survivors[t - 1] - survivors[t]) { ids.append("s\(ids.count)"); periods.append(Double(t)); active.append(false); pay.append(40) }
        }
        for k in 0..<241 { ids.append("s\(ids.count)"); periods.append(8); active.append(true); pay.append(k % 2 == 0 ? 40 : 80) }
        let history = SubscriberHistory(periods: periods, active: active, weight: Array(repeating: 1, count: ids.count))
        let summary = SubscriberSummary(ids: ids, history: history, payment: pay)
        let scorer = try SubscriberScorer(model: model, discountRate: 0.1, margin: 0.5)
        let payment = payments ? pay : nil
        let report = try SubscriberBaseReport.build(summary: summary, source: "subs.csv", file: file, scorer: scorer, payment: payment)
        return (report, try scorer.score(summary, payment: payment), model)
    }

    @Test func headlineIsTheSumOfTheScores() throws {
        let (r, scores, _) = try Self.setup()
        let activeScores = scores.filter(\.active)
        #expect(r.headline.subscribers == 1000 && r.headline.active == 241)
        let renewals = activeScores.reduce(0) { $0 + $1.probabilityOfRenewal }
        #expect(abs(r.headline.expectedRenewals - renewals) <= 1e-12 * renewals)
        #expect(abs(r.headline.expectedCancellations - (241 - renewals)) <= 1e-10)
        let equity = scores.reduce(0) { $0 + $1.clv }
        #expect(abs(r.headline.equity - equity) <= 1e-12 * equity)
        let stake = activeScores.reduce(0) { $0 + (1 - $1.probabilityOfRenewal) / $1.probabilityOfRenewal * $1.clv }
        #expect(abs(r.headline.valueAtStake - stake) <= 1e-12 * stake && stake > 0)
        #expect(r.tenures.map(\.periods) == [8] && r.tenures[0].active == 241)
        #expect(abs(r.tenures[0].clv - equity) <= 1e-12 * equity)
    }

    /// S(t) = B(α, β+t)/B(α, β) and r(t) = (β+t−1)/(α+β+t−1) (FH 2007 eq. 1 and 3); the observed
    /// points are the cohort's shares.
    @Test func curvesAreSBGsClosedForms() throws {
        let (r, _, m) = try Self.setup()
        #expect(r.survival.first?.model == 1 && r.survival.count == 13)
        for p in r.survival.dropFirst() {
            var s = 1.0
            for i in 1...p.period { s *= (m.beta + Double(i) - 1) / (m.alpha + m.beta + Double(i) - 1) }
            #expect(abs(p.model - s) <= 1e-12, "S(\(p.period))")
            #expect(p.observed == (p.period < 8 ? Self.survivors[p.period] / 1000 : nil))
        }
        for p in r.retention {
            #expect(abs(p.model - (m.beta + Double(p.period) - 1) / (m.alpha + m.beta + Double(p.period) - 1)) <= 1e-12)
        }
        #expect(r.derlByTenure.count == 12)
        for (a, b) in zip(r.derlByTenure, r.derlByTenure.dropFirst()) { #expect(b.model > a.model, "DERL rises with tenure under sBG") }
    }

    /// A new subscriber: margin × the mean payment × DERL(d | 0 renewals); without payments, in payments.
    @Test func newSubscriberValue() throws {
        let (r, _, m) = try Self.setup()
        let derl = try m.discountedExpectedResidualLifetime(periodsPaid: 1, discountRate: 0.1)
        #expect(r.newSubscriber.derl == derl && abs(r.newSubscriber.payment! - (40 + 40 * 120.0 / 1000)) <= 1e-12)
        #expect(abs(r.newSubscriber.value - 0.5 * r.newSubscriber.payment! * derl) <= 1e-12)
        let (bare, _, _) = try Self.setup(payments: false)
        #expect(bare.newSubscriber.payment == nil && abs(bare.newSubscriber.value - 0.5 * derl) <= 1e-15)
        let html = SubscriberBaseHTML.render(bare)
        #expect(html.contains(" payments</div>") && html.contains("(in payments: the summary has no payment column and no --payment was given)"))
    }

    @Test func pageIsWellFormedWithEveryChart() throws {
        let (r, _, _) = try Self.setup()
        let html = SubscriberBaseHTML.render(r, currency: "EUR")
        #expect(XMLParser(data: Data(html.utf8)).parse())
        for id in SubscriberBaseHTML.chartIDs { #expect(html.contains("<figure id=\"\(id)\">\n<svg"), "\(id)") }
        #expect(html.contains("<div class=\"figure\">241</div>") && html.contains("EUR \(Number.count(r.headline.equity))"))
        for bad in ["nan", "http", "<script"] { #expect(!html.contains(bad)) }
    }
}
