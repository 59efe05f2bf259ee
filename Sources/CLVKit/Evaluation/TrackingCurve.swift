/// Period-by-period repeat purchases of the whole calibration cohort, actual against what the
/// model expects, over calibration and holdout — the tracking plot of Fader, Hardie & Lee
/// (2005, Fig. 2), for any ``PurchaseModel``.
///
/// A customer whose first purchase is on day d₀ is expected to make
/// ```
/// E[X((b_k − d₀)⁺)] − E[X((b_{k−1} − d₀)⁺)]
/// ```
/// repeat purchases in period k = (b_{k−1}, b_k] (days, converted to the model's unit), where
/// E[X(t)] is ``PurchaseModel/expectedPurchasesOfNewCustomer(within:)``. The curve sums this over
/// customers. Period boundaries are laid so that one falls on the calibration end: the cumulative
/// expected value there is Σᵢ E[X(Tᵢ)], with the summary's Tᵢ. Holdout periods follow up to the
/// observation end (the last one shorter when the holdout is not a whole number of periods).
public struct TrackingCurve: Sendable, Codable, Equatable {
    public struct Period: Sendable, Codable, Equatable {
        /// First and last day of the period (inclusive).
        public var start: CalendarDate
        public var end: CalendarDate
        /// Whether the period lies after the calibration end.
        public var holdout: Bool
        public var actual: Double
        public var expected: Double
        public var cumulativeActual: Double
        public var cumulativeExpected: Double
    }

    /// Period length in days (7: weekly).
    public var periodDays: Int
    /// The cohort: customers who first bought on or before the calibration end.
    public var customers: Double
    /// The number of calibration periods; the rest are holdout periods.
    public var calibrationPeriods: Int
    public var periods: [Period]

    /// Cumulative actual and expected repeat purchases at the calibration end.
    public var calibrationActual: Double
    public var calibrationExpected: Double
    /// Actual and expected repeat purchases in the holdout periods.
    public var holdoutActual: Double
    public var holdoutExpected: Double

    /// The tracking curve of `cohort` under `model`.
    /// - Parameters:
    ///   - unit: the model's time unit (days are divided by `unit.days`).
    ///   - periodDays: period length in days (default 7, weekly).
    /// - Complexity: E[X(t)] is evaluated once per distinct number of days between a first
    ///   purchase and a period boundary (at most the window's length in days), not per customer.
    public static func compute(_ cohort: CohortPurchases, model: any PurchaseModel, unit: TimeUnit,
                               periodDays: Int = 7) throws(ModelError) -> TrackingCurve {
        let unitDays = try days(of: unit, model: model)
        let boundaries = self.boundaries(cohort, periodDays: periodDays)
        // E[X(Δ days)] for every Δ needed, computed once each.
        let o = Int(cohort.observationEnd.daysSinceEpoch - cohort.origin.daysSinceEpoch)
        var expectedByGap: [Double?] = Array(repeating: nil, count: o + 1)
        func expected(gap: Int) throws(ModelError) -> Double {
            guard gap > 0 else { return 0 }
            if let v = expectedByGap[gap] { return v }
            let v = try finite(model.expectedPurchasesOfNewCustomer(within: Double(gap) / unitDays), model: model, t: Double(gap) / unitDays)
            expectedByGap[gap] = v
            return v
        }
        let firstDays = cohort.newCustomers.indices.filter { cohort.newCustomers[$0] > 0 }
        var cumulativeExpected: [Double] = []
        for boundary in boundaries {
            var sum = 0.0
            for d0 in firstDays where d0 < boundary {
                sum += cohort.newCustomers[d0] * (try expected(gap: boundary - d0))
            }
            cumulativeExpected.append(sum)
        }
        return assemble(cohort, periodDays: periodDays, boundaries: boundaries, cumulativeExpected: cumulativeExpected)
    }

