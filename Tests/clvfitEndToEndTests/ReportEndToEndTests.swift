import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import CLVTestSupport

/// `clvfit evaluate --report` as a user runs it, and the page in a real browser (headless
/// Chromium): it loads without console errors, the browser's DOM has every chart with content,
/// and the rendered screenshot is a real picture, not a blank page.
@Suite struct ReportEndToEndTests {
    static let window = ["--calibration-end", "1997-09-30", "--observation-end", "1998-06-30"]

    /// `evaluate --report` writes the page and the JSON carries the tracking curve: CDNOW's
    /// 39 + 39 weekly periods, 2457 calibration and 1882 holdout repeat purchases (the same
    /// totals as Σ frequency and Σ frequency_holdout), only the files asked for.
    @Test func evaluateWritesReportAndTrackingJSON() throws {
        let data = try ClvFitEndToEndTests.dataset("cdnow_sample.csv")
        let ws = try Workspace()
        let run = try ws.run(["evaluate", data] + Self.window + ["--format", "json", "-o", "evaluation.json", "--report", "report.html"])
        #expect(run.status == 0, "\(run)")
        #expect(try ws.files() == ["evaluation.json", "report.html"])
        let json = try ClvFitEndToEndTests.json(try ws.read("evaluation.json"))
        let tracking = try #require(json["tracking"] as? [String: Any])
        #expect(tracking.number("calibration_periods") == 39)
        #expect((tracking["periods"] as? [Any])?.count == 78)
        #expect(tracking.number("calibration_actual") == 2457 && tracking.number("holdout_actual") == 1882)
        #expect(tracking.number("customers") == 2357)
        let html = try ws.read("report.html")
        let parser = XMLParser(data: Data(html.utf8))
        #expect(parser.parse(), "the report is not well-formed: \(String(describing: parser.parserError))")
        // The text output names the tracking totals too.
        let text = try ws.run(["evaluate", data] + Self.window)
        #expect(text.status == 0 && text.stdout.contains("Tracking (repeat purchases of all 2357 customers"), "\(text)")
    }

