import Dispatch
import RealModule

/// Something computed once per (frequency, unit cell of a log variable) for the customers of a
/// table: the interpolation tables of `BetaGeometricResidual.Table` (ln δ(α+T)) and
/// `BetaGeometricExpectation.Table` (ln(α+T)). The cells [k, k+1) are fixed, not fitted to the
/// table, so what a customer gets depends on their own x and value only: the same in a table of
/// one as in a table of millions, and whatever the row order. The entries are built on all cores.
struct FrequencyCells<Entry: Sendable>: Sendable {
    struct Cell: Hashable, Sendable { let x: Double, k: Int }

    let entries: [Cell: Entry]

    /// One entry, `build(x, lower, upper)`, for each cell that a customer (`frequencies[i]`,
    /// `logValues[i]`) falls in.
    init(frequencies: [Double], logValues: [Double], build: @Sendable (Double, Double, Double) -> Entry) {
        var cells = Set<Cell>()
        for (x, v) in zip(frequencies, logValues) { if let cell = Self.cell(x: x, logValue: v) { cells.insert(cell) } }
        let wanted = cells.sorted { ($0.x, $0.k) < ($1.x, $1.k) }
        var built = [Entry?](repeating: nil, count: wanted.count)
        built.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer
            DispatchQueue.concurrentPerform(iterations: wanted.count) { i in
                out[i] = build(wanted[i].x, Double(wanted[i].k), Double(wanted[i].k + 1))
            }
        }
        var entries: [Cell: Entry] = [:]
        for (i, cell) in wanted.enumerated() { entries[cell] = built[i]! }
        self.entries = entries
    }

    /// The cell of a value, nil where there is none (not finite, or beyond ±700).
    static func cell(x: Double, logValue: Double) -> Cell? {
        guard x.isFinite, logValue.isFinite, abs(logValue) < 700 else { return nil }
        return Cell(x: x, k: Int(logValue.rounded(.down)))
    }

    /// The entry of the cell a customer falls in, if the table has it.
    func entry(x: Double, logValue: Double) -> Entry? {
        Self.cell(x: x, logValue: logValue).flatMap { entries[$0] }
    }

    var count: Int { entries.count }
}

/// A Chebyshev series of a smooth f on [lower, upper] from its values at n first-kind nodes,
/// n = 16, 32 or 64, the first whose last three coefficients sum to below 5e-11 (nil if none
/// does or f fails at a node).
struct LogChebyshev: Sendable {
    let lower: Double, upper: Double
    let coefficients: [Double]

    init?(lower: Double, upper: Double, _ f: (Double) -> Double?) {
        guard lower.isFinite, upper.isFinite, lower <= upper else { return nil }
        (self.lower, self.upper) = (lower, upper)
        if upper - lower < 1e-12 {
            guard let v = f(0.5 * (lower + upper)) else { return nil }
            coefficients = [2 * v]
            return
        }
        let mid = 0.5 * (lower + upper), half = 0.5 * (upper - lower)
        for n in [16, 32, 64] {
            var values = [Double](repeating: 0, count: n)
            for j in 0..<n {
                guard let v = f(mid + half * Double.cos(Double.pi * (Double(j) + 0.5) / Double(n))), v.isFinite else { return nil }
                values[j] = v
            }
            var c = [Double](repeating: 0, count: n)
            for k in 0..<n {
                var sum = 0.0
                for j in 0..<n { sum += values[j] * Double.cos(Double.pi * Double(k) * (Double(j) + 0.5) / Double(n)) }
                c[k] = 2 * sum / Double(n)
            }
            if abs(c[n - 1]) + abs(c[n - 2]) + abs(c[n - 3]) < 5e-11 {
                coefficients = c
                return
            }
        }
        return nil
    }

    /// f(y) by Clenshaw's recurrence; nil outside [lower, upper].
    func value(at y: Double) -> Double? {
        guard y >= lower, y <= upper else { return nil }
        if coefficients.count == 1 { return 0.5 * coefficients[0] }
        let s = min(1, max(-1, (2 * y - lower - upper) / (upper - lower)))
        var b1 = 0.0, b2 = 0.0
        for k in stride(from: coefficients.count - 1, through: 1, by: -1) {
            (b1, b2) = (2 * s * b1 - b2 + coefficients[k], b1)
        }
        return s * b1 - b2 + 0.5 * coefficients[0]
    }
}
