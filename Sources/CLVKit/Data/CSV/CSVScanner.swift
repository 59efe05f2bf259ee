import CLVShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A streaming, byte-level CSV scanner (RFC 4180).
///
/// Why hand-written rather than a CSV library: transaction logs run to billions of rows, and the
/// CSV libraries available to this package parse 20–40× slower than a loop over raw bytes,
/// because they build a `String` (or an array of them) per field and per record. This scanner
/// hands out each record's fields as `UnsafeBufferPointer<UInt8>` slices of its own read buffer —
/// no allocation per record — and the callers (``TransactionLog``, ``SummaryCSV``) parse dates
/// and numbers straight from those bytes.
///
/// Streaming: the input is read in chunks of ``Options/chunkSize`` bytes (4 MiB by default) with
/// `read(2)`; a record cut by the end of a chunk is moved to the front of the buffer and completed
/// by the next read, so memory is one chunk plus the longest record, whatever the file's size.
/// A regular file given by path is instead mapped into memory and parsed in place, a chunk at a
/// time, its parsed pages given back as the scan moves on: the same records, limits and
/// messages, without copying every byte out of the page cache (which took about 8 % of the time
/// to summarize a large log).
///
/// Format:
/// - fields are separated by ``Options/delimiter`` (`,` by default) and records by LF or CRLF;
/// - a field that starts with `"` is quoted: it may contain the delimiter, CR, LF, and `""` for
///   one `"` (RFC 4180 §2.5–2.7); text after its closing quote other than a delimiter or a line
///   end is an error. A `"` inside an unquoted field is kept as an ordinary character;
/// - a UTF-8 byte-order mark at the very start is skipped;
/// - blank lines (including a trailing one, and one made of a lone CR) are skipped, as pandas'
///   `read_csv` does; a line holding `""` is not blank (it is one empty field);
/// - every record must have as many fields as the first one (the header):
///   `line 17 has 2 fields, the header has 3`.
///
/// Every record carries the 1-based line number on which it starts (a quoted field with
/// newlines makes a record span several lines), for error messages.
///
/// A ``CSVRecord`` points into the scanner's buffer and is valid only until the next call to
/// ``nextRecord()``: copy what must outlive it.
public final class CSVScanner {
    /// How to scan.
    public struct Options: Sendable, Equatable {
        /// The field separator (an ASCII byte other than `"`, CR or LF).
        public var delimiter: UInt8
        /// Bytes requested per `read(2)`; also the initial buffer size. Tests use tiny values to
        /// make records straddle chunk boundaries.
        public var chunkSize: Int
        /// Longest record accepted. A longer one is nearly always a quote left open, which would
        /// otherwise swallow the rest of the file into one field.
        public var maxRecordBytes: Int
        /// Whether the first record is a header (its field names are then ``CSVScanner/header``
        /// and ``CSVScanner/nextRecord()`` returns the records after it).
        public var hasHeader: Bool
        /// Whether to choose the delimiter from the header line (see
        /// ``CSVScanner/detectDelimiter(in:)``) instead of using ``delimiter``. Decided once per
        /// file, so it costs nothing per row.
        public var detectsDelimiter: Bool

        /// 4 MiB: large enough that `read(2)` calls cost nothing, small enough to stay in cache.
        public static let defaultChunkSize = 4 << 20

        /// Comma-separated (or, with `detectsDelimiter`, whatever the header line uses), 4 MiB
        /// chunks, records up to 64 MiB, with a header.
        public init(delimiter: UInt8 = UInt8(ascii: ","), chunkSize: Int = Options.defaultChunkSize,
                    maxRecordBytes: Int = 64 << 20, hasHeader: Bool = true, detectsDelimiter: Bool = false) {
            precondition(delimiter != UInt8(ascii: "\"") && delimiter != 0x0A && delimiter != 0x0D,
                         "the CSV delimiter cannot be a quote or a line end")
            precondition(chunkSize > 0 && maxRecordBytes > 0)
            self.delimiter = delimiter
            self.chunkSize = chunkSize
            self.maxRecordBytes = maxRecordBytes
            self.hasHeader = hasHeader
            self.detectsDelimiter = detectsDelimiter
        }
    }

