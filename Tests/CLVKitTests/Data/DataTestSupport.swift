import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// Helpers shared by the data-layer tests (namespaced to stay clear of other test files).
enum DataTestSupport {
    /// Runs `body` and returns the `DataError` it threw, or `nil` (recording an issue) if it did
    /// not throw.
    static func error<T>(_ body: () throws(DataError) -> T, sourceLocation: SourceLocation = #_sourceLocation) -> DataError? {
        do {
            _ = try body()
            Issue.record("expected a DataError, got none", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    /// Summarizes CSV text held in memory (file name `tx.csv` in messages).
    static func summarize(_ csv: String, _ options: RFMOptions = RFMOptions()) throws(DataError) -> CustomerSummaryTable {
        try RFMSummarizer.summarize(csv: Array(csv.utf8), name: "tx.csv", options: options)
    }

    /// A date from `YYYY-MM-DD` (test literals are valid).
    static func date(_ text: String) -> CalendarDate {
        guard let d = CalendarDate(text) else { fatalError("bad test date \(text)") }
        return d
    }

    /// `datasets/NAME`, or a failed requirement telling how to fetch the data sets: tests that
    /// need them must fail loudly, not pass silently.
    static func requireDataset(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> URL {
        let url = Fixtures.dataset(name)
        try #require(FileManager.default.fileExists(atPath: url.path),
                     "datasets/\(name) is missing: run `make datasets` (or `bash datasets/fetch.sh`)",
                     sourceLocation: sourceLocation)
        return url
    }

    static func fixtureExists(_ subpath: String) -> Bool {
        FileManager.default.fileExists(atPath: Fixtures.fixture(subpath).path)
    }
}

/// A seeded generator (SplitMix64), so that "random" test data is the same on every run.
struct DataTestRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// An independent, deliberately naive implementation of the lifetimes definitions (a set of
/// purchase days and a per-day sum for every customer), used as the oracle for the streaming
/// summarizer on random logs. Amounts in those logs are multiples of 1/4, so every sum is exact
/// and results can be compared for equality whatever the summation order.
enum ReferenceSummary {
    struct Row { var id: String; var day: Int; var amount: Double }

    static func summarize(_ rows: [Row], unit: Double, calibrationEnd: Int?, observationEnd: Int?,
                          perTransactionHoldout: Bool = true)
        -> [String: (x: Double, t: Double, T: Double, m: Double, hx: Double?, hm: Double?)] {
        let obs = observationEnd ?? rows.map(\.day).max()!
        let end = calibrationEnd ?? obs
        var calDays: [String: [Int: Double]] = [:]
        var holdDays: [String: [Int: Double]] = [:]
        var holdRows: [String: (n: Int, sum: Double)] = [:]
        for r in rows where r.day <= obs {
            if r.day <= end {
                calDays[r.id, default: [:]][r.day, default: 0] += r.amount
            } else {
                holdDays[r.id, default: [:]][r.day, default: 0] += r.amount
                holdRows[r.id, default: (0, 0)].n += 1
                holdRows[r.id, default: (0, 0)].sum += r.amount
            }
        }
        var out: [String: (x: Double, t: Double, T: Double, m: Double, hx: Double?, hm: Double?)] = [:]
        for (id, days) in calDays {
            let sorted = days.keys.sorted()
            let x = sorted.count - 1
            let repeatSum = sorted.dropFirst().reduce(0.0) { $0 + days[$1]! }
            var hx: Double? = nil, hm: Double? = nil
            if calibrationEnd != nil {
                let h = holdDays[id] ?? [:]
                hx = Double(h.count)
                if perTransactionHoldout {
                    let rows = holdRows[id] ?? (0, 0)
                    hm = rows.n > 0 ? rows.sum / Double(rows.n) : 0
                } else {
                    hm = h.isEmpty ? 0 : h.values.reduce(0, +) / Double(h.count)
                }
            }
            out[id] = (Double(x), Double(sorted.last! - sorted.first!) / unit, Double(end - sorted.first!) / unit,
                       x > 0 ? repeatSum / Double(x) : 0, hx, hm)
        }
        return out
    }
}
