import Foundation

/// How well a model fitted on the calibration period predicts the holdout period.
///
/// Per customer, the prediction is E[Y(d) | x, t_x, T] for the holdout length d and the actual
/// value is the number of holdout purchase days. Alongside the model's errors the report gives
/// a naive baseline — each customer keeps buying at their calibration repeat rate, x/T·d, the
/// forecast a spreadsheet makes — so the model's gain is visible in numbers, not only in plots.
public struct HoldoutEvaluation: Sendable, Codable, Equatable {
    public struct PurchaseErrors: Sendable, Codable, Equatable {
        /// Customers evaluated (Σ weight).
        public var customers: Double
        /// Holdout length in the model's time unit.
        public var duration: Double
        public var totalPredicted: Double
        public var totalActual: Double
        /// Mean absolute error of per-customer holdout purchases.
        public var mae: Double
        /// Root mean squared error of per-customer holdout purchases.
        public var rmse: Double
        /// Pearson correlation of predicted and actual holdout purchases.
        public var correlation: Double
        /// Mean predicted vs actual holdout purchases by calibration frequency 0, 1, …, 6, 7+.
        public var byFrequency: [FrequencyBucket]
        /// The naive rate forecast x/T·duration, for comparison.
        public var baseline: Baseline
    }

    public struct FrequencyBucket: Sendable, Codable, Equatable {
        /// "0" … "6", "7+".
        public var frequency: String
        public var customers: Double
        public var meanPredicted: Double
        public var meanActual: Double
    }

    public struct Baseline: Sendable, Codable, Equatable {
        public var description: String
        public var totalPredicted: Double
        public var mae: Double
        public var rmse: Double
    }

    /// The spend model on customers who bought in both periods: predicted E[M | m̄, x] against
    /// their actual mean holdout spend.
    public struct SpendErrors: Sendable, Codable, Equatable {
        public var customers: Double
        public var meanPredicted: Double
        public var meanActual: Double
        public var mae: Double
        public var rmse: Double
    }

    public var holdout: PurchaseErrors
    public var spend: SpendErrors?
    /// 95 % intervals of the fitted parameters (`annotate(with:)`); absent until annotated.
    public var parameterIntervals: [ModelParameterIntervals]?
    /// The model's diagnostic warnings (`annotate(with:)`); absent until annotated.
    public var warnings: [DiagnosticWarning]?

    /// Adds the model file's parameter intervals (at `level`) and warnings, so that the JSON
    /// and any report carry them.
    public mutating func annotate(with file: ModelFile, level: Double = 0.95) {
        parameterIntervals = file.parameterIntervals(level: level)
        warnings = file.warnings ?? Diagnostics.warnings(for: file)
    }
    /// Weekly actual vs expected repeat purchases of the cohort over calibration and holdout,
    /// when the dated purchases are known (a transaction log; see ``TrackingCurve``).
    public var tracking: TrackingCurve?
    /// With covariates: the likelihood-ratio test against the model without them, and the effects.
    public var covariates: CovariateEvaluation?

