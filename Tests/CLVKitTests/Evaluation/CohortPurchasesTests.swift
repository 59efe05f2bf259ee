import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// The cohort's repeat purchase days counted while summarizing (one pass, ``RepeatPurchaseDays``)
/// are those of the plainest collection from the log (``CohortPurchases/collect(from:calibrationEnd:observationEnd:)``,
/// defined below as the reference).
@Suite struct CohortPurchasesTests {
    typealias S = DataTestSupport

    /// Random logs — sorted by date (as shops export them), grouped by customer, or shuffled;
    /// same-day duplicates; with and without a calibration split and an observation end: the
    /// cohort's purchases as `evaluate` reads them equal the reference collection's. Sorted
    /// and grouped logs are counted while summarizing; shuffled ones mostly need the extra
    /// exact pass (``RFMSummarizer/exactRepeatPurchaseDays(from:)``), and both kinds occur.
    @Test func onePassCountsEqualTheReference() throws {
        var rng = DataTestRNG(seed: 4242)
        var countedWhileSummarizing = 0, countedAgain = 0
        for trial in 0..<90 {
            var rows: [(id: String, day: Int)] = []
            // (Some shuffled logs have at most two rows per customer: those the running state
            // places in any order.)
            let rowsPerCustomer = trial % 6 == 5 ? 2 : 6
            for c in 0..<Int.random(in: 1...60, using: &rng) {
                let first = Int.random(in: 0..<80, using: &rng)
                for _ in 0..<Int.random(in: 1...rowsPerCustomer, using: &rng) {
                    let day = first + Int.random(in: 0...3, using: &rng) * Int.random(in: 0...12, using: &rng)
                    rows.append(("c\(c)", day))
                    if rowsPerCustomer > 2 && Int.random(in: 0..<5, using: &rng) == 0 { rows.append(("c\(c)", day)) }   // same day again
                }
            }
            rows.append(("late", 30))
            rows.append(("late", 110))      // the log runs past the calibration end
            let order = trial % 3   // 0: by date, 1: by customer then date, 2: shuffled
            switch order {
            case 0: rows.sort { $0.day < $1.day }
            case 1: rows.sort { ($0.id, $0.day) < ($1.id, $1.day) }
            default: rows.shuffle(using: &rng)
            }
            let base = S.date("2021-03-01")
            var csv = "customer_id,date,amount\n"
            for r in rows { csv += "\(r.id),\(base.adding(days: r.day)),1.5\n" }
            var options = RFMOptions(unit: .week)
            if trial % 2 == 0 { options.calibrationEnd = base.adding(days: 40 + trial % 7) }
            if trial % 4 < 2 { options.observationEnd = base.adding(days: 100 + trial % 11) }
            let bytes = Array(csv.utf8)
            var summarizer = RFMSummarizer(options: options)
            summarizer.tracksRepeatPurchaseDays = true
            try summarizer.addAll(from: TransactionLog(bytes: bytes, name: "t.csv", options: options))
            let inOnePass = try #require(summarizer.repeatPurchaseDays).isExact
            if order < 2 { #expect(inOnePass, "trial \(trial): a sorted log is counted while summarizing") }
            if inOnePass { countedWhileSummarizing += 1 } else { countedAgain += 1 }

            let outcome = try RFMSummarizer.read(log: TransactionLog(bytes: bytes, name: "t.csv", options: options),
                                                 options: options, countingRepeatPurchaseDays: true)
            let expected = try CohortPurchases.collect(from: TransactionLog(bytes: bytes, name: "t.csv", options: options),
                                                       calibrationEnd: options.calibrationEnd, observationEnd: options.observationEnd)
            let days = try #require(outcome.repeatPurchaseDays)
            let counted = try #require(CohortPurchases(summary: outcome.summary, repeatPurchaseDays: days))
            #expect(counted == expected, "trial \(trial) (order \(order), one pass: \(inOnePass))")
            // What evaluate reads.
            let dir = try Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let path = dir.appendingPathComponent("t.csv").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect(try EvaluationData.read(path: path, options: options).cohort == expected, "trial \(trial)")
        }
        #expect(countedWhileSummarizing > 0 && countedAgain > 0, "\(countedWhileSummarizing) logs counted while summarizing, \(countedAgain) again")
    }
}

extension CohortPurchases {
    /// The reference the summarizer's counts are tested against: reads a transaction log to
    /// its end and collects the cohort's purchase days the plainest way (every customer's days,
    /// keyed by id string, sorted and de-duplicated).
    /// - Parameters:
    ///   - calibrationEnd: last day of the calibration period; `nil`: the observation end (no holdout).
    ///   - observationEnd: last day observed, later rows are ignored; `nil`: the last date in the log.
    /// - Throws: `DataError` for a malformed row, or when no customer first bought by the calibration end.
    /// - Complexity: O(n log n) in the rows; memory for every customer's purchase days.
    static func collect(from log: TransactionLog, calibrationEnd: CalendarDate?,
                               observationEnd: CalendarDate?) throws(DataError) -> CohortPurchases {
        var index: [String: Int] = [:]
        var days: [[Int32]] = []
        var lastDay = Int32.min
        while let row = try log.next() {
            let day = row.date.daysSinceEpoch
            if let observationEnd, day > observationEnd.daysSinceEpoch { continue }
            lastDay = max(lastDay, day)
            let id = String(decoding: row.customerID, as: UTF8.self)
            if let i = index[id] {
                days[i].append(day)
            } else {
                index[id] = days.count
                days.append([day])
            }
        }
        guard lastDay != Int32.min else {
            throw DataError(file: log.name, message: "no transactions on or before the observation end")
        }
        let end = observationEnd ?? CalendarDate(daysSinceEpoch: lastDay)
        let calibration = calibrationEnd ?? end
        guard calibration <= end else {
            throw DataError(file: log.name, message: "the calibration end \(calibration) is after the observation end \(end)")
        }
        // Each customer's distinct purchase days, first one first.
        var firsts: [Int32] = []
        var cohort: [[Int32]] = []
        for var d in days {
            d.sort()
            guard d[0] <= calibration.daysSinceEpoch else { continue }
            var unique: [Int32] = [d[0]]
            for day in d.dropFirst() where day != unique[unique.count - 1] { unique.append(day) }
            firsts.append(d[0])
            cohort.append(unique)
        }
        guard let origin = firsts.min() else {
            throw DataError(file: log.name, message: "no customer made a first purchase on or before the calibration end \(calibration)")
        }
        var newCustomers = Array(repeating: 0.0, count: Int(calibration.daysSinceEpoch - origin) + 1)
        var repeats = Array(repeating: 0.0, count: Int(end.daysSinceEpoch - origin) + 1)
        for unique in cohort {
            newCustomers[Int(unique[0] - origin)] += 1
            for day in unique.dropFirst() { repeats[Int(day - origin)] += 1 }
        }
        return CohortPurchases(origin: CalendarDate(daysSinceEpoch: origin), calibrationEnd: calibration,
                               observationEnd: end, newCustomers: newCustomers, repeatPurchases: repeats)
    }
}
