import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

@Suite struct CSVScannerTests {
    /// All records (header excluded) with their line numbers.
    static func scan(_ text: String, chunkSize: Int = 1 << 20, delimiter: Character = ",",
                     hasHeader: Bool = true) throws(DataError) -> (header: [String]?, records: [(line: Int, fields: [String])]) {
        try scan(bytes: Array(text.utf8), chunkSize: chunkSize, delimiter: delimiter, hasHeader: hasHeader)
    }

    static func scan(bytes: [UInt8], chunkSize: Int = 1 << 20, delimiter: Character = ",",
                     hasHeader: Bool = true) throws(DataError) -> (header: [String]?, records: [(line: Int, fields: [String])]) {
        let options = CSVScanner.Options(delimiter: delimiter.asciiValue!, chunkSize: chunkSize, hasHeader: hasHeader)
        let scanner = CSVScanner(bytes: bytes, name: "t.csv", options: options)
        var records: [(line: Int, fields: [String])] = []
        while let record = try scanner.nextRecord() {
            records.append((record.line, record.strings))
        }
        return (scanner.header, records)
    }

    @Test func plainRecordsAndLineNumbers() throws {
        let (header, records) = try Self.scan("a,b,c\n1,2,3\n4,,6\n")
        #expect(header == ["a", "b", "c"])
        #expect(records.map(\.fields) == [["1", "2", "3"], ["4", "", "6"]])
        #expect(records.map(\.line) == [2, 3])
    }

    @Test func quotedFields() throws {
        let text = "a,b,c\n\"x,y\",\"he said \"\"hi\"\"\",z\n\"\",\"\"\"\",plain\"quote\n"
        let (_, records) = try Self.scan(text)
        #expect(records.map(\.fields) == [["x,y", "he said \"hi\"", "z"], ["", "\"", "plain\"quote"]])
    }

    @Test func embeddedNewlinesKeepLineNumbers() throws {
        let text = "id,note\n1,\"line one\nline two\r\nline three\"\n2,ok\n"
        let (_, records) = try Self.scan(text)
        #expect(records.map(\.fields) == [["1", "line one\nline two\r\nline three"], ["2", "ok"]])
        #expect(records.map(\.line) == [2, 5])
    }

    @Test func crlfLineEnds() throws {
        let (header, records) = try Self.scan("a,b\r\n1,2\r\n\"3\",\"4\"\r\n5,\r\n")
        #expect(header == ["a", "b"])
        #expect(records.map(\.fields) == [["1", "2"], ["3", "4"], ["5", ""]])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let (header, records) = try Self.scan("\u{FEFF}customer_id,date\n1,2\n")
        #expect(header == ["customer_id", "date"])
        #expect(records.count == 1)
        // Only at the very start: a BOM elsewhere is data.
        let (_, later) = try Self.scan("a\n\u{FEFF}x\n")
        #expect(later.first?.fields == ["\u{FEFF}x"])
    }

    @Test func blankLinesAndMissingFinalNewline() throws {
        let (_, records) = try Self.scan("a,b\n1,2\n\n\r\n3,4")
        #expect(records.map(\.fields) == [["1", "2"], ["3", "4"]])
        #expect(records.map(\.line) == [2, 5])
        let (_, trailing) = try Self.scan("a,b\n1,2\n\n")
        #expect(trailing.count == 1)
        // A lone CR at the very end is a line end too.
        let (_, cr) = try Self.scan("a,b\n1,\"2\"\r")
        #expect(cr.map(\.fields) == [["1", "2"]])
    }

    @Test func otherDelimiters() throws {
        let (h1, r1) = try Self.scan("a;b\n\"1;x\";2,5\n", delimiter: ";")
        #expect(h1 == ["a", "b"])
        #expect(r1.map(\.fields) == [["1;x", "2,5"]])
        let (_, r2) = try Self.scan("a\tb\n1\t2\n", delimiter: "\t")
        #expect(r2.map(\.fields) == [["1", "2"]])
    }

    @Test func emptyInputs() throws {
        #expect(try Self.scan("").header == nil)
        #expect(try Self.scan("\u{FEFF}").header == nil)
        #expect(try Self.scan("\n\n").header == nil)
        let headerOnly = try Self.scan("a,b\n")
        #expect(headerOnly.header == ["a", "b"] && headerOnly.records.isEmpty)
    }

