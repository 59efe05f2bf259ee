import CLVNumerics
import RealModule

/// The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV:
/// Using Iso-Value Curves for Customer Base Analysis", JMR 42(4); Fader & Hardie 2013, note 025).
///
/// Each transaction's value is Gamma(p, ν); across customers ν ~ Gamma(q, γ). Fitted on the
/// customers with at least one repeat purchase, using their mean repeat spend m̄ over x
/// purchases. It assumes spend is independent of purchase frequency: `frequencySpendCorrelation`
/// reports how far the data are from that.
public struct GammaGamma: SpendModel, Equatable {
    public static let identifier = "gamma-gamma"
    public static let displayName = "Gamma-Gamma"
    public static let parameterNames = ["p", "q", "gamma"]

    public let p: Double
    public let q: Double
    public let gamma: Double

    public init(p: Double, q: Double, gamma: Double) throws(ModelError) {
        try self.init(parameterValues: [p, q, gamma])
    }

    public init(parameterValues: [Double]) throws(ModelError) {
        let v = try Self.validated(parameterValues)
        (p, q, gamma) = (v[0], v[1], v[2])
    }

    public var parameterValues: [Double] { [p, q, gamma] }

    /// p = 1, q = 2 and γ matching the population mean spend pγ/(q−1) to the sample mean of m̄;
    /// then a flatter start with more spend heterogeneity.
    public static func startValues(for data: SpendHistory) -> [[Double]] {
        var sm = 0.0, sw = 0.0
        for i in 0..<data.count {
            sm += data.weight[i] * data.monetaryValue[i]
            sw += data.weight[i]
        }
        let mean = max(sm / max(sw, 1e-300), 1e-6)
        return [[1, 2, mean], [5, 3, 2 * mean], [0.5, 1.5, 0.25 * mean]]
    }

    public static func logLikelihood(of data: SpendHistory) -> any LogLikelihood {
        GammaGammaLogLikelihood(data)
    }

    /// E[M | m̄, x] = p(γ + x m̄) / (px + q − 1)   (Fader & Hardie 2013, eq. 5)
    ///
    /// A weighted average of the population mean pγ/(q−1) and the customer's own m̄; for x = 0
    /// it is the population mean. Needs q > 1, otherwise the population mean is infinite.
    ///
    /// For x > 0 evaluated as (γ + x m̄)/(x + (q−1)/p): the same number, but p·γ and p·x cannot
    /// overflow when p is huge (p = 10³⁰⁰ gave ∞/∞ = NaN; the limit p → ∞ is m̄ + γ/x). Every
    /// operation is on positive numbers, so the result is good to a few ulps wherever it is a
    /// finite double; q → 1⁺ is exact (q − 1 is), and a population mean beyond the largest double
    /// is refused naming p, q and γ.
    public func expectedSpend(frequency x: Double, monetaryValue m: Double) throws(ModelError) -> Double {
        guard q > 1 else {
            throw .undefinedPrediction(model: Self.displayName, reason: "expected spend is infinite when q ≤ 1 (q = \(q)): the spend data are too heavy-tailed for this model.")
        }
        let value = x > 0 ? (gamma + x * m) / (x + (q - 1) / p) : p / (q - 1) * gamma
        guard value.isFinite else {
            throw .undefinedPrediction(model: Self.displayName, reason: "expected spend overflows at p = \(p), q = \(q), γ = \(gamma) (x = \(x), m̄ = \(m)).")
        }
        return value
    }

    /// The population mean spend per transaction, pγ/(q−1).
    public func populationMeanSpend() throws(ModelError) -> Double {
        try expectedSpend(frequency: 0, monetaryValue: 0)
    }
}

/// The Gamma-Gamma log-likelihood of the mean repeat spend (Fader & Hardie 2013, eq. 3):
/// ```
/// ln f(m̄ | x) = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m̄ + px ln x − (px+q) ln(γ + x m̄)
/// ```
/// The ln Γ terms depend on x only and are computed once per distinct frequency.
struct GammaGammaLogLikelihood: LogLikelihood {
    let frequency: [Double]
    let logMonetary: [Double]
    let monetary: [Double]
    let weight: [Double]
    let groups: FrequencyGroups
    let observationCount: Double
    var rowCount: Int { frequency.count }

