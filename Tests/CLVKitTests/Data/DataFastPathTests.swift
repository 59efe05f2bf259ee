import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// The byte-level shortcuts of the data stage give the same results as the plain code they
/// replace: the summary writer's number and id formatting, and the date-field memo.
@Suite struct DataFastPathTests {
    /// The bytes the summary writer appends for a number are ``SummaryCSV/format(_:)``'s, for
    /// every kind of double: whole numbers around 2^53, shortest round-trip forms of random bit
    /// patterns, negative zero, infinities and NaN.
    @Test func writerNumbersAreFormatsBytes() {
        var rng = DataTestRNG(seed: 3)
        var values: [Double] = [0, -0.0, 1, -1, 2, 0.5, 38.857142857142854, 1e20, 1e-7, 9_007_199_254_740_991,
                                9_007_199_254_740_992, -9_007_199_254_740_992, 9_007_199_254_740_994, 1e300,
                                .infinity, -.infinity, .nan, .greatestFiniteMagnitude, .leastNonzeroMagnitude,
                                Double(Int64.max), Double(Int64.min), -123_456_789]
        for _ in 0..<200_000 { values.append(Double(bitPattern: rng.next())) }
        for _ in 0..<100_000 { values.append(Double(Int64.random(in: -(1 << 54)...(1 << 54), using: &rng))) }
        for _ in 0..<100_000 { values.append(Double(Int.random(in: 0...100_000, using: &rng)) / 7) }
        // Short decimals and their neighbours (the four-decimal fast path), at every scale of
        // its range and just outside it.
        for _ in 0..<100_000 {
            let v = Double(Int.random(in: -10_000_000...100_000_000_000, using: &rng)) / [10, 100, 1000, 10_000, 100_000][Int.random(in: 0..<5, using: &rng)]
            values += [v, v.nextUp, v.nextDown, v / 1000, v * 1000]
        }
        values += [0.001, 0.00099999, 0.0005, 999_999_999.9999, 1e9 - 0.5, 1e9 + 0.5, 0.1, 0.3, 2.675, 1.005, -0.05]
        var failures: [String] = []
        for v in values {
            var sink = SummaryCSV.ByteSink(capacity: 0)
            SummaryCSV.appendNumber(v, after: UInt8(ascii: ","), to: &sink)
            let written = sink.withBytes { String(decoding: $0, as: UTF8.self) }
            if written != "," + SummaryCSV.format(v), failures.count < 20 {
                failures.append("\(v.bitPattern): \(written) vs \(SummaryCSV.format(v))")
            }
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    /// A field as RFC 4180 writes it, by the plainest rule: quoted (quotes doubled) when it
    /// holds a comma, quote, CR or LF, or is empty.
    static func plainField(_ text: String) -> [UInt8] {
        guard text.isEmpty || text.contains(where: { ",\"\n\r".contains($0) }) || text.utf8.contains(0x0D) else {
            return Array(text.utf8)
        }
        return Array(("\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"").utf8)
    }

    /// Ids are written as ``plainField(_:)`` writes them (quoted when needed), and a rendered
    /// table grows its buffer correctly from a tiny start.
    @Test func writerIDsAndBufferGrowth() {
        #expect(Self.plainField("a,b") == Array("\"a,b\"".utf8) && Self.plainField("") == Array("\"\"".utf8))
        for id in ["", "a", "a,b", "say \"hi\"", "line\nbreak", "cr\r", "é-ü-中", "12345678901234567890"] {
            let expected = Self.plainField(id)
            var sink = SummaryCSV.ByteSink(capacity: 1)
            var text = id
            text.withUTF8 { SummaryCSV.appendField($0, to: &sink) }
            #expect(sink.withBytes { Array($0) } == expected, "\(id)")
        }
        var sink = SummaryCSV.ByteSink(capacity: 1)
        var expected: [UInt8] = []
        for k in 0..<10_000 {
            sink.appendInteger(Int64(k) * 7919 - 30_000)
            sink.append(UInt8(ascii: ";"))
            expected += Array("\(Int64(k) * 7919 - 30_000);".utf8)
        }
        #expect(sink.withBytes { Array($0) } == expected)
    }

    /// A table large enough to be written in several parts on two threads is written exactly
    /// as the plain per-row formatting (``SummaryCSV/format(_:)``, ``plainField(_:)``) renders
    /// it, with holdout columns, amounts and weights,
    /// and ids that need quoting; so is its rendering in memory.
    @Test func largeTableRendersAsThePlainFormatting() throws {
        var rng = DataTestRNG(seed: 120)
        let n = 3 * SummaryCSV.rowsPerPart + 17
        var ids: [String] = [], x: [Double] = [], t: [Double] = [], big: [Double] = [], m: [Double] = []
        var hx: [Double] = [], hm: [Double] = [], w: [Double] = []
        for i in 0..<n {
            ids.append(i % 1000 == 0 ? "id,\"\(i)\"" : "\(i * 7919)")
            x.append(Double(Int.random(in: 0...30, using: &rng)))
            t.append(Double(Int.random(in: 0...500, using: &rng)) / 7)
            big.append(Double(Int.random(in: 0...900, using: &rng)) / 7 + 500)
            m.append(Double(Int.random(in: 0...1_000_000, using: &rng)) / 300)
            hx.append(Double(Int.random(in: 0...5, using: &rng)))
            hm.append(Double(Int.random(in: 0...10_000, using: &rng)) / 100)
            w.append(i % 3 == 0 ? 1 : Double(Int.random(in: 1...9, using: &rng)))
        }
        let table = CustomerSummaryTable(unit: .week, customerIDs: ids, frequency: x, recency: t, T: big,
                                         monetaryValue: m, weight: w,
                                         holdout: HoldoutColumns(frequency: hx, monetaryValue: hm, duration: 39.5))
        var expected: [UInt8] = Array("customer_id,frequency,recency,T,monetary_value,frequency_holdout,monetary_value_holdout,duration_holdout,weight\n".utf8)
        for i in 0..<n {
            expected += Self.plainField(ids[i])
            for v in [x[i], t[i], big[i], m[i], hx[i], hm[i], 39.5, w[i]] {
                expected.append(UInt8(ascii: ","))
                expected += Array(SummaryCSV.format(v).utf8)
            }
            expected.append(0x0A)
        }
        #expect(SummaryCSV.renderBytes(table) == expected)
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("summary.csv").path
        try SummaryCSV.write(table, to: path)
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: path))) == expected)
    }

