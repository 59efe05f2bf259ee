import Foundation

/// Reading and writing RFM summaries as CSV.
///
/// Written columns: `customer_id,frequency,recency,T,monetary_value`, then
/// `frequency_holdout,monetary_value_holdout,duration_holdout` when the table has a holdout,
/// then `weight` when some weight differs from 1. The monetary columns are left out when the
/// table has no amounts. The weighted form (``Style/weighted``, `clvfit summarize --weighted`,
/// rows from ``CustomerSummaryTable/weighted()``) has no `customer_id` and always a `weight`
/// column (a row is a pattern, not a customer). Numbers are printed as the shortest decimal that reads back as the same
/// `Double` (`2`, not `2.0`; `38.857142857142854`), so a written summary reads back bit for bit.
///
/// Read columns (found by header name, in any order; extra columns are ignored):
/// - `customer_id` (or `ID`, `id`), optional; failing those, a first column whose name is none
///   of the columns below is the id (pandas' `to_csv` writes the index first, named after the
///   id column of the transactions — `CustomerID`, say — or unnamed); without any, the ids are
///   the 1-based row numbers;
/// - `frequency`, `recency`, `T`, required (`frequency_cal`, `recency_cal`, `T_cal`, as
///   `lifetimes.utils.calibration_and_holdout_data` names them, are accepted too; `periods`, the
///   number of opportunities n in lifetimes' discrete-time data, stands for `T`);
/// - `monetary_value` (or `monetary_value_cal`), optional;
/// - `weight` (or `weights`, as in lifetimes' donations data), optional, default 1;
/// - `frequency_holdout`, `duration_holdout` and, with `monetary_value`,
///   `monetary_value_holdout`: all or none.
///
/// Every row is validated, and a violation is a ``DataError`` naming the file, line, column and
/// the rule: numbers are finite; frequency is a whole number ≥ 0; 0 ≤ recency ≤ T; recency is 0
/// when frequency is 0 (no repeat purchase, no time between purchases); monetary values ≥ 0;
/// weight > 0; holdout frequency a whole number ≥ 0; the holdout duration ≥ 0 and the same on
/// every row. A summary without rows is an error.
public enum SummaryCSV {
    // MARK: Writing

    /// Which columns a written summary has.
    public enum Style: Sendable {
        /// One row per customer: `customer_id` first; `weight` only when some weight is not 1.
        case perCustomer
        /// One row per pattern: no `customer_id`; `weight` always, last.
        case weighted
    }

    /// The CSV text of `table`.
    public static func render(_ table: CustomerSummaryTable, style: Style = .perCustomer) -> String {
        String(decoding: renderBytes(table, style: style), as: UTF8.self)
    }

    /// Writes `table` to `path` atomically (`-`: standard output).
    public static func write(_ table: CustomerSummaryTable, to path: String, style: Style = .perCustomer) throws(AtomicOutput.Failure) {
        let columns = WrittenColumns(table, style: style)
        let stream = try AtomicOutput.Stream(path: path)
        try writeParts(header: columns.header, count: table.count, to: stream) { range, out in
            renderRows(table, range, columns, to: &out)
        }
        try stream.commit()
    }

