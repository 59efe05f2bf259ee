import Foundation

/// A subscription model fitted on the first periods of a cohort table and projected over the
/// rest (FH 2007's test: fit years 0–7, project 8–12): per period the share of the cohort still
/// subscribed, actual and predicted, the retention rates r(t), and the error over the holdout.
/// Behind `clvfit evaluate --model sbg|bdw --cohort FILE --calibration-periods K`.
public struct RetentionProjection: Sendable, Codable, Equatable {
    public struct Row: Sendable, Codable, Equatable {
        public var period: Int
        /// Whether the period was fitted on (0…K).
        public var calibration: Bool
        /// Share of the cohort still subscribed: c(t)/c(0), and the model's S(t).
        public var actual: Double
        public var predicted: Double
        /// r(t) = c(t)/c(t−1) (nil when nobody was left in t−1, and in period 0), and the model's.
        public var actualRetention: Double?
        public var predictedRetention: Double?
    }

    public var model: String
    public var period: String
    public var calibrationPeriods: Int
    public var cohortSize: Double
    public var parameters: [String: Double]
    public var logLikelihood: Double
    public var rows: [Row]
    /// Mean |predicted − actual| of the share still subscribed over the holdout periods (K+1…);
    /// nil without holdout periods.
    public var holdoutMeanAbsoluteError: Double?
    /// The largest such difference.
    public var holdoutMaxAbsoluteError: Double?

    /// Fits `type` on periods 0…`calibrationPeriods` of `cohort` and projects every period of it.
    /// - Throws: `EstimationError` when the fit fails; `DataError` for a calibration that is not
    ///   at least period 1 or not shorter than the table.
    public static func project(_ cohort: CohortTable, model type: any RetentionModel.Type, calibrationPeriods k: Int,
                               source: String, period: String = "period", estimator: Estimator = Estimator()) throws -> RetentionProjection {
        let last = cohort.survivors.count - 1
        guard k >= 1, k <= last else {
            throw DataError(file: source, message: "--calibration-periods \(k) must be between 1 and the table's last period \(last) (periods 0…K are fitted, the rest projected)")
        }
        let (model, record) = try RetentionTraining.fit(type, to: cohort.prefix(periods: k).history, estimator: estimator)
        let c = cohort.survivors
        let rows = (0...last).map { t in
            Row(period: t, calibration: t <= k, actual: c[t] / c[0], predicted: model.survival(t),
                actualRetention: t > 0 && c[t - 1] > 0 ? c[t] / c[t - 1] : nil,
                predictedRetention: t > 0 ? model.retentionRate(t) : nil)
        }
        let holdout = rows.filter { !$0.calibration }.map { abs($0.predicted - $0.actual) }
        return RetentionProjection(model: type.identifier, period: period, calibrationPeriods: k, cohortSize: c[0],
                                   parameters: record.parameters, logLikelihood: record.logLikelihood, rows: rows,
                                   holdoutMeanAbsoluteError: holdout.isEmpty ? nil : holdout.reduce(0, +) / Double(holdout.count),
                                   holdoutMaxAbsoluteError: holdout.max())
    }

    /// A table for people: shares in percent.
    public func text() -> String {
        var s = "\(model) fitted on \(period)s 0–\(calibrationPeriods) of a cohort of \(SummaryCSV.format(cohortSize)) (log-likelihood \(String(format: "%.4f", logLikelihood))): "
        s += parameters.sorted { $0.key < $1.key }.map { "\($0.key) = \(String(format: "%.6f", $0.value))" }.joined(separator: ", ") + "\n\n"
        s += "\(period.padding(toLength: 8, withPad: " ", startingAt: 0))  still subscribed: actual  predicted   retention: actual  predicted\n"
        for r in rows {
            func pct(_ v: Double?) -> String { v.map { String(format: "%8.2f %%", 100 * $0) } ?? "         —" }
            s += String(r.period).padding(toLength: 8, withPad: " ", startingAt: 0)
            s += "  " + pct(r.actual) + "  " + pct(r.predicted) + "     " + pct(r.actualRetention) + "  " + pct(r.predictedRetention)
            s += r.calibration ? "   (fitted)\n" : "\n"
        }
        if let mae = holdoutMeanAbsoluteError, let max = holdoutMaxAbsoluteError {
            s += String(format: "\nHoldout (%@s %d–%d): mean absolute error %.2f percentage points, largest %.2f.\n",
                        period, calibrationPeriods + 1, rows.count - 1, 100 * mae, 100 * max)
        }
        return s
    }

    /// Stable JSON for programs.
    public func json() throws -> Data { try StableJSON.encode(self) }

    /// One self-contained HTML page: the survival and retention curves, actual against projected,
    /// with the end of the calibration marked, and the table.
    public func html(source: String) -> String {
        let points: (KeyPath<Row, Double>) -> [(x: Double, y: Double)] = { key in rows.map { (Double($0.period), 100 * $0[keyPath: key]) } }
        let retention: (KeyPath<Row, Double?>) -> [(x: Double, y: Double)] = { key in
            rows.compactMap { r in r[keyPath: key].map { (Double(r.period), 100 * $0) } }
        }
        let marker = SVGChart.Marker(x: Double(calibrationPeriods), label: "end of calibration")
        let survival = SVGChart.lineChart(title: "Still subscribed", xLabel: period, yLabel: "% of the cohort", lines: [
            SVGChart.Line(name: "actual", color: SVGChart.actualColor, points: points(\.actual)),
            SVGChart.Line(name: "\(model) (fitted on \(period)s 0–\(calibrationPeriods))", color: SVGChart.modelColor, points: points(\.predicted), dashed: true),
        ], marker: marker)
        let rates = SVGChart.lineChart(title: "Retention rate r(t)", xLabel: period, yLabel: "% renewing", lines: [
            SVGChart.Line(name: "actual", color: SVGChart.actualColor, points: retention(\.actualRetention)),
            SVGChart.Line(name: model, color: SVGChart.modelColor, points: retention(\.predictedRetention), dashed: true),
        ], marker: marker)
        let e = SVGChart.escaped
        var html = ReportHTML.documentStart(title: "clvfit retention projection — \(source)")
        html += """
        <h1>Retention projection</h1>
        <p class="meta">\(e(source)) · \(e(model)) · cohort of \(e(SummaryCSV.format(cohortSize))) · fitted on \(e(period))s 0–\(calibrationPeriods) · clvfit \(e(ClvFitVersion.current))</p>

        """
        if let mae = holdoutMeanAbsoluteError {
            html += "<p>Over the projected \(e(period))s the model is off by \(String(format: "%.2f", 100 * mae)) percentage points on average.</p>\n"
        }
        html += "<figure id=\"survival\">\(survival)</figure>\n<figure id=\"retention\">\(rates)</figure>\n"
        html += "<table><tr><th>\(e(period))</th><th>actual %</th><th>predicted %</th><th>actual r(t) %</th><th>predicted r(t) %</th></tr>\n"
        for r in rows {
            func pct(_ v: Double?) -> String { v.map { String(format: "%.2f", 100 * $0) } ?? "—" }
            html += "<tr><td>\(r.period)\(r.calibration ? " (fitted)" : "")</td><td>\(pct(r.actual))</td><td>\(pct(r.predicted))</td><td>\(pct(r.actualRetention))</td><td>\(pct(r.predictedRetention))</td></tr>\n"
        }
        return html + "</table>\n</body>\n</html>\n"
    }
}
