import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// `train --model sbg|bdw` on FH 2007's cohort table, `score --subscribers`, and the usage
/// errors that keep subscription and purchase inputs apart.
@Suite struct SubscriptionsEndToEndTests {
    @Test func trainOnACohortAndScoreSubscribers() throws {
        let cohort = try ClvFitEndToEndTests.dataset("fh2007_regular.csv")
        let ws = try Workspace()
        // Years 0–7, as FH 2007 fit them.
        let head = try String(contentsOfFile: cohort, encoding: .utf8).split(separator: "\n").prefix(9).joined(separator: "\n") + "\n"
        let path = try ws.write("regular-0-7.csv", head)
        let train = try ws.run(["train", "--model", "sbg", "--cohort", path, "--period", "year", "-o", "sbg.json"])
        #expect(train.status == 0, "\(train)")
        #expect(train.stderr.contains("Trained on 1000 subscribers (a cohort table; 241 still active; periods: year)"), "\(train)")
        let file = try RetentionModelFile.load(path: ws.path("sbg.json"))
        #expect(isClose(file.retentionModel.parameters["alpha"]!, 0.704077, relative: 2e-6))
        #expect(isClose(file.retentionModel.parameters["beta"]!, 1.182043, relative: 2e-6))
        #expect(file.period == "year" && file.trainingData.form == "cohort" && file.trainingData.cohortSurvivors?.count == 8)

        _ = try ws.write("subs.csv", "customer_id,periods,active,payment\na,1,1,10\nb,5,1,20\nc,2,0,10\n")
        let score = try ws.run(["score", "--model", "sbg.json", "--subscribers", "subs.csv", "--discount-rate", "0.1", "--margin", "0.5", "-o", "s.csv"])
        #expect(score.status == 0, "\(score)")
        let rows = try ws.read("s.csv").split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows[0].joined(separator: ",") == "customer_id,periods,active,p_renew,expected_residual_periods,derl,clv")
        let model = try SBG(alpha: file.retentionModel.parameters["alpha"]!, beta: file.retentionModel.parameters["beta"]!)
        let derl = try model.discountedExpectedResidualLifetime(periodsPaid: 5, discountRate: 0.1)
        #expect(rows[2][0] == "b" && isClose(Double(rows[2][5])!, derl, relative: 1e-12) && isClose(Double(rows[2][6])!, 0.5 * 20 * derl, relative: 1e-12))
        #expect(isClose(Double(rows[2][3])!, (model.beta + 4) / (model.alpha + model.beta + 4), relative: 1e-12))
        // α < 1: the undiscounted expectation is infinite, so empty, with a note.
        #expect(rows[2][4].isEmpty && score.stderr.contains("expected_residual_periods is empty where it is infinite"), "\(score)")
        #expect(rows[3].joined(separator: ",") == "c,2,0,0,0,0,0")

