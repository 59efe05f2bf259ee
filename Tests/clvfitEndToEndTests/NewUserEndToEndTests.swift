import Foundation
import Testing
import CLVTestSupport

/// What a new user trips over (issue 11, items 7 and 9): evaluate's defaults, outputs checked
/// before the work, messages that name only options the command has, per-command help.
@Suite struct NewUserEndToEndTests {
    typealias E = ClvFitEndToEndTests

    /// Without --observation-end, evaluate runs to the log's last date, as its help says: the
    /// same result as giving that date (CDNOW's is 1998-06-30).
    @Test func evaluateDefaultsTheObservationEndToTheLastDate() throws {
        let ws = try Workspace()
        let data = try E.dataset("cdnow_sample.csv")
        let implicit = try ws.run(["evaluate", data, "--calibration-end", E.calibrationEnd, "--format", "json", "-o", "a.json"])
        let explicit = try ws.run(["evaluate", data, "--calibration-end", E.calibrationEnd, "--observation-end", "1998-06-30", "--format", "json", "-o", "b.json"])
        #expect(implicit.status == 0 && explicit.status == 0, "\(implicit)")
        #expect(try ws.read("a.json") == (try ws.read("b.json")))
        let none = try ws.run(["evaluate", data])
        #expect(none.status == 64 && none.stderr.contains("evaluate needs --calibration-end"), "\(none)")
    }

    /// Every output path is checked before the log is read and the models fitted: nothing is
    /// fitted (no warnings printed) for a report that could not be written.
    @Test(arguments: [["evaluate", "LOG", "--calibration-end", "1997-09-30", "--report", "missing/r.html"],
                      ["evaluate", "LOG", "--calibration-end", "1997-09-30", "--save-model", "missing/m.json"],
                      ["evaluate", "LOG", "--calibration-end", "1997-09-30", "-o", "missing/e.txt"],
                      ["train", "LOG", "-o", "missing/m.json"],
                      ["summarize", "LOG", "-o", "missing/s.csv"],
                      ["summarize", "LOG", "--on-bad-row", "skip", "--rejects", "missing/r.csv", "-o", "s.csv"],
                      ["score", "--model", "MODEL", "LOG", "-o", "missing/s.csv"]])
    func outputsAreCheckedBeforeTheWork(command: [String]) throws {
        let ws = try Workspace()
        let data = try E.dataset("cdnow_sample.csv")
        let run = try ws.run(command.map { $0 == "LOG" ? data : $0 == "MODEL" ? E.goldenModel : $0 })
        #expect(run.status == 73 && run.stderr.contains("cannot write the output: the directory missing does not exist"), "\(run)")
        #expect(!run.stderr.contains("warning:") && !run.stderr.contains("Trained on"), "failed before fitting: \(run)")
        #expect(try ws.files().isEmpty)
    }

    /// evaluate --model bgbb names no option evaluate lacks (it used to say "--summary").
    @Test func evaluateBGBBNamesWhatToDoInstead() throws {
        let run = try Workspace().run(["evaluate", try E.dataset("cdnow_sample.csv"), "--calibration-end", E.calibrationEnd, "--model", "bgbb"])
        #expect(run.status == 64, "\(run)")
        #expect(run.stderr.contains("Error: --model bgbb counts discrete purchase opportunities, and this command reads a transaction log, whose time is calendar days; train and score BG/BB on an RFM summary of opportunities (clvfit train --summary FILE --model bgbb)."), "\(run)")
    }

    /// Help per command: summarize and evaluate offer only day and week and say nothing of
    /// score; score's help explains P(alive) = 1 for one-time buyers under BG/NBD.
    @Test func helpIsPerCommand() throws {
        let ws = try Workspace()
        for command in ["summarize", "evaluate"] {
            let help = try ws.run([command, "--help"])
            let text = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(help.status == 0 && text.contains("--unit <unit>") && text.contains("day, or week (7 days). (values: day, week; default: week)"), "\(help)")
            // (Periods of a subscription model are another thing: --calibration-periods, --subscriptions.)
            #expect(!text.contains("discrete purchase opportunities") && !text.contains("values: day, week, periods") && !help.stdout.contains("score"), "\(command): \(help.stdout)")
        }
        let summarize = try ws.run(["summarize", "--unit", "periods", "x.csv"])
        #expect(summarize.status == 64 && summarize.stderr.contains("periods"), "\(summarize)")
        let score = try ws.run(["score", "--help"])
        #expect(score.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ").contains("P(alive) is 1 for every customer without repeat purchases"), "\(score)")
        #expect(score.stdout.contains("mbgnbd"), "\(score)")
    }

