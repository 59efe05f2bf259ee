import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// Issue 10, items 4 and 5: sums of amounts independent of the rows' order (exact decimal sums,
/// an exactly rounded fallback), the 12-digit grouping of `--weighted`, and overflowing sums
/// refused rather than written as `inf`.
@Suite struct ExactSumTests {
    typealias S = DataTestSupport

    /// A log's data lines (after the header) in another order.
    static func reordered(_ csv: String, _ order: (inout [Substring]) -> Void) -> String {
        var lines = csv.split(separator: "\n", omittingEmptySubsequences: true)
        let header = lines.removeFirst()
        order(&lines)
        return ([header] + lines).joined(separator: "\n") + "\n"
    }

    static func shuffled(_ csv: String, seed: UInt64) -> String {
        reordered(csv) { lines in
            var rng = SplitMix64(seed: seed)
            for i in stride(from: lines.count - 1, to: 0, by: -1) {
                lines.swapAt(i, Int(rng.next() % UInt64(i + 1)))
            }
        }
    }

    // MARK: Parsing

    @Test func amountsAsDigitsAndScale() {
        func exact(_ text: String) -> ExactAmount? {
            var t = text
            return t.withUTF8 { NumberField.parseAmount($0)?.exact }
        }
        #expect(exact("12.50") == ExactAmount(units: 1250, scale: 2))
        #expect(exact("0") == ExactAmount(units: 0, scale: 0))
        #expect(exact("42") == ExactAmount(units: 42, scale: 0))
        #expect(exact(".5") == ExactAmount(units: 5, scale: 1))
        #expect(exact("3e2") == ExactAmount(units: 300, scale: 0))
        #expect(exact("2.5E-2") == ExactAmount(units: 25, scale: 3))
        #expect(exact(" 7.25 ") == ExactAmount(units: 725, scale: 2))
        #expect(exact("123456789.123456789") == ExactAmount(units: 123_456_789_123_456_789, scale: 9))
        #expect(exact("0.000000000000000001") == ExactAmount(units: 1, scale: 18))
        // Does not fit: 19 decimals, 1e308, 25 significant digits.
        #expect(exact("0.0000000000000000001")?.isExact == false)
        #expect(exact("1e308")?.isExact == false)
        #expect(exact("1234567890.123456789012345")?.isExact == false)
        #expect(exact("9999999999999999999") == ExactAmount(units: 9_999_999_999_999_999_999, scale: 0))   // 19 digits
        #expect(exact("18446744073709551615")?.isExact == false)     // 20 significant digits
        // The value is still the correctly rounded double.
        var t = "1234567890.123456789012345"
        let value = t.withUTF8 { NumberField.parseAmount($0)?.value }
        #expect(value == 1234567890.123456789012345)
        // Decimal comma.
        var c = "12,05"
        let comma = c.withUTF8 { NumberField.parseDecimalCommaAmount($0)?.exact }
        #expect(comma == ExactAmount(units: 1205, scale: 2))
    }

    @Test func exactlyRoundedDoubleSums() {
        var sum = ExactDoubleSum()
        for v in [1e16, 1.0, -0.0, 1.0] {
            let added = sum.add(v)
            #expect(added)
        }
        #expect(sum.sum == 1e16 + 2)        // in order: (1e16 + 1) + 1 = 1e16
        var orders: Set<Double> = []
        let values = [0.1, 0.2, 0.3, 1e-17, 7.77, 1e15]
        for k in 0..<50 {
            var rng = SplitMix64(seed: UInt64(k))
            var v = values
            v.sort { _, _ in rng.next() & 1 == 0 }
            var s = ExactDoubleSum()
            for x in v { _ = s.add(x) }
            orders.insert(s.sum)
        }
        #expect(orders.count == 1)
        var big = ExactDoubleSum()
        let first = big.add(1e308), second = big.add(1e308)
        #expect(first && !second)
    }

