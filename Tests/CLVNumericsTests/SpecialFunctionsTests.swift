import Testing
@testable import CLVNumerics
import CLVTestSupport

/// Reference values computed with mpmath 1.3.0 at 40 significant digits
/// (`mp.digamma(x)`, `mp.psi(1, x)`, `mp.log(mp.hyp2f1(a, b, c, z))`), printed to 20–25 digits.
@Suite struct SpecialFunctionsTests {
    static let polygammaReferences: [(x: Double, digamma: Double, trigamma: Double)] = [
        (1e-6, -1000000.5772140200139, 1000000000001.6450222),
        (0.1, -10.423754940411076232, 101.4332991507927477),
        (0.5, -1.9635100260214234794, 4.9348022005446793094),
        (1, -0.57721566490153286061, 1.6449340668482264365),
        (2.5, 0.70315664064524318723, 0.49035775610023486497),
        (5.9999, 1.7060995359722761709, 0.18132623476948003402),
        (6, 1.7061176684318004727, 0.18132295573711532536),
        (10, 2.2517525890667211076, 0.10516633568168574612),
        (123.456, 4.8118293238289854123, 0.0081329458342781978071),
        (1e6, 13.815510057964190771, 1.0000005000001666667e-6),
    ]

    /// 1e-13 relative: the asymptotic series is good to ~1e-16; the recurrence below 6 adds a
    /// handful of roundings, and cancellation near the digamma root (1.46) is not sampled here.
    @Test(arguments: polygammaReferences.indices)
    func polygammaMatchesMpmath(_ i: Int) {
        let ref = Self.polygammaReferences[i]
        #expect(isClose(Special.digamma(ref.x), ref.digamma, relative: 1e-13), "ψ(\(ref.x))")
        #expect(isClose(Special.trigamma(ref.x), ref.trigamma, relative: 1e-13), "ψ′(\(ref.x))")
    }

    @Test func polygammaOutsideDomainIsNaNNotGarbage() {
        #expect(Special.digamma(0).isNaN)
        #expect(Special.digamma(-1.5).isNaN)
        #expect(Special.trigamma(.nan).isNaN)
    }

    @Test func digammaIsDerivativeOfLogGamma() {
        for x in [0.3, 1.7, 4.2, 55.5] {
            let h = 1e-5
            let numeric = (Special.logGamma(x + h) - Special.logGamma(x - h)) / (2 * h)
            #expect(isClose(Special.digamma(x), numeric, relative: 1e-8))  // central-difference error O(h²)
        }
    }

    static let hypergeometricReferences: [(a: Double, b: Double, c: Double, z: Double, log: Double)] = [
        (0.24, 2.43, 2.22, 0.3, 0.09472861702770116582429452),
        (2.24, 4.43, 4.22, 0.47, 1.501660333277037916909271),
        (100.24, 102.43, 101.22, 0.5, 70.31391272183182814258259),      // large x: Euler transform
        (500.24, 502.43, 501.22, 0.9, 1154.629164163252359317003),      // value ~ e^1154 overflows a Double
        (0.5, -0.3, 1.7, 0.95, -0.1192109071837951928546156),           // a negative parameter
        (1, 1, 2, 0.999, 1.933645234249648897010673),                   // z near 1: −ln(1−z)/z
    ]

    /// 1e-12 relative on ln ₂F₁: series summed to 1e-17 relative, a few hundred roundings.
    @Test(arguments: hypergeometricReferences.indices)
    func hypergeometricMatchesMpmath(_ i: Int) throws {
        let ref = Self.hypergeometricReferences[i]
        let v = try Hypergeometric.log2F1(ref.a, ref.b, ref.c, ref.z)
        #expect(v.sign == 1)
        #expect(isClose(v.logMagnitude, ref.log, relative: 1e-12), "ln 2F1\(ref)")
    }

    @Test func hypergeometricRejectsPolesAndOutOfRange() {
        #expect(throws: Hypergeometric.Failure.self) { try Hypergeometric.log2F1(1, 1, 0, 0.5) }
        #expect(throws: Hypergeometric.Failure.self) { try Hypergeometric.log2F1(1, 1, -2, 0.5) }
        #expect(throws: Hypergeometric.Failure.self) { try Hypergeometric.log2F1(1, 1, 2, 1) }
        #expect(throws: Hypergeometric.Failure.self) { try Hypergeometric.log2F1(1, 1, 2, .nan) }
    }

