import Foundation

/// Renders a ``CustomerBaseReport`` as one self-contained HTML page (inline CSS and SVG; no
/// scripts, fonts, images or links): the headline figures in plain words first, then who holds
/// the value, the segments and the retention list, the value of a new customer, the charts, and
/// the model's details and warnings at the end.
public enum CustomerBaseHTML {
    /// The `id`s of the page's charts, in page order (each an `<svg>` inside `<figure id=…>`).
    public static let chartIDs = ["equity-lorenz", "segments-chart", "clv-distribution", "alive-heatmap", "purchases-by-frequency"]

    /// - Parameter currency: the amounts' currency (`EUR`), shown before every amount; nil:
    ///   amounts are in the data's own units, and the page says so.
    public static func render(_ r: CustomerBaseReport, currency: String? = nil) -> String {
        let money = Money(currency: currency)
        let date = r.observationEnd.map { " on \($0)" } ?? ""
        var html = ReportHTML.documentStart(title: "Customer base\(date) — \(r.source)")
        html += "<h1>Customer base\(e(date))</h1>\n"
        html += "<p class=\"meta\">\(e(r.source)) · \(e(r.purchaseModel.displayName))\(r.spendModel.map { " and \(e($0.displayName))" } ?? "") · horizon: \(e(r.horizon)) · margin \(percent(r.margin)) · \(e(money.unitSentence)) · clvfit \(e(r.toolVersion))</p>\n"
        html += headline(r, money)
        html += concentration(r, money)
        html += segments(r, money)
        html += retention(r, money)
        html += newCustomer(r, money)
        html += distribution(r, money)
        html += alive(r)
        html += byFrequency(r)
        html += details(r)
        html += "</body>\n</html>\n"
        return html
    }

    // MARK: Sections

    static func headline(_ r: CustomerBaseReport, _ money: Money) -> String {
        let h = r.headline, span = r.horizonSpan
        let lifetime = r.newCustomer.expectedPurchases == nil
        var cards = [(Number.count(h.customers), "customers"),
                     (Number.count(h.expectedActive), "expected to be still active (Σ P(alive))"),
                     (Number.count(h.expectedPurchases), lifetime ? "expected purchases over the rest of the relationship (discounted)" : "expected purchases over \(span)")]
        if let revenue = h.expectedRevenue { cards.append((money.whole(revenue), lifetime ? "their discounted expected revenue, before margin" : "expected revenue over \(span)")) }
        if let equity = h.customerEquity { cards.append((money.whole(equity), "customer equity (Σ CLV, after margin and discount)")) }
        if let value = r.newCustomer.value { cards.append((money.amount(value), "the value of a new customer: the most to spend on acquiring one")) }
        var s = "<section id=\"headline\">\n" + ReportHTML.cards(cards)
        let top = h.topShares.map { "the top \(percent($0.customers, digits: 0)) of customers hold \(percent($0.share))" }
        let valueWord = r.valueIsCLV ? "the customer equity" : "the expected purchases"
        s += "<p>Of \(Number.count(h.customers)) customers, about \(Number.count(h.expectedActive)) are expected to be still active. "
        s += lifetime ? "Over the rest of their relationship they are expected to make \(Number.count(h.expectedPurchases)) purchases (discounted)"
            : "Over \(e(span)) they are expected to make \(Number.count(h.expectedPurchases)) purchases"
        if let revenue = h.expectedRevenue, let equity = h.customerEquity {
            s += " worth \(e(money.whole(revenue))); after margin and discounting (\(e(r.horizon))), their value, the customer equity, is \(e(money.whole(equity)))"
        }
        s += ". Value is concentrated: \(top.joined(separator: ", ")) of \(valueWord).</p>\n</section>\n"
        return s
    }

    static func concentration(_ r: CustomerBaseReport, _ money: Money) -> String {
        let points = r.lorenz.map { (x: 100 * $0.customers, y: 100 * $0.value) }
        var s = "<h2 id=\"concentration\">Who holds the value</h2>\n"
        s += ReportHTML.figure("equity-lorenz", SVGChart.lineChart(
            title: "Share of \(r.valueIsCLV ? "customer equity" : "expected purchases") by top customers",
            xLabel: "Top customers by \(r.valueIsCLV ? "CLV" : "expected purchases") (% of all customers)",
            yLabel: "% of \(r.valueIsCLV ? "customer equity" : "expected purchases")",
            lines: [SVGChart.Line(name: "customers", color: SVGChart.actualColor, points: points),
                    SVGChart.Line(name: "equal shares", color: "#999999", points: [(0, 0), (100, 100)], dashed: true)]),
            caption: "The customers ranked from the most valuable down: the curve shows what share of the total the top x % hold. The dashed line is what equal values would give.")
        return s
    }

