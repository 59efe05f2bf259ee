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

/// Several `LogChebyshev` series on one interval (the horizons of one frequency and cell of
/// `BetaGeometricExpectation.Table`), evaluated together: the interval test, the mapped argument
/// and the Clenshaw recurrence's loop are shared, the coefficients of all series interleaved
/// (term k of series h at k·count + h) so that one pass steps every series. A shorter series is
/// padded with zero high-order terms, which leave Clenshaw's b₁ = b₂ = 0 until its own terms
/// begin, so each value is bit-for-bit what `LogChebyshev.value(at:)` gives.
struct LogChebyshevBundle: Sendable {
    let lower: Double, upper: Double
    /// Number of series; `kept[h]` is false where series h was not kept (nil).
    let count: Int
    let kept: [Bool]
    /// Terms per series (the longest kept), and their interleaved coefficients.
    let terms: Int
    let coefficients: [Double]

    init(_ series: [LogChebyshev?]) {
        let first = series.lazy.compactMap { $0 }.first
        let (lower, upper) = (first?.lower ?? 0, first?.upper ?? -1)
        precondition(series.allSatisfy { $0 == nil || ($0!.lower == lower && $0!.upper == upper) }, "Bundle series on one interval.")
        (self.lower, self.upper) = (lower, upper)
        let count = series.count, terms = series.map { $0?.coefficients.count ?? 0 }.max() ?? 0
        (self.count, self.terms) = (count, terms)
        kept = series.map { $0 != nil }
        var c = [Double](repeating: 0, count: terms * count)
        for (h, s) in series.enumerated() {
            guard let s else { continue }
            for (k, v) in s.coefficients.enumerated() { c[k * count + h] = v }
        }
        coefficients = c
    }

    /// f_h(y) for every series h into `out[h]` (count values); false, leaving `out` untouched,
    /// outside [lower, upper]. A series not kept gets NaN.
    func values(at y: Double, into out: UnsafeMutableBufferPointer<Double>) -> Bool {
        guard y >= lower, y <= upper, terms > 0 else { return false }
        precondition(out.count >= count)
        coefficients.withUnsafeBufferPointer { c in
            if terms == 1 {
                for h in 0..<count { out[h] = 0.5 * c[h] }
                return
            }
            let s = min(1, max(-1, (2 * y - lower - upper) / (upper - lower)))
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * count) { b in
                let b1 = UnsafeMutableBufferPointer(rebasing: b[0..<count]), b2 = UnsafeMutableBufferPointer(rebasing: b[count..<2 * count])
                b1.initialize(repeating: 0); b2.initialize(repeating: 0)
                for k in stride(from: terms - 1, through: 1, by: -1) {
                    let row = k * count
                    for h in 0..<count { (b1[h], b2[h]) = (2 * s * b1[h] - b2[h] + c[row + h], b1[h]) }
                }
                for h in 0..<count { out[h] = s * b1[h] - b2[h] + 0.5 * c[h] }
            }
        }
        for h in 0..<count where !kept[h] { out[h] = .nan }
        return true
    }
}
