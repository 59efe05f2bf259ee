import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport
import CLVNumerics

/// `train --covariates` and `score --covariates` on CDNOW with the first-purchase covariates of
/// EXTENSIONS.md §1 (built by scripts/cdnow-covariates.sh, the docs' example).
@Suite struct CovariatesEndToEndTests {
    static let window = ["--calibration-end", ClvFitEndToEndTests.calibrationEnd, "--observation-end", ClvFitEndToEndTests.observationEnd]

    static func workspace() throws -> (Workspace, String) {
        let data = try ClvFitEndToEndTests.dataset("cdnow_sample.csv")
        let ws = try Workspace()
        let script = Fixtures.repositoryRoot.appendingPathComponent("scripts/cdnow-covariates.sh").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "'\(script)' '\(data)' > '\(ws.path("cov.csv"))'"]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        return (ws, data)
    }

    @Test func trainAndScoreWithCovariates() throws {
        let (ws, data) = try Self.workspace()
        let cov = try ws.read("cov.csv")
        #expect(cov.hasPrefix("customer_id,multi_cd,log_first_amount\n1,1,3.4121373217\n2,1,4.16418152181\n3,0,2.05284085988\n"))
        let train = try ws.run(["train", data] + Self.window + ["--model", "pareto-nbd", "--covariates", "cov.csv", "-o", "model.json"])
        #expect(train.status == 0, "\(train)")
        #expect(train.stderr.contains("  beta.log_first_amount "), "\(train)")
        let model = try ModelFile.load(path: ws.path("model.json"))
        #expect(model.formatVersion == 2)
        #expect(model.purchaseModel.parameterNames == ["r", "alpha", "s", "beta", "alpha.multi_cd", "alpha.log_first_amount",
                                                       "beta.multi_cd", "beta.log_first_amount"])
        #expect(model.covariates == CovariateSpecification(columns: [CovariateColumnEncoding(column: "multi_cd", kind: .numeric),
                                                                     CovariateColumnEncoding(column: "log_first_amount", kind: .numeric)],
                                                           purchase: ["multi_cd", "log_first_amount"], dropout: ["multi_cd", "log_first_amount"]))
        // Above the model without covariates (−9594.98 on CDNOW).
        #expect(model.purchaseModel.logLikelihood > -9580, "\(model.purchaseModel.logLikelihood)")

        let score = try ws.run(["score", data] + Self.window + ["--model", "model.json", "--covariates", "cov.csv", "--interval", "0.9", "-o", "scores.csv"])
        #expect(score.status == 0, "\(score)")
        let rows = try ws.read("scores.csv").split(separator: "\n")
        #expect(rows.count == 2358 && rows[0] == "customer_id,p_alive,expected_purchases,expected_spend,clv,expected_purchases_low,expected_purchases_high,clv_low,clv_high")
        // Customer 1's P(alive) at their own parameters, as the library computes it.
        let covariateModel = try #require(try model.makeCovariateModel())
        let customer = try covariateModel.customerPurchaseModel(purchase: [1, 3.4121373217], dropout: [1, 3.4121373217])
        let alive = customer.probabilityAlive(frequency: 2, recency: 30.428571428571427, T: 38.857142857142854)
        let first = rows[1].split(separator: ",")
        #expect(first[0] == "1" && isClose(Double(first[1])!, alive, relative: 1e-9), "\(rows[1]) vs \(alive)")
        let (low, high, point) = (Double(first[5])!, Double(first[6])!, Double(first[2])!)
        #expect(low < point && point < high)
        // --lifetime: DERT at the customer's own parameters.
        let lifetime = try ws.run(["score", data] + Self.window + ["--model", "model.json", "--covariates", "cov.csv", "--lifetime", "-o", "life.csv"])
        #expect(lifetime.status == 0, "\(lifetime)")
        let life = try ws.read("life.csv").split(separator: "\n")[1].split(separator: ",")
        let dert = try #require(customer as? ParetoNBD).discountedExpectedResidualTransactions(
            frequency: 2, recency: 30.428571428571427, T: 38.857142857142854, discountRate: Double.log(1.01) / (30.436875 / 7))
        #expect(life[0] == "1" && isClose(Double(life[2])!, dert, relative: 1e-12), "\(life) vs \(dert)")
    }

    @Test func covariatesMustMatchTheModel() throws {
        let (ws, data) = try Self.workspace()
        #expect(try ws.run(["train", data] + Self.window + ["--covariates", "cov.csv", "--dropout-covariates", "multi_cd", "-o", "cov.json"]).status == 0)
        #expect(try ws.run(["train", data] + Self.window + ["-o", "plain.json"]).status == 0)
        let without = try ws.run(["score", data] + Self.window + ["--model", "cov.json", "-o", "s.csv"])
        #expect(without.status == 64)
        #expect(without.stderr.hasSuffix("clvfit: error: --covariates is needed: the model was trained with covariates (multi_cd, log_first_amount), so every customer is scored at their own parameters; give --covariates FILE with a row per customer.\n"), "\(without)")
        let extra = try ws.run(["score", data] + Self.window + ["--model", "plain.json", "--covariates", "cov.csv", "-o", "s.csv"])
        #expect(extra.status == 64)
        #expect(extra.stderr.hasSuffix("clvfit: error: --covariates was given, but the model was trained without covariates; leave it out, or train with --covariates.\n"), "\(extra)")
        let selection = try ws.run(["train", data, "--purchase-covariates", "multi_cd", "-o", "m.json"])
        #expect(selection.status == 64 && selection.stderr.contains("--purchase-covariates, --dropout-covariates, --shared-covariates and --penalty concern the coefficients of the --covariates file; give --covariates FILE."), "\(selection)")
        #expect(!ws.exists("s.csv") && !ws.exists("m.json"))
    }

    /// evaluate --covariates: the holdout error of the covariate model, the likelihood-ratio test
    /// against the model without them, the effects, the tracking curve at each customer's own
    /// parameters, and the HTML report with its covariates section.
    @Test func evaluateWithCovariates() throws {
        let (ws, data) = try Self.workspace()
        let result = try ws.run(["evaluate", data] + Self.window + ["--model", "pareto-nbd", "--covariates", "cov.csv", "-o", "eval.txt"])
        #expect(result.status == 0, "\(result)")
        #expect(!result.stderr.contains("tracking"), "\(result)")
        let text = try ws.read("eval.txt")
        #expect(text.contains("Covariates (pareto-nbd): likelihood-ratio test against the model without them: statistic "), "\(text)")
        #expect(text.contains("  without covariates   LL -9594.9762   AIC 19197.95   BIC 19221.01   (4 parameters)"), "\(text)")
        #expect(text.contains("  alpha.log_first_amount: log_first_amount + 1: mean purchase rate ×1.49 (95 % interval ×"), "\(text)")
        let json = try ws.run(["evaluate", data] + Self.window + ["--model", "pareto-nbd", "--covariates", "cov.csv", "--format", "json", "-o", "eval.json"])
        #expect(json.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(try ws.read("eval.json").utf8)) as! [String: Any]
        let covariates = try #require(object["covariates"] as? [String: Any])
        let test = try #require(covariates["likelihood_ratio"] as? [String: Any])
        #expect((test["degrees_of_freedom"] as? Int) == 4 && ((test["p_value"] as? Double) ?? 1) < 1e-6)
        #expect(text.contains("Tracking (repeat purchases of all 2357 customers, 78 periods of 7 days)"), "\(text)")
        let tracking = try #require(object["tracking"] as? [String: Any])
        let calibration = try #require(tracking["calibration_expected"] as? Double)
        // Within 4 % of the actual 2,457 calibration repeat purchases (Pareto/NBD without
        // covariates: 2,524.9, 2.8 % above; with them 2,540.7).
        #expect(abs(calibration - 2457) < 0.04 * 2457, "\(calibration)")
        let report = try ws.run(["evaluate", data] + Self.window + ["--covariates", "cov.csv", "--report", "r.html"])
        #expect(report.status == 0, "\(report)")
        let html = try ws.read("r.html")
        #expect(html.contains("<h2 id=\"covariates\">Covariates</h2>") && html.contains("<td>alpha.log_first_amount</td>"))
        #expect(html.contains("P(alive) for a customer with the covariates&#39; means (multi_cd 0.") || html.contains("P(alive) for a customer with the covariates' means (multi_cd 0."), "\(html.prefix(0))")
        for id in ReportHTML.chartIDs { #expect(html.contains("id=\"\(id)\""), "\(id)") }
    }

    /// `evaluate --compare --covariates` lists every model without and with the covariates, the
    /// covariate rows with the same fit as `train --model NAME --covariates`; `train --model auto
    /// --covariates` keeps the row with the lowest holdout MAE, and its model file says which and
    /// scores.
    @Test func compareAndChooseWithCovariates() throws {
        let (ws, data) = try Self.workspace()
        let compare = try ws.run(["evaluate", data] + Self.window + ["--compare", "--covariates", "cov.csv", "--format", "json", "-o", "c.json"])
        #expect(compare.status == 0, "\(compare)")
        let object = try JSONSerialization.jsonObject(with: Data(try ws.read("c.json").utf8)) as! [String: Any]
        let rows = try #require(object["rows"] as? [[String: Any]])
        let labels = rows.map { "\($0["model"]!)\(($0["with_covariates"] as? Bool) == true ? "+" : "")" }
        #expect(labels == ["bgnbd", "bgnbd+", "pareto-nbd", "pareto-nbd+", "mbgnbd", "mbgnbd+"], "\(labels)")
        #expect(rows.allSatisfy { $0["error"] == nil && $0["holdout_mae"] is Double }, "\(rows)")
        #expect(try ws.run(["train", data] + Self.window + ["--model", "pareto-nbd", "--covariates", "cov.csv", "-o", "p.json"]).status == 0)
        let single = try ModelFile.load(path: ws.path("p.json")).purchaseModel
        let paretoRow = rows[3]
        #expect(isClose(paretoRow["log_likelihood"] as! Double, single.logLikelihood, relative: 1e-10))
        #expect((paretoRow["parameters"] as! [String: Double]).keys.sorted() == single.parameterNames.sorted())
        // Covariates raise every model's log-likelihood (the models without them are nested).
        for i in stride(from: 0, to: 6, by: 2) {
            #expect((rows[i + 1]["log_likelihood"] as! Double) > (rows[i]["log_likelihood"] as! Double))
        }
        let text = try ws.run(["evaluate", data] + Self.window + ["--compare", "--covariates", "cov.csv"])
        #expect(text.stdout.contains("\npareto-nbd + covariates  -"), "\(text)")

        let auto = try ws.run(["train", data] + Self.window + ["--model", "auto", "--covariates", "cov.csv", "-o", "auto.json"])
        #expect(auto.status == 0, "\(auto)")
        let chosen = try ModelFile.load(path: ws.path("auto.json"))
        let best = rows.min { ($0["holdout_mae"] as! Double) < ($1["holdout_mae"] as! Double) }!
        #expect(chosen.purchaseModel.model == best["model"] as! String)
        #expect((chosen.covariates != nil) == ((best["with_covariates"] as? Bool) == true))
        #expect(chosen.selection?.candidates.count == 6)
        #expect(auto.stderr.contains("Chose \(chosen.purchaseModel.model)\(chosen.covariates != nil ? " with covariates" : ""): lowest holdout MAE"), "\(auto)")
        let scoreArguments = ["score", data] + Self.window + ["--model", "auto.json", "-o", "s.csv"] + (chosen.covariates != nil ? ["--covariates", "cov.csv"] : [])
        #expect(try ws.run(scoreArguments).status == 0)
    }

    /// `--shared-covariates`: one coefficient for multi_cd in both Pareto/NBD processes, the
    /// likelihood-ratio test against the free fit in the train output, the model file and
    /// evaluate; scoring and intervals work on it; the errors name the fix; a model file whose
    /// tied coefficients differ is refused.
    @Test func sharedCovariates() throws {
        let (ws, data) = try Self.workspace()
        let train = try ws.run(["train", data] + Self.window + ["--model", "pareto-nbd", "--covariates", "cov.csv",
                                                               "--shared-covariates", "multi_cd", "-o", "model.json"])
        #expect(train.status == 0, "\(train)")
        #expect(train.stderr.contains("Shared coefficients (multi_cd) against free ones: likelihood-ratio statistic 2.89 on 1 degree of freedom, p = 0.0889\n"), "\(train)")
        #expect(!train.stderr.contains("hessian-near-singular"), "\(train)")
        let model = try ModelFile.load(path: ws.path("model.json"))
        let p = model.purchaseModel.parameters
        #expect(p["alpha.multi_cd"] == p["beta.multi_cd"] && model.purchaseModel.freeParameters == 7)
        #expect(model.covariates?.shared == ["multi_cd"])
        let test = try #require(model.covariates?.sharedTest)
        #expect(test.degreesOfFreedom == 1 && isClose(test.pValue, Special.chiSquareSurvival(test.statistic, degreesOfFreedom: 1), relative: 1e-14))
        #expect(isClose(model.purchaseModel.aic, 14 - 2 * model.purchaseModel.logLikelihood, relative: 1e-14))
        let score = try ws.run(["score", data] + Self.window + ["--model", "model.json", "--covariates", "cov.csv", "--interval", "0.9", "-o", "s.csv"])
        #expect(score.status == 0, "\(score)")
        let evaluate = try ws.run(["evaluate", data] + Self.window + ["--model", "pareto-nbd", "--covariates", "cov.csv", "--shared-covariates", "multi_cd"])
        #expect(evaluate.status == 0 && evaluate.stdout.contains("  with covariates      LL -9571.9355   AIC 19157.87   BIC 19198.23   (7 parameters)\n  shared coefficients against free ones: statistic 2.89 on 1 degree of freedom, p = 0.0889\n"), "\(evaluate)")

        let notBoth = try ws.run(["train", data] + Self.window + ["--model", "pareto-nbd", "--covariates", "cov.csv", "--dropout-covariates", "log_first_amount",
                                                                 "--shared-covariates", "multi_cd", "-o", "m.json"])
        #expect(notBoth.status == 65 && notBoth.stderr.contains("--shared-covariates names 'multi_cd', which is not in --dropout-covariates: a shared coefficient acts on both processes, so add it there or leave it out of --shared-covariates"), "\(notBoth)")
        let unknown = try ws.run(["train", data] + Self.window + ["--covariates", "cov.csv", "--shared-covariates", "channel", "-o", "m.json"])
        #expect(unknown.status == 65 && unknown.stderr.contains("--shared-covariates names 'channel', which is not a column of the covariate file (its columns: multi_cd, log_first_amount)"), "\(unknown)")
        #expect(!ws.exists("m.json"))

        var text = try ws.read("model.json")
        let value = String(describing: p["alpha.multi_cd"]!)
        let tampered = text.replacingOccurrences(of: "\"beta.multi_cd\" : \(value)", with: "\"beta.multi_cd\" : 0.5")
        #expect(tampered != text)
        text = tampered
        _ = try ws.write("tampered.json", text)
        let refused = try ws.run(["score", data] + Self.window + ["--model", "tampered.json", "--covariates", "cov.csv"])
        #expect(refused.status != 0 && refused.stderr.contains("purchase_model.parameters.beta.multi_cd"), "\(refused)")
        #expect(refused.stderr.contains("it is shared with alpha.multi_cd"), "\(refused)")
    }
}