    static func segments(_ r: CustomerBaseReport, _ money: Money) -> String {
        let rule = r.segmentRule, valueWord = r.valueIsCLV ? "CLV" : "expected purchases"
        func value(_ v: Double) -> String { e(r.valueIsCLV ? money.whole(v) : Number.count(v)) }
        var s = "<h2 id=\"segments\">Segments: value and the chance of buying again</h2>\n"
        s += "<p>Customers are split by what they would be worth if still active (their \(valueWord) ÷ P(alive)) and by their chance of buying again within \(e(r.horizonSpan)) (the probability of at least one purchase). "
        s += "High value: the top \(percent(1 - rule.valueQuantile, digits: 0)) by value if active (at least \(e(r.valueIsCLV ? money.amount(rule.valueThreshold) : Number.decimal(rule.valueThreshold)))). "
        s += "Slipping: the \(percent(rule.chanceQuantile, digits: 0)) least likely to buy again (a chance below \(percent(rule.chanceThreshold))). "
        s += "The chance of buying again is used rather than P(alive) because it also separates customers who have bought only once, whom some models (BG/NBD) all call alive.</p>\n"
        s += "<div class=\"scroll\"><table class=\"segments\"><tr><th>segment</th><th>customers</th><th>share of customers</th><th>\(valueWord)</th><th>share of \(valueWord)</th><th>value if all active</th></tr>\n"
        for g in r.segments {
            s += "<tr><td>\(e(g.label))</td><td>\(Number.count(g.customers))</td><td>\(percent(g.customerShare))</td><td>\(value(g.value))</td><td>\(percent(g.valueShare))</td><td>\(value(g.valueIfActive))</td></tr>\n"
        }
        s += "</table></div>\n"
        s += ReportHTML.figure("segments-chart", SVGChart.barChart(
            title: "Segments: customers and value", xLabel: "Segment", yLabel: "% of the total",
            categories: r.segments.map(\.label),
            series: [SVGChart.Bars(name: "% of customers", color: SVGChart.neutralColor, values: r.segments.map { 100 * $0.customerShare }),
                     SVGChart.Bars(name: "% of value", color: SVGChart.actualColor, values: r.segments.map { 100 * $0.valueShare })]),
            caption: "Each segment's share of the customers and of the \(valueWord).")
        return s
    }

    static func retention(_ r: CustomerBaseReport, _ money: Money) -> String {
        let unit = r.unit.plural
        var s = "<h2 id=\"retention\">Valuable customers slipping away: the retention list</h2>\n"
        guard let slipping = r.segments.first(where: { $0.name == "high-value-slipping" }), !r.retentionList.isEmpty else {
            return s + "<p>No customer is both of high value and unlikely to buy again.</p>\n"
        }
        func value(_ v: Double) -> String { e(r.valueIsCLV ? money.whole(v) : Number.count(v) + " expected purchases") }
        s += "<p>\(Number.count(r.slippingCustomers)) customers would be of high value if still active, but are less likely than most to buy again. Together they are expected to be worth \(value(slipping.value)); if they were all still active they would be worth \(value(slipping.valueIfActive)). "
        s += "Many of them are probably gone already; the list shows the \(r.retentionList.count == 1 ? "one" : "\(r.retentionList.count)") with the most \(r.valueIsCLV ? "CLV" : "expected purchases") left, those a retention offer can still keep (clvfit report --segments FILE writes every customer's segment):</p>\n"
        s += "<div class=\"scroll\"><table class=\"retention\"><tr><th>customer</th><th>repeat purchases</th><th>recency (\(unit))</th><th>T (\(unit))</th><th>P(alive)</th><th>chance of buying again</th><th>expected purchases</th>\(r.valueIsCLV ? "<th>CLV</th>" : "")<th>value if active</th></tr>\n"
        for c in r.retentionList {
            s += "<tr><td>\(e(c.customerID))</td><td>\(Number.decimal(c.frequency))</td><td>\(Number.decimal(c.recency))</td><td>\(Number.decimal(c.T))</td><td>\(String(format: "%.3f", c.probabilityAlive))</td><td>\(percent(c.chance))</td><td>\(Number.decimal(c.expectedPurchases))</td>"
            if r.valueIsCLV { s += "<td>\(e(money.amount(c.clv ?? 0)))</td>" }
            s += "<td>\(r.valueIsCLV ? e(money.amount(c.valueIfActive)) : Number.decimal(c.valueIfActive))</td>"
            s += "</tr>\n"
        }
        return s + "</table></div>\n"
    }

