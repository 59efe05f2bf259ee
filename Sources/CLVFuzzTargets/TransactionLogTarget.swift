import CLVKit

/// The transaction-log reader (``TransactionLog``) and the RFM summarizer (``RFMSummarizer``).
///
/// Input: two option bytes, then the CSV text. The options choose the delimiter (detected or
/// given), decimal commas, the bad-row policy, the unit, whether there is an amount column,
/// whether the log is read from a file (mapped in place) or from memory, a date pattern, a
/// calibration end, an observation end, a time zone, and the chunk size of the second read.
///
/// Checks:
/// - the scanner's fast path (``CSVScanner`` plain records, taken when 16 bytes of a plain record
///   are in the buffer) and its general path must agree: the log is read twice, with chunks
///   larger than any fuzz input (nearly every record takes the fast path) and with chunks of a few
///   bytes (records straddle reads; nearly every record takes the general path), and the rows,
///   the rejected rows and the error must be the same;
/// - a summary that was produced: finite, non-negative, whole frequencies, 0 ≤ recency ≤ T,
///   recency 0 when frequency is 0, finite non-negative amounts, unique ids; the same whatever
///   the chunk size; and equal to a naive summary computed from the rows read (distinct days
///   per customer in a dictionary: what the running states and second passes must give).
public enum TransactionLogTarget {
    static let patterns = ["%d/%m/%Y", "%m/%d/%Y %H:%M", "%Y%m%d", "%d.%m.%y %H:%M:%S%z"]
    static let calibrationEnds: [CalendarDate?] = [nil, CalendarDate("1997-06-30"), CalendarDate("2024-03-01"), nil]
    static let observationEnds: [CalendarDate?] = [nil, CalendarDate("1997-12-31"), CalendarDate("2024-06-30"), CalendarDate("1997-03-15")]

    /// The options an input's first two bytes select, and whether to read from a file; the
    /// chunk size of the general-path read.
    static func options(_ a: UInt8, _ b: UInt8) -> (options: RFMOptions, fromFile: Bool, smallChunk: Int) {
        var o = RFMOptions()
        switch a & 3 {
        case 0: o.csv = CSVScanner.Options(detectsDelimiter: true)
        case 1: o.csv = CSVScanner.Options(delimiter: UInt8(ascii: ","))
        case 2: o.csv = CSVScanner.Options(delimiter: UInt8(ascii: ";"))
        default: o.csv = CSVScanner.Options(delimiter: 0x09)
        }
        o.decimalComma = a & 4 != 0
        if a & 8 != 0 { o.badRows = .skip(maxFraction: 1) }
        if a & 16 != 0 { o.unit = .week }
        if a & 32 != 0 { o.amountColumn = nil } else { o.amountColumnIsOptional = true }
        if a & 128 != 0 { o.dateFormat = try? DateFormat(patterns[Int(b & 3)]) }
        o.calibrationEnd = calibrationEnds[Int(b >> 2 & 3)]
        if b >> 2 & 3 == 3 { o.timeZone = LocalZone("-08:00")! }
        o.observationEnd = observationEnds[Int(b >> 4 & 3)]
        return (o, a & 64 != 0, 1 + 5 * Int(b >> 6))
    }

    /// A row as read, copied out of the scanner's buffer.
    struct Row: Equatable {
        var id: [UInt8]
        var day: Int32
        var exact: ExactAmount
        var amountBits: UInt64
        var line: Int
    }

    /// Everything a read of the log gives: rows, rejected rows, and the error that stopped it.
    struct Read: Equatable {
        var header: [String] = []
        var rows: [Row] = []
        var rejected: [String] = []
        var error: String?
    }

    static func read(_ open: () throws(DataError) -> TransactionLog) -> Read {
        var result = Read()
        do {
            let log = try open()
            result.header = log.header
            while let row = try log.next() {
                result.rows.append(Row(id: Array(row.customerID), day: row.date.daysSinceEpoch, exact: row.exactAmount,
                                       amountBits: row.amount.bitPattern, line: row.line))
                FuzzCheck.require(result.rows.count < 1 << 20, "runaway reader")
            }
            result.rejected = log.rejected.map { "\($0.line) \($0.raw) \($0.error)" }
        } catch {
            result.error = error.description
        }
        return result
    }

