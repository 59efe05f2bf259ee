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
        var tail = 0.0               // sum − 1 while nothing has been rescaled: ln(1 + tail) by log1p near z = 0
        var logScale = 0.0
        let rescale = 1e250
        var n = 0.0
        for _ in 0..<maxTerms {
            let ratio = (a + n) * (b + n) / ((c + n) * (n + 1)) * z
            term *= ratio
            sum += term
            tail += term
            n += 1
            if abs(sum) > rescale || abs(term) > rescale {
                sum /= rescale
                term /= rescale
                logScale += Double.log(rescale)
            }
            if term == 0 || (abs(term) <= 1e-17 * abs(sum) && abs(ratio) < 1 && n > abs(a) + abs(b) - c) {
                let magnitude = abs(sum)
                guard magnitude > 0, magnitude.isFinite else { break }
                if logScale == 0 && abs(tail) < 0.5 {
                    return LogValue(logMagnitude: Double.log(onePlus: tail), sign: 1)
                }
                return LogValue(logMagnitude: Double.log(magnitude) + logScale,
                                sign: sum < 0 ? -1 : 1)
            }
        }
        throw .notConverged(a: a, b: b, c: c, z: z)
    }
}

// MARK: - ₂F₁(1, b; c; z) with derivatives in b, c and z

extension Hypergeometric {
    /// How many derivatives `log2F1UnitA` computes.
    public enum DerivativeOrder: Int, Sendable, Comparable {
        case value = 0, gradient = 1, hessian = 2
        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    }

    /// ln F with F = ₂F₁(1, b; c; z), and its first and second partial derivatives in b, c and z
    /// (zero where not requested).
    public struct UnitALogValue: Sendable, Equatable {
        public var value = 0.0
        public var db = 0.0, dc = 0.0, dz = 0.0
        public var dbb = 0.0, dbc = 0.0, dbz = 0.0, dcc = 0.0, dcz = 0.0, dzz = 0.0
        public init() {}
    }

    /// ln ₂F₁(1, b; c; z) for 0 < b ≤ c and 0 ≤ z < 1, with its partial derivatives in b, c, z.
    ///
    /// This is the Euler-transformed form of every ₂F₁ in the Pareto/NBD likelihood:
    /// ₂F₁(a, β; a+1; z) = (1−z)^(1−β) ₂F₁(1, a+1−β; a+1; z) (A&S 15.3.3). It is evaluated by
    /// its power series (`unitASeries`) when that converges within `seriesBudget` terms (default
    /// min(2000, 40/√(1−z) + 50)) — always for z ≤ 0.9, and near z = 1 whenever c − b is large (a
    /// customer with many purchases) — and otherwise, for 1 − z ≥ 10⁻⁴, by its continued fraction
    /// (`unitAContinuedFraction`), which needs about 22/√(1−z) levels where the series needs about
    /// 40/(1−z) terms: 2,200 instead of 400,000 at z = 1 − 10⁻⁴. Closer to 1 (and c > 1, which the
    /// Pareto/NBD always has) it integrates Euler's integral by adaptive Gauss–Kronrod
    /// (`unitAQuadrature`), at a cost that no longer grows with 1/(1−z). All three are sums/compositions of positive quantities (no cancellation), and
    /// 1 ≤ F ≤ 1/(1−z) cannot overflow. Past `maxTerms` series terms or continued-fraction levels
    /// the function throws `.notConverged` rather than return a truncated value (for c ≤ 1 only,
    /// z within ~10⁻¹¹ of 1 with the default; the quadrature has its own panel budget).
    public static func log2F1UnitA(b: Double, c: Double, z: Double, order: DerivativeOrder = .value,
                                   maxTerms: Int = 10_000_000, seriesBudget: Int? = nil) throws(Failure) -> UnitALogValue {
        guard b.isFinite, c.isFinite, z.isFinite, b > 0, c >= b, z >= 0, z < 1 else {
            throw .outsideDomain(a: 1, b: b, c: c, z: z)
        }
        if z <= 0.9 { return try unitASeries(b: b, c: c, z: z, order: order, maxTerms: maxTerms) }
        // Try the series for about as long as the continued fraction would take (~40/√(1−z)
        // series-term equivalents, at most 2,000 terms): it wins whenever c − b is large.
        let budget = seriesBudget ?? Int(min(2_000, 40 / (1 - z).squareRoot() + 50))
        if let v = try? unitASeries(b: b, c: c, z: z, order: order, maxTerms: min(budget, maxTerms)) { return v }
        // Very near z = 1 the quadrature's cost stays fixed where the continued fraction's grows.
        if c > 1 && 1 - z < quadratureBelowOneMinusZ { return try unitAQuadrature(b: b, c: c, z: z, order: order) }
        // b = c (the geometric series 1/(1−z), whose b- and c-derivatives still need the series):
        // the continued fraction's first coefficient vanishes, so only the series applies.
        if b == c { return try unitASeries(b: b, c: c, z: z, order: order, maxTerms: maxTerms) }
        return try unitAContinuedFraction(b: b, c: c, z: z, order: order, maxLevels: maxTerms)
    }

