import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// Bad rows, one class at a time: by default the first one stops the read with a message naming
/// file, line and field; with `.skip` the read leaves out exactly the bad lines, lists them as
/// written, and gives the summary of the good rows — unless too many are bad.
@Suite struct RejectedRowsTests {
    typealias S = DataTestSupport

    static let header = "customer_id,date,amount\n"
    static let good = ["1,2024-03-01,10", "1,2024-03-04,2.5", "2,2024-03-02,7", "3,2024-03-03,1", "2,2024-03-09,4"]
    static let megabyteAmount = "4,2024-03-05," + String(repeating: "9", count: 1 << 20) + "x"

    /// One bad row of each class, with the message it gives.
    static let classes: [(name: String, row: [UInt8], message: String)] = [
        ("short row", Array("4,2024-03-05".utf8), "tx.csv:LINE: line LINE has 2 fields, the header has 3"),
        ("long row", Array("4,2024-03-05,1,extra".utf8), "tx.csv:LINE: line LINE has 4 fields, the header has 3"),
        ("bad date", Array("4,2024-02-30,1".utf8), "tx.csv:LINE: field 'date': \"2024-02-30\" is not a valid date: February 2024 has 29 days"),
        ("bad amount", Array("4,2024-03-05,\"12,5x\"".utf8), "tx.csv:LINE: field 'amount': \"12,5x\" is not a number (write the decimal separator as '.', without thousands separators)"),
        ("NaN amount", Array("4,2024-03-05,NaN".utf8), "tx.csv:LINE: field 'amount': \"NaN\" is not a finite number"),
        ("inf amount", Array("4,2024-03-05,-inf".utf8), "tx.csv:LINE: field 'amount': \"-inf\" is not a finite number"),
        ("overflowing amount", Array("4,2024-03-05,1e400".utf8), "tx.csv:LINE: field 'amount': \"1e400\" is not a finite number (it overflows a double)"),
        ("negative amount", Array("4,2024-03-05,-3.50".utf8), "tx.csv:LINE: field 'amount': \"-3.50\" is negative: a refund is not a purchase (remove refunds, or net them against their purchases, before summarizing)"),
        ("empty id", Array(",2024-03-05,1".utf8), "tx.csv:LINE: field 'customer_id': the customer id is empty (--on-bad-row skip leaves such rows out)"),
        ("non-UTF-8 id", [0x34, 0xFF, 0xFE] + Array(",2024-03-05,1".utf8), "tx.csv:LINE: field 'customer_id': the customer id is not valid UTF-8"),
        ("1 MB line", Array(megabyteAmount.utf8), "tx.csv:LINE: field 'amount': \"" + String(repeating: "9", count: 60) + "…\" is not a number"),
        ("unterminated quote", Array("4,2024-03-05,\"1".utf8), "tx.csv:LINE: field 'amount': unterminated quoted field: the quote opened on line LINE is never closed"),
    ]

    /// The log: the good rows with `bad` inserted as line `line` (an unterminated quote goes
    /// last, where it is unterminated).
    static func log(_ bad: [UInt8], at index: Int) -> [UInt8] {
        var rows = good.map { Array($0.utf8) }
        rows.insert(bad, at: index)
        return Array(header.utf8) + rows.flatMap { $0 + [0x0A] }
    }

    static func read(_ bytes: [UInt8], _ policy: BadRowPolicy, chunkSize: Int = 1 << 20) throws(DataError) -> RFMSummarizer.Outcome {
        var options = RFMOptions(badRows: policy)
        options.csv.chunkSize = chunkSize
        return try RFMSummarizer.read(csv: bytes, name: "tx.csv", options: options)
    }

    @Test func eachClassStopsTheReadWithItsMessage() throws {
        for (name, row, message) in Self.classes {
            let index = name == "unterminated quote" ? Self.good.count : 2
            let line = index + 2
            let e = S.error { () throws(DataError) in try Self.read(Self.log(row, at: index), .stop) }
            #expect(e?.kind == .badData, "\(name)")
            #expect(e?.description == message.replacingOccurrences(of: "LINE", with: "\(line)"), "\(name)")
            #expect((e?.description.count ?? 0) < 300, "\(name): the message stays short")
        }
    }

