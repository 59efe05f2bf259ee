/// How to read a transaction log and summarize it (see ``RFMSummarizer``).
public struct RFMOptions: Sendable, Equatable {
    /// Header name of the customer-id column. Ids are compared as exact bytes (`007` and `7`
    /// are different customers; pandas would read both as the integer 7).
    public var customerColumn: String
    /// Header name of the date column (`YYYY-MM-DD`, `YYYYMMDD`, or a timestamp whose date part
    /// is used; see ``CalendarDate``).
    public var dateColumn: String
    /// Header name of the amount column, or `nil` when the data has none (the summary then has
    /// no monetary value).
    public var amountColumn: String?
    /// Whether a header without ``amountColumn`` is read as a log without amounts (the default
    /// name, not asked for by the user: lifetimes goes on without a spend model too) instead of
    /// being an error (a name the user gave). ``TransactionLog/hasAmount`` says which it was.
    public var amountColumnIsOptional = false
    /// Unit of recency, T and the holdout duration (`.week` = 7 days, lifetimes'
    /// `freq='D', freq_multiplier=7`).
    public var unit: TimeUnit
    /// End of the calibration period (inclusive). When set, the summary covers transactions up to
    /// this day and carries holdout columns for (calibrationEnd, observationEnd].
    public var calibrationEnd: CalendarDate?
    /// End of the observation window (inclusive); later transactions are ignored. Default: the
    /// last transaction date in the file (lifetimes' default).
    public var observationEnd: CalendarDate?
    /// How the holdout mean amount is averaged; lifetimes averages per row.
    public var holdoutMonetaryValue: HoldoutMonetaryAverage
    /// CSV delimiter (or its detection from the header line), chunk size, … of the input.
    public var csv: CSVScanner.Options
    /// How date fields are written: `nil` for the ISO 8601 forms ``Timestamp`` reads, or a
    /// pattern.
    public var dateFormat: DateFormat?
    /// The zone whose calendar days count: a timestamp with a UTC offset is converted to it; one
    /// without is taken as local to it already.
    public var timeZone: LocalZone
    /// Whether amounts are written with a decimal comma (`12,50`); needs a delimiter other than
    /// the comma.
    public var decimalComma: Bool
    /// What to do with rows that cannot be used.
    public var badRows: BadRowPolicy

    /// The lifetimes-compatible defaults: columns `customer_id`, `date`, `amount`; days; no
    /// calibration split; observation end at the last date; the delimiter found in the header
    /// line (comma, semicolon or tab); ISO dates, days in UTC; stop at the first bad row.
    public init(customerColumn: String = "customer_id", dateColumn: String = "date",
                amountColumn: String? = "amount", unit: TimeUnit = .day,
                calibrationEnd: CalendarDate? = nil, observationEnd: CalendarDate? = nil,
                holdoutMonetaryValue: HoldoutMonetaryAverage = .perTransaction,
                csv: CSVScanner.Options = CSVScanner.Options(detectsDelimiter: true),
                dateFormat: DateFormat? = nil, timeZone: LocalZone = .utc,
                decimalComma: Bool = false, badRows: BadRowPolicy = .stop) {
        self.customerColumn = customerColumn
        self.dateColumn = dateColumn
        self.amountColumn = amountColumn
        self.unit = unit
        self.calibrationEnd = calibrationEnd
        self.observationEnd = observationEnd
        self.holdoutMonetaryValue = holdoutMonetaryValue
        self.csv = csv
        self.dateFormat = dateFormat
        self.timeZone = timeZone
        self.decimalComma = decimalComma
        self.badRows = badRows
    }
}

/// How ``HoldoutColumns/monetaryValue`` averages a customer's holdout purchases.
public enum HoldoutMonetaryAverage: String, Sendable, Equatable, CaseIterable {
    /// Mean over the holdout transaction *rows* — what `lifetimes.utils.calibration_and_holdout_data`
    /// computes (`holdout_transactions.groupby(customer)[amount].mean()`, before any same-day
    /// merging). The default, so that numbers match lifetimes.
    case perTransaction
    /// Mean over the holdout purchase *days* of the per-day summed amount — the definition the
    /// calibration `monetary_value` uses, and the one that matches `frequency_holdout` (which
    /// counts days).
    case perPurchaseDay
}