        let bdw = try ws.run(["train", "--model", "bdw", "--cohort", path, "-o", "bdw.json"])
        #expect(bdw.status == 0, "\(bdw)")
        let bdwFile = try RetentionModelFile.load(path: ws.path("bdw.json"))
        #expect(bdwFile.retentionModel.logLikelihood >= file.retentionModel.logLikelihood - 1e-6)
        #expect(bdwFile.period == "period")
    }

    /// A log of start and end dates → subscriber summary → sBG → values; bad rows as for a log.
    @Test func fromASubscriptionLog() throws {
        let ws = try Workspace()
        var lines = ["customer_id,start,end"]
        var cancelledByJune = 0
        // 200 monthly subscribers starting in 2023, about a third cancelling after 1–10 months.
        for i in 0..<200 {
            let start = CalendarDate(year: 2023, month: 1 + i % 12, day: 1 + i % 28)!
            let end = i % 3 == 0 ? BillingPeriod.month.start(1 + i % 10, after: start).description : ""
            if let e = CalendarDate(end), e <= CalendarDate(year: 2024, month: 6, day: 30)! { cancelledByJune += 1 }
            lines.append("s\(i),\(start),\(end)")
        }
        _ = try ws.write("log.csv", lines.joined(separator: "\n") + "\n")
        let summarize = try ws.run(["summarize", "--subscriptions", "log.csv", "--period", "month", "--observation-end", "2024-06-30", "-o", "subs.csv"])
        #expect(summarize.status == 0, "\(summarize)")
        let summary = try SubscriberSummary.read(path: ws.path("subs.csv"))
        #expect(summary.ids.count == 200 && summary.history.active.filter { !$0 }.count == cancelledByJune && cancelledByJune > 50)
        // s0: from 2023-01-01, cancelled at the start of its second month: paid 1.
        #expect(summary.history.periods[0] == 1 && !summary.history.active[0])
        let train = try ws.run(["train", "--model", "sbg", "--subscribers", "subs.csv", "--period", "month", "-o", "m.json"])
        #expect(train.status == 0, "\(train)")
        let score = try ws.run(["score", "--model", "m.json", "--subscribers", "subs.csv", "--discount-rate", "0.01", "--payment", "9.99", "-o", "v.csv"])
        let values = try ws.read("v.csv")
        #expect(score.status == 0 && values.split(separator: "\n").count == 201, "\(score)")

        _ = try ws.write("bad.csv", "customer_id,start,end\na,2024-01-01,\nb,2024-02-01,2024-01-01\n")
        let bad = try ws.run(["summarize", "--subscriptions", "bad.csv", "--period", "month", "-o", "x.csv"])
        #expect(bad.status == 65 && bad.stderr.contains("bad.csv:3: field 'end': the subscription ends on 2024-01-01, before it starts on 2024-02-01"), "\(bad)")
        let skipped = try ws.run(["summarize", "--subscriptions", "bad.csv", "--period", "month", "--on-bad-row", "skip", "--max-bad-fraction", "0.5", "--rejects", "r.csv", "-o", "x.csv"])
        let rejects = try ws.read("r.csv")
        #expect(skipped.status == 0 && rejects.contains("3,"), "\(skipped)")
        let usage = try ws.run(["summarize", "--subscriptions", "bad.csv", "-o", "y.csv"])
        #expect(usage.status == 64 && usage.stderr.contains("--subscriptions LOG and --period day|week|month|year go together."), "\(usage)")
        #expect(!ws.exists("y.csv"))
    }

    /// evaluate --model sbg --cohort: the projection as text, JSON and an HTML page with both curves.
    @Test func evaluateProjectsACohort() throws {
        let cohort = try ClvFitEndToEndTests.dataset("fh2007_regular.csv")
        let ws = try Workspace()
        let text = try ws.run(["evaluate", "--model", "sbg", "--cohort", cohort, "--calibration-periods", "7", "--period", "year", "--report", "p.html"])
        #expect(text.status == 0, "\(text)")
        #expect(text.stdout.contains("sbg fitted on years 0–7 of a cohort of 1000 (log-likelihood -1680.2652): alpha = 0.704077, beta = 1.182043"), "\(text)")
        #expect(text.stdout.contains("8            22.30 %     22.01 %"), "\(text)")
        let html = try ws.read("p.html")
        #expect(html.contains("<figure id=\"survival\">") && html.contains("<figure id=\"retention\">"))
        let json = try ws.run(["evaluate", "--model", "bdw", "--cohort", cohort, "--calibration-periods", "7", "--format", "json", "-o", "p.json"])
        #expect(json.status == 0, "\(json)")
        let object = try JSONSerialization.jsonObject(with: Data(try ws.read("p.json").utf8)) as! [String: Any]
        #expect((object["rows"] as? [[String: Any]])?.count == 13 && object["holdout_mean_absolute_error"] is Double && object["model"] as? String == "bdw")
    }

    @Test func usageErrorsNameTheFix() throws {
        let cohort = try ClvFitEndToEndTests.dataset("fh2007_regular.csv")
        let log = try ClvFitEndToEndTests.dataset("cdnow_sample.csv")
        let ws = try Workspace()
        #expect(try ws.run(["train", "--model", "sbg", "--cohort", cohort, "-o", "sbg.json"]).status == 0)
        #expect(try ws.run(["train", log, "-o", "plain.json"]).status == 0)
        _ = try ws.write("subs.csv", "customer_id,periods,active\na,1,1\n")
        let cases: [([String], Int32, String)] = [
            (["train", "--model", "sbg", "-o", "m.json"], 64, "--model sbg is a subscription model: give --cohort FILE (period,customers) or --subscribers FILE (customer_id,periods,active), not a transaction log or --summary."),
            (["train", log, "--model", "sbg", "--cohort", cohort, "-o", "m.json"], 64, "--model sbg reads --cohort or --subscribers only; leave out the transaction log and --summary."),
            (["train", "--cohort", cohort, "-o", "m.json"], 64, "--cohort and --subscribers are for the subscription models; give --model sbg or bdw."),
            (["train", "--model", "sbg", "--cohort", cohort, "--subscribers", "subs.csv", "-o", "m.json"], 64, "Give either --cohort or --subscribers, not both."),
            (["train", "--model", "bdw", "--cohort", cohort, "--unit", "week", "-o", "m.json"], 64, "--unit concerns the purchase models; a subscription model counts periods (name them with --period)."),
            (["train", "--model", "sbg", "--cohort", cohort, "--calibration-end", "2020-01-01", "-o", "m.json"], 64, "--calibration-end concerns transaction logs; --cohort and --subscribers are comma-separated tables read as they are"),
            (["train", "--model", "sbg", "--cohort", cohort, "--delimiter", "semicolon", "-o", "m.json"], 64, "--delimiter concerns transaction logs"),
            (["train", log, "--period", "month", "-o", "m.json"], 64, "--period names a subscription model's period; it goes with --model sbg or bdw."),
            (["score", "--model", "sbg.json", "--subscribers", "subs.csv", "-o", "s.csv"], 64, "give --discount-rate: the discount rate per period (the model's period), e.g. 0.1."),
            (["score", "--model", "sbg.json", "--summary", "subs.csv", "-o", "s.csv"], 64, "the model sbg.json is a subscription model: give its subscribers with --subscribers FILE (customer_id,periods,active)."),
            (["score", "--model", "plain.json", "--subscribers", "subs.csv", "--discount-rate", "0.1", "-o", "s.csv"], 64, "--subscribers needs a subscription model file (train --model sbg or bdw --cohort FILE); plain.json is a purchase model."),
            (["score", "--model", "sbg.json", "--subscribers", "subs.csv", "--discount-rate", "0.1", "--horizon", "3", "-o", "s.csv"], 64, "--horizon concerns the purchase models; a subscription model values subscribers over their whole remaining lifetime (DERL), discounted by --discount-rate per period."),
            (["score", "--model", "sbg.json", "--subscribers", "subs.csv", "--discount-rate", "0.1", "--lifetime", "-o", "s.csv"], 64, "--lifetime concerns the purchase models"),
            (["score", "--model", "sbg.json", "--subscribers", "subs.csv", "--discount-rate", "0", "-o", "s.csv"], 64, "sBG: the discount rate per period must be a number > 0 (got 0.0)."),
            (["score", "--model", "plain.json", "--summary", "subs.csv", "--payment", "3", "-o", "s.csv"], 64, "--payment is the payment per period of a subscriber; it goes with --subscribers FILE."),
            (["evaluate", log, "--model", "sbg", "--calibration-end", "1997-09-30"], 64, "--model sbg is a subscription model: evaluate projects it over a cohort table; give --cohort FILE (period,customers) and --calibration-periods K (fit on periods 0 to K, project the rest)."),
            (["evaluate", log, "--model", "sbg", "--cohort", cohort, "--calibration-periods", "7"], 64, "evaluate --model sbg reads --cohort and --calibration-periods; leave out the transaction log"),
            (["evaluate", log, "--cohort", cohort, "--calibration-end", "1997-09-30"], 64, "--cohort, --calibration-periods and --period project a subscription model; give --model sbg or bdw."),
            (["evaluate", "--calibration-end", "1997-09-30"], 64, "Missing expected argument '<transactions>'"),
            (["evaluate", "--model", "bdw", "--cohort", cohort, "--calibration-periods", "0"], 64, "--calibration-periods must be a whole number >= 1 (got 0)."),
            (["evaluate", "--model", "bdw", "--cohort", cohort, "--calibration-periods", "13"], 65, "--calibration-periods 13 must be between 1 and the table's last period 12"),
        ]
        for (arguments, status, message) in cases {
            let result = try ws.run(arguments)
            #expect(result.status == status && result.stderr.contains(message), "\(arguments): \(result)")
        }
        #expect(!ws.exists("m.json") && !ws.exists("s.csv"))
        // A bad cohort table is bad data (65), naming file, line and column.
        let bad = try ws.write("bad.csv", "period,customers\n0,10\n1,12\n")
        let result = try ws.run(["train", "--model", "sbg", "--cohort", bad, "-o", "m.json"])
        #expect(result.status == 65 && result.stderr.contains("bad.csv:3: field 'customers': 12 is more than the 10 of period 0"), "\(result)")
    }
}

