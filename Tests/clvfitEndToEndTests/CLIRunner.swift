import Foundation
import Testing
import CLVTestSupport

/// Runs the built `clvfit` executable the way a user does: a separate process with arguments,
/// a working directory, and captured standard output, standard error and exit status.
enum CLI {
    struct Result: CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String
        var description: String { "exit \(status)\n--- stdout\n\(stdout.prefix(2000))\n--- stderr\n\(stderr.prefix(2000))" }
    }

    /// The `clvfit` executable. Looked up, in order:
    /// 1. `$CLVFIT_EXECUTABLE`, when set;
    /// 2. the products directory of this test run: the directory holding the test bundle
    ///    (`…/debug/clvfitPackageTests.xctest`), which is where SwiftPM puts `clvfit` too —
    ///    whatever the scratch path (`.build`, `.build-e2e`, …);
    /// 3. `<repository>/.build/debug/clvfit`.
    /// Never a stale binary from another build directory by accident: (2) comes before (3).
    static let executable: URL? = {
        let fm = FileManager.default
        func usable(_ url: URL) -> Bool {
            var isDirectory: ObjCBool = false
            return fm.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue && fm.isExecutableFile(atPath: url.path)
        }
        if let path = ProcessInfo.processInfo.environment["CLVFIT_EXECUTABLE"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        var directories: [URL] = []
        // The .xctest bundle (macOS: a bundle directory; Linux: the test executable itself).
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
        }
        directories.append(Bundle.main.bundleURL)
        directories.append(Bundle.main.bundleURL.deletingLastPathComponent())
        if let executable = Bundle.main.executableURL { directories.append(executable.deletingLastPathComponent()) }
        let argv0 = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        directories.append(argv0.deletingLastPathComponent())
        directories.append(argv0.deletingLastPathComponent().deletingLastPathComponent())   // inside X.xctest/Contents/MacOS
        for directory in directories {
            let candidate = directory.appendingPathComponent("clvfit")
            if usable(candidate) { return candidate.standardizedFileURL }
        }
        let fallback = Fixtures.repositoryRoot.appendingPathComponent(".build/debug/clvfit")
        return usable(fallback) ? fallback : nil
    }()

    /// Runs `clvfit ARGUMENTS` in `directory` with empty standard input.
    static func run(_ arguments: [String], in directory: URL, sourceLocation: SourceLocation = #_sourceLocation) throws -> Result {
        let executable = try #require(executable, "the clvfit executable was not found next to the test bundle; build it (`swift build`) or set CLVFIT_EXECUTABLE", sourceLocation: sourceLocation)
        // Output goes to files, not pipes: a pipe whose reader waits for the process to exit
        // deadlocks once the output fills the pipe buffer (`score` writes 2357 lines).
        let capture = FileManager.default.temporaryDirectory.appendingPathComponent("clvfit-e2e-capture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: capture, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: capture) }
        let outURL = capture.appendingPathComponent("stdout"), errURL = capture.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }
}

/// A scratch directory for one test, with helpers to write inputs and inspect what is left.
final class Workspace {
    let url: URL

    init() throws {
        url = try Fixtures.temporaryDirectory()
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `text` to `name` in the workspace.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try Data(text.utf8).write(to: url.appendingPathComponent(name))
        return name
    }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }

    func read(_ name: String) throws -> String { String(decoding: try Data(contentsOf: url.appendingPathComponent(name)), as: UTF8.self) }

    /// Every file in the workspace, hidden ones included (AtomicOutput's temporary files are
    /// hidden: `.NAME.tmp-PID-RANDOM`).
    func files() throws -> Set<String> { Set(try FileManager.default.contentsOfDirectory(atPath: url.path)) }

    func run(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> CLI.Result {
        try CLI.run(arguments, in: url, sourceLocation: sourceLocation)
    }
}