    init(_ data: SpendHistory) {
        frequency = data.frequency
        monetary = data.monetaryValue
        logMonetary = data.monetaryValue.map { Double.log($0) }
        weight = data.weight
        groups = FrequencyGroups(frequency: data.frequency, weight: data.weight)
        observationCount = data.customerCount
    }

    struct Sums: Sendable {
        var v = 0.0, gp = 0.0, gq = 0.0, gg = 0.0
        var hpp = 0.0, hpq = 0.0, hpg = 0.0, hqq = 0.0, hqg = 0.0, hgg = 0.0
        static func + (l: Sums, s: Sums) -> Sums {
            var o = l
            o.v += s.v; o.gp += s.gp; o.gq += s.gq; o.gg += s.gg
            o.hpp += s.hpp; o.hpq += s.hpq; o.hpg += s.hpg; o.hqq += s.hqq; o.hqg += s.hqg; o.hgg += s.hgg
            return o
        }
    }

    func evaluate(_ params: [Double], order: DerivativeOrder) -> LikelihoodEvaluation {
        let (p, q, gamma) = (params[0], params[1], params[2])
        let wantGradient = order >= .gradient, wantHessian = order >= .hessian
        let frequency = frequency, logMonetary = logMonetary, monetary = monetary, weight = weight
        // Per row: (px−1) ln m̄ − (px+q) ln(γ + x m̄) and its derivatives.
        let parts = ChunkedSum.map(rows: frequency.count) { range -> Sums in
            var s = Sums()
            for i in range {
                let x = frequency[i], w = weight[i], lm = logMonetary[i]
                let u = gamma + x * monetary[i]
                let lu = Double.log(u), iu = 1 / u
                let pxq = p * x + q
                s.v += w * ((p * x - 1) * lm - pxq * lu)
                guard wantGradient else { continue }
                s.gp += w * x * (lm - lu)
                s.gq -= w * lu
                s.gg -= w * pxq * iu
                guard wantHessian else { continue }
                s.hpg -= w * x * iu
                s.hqg -= w * iu
                s.hgg += w * pxq * iu * iu
            }
            return s
        }
        var s = parts.reduce(Sums(), +)
        let logGamma = Double.log(gamma), lgQ = Special.logGamma(q)
        let psiQ = wantGradient ? Special.digamma(q) : 0, triQ = wantHessian ? Special.trigamma(q) : 0
        for (k, x) in groups.frequencies.enumerated() {
            let w = groups.weights[k], px = p * x
            s.v += w * (Special.logGamma(px + q) - Special.logGamma(px) - lgQ + q * logGamma + px * Double.log(x))
            guard wantGradient else { continue }
            let psiPXQ = Special.digamma(px + q)
            s.gp += w * x * (psiPXQ - Special.digamma(px) + Double.log(x))
            s.gq += w * (psiPXQ - psiQ + logGamma)
            s.gg += w * q / gamma
            guard wantHessian else { continue }
            let triPXQ = Special.trigamma(px + q)
            s.hpp += w * x * x * (triPXQ - Special.trigamma(px))
            s.hpq += w * x * triPXQ
            s.hqq += w * (triPXQ - triQ)
            s.hqg += w / gamma
            s.hgg -= w * q / (gamma * gamma)
        }
        guard wantGradient else { return LikelihoodEvaluation(value: s.v) }
        let gradient = [s.gp, s.gq, s.gg]
        guard wantHessian else { return LikelihoodEvaluation(value: s.v, gradient: gradient) }
        let h = Matrix([
            [s.hpp, s.hpq, s.hpg],
            [s.hpq, s.hqq, s.hqg],
            [s.hpg, s.hqg, s.hgg],
        ])
        return LikelihoodEvaluation(value: s.v, gradient: gradient, hessian: h)
    }
}
