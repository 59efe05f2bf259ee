import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// The CDNOW data (DESIGN.md §6) against the published summary and against lifetimes 0.11.3.
/// These need `datasets/` (`make datasets`) and fail — not pass — without it.
@Suite struct CDNOWSummaryTests {
    typealias S = DataTestSupport

    /// The CDNOW 1/10 sample as the papers and lifetimes use it: weeks, 39-week calibration
    /// ending 1997-09-30, holdout to 1998-06-30.
    static func calibrationSummary() throws -> CustomerSummaryTable {
        let url = try S.requireDataset("cdnow_sample.csv")
        return try RFMSummarizer.summarize(path: url.path, options: RFMOptions(
            unit: .week, calibrationEnd: S.date("1997-09-30"), observationEnd: S.date("1998-06-30")))
    }

    /// Rows of a lifetimes fixture, keyed by customer id.
    static func fixtureRows(_ subpath: String) throws -> [String: [String: Double]] {
        let root = try #require(try Fixtures.json(subpath) as? [String: Any])
        let rows = try #require(root["rows"] as? [[String: Any]])
        var out: [String: [String: Double]] = [:]
        for row in rows {
            var values: [String: Double] = [:]
            for (k, v) in row where k != "customer_id" { values[k] = (v as? NSNumber)?.doubleValue }
            out["\(row["customer_id"]!)"] = values
        }
        return out
    }

    /// Compares every column of every customer with a lifetimes fixture, to 1e-9 relative: both
    /// sides apply the same definitions to the same decimal amounts, and differ only in the
    /// order of floating-point additions of a customer's amounts (pandas sums each day sorted by
    /// amount), which moves a mean by a few ulps (~1e-15) — 1e-9 leaves a wide margin while still
    /// catching any real difference (one cent in a mean is ≥ 1e-5 relative).
    static func expectMatches(_ table: CustomerSummaryTable, fixture: String, columns: [(String, [Double])]) throws {
        let expected = try fixtureRows(fixture)
        #expect(table.count == expected.count)
        for i in 0..<table.count {
            guard let row = expected[table.customerIDs[i]] else {
                Issue.record("customer \(table.customerIDs[i]) is not in \(fixture)"); continue
            }
            for (name, values) in columns {
                guard let want = row[name] else { Issue.record("\(fixture) has no \(name)"); return }
                if !isClose(values[i], want, relative: 1e-9) {
                    Issue.record("customer \(table.customerIDs[i]), \(name): \(values[i]) vs lifetimes \(want)")
                }
            }
        }
    }

    /// 2,357 customers, 946 with repeat purchases, Σ x = 2,457 (Fader, Hardie & Lee 2005).
    @Test func sampleCalibrationCounts() throws {
        let t = try Self.calibrationSummary()
        #expect(t.count == 2357)
        #expect(t.frequency.filter { $0 > 0 }.count == 946)
        #expect(t.frequency.reduce(0, +) == 2457)
        #expect(t.holdout?.duration == 39)
        #expect(t.provenance.firstDate == "1997-01-01")
        #expect(t.provenance.lastDate == "1998-06-30")
        #expect(t.provenance.transactionRows == 6919)
        // Ids 1…2357 in file order (the file is sorted by id).
        #expect(t.customerIDs == (1...2357).map(String.init))
    }

    /// Frequency equal, recency and T equal to the published 2-decimal values to ±0.005 (half a
    /// unit in the last published place: the published file rounds, we do not).
    @Test func sampleMatchesPublishedSummary() throws {
        let t = try Self.calibrationSummary()
        let url = try S.requireDataset("cdnow_customers_summary.csv")
        let published = try SummaryCSV.read(path: url.path, unit: .week)
        #expect(published.count == t.count)
        #expect(published.customerIDs == t.customerIDs)
        for i in 0..<min(published.count, t.count) {
            #expect(t.frequency[i] == published.frequency[i], "customer \(t.customerIDs[i])")
            #expect(isClose(t.recency[i], published.recency[i], absolute: 0.005 + 1e-12), "customer \(t.customerIDs[i])")
            #expect(isClose(t.T[i], published.T[i], absolute: 0.005 + 1e-12), "customer \(t.customerIDs[i])")
        }
    }

    @Test(.enabled(if: S.fixtureExists("lifetimes/cdnow_sample_summary_weeks.json")))
    func sampleCalibrationMatchesLifetimes() throws {
        let t = try Self.calibrationSummary()
        let h = try #require(t.holdout)
        try Self.expectMatches(t, fixture: "lifetimes/cdnow_sample_summary_weeks.json", columns: [
            ("frequency_cal", t.frequency), ("recency_cal", t.recency), ("T_cal", t.T),
            ("monetary_value_cal", t.monetaryValue!), ("frequency_holdout", h.frequency),
            ("monetary_value_holdout", h.monetaryValue!),
            ("duration_holdout", Array(repeating: h.duration, count: t.count)),
        ])
    }

    @Test(.enabled(if: S.fixtureExists("lifetimes/cdnow_sample_summary_full_weeks.json")))
    func sampleFullPeriodMatchesLifetimes() throws {
        let url = try S.requireDataset("cdnow_sample.csv")
        let t = try RFMSummarizer.summarize(path: url.path, options: RFMOptions(unit: .week, observationEnd: S.date("1998-06-30")))
        try Self.expectMatches(t, fixture: "lifetimes/cdnow_sample_summary_full_weeks.json", columns: [
            ("frequency", t.frequency), ("recency", t.recency), ("T", t.T), ("monetary_value", t.monetaryValue!),
        ])
    }