    /// Every chunk size from 1 to 17 bytes (and a few larger) puts record, field, quote, `""`,
    /// CRLF and BOM boundaries at every position relative to a read; the records must be the same
    /// as when the whole input fits in one read.
    @Test func chunkBoundariesDoNotChangeRecords() throws {
        let text = "\u{FEFF}id,date,note\r\n"
            + "1,2020-01-01,\"a \"\"quoted\"\" word, and a comma\"\r\n"
            + "22,2020-01-02,\"multi\nline\r\nfield\"\n"
            + "\n"
            + "333,2020-01-03,\"\"\n"
            + "4444,2020-01-04,plain\r\n"
            + "\"5\",\"2020-01-05\",\"\"\"\"\"\"\"\"\n"
            + "6,2020-01-06,last"
        let reference = try Self.scan(text)
        #expect(reference.records.count == 6)
        #expect(reference.records.map(\.line) == [2, 3, 7, 8, 9, 10])
        for chunk in Array(1...17) + [31, 64, 1000] {
            let got = try Self.scan(text, chunkSize: chunk)
            #expect(got.header == reference.header, "chunk size \(chunk)")
            #expect(got.records.map(\.fields) == reference.records.map(\.fields), "chunk size \(chunk)")
            #expect(got.records.map(\.line) == reference.records.map(\.line), "chunk size \(chunk)")
        }
    }

