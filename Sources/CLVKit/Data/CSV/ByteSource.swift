#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a ``CSVScanner`` gets its bytes: a file, standard input, or memory, read in chunks with
/// `read(2)` so that memory use does not depend on the input's size.
///
/// A source can be read a second time (``rewind()``): the transaction summarizer needs a second
/// pass in the rare case where one customer's rows come out of date order (see
/// ``RFMSummarizer``). Regular files are rewound with `lseek`; a pipe cannot be, so when asked to
/// (`spoolsPipes`), a non-seekable descriptor's bytes are copied, as they are read, into an
/// unlinked temporary file that the second pass reads instead.
final class ByteSource {
    private enum Storage {
        case descriptor(fd: Int32, owned: Bool, seekable: Bool, spool: Int32?)
        case memory([UInt8], offset: Int)
        case region(UnsafeRawBufferPointer, offset: Int)
    }

    /// The name errors use (`<stdin>` for standard input).
    let name: String
    private var storage: Storage
    private var readingSpool = false
    private var startOffset: off_t = 0      // where a seekable descriptor was when opened

    /// Opens `path` for reading; `-` is standard input.
    init(path: String, spoolsPipes: Bool) throws(DataError) {
        if path == "-" {
            name = "<stdin>"
            storage = .descriptor(fd: 0, owned: false, seekable: false, spool: nil)
        } else {
            name = path
            var fd: Int32
            repeat { fd = open(path, O_RDONLY | O_CLOEXEC) } while fd < 0 && errno == EINTR
            guard fd >= 0 else {
                let code = errno
                throw DataError(.missingInput, file: path,
                                message: "cannot open the file: \(ByteSource.describe(errno: code))")
            }
            var st = stat()
            if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
                close(fd)
                throw DataError(.missingInput, file: path, message: "cannot read the file: it is a directory")
            }
            storage = .descriptor(fd: fd, owned: true, seekable: false, spool: nil)
        }
        guard case .descriptor(let fd, let owned, _, _) = storage else { return }
        let offset = lseek(fd, 0, SEEK_CUR)
        let seekable = offset >= 0
        startOffset = max(offset, 0)
        var spool: Int32? = nil
        if !seekable && spoolsPipes {
            spool = try ByteSource.makeSpoolFile(for: name)
        }
        storage = .descriptor(fd: fd, owned: owned, seekable: seekable, spool: spool)
    }

    /// Bytes in memory (tests, small inputs).
    init(bytes: [UInt8], name: String) {
        self.name = name
        storage = .memory(bytes, offset: 0)
    }

    /// Bytes in memory owned by the caller (part of a ``MappedFile``), which must outlive the
    /// source.
    init(region: UnsafeRawBufferPointer, name: String) {
        self.name = name
        storage = .region(region, offset: 0)
    }

    deinit {
        if case .descriptor(let fd, let owned, _, let spool) = storage {
            if owned { close(fd) }
            if let spool { close(spool) }
        }
    }

    /// The input's size in bytes: known for memory and regular files, `nil` for pipes.
    var size: Int? {
        switch storage {
        case .memory(let bytes, _): return bytes.count
        case .region(let bytes, _): return bytes.count
        case .descriptor(let fd, _, let seekable, _):
            var st = stat()
            guard seekable, fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
            return Int(st.st_size - startOffset)
        }
    }

    /// A regular file opened by path, mapped into memory for a scanner to parse in place
    /// (``CSVScanner``): private and writable, so that the scanner's in-place edits (collapsing
    /// `""` in quoted fields) stay its own, copy-on-write. `nil` for anything else (standard
    /// input, pipes, memory, an empty file) or when mapping fails; the source is then read.
    ///
    /// The caller owns the mapping (`munmap`). The file must not be truncated while mapped
    /// (the pages past the new end would fault): as with any reader, the input is assumed not
    /// to change under it (a changed row count between passes is still reported).
    func mapForScanning() -> UnsafeMutableRawBufferPointer? {
        guard case .descriptor(let fd, let owned, let seekable, let spool) = storage, owned, seekable, spool == nil,
              startOffset == 0, let size, size > 0 else { return nil }
        guard let base = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0), base != MAP_FAILED else { return nil }
        return UnsafeMutableRawBufferPointer(start: base, count: size)
    }

    /// Reads up to `count` bytes into `buffer`; 0 at the end of the input.
    func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(DataError) -> Int {
        switch storage {
        case .memory(let bytes, let offset):
            let n = min(count, bytes.count - offset)
            if n > 0 {
                bytes.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress! + offset, count: n) }
                storage = .memory(bytes, offset: offset + n)
            }
            return n
        case .region(let bytes, let offset):
            let n = min(count, bytes.count - offset)
            if n > 0 {
                UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + offset, byteCount: n)
                storage = .region(bytes, offset: offset + n)
            }
            return n
        case .descriptor(let fd, _, _, let spool):
            let from = readingSpool ? spool! : fd
            let n = try ByteSource.readFully(fd: from, into: buffer, count: count, name: name)
            if !readingSpool, let spool, n > 0 {
                try ByteSource.writeAll(fd: spool, from: buffer, count: n, name: name)
            }
            return n
        }
    }

    /// Starts over from the first byte. Returns `false` if the input cannot be read again
    /// (a pipe that was not spooled).
    func rewind() throws(DataError) -> Bool {
        switch storage {
        case .memory(let bytes, _):
            storage = .memory(bytes, offset: 0)
            return true
        case .region(let bytes, _):
            storage = .region(bytes, offset: 0)
            return true
        case .descriptor(let fd, _, let seekable, let spool):
            if seekable {
                guard lseek(fd, startOffset, SEEK_SET) == startOffset else {
                    throw DataError(file: name, message: "cannot read the input a second time: \(ByteSource.describe(errno: errno))")
                }
                return true
            }
            guard let spool else { return false }
            // Drain what the first pass did not read (it normally read everything), so the
            // spool holds the whole input.
            if !readingSpool {
                let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 16)
                defer { scratch.deallocate() }
                while try read(into: scratch, count: 1 << 16) > 0 {}
            }
            guard lseek(spool, 0, SEEK_SET) == 0 else {
                throw DataError(file: name, message: "cannot read the spooled input again: \(ByteSource.describe(errno: errno))")
            }
            readingSpool = true
            return true
        }
    }

    private static func readFully(fd: Int32, into buffer: UnsafeMutablePointer<UInt8>, count: Int, name: String) throws(DataError) -> Int {
        while true {
            let n = posixRead(fd, buffer, count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw DataError(file: name, message: "cannot read the input: \(describe(errno: errno))")
        }
    }

    private static func writeAll(fd: Int32, from buffer: UnsafeMutablePointer<UInt8>, count: Int, name: String) throws(DataError) {
        var done = 0
        while done < count {
            let n = write(fd, buffer + done, count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw DataError(file: name, message: "cannot copy the piped input to a temporary file: \(describe(errno: errno))")
            }
            done += n
        }
    }

    /// An unlinked temporary file in `$TMPDIR` (or /tmp): it disappears when closed.
    private static func makeSpoolFile(for name: String) throws(DataError) -> Int32 {
        let dir = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(dir)/clvfit-spool-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw DataError(file: name, message: "cannot create a temporary file in \(dir) to hold the piped input: \(describe(errno: errno))")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return fd
    }

    static func describe(errno code: Int32) -> String {
        String(cString: strerror(code))
    }
}

/// A regular file mapped into memory, read-only (unmapped when released). Lets a large summary
/// be parsed in two parts at once without copying it.
final class MappedFile {
    let bytes: UnsafeRawBufferPointer

    /// Maps the regular, non-empty file at `path`; `nil` if it is anything else or cannot be
    /// mapped (the caller then reads it the ordinary way, which reports any error).
    init?(path: String) {
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_CLOEXEC) } while fd < 0 && errno == EINTR
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size > 0 else { return nil }
        let size = Int(st.st_size)
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else { return nil }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
    }
}

/// `read(2)`, named so that it does not clash with ``ByteSource/read(into:count:)``.
@inline(__always)
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutablePointer<UInt8>, _ count: Int) -> Int {
    #if canImport(Darwin)
    return Darwin.read(fd, buffer, count)
    #elseif canImport(Musl)
    return Musl.read(fd, buffer, count)
    #else
    return Glibc.read(fd, buffer, count)
    #endif
}
