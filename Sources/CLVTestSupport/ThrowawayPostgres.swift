import Foundation

/// A PostgreSQL server for one test, started and stopped with scripts/pg-throwaway.sh.
public final class ThrowawayPostgres: Sendable {
    public static let script = Fixtures.repositoryRoot.appendingPathComponent("scripts/pg-throwaway.sh").path

    /// Whether the server programs are installed (`pg-throwaway.sh check`).
    public static let installed: Bool = (try? run(["/bin/bash", script, "check"]).status == 0) ?? false

    /// The cluster's directory (data, logs and the socket).
    public let directory: String

    public init() throws {
        let started = try Self.run(["/bin/bash", Self.script, "start"])
        guard started.status == 0 else {
            throw Failure(description: "pg-throwaway.sh start failed (exit \(started.status)): \(started.stderr)")
        }
        directory = started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func stop() {
        _ = try? Self.run(["/bin/bash", Self.script, "stop", directory])
    }

    /// Runs `script` through psql (stopping at the first error); with `csv`, returns the result
    /// as CSV with a header.
    public func psql(_ script: String, csv: Bool = false) throws -> String {
        var arguments = ["/usr/bin/env", "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", directory, "-U", "postgres", "-d", "postgres"]
        if csv { arguments.append("--csv") }
        let result = try Self.run(arguments + ["-f", "-"], input: script)
        guard result.status == 0 else {
            throw Failure(description: "psql failed (exit \(result.status)): \(result.stderr)")
        }
        return result.stdout
    }

    public struct Failure: Error, CustomStringConvertible { public var description: String }

    /// Runs a program with `input` on standard input; output through files (a pipe could fill
    /// and block the child while we wait for it).
    public static func run(_ arguments: [String], input: String = "") throws -> (status: Int32, stdout: String, stderr: String) {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("clvfit-psql-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let inURL = scratch.appendingPathComponent("in"), outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
        try Data(input.utf8).write(to: inURL)
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let stdin = try FileHandle(forReadingFrom: inURL), out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.standardInput = stdin
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try stdin.close(); try out.close(); try err.close()
        return (process.terminationStatus, String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }
}
