import Foundation

/// Renders a ``SubscriberBaseReport`` as one self-contained HTML page, as ``CustomerBaseHTML``
/// does for purchase models: the headline first, then how long subscribers stay, what each
/// tenure is worth and what is at stake at the next renewal, the model's details last.
public enum SubscriberBaseHTML {
    /// The `id`s of the page's charts, in page order.
    public static let chartIDs = ["survival-curve", "retention-curve", "derl-by-tenure", "value-at-stake"]

    public static func render(_ r: SubscriberBaseReport, currency: String? = nil) -> String {
        let money = CustomerBaseHTML.Money(currency: currency)
        let h = r.headline, period = r.period, n = r.newSubscriber
        let paymentWord = n.payment == nil ? " (in payments: the summary has no payment column and no --payment was given)" : ""
        var html = ReportHTML.documentStart(title: "Subscribers — \(r.source)")
        html += "<h1>Subscribers of \(e(r.source))</h1>\n"
        html += "<p class=\"meta\">\(e(r.model.displayName)) · period: \(e(period)) · discount rate \(CustomerBaseHTML.percent(r.discountRate)) per \(e(period)) · margin \(CustomerBaseHTML.percent(r.margin)) · \(e(money.unitSentence)) · clvfit \(e(r.toolVersion))</p>\n"
        let value: (Double) -> String = { n.payment == nil ? Number.decimal($0) + " payments" : money.whole($0) }
        var cards = [(Number.count(h.active), "active subscribers (of \(Number.count(h.subscribers)))"),
                     (Number.count(h.expectedCancellations), "expected to cancel at their next renewal"),
                     (value(h.equity), "subscriber equity (Σ CLV, after margin and discount)"),
                     (value(h.valueAtStake), "at stake at the next renewal")]
        cards.append((n.payment == nil ? Number.decimal(n.value) + " payments" : money.amount(n.value), "the value of a new subscriber: the most to spend on acquiring one"))
        html += "<section id=\"headline\">\n" + ReportHTML.cards(cards)
        html += "<p>Of \(Number.count(h.active)) active subscribers, about \(Number.count(h.expectedRenewals)) are expected to renew at their next renewal and \(Number.count(h.expectedCancellations)) to cancel. "
        html += "Together the active subscribers are worth \(e(value(h.equity)))\(e(paymentWord)): each one's discounted expected remaining payments (DERL) × payment × margin. "
        html += "Those expected to cancel at the next renewal would be worth \(e(value(h.valueAtStake))) had they renewed: that is what a retention offer before the renewal plays for. "
        html += "A new subscriber who has just paid for their first \(e(period)) is worth \(e(n.payment == nil ? Number.decimal(n.value) + " payments" : money.amount(n.value))) (DERL \(Number.decimal(n.derl)) × \(n.payment.map { e(money.amount($0)) + " (the mean payment)" } ?? "1 payment") × margin): <strong>an acquisition cost above that loses money on average</strong>; the first payment itself is not counted.</p>\n</section>\n"

        html += "<h2 id=\"survival\">How long subscribers stay</h2>\n"
        func curve(_ points: [SubscriberBaseReport.CurvePoint], _ scale: Double) -> [SVGChart.Line] {
            var lines = [SVGChart.Line(name: "model", color: SVGChart.modelColor, points: points.map { (Double($0.period), scale * $0.model) })]
            let observed = points.compactMap { p in p.observed.map { (x: Double(p.period), y: scale * $0) } }
            if !observed.isEmpty { lines.insert(SVGChart.Line(name: "training cohort", color: SVGChart.actualColor, points: observed), at: 0) }
            return lines
        }
        html += ReportHTML.figure("survival-curve", SVGChart.lineChart(
            title: "Share of a new cohort still subscribed", xLabel: "\(period.capitalized)s since subscribing", yLabel: "% still subscribed",
            lines: curve(r.survival, 100)),
            caption: "S(t), the share of new subscribers still paying after t \(period)s under the model\(r.survival.contains { $0.observed != nil } ? ", and the training cohort's observed share" : "").")
        html += ReportHTML.figure("retention-curve", SVGChart.lineChart(
            title: "Renewal rate by tenure", xLabel: "\(period.capitalized) of the renewal", yLabel: "% of those still subscribed who renew",
            lines: curve(r.retention, 100)),
            caption: "r(t) = S(t)/S(t−1): of those still subscribed in \(period) t − 1, the share who renew into \(period) t. It rises with tenure because the subscribers who stay are those least likely to leave (the \"retention paradox\" of Fader & Hardie 2007), not because anyone becomes more loyal.")

        html += "<h2 id=\"tenure\">What each tenure is worth, and what is at stake</h2>\n"
        html += "<div class=\"scroll\"><table class=\"tenures\"><tr><th>\(e(period))s paid</th><th>active</th><th>P(renew)</th><th>DERL</th><th>CLV</th><th>expected to cancel</th><th>at stake</th></tr>\n"
        for t in r.tenures {
            html += "<tr><td>\(t.periods)</td><td>\(Number.count(t.active))</td><td>\(CustomerBaseHTML.percent(t.probabilityOfRenewal))</td><td>\(Number.decimal(t.derl))</td><td>\(e(value(t.clv)))</td><td>\(Number.decimal(t.expectedCancellations))</td><td>\(e(value(t.valueAtStake)))</td></tr>\n"
        }
        html += "</table></div>\n"
        html += ReportHTML.figure("derl-by-tenure", SVGChart.barChart(
            title: "Expected remaining payments by tenure", xLabel: "\(period.capitalized)s paid so far", yLabel: "DERL (discounted payments)",
            categories: r.derlByTenure.map { "\($0.period)" },
            series: [SVGChart.Bars(name: "DERL", color: SVGChart.actualColor, values: r.derlByTenure.map(\.model))]),
            caption: "DERL, the discounted expected number of payments still to come from an active subscriber who has paid for n \(period)s (the renewal at the end of \(period) n counted first, undiscounted). Longer tenure, more value: the subscribers still there are the loyal ones.")
        html += ReportHTML.figure("value-at-stake", SVGChart.barChart(
            title: "Value at stake at the next renewal", xLabel: "\(period.capitalized)s paid so far", yLabel: n.payment == nil ? "Payments" : "Value (\(money.unitName))",
            categories: r.tenures.map { "\($0.periods)" },
            series: [SVGChart.Bars(name: "at stake", color: SVGChart.modelColor, values: r.tenures.map(\.valueAtStake))]),
            caption: "For the active subscribers of each tenure: (1 − P(renew)) / P(renew) × their CLV, what those expected to cancel at their next renewal would be worth had they renewed.")

        html += "<h2 id=\"details\">Model details</h2>\n"
        html += ReportHTML.parameters([r.model])
        html += "</body>\n</html>\n"
        return html
    }

    static func e(_ text: String) -> String { SVGChart.escaped(text) }
}
