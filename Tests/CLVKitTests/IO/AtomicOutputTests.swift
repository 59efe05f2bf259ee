import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

@Suite struct AtomicOutputTests {
    /// A destination that is not a regular file is written to, not replaced: a FIFO stays a
    /// FIFO and its reader gets the bytes (renaming over it would put a regular file in its
    /// place; for `-o /dev/null` run as root, in place of /dev/null).
    @Test func specialFilesAreWrittenNotReplaced() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("pipe").path
        try #require(mkfifo(fifo, 0o600) == 0)
        // The test holds the read end (non-blocking, so nothing waits): the write cannot block
        // on a reader, and if the FIFO were replaced the bytes would simply not arrive.
        let readEnd = open(fifo, O_RDONLY | O_NONBLOCK)
        try #require(readEnd >= 0)
        defer { close(readEnd) }
        try AtomicOutput.write("a,b\n1,2\n", to: fifo)
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = read(readEnd, &buffer, buffer.count)
        #expect(n == 8 && Array(buffer.prefix(max(n, 0))) == Array("a,b\n1,2\n".utf8))
        var info = stat()
        #expect(stat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["pipe"])
    }

    /// A stream written in pieces appears only on commit; one dropped half-way (an error while
    /// rendering) leaves the older file as it was and no temporary file behind.
    @Test func streamAppearsWholeOrNotAtAll() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("out.csv").path
        try AtomicOutput.write("old\n", to: path)
        do {
            let stream = try AtomicOutput.Stream(path: path)
            try Array("new,".utf8).withUnsafeBytes { try stream.write($0) }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "old\n")
            // dropped here without commit()
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.csv"])

        let stream = try AtomicOutput.Stream(path: path)
        try Array("new,".utf8).withUnsafeBytes { try stream.write($0) }
        try Array("file\n".utf8).withUnsafeBytes { try stream.write($0) }
        try stream.commit()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new,file\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.csv"])
    }

    /// A destination in a missing directory is refused before anything is written, naming it.
    @Test func missingDirectoryIsNamed() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("nope/out.csv").path
        #expect {
            try AtomicOutput.Stream(path: path)
        } throws: { error in
            "\(error)".contains("nope") && "\(error)".contains("does not exist")
        }
    }
}
