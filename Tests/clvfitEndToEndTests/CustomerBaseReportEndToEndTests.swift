import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import CLVTestSupport

/// `clvfit report` as a user runs it on the production model (trained on all of CDNOW) and on
/// subscribers (sBG on FH 2007's cohort), and the pages in headless Chromium at 1280 and 600
/// pixels wide.
@Suite struct CustomerBaseReportEndToEndTests {
    typealias Browser = ReportEndToEndTests

    /// A model trained on the whole CDNOW sample, in `ws`.
    static func production(_ ws: Workspace) throws -> String {
        // A copy in the workspace, so that the page names the file as a user would give it.
        let data = "cdnow_sample.csv"
        try FileManager.default.copyItem(atPath: try ClvFitEndToEndTests.dataset(data), toPath: ws.path(data))
        let train = try ws.run(["train", data, "--unit", "week", "-o", "model.json"])
        #expect(train.status == 0, "\(train)")
        return data
    }

    /// The page and the segments file; the headline's customer equity is Σ clv of `score` with
    /// the same model and options, and its customer count the summary's; `--segments` has one
    /// row per customer, each a known segment.
    @Test func equityIsTheSumOfScoresCLV() throws {
        let ws = try Workspace()
        let data = try Self.production(ws)
        let run = try ws.run(["report", "--model", "model.json", data, "--unit", "week", "--currency", "USD", "-o", "report.html", "--segments", "segments.csv"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stderr.contains("unbounded-lifetime"), "the model's warnings are printed: \(run.stderr)")
        let html = try ws.read("report.html")
        #expect(XMLParser(data: Data(html.utf8)).parse(), "not well-formed")
        #expect(html.contains("<h1>Customer base on 1998-06-30</h1>"))
        let score = try ws.run(["score", "--model", "model.json", data, "--unit", "week", "-o", "scores.csv"])
        #expect(score.status == 0, "\(score)")
        let rows = try ws.read("scores.csv").split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows.count == 2357)
        let total = rows.reduce(0.0) { $0 + Double($1[4])! }
        let match = try #require(html.firstMatch(of: /<div class="figure">USD ([0-9,]+)<\/div><div class="what">customer equity/))
        let equity = Double(match.1.replacingOccurrences(of: ",", with: ""))!
        #expect(abs(equity - total) <= 0.5 + 1e-12 * total, "report \(equity) vs Σ score \(total)")
        #expect(html.contains("<div class=\"figure\">2,357</div>"))
        let active = rows.reduce(0.0) { $0 + Double($1[1])! }
        #expect(html.contains("<div class=\"figure\">\(Self.grouped(active))</div>"), "Σ p_alive \(active)")
        let segments = try ws.read("segments.csv").split(separator: "\n")
        #expect(segments.first == "customer_id,segment" && segments.count == 2358)
        let names: Set<Substring> = ["high-value-active", "high-value-slipping", "low-value-active", "probably-gone"]
        #expect(segments.dropFirst().allSatisfy { names.contains($0.split(separator: ",")[1]) })
        #expect(zip(segments.dropFirst(), rows).allSatisfy { $0.0.split(separator: ",")[0] == $0.1[0] }, "same customers, same order as score")
    }