    @Test func logSpaceArithmetic() {
        #expect(isClose(LogSpace.add(1000, 1000), 1000 + 0.6931471805599453, relative: 1e-15))
        #expect(LogSpace.add(-.infinity, 3) == 3)
        #expect(isClose(LogSpace.sum([-1000, -1000, -1000]), -1000 + 1.0986122886681098, relative: 1e-15))
        #expect(LogSpace.sum([Double]()) == -.infinity)
        #expect(LogSpace.logistic(-700) > 0 && LogSpace.logistic(-700) < 1e-300)  // e^−700 ≈ 1e−304, no underflow to 0
        #expect(LogSpace.logistic(800) == 1)
    }
}

/// ₂F₁ in the ranges the Pareto/NBD likelihood needs: customers with hundreds of purchases,
/// arguments near 1 (β/α or α/β large) and α ≈ β (argument near 0). References computed with
/// mpmath 1.3.0 at 60 significant digits: `mp.log(mp.hyp2f1(1, b, c, z))` and its partial
/// derivatives by `mp.diff` (the one-line recipes are in the comments above each table), printed
/// to 20 digits; `mp.log(mp.hyp2f1(a, b, c, z))` at 50 digits for `log2F1`.
@Suite struct ParetoRangeHypergeometricTests {
    // python3: import mpmath as mp; mp.mp.dps = 60; f = lambda b, c, z: mp.log(mp.hyp2f1(1, b, c, z))
    //          value = f(b, c, z); derivatives = mp.diff(f, (b, c, z), (i, j, k)) for each order
    static let unitAReferences: [(b: Double, c: Double, z: Double, value: Double, db: Double, dc: Double, dz: Double, dbb: Double, dbc: Double, dbz: Double, dcc: Double, dcz: Double, dzz: Double)] = [
        (0.55, 1.16, 0.05, 0.024295795410425502531, 0.0442142017186038124, -0.021104253012210885591, 0.49809506233771960989, 0.00014493118639409773541, -0.038208742375942291822, 0.90727435122370687216, 0.036330151998770735382, -0.43594523039864079649, 0.50383495384961668466),
        (2.55, 3.16, 0.0, 0.0, 0.0, 0.0, 0.8069620253164556037, 0.0, 0.0, 0.31645569620253163134, 0.0, -0.25536772953052391374, 0.72607920790553769607),
        (2.55, 3.16, 1e-12, 8.0696202531681862707e-13, 3.1645569620274029084e-13, -2.5536772953070129541e-13, 0.80696202531718168291, 5.1997953976862689418e-26, -1.0014420765912575821e-13, 0.31645569620294896307, 1.6162514527261012169e-13, -0.25536772953087868736, 0.72607920790689780871),
        (0.6062, 1.7595, 0.3, 0.11892660989087791761, 0.19964781162036299507, -0.072520267392409127987, 0.46047387006255269099, 0.01138270822080611838, -0.12043737755498740538, 0.78747424760800195342, 0.084434328412571117871, -0.30106551790702942531, 0.53092727057078630933),
        (500.55, 502.16, 0.3, 0.35530298452381995682, 0.00085156771457283405668, -0.0008488397657035511079, 1.4220482819983367376, 7.2107481305515061877e-7, -2.4131496053930139305e-6, 0.0040461249445249088286, 4.0943760409581946181e-6, -0.0040331743439519820072, 2.0222736703057448744),
        (500.55, 502.16, 0.999, 5.7861265393206089946, 0.51431905149115750591, -0.51318037228224246037, 428.36445074547839713, 0.17737173257912792306, -0.17778624397183428475, 207.93523059513737575, 0.17819785014288631377, -207.61690426816894136, 269294.26877755461872),
        (1.6, 2.2, 0.999, 3.6988096294175961065, 4.7199457901683151256, -4.3315372646770752394, 428.53210108383483634, 2.822025262587772864, -3.5215868336458415049, 859.66042505193922501, 3.9523092348117898027, -847.432342247259495, 416963.06712292260424),
        (1.6, 2.2, 0.999999, 6.5280464804943595144, 11.187845610348251333, -10.771419024530610644, 401753.03233981247628, 5.5995746026772874004, -6.4368538875810774856, 980373.91924663038487, 6.9896685657665885761, -979643.56794315662544, 401049462409.37422655),
        (0.6, 2.1, 0.9999, 0.77718979930149530424, 1.8993199417024228459, -1.002818939662792064, 56.062001798927791477, 3.0907876187029876437, -3.1632263510467793927, 394.83115261751758454, 2.4200010570221414321, -332.16205169657868082, 283049.91903099789918),
        (0.6, 1.2, 0.99999999, 7.6811114629555379609, 17.40450693281108357, -16.153792481833467575, 40009228.833376345888, 3.5471524825300664616, -7.1669862024408149058, 99839369.224004033797, 8.4199664972914554003, -99804767.18896437597, 4000553628674996.5984),
        (1.6, 500.0, 0.9999, 0.0032112420616224862246, 0.0020102522630326099423, -6.4456973378788700333e-6, 0.003223204746703010722, 4.0411125243231933226e-6, -4.041518305960556921e-6, 0.0020209954702634409195, 2.587600002320875926e-8, -6.4931555107241774094e-6, 0.000023443501953581805433),
        (3.0, 3.0, 0.99, 4.6051701859880904799, 3.1885727843976028503, -3.1885727843976028503, 99.999999999999911182, 0.90547771751465381146, -1.2662576869834583266, 93.558438819398693245, 1.6270376564522628418, -93.558438819398693245, 9999.9999999999822364),
        (1.6062, 27.16, 0.95, 0.059969034884576853829, 0.038472996551031230143, -0.0023570357621802083556, 0.067643880115486588372, 0.0014732945751736880857, -0.0015575087475733600534, 0.044807451597324016467, 0.00018529518188878740205, -0.0028474215298265134661, 0.010849747845630388545),
        (0.29, 1.1, 0.9993, 1.6840766565885348597, 6.3631981269779756501, -3.8212948693710154245, 297.86361023090167943, 2.7667156896287923488, -9.3588862651820669676, 1259.7232736291148607, 8.0326143328524235175, -1062.8225652359522073, 417732.10352325482532),
        // The quadrature range (1 − z < 10⁻⁴) and next to it: scripts/hypergeometric_unit_a_fixtures.py
        // (the same recipe, at the Doubles the literals round to).
        (1.61, 27.16, 0.9999, 0.06351283588617955123, 0.040728661028819108464, -0.0025066075686965491416, 0.068364065318215768737, 0.0016588081398736525237, -0.0016589884251321179585, 0.045364718719236535803, 1.9791874171002856612e-4, -0.0029028823788095433587, 0.01115122144853325294),
        (21903563.0, 21903564.287, 0.99999973, 14.948558705230282922, 0.12757996246486753492, -0.12757995575742322588, 3159566.7559612210025, 0.013491365506191907337, -0.013491370073711549256, 370536.98360299946974, 0.01349137464123066875, -370536.96606414311237, 1.0279271623658307083e+13),
        (21903564.0, 21903564.287, 0.99999973, 15.08330718571077277, 0.14236409978247575349, -0.14236409813066899387, 3569701.980803051286, 0.016176202500799380595, -0.016176208086929234647, 453171.06109069761949, 0.016176213673058955395, -453171.05639420483117, 1.2840118734631405157e+13),
        (2621702.0, 2621703.00000011, 0.99999, 11.476756054583835278, 0.035563943968005361998, -0.035563930854994482085, 96562.123710143574435, 0.0011856034907373308401, -0.0011856161803558228249, 3326.8742337965236441, 0.0011856288699647860097, -3326.8730469175255053, 9.3450482892006394822e+9),
        (1.6, 1.9, 0.999999999, 14.840760381670778873, 19.377204454262119693, -19.147068151172094147, 7.0000034173351887917e+8, 1.9754175915701744716, -2.8338414272004847009, 9.9999377261953616224e+8, 3.5218055607690928444, -9.9999348920900669506e+8, 7.0000013644545422615e+17),
        (0.55, 1.05, 0.9999999, 8.1244992261893458034, 15.891074781572785551, -14.65351613620713941, 5000148.0491559772785, 0.72438562342796935696, -4.9154069901231178282, 9997646.5923225569977, 6.4392885695486280159, -9994868.9399724723101, 5.0000740513183767576e+13),
        (0.6, 1.2, 0.999999999999, 11.365481370461084579, 26.610446582121301866, -25.358888984452492676, 4.0001116667186643356e+11, 3.6342215892057436474, -7.2698200613304160643, 9.9996044482868095939e+11, 8.53663578591789306, -9.9995175673386776231e+11, 4.0001908866171093002e+23),
        (10000000.0, 10000002.0, 0.99999, 11.493311691411036526, 0.0097131192680996862865, -0.0097131173439936850716, 98075.874378605287771, 9.2595926045637234237e-5, -9.2596869927706602605e-5, 943.89169262487308294, 9.259781380939835017e-5, -943.89150741274332251, 9.6223753441462180222e+9),
        (0.5, 3.5, 0.99999999, 0.22314354631421100367, 0.49999998500001562364, -0.099999995000012332605, 0.49999975289536058794, 0.2499999700002207607, -0.2499999800001854167, 1.4999970162495694111, 0.089999990000153222338, -0.49999766450658219685, 23.210464916512894083),
    ]