    /// The delimiters ``Options/detectsDelimiter`` chooses from, in order of preference on a tie.
    public static let detectableDelimiters: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), 0x09]

    /// The input's name in error messages (the path as given, `<stdin>` for `-`).
    public var name: String { source.name }
    /// How the input is scanned.
    public let options: Options
    /// The header's field names, once read (see ``readHeader()``).
    public private(set) var header: [String]?
    /// Bytes read from the input so far (in the current pass).
    @exclusivity(unchecked) public private(set) var bytesRead = 0
    /// The field separator in use: ``Options/delimiter``, or the one found in the header line
    /// when ``Options/detectsDelimiter`` is set (known once ``readHeader()`` has run).
    @exclusivity(unchecked) public private(set) var delimiter: UInt8
    // (`delimiter` and `errorSkippedRecord` are read or written per record: unchecked, as the
    // scanning state below.)
    /// Called after each chunk is read (every ``Options/chunkSize`` bytes, not per record) with
    /// ``bytesRead``; how progress is reported without a per-row cost.
    var onChunk: ((Int) -> Void)?
    /// When set, a record that cannot be split (an unterminated quote, a record longer than
    /// ``Options/maxRecordBytes``) is reported as an error about its first line only, and
    /// scanning resumes on the next line; otherwise such an error ends the scan.
    var resynchronizesAfterErrors = false
    /// Whether the error ``nextRecord()`` just threw was about one record, which has been
    /// passed over (with ``resynchronizesAfterErrors``): scanning can go on.
    @exclusivity(unchecked) private(set) var errorSkippedRecord = false
    /// The input's size in bytes, when it is a regular file or memory.
    var totalBytes: Int? { source.size }

    // The scanning state below is read and written for every record. `@exclusivity(unchecked)`
    // drops the runtime exclusivity check of class properties, which is safe here: a scanner is
    // used by one thread (it is not Sendable) and its methods never let accesses overlap (no
    // callbacks run during a scan).
    private let source: ByteSource
    @exclusivity(unchecked) private var buffer: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var capacity: Int
    @exclusivity(unchecked) private var start = 0           // first unconsumed byte
    @exclusivity(unchecked) private var end = 0             // one past the last byte read
    @exclusivity(unchecked) private var atEOF = false
    @exclusivity(unchecked) private var line = 1            // line number of the byte at `start`
    @exclusivity(unchecked) private var checkedBOM = false
    @exclusivity(unchecked) private var headerConsumed = false
    @exclusivity(unchecked) private var expectedFieldCount: Int?
    // Per field i of the record being scanned: bounds[2i] ..< bounds[2i+1], and whether it was
    // quoted and holds doubled quotes to collapse.
    @exclusivity(unchecked) private var bounds: UnsafeMutablePointer<Int>
    @exclusivity(unchecked) private var quoted: UnsafeMutablePointer<UInt8>   // bit 0: quoted, bit 1: has "" escapes
    @exclusivity(unchecked) private var fieldCapacity = 16
    // Whether the record just parsed has a quoted field with `""` escapes to collapse.
    @exclusivity(unchecked) private var hasEscapes = false
    // Where the last record's text is in the buffer (``rawRecord()``), or, when it had escapes
    // collapsed in place, a copy made before.
    @exclusivity(unchecked) private var rawStart = 0
    @exclusivity(unchecked) private var rawEnd = 0
    @exclusivity(unchecked) private var rawIsCopied = false
    /// The line on which the text of ``rawRecord()`` starts.
    @exclusivity(unchecked) private(set) var rawLine = 0
    // Unchecked too, although only records with `""` escapes write it: the optimizer moved the
    // runtime check of its read in the (cold) rejected-row path of ``TransactionLog/next()`` to
    // the top of the reader's per-row loop, where it cost about 2 % of reading a log.
    @exclusivity(unchecked) private var escapedRaw: [UInt8] = []
    /// A regular file mapped into memory (``ByteSource/mapForScanning()``): then ``buffer`` is
    /// the whole file and a refill only moves ``end`` on by a chunk (no copy; the file's pages
    /// are the buffer), and the pages already parsed are given back every
    /// ``releaseStep`` bytes, so that the mapping does not count the whole file as this
    /// process's memory.
    private let mapping: UnsafeMutableRawBufferPointer?
    /// Bytes of the mapping before this offset have been given back.
    @exclusivity(unchecked) private var released = 0
    private static let releaseStep = 8 << 20

    /// Scans the file at `path` (`-` for standard input).
    /// - Parameter spoolsPipes: when the input is a pipe, keep a copy of it in an unlinked
    ///   temporary file so that ``rewind()`` can work (used by the transaction summarizer).
    public convenience init(path: String, options: Options = Options(), spoolsPipes: Bool = false) throws(DataError) {
        self.init(source: try ByteSource(path: path, spoolsPipes: spoolsPipes), options: options)
    }

    /// Scans bytes in memory; `name` is used in error messages.
    public convenience init(bytes: [UInt8], name: String, options: Options = Options()) {
        self.init(source: ByteSource(bytes: bytes, name: name), options: options)
    }

    init(source: ByteSource, options: Options) {
        self.source = source
        self.options = options
        delimiter = options.delimiter
        if let mapping = source.mapForScanning() {
            self.mapping = mapping
            buffer = mapping.baseAddress!.assumingMemoryBound(to: UInt8.self)
            capacity = mapping.count
        } else {
            mapping = nil
            capacity = options.chunkSize
            buffer = .allocate(capacity: capacity)
        }
        bounds = .allocate(capacity: 2 * fieldCapacity)
        quoted = .allocate(capacity: fieldCapacity)
    }

    deinit {
        if let mapping {
            munmap(mapping.baseAddress, mapping.count)
        } else {
            buffer.deallocate()
        }
        bounds.deallocate()
        quoted.deallocate()
    }

    /// Reads the header (the first record) if it has not been read yet and returns its field
    /// names; `nil` if the input holds no record at all (empty, or only blank lines / a BOM).
    public func readHeader() throws(DataError) -> [String]? {
        precondition(options.hasHeader, "readHeader() on a scanner without a header")
        if !headerConsumed {
            headerConsumed = true
            if options.detectsDelimiter {
                try skipBOM()
                while !atEOF && end - start < options.maxRecordBytes,
                      !UnsafeBufferPointer(start: buffer + start, count: end - start).contains(0x0A) {
                    try refill()
                }
                var lineEnd = start
                while lineEnd < end && buffer[lineEnd] != 0x0A { lineEnd += 1 }
                delimiter = CSVScanner.detectDelimiter(in: UnsafeBufferPointer(start: buffer + start, count: lineEnd - start)) ?? options.delimiter
            }
            guard let record = try scan() else { return nil }
            let names = record.strings
            header = names
            expectedFieldCount = names.count
            plainFieldCount = names.count >= 2 ? names.count : 0
        }
        return header
    }

    /// The next data record, or `nil` at the end of the input. With a header, the header is read
    /// first (``header``) and not returned. The record is valid until the next call.
    public func nextRecord() throws(DataError) -> CSVRecord? {
        if options.hasHeader && !headerConsumed {
            guard try readHeader() != nil else { return nil }
        }
        errorSkippedRecord = false
        guard let record = try scan() else { return nil }
        if let expected = expectedFieldCount {
            if record.count != expected {
                errorSkippedRecord = resynchronizesAfterErrors
                let what = options.hasHeader ? "the header has \(expected)" : "the first line has \(expected)"
                throw DataError(file: name, line: record.line,
                                message: "line \(record.line) has \(record.count) field\(record.count == 1 ? "" : "s"), \(what)")
            }
        } else {
            expectedFieldCount = record.count
        }
        return record
    }

    /// The fast path for the common record: if the record at the cursor lies wholly in the
    /// buffer, ends with LF or CRLF, holds no quote and no other CR, and has as many fields as
    /// the header, it is returned (exactly as ``nextRecord()`` would return it) and the cursor
    /// moves past it. Otherwise `nil`, with nothing consumed: the caller reads the record with
    /// ``nextRecord()``, which handles every other case — quoting, blank lines, a short or long
    /// row, the end of the buffer — and every error message.
    ///
    /// Why: a transaction log is nearly all such records, and finding a record's field ends 16
    /// bytes at a time (``clv_csv_stops16``: one SSE2 comparison per kind of stop byte), with
    /// no per-field state beyond the bounds, took the 10M-row bench summarize from about 0.83
    /// to 0.77 s.
    @inline(__always)
    func nextPlainRecord() -> CSVRecord? {
        let fieldCount = plainFieldCount
        guard fieldCount > 0 else { return nil }
        let buf = buffer
        let recordStart = start
        let last = end - 16          // the last position a 16-byte load may start at
        let delimiter = self.delimiter
        let bounds = self.bounds
        var p = recordStart
        var fieldStart = recordStart
        var n = 0                    // fields completed
        while p <= last {
            var stops = clv_csv_stops16(buf + p, delimiter)
            while stops != 0 {
                let q = p + stops.trailingZeroBitCount
                let c = buf[q]
                if c == delimiter {
                    bounds[2 * n] = fieldStart
                    bounds[2 * n + 1] = q
                    n += 1
                    guard n < fieldCount else { return nil }       // too many fields
                    fieldStart = q + 1
                } else if n + 1 == fieldCount && (c == 0x0A || (c == 0x0D && q + 1 < end && buf[q + 1] == 0x0A)) {
                    // LF or CRLF: the last field ends before the line end.
                    bounds[2 * n] = fieldStart
                    bounds[2 * n + 1] = q
                    let next = c == 0x0A ? q + 1 : q + 2
                    let recordLine = line
                    rawLine = recordLine
                    rawStart = recordStart
                    rawEnd = next
                    rawIsCopied = false
                    errorSkippedRecord = false
                    start = next
                    line = recordLine + 1
                    return CSVRecord(line: recordLine, count: fieldCount, base: buf, bounds: bounds)
                } else {
                    return nil                                     // a quote, a lone CR, too few fields
                }
                stops &= stops &- 1
            }
            p += 16
        }
        return nil
    }

    /// The header's field count once the header is read, when ``nextPlainRecord()`` may be
    /// used (records of at least two fields); 0 before, or for one-field files (whose blank
    /// lines the fast path would not tell from empty fields).
    @exclusivity(unchecked) private var plainFieldCount = 0

    /// The delimiter a header line uses: the one of ``detectableDelimiters`` (comma, semicolon,
    /// tab) that occurs most often outside quotes, the earlier one on a tie; `nil` when none
    /// occurs (a one-column header).
    public static func detectDelimiter(in line: UnsafeBufferPointer<UInt8>) -> UInt8? {
        var counts = [Int](repeating: 0, count: detectableDelimiters.count)
        var inQuotes = false
        for c in line {
            if c == UInt8(ascii: "\"") { inQuotes.toggle(); continue }
            if inQuotes { continue }
            if let k = detectableDelimiters.firstIndex(of: c) { counts[k] += 1 }
        }
        guard let best = counts.max(), best > 0 else { return nil }
        return detectableDelimiters[counts.firstIndex(of: best)!]
    }

    /// Continues a file split in parts: this scanner reads a later part, whose first record
    /// starts on line `line` of the file, with the header `header` read from the first part
    /// (field names and count; no byte-order mark is looked for).
    func resume(after header: [String], line: Int) {
        precondition(options.hasHeader && !headerConsumed)
        self.header = header
        headerConsumed = true
        expectedFieldCount = header.count
        plainFieldCount = header.count >= 2 ? header.count : 0
        checkedBOM = true
        self.line = line
    }

    /// Starts again from the beginning of the input (the header is read again but not
    /// returned). Returns `false` when the input cannot be re-read (a pipe opened without
    /// `spoolsPipes`).
    public func rewind() throws(DataError) -> Bool {
        guard try source.rewind() else { return false }
        if let mapping {
            // Drop every page, and with them the in-place edits of the first pass: the file's
            // bytes as written are read again.
            _ = madvise(mapping.baseAddress, mapping.count, MADV_DONTNEED)
            released = 0
        }
        start = 0
        end = 0
        atEOF = false
        line = 1
        checkedBOM = false
        headerConsumed = false
        plainFieldCount = 0          // until the header has been read again
        bytesRead = 0
        return true
    }

    // MARK: Scanning

    private enum Outcome {
        case record(count: Int, next: Int, lines: Int)
        case incomplete
        case endOfInput
    }

    /// Finds the next non-blank record, refilling the buffer as needed.
    private func skipBOM() throws(DataError) {
        guard !checkedBOM else { return }
        while end - start < 3 && !atEOF { try refill() }
        if end - start >= 3, buffer[start] == 0xEF, buffer[start + 1] == 0xBB, buffer[start + 2] == 0xBF {
            start += 3
        }
        checkedBOM = true
    }

    private func scan() throws(DataError) -> CSVRecord? {
        if !checkedBOM { try skipBOM() }
        while true {
            let outcome: Outcome
            do {
                outcome = try parseRecord()
            } catch {
                throw try resynchronize(after: error)
            }
            switch outcome {
            case .endOfInput:
                return nil
            case .incomplete:
                if end - start >= options.maxRecordBytes {
                    throw try resynchronize(after: DataError(file: name, line: line,
                                    message: "the record starting on line \(line) is longer than \(options.maxRecordBytes) bytes; is a quoted field left open?"))
                }
                try refill()
            case .record(let count, let next, let lines):
                let recordLine = line
                rawLine = line
                rawStart = start
                rawEnd = next
                start = next
                line += lines
                if count == 1 && bounds[0] == bounds[1] && quoted[0] == 0 { continue }   // blank line
                if hasEscapes {
                    // Keep the record as written (for a rejects file) before collapsing `""`.
                    escapedRaw.removeAll(keepingCapacity: true)
                    escapedRaw.append(contentsOf: UnsafeBufferPointer(start: buffer + rawStart, count: rawEnd - rawStart))
                    rawIsCopied = true
                    for i in 0..<count where quoted[i] & 2 != 0 { unescape(field: i) }
                } else if rawIsCopied {
                    rawIsCopied = false
                }
                return CSVRecord(line: recordLine, count: count, base: buffer, bounds: bounds)
            }
        }
    }

    /// With ``resynchronizesAfterErrors``, gives up on the record that starts at `start` by
    /// skipping its first line (the bytes up to the next LF), which becomes the raw text of the
    /// error; scanning continues on the following line.
    ///
    /// The line's end may not have been read yet (the error was found before the chunk that
    /// holds it): the input is read on until it is (or the input ends, or the line is longer
    /// than ``Options/maxRecordBytes``). Otherwise the scan would resume in the middle of the
    /// line and the rejected text be cut short, both depending on where a chunk happened to end.
    private func resynchronize(after error: DataError) throws(DataError) -> DataError {
        guard resynchronizesAfterErrors else { return error }
        errorSkippedRecord = true
        rawLine = line
        var lineEnd = start
        while true {
            while lineEnd < end && buffer[lineEnd] != 0x0A { lineEnd += 1 }
            if lineEnd < end || atEOF || end - start >= options.maxRecordBytes { break }
            let searched = lineEnd - start      // a refill moves the unconsumed bytes to the front
            try refill()
            lineEnd = start + searched
        }
        rawStart = start
        rawEnd = min(lineEnd + 1, end)
        rawIsCopied = false
        start = rawEnd
        line += 1
        return error
    }

    /// The text of the last record returned (or of the line skipped after an error), as written
    /// in the file, without its line end. Valid until the next call to ``nextRecord()``.
    func rawRecord() -> [UInt8] {
        var bytes = rawIsCopied ? escapedRaw : Array(UnsafeBufferPointer(start: buffer + rawStart, count: rawEnd - rawStart))
        if bytes.last == 0x0A { bytes.removeLast() }
        if bytes.last == 0x0D { bytes.removeLast() }
        return bytes
    }

    /// Moves the unconsumed tail to the front, grows the buffer if one record fills it, reads.
    private func refill() throws(DataError) {
        if atEOF { return }
        if let mapping {
            // The whole file is in the buffer: make the next chunk of it visible.
            let n = min(options.chunkSize, mapping.count - end)
            if n == 0 {
                atEOF = true
                return
            }
            end += n
            bytesRead += n
            releaseParsedPages()
            onChunk?(bytesRead)
            return
        }
        if start > 0 {
            let pending = end - start
            if pending > 0 { buffer.update(from: buffer + start, count: pending) }
            end = pending
            start = 0
        }
        if end == capacity {
            let newCapacity = capacity * 2
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            grown.update(from: buffer, count: end)
            buffer.deallocate()
            buffer = grown
            capacity = newCapacity
        }
        let n = try source.read(into: buffer + end, count: capacity - end)
        if n == 0 {
            atEOF = true
        } else {
            end += n
            bytesRead += n
            onChunk?(bytesRead)
        }
    }

    /// Gives back the mapped pages wholly before the last record's text (which
    /// ``rawRecord()`` may still read), in steps of ``releaseStep``. Dropped pages of a private
    /// file mapping read as the file again if touched, so nothing is lost.
    private func releaseParsedPages() {
        guard let mapping else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let upTo = min(rawStart, start) / page * page
        guard upTo - released >= Self.releaseStep else { return }
        _ = madvise(mapping.baseAddress! + released, upTo - released, MADV_DONTNEED)
        released = upTo
    }

    private func growFields() {
        let newCapacity = fieldCapacity * 2
        let newBounds = UnsafeMutablePointer<Int>.allocate(capacity: 2 * newCapacity)
        newBounds.update(from: bounds, count: 2 * fieldCapacity)
        bounds.deallocate()
        bounds = newBounds
        let newQuoted = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newQuoted.update(from: quoted, count: fieldCapacity)
        quoted.deallocate()
        quoted = newQuoted
        fieldCapacity = newCapacity
    }

    /// Splits the record starting at `start` into fields. Only decides a record when its end
    /// (a line end outside quotes, or the end of input) is in the buffer; otherwise
    /// `.incomplete`, and it is scanned again from its start after the next read.
    private func parseRecord() throws(DataError) -> Outcome {
        let buf = buffer
        let end = self.end
        let delimiter = self.delimiter
        let quote = UInt8(ascii: "\"")
        let lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
        var p = start
        var n = 0
        var lines = 0
        hasEscapes = false
        let delimiters = UInt64(delimiter) &* 0x0101_0101_0101_0101
        let lineFeeds: UInt64 = 0x0A0A_0A0A_0A0A_0A0A

        while true {
            if n == fieldCapacity { growFields() }
            if p == end {
                if !atEOF { return .incomplete }
                if n == 0 { return .endOfInput }
                // End of input right after a delimiter: an empty last field.
                bounds[2 * n] = p; bounds[2 * n + 1] = p; quoted[n] = 0
                return .record(count: n + 1, next: p, lines: lines)
            }
            if buf[p] == quote {
                let openedOnLine = line + lines
                var q = p + 1
                var escaped = false
                var closing = -1
                while q < end {
                    let c = buf[q]
                    if c == quote {
                        if q + 1 < end {
                            if buf[q + 1] == quote { escaped = true; q += 2; continue }
                            closing = q
                            break
                        }
                        if atEOF { closing = q; break }
                        return .incomplete
                    }
                    if c == lf { lines += 1 }
                    q += 1
                }
                if closing < 0 {
                    if !atEOF { return .incomplete }
                    throw DataError(file: name, line: openedOnLine, field: fieldName(n),
                                    message: "unterminated quoted field: the quote opened on line \(openedOnLine) is never closed")
                }
                bounds[2 * n] = p + 1; bounds[2 * n + 1] = closing; quoted[n] = escaped ? 3 : 1
                if escaped { hasEscapes = true }
                n += 1
                let a = closing + 1
                if a == end { return .record(count: n, next: a, lines: lines) }   // (only at EOF)
                let c = buf[a]
                if c == delimiter { p = a + 1; continue }
                if c == lf { return .record(count: n, next: a + 1, lines: lines + 1) }
                if c == cr {
                    if a + 1 < end {
                        if buf[a + 1] == lf { return .record(count: n, next: a + 2, lines: lines + 1) }
                    } else if atEOF {
                        return .record(count: n, next: a + 1, lines: lines)
                    } else {
                        return .incomplete
                    }
                }
                throw DataError(file: name, line: line + lines, field: fieldName(n - 1),
                                message: "unexpected text after the closing quote of a quoted field (write a quote inside a quoted field as \"\")")
            } else {
                // The field ends at the next delimiter or LF: look 8 bytes at a time (most fields
                // are a few words long), then finish byte by byte near the end of the buffer.
                var q = p
                while q &+ 8 <= end {
                    let word = UInt64(littleEndian: UnsafeRawPointer(buf + q).loadUnaligned(as: UInt64.self))
                    let hits = bytesEqualTo(delimiters, in: word) | bytesEqualTo(lineFeeds, in: word)
                    if hits != 0 {
                        q += hits.trailingZeroBitCount >> 3
                        break
                    }
                    q += 8
                }
                while q < end {
                    let c = buf[q]
                    if c == delimiter || c == lf { break }
                    q += 1
                }
                if q == end {
                    if !atEOF { return .incomplete }
                    var fieldEnd = q
                    if fieldEnd > p && buf[fieldEnd - 1] == cr { fieldEnd -= 1 }
                    bounds[2 * n] = p; bounds[2 * n + 1] = fieldEnd; quoted[n] = 0
                    return .record(count: n + 1, next: q, lines: lines)
                }
                if buf[q] == delimiter {
                    bounds[2 * n] = p; bounds[2 * n + 1] = q; quoted[n] = 0
                    n += 1
                    p = q + 1
                    continue
                }
                var fieldEnd = q
                if fieldEnd > p && buf[fieldEnd - 1] == cr { fieldEnd -= 1 }
                bounds[2 * n] = p; bounds[2 * n + 1] = fieldEnd; quoted[n] = 0
                return .record(count: n + 1, next: q + 1, lines: lines + 1)
            }
        }
    }

    /// Collapses `""` to `"` in a quoted field, in place (the result is never longer).
    private func unescape(field i: Int) {
        var r = bounds[2 * i], w = r
        let e = bounds[2 * i + 1]
        while r < e {
            let c = buffer[r]
            buffer[w] = c
            w += 1
            r += c == UInt8(ascii: "\"") ? 2 : 1
        }
        bounds[2 * i + 1] = w
    }

    private func fieldName(_ index: Int) -> String? {
        guard let header, index < header.count else { return nil }
        return header[index]
    }
}