/// `score --lifetime`: DERT and lifetime CLV for Pareto/NBD (and its interval) and BG/NBD, the refusals.
@Suite struct LifetimeEndToEndTests {
    @Test func lifetimeValue() throws {
        let log = try ClvFitEndToEndTests.dataset("cdnow_sample.csv")
        let ws = try Workspace()
        #expect(try ws.run(["train", log, "--model", "pareto-nbd", "-o", "p.json"]).status == 0)
        let score = try ws.run(["score", "--model", "p.json", log, "--lifetime", "--interval", "0.9", "-o", "s.csv"])
        #expect(score.status == 0, "\(score)")
        let rows = try ws.read("s.csv").split(separator: "\n")
        #expect(rows[0] == "customer_id,p_alive,dert,expected_spend,clv,dert_low,dert_high,clv_low,clv_high")
        let file = try ModelFile.load(path: ws.path("p.json"))
        let model = try #require(try file.makePurchaseModel() as? ParetoNBD)
        // Customer 1 of the sample, as summarize gives them; δ = ln(1.01) a month, per week.
        #expect(try ws.run(["summarize", log, "-o", "summary.csv"]).status == 0)
        let summary = try SummaryCSV.read(path: ws.path("summary.csv"), unit: .week)
        let delta = Double.log(1.01) / (30.436875 / 7)
        let dert = try model.discountedExpectedResidualTransactions(frequency: summary.frequency[0], recency: summary.recency[0],
                                                                    T: summary.T[0], discountRate: delta)
        let first = rows[1].split(separator: ",")
        #expect(first[0] == "1" && isClose(Double(first[2])!, dert, relative: 1e-12), "\(rows[1]) vs \(dert)")
        #expect(Double(first[5])! < dert && dert < Double(first[6])!)
        // Against a 100-year monthly horizon: within 1 % (continuous against end-of-month discounting).
        #expect(try ws.run(["score", "--model", "p.json", log, "--horizon", "1200", "-o", "h.csv"]).status == 0)
        let horizon = try ws.read("h.csv").split(separator: "\n")[1].split(separator: ",")
        #expect(abs(Double(first[4])! / Double(horizon[4])! - 1) < 0.01)

        // BG/NBD (no closed form; the quadrature of BetaGeometricResidual), with its interval.
        #expect(try ws.run(["train", log, "-o", "bg.json"]).status == 0)
        let bgScore = try ws.run(["score", "--model", "bg.json", log, "--lifetime", "--interval", "0.9", "-o", "bg.csv"])
        #expect(bgScore.status == 0, "\(bgScore)")
        let bg = try #require(try ModelFile.load(path: ws.path("bg.json")).makePurchaseModel() as? BGNBD)
        let bgDert = try bg.discountedExpectedResidualTransactions(frequency: summary.frequency[0], recency: summary.recency[0],
                                                                   T: summary.T[0], discountRate: delta)
        let bgFirst = try ws.read("bg.csv").split(separator: "\n")[1].split(separator: ",")
        #expect(bgFirst[0] == "1" && isClose(Double(bgFirst[2])!, bgDert, relative: 1e-12), "\(bgFirst) vs \(bgDert)")
        #expect(Double(bgFirst[5])! < bgDert && bgDert < Double(bgFirst[6])!)
        for (arguments, message) in [
            (["score", "--model", "p.json", log, "--lifetime", "--horizon", "12", "-o", "x.csv"], "--lifetime values the whole remaining relationship; it takes no --horizon"),
            (["score", "--model", "p.json", log, "--lifetime", "--simple", "-o", "x.csv"], "--simple compares horizon formulas; it does not go with --lifetime."),
            (["score", "--model", "p.json", log, "--lifetime", "--discount-rate", "0", "-o", "x.csv"], "--discount-rate must be greater than 0 with --lifetime"),
        ] {
            let result = try ws.run(arguments)
            #expect(result.status == 64 && result.stderr.contains(message), "\(arguments): \(result)")
        }
        #expect(!ws.exists("x.csv"))
    }
}
