import CLVNumerics

/// Running sums of a four-parameter log-likelihood: the value, the gradient and the Hessian's
/// upper triangle, in the model's parameter order (θ₀ … θ₃; BG/NBD and MBG/NBD: r, α, a, b;
/// Pareto/NBD: r, α, s, β). Each chunk of rows (`ChunkedSum`) fills one; `+` combines them.
public struct FourParameterSums: Sendable {
    public var v = 0.0
    public var g0 = 0.0, g1 = 0.0, g2 = 0.0, g3 = 0.0
    public var h00 = 0.0, h01 = 0.0, h02 = 0.0, h03 = 0.0
    public var h11 = 0.0, h12 = 0.0, h13 = 0.0
    public var h22 = 0.0, h23 = 0.0
    public var h33 = 0.0
    /// A row's terms could not be evaluated (a series that did not converge): the sums mean nothing.
    public var failed = false

    public init() {}

    public static func + (l: Self, s: Self) -> Self {
        var o = l
        o.v += s.v; o.g0 += s.g0; o.g1 += s.g1; o.g2 += s.g2; o.g3 += s.g3
        o.h00 += s.h00; o.h01 += s.h01; o.h02 += s.h02; o.h03 += s.h03
        o.h11 += s.h11; o.h12 += s.h12; o.h13 += s.h13
        o.h22 += s.h22; o.h23 += s.h23
        o.h33 += s.h33
        o.failed = o.failed || s.failed
        return o
    }

    /// Adds w times one customer's terms.
    @inline(__always)
    public mutating func add(_ t: Self, weight w: Double) {
        v += w * t.v; g0 += w * t.g0; g1 += w * t.g1; g2 += w * t.g2; g3 += w * t.g3
        h00 += w * t.h00; h01 += w * t.h01; h02 += w * t.h02; h03 += w * t.h03
        h11 += w * t.h11; h12 += w * t.h12; h13 += w * t.h13
        h22 += w * t.h22; h23 += w * t.h23
        h33 += w * t.h33
        failed = failed || t.failed
    }

    /// The evaluation with as many derivatives as `order` asks for.
    public func evaluation(_ order: DerivativeOrder) -> LikelihoodEvaluation {
        guard order >= .gradient else { return LikelihoodEvaluation(value: v) }
        let gradient = [g0, g1, g2, g3]
        guard order >= .hessian else { return LikelihoodEvaluation(value: v, gradient: gradient) }
        let h = Matrix([
            [h00, h01, h02, h03],
            [h01, h11, h12, h13],
            [h02, h12, h22, h23],
            [h03, h13, h23, h33],
        ])
        return LikelihoodEvaluation(value: v, gradient: gradient, hessian: h)
    }
}
