import CLAPACK

/// Why a LAPACK routine refused a matrix.
public enum LinearAlgebraError: Error, Equatable, CustomStringConvertible {
    /// Cholesky failed: the leading minor of this order is not positive.
    case notPositiveDefinite(minor: Int)
    /// LU or inverse failed: U(i, i) is exactly zero.
    case singular(index: Int)
    /// The matrix holds NaN or ±∞.
    case nonFinite
    /// The symmetric eigen-solver did not converge.
    case eigenNotConverged(info: Int)

    public var description: String {
        switch self {
        case .notPositiveDefinite(let k): "the matrix is not positive definite (leading minor \(k) is not positive)"
        case .singular(let i): "the matrix is singular (pivot \(i) is zero)"
        case .nonFinite: "the matrix contains NaN or infinite entries"
        case .eigenNotConverged(let info): "the eigen-decomposition did not converge (LAPACK info \(info))"
        }
    }
}

/// Throwing wrappers over the LAPACK routines clvfit uses (column-major, lower triangle).
public enum LAPACK {
    /// The lower Cholesky factor L of a symmetric positive-definite A = L Lᵀ (dpotrf).
    public static func cholesky(_ a: Matrix) throws(LinearAlgebraError) -> Matrix {
        precondition(a.isSquare, "Cholesky needs a square matrix.")
        guard a.allFinite else { throw .nonFinite }
        var f = a
        var n = Int32(a.rows), lda = Int32(max(1, a.rows)), info: Int32 = 0
        var uplo = CChar(UInt8(ascii: "L"))
        f.storage.withUnsafeMutableBufferPointer { p in
            dpotrf_(&uplo, &n, p.baseAddress, &lda, &info, 1)
        }
        if info > 0 { throw .notPositiveDefinite(minor: Int(info)) }
        precondition(info == 0, "dpotrf rejected argument \(-info)")
        for j in 0..<a.columns { for i in 0..<j { f[i, j] = 0 } }
        return f
    }

    /// Solves A x = b given the lower Cholesky factor of A (dpotrs).
    public static func choleskySolve(factor: Matrix, _ b: [Double]) -> [Double] {
        precondition(factor.isSquare && factor.rows == b.count, "Sizes differ in choleskySolve.")
        var x = b
        var n = Int32(b.count), nrhs: Int32 = 1, lda = Int32(max(1, b.count)), ldb = lda, info: Int32 = 0
        var uplo = CChar(UInt8(ascii: "L"))
        factor.storage.withUnsafeBufferPointer { fp in
            x.withUnsafeMutableBufferPointer { xp in
                dpotrs_(&uplo, &n, &nrhs, fp.baseAddress, &lda, xp.baseAddress, &ldb, &info, 1)
            }
        }
        precondition(info == 0, "dpotrs rejected argument \(-info)")
        return x
    }

    /// The inverse of a symmetric positive-definite matrix (dpotrf + dpotri).
    public static func inverseOfPositiveDefinite(_ a: Matrix) throws(LinearAlgebraError) -> Matrix {
        var f = try cholesky(a)
        var n = Int32(a.rows), lda = Int32(max(1, a.rows)), info: Int32 = 0
        var uplo = CChar(UInt8(ascii: "L"))
        f.storage.withUnsafeMutableBufferPointer { p in
            dpotri_(&uplo, &n, p.baseAddress, &lda, &info, 1)
        }
        if info > 0 { throw .singular(index: Int(info)) }
        for j in 0..<a.columns { for i in 0..<j { f[i, j] = f[j, i] } }
        return f
    }

    /// Eigenvalues in ascending order and orthonormal eigenvectors (as columns) of a
    /// symmetric matrix (dsyev; only the lower triangle is read).
    public static func symmetricEigen(_ a: Matrix) throws(LinearAlgebraError) -> (values: [Double], vectors: Matrix) {
        precondition(a.isSquare, "The eigen-decomposition needs a square matrix.")
        guard a.allFinite else { throw .nonFinite }
        var v = a
        var w = [Double](repeating: 0, count: a.rows)
        var n = Int32(a.rows), lda = Int32(max(1, a.rows)), info: Int32 = 0
        var jobz = CChar(UInt8(ascii: "V")), uplo = CChar(UInt8(ascii: "L"))
        var lwork = Int32(max(1, 3 * a.rows - 1) + 64 * a.rows)
        var work = [Double](repeating: 0, count: Int(lwork))
        v.storage.withUnsafeMutableBufferPointer { vp in
            w.withUnsafeMutableBufferPointer { wp in
                work.withUnsafeMutableBufferPointer { kp in
                    dsyev_(&jobz, &uplo, &n, vp.baseAddress, &lda, wp.baseAddress, kp.baseAddress, &lwork, &info, 1, 1)
                }
            }
        }
        if info > 0 { throw .eigenNotConverged(info: Int(info)) }
        precondition(info == 0, "dsyev rejected argument \(-info)")
        return (w, v)
    }

    /// Solves A x = b for a general square A (dgesv, LU with partial pivoting).
    public static func solve(_ a: Matrix, _ b: [Double]) throws(LinearAlgebraError) -> [Double] {
        precondition(a.isSquare && a.rows == b.count, "Sizes differ in solve.")
        guard a.allFinite, b.allSatisfy(\.isFinite) else { throw .nonFinite }
        var lu = a
        var x = b
        var ipiv = [Int32](repeating: 0, count: b.count)
        var n = Int32(b.count), nrhs: Int32 = 1, lda = Int32(max(1, b.count)), ldb = lda, info: Int32 = 0
        lu.storage.withUnsafeMutableBufferPointer { ap in
            x.withUnsafeMutableBufferPointer { xp in
                ipiv.withUnsafeMutableBufferPointer { pp in
                    dgesv_(&n, &nrhs, ap.baseAddress, &lda, pp.baseAddress, xp.baseAddress, &ldb, &info)
                }
            }
        }
        if info > 0 { throw .singular(index: Int(info)) }
        precondition(info == 0, "dgesv rejected argument \(-info)")
        return x
    }
}