    /// The power series of ln ₂F₁(1, b; c; z) and its derivatives (0 < b ≤ c, 0 ≤ z < 1):
    /// ```
    /// ₂F₁(1, b; c; z) = Σₙ tₙ,   tₙ = (b)ₙ/(c)ₙ · zⁿ                          (A&S 15.1.1 with a = 1)
    /// ∂ ln tₙ/∂b = Σₖ₍ₖ₌₀..ₙ₋₁₎ 1/(b+k),   ∂ ln tₙ/∂c = −Σₖ 1/(c+k),   ∂tₙ/∂z = n tₙ/z
    /// ```
    /// With b ≤ c the term ratio (b+n)/(c+n)·z is below z from the first term on, so the terms only
    /// decrease: there is no growth phase however large b and c are (a customer's hundreds of
    /// purchases), every term is positive (no cancellation), and 1 ≤ F ≤ 1/(1−z) cannot overflow. The derivative series are
    /// summed alongside from the same terms (the parameter derivatives of the Pochhammer ratio are
    /// running digamma differences, as in PyMC-Marketing's `Grad2F1Loop`).
    ///
    /// The number of terms is about (37 + ln(1/(1−z)))/(1 − z) in the worst case (b ≈ c), fewer when
    /// c − b is large: 10⁴ at z = 0.999. Near z = 1 the cost grows without bound; past `maxTerms`
    /// the function throws `.notConverged` rather than return a truncated sum.
    static func unitASeries(b: Double, c: Double, z: Double, order: DerivativeOrder,
                            maxTerms: Int) throws(Failure) -> UnitALogValue {
        guard b.isFinite, c.isFinite, z.isFinite, b > 0, c >= b, z >= 0, z < 1 else {
            throw .outsideDomain(a: 1, b: b, c: c, z: z)
        }
        let wantGradient = order >= .gradient, wantHessian = order >= .hessian
        // Running sums: S and its derivatives, before division by S.
        var tail = 0.0               // S − 1, kept apart so that ln S = log1p(tail) keeps its digits near z = 0
        var sb = 0.0, sc = 0.0, sz = 0.0
        var sbb = 0.0, sbc = 0.0, sbz = 0.0, scc = 0.0, scz = 0.0, szz = 0.0
        var a = 1.0                  // (b)ₙ/(c)ₙ
        var zPowN = 1.0              // zⁿ
        var zPowN1 = 0.0             // zⁿ⁻¹ (0 for n = 0)
        var zPowN2 = 0.0             // zⁿ⁻² (0 for n < 2)
        var pb = 0.0, pc = 0.0       // Σₖ<ₙ 1/(b+k), Σₖ<ₙ 1/(c+k)
        var pb2 = 0.0, pc2 = 0.0     // Σₖ<ₙ 1/(b+k)², Σₖ<ₙ 1/(c+k)²
        let epsilon = 1e-17
        let oneMinusZ = 1 - z
        let crude = 2 / (oneMinusZ * (wantGradient ? oneMinusZ : 1) * (wantHessian ? oneMinusZ : 1))
        var n = 0
        while n < maxTerms {
            // Advance from term n to n + 1.
            // Two divisions per term (they bound the loop's throughput), the rest products.
            let bn = b + Double(n), cn = c + Double(n)
            let ib = 1 / bn, ic = 1 / cn
            a *= bn * ic
            zPowN2 = zPowN1
            zPowN1 = zPowN
            zPowN *= z
            if wantGradient {
                pb += ib
                pc += ic
                if wantHessian {
                    pb2 += ib * ib
                    pc2 += ic * ic
                }
            }
            n += 1
            let nd = Double(n)
            let t = a * zPowN                        // tₙ
            tail += t
            let u = wantGradient ? nd * a * zPowN1 : 0   // ∂tₙ/∂z = n (b)ₙ/(c)ₙ zⁿ⁻¹
            if wantGradient {
                sb += t * pb
                sc -= t * pc
                sz += u
                if wantHessian {
                    let v = nd * (nd - 1) * a * zPowN2   // ∂²tₙ/∂z²
                    sbb += t * (pb * pb - pb2)
                    sbc -= t * pb * pc
                    scc += t * (pc * pc + pc2)
                    sbz += u * pb
                    scz -= u * pc
                    szz += v
                }
            }
            // The stopping test every fourth term (and on the first ones): the bounds below hold
            // at any n, so testing less often only adds at most three terms that are already
            // below the tolerance, and it spares the loop most of its comparisons.
            guard n & 3 == 0 || n <= 2 else { continue }
            var largest = t
            if wantGradient {
                largest = max(largest, t * pb, t * pc, u)
                if wantHessian {
                    let v = nd * (nd - 1) * a * zPowN2
                    largest = max(largest, t * pb * pb, t * pc * pc, u * pb, u * pc, v)
                }
            }
            // Tail bounds. The ratio of tₙ is below z, and the weights (n, n², the digamma sums and
            // their squares) grow by at most (n+2)/n per term and derivative order, so
            // (1) every later weighted term is at most ρ = z·((n+2)/n)^order times the previous one,
            //     and once ρ < 1 the tail is ≤ largest·ρ/(1−ρ);
            // (2) the k-th later term is at most largest·zᵏ(1+k)^order, so the tail is at most
            //     largest·2/(1−z)^(order+1) — the bound that ends the sum early when the terms
            //     collapse long before ρ < 1 (c − b large, e.g. many purchases, with z near 1).
            let growth = order == .value ? 1 : (nd + 2) / nd
            let rho = z * (wantHessian ? growth * growth : growth)
            let target = epsilon * (1 + tail)
            if n >= order.rawValue {
                if largest == 0 { break }
                if rho < 1 && largest * rho <= target * (1 - rho) { break }
                if largest * crude <= target { break }
            }
        }
        guard n < maxTerms, tail.isFinite else { throw .notConverged(a: 1, b: b, c: c, z: z) }

        let s = 1 + tail
        var out = UnitALogValue()
        out.value = Double.log(onePlus: tail)
        guard wantGradient else { return out }
        out.db = sb / s
        out.dc = sc / s
        out.dz = sz / s
        guard wantHessian else { return out }
        out.dbb = sbb / s - out.db * out.db
        out.dbc = sbc / s - out.db * out.dc
        out.dcc = scc / s - out.dc * out.dc
        out.dbz = sbz / s - out.db * out.dz
        out.dcz = scz / s - out.dc * out.dz
        out.dzz = szz / s - out.dz * out.dz
        return out
    }
}

