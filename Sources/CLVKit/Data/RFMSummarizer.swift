/// Turns a transaction log into the RFM summary, exactly as
/// `lifetimes.utils.summary_data_from_transaction_data(freq='D', freq_multiplier=1 or 7)` and
/// `lifetimes.utils.calibration_and_holdout_data` do (lifetimes 0.11.3; definitions in
/// DESIGN.md §1 and on ``CustomerSummaryTable``):
///
/// - every date is a whole day; several purchases of one customer on one day are one purchase
///   with the amounts summed;
/// - `frequency` = distinct purchase days − 1; `recency` = (last day − first day) / unit;
///   `T` = (window end − first day) / unit; `monetary_value` = mean of the daily sums over the
///   repeat days (all days but the first), 0 when frequency = 0;
/// - transactions after the observation end are ignored (default observation end: the last date
///   in the file), and customers whose first purchase is after it do not appear;
/// - with a calibration end, the table covers transactions on or before it, only customers with
///   a purchase on or before it, and T runs to the calibration end; the holdout columns count the
///   distinct purchase days in (calibration end, observation end] (`frequency_holdout`), their
///   mean amount (`monetary_value_holdout`, per row like lifetimes unless
///   ``RFMOptions/holdoutMonetaryValue`` says otherwise), and
///   `duration_holdout` = (observation end − calibration end) / unit.
///
/// Customer order: order of first appearance in the file, counting only rows on or before the
/// observation end (lifetimes sorts by customer id instead; match rows by id when comparing).
///
/// Memory and speed: rows are not stored. Each customer has a fixed-size running state (first and
/// last day, number of distinct days, first-day amount, repeat amount, and the same for the
/// holdout), which is exact for any file in which each customer's rows come in date order (other
/// customers' rows may interleave). A row dated before its customer's last day is still handled
/// exactly when it falls on the first day, before it, or between two known days; only when it
/// lands between days the state has forgotten is the customer marked, and after the first pass
/// the file is read a second time to count the marked customers' distinct days exactly (piped
/// input is spooled to a temporary file for that). So the result is correct for rows in any
/// order, and memory grows with the number of customers, not rows.
public struct RFMSummarizer {
    /// Running state of one customer (48 bytes + id).
    struct CustomerState {
        // Calibration period (the whole window when there is no calibration end).
        var firstDay: Int32 = 0
        var lastDay: Int32 = 0
        var days: Int32 = 0
        var firstAmount = 0.0
        var repeatAmount = 0.0
        // Holdout period.
        var holdoutFirstDay: Int32 = 0
        var holdoutLastDay: Int32 = 0
        var holdoutDays: Int32 = 0
        var needsRecount = false
        var holdoutRows = 0
        var holdoutAmount = 0.0
    }

    public let options: RFMOptions
    private var ids = CustomerIDTable()
    private var states: [CustomerState] = []
    private var rows = 0
    private var minDay = Int32.max, maxDay = Int32.min            // all rows
    private var minUsedDay = Int32.max, maxUsedDay = Int32.min    // rows on or before the observation end
    private var recountCustomers = 0
    private var lastID: [UInt8] = []
    private var lastIndex = -1
    private let observationEndDay: Int32?
    private let calibrationEndDay: Int32?

    /// A summarizer to which rows are fed with ``add(_:file:)``.
    public init(options: RFMOptions) {
        self.options = options
        observationEndDay = options.observationEnd?.daysSinceEpoch
        calibrationEndDay = options.calibrationEnd?.daysSinceEpoch
    }

    // MARK: Convenience

    /// Summarizes the CSV transaction log at `path` (`-`: standard input).
    public static func summarize(path: String, options: RFMOptions = RFMOptions()) throws(DataError) -> CustomerSummaryTable {
        let log = try TransactionLog(path: path, options: options, spoolsPipes: true)
        return try summarize(log: log, options: options)
    }

    /// Summarizes a CSV transaction log held in memory; `name` is used in messages.
    public static func summarize(csv bytes: [UInt8], name: String, options: RFMOptions = RFMOptions()) throws(DataError) -> CustomerSummaryTable {
        let log = try TransactionLog(bytes: bytes, name: name, options: options)
        return try summarize(log: log, options: options)
    }

    /// Summarizes an open transaction log (read to its end, and once more if some customer's
    /// rows were out of date order, which needs ``TransactionLog/rewind()``).
    public static func summarize(log: TransactionLog, options: RFMOptions) throws(DataError) -> CustomerSummaryTable {
        try checkWindow(options, file: log.name)
        var summarizer = RFMSummarizer(options: options)
        while let row = try log.next() {
            summarizer.add(row)
        }
        if summarizer.needsRecount {
            guard try log.rewind() else {
                throw DataError(file: log.name, message: "some customers' rows are not in date order, and the input cannot be read a second time to count their purchase days; sort it by customer and date, or give a file instead of a pipe")
            }
            summarizer.beginRecount()
            while let row = try log.next() {
                summarizer.recount(row)
            }
            try summarizer.endRecount(rows: log.rowsRead, file: log.name)
        }
        return try summarizer.table(file: log.name, hasAmount: options.amountColumn != nil)
    }