    /// A generated file much larger than the chunk: the scanner streams it with a small buffer.
    @Test func streamsAFileInSmallChunks() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = "customer_id,date,amount\n"
        for i in 0..<5000 { text += "c\(i % 97),2020-01-\(String(format: "%02d", i % 28 + 1)),\"\(i).5\"\n" }
        let url = dir.appendingPathComponent("big.csv")
        try Data(text.utf8).write(to: url)
        let scanner = try CSVScanner(path: url.path, options: .init(chunkSize: 100))
        var n = 0
        var lastLine = 0
        while let record = try scanner.nextRecord() {
            #expect(record.string(at: 2) == "\(n).5")
            lastLine = record.line
            n += 1
        }
        #expect(n == 5000)
        #expect(lastLine == 5001)
        #expect(scanner.bytesRead == text.utf8.count)
        // A second pass sees the same records.
        #expect(try scanner.rewind())
        var again = 0
        while try scanner.nextRecord() != nil { again += 1 }
        #expect(again == 5000)
    }

    @Test func unterminatedQuoteIsAnError() throws {
        for chunk in [1, 3, 1 << 20] {
            let error = DataTestSupport.error { () throws(DataError) in try Self.scan("a,b\n1,2\n3,\"oops\n4,5\n", chunkSize: chunk) }
            #expect(error?.line == 3)
            #expect(error?.field == "b")
            #expect(error?.message.contains("unterminated quoted field") == true)
            #expect(error?.description.hasPrefix("t.csv:3: field 'b': unterminated") == true)
        }
    }

    @Test func overlongRecordIsReportedAsAnOpenQuote() throws {
        let text = "a,b\n1,\"" + String(repeating: "x,\n", count: 100) + "\n"
        let scanner = CSVScanner(bytes: Array(text.utf8), name: "t.csv",
                                 options: .init(chunkSize: 8, maxRecordBytes: 64))
        let error = DataTestSupport.error { () throws(DataError) in try scanner.nextRecord() }
        #expect(error?.line == 2)
        #expect(error?.message.contains("longer than 64 bytes") == true)
    }

    @Test func wrongFieldCountIsAnError() throws {
        let error = DataTestSupport.error { () throws(DataError) in try Self.scan("a,b,c\n1,2,3\n4,5\n") }
        #expect(error?.line == 3)
        #expect(error?.message == "line 3 has 2 fields, the header has 3")
        #expect(error?.description == "t.csv:3: line 3 has 2 fields, the header has 3")
        let long = DataTestSupport.error { () throws(DataError) in try Self.scan("a\n1\n2,3\n") }
        #expect(long?.message == "line 3 has 2 fields, the header has 1")
        let headerless = DataTestSupport.error { () throws(DataError) in try Self.scan("1,2\n3\n", hasHeader: false) }
        #expect(headerless?.message == "line 2 has 1 field, the first line has 2")
    }

    @Test func textAfterClosingQuoteIsAnError() throws {
        let error = DataTestSupport.error { () throws(DataError) in try Self.scan("a,b\n1,\"x\"y\n") }
        #expect(error?.line == 2)
        #expect(error?.field == "b")
        #expect(error?.message.contains("after the closing quote") == true)
    }

    @Test func missingFileIsMissingInput() throws {
        let error = DataTestSupport.error { () throws(DataError) in try CSVScanner(path: "/nonexistent/tx.csv") }
        #expect(error?.kind == .missingInput)
        #expect(error?.file == "/nonexistent/tx.csv")
        #expect(error?.message.contains("No such file") == true)
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let isDir = DataTestSupport.error { () throws(DataError) in try CSVScanner(path: dir.path) }
        #expect(isDir?.message.contains("directory") == true)
    }

    @Test func headerlessScanning() throws {
        let (header, records) = try Self.scan("1,2\n3,4\n", hasHeader: false)
        #expect(header == nil)
        #expect(records.map(\.fields) == [["1", "2"], ["3", "4"]])
        #expect(records.map(\.line) == [1, 2])
    }
    /// The word-at-a-time search for the end of an unquoted field, against fields built from
    /// random bytes — including the delimiter's and LF's neighbours and their copies with the
    /// high bit set, which a sloppy bit trick would confuse with them — for several delimiters
    /// and chunk sizes (fields straddling the end of the buffer take the byte-by-byte tail).
    @Test func fieldEndsFoundWordAtATime() throws {
        var rng = DataTestRNG(seed: 88)
        for trial in 0..<120 {
            let delimiter: UInt8 = [UInt8(ascii: ","), UInt8(ascii: ";"), 0x09, UInt8(ascii: "|")][trial % 4]
            let tricky: [UInt8] = [delimiter &- 1, delimiter &+ 1, delimiter | 0x80, 0x8A, 0x0B, 0x09, 0x00, 0xFF, 0x20, 0x22]
                .filter { $0 != delimiter && $0 != 0x0A && $0 != 0x0D }
            let fieldCount = Int.random(in: 1...6, using: &rng)
            var expected: [[[UInt8]]] = []
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 1...60, using: &rng) {
                var record: [[UInt8]] = []
                for f in 0..<fieldCount {
                    var field: [UInt8] = []
                    for _ in 0..<Int.random(in: (fieldCount == 1 ? 1 : 0)...30, using: &rng) {
                        var b = Bool.random(using: &rng) ? tricky.randomElement(using: &rng)! : UInt8.random(in: 1...255, using: &rng)
                        if b == delimiter || b == 0x0A || b == 0x0D { b = UInt8(ascii: "x") }
                        field.append(b)
                    }
                    if field.first == 0x22 { field[0] = UInt8(ascii: "y") }   // a leading quote opens a quoted field
                    record.append(field)
                    bytes += field
                    if f < fieldCount - 1 { bytes.append(delimiter) }
                }
                bytes.append(0x0A)
                expected.append(record)
            }
            let options = CSVScanner.Options(delimiter: delimiter, chunkSize: [5, 13, 64, 1 << 20][trial % 4 == 0 ? 3 : Int.random(in: 0...3, using: &rng)],
                                             hasHeader: false)
            let scanner = CSVScanner(bytes: bytes, name: "t.csv", options: options)
            var got: [[[UInt8]]] = []
            while let record = try scanner.nextRecord() {
                got.append((0..<record.count).map { Array(record[$0]) })
            }
            #expect(got == expected, "trial \(trial)")
        }
    }

    /// The pattern test behind it marks exactly the matching bytes, for every byte value at
    /// every position.
    @Test func bytesEqualToIsExact() {
        for target in [UInt8(ascii: ","), 0x0A, 0x00, 0x80, 0xFF] {
            let pattern = UInt64(target) &* 0x0101_0101_0101_0101
            for position in 0..<8 {
                for value in 0...255 {
                    var word: UInt64 = 0x4141_4141_4141_4141   // "AAAAAAAA"
                    word &= ~(0xFF << UInt64(8 * position))
                    word |= UInt64(value) << UInt64(8 * position)
                    var expected: UInt64 = 0
                    for i in 0..<8 where (word >> UInt64(8 * i)) & 0xFF == UInt64(target) { expected |= 0x80 << UInt64(8 * i) }
                    #expect(bytesEqualTo(pattern, in: word) == expected, "target \(target), byte \(value) at \(position)")
                }
            }
        }
    }
}

extension CSVScannerTests {
    static func detect(_ line: String) -> Character? {
        var bytes = Array(line.utf8)
        return bytes.withUnsafeMutableBufferPointer { CSVScanner.detectDelimiter(in: UnsafeBufferPointer($0)) }.map { Character(UnicodeScalar($0)) }
    }

