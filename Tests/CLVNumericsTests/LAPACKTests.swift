import Testing
@testable import CLVNumerics
import CLVTestSupport

@Suite struct LAPACKTests {
    let spd = Matrix([[4, 2, 0.6], [2, 5, 1], [0.6, 1, 3]])

    /// 1e-12: a 3×3 well-conditioned system, residuals at the level of a few ulps.
    @Test func choleskySolveAndInverse() throws {
        let l = try LAPACK.cholesky(spd)
        #expect(l[0, 1] == 0)
        let x = LAPACK.choleskySolve(factor: l, [1, 2, 3])
        let back = spd * x
        for (u, v) in zip(back, [1.0, 2, 3]) { #expect(isClose(u, v, absolute: 1e-12)) }
        let inv = try LAPACK.inverseOfPositiveDefinite(spd)
        for i in 0..<3 {
            let column = spd * (0..<3).map { inv[$0, i] }
            for j in 0..<3 { #expect(isClose(column[j], i == j ? 1 : 0, absolute: 1e-12)) }
        }
        #expect(inv[0, 2] == inv[2, 0])
    }

    @Test func choleskyRejectsIndefinite() {
        #expect(throws: LinearAlgebraError.notPositiveDefinite(minor: 2)) {
            try LAPACK.cholesky(Matrix([[1, 2], [2, 1]]))
        }
        #expect(throws: LinearAlgebraError.nonFinite) { try LAPACK.cholesky(Matrix([[.nan]])) }
    }

    @Test func symmetricEigenOfKnownMatrix() throws {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3 with eigenvectors (1, −1)/√2 and (1, 1)/√2.
        let (values, vectors) = try LAPACK.symmetricEigen(Matrix([[2, 1], [1, 2]]))
        #expect(isClose(values[0], 1, relative: 1e-14) && isClose(values[1], 3, relative: 1e-14))
        #expect(isClose(abs(vectors[0, 1]), 0.5.squareRoot(), relative: 1e-14))
    }

    @Test func generalSolveAndSingular() throws {
        let x = try LAPACK.solve(Matrix([[0, 1], [2, 0]]), [3, 4])
        #expect(isClose(x[0], 2, absolute: 1e-15) && isClose(x[1], 3, absolute: 1e-15))
        #expect(throws: LinearAlgebraError.singular(index: 2)) { try LAPACK.solve(Matrix([[1, 2], [2, 4]]), [1, 1]) }
    }
}
