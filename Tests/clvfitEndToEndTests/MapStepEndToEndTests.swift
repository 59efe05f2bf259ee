import Foundation
import Testing
import CLVTestSupport

/// `score` as an engine's map step runs it (issue 17, item 3): each partition of a summary table
/// piped through its own process, some partitions empty, no header lines, no warnings.
@Suite struct MapStepEndToEndTests {
    static let columns = "customer_id,frequency,recency,T,monetary_value"

    /// A model trained on CDNOW and its summary, in `ws`.
    static func setup(_ ws: Workspace) throws {
        let data = try ClvFitEndToEndTests.dataset("cdnow_sample.csv")
        #expect(try ws.run(["summarize", data, "--unit", "week", "-o", "summary.csv"]).status == 0)
        #expect(try ws.run(["train", "--summary", "summary.csv", "--unit", "week", "-o", "model.json"]).status == 0)
    }

    /// Four partitions of the headerless rows, one of them empty, each scored by its own
    /// `score --no-header --quiet`: together, byte for byte, the rows of one `score` of the whole
    /// summary; nothing on standard error.
    @Test func partitionsScoreToTheWholeAndAnEmptyOneToNothing() throws {
        let ws = try Workspace()
        try Self.setup(ws)
        let rows = try ws.read("summary.csv").split(separator: "\n", omittingEmptySubsequences: false).dropFirst().filter { !$0.isEmpty }
        #expect(rows.count == 2357)
        let parts = [Array(rows[0..<700]), [], Array(rows[700..<2000]), Array(rows[2000...])]
        var scored = ""
        for (k, part) in parts.enumerated() {
            _ = try ws.write("part-\(k).csv", part.map { $0 + "\n" }.joined())
            let run = try ws.run(["score", "--model", "model.json", "--summary", "part-\(k).csv", "--no-header", "--columns", Self.columns, "--quiet", "-o", "scores-\(k).csv"])
            #expect(run.status == 0 && run.stderr.isEmpty, "partition \(k): \(run)")
            scored += try ws.read("scores-\(k).csv")
        }
        #expect(try ws.read("scores-1.csv").isEmpty, "an empty partition scores to nothing")
        let whole = try ws.run(["score", "--model", "model.json", "--summary", "summary.csv", "-o", "whole.csv"])
        #expect(whole.status == 0 && whole.stderr.contains("unbounded-lifetime"), "without --quiet the warnings are printed: \(whole)")
        let wholeRows = try ws.read("whole.csv").split(separator: "\n", maxSplits: 1)[1]
        #expect(scored == String(wholeRows), "the partitions' rows differ from the whole summary's")
    }

    /// A summary with a header and no rows (a partition that got none, with its header) scores to
    /// the header alone, exit 0; so does an interval run.
    @Test func headerOnlySummaryScoresToTheHeader() throws {
        let ws = try Workspace()
        try Self.setup(ws)
        _ = try ws.write("empty.csv", Self.columns + "\n")
        let run = try ws.run(["score", "--model", "model.json", "--summary", "empty.csv", "-o", "s.csv"])
        #expect(run.status == 0, "\(run)")
        #expect(try ws.read("s.csv") == "customer_id,p_alive,expected_purchases,expected_spend,clv\n")
        #expect(run.stderr.contains("unbounded-lifetime"), "without --quiet the model's warnings are printed: \(run.stderr)")
        let quiet = try ws.run(["score", "--model", "model.json", "--summary", "empty.csv", "--quiet", "-o", "q.csv"])
        #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet)")
        let interval = try ws.run(["score", "--model", "model.json", "--summary", "empty.csv", "--interval", "0.9", "-o", "i.csv"])
        let intervalHeader = try ws.read("i.csv")
        #expect(interval.status == 0 && intervalHeader.hasPrefix("customer_id,p_alive,expected_purchases,expected_spend,clv,expected_purchases_low"), "\(interval)")
        // train still refuses it: a model needs customers.
        let train = try ws.run(["train", "--summary", "empty.csv", "-o", "m.json"])
        #expect(train.status == 65 && train.stderr.contains("the summary has a header but no rows"), "\(train)")
    }

    /// What is refused, with the option or the line named.
    @Test func refusals() throws {
        let ws = try Workspace()
        try Self.setup(ws)
        _ = try ws.write("rows.csv", "1,2,30.4,38.9,20.5\n2,0,0,38.9,0\n")
        let data = try ClvFitEndToEndTests.dataset("cdnow_sample.csv")
        let cases: [([String], Int32, String)] = [
            (["--summary", "rows.csv", "--no-header"], 64, "--no-header needs --columns"),
            (["--summary", "rows.csv", "--columns", Self.columns], 64, "add --no-header"),
            ([data, "--no-header", "--columns", Self.columns], 64, "give it with --summary FILE"),
            (["--summary", "rows.csv", "--no-header", "--columns", "customer_id,frequency,recency,T"], 65, "rows.csv:1: the row has 5 fields but --columns names 4"),
            (["--summary", "rows.csv", "--no-header", "--columns", "customer_id,frequency,frequency,T,monetary_value"], 64, "--columns names a column twice"),
            (["--summary", "rows.csv", "--no-header", "--columns", Self.columns, "--simple"], 64, "--simple estimates a retention rate from the whole summary"),
        ]
        for (arguments, status, words) in cases {
            let run = try ws.run(["score", "--model", "model.json"] + arguments + ["-o", "out.csv"])
            #expect(run.status == status && run.stderr.contains(words), "\(arguments): \(run)")
            #expect(!ws.exists("out.csv"))
        }
        let ok = try ws.run(["score", "--model", "model.json", "--summary", "rows.csv", "--no-header", "--columns", Self.columns, "-o", "out.csv"])
        let out = try ws.read("out.csv")
        #expect(ok.status == 0 && out.split(separator: "\n").count == 2, "\(ok)")
    }
}
