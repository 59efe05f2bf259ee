import Foundation

/// Writes an output file all at once or not at all: the bytes go to a temporary file in the
/// destination's directory, which is renamed over the destination only when complete. A run
/// that fails half-way leaves no partial output behind (and an older file stays intact).
public enum AtomicOutput {
    /// Why an output could not be written.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var reason: String
        public var description: String { "\(path): cannot write the output: \(reason)" }
    }

    /// Writes `data` to `path` atomically; `-` means standard output.
    public static func write(_ data: Data, to path: String) throws(Failure) {
        if path == "-" {
            FileHandle.standardOutput.write(data)
            return
        }
        // An existing destination that is not a regular file (/dev/null, /dev/stdout, a FIFO)
        // is written to directly: renaming over it would replace the device or pipe itself — as
        // root, `-o /dev/null` would leave a regular file where /dev/null was.
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG, info.st_mode & S_IFMT != S_IFDIR {
            guard let handle = FileHandle(forWritingAtPath: path) else {
                throw Failure(path: path, reason: String(cString: strerror(errno)))
            }
            do {
                try handle.write(contentsOf: data)
                try handle.close()
            } catch {
                throw Failure(path: path, reason: Self.reason(error))
            }
            return
        }
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            let shown = (path as NSString).deletingLastPathComponent
            throw Failure(path: path, reason: "the directory \(shown.isEmpty ? "." : shown) does not exist")
        }
        let temp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try data.write(to: temp)
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw Failure(path: path, reason: Self.reason(error))
        }
        if rename(temp.path, url.path) != 0 {
            let message = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temp)
            throw Failure(path: path, reason: message)
        }
    }

    /// Writes a string as UTF-8.
    public static func write(_ text: String, to path: String) throws(Failure) {
        try write(Data(text.utf8), to: path)
    }

    private static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return ns.localizedDescription
    }
}