/// The high bit of each byte of `word` that equals the corresponding byte of `pattern` (a byte
/// repeated 8 times), and no other bit. Exact — unlike the classic `(x - 0x01…) & ~x & 0x80…`
/// test, whose borrows can mark a byte above a match — because `(x & 0x7F) + 0x7F` cannot carry
/// out of its byte.
@inline(__always)
func bytesEqualTo(_ pattern: UInt64, in word: UInt64) -> UInt64 {
    let x = word ^ pattern
    let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    return ~(((x & low7) &+ low7) | x | low7)
}

/// One record of a ``CSVScanner``: its fields as byte slices of the scanner's buffer, valid
/// until the scanner's next ``CSVScanner/nextRecord()`` call.
public struct CSVRecord {
    /// The 1-based line on which the record starts.
    public let line: Int
    /// Number of fields.
    public let count: Int
    @usableFromInline let base: UnsafeMutablePointer<UInt8>
    @usableFromInline let bounds: UnsafeMutablePointer<Int>

    init(line: Int, count: Int, base: UnsafeMutablePointer<UInt8>, bounds: UnsafeMutablePointer<Int>) {
        self.line = line
        self.count = count
        self.base = base
        self.bounds = bounds
    }

    /// The bytes of field `index` (quotes removed, `""` collapsed).
    @inlinable
    public subscript(index: Int) -> UnsafeBufferPointer<UInt8> {
        precondition(index >= 0 && index < count, "field index out of range")
        let s = bounds[2 * index]
        return UnsafeBufferPointer(start: base + s, count: bounds[2 * index + 1] - s)
    }

    /// Field `index` decoded as UTF-8 (invalid sequences replaced by U+FFFD).
    public func string(at index: Int) -> String {
        String(decoding: self[index], as: UTF8.self)
    }

    /// All fields as strings.
    public var strings: [String] {
        (0..<count).map { string(at: $0) }
    }
}
