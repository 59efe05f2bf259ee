import Dispatch

/// Sums per-row contributions over fixed-size chunks, in parallel when there are many rows.
///
/// Chunk boundaries depend only on the row count (never on the number of cores) and the chunk
/// results are added in chunk order, so the result is bit-for-bit the same on every machine
/// and every run, whatever the scheduling.
enum ChunkedSum {
    /// Rows per chunk: large enough to amortise dispatch, small enough to balance 2+ cores.
    static let chunkSize = 32_768

    static func map<T: Sendable>(rows: Int, _ body: @Sendable (Range<Int>) -> T) -> [T] {
        let chunks = max(1, (rows + chunkSize - 1) / chunkSize)
        if chunks == 1 { return [body(0..<rows)] }
        var results = [T?](repeating: nil, count: chunks)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lower = c * chunkSize
                out[c] = body(lower..<min(rows, lower + chunkSize))
            }
        }
        return results.map { $0! }
    }
}