extension Hypergeometric {
    /// A value with its gradient and Hessian in (b, c, z): forward-mode second-order
    /// differentiation through the continued fraction's recurrence.
    struct Jet3 {
        var v = 0.0
        var b = 0.0, c = 0.0, z = 0.0
        var bb = 0.0, bc = 0.0, bz = 0.0, cc = 0.0, cz = 0.0, zz = 0.0

        /// The product of two jets.
        static func * (l: Jet3, r: Jet3) -> Jet3 {
            var o = Jet3()
            o.v = l.v * r.v
            o.b = l.b * r.v + r.b * l.v
            o.c = l.c * r.v + r.c * l.v
            o.z = l.z * r.v + r.z * l.v
            o.bb = l.bb * r.v + r.bb * l.v + 2 * l.b * r.b
            o.bc = l.bc * r.v + r.bc * l.v + l.b * r.c + l.c * r.b
            o.bz = l.bz * r.v + r.bz * l.v + l.b * r.z + l.z * r.b
            o.cc = l.cc * r.v + r.cc * l.v + 2 * l.c * r.c
            o.cz = l.cz * r.v + r.cz * l.v + l.c * r.z + l.z * r.c
            o.zz = l.zz * r.v + r.zz * l.v + 2 * l.z * r.z
            return o
        }

