import Foundation
import Testing
import CLVKit
import CLVTestSupport

/// The `clvfit` executable as a user runs it: arguments in, files, messages and exit status
/// out (ExitStatus.swift: 0, 1, 64 usage, 65 bad data, 66 missing input, 73 cannot write).
@Suite struct ClvFitEndToEndTests {
    static let calibrationEnd = "1997-09-30"
    static let observationEnd = "1998-06-30"

    static func dataset(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let url = Fixtures.dataset(name)
        try #require(FileManager.default.fileExists(atPath: url.path),
                     "datasets/\(name) is missing: run `bash datasets/fetch.sh`", sourceLocation: sourceLocation)
        return url.path
    }

    static var goldenModel: String { Fixtures.repositoryRoot.appendingPathComponent("models/cdnow-bgnbd-gg.json").path }

    static func json(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], sourceLocation: sourceLocation)
    }

    static func csvLines(_ text: String) -> [Substring] {
        text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { $0 }
    }

    // MARK: Help

    /// `--help` lists the four subcommands and the EXIT STATUS section with every code.
    @Test func helpListsSubcommandsAndExitStatus() throws {
        let ws = try Workspace()
        let help = try ws.run(["--help"])
        #expect(help.status == 0, "\(help)")
        let text = help.stdout
        for subcommand in ["summarize", "train", "score", "evaluate"] {
            #expect(text.range(of: "\n  \(subcommand) ") != nil, "subcommand \(subcommand) is listed:\n\(text)")
        }
        let section = try #require(text.range(of: "EXIT STATUS"), "\(text)")
        let exitStatus = text[section.upperBound...]
        for code in ["0   success", "1   ", "64  usage", "65  bad input", "66  an input file", "73  the output"] {
            #expect(exitStatus.contains(code), "EXIT STATUS lists \(code)")
        }
        #expect(help.stderr.isEmpty)
        // Each subcommand has its own help, exit 0.
        for subcommand in ["summarize", "train", "score", "evaluate"] {
            let sub = try ws.run([subcommand, "--help"])
            #expect(sub.status == 0 && sub.stdout.contains("USAGE: clvfit \(subcommand)"), "\(sub)")
        }
        let version = try ws.run(["--version"])
        #expect(version.status == 0 && version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == ClvFitVersion.current)
    }

    // MARK: The full pipeline

    /// summarize → train → score → evaluate --format json on the CDNOW sample, as in the README.
    @Test func fullPipelineOnCDNOW() throws {
        let data = try Self.dataset("cdnow_sample.csv")
        let ws = try Workspace()
        let window = ["--calibration-end", Self.calibrationEnd, "--observation-end", Self.observationEnd]

        // summarize: 2357 customers, lifetimes' columns; customer 1 as in lifetimes' fixture.
        let summarize = try ws.run(["summarize", data] + window + ["-o", "summary.csv"])
        #expect(summarize.status == 0, "\(summarize)")
        #expect(summarize.stdout.isEmpty, "with -o nothing goes to standard output")
        let summary = Self.csvLines(try ws.read("summary.csv"))
        #expect(summary.count == 2358)
        #expect(summary.first == "customer_id,frequency,recency,T,monetary_value,frequency_holdout,monetary_value_holdout,duration_holdout")
        #expect(summary.dropFirst().first == "1,2,30.428571428571427,38.857142857142854,22.345,1,26.48,39")
        // Without -o the same bytes go to standard output.
        let toStdout = try ws.run(["summarize", data] + window)
        let written = try ws.read("summary.csv")
        #expect(toStdout.status == 0)
        #expect(toStdout.stdout == written)

        // train: parameters within 0.1 % of the published CDNOW estimates (FHL 2005; lifetimes
        // agrees to 1e-5) — 0.1 % is the precision the paper quotes them to (5 digits).
        let train = try ws.run(["train", data] + window + ["-o", "model.json"])
        #expect(train.status == 0, "\(train)")
        #expect(train.stderr.contains("Model written to model.json"), "\(train)")
        let model = try Self.json(try ws.read("model.json"))
        #expect(model["format"] as? String == "clvfit-model")
        #expect(model.number("format_version") == 1)
        for (name, published) in [("r", 0.24259), ("alpha", 4.41353), ("a", 0.79289), ("b", 2.42575)] {
            let value = model.number("purchase_model", "parameters", name)
            #expect(isClose(value, published, relative: 1e-3), "\(name) = \(value), published \(published)")
        }
        #expect(model.number("training_data", "customers") == 2357)
        #expect(model.number("training_data", "transaction_rows") == 6919)
        let loaded = try ModelFile.load(path: ws.path("model.json"))   // and it validates
        #expect(loaded.spendModel != nil)

        // train --summary on the written summary fits the same data: the same parameters
        // (1e-12 relative: the summary reads back bit for bit, so the fit is the same arithmetic).
        let trainSummary = try ws.run(["train", "--summary", "summary.csv", "-o", "model-from-summary.json", "--quiet"])
        #expect(trainSummary.status == 0 && trainSummary.stderr.isEmpty, "\(trainSummary)")
        let fromSummary = try ModelFile.load(path: ws.path("model-from-summary.json"))
        for name in BGNBD.parameterNames {
            #expect(isClose(fromSummary.purchaseModel.parameters[name]!, loaded.purchaseModel.parameters[name]!, relative: 1e-12), "\(name)")
        }
        #expect(fromSummary.trainingData.summarySha256 == loaded.trainingData.summarySha256, "the same summary, the same fingerprint")

        // score the calibration summary: one row per customer, in order, sane values.
        let score = try ws.run(["score", "--model", "model.json", "--summary", "summary.csv", "-o", "scores.csv"])
        #expect(score.status == 0, "\(score)")
        let scores = Self.csvLines(try ws.read("scores.csv"))
        #expect(scores.count == 2358)
        #expect(scores.first == "customer_id,p_alive,expected_purchases,expected_spend,clv")
        var total = 0.0
        for (row, summaryRow) in zip(scores.dropFirst(), summary.dropFirst()) {
            let f = row.split(separator: ",", omittingEmptySubsequences: false)
            #expect(f.count == 5, "\(row)")
            #expect(f.first == summaryRow.split(separator: ",").first, "same customer order")
            guard f.count == 5, let p = Double(String(f[1])), let e = Double(String(f[2])), let m = Double(String(f[3])), let clv = Double(String(f[4])) else {
                Issue.record("unparsable row \(row)"); continue
            }
            #expect(p >= 0 && p <= 1 && e >= 0 && e.isFinite && m > 0 && m.isFinite && clv >= 0 && clv.isFinite, "\(row)")
            total += clv
        }
        // 12 months of CDNOW at 1 %/month: a few tens of dollars per customer on average.
        #expect(total / 2357 > 5 && total / 2357 < 100, "mean CLV \(total / 2357)")

        // Scoring the transaction log cut at the calibration end gives the same bytes.
        let scoreLog = try ws.run(["score", "--model", "model.json", data, "--observation-end", Self.calibrationEnd, "-o", "scores-log.csv"])
        #expect(scoreLog.status == 0, "\(scoreLog)")
        #expect(try ws.read("scores-log.csv") == (try ws.read("scores.csv")))

        // evaluate --format json: the holdout numbers, parsed.
        let evaluate = try ws.run(["evaluate", data] + window + ["--format", "json", "-o", "evaluation.json", "--save-model", "eval-model.json"])
        #expect(evaluate.status == 0, "\(evaluate)")
        let evaluation = try Self.json(try ws.read("evaluation.json"))
        #expect(evaluation.number("holdout", "total_actual") == 1882)
        #expect(evaluation.number("holdout", "customers") == 2357)
        #expect(evaluation.number("holdout", "duration") == 39)
        let predicted = evaluation.number("holdout", "total_predicted")
        #expect(predicted > 1500 && predicted < 1882, "\(predicted)")   // BG/NBD under-predicts CDNOW's holdout by ~12 %
        #expect(evaluation.number("holdout", "mae") <= evaluation.number("holdout", "baseline", "mae"))
        let buckets = try #require((evaluation["holdout"] as? [String: Any])?["by_frequency"] as? [[String: Any]])
        #expect(buckets.map { $0.number("customers") } == [1411, 439, 214, 100, 62, 38, 29, 64])
        // --model wrote the calibration model: the same file `train` wrote (byte for byte).
        #expect(try ws.read("eval-model.json") == (try ws.read("model.json")))
        // Only the outputs we asked for; no temporary files.
        #expect(try ws.files() == ["summary.csv", "model.json", "model-from-summary.json", "scores.csv", "scores-log.csv",
                                   "evaluation.json", "eval-model.json"])

        // The text report, for people.
        let text = try ws.run(["evaluate", data] + window)
        #expect(text.status == 0 && text.stdout.contains("actual 1882") && text.stdout.contains("bgnbd"), "\(text)")
    }

    // MARK: The training-data fingerprint

    /// `training_data.summary_sha256` can be checked against the data as docs/model-format.md
    /// says: take `clvfit summarize` of the same data with the same options, build the canonical
    /// bytes from its calibration columns (unit name, NUL, row count; per row the id,
    /// length-prefixed, and frequency, recency, T, monetary value, weight as little-endian
    /// doubles), and hash them with the system's `sha256sum`. Built here from the CSV text,
    /// independently of CLVKit's hasher; exact (a hash).
    @Test func fingerprintMatchesTheDocumentedRecipe() throws {
        let data = try Self.dataset("cdnow_sample.csv")
        let ws = try Workspace()
        let window = ["--calibration-end", Self.calibrationEnd, "--observation-end", Self.observationEnd]
        let summarize = try ws.run(["summarize", data] + window)
        #expect(summarize.status == 0, "\(summarize)")
        let canonical = try Self.canonicalSummaryBytes(csv: summarize.stdout, unit: "week")
        try canonical.write(to: ws.url.appendingPathComponent("canonical.bin"))
        let digest = try #require(try Self.systemSHA256(ws.path("canonical.bin")), "neither sha256sum nor shasum is installed")

        let golden = try ModelFile.load(path: Self.goldenModel)
        #expect(golden.trainingData.summarySha256 == digest, "the committed golden model's fingerprint")
        let train = try ws.run(["train", data] + window + ["-o", "model.json", "--quiet"])
        #expect(train.status == 0, "\(train)")
        #expect(try ModelFile.load(path: ws.path("model.json")).trainingData.summarySha256 == digest)

        // The calibration-only summary (window ending at the calibration end) has the same
        // calibration columns, so the same fingerprint.
        let calibrationOnly = try ws.run(["summarize", data, "--observation-end", Self.calibrationEnd])
        #expect(calibrationOnly.status == 0)
        #expect(try Self.canonicalSummaryBytes(csv: calibrationOnly.stdout, unit: "week") == canonical)
        // Any change in the data changes it: one amount different.
        var changed = try String(contentsOfFile: data, encoding: .utf8)
        changed = changed.replacingOccurrences(of: "1,1997-01-18,2,29.73\n", with: "1,1997-01-18,2,29.74\n")
        try ws.write("changed.csv", changed)
        let trainChanged = try ws.run(["train", "changed.csv"] + window + ["-o", "changed.json", "--quiet"])
        #expect(trainChanged.status == 0, "\(trainChanged)")
        #expect(try ModelFile.load(path: ws.path("changed.json")).trainingData.summarySha256 != digest)
    }

    /// The canonical fingerprint bytes of a summary CSV (docs/model-format.md, "Checking the
    /// fingerprint"). Ids in the CDNOW data need no CSV quoting.
    static func canonicalSummaryBytes(csv: String, unit: String) throws -> Data {
        var lines = csv.split(separator: "\n")
        let header = lines.removeFirst().split(separator: ",").map(String.init)
        func column(_ name: String) -> Int? { header.firstIndex(of: name) }
        let id = try #require(column("customer_id")), f = try #require(column("frequency"))
        let r = try #require(column("recency")), t = try #require(column("T"))
        let m = column("monetary_value"), w = column("weight")
        var out = Data(unit.utf8)
        out.append(0)
        func append(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        append(UInt64(lines.count))
        let rows = lines.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        for fields in rows {
            try #require(!fields[id].contains("\""), "quoted ids are not handled here")
            append(UInt64(fields[id].utf8.count))
            out.append(contentsOf: Array(fields[id].utf8))
        }
        let columns: [(Int?, String)] = [(f, ""), (r, ""), (t, ""), (m, "0"), (w, "1")]
        for (index, fallback) in columns {
            for fields in rows {
                let value = index.map { fields[$0] } ?? fallback
                append(try #require(Double(value), "\(value)").bitPattern)
            }
        }
        return out
    }

    /// SHA-256 of a file by the system's tool, as a user would check it.
    static func systemSHA256(_ path: String) throws -> String? {
        for tool in [["sha256sum"], ["shasum", "-a", "256"]] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = tool + [path]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()   // 64 hex digits + name: fits any pipe
            process.waitUntilExit()
            if process.terminationStatus == 0, let hex = String(decoding: output, as: UTF8.self).split(separator: " ").first, hex.count == 64 {
                return String(hex)
            }
        }
        return nil
    }

    /// Without amounts (`--amount-column none`) there is no spend model: train says so, and
    /// score leaves expected_spend and clv empty (and says why).
    @Test func pipelineWithoutAmounts() throws {
        let ws = try Workspace()
        // The CDNOW log without its amounts (the columns customer_id, date only).
        let full = try String(contentsOfFile: try Self.dataset("cdnow_sample.csv"), encoding: .utf8)
        let log = full.split(separator: "\n").map { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            return "\(f[0]),\(f[1])"
        }.joined(separator: "\n") + "\n"
        try ws.write("log.csv", log)
        let window = ["--calibration-end", Self.calibrationEnd, "--observation-end", Self.observationEnd]
        let train = try ws.run(["train", "log.csv", "--amount-column", "none", "-o", "model.json"] + window)
        #expect(train.status == 0, "\(train)")
        #expect(train.stderr.contains("no spend model"), "\(train)")
        let model = try Self.json(try ws.read("model.json"))
        #expect(model["spend_model"] == nil)
        // The same purchase model as with amounts (amounts do not enter BG/NBD): 1e-12 relative.
        let golden = try ModelFile.load(path: Self.goldenModel)
        for name in BGNBD.parameterNames {
            #expect(isClose(model.number("purchase_model", "parameters", name), golden.purchaseModel.parameters[name]!, relative: 1e-12), "\(name)")
        }
        let score = try ws.run(["score", "--model", "model.json", "log.csv", "--amount-column", "none", "--observation-end", Self.calibrationEnd, "-o", "scores.csv"])
        #expect(score.status == 0, "\(score)")
        #expect(score.stderr.contains("no spend model"), "\(score)")
        let rows = Self.csvLines(try ws.read("scores.csv"))
        #expect(rows.count == 2358)
        for row in rows.dropFirst() { #expect(row.hasSuffix(",,") && !row.hasSuffix(",,,"), "\(row)") }
        // Scoring with an amount column but a model without a spend model: still empty fields.
        let withAmounts = try ws.run(["score", "--model", "model.json", try Self.dataset("cdnow_sample.csv"), "-o", "scores2.csv"])
        #expect(withAmounts.status == 0, "\(withAmounts)")
        #expect(Self.csvLines(try ws.read("scores2.csv")).dropFirst().allSatisfy { $0.hasSuffix(",,") })
    }

    /// A fit that cannot converge exits 1 with a message saying so, and writes no model.
    @Test func nonConvergenceExits1() throws {
        let ws = try Workspace()
        var log = "customer_id,date,amount\n"
        // 30 customers in a regular pattern the model cannot fit (the optimum is at infinity).
        for c in 1...30 {
            for k in 0..<(1 + c % 5) { log += "c\(c),1997-\(String(format: "%02d", 1 + (c + 3 * k) % 12))-\(String(format: "%02d", 1 + (7 * c + k) % 28)),10\n" }
        }
        try ws.write("log.csv", log)
        let train = try ws.run(["train", "log.csv", "-o", "model.json"])
        #expect(train.status == 1, "\(train)")
        #expect(train.stderr.contains("BG/NBD") && train.stderr.contains("did not converge"), "\(train)")
        #expect(try ws.files() == ["log.csv"])
    }

    // MARK: Bad input: status, a message naming file, line and field, and no output left

    struct BadInput: Sendable, CustomTestStringConvertible {
        var name: String
        var file: String
        var content: String
        /// What the message must contain, in order of appearance.
        var message: [String]
        var testDescription: String { name }
    }

    static let badInputs: [BadInput] = [
        BadInput(name: "missing column", file: "nodate.csv", content: "customer_id,day,amount\n1,1997-01-01,3\n",
                 message: ["nodate.csv:1: field 'date'", "'customer_id', 'day', 'amount'"]),
        BadInput(name: "unparsable date", file: "baddate.csv", content: "customer_id,date,amount\n1,1997-01-01,3\n2,1997-13-45,4\n",
                 message: ["baddate.csv:3: field 'date'", "1997-13-45"]),
        BadInput(name: "unparsable amount", file: "badamount.csv", content: "customer_id,date,amount\n1,1997-01-01,3\n2,1997-01-02,12.5x\n",
                 message: ["badamount.csv:3: field 'amount'", "12.5x", "not a number"]),
        BadInput(name: "negative amount", file: "refund.csv", content: "customer_id,date,amount\n1,1997-01-01,3\n1,1997-01-05,2\n2,1997-01-02,-4.5\n",
                 message: ["refund.csv:4: field 'amount'", "-4.5", "negative"]),
        BadInput(name: "amount with a comma", file: "comma.csv", content: "customer_id,date,amount\n1,1997-01-01,3\n2,1997-01-02,\"12,5x\"\n",
                 message: ["comma.csv:3: field 'amount': \"12,5x\" is not a number"]),
        BadInput(name: "NaN amount", file: "nan.csv", content: "customer_id,date,amount\n1,1997-01-01,NaN\n",
                 message: ["nan.csv:2: field 'amount': \"NaN\" is not a finite number"]),
        BadInput(name: "infinite amount", file: "inf.csv", content: "customer_id,date,amount\n1,1997-01-01,inf\n",
                 message: ["inf.csv:2: field 'amount': \"inf\" is not a finite number"]),
        BadInput(name: "short row", file: "short.csv", content: "customer_id,date,amount\n1,1997-01-01,3\n2,1997-01-02\n",
                 message: ["short.csv:3: line 3 has 2 fields, the header has 3"]),
        BadInput(name: "unterminated quote", file: "quote.csv", content: "customer_id,date,amount\n1,1997-01-01,3\n2,1997-01-02,\"4\n",
                 message: ["quote.csv:3: field 'amount': unterminated quoted field"]),
        BadInput(name: "1 MB line", file: "long.csv", content: "customer_id,date,amount\n1,1997-01-01," + String(repeating: "7", count: 1 << 20) + "x\n",
                 message: ["long.csv:2: field 'amount': \"777", "…\" is not a number"]),
        BadInput(name: "empty file", file: "empty.csv", content: "",
                 message: ["empty.csv: ", "empty"]),
        BadInput(name: "header only", file: "header.csv", content: "customer_id,date,amount\n",
                 message: ["header.csv: ", "no rows"]),
    ]

    /// The same command line for each subcommand, writing into `output`.
    static func commandLines(input: String, output: String) -> [[String]] {
        [
            ["summarize", input, "-o", output],
            ["train", input, "-o", output],
            ["score", "--model", goldenModel, input, "-o", output],
            ["evaluate", input, "--calibration-end", "1997-01-03", "--observation-end", "1997-12-31", "-o", output],
        ]
    }

    @Test(arguments: badInputs)
    func badDataExits65(input: BadInput) throws {
        let ws = try Workspace()
        try ws.write(input.file, input.content)
        for command in Self.commandLines(input: input.file, output: "out.csv") {
            let result = try ws.run(command)
            #expect(result.status == 65, "\(command[0]): \(result)")
            #expect(result.stderr.hasPrefix("clvfit: error: \(input.file)"), "\(command[0]): \(result)")
            var rest = Substring(result.stderr)
            for part in input.message {
                guard let range = rest.range(of: part) else {
                    Issue.record("\(command[0]): the message lacks \"\(part)\": \(result.stderr)")
                    break
                }
                rest = rest[range.upperBound...]
            }
            #expect(result.stdout.isEmpty)
            #expect(try ws.files() == [input.file], "\(command[0]) left no output or temporary file behind")
        }
    }

    /// Non-UTF-8 bytes in a customer id: exit 65 naming line and field.
    @Test func nonUTF8CustomerIDExits65() throws {
        let ws = try Workspace()
        try Data(Array("customer_id,date,amount\n1,1997-01-01,3\n".utf8) + [0xC3, 0x28] + Array(",1997-01-02,4\n".utf8))
            .write(to: URL(fileURLWithPath: ws.path("latin.csv")))
        let result = try ws.run(["summarize", "latin.csv", "-o", "out.csv"])
        #expect(result.status == 65, "\(result)")
        #expect(result.stderr == "clvfit: error: latin.csv:3: field 'customer_id': the customer id is not valid UTF-8\n")
        #expect(try ws.files() == ["latin.csv"])
    }

    static let messyLog = "customer_id,date,amount\n1,1997-01-01,3\n1,1997-01-05,oops\n2,1997-01-02,4\n2,1997-01-09\n1,1997-01-07,2\n"

    /// `--on-bad-row skip`: the summary of the good rows, the rejects file with exactly the bad
    /// lines, and the count on standard error.
    @Test func skippedRowsGoToTheRejectsFile() throws {
        let ws = try Workspace()
        try ws.write("log.csv", Self.messyLog)
        try ws.write("good.csv", "customer_id,date,amount\n1,1997-01-01,3\n2,1997-01-02,4\n1,1997-01-07,2\n")
        let result = try ws.run(["summarize", "log.csv", "--on-bad-row", "skip", "--max-bad-fraction", "0.5", "--rejects", "rejects.csv", "-o", "out.csv"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr == "clvfit: note: skipped 2 bad rows of 5 (40.00 %); listed in rejects.csv\n")
        #expect(try ws.read("rejects.csv") == """
            line,reason,row
            3,"field 'amount': ""oops"" is not a number","1,1997-01-05,oops"
            5,"line 5 has 2 fields, the header has 3","2,1997-01-09"

            """)
        let reference = try ws.run(["summarize", "good.csv", "-o", "ref.csv"])
        #expect(reference.status == 0)
        #expect(try ws.read("out.csv") == ws.read("ref.csv"))
        // Skipping without --rejects still says how many, and how to list them.
        let unlisted = try ws.run(["summarize", "log.csv", "--on-bad-row", "skip", "--max-bad-fraction", "0.5", "-o", "out2.csv"])
        #expect(unlisted.status == 0 && unlisted.stderr == "clvfit: note: skipped 2 bad rows of 5 (40.00 %); give --rejects FILE to list them\n", "\(unlisted)")
    }

    /// Above --max-bad-fraction (default 1 %) the run fails with 65 and writes no output; the
    /// rejects file, a diagnosis, is written all the same, and the message names the option.
    @Test func tooManyBadRowsExit65WritingOnlyTheRejects() throws {
        let ws = try Workspace()
        try ws.write("log.csv", Self.messyLog)
        for command in Self.commandLines(input: "log.csv", output: "out.csv") {
            let result = try ws.run(command + ["--on-bad-row", "skip", "--rejects", "rejects.csv"])
            #expect(result.status == 65, "\(command[0]): \(result)")
            #expect(result.stderr == "clvfit: error: log.csv: 2 of 5 rows (40.00 %) are bad, more than the 0.01 allowed by --max-bad-fraction (raise it to go on); the first: log.csv:3: field 'amount': \"oops\" is not a number; all 2 are listed in rejects.csv\n", "\(command[0])")
            #expect(try ws.files() == ["log.csv", "rejects.csv"], "\(command[0])")
            #expect(ClvFitEndToEndTests.csvLines(try ws.read("rejects.csv")).count == 3, "header and two rows")
            try FileManager.default.removeItem(atPath: ws.path("rejects.csv"))
            let unlisted = try ws.run(command + ["--on-bad-row", "skip"])
            let files = try ws.files()
            #expect(unlisted.status == 65 && !unlisted.stderr.contains("listed") && files == ["log.csv"], "\(unlisted)")
        }
        let late = try ws.run(["summarize", "log.csv", "--on-bad-row", "skip", "--max-bad-fraction", "0.5", "--observation-end", "1997-01-06"])
        #expect(late.status == 0 && late.stderr.hasSuffix("clvfit: note: ignored 1 row dated after the observation end 1997-01-06\n"), "\(late)")
        let quiet = try ws.run(["summarize", "log.csv", "--on-bad-row", "skip", "--max-bad-fraction", "0.5", "--observation-end", "1997-01-06", "--quiet"])
        #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet)")
        let usage = try ws.run(["summarize", "log.csv", "--rejects", "rejects.csv"])
        #expect(usage.status == 64 && usage.stderr.contains("--rejects needs --on-bad-row skip"), "\(usage)")
    }

    /// A semicolon-separated export with decimal commas, day-first dates and timestamps with
    /// offsets, read in Paris time, gives the summary of the plain log of its Paris days (23:00
    /// at UTC−2 is 02:00 the next day in Paris); no progress line when stderr is not a terminal.
    @Test func europeanExportReadsLikeThePlainLog() throws {
        let ws = try Workspace()
        try ws.write("plain.csv", "customer_id,date,amount\n1,1997-01-01,3.5\n1,1997-01-05,2\n2,1997-01-03,4.25\n")
        try ws.write("eu.csv", "customer_id;date;amount\n1;01/01/1997 10:00 +01:00;3,5\n1;05/01/1997 00:30 +01:00;2\n2;02/01/1997 23:00 -02:00;4,25\n")
        let plain = try ws.run(["summarize", "plain.csv", "-o", "plain.out"])
        #expect(plain.status == 0 && plain.stderr.isEmpty, "\(plain)")
        let eu = try ws.run(["summarize", "eu.csv", "--decimal-comma", "--date-format", "%d/%m/%Y %H:%M %z", "--timezone", "Europe/Paris", "-o", "eu.out"])
        #expect(eu.status == 0 && eu.stderr.isEmpty, "\(eu)")
        #expect(try ws.read("eu.out") == ws.read("plain.out"))
        // In UTC, 00:30+01:00 is the day before: customer 1's second purchase moves to 01-04.
        let utc = try ws.run(["summarize", "eu.csv", "--decimal-comma", "--date-format", "%d/%m/%Y %H:%M %z", "--unit", "day"])
        #expect(utc.status == 0)
        #expect(utc.stdout.contains("\n1,1,3,"), "\(utc)")
        let commaDelimiter = try ws.run(["summarize", "eu.csv", "--decimal-comma", "--delimiter", "comma"])
        #expect(commaDelimiter.status == 64 && commaDelimiter.stderr.contains("--decimal-comma needs a delimiter other than the comma"), "\(commaDelimiter)")
    }

    @Test func nonexistentInputExits66() throws {
        let ws = try Workspace()
        for command in Self.commandLines(input: "no-such-file.csv", output: "out.csv") {
            let result = try ws.run(command)
            #expect(result.status == 66, "\(command[0]): \(result)")
            #expect(result.stderr.contains("no-such-file.csv"), "\(result)")
            #expect(result.stderr.lowercased().contains("no such file"), "\(result)")
            #expect(try ws.files().isEmpty)
        }
        let summary = try ws.run(["train", "--summary", "no-such-summary.csv", "-o", "m.json"])
        #expect(summary.status == 66 && summary.stderr.contains("no-such-summary.csv"), "\(summary)")
    }

    /// A model file of an unknown version is bad data (65), named by file and field.
    @Test func unknownModelVersionExits65() throws {
        let data = try Self.dataset("cdnow_sample.csv")
        let ws = try Workspace()
        var model = try Self.json(String(decoding: try Data(contentsOf: URL(fileURLWithPath: Self.goldenModel)), as: UTF8.self))
        model["format_version"] = 3
        try JSONSerialization.data(withJSONObject: model).write(to: ws.url.appendingPathComponent("future.json"))
        let result = try ws.run(["score", "--model", "future.json", data, "-o", "scores.csv"])
        #expect(result.status == 65, "\(result)")
        #expect(result.stderr.contains("future.json: field 'format_version'"), "\(result)")
        #expect(result.stderr.contains("version 3 is not supported") && result.stderr.contains("reads versions 1 and 2"), "\(result)")
        #expect(try ws.files() == ["future.json"])
    }

    @Test func missingModelFileExits66() throws {
        let data = try Self.dataset("cdnow_sample.csv")
        let ws = try Workspace()
        let result = try ws.run(["score", "--model", "no-model.json", data, "-o", "scores.csv"])
        #expect(result.status == 66, "\(result)")
        #expect(result.stderr.contains("no-model.json"), "\(result)")
        #expect(try ws.files().isEmpty)
    }

    @Test func unknownOptionExits64() throws {
        let data = try Self.dataset("cdnow_sample.csv")
        let ws = try Workspace()
        for command in [["summarize", data, "--bogus", "-o", "out.csv"], ["train", data, "--bogus", "-o", "out.csv"],
                        ["score", "--model", Self.goldenModel, data, "--bogus", "-o", "out.csv"], ["frobnicate"]] {
            let result = try ws.run(command)
            #expect(result.status == 64, "\(command): \(result)")
            #expect(result.stderr.contains(command.count > 1 ? "--bogus" : "frobnicate"), "\(result)")
            #expect(try ws.files().isEmpty)
        }
        // A value that does not parse is a usage error too.
        let badValue = try ws.run(["summarize", data, "--unit", "fortnight"])
        #expect(badValue.status == 64 && badValue.stderr.contains("fortnight"), "\(badValue)")
    }

    @Test func calibrationEndAfterObservationEndExits64() throws {
        let data = try Self.dataset("cdnow_sample.csv")
        let ws = try Workspace()
        for command in ["summarize", "train", "evaluate"] {
            let result = try ws.run([command, data, "--calibration-end", "1998-01-01", "--observation-end", "1997-06-30", "-o", "out.csv"])
            #expect(result.status == 64, "\(command): \(result)")
            #expect(result.stderr.contains("--calibration-end 1998-01-01") && result.stderr.contains("--observation-end 1997-06-30"), "\(result)")
            #expect(try ws.files().isEmpty)
        }
    }

    /// A --unit that cannot convert to the model's (periods against weeks) is a usage error
    /// (64); days are converted (RightOrRefusedEndToEndTests); without --unit the summary is
    /// read in the model's unit.
    @Test func scoreRejectsAUnitThatCannotConvertToTheModels() throws {
        let ws = try Workspace()
        try ws.write("summary.csv", "customer_id,frequency,recency,T,monetary_value\n1,2,30.428571428571427,38.857142857142854,22.345\n")
        let mismatch = try ws.run(["score", "--model", Self.goldenModel, "--summary", "summary.csv", "--unit", "periods", "-o", "scores.csv"])
        #expect(mismatch.status == 64, "\(mismatch)")
        #expect(mismatch.stderr.contains("is in weeks but --unit is periods; periods (purchase opportunities) and calendar time do not convert"), "\(mismatch)")
        #expect(try ws.files() == ["summary.csv"])
        let ok = try ws.run(["score", "--model", Self.goldenModel, "--summary", "summary.csv", "-o", "scores.csv"])
        #expect(ok.status == 0, "\(ok)")
        let row = Self.csvLines(try ws.read("scores.csv"))[1].split(separator: ",")
        // P(alive) of CDNOW customer 1 at the fitted parameters (lifetimes: 0.72662), 1e-4 absolute.
        #expect(abs(Double(row[1])! - 0.72662) < 1e-4, "\(row)")
    }

    /// Writing into a directory that does not exist: 73, the message names the output, nothing
    /// is created.
    @Test func outputIntoNonexistentDirectoryExits73() throws {
        let data = try Self.dataset("cdnow_sample.csv")
        let ws = try Workspace()
        for command in [["summarize", data, "-o", "missing-dir/out.csv"], ["train", data, "-o", "missing-dir/model.json"],
                        ["score", "--model", Self.goldenModel, data, "-o", "missing-dir/scores.csv"]] {
            let result = try ws.run(command)
            #expect(result.status == 73, "\(command[0]): \(result)")
            #expect(result.stderr.hasPrefix("clvfit: error: missing-dir/"), "\(result)")
            #expect(result.stderr.contains("cannot write"), "\(result)")
            #expect(result.stderr.contains("the directory missing-dir does not exist"), "\(result)")
            #expect(try ws.files().isEmpty)
        }
    }

    // MARK: A failed run leaves an existing output intact

    /// A run that fails keeps the previous output file as it was — whether it fails reading the
    /// input (65) or writing (73: the destination is a directory, so the final rename fails) —
    /// and leaves no temporary file.
    @Test func failedRunLeavesExistingOutputIntact() throws {
        let data = try Self.dataset("cdnow_sample.csv")
        let ws = try Workspace()
        try ws.write("bad.csv", "customer_id,date,amount\n1,1997-01-01,3\n2,1997-02-30,4\n")
        try ws.write("out.csv", "the previous output\n")
        try ws.write("model.json", "the previous model\n")

        let summarize = try ws.run(["summarize", "bad.csv", "-o", "out.csv"])
        #expect(summarize.status == 65, "\(summarize)")
        #expect(try ws.read("out.csv") == "the previous output\n")
        let train = try ws.run(["train", "bad.csv", "-o", "model.json"])
        #expect(train.status == 65, "\(train)")
        #expect(try ws.read("model.json") == "the previous model\n")
        let score = try ws.run(["score", "--model", "model.json", data, "-o", "out.csv"])
        #expect(score.status == 65, "an unreadable model is bad data: \(score)")
        #expect(try ws.read("out.csv") == "the previous output\n")
        #expect(try ws.files() == ["bad.csv", "out.csv", "model.json"])

        // The write itself fails: "taken.csv" is a non-empty directory, so renaming the finished
        // temporary file over it fails; the directory and its content stay, the temp file goes.
        try FileManager.default.createDirectory(at: ws.url.appendingPathComponent("taken.csv"), withIntermediateDirectories: false)
        try ws.write("taken.csv/keep.txt", "keep me\n")
        let blocked = try ws.run(["summarize", data, "-o", "taken.csv"])
        #expect(blocked.status == 73, "\(blocked)")
        #expect(blocked.stderr.contains("taken.csv"), "\(blocked)")
        #expect(try ws.read("taken.csv/keep.txt") == "keep me\n")
        #expect(try ws.files() == ["bad.csv", "out.csv", "model.json", "taken.csv"])

        // And a successful run replaces the old file completely.
        let good = try ws.run(["summarize", data, "-o", "out.csv"])
        #expect(good.status == 0, "\(good)")
        #expect(try ws.read("out.csv").hasPrefix("customer_id,frequency,recency,T,monetary_value\n"))
        #expect(!(try ws.read("out.csv")).contains("the previous output"))
    }
}

// MARK: Discrete time (BG/BB in periods)

extension ClvFitEndToEndTests {
    /// `train --summary donations.csv --model bgbb` works in periods without being told (the
    /// model file and the printed summary say so), and `score` of that model reads a summary
    /// in periods, takes its horizon in opportunities and needs an explicit discount rate.
    /// Scores are checked against the library at the file's parameters (1e-14 relative: the CSV
    /// prints shortest round-trip doubles).
    @Test func bgbbTrainsAndScoresInPeriods() throws {
        let donations = try Self.dataset("donations.csv")
        let ws = try Workspace()
        let train = try ws.run(["train", "--summary", donations, "--model", "bgbb", "-o", "bgbb.json"])
        #expect(train.status == 0, "\(train)")
        #expect(train.stderr.contains("time unit: periods"), "\(train)")
        let file = try Self.json(try ws.read("bgbb.json"))
        #expect(file["time_unit"] as? String == "periods")
        let model = try ModelFile.load(path: ws.path("bgbb.json")).makePurchaseModel()
        let bgbb = try #require(model as? BGBB)

        let score = try ws.run(["score", "--model", "bgbb.json", "--summary", donations, "--horizon", "5", "--discount-rate", "0.1", "-o", "scores.csv"])
        #expect(score.status == 0, "\(score)")
        let lines = Self.csvLines(try ws.read("scores.csv"))
        #expect(lines.count == 23, "a header and the 22 rows of donations.csv")
        // Row 2 of donations.csv: frequency 1, recency 1, periods 6.
        let row = lines[2].split(separator: ",", omittingEmptySubsequences: false)
        #expect(isClose(Double(row[1])!, bgbb.probabilityAlive(frequency: 1, recency: 1, T: 6), relative: 1e-14), "\(row)")
        #expect(isClose(Double(row[2])!, try bgbb.expectedPurchases(within: 5, frequency: 1, recency: 1, T: 6), relative: 1e-14), "\(row)")
        #expect(row[3].isEmpty && row[4].isEmpty, "no amounts, so no spend model and no CLV")
    }

    /// Units that do not suit the model are usage errors (64) naming the option, before any
    /// file is written.
    @Test(arguments: [
        (["train", "--summary", "DONATIONS", "--model", "bgbb", "--unit", "week", "-o", "m.json"], "--unit week does not suit --model bgbb"),
        (["train", "--summary", "DONATIONS", "--unit", "periods", "-o", "m.json"], "--unit periods does not suit --model bgnbd"),
        (["train", "--summary", "DONATIONS", "--model", "auto", "--unit", "periods", "-o", "m.json"], "--model auto compares the continuous-time models"),
        (["train", "LOG", "--model", "bgbb", "-o", "m.json"], "--unit periods needs an RFM summary"),
        (["summarize", "LOG", "--unit", "periods", "-o", "s.csv"], "The value 'periods' is invalid for '--unit <unit>'. Please provide one of 'day' and 'week'."),
        (["evaluate", "LOG", "--model", "bgbb", "--calibration-end", "2014-06-30", "--observation-end", "2014-12-31"], "--model bgbb counts discrete purchase opportunities, and this command reads a transaction log"),
        (["score", "--model", "BGBB_MODEL", "--summary", "DONATIONS"], "give --discount-rate with --horizon-unit periods"),
        (["score", "--model", "BGBB_MODEL", "--summary", "DONATIONS", "--horizon-unit", "month", "--discount-rate", "0.1"], "--horizon-unit month has no meaning for a model in periods"),
        (["score", "--model", "BGBB_MODEL", "LOG"], "give its customers as an RFM summary"),
        (["score", "--model", "GOLDEN", "--summary", "DONATIONS", "--horizon-unit", "periods", "--discount-rate", "0.1"], "--horizon-unit periods needs a model in periods"),
    ])
    func unitsThatDoNotSuitTheModelExit64(arguments: [String], message: String) throws {
        let ws = try Workspace()
        let donations = try Self.dataset("donations.csv"), log = try Self.dataset("example_transactions.csv")
        let made = try ws.run(["train", "--summary", donations, "--model", "bgbb", "--quiet", "-o", "bgbb.json"])
        try #require(made.status == 0, "\(made)")
        let before = try ws.files()
        let substituted = arguments.map {
            ["DONATIONS": donations, "LOG": log, "BGBB_MODEL": "bgbb.json", "GOLDEN": Self.goldenModel][$0] ?? $0
        }
        let result = try ws.run(substituted)
        #expect(result.status == 64, "\(result)")
        #expect(result.stderr.contains(message), "\(result)")
        #expect(try ws.files() == before, "nothing written")
    }
}
