import CLVShims
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
///
/// A killed run leaves the destination as it was and no debris, by three means:
/// - On Linux the bytes go to an *unnamed* file (`O_TMPFILE`) in the destination's directory.
///   Until the commit it has no name, so a run killed while writing — by any signal, SIGKILL
///   included, or a crash — leaves nothing: the kernel frees the file with the process. The
///   commit links it to a fresh temporary name (`linkat` cannot replace an existing name) and
///   renames that over the destination: a window of two system calls.
/// - Where unnamed files are not available (not Linux, a file system without `O_TMPFILE` such
///   as NFS, no /proc; or `CLVFIT_NAMED_TEMPORARY=1`, which the tests use to exercise this
///   path), the temporary file is named `.NAME.tmp-PID-RANDOM` from the start.
/// - Every named temporary file (the fallback's, and the commit's window) is registered with a
///   handler of SIGINT, SIGTERM, SIGHUP and SIGPIPE that removes it before the process dies of
///   the signal. SIGKILL cannot be caught: what it leaves under a name (the fallback's file, or
///   the commit's window) is removed by the next successful write into the same directory,
///   which deletes every `.*.tmp-PID-RANDOM` file whose process no longer exists.
///
/// Unnamed files were chosen over only sweeping stale names because they leave nothing even
/// when no later run comes, and the sweep alone cannot tell a dead writer's file from a live
/// one on another machine sharing the directory; the sweep remains for what cannot be unnamed.
public enum AtomicOutput {
    /// Why an output could not be written.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var reason: String
        public var description: String { "\(path): cannot write the output: \(reason)" }
    }

    /// Checks, before any work is done, that an output can be written at `path`: its directory
    /// exists and may be written, and `path` is not a directory — so that a run that would fail
    /// to write its result fails at once, not after reading and fitting. (The write itself still
    /// reports what goes wrong later, such as a full disk.)
    public static func checkWritable(_ path: String) throws(Failure) {
        if path == "-" { return }
        var info = stat()
        if stat(path, &info) == 0 {
            if info.st_mode & S_IFMT == S_IFDIR { throw Failure(path: path, reason: "it is a directory; give a file name") }
            if info.st_mode & S_IFMT != S_IFREG {
                guard access(path, W_OK) == 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
                return
            }
        }
        let shown = (path as NSString).deletingLastPathComponent
        let directory = shown.isEmpty ? "." : shown
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Failure(path: path, reason: "the directory \(directory) does not exist")
        }
        guard access(directory, W_OK | X_OK) == 0 else {
            throw Failure(path: path, reason: "the directory \(directory) cannot be written (\(String(cString: strerror(errno))))")
        }
    }

    /// Writes `data` to `path` atomically; `-` means standard output.
    public static func write(_ data: Data, to path: String) throws(Failure) {
        // (`withUnsafeBytes` rethrows untyped errors: the failure is carried out by hand.)
        try write(to: path) { stream in data.withUnsafeBytes { bytes in stream.attempt(bytes) } }
    }

    /// Writes `bytes` to `path` atomically (without `Data`'s copy of a large output).
    public static func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        try write(to: path) { stream in bytes.withUnsafeBytes { raw in stream.attempt(raw) } }
    }

    private static func write(to path: String, _ body: (Stream) -> Failure?) throws(Failure) {
        let stream = try Stream(path: path)
        if let failure = body(stream) { throw failure }
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
            directory = dir.path
            temporary = Self.temporaryName(for: url)
            if !Self.namedTemporaryForced, case let unnamed = clv_open_unnamed(dir.path), unnamed >= 0 {
                fd = unnamed
                isUnnamed = true
                return
            }
            // Registered before it exists, so that no signal finds it unregistered.
            slot = clv_temp_register(temporary!)
            fd = openFile(temporary!, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC)
            guard fd >= 0 else {
                let reason = String(cString: strerror(errno))
                clv_temp_unregister(slot)
                throw Failure(path: path, reason: reason)
            }
        }

        /// The destination's directory, for the sweep; nil when writing in place.
        private var directory: String? = nil
        /// Whether `fd` is an unnamed file (`O_TMPFILE`), linked to `temporary` only on commit.
        private var isUnnamed = false
        /// The signal handler's registration of the named temporary file (-1: none).
        private var slot: Int32 = -1

        /// `CLVFIT_NAMED_TEMPORARY=1`: always a named temporary file (for tests of the fallback).
        static let namedTemporaryForced = ProcessInfo.processInfo.environment["CLVFIT_NAMED_TEMPORARY"] == "1"

        /// `.NAME.tmp-PID-RANDOM` next to the destination.
        static func temporaryName(for destination: URL) -> String {
            destination.deletingLastPathComponent().appendingPathComponent(
                ".\(destination.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        }

        deinit {
            guard !finished else { return }
            if fd != STDOUT_FILENO { close(fd) }
            if let temporary, !isUnnamed { unlink(temporary) }
            clv_temp_unregister(slot)
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

        /// ``write(_:)``'s failure as a value, nil when it succeeded.
        func attempt(_ bytes: UnsafeRawBufferPointer) -> Failure? {
            do throws(Failure) { try write(bytes) } catch { return error }
            return nil
        }

        /// Completes the output: for a regular file, gives the temporary file its temporary
        /// name (unnamed files: linked now), closes it, renames it over the destination and
        /// removes stale temporary files of dead writers in the directory.
        public func commit() throws(Failure) {
            precondition(!finished, "commit twice")
            finished = true
            if fd == STDOUT_FILENO { return }
            guard let temporary else {
                if close(fd) != 0 { throw Failure(path: path, reason: String(cString: strerror(errno))) }
                return
            }
            defer { clv_temp_unregister(slot) }
            if isUnnamed {
                // Registered first, so a signal between the link and the rename removes it.
                slot = clv_temp_register(temporary)
                if clv_link_unnamed(fd, temporary) != 0 {
                    let message = String(cString: strerror(errno))
                    close(fd)
                    throw Failure(path: path, reason: "cannot name the finished output (\(message))")
                }
            }
            if close(fd) != 0 {
                let message = String(cString: strerror(errno))
                unlink(temporary)
                throw Failure(path: path, reason: message)
            }
            if rename(temporary, path) != 0 {
                let message = String(cString: strerror(errno))
                unlink(temporary)
                throw Failure(path: path, reason: message)
            }
            if let directory { AtomicOutput.removeStaleTemporaries(in: directory) }
        }
    }

    /// Removes the `.NAME.tmp-PID-RANDOM` files in `directory` whose writer process no longer
    /// exists (`kill(PID, 0)` fails with ESRCH): what a SIGKILL left under a name. A live
    /// process's file, and any other file, is left alone.
    static func removeStaleTemporaries(in directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(".") {
            guard let pid = stalePID(name) else { continue }
            if pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                unlink((directory as NSString).appendingPathComponent(name))
            }
        }
    }

    /// The PID in a temporary file's name `.NAME.tmp-PID-RANDOM`, nil for any other name.
    static func stalePID(_ name: String) -> pid_t? {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, let random = parts.last, let pidPart = parts.dropLast().last,
              random.allSatisfy(\.isASCII), UInt32(random) != nil,
              parts.dropLast(2).joined(separator: "-").hasSuffix(".tmp"), name.count > 6,
              let pid = Int32(pidPart), pid > 0 else { return nil }
        return pid
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
