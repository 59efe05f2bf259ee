import CLVKit
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Notes for the user on standard error (`clvfit: note: …`).
enum Diagnostics {
    static func note(_ text: String) {
        FileHandle.standardError.write(Data("clvfit: note: \(text)\n".utf8))
    }
}

/// The progress of a long read on a terminal's standard error: one line, rewritten in place at
/// most ``interval`` apart, shown only once a read has taken ``delay``, and erased at the end:
/// `reading tx.csv: 5.2 M rows, 130.1 of 249.0 MB (52 %), 145.3 MB/s, 0.9 s`.
///
/// The library reports once per 4 MiB chunk (``TransactionLog/progress``), on its reading
/// thread; this only formats and throttles, so rows pay nothing for it.
final class ProgressLine: @unchecked Sendable {
    static let delay = 0.5
    static let interval = 0.25

    private let label: String
    private let start = Date()
    private let lock = NSLock()
    // Guarded by `lock`: updates come from the reading thread, `finish()` from the main one.
    private var lastDrawn: Date?
    private var shown = false

    private init(label: String) {
        self.label = label
    }

    /// A progress line when standard error is a terminal; `nil` otherwise (a pipe or a file
    /// gets no progress).
    static func onTerminal(label: String) -> ProgressLine? {
        isatty(2) != 0 ? ProgressLine(label: label) : nil
    }

    /// Redraws the line if the read has been going for a while and the last redraw is old enough.
    func update(_ progress: ReadProgress) {
        let now = Date()
        let elapsed = now.timeIntervalSince(start)
        lock.lock()
        defer { lock.unlock() }
        guard elapsed >= Self.delay else { return }
        if let lastDrawn, now.timeIntervalSince(lastDrawn) < Self.interval { return }
        lastDrawn = now
        shown = true
        write("\r\u{1B}[K" + Self.text(label: label, progress, elapsed: elapsed))
    }

    /// Erases the line, if one was drawn.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if shown { write("\r\u{1B}[K") }
        shown = false
    }

    /// The line's text (without the terminal controls).
    static func text(label: String, _ p: ReadProgress, elapsed: Double) -> String {
        let mb = Double(p.bytes) / 1e6
        let rows = p.rows >= 1_000_000 ? String(format: "%.1f M", Double(p.rows) / 1e6)
            : p.rows >= 1000 ? String(format: "%.1f k", Double(p.rows) / 1e3) : "\(p.rows)"
        var s = "reading \(label)\(p.pass > 1 ? " again" : ""): \(rows) rows, "
        if let total = p.totalBytes, total > 0 {
            s += String(format: "%.1f of %.1f MB (%.0f %%)", mb, Double(total) / 1e6, 100 * Double(p.bytes) / Double(total))
        } else {
            s += String(format: "%.1f MB", mb)
        }
        s += String(format: ", %.1f MB/s, %.1f s", elapsed > 0 ? mb / elapsed : 0, elapsed)
        return s
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
