import Foundation
import Testing
import CLVKit
import CLVTestSupport

/// Intervals, diagnostics and the simple formulas as a user sees them: `train` prints 95 %
/// intervals and warnings, `score --interval --simple` adds columns, `evaluate --format json`
/// carries both.
@Suite struct TrustEndToEndTests {
    static let window = ["--calibration-end", ClvFitEndToEndTests.calibrationEnd, "--observation-end", ClvFitEndToEndTests.observationEnd]

    /// `train` on CDNOW: every parameter row has a 95 % interval, the a ≤ 1 warning goes to
    /// stderr and into the model file; `score --interval 0.9 --simple` writes the model's
    /// columns unchanged plus six more, the interval around the point value, the simple CLVs
    /// as the formulas give them for customer 1 (hand-computed below), and the warning again.
    @Test func trainAndScoreWithIntervalsWarningsAndSimpleFormulas() throws {
        let data = try ClvFitEndToEndTests.dataset("cdnow_sample.csv")
        let ws = try Workspace()
        let train = try ws.run(["train", data] + Self.window + ["-o", "model.json"])
        #expect(train.status == 0, "\(train)")
        #expect(train.stderr.contains("95% interval (log scale)"), "\(train)")
        #expect(train.stderr.contains("  r               0.242595       0.012557   [0.21919, 0.268498]"), "\(train)")
        #expect(train.stderr.contains("warning: [unbounded-lifetime] bgnbd a = 0.7929 ≤ 1"), "\(train)")
        let model = try ModelFile.load(path: ws.path("model.json"))
        #expect(model.warnings?.map(\.code) == ["unbounded-lifetime"])

        #expect(try ws.run(["summarize", data] + Self.window + ["-o", "summary.csv"]).status == 0)
        let plain = try ws.run(["score", "--model", "model.json", "--summary", "summary.csv", "-o", "plain.csv"])
        let score = try ws.run(["score", "--model", "model.json", "--summary", "summary.csv", "--interval", "0.9", "--simple", "-o", "scores.csv"])
        #expect(plain.status == 0 && score.status == 0, "\(score)")
        #expect(score.stderr.contains("warning: [unbounded-lifetime]") && score.stderr.contains("retention rate r = "), "\(score)")
        let lines = ClvFitEndToEndTests.csvLines(try ws.read("scores.csv")), plainLines = ClvFitEndToEndTests.csvLines(try ws.read("plain.csv"))
        #expect(lines.first == "customer_id,p_alive,expected_purchases,expected_spend,clv,expected_purchases_low,expected_purchases_high,clv_low,clv_high,simple_clv_aov,simple_clv_retention")
        #expect(lines.count == 2358)
        for (row, plainRow) in zip(lines.dropFirst(), plainLines.dropFirst()) {
            let f = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            #expect(f.count == 11)
            #expect(f[0..<5].joined(separator: ",") == plainRow, "the model's own columns are unchanged")
            let v = f[1...].map { Double($0)! }
            #expect(v[4] <= v[1] && v[1] <= v[5] && v[6] <= v[3] && v[3] <= v[7], "\(row)")
        }
        // Customer 1: x = 2, T = 38.857 weeks, m̄ = 22.345; a month is 30.436875/7 weeks.
        // simple_clv_aov = 22.345 · (2/38.857142857142854 · 4.348125) · 12 (1e-12 relative:
        // a few roundings, and the CSV prints the shortest round-trip decimal).
        let first = lines[1].split(separator: ",").map(String.init)
        let aov = 22.345 * (2 / 38.857142857142854 * (30.436875 / 7)) * 12
        #expect(isClose(Double(first[9])!, aov, relative: 1e-12), "\(first)")
    }

    /// `evaluate --format json` has `parameter_intervals` (95 %, both models) and `warnings`.
    @Test func evaluateJSONCarriesIntervalsAndWarnings() throws {
        let data = try ClvFitEndToEndTests.dataset("cdnow_sample.csv")
        let ws = try Workspace()
        let result = try ws.run(["evaluate", data] + Self.window + ["--format", "json", "-o", "eval.json"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("warning: [unbounded-lifetime]"), "\(result)")
        let json = try ClvFitEndToEndTests.json(try ws.read("eval.json"))
        let intervals = try #require(json["parameter_intervals"] as? [[String: Any]])
        #expect(intervals.compactMap { $0["model"] as? String } == ["bgnbd", "gamma-gamma"])
        let r = try #require((intervals[0]["parameters"] as? [[String: Any]])?.first)
        #expect(r["name"] as? String == "r" && r["level"] as? Double == 0.95)
        let lower = try #require(r["lower"] as? Double), upper = try #require(r["upper"] as? Double)
        #expect(lower < 0.2426 && 0.2426 < upper)
        let warnings = try #require(json["warnings"] as? [[String: Any]])
        #expect(warnings.compactMap { $0["code"] as? String } == ["unbounded-lifetime"])
    }

    /// A model file without `warnings` (the golden one predates them) gets the checks that
    /// need only the file when scored.
    @Test func scoringAnOlderModelFileRunsTheFileChecks() throws {
        let ws = try Workspace()
        try ws.write("s.csv", "customer_id,frequency,recency,T,monetary_value\n1,2,30.428571428571427,38.857142857142854,22.345\n")
        let result = try ws.run(["score", "--model", ClvFitEndToEndTests.goldenModel, "--summary", "s.csv", "-o", "out.csv"])
        #expect(result.status == 0 && result.stderr.contains("warning: [unbounded-lifetime] bgnbd a = 0.7929"), "\(result)")
    }

    /// A level outside (0, 1) is a usage error (64) naming the option.
    @Test func badIntervalLevelExits64() throws {
        let ws = try Workspace()
        let result = try ws.run(["score", "--model", ClvFitEndToEndTests.goldenModel, "--summary", "x.csv", "--interval", "90", "-o", "s.csv"])
        #expect(result.status == 64 && result.stderr.contains("--interval"), "\(result)")
        #expect(!ws.exists("s.csv"))
    }
}

/// Issue 10 item 6: a model file with BG/NBD b = 1e9 scored expected purchases of −97 (exit 0).
/// Now customer 1 of CDNOW (x = 2, t_x = 30.43, T = 38.86 weeks) over 12 months gets mpmath's
/// 2.7042052476357310368 (80 digits, the golden model's r, α, a; 1e-10 relative), next to the
/// no-dropout limit (r+x)·t/(α+T).
@Suite struct ExtremeParameterEndToEndTests {
    @Test func hugeBScoresTheNoDropoutLimit() throws {
        let ws = try Workspace()
        let golden = String(decoding: try Data(contentsOf: URL(fileURLWithPath: ClvFitEndToEndTests.goldenModel)), as: UTF8.self)
        let range = try #require(golden.range(of: "\"b\" : 2.425906764412072"))
        try ws.write("model.json", golden.replacingCharacters(in: range, with: "\"b\" : 1000000000"))
        try ws.write("s.csv", "customer_id,frequency,recency,T,monetary_value\n1,2,30.428571428571427,38.857142857142854,22.345\n")
        let result = try ws.run(["score", "--model", "model.json", "--summary", "s.csv", "-o", "out.csv"])
        #expect(result.status == 0, "\(result)")
        let row = ClvFitEndToEndTests.csvLines(try ws.read("out.csv"))[1].split(separator: ",").map(String.init)
        #expect(isClose(Double(row[2])!, 2.7042052476357310368, relative: 1e-10), "\(row)")
        #expect(isClose(Double(row[1])!, 0.99999999871105540818, relative: 1e-12), "\(row)")
    }
}
