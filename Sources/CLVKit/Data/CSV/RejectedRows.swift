import Foundation

/// What a transaction log reader does with a row it cannot use (a field that is not a date or a
/// number, a negative amount, a wrong number of fields, an unterminated quote, …).
public enum BadRowPolicy: Sendable, Equatable {
    /// Stop at the first bad row with its error (the default).
    case stop
    /// Leave bad rows out and keep going, collecting each as a ``RejectedRow``; the read still
    /// fails when more than `maxFraction` of the rows (good and bad) are bad.
    case skip(maxFraction: Double)

    /// The fraction of bad rows a skipping read tolerates by default: 1 %.
    public static let defaultMaxFraction = 0.01
}

/// A row left out of a transaction log: where it was, what it said, and why it was rejected.
public struct RejectedRow: Sendable, Equatable {
    /// 1-based line on which the row starts.
    public var line: Int
    /// The row as written in the file, without its line end (for an unterminated quote or an
    /// overlong record: its first line only).
    public var raw: [UInt8]
    /// Why it was rejected (file, line, field and message).
    public var error: DataError

    public init(line: Int, raw: [UInt8], error: DataError) {
        self.line = line
        self.raw = raw
        self.error = error
    }

    /// The reason without the file and line: `field 'amount': "12,5x" is not a number`.
    public var reason: String {
        (error.field.map { "field '\($0)': " } ?? "") + error.message
    }
}

/// The rejects file of a skipping read: `line,reason,row`, one CSV line per rejected row in file
/// order, the `row` column holding the rejected line's bytes exactly as they were (quoted, `"`
/// doubled), so that the lines can be fixed and fed again.
public enum RejectsCSV {
    /// The file's bytes.
    public static func render(_ rejects: [RejectedRow]) -> Data {
        var out = Array("line,reason,row\n".utf8)
        for r in rejects {
            out += Array(String(r.line).utf8)
            out.append(UInt8(ascii: ","))
            appendQuoted(Array(r.reason.utf8), to: &out)
            out.append(UInt8(ascii: ","))
            appendQuoted(r.raw, to: &out)
            out.append(0x0A)
        }
        return Data(out)
    }

    /// Writes the rejects file atomically (see ``AtomicOutput``).
    public static func write(_ rejects: [RejectedRow], to path: String) throws(AtomicOutput.Failure) {
        try AtomicOutput.write(render(rejects), to: path)
    }

    private static func appendQuoted(_ bytes: [UInt8], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in bytes {
            if b == UInt8(ascii: "\"") { out.append(b) }
            out.append(b)
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension BadRowPolicy {
    /// Under `skip(maxFraction:)`, an error when more than that fraction of `rows` was rejected
    /// (quoting the first, and carrying all of them for the rejects file).
    func check(rejected: [RejectedRow], rows: Int, file: String) throws(DataError) {
        guard case .skip(let maxFraction) = self, let first = rejected.first, Double(rejected.count) > maxFraction * Double(rows) else { return }
        let percent = String(format: "%.2f", 100 * Double(rejected.count) / Double(rows))
        var error = DataError(file: file, message: "\(rejected.count) of \(rows) rows (\(percent) %) are bad, more than the \(maxFraction) allowed by --max-bad-fraction (raise it to go on); the first: \(first.error)")
        error.rejected = rejected
        throw error
    }
}