    /// A number as the shortest decimal that reads back as the same `Double`, without a
    /// trailing `.0` for whole numbers (`2`, `-3`, `0.5`, `38.857142857142854`, `1e+20`).
    public static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {   // 2^53: exact integers
            return String(Int64(value))    // also prints -0.0 as 0
        }
        return value.description
    }

    /// The CSV bytes of `table`.
    static func renderBytes(_ table: CustomerSummaryTable, style: Style = .perCustomer) -> [UInt8] {
        let columns = WrittenColumns(table, style: style)
        var out = ByteSink(capacity: 64 * (table.count + 1))
        out.write(columns.header)
        renderRows(table, 0..<table.count, columns, to: &out)
        return out.withBytes { Array($0) }
    }

    /// The columns a written summary has (see the type's comment).
    struct WrittenColumns: Sendable {
        var hasIDs: Bool
        var hasMoney: Bool
        var hasHoldout: Bool
        var hasHoldoutMoney: Bool
        var hasWeight: Bool

        init(hasIDs: Bool, hasMoney: Bool, hasHoldout: Bool, hasHoldoutMoney: Bool, hasWeight: Bool) {
            self.hasIDs = hasIDs
            self.hasMoney = hasMoney
            self.hasHoldout = hasHoldout
            self.hasHoldoutMoney = hasHoldout && hasMoney && hasHoldoutMoney
            self.hasWeight = hasWeight
        }

        init(_ table: CustomerSummaryTable, style: Style) {
            self.init(hasIDs: style == .perCustomer, hasMoney: table.monetaryValue != nil,
                      hasHoldout: table.holdout != nil, hasHoldoutMoney: table.holdout?.monetaryValue != nil,
                      hasWeight: style == .weighted || table.weight.contains { $0 != 1 })
        }

        /// The header line, with its line end.
        var header: String {
            var columns = hasIDs ? ["customer_id", "frequency", "recency", "T"] : ["frequency", "recency", "T"]
            if hasMoney { columns.append("monetary_value") }
            if hasHoldout {
                columns.append("frequency_holdout")
                if hasHoldoutMoney { columns.append("monetary_value_holdout") }
                columns.append("duration_holdout")
            }
            if hasWeight { columns.append("weight") }
            return columns.joined(separator: ",") + "\n"
        }
    }

    /// Appends the CSV lines of rows `range` of `table`.
    private static func renderRows(_ table: CustomerSummaryTable, _ range: Range<Int>, _ columns: WrittenColumns, to out: inout ByteSink) {
        let holdoutMoney = columns.hasHoldoutMoney ? table.holdout?.monetaryValue : nil
        for i in range {
            if columns.hasIDs {
                var id = table.customerIDs[i]
                id.withUTF8 { appendField($0, to: &out) }
                out.append(UInt8(ascii: ","))
            }
            appendRow(frequency: table.frequency[i], recency: table.recency[i], T: table.T[i],
                      monetaryValue: columns.hasMoney ? table.monetaryValue![i] : nil,
                      holdoutFrequency: table.holdout?.frequency[i], holdoutMonetaryValue: holdoutMoney?[i],
                      holdoutDuration: table.holdout?.duration ?? 0,
                      weight: columns.hasWeight ? table.weight[i] : nil, to: &out)
        }
    }

    /// Appends the fields of one row after its `customer_id` field (if any) and its line end:
    /// the one place where the numbers of a written summary are formatted, whether they come
    /// from a ``CustomerSummaryTable`` or straight from the summarizer (``RFMSummary``).
    /// `nil` leaves a column out (holdout columns: when `holdoutFrequency` is `nil`).
    @inline(__always)
    static func appendRow(frequency: Double, recency: Double, T: Double, monetaryValue: Double?,
                          holdoutFrequency: Double?, holdoutMonetaryValue: Double?, holdoutDuration: Double,
                          weight: Double?, to out: inout ByteSink) {
        appendNumber(frequency, to: &out)
        appendNumber(recency, after: UInt8(ascii: ","), to: &out)
        appendNumber(T, after: UInt8(ascii: ","), to: &out)
        if let monetaryValue { appendNumber(monetaryValue, after: UInt8(ascii: ","), to: &out) }
        if let holdoutFrequency {
            appendNumber(holdoutFrequency, after: UInt8(ascii: ","), to: &out)
            if let holdoutMonetaryValue { appendNumber(holdoutMonetaryValue, after: UInt8(ascii: ","), to: &out) }
            appendNumber(holdoutDuration, after: UInt8(ascii: ","), to: &out)
        }
        if let weight { appendNumber(weight, after: UInt8(ascii: ","), to: &out) }
        out.append(0x0A)
    }

    /// Rows per part of a written summary: parts are rendered on up to two threads while the
    /// finished ones are written in order, so memory holds a few parts, not the whole output.
    static let rowsPerPart = 32_768
    /// Parts rendered or waiting to be written at a time (each a buffer of about a megabyte,
    /// reused).
    static let partsInFlight = 4

    /// Writes `header`, then the lines of `count` rows rendered by `render` in parts (ranges of
    /// ``rowsPerPart`` row numbers, in order), to `stream`. Large outputs are rendered on two
    /// threads (formatting the numbers is most of the work) while this thread writes the
    /// finished parts in order, so the file is the same as a single-threaded rendering.
    static func writeParts(header: String, count: Int, to stream: AtomicOutput.Stream,
                           render: @escaping @Sendable (Range<Int>, inout ByteSink) -> Void) throws(AtomicOutput.Failure) {
        var headerSink = ByteSink(capacity: header.utf8.count)
        headerSink.write(header)
        defer { headerSink.deallocate() }
        try headerSink.write(to: stream)
        let parts = (count + rowsPerPart - 1) / rowsPerPart
        let part = { @Sendable (k: Int) in k * rowsPerPart ..< min(count, (k + 1) * rowsPerPart) }
        guard parts > 1, ProcessInfo.processInfo.activeProcessorCount >= 2 else {
            var out = ByteSink(capacity: 64 * min(count, rowsPerPart))
            defer { out.deallocate() }
            for k in 0..<parts {
                out.removeAll()
                render(part(k), &out)
                try out.write(to: stream)
            }
            return
        }
        // Part k is rendered into buffer k % partsInFlight by a worker and signalled on that
        // buffer's semaphore; this thread waits for the parts in order, writes each, and only
        // then hands its buffer to part k + partsInFlight.
        let buffers = PartBuffers(count: partsInFlight, capacity: 64 * rowsPerPart)
        defer { buffers.deallocate() }
        var launched = 0
        func launch() {
            let k = launched
            launched += 1
            DispatchQueue.global(qos: .userInitiated).async { [buffers] in
                let out = buffers.sink(k)
                out.pointee.removeAll()
                render(part(k), &out.pointee)
                buffers.ready(k).signal()
            }
        }
        while launched < min(parts, partsInFlight) { launch() }
        var written = 0
        defer {
            // After a failed write, the parts still being rendered must finish before their
            // buffers are freed.
            while written < launched {
                buffers.ready(written).wait()
                written += 1
            }
        }
        while written < parts {
            buffers.ready(written).wait()
            let out = buffers.sink(written)
            written += 1
            try out.pointee.write(to: stream)
            if launched < parts { launch() }
        }
    }

    /// The buffers of ``writeParts(header:count:to:render:)``: each, and its semaphore, is used
    /// by one thread at a time (the semaphore orders the worker's writes before this thread's
    /// reads, and this thread launches the next worker on a buffer only after writing it out).
    private final class PartBuffers: @unchecked Sendable {
        private let sinks: UnsafeMutablePointer<ByteSink>
        private let semaphores: [DispatchSemaphore]
        let count: Int

        init(count: Int, capacity: Int) {
            self.count = count
            sinks = .allocate(capacity: count)
            for i in 0..<count { (sinks + i).initialize(to: ByteSink(capacity: capacity)) }
            semaphores = (0..<count).map { _ in DispatchSemaphore(value: 0) }
        }

        func sink(_ part: Int) -> UnsafeMutablePointer<ByteSink> { sinks + part % count }
        func ready(_ part: Int) -> DispatchSemaphore { semaphores[part % count] }

        func deallocate() {
            for i in 0..<count { sinks[i].deallocate() }
            sinks.deinitialize(count: count)
            sinks.deallocate()
        }
    }

    /// The bytes of ``format(_:)``, appended without making a `String` (rendering a summary
    /// formats millions of numbers): whole numbers below 2^53 in decimal, numbers with at most
    /// four decimals (``appendShortDecimal(_:to:)``), others through `Double.write(to:)`, which
    /// prints what `description` returns — the shortest round-trip form — straight into the
    /// sink. (The two differ only for NaN, which does not take that path.)
    @inline(__always)
    static func appendNumber(_ value: Double, to out: inout ByteSink) {
        if let whole = Int64(exactly: value), whole.magnitude < 9_007_199_254_740_992 {
            out.appendInteger(whole)
        } else if appendShortDecimal(value, to: &out) {
            return
        } else if value.isFinite {
            value.write(to: &out)
        } else {
            out.write(value.description)
        }
    }

    /// Appends `value` as `description` writes it when that is a decimal with one to four
    /// digits after the point and `1e-3 ≤ |value| < 1e9` (amounts in cents, and means of a few
    /// of them: half of a summary's monetary values); `false`, appending nothing, otherwise.
    ///
    /// Why it is the same text: the decimals are tried from one to four, and `n = value × 10^d`
    /// rounded is kept when `n / 10^d == value` — exact arithmetic (n < 2^53 and 10^d are exact
    /// doubles, and one division is correctly rounded), so then the decimal n·10^-d reads back
    /// as `value`. In this range a double's neighbours are under 2·10^-7 apart, far closer than
    /// 10^-4, so no other decimal with d digits reads back as `value`, and none with fewer (it
    /// would have been found first): this is the shortest round-trip form, the one
    /// `description` prints, in the fixed notation it uses in this range.
    @inline(__always)
    static func appendShortDecimal(_ value: Double, to out: inout ByteSink) -> Bool {
        let magnitude = abs(value)
        guard magnitude >= 1e-3, magnitude < 1e9 else { return false }
        var scale = 1.0
        for digits in 1...4 {
            scale *= 10
            let n = (magnitude * scale).rounded()
            guard n / scale == magnitude else { continue }
            let scaled = UInt64(n), power = UInt64(scale)
            if value < 0 { out.append(UInt8(ascii: "-")) }
            out.appendInteger(Int64(scaled / power))
            out.append(UInt8(ascii: "."))
            var fraction = scaled % power
            out.reserve(digits)
            var i = digits
            while i > 0 {
                i -= 1
                out.setByte(UInt8(truncatingIfNeeded: fraction % 10) + 0x30, at: i)
                fraction /= 10
            }
            out.advance(digits)
            return true
        }
        return false
    }

    /// `separator`, then ``appendNumber(_:to:)``.
    @inline(__always)
    static func appendNumber(_ value: Double, after separator: UInt8, to out: inout ByteSink) {
        out.append(separator)
        appendNumber(value, to: &out)
    }

    /// A field's bytes as they are, or quoted (RFC 4180) when they hold a comma, quote, CR or
    /// LF, or are empty.
    @inline(__always)
    static func appendField(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout ByteSink) {
        var plain = !bytes.isEmpty
        for b in bytes where b == UInt8(ascii: ",") || b == UInt8(ascii: "\"") || b == 0x0A || b == 0x0D {
            plain = false
            break
        }
        if plain {
            out.append(bytes)
            return
        }
        out.append(UInt8(ascii: "\""))
        for b in bytes {
            if b == UInt8(ascii: "\"") { out.append(b) }
            out.append(b)
        }
        out.append(UInt8(ascii: "\""))
    }

    /// A growable byte buffer written through a pointer — no per-append copy-on-write or
    /// generic-sequence overhead, which dominated rendering when the output was an `[UInt8]`
    /// — that `Double.write(to:)` can print into directly. Owned by its creator, who frees it
    /// with ``withBytes(_:)`` or ``deallocate()``.
    struct ByteSink: TextOutputStream {
        private var base: UnsafeMutablePointer<UInt8>
        private(set) var count = 0
        private var capacity: Int

        init(capacity: Int) {
            self.capacity = max(capacity, 64)
            base = malloc(self.capacity)!.assumingMemoryBound(to: UInt8.self)
        }

        /// Makes room for `n` more bytes.
        @inline(__always)
        mutating func reserve(_ n: Int) {
            if count + n > capacity { grow(count + n) }
        }

        @inline(never)
        private mutating func grow(_ needed: Int) {
            capacity = max(needed, 2 * capacity)
            base = realloc(base, capacity)!.assumingMemoryBound(to: UInt8.self)
        }

        @inline(__always)
        mutating func append(_ byte: UInt8) {
            reserve(1)
            base[count] = byte
            count += 1
        }

        @inline(__always)
        mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard let from = bytes.baseAddress else { return }
            reserve(bytes.count)
            (base + count).update(from: from, count: bytes.count)
            count += bytes.count
        }

        /// Writes `byte` at `offset` past the bytes written (room must have been reserved);
        /// ``advance(_:)`` then counts it.
        @inline(__always)
        func setByte(_ byte: UInt8, at offset: Int) {
            base[count + offset] = byte
        }

        /// Counts `n` bytes written with ``setByte(_:at:)``.
        @inline(__always)
        mutating func advance(_ n: Int) {
            count += n
        }

        /// `String(value)`'s bytes.
        @inline(__always)
        mutating func appendInteger(_ value: Int64) {
            reserve(20)                         // 19 digits and a sign
            var v = value.magnitude
            var digits = 0
            var probe = v
            repeat { digits += 1; probe /= 10 } while probe != 0
            if value < 0 {
                base[count] = UInt8(ascii: "-")
                count += 1
            }
            var i = count + digits
            count = i
            repeat {
                i -= 1
                base[i] = UInt8(truncatingIfNeeded: v % 10) + 0x30
                v /= 10
            } while v != 0
        }

        mutating func write(_ string: String) {
            var string = string
            string.withUTF8 { append($0) }
        }

        /// Called by the standard library's numeric `write(to:)` with its ASCII digits (the
        /// default implementation would wrap them in a `String` first).
        mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
            append(buffer)
        }

        /// Calls `body` with the bytes written, then frees them.
        consuming func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
            defer { free(base) }
            return body(UnsafeBufferPointer(start: base, count: count))
        }

        /// Writes the bytes written so far to `stream`, keeping them.
        func write(to stream: AtomicOutput.Stream) throws(AtomicOutput.Failure) {
            try stream.write(UnsafeRawBufferPointer(start: base, count: count))
        }

        /// Forgets the bytes written, keeping the memory for the next ones.
        mutating func removeAll() { count = 0 }

        /// Frees the buffer.
        consuming func deallocate() { free(base) }
    }

    // MARK: Reading

    /// Reads the summary CSV at `path` (`-`: standard input), whose times are in `unit`.
    /// - Parameters:
    ///   - columns: the file has no header line, and these are its columns, in order (`score
    ///     --no-header --columns`, for a map step's partitions); nil: the first line is the header.
    ///   - allowsEmpty: a file without rows (a header only, or with `columns` nothing at all) is
    ///     an empty table rather than an error (`score`, whose empty partition scores to nothing).
    public static func read(path: String, unit: TimeUnit, options: CSVScanner.Options = CSVScanner.Options(),
                            columns: [String]? = nil, allowsEmpty: Bool = false) throws(DataError) -> CustomerSummaryTable {
        if columns == nil, path != "-", ProcessInfo.processInfo.activeProcessorCount >= 2,
           let table = try readInTwoParts(path: path, unit: unit, options: options, allowsEmpty: allowsEmpty) {
            return table
        }
        var options = options
        if columns != nil { options.hasHeader = false; options.detectsDelimiter = false }
        return try read(scanner: CSVScanner(path: path, options: options), unit: unit, columns: columns, allowsEmpty: allowsEmpty)
    }

    /// Reads a summary CSV held in memory; `name` is used in messages.
    public static func read(bytes: [UInt8], name: String, unit: TimeUnit, options: CSVScanner.Options = CSVScanner.Options()) throws(DataError) -> CustomerSummaryTable {
        try read(scanner: CSVScanner(bytes: bytes, name: name, options: options), unit: unit)
    }

    static func read(scanner: CSVScanner, unit: TimeUnit, columns: [String]? = nil, allowsEmpty: Bool = false) throws(DataError) -> CustomerSummaryTable {
        let file = scanner.name
        let header: [String]
        if let columns {
            header = columns
        } else if let line = try scanner.readHeader() {
            header = line
        } else {
            // (Even where rows may be missing, the header may not: it says what the rows are.)
            throw DataError(file: file, message: allowsEmpty ? "the summary is empty: not even a header line (give the header, or --no-header with --columns for a file without one)"
                                                             : "the summary is empty (expected a header line with the columns frequency, recency, T)")
        }
        let layout = try Layout(header: header, file: file, given: columns != nil)
        var rows = Rows()
        try rows.read(scanner, layout, file: file)
        return try rows.table(layout, unit: unit, file: file, allowsEmpty: allowsEmpty)
    }

    /// Reads a large summary file in two halves on two threads (`TwoPartFile`), or returns
    /// `nil` when that does not apply (a small file, not a regular file, or a file holding a
    /// `"`). The result — table or error — is the one ``read(scanner:unit:)`` gives: the first
    /// data row is read before the split, so that the holdout duration, which must be the same
    /// on every row, is checked against it (and named in the message) in both parts; each part
    /// stops at its first error, and an error in the first part comes first in the file, so it
    /// wins.
    static func readInTwoParts(path: String, unit: TimeUnit, options: CSVScanner.Options,
                               minimumBytes: Int = TwoPartFile.minimumBytes, allowsEmpty: Bool = false) throws(DataError) -> CustomerSummaryTable? {
        guard let parts = TwoPartFile(path: path, options: options, minimumBytes: minimumBytes) else { return nil }
        guard let header = try parts.first.readHeader() else {
            throw DataError(file: path, message: "the summary is empty (expected a header line with the columns frequency, recency, T)")
        }
        let layout = try Layout(header: header, file: path)
        // Every record is one line, so line counts bound the rows: the first part's arrays
        // get room for all of them, and joining the parts copies the second part once.
        var head = Rows()
        head.reserve(parts.firstLines + parts.secondLines, layout)
        try head.read(parts.first, layout, file: path, limit: 1)
        let second = parts.second(after: header)
        var tail = Rows()
        tail.reserve(parts.secondLines, layout)
        tail.duration = head.duration
        _ = try parts.bothHalves({ () throws(DataError) in try head.read(parts.first, layout, file: path) },
                                 { () throws(DataError) in try tail.read(second, layout, file: path) })
        head.append(tail)
        return try head.table(layout, unit: unit, file: path, allowsEmpty: allowsEmpty)
    }

    /// The columns of a summary, found by name in its header (see the type's comment).
    struct Layout {
        /// Every column name the reader knows besides the id's: a first column with another
        /// name is the id (a pandas index).
        static let knownColumns: Set<String> = [
            "frequency", "frequency_cal", "recency", "recency_cal", "T", "T_cal", "periods",
            "monetary_value", "monetary_value_cal", "weight", "weights",
            "frequency_holdout", "monetary_value_holdout", "duration_holdout",
        ]

        let header: [String]
        /// Whether the names were given (`--columns`) rather than read from the file: every row
        /// must then have as many fields as there are names.
        let given: Bool
        let idColumn: Int?, fColumn: Int, rColumn: Int, tColumn: Int, mColumn: Int?, wColumn: Int?
        let hfColumn: Int?, hmColumn: Int?, hdColumn: Int?

        init(header: [String], file: String, given: Bool = false) throws(DataError) {
            self.header = header
            self.given = given
            let columns = CSVColumns(header: header, file: file)
            var idColumn = try columns.find(["customer_id", "ID", "id"])
            if idColumn == nil, let first = header.first, !Self.knownColumns.contains(DataText.trimmed(first)) {
                idColumn = 0
            }
            let fColumn = try columns.require("frequency", aliases: ["frequency_cal"])
            let rColumn = try columns.require("recency", aliases: ["recency_cal"])
            let tColumn = try columns.require("T", aliases: ["T_cal", "periods"])
            let mColumn = try columns.find(["monetary_value", "monetary_value_cal"])
            let wColumn = try columns.find(["weight", "weights"])
            let hfColumn = try columns.find(["frequency_holdout"])
            let hmColumn = try columns.find(["monetary_value_holdout"])
            let hdColumn = try columns.find(["duration_holdout"])

            let holdoutPresent = [hfColumn, hmColumn, hdColumn].contains { $0 != nil }
            if holdoutPresent {
                var missing: [String] = []
                if hfColumn == nil { missing.append("frequency_holdout") }
                if hdColumn == nil { missing.append("duration_holdout") }
                if mColumn != nil && hmColumn == nil { missing.append("monetary_value_holdout") }
                if !missing.isEmpty {
                    throw DataError(file: file, line: 1, field: missing[0],
                                    message: "the header has some holdout columns but not \(missing.map { "'\($0)'" }.joined(separator: " and ")) (give frequency_holdout, \(mColumn != nil ? "monetary_value_holdout, " : "")duration_holdout, or none of them)")
                }
                if hmColumn != nil && mColumn == nil {
                    throw DataError(file: file, line: 1, field: "monetary_value_holdout",
                                    message: "the header has 'monetary_value_holdout' but no 'monetary_value' column")
                }
            }
            self.idColumn = idColumn
            self.fColumn = fColumn
            self.rColumn = rColumn
            self.tColumn = tColumn
            self.mColumn = mColumn
            self.wColumn = wColumn
            self.hfColumn = hfColumn
            self.hmColumn = hmColumn
            self.hdColumn = hdColumn
        }
    }

    /// Validated rows of a summary (all of them, or one part).
    struct Rows {
        var ids: [String] = []
        var frequency: [Double] = [], recency: [Double] = [], T: [Double] = []
        var monetary: [Double] = [], weight: [Double] = []
        var holdoutFrequency: [Double] = [], holdoutMonetary: [Double] = []
        /// The holdout duration of the summary's first row and that row's line.
        var duration: (value: Double, line: Int)?

        /// Reads and validates up to `limit` more records of `scanner`, throwing at the first
        /// invalid one.
        mutating func read(_ scanner: CSVScanner, _ layout: Layout, file: String, limit: Int = .max) throws(DataError) {
            let header = layout.header
            let (idColumn, fColumn, rColumn, tColumn) = (layout.idColumn, layout.fColumn, layout.rColumn, layout.tColumn)
            let (mColumn, wColumn) = (layout.mColumn, layout.wColumn)
            let (hfColumn, hmColumn, hdColumn) = (layout.hfColumn, layout.hmColumn, layout.hdColumn)
            var remaining = limit
            while remaining > 0, let record = try scanner.nextRecord() {
                remaining -= 1
                let line = record.line
                if layout.given, record.count != header.count {
                    throw DataError(file: file, line: line, message: "the row has \(record.count) field\(record.count == 1 ? "" : "s") but --columns names \(header.count) (\(header.joined(separator: ",")))")
                }
                func value(_ column: Int) throws(DataError) -> Double {
                    let field = record[column]
                    guard let v = NumberField.parseDouble(field) else {
                        throw DataError(file: file, line: line, field: header[column], message: NumberField.explainInvalid(field))
                    }
                    return v
                }
                func fail(_ column: Int, _ message: String) -> DataError {
                    DataError(file: file, line: line, field: header[column], message: message)
                }
                let x = try value(fColumn), t = try value(rColumn), big = try value(tColumn)
                guard x >= 0, x == x.rounded() else {
                    throw fail(fColumn, "frequency must be a whole number ≥ 0 (the number of repeat purchases), not \(SummaryCSV.format(x))")
                }
                guard big >= 0 else { throw fail(tColumn, "T must be ≥ 0 (time from the first purchase to the end of the window), not \(SummaryCSV.format(big))") }
                guard t >= 0 else { throw fail(rColumn, "recency must be ≥ 0 (time from the first to the last purchase), not \(SummaryCSV.format(t))") }
                guard t <= big else {
                    throw fail(rColumn, "recency \(SummaryCSV.format(t)) is greater than T \(SummaryCSV.format(big)) (the last purchase must fall within the observation window)")
                }
                guard x > 0 || t == 0 else {
                    throw fail(rColumn, "recency must be 0 when frequency is 0 (a customer without repeat purchases has no time between purchases), not \(SummaryCSV.format(t))")
                }
                frequency.append(x)
                recency.append(t)
                T.append(big)
                if let mColumn {
                    let m = try value(mColumn)
                    guard m >= 0 else { throw fail(mColumn, "the monetary value must be ≥ 0, not \(SummaryCSV.format(m))") }
                    monetary.append(m)
                }
                if let wColumn {
                    let w = try value(wColumn)
                    guard w > 0 else { throw fail(wColumn, "the weight must be > 0 (the number of customers the row stands for), not \(SummaryCSV.format(w))") }
                    weight.append(w)
                }
                if let hfColumn, let hdColumn {
                    let hx = try value(hfColumn)
                    guard hx >= 0, hx == hx.rounded() else {
                        throw fail(hfColumn, "the holdout frequency must be a whole number ≥ 0 (the number of holdout purchase days), not \(SummaryCSV.format(hx))")
                    }
                    holdoutFrequency.append(hx)
                    if let hmColumn {
                        let hm = try value(hmColumn)
                        guard hm >= 0 else { throw fail(hmColumn, "the holdout monetary value must be ≥ 0, not \(SummaryCSV.format(hm))") }
                        holdoutMonetary.append(hm)
                    }
                    let d = try value(hdColumn)
                    guard d >= 0 else { throw fail(hdColumn, "the holdout duration must be ≥ 0, not \(SummaryCSV.format(d))") }
                    if let duration, duration.value != d {
                        throw fail(hdColumn, "the holdout duration is \(SummaryCSV.format(d)) here but \(SummaryCSV.format(duration.value)) on line \(duration.line) (it is the same for every customer)")
                    }
                    if duration == nil { duration = (d, line) }
                }
                if let idColumn { ids.append(record.string(at: idColumn)) }
            }
        }

        /// Makes room for `rows` rows in the columns `layout` has.
        mutating func reserve(_ rows: Int, _ layout: Layout) {
            if layout.idColumn != nil { ids.reserveCapacity(rows) }
            frequency.reserveCapacity(rows)
            recency.reserveCapacity(rows)
            T.reserveCapacity(rows)
            if layout.mColumn != nil { monetary.reserveCapacity(rows) }
            if layout.wColumn != nil { weight.reserveCapacity(rows) }
            if layout.hfColumn != nil { holdoutFrequency.reserveCapacity(rows) }
            if layout.hmColumn != nil { holdoutMonetary.reserveCapacity(rows) }
        }

        /// Appends the rows of the part that follows.
        mutating func append(_ next: Rows) {
            ids += next.ids
            frequency += next.frequency
            recency += next.recency
            T += next.T
            monetary += next.monetary
            weight += next.weight
            holdoutFrequency += next.holdoutFrequency
            holdoutMonetary += next.holdoutMonetary
            if duration == nil { duration = next.duration }
        }

        /// The table of all the rows; without an id column the ids are the 1-based row numbers.
        func table(_ layout: Layout, unit: TimeUnit, file: String, allowsEmpty: Bool = false) throws(DataError) -> CustomerSummaryTable {
            guard !frequency.isEmpty || allowsEmpty else {
                throw DataError(file: file, message: "the summary has a header but no rows")
            }
            var holdout: HoldoutColumns?
            if layout.hfColumn != nil, let duration {
                holdout = HoldoutColumns(frequency: holdoutFrequency, monetaryValue: layout.hmColumn != nil ? holdoutMonetary : nil,
                                         duration: duration.value)
            }
            let ids = layout.idColumn != nil ? self.ids : (0..<frequency.count).map { String($0 + 1) }
            return CustomerSummaryTable(unit: unit, customerIDs: ids, frequency: frequency, recency: recency, T: T,
                                        monetaryValue: layout.mColumn != nil ? monetary : nil,
                                        weight: layout.wColumn != nil ? weight : nil, holdout: holdout)
        }
    }
}
