/// A dense real matrix in column-major order, the layout LAPACK expects.
public struct Matrix: Sendable, Equatable, CustomStringConvertible {
    public let rows: Int
    public let columns: Int
    /// Column-major entries: element (i, j) is at `i + j * rows`.
    public var storage: [Double]

    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "A matrix needs non-negative dimensions.")
        self.rows = rows
        self.columns = columns
        self.storage = Array(repeating: value, count: rows * columns)
    }

    /// A matrix from rows of equal length (for tests and small literals).
    public init(_ rowArrays: [[Double]]) {
        let r = rowArrays.count
        let c = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == c }, "Every row of a matrix needs the same length.")
        self.init(rows: r, columns: c)
        for i in 0..<r { for j in 0..<c { self[i, j] = rowArrays[i][j] } }
    }

    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m[i, i] = 1 }
        return m
    }

    /// A diagonal matrix with the given diagonal.
    public static func diagonal(_ d: [Double]) -> Matrix {
        var m = Matrix(rows: d.count, columns: d.count)
        for i in d.indices { m[i, i] = d[i] }
        return m
    }

    @inlinable
    public subscript(i: Int, j: Int) -> Double {
        get { storage[i + j * rows] }
        set { storage[i + j * rows] = newValue }
    }

    public var isSquare: Bool { rows == columns }
    public var allFinite: Bool { storage.allSatisfy(\.isFinite) }

    public var diagonalEntries: [Double] { (0..<min(rows, columns)).map { self[$0, $0] } }

    /// The rows as nested arrays (for JSON and printing).
    public var rowArrays: [[Double]] { (0..<rows).map { i in (0..<columns).map { self[i, $0] } } }

    /// D · self · D for a diagonal D given by its entries (the delta-method sandwich J Σ J).
    public func scaledSymmetric(by d: [Double]) -> Matrix {
        precondition(isSquare && d.count == rows, "The scaling vector must match the matrix size.")
        var m = self
        for i in 0..<rows { for j in 0..<columns { m[i, j] = (d[i] * d[j]) * self[i, j] } }  // exactly symmetric
        return m
    }

    /// A · self · Aᵀ for a square symmetric `self` (how a covariance transforms under a linear
    /// change of coordinates), made exactly symmetric.
    public func congruence(by a: Matrix) -> Matrix {
        precondition(isSquare && a.columns == rows, "A · M · Aᵀ needs A with as many columns as M has rows.")
        var am = Matrix(rows: a.rows, columns: columns)
        for j in 0..<columns { for k in 0..<rows { let m = self[k, j]; if m != 0 { for i in 0..<a.rows { am[i, j] += a[i, k] * m } } } }
        var out = Matrix(rows: a.rows, columns: a.rows)
        for i in 0..<a.rows {
            for j in i..<a.rows {
                var s = 0.0
                for k in 0..<columns { s += am[i, k] * a[j, k] }
                out[i, j] = s
                out[j, i] = s
            }
        }
        return out
    }

    public static func * (m: Matrix, v: [Double]) -> [Double] {
        precondition(m.columns == v.count, "Matrix and vector sizes differ.")
        var out = [Double](repeating: 0, count: m.rows)
        for j in 0..<m.columns { for i in 0..<m.rows { out[i] += m[i, j] * v[j] } }
        return out
    }

    public var description: String {
        rowArrays.map { $0.map { "\($0)" }.joined(separator: "  ") }.joined(separator: "\n")
    }
}