    static func newCustomer(_ r: CustomerBaseReport, _ money: Money) -> String {
        let n = r.newCustomer
        var s = "<h2 id=\"new-customer\">What a new customer is worth</h2>\n<p>"
        s += n.customer.map { "For \(e($0)), a" } ?? "A"
        let purchases = n.expectedPurchases.map { "\(Number.decimal($0)) repeat purchases over \(e(r.horizonSpan)) (\(Number.decimal(n.discountedPurchases)) after discounting at \(e(r.horizon)))" }
            ?? "\(Number.decimal(n.discountedPurchases)) discounted repeat purchases over the whole relationship (DERT)"
        s += " customer who has just made their first purchase is expected to make \(purchases)"
        if let spend = n.expectedSpend, let value = n.value {
            s += " at \(e(money.amount(spend))) each (the spend model's mean), which at a margin of \(percent(n.margin)) is worth \(e(money.amount(value))). "
            s += "<strong>An acquisition cost above \(e(money.amount(value))) loses money on average.</strong> "
        } else {
            s += ". There is no spend model, so no value in money. "
        }
        s += "The first purchase itself is not counted: add its margin if the acquisition cost should be set against it too.</p>\n"
        return s
    }

    static func distribution(_ r: CustomerBaseReport, _ money: Money) -> String {
        let what = r.valueIsCLV ? "CLV" : "expected purchases"
        return "<h2 id=\"distribution\">How \(what) is distributed</h2>\n"
            + valueChart(r.valueBins, what: what, unitName: r.valueIsCLV ? money.unitName : nil,
                         edge: { r.valueIsCLV ? money.bare($0) : Number.decimal($0) })
    }

    /// The value histogram (`clv-distribution`), here and in the evaluation report: bins with
    /// round edges on a log scale, the first "< edge", the last "≥ edge".
    static func valueChart(_ bins: [CustomerBaseReport.ValueBin], what: String, unitName: String?, edge: (Double) -> String) -> String {
        let labels = bins.map { bin -> String in
            switch (bin.lower, bin.upper) {
            case (nil, let upper?): return "< \(edge(upper))"
            case (let lower?, nil): return "≥ \(edge(lower))"
            case (let lower?, let upper?): return "\(edge(lower))–\(edge(upper))"
            default: return "all"
            }
        }
        return ReportHTML.figure("clv-distribution", SVGChart.barChart(
            title: "Customers by \(what)", xLabel: "\(what)\(unitName.map { " (\($0))" } ?? "") over the horizon, bins on a log scale", yLabel: "Customers",
            categories: labels, series: [SVGChart.Bars(name: "customers", color: SVGChart.neutralColor, values: bins.map(\.customers))]),
            caption: "Customers by \(what), in bins with round edges that grow by 1, 2, 5 × 10ᵏ; the first bin holds everything below its edge (zero included), the last everything above (the top 1 % or so).")
    }

    static func alive(_ r: CustomerBaseReport) -> String {
        let a = r.alive, unit = r.unit.rawValue
        var columns = a.recencies.map { Number.decimal($0) }
        var xLabel = "Recency (\(unit)s from the first to the last purchase)"
        if let first = r.aliveFirstPurchase.flatMap(CalendarDate.init), let days = r.unit.days {
            columns = a.recencies.map { first.adding(days: Int(($0 * days).rounded())).description }
            xLabel = "Date of the last purchase (first purchase \(first))"
        }
        var s = "<h2 id=\"alive\">Who is probably still a customer</h2>\n"
        s += ReportHTML.figure("alive-heatmap", SVGChart.heatMap(
            title: "P(alive) by repeat purchases and last purchase", xLabel: xLabel, yLabel: "Repeat purchases",
            rowLabels: a.frequencies.map { Number.decimal($0) }, columnLabels: columns, values: a.values, legendLabel: "P(alive)"),
            caption: "For \(a.customer ?? "a customer") known for \(Number.decimal(a.T)) \(unit)s (the median): the probability of being still active, by the number of repeat purchases and the time of the last one. Recent buyers (right) are likely active; frequent buyers who stopped long ago (top left) are likely gone.")
        return s
    }

