import RealModule

/// Adaptive Gauss–Kronrod quadrature of a positive function given by its logarithm.
///
/// ```
/// ln ∫ₐᵇ e^f(v) dv
/// ```
/// Each panel is integrated with the 15-point Kronrod rule and its embedded 7-point Gauss rule
/// (Piessens et al. 1983, QUADPACK `qk15`); |K15 − G7| is the panel's error estimate. The panel
/// with the largest estimate is bisected until the summed estimate is below `relativeTolerance`
/// times the integral. Values are scaled by e^−M, M the largest f seen on the first pass, so an
/// integrand of e^±1000 neither overflows nor underflows.
///
/// Used where a closed form would subtract nearly equal numbers, e.g. the Pareto/NBD
/// P(X(t) = x), whose note-009 form is a difference B₁ − Σ B₂ that cancels to the answer itself.
public enum GaussKronrod {
    public enum Failure: Error, Equatable, Sendable {
        /// The interval or an integrand value was not finite (or a > b).
        case invalidIntegrand(at: Double)
        /// The error estimate stayed above the tolerance after `maxPanels` panels.
        case notConverged(panels: Int, relativeError: Double)
    }

    /// Kronrod abscissae on [−1, 1] (positive half, descending; the last is the centre).
    static let nodes: [Double] = [
        0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
        0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
        0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
        0.207784955007898467600689403773245, 0,
    ]
    /// Kronrod weights for `nodes`.
    static let kronrodWeights: [Double] = [
        0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
        0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
        0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
        0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
    ]
    /// Gauss weights for the odd-indexed `nodes` (1, 3, 5, 7: the 7-point Gauss rule).
    static let gaussWeights: [Double] = [
        0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
        0.381830050505118944950369775488975, 0.417959183673469387755102040816327,
    ]

    struct Panel {
        var a: Double, b: Double, value: Double, error: Double
    }

    /// ln ∫ₐᵇ e^f(v) dv for a smooth f; −∞ when the integrand underflows everywhere (or a = b).
    ///
    /// - Parameters:
    ///   - logIntegrand: f, finite or −∞ on (a, b) (only interior points are evaluated).
    ///   - initialPanels: equal panels of the first pass; enough to see every peak of e^f.
    ///   - relativeTolerance: the target for Σ|K15 − G7| / integral; the default 1e-13 leaves
    ///     two to three digits for rounding in a double.
    ///   - maxPanels: the budget before `Failure.notConverged`.
    /// - Complexity: 15 evaluations of f per panel.
    public static func logIntegral(ofLog logIntegrand: (Double) -> Double, from a: Double, to b: Double,
                                   initialPanels: Int = 32, relativeTolerance: Double = 1e-13,
                                   maxPanels: Int = 4000) throws(Failure) -> Double {
        guard a.isFinite, b.isFinite, a <= b else { throw .invalidIntegrand(at: a.isFinite ? b : a) }
        guard a < b else { return -.infinity }
        // First pass: f at every node of the initial panels, for the scale M.
        let n = max(initialPanels, 1)
        let width = (b - a) / Double(n)
        var logs: [[Double]] = []
        logs.reserveCapacity(n)
        var scale = -Double.infinity
        for i in 0..<n {
            let lo = a + Double(i) * width, hi = i == n - 1 ? b : lo + width
            let values = try logValues(logIntegrand, lo, hi)
            for v in values where v > scale { scale = v }
            logs.append(values)
        }
        guard scale > -.infinity else { return -.infinity }
        var panels: [Panel] = []
        panels.reserveCapacity(n)
        for i in 0..<n {
            let lo = a + Double(i) * width, hi = i == n - 1 ? b : lo + width
            panels.append(rule(logs[i], lo, hi, scale))
        }
        while true {
            var total = 0.0, error = 0.0, worst = 0
            for (i, p) in panels.enumerated() {
                total += p.value
                error += p.error
                if p.error > panels[worst].error { worst = i }
            }
            guard total.isFinite, error.isFinite else { throw .invalidIntegrand(at: panels[worst].a) }
            if total <= 0 { return -.infinity }
            if error <= relativeTolerance * total { return scale + Double.log(total) }
            guard panels.count < maxPanels else { throw .notConverged(panels: panels.count, relativeError: error / total) }
            let p = panels[worst]
            let mid = p.a + (p.b - p.a) / 2
            guard mid > p.a, mid < p.b else {
                // The panel cannot be split further in floating point: accept its estimate.
                panels[worst].error = 0
                continue
            }
            panels[worst] = rule(try logValues(logIntegrand, p.a, mid), p.a, mid, scale)
            panels.append(rule(try logValues(logIntegrand, mid, p.b), mid, p.b, scale))
        }
    }

    /// f at the 15 Kronrod nodes of [lo, hi], ordered: centre − nodes[0…6], centre, centre + nodes[6…0].
    static func logValues(_ f: (Double) -> Double, _ lo: Double, _ hi: Double) throws(Failure) -> [Double] {
        let c = (lo + hi) / 2, h = (hi - lo) / 2
        var out = [Double](repeating: 0, count: 15)
        for j in 0..<7 {
            out[j] = f(c - h * nodes[j])
            out[14 - j] = f(c + h * nodes[j])
        }
        out[7] = f(c)
        for (j, v) in out.enumerated() where v.isNaN || v == .infinity {
            throw .invalidIntegrand(at: j < 7 ? c - h * nodes[j] : j == 7 ? c : c + h * nodes[14 - j])
        }
        return out
    }

    /// The K15 value and |K15 − G7| of one panel from its node logs, scaled by e^−scale.
    static func rule(_ logs: [Double], _ lo: Double, _ hi: Double, _ scale: Double) -> Panel {
        let h = (hi - lo) / 2
        var k = kronrodWeights[7] * Double.exp(logs[7] - scale)
        var g = gaussWeights[3] * Double.exp(logs[7] - scale)
        for j in 0..<7 {
            let pair = Double.exp(logs[j] - scale) + Double.exp(logs[14 - j] - scale)
            k += kronrodWeights[j] * pair
            if j % 2 == 1 { g += gaussWeights[j / 2] * pair }
        }
        return Panel(a: lo, b: hi, value: h * k, error: abs(h * (k - g)))
    }
}