    /// `--lifetime`: the report's CLV distribution is of lifetime value, and its total is Σ clv of
    /// `score --lifetime` with the calibration model on the calibration summary; without
    /// `--report` it is a usage error.
    @Test func lifetimeValueInTheReport() throws {
        let data = try ClvFitEndToEndTests.dataset("cdnow_sample.csv")
        let ws = try Workspace()
        let run = try ws.run(["evaluate", data] + Self.window + ["--lifetime", "--report", "report.html", "--save-model", "m.json", "-o", "e.txt"])
        #expect(run.status == 0, "\(run)")
        let html = try ws.read("report.html")
        #expect(html.contains("CLV at the calibration end over each customer&#39;s whole remaining relationship (DERT) at a discount rate of 1 % per month")
                || html.contains("CLV at the calibration end over each customer's whole remaining relationship (DERT) at a discount rate of 1 % per month"), "\(html.count)")
        #expect(try ws.run(["summarize", data, "--calibration-end", "1997-09-30", "--observation-end", "1998-06-30", "-o", "cal.csv"]).status == 0)
        let score = try ws.run(["score", "--model", "m.json", "--summary", "cal.csv", "--lifetime", "-o", "s.csv"])
        #expect(score.status == 0, "\(score)")
        let rows = try ws.read("s.csv").split(separator: "\n").dropFirst()
        let total = rows.reduce(0.0) { $0 + Double($1.split(separator: ",", omittingEmptySubsequences: false)[4])! }
        let match = try #require(html.firstMatch(of: /customers, total ([0-9,.]+)/))
        let reported = Double(match.1.replacingOccurrences(of: ",", with: ""))!
        #expect(abs(reported - total) <= 0.01 + 1e-9 * total, "report \(reported) vs Σ score \(total)")
        let refused = try ws.run(["evaluate", data] + Self.window + ["--lifetime"])
        #expect(refused.status == 64 && refused.stderr.contains("--lifetime concerns the CLV distribution of the report"), "\(refused)")
    }

    /// A report that cannot be written: exit 73 and nothing partial left behind.
    @Test func unwritableReportFailsCleanly() throws {
        let data = try ClvFitEndToEndTests.dataset("cdnow_sample.csv")
        let ws = try Workspace()
        let run = try ws.run(["evaluate", data] + Self.window + ["--report", "missing-dir/report.html", "-o", "out.txt"])
        #expect(run.status == 73, "\(run)")
        #expect(run.stderr.contains("missing-dir/report.html"))
        #expect(!ws.exists("missing-dir"))
    }

    /// --report describes one model: with --compare it is a usage error (64), and nothing is written.
    @Test func reportWithCompareIsAUsageError() throws {
        let data = try ClvFitEndToEndTests.dataset("cdnow_sample.csv")
        let ws = try Workspace()
        let run = try ws.run(["evaluate", data] + Self.window + ["--compare", "--report", "report.html"])
        #expect(run.status == 64, "\(run)")
        #expect(run.stderr.contains("--compare"))
        #expect(try ws.files().isEmpty)
    }

    // MARK: In a browser

    /// Headless Chromium, if installed (`chromium`, `chromium-browser` or `$CHROMIUM`).
    /// `make test` installs it and sets `CLVFIT_REQUIRE_BROWSER=1`, which makes its absence a
    /// failure rather than a skipped test.
    static let chromium: String? = {
        let fm = FileManager.default
        if let path = ProcessInfo.processInfo.environment["CHROMIUM"], fm.isExecutableFile(atPath: path) { return path }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser"] {
                let candidate = "\(directory)/\(name)"
                if fm.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }()
    static let browserRequired = ProcessInfo.processInfo.environment["CLVFIT_REQUIRE_BROWSER"] == "1"

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a program with output captured in files; killed after `timeout` seconds (a hung
    /// browser fails the test instead of hanging the suite).
    static func run(_ executable: String, _ arguments: [String], in directory: URL, timeout: Double = 180) throws -> Output {
        let out = directory.appendingPathComponent(".stdout-\(UUID().uuidString)"), err = directory.appendingPathComponent(".stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        let outHandle = try FileHandle(forWritingTo: out), errHandle = try FileHandle(forWritingTo: err)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outHandle
        process.standardError = errHandle
        try process.run()
        let pid = process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { if process.isRunning { kill(pid, SIGKILL) } }
        process.waitUntilExit()
        try outHandle.close()
        try errHandle.close()
        return Output(status: process.terminationStatus,
                      stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
                      stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }

    /// The flags every headless run uses: no GPU, no sandbox (CI runs as root), a profile in
    /// the workspace, console messages logged to standard error.
    static func browserFlags(_ ws: Workspace) -> [String] {
        ["--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--no-first-run", "--disable-extensions",
         "--user-data-dir=\(ws.path("chromium-profile"))", "--enable-logging=stderr", "--v=0"]
    }

    /// Lines of Chromium's log that report a page problem: a console message (a script error
    /// would be one) or a failed load.
    static func pageProblems(_ log: String) -> [Substring] {
        log.split(separator: "\n").filter { $0.contains("CONSOLE") || $0.contains("net::ERR") || $0.contains("Failed to load") }
    }

    @Test(.enabled(if: ReportEndToEndTests.chromium != nil || ReportEndToEndTests.browserRequired, "headless Chromium is not installed (make test installs it)"))
    func cdnowReportRendersInChromium() throws {
        let chromium = try #require(Self.chromium, "CLVFIT_REQUIRE_BROWSER=1 but no chromium on PATH: install Debian's `chromium` (make setup does)")
        let data = try ClvFitEndToEndTests.dataset("cdnow_sample.csv")
        let ws = try Workspace()
        let evaluate = try ws.run(["evaluate", data] + Self.window + ["--report", "report.html", "-o", "evaluation.txt"])
        #expect(evaluate.status == 0, "\(evaluate)")
        let page = "file://" + ws.path("report.html")

        // 1. The DOM as the browser built it: every chart an <svg> with drawn marks; no console errors.
        let dom = try Self.run(chromium, Self.browserFlags(ws) + ["--dump-dom", page], in: ws.url)
        #expect(dom.status == 0, "chromium --dump-dom exited \(dom.status): \(dom.stderr.suffix(2000))")
        #expect(Self.pageProblems(dom.stderr).isEmpty, "\(Self.pageProblems(dom.stderr))")
        Self.expectCharts(["tracking-incremental", "tracking-cumulative", "calibration-histogram", "holdout-by-frequency",
                           "alive-heatmap", "spend-fit", "clv-distribution"], inDOM: dom.stdout)

        // 2. A screenshot of the whole page: a PNG of the asked size, not a blank page.
        let shot = try Self.run(chromium, Self.browserFlags(ws) + ["--screenshot=\(ws.path("report.png"))", "--window-size=1280,5200", page], in: ws.url)
        #expect(shot.status == 0, "chromium --screenshot exited \(shot.status): \(shot.stderr.suffix(2000))")
        #expect(Self.pageProblems(shot.stderr).isEmpty, "\(Self.pageProblems(shot.stderr))")
        let png = [UInt8](try Data(contentsOf: ws.url.appendingPathComponent("report.png")))
        #expect(png.count > 50_000, "the screenshot is only \(png.count) bytes")
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "not a PNG")
        func bigEndian(_ at: Int) -> Int { png[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        #expect(png.count > 24 && bigEndian(16) == 1280 && bigEndian(20) == 5200, "IHDR size")

        // 3. The pixels, decoded by the browser itself: a checker page (this one has a script)
        //    draws the screenshot on a canvas and counts colours and non-white pixels.
        try ws.write("check.html", Self.pixelChecker)
        let check = try Self.run(chromium, Self.browserFlags(ws) + ["--allow-file-access-from-files", "--dump-dom", "file://" + ws.path("check.html")], in: ws.url)
        #expect(check.status == 0, "\(check.stderr.suffix(2000))")
        let result = try #require(check.stdout.range(of: #"width=\d+ height=\d+ colours=\d+ nonwhite=[0-9.]+"#, options: .regularExpression)
            .map { String(check.stdout[$0]) }, "the pixel checker printed no result: \(check.stdout.suffix(500))")
        let fields = Dictionary(uniqueKeysWithValues: result.split(separator: " ").map { pair -> (String, Double) in
            let kv = pair.split(separator: "=")
            return (String(kv[0]), Double(kv[1]) ?? -1)
        })
        #expect(fields["width"] == 1280 && fields["height"] == 5200, "\(result)")
        // Charts in several colours with antialiasing: hundreds of distinct colours; text and
        // charts cover a few percent of a white page. A blank page has 1 colour and 0.
        #expect((fields["colours"] ?? 0) >= 50, "\(result)")
        #expect((fields["nonwhite"] ?? 0) > 0.02 && (fields["nonwhite"] ?? 1) < 0.9, "\(result)")
    }

    /// Each figure `id` of the browser's DOM holds an `<svg>` with at least two drawn marks.
    static func expectCharts(_ ids: [String], inDOM dom: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for id in ids {
            guard let start = dom.range(of: "<figure id=\"\(id)\">"),
                  let end = dom.range(of: "</figure>", range: start.upperBound..<dom.endIndex) else {
                Issue.record("the browser's DOM has no figure \(id)", sourceLocation: sourceLocation)
                continue
            }
            let figure = dom[start.upperBound..<end.lowerBound]
            let marks = figure.components(separatedBy: "<polyline").count + figure.components(separatedBy: "<rect").count - 2
            #expect(figure.contains("<svg") && marks >= 2, "figure \(id): \(marks) marks", sourceLocation: sourceLocation)
        }
    }

    /// Loads report.png into a canvas and writes "width=… height=… colours=… nonwhite=…" (over
    /// every 7th pixel) into the page, which --dump-dom prints.
    static let pixelChecker = """
    <!DOCTYPE html><html><body><img id="shot" src="report.png"><pre id="result">pending</pre>
    <script>
    window.addEventListener("load", function () {
      var img = document.getElementById("shot"), out = document.getElementById("result");
      try {
        var c = document.createElement("canvas"); c.width = img.naturalWidth; c.height = img.naturalHeight;
        var g = c.getContext("2d"); g.drawImage(img, 0, 0);
        var d = g.getImageData(0, 0, c.width, c.height).data, colours = new Set(), nonWhite = 0, n = 0;
        for (var i = 0; i < d.length; i += 4 * 7) {
          n++; var k = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2]; colours.add(k); if (k !== 0xffffff) nonWhite++;
        }
        out.textContent = "width=" + c.width + " height=" + c.height + " colours=" + colours.size + " nonwhite=" + (nonWhite / n).toFixed(4);
      } catch (e) { out.textContent = "error " + e; }
    });
    </script></body></html>
    """
}
