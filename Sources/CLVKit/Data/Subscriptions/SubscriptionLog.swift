import Foundation

/// How often a subscription is paid: the length of one period.
public enum BillingPeriod: String, CaseIterable, Sendable {
    case day, week, month, year

    /// The start of the k-th period after `start` (k = 0: `start`). Months and years keep the
    /// day of the month, moved to the month's last day where it has none (a subscription from
    /// 31 January renews on 28 or 29 February, then on 31 March).
    public func start(_ k: Int, after start: CalendarDate) -> CalendarDate {
        switch self {
        case .day: return CalendarDate(daysSinceEpoch: start.daysSinceEpoch + Int32(k))
        case .week: return CalendarDate(daysSinceEpoch: start.daysSinceEpoch + Int32(7 * k))
        case .month, .year:
            let (y, m, d) = start.components
            let months = (y * 12 + m - 1) + (self == .month ? k : 12 * k)
            let (year, month) = (months / 12, months % 12 + 1)
            var day = d
            while CalendarDate(year: year, month: month, day: day) == nil { day -= 1 }
            return CalendarDate(year: year, month: month, day: day)!
        }
    }

    /// Periods paid for by a subscription that began on `start`: a period is paid for when it
    /// begins, so 1 (the first) plus the periods that begin strictly before `end` (the
    /// cancellation day), or, for a subscription still active, on or before `through` (the
    /// observation end). A monthly subscription from 15 January cancelled on 20 March paid for 3.
    public func periodsPaid(from start: CalendarDate, cancelledOn end: CalendarDate?, through: CalendarDate) -> Int {
        let bound = end ?? through
        func counts(_ k: Int) -> Bool {
            let s = self.start(k, after: start)
            return end == nil ? s <= bound : s < bound
        }
        // A first guess from the span, then corrected by a step or two.
        let days = Int(bound.daysSinceEpoch - start.daysSinceEpoch)
        var k: Int
        switch self {
        case .day: k = days
        case .week: k = days / 7
        case .month: k = days * 12 / 366
        case .year: k = days / 366
        }
        k = max(0, k)
        while k > 0 && !counts(k) { k -= 1 }
        while counts(k + 1) { k += 1 }
        return 1 + k
    }
}

/// What `summarize --subscriptions` reads: `customer_id,start,end` (column names as given), dates
/// as in a transaction log, an empty end for a subscription still active.
public struct SubscriptionLogOptions: Sendable {
    public var customerColumn = "customer_id"
    public var startColumn = "start"
    public var endColumn = "end"
    public var period: BillingPeriod
    /// The last day observed (inclusive); default: the log's last date (start or end).
    public var observationEnd: CalendarDate?
    public var csv = CSVScanner.Options()
    public var dateFormat: DateFormat?
    public var timeZone: LocalZone = .utc
    public var badRows: BadRowPolicy = .stop

    public init(period: BillingPeriod, observationEnd: CalendarDate? = nil) {
        self.period = period
        self.observationEnd = observationEnd
    }
}

/// A subscription log turned into a subscriber summary.
public enum SubscriptionLog {
    public struct Outcome: Sendable {
        public var summary: SubscriberSummary
        public var observationEnd: CalendarDate
        /// Rows left out under `--on-bad-row skip`, in file order.
        public var rejected: [RejectedRow]
        /// Rows read (good and bad).
        public var rows: Int
        /// Subscriptions that start after the observation end, left out (and counted).
        public var startingLater: Int
    }

