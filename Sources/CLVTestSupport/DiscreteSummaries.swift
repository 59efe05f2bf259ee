import Foundation
import CLVKit

/// Reads discrete-opportunity summaries in lifetimes' `donations.csv` layout, for the BG/BB
/// tests: a header naming `frequency`, `recency`, `periods` and optionally `weights` (any
/// order, other columns ignored), then one row per (compressed) customer pattern.
///
/// The columns map onto `PurchaseHistory` as BG/BB reads it: frequency = x (repeat
/// transactions), recency = t_x (opportunity of the last one), periods = n → `T`,
/// weights → `weight` (1 when absent). A test helper, not a data-stage reader: no quoting,
/// no locale, errors are plain `DataError`s naming the line.
public enum DiscreteSummaries {
    /// Parses `text`; `source` names it in messages.
    public static func parse(_ text: String, source: String) throws -> PurchaseHistory {
        var lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        lines.removeAll { $0.isEmpty }
        guard let header = lines.first else {
            throw DataError(file: source, message: "the file is empty.")
        }
        let names = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func column(_ name: String) throws -> Int {
            guard let k = names.firstIndex(of: name) else {
                throw DataError(file: source, line: 1, message: "the header has no '\(name)' column (expected frequency, recency, periods[, weights]).")
            }
            return k
        }
        let (cx, ct, cn) = (try column("frequency"), try column("recency"), try column("periods"))
        let cw = names.firstIndex(of: "weights")
        var x: [Double] = [], t: [Double] = [], n: [Double] = [], w: [Double] = []
        for (offset, line) in lines.dropFirst().enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            func value(_ k: Int, _ name: String) throws -> Double {
                guard k < fields.count, let v = Double(fields[k]) else {
                    throw DataError(file: source, line: offset + 2, field: name, message: "not a number.")
                }
                return v
            }
            x.append(try value(cx, "frequency"))
            t.append(try value(ct, "recency"))
            n.append(try value(cn, "periods"))
            w.append(try cw.map { try value($0, "weights") } ?? 1)
        }
        return try PurchaseHistory(frequency: x, recency: t, T: n, weight: w, source: source)
    }

    /// Reads the file at `url`.
    public static func read(_ url: URL) throws -> PurchaseHistory {
        try parse(String(contentsOf: url, encoding: .utf8), source: url.lastPathComponent)
    }

    /// `datasets/donations.csv`: 22 weighted patterns, 11,104 donors, n = 6 (FHS 2010).
    public static func donations() throws -> PurchaseHistory {
        try read(Fixtures.dataset("donations.csv"))
    }
}