    public static func run(_ input: [UInt8]) {
        guard input.count >= 2 else { return }
        let (selected, fromFile, smallChunk) = Self.options(input[0], input[1])
        var options = selected
        // 64 KiB rather than the default 4 MiB: still the whole of any fuzz input in one read,
        // and the allocations of six reads per input cost less (ASan poisons every byte).
        options.csv.chunkSize = 1 << 16
        let csv = Array(input[2...])
        let name = "fuzz.csv"
        var small = options
        small.csv.chunkSize = smallChunk

        // Fast path (or the file mapped in place) against the general path (tiny chunks).
        let whole: Read, outcome: Result<RFMSummarizer.Outcome, DataError>
        if fromFile {
            (whole, outcome) = ScratchFile.with(csv, suffix: ".csv") { path in
                (read { () throws(DataError) in try TransactionLog(path: path, options: options) },
                 Result { () throws(DataError) in try RFMSummarizer.read(path: path, options: options) })
            }
        } else {
            whole = read { () throws(DataError) in try TransactionLog(bytes: csv, name: name, options: options) }
            outcome = Result { () throws(DataError) in try RFMSummarizer.read(csv: csv, name: name, options: options) }
        }
        let pieces = read { () throws(DataError) in try TransactionLog(bytes: csv, name: fromFile ? "" : name, options: small) }
        if fromFile {
            // The file's path is in the messages: compare without it.
            FuzzCheck.require(whole.rows == pieces.rows, "rows differ between a mapped file and chunks of \(smallChunk)")
            FuzzCheck.require((whole.error == nil) == (pieces.error == nil), "errors differ: \(whole.error ?? "none") / \(pieces.error ?? "none")")
        } else {
            FuzzCheck.require(whole == pieces, "reading in chunks of \(smallChunk) bytes differs from reading at once: \(difference(whole, pieces))")
        }

        guard case .success(let result) = outcome else { return }
        FuzzCheck.require(whole.error == nil, "a summary was made of a log whose reading fails: \(whole.error!)")
        let table = result.table
        checkInvariants(table)
        let smallOutcome = Result { () throws(DataError) in try RFMSummarizer.read(csv: csv, name: name, options: small) }
        guard case .success(let smallResult) = smallOutcome else {
            FuzzCheck.require(false, "the summary fails in chunks of \(smallChunk) bytes but not at once")
            return
        }
        FuzzCheck.require(smallResult.table == table, "the summary depends on the chunk size")
        FuzzCheck.require(result.rows == whole.rows.count + whole.rejected.count, "row count \(result.rows) vs \(whole.rows.count) + \(whole.rejected.count)")
        compareWithNaiveSummary(table, rows: whole.rows, options: options)
    }

    /// The first difference between two reads, for the message of a broken invariant.
    static func difference(_ a: Read, _ b: Read) -> String {
        if a.header != b.header { return "header \(a.header) / \(b.header)" }
        if a.error != b.error { return "error \(a.error ?? "none") / \(b.error ?? "none")" }
        if let i = (0..<min(a.rows.count, b.rows.count)).first(where: { a.rows[$0] != b.rows[$0] }) { return "row \(i): \(a.rows[i]) / \(b.rows[i])" }
        if a.rows.count != b.rows.count { return "\(a.rows.count) / \(b.rows.count) rows" }
        if let i = (0..<min(a.rejected.count, b.rejected.count)).first(where: { a.rejected[$0] != b.rejected[$0] }) { return "rejected row \(i): \(a.rejected[i]) / \(b.rejected[i])" }
        return "\(a.rejected.count) / \(b.rejected.count) rejected rows: \(a.rejected.suffix(2)) / \(b.rejected.suffix(2))"
    }