        /// 1/(1 + u): derivatives −g/(1+u)², −H/(1+u)² + 2 g gᵀ/(1+u)³.
        func oneOverOnePlus() -> Jet3 {
            let w = 1 / (1 + v), w2 = -w * w, w3 = 2 * w * w * w
            var o = Jet3()
            o.v = w
            o.b = b * w2; o.c = c * w2; o.z = z * w2
            o.bb = bb * w2 + w3 * b * b
            o.bc = bc * w2 + w3 * b * c
            o.bz = bz * w2 + w3 * b * z
            o.cc = cc * w2 + w3 * c * c
            o.cz = cz * w2 + w3 * c * z
            o.zz = zz * w2 + w3 * z * z
            return o
        }
    }

    /// The coefficient kₙ of Gauss's continued fraction for ₂F₁(1, q; c; w) with q = c − b, and
    /// the derivatives of ln kₙ in (b, c) at fixed w (kₙ is a product of linear factors):
    /// ```
    /// ₂F₁(1, q; c; w) = 1/(1 − k₁w/(1 − k₂w/(1 − k₃w/(1 − …))))          (Gauss; A&S 15.1.1 ratios)
    /// k₁ = q/c,   k₂ₘ₊₁ = (q+m)(c−1+m)/((c−1+2m)(c+2m)),   k₂ₘ = m(b−1+m)/((c+2m−2)(c+2m−1))
    /// ```
    /// With 0 < b ≤ c every kₙ is positive (k₂ₘ needs b − 1 + m > 0).
    @inline(__always)
    static func cfCoefficient(_ n: Int, b: Double, c: Double) -> (k: Double, lb: Double, lc: Double, lbb: Double, lbc: Double, lcc: Double) {
        let q = c - b
        if n == 1 {
            let iq = 1 / q, ic = 1 / c
            return (q / c, -iq, iq - ic, -iq * iq, iq * iq, -iq * iq + ic * ic)
        }
        let m = Double(n / 2)
        if n % 2 == 1 {
            let f1 = q + m, f2 = c - 1 + m, f3 = c - 1 + 2 * m, f4 = f3 + 1
            let i1 = 1 / f1, i2 = 1 / f2, i3 = 1 / f3, i4 = 1 / f4
            return (f1 * f2 * i3 * i4, -i1, i1 + i2 - i3 - i4,
                    -i1 * i1, i1 * i1, -i1 * i1 - i2 * i2 + i3 * i3 + i4 * i4)
        }
        let e = b - 1 + m, f3 = c + 2 * m - 2, f4 = f3 + 1
        let ie = 1 / e, i3 = 1 / f3, i4 = 1 / f4
        return (m * e * i3 * i4, ie, -i3 - i4, -ie * ie, 0, i3 * i3 + i4 * i4)
    }

    /// kₙ alone (see `cfCoefficient`), for the value-only passes.
    @inline(__always)
    static func cfK(_ n: Int, b: Double, c: Double) -> Double {
        let q = c - b
        if n == 1 { return q / c }
        let m = Double(n / 2)
        if n % 2 == 1 { return (q + m) * (c - 1 + m) / ((c - 1 + 2 * m) * (c + 2 * m)) }
        return m * (b - 1 + m) / ((c + 2 * m - 2) * (c + 2 * m - 1))
    }

    /// ₂F₁(1, q; c; −W) (q = c − b, W = z/(1−z) > 0) by backward evaluation of its continued
    /// fraction to depth `levels`, vₙ = 1/(1 + kₙ W vₙ₊₁), from the fixed point 2/(1 + √(1+W)) of
    /// its limit (every kₙ → 1/4); value only.
    static func cfValue(b: Double, c: Double, W: Double, levels: Int) -> Double {
        var v = 2 / (1 + (1 + W).squareRoot())
        var n = levels
        while n >= 1 {
            v = 1 / (1 + cfK(n, b: b, c: c) * W * v)
            n -= 1
        }
        return v
    }