    /// The word-at-a-time ASCII check agrees with a byte loop for every length around its word
    /// boundaries and a high byte at any position (or none).
    @Test func asciiCheckMatchesTheByteLoop() {
        var rng = DataTestRNG(seed: 47)
        for n in 0...40 {
            for _ in 0..<200 {
                var bytes = (0..<n).map { _ in UInt8.random(in: 0...0x7F, using: &rng) }
                if n > 0 && Bool.random(using: &rng) {
                    bytes[Int.random(in: 0..<n, using: &rng)] = UInt8.random(in: 0x80...0xFF, using: &rng)
                }
                let expected = bytes.allSatisfy { $0 < 0x80 }
                #expect(bytes.withUnsafeBufferPointer { TransactionLog.isASCII($0) } == expected, "\(bytes)")
            }
        }
    }

    /// The memo that skips re-parsing a repeated date field recognises exactly the remembered
    /// bytes (same length, same content), for lengths around its word boundaries.
    @Test func fieldMemoMatchesExactlyTheRememberedField() {
        var rng = DataTestRNG(seed: 31)
        for _ in 0..<20_000 {
            let a = (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0x2D...0x39, using: &rng) }
            var b = a
            switch Int.random(in: 0...3, using: &rng) {
            case 0: break
            case 1: if !b.isEmpty { b[Int.random(in: 0..<b.count, using: &rng)] ^= 1 }
            case 2: b.append(0)
            default: if !b.isEmpty { b.removeLast() }
            }
            var memo = FieldMemo()
            a.withUnsafeBufferPointer { memo.remember($0) }
            let remembered = !a.isEmpty && a.count <= 32
            #expect(b.withUnsafeBufferPointer { memo.matches($0) } == (remembered && a == b), "\(a) / \(b)")
        }
    }
}
