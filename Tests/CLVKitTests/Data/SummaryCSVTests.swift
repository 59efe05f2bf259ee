import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

@Suite struct SummaryCSVTests {
    typealias S = DataTestSupport

    static func read(_ csv: String, unit: TimeUnit = .week) throws(DataError) -> CustomerSummaryTable {
        try SummaryCSV.read(bytes: Array(csv.utf8), name: "s.csv", unit: unit)
    }

    static func failure(_ csv: String) -> DataError? {
        S.error { () throws(DataError) in try read(csv) }
    }

    // MARK: Writing

    @Test func numberFormatting() throws {
        #expect(SummaryCSV.format(2) == "2")
        #expect(SummaryCSV.format(0) == "0")
        #expect(SummaryCSV.format(-0.0) == "0")
        #expect(SummaryCSV.format(-3) == "-3")
        #expect(SummaryCSV.format(38.857142857142854) == "38.857142857142854")
        #expect(SummaryCSV.format(272.0 / 7.0) == "38.857142857142854")
        #expect(SummaryCSV.format(0.1) == "0.1")
        #expect(SummaryCSV.format(1e20) == "1e+20")
        #expect(SummaryCSV.format(1e-7) == "1e-07")
        // Shortest round trip: every printed value reads back bit for bit.
        var rng = DataTestRNG(seed: 5)
        for _ in 0..<50_000 {
            let x = Double(bitPattern: rng.next())
            guard x.isFinite else { continue }
            #expect(NumberField.parseDouble(SummaryCSV.format(x))?.bitPattern == (x == 0 ? 0.0 : x).bitPattern)
        }
    }