    /// Values to 1e-13 relative (floor 1e-13 absolute: ln F is 0 at z = 0); first and second
    /// derivatives to 1e-9 relative, with an absolute floor of 1e-12 times the largest entry of
    /// the same order (entries span 16 orders of magnitude at z = 1 − 10⁻⁸: the d/dz ones carry
    /// 1/(1−z)ᵏ). The series is summed to 1e-17; the continued fraction (z > 0.9 where the series
    /// would need more than 2,000 terms) carries rounding of ~1e-16/√(1−z): 1e-12 at z = 1 − 10⁻⁸.
    @Test(arguments: unitAReferences.indices)
    func unitAValueAndDerivativesMatchMpmath(_ i: Int) throws {
        let ref = Self.unitAReferences[i]
        let v = try Hypergeometric.log2F1UnitA(b: ref.b, c: ref.c, z: ref.z, order: .hessian)
        let valueOnly = try Hypergeometric.log2F1UnitA(b: ref.b, c: ref.c, z: ref.z)
        #expect(isClose(v.value, ref.value, relative: 1e-13, floor: 1), "ln F \(ref)")
        #expect(isClose(valueOnly.value, ref.value, relative: 1e-13, floor: 1))
        // The quadrature directly as well, wherever it applies (c > 1) near z = 1, including where
        // `log2F1UnitA` itself takes the series or the continued fraction.
        var evaluations = [v]
        if ref.c > 1 && ref.z >= 0.99 {
            let q = try Hypergeometric.unitAQuadrature(b: ref.b, c: ref.c, z: ref.z, order: .hessian)
            #expect(isClose(q.value, ref.value, relative: 1e-13, floor: 1), "quadrature ln F \(ref)")
            evaluations.append(q)
        }
        for v in evaluations {
            let first = [(v.db, ref.db), (v.dc, ref.dc), (v.dz, ref.dz)]
            let second = [(v.dbb, ref.dbb), (v.dbc, ref.dbc), (v.dbz, ref.dbz), (v.dcc, ref.dcc), (v.dcz, ref.dcz), (v.dzz, ref.dzz)]
            for group in [first, second] {
                let scale = group.map { abs($0.1) }.max()!
                for (k, (got, want)) in group.enumerated() {
                    #expect(abs(got - want) <= 1e-9 * abs(want) + 1e-12 * scale, "derivative \(k) of \(ref): \(got) vs \(want)")
                }
            }
        }
    }

