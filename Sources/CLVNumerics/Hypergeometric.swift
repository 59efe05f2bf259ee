import RealModule

/// The Gauss hypergeometric function ₂F₁(a, b; c; z) for real parameters and 0 ≤ z < 1.
///
/// ```
/// ₂F₁(a, b; c; z) = Σₙ (a)ₙ (b)ₙ / ((c)ₙ n!) zⁿ                          (A&S 15.1.1)
///                 = (1 − z)^(c−a−b) ₂F₁(c − a, c − b; c; z)            (Euler, A&S 15.3.3)
/// ```
/// The BG/NBD conditional expectation (Fader, Hardie & Lee 2005, eq. 10) needs
/// ₂F₁(r+x, b+x; a+b+x−1; z) where a + b − c = r + x − a + 1 grows with the customer's
/// frequency x: summed directly, the terms first grow like n^(a+b−c−1) before z^n wins. When
/// a + b > c the Euler transform is used instead, whose terms decay from the start; it also
/// carries the large factor (1 − z)^(c−a−b) as a logarithm, so nothing overflows. The series
/// itself is accumulated with a running scale so that intermediate terms cannot overflow.
public enum Hypergeometric {
    /// The result of a log-space evaluation: the value is `sign · exp(logMagnitude)`.
    public struct LogValue: Sendable, Equatable {
        public var logMagnitude: Double
        public var sign: Double
        /// The value itself (may overflow to ±∞ for huge magnitudes).
        public var value: Double { sign * Double.exp(logMagnitude) }
    }

    public enum Failure: Error, Equatable {
        /// z outside [0, 1), c a non-positive integer (pole), or a non-finite argument.
        case outsideDomain(a: Double, b: Double, c: Double, z: Double)
        /// The series did not settle within the term budget (z extremely close to 1).
        case notConverged(a: Double, b: Double, c: Double, z: Double)
    }

    /// ln|₂F₁(a, b; c; z)| and its sign, for 0 ≤ z < 1 and c not a non-positive integer.
    ///
    /// - Complexity: O(k) where k is the number of series terms, roughly
    ///   `log(ε) / log(z)` plus the growth phase; capped at `maxTerms`.
    public static func log2F1(_ a: Double, _ b: Double, _ c: Double, _ z: Double,
                              maxTerms: Int = 1_000_000) throws(Failure) -> LogValue {
        guard a.isFinite, b.isFinite, c.isFinite, z.isFinite, z >= 0, z < 1,
              !(c <= 0 && c == c.rounded()) else {
            throw .outsideDomain(a: a, b: b, c: c, z: z)
        }
        if z == 0 || a == 0 || b == 0 { return LogValue(logMagnitude: 0, sign: 1) }
        if a + b > c {
            // Euler: (1 − z)^(c−a−b) ₂F₁(c − a, c − b; c; z).
            var inner = try series(c - a, c - b, c, z, maxTerms: maxTerms)
            inner.logMagnitude += (c - a - b) * Double.log(onePlus: -z)
            return inner
        }
        return try series(a, b, c, z, maxTerms: maxTerms)
    }

    /// Direct summation with rescaling. Stops when a term no longer changes the sum and the
    /// term ratio has settled below 1 (so later terms cannot grow again).
    static func series(_ a: Double, _ b: Double, _ c: Double, _ z: Double,
                       maxTerms: Int) throws(Failure) -> LogValue {
        var term = 1.0
        var sum = 1.0
        var logScale = 0.0
        let rescale = 1e250
        var n = 0.0
        for _ in 0..<maxTerms {
            let ratio = (a + n) * (b + n) / ((c + n) * (n + 1)) * z
            term *= ratio
            sum += term
            n += 1
            if abs(sum) > rescale || abs(term) > rescale {
                sum /= rescale
                term /= rescale
                logScale += Double.log(rescale)
            }
            if term == 0 || (abs(term) <= 1e-17 * abs(sum) && abs(ratio) < 1 && n > abs(a) + abs(b) - c) {
                let magnitude = abs(sum)
                guard magnitude > 0, magnitude.isFinite else { break }
                return LogValue(logMagnitude: Double.log(magnitude) + logScale,
                                sign: sum < 0 ? -1 : 1)
            }
        }
        throw .notConverged(a: a, b: b, c: c, z: z)
    }
}
