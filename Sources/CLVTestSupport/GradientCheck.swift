import CLVKit
import CLVOptimize

/// Compares a likelihood's analytic gradient and Hessian with central finite differences of
/// its value and gradient (statsmodels' `CheckGradLoglikeMixin`). Returns the largest relative
/// discrepancy of each, measured against max(|analytic|, |numeric|, 1e-7·max(1, |LL|)) so that
/// entries near zero (a gradient at the optimum) do not inflate it: the differences themselves
/// carry rounding noise of about |LL|·ε/h ≈ 1e-11·|LL| at h = 1e-5 (times the √n of a long sum).
public func derivativeDiscrepancy(_ likelihood: any LogLikelihood, at theta: [Double], step: Double = 1e-5)
    -> (gradient: Double, hessian: Double) {
    let e = likelihood.evaluate(theta, order: .hessian)
    let scale = max(1, abs(e.value)) * 1e-7
    let numericGradient = FiniteDifferences.gradient(of: { likelihood.evaluate($0, order: .value).value }, at: theta, step: step)
    var gErr = 0.0
    for (u, v) in zip(e.gradient, numericGradient) { gErr = max(gErr, abs(u - v) / max(abs(u), abs(v), scale)) }
    let numericHessian = FiniteDifferences.jacobian(of: { likelihood.evaluate($0, order: .gradient).gradient }, at: theta, step: step)
    var hErr = 0.0
    if let h = e.hessian {
        for i in theta.indices {
            for j in theta.indices {
                let u = h[i, j], v = numericHessian[i][j]
                hErr = max(hErr, abs(u - v) / max(abs(u), abs(v), scale))
            }
        }
    } else { hErr = .infinity }
    return (gErr, hErr)
}