/// A transaction log in CSV, read row by row: the customer id, date and (optional) amount of
/// each row, validated, with its line number.
///
/// Columns are found by header name (``RFMOptions/customerColumn`` …); a missing one is a
/// ``DataError`` on line 1 that lists the header's columns. Every row is checked: an empty
/// customer id or one that is not UTF-8, an invalid date, an amount that is not a finite number,
/// or a negative amount (a refund is not a purchase) is an error naming the file, line and
/// column, as are the CSV errors (a wrong number of fields, an unterminated quote). With
/// ``BadRowPolicy/skip(maxFraction:)`` such rows are left out and collected in ``rejected``
/// instead (header problems still stop the read).
public final class TransactionLog {
    /// One validated row. `customerID` points into the scanner's buffer: valid until the next
    /// ``TransactionLog/next()``.
    public struct Row {
        /// The customer id bytes (not empty, valid UTF-8).
        public var customerID: UnsafeBufferPointer<UInt8>
        /// The purchase day (the date part of a timestamp).
        public var date: CalendarDate
        /// The amount's decimal digits and scale, for exact sums (0 without an amount column).
        public var exactAmount: ExactAmount
        /// The amount when ``exactAmount`` is not exact (else 0: the hot path does not convert).
        var inexactAmount: Double
        /// The amount (the correctly rounded value of its decimal); 0 when the log has no
        /// amount column.
        public var amount: Double {
            exactAmount.isExact ? ExactAmount.double(units: exactAmount.units, scale: exactAmount.scale) : inexactAmount
        }
        /// 1-based line number in the file.
        public var line: Int
    }

    /// The input's name in messages.
    public var name: String { scanner.name }
    /// The header's column names.
    public let header: [String]
    /// The field delimiter (given, or found in the header line).
    public var delimiter: UInt8 { scanner.delimiter }
    /// Positions of the used columns in the header.
    public let customerColumn: Int, dateColumn: Int, amountColumn: Int?
    /// Whether rows have amounts (an optional amount column may be absent).
    public var hasAmount: Bool { amountColumn != nil }
    /// The input's size in bytes, when it is a regular file or memory.
    var totalBytes: Int? { scanner.totalBytes }
    /// Data rows returned so far (in the current pass).
    @exclusivity(unchecked) public private(set) var rowsRead = 0
    /// Rows left out so far (in the current pass), in file order; always empty with
    /// ``BadRowPolicy/stop``.
    public private(set) var rejected: [RejectedRow] = []
    /// Called about once per chunk read (4 MiB) with the rows and bytes read so far, on the
    /// thread that reads the log.
    public var progress: (@Sendable (ReadProgress) -> Void)? {
        didSet {
            guard let progress else { scanner.onChunk = nil; return }
            let total = scanner.totalBytes
            scanner.onChunk = { [unowned self] bytes in
                progress(ReadProgress(rows: self.rowsRead + self.rejected.count, bytes: bytes, totalBytes: total, pass: self.pass))
            }
        }
    }

    private let scanner: CSVScanner
    private var pass = 1
    private let dates: DateReader
    private let decimalComma: Bool
    private let skipsBadRows: Bool
    // The previous row's (valid) date field and its value. These and `rowsRead` are read and
    // written once per row; `@exclusivity(unchecked)` drops the runtime exclusivity check of
    // class properties, which is safe here: a log is used by one thread (it is not Sendable) and
    // no access to them overlaps another (no callbacks run while one is in progress).
    @exclusivity(unchecked) private var lastDateText = FieldMemo()
    @exclusivity(unchecked) private var lastDate = CalendarDate(daysSinceEpoch: 0)
    private let customerName: String, dateName: String, amountName: String?

    /// Opens the log at `path` (`-`: standard input) and checks its header.
    /// - Parameter spoolsPipes: keep a copy of piped input so that ``rewind()`` works.
    public convenience init(path: String, options: RFMOptions = RFMOptions(), spoolsPipes: Bool = false) throws(DataError) {
        try self.init(scanner: CSVScanner(path: path, options: options.csv, spoolsPipes: spoolsPipes), options: options)
    }

    /// A log held in memory; `name` is used in messages.
    public convenience init(bytes: [UInt8], name: String, options: RFMOptions = RFMOptions()) throws(DataError) {
        try self.init(scanner: CSVScanner(bytes: bytes, name: name, options: options.csv), options: options)
    }