    /// Evaluates `purchaseModel` (and `spendModel`) on a calibration summary with holdout columns.
    /// With `models`, each customer's own purchase model (a covariate model's).
    public static func evaluate(_ table: CustomerSummaryTable, purchaseModel: any PurchaseModel,
                                spendModel: (any SpendModel)?, models: CustomerModels? = nil) throws -> HoldoutEvaluation {
        guard let holdout = table.holdout else {
            throw DataError(file: "the summary", message: "has no holdout columns: give --calibration-end and --observation-end.")
        }
        let d = holdout.duration
        var sw = 0.0, sp = 0.0, sa = 0.0, sae = 0.0, sse = 0.0, spp = 0.0, saa = 0.0, spa = 0.0
        var baseTotal = 0.0, baseAE = 0.0, baseSE = 0.0
        var buckets = Array(repeating: (w: 0.0, p: 0.0, a: 0.0), count: 8)
        var spendStats = (w: 0.0, p: 0.0, a: 0.0, ae: 0.0, se: 0.0)
        for i in 0..<table.count {
            let x = table.frequency[i], tx = table.recency[i], T = table.T[i], w = table.weight[i]
            let actual = holdout.frequency[i]
            let model = try models?.model(row: i) ?? purchaseModel
            let predicted = try model.expectedPurchases(within: d, frequency: x, recency: tx, T: T)
            sw += w; sp += w * predicted; sa += w * actual
            sae += w * abs(predicted - actual); sse += w * (predicted - actual) * (predicted - actual)
            spp += w * predicted * predicted; saa += w * actual * actual; spa += w * predicted * actual
            let naive = T > 0 ? x / T * d : 0
            baseTotal += w * naive; baseAE += w * abs(naive - actual); baseSE += w * (naive - actual) * (naive - actual)
            let b = min(Int(x), 7)
            buckets[b].w += w; buckets[b].p += w * predicted; buckets[b].a += w * actual
            if let spendModel, let m = table.monetaryValue, let mh = holdout.monetaryValue, x > 0, actual > 0, m[i] > 0 {
                let e = try spendModel.expectedSpend(frequency: x, monetaryValue: m[i])
                spendStats.w += w; spendStats.p += w * e; spendStats.a += w * mh[i]
                spendStats.ae += w * abs(e - mh[i]); spendStats.se += w * (e - mh[i]) * (e - mh[i])
            }
        }
        let covariance = spa / sw - (sp / sw) * (sa / sw)
        let varP = spp / sw - (sp / sw) * (sp / sw), varA = saa / sw - (sa / sw) * (sa / sw)
        let correlation = varP > 0 && varA > 0 ? covariance / (varP * varA).squareRoot() : 0
        let byFrequency = buckets.enumerated().compactMap { k, b -> FrequencyBucket? in
            guard b.w > 0 else { return nil }
            return FrequencyBucket(frequency: k == 7 ? "7+" : "\(k)", customers: b.w, meanPredicted: b.p / b.w, meanActual: b.a / b.w)
        }
        let errors = PurchaseErrors(
            customers: sw, duration: d, totalPredicted: sp, totalActual: sa, mae: sae / sw, rmse: (sse / sw).squareRoot(),
            correlation: correlation, byFrequency: byFrequency,
            baseline: Baseline(description: "calibration rate x/T times the holdout length", totalPredicted: baseTotal,
                               mae: baseAE / sw, rmse: (baseSE / sw).squareRoot()))
        var spend: SpendErrors? = nil
        if spendStats.w > 0 {
            spend = SpendErrors(customers: spendStats.w, meanPredicted: spendStats.p / spendStats.w, meanActual: spendStats.a / spendStats.w,
                                mae: spendStats.ae / spendStats.w, rmse: (spendStats.se / spendStats.w).squareRoot())
        }
        return HoldoutEvaluation(holdout: errors, spend: spend)
    }

    /// Stable JSON for programs: snake_case keys, sorted, pretty-printed.
    public func json() throws -> Data { try StableJSON.encode(self) }

    /// A plain-text report for people; `unit` names the time unit (e.g. "week").
    public func text(unit: String) -> String {
        let h = holdout
        func f(_ v: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", v) }
        var s = """
        Holdout: \(f(h.customers, 0)) customers over \(f(h.duration, 2)) \(unit)s
          total purchases   predicted \(f(h.totalPredicted, 1))   actual \(f(h.totalActual, 0))   (\(f(100 * (h.totalPredicted - h.totalActual) / max(h.totalActual, 1e-300), 1)) %)
          per customer      MAE \(f(h.mae))   RMSE \(f(h.rmse))   correlation \(f(h.correlation))
          naive baseline    MAE \(f(h.baseline.mae))   RMSE \(f(h.baseline.rmse))   total \(f(h.baseline.totalPredicted, 1))   (\(h.baseline.description))

          calibration   customers   mean predicted   mean actual
          frequency                 holdout purchases

        """
        for b in h.byFrequency {
            s += "  " + b.frequency.padding(toLength: 14, withPad: " ", startingAt: 0)
                + f(b.customers, 0).leftPadded(9) + f(b.meanPredicted).leftPadded(17) + f(b.meanActual).leftPadded(14) + "\n"
        }
        if let sp = spend {
            s += "\nSpend (customers who bought in both periods: \(f(sp.customers, 0)))\n"
            s += "  mean predicted \(f(sp.meanPredicted, 2))   mean actual \(f(sp.meanActual, 2))   MAE \(f(sp.mae, 2))   RMSE \(f(sp.rmse, 2))\n"
        }
        if let c = covariates { s += "\n" + c.text() }
        if let t = tracking {
            s += "\nTracking (repeat purchases of all \(f(t.customers, 0)) customers, \(t.periods.count) periods of \(t.periodDays) days)\n"
            s += "  calibration   expected \(f(t.calibrationExpected, 1))   actual \(f(t.calibrationActual, 0))\n"
            s += "  holdout       expected \(f(t.holdoutExpected, 1))   actual \(f(t.holdoutActual, 0))   (unconditional: as for new customers)\n"
        }
        return s
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
