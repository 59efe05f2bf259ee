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
        /// f at the panel's 15 Kronrod nodes (`logValues` order).
        var logs: [Double]
        /// The K15 value and error estimate of e^(f+g), g the optional extra weight (0 without one).
        var weightedValue = 0.0, weightedError = 0.0
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
        let n = max(initialPanels, 1)
        let width = (b - a) / Double(n)
        var breakpoints = (0..<n).map { a + Double($0) * width }
        breakpoints.append(b)
        guard let (scale, panels) = try adaptivePanels(logIntegrand, breakpoints: breakpoints, relativeTolerance: relativeTolerance,
                                                       maxPanels: maxPanels) else { return -.infinity }
        return scale + Double.log(panels.reduce(0) { $0 + $1.value })
    }

    /// The nodes and weights of the adaptive rule for ∫ e^f: ∫ e^f(v) g(v) dv ≈ e^scale Σᵢ wᵢ g(vᵢ) for
    /// any g smooth and moderate where e^f matters (wᵢ already include e^(f(vᵢ) − scale)), so that
    /// several integrals against the same weight function (its moments) share one adaptive pass.
    public struct WeightedNodes: Sendable {
        public var scale: Double
        public var nodes: [Double]
        public var weights: [Double]
        /// ln ∫ e^f = scale + ln Σ wᵢ.
        public var logIntegral: Double { scale + Double.log(weights.reduce(0, +)) }
    }

    /// The adaptive rule of `logIntegral` on [breakpoints.first, breakpoints.last], starting from
    /// one panel between each pair of consecutive breakpoints (which lets the caller put short
    /// panels at a peak and long ones in a tail), refined until Σ|K15 − G7| ≤ `relativeTolerance`
    /// times the integral; returns the final panels' nodes and weights (`WeightedNodes`). Returns
    /// nil when the integrand underflows everywhere.
    ///
    /// Moments weight the tails more than e^f itself, where panels refined for ∫ e^f alone may be
    /// too coarse: with `logExtraWeight` g (g ≥ 0, e^g bounding the moments' weights up to a
    /// constant) the panels are refined until ∫ e^(f+g) also meets `extraTolerance`.
    public static func weightedNodes(ofLog logIntegrand: (Double) -> Double, breakpoints: [Double],
                                     relativeTolerance: Double = 1e-13, maxPanels: Int = 4000,
                                     logExtraWeight: ((Double) -> Double)? = nil, extraTolerance: Double = 1e-12) throws(Failure) -> WeightedNodes? {
        guard breakpoints.count >= 2, breakpoints.allSatisfy(\.isFinite) else { throw .invalidIntegrand(at: breakpoints.first ?? .nan) }
        for k in 1..<breakpoints.count where !(breakpoints[k - 1] < breakpoints[k]) { throw .invalidIntegrand(at: breakpoints[k]) }
        guard let (scale, panels) = try adaptivePanels(logIntegrand, breakpoints: breakpoints, relativeTolerance: relativeTolerance,
                                                       maxPanels: maxPanels, extra: logExtraWeight.map { ($0, extraTolerance) }) else { return nil }
        var out = WeightedNodes(scale: scale, nodes: [], weights: [])
        out.nodes.reserveCapacity(15 * panels.count)
        out.weights.reserveCapacity(15 * panels.count)
        for p in panels {
            let c = (p.a + p.b) / 2, h = (p.b - p.a) / 2
            for j in 0..<15 {
                let (offset, weight) = j < 7 ? (-nodes[j], kronrodWeights[j]) : j == 7 ? (0, kronrodWeights[7]) : (nodes[14 - j], kronrodWeights[14 - j])
                out.nodes.append(c + h * offset)
                out.weights.append(h * weight * Double.exp(p.logs[j] - scale))
            }
        }
        return out
    }

    /// The adaptive loop shared by `logIntegral` and `weightedNodes`: the scale M (the largest f on
    /// the first pass) and the accepted panels, or nil when e^f underflows everywhere. With `extra`
    /// = (g, tolerance) the loop also refines until Σ|K15 − G7| of e^(f+g) is within its tolerance,
    /// always bisecting the panel with the largest error relative to its own total.
    static func adaptivePanels(_ logIntegrand: (Double) -> Double, breakpoints: [Double], relativeTolerance: Double,
                               maxPanels: Int, extra: (weight: (Double) -> Double, tolerance: Double)? = nil) throws(Failure) -> (Double, [Panel])? {
        // First pass: f at every node of the initial panels, for the scale M.
        let n = breakpoints.count - 1
        var logs: [[Double]] = []
        logs.reserveCapacity(n)
        var scale = -Double.infinity, extraScale = -Double.infinity
        for i in 0..<n {
            let values = try logValues(logIntegrand, breakpoints[i], breakpoints[i + 1])
            for v in values where v > scale { scale = v }
            if let extra {
                for (j, x) in nodeAbscissae(breakpoints[i], breakpoints[i + 1]).enumerated() {
                    extraScale = max(extraScale, values[j] + extra.weight(x))
                }
            }
            logs.append(values)
        }
        guard scale > -.infinity else { return nil }
        func makePanel(_ logs: [Double], _ lo: Double, _ hi: Double) -> Panel {
            var p = rule(logs, lo, hi, scale)
            if let extra {
                let weighted = zip(logs, nodeAbscissae(lo, hi)).map { $0 + extra.weight($1) }
                let w = rule(weighted, lo, hi, extraScale)
                (p.weightedValue, p.weightedError) = (w.value, w.error)
            }
            return p
        }
        var panels: [Panel] = []
        panels.reserveCapacity(n)
        for i in 0..<n {
            panels.append(makePanel(logs[i], breakpoints[i], breakpoints[i + 1]))
        }
        while true {
            var total = 0.0, error = 0.0, worst = 0
            var weightedTotal = 0.0, weightedError = 0.0
            for p in panels {
                total += p.value
                error += p.error
                weightedTotal += p.weightedValue
                weightedError += p.weightedError
            }
            guard total.isFinite, error.isFinite, weightedTotal.isFinite, weightedError.isFinite else {
                throw .invalidIntegrand(at: panels[worst].a)
            }
            if total <= 0 { return nil }
            let extraMet = extra.map { weightedError <= $0.tolerance * weightedTotal } ?? true
            if error <= relativeTolerance * total && extraMet { return (scale, panels) }
            guard panels.count < maxPanels else { throw .notConverged(panels: panels.count, relativeError: error / total) }
            if extra == nil {
                for (i, p) in panels.enumerated() where p.error > panels[worst].error { worst = i }
            } else {
                func badness(_ p: Panel) -> Double { max(p.error / total, weightedTotal > 0 ? p.weightedError / weightedTotal : 0) }
                var worstBadness = badness(panels[0])
                for (i, p) in panels.enumerated() where badness(p) > worstBadness { worst = i; worstBadness = badness(p) }
            }
            let p = panels[worst]
            let mid = p.a + (p.b - p.a) / 2
            guard mid > p.a, mid < p.b else {
                // The panel cannot be split further in floating point: accept its estimate.
                panels[worst].error = 0
                panels[worst].weightedError = 0
                continue
            }
            panels[worst] = makePanel(try logValues(logIntegrand, p.a, mid), p.a, mid)
            panels.append(makePanel(try logValues(logIntegrand, mid, p.b), mid, p.b))
        }
    }

    /// The 15 Kronrod abscissae of [lo, hi] in `logValues` order.
    static func nodeAbscissae(_ lo: Double, _ hi: Double) -> [Double] {
        let c = (lo + hi) / 2, h = (hi - lo) / 2
        return (0..<15).map { j in j < 7 ? c - h * nodes[j] : j == 7 ? c : c + h * nodes[14 - j] }
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
        return Panel(a: lo, b: hi, value: h * k, error: abs(h * (k - g)), logs: logs)
    }
}