    /// A date that does not parse names the --date-format that would, word for word, and says
    /// when day and month are ambiguous (issue 11, item 6).
    @Test func unparsedDateSuggestsTheFormat() throws {
        let ws = try Workspace()
        try ws.write("retail.csv", "customer_id,date,amount\n17850,12/01/2010 08:26,15.3\n")
        let run = try ws.run(["summarize", "retail.csv"])
        #expect(run.status == 65, "\(run)")
        #expect(run.stderr == "clvfit: error: retail.csv:2: field 'date': \"12/01/2010 08:26\" is not a date in the form YYYY-MM-DD or YYYYMMDD; if the dates look like this, give --date-format '%m/%d/%Y %H:%M' (day and month are ambiguous in \"12/01/2010 08:26\": if the day comes first, give --date-format '%d/%m/%Y %H:%M')\n", "\(run)")
        let fixed = try ws.run(["summarize", "retail.csv", "--date-format", "%m/%d/%Y %H:%M"])
        #expect(fixed.status == 0 && fixed.stdout.contains("\n17850,0,0,0,0\n"), "\(fixed)")
    }

    /// A log without the default amount column is read without amounts, with a note (as
    /// lifetimes goes on without a spend model); a named amount column that is missing still
    /// fails; score of a model without spend needs no flag (issue 11, item 5).
    @Test func logWithoutTheAmountColumnGoesOnWithoutSpend() throws {
        let ws = try Workspace()
        try ws.write("log.csv", "customer_id,date\n1,1997-01-01\n1,1997-02-01\n2,1997-01-05\n1,1997-05-01\n")
        let note = "clvfit: note: the log has no column 'amount', so it is read without amounts: no monetary values and no spend model (give --amount-column NAME if the amounts are in another column, or --amount-column none to say there are none)\n"
        let summarize = try ws.run(["summarize", "log.csv", "-o", "s.csv"])
        #expect(summarize.status == 0 && summarize.stderr == note, "\(summarize)")
        #expect(ClvFitEndToEndTests.csvLines(try ws.read("s.csv")).first == "customer_id,frequency,recency,T")
        let named = try ws.run(["summarize", "log.csv", "--amount-column", "revenue"])
        #expect(named.status == 65 && named.stderr == "clvfit: error: log.csv:1: field 'revenue': the header has no column 'revenue'; its columns are: 'customer_id', 'date'\n", "\(named)")
        let none = try ws.run(["summarize", "log.csv", "--amount-column", "none", "-o", "s2.csv"])
        #expect(none.status == 0 && none.stderr.isEmpty, "\(none)")
        let data = try E.dataset("cdnow_sample.csv")
        let log = try String(contentsOfFile: data, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",").prefix(2).joined(separator: ",") }.joined(separator: "\n") + "\n"
        try ws.write("cdnow.csv", log)
        let train = try ws.run(["train", "cdnow.csv", "--calibration-end", E.calibrationEnd, "-o", "m.json"])
        #expect(train.status == 0 && train.stderr.contains(note.dropLast()) && !train.stderr.contains("gamma-gamma"), "\(train)")
        let score = try ws.run(["score", "--model", "m.json", "cdnow.csv", "--calibration-end", E.calibrationEnd, "-o", "scores.csv"])
        #expect(score.status == 0 && score.stderr.contains("Note: the model file has no spend model"), "\(score)")
    }

    /// An empty customer id names --on-bad-row skip; a header name of megabytes is not echoed
    /// whole (issue 11, items 6 and 2).
    @Test func messagesNameTheFixAndStayShort() throws {
        let ws = try Workspace()
        try ws.write("log.csv", "customer_id,date,amount\n,1997-01-01,3\n")
        let empty = try ws.run(["summarize", "log.csv"])
        #expect(empty.status == 65 && empty.stderr == "clvfit: error: log.csv:2: field 'customer_id': the customer id is empty (--on-bad-row skip leaves such rows out)\n", "\(empty)")
        try ws.write("wide.csv", "customer_id,date," + String(repeating: "x", count: 5_000_000) + "\n1,1997-01-01,3\n")
        let wide = try ws.run(["summarize", "wide.csv", "--amount-column", "amount"])
        #expect(wide.status == 65 && wide.stderr == "clvfit: error: wide.csv:1: field 'amount': the header has no column 'amount'; its columns are: 'customer_id', 'date', '\(String(repeating: "x", count: 60))… (5000000 bytes)'\n", "\(wide.stderr.prefix(500))")
    }
}
