/// The dated repeat purchases of the calibration cohort — the customers whose first purchase is
/// on or before the calibration end, as in the summary — counted by calendar day: what a
/// tracking curve (``TrackingCurve``) compares the model with.
///
/// Purchases are purchase *days*, as in the summary: several rows of one customer on one day are
/// one purchase. A customer's first purchase day is not a repeat purchase; every later purchase
/// day up to the observation end is. So the repeat purchases up to the calibration end add up to
/// Σ frequency, and those after it to Σ frequency_holdout.
public struct CohortPurchases: Sendable, Equatable {
    /// The earliest first purchase in the cohort: day 0 of the arrays below.
    public var origin: CalendarDate
    public var calibrationEnd: CalendarDate
    public var observationEnd: CalendarDate
    /// `newCustomers[d]`: customers whose first purchase is on day `origin + d`,
    /// d = 0 … calibrationEnd − origin.
    public var newCustomers: [Double]
    /// `repeatPurchases[d]`: repeat purchase days of the cohort on day `origin + d`,
    /// d = 0 … observationEnd − origin.
    public var repeatPurchases: [Double]

    public init(origin: CalendarDate, calibrationEnd: CalendarDate, observationEnd: CalendarDate,
                newCustomers: [Double], repeatPurchases: [Double]) {
        self.origin = origin
        self.calibrationEnd = calibrationEnd
        self.observationEnd = observationEnd
        self.newCustomers = newCustomers
        self.repeatPurchases = repeatPurchases
    }

    /// The cohort's purchases from a summary whose repeat purchase days were counted by date
    /// while it was made (``RepeatPurchaseDays``), without reading the log again. The cohort
    /// and its first purchase days are the summary's customers and their first days.
    init?(summary: RFMSummary, repeatPurchaseDays: RepeatPurchaseDays) {
        let origin = summary.states.withUnsafeBufferPointer { states in
            var first = Int32.max
            for s in states where s.days > 0 { first = min(first, s.firstDay) }
            return first
        }
        let calibration = summary.windowEnd, end = summary.observationEnd
        guard origin <= calibration,
              let repeats = repeatPurchaseDays.counts(over: origin...end) else { return nil }
        var newCustomers = Array(repeating: 0.0, count: Int(calibration - origin) + 1)
        for s in summary.states where s.days > 0 { newCustomers[Int(s.firstDay - origin)] += 1 }
        self.init(origin: CalendarDate(daysSinceEpoch: origin), calibrationEnd: CalendarDate(daysSinceEpoch: calibration),
                  observationEnd: CalendarDate(daysSinceEpoch: end), newCustomers: newCustomers, repeatPurchases: repeats)
    }

    /// The customers in the cohort.
    public var customers: Double { newCustomers.reduce(0, +) }
}

/// A summary and the cohort's dated purchases from one read of a transaction log — what
/// `clvfit evaluate` needs for its tracking curve and report.
public struct EvaluationData: Sendable {
    public var table: CustomerSummaryTable
    public var cohort: CohortPurchases
    /// The rows left out of both (``BadRowPolicy/skip(maxFraction:)``), in file order.
    public var rejected: [RejectedRow] = []
    /// Data rows in the log, bad ones included.
    public var rows = 0
    /// Rows dated after the observation end, which both ignore.
    public var rowsAfterObservationEnd = 0

    /// Summarizes the log at `path` (`-`: standard input, spooled in case it must be read again)
    /// and collects the calibration cohort's purchase days with the same window and the same
    /// rows: counted while summarizing, or, for logs whose rows are out of date order in ways
    /// the summarizer's running states cannot place, in one more pass (a bad row skipped by the
    /// summary is skipped again). `progress` reports the first pass.
    public static func read(path: String, options: RFMOptions,
                            progress: (@Sendable (ReadProgress) -> Void)? = nil) throws(DataError) -> EvaluationData {
        // The holdout's mean spend is compared with the model's expected spend per purchase,
        // and a purchase is a customer's day (the calibration definition, which frequency_holdout
        // counts too): amounts of one day are summed, never averaged per row, so a line-item
        // export (several rows per order) is evaluated like the same orders in one row each.
        var options = options
        options.holdoutMonetaryValue = .perPurchaseDay
        let log = try TransactionLog(path: path, options: options, spoolsPipes: true)
        log.progress = progress
        let summary = try RFMSummarizer.read(log: log, options: options, countingRepeatPurchaseDays: true)
        log.progress = nil
        let table = summary.table
        guard let days = summary.repeatPurchaseDays,
              let cohort = CohortPurchases(summary: summary.summary, repeatPurchaseDays: days) else {
            preconditionFailure("the summarizer counts the repeat purchase days of its own window when asked")
        }
        return EvaluationData(table: table, cohort: cohort, rejected: summary.rejected, rows: summary.rows,
                              rowsAfterObservationEnd: summary.rowsAfterObservationEnd)
    }
}
