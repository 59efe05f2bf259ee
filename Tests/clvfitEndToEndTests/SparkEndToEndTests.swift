import Foundation
import Testing
import CLVTestSupport

/// Scoring inside Spark (issue 17, items 3 and 4), with PySpark 4.3.0 in local mode from the venv
/// `make setup-engines` makes: the documented recipe (examples/spark_score.py: `rdd.pipe` through
/// `clvfit score --no-header --quiet`, `checkCode=True`, rows counted in and out), and the whole
/// push-down path (scripts/spark_whole_path.py) against the single-machine pipeline.
///
/// `make test` sets `CLVFIT_REQUIRE_ENGINES=1`, which makes a missing venv a failure.
@Suite(.serialized) struct SparkEndToEndTests {
    static let python = SparkEndToEndTests.enginesPython()
    static let required = ProcessInfo.processInfo.environment["CLVFIT_REQUIRE_ENGINES"] == "1"

    static func enginesPython() -> String? {
        if let path = ProcessInfo.processInfo.environment["CLVFIT_ENGINES_PYTHON"] { return path }
        let path = Fixtures.repositoryRoot.appendingPathComponent(".build/engines-venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    static func script(_ path: String) -> String { Fixtures.repositoryRoot.appendingPathComponent(path).path }

    /// Sorted data lines of a scores CSV, and its header.
    static func rows(_ text: String) -> (header: Substring, rows: [Substring]) {
        let lines = text.split(separator: "\n")
        return (lines.first ?? "", lines.dropFirst().sorted())
    }

    /// The recipe on 30 customers in 20 partitions (most of them empty): every row scored, the
    /// same bytes as `clvfit score` of the file; a summary with one bad row fails the job (exit
    /// non-zero, naming clvfit's status) instead of losing that partition's rows.
    @Test(.enabled(if: python != nil || required, "the engines' venv is missing: `make setup-engines`"))
    func recipeScoresEveryRowAndFailsOnABadOne() throws {
        let python = try #require(Self.python, "CLVFIT_REQUIRE_ENGINES=1 but .build/engines-venv is missing: run `make setup-engines`")
        let clvfit = try #require(CLI.executable).path
        let ws = try Workspace()
        let data = try ClvFitEndToEndTests.dataset("cdnow_sample.csv")
        #expect(try ws.run(["summarize", data, "--unit", "week", "-o", "all.csv"]).status == 0)
        #expect(try ws.run(["train", "--summary", "all.csv", "--unit", "week", "--quiet", "-o", "model.json"]).status == 0)
        let lines = try ws.read("all.csv").split(separator: "\n")
        _ = try ws.write("summary.csv", lines.prefix(31).joined(separator: "\n") + "\n")
        let local = try ws.run(["score", "--model", "model.json", "--summary", "summary.csv", "-o", "local.csv"])
        #expect(local.status == 0)
        let run = try ThrowawayPostgres.run([python, Self.script("examples/spark_score.py"), "--clvfit", clvfit, "--model", ws.path("model.json"),
                                             "--summary", ws.path("summary.csv"), "--out", ws.path("spark.csv"), "--partitions", "20"])
        #expect(run.status == 0, "\(run.stderr.suffix(3000))")
        #expect(run.stderr.contains("scored 30 rows in 20 partitions"), "\(run.stderr.suffix(1000))")
        let spark = Self.rows(try ws.read("spark.csv")), expected = Self.rows(try ws.read("local.csv"))
        #expect(spark.header == expected.header && spark.rows.count == 30)
        #expect(spark.rows == expected.rows, "the map step's scores differ from clvfit score's")

        // One bad row (recency 50 > T 38): its process exits 65, and the job fails.
        var bad = Array(lines.prefix(31))
        bad[7] = "7,2,50,38,20"
        _ = try ws.write("bad.csv", bad.joined(separator: "\n") + "\n")
        let failed = try ThrowawayPostgres.run([python, Self.script("examples/spark_score.py"), "--clvfit", clvfit, "--model", ws.path("model.json"),
                                                "--summary", ws.path("bad.csv"), "--out", ws.path("bad-scores.csv"), "--partitions", "4"])
        #expect(failed.status != 0, "a failing partition must fail the job")
        #expect(failed.stderr.contains("exited with error code 65") && failed.stderr.contains("recency 50 is greater than T 38"), "\(failed.stderr.suffix(2000))")
        #expect(!ws.exists("bad-scores.csv"))
    }

    /// Transactions in Spark → weighted summary by the `spark` SQL → `train --summary` → the
    /// per-customer SQL → scores through the map step: the same model parameters and the same
    /// score rows, byte for byte, as summarize, train and score on the CSV on one machine.
    @Test(.enabled(if: python != nil || required, "the engines' venv is missing: `make setup-engines`"))
    func wholePathEqualsTheSingleMachinePipeline() throws {
        let python = try #require(Self.python, "CLVFIT_REQUIRE_ENGINES=1 but .build/engines-venv is missing: run `make setup-engines`")
        let clvfit = try #require(CLI.executable).path
        let ws = try Workspace()
        let data = try ClvFitEndToEndTests.dataset("cdnow_master.csv")
        try FileManager.default.createDirectory(atPath: ws.path("spark"), withIntermediateDirectories: true)
        let run = try ThrowawayPostgres.run([python, Self.script("scripts/spark_whole_path.py"), "--clvfit", clvfit, "--data", data, "--out", ws.path("spark")])
        #expect(run.status == 0, "\(run.stderr.suffix(3000))")
        for step in [["summarize", data, "--unit", "week", "--weighted", "-o", "weighted.csv"],
                     ["train", "--summary", "weighted.csv", "--unit", "week", "--quiet", "-o", "model.json"],
                     ["summarize", data, "--unit", "week", "-o", "summary.csv"],
                     ["score", "--model", "model.json", "--summary", "summary.csv", "-o", "scores.csv"]] {
            let r = try ws.run(step)
            #expect(r.status == 0, "\(step): \(r)")
        }
        let weighted = try ws.read("spark/weighted.csv").split(separator: "\n"), localWeighted = try ws.read("weighted.csv").split(separator: "\n")
        #expect(weighted.count == localWeighted.count && weighted.first == localWeighted.first)
        func parameters(_ path: String) throws -> [String: Double] {
            let json = try JSONSerialization.jsonObject(with: Data(try ws.read(path).utf8)) as? [String: Any]
            return ((json?["purchase_model"] as? [String: Any])?["parameters"] as? [String: Double]) ?? [:]
        }
        let a = try parameters("spark/model.json"), b = try parameters("model.json")
        #expect(!a.isEmpty && a == b, "parameters: Spark path \(a), one machine \(b)")
        let spark = Self.rows(try ws.read("spark/scores.csv")), expected = Self.rows(try ws.read("scores.csv"))
        #expect(spark.header == expected.header && spark.rows.count == 23570)
        #expect(spark.rows == expected.rows, "the Spark path's scores differ from the single-machine pipeline's")
    }
}
