import CLVKit

/// The summary-CSV reader (``SummaryCSV/read(bytes:name:unit:options:)``).
///
/// Input: one option byte (unit, delimiter, chunk size of the second read), then the CSV text.
///
/// Checks: a table that was read has columns of one length, whole non-negative frequencies,
/// 0 ≤ recency ≤ T (recency 0 without repeat purchases), finite non-negative amounts, positive
/// finite weights, a finite holdout duration; reading in chunks of a few bytes gives the same
/// table or the same error; and the table written back out (``SummaryCSV/render(_:style:)``)
/// reads back as the same table (ids with quotes, delimiters or line ends included).
public enum SummaryTarget {
    static let delimiters: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), 0x09, UInt8(ascii: "|")]

    public static func run(_ input: [UInt8]) {
        guard input.count >= 1 else { return }
        let a = input[0]
        let unit = TimeUnit.allCases[Int(a & 3) % TimeUnit.allCases.count]
        // 64 KiB chunks: any fuzz input in one read, cheaper to allocate than the default 4 MiB.
        let options = CSVScanner.Options(delimiter: delimiters[Int(a >> 2 & 3)], chunkSize: 1 << 16)
        var small = options
        small.chunkSize = 1 + 3 * Int(a >> 4 & 3)
        let csv = Array(input[1...])
        let whole = Result { () throws(DataError) in try SummaryCSV.read(bytes: csv, name: "fuzz.csv", unit: unit, options: options) }
        let pieces = Result { () throws(DataError) in try SummaryCSV.read(bytes: csv, name: "fuzz.csv", unit: unit, options: small) }
        switch (whole, pieces) {
        case (.success(let a), .success(let b)):
            FuzzCheck.require(a == b, "the summary read in chunks of \(small.chunkSize) bytes differs")
        case (.failure(let a), .failure(let b)):
            FuzzCheck.require(a == b, "errors differ with chunks of \(small.chunkSize) bytes: \(a) / \(b)")
            return
        default:
            FuzzCheck.require(false, "reading in chunks of \(small.chunkSize) bytes: \(whole) / \(pieces)")
        }
        guard case .success(let table) = whole else { return }
        checkInvariants(table)
        let written = SummaryCSV.render(table)
        let again = Result { () throws(DataError) in try SummaryCSV.read(bytes: Array(written.utf8), name: "written.csv", unit: unit) }
        guard case .success(let back) = again else {
            FuzzCheck.require(false, "the written summary does not read back: \(again)\n\(written)")
            return
        }
        FuzzCheck.require(back == table, "the written summary reads back differently:\n\(written)")
    }

    static func checkInvariants(_ table: CustomerSummaryTable) {
        let n = table.count
        FuzzCheck.require(n > 0, "an empty summary")
        FuzzCheck.require(table.customerIDs.count == n && table.recency.count == n && table.T.count == n && table.weight.count == n
                          && (table.monetaryValue?.count ?? n) == n, "column lengths differ")
        for i in 0..<n {
            let x = table.frequency[i], t = table.recency[i], big = table.T[i]
            FuzzCheck.require(x.isFinite && x >= 0 && x == x.rounded(), "frequency \(x)")
            FuzzCheck.require(t.isFinite && big.isFinite && t >= 0 && t <= big, "recency \(t), T \(big)")
            FuzzCheck.require(x > 0 || t == 0, "recency \(t) with frequency 0")
            FuzzCheck.require(table.weight[i].isFinite && table.weight[i] > 0, "weight \(table.weight[i])")
            if let m = table.monetaryValue?[i] { FuzzCheck.require(m.isFinite && m >= 0, "monetary value \(m)") }
        }
        if let holdout = table.holdout {
            FuzzCheck.require(holdout.duration.isFinite && holdout.duration >= 0, "holdout duration \(holdout.duration)")
            FuzzCheck.require(holdout.frequency.count == n && (holdout.monetaryValue?.count ?? n) == n, "holdout column lengths")
            for (i, hx) in holdout.frequency.enumerated() {
                FuzzCheck.require(hx.isFinite && hx >= 0 && hx == hx.rounded(), "holdout frequency \(hx)")
                if let hm = holdout.monetaryValue?[i] { FuzzCheck.require(hm.isFinite && hm >= 0, "holdout monetary value \(hm)") }
            }
        }
    }
}