    /// The tracking curve of `cohort` when every customer has a model of their own (a covariate
    /// model): customer i of `table` (the cohort's calibration summary, in `unit`), first buying
    /// Tᵢ before the calibration end, is expected to have made E_i[X(Tᵢ + (b − c)/unit)] repeat
    /// purchases by boundary b (c the calibration end; 0 before the first purchase). At the
    /// calibration end the cumulative expectation is Σᵢ E_i[X(Tᵢ)], as with one model.
    /// - Complexity: one E[X(t)] per customer and boundary (customers in parallel).
    public static func compute(_ cohort: CohortPurchases, table: CustomerSummaryTable, models: CustomerModels,
                               periodDays: Int = 7) throws(ModelError) -> TrackingCurve {
        guard models.covariates != nil else { return try compute(cohort, model: models.shared, unit: table.unit, periodDays: periodDays) }
        let unitDays = try days(of: table.unit, model: models.shared)
        let boundaries = self.boundaries(cohort, periodDays: periodDays)
        let c = Double(cohort.calibrationEnd.daysSinceEpoch - cohort.origin.daysSinceEpoch)
        let offsets = boundaries.map { (Double($0) - c) / unitDays }
        let T = table.T, weight = table.weight
        let parts = ChunkedSum.map(rows: table.count) { range -> Result<[Double], ModelError> in
            var sums = [Double](repeating: 0, count: offsets.count)
            for i in range {
                do throws(ModelError) {
                    let model = try models.model(row: i)
                    for (k, offset) in offsets.enumerated() where T[i] + offset > 0 {
                        let t = T[i] + offset
                        sums[k] += weight[i] * (try finite(model.expectedPurchasesOfNewCustomer(within: t), model: model, t: t))
                    }
                } catch {
                    return .failure(error)
                }
            }
            return .success(sums)
        }
        var cumulativeExpected = [Double](repeating: 0, count: offsets.count)
        for part in parts {
            let sums = try part.get()
            for k in sums.indices { cumulativeExpected[k] += sums[k] }
        }
        return assemble(cohort, periodDays: periodDays, boundaries: boundaries, cumulativeExpected: cumulativeExpected)
    }

    static func days(of unit: TimeUnit, model: any PurchaseModel) throws(ModelError) -> Double {
        guard let unitDays = unit.days else {
            throw .undefinedPrediction(model: type(of: model).displayName, reason: "a tracking curve needs a calendar time unit (day or week), not \(unit.rawValue).")
        }
        return unitDays
    }

    static func finite(_ v: Double, model: any PurchaseModel, t: Double) throws(ModelError) -> Double {
        guard v.isFinite else {
            throw .undefinedPrediction(model: type(of: model).displayName, reason: "E[X(t)] is not finite at t = \(t).")
        }
        return v
    }

    /// Boundaries as day offsets from the origin: b_0 < 0 ≤ … ≤ b_K = calibration end < … ≤ observation end.
    static func boundaries(_ cohort: CohortPurchases, periodDays: Int) -> [Int] {
        precondition(periodDays > 0, "A period is at least one day long.")
        let c = Int(cohort.calibrationEnd.daysSinceEpoch - cohort.origin.daysSinceEpoch)
        let o = Int(cohort.observationEnd.daysSinceEpoch - cohort.origin.daysSinceEpoch)
        let calibrationPeriods = (c + 1 + periodDays - 1) / periodDays
        var boundaries = (0...calibrationPeriods).map { c - periodDays * (calibrationPeriods - $0) }
        var b = c
        while b < o {
            b = min(b + periodDays, o)
            boundaries.append(b)
        }
        return boundaries
    }

    /// The periods between `boundaries`, with the cohort's actual repeat purchases and the
    /// expected ones from their cumulative values at each boundary.
    static func assemble(_ cohort: CohortPurchases, periodDays: Int, boundaries: [Int], cumulativeExpected: [Double]) -> TrackingCurve {
        let c = Int(cohort.calibrationEnd.daysSinceEpoch - cohort.origin.daysSinceEpoch)
        let calibrationPeriods = (c + 1 + periodDays - 1) / periodDays
        var periods: [Period] = []
        var cumulativeActual = 0.0
        for k in 1..<boundaries.count {
            let lo = boundaries[k - 1], hi = boundaries[k]
            var actual = 0.0
            for day in max(lo + 1, 0)...hi { actual += cohort.repeatPurchases[day] }
            cumulativeActual += actual
            let origin = cohort.origin.daysSinceEpoch
            periods.append(Period(start: CalendarDate(daysSinceEpoch: origin + Int32(lo + 1)),
                                  end: CalendarDate(daysSinceEpoch: origin + Int32(hi)),
                                  holdout: k > calibrationPeriods, actual: actual,
                                  expected: cumulativeExpected[k] - cumulativeExpected[k - 1],
                                  cumulativeActual: cumulativeActual, cumulativeExpected: cumulativeExpected[k]))
        }
        let atCalibrationEnd = periods[calibrationPeriods - 1], last = periods[periods.count - 1]
        return TrackingCurve(periodDays: periodDays, customers: cohort.customers,
                             calibrationPeriods: calibrationPeriods, periods: periods,
                             calibrationActual: atCalibrationEnd.cumulativeActual,
                             calibrationExpected: atCalibrationEnd.cumulativeExpected,
                             holdoutActual: last.cumulativeActual - atCalibrationEnd.cumulativeActual,
                             holdoutExpected: last.cumulativeExpected - atCalibrationEnd.cumulativeExpected)
    }
}