    /// The exact sums fit the running states' 32 bytes (one cache line per row's update).
    @Test func statesStay32Bytes() {
        #expect(MemoryLayout<RFMSummarizer.CustomerState>.stride == 32)
        #expect(MemoryLayout<RFMSummarizer.HoldoutState>.stride == 32)
    }

    // MARK: Order

    /// Amounts of mixed scales whose `Double` sum depends on the order: every order of the rows
    /// gives the same summary, with the exact sum rounded once.
    @Test func sameSummaryInEveryOrder() throws {
        let amounts = ["0.1", "0.2", "0.3", "1", "0.125", "3.5", "0.07", "12"]
        var csv = "customer_id,date,amount\n"
        for (k, a) in amounts.enumerated() { csv += "c,2020-01-\(String(format: "%02d", 1 + k)),\(a)\n" }
        for (k, a) in amounts.enumerated() { csv += "c,2020-02-\(String(format: "%02d", 1 + k)),\(a)\n" }
        var seen: Set<String> = []
        for seed in 0..<40 as Range<UInt64> {
            for calibration in [nil, S.date("2020-01-31")] {
                let text = Self.shuffled(csv, seed: seed)
                let table = try S.summarize(text, RFMOptions(calibrationEnd: calibration))
                seen.insert(SummaryCSV.render(table))
                if calibration == nil {
                    // Repeat days: all but 2020-01-01 (0.1): Σ = 2 × 17.295 − 0.1 = 34.49.
                    #expect(table.monetaryValue == [34.49 / 15])
                } else {
                    #expect(table.monetaryValue == [17.195 / 7])
                    #expect(table.holdout?.monetaryValue == [17.295 / 8])
                }
            }
        }
        #expect(seen.count == 2)
    }

    /// Amounts that do not fit (25 significant digits) take the second pass: the sum of their
    /// doubles, exactly rounded, again the same in every order; with a holdout too.
    @Test func fallbackIsIndependentOfOrderToo() throws {
        let amounts = ["1234567890.123456789012345", "0.1", "1e300", "0.2", "7.000000000000000000000001", "0.3"]
        var csv = "customer_id,date,amount\nd,2020-01-01,5\n"
        for (k, a) in amounts.enumerated() {
            csv += "c,2020-01-\(String(format: "%02d", 2 + k)),\(a)\n"
            csv += "c,2020-03-\(String(format: "%02d", 2 + k)),\(a)\n"
        }
        var seen: Set<String> = []
        for seed in 0..<30 as Range<UInt64> {
            let text = Self.shuffled(csv, seed: seed)
            let log = try TransactionLog(bytes: Array(text.utf8), name: "tx.csv")
            var summarizer = RFMSummarizer(options: RFMOptions())
            while let row = try log.next() { summarizer.add(row) }
            #expect(summarizer.needsResum)
            let options = RFMOptions(calibrationEnd: S.date("2020-02-01"))
            seen.insert(Self.sortedLines(SummaryCSV.render(try S.summarize(text, options))).joined(separator: "\n"))
        }
        #expect(seen.count == 1)
        var exact = ExactDoubleSum()
        for a in amounts.dropFirst() { _ = exact.add(Double(a)!) }     // the first day is not a repeat
        let t = try S.summarize(csv, RFMOptions(calibrationEnd: S.date("2020-02-01")))
        #expect(t.customerIDs == ["d", "c"])
        #expect(t.monetaryValue?[1] == exact.sum / 5)
        var holdout = ExactDoubleSum()
        for a in amounts { _ = holdout.add(Double(a)!) }
        #expect(t.holdout?.monetaryValue?[1] == holdout.sum / 6)
        #expect(t.monetaryValue?[0] == 0)
    }