    /// Reads the log at `path` and counts each subscriber's periods paid for
    /// (`BillingPeriod.periodsPaid`). A subscription cancelled after the observation end is
    /// active at it. Bad rows — an empty id, a start or end that is not a date, an end before
    /// the start, a customer with two rows — stop the read, or with `--on-bad-row skip` are left
    /// out and listed, as for a transaction log.
    public static func read(path: String, options: SubscriptionLogOptions) throws(DataError) -> Outcome {
        let scanner = try CSVScanner(path: path, options: options.csv)
        let file = scanner.name
        guard let header = try scanner.readHeader() else {
            throw DataError(file: file, message: "the subscription log is empty (expected a header line with the columns \(options.customerColumn), \(options.startColumn), \(options.endColumn))")
        }
        let columns = CSVColumns(header: header, file: file)
        let idColumn = try columns.require(options.customerColumn), startColumn = try columns.require(options.startColumn)
        let endColumn = try columns.require(options.endColumn)
        try SubscriberSummary.refuseOtherColumns(header, known: [options.customerColumn, options.startColumn, options.endColumn], file: file,
                                                 what: "a subscription log has the columns \(options.customerColumn), \(options.startColumn) and \(options.endColumn)")
        let skips: Bool
        if case .skip = options.badRows { skips = true; scanner.resynchronizesAfterErrors = true } else { skips = false }
        let dates = DateReader(format: options.dateFormat, zone: options.timeZone)
        var rows: [(id: String, start: CalendarDate, end: CalendarDate?)] = []
        var rejected: [RejectedRow] = []
        var seen: [String: Int] = [:]
        while true {
            let record: CSVRecord
            do {
                guard let next = try scanner.nextRecord() else { break }
                record = next
            } catch {
                guard skips, scanner.errorSkippedRecord else { throw error }
                rejected.append(RejectedRow(line: scanner.rawLine, raw: scanner.rawRecord(), error: error))
                continue
            }
            do throws(DataError) {
                let line = record.line
                func date(_ column: Int) throws(DataError) -> CalendarDate {
                    guard let d = dates.day(record[column]) else {
                        throw DataError(file: file, line: line, field: header[column], message: dates.explainInvalid(record[column]))
                    }
                    return d
                }
                let id = record.string(at: idColumn)
                guard !DataText.trimmed(id).isEmpty else {
                    throw DataError(file: file, line: line, field: header[idColumn], message: "the customer id is empty (--on-bad-row skip leaves such rows out)")
                }
                let start = try date(startColumn)
                let end: CalendarDate? = DataText.trimmed(record.string(at: endColumn)).isEmpty ? nil : try date(endColumn)
                if let end, end < start {
                    throw DataError(file: file, line: line, field: header[endColumn], message: "the subscription ends on \(end), before it starts on \(start)")
                }
                if let first = seen[id] {
                    throw DataError(file: file, line: line, field: header[idColumn], message: "customer '\(DataText.shortened(id))' has a second subscription (first on line \(first)); give each subscription its own id (a returning customer starts a new one)")
                }
                seen[id] = line
                rows.append((id, start, end))
            } catch {
                guard skips else { throw error }
                rejected.append(RejectedRow(line: record.line, raw: scanner.rawRecord(), error: error))
            }
        }
        try options.badRows.check(rejected: rejected, rows: rows.count + rejected.count, file: file)
        guard !rows.isEmpty else { throw DataError(file: file, message: "the subscription log has no subscriptions") }
        // The log's last date: every end is on or after its start.
        let observed = options.observationEnd ?? rows.map { $0.end ?? $0.start }.max()!
        var ids: [String] = [], periods: [Double] = [], active: [Bool] = []
        var later = 0
        for row in rows {
            guard row.start <= observed else { later += 1; continue }
            let cancelled = row.end.flatMap { $0 <= observed ? $0 : nil }
            ids.append(row.id)
            periods.append(Double(options.period.periodsPaid(from: row.start, cancelledOn: cancelled, through: observed)))
            active.append(cancelled == nil)
        }
        guard !ids.isEmpty else {
            throw DataError(file: file, message: "every subscription starts after the observation end \(observed)")
        }
        return Outcome(summary: SubscriberSummary(ids: ids, history: SubscriberHistory(periods: periods, active: active), payment: nil),
                       observationEnd: observed, rejected: rejected, rows: rows.count + rejected.count, startingLater: later)
    }
}