    /// ln ₂F₁(1, b; c; z) and its derivatives for z near 1, through Pfaff's transformation
    /// (A&S 15.3.4) and Gauss's continued fraction:
    /// ```
    /// ₂F₁(1, b; c; z) = (1−z)⁻¹ · ₂F₁(1, c−b; c; −W),   W = z/(1−z)
    /// ```
    /// ₂F₁(1, q; c; −W) = E[1/(1 + W·U)] with U ~ Beta(q, b) is a Stieltjes function, so every kₙ is
    /// positive and the backward recurrence only ever adds positive numbers: no cancellation (the
    /// fraction for ₂F₁(1, b; c; z) itself subtracts, 1 − kₙ z wₙ₊₁, and loses ~1e-10 at
    /// z = 1 − 10⁻⁸). Its approximants are Padé approximants, whose error falls by about
    /// 1 − 2√(1−z) per level, where the series' terms fall only by z = 1 − (1−z). The depth starts
    /// at 22/√(1−z) + 40 and is doubled until 70 % of it gives the same value to within rounding
    /// (4e-16, or 1e-16/√(1−z) where the recurrence's weak damping lets rounding accumulate);
    /// the derivatives are carried through the same recurrence in second-order forward mode (`Jet3`).
    /// Measured against mpmath: ~1e-15 relative in ₂F₁ at z = 1 − 10⁻⁸, ~1e-13 at 1 − 10⁻¹².
    static func unitAContinuedFraction(b: Double, c: Double, z: Double, order: DerivativeOrder,
                                       maxLevels: Int) throws(Failure) -> UnitALogValue {
        let epsilon = 1 - z                       // exact for z ≥ 1/2 (Sterbenz)
        let W = z / epsilon
        let logOneMinusZ = Double.log(epsilon)
        // ln W = ln z − ln(1−z): d/dz = 1/(z(1−z)), d²/dz² = −1/z² + 1/(1−z)².
        let lz = 1 / (z * epsilon), lzz = -1 / (z * z) + 1 / (epsilon * epsilon)
        // The depth the error bound asks for; a smaller budget cannot give a converged value (and
        // near z = 1 two too-shallow depths can agree closely while both are wrong).
        let needed = 22 / epsilon.squareRoot() + 40
        guard needed <= Double(maxLevels) else { throw .notConverged(a: 1, b: b, c: c, z: z) }
        var levels = Int(needed)
        // Rounding noise of the recurrence: it damps a perturbation by only ≈ 1 − 2√(1−z) per level.
        let noise = 4e-16 * max(1, 0.25 / epsilon.squareRoot())
        while true {
            // Converged when 70 % of the depth already gives the same value: the error falls
            // geometrically with depth, so the full depth is then far below the tolerance.
            let full = cfValue(b: b, c: c, W: W, levels: levels)
            let shallower = cfValue(b: b, c: c, W: W, levels: levels * 7 / 10)
            guard full.isFinite, full > 0 else { throw .notConverged(a: 1, b: b, c: c, z: z) }
            if abs(full - shallower) > noise * full {
                guard levels < maxLevels else { throw .notConverged(a: 1, b: b, c: c, z: z) }
                levels = min(2 * levels, maxLevels)
                continue
            }
            var v = Jet3()
            v.v = 2 / (1 + (1 + W).squareRoot())  // the tail: its derivatives only matter at truncation level
            var n = levels
            if order == .value {
                v.v = full
            } else {
                while n >= 1 {
                    let k = cfCoefficient(n, b: b, c: c)
                    // y = kₙ W as a jet: ∇y = y ∇ln y, ∇²y = y (∇ln y ∇ln yᵀ + ∇² ln y), ln y = ln kₙ + ln W.
                    let yv = k.k * W
                    var y = Jet3()
                    y.v = yv
                    y.b = yv * k.lb; y.c = yv * k.lc; y.z = yv * lz
                    y.bb = yv * (k.lb * k.lb + k.lbb); y.bc = yv * (k.lb * k.lc + k.lbc); y.bz = yv * k.lb * lz
                    y.cc = yv * (k.lc * k.lc + k.lcc); y.cz = yv * k.lc * lz; y.zz = yv * (lz * lz + lzz)
                    v = (y * v).oneOverOnePlus()
                    n -= 1
                }
            }
            guard v.v.isFinite, v.v > 0 else { throw .notConverged(a: 1, b: b, c: c, z: z) }
            return finish(v)
        }

        func finish(_ v: Jet3) -> UnitALogValue {
            var out = UnitALogValue()
            out.value = Double.log(v.v) - logOneMinusZ
            guard order >= .gradient else { return out }
            let f = v.v
            // ln F = −ln(1−z) + ln v₁: the first term adds 1/(1−z) and 1/(1−z)² to the z-derivatives.
            out.db = v.b / f; out.dc = v.c / f; out.dz = v.z / f + 1 / epsilon
            guard order >= .hessian else { return out }
            let vb = v.b / f, vc = v.c / f, vz = v.z / f
            out.dbb = v.bb / f - vb * vb
            out.dbc = v.bc / f - vb * vc
            out.dbz = v.bz / f - vb * vz
            out.dcc = v.cc / f - vc * vc
            out.dcz = v.cz / f - vc * vz
            out.dzz = v.zz / f - vz * vz + 1 / (epsilon * epsilon)
            return out
        }
    }
}