    /// The delimiter is the most frequent of comma, semicolon and tab outside quotes.
    @Test func delimiterDetection() throws {
        #expect(Self.detect("customer_id,date,amount") == ",")
        #expect(Self.detect("customer_id;date;amount") == ";")
        #expect(Self.detect("customer_id\tdate\tamount") == "\t")
        #expect(Self.detect("\"id,with,commas\";date;amount") == ";")
        #expect(Self.detect("a;b,c") == ",")          // a tie: the comma
        #expect(Self.detect("only") == nil)
    }

    @Test func detectedDelimiterIsUsedForEveryRecord() throws {
        let text = "\u{FEFF}a;b;c\r\n1;\"x;y\";3,5\r\n"
        let scanner = CSVScanner(bytes: Array(text.utf8), name: "t.csv", options: CSVScanner.Options(chunkSize: 2, detectsDelimiter: true))
        var fields: [[String]] = []
        while let record = try scanner.nextRecord() { fields.append(record.strings) }
        #expect(scanner.delimiter == UInt8(ascii: ";"))
        #expect(scanner.header == ["a", "b", "c"])
        #expect(fields == [["1", "x;y", "3,5"]])
    }

    /// After an error about one record, a resynchronizing scanner gives that record's first line
    /// as written and goes on with the next line.
    @Test func resynchronizesAfterARecordError() throws {
        let text = "a,b\n1,2\n3,\"4\n5,6\n7,8,9\n10,\"1\"\"1\"\n"
        let scanner = CSVScanner(bytes: Array(text.utf8), name: "t.csv", options: CSVScanner.Options(chunkSize: 3))
        scanner.resynchronizesAfterErrors = true
        var good: [[String]] = [], bad: [(Int, String)] = []
        while true {
            do {
                guard let record = try scanner.nextRecord() else { break }
                good.append(record.strings)
                #expect(String(decoding: scanner.rawRecord(), as: UTF8.self) == text.split(separator: "\n")[record.line - 1].description)
            } catch {
                #expect(scanner.errorSkippedRecord)
                bad.append((scanner.rawLine, String(decoding: scanner.rawRecord(), as: UTF8.self)))
            }
        }
        #expect(good == [["1", "2"], ["5", "6"], ["10", "1\"1"]])
        #expect(bad.map(\.0) == [3, 5])
        #expect(bad.map(\.1) == ["3,\"4", "7,8,9"])
    }