    private static func checkWindow(_ options: RFMOptions, file: String) throws(DataError) {
        if let cal = options.calibrationEnd, let obs = options.observationEnd, cal > obs {
            throw DataError(file: file, message: "the calibration end \(cal) is after the observation end \(obs)")
        }
    }

    // MARK: Accumulation

    /// Whether some customer's distinct purchase days must be counted in a second pass
    /// (``beginRecount()``, ``recount(_:)``, ``endRecount(rows:file:)``).
    public var needsRecount: Bool { recountCustomers > 0 }

    /// Number of customers seen so far.
    public var customerCount: Int { ids.count }

    /// Adds one validated row.
    @inline(__always)
    public mutating func add(_ row: TransactionLog.Row) {
        let day = row.date.daysSinceEpoch
        rows += 1
        if day < minDay { minDay = day }
        if day > maxDay { maxDay = day }
        if let end = observationEndDay, day > end { return }
        if day < minUsedDay { minUsedDay = day }
        if day > maxUsedDay { maxUsedDay = day }
        let index = customerIndex(row.customerID)
        let amount = row.amount
        var s = states[index]
        var unknown = false
        if let cal = calibrationEndDay, day > cal {
            unknown = RFMSummarizer.addDay(day, first: &s.holdoutFirstDay, last: &s.holdoutLastDay,
                                           count: &s.holdoutDays) == .unknown
            s.holdoutRows += 1
            s.holdoutAmount += amount
        } else {
            switch RFMSummarizer.addDay(day, first: &s.firstDay, last: &s.lastDay, count: &s.days) {
            case .firstDay:
                s.firstAmount += amount
            case .newFirstDay:
                // The previous first day (if any) becomes a repeat day.
                s.repeatAmount += s.firstAmount
                s.firstAmount = amount
            case .repeatDay:
                s.repeatAmount += amount
            case .unknown:
                s.repeatAmount += amount
                unknown = true
            }
        }
        if unknown && !s.needsRecount {
            s.needsRecount = true
            recountCustomers += 1
        }
        states[index] = s
    }

    /// The index of a customer id, remembering the previous row's id (logs are usually grouped by
    /// customer, so most rows skip the hash lookup).
    @inline(__always)
    private mutating func customerIndex(_ id: UnsafeBufferPointer<UInt8>) -> Int {
        if lastIndex >= 0, id.count == lastID.count,
           lastID.withUnsafeBufferPointer({ bytesEqual($0.baseAddress!, id.baseAddress!, id.count) }) {
            return lastIndex
        }
        let (index, inserted) = ids.findOrInsert(id)
        if inserted { states.append(CustomerState()) }
        lastID.removeAll(keepingCapacity: true)
        lastID.append(contentsOf: id)
        lastIndex = index
        return index
    }

    enum DayKind {
        /// On the first known day.
        case firstDay
        /// Before every known day (or the first day seen): the new first day.
        case newFirstDay
        /// After the first day (a new or a known day; the count is updated).
        case repeatDay
        /// Strictly between known days, where the state cannot tell whether the day is new
        /// (the count is left as is; the customer needs a recount).
        case unknown
    }

    /// Updates a strictly increasing set of days known by its first and last element and its
    /// size. Exact when days arrive in non-decreasing order, and for several out-of-order cases.
    @inline(__always)
    static func addDay(_ day: Int32, first: inout Int32, last: inout Int32, count: inout Int32) -> DayKind {
        if count == 0 {
            first = day; last = day; count = 1
            return .newFirstDay
        }
        if day == last { return count == 1 ? .firstDay : .repeatDay }
        if day > last {
            last = day; count += 1
            return .repeatDay
        }
        if day == first { return .firstDay }
        if day < first {
            first = day; count += 1
            return .newFirstDay
        }
        // first < day < last: new unless it equals a day in between, which is impossible
        // when only the first and last day are known.
        if count == 2 {
            count = 3
            return .repeatDay
        }
        return .unknown
    }

    // MARK: Second pass

    private var recountDays: [Int: (calibration: Set<Int32>, holdout: Set<Int32>)] = [:]
    private var recountRows = 0

    /// Prepares the second pass over the same rows.
    public mutating func beginRecount() {
        recountDays = [:]
        recountRows = 0
        for (i, s) in states.enumerated() where s.needsRecount {
            recountDays[i] = ([], [])
        }
    }

