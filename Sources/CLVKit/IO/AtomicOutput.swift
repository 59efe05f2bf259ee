import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes an output file all at once or not at all: the bytes go to a temporary file in the
/// destination's directory, which is renamed over the destination only when complete. A run
/// that fails half-way leaves no partial output behind (and an older file stays intact).
///
/// Outputs can be written whole (``write(_:to:)-(Data,_)``) or piece by piece (``Stream``, for
/// outputs rendered in parts, such as a summary of millions of customers, so that they need
/// not be held in memory at once); either way the destination appears only when complete.
/// Standard output (`-`) and destinations that are not regular files (`/dev/null`, a FIFO) are
/// written in place: they cannot be replaced by a rename.
public enum AtomicOutput {
    /// Why an output could not be written.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var reason: String
        public var description: String { "\(path): cannot write the output: \(reason)" }
    }

    /// Writes `data` to `path` atomically; `-` means standard output.
    public static func write(_ data: Data, to path: String) throws(Failure) {
        let stream = try Stream(path: path)
        // (`Data.withUnsafeBytes` rethrows untyped errors: the failure is carried out by hand.)
        let failure: Failure? = data.withUnsafeBytes { bytes in
            do throws(Failure) { try stream.write(bytes) } catch { return error }
            return nil
        }
        if let failure { throw failure }
        try stream.commit()
    }

    /// Writes a string as UTF-8.
    public static func write(_ text: String, to path: String) throws(Failure) {
        try write(Data(text.utf8), to: path)
    }

    /// An output written in pieces (``write(_:)``) that appears at its path only on
    /// ``commit()``. Dropped without a commit (an error on the way), it removes its temporary
    /// file and the destination is untouched.
    public final class Stream {
        /// The destination as given.
        public let path: String
        private let fd: Int32
        /// The temporary file renamed over `path` on commit; `nil` when writing in place.
        private let temporary: String?
        private var finished = false

        /// Opens the output: a temporary file next to `path`, or `path` itself for standard
        /// output (`-`) and special files.
        public init(path: String) throws(Failure) {
            self.path = path
            if path == "-" {
                fd = STDOUT_FILENO
                temporary = nil
                return
            }
            // An existing destination that is not a regular file (/dev/null, /dev/stdout, a FIFO)
            // is written to directly: renaming over it would replace the device or pipe itself —
            // as root, `-o /dev/null` would leave a regular file where /dev/null was.
            var info = stat()
            if stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG, info.st_mode & S_IFMT != S_IFDIR {
                fd = openFile(path, O_WRONLY | O_CLOEXEC)
                guard fd >= 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
                temporary = nil
                return
            }
            let url = URL(fileURLWithPath: path)
            let dir = url.deletingLastPathComponent()
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                let shown = (path as NSString).deletingLastPathComponent
                throw Failure(path: path, reason: "the directory \(shown.isEmpty ? "." : shown) does not exist")
            }
            let temp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))").path
            fd = openFile(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC)
            guard fd >= 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
            temporary = temp
        }

        deinit {
            guard !finished else { return }
            if fd != STDOUT_FILENO { close(fd) }
            if let temporary { unlink(temporary) }
        }

        /// Appends `bytes` (all of them: short writes are continued).
        public func write(_ bytes: UnsafeRawBufferPointer) throws(Failure) {
            precondition(!finished, "write after commit")
            guard var p = bytes.baseAddress else { return }
            var left = bytes.count
            while left > 0 {
                let n = writeBytes(fd, p, left)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Failure(path: path, reason: String(cString: strerror(errno)))
                }
                p += n
                left -= n
            }
        }

        /// Completes the output: closes it and, for a regular file, renames the temporary file
        /// over the destination.
        public func commit() throws(Failure) {
            precondition(!finished, "commit twice")
            finished = true
            if fd == STDOUT_FILENO { return }
            let closed = close(fd)
            let closeError = errno
            guard let temporary else {
                if closed != 0 { throw Failure(path: path, reason: String(cString: strerror(closeError))) }
                return
            }
            if closed != 0 {
                unlink(temporary)
                throw Failure(path: path, reason: String(cString: strerror(closeError)))
            }
            if rename(temporary, path) != 0 {
                let message = String(cString: strerror(errno))
                unlink(temporary)
                throw Failure(path: path, reason: message)
            }
        }
    }
}

/// `open(2)` with mode 0666 (less the umask), retried on EINTR.
private func openFile(_ path: String, _ flags: Int32) -> Int32 {
    var fd: Int32
    repeat { fd = open(path, flags, 0o666) } while fd < 0 && errno == EINTR
    return fd
}

/// `write(2)` (a name the stream's own `write(_:)` does not shadow).
private func writeBytes(_ fd: Int32, _ p: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, p, count)
}