    /// The plain-record fast path (``CSVScanner/nextPlainRecord()``, tried before
    /// ``CSVScanner/nextRecord()`` for every record, as ``TransactionLog`` does) changes nothing:
    /// on random files that mix plain records with quoted fields (holding delimiters, quotes and
    /// line ends), quotes inside unquoted fields, CRLF, blank lines, rows with too few or too
    /// many fields, unterminated quotes and stop-byte look-alikes, at many chunk sizes, the
    /// records (fields, line, raw text) and errors (message, line, raw text) are those of the
    /// general path alone — and the fast path does take most plain records.
    @Test func plainRecordFastPathChangesNothing() throws {
        var rng = DataTestRNG(seed: 2026)
        var fastTaken = 0, plainWritten = 0
        for trial in 0..<300 {
            let delimiter: UInt8 = [UInt8(ascii: ","), UInt8(ascii: ";"), 0x09][trial % 3]
            let fieldCount = Int.random(in: 2...5, using: &rng)
            let pieces: [[UInt8]] = [Array("abc".utf8), Array("2020-01-02".utf8), Array("12.50".utf8), [delimiter | 0x80],
                                     [0x0B], [0x8A], [0x8D], [0xA2], [0x22 ^ 0x40], Array("é".utf8), []]
            func plainField() -> [UInt8] {
                var f: [UInt8] = []
                for _ in 0..<Int.random(in: 0...4, using: &rng) { f += pieces.randomElement(using: &rng)! }
                return f
            }
            var bytes = Array((0..<fieldCount).map { "h\($0)" }.joined(separator: String(UnicodeScalar(delimiter))).utf8) + [0x0A]
            for _ in 0..<Int.random(in: 1...80, using: &rng) {
                let kind = Int.random(in: 0..<20, using: &rng)
                var fields = (0..<fieldCount).map { _ in plainField() }
                switch kind {
                case 0: fields[Int.random(in: 0..<fieldCount, using: &rng)] = Array("\"q\(String(UnicodeScalar(delimiter)))\"\"x\ny\"".utf8)
                case 1: fields[Int.random(in: 0..<fieldCount, using: &rng)] += Array("a\"b".utf8)    // quote inside an unquoted field
                case 2: fields.removeLast()
                case 3: fields.append(plainField())
                case 4: fields[0] = Array("\"open".utf8)                                             // unterminated (maybe)
                default: plainWritten += 1
                }
                bytes += Array(fields.joined(separator: [delimiter]))
                switch Int.random(in: 0..<12, using: &rng) {
                case 0: bytes += [0x0D, 0x0A]
                case 1: bytes += [0x0A, 0x0A]                                                       // a blank line after
                default: bytes.append(0x0A)
                }
            }
            if Bool.random(using: &rng) { bytes.removeLast() }                                       // no final line end
            let chunk = [1, 7, 16, 17, 31, 64, 100, 1 << 20][Int.random(in: 0..<8, using: &rng)]
            func outcomes(fast: Bool) -> [String] {
                let scanner = CSVScanner(bytes: bytes, name: "t.csv", options: CSVScanner.Options(delimiter: delimiter, chunkSize: chunk))
                scanner.resynchronizesAfterErrors = true
                var seen: [String] = []
                while true {
                    do {
                        var record = fast ? scanner.nextPlainRecord() : nil
                        if record != nil { fastTaken += 1 } else { record = try scanner.nextRecord() }
                        guard let record else { break }
                        seen.append("\(record.line) \((0..<record.count).map { Array(record[$0]) }) \(scanner.rawRecord())")
                    } catch {
                        guard scanner.errorSkippedRecord else { seen.append("fatal \(error)"); break }
                        seen.append("error \(scanner.rawLine) \(error) \(scanner.rawRecord())")
                    }
                }
                return seen
            }
            let general = outcomes(fast: false)
            #expect(outcomes(fast: true) == general, "trial \(trial)")
        }
        #expect(fastTaken > plainWritten / 3, "the fast path took \(fastTaken) of \(plainWritten) plain records")

        // CRLF line ends (spreadsheet exports) take the fast path too, without the CR.
        let crlf = CSVScanner(bytes: Array("id,amount\r\n1,2.5\r\n22,3\r\n".utf8) + Array(repeating: UInt8(ascii: " "), count: 16), name: "t.csv")
        _ = try crlf.readHeader()
        let first = try #require(crlf.nextPlainRecord())
        #expect(first.strings == ["1", "2.5"] && first.line == 2)
        let second = try #require(crlf.nextPlainRecord())
        #expect(second.strings == ["22", "3"] && second.line == 3)
        #expect(crlf.rawRecord() == Array("22,3".utf8))
    }

    /// A regular file is parsed in place from a memory mapping (``ByteSource/mapForScanning()``),
    /// its parsed pages given back as the scan moves on. On a file larger than that release
    /// step, with quoted fields whose `""` are collapsed in place, the records are those of the
    /// same bytes read from memory — at the default chunk size and a small one — and a second
    /// pass after ``CSVScanner/rewind()`` sees the file as written, not the first pass's edits.
    @Test func mappedFileMatchesMemoryAndRewinds() throws {
        var text = "id,date,note\n"
        var k = 0
        while text.utf8.count < 9 << 20 {
            text += k % 5 == 0 ? "\"c\"\"\(k)\",2020-01-\(k % 28 + 1),\"say \"\"hi\"\", twice\"\n" : "c\(k),2020-01-\(k % 28 + 1),plain \(k)\n"
            k += 1
        }
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("big.csv")
        try Data(text.utf8).write(to: url)
        let reference = try Self.scan(text)
        for chunk in [CSVScanner.Options.defaultChunkSize, 4096] {
            let scanner = try CSVScanner(path: url.path, options: CSVScanner.Options(chunkSize: chunk))
            for pass in 1...2 {
                var records: [(line: Int, fields: [String])] = []
                while let record = try scanner.nextPlainRecord() ?? scanner.nextRecord() {
                    records.append((record.line, record.strings))
                }
                #expect(records.count == reference.records.count, "chunk \(chunk), pass \(pass)")
                #expect(records.map(\.fields) == reference.records.map(\.fields), "chunk \(chunk), pass \(pass)")
                #expect(records.map(\.line) == reference.records.map(\.line), "chunk \(chunk), pass \(pass)")
                #expect(scanner.bytesRead == text.utf8.count)
                if pass == 1 { #expect(try scanner.rewind()) }
            }
        }
    }
}