    /// The series and the continued fraction agree where both are cheap (1e-14 relative on ln F,
    /// 1e-10 on the derivatives), so the switch at z = 0.9 leaves no step in the likelihood.
    @Test func seriesAndContinuedFractionAgree() throws {
        for (b, c, z) in [(0.6, 2.1, 0.91), (1.61, 27.16, 0.95), (500.55, 502.16, 0.93), (0.29, 1.1, 0.97)] {
            let s = try Hypergeometric.unitASeries(b: b, c: c, z: z, order: .hessian, maxTerms: 10_000_000)
            let f = try Hypergeometric.unitAContinuedFraction(b: b, c: c, z: z, order: .hessian, maxLevels: 10_000_000)
            #expect(isClose(s.value, f.value, relative: 1e-14, floor: 1e-2), "\((b, c, z))")
            for (u, w) in [(s.db, f.db), (s.dc, f.dc), (s.dz, f.dz), (s.dbb, f.dbb), (s.dbc, f.dbc), (s.dbz, f.dbz), (s.dcc, f.dcc), (s.dcz, f.dcz), (s.dzz, f.dzz)] {
                #expect(isClose(u, w, relative: 1e-10, floor: 1e-3), "\((b, c, z)): \(u) vs \(w)")
            }
        }
    }