    static func grouped(_ v: Double) -> String {
        let digits = Array(String(Int(v.rounded())))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(d)
        }
        return out
    }

    /// From a summary the date is the model's training window end, with a note; bad options
    /// are usage errors (64) naming the option, and nothing is written.
    @Test func summaryInputAndRefusals() throws {
        let ws = try Workspace()
        let data = try Self.production(ws)
        #expect(try ws.run(["summarize", data, "--unit", "week", "-o", "summary.csv"]).status == 0)
        let run = try ws.run(["report", "--model", "model.json", "--summary", "summary.csv", "-o", "report.html"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stderr.contains("the end of the model's training window; give --observation-end"), "\(run.stderr)")
        #expect(try ws.read("report.html").contains("<h1>Customer base on 1998-06-30</h1>"))
        for (arguments, words) in [(["--value-quantile", "1"], "--value-quantile"), (["--chance-quantile", "0"], "--chance-quantile"),
                                   (["--calibration-end", "1997-09-30"], "--calibration-end"), (["--top", "-1"], "--top")] {
            let bad = try ws.run(["report", "--model", "model.json", data, "--unit", "week", "-o", "bad.html"] + arguments)
            #expect(bad.status == 64 && bad.stderr.contains(words), "\(arguments): \(bad)")
            #expect(!ws.exists("bad.html"))
        }
        let unwritable = try ws.run(["report", "--model", "model.json", data, "--unit", "week", "-o", "missing/report.html"])
        #expect(unwritable.status == 73 && unwritable.stderr.contains("missing/report.html"), "\(unwritable)")
    }

    /// `--lifetime` (Pareto/NBD): the equity is Σ clv of `score --lifetime`, and the page says the
    /// values are over the rest of the relationship; BG/BB on the donations' summary, in
    /// opportunities, needs no spend model.
    @Test func lifetimeAndDiscreteTimeReports() throws {
        let ws = try Workspace()
        let data = "cdnow_sample.csv"
        try FileManager.default.copyItem(atPath: try ClvFitEndToEndTests.dataset(data), toPath: ws.path(data))
        #expect(try ws.run(["train", data, "--unit", "week", "--model", "pareto-nbd", "-o", "pnbd.json"]).status == 0)
        let run = try ws.run(["report", "--model", "pnbd.json", data, "--unit", "week", "--lifetime", "-o", "lifetime.html"])
        #expect(run.status == 0, "\(run)")
        let html = try ws.read("lifetime.html")
        #expect(html.contains("expected purchases over the rest of the relationship (discounted)"))
        let score = try ws.run(["score", "--model", "pnbd.json", data, "--unit", "week", "--lifetime", "-o", "s.csv"])
        #expect(score.status == 0, "\(score)")
        let total = try ws.read("s.csv").split(separator: "\n").dropFirst().reduce(0.0) { $0 + Double($1.split(separator: ",", omittingEmptySubsequences: false)[4])! }
        let match = try #require(html.firstMatch(of: /<div class="figure">([0-9,]+)<\/div><div class="what">customer equity/))
        #expect(abs(Double(match.1.replacingOccurrences(of: ",", with: ""))! - total) <= 0.5, "report \(match.1) vs Σ score --lifetime \(total)")

        let donations = try ClvFitEndToEndTests.dataset("donations.csv")
        #expect(try ws.run(["train", "--summary", donations, "--model", "bgbb", "-o", "bgbb.json"]).status == 0)
        let bgbb = try ws.run(["report", "--model", "bgbb.json", "--summary", donations, "--discount-rate", "0.1", "--horizon", "5", "-o", "bgbb.html"])
        #expect(bgbb.status == 0, "\(bgbb)")
        let page = try ws.read("bgbb.html")
        #expect(page.contains("<div class=\"figure\">11,104</div>") && page.contains("expected purchases over the next 5 opportunities"))
        #expect(page.contains("There is no spend model, so no value in money."))
    }

    /// FH 2007's regular cohort (years 0–7) as a subscriber summary with payments, and an sBG
    /// model trained on the cohort table, in `ws`.
    static func subscriptions(_ ws: Workspace) throws {
        let cohort = try ClvFitEndToEndTests.dataset("fh2007_regular.csv")
        let head = try String(contentsOfFile: cohort, encoding: .utf8).split(separator: "\n").prefix(9).joined(separator: "\n") + "\n"
        _ = try ws.write("regular-0-7.csv", head)
        let train = try ws.run(["train", "--model", "sbg", "--cohort", "regular-0-7.csv", "--period", "year", "-o", "sbg.json"])
        #expect(train.status == 0, "\(train)")
        let survivors = [1000, 631, 468, 382, 326, 289, 262, 241]
        var rows = ["customer_id,periods,active,payment"]
        for t in 1...7 { for _ in 0..<(survivors[t - 1] - survivors[t]) { rows.append("s\(rows.count),\(t),0,40") } }
        for k in 0..<241 { rows.append("s\(rows.count),8,1,\(k % 2 == 0 ? 40 : 80)") }
        _ = try ws.write("subscribers.csv", rows.joined(separator: "\n") + "\n")
    }

    /// The subscribers' page: its equity is Σ clv of `score --subscribers` with the same options;
    /// options of the purchase models' page and a missing discount rate are usage errors.
    @Test func subscribersPageSumsTheirScores() throws {
        let ws = try Workspace()
        try Self.subscriptions(ws)
        let options = ["--subscribers", "subscribers.csv", "--discount-rate", "0.1", "--margin", "0.5"]
        let run = try ws.run(["report", "--model", "sbg.json"] + options + ["--currency", "EUR", "-o", "subscribers.html"])
        #expect(run.status == 0, "\(run)")
        let html = try ws.read("subscribers.html")
        #expect(XMLParser(data: Data(html.utf8)).parse())
        let score = try ws.run(["score", "--model", "sbg.json"] + options + ["-o", "values.csv"])
        #expect(score.status == 0, "\(score)")
        let total = try ws.read("values.csv").split(separator: "\n").dropFirst().reduce(0.0) { $0 + Double($1.split(separator: ",", omittingEmptySubsequences: false)[6])! }
        let match = try #require(html.firstMatch(of: /<div class="figure">EUR ([0-9,]+)<\/div><div class="what">subscriber equity/))
        #expect(abs(Double(match.1.replacingOccurrences(of: ",", with: ""))! - total) <= 0.5, "report \(match.1) vs Σ score \(total)")
        #expect(html.contains("<div class=\"figure\">241</div>"))
        for (arguments, words) in [(["--subscribers", "subscribers.csv", "-o", "x.html"], "give --discount-rate"),
                                   (options + ["--horizon", "3", "-o", "x.html"], "--horizon concerns the purchase models' report"),
                                   (options + ["--segments", "s.csv", "-o", "x.html"], "--segments concerns")] {
            let bad = try ws.run(["report", "--model", "sbg.json"] + arguments)
            #expect(bad.status == 64 && bad.stderr.contains(words), "\(arguments): \(bad)")
            #expect(!ws.exists("x.html"))
        }
    }

    // MARK: In a browser

    /// The page at `width` pixels in an iframe of a checker page, whose script measures in the
    /// browser's layout: every chart's label boxes (no two of a chart may overlap, none may stick
    /// out of its chart), labels too small to read, charts without marks, and how far the page is
    /// wider than the window.
    static func layoutChecker(page: String, width: Int) -> String {
        """
        <!DOCTYPE html><html><body style="margin:0"><iframe id="f" src="\(page)" style="width:\(width)px;height:3000px;border:0"></iframe><pre id="result">pending</pre>
        <script>
        document.getElementById("f").addEventListener("load", function () {
          var out = document.getElementById("result");
          try {
            var d = this.contentDocument, svgs = d.querySelectorAll("figure svg"), overlaps = [], small = 0, empty = 0, clipped = [];
            svgs.forEach(function (svg) {
              var id = svg.closest("figure").id;
              if (svg.querySelectorAll("rect, polyline").length < 1) empty++;
              var boxes = Array.prototype.map.call(svg.querySelectorAll("text"), function (t) { return [t.textContent, t.getBoundingClientRect()]; })
                .filter(function (p) { return p[1].width > 0 && p[0].trim() !== ""; });
              var frame = svg.getBoundingClientRect();
              boxes.forEach(function (p) {
                if (p[1].height < 7) small++;
                if (p[1].left < frame.left - 1 || p[1].right > frame.right + 1 || p[1].top < frame.top - 1 || p[1].bottom > frame.bottom + 1) clipped.push(id + ": '" + p[0] + "'");
              });
              for (var i = 0; i < boxes.length; i++) for (var j = i + 1; j < boxes.length; j++) {
                var a = boxes[i][1], b = boxes[j][1];
                var w = Math.min(a.right, b.right) - Math.max(a.left, b.left), h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
                if (w > 1 && h > 1) overlaps.push(id + ": '" + boxes[i][0] + "' x '" + boxes[j][0] + "'");
              }
            });
            var overflow = d.documentElement.scrollWidth - d.documentElement.clientWidth;
            out.textContent = "charts=" + svgs.length + " empty=" + empty + " small=" + small + " overflow=" + overflow + " overlaps=" + overlaps.length + " clipped=" + clipped.length + "\\n" + overlaps.concat(clipped).join("\\n");
          } catch (e) { out.textContent = "error " + e; }
        });
        </script></body></html>
        """
    }

    @Test(.enabled(if: ReportEndToEndTests.chromium != nil || ReportEndToEndTests.browserRequired, "headless Chromium is not installed (make test installs it)"))
    func pageRendersAndFitsAt1280And600Pixels() throws {
        let chromium = try #require(Browser.chromium, "CLVFIT_REQUIRE_BROWSER=1 but no chromium on PATH: install Debian's `chromium` (make setup does)")
        let ws = try Workspace()
        let data = try Self.production(ws)
        let run = try ws.run(["report", "--model", "model.json", data, "--unit", "week", "--currency", "USD", "-o", "report.html"])
        #expect(run.status == 0, "\(run)")
        let page = "file://" + ws.path("report.html")

        // The DOM as the browser built it: every chart an <svg> with marks; no console messages.
        let dom = try Browser.run(chromium, Browser.browserFlags(ws) + ["--dump-dom", page], in: ws.url)
        #expect(dom.status == 0, "chromium --dump-dom exited \(dom.status): \(dom.stderr.suffix(2000))")
        #expect(Browser.pageProblems(dom.stderr).isEmpty, "\(Browser.pageProblems(dom.stderr))")
        Browser.expectCharts(["equity-lorenz", "segments-chart", "clv-distribution", "alive-heatmap", "purchases-by-frequency"], inDOM: dom.stdout)

        // Layout at both widths, measured by the browser; the evaluation report's too.
        let evaluate = try ws.run(["evaluate", data, "--unit", "week"] + ReportEndToEndTests.window + ["--report", "evaluation.html", "-o", "evaluation.txt"])
        #expect(evaluate.status == 0, "\(evaluate)")
        try Self.subscriptions(ws)
        let subscribers = try ws.run(["report", "--model", "sbg.json", "--subscribers", "subscribers.csv", "--discount-rate", "0.1", "-o", "subscribers.html"])
        #expect(subscribers.status == 0, "\(subscribers)")
        for (file, charts) in [("report.html", 5), ("evaluation.html", 7), ("subscribers.html", 4)] {
            for width in [1280, 600] {
                let checker = "check-\(width)-\(file)"
                try ws.write(checker, Self.layoutChecker(page: file, width: width))
                let check = try Browser.run(chromium, Browser.browserFlags(ws) + ["--allow-file-access-from-files", "--window-size=\(width + 40),3200", "--dump-dom",
                                                                                  "file://" + ws.path(checker)], in: ws.url)
                #expect(check.status == 0, "\(check.stderr.suffix(2000))")
                let result = try #require(check.stdout.firstMatch(of: /charts=(\d+) empty=(\d+) small=(\d+) overflow=(-?\d+) overlaps=(\d+) clipped=(\d+)([^<]*)/),
                                          "the layout checker printed no result for \(file) at \(width) px: \(check.stdout.suffix(800))")
                #expect(Int(result.1) == charts, "\(file) at \(width) px: \(result.0)")
                #expect(result.2 == "0" && result.3 == "0", "\(file) at \(width) px: charts without marks or labels under 7 px: \(result.0)")
                #expect(Int(result.4)! <= 0, "\(file) at \(width) px: the page is \(result.4) px wider than the window")
                #expect(result.5 == "0" && result.6 == "0", "\(file) at \(width) px: overlapping labels, or labels outside their chart:\(result.7)")
            }
        }

        // The first screen as a picture (README and docs/report.md show it): a PNG of 1280 × 900.
        // CLVFIT_UPDATE_DOCS=1 copies it to docs/report.png.
        let shot = try Browser.run(chromium, Browser.browserFlags(ws) + ["--screenshot=\(ws.path("report.png"))", "--window-size=1280,900", page], in: ws.url)
        #expect(shot.status == 0, "\(shot.stderr.suffix(2000))")
        let png = try Data(contentsOf: ws.url.appendingPathComponent("report.png"))
        #expect(png.count > 30_000 && Array(png.prefix(4)) == [0x89, 0x50, 0x4E, 0x47], "\(png.count) bytes")
        if ProcessInfo.processInfo.environment["CLVFIT_UPDATE_DOCS"] == "1" {
            try png.write(to: Fixtures.repositoryRoot.appendingPathComponent("docs/report.png"))
            // The evaluation page's first screen, for docs/evaluate.md.
            let evaluationShot = try Browser.run(chromium, Browser.browserFlags(ws) + ["--screenshot=\(ws.path("evaluation.png"))", "--window-size=1280,900",
                                                                                       "file://" + ws.path("evaluation.html")], in: ws.url)
            #expect(evaluationShot.status == 0, "\(evaluationShot.stderr.suffix(2000))")
            try? FileManager.default.removeItem(at: Fixtures.repositoryRoot.appendingPathComponent("docs/evaluate-report.png"))
            try FileManager.default.copyItem(at: ws.url.appendingPathComponent("evaluation.png"),
                                             to: Fixtures.repositoryRoot.appendingPathComponent("docs/evaluate-report.png"))
        }
        // The committed picture is a real one of this page's size.
        let committed = [UInt8](try Data(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("docs/report.png")))
        func bigEndian(_ at: Int) -> Int { committed[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        #expect(committed.count > 30_000 && bigEndian(16) == 1280 && bigEndian(20) == 900, "docs/report.png: run CLVFIT_UPDATE_DOCS=1 make report-check")
    }
}
