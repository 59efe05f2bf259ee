import Dispatch
import Foundation

/// A large CSV file read by two threads at once, each scanning one half.
///
/// Why: parsing is CPU-bound and rows are independent, so two cores read a large summary or
/// covariate file in about half the time. Without quotes every line end ends a record, so the
/// file splits at the first line end after its middle; a file holding a `"` (whose quoted fields
/// could span lines), a small file or anything but a regular file is not split (`init` returns
/// nil and the caller reads it the ordinary way). The second half's scanner resumes after the
/// first half's header, with its delimiter, and its line numbers continue the first half's, so
/// messages name the same lines as a sequential read.
final class TwoPartFile {
    private let file: MappedFile
    /// The first half, header included.
    let first: CSVScanner
    /// Line feeds in each half: bounds on their record counts (for reserving capacity).
    let firstLines: Int
    let secondLines: Int
    private let secondHalf: UnsafeRawBufferPointer
    private let name: String

    /// Files at least this large are read in two parts.
    static let minimumBytes = 4 << 20

    init?(path: String, options: CSVScanner.Options, minimumBytes: Int = TwoPartFile.minimumBytes) {
        guard let file = MappedFile(path: path), file.bytes.count >= minimumBytes else { return nil }
        let bytes = file.bytes
        let base = bytes.baseAddress!
        guard memchr(base, Int32(UInt8(ascii: "\"")), bytes.count) == nil,
              let lineFeed = memchr(base + bytes.count / 2, 0x0A, bytes.count - bytes.count / 2) else { return nil }
        let split = UnsafeRawPointer(lineFeed) - base + 1
        guard split < bytes.count else { return nil }
        self.file = file
        name = path
        let firstHalf = UnsafeRawBufferPointer(rebasing: bytes[..<split])
        secondHalf = UnsafeRawBufferPointer(rebasing: bytes[split...])
        first = CSVScanner(source: ByteSource(region: firstHalf, name: path), options: options)
        firstLines = Self.countLineFeeds(firstHalf)
        secondLines = Self.countLineFeeds(secondHalf) + 1
    }

    /// The second half's scanner, once the first has read `header` (and found the delimiter).
    func second(after header: [String]) -> CSVScanner {
        var options = first.options      // the first part's delimiter, found or given
        options.delimiter = first.delimiter
        options.detectsDelimiter = false
        let scanner = CSVScanner(source: ByteSource(region: secondHalf, name: name), options: options)
        scanner.resume(after: header, line: 1 + firstLines)
        return scanner
    }

    /// Runs `head` and `tail` on two threads and returns both results; when both fail, the
    /// first part's error, which comes first in the file.
    func bothHalves<A, B>(_ head: () throws(DataError) -> A, _ tail: () throws(DataError) -> B) throws(DataError) -> (A, B) {
        var a: Result<A, DataError>? = nil, b: Result<B, DataError>? = nil
        withExtendedLifetime(file) {
            withoutActuallyEscaping(head) { head in
                withoutActuallyEscaping(tail) { tail in
                    withUnsafeMutablePointer(to: &a) { a in
                        withUnsafeMutablePointer(to: &b) { b in
                            // Each thread runs its own closure and writes its own result;
                            // `concurrentPerform` returns when both are done.
                            nonisolated(unsafe) let head = head, tail = tail, a = a, b = b
                            DispatchQueue.concurrentPerform(iterations: 2) { part in
                                if part == 0 {
                                    a.pointee = Result { () throws(DataError) -> A in try head() }
                                } else {
                                    b.pointee = Result { () throws(DataError) -> B in try tail() }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (try a!.get(), try b!.get())
    }

    /// Line feeds in `bytes`, 8 bytes at a time.
    static func countLineFeeds(_ bytes: UnsafeRawBufferPointer) -> Int {
        var count = 0, i = 0
        let n = bytes.count
        let lineFeeds: UInt64 = 0x0A0A_0A0A_0A0A_0A0A
        while i + 8 <= n {
            count += bytesEqualTo(lineFeeds, in: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))).nonzeroBitCount
            i += 8
        }
        while i < n {
            if bytes[i] == 0x0A { count += 1 }
            i += 1
        }
        return count
    }
}
