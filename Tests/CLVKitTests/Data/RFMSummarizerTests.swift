import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// The summarizer on small hand-made logs whose summaries are worked out by hand in the
/// comments. Amounts are multiples of 1/4 (exact in binary), and times are small integers
/// divided by 1 or 7, so results are compared with `==`: the definitions leave no room for
/// rounding differences.
@Suite struct RFMSummarizerTests {
    typealias S = DataTestSupport

    static func row(_ table: CustomerSummaryTable, _ id: String) -> Int? {
        table.customerIDs.firstIndex(of: id)
    }

    @Test func sameDayPurchasesCollapse() throws {
        // a: days 1 (10 + 5), 5 (3 + 4), 10 (20) → x = 2, recency 9, T = 10 − 1 = 9,
        //    m̄ = (7 + 20) / 2 = 13.5. b: one day (2 + 2.25) → x = 0, m̄ = 0, T = 10 − 3 = 7.
        let t = try S.summarize("""
            customer_id,date,amount
            a,2020-01-01,10
            a,2020-01-01,5
            a,2020-01-05,3
            a,2020-01-05,4
            b,2020-01-03,2
            b,2020-01-03,2.25
            a,2020-01-10,20
            """)
        #expect(t.customerIDs == ["a", "b"])
        #expect(t.frequency == [2, 0])
        #expect(t.recency == [9, 0])
        #expect(t.T == [9, 7])
        #expect(t.monetaryValue == [13.5, 0])
        #expect(t.weight == [1, 1])
        #expect(t.holdout == nil)
        #expect(t.unit == .day)
        #expect(t.provenance == Provenance(firstDate: "2020-01-01", lastDate: "2020-01-10", calibrationEnd: nil,
                                           observationEnd: "2020-01-10", transactionRows: 7))
    }

    @Test func weeksDivideDaysBySeven() throws {
        var options = RFMOptions(unit: .week)
        options.observationEnd = S.date("2020-01-29")
        let t = try S.summarize("customer_id,date,amount\na,2020-01-01,1\na,2020-01-15,2\n", options)
        #expect(t.unit == .week)
        #expect(t.recency == [2])           // 14 days
        #expect(t.T == [4])                 // 28 days
        #expect(t.monetaryValue == [2])
        let u = try S.summarize("customer_id,date,amount\na,2020-01-01,1\na,2020-01-04,2\n", RFMOptions(unit: .week))
        #expect(u.recency == [3.0 / 7.0])   // the same division lifetimes does: days / 7
    }

    @Test func outOfOrderRowsGiveTheSameSummary() throws {
        // c's days in scrambled order: 9, 2, 5, 9, 7, 2, 4, 1 → distinct {1,2,4,5,7,9}: x = 5,
        // recency 8; first-day amount 8 (day 1), repeat sum 1+2+3+4+5+6+7 = 28 → m̄ = 28/5.
        let scrambled = """
            customer_id,date,amount
            c,2020-01-09,1
            c,2020-01-02,2
            d,2020-01-03,1
            c,2020-01-05,3
            c,2020-01-09,4
            c,2020-01-07,5
            c,2020-01-02,6
            c,2020-01-04,7
            c,2020-01-01,8
            """
        let t = try S.summarize(scrambled)
        #expect(t.customerIDs == ["c", "d"])
        #expect(t.frequency == [5, 0])
        #expect(t.recency == [8, 0])
        #expect(t.T == [8, 6])
        #expect(t.monetaryValue == [28.0 / 5.0, 0])

        // The same rows through the incremental API: the row for day 4 lands between days the
        // running state no longer knows, so a second pass is needed.
        let log = try TransactionLog(bytes: Array(scrambled.utf8), name: "tx.csv")
        var summarizer = RFMSummarizer(options: RFMOptions())
        while let row = try log.next() { summarizer.add(row) }
        #expect(summarizer.needsRecount)
        #expect(summarizer.customerCount == 2)
    }

    @Test func outOfOrderCasesResolvedWithoutASecondPass() throws {
        // A day between the only two known days (7 between 5 and 9), an earlier first day (1),
        // the first day again, the last day again, and a later day are all exact from the
        // running state.
        let log = try TransactionLog(bytes: Array("""
            customer_id,date,amount
            e,2020-01-05,1
            e,2020-01-09,2
            e,2020-01-07,3
            e,2020-01-01,4
            e,2020-01-01,5
            e,2020-01-09,6
            e,2020-01-12,7
            """.utf8), name: "tx.csv")
        var summarizer = RFMSummarizer(options: RFMOptions())
        while let row = try log.next() { summarizer.add(row) }
        #expect(!summarizer.needsRecount)
        let t = try summarizer.table(file: "tx.csv", hasAmount: true)
        // days {1, 5, 7, 9, 12}: x = 4, recency 11, first-day sum 9, repeat sum 1+2+3+6+7 = 19.
        #expect(t.frequency == [4])
        #expect(t.recency == [11])
        #expect(t.monetaryValue == [19.0 / 4.0])
    }

    @Test func rowsAfterTheObservationEndAreIgnored() throws {
        var options = RFMOptions()
        options.observationEnd = S.date("2020-01-10")
        let t = try S.summarize("""
            customer_id,date,amount
            late,2020-02-01,100
            a,2020-01-01,1
            a,2020-01-11,50
            a,2020-01-10,2
            late,2020-01-11,100
            """, options)
        // `late` bought only after the end: absent. a: days 1 and 10 → x = 1, m̄ = 2.
        #expect(t.customerIDs == ["a"])
        #expect(t.frequency == [1])
        #expect(t.recency == [9])
        #expect(t.T == [9])
        #expect(t.monetaryValue == [2])
        #expect(t.provenance.lastDate == "2020-01-10")
        #expect(t.provenance.observationEnd == "2020-01-10")
        #expect(t.provenance.transactionRows == 5)
    }

    static let splitLog = """
        customer_id,date,amount
        a,2020-01-01,10
        a,2020-01-04,2
        a,2020-01-11,4
        a,2020-01-11,6
        a,2020-01-15,1
        h,2020-01-12,7
        b,2020-01-10,3
        a,2020-01-25,100
        b,2020-01-10,1
        """

    /// Calibration end 2020-01-10, observation end 2020-01-20.
    /// a: calibration days 1 (10), 4 (2) → x = 1, recency 3, T = 9, m̄ = 2; holdout days 11
    ///    (4 + 6) and 15 (1) → frequency 2, mean per row (4+6+1)/3, per day 11/2; day 25 is after
    ///    the observation end. h: no calibration purchase → absent. b: day 10 (3 + 1) → x = 0,
    ///    T = 0. Duration (20 − 10) days.
    @Test func calibrationHoldoutSplit() throws {
        var options = RFMOptions()
        options.calibrationEnd = S.date("2020-01-10")
        options.observationEnd = S.date("2020-01-20")
        let t = try S.summarize(Self.splitLog, options)
        #expect(t.customerIDs == ["a", "b"])
        #expect(t.frequency == [1, 0])
        #expect(t.recency == [3, 0])
        #expect(t.T == [9, 0])
        #expect(t.monetaryValue == [2, 0])
        let holdout = try #require(t.holdout)
        #expect(holdout.frequency == [2, 0])
        #expect(holdout.monetaryValue == [11.0 / 3.0, 0])
        #expect(holdout.duration == 10)
        #expect(t.provenance == Provenance(firstDate: "2020-01-01", lastDate: "2020-01-15", calibrationEnd: "2020-01-10",
                                           observationEnd: "2020-01-20", transactionRows: 9))

        options.holdoutMonetaryValue = .perPurchaseDay
        #expect(try S.summarize(Self.splitLog, options).holdout?.monetaryValue == [11.0 / 2.0, 0])

        options.unit = .week
        let weeks = try S.summarize(Self.splitLog, options)
        #expect(weeks.holdout?.duration == 10.0 / 7.0)
        #expect(weeks.T == [9.0 / 7.0, 0])
    }

    @Test func defaultObservationEndIsTheLastDate() throws {
        var options = RFMOptions()
        options.calibrationEnd = S.date("2020-01-10")
        let t = try S.summarize(Self.splitLog, options)
        // The last date is 2020-01-25: a's holdout gains day 25.
        #expect(t.provenance.observationEnd == "2020-01-25")
        #expect(t.holdout?.frequency == [3, 0])
        #expect(t.holdout?.duration == 15)
    }

    @Test func withoutAmountColumn() throws {
        var options = RFMOptions(customerColumn: "id", amountColumn: nil)
        options.calibrationEnd = S.date("2014-01-02")
        let t = try S.summarize("""
            date,id
            2014-01-01 00:00:00,7
            2014-01-03 13:45:00,7
            2014-01-02 23:59:59,8
            """, options)
        #expect(t.monetaryValue == nil)
        #expect(t.holdout?.monetaryValue == nil)
        #expect(t.customerIDs == ["7", "8"])
        #expect(t.holdout?.frequency == [1, 0])
        #expect(!SummaryCSV.render(t).contains("monetary"))
    }

    @Test func customerOrderIsFirstAppearance() throws {
        let t = try S.summarize("customer_id,date,amount\nz,2020-01-02,1\nb,2020-01-01,1\nz,2020-01-03,1\nm,2020-01-01,1\n")
        #expect(t.customerIDs == ["z", "b", "m"])
    }

    @Test func idsAreExactBytes() throws {
        // "é" precomposed and decomposed are equal as Swift Strings but different ids (as in pandas).
        let t = try S.summarize("customer_id,date,amount\n\u{E9},2020-01-01,1\ne\u{301},2020-01-02,1\n007,2020-01-01,1\n7,2020-01-01,1\n")
        #expect(t.count == 4)
    }

    @Test func windowErrors() throws {
        var options = RFMOptions()
        options.calibrationEnd = S.date("2020-02-01")
        options.observationEnd = S.date("2020-01-20")
        let e1 = S.error { () throws(DataError) in try S.summarize(Self.splitLog, options) }
        #expect(e1?.message == "the calibration end 2020-02-01 is after the observation end 2020-01-20")
        options.observationEnd = nil
        let e2 = S.error { () throws(DataError) in try S.summarize(Self.splitLog, options) }
        #expect(e2?.message == "the calibration end 2020-02-01 is after the observation end 2020-01-25 (the last transaction date)")
        options.calibrationEnd = S.date("2019-12-31")
        let e3 = S.error { () throws(DataError) in try S.summarize(Self.splitLog, options) }
        #expect(e3?.message == "no transactions on or before the calibration end 2019-12-31; the file's dates run from 2020-01-01 to 2020-01-25")
        options.calibrationEnd = nil
        options.observationEnd = S.date("2019-06-30")
        let e4 = S.error { () throws(DataError) in try S.summarize(Self.splitLog, options) }
        #expect(e4?.message == "no transactions on or before the observation end 2019-06-30; the file's dates run from 2020-01-01 to 2020-01-25")
        // Calibration end = observation end is allowed: an empty holdout of duration 0.
        options.calibrationEnd = S.date("2020-01-25")
        options.observationEnd = S.date("2020-01-25")
        #expect(try S.summarize(Self.splitLog, options).holdout?.duration == 0)
    }

    /// Seeded random logs — few customers, many repeat days, same-day repeats, all in random
    /// order — against the naive reference (sets of days): every column equal, for several
    /// windows and both units, and with tiny read chunks.
    @Test func randomLogsMatchTheReference() throws {
        var rng = DataTestRNG(seed: 2024)
        let base = S.date("2020-01-01")
        for trial in 0..<60 {
            let customers = Int.random(in: 1...30, using: &rng)
            var rows: [ReferenceSummary.Row] = []
            for c in 0..<customers {
                let first = Int.random(in: 0..<60, using: &rng)
                for _ in 0..<Int.random(in: 1...15, using: &rng) {
                    rows.append(.init(id: "c\(c)", day: first + Int.random(in: 0..<40, using: &rng),
                                      amount: Double(Int.random(in: 0...400, using: &rng)) / 4))
                }
            }
            if trial % 2 == 1 { rows.shuffle(using: &rng) }
            let lastDay = rows.map(\.day).max()!
            let calibrationEnd: Int? = trial % 3 == 0 ? nil : Int.random(in: 10...60, using: &rng)
            let observationEnd: Int? = trial % 4 == 0 ? nil : Int.random(in: (calibrationEnd ?? 0)...(lastDay + 5), using: &rng)
            let unit: TimeUnit = trial % 5 == 0 ? .week : .day
            let perDay = trial % 7 == 0
            var csv = "customer_id,date,amount\n"
            for r in rows { csv += "\(r.id),\(base.adding(days: r.day)),\(r.amount)\n" }
            var options = RFMOptions(unit: unit)
            options.calibrationEnd = calibrationEnd.map { base.adding(days: $0) }
            options.observationEnd = observationEnd.map { base.adding(days: $0) }
            options.holdoutMonetaryValue = perDay ? .perPurchaseDay : .perTransaction
            options.csv.chunkSize = trial % 6 == 0 ? 7 : 1 << 20
            let expected = ReferenceSummary.summarize(rows, unit: unit.days!, calibrationEnd: calibrationEnd,
                                                      observationEnd: observationEnd, perTransactionHoldout: !perDay)
            if let cal = calibrationEnd, cal > (observationEnd ?? lastDay) {
                let error = S.error { () throws(DataError) in try S.summarize(csv, options) }
                #expect(error?.message.contains("is after the observation end") == true, "trial \(trial)")
                continue
            }
            let table: CustomerSummaryTable
            do {
                table = try S.summarize(csv, options)
            } catch {
                #expect(expected.isEmpty, "trial \(trial): \(error)")
                continue
            }
            #expect(table.count == expected.count, "trial \(trial)")
            for i in 0..<table.count {
                guard let e = expected[table.customerIDs[i]] else {
                    Issue.record("trial \(trial): unexpected customer \(table.customerIDs[i])"); continue
                }
                let got = (x: table.frequency[i], t: table.recency[i], T: table.T[i], m: table.monetaryValue![i],
                           hx: table.holdout?.frequency[i], hm: table.holdout?.monetaryValue?[i])
                #expect(got == e, "trial \(trial), customer \(table.customerIDs[i])")
            }
            if let cal = calibrationEnd {
                #expect(table.holdout?.duration == Double((observationEnd ?? lastDay) - cal) / unit.days!)
            }
        }
    }

    /// Enough customers for the table to be built in two halves on two threads
    /// (``RFMSummary/parallelTableCustomers``), some of them — in both halves — only in the
    /// holdout period (no row), with a calibration split and amounts: every column in the
    /// reference's order and values, whatever half a customer falls in. The CSV written
    /// straight from the summary (in parts, on two threads) is the table's, byte for byte.
    @Test func largeTableBuiltInTwoHalvesMatchesTheReference() throws {
        var rng = DataTestRNG(seed: 303)
        let customers = RFMSummary.parallelTableCustomers + 20_011
        var rows: [ReferenceSummary.Row] = []
        for c in 0..<customers {
            let first = c % 7 == 3 ? 50 + Int.random(in: 0..<20, using: &rng) : Int.random(in: 0..<60, using: &rng)
            for k in 0..<Int.random(in: 1...3, using: &rng) {
                rows.append(.init(id: "\(c * 7919 % 1_000_003)", day: first + k * Int.random(in: 0...9, using: &rng),
                                  amount: Double(Int.random(in: 0...400, using: &rng)) / 4))
            }
        }
        rows.shuffle(using: &rng)
        let base = S.date("2020-01-01")
        var csv = "customer_id,date,amount\n"
        for r in rows { csv += "\(r.id),\(base.adding(days: r.day)),\(r.amount)\n" }
        var options = RFMOptions(unit: .week)
        options.calibrationEnd = base.adding(days: 49)
        let expected = ReferenceSummary.summarize(rows, unit: 7, calibrationEnd: 49, observationEnd: nil,
                                                  perTransactionHoldout: true)
        let table = try S.summarize(csv, options)
        #expect(table.count == expected.count)
        #expect(table.count > RFMSummary.parallelTableCustomers / 2)
        // Order of first appearance in the file (any row on or before the observation end, which
        // is the last date here), of the customers with a calibration purchase.
        var order: [String] = [], seen = Set<String>()
        for r in rows where seen.insert(r.id).inserted && expected[r.id] != nil { order.append(r.id) }
        #expect(table.customerIDs == order)
        for i in 0..<table.count {
            guard let e = expected[table.customerIDs[i]] else {
                Issue.record("unexpected customer \(table.customerIDs[i])"); continue
            }
            let got = (x: table.frequency[i], t: table.recency[i], T: table.T[i], m: table.monetaryValue![i],
                       hx: table.holdout?.frequency[i], hm: table.holdout?.monetaryValue?[i])
            #expect(got == e, "customer \(table.customerIDs[i])")
        }
        let summary = try RFMSummarizer.read(csv: Array(csv.utf8), name: "tx.csv", options: options).summary
        #expect(summary.states.count > 3 * SummaryCSV.rowsPerPart)
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("summary.csv").path
        try summary.writeCSV(to: path)
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: path))) == Array(SummaryCSV.render(table).utf8))
    }

    /// Runs of one customer longer than a batch (64 rows), long ids sharing their first 32
    /// bytes, and thousands of customers (the table grows): same as the reference.
    @Test func longRunsAndLongIDs() throws {
        var rng = DataTestRNG(seed: 77)
        var rows: [ReferenceSummary.Row] = []
        for c in 0..<3000 {
            let id = c % 2 == 0 ? "a-customer-id-that-is-longer-than-32-bytes-\(c)" : "\(c)"
            let count = c % 500 == 0 ? 300 : Int.random(in: 1...4, using: &rng)
            var day = Int.random(in: 0..<100, using: &rng)
            for _ in 0..<count {
                rows.append(.init(id: id, day: day, amount: Double(Int.random(in: 1...100, using: &rng)) / 4))
                day += Int.random(in: 0...2, using: &rng)
            }
        }
        let base = S.date("2020-01-01")
        var csv = "customer_id,date,amount\n"
        for r in rows { csv += "\(r.id),\(base.adding(days: r.day)),\(r.amount)\n" }
        let table = try S.summarize(csv, RFMOptions(calibrationEnd: base.adding(days: 150)))
        let expected = ReferenceSummary.summarize(rows, unit: 1, calibrationEnd: 150, observationEnd: nil)
        #expect(table.count == expected.count)
        for i in 0..<table.count {
            let e = try #require(expected[table.customerIDs[i]])
            let got = (x: table.frequency[i], t: table.recency[i], T: table.T[i], m: table.monetaryValue![i],
                       hx: table.holdout?.frequency[i], hm: table.holdout?.monetaryValue?[i])
            #expect(got == e, "customer \(table.customerIDs[i])")
        }
    }

    /// The batched, prefetching `addAll` gives exactly what `add` gives row by row (same
    /// customer order, same sums bit for bit) on a date-ordered log with 20,000 customers of
    /// every id kind (short, 9–19 digit integers, long), rows after the observation end, a
    /// calibration split, and same-customer runs across batch boundaries.
    @Test func batchedAddAllMatchesRowByRow() throws {
        var rng = DataTestRNG(seed: 640)
        let base = S.date("2021-01-01")
        var csv = "customer_id,date,amount\n"
        var run = 0, id = ""
        for k in 0..<60_000 {
            if run == 0 {
                let c = Int.random(in: 0..<20_000, using: &rng)
                switch c % 3 {
                case 0: id = "\(c)"
                case 1: id = "\(1_000_000_000_000 + c * 7919)"
                default: id = "customer-\(c)-with-a-long-id"
                }
                run = Int.random(in: 0..<300, using: &rng) == 0 ? RowBatch.capacity + 150 : 1      // now and then a run longer than a batch
            }
            run -= 1
            let day = k * 400 / 60_000
            csv += "\(id),\(base.adding(days: day)),\(Double(Int.random(in: 1...99_999, using: &rng)) / 100)\n"
        }
        var options = RFMOptions()
        options.calibrationEnd = base.adding(days: 300)
        options.observationEnd = base.adding(days: 380)
        let bytes = Array(csv.utf8)

        let log = try TransactionLog(bytes: bytes, name: "tx.csv", options: options)
        var single = RFMSummarizer(options: options)
        while let row = try log.next() { single.add(row) }
        let rowByRow = try single.table(file: "tx.csv", hasAmount: true)
        #expect(rowByRow.count > 5_000)

        // One thread throughout, a reader thread from the start, and one after 1,000 rows.
        for threshold in [nil, 0, 1_000] as [Int?] {
            let log = try TransactionLog(bytes: bytes, name: "tx.csv", options: options)
            var batched = RFMSummarizer(options: options)
            batched.parallelAfterRows = threshold
            try batched.addAll(from: log)
            #expect(try batched.table(file: "tx.csv", hasAmount: true) == rowByRow, "threshold \(threshold as Any)")
        }
    }

    /// When a row is invalid, `addAll` throws, and every row before it has been added.
    @Test func addAllKeepsTheRowsBeforeAnError() throws {
        var csv = "customer_id,date,amount\n"
        for k in 0..<1000 { csv += "c\(k % 300),2022-03-\(10 + k / 100),1\n" }
        csv += "x,2022-03-30,oops\n"
        for threshold in [nil, 0, 500] as [Int?] {
            let log = try TransactionLog(bytes: Array(csv.utf8), name: "tx.csv")
            var summarizer = RFMSummarizer(options: RFMOptions())
            summarizer.parallelAfterRows = threshold
            let error = S.error { () throws(DataError) in try summarizer.addAll(from: log) }
            #expect(error?.line == 1002)
            #expect(summarizer.customerCount == 300)
            let table = try summarizer.table(file: "tx.csv", hasAmount: true)
            #expect(table.frequency.reduce(0, +) == Double(1000 - 300))
            #expect(table.provenance.transactionRows == 1000)
        }
    }

    /// A pipe cannot be rewound: its bytes are spooled so that the second pass (needed here,
    /// rows out of order) still works.
    @Test func pipedInputWithOutOfOrderRows() throws {
        let text = "customer_id,date,amount\nc,2020-01-09,1\nc,2020-01-02,2\nc,2020-01-05,3\nc,2020-01-09,4\nc,2020-01-04,5\nc,2020-01-02,6\n"
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let bytes = Array(text.utf8)
        #expect(bytes.withUnsafeBytes { write(fds[1], $0.baseAddress!, $0.count) } == bytes.count)
        close(fds[1])
        defer { close(fds[0]) }
        let t = try RFMSummarizer.summarize(path: "/dev/fd/\(fds[0])")
        // days {2, 4, 5, 9}: x = 3, repeat sum 1 + 3 + 4 + 5 = 13.
        #expect(t.frequency == [3])
        #expect(t.recency == [7])
        #expect(t.monetaryValue == [13.0 / 3.0])
    }

    /// A file read in small chunks, sorted and shuffled, gives the same table (row order aside:
    /// customers are compared by id).
    @Test func fileInSmallChunksSortedOrShuffled() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = DataTestRNG(seed: 99)
        var lines: [String] = []
        let base = S.date("2021-01-01")
        for c in 0..<300 {
            var day = Int.random(in: 0..<100, using: &rng)
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                lines.append("cust-\(c),\(base.adding(days: day)),\(Double(Int.random(in: 1...999, using: &rng)) / 4)")
                day += Int.random(in: 0...20, using: &rng)
            }
        }
        var options = RFMOptions(unit: .week, calibrationEnd: base.adding(days: 90))
        options.csv.chunkSize = 37
        var tables: [CustomerSummaryTable] = []
        for shuffled in [false, true] {
            let body = shuffled ? lines.shuffled(using: &rng) : lines
            let url = dir.appendingPathComponent(shuffled ? "shuffled.csv" : "sorted.csv")
            try Data(("customer_id,date,amount\r\n" + body.joined(separator: "\r\n")).utf8).write(to: url)
            tables.append(try RFMSummarizer.summarize(path: url.path, options: options))
        }
        let (a, b) = (tables[0], tables[1])
        #expect(a.count == b.count)
        let indexB = Dictionary(uniqueKeysWithValues: b.customerIDs.enumerated().map { ($1, $0) })
        for i in 0..<a.count {
            let j = try #require(indexB[a.customerIDs[i]])
            #expect(a.frequency[i] == b.frequency[j] && a.recency[i] == b.recency[j] && a.T[i] == b.T[j])
            #expect(a.holdout!.frequency[i] == b.holdout!.frequency[j])
            // Sums of the same quarter-multiples in another order: exact.
            #expect(a.monetaryValue![i] == b.monetaryValue![j])
            #expect(a.holdout!.monetaryValue![i] == b.holdout!.monetaryValue![j])
        }
    }
}
