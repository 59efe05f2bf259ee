import CLVKit
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Notes for the user on standard error (`clvfit: note: …`).
enum UserNote {
    static func write(_ text: String) {
        FileHandle.standardError.write(Data("clvfit: note: \(text)\n".utf8))
    }
}

/// Shows a ``ProgressDisplay`` on standard error: supplies the clock and writes its text. The
/// library reports once per 4 MiB chunk (``TransactionLog/progress``), on its reading thread,
/// so rows pay nothing for it.
final class ProgressLine: @unchecked Sendable {
    private let start = DispatchTime.now().uptimeNanoseconds
    private let lock = NSLock()
    private var display: ProgressDisplay   // guarded by `lock`: updates come from the reading thread, finish() from the main one

    private init(label: String) {
        display = ProgressDisplay(label: label)
    }

    /// A progress line when standard error is a terminal; `nil` otherwise (a pipe or a file
    /// gets no progress).
    static func onTerminal(label: String) -> ProgressLine? {
        isatty(2) != 0 ? ProgressLine(label: label) : nil
    }

    func update(_ progress: ReadProgress) {
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        lock.lock()
        defer { lock.unlock() }
        if let text = display.update(progress, elapsed: elapsed) { write(text) }
    }

    /// Erases the line, if one was drawn.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if let text = display.finish() { write(text) }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
