/// What a terminal shows while a long read runs, and when: one line, drawn only once the read
/// has taken ``delay`` seconds, redrawn at most every ``interval`` seconds, erased at the end:
/// `reading tx.csv: 5.2 M rows, 130.1 of 249.0 MB (52 %), 145.3 MB/s, 0.9 s`.
///
/// Time is passed in (seconds since the read started), so the decisions are testable; the CLI
/// supplies the clock, checks that standard error is a terminal and writes the text.
public struct ProgressDisplay: Sendable {
    /// Seconds a read must take before anything is shown (short reads show nothing).
    public let delay: Double
    /// Least seconds between two redraws.
    public let interval: Double
    /// The input's name in the line.
    public let label: String
    private var lastDrawn: Double?
    /// Whether a line is on the screen.
    public private(set) var isShown = false

    /// Half a second before the first line, four redraws a second at most.
    public init(label: String, delay: Double = 0.5, interval: Double = 0.25) {
        self.label = label
        self.delay = delay
        self.interval = interval
    }

    /// The terminal text to write for `progress` at `elapsed` seconds (carriage return, erase
    /// line, the line), or `nil` when it is too early or too soon after the last redraw.
    public mutating func update(_ progress: ReadProgress, elapsed: Double) -> String? {
        guard elapsed >= delay else { return nil }
        if let lastDrawn, elapsed - lastDrawn < interval { return nil }
        lastDrawn = elapsed
        isShown = true
        return "\r\u{1B}[K" + Self.text(label: label, progress, elapsed: elapsed)
    }

    /// The text that erases the line, or `nil` when none is shown.
    public mutating func finish() -> String? {
        guard isShown else { return nil }
        isShown = false
        return "\r\u{1B}[K"
    }

    /// The line: rows, MB read (of the total when known, with a percentage), MB/s, seconds;
    /// `again` on the second pass over the input.
    public static func text(label: String, _ p: ReadProgress, elapsed: Double) -> String {
        let mb = Double(p.bytes) / 1e6
        let rows = p.rows >= 1_000_000 ? fixed(Double(p.rows) / 1e6, 1) + " M"
            : p.rows >= 1000 ? fixed(Double(p.rows) / 1e3, 1) + " k" : "\(p.rows)"
        var s = "reading \(label)\(p.pass > 1 ? " again" : ""): \(rows) rows, "
        if let total = p.totalBytes, total > 0 {
            s += "\(fixed(mb, 1)) of \(fixed(Double(total) / 1e6, 1)) MB (\(fixed(100 * Double(p.bytes) / Double(total), 0)) %)"
        } else {
            s += "\(fixed(mb, 1)) MB"
        }
        s += ", \(fixed(elapsed > 0 ? mb / elapsed : 0, 1)) MB/s, \(fixed(elapsed, 1)) s"
        return s
    }

    /// `value` with `digits` decimals (rounded half away from zero).
    static func fixed(_ value: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let n = Int((abs(value) * scale).rounded())
        let whole = n / Int(scale), fraction = n % Int(scale)
        var s = (value < 0 && n != 0 ? "-" : "") + "\(whole)"
        if digits > 0 {
            let f = "\(fraction)"
            s += "." + String(repeating: "0", count: digits - f.count) + f
        }
        return s
    }
}