    static func checkInvariants(_ table: CustomerSummaryTable) {
        let n = table.count
        FuzzCheck.require(n > 0, "an empty summary")
        FuzzCheck.require(table.customerIDs.count == n && table.recency.count == n && table.T.count == n && table.weight.count == n,
                          "column lengths differ")
        FuzzCheck.require(Set(table.customerIDs).count == n, "a customer appears twice")
        for i in 0..<n {
            let x = table.frequency[i], t = table.recency[i], big = table.T[i]
            FuzzCheck.require(x.isFinite && x >= 0 && x == x.rounded(), "frequency \(x)")
            FuzzCheck.require(t.isFinite && big.isFinite && t >= 0 && t <= big, "recency \(t), T \(big)")
            FuzzCheck.require(x > 0 || t == 0, "recency \(t) with frequency 0")
            FuzzCheck.require(table.weight[i] == 1, "weight \(table.weight[i])")
            if let m = table.monetaryValue?[i] {
                FuzzCheck.require(m.isFinite && m >= 0, "monetary value \(m)")
                FuzzCheck.require(x > 0 || m == 0, "monetary value \(m) with frequency 0")
            }
        }
        if let holdout = table.holdout {
            FuzzCheck.require(holdout.duration.isFinite && holdout.duration >= 0, "holdout duration \(holdout.duration)")
            FuzzCheck.require(holdout.frequency.count == n, "holdout column length")
            for (i, hx) in holdout.frequency.enumerated() {
                FuzzCheck.require(hx.isFinite && hx >= 0 && hx == hx.rounded(), "holdout frequency \(hx)")
                if let hm = holdout.monetaryValue?[i] { FuzzCheck.require(hm.isFinite && hm >= 0, "holdout monetary value \(hm)") }
            }
        }
    }

    /// The summary by its definition, from the rows: per customer, its distinct days (and the
    /// daily sums) in the window, in a dictionary.
    static func compareWithNaiveSummary(_ table: CustomerSummaryTable, rows: [Row], options: RFMOptions) {
        guard let lastDay = rows.map(\.day).max() else { return }
        let observationEnd = options.observationEnd?.daysSinceEpoch ?? lastDay
        let windowEnd = options.calibrationEnd?.daysSinceEpoch ?? observationEnd
        let unit = options.unit.days!
        struct Customer { var days: [Int32: Double] = [:]; var holdoutDays: Set<Int32> = [] }
        var customers: [String: Customer] = [:]
        for row in rows where row.day <= observationEnd {
            let id = String(decoding: row.id, as: UTF8.self)
            if row.day <= windowEnd {
                customers[id, default: Customer()].days[row.day, default: 0] += Double(bitPattern: row.amountBits)
            } else {
                customers[id, default: Customer()].holdoutDays.insert(row.day)
            }
        }
        customers = customers.filter { !$0.value.days.isEmpty }
        FuzzCheck.require(customers.count == table.count, "\(table.count) customers, by definition \(customers.count)")
        for i in 0..<table.count {
            guard let c = customers[table.customerIDs[i]] else {
                FuzzCheck.require(false, "customer \(table.customerIDs[i]) is not in the window")
                return
            }
            let first = c.days.keys.min()!, last = c.days.keys.max()!
            FuzzCheck.require(table.frequency[i] == Double(c.days.count - 1), "frequency \(table.frequency[i]), by definition \(c.days.count - 1)")
            FuzzCheck.require(table.recency[i] == Double(Int(last) - Int(first)) / unit, "recency \(table.recency[i])")
            FuzzCheck.require(table.T[i] == Double(Int(windowEnd) - Int(first)) / unit, "T \(table.T[i])")
            if let m = table.monetaryValue?[i], c.days.count > 1 {
                let repeats = c.days.filter { $0.key != first }.values.reduce(0, +) / Double(c.days.count - 1)
                FuzzCheck.require(FuzzCheck.close(m, repeats), "monetary value \(m), by definition \(repeats)")
            }
            if let holdout = table.holdout {
                FuzzCheck.require(holdout.frequency[i] == Double(c.holdoutDays.count), "holdout frequency \(holdout.frequency[i]), by definition \(c.holdoutDays.count)")
            }
        }
    }
}