    /// The continued fraction and the quadrature agree around their switch at 1 − z = 10⁻⁴ and
    /// further in (1e-13 relative on ln F: the fraction carries ~1e-16/√(1−z) of rounding; 1e-9 on
    /// the derivatives, with an absolute floor of 1e-12 times the largest entry of the same order
    /// as in the mpmath comparison), so the likelihood has no step there.
    @Test func continuedFractionAndQuadratureAgree() throws {
        for (b, c, z) in [(0.6, 2.1, 0.99991), (0.29, 1.1, 0.99999), (500.55, 502.16, 0.999999), (3.3, 4.0, 0.9999999), (1.2e5, 1.2e5 + 0.4, 0.99999)] {
            let f = try Hypergeometric.unitAContinuedFraction(b: b, c: c, z: z, order: .hessian, maxLevels: 10_000_000)
            let q = try Hypergeometric.unitAQuadrature(b: b, c: c, z: z, order: .hessian)
            #expect(isClose(q.value, f.value, relative: 1e-13, floor: 1e-2), "\((b, c, z)): \(q.value) vs \(f.value)")
            for group in [[(q.db, f.db), (q.dc, f.dc), (q.dz, f.dz)], [(q.dbb, f.dbb), (q.dbc, f.dbc), (q.dbz, f.dbz), (q.dcc, f.dcc), (q.dcz, f.dcz), (q.dzz, f.dzz)]] {
                let scale = group.map { abs($0.1) }.max()!
                for (k, (u, w)) in group.enumerated() {
                    #expect(abs(u - w) <= 1e-9 * abs(w) + 1e-12 * scale, "\((b, c, z)) derivative \(k): \(u) vs \(w)")
                }
            }
        }
    }

    /// Out of the domain (b > c, z ≥ 1, negative b) is an error, not a number; so is a z so
    /// close to 1 that the term budget runs out.
    @Test func unitARejectsOutOfDomain() {
        #expect(throws: Hypergeometric.Failure.self) { try Hypergeometric.log2F1UnitA(b: 3, c: 2, z: 0.5) }
        #expect(throws: Hypergeometric.Failure.self) { try Hypergeometric.log2F1UnitA(b: 1, c: 2, z: 1) }
        #expect(throws: Hypergeometric.Failure.self) { try Hypergeometric.log2F1UnitA(b: -1, c: 2, z: 0.5) }
        #expect(throws: Hypergeometric.Failure.self) { try Hypergeometric.log2F1UnitA(b: 0.5, c: 1, z: 1 - 1e-15, maxTerms: 1_000) }
    }

    // python3: import mpmath as mp; mp.mp.dps = 50; mp.log(mp.hyp2f1(a, b, c, z))
    static let paretoForms: [(a: Double, b: Double, c: Double, z: Double, log: Double)] = [
        (501.16, 1.61, 502.16, 0.999, 9.999857259499719695777527),       // ₂F₁(r+s+x, s+1; r+s+x+1; ·), x = 500, z near 1
        (501.16, 500.55, 502.16, 0.3, 178.1779311257186575694924),       // ₂F₁(r+s+x, r+x; ·), α < β, x = 500
        (1.16, 0.61, 2.16, 0.99, 0.8310039619271915859397853),           // x = 0, z near 1
        (27.16, 26.55, 28.16, 1e-12, 2.560717329546732411253771e-11),    // α ≈ β
        (27.16, 1.61, 28.16, 0.0933, 0.1518425686408782874294572),       // CDNOW-like
        (1001.16, 1000.55, 1002.16, 0.9, 2301.550377926587051634264),    // x = 1000: value e^2301 overflows a Double
    ]

    /// The general `log2F1` (Euler transform + rescaled series) on note 009's own ₂F₁ forms:
    /// 1e-12 relative, as for the other `log2F1` references.
    @Test(arguments: paretoForms.indices)
    func log2F1OnParetoForms(_ i: Int) throws {
        let ref = Self.paretoForms[i]
        let v = try Hypergeometric.log2F1(ref.a, ref.b, ref.c, ref.z)
        #expect(v.sign == 1)
        #expect(isClose(v.logMagnitude, ref.log, relative: 1e-12), "ln 2F1\(ref): \(v.logMagnitude)")
    }
}
