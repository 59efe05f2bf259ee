import Foundation
import Testing
import CLVTestSupport

/// A run killed while it writes its output leaves the target as it was and, once a later run
/// into the same folder has succeeded, no debris (issue 11, item 3; the design is on
/// `AtomicOutput`). `summarize` of a log of 400,000 customers writes for long enough to be
/// caught mid-write.
@Suite(.serialized) struct KilledWriteEndToEndTests {
    static let old = "old contents\n"

    /// A workspace with `log.csv` (one row per customer) and `out.csv` holding `old`.
    static func workspace() throws -> Workspace {
        let ws = try Workspace()
        var log = "customer_id,date,amount\n"
        log.reserveCapacity(12_000_000)
        for i in 0..<400_000 { log += "c\(i),1997-0\(1 + i % 9)-1\(i % 10),\(i % 97).25\n" }
        try ws.write("log.csv", log)
        try ws.write("out.csv", old)
        return ws
    }

    /// A `clvfit summarize log.csv -o out.csv` run in `ws`, started with posix_spawn so that
    /// its signal mask is empty and SIGINT/SIGTERM have their default action: a test thread
    /// (a Dispatch worker) blocks most signals, and a child started through Foundation's
    /// `Process` inherits that mask, so SIGTERM would never reach it.
    final class Run {
        let pid: pid_t
        private var status: Int32? = nil

        init(_ ws: Workspace, namedTemporary: Bool) throws {
            let executable = try #require(CLI.executable).path
            let arguments = [executable, "summarize", ws.path("log.csv"), "-o", ws.path("out.csv")]
            var environment = ProcessInfo.processInfo.environment
            environment["CLVFIT_NAMED_TEMPORARY"] = namedTemporary ? "1" : nil
            let envp = environment.map { "\($0.key)=\($0.value)" }
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var empty = sigset_t(), defaults = sigset_t()
            sigemptyset(&empty)
            sigemptyset(&defaults)
            for signal in [SIGINT, SIGTERM, SIGHUP, SIGPIPE] { sigaddset(&defaults, signal) }
            posix_spawnattr_setsigmask(&attributes, &empty)
            posix_spawnattr_setsigdefault(&attributes, &defaults)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            for fd in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] {
                posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY, 0)
            }
            var cArguments = arguments.map { strdup($0) } + [nil]
            var cEnvironment = envp.map { strdup($0) } + [nil]
            defer { (cArguments + cEnvironment).forEach { free($0) } }
            var pid = pid_t()
            let error = posix_spawn(&pid, executable, &actions, &attributes, &cArguments, &cEnvironment)
            try #require(error == 0, "posix_spawn: \(String(cString: strerror(error)))")
            self.pid = pid
        }

        var isRunning: Bool {
            guard status == nil else { return false }
            var s: Int32 = 0
            if waitpid(pid, &s, WNOHANG) == pid { status = s; return false }
            return true
        }

        /// Waits for the end; the signal that ended the run, or nil when it exited (`exitCode`).
        @discardableResult
        func wait() -> (signal: Int32?, exitCode: Int32?) {
            if status == nil {
                var s: Int32 = 0
                while waitpid(pid, &s, 0) < 0 && errno == EINTR {}
                status = s
            }
            let s = status!
            return s & 0x7F == 0 ? (nil, (s >> 8) & 0xFF) : (s & 0x7F, nil)
        }
    }

    static func temporaries(_ ws: Workspace) throws -> [String] {
        try ws.files().filter { $0.hasPrefix(".out.csv.tmp-") }.sorted()
    }

    /// Waits (up to 60 s) until the run's named temporary file exists; false if it ended first.
    static func waitForTemporary(_ ws: Workspace, _ process: Run) throws -> Bool {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if try !temporaries(ws).isEmpty { return true }
            if !process.isRunning { return false }
            usleep(200)
        }
        return false
    }

    /// The fallback (named temporary file): SIGTERM or SIGINT mid-write removes it, the run dies
    /// of the signal, the target is untouched. SIGKILL leaves it; the next successful run into
    /// the folder removes it.
    @Test func namedTemporaryIsRemovedOnSignalsAndSweptAfterSIGKILL() throws {
        let ws = try Self.workspace()
        for signal in [SIGTERM, SIGINT, SIGKILL] {
            var caught = false
            for _ in 0..<3 where !caught {
                let process = try Run(ws, namedTemporary: true)
                caught = try Self.waitForTemporary(ws, process)
                if caught { kill(process.pid, signal) }
                let end = process.wait()
                if caught { #expect(end.signal == signal, "signal \(signal): \(end)") }
                try ws.write("out.csv", Self.old)   // (a run that finished before the kill replaced it)
            }
            try #require(caught, "signal \(signal): the run never showed its temporary file")
            #expect(try ws.read("out.csv") == Self.old)
            if signal == SIGKILL {
                #expect(try Self.temporaries(ws).count == 1, "SIGKILL cannot be caught: its file stays until the next run")
            } else {
                let left = try Self.temporaries(ws)
                #expect(left.isEmpty, "signal \(signal) left \(left)")
            }
        }
        // A debris file of a live process (this test's) is left alone; the dead one's is swept.
        try ws.write(".out.csv.tmp-\(getpid())-1", "live writer")
        let done = try ws.run(["summarize", "log.csv", "-o", "out.csv"])
        #expect(done.status == 0, "\(done)")
        #expect(try Self.temporaries(ws) == [".out.csv.tmp-\(getpid())-1"])
        #expect(try ws.files() == ["log.csv", "out.csv", ".out.csv.tmp-\(getpid())-1"])
        #expect(try ws.read("out.csv").hasPrefix("customer_id,frequency,recency,T,monetary_value\nc0,0,0,"))
    }

    /// The default (an unnamed file until the commit): SIGKILL at any moment of the run leaves
    /// the target either as it was or complete, and nothing else.
    @Test func sigkillAnywhereLeavesNoDebris() throws {
        let ws = try Self.workspace()
        let reference = try ws.run(["summarize", "log.csv", "-o", "reference.csv"])
        try #require(reference.status == 0, "\(reference)")
        let complete = try ws.read("reference.csv")
        try FileManager.default.removeItem(atPath: ws.path("reference.csv"))
        // How long a run takes (the shorter of two: on a loaded machine one run can take twice
        // as long as the next), then kills spread over it.
        var duration = Double.infinity
        for _ in 0..<2 {
            let started = Date()
            try Run(ws, namedTemporary: false).wait()
            duration = min(duration, Date().timeIntervalSince(started))
        }
        var killedMidWay = 0
        for k in 1...12 {
            try ws.write("out.csv", Self.old)
            let process = try Run(ws, namedTemporary: false)
            usleep(useconds_t(duration * Double(k) / 13 * 1_000_000))
            kill(process.pid, SIGKILL)
            if process.wait().signal == SIGKILL { killedMidWay += 1 }
            let now = try ws.read("out.csv")
            #expect(now == Self.old || now == complete, "kill \(k): a partial target (\(now.utf8.count) bytes)")
            let files = try ws.files()
            #expect(files == ["log.csv", "out.csv"], "kill \(k): \(files)")
        }
        #expect(killedMidWay >= 4, "most kills should land while the run is going (\(killedMidWay) of 12 did)")
    }
}
