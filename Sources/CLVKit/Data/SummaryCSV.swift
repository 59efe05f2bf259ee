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
        renderSink(table, style: style).withBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// Writes `table` to `path` atomically (`-`: standard output).
    public static func write(_ table: CustomerSummaryTable, to path: String, style: Style = .perCustomer) throws(AtomicOutput.Failure) {
        try AtomicOutput.write(renderSink(table, style: style).takeData(), to: path)
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
    static func renderBytes(_ table: CustomerSummaryTable) -> [UInt8] {
        renderSink(table).withBytes { Array($0) }
    }

    /// Rows per part above which rendering is split between two threads.
    static let parallelRenderRows = 50_000

    /// The CSV bytes of `table` in a sink. Large tables are rendered in two halves on two
    /// threads (formatting the numbers is most of the work), then joined.
    static func renderSink(_ table: CustomerSummaryTable, style: Style = .perCustomer) -> ByteSink {
        let hasMoney = table.monetaryValue != nil
        let hasIDs = style == .perCustomer
        let hasWeight = style == .weighted || table.weight.contains { $0 != 1 }
        var columns = hasIDs ? ["customer_id", "frequency", "recency", "T"] : ["frequency", "recency", "T"]
        if hasMoney { columns.append("monetary_value") }
        if let holdout = table.holdout {
            columns.append("frequency_holdout")
            if hasMoney && holdout.monetaryValue != nil { columns.append("monetary_value_holdout") }
            columns.append("duration_holdout")
        }
        if hasWeight { columns.append("weight") }

        var out = ByteSink(capacity: 64 * (table.count + 1))
        out.write(columns.joined(separator: ","))
        out.append(0x0A)
        let half = table.count / 2
        guard half >= parallelRenderRows, ProcessInfo.processInfo.activeProcessorCount >= 2 else {
            renderRows(table, 0..<table.count, hasIDs: hasIDs, hasMoney: hasMoney, hasWeight: hasWeight, to: &out)
            return out
        }
        // The second half goes to a sink of its own on another thread; each sink is touched by
        // one thread, and `concurrentPerform` returns only when both are done.
        let second = UnsafeMutablePointer<ByteSink>.allocate(capacity: 1)
        second.initialize(to: ByteSink(capacity: 64 * (table.count - half)))
        withUnsafeMutablePointer(to: &out) { first in
            let parts = SendablePointers(first: first, second: second)
            DispatchQueue.concurrentPerform(iterations: 2) { part in
                if part == 0 {
                    renderRows(table, 0..<half, hasIDs: hasIDs, hasMoney: hasMoney, hasWeight: hasWeight, to: &parts.first.pointee)
                } else {
                    renderRows(table, half..<table.count, hasIDs: hasIDs, hasMoney: hasMoney, hasWeight: hasWeight, to: &parts.second.pointee)
                }
            }
        }
        let tail = second.move()
        second.deallocate()
        tail.withBytes { out.append($0) }
        return out
    }

    /// Two pointers handed to the rendering threads (each used by one of them).
    private struct SendablePointers: @unchecked Sendable {
        let first: UnsafeMutablePointer<ByteSink>
        let second: UnsafeMutablePointer<ByteSink>
    }

    /// Appends the CSV lines of rows `range` of `table`.
    private static func renderRows(_ table: CustomerSummaryTable, _ range: Range<Int>, hasIDs: Bool, hasMoney: Bool, hasWeight: Bool,
                                   to out: inout ByteSink) {
        // (No nested helper function capturing `out`: a captured variable is boxed and every
        // access to it checked for exclusivity at run time.)
        let holdoutMoney = hasMoney ? table.holdout?.monetaryValue : nil
        for i in range {
            if hasIDs {
                appendFieldFast(table.customerIDs[i], to: &out)
                appendNumber(table.frequency[i], after: UInt8(ascii: ","), to: &out)
            } else {
                out.write(format(table.frequency[i]))
            }
            appendNumber(table.recency[i], after: UInt8(ascii: ","), to: &out)
            appendNumber(table.T[i], after: UInt8(ascii: ","), to: &out)
            if let m = table.monetaryValue { appendNumber(m[i], after: UInt8(ascii: ","), to: &out) }
            if let holdout = table.holdout {
                appendNumber(holdout.frequency[i], after: UInt8(ascii: ","), to: &out)
                if let m = holdoutMoney { appendNumber(m[i], after: UInt8(ascii: ","), to: &out) }
                appendNumber(holdout.duration, after: UInt8(ascii: ","), to: &out)
            }
            if hasWeight { appendNumber(table.weight[i], after: UInt8(ascii: ","), to: &out) }
            out.append(0x0A)
        }
    }

    /// The bytes of ``format(_:)``, appended without making a `String` (rendering a summary
    /// formats millions of numbers): whole numbers below 2^53 in decimal, others through
    /// `Double.write(to:)`, which prints what `description` returns — the shortest round-trip
    /// form — straight into the sink. (The two differ only for NaN, which does not take that
    /// path.)
    @inline(__always)
    static func appendNumber(_ value: Double, after separator: UInt8, to out: inout ByteSink) {
        out.append(separator)
        if let whole = Int64(exactly: value), whole.magnitude < 9_007_199_254_740_992 {
            out.appendInteger(whole)
        } else if value.isFinite {
            value.write(to: &out)
        } else {
            out.write(value.description)
        }
    }

    /// ``appendField(_:to:)`` into a sink, reading the id's UTF-8 in place.
    @inline(__always)
    static func appendFieldFast(_ text: String, to out: inout ByteSink) {
        var text = text
        let plain = text.withUTF8 { bytes -> Bool in
            guard !bytes.isEmpty else { return false }
            for b in bytes where b == UInt8(ascii: ",") || b == UInt8(ascii: "\"") || b == 0x0A || b == 0x0D {
                return false
            }
            out.append(bytes)
            return true
        }
        if !plain {
            var quoted: [UInt8] = []
            appendField(text, to: &quoted)
            quoted.withUnsafeBufferPointer { out.append($0) }
        }
    }

    /// A growable byte buffer written through a pointer — no per-append copy-on-write or
    /// generic-sequence overhead, which dominated rendering when the output was an `[UInt8]`
    /// — that `Double.write(to:)` can print into directly. Its memory comes from `malloc`, so
    /// the finished buffer can become a `Data` without a copy (``takeData()``).
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

        /// The bytes written, as `Data` that takes over the buffer.
        consuming func takeData() -> Data {
            Data(bytesNoCopy: base, count: count, deallocator: .free)
        }
    }

    /// A field, quoted (RFC 4180) when it holds a comma, quote, CR or LF, or is empty.
    static func appendField(_ text: String, to out: inout [UInt8]) {
        let needsQuotes = text.isEmpty || text.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else {
            out.append(contentsOf: text.utf8)
            return
        }
        out.append(UInt8(ascii: "\""))
        for b in text.utf8 {
            if b == UInt8(ascii: "\"") { out.append(b) }
            out.append(b)
        }
        out.append(UInt8(ascii: "\""))
    }

    // MARK: Reading

    /// Reads the summary CSV at `path` (`-`: standard input), whose times are in `unit`.
    public static func read(path: String, unit: TimeUnit, options: CSVScanner.Options = CSVScanner.Options()) throws(DataError) -> CustomerSummaryTable {
        if path != "-", ProcessInfo.processInfo.activeProcessorCount >= 2,
           let table = try readInTwoParts(path: path, unit: unit, options: options) {
            return table
        }
        return try read(scanner: CSVScanner(path: path, options: options), unit: unit)
    }

    /// Reads a summary CSV held in memory; `name` is used in messages.
    public static func read(bytes: [UInt8], name: String, unit: TimeUnit, options: CSVScanner.Options = CSVScanner.Options()) throws(DataError) -> CustomerSummaryTable {
        try read(scanner: CSVScanner(bytes: bytes, name: name, options: options), unit: unit)
    }

    static func read(scanner: CSVScanner, unit: TimeUnit) throws(DataError) -> CustomerSummaryTable {
        let file = scanner.name
        guard let header = try scanner.readHeader() else {
            throw DataError(file: file, message: "the summary is empty (expected a header line with the columns frequency, recency, T)")
        }
        let layout = try Layout(header: header, file: file)
        var rows = Rows()
        try rows.read(scanner, layout, file: file)
        return try rows.table(layout, unit: unit, file: file)
    }

    /// Files at least this large are read in two parts on two threads.
    static let parallelReadBytes = 4 << 20

    /// Reads a large summary file in two halves on two threads, or returns `nil` when that does
    /// not apply (a small file, not a regular file, or a file holding a `"`, whose
    /// quoted fields could span lines). The result — table or error — is the one
    /// ``read(scanner:unit:)`` gives.
    ///
    /// Why: parsing a summary is CPU-bound (about five numbers and a string per row), and rows
    /// are independent, so two cores read it in about half the time. Without quotes every line
    /// end ends a record, so the file splits at the first line end after its middle. The first
    /// data row is read before the split: the holdout duration, which must be the same on every
    /// row, is checked against it (and named in the message) in both parts; the second part's
    /// line numbers continue the first's. Each part stops at its first error; an error in the
    /// first part comes first in the file, so it wins.
    static func readInTwoParts(path: String, unit: TimeUnit, options: CSVScanner.Options,
                               minimumBytes: Int = parallelReadBytes) throws(DataError) -> CustomerSummaryTable? {
        guard let file = MappedFile(path: path), file.bytes.count >= minimumBytes else { return nil }
        return try withExtendedLifetime(file) { () throws(DataError) -> CustomerSummaryTable? in
            let bytes = file.bytes
            let base = bytes.baseAddress!
            guard memchr(base, Int32(UInt8(ascii: "\"")), bytes.count) == nil,
                  let lineFeed = memchr(base + bytes.count / 2, 0x0A, bytes.count - bytes.count / 2) else { return nil }
            let split = UnsafeRawPointer(lineFeed) - base + 1
            guard split < bytes.count else { return nil }

            let first = CSVScanner(source: ByteSource(region: UnsafeRawBufferPointer(rebasing: bytes[..<split]), name: path), options: options)
            guard let header = try first.readHeader() else {
                throw DataError(file: path, message: "the summary is empty (expected a header line with the columns frequency, recency, T)")
            }
            let layout = try Layout(header: header, file: path)
            // Every record is one line, so line counts bound the rows: the first part's arrays
            // get room for all of them, and joining the parts copies the second part once.
            let firstLines = countLineFeeds(UnsafeRawBufferPointer(rebasing: bytes[..<split]))
            let secondLines = countLineFeeds(UnsafeRawBufferPointer(rebasing: bytes[split...])) + 1
            var head = Rows()
            head.reserve(firstLines + secondLines, layout)
            try head.read(first, layout, file: path, limit: 1)
            let second = CSVScanner(source: ByteSource(region: UnsafeRawBufferPointer(rebasing: bytes[split...]), name: path), options: options)
            second.resume(after: header, line: 1 + firstLines)
            var tail = Rows()
            tail.reserve(secondLines, layout)
            tail.duration = head.duration

            // Each thread works on its own scanner and rows; `concurrentPerform` returns when
            // both are done.
            var headError: DataError?, tailError: DataError?
            withUnsafeMutablePointer(to: &head) { headRows in
                withUnsafeMutablePointer(to: &tail) { tailRows in
                    withUnsafeMutablePointer(to: &headError) { headError in
                        withUnsafeMutablePointer(to: &tailError) { tailError in
                            let parts = Parts(scanners: (first, second), rows: (headRows, tailRows), errors: (headError, tailError))
                            DispatchQueue.concurrentPerform(iterations: 2) { part in
                                do throws(DataError) {
                                    if part == 0 {
                                        try parts.rows.0.pointee.read(parts.scanners.0, layout, file: path)
                                    } else {
                                        try parts.rows.1.pointee.read(parts.scanners.1, layout, file: path)
                                    }
                                } catch {
                                    (part == 0 ? parts.errors.0 : parts.errors.1).pointee = error
                                }
                            }
                        }
                    }
                }
            }
            if let headError { throw headError }
            if let tailError { throw tailError }
            head.append(tail)
            return try head.table(layout, unit: unit, file: path)
        }
    }

    /// What the two reading threads of ``readInTwoParts(path:unit:options:)`` work on, each
    /// thread on its own element of each pair.
    private struct Parts: @unchecked Sendable {
        let scanners: (CSVScanner, CSVScanner)
        let rows: (UnsafeMutablePointer<Rows>, UnsafeMutablePointer<Rows>)
        let errors: (UnsafeMutablePointer<DataError?>, UnsafeMutablePointer<DataError?>)
    }

    /// Line feeds in `bytes`, 8 bytes at a time.
    static func countLineFeeds(_ bytes: UnsafeRawBufferPointer) -> Int {
        var count = 0, i = 0
        let n = bytes.count
        let lineFeeds: UInt64 = 0x0A0A_0A0A_0A0A_0A0A
        while i + 8 <= n {
            count += bytesEqualTo(lineFeeds, in: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))).nonzeroBitCount
            i += 8
        }
        while i < n {
            if bytes[i] == 0x0A { count += 1 }
            i += 1
        }
        return count
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
        let idColumn: Int?, fColumn: Int, rColumn: Int, tColumn: Int, mColumn: Int?, wColumn: Int?
        let hfColumn: Int?, hmColumn: Int?, hdColumn: Int?

        init(header: [String], file: String) throws(DataError) {
            self.header = header
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
        func table(_ layout: Layout, unit: TimeUnit, file: String) throws(DataError) -> CustomerSummaryTable {
            guard !frequency.isEmpty else {
                throw DataError(file: file, message: "the summary has a header but no rows")
            }
            var holdout: HoldoutColumns?
            if layout.hfColumn != nil, let duration {
                holdout = HoldoutColumns(frequency: holdoutFrequency, monetaryValue: layout.hmColumn != nil ? holdoutMonetary : nil,
                                         duration: duration.value)
            }
            let ids = layout.idColumn != nil ? self.ids : (1...frequency.count).map { String($0) }
            return CustomerSummaryTable(unit: unit, customerIDs: ids, frequency: frequency, recency: recency, T: T,
                                        monetaryValue: layout.mColumn != nil ? monetary : nil,
                                        weight: layout.wColumn != nil ? weight : nil, holdout: holdout)
        }
    }
}