    /// CDNOW_master (69,659 rows, amounts in cents), shuffled with seeded generators and
    /// reversed: the same summary bytes, per customer and weighted, days and weeks, with and
    /// without a calibration end. (Before exact sums, 60-odd customers' monetary values
    /// differed in the last bits.)
    @Test func shuffledCDNOWGivesTheSameBytes() throws {
        let url = try S.requireDataset("cdnow_master.csv")
        let csv = try String(contentsOf: url, encoding: .utf8)
        let orders = [Self.shuffled(csv, seed: 1), Self.shuffled(csv, seed: 2), Self.reordered(csv) { $0.reverse() }]
        for unit in [TimeUnit.day, .week] {
            for calibration in [nil, S.date("1997-09-30")] {
                let options = RFMOptions(unit: unit, calibrationEnd: calibration, observationEnd: S.date("1998-06-30"))
                let reference = try S.summarize(csv, options)
                let perCustomer = SummaryCSV.render(reference), weighted = SummaryCSV.render(reference.weighted(), style: .weighted)
                for (k, text) in orders.enumerated() {
                    let table = try S.summarize(text, options)
                    // Customers come in order of first appearance: compare sorted by id.
                    #expect(Self.sortedLines(SummaryCSV.render(table)) == Self.sortedLines(perCustomer), "\(unit) \(calibration as Any) order \(k)")
                    #expect(SummaryCSV.render(table.weighted(), style: .weighted) == weighted, "weighted \(unit) \(calibration as Any) order \(k)")
                }
            }
        }
    }

    static func sortedLines(_ text: String) -> [Substring] { text.split(separator: "\n").sorted() }

    // MARK: Overflow

    /// Amounts whose sum overflows a double: a DataError naming the file, line, column and
    /// customer — in the calibration period, the holdout, and on the first day alone.
    @Test func overflowingSumsAreRefused() throws {
        let cases: [(csv: String, calibration: String?, line: Int)] = [
            ("customer_id,date,amount\nok,2020-01-01,1\nbig,2020-01-01,1\nbig,2020-01-05,1e308\nbig,2020-01-05,1e308\n", nil, 5),
            ("customer_id,date,amount\nbig,2020-01-01,1e308\nbig,2020-01-01,1e308\n", nil, 3),
            ("customer_id,date,amount\nbig,2020-01-01,1\nbig,2020-03-01,1e308\nbig,2020-03-02,1.5e308\n", "2020-02-01", 4),
        ]
        for c in cases {
            let error = S.error { () throws(DataError) in try S.summarize(c.csv, RFMOptions(calibrationEnd: c.calibration.map(S.date))) }
            let e = try #require(error, "\(c.csv)")
            #expect(e.file == "tx.csv")
            #expect(e.field == "amount")
            #expect(e.line == c.line)
            #expect(e.message.contains("customer \"big\""), "\(e.message)")
            #expect(e.message.contains("inf"))
        }
        // Two amounts of 1e308 on different days: the period's amounts sum beyond a double too.
        #expect(S.error { () throws(DataError) in try S.summarize("customer_id,date,amount\nc,2020-01-01,1e308\nc,2020-01-02,1e308\n") }?.line == 3)
        // Large but finite: written as a number.
        let t = try S.summarize("customer_id,date,amount\nc,2020-01-01,1\nc,2020-01-02,1e308\nc,2020-01-03,5e307\n")
        #expect(t.monetaryValue == [1.5e308 / 2])
    }

    // MARK: Grouping at 12 digits

    @Test func roundingToTwelveDigitsMatchesPrintf() {
        var rng = SplitMix64(seed: 12)
        var values: [Double] = [0, 1, 0.1, 12.345678901249999, 12.34567890125, 1e-5, 123456789012.5, 5.0000000000005,
                                1.0 / 3, 2.0 / 3, 99.9999999999995, 999999999999.5, 1e300, 3e-320, 17.99]
        for _ in 0..<20_000 {
            let magnitude = pow(10, Double(Int(rng.next() % 40)) - 15)
            values.append(rng.uniform() * magnitude)
            values.append(Double(rng.next() % 1_000_000) / Double(1 + rng.next() % 97))   // means of cents
        }
        for v in values {
            let expected = CustomerSummaryTable.printfRounded(v)
            #expect(CustomerSummaryTable.roundedForGrouping(v) == expected, "\(v)")
        }
        #expect(CustomerSummaryTable.roundedForGrouping(1.0 / 3) == 0.333333333333)
    }

