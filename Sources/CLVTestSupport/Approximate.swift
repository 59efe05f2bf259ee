/// Relative closeness with a stated tolerance: |a − b| ≤ tol · max(|a|, |b|, floor).
/// `floor` keeps comparisons of values near zero meaningful (default 1e-300: pure relative).
public func isClose(_ a: Double, _ b: Double, relative tol: Double, floor: Double = 1e-300) -> Bool {
    guard a.isFinite, b.isFinite else { return a == b }
    return abs(a - b) <= tol * max(abs(a), abs(b), floor)
}

/// Absolute closeness: |a − b| ≤ tol.
public func isClose(_ a: Double, _ b: Double, absolute tol: Double) -> Bool {
    guard a.isFinite, b.isFinite else { return a == b }
    return abs(a - b) <= tol
}