    /// Skipping: the summary is that of the good rows, and the rejects are exactly the bad line,
    /// byte for byte, with its line number and reason.
    @Test(arguments: [1 << 20, 7])
    func eachClassIsSkippedAndListed(chunkSize: Int) throws {
        let reference = try Self.read(Array((Self.header + Self.good.joined(separator: "\n") + "\n").utf8), .stop).table
        for (name, row, message) in Self.classes {
            let index = name == "unterminated quote" ? Self.good.count : 2
            let outcome = try Self.read(Self.log(row, at: index), .skip(maxFraction: 0.5), chunkSize: chunkSize)
            #expect(outcome.table == reference, "\(name)")
            #expect(outcome.rows == Self.good.count + 1, "\(name)")
            #expect(outcome.rejected.count == 1, "\(name)")
            let reject = try #require(outcome.rejected.first)
            #expect(reject.line == index + 2, "\(name)")
            #expect(reject.raw == row, "\(name)")
            #expect(reject.error.description == message.replacingOccurrences(of: "LINE", with: "\(index + 2)"), "\(name)")
        }
    }

    /// Found by fuzzing (Tests/Fuzz/crashes/transaction-log/): a record refused before the end
    /// of its line had been read (text after a closing quote, seen in an early chunk) was cut
    /// where the buffer ended, and the scan went on in the middle of the line, so that with
    /// small chunks the rejected text was short and the rest of the line became more rejects.
    @Test(arguments: [1, 3, 7, 1 << 20])
    func aLineRefusedEarlyIsSkippedWholeWhateverTheChunkSize(chunkSize: Int) throws {
        let reference = try Self.read(Array((Self.header + Self.good.joined(separator: "\n") + "\n").utf8), .stop).table
        let row = Array("4,\"2024-03-05\"x,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20".utf8)
        let outcome = try Self.read(Self.log(row, at: 2), .skip(maxFraction: 0.5), chunkSize: chunkSize)
        #expect(outcome.table == reference)
        #expect(outcome.rejected.count == 1)
        let reject = try #require(outcome.rejected.first)
        #expect(reject.line == 4)
        #expect(reject.raw == row)
        #expect(reject.error.description == "tx.csv:4: field 'date': unexpected text after the closing quote of a quoted field (write a quote inside a quoted field as \"\")")
    }

    /// Header problems are not row problems: skipping does not apply.
    @Test func fileLevelProblemsStopEvenWhenSkipping() throws {
        let missing = S.error { () throws(DataError) in try Self.read(Array("customer_id,day,amount\n1,2024-03-01,1\n".utf8), .skip(maxFraction: 1)) }
        #expect(missing?.description == "tx.csv:1: field 'date': the header has no column 'date'; its columns are: 'customer_id', 'day', 'amount'")
        let empty = S.error { () throws(DataError) in try Self.read([], .skip(maxFraction: 1)) }
        #expect(empty?.description == "tx.csv: no transactions: the file is empty (expected a header line such as customer_id,date,amount)")
        let headerOnly = S.error { () throws(DataError) in try Self.read(Array(Self.header.utf8), .skip(maxFraction: 1)) }
        #expect(headerOnly?.description == "tx.csv: no transactions: the file has a header but no rows")
    }

    /// Many bad rows among good ones, out of order and across chunk boundaries: every one is
    /// listed, in file order, and the summary equals that of the good rows alone.
    @Test func manyBadRowsAreListedInOrder() throws {
        var rng = DataTestRNG(seed: 7)
        var lines: [[UInt8]] = [], goodLines: [String] = [], badLines: [Int] = []
        for i in 0..<3000 {
            if rng.next() % 10 == 0 {
                let (_, row, _) = Self.classes[Int(rng.next() % UInt64(Self.classes.count - 2))]   // not the 1 MB line or the open quote
                lines.append(row)
                badLines.append(i + 2)
            } else {
                let line = "c\(rng.next() % 300),2024-\(String(format: "%02d", 1 + Int(rng.next() % 12)))-1\(rng.next() % 9),\(rng.next() % 100)"
                lines.append(Array(line.utf8))
                goodLines.append(line)
            }
        }
        let bytes = Array(Self.header.utf8) + lines.flatMap { $0 + [0x0A] }
        let outcome = try Self.read(bytes, .skip(maxFraction: 0.2), chunkSize: 97)
        #expect(outcome.rejected.map(\.line) == badLines)
        #expect(outcome.rejected.map(\.raw) == badLines.map { lines[$0 - 2] })
        #expect(outcome.rows == 3000)
        let reference = try Self.read(Array((Self.header + goodLines.joined(separator: "\n") + "\n").utf8), .stop).table
        #expect(outcome.table.customerIDs == reference.customerIDs)
        #expect(outcome.table.frequency == reference.frequency && outcome.table.recency == reference.recency)
        #expect(outcome.table.monetaryValue == reference.monetaryValue)
    }

