import Foundation

/// Renders an ``EvaluationReport`` as one self-contained HTML page: inline CSS and inline SVG
/// charts, no scripts, fonts, images or links to anything outside the file.
public enum ReportHTML {
    /// The `id`s of the page's charts, in page order (each an `<svg>` inside `<figure id=…>`).
    public static let chartIDs = ["tracking-incremental", "tracking-cumulative", "calibration-histogram",
                                  "holdout-by-frequency", "alive-heatmap", "spend-fit", "clv-distribution"]

    public static func render(_ report: EvaluationReport) -> String {
        let unit = report.unit.rawValue
        var html = documentStart(title: "clvfit evaluation — \(report.source)")
        html += """
        <h1>How well the model predicts: \(e(report.purchaseModel.displayName)) on \(e(report.source))</h1>
        <p class="meta">calibration to \(e(report.calibrationEnd)) · holdout to \(e(report.observationEnd)) · time unit: \(e(unit)) · clvfit \(e(report.toolVersion))</p>

        """
        html += headline(report)
        html += tracking(report)
        html += holdout(report)
        html += calibrationHistogram(report)
        html += alive(report)
        html += spend(report)
        html += clv(report)
        html += "<h2 id=\"details\">Model details</h2>\n"
        html += parameters([report.purchaseModel] + (report.spendModel.map { [$0] } ?? []))
        html += covariates(report)
        html += warnings(report.warnings)
        html += "</body>\n</html>\n"
        return html
    }

    /// The result in words, first: the holdout total against the actual one, the per-customer
    /// error against the naive forecast, and the fit's warnings counted (listed at the end).
    static func headline(_ r: EvaluationReport) -> String {
        let h = r.evaluation.holdout
        let error = h.totalActual > 0 ? (h.totalPredicted - h.totalActual) / h.totalActual : .nan
        let baselineError = h.totalActual > 0 ? (h.baseline.totalPredicted - h.totalActual) / h.totalActual : .nan
        func signed(_ v: Double) -> String { v.isFinite ? String(format: "%+.1f %%", 100 * v).replacingOccurrences(of: "-", with: "−") : "—" }
        let cards = [(signed(error), "holdout purchases, predicted against actual (\(Number.count(h.totalPredicted)) against \(Number.count(h.totalActual)))"),
                     (f(h.mae, 3), "mean absolute error per customer (naive forecast: \(f(h.baseline.mae, 3)))"),
                     (Number.count(h.customers), "customers in the holdout, over \(f(h.duration, 1)) \(e(r.unit.rawValue))s")]
        var s = "<section id=\"headline\">\n" + Self.cards(cards)
        s += "<p>Trained on the purchases up to \(e(r.calibrationEnd)), the model expected \(Number.count(h.totalPredicted)) repeat purchases from these customers between then and \(e(r.observationEnd)); they made \(Number.count(h.totalActual)), so the model's total is \(signed(error)) off. "
        s += "The naive forecast (each customer keeps buying at their past rate) is \(signed(baselineError)) off, with a per-customer error of \(f(h.baseline.mae, 3)) against the model's \(f(h.mae, 3))"
        s += h.mae < h.baseline.mae ? ": the model does better." : ": the model does not do better here, so look at the charts and the warnings before using it."
        if !r.warnings.isEmpty {
            s += " The fit has \(r.warnings.count) warning\(r.warnings.count == 1 ? "" : "s") (listed at the end)."
        }
        return s + "</p>\n</section>\n"
    }