    /// Means that differ only in the last bits (another summation order) fall into one pattern.
    @Test func lastBitDifferencesGroupTogether() {
        let m = 0.1 + 0.2 + 0.3, other = 0.3 + 0.2 + 0.1      // 0.6000000000000001 and 0.6
        #expect(m != other)
        let table = CustomerSummaryTable(unit: .day, customerIDs: ["a", "b"], frequency: [3, 3], recency: [5, 5], T: [9, 9],
                                         monetaryValue: [m / 3, other / 3])
        let w = table.weighted()
        #expect(w.weight == [2])
        #expect(w.monetaryValue == [0.2])
    }

    /// What the 12-digit grouping does to the fits, on CDNOW_master (days, calibration to
    /// 1997-09-30): the Gamma-Gamma log-likelihood at fixed parameters, and the fitted
    /// parameters of BG/NBD and Gamma-Gamma on the weighted (grouped, rounded) summary against
    /// the per-customer one. Measured: 1,535 of 23,570 m̄ change, by at most 4.6e-12 relative;
    /// the Gamma-Gamma LL at the fitted parameters (−40763.476261…) does not change at all (Δ = 0);
    /// refitted on the weighted summary, Gamma-Gamma's parameters move by ≤ 4.4e-12 relative and
    /// its LL by 3.7e-9 (9e-14 relative), BG/NBD's by ≤ 1.7e-14 and 3.5e-10 (the optimiser's
    /// stopping point and the summation order). Tolerances: ΔLL at fixed parameters 1e-6,
    /// refitted parameters 1e-7 relative, LL 1e-10 relative.
    @Test func twelveDigitGroupingDoesNotMoveTheFits() throws {
        let url = try S.requireDataset("cdnow_master.csv")
        let options = RFMOptions(unit: .day, calibrationEnd: S.date("1997-09-30"), observationEnd: S.date("1998-06-30"))
        let table = try RFMSummarizer.summarize(path: url.path, options: options)
        var rounded = table
        rounded.monetaryValue = table.monetaryValue!.map(CustomerSummaryTable.roundedForGrouping)
        let changed = zip(table.monetaryValue!, rounded.monetaryValue!).filter { $0 != $1 }.count
        #expect(changed > 100, "the rounding changes some monetary values (\(changed))")
        let largest = zip(table.monetaryValue!, rounded.monetaryValue!).map { $0 == 0 ? 0 : abs($1 - $0) / $0 }.max()!
        #expect(largest <= 5e-12)

        let fit = try Estimator().fit(GammaGamma.self, to: SpendHistory(table))
        let theta = fit.model.parameterValues
        let before = GammaGamma.logLikelihood(of: try SpendHistory(table)).evaluate(theta, order: .value).value
        let after = GammaGamma.logLikelihood(of: try SpendHistory(rounded)).evaluate(theta, order: .value).value
        print("12-digit grouping: Gamma-Gamma LL \(before) → \(after), Δ = \(after - before); largest relative change of m̄ \(largest); \(changed) of \(table.count) values changed")
        #expect(abs(after - before) < 1e-6)

        let full = try Training.train(table, source: "cdnow", purchaseModel: BGNBD.self).modelFile
        let grouped = try Training.train(table.weighted(), source: "weighted", purchaseModel: BGNBD.self).modelFile
        for (a, b) in [(full.purchaseModel, grouped.purchaseModel), (full.spendModel!, grouped.spendModel!)] {
            print("12-digit grouping: \(a.model) LL \(a.logLikelihood) → \(b.logLikelihood); parameters \(a.parameters) → \(b.parameters)")
            #expect(isClose(a.logLikelihood, b.logLikelihood, relative: 1e-10), "\(a.model)")
            for name in a.parameterNames {
                #expect(isClose(a.parameters[name]!, b.parameters[name]!, relative: 1e-7), "\(a.model) \(name)")
            }
        }
    }
}