    /// With the reader thread (``RFMSummarizer/addAll(from:)``'s two-thread path), the rejects
    /// are the same, in file order.
    @Test func skippingOnTheReaderThread() throws {
        var text = Self.header
        var badLines: [Int] = []
        for i in 0..<5000 {
            if i % 37 == 5 {
                text += "c\(i % 50),2024-03-0\(1 + i % 9),x\(i)\n"
                badLines.append(i + 2)
            } else {
                text += "c\(i % 50),2024-03-0\(1 + i % 9),\(i % 13)\n"
            }
        }
        var options = RFMOptions(badRows: .skip(maxFraction: 0.05))
        options.csv.chunkSize = 1000
        for threshold in [nil, 0, 700] as [Int?] {
            let log = try TransactionLog(bytes: Array(text.utf8), name: "tx.csv", options: options)
            var summarizer = RFMSummarizer(options: options)
            summarizer.parallelAfterRows = threshold
            try summarizer.addAll(from: log)
            #expect(log.rejected.map(\.line) == badLines, "threshold \(threshold as Any)")
            #expect(log.rowsRead == 5000 - badLines.count)
        }
    }

    /// More than the allowed fraction fails, quoting the first bad row; exactly the fraction passes.
    @Test func tooManyBadRowsFail() throws {
        let bad = Self.log(Array("4,2024-03-05,oops".utf8), at: 1)       // 1 bad of 6 rows
        #expect(try Self.read(bad, .skip(maxFraction: 1.0 / 6)).rejected.count == 1)
        let e = S.error { () throws(DataError) in try Self.read(bad, .skip(maxFraction: 0.1)) }
        #expect(e?.description == "tx.csv: 1 of 6 rows (16.67 %) are bad, more than the 0.1 allowed by --max-bad-fraction (raise it to go on); the first: tx.csv:3: field 'amount': \"oops\" is not a number")
    }

    /// The rejects file: `line,reason,row`, the row's bytes as they were, quotes doubled.
    @Test func rejectsFileFormat() throws {
        let outcome = try Self.read(Self.log(Array("4,\"2024-02-30\",\"a \"\"b\"\"\"".utf8), at: 0), .skip(maxFraction: 0.5))
        let text = String(decoding: RejectsCSV.render(outcome.rejected), as: UTF8.self)
        #expect(text == "line,reason,row\n2,\"field 'date': \"\"2024-02-30\"\" is not a valid date: February 2024 has 29 days\",\"4,\"\"2024-02-30\"\",\"\"a \"\"\"\"b\"\"\"\"\"\"\"\n")
        // Read back with the scanner, the row column is the line as written.
        let scanner = CSVScanner(bytes: Array(text.utf8), name: "rejects.csv")
        let record = try #require(try scanner.nextRecord())
        #expect(record.string(at: 2) == "4,\"2024-02-30\",\"a \"\"b\"\"\"")
    }

    // MARK: Decisions about rows that are not errors

    /// Zero amounts are purchases (a free item, a fully discounted order): they count as a
    /// purchase day and bring 0 to the mean.
    @Test func zeroAmountIsAPurchase() throws {
        let t = try S.summarize(Self.header + "1,2024-03-01,5\n1,2024-03-02,0\n1,2024-03-03,4\n")
        #expect(t.frequency == [2] && t.monetaryValue == [2])
    }

    /// Rows after the observation end are validated, not summarized, and counted.
    @Test func rowsAfterTheObservationEndAreCounted() throws {
        var options = RFMOptions()
        options.observationEnd = S.date("2024-03-05")
        let outcome = try RFMSummarizer.read(csv: Array((Self.header + "1,2024-03-01,5\n1,2024-03-09,4\n2,2024-04-01,1\n1,2024-03-04,2\n").utf8), name: "tx.csv", options: options)
        #expect(outcome.rowsAfterObservationEnd == 2)
        #expect(outcome.table.customerIDs == ["1"] && outcome.table.frequency == [1] && outcome.table.T == [4])
    }

    /// Duplicate lines are kept: two identical purchases on one day are one purchase day with
    /// the amounts summed (what lifetimes does); the frequency does not change.
    @Test func duplicateLinesAreKeptAndSummed() throws {
        let once = try S.summarize(Self.header + "1,2024-03-01,5\n1,2024-03-04,2\n")
        let twice = try S.summarize(Self.header + "1,2024-03-01,5\n1,2024-03-04,2\n1,2024-03-04,2\n")
        #expect(once.frequency == twice.frequency && once.recency == twice.recency)
        #expect(once.monetaryValue == [2] && twice.monetaryValue == [4])
    }
}