    /// The start of a self-contained page, up to and including `<body>`: the doctype, the
    /// escaped `title` and the pages' one style sheet (inline; the page loads nothing).
    static func documentStart(title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>\(e(title))</title>
        <style>
        body { font-family: sans-serif; color: #222; max-width: 1000px; margin: 0 auto; padding: 16px 24px 48px; line-height: 1.4; }
        h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
        table { border-collapse: collapse; margin: 0.6em 0; } th, td { padding: 3px 10px; text-align: right; border-bottom: 1px solid #eee; }
        th:first-child, td:first-child { text-align: left; } th { background: #f4f4f4; }
        figure { margin: 1em 0; } figcaption { font-size: 0.9em; color: #444; max-width: 760px; }
        svg.chart { max-width: 100%; height: auto; background: #fff; border: 1px solid #eee; }
        .meta { color: #555; } .warning { color: #8a4b00; } .note { color: #555; font-style: italic; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 12px; margin: 1em 0; }
        .card { border: 1px solid #ddd; border-radius: 6px; padding: 10px 14px; }
        .card .figure { font-size: 1.6em; font-weight: bold; white-space: nowrap; } .card .what { color: #444; font-size: 0.92em; }
        .scroll { overflow-x: auto; max-width: 100%; } .scroll td { white-space: nowrap; }
        </style>
        </head>
        <body>

        """
    }

    // MARK: Sections

    static func warnings(_ warnings: [DiagnosticWarning]) -> String {
        var s = "<h2 id=\"warnings\">Warnings</h2>\n"
        if warnings.isEmpty { return s + "<p>No warnings.</p>\n" }
        s += "<ul>\n"
        for w in warnings { s += "<li class=\"warning\"><code>\(e(w.code))</code>: \(e(w.message))</li>\n" }
        return s + "</ul>\n"
    }

    static func parameters(_ models: [EvaluationReport.FittedModel]) -> String {
        var s = "<h2 id=\"parameters\">Fitted parameters</h2>\n"
        for m in models {
            let intervals = m.parameters.contains { $0.interval != nil }
            s += "<h3>\(e(m.displayName)) (\(e(m.model)))</h3>\n<div class=\"scroll\"><table class=\"parameters\"><tr><th>parameter</th><th>estimate</th><th>std. error</th>"
            if intervals {
                let level = m.parameters.compactMap(\.interval).first.map { f(100 * $0.level, 0) } ?? "95"
                s += "<th>\(level) % interval</th>"
            }
            s += "</tr>\n"
            for p in m.parameters {
                s += "<tr><td>\(e(p.name))</td><td>\(f(p.estimate, 4))</td><td>\(p.standardError.map { f($0, 4) } ?? "—")</td>"
                if intervals { s += "<td>\(p.interval.map { "\(f($0.lower, 4)) … \(f($0.upper, 4))" } ?? "—")</td>" }
                s += "</tr>\n"
            }
            s += "</table></div>\n<p>log-likelihood \(f(m.logLikelihood, 2)) · AIC \(f(m.aic, 2)) · BIC \(f(m.bic, 2)) · \(f(m.customers, 0)) customers · \(m.iterations) iterations\(m.converged ? "" : " · <span class=\"warning\">not converged</span>")</p>\n"
        }
        return s
    }

    /// What the covariates add: the tests, AIC and BIC with and without them, and each
    /// coefficient's effect in words.
    static func covariates(_ r: EvaluationReport) -> String {
        guard let c = r.evaluation.covariates else { return "" }
        func test(_ t: LikelihoodRatioTest) -> String {
            "statistic \(f(t.statistic, 2)) on \(t.degreesOfFreedom) degree\(t.degreesOfFreedom == 1 ? "" : "s") of freedom, p = \(String(format: "%.3g", t.pValue))"
        }
        var s = "<h2 id=\"covariates\">Covariates</h2>\n"
        s += "<p>Likelihood-ratio test against the same model without covariates: \(test(c.likelihoodRatio))\(c.likelihoodRatio.pValue < 0.05 ? " (the covariates improve the fit)" : " (no evidence that the covariates improve the fit)").</p>\n"
        if let shared = c.sharedCoefficients {
            s += "<p>Shared coefficients against free ones: \(test(shared))\(shared.pValue < 0.05 ? " (the data reject sharing)" : "").</p>\n"
        }
        s += "<div class=\"scroll\"><table class=\"covariate-fits\"><tr><th>model</th><th>parameters</th><th>log-likelihood</th><th>AIC</th><th>BIC</th></tr>\n"
        for (name, fit) in [("without covariates", c.withoutCovariates), ("with covariates", c.withCovariates)] {
            s += "<tr><td>\(name)</td><td>\(fit.parameters)</td><td>\(f(fit.logLikelihood, 2))</td><td>\(f(fit.aic, 2))</td><td>\(f(fit.bic, 2))</td></tr>\n"
        }
        s += "</table></div>\n<div class=\"scroll\"><table class=\"covariate-effects\"><tr><th>coefficient</th><th>estimate</th><th>95 % interval</th><th>effect</th></tr>\n"
        for effect in c.effects {
            let words = effect.description.hasPrefix(effect.coefficient + ": ") ? String(effect.description.dropFirst(effect.coefficient.count + 2)) : effect.description
            s += "<tr><td>\(e(effect.coefficient))</td><td>\(f(effect.estimate, 4))</td><td>\(f(effect.lower, 4)) … \(f(effect.upper, 4))</td><td style=\"text-align:left\">\(e(words))</td></tr>\n"
        }
        s += "</table></div>\n<p class=\"note\">A Gamma rate's coefficient multiplies the mean rate by e^γ per unit of its covariate; BG/NBD's dropout coefficients move the mean dropout probability a/(a+b), shown at the covariates' means and one unit higher. The charts above use each customer's own parameters; the P(alive) map is for a customer with the covariates' means.</p>\n"
        return s
    }

    static func tracking(_ r: EvaluationReport) -> String {
        let t = r.tracking
        guard let first = t.periods.first, let last = t.periods.last else { return "" }
        let weekly = t.periodDays == 7, period = weekly ? "week" : "\(t.periodDays)-day period"
        // The observation end may fall inside the last period: its few days are drawn dotted, at
        // their rate per full period, rather than as a collapse of the line.
        let lastDays = last.end - last.start + 1
        let partial = t.periods.count > 1 && lastDays < t.periodDays
        let full = partial ? Array(t.periods.dropLast()) : t.periods
        let date = { (x: Double) -> String in first.start.adding(days: Int(((x - 1) * Double(t.periodDays)).rounded())).description }
        let xLabel = "\(weekly ? "Week" : "Period") starting"
        let marker = SVGChart.Marker(x: Double(t.calibrationPeriods) + 1, label: "calibration end \(r.calibrationEnd)")
        func line(_ name: String, _ color: String, _ periods: [TrackingCurve.Period], _ value: (TrackingCurve.Period) -> Double, dashed: Bool = false) -> SVGChart.Line {
            SVGChart.Line(name: name, color: color, points: periods.enumerated().map { (x: Double($0.offset + 1), y: value($0.element)) }, dashed: dashed)
        }
        var incremental = [line("actual", SVGChart.actualColor, full, \.actual), line("model", SVGChart.modelColor, full, \.expected, dashed: true)]
        var partialNote = ""
        if partial, let previous = full.last {
            let scale = Double(t.periodDays) / Double(lastDays), x0 = Double(full.count), x1 = Double(t.periods.count)
            incremental.append(SVGChart.Line(name: "last \(lastDays) days, per \(period)", color: "#777777",
                                             points: [(x0, previous.actual), (x1, last.actual * scale)], dashed: true))
            incremental.append(SVGChart.Line(name: "", color: SVGChart.modelColor, points: [(x0, previous.expected), (x1, last.expected * scale)], dashed: true))
            partialNote = " The last \(period) (\(last.start) to \(last.end)) has only \(lastDays) day\(lastDays == 1 ? "" : "s") before the observation end: its dotted grey and orange ends show its purchases scaled to a full \(period) (× \(t.periodDays)/\(lastDays)); the cumulative chart counts them as they are."
        }
        var s = "<h2 id=\"tracking\">Tracking: repeat purchases over time</h2>\n"
        s += "<p>All \(f(t.customers, 0)) customers who first bought by the calibration end. The model line is what it expects of customers like them from their first purchase on (unconditional, E[X(t)] summed by first-purchase day). Calibration: expected \(f(t.calibrationExpected, 1)), actual \(f(t.calibrationActual, 0)); holdout: expected \(f(t.holdoutExpected, 1)), actual \(f(t.holdoutActual, 0)).\(e(partialNote))</p>\n"
        s += figure("tracking-incremental", SVGChart.lineChart(
            title: "Repeat purchases per \(period)", xLabel: xLabel, yLabel: "Repeat purchases",
            lines: incremental, marker: marker, xTickLabel: date),
            caption: "Incremental repeat purchases, actual vs the model; the dashed vertical line is the calibration end.")
        s += figure("tracking-cumulative", SVGChart.lineChart(
            title: "Cumulative repeat purchases", xLabel: xLabel, yLabel: "Cumulative repeat purchases",
            lines: [line("actual", SVGChart.actualColor, t.periods, \.cumulativeActual), line("model", SVGChart.modelColor, t.periods, \.cumulativeExpected, dashed: true)],
            marker: marker, xTickLabel: date), caption: "Cumulative repeat purchases, actual vs the model.")
        return s
    }

    static func calibrationHistogram(_ r: EvaluationReport) -> String {
        let h = r.calibrationFrequencies
        var series = [SVGChart.Bars(name: "actual", color: SVGChart.actualColor, values: h.bins.map { $0.actual })]
        if h.bins.contains(where: { $0.expected != nil }) {
            series.append(SVGChart.Bars(name: "model", color: SVGChart.modelColor, values: h.bins.map(\.expected)))
        }
        var s = "<h2 id=\"calibration\">Calibration period: customers by number of repeat purchases</h2>\n"
        if let note = h.note { s += "<p class=\"note\">\(e(note))</p>\n" }
        s += figure("calibration-histogram", SVGChart.barChart(
            title: "Customers by repeat purchases in the calibration period", xLabel: "Repeat purchases in the calibration period",
            yLabel: "Customers", categories: h.bins.map(\.label), series: series),
            caption: "Actual number of customers with k repeat purchases, and the model's expectation Σᵢ P(X(Tᵢ) = k) over each customer's own time T since the first purchase.")
        return s
    }

    static func holdout(_ r: EvaluationReport) -> String {
        let h = r.evaluation.holdout
        var s = "<h2 id=\"holdout\">Holdout: predicted vs actual</h2>\n"
        s += "<div class=\"scroll\"><table class=\"holdout\"><tr><th>measure</th><th>model</th><th>naive baseline</th><th>actual</th></tr>\n"
        s += "<tr><td>total holdout purchases</td><td>\(f(h.totalPredicted, 1))</td><td>\(f(h.baseline.totalPredicted, 1))</td><td>\(f(h.totalActual, 0))</td></tr>\n"
        s += "<tr><td>MAE per customer</td><td>\(f(h.mae, 3))</td><td>\(f(h.baseline.mae, 3))</td><td></td></tr>\n"
        s += "<tr><td>RMSE per customer</td><td>\(f(h.rmse, 3))</td><td>\(f(h.baseline.rmse, 3))</td><td></td></tr>\n"
        s += "<tr><td>correlation with actual</td><td>\(f(h.correlation, 3))</td><td></td><td></td></tr>\n</table></div>\n"
        s += "<p>\(f(h.customers, 0)) customers over \(f(h.duration, 2)) \(e(r.unit.rawValue))s; naive baseline: \(e(h.baseline.description)).</p>\n"
        s += figure("holdout-by-frequency", SVGChart.barChart(
            title: "Mean holdout purchases by calibration frequency", xLabel: "Repeat purchases in the calibration period",
            yLabel: "Mean holdout purchases per customer", categories: h.byFrequency.map(\.frequency),
            series: [SVGChart.Bars(name: "actual", color: SVGChart.actualColor, values: h.byFrequency.map(\.meanActual)),
                     SVGChart.Bars(name: "model", color: SVGChart.modelColor, values: h.byFrequency.map(\.meanPredicted))]),
            caption: "For customers grouped by their calibration repeat purchases (customers per group: \(h.byFrequency.map { "\($0.frequency): \(f($0.customers, 0))" }.joined(separator: ", "))), the mean number of holdout purchases, actual vs the model's conditional expectation.")
        if let sp = r.evaluation.spend {
            s += "<p>Spend model on the \(f(sp.customers, 0)) customers who bought in both periods: mean predicted \(f(sp.meanPredicted, 2)), mean actual \(f(sp.meanActual, 2)), MAE \(f(sp.mae, 2)), RMSE \(f(sp.rmse, 2)).</p>\n"
        }
        return s
    }

    static func alive(_ r: EvaluationReport) -> String {
        let a = r.alive, unit = r.unit.rawValue
        var s = "<h2 id=\"alive\">P(alive) by frequency and recency</h2>\n"
        s += figure("alive-heatmap", SVGChart.heatMap(
            title: "P(alive) for \(a.customer ?? "a customer") known for T = \(f(a.T, 1)) \(unit)s (the median)",
            xLabel: "Recency (\(unit)s from first to last purchase)", yLabel: "Frequency (repeat purchases)",
            rowLabels: a.frequencies.map { f($0, 0) }, columnLabels: a.recencies.map { f($0, 1) },
            values: a.values, legendLabel: "P(alive)"),
            caption: "The probability that a customer is still active at the calibration end, for each number of repeat purchases and time of the last purchase. Recent buyers (right) are likely alive; frequent buyers who stopped long ago (top left) are likely gone.")
        return s
    }

    static func spend(_ r: EvaluationReport) -> String {
        guard let sp = r.spendFit else {
            return "<h2 id=\"spend\">Spend model</h2>\n<p class=\"note\">No spend model was fitted, so there is no spend chart.</p>\n"
        }
        var s = "<h2 id=\"spend\">Spend model: observed vs Gamma-Gamma</h2>\n"
        s += figure("spend-fit", SVGChart.barChart(
            title: "Mean repeat spend per purchase of \(f(sp.customers, 0)) repeat customers", xLabel: "Mean spend per repeat purchase (amount units; lower bin edge)",
            yLabel: "Customers", categories: sp.bins.map { $0.open ? "≥\(f($0.lower, 0))" : f($0.lower, 0) },
            series: [SVGChart.Bars(name: "actual", color: SVGChart.actualColor, values: sp.bins.map(\.actual)),
                     SVGChart.Bars(name: "Gamma-Gamma", color: SVGChart.modelColor, values: sp.bins.map(\.expected))]),
            caption: "Customers by their observed mean repeat spend m̄, and the number the Gamma-Gamma model expects in each bin given each customer's number of repeat purchases (the last bin is open-ended).")
        return s
    }

    static func clv(_ r: EvaluationReport) -> String {
        guard let c = r.clv else {
            return "<h2 id=\"clv\">CLV distribution</h2>\n<p class=\"note\">No spend model was fitted, so there is no CLV.</p>\n"
        }
        var s = "<h2 id=\"clv\">CLV distribution</h2>\n"
        s += "<p>CLV at the calibration end over \(e(c.horizon)): \(f(c.customers, 0)) customers, total \(Number.grouped(c.total, decimals: 2)), mean \(f(c.mean, 2)), median \(f(c.median, 2)). "
        s += "Share of the total value held by the top " + c.topShares.map { "\(f(100 * $0.customers, 0)) % of customers: \(f(100 * $0.share, 1)) %" }.joined(separator: "; top ") + ".</p>\n"
        s += CustomerBaseHTML.valueChart(c.bins, what: "CLV", unitName: "amount units", edge: { $0 >= 1 ? Number.count($0) : Number.decimal($0) })
        return s
    }

    // MARK: Helpers

    /// The headline's figures, each a big number over what it counts (both escaped here).
    static func cards(_ cards: [(figure: String, what: String)]) -> String {
        var s = "<div class=\"cards\">\n"
        for (figure, what) in cards { s += "<div class=\"card\"><div class=\"figure\">\(e(figure))</div><div class=\"what\">\(e(what))</div></div>\n" }
        return s + "</div>\n"
    }

    static func figure(_ id: String, _ svg: String, caption: String) -> String {
        "<figure id=\"\(id)\">\n\(svg)\n<figcaption>\(e(caption))</figcaption>\n</figure>\n"
    }

    static func e(_ text: String) -> String { SVGChart.escaped(text) }

    /// A number with `digits` decimals, or "—" when it is not finite (the page never says NaN).
    static func f(_ v: Double, _ digits: Int) -> String {
        guard v.isFinite else { return "—" }
        return String(format: "%.\(digits)f", v)
    }
}
