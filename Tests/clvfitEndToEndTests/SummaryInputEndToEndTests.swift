import Foundation
import Testing
import CLVKit
import CLVTestSupport

/// Summaries from elsewhere (lifetimes' files), weighted summaries, `--emit-sql`, and `score`
/// as a stdin → stdout filter, through the built binary.
@Suite struct SummaryInputEndToEndTests {
    static func dataset(_ name: String) throws -> String { try ClvFitEndToEndTests.dataset(name) }

    static func parameters(_ ws: Workspace, _ model: String) throws -> ModelFile {
        try ModelFile.load(path: ws.path(model))
    }

    /// lifetimes' `cdnow_customers_summary.csv` trains as it is to the BG/NBD paper's estimates
    /// (r 0.243, α 4.414, a 0.793, b 2.426, LL −9582.4; the file rounds recency and T to 2
    /// decimals, so to ±0.002, the precision lifetimes' own test asks on it is 0.01), without a
    /// spend model; `donations.csv` trains BG/BB to LL −33225.6 (Fader, Hardie & Shang 2010).
    @Test func lifetimesSummariesTrainAsTheyAre() throws {
        let ws = try Workspace()
        let cdnow = try ws.run(["train", "--summary", try Self.dataset("cdnow_customers_summary.csv"), "-o", "cdnow.json"])
        #expect(cdnow.status == 0, "\(cdnow)")
        #expect(cdnow.stderr.contains("no spend model"))
        let model = try Self.parameters(ws, "cdnow.json")
        #expect(model.spendModel == nil)
        for (name, published) in [("r", 0.243), ("alpha", 4.414), ("a", 0.793), ("b", 2.426)] {
            #expect(isClose(model.purchaseModel.parameters[name]!, published, absolute: 0.002), "\(name)")
        }
        #expect(isClose(model.purchaseModel.logLikelihood, -9582.4, absolute: 0.05))

        let donations = try ws.run(["train", "--summary", try Self.dataset("donations.csv"), "--model", "bgbb", "-o", "donations.json"])
        #expect(donations.status == 0, "\(donations)")
        let bgbb = try Self.parameters(ws, "donations.json")
        #expect(bgbb.trainingData.customers == 11104)
        #expect(isClose(bgbb.purchaseModel.logLikelihood, -33225.6, absolute: 0.05))
    }

    /// `summarize --weighted` then `train --summary` gives the per-customer parameters (1e-6
    /// relative) on CDNOW in days, with the holdout columns grouped too.
    @Test func weightedSummaryTrainsToTheSameParameters() throws {
        let data = try Self.dataset("cdnow_sample.csv")
        let ws = try Workspace()
        let window = ["--unit", "day", "--calibration-end", "1997-09-30", "--observation-end", "1998-06-30"]
        #expect(try ws.run(["summarize", data] + window + ["-o", "s.csv"]).status == 0)
        let weighted = try ws.run(["summarize", data, "--weighted"] + window + ["-o", "w.csv"])
        #expect(weighted.status == 0, "\(weighted)")
        let lines = try ws.read("w.csv").split(separator: "\n")
        #expect(lines.first == "frequency,recency,T,monetary_value,frequency_holdout,monetary_value_holdout,duration_holdout,weight")
        #expect(lines.count - 1 < 2357)
        #expect(try ws.run(["train", "--summary", "s.csv", "--unit", "day", "-o", "s.json", "--quiet"]).status == 0)
        #expect(try ws.run(["train", "--summary", "w.csv", "--unit", "day", "-o", "w.json", "--quiet"]).status == 0)
        let a = try Self.parameters(ws, "s.json"), b = try Self.parameters(ws, "w.json")
        #expect(a.trainingData.customers == b.trainingData.customers)
        for (x, y) in [(a.purchaseModel, b.purchaseModel), (a.spendModel!, b.spendModel!)] {
            for name in x.parameterNames {
                #expect(isClose(x.parameters[name]!, y.parameters[name]!, relative: 1e-6), "\(x.model) \(name)")
            }
        }
    }

    /// `--emit-sql postgres` prints the library's SQL for the given options; it takes no log,
    /// and `--table` needs it.
    @Test func emitSQL() throws {
        let ws = try Workspace()
        let run = try ws.run(["summarize", "--emit-sql", "postgres", "--table", "shop.orders", "--customer-column", "client",
                              "--date-column", "order date", "--unit", "day", "--calibration-end", "1997-09-30", "--weighted"])
        #expect(run.status == 0, "\(run)")
        var options = RFMOptions(customerColumn: "client", dateColumn: "order date", unit: .day)
        options.calibrationEnd = CalendarDate("1997-09-30")
        #expect(try run.stdout == SummarySQL(table: "shop.orders", options: options, weighted: true).render())
        #expect(try ws.run(["summarize", "--emit-sql", "postgres", "-o", "q.sql"]).status == 0)
        #expect(try ws.read("q.sql") == (try SummarySQL(options: RFMOptions(unit: .week)).render()))

        let withLog = try ws.run(["summarize", "--emit-sql", "postgres", "tx.csv"])
        #expect(withLog.status == 64 && withLog.stderr.contains("give no transaction log"), "\(withLog)")
        let tableAlone = try ws.run(["summarize", "tx.csv", "--table", "t"])
        #expect(tableAlone.status == 64 && tableAlone.stderr.contains("--table is for --emit-sql"), "\(tableAlone)")
        let dialect = try ws.run(["summarize", "--emit-sql", "oracle"])
        #expect(dialect.status == 64, "\(dialect)")
    }

    /// `score --summary -` reads standard input and writes standard output: the same bytes as
    /// from the file, so it can run as a filter in an engine's map step.
    @Test func scoreIsAStdinToStdoutFilter() throws {
        let data = try Self.dataset("cdnow_sample.csv")
        let ws = try Workspace()
        #expect(try ws.run(["summarize", data, "--calibration-end", "1997-09-30", "-o", "s.csv"]).status == 0)
        let model = ClvFitEndToEndTests.goldenModel
        let fromFile = try ws.run(["score", "--model", model, "--summary", "s.csv"])
        #expect(fromFile.status == 0, "\(fromFile)")
        let piped = try CLI.run(["score", "--model", model, "--summary", "-"], in: ws.url, stdin: URL(fileURLWithPath: ws.path("s.csv")))
        #expect(piped.status == 0, "\(piped)")
        #expect(piped.stdout.hasPrefix("customer_id,p_alive,expected_purchases,expected_spend,clv\n1,"))
        #expect(piped.stdout.split(separator: "\n").count == 2358)
        #expect(piped.stdout == fromFile.stdout)
    }
}

extension CLI {
    /// Runs `clvfit ARGUMENTS` in `directory` with the file `stdin` on standard input.
    static func run(_ arguments: [String], in directory: URL, stdin: URL) throws -> Result {
        let executable = try #require(executable, "the clvfit executable was not found next to the test bundle")
        let capture = FileManager.default.temporaryDirectory.appendingPathComponent("clvfit-e2e-stdin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: capture, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: capture) }
        let outURL = capture.appendingPathComponent("stdout"), errURL = capture.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let input = try FileHandle(forReadingFrom: stdin), out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardInput = input
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try input.close(); try out.close(); try err.close()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }
}