    /// Feeds one row of the second pass: collects the distinct days of marked customers.
    public mutating func recount(_ row: TransactionLog.Row) {
        recountRows += 1
        let day = row.date.daysSinceEpoch
        if let end = observationEndDay, day > end { return }
        guard let index = ids.find(row.customerID), states[index].needsRecount else { return }
        if let cal = calibrationEndDay, day > cal {
            recountDays[index]!.holdout.insert(day)
        } else {
            recountDays[index]!.calibration.insert(day)
        }
    }

    /// Replaces the marked customers' day counts with the exact ones.
    public mutating func endRecount(rows secondPassRows: Int, file: String) throws(DataError) {
        guard secondPassRows == rows else {
            throw DataError(file: file, message: "the input changed while it was read (\(rows) rows, then \(secondPassRows))")
        }
        for (index, days) in recountDays {
            states[index].days = Int32(days.calibration.count)
            states[index].holdoutDays = Int32(days.holdout.count)
            states[index].needsRecount = false
        }
        recountDays = [:]
        recountCustomers = 0
    }

    // MARK: Result

    /// The summary of the rows added so far.
    /// - Parameters:
    ///   - file: the input's name, for messages.
    ///   - hasAmount: whether rows carried amounts (else `monetaryValue` is `nil`).
    public func table(file: String, hasAmount: Bool) throws(DataError) -> CustomerSummaryTable {
        precondition(!needsRecount, "table() before the recount of out-of-order customers")
        guard rows > 0 else {
            throw DataError(file: file, message: "no transactions: the file has a header but no rows")
        }
        let observationEnd = observationEndDay ?? maxDay
        if let cal = calibrationEndDay, cal > observationEnd {
            throw DataError(file: file, message: "the calibration end \(CalendarDate(daysSinceEpoch: cal)) is after the observation end \(CalendarDate(daysSinceEpoch: observationEnd)) (the last transaction date)")
        }
        let windowEnd = calibrationEndDay ?? observationEnd
        let unitDays = options.unit.days

        var customerIDs: [String] = []
        var frequency: [Double] = [], recency: [Double] = [], T: [Double] = [], monetary: [Double] = []
        var holdoutFrequency: [Double] = [], holdoutMonetary: [Double] = []
        let n = states.lazy.filter { $0.days > 0 }.count
        customerIDs.reserveCapacity(n)
        frequency.reserveCapacity(n); recency.reserveCapacity(n); T.reserveCapacity(n)
        if hasAmount { monetary.reserveCapacity(n) }
        for (i, s) in states.enumerated() where s.days > 0 {
            let x = Int(s.days) - 1
            customerIDs.append(ids.string(i))
            frequency.append(Double(x))
            recency.append(Double(Int(s.lastDay) - Int(s.firstDay)) / unitDays)
            T.append(Double(Int(windowEnd) - Int(s.firstDay)) / unitDays)
            if hasAmount { monetary.append(x > 0 ? s.repeatAmount / Double(x) : 0) }
            if calibrationEndDay != nil {
                holdoutFrequency.append(Double(s.holdoutDays))
                if hasAmount {
                    let divisor = options.holdoutMonetaryValue == .perTransaction ? s.holdoutRows : Int(s.holdoutDays)
                    holdoutMonetary.append(divisor > 0 ? s.holdoutAmount / Double(divisor) : 0)
                }
            }
        }
        guard !frequency.isEmpty else {
            let range = "the file's dates run from \(CalendarDate(daysSinceEpoch: minDay)) to \(CalendarDate(daysSinceEpoch: maxDay))"
            if let cal = calibrationEndDay {
                throw DataError(file: file, message: "no transactions on or before the calibration end \(CalendarDate(daysSinceEpoch: cal)); \(range)")
            }
            throw DataError(file: file, message: "no transactions on or before the observation end \(CalendarDate(daysSinceEpoch: observationEnd)); \(range)")
        }
        var holdout: HoldoutColumns?
        if let cal = calibrationEndDay {
            holdout = HoldoutColumns(frequency: holdoutFrequency, monetaryValue: hasAmount ? holdoutMonetary : nil,
                                     duration: Double(Int(observationEnd) - Int(cal)) / unitDays)
        }
        let provenance = Provenance(
            firstDate: CalendarDate(daysSinceEpoch: minUsedDay).description,
            lastDate: CalendarDate(daysSinceEpoch: maxUsedDay).description,
            calibrationEnd: calibrationEndDay.map { CalendarDate(daysSinceEpoch: $0).description },
            observationEnd: CalendarDate(daysSinceEpoch: observationEnd).description,
            transactionRows: rows)
        return CustomerSummaryTable(unit: options.unit, customerIDs: customerIDs, frequency: frequency,
                                    recency: recency, T: T, monetaryValue: hasAmount ? monetary : nil,
                                    holdout: holdout, provenance: provenance)
    }
}
