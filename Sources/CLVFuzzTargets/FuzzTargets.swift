import CLVKit
import Foundation

/// The fuzz targets of `make fuzz` (docs/fuzzing.md): one function per input reader of CLVKit,
/// each taking raw bytes and driving the library's real entry points with them.
///
/// Outcomes: a `DataError` (or another error the library throws) is the reader refusing the
/// input, which is fine. A crash, a sanitizer report, a hang, or a broken invariant is a
/// finding: invariants are checked with ``FuzzCheck/require(_:_:)``, which stops the process
/// (`fatalError`), so libFuzzer records the input as a crash.
///
/// The same functions replay the committed corpus and crash inputs in the ordinary test suite
/// (`FuzzReplayTests`), without libFuzzer.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// The transaction-log reader and RFM summarizer (``TransactionLogTarget``).
    case transactionLog = "transaction-log"
    /// The summary-CSV reader (``SummaryTarget``).
    case summary
    /// The model-file loader (``ModelFileTarget``).
    case modelFile = "model-file"
    /// The date parsers (``DateTarget``).
    case date
    /// The number parsers (``NumberTarget``).
    case number

    /// Runs the target on one input.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .transactionLog: TransactionLogTarget.run(bytes)
        case .summary: SummaryTarget.run(bytes)
        case .modelFile: ModelFileTarget.run(bytes)
        case .date: DateTarget.run(bytes)
        case .number: NumberTarget.run(bytes)
        }
    }
}

/// How a target reports a broken invariant.
enum FuzzCheck {
    /// Stops the process with `message` when `condition` is false: libFuzzer saves the input.
    @inline(__always)
    static func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                        file: StaticString = #fileID, line: UInt = #line) {
        if !condition() { fatalError("fuzz invariant broken: \(message())", file: file, line: line) }
    }

    /// Whether `a` and `b` agree to a relative `tolerance` (both finite).
    static func close(_ a: Double, _ b: Double, tolerance: Double = 1e-9) -> Bool {
        a == b || abs(a - b) <= tolerance * max(abs(a), abs(b))
    }
}

/// A scratch file of this process and thread, for the readers that only take a path (the
/// mapped-file path of the transaction reader): written, read, removed.
enum ScratchFile {
    static func with<R>(_ bytes: [UInt8], suffix: String, _ body: (String) throws -> R) rethrows -> R {
        let path = "/tmp/clvfit-fuzz-\(getpid())-\(UInt(pthread_self()))\(suffix)"
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        defer { unlink(path) }
        return try body(path)
    }
}