    @Test func writtenColumns() throws {
        let plain = CustomerSummaryTable(unit: .week, customerIDs: ["a", "b,c", "say \"hi\""], frequency: [2, 0, 1],
                                         recency: [30.428571428571427, 0, 1], T: [38.857142857142854, 10, 5],
                                         monetaryValue: [22.345, 0, 7])
        #expect(SummaryCSV.render(plain) == #"""
            customer_id,frequency,recency,T,monetary_value
            a,2,30.428571428571427,38.857142857142854,22.345
            "b,c",0,0,10,0
            "say ""hi""",1,1,5,7

            """#)
        var noMoney = plain
        noMoney.monetaryValue = nil
        noMoney.holdout = HoldoutColumns(frequency: [1, 0, 3], monetaryValue: nil, duration: 39)
        #expect(SummaryCSV.render(noMoney).hasPrefix("customer_id,frequency,recency,T,frequency_holdout,duration_holdout\na,2,30.428571428571427,38.857142857142854,1,39\n"))
        var weighted = plain
        weighted.holdout = HoldoutColumns(frequency: [1, 0, 3], monetaryValue: [26.48, 0, 1.5], duration: 39)
        weighted.weight = [1, 3, 1]
        #expect(SummaryCSV.render(weighted).hasPrefix("customer_id,frequency,recency,T,monetary_value,frequency_holdout,monetary_value_holdout,duration_holdout,weight\na,2,30.428571428571427,38.857142857142854,22.345,1,26.48,39,1\n"))
    }

    /// Written then read: every column identical (bit for bit, thanks to shortest round-trip
    /// printing), for a summary with holdout, weights, awkward ids, and for one without amounts.
    @Test func writerReaderRoundTrip() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = RFMOptions(unit: .week, calibrationEnd: S.date("2020-01-10"))
        let summary = try S.summarize(RFMSummarizerTests.splitLog, options)
        var tables = [summary]
        var weighted = summary
        weighted.weight = [2.5, 1]
        weighted.customerIDs = ["id, with \"comma\"", "é"]
        tables.append(weighted)
        options.amountColumn = nil
        tables.append(try S.summarize("customer_id,date\nx,2020-01-01\nx,2020-01-05\ny,2020-01-12\n", options))
        for (n, table) in tables.enumerated() {
            let url = dir.appendingPathComponent("summary\(n).csv")
            try SummaryCSV.write(table, to: url.path)
            var back = try SummaryCSV.read(path: url.path, unit: .week)
            back.provenance = table.provenance   // not stored in the CSV
            #expect(back == table)
        }
    }

    /// A large file is read in two parts on two threads; whatever the file, the outcome — the
    /// table, or the error message with its line — is the one-pass reader's: ids made of row
    /// numbers continue across the split, a bad row in either part, the first bad row when both
    /// parts have one, and a holdout duration that changes in the second part (named with the
    /// line of the first row). A file holding a quote is left to the one-pass reader.
    @Test func twoPartReadMatchesOnePass() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = DataTestRNG(seed: 9)
        func summary(rows: Int, ids: Bool, edit: (Int) -> String? = { _ in nil }) -> String {
            var text = (ids ? "customer_id," : "") + "frequency,recency,T,monetary_value,frequency_holdout,monetary_value_holdout,duration_holdout,weight\n"
            for i in 0..<rows {
                if let line = edit(i) { text += line + "\n"; continue }
                let x = Int.random(in: 0...20, using: &rng)
                let t = x == 0 ? 0 : Double(Int.random(in: 0...300, using: &rng)) / 7
                text += (ids ? "c\(i * 31)," : "")
                text += "\(x),\(t),\(t + Double(Int.random(in: 0...100, using: &rng)) / 3),\(Double(Int.random(in: 0...99_999, using: &rng)) / 100),"
                text += "\(Int.random(in: 0...4, using: &rng)),\(Double(Int.random(in: 0...5000, using: &rng)) / 7),26,\(Int.random(in: 1...3, using: &rng))\n"
            }
            return text
        }
        func outcome(_ body: () throws(DataError) -> CustomerSummaryTable?) -> String {
            do throws(DataError) {
                guard let table = try body() else { return "not applicable" }
                return SummaryCSV.render(table)
            } catch {
                return "error: \(error.description)"
            }
        }
        let texts: [(String, String)] = [
            ("plain", summary(rows: 3000, ids: true)),
            ("row numbers as ids", summary(rows: 3001, ids: false)),
            ("bad row in the second part", summary(rows: 3000, ids: true) { $0 == 2500 ? "c,1,x,3,4,0,0,26,1" : nil }),
            ("bad rows in both parts", summary(rows: 3000, ids: true) { $0 == 700 || $0 == 2600 ? "c,-1,0,3,4,0,0,26,1" : nil }),
            ("duration changes in the second part", summary(rows: 3000, ids: true) { $0 == 2900 ? "c,0,0,3,4,0,0,27,1" : nil }),
            ("wrong field count in the second part", summary(rows: 3000, ids: true) { $0 == 2999 ? "c,0,0" : nil }),
            ("blank lines", summary(rows: 3000, ids: true) { $0 % 400 == 0 ? "" : nil }),
        ]
        for (name, text) in texts {
            let url = dir.appendingPathComponent("summary.csv")
            try Data(text.utf8).write(to: url)
            let onePass = outcome { () throws(DataError) in try SummaryCSV.read(bytes: Array(text.utf8), name: url.path, unit: .week) }
            let twoParts = outcome { () throws(DataError) in
                try SummaryCSV.readInTwoParts(path: url.path, unit: .week, options: CSVScanner.Options(), minimumBytes: 0)
            }
            #expect(twoParts == onePass, "\(name)")
            #expect(twoParts.hasPrefix("error") == name.contains("bad") || name.contains("changes") || name.contains("count"), "\(name)")
        }
        // A semicolon- or tab-separated summary, its delimiter found in the header line: both
        // parts read with it (the second part has no header to find it in).
        let commas = summary(rows: 3000, ids: true)
        let reference = outcome { () throws(DataError) in try SummaryCSV.read(bytes: Array(commas.utf8), name: "other.csv", unit: .week) }
        for delimiter in [";", "\t"] {
            let text = commas.replacingOccurrences(of: ",", with: delimiter)
            let url = dir.appendingPathComponent("other.csv")
            try Data(text.utf8).write(to: url)
            let detecting = CSVScanner.Options(detectsDelimiter: true)
            let onePass = outcome { () throws(DataError) in try SummaryCSV.read(bytes: Array(text.utf8), name: "other.csv", unit: .week, options: detecting) }
            let twoParts = outcome { () throws(DataError) in
                try SummaryCSV.readInTwoParts(path: url.path, unit: .week, options: detecting, minimumBytes: 0)
            }
            #expect(!onePass.hasPrefix("error") && twoParts == onePass && onePass == reference, "delimiter \(delimiter)")
        }
        let quoted = summary(rows: 3000, ids: true) { $0 == 10 ? "\"c,10\",0,0,3,4,0,0,26,1" : nil }
        let url = dir.appendingPathComponent("quoted.csv")
        try Data(quoted.utf8).write(to: url)
        #expect(try SummaryCSV.readInTwoParts(path: url.path, unit: .week, options: CSVScanner.Options(), minimumBytes: 0) == nil)
    }

    // MARK: Reading

    @Test func minimalSummaryGetsRowNumbersAsIDs() throws {
        let t = try Self.read("frequency,recency,T\n2,30.43,38.86\n0,0,38.86\n")
        #expect(t.customerIDs == ["1", "2"])
        #expect(t.frequency == [2, 0])
        #expect(t.monetaryValue == nil)
        #expect(t.weight == [1, 1])
        #expect(t.holdout == nil)
        #expect(t.unit == .week)
        #expect(try Self.read("frequency,recency,T\n1,1,2\n", unit: .day).unit == .day)
    }

    @Test func acceptedColumnNames() throws {
        let published = try Self.read("ID,frequency,recency,T\n7,1,1.71,38.86\n")
        #expect(published.customerIDs == ["7"])
        let donations = try Self.read("frequency,recency,periods,weights,T\n1,1,6,1091,6\n")
        #expect(donations.weight == [1091])
        let lifetimesCal = try Self.read("customer_id,frequency_cal,recency_cal,T_cal,monetary_value_cal,frequency_holdout,monetary_value_holdout,duration_holdout\n1,2,30.4,38.9,22.345,1,26.48,39\n")
        #expect(lifetimesCal.frequency == [2])
        #expect(lifetimesCal.monetaryValue == [22.345])
        #expect(lifetimesCal.holdout == HoldoutColumns(frequency: [1], monetaryValue: [26.48], duration: 39))
        let reordered = try Self.read(" T ,recency,extra,frequency,id\n5,1,zz,1,q\n")
        #expect(reordered.T == [5] && reordered.customerIDs == ["q"])
    }

    @Test func missingRequiredColumn() throws {
        let e = try #require(Self.failure("customer_id,frequency,recency\n1,0,0\n"))
        #expect(e.description == "s.csv:1: field 'T': the header has no column 'T' (or 'T_cal' or 'periods'); its columns are: 'customer_id', 'frequency', 'recency'")
    }

    @Test func holdoutColumnsAllOrNone() throws {
        let partial = try #require(Self.failure("frequency,recency,T,frequency_holdout\n0,0,1,0\n"))
        #expect(partial.line == 1 && partial.field == "duration_holdout")
        #expect(partial.message.contains("give frequency_holdout, duration_holdout, or none of them"))
        let noMoney = try #require(Self.failure("frequency,recency,T,monetary_value,frequency_holdout,duration_holdout\n0,0,1,0,0,39\n"))
        #expect(noMoney.field == "monetary_value_holdout")
        let moneyOnlyInHoldout = try #require(Self.failure("frequency,recency,T,frequency_holdout,monetary_value_holdout,duration_holdout\n0,0,1,0,0,39\n"))
        #expect(moneyOnlyInHoldout.message == "the header has 'monetary_value_holdout' but no 'monetary_value' column")
        let varying = try #require(Self.failure("frequency,recency,T,frequency_holdout,duration_holdout\n0,0,1,0,39\n0,0,1,0,38\n"))
        #expect(varying.description == "s.csv:3: field 'duration_holdout': the holdout duration is 38 here but 39 on line 2 (it is the same for every customer)")
    }

    /// Each rule, with the file, line, column and rule in the message.
    @Test func rowValidation() throws {
        let header = "customer_id,frequency,recency,T,monetary_value,weight,frequency_holdout,monetary_value_holdout,duration_holdout\n"
        let good = "a,2,3,4,5,1,1,2,39\n"
        let cases: [(row: String, field: String, message: String)] = [
            ("b,-1,3,4,5,1,1,2,39", "frequency", "frequency must be a whole number ≥ 0 (the number of repeat purchases), not -1"),
            ("b,1.5,3,4,5,1,1,2,39", "frequency", "frequency must be a whole number ≥ 0 (the number of repeat purchases), not 1.5"),
            ("b,nan,3,4,5,1,1,2,39", "frequency", "\"nan\" is not a finite number"),
            ("b,2,5,4,5,1,1,2,39", "recency", "recency 5 is greater than T 4 (the last purchase must fall within the observation window)"),
            ("b,2,-1,4,5,1,1,2,39", "recency", "recency must be ≥ 0 (time from the first to the last purchase), not -1"),
            ("b,2,0,-4,5,1,1,2,39", "T", "T must be ≥ 0 (time from the first purchase to the end of the window), not -4"),
            ("b,0,3,4,0,1,0,0,39", "recency", "recency must be 0 when frequency is 0 (a customer without repeat purchases has no time between purchases), not 3"),
            ("b,2,3,4,-5,1,1,2,39", "monetary_value", "the monetary value must be ≥ 0, not -5"),
            ("b,2,3,4,inf,1,1,2,39", "monetary_value", "\"inf\" is not a finite number"),
            ("b,2,3,4,5,0,1,2,39", "weight", "the weight must be > 0 (the number of customers the row stands for), not 0"),
            ("b,2,3,4,5,-2,1,2,39", "weight", "the weight must be > 0 (the number of customers the row stands for), not -2"),
            ("b,2,3,4,5,1,0.5,2,39", "frequency_holdout", "the holdout frequency must be a whole number ≥ 0 (the number of holdout purchase days), not 0.5"),
            ("b,2,3,4,5,1,1,-2,39", "monetary_value_holdout", "the holdout monetary value must be ≥ 0, not -2"),
            ("b,2,3,4,5,1,1,2,x", "duration_holdout", "\"x\" is not a number"),
            ("b,2,3,,5,1,1,2,39", "T", "the value is empty (a number is required)"),
        ]
        for c in cases {
            let e = try #require(Self.failure(header + good + c.row + "\n"), "\(c.row)")
            #expect(e.file == "s.csv" && e.line == 3 && e.field == c.field, "\(c.row): \(e)")
            #expect(e.message == c.message, "\(c.row)")
            #expect(e.description == "s.csv:3: field '\(c.field)': \(c.message)")
        }
        #expect(try Self.read(header + good).count == 1)
    }

    @Test func emptySummaries() throws {
        let empty = try #require(Self.failure(""))
        #expect(empty.description == "s.csv: the summary is empty (expected a header line with the columns frequency, recency, T)")
        let headerOnly = try #require(Self.failure("frequency,recency,T\n"))
        #expect(headerOnly.description == "s.csv: the summary has a header but no rows")
        let missing = S.error { () throws(DataError) in try SummaryCSV.read(path: "/nonexistent/s.csv", unit: .week) }
        #expect(missing?.kind == .missingInput)
    }

    // MARK: Summaries written by lifetimes

    /// pandas writes a summary's index first, named after the transactions' id column or not at
    /// all: that column is the id, whatever its name.
    @Test func pandasIndexIsTheID() throws {
        let named = try Self.read("CustomerID,frequency,recency,T,monetary_value\nA7,1,2,5,10.5\nB8,0,0,5,0\n")
        #expect(named.customerIDs == ["A7", "B8"])
        let unnamed = try Self.read(",frequency,recency,T\n17,1,2,5\n18,0,0,5\n")
        #expect(unnamed.customerIDs == ["17", "18"])
        // A known column first is never taken for an id.
        let noID = try Self.read("frequency,recency,T,note\n1,2,5,x\n")
        #expect(noID.customerIDs == ["1"])
    }

    /// lifetimes' own `datasets/cdnow_customers_summary.csv` (`ID,frequency,recency,T`, weeks)
    /// and `donations.csv` (`frequency,recency,periods,weights`) read as they are. The sums are
    /// those of the files (awk), not of clvfit: 2357 customers, Σ frequency 2457; 22 patterns
    /// standing for 11,104 donors, 6 opportunities each.
    @Test func lifetimesDatasetsReadAsTheyAre() throws {
        let cdnow = try SummaryCSV.read(path: S.requireDataset("cdnow_customers_summary.csv").path, unit: .week)
        #expect(cdnow.count == 2357)
        #expect(cdnow.customerIDs == (1...2357).map(String.init))
        #expect(cdnow.frequency.reduce(0, +) == 2457)
        #expect(cdnow.monetaryValue == nil && cdnow.holdout == nil)
        #expect(cdnow.weight.allSatisfy { $0 == 1 })
        #expect(cdnow.recency[0] == 30.43 && cdnow.T[0] == 38.86)

        let donations = try SummaryCSV.read(path: S.requireDataset("donations.csv").path, unit: .week)
        #expect(donations.count == 22)
        #expect(donations.customerCount == 11104)
        #expect(donations.T.allSatisfy { $0 == 6 })
        #expect(donations.customerIDs == (1...22).map(String.init))
    }

    /// Without a header line (`columns`, `score --no-header`) the rows read as with one; a header
    /// and no rows is an empty table only when asked for (`allowsEmpty`), an error otherwise.
    @Test func headerlessAndEmptySummaries() throws {
        let text = "customer_id,frequency,recency,T,monetary_value\na,2,30.5,38,20.25\nb,0,0,38,0\n"
        let withHeader = try SummaryCSV.read(bytes: Array(text.utf8), name: "s.csv", unit: .week)
        let body = String(text.split(separator: "\n", maxSplits: 1)[1])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("headerless-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(body.utf8).write(to: url)
        let headerless = try SummaryCSV.read(path: url.path, unit: .week, columns: ["customer_id", "frequency", "recency", "T", "monetary_value"])
        #expect(headerless == withHeader)
        let empty = "customer_id,frequency,recency,T\n"
        #expect(try SummaryCSV.read(scanner: CSVScanner(bytes: Array(empty.utf8), name: "e.csv"), unit: .week, allowsEmpty: true).count == 0)
        #expect(throws: DataError.self) { try SummaryCSV.read(bytes: Array(empty.utf8), name: "e.csv", unit: .week) }
        try Data().write(to: url)
        let nothing = try SummaryCSV.read(path: url.path, unit: .week, columns: ["customer_id", "frequency", "recency", "T"], allowsEmpty: true)
        #expect(nothing.count == 0 && nothing.monetaryValue == nil)
    }
}