    init(scanner: CSVScanner, options: RFMOptions) throws(DataError) {
        self.scanner = scanner
        guard let header = try scanner.readHeader() else {
            throw DataError(file: scanner.name, message: "no transactions: the file is empty (expected a header line such as customer_id,date,amount)")
        }
        self.header = header
        if options.decimalComma && options.amountColumn != nil && scanner.delimiter == UInt8(ascii: ",") {
            throw DataError(file: scanner.name, line: 1,
                            message: "amounts with a decimal comma need a delimiter other than the comma, but the fields are separated by commas (choose the semicolon or tab delimiter)")
        }
        let columns = CSVColumns(header: header, file: scanner.name)
        customerColumn = try columns.require(options.customerColumn)
        dateColumn = try columns.require(options.dateColumn)
        if let name = options.amountColumn {
            amountColumn = options.amountColumnIsOptional ? try columns.find([name]) : try columns.require(name)
        } else {
            amountColumn = nil
        }
        customerName = options.customerColumn
        dateName = options.dateColumn
        amountName = amountColumn == nil ? nil : options.amountColumn
        dates = DateReader(format: options.dateFormat, zone: options.timeZone)
        decimalComma = options.decimalComma
        if case .skip = options.badRows {
            skipsBadRows = true
            scanner.resynchronizesAfterErrors = true
        } else {
            skipsBadRows = false
        }
    }

    /// The next row, or `nil` at the end of the file. With ``BadRowPolicy/skip(maxFraction:)``,
    /// bad rows are passed over (into ``rejected``); otherwise the first one throws.
    @inline(__always)
    public func next() throws(DataError) -> Row? {
        while true {
            // Most records are plain (no quotes, LF or CRLF ends, the header's field count):
            // those take the scanner's fast path; anything else, and every error, the general way.
            let record: CSVRecord
            if let plain = scanner.nextPlainRecord() {
                record = plain
            } else {
                do {
                    guard let next = try scanner.nextRecord() else { return nil }
                    record = next
                } catch {
                    guard skipsBadRows, scanner.errorSkippedRecord else { throw error }
                    rejected.append(RejectedRow(line: scanner.rawLine, raw: scanner.rawRecord(), error: error))
                    continue
                }
            }
            do {
                let row = try validate(record)
                rowsRead += 1
                return row
            } catch {
                guard skipsBadRows else { throw error }
                rejected.append(RejectedRow(line: record.line, raw: scanner.rawRecord(), error: error))
            }
        }
    }

    @inline(__always)
    private func validate(_ record: CSVRecord) throws(DataError) -> Row {
        let id = record[customerColumn]
        if id.isEmpty {
            throw DataError(file: name, line: record.line, field: customerName, message: "the customer id is empty (--on-bad-row skip leaves such rows out)")
        }
        if !TransactionLog.isASCII(id) && String(validating: id, as: UTF8.self) == nil {
            throw DataError(file: name, line: record.line, field: customerName, message: "the customer id is not valid UTF-8")
        }
        let dateField = record[dateColumn]
        let date: CalendarDate
        if lastDateText.matches(dateField) {
            date = lastDate    // consecutive rows often share a date (logs sorted by date)
        } else {
            guard let parsed = dates.day(dateField) else {
                throw DataError(file: name, line: record.line, field: dateName,
                                message: dates.explainInvalid(dateField))
            }
            date = parsed
            lastDate = parsed
            lastDateText.remember(dateField)
        }
        var amount = 0.0
        var exact = ExactAmount(units: 0, scale: 0)
        if let amountColumn {
            let field = record[amountColumn]
            let parsed = decimalComma ? NumberField.parseDecimalCommaAmountToSum(field) : NumberField.parseAmountToSum(field)
            guard let parsed else {
                throw DataError(file: name, line: record.line, field: amountName,
                                message: decimalComma ? NumberField.explainInvalidDecimalComma(field) : NumberField.explainInvalid(field))
            }
            // Negative unless it is zero ("-0" is accepted, as a Double's −0 < 0 is false).
            if parsed.negative && (parsed.exact.isExact ? parsed.exact.units != 0 : parsed.inexactValue < 0) {
                throw DataError(file: name, line: record.line, field: amountName,
                                message: "\(DataText.quoted(DataText.string(field))) is negative: a refund is not a purchase (remove refunds, or net them against their purchases, before summarizing)")
            }
            amount = parsed.inexactValue
            exact = parsed.exact
        }
        return Row(customerID: id, date: date, exactAmount: exact, inexactAmount: amount, line: record.line)
    }

    /// Whether every byte is below 0x80. Eight bytes at a time (the ids of a log are a few
    /// bytes long, and a byte loop was a sizeable part of reading a row); the last, partial word
    /// is read with ``CustomerIDTable/word(_:_:)``, which loads only the field's own bytes.
    @inline(__always)
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let p = UnsafeRawPointer(base)
        let n = bytes.count
        var bits: UInt64 = 0
        var i = 0
        while i + 8 <= n {
            bits |= p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        if i < n { bits |= CustomerIDTable.word(p + i, n - i) }
        return bits & 0x8080_8080_8080_8080 == 0
    }