    /// The master file (23,570 customers, 69,659 rows), days.
    @Test(.enabled(if: S.fixtureExists("lifetimes/cdnow_master_summary_days.json")))
    func masterMatchesLifetimes() throws {
        let url = try S.requireDataset("cdnow_master.csv")
        let t = try RFMSummarizer.summarize(path: url.path, options: RFMOptions(observationEnd: S.date("1998-06-30")))
        #expect(t.count == 23570)
        #expect(t.frequency.reduce(0, +) == 44021)
        try Self.expectMatches(t, fixture: "lifetimes/cdnow_master_summary_days.json", columns: [
            ("frequency", t.frequency), ("recency", t.recency), ("T", t.T), ("monetary_value", t.monetaryValue!),
        ])
    }

    /// lifetimes' `example_transactions.csv` (`date,id`, timestamps with a time part, no amount).
    /// Reference numbers computed with lifetimes 0.11.3:
    /// `summary_data_from_transaction_data(df, 'id', 'date', observation_period_end='2014-12-31')`
    /// → 5,000 customers, Σ frequency = 9,270, Σ recency = 121,356, Σ T = 1,211,978 (days; exact
    /// integers, compared with `==`).
    @Test func exampleTransactionsWithTimestamps() throws {
        let url = try S.requireDataset("example_transactions.csv")
        let t = try RFMSummarizer.summarize(path: url.path, options: RFMOptions(
            customerColumn: "id", amountColumn: nil, observationEnd: S.date("2014-12-31")))
        #expect(t.monetaryValue == nil)
        #expect(t.count == 5000)
        #expect(t.frequency.reduce(0, +) == 9270)
        #expect(t.recency.reduce(0, +) == 121_356)
        #expect(t.T.reduce(0, +) == 1_211_978)
    }

    /// The master file in weeks (scripts/lifetimes_fixtures_ingest.py).
    @Test func masterInWeeksMatchesLifetimes() throws {
        let url = try S.requireDataset("cdnow_master.csv")
        let t = try RFMSummarizer.summarize(path: url.path, options: RFMOptions(unit: .week, observationEnd: S.date("1998-06-30")))
        #expect(t.count == 23570)
        try Self.expectMatches(t, fixture: "lifetimes/cdnow_master_summary_weeks.json", columns: [
            ("frequency", t.frequency), ("recency", t.recency), ("T", t.T), ("monetary_value", t.monetaryValue!),
        ])
    }

    /// The master file exported the European way — semicolons, day-first dates with a time and
    /// a zone, decimal commas, CRLF — read with the matching options gives lifetimes' summary of
    /// the original.
    @Test func masterAsAEuropeanExportMatchesLifetimes() throws {
        let url = try S.requireDataset("cdnow_master.csv")
        let original = try String(contentsOf: url, encoding: .utf8)
        var lines = original.split(separator: "\n").map(String.init)
        lines[0] = lines[0].replacingOccurrences(of: ",", with: ";")
        for k in 1..<lines.count {
            let f = lines[k].split(separator: ",", omittingEmptySubsequences: false)
            let d = f[1]
            // 00:30 at UTC+1 is 01:30 the same day at UTC+2, 23:30 the day before in UTC.
            lines[k] = "\(f[0]);\(d.dropFirst(8))/\(d.dropFirst(5).prefix(2))/\(d.prefix(4)) 00:30 +01:00;\(f[2]);\(f[3].replacingOccurrences(of: ".", with: ","))"
        }
        let bytes = Array(lines.joined(separator: "\r\n").utf8)
        var options = RFMOptions(observationEnd: S.date("1998-06-30"))
        options.dateFormat = try DateFormat("%d/%m/%Y %H:%M %z")
        options.decimalComma = true
        options.timeZone = try #require(LocalZone("+02:00"))
        let t = try RFMSummarizer.summarize(csv: bytes, name: "master-eu.csv", options: options)
        #expect(t.count == 23570)
        try Self.expectMatches(t, fixture: "lifetimes/cdnow_master_summary_days.json", columns: [
            ("frequency", t.frequency), ("recency", t.recency), ("T", t.T), ("monetary_value", t.monetaryValue!),
        ])
        // On UTC days every row moves to the day before, so only T (to the fixed observation
        // end) changes, by one day.
        options.timeZone = .utc
        let shifted = try RFMSummarizer.summarize(csv: bytes, name: "master-eu.csv", options: options)
        #expect(shifted.frequency == t.frequency && shifted.recency == t.recency)
        #expect(zip(shifted.T, t.T).allSatisfy { $0 == $1 + 1 })
    }

    /// lifetimes' `example_transactions.csv` customer by customer (`date,id`, no amount).
    @Test func exampleTransactionsMatchLifetimes() throws {
        let url = try S.requireDataset("example_transactions.csv")
        let t = try RFMSummarizer.summarize(path: url.path, options: RFMOptions(
            customerColumn: "id", amountColumn: nil, observationEnd: S.date("2014-12-31")))
        #expect(t.monetaryValue == nil)
        try Self.expectMatches(t, fixture: "lifetimes/example_transactions_summary_days.json", columns: [
            ("frequency", t.frequency), ("recency", t.recency), ("T", t.T),
        ])
    }
}