    static func byFrequency(_ r: CustomerBaseReport) -> String {
        var s = "<h2 id=\"next-period\">Expected purchases next \(e(r.period))</h2>\n"
        s += ReportHTML.figure("purchases-by-frequency", SVGChart.barChart(
            title: "Expected purchases next \(r.period), per customer", xLabel: "Repeat purchases so far", yLabel: "Mean expected purchases",
            categories: r.byFrequency.map { $0.orMore ? "\($0.frequency)+" : "\($0.frequency)" },
            series: [SVGChart.Bars(name: "expected purchases", color: SVGChart.actualColor, values: r.byFrequency.map(\.meanNextPeriod))]),
            caption: "Mean expected purchases in the next \(r.period) of the customers with each number of repeat purchases so far (customers: \(r.byFrequency.map { "\($0.orMore ? "\($0.frequency)+" : "\($0.frequency)"): \(Number.count($0.customers))" }.joined(separator: ", "))).")
        return s
    }

    static func details(_ r: CustomerBaseReport) -> String {
        var s = "<h2 id=\"model\">The model</h2>\n"
        if r.purchaseModel.model == "bgnbd" {
            s += "<p class=\"note\">Under BG/NBD a customer can leave only just after a repeat purchase, so every customer who has bought only once has P(alive) = 1. The segments therefore use the chance of buying again. To tell one-time buyers apart by P(alive) too, train --model mbgnbd or --model pareto-nbd.</p>\n"
        }
        s += ReportHTML.parameters([r.purchaseModel] + (r.spendModel.map { [$0] } ?? []))
        s += ReportHTML.warnings(r.warnings)
        return s
    }

    // MARK: Formatting

    static func e(_ text: String) -> String { SVGChart.escaped(text) }

    static func percent(_ share: Double, digits: Int = 1) -> String {
        guard share.isFinite else { return "—" }
        return String(format: "%.\(digits)f %%", 100 * share)
    }

    /// Amounts: with a currency code before the number, else as the data's own units.
    struct Money {
        var currency: String?
        var unitName: String { currency ?? "amount units" }
        var unitSentence: String { currency.map { "amounts in \($0)" } ?? "amounts in the data's own units (name them with --currency)" }
        /// A whole amount with thousands separators: "EUR 52,345".
        func whole(_ v: Double) -> String { prefixed(Number.count(v)) }
        /// An amount per customer: whole from 100 up, else with two decimals ("EUR 28.40").
        func amount(_ v: Double) -> String { prefixed(abs(v) >= 100 ? Number.count(v) : Number.grouped(v, decimals: 2)) }
        /// A bin edge, without the currency code (the axis names it).
        func bare(_ v: Double) -> String { v >= 1 ? Number.count(v) : Number.decimal(v) }
        func prefixed(_ s: String) -> String { currency.map { "\($0) \(s)" } ?? s }
    }
}

/// Numbers as a report shows them: whole with thousands separators (71,508), never NaN.
public enum Number {
    /// Rounded to a whole number, with a comma every three digits: "71,508".
    public static func count(_ v: Double) -> String { grouped(v, decimals: 0) }

    /// `decimals` decimals, with thousands separators in the whole part: "1,234.50".
    public static func grouped(_ v: Double, decimals: Int) -> String {
        guard v.isFinite else { return "—" }
        let text = String(format: "%.\(decimals)f", abs(v))
        let parts = text.split(separator: ".", maxSplits: 1)
        var whole = Array(parts[0]), out: [Character] = []
        while whole.count > 3 {
            out = [","] + whole.suffix(3) + out
            whole.removeLast(3)
        }
        let sign = v < 0 && text.contains(where: { $0 != "0" && $0 != "." }) ? "-" : ""
        return sign + String(whole + out) + (parts.count > 1 ? "." + parts[1] : "")
    }

    /// A short decimal for small quantities (frequencies, recency, expected purchases): up to
    /// three significant decimals, whole numbers without a point.
    public static func decimal(_ v: Double) -> String {
        guard v.isFinite else { return "—" }
        if v == v.rounded() && abs(v) < 1e15 { return grouped(v, decimals: 0) }
        if abs(v) >= 100 { return grouped(v, decimals: 1) }
        if abs(v) >= 1 { return String(format: "%.2f", v) }
        if abs(v) < 0.001 { return v == 0 ? "0" : v > 0 ? "< 0.001" : "> -0.001" }
        return String(format: "%.3g", v)
    }
}