extension Hypergeometric {
    /// Below this 1 − z (and for c > 1) `log2F1UnitA` integrates instead of running the continued
    /// fraction, which would need more than 22/√(1−z) + 40 ≈ 2,240 levels (and ~10⁶ at 1 − 10⁻⁹).
    static let quadratureBelowOneMinusZ = 1e-4

    /// ln ₂F₁(1, b; c; z) and its derivatives in (b, c, z) by quadrature of Euler's integral
    /// (A&S 15.3.1 with u = v/(1+v)), for c > 1, 0 < b ≤ c, 0 ≤ z < 1:
    /// ```
    /// ₂F₁(1, b; c; z) = (c − 1) ∫₀^∞ (1 + κv)^−b (1 + v)^−(c−b) dv,   κ = 1 − z
    /// ```
    /// Its cost does not grow as z → 1, where the series needs ~40/(1−z) terms and the continued
    /// fraction ~22/√(1−z) levels (the Pareto/NBD ridge of tiny data sets, r, α → 10⁷…10⁹ with
    /// α/β → 10⁷, puts every argument within 10⁻⁷ of 1).
    ///
    /// In t = ln(1 + v) the log-integrand ψ(t) = (1 − q) t − b ln(1 + κ(eᵗ − 1)), q = c − b, is
    /// concave (ψ'' = −bκz eᵗ/(1 + κ(eᵗ − 1))² ≤ 0) with its mode at t₀ = max(0, ln((1−q)z/(κ(c−1)))).
    /// Panels start at t₀ with the peak's own width w₀ = min(1, 1/|ψ'(t₀)|, 1/√|ψ''(t₀)|) and double
    /// outwards until ψ has fallen by 80 from ψ(t₀); by concavity the part cut off is below e⁻⁸⁰ of
    /// the integral. The adaptive Gauss–Kronrod rule (`GaussKronrod.weightedNodes`, 1e-14) then
    /// refines them. With φ = −b ln(1 + κv) − q ln(1 + v) the derivatives of ln ∫ e^φ are moments
    /// under the normalised integrand, computed on the same nodes in two passes (means, then
    /// centred products, so the covariances do not cancel):
    /// ```
    /// ∇ ln I = E[∇φ],   ∇² ln I = E[∇²φ] + Cov(∇φ)
    /// φ_b = ln((1+v)/(1+κv)),  φ_c = −ln(1+v),  φ_z = b R,  φ_bz = R,  φ_zz = b R²,  R = v/(1+κv)
    /// ```
    /// plus 1/(c−1) and −1/(c−1)² from the factor (c − 1). Every weight is positive: no cancellation.
    static func unitAQuadrature(b: Double, c: Double, z: Double, order: DerivativeOrder) throws(Failure) -> UnitALogValue {
        guard b.isFinite, c.isFinite, z.isFinite, b > 0, c >= b, c > 1, z >= 0, z < 1 else {
            throw .outsideDomain(a: 1, b: b, c: c, z: z)
        }
        let kappa = 1 - z, q = c - b
        // L(t) = ln(1 + κ(eᵗ − 1)); past t = 700, where eᵗ would overflow, as t + ln(κ + z e⁻ᵗ)
        // (which loses digits to cancellation where κeᵗ is small, but there eᵗ no longer fits).
        func logOnePlusKappaV(_ t: Double) -> Double {
            t < 700 ? Double.log(onePlus: kappa * Double.expMinusOne(t)) : t + Double.log(kappa + z * Double.exp(-t))
        }
        // R = v/(1 + κv) ≤ 1/κ.
        func ratio(_ t: Double) -> Double { -Double.expMinusOne(-t) / (kappa + z * Double.exp(-t)) }
        func psi(_ t: Double) -> Double { (1 - q) * t - b * logOnePlusKappaV(t) }

        var t0 = 0.0
        if q < 1 {
            let mode = Double.log((1 - q) * z / (kappa * (c - 1)))
            if mode > 0 { t0 = mode }
        }
        let e0 = Double.exp(t0), d0 = 1 + kappa * (e0 - 1)
        let slope = (1 - q) - b * kappa * e0 / d0
        let curvature = b * kappa * z * e0 / (d0 * d0)
        let w0 = min(1, 1 / max(abs(slope), curvature.squareRoot(), 1e-300))
        let peak = psi(t0)
        // The moments weigh the tail by up to (1 + R)²(1 + t)², R ≤ 1/κ: cut off where even that is negligible.
        let drop = 80 + 2 * Double.log(onePlus: 1 / kappa)
        guard peak.isFinite, w0 > 0 else { throw .notConverged(a: 1, b: b, c: c, z: z) }

        var right: [Double] = []
        var width = w0
        while true {
            let t = t0 + width
            right.append(t)
            if peak - psi(t) >= drop { break }
            guard right.count < 400, t.isFinite else { throw .notConverged(a: 1, b: b, c: c, z: z) }
            width *= 2
        }
        var left: [Double] = []
        width = w0
        while left.last != 0 && t0 > 0 {
            let t = max(0, t0 - width)
            left.append(t)
            if peak - psi(t) >= drop { break }
            width *= 2
        }
        let breakpoints = left.reversed() + [t0] + right

        let rule: GaussKronrod.WeightedNodes
        do {
            // The derivatives are moments of weights up to (1 + R)²(1 + t)² (φ_z² = b²R², φ_b² ≤ t², …),
            // whose mass sits further out than e^ψ's: refine for that weight too.
            let extra: ((Double) -> Double)? = order == .value ? nil : { t in
                2 * (Double.log(onePlus: ratio(t)) + Double.log(onePlus: t))
            }
            guard let r = try GaussKronrod.weightedNodes(ofLog: psi, breakpoints: breakpoints, relativeTolerance: 1e-14,
                                                         logExtraWeight: extra, extraTolerance: 1e-12) else {
                throw Failure.notConverged(a: 1, b: b, c: c, z: z)
            }
            rule = r
        } catch {
            throw .notConverged(a: 1, b: b, c: c, z: z)
        }
        let total = rule.weights.reduce(0, +)
        var out = UnitALogValue()
        out.value = Double.log(c - 1) + rule.scale + Double.log(total)
        guard order >= .gradient else { return out }

        // φ_b, φ_c, φ_z and R at each node.
        func parts(_ t: Double) -> (gb: Double, gc: Double, gz: Double, r: Double) {
            let r = ratio(t)
            return (t - logOnePlusKappaV(t), -t, b * r, r)
        }
        var mb = 0.0, mc = 0.0, mz = 0.0, mr = 0.0, mr2 = 0.0
        for (t, w) in zip(rule.nodes, rule.weights) {
            let p = parts(t)
            mb += w * p.gb; mc += w * p.gc; mz += w * p.gz
            mr += w * p.r; mr2 += w * p.r * p.r
        }
        mb /= total; mc /= total; mz /= total; mr /= total; mr2 /= total
        let cm1 = 1 / (c - 1)
        out.db = mb
        out.dc = mc + cm1
        out.dz = mz
        guard order >= .hessian else { return out }
        var cbb = 0.0, cbc = 0.0, cbz = 0.0, ccc = 0.0, ccz = 0.0, czz = 0.0
        for (t, w) in zip(rule.nodes, rule.weights) {
            let p = parts(t)
            let db = p.gb - mb, dc = p.gc - mc, dz = p.gz - mz
            cbb += w * db * db; cbc += w * db * dc; cbz += w * db * dz
            ccc += w * dc * dc; ccz += w * dc * dz; czz += w * dz * dz
        }
        out.dbb = cbb / total
        out.dbc = cbc / total
        out.dbz = mr + cbz / total
        out.dcc = ccc / total - cm1 * cm1
        out.dcz = ccz / total
        out.dzz = b * mr2 + czz / total
        return out
    }
}
