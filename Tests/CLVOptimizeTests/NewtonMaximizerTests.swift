import Testing
@testable import CLVOptimize
import CLVNumerics
import CLVTestSupport

/// f(x, y) = −[(1 − x)² + 100 (y − x²)²]: the Rosenbrock valley, maximum 0 at (1, 1), with an
/// indefinite Hessian along much of the path (exercises the eigenvalue modification).
struct NegativeRosenbrock: TwiceDifferentiableObjective {
    let dimension = 2
    func value(at p: [Double]) -> Double {
        let (x, y) = (p[0], p[1])
        return -((1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x))
    }
    func evaluate(at p: [Double]) -> SecondOrderEvaluation {
        let (x, y) = (p[0], p[1])
        let g = [-(-2 * (1 - x) - 400 * x * (y - x * x)), -(200 * (y - x * x))]
        let h = Matrix([[-(2 - 400 * (y - x * x) + 800 * x * x), -(-400 * x)], [-(-400 * x), -200]])
        return SecondOrderEvaluation(value: value(at: p), gradient: g, hessian: h)
    }
}

/// A concave quadratic with a known maximiser, and a function with no maximum.
struct Quadratic: TwiceDifferentiableObjective {
    let dimension = 2
    func value(at p: [Double]) -> Double { -(3 * (p[0] - 2) * (p[0] - 2) + (p[1] + 1) * (p[1] + 1)) }
    func evaluate(at p: [Double]) -> SecondOrderEvaluation {
        SecondOrderEvaluation(value: value(at: p), gradient: [-6 * (p[0] - 2), -2 * (p[1] + 1)],
                              hessian: Matrix([[-6, 0], [0, -2]]))
    }
}

struct Unbounded: TwiceDifferentiableObjective {
    let dimension = 1
    func value(at p: [Double]) -> Double { p[0] }
    func evaluate(at p: [Double]) -> SecondOrderEvaluation {
        SecondOrderEvaluation(value: p[0], gradient: [1], hessian: Matrix([[0]]))
    }
}

struct NaNEverywhere: TwiceDifferentiableObjective {
    let dimension = 1
    func value(at p: [Double]) -> Double { .nan }
    func evaluate(at p: [Double]) -> SecondOrderEvaluation {
        SecondOrderEvaluation(value: .nan, gradient: [.nan], hessian: Matrix([[.nan]]))
    }
}

@Suite struct NewtonMaximizerTests {
    @Test func quadraticInOneStep() {
        let r = NewtonMaximizer().maximize(Quadratic(), from: [4, 1])  // within maxStep of the maximum
        #expect(r.converged)
        #expect(r.iterations <= 2)
        #expect(isClose(r.point[0], 2, absolute: 1e-12) && isClose(r.point[1], -1, absolute: 1e-12))
    }

    /// 1e-8: the gradient test stops at |g| ≤ 1e-10, which pins (1, 1) far better than that.
    @Test func rosenbrockFromTheClassicStart() {
        let opts = NewtonOptions(gradientTolerance: 1e-10, decrementTolerance: 1e-20, maxIterations: 500)
        let r = NewtonMaximizer(options: opts).maximize(NegativeRosenbrock(), from: [-1.2, 1])
        #expect(r.converged, "\(r.reason)")
        #expect(isClose(r.point[0], 1, absolute: 1e-8) && isClose(r.point[1], 1, absolute: 1e-8))
    }

    @Test func unboundedRunsOutOfIterationsAndSaysSo() {
        let r = NewtonMaximizer(options: NewtonOptions(maxIterations: 20)).maximize(Unbounded(), from: [0])
        #expect(!r.converged)
        #expect(r.reason == .maxIterations)
    }

    /// With a distance limit, iterates running off to infinity stop as `.diverged` once a
    /// coordinate is that far from its start (the step cap of 3 puts it at most 3 beyond).
    @Test func unboundedStopsAsDivergedAtTheDistanceLimit() {
        let r = NewtonMaximizer(options: NewtonOptions(maxIterations: 200, maxDistanceFromStart: 10)).maximize(Unbounded(), from: [0])
        #expect(!r.converged)
        #expect(r.reason == .diverged)
        #expect(abs(r.point[0]) > 10 && abs(r.point[0]) <= 13, "\(r.point)")
    }

    @Test func nonFiniteStartIsReported() {
        let r = NewtonMaximizer().maximize(NaNEverywhere(), from: [0])
        #expect(r.reason == .nonFiniteStart)
    }

    @Test func finiteDifferencesOfAKnownFunction() {
        let g = FiniteDifferences.gradient(of: { NegativeRosenbrock().value(at: $0) }, at: [0.5, 0.7])
        let exact = NegativeRosenbrock().evaluate(at: [0.5, 0.7]).gradient
        for (u, v) in zip(g, exact) { #expect(isClose(u, v, relative: 1e-7)) }  // O(h²) with h = 1e-5
    }
}