    /// Starts again from the first row; `false` if the input cannot be re-read.
    public func rewind() throws(DataError) -> Bool {
        guard try scanner.rewind() else { return false }
        rowsRead = 0
        rejected = []
        pass += 1
        return true
    }
}

/// Remembers one short field (≤ 32 bytes) in place, to recognise a repeat of it without
/// allocating or parsing.
///
/// The field is read as little-endian words with loads that stay inside it
/// (``CustomerIDTable/word(_:_:)``), not copied into a zeroed buffer first: a `memcpy` of a few
/// bytes followed by 8-byte loads of the same memory defeats store-to-load forwarding, a stall of
/// a dozen cycles per row that was the largest cost of reading a date-sorted log.
struct FieldMemo {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var count = -1            // -1: nothing remembered

    /// Words that, together with the length, determine a field of up to 32 bytes. Above 8 bytes
    /// the last word is the field's last 8 bytes, loaded overlapping the word before it: two
    /// fields of the same length with the same words have the same bytes, and a whole-word load
    /// is cheaper than assembling a partial word (a 10-byte date would otherwise need the byte
    /// path of ``CustomerIDTable/word(_:_:)`` for its last 2 bytes).
    @inline(__always)
    private static func load(_ field: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64, UInt64, UInt64) {
        let p = UnsafeRawPointer(field.baseAddress!)
        let n = field.count
        if n <= 8 { return (CustomerIDTable.word(p, n), 0, 0, 0) }
        let last = p.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        if n <= 16 { return (p.loadUnaligned(as: UInt64.self), last, 0, 0) }
        if n <= 24 { return (p.loadUnaligned(as: UInt64.self), p.loadUnaligned(fromByteOffset: 8, as: UInt64.self), last, 0) }
        return (p.loadUnaligned(as: UInt64.self), p.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                p.loadUnaligned(fromByteOffset: 16, as: UInt64.self), last)
    }

    /// Whether `field` is the remembered field.
    @inline(__always)
    func matches(_ field: UnsafeBufferPointer<UInt8>) -> Bool {
        guard field.count == count, count > 0 else { return false }
        let w = Self.load(field)
        return w.0 == words.0 && w.1 == words.1 && w.2 == words.2 && w.3 == words.3
    }

    /// Remembers `field` (forgets when it is empty or longer than 32 bytes).
    @inline(__always)
    mutating func remember(_ field: UnsafeBufferPointer<UInt8>) {
        guard field.count > 0, field.count <= 32 else { count = -1; return }
        words = Self.load(field)
        count = field.count
    }
}

/// Finds columns of a CSV header by name, with messages that list what the header has.
struct CSVColumns {
    let header: [String]
    let file: String
    private let trimmed: [String]

    init(header: [String], file: String) {
        self.header = header
        self.file = file
        trimmed = header.map { DataText.trimmed($0) }
    }

    /// The position of the first of `names` present (surrounding spaces in the header are
    /// ignored), or `nil`. A name present twice is an error.
    func find(_ names: [String]) throws(DataError) -> Int? {
        for name in names {
            let hits = trimmed.indices.filter { trimmed[$0] == name }
            if hits.count > 1 {
                throw DataError(file: file, line: 1, field: name,
                                message: "the header has the column '\(DataText.shortened(name))' \(hits.count) times (columns \(hits.map { String($0 + 1) }.joined(separator: ", ")))")
            }
            if let hit = hits.first { return hit }
        }
        return nil
    }

    /// The position of `name`, or an error on line 1 that lists the header's columns.
    func require(_ name: String, aliases: [String] = []) throws(DataError) -> Int {
        if let index = try find([name] + aliases) { return index }
        var message = "the header has no column '\(DataText.shortened(name))'"
        if !aliases.isEmpty { message += " (or \(aliases.map { "'\($0)'" }.joined(separator: " or ")))" }
        if let near = trimmed.first(where: { $0.lowercased() == name.lowercased() }) {
            message += " (did you mean '\(DataText.shortened(near))'? names are case-sensitive)"
        }
        let listed = header.prefix(20).map { "'\(DataText.shortened($0))'" }.joined(separator: ", ")
        message += "; its columns are: \(listed)" + (header.count > 20 ? " and \(header.count - 20) more" : "")
        throw DataError(file: file, line: 1, field: name, message: message)
    }
}
