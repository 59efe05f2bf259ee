import Foundation
import Testing
import CLVKit
import CLVTestSupport

/// Issue 10's silent wrong answers, as a user meets them: each used to exit 0 with a wrong
/// number; now the number is right or clvfit refuses, naming what to do.
@Suite struct RightOrRefusedEndToEndTests {
    typealias E = ClvFitEndToEndTests
    static let window = ["--calibration-end", E.calibrationEnd, "--observation-end", E.observationEnd]

    static func column(_ csv: String, _ name: String) -> [Double] {
        let lines = E.csvLines(csv)
        let header = lines[0].split(separator: ",").map(String.init)
        let j = header.firstIndex(of: name)!
        return lines.dropFirst().map { Double($0.split(separator: ",", omittingEmptySubsequences: false)[j])! }
    }

    // MARK: Item 1: spend without amounts

    /// A Gamma-Gamma model and a summary without `monetary_value` (lifetimes'
    /// cdnow_customers_summary.csv; a log read with `--amount-column none`): refused, naming the
    /// column and `--spend population-mean` — it used to value everyone's repeat purchases at 0
    /// (customer 1: 9.32 instead of 36.30). With the option, every expected_spend is pγ/(q−1).
    @Test func spendWithoutAmountsIsRefusedOrThePopulationMean() throws {
        let ws = try Workspace()
        let summary = try E.dataset("cdnow_customers_summary.csv"), log = try E.dataset("cdnow_sample.csv")
        for input in [["--summary", summary], [log, "--amount-column", "none"] + Self.window] {
            let refused = try ws.run(["score", "--model", E.goldenModel, "-o", "scores.csv"] + input)
            #expect(refused.status == 65, "\(refused)")
            #expect(refused.stderr.contains("has no monetary_value column") && refused.stderr.contains("--spend population-mean"), "\(refused)")
            #expect(!ws.exists("scores.csv"))
        }
        let model = try ModelFile.load(path: E.goldenModel)
        let gg = model.spendModel!.parameters
        let mean = gg["p"]! * gg["gamma"]! / (gg["q"]! - 1)
        let run = try ws.run(["score", "--model", E.goldenModel, "--summary", summary, "--spend", "population-mean", "--interval", "0.9", "-o", "scores.csv"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stderr.contains("Note: --spend population-mean: expected_spend is the population mean spend pγ/(q−1) = 35.17"), "\(run)")
        let csv = try ws.read("scores.csv")
        let spend = Self.column(csv, "expected_spend")
        #expect(spend.count == 2357 && spend.allSatisfy { isClose($0, mean, relative: 1e-15) }, "\(spend.prefix(3)) vs \(mean)")
        // CLV = discounted purchases × the mean: customer 1's ratio to expected purchases is
        // the own-spend run's ratio scaled by mean / E[M | m̄] (same purchases, same discounting).
        #expect(try ws.run(["summarize", log] + Self.window + ["-o", "own.csv"]).status == 0)
        #expect(try ws.run(["score", "--model", E.goldenModel, "--summary", "own.csv", "-o", "own-scores.csv"]).status == 0)
        let own = try ws.read("own-scores.csv")
        let clvOwn = Self.column(own, "clv")[0], spendOwn = Self.column(own, "expected_spend")[0]
        #expect(isClose(clvOwn, 36.30, relative: 2e-4), "customer 1's CLV with own spend, as the issue states: \(clvOwn)")
        // The lifetimes summary rounds recency and T to 2 decimals, so compare through the same
        // summary with the population mean:
        let population = try ws.run(["score", "--model", E.goldenModel, "--summary", "own.csv", "--spend", "population-mean", "-o", "pm.csv"])
        #expect(population.status == 0, "\(population)")
        #expect(isClose(Self.column(try ws.read("pm.csv"), "clv")[0], clvOwn * mean / spendOwn, relative: 1e-12))
    }

    // MARK: Item 2: the holdout's spend per purchase day

    /// Splitting every holdout row into three same-day rows (the amount, 0, 0: zero amounts are
    /// purchases) changes nothing in evaluate: the holdout mean spend is per purchase day, as
    /// the calibration's is. Per row it was a third of the truth for such a line-item export.
    @Test func holdoutSpendIsPerPurchaseDay() throws {
        let log = try String(contentsOfFile: try E.dataset("cdnow_sample.csv"), encoding: .utf8)
        var split = ""
        for (k, line) in log.split(separator: "\n").enumerated() {
            split += line + "\n"
            let f = line.split(separator: ",")
            if k > 0, f[1] > "1997-09-30" { split += "\(f[0]),\(f[1]),0,0\n\(f[0]),\(f[1]),0,0\n" }
        }
        let a = try Workspace(), b = try Workspace()
        try a.write("log.csv", log)
        try b.write("log.csv", split)
        let args = ["evaluate", "log.csv"] + Self.window + ["--format", "json", "-o", "eval.json"]
        let ra = try a.run(args), rb = try b.run(args)
        #expect(ra.status == 0 && rb.status == 0, "\(ra)\n\(rb)")
        let json = try a.read("eval.json")
        #expect(json.contains("\"mean_actual\" : 37.83653493860046"), "the holdout's mean spend per purchase day on CDNOW")
        #expect(json == (try b.read("eval.json")))
        #expect(E.csvLines(split).count > E.csvLines(log).count + 1000, "the split adds rows")
    }

    // MARK: Item 3: time units

    /// A day-unit summary scored with a weekly model: refused (T far beyond the training span),
    /// naming both units and --unit; with `--unit day` it is converted and scores exactly as the
    /// weekly summary does; a day-unit log with `--unit day` too. Both for the golden model (no
    /// `longest_t`: its dates give the span) and a freshly trained one (which records it).
    @Test func summariesInAnotherUnitAreConvertedOrRefused() throws {
        let ws = try Workspace()
        let log = try E.dataset("cdnow_sample.csv")
        #expect(try ws.run(["train", log] + Self.window + ["-o", "fresh.json", "--quiet"]).status == 0)
        let fresh = try ModelFile.load(path: ws.path("fresh.json"))
        #expect(fresh.trainingData.longestT == 39 - 1.0 / 7, "the longest T of CDNOW's cohort: 1997-01-01 to 1997-09-30 = 272 days")
        #expect(try ws.run(["summarize", log, "--unit", "day"] + Self.window + ["-o", "days.csv"]).status == 0)
        #expect(try ws.run(["summarize", log] + Self.window + ["-o", "weeks.csv"]).status == 0)
        for model in [E.goldenModel, ws.path("fresh.json")] {
            let refused = try ws.run(["score", "--model", model, "--summary", "days.csv", "-o", "s.csv"])
            #expect(refused.status == 65, "\(refused)")
            #expect(refused.stderr.contains("is more than 3.5 times the span of the model's training data (38.857142857142854 weeks), so the summary looks like it is in days while the model is in weeks. If it is in days, give --unit day"), "\(refused)")
            #expect(!ws.exists("s.csv"))

            #expect(try ws.run(["score", "--model", model, "--summary", "weeks.csv", "-o", "weeks-scores.csv"]).status == 0)
            let converted = try ws.run(["score", "--model", model, "--summary", "days.csv", "--unit", "day", "-o", "days-scores.csv"])
            #expect(converted.status == 0 && converted.stderr.contains("Note: converted the customers' recency and T from days (--unit day) to the model's weeks."), "\(converted)")
            #expect(try ws.read("days-scores.csv") == (try ws.read("weeks-scores.csv")))
            let fromLog = try ws.run(["score", "--model", model, log, "--unit", "day"] + Self.window + ["-o", "log-scores.csv"])
            #expect(fromLog.status == 0, "\(fromLog)")
            #expect(try ws.read("log-scores.csv") == (try ws.read("weeks-scores.csv")))
        }
        // train --summary says which unit it assumed.
        let train = try ws.run(["train", "--summary", "days.csv", "-o", "m.json"])
        #expect(train.status == 0 && train.stderr.contains("Note: the summary's time unit was not given, so its recency and T were taken as weeks; if they are in days, train again with --unit day."), "\(train)")
        let stated = try ws.run(["train", "--summary", "days.csv", "--unit", "day", "-o", "m.json"])
        #expect(stated.status == 0 && !stated.stderr.contains("time unit was not given"), "\(stated)")
    }

    // MARK: Item 7: repeated keys in a model file

    /// `"r": 0.9, "r": 0.2426…` used to score with r = 0.9 (the decoder keeps the first value).
    @Test func repeatedKeyInAModelFileIsRefused() throws {
        let ws = try Workspace()
        let text = try String(contentsOfFile: E.goldenModel, encoding: .utf8)
        let original = "\"r\" : 0.24259452242167207"
        try #require(text.contains(original))
        try ws.write("twice.json", text.replacingOccurrences(of: original, with: "\"r\" : 0.9,\n      " + original))
        let run = try ws.run(["score", "--model", "twice.json", "--summary", try E.dataset("cdnow_customers_summary.csv"), "-o", "s.csv"])
        #expect(run.status == 65 && run.stderr.contains("twice.json: field 'purchase_model.parameters.r': appears twice"), "\(run)")
        #expect(!ws.exists("s.csv"))
    }
}
