import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// The model file, format version 1 (docs/model-format.md): round trip, determinism, the
/// committed golden file `models/cdnow-bgnbd-gg.json`, and every way `ModelFile.load` rejects a
/// file — each rejection must name the field at fault, so a user can find it.
@Suite struct ModelFileTests {
    // MARK: Round trip and determinism

    /// Training on the lifetimes CDNOW calibration summary, writing and loading gives back an
    /// equal `ModelFile` (exact: JSONEncoder writes each Double as the shortest decimal that
    /// reads back as the same Double, so nothing may change), and re-encoding the loaded file
    /// reproduces the written bytes.
    @Test func roundTrip() throws {
        let outcome = try Training.train(LifetimesFixtures.cdnowCalibrationSummary(), source: "fixtures/cdnow_calibration.csv")
        #expect(outcome.modelFile.trainingData.source == "cdnow_calibration.csv", "only the file name is recorded")
        #expect(outcome.modelFile.spendModel != nil)
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("model.json").path
        try outcome.modelFile.write(to: path)

        let loaded = try ModelFile.load(path: path)
        #expect(loaded == outcome.modelFile)
        let written = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(try loaded.encoded() == written)
        #expect(written.last == UInt8(ascii: "\n"))
        // The models the file rebuilds predict exactly like the fitted ones (same parameters).
        let purchase = try loaded.makePurchaseModel()
        #expect(purchase.parameterValues == outcome.purchaseModel.parameterValues)
        let spend = try #require(try loaded.makeSpendModel())
        #expect(spend.parameterValues == outcome.spendModel?.parameterValues)
        // Only the model file itself is left in the directory (the temporary file was renamed).
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["model.json"])
    }

    /// Two trainings on the same data encode to identical bytes (sorted keys, deterministic
    /// optimiser): a model file can be diffed, hashed and reviewed.
    @Test func encodingIsDeterministic() throws {
        let table = try LifetimesFixtures.cdnowCalibrationSummary()
        let first = try Training.train(table, source: "cdnow.csv").modelFile.encoded()
        let second = try Training.train(table, source: "cdnow.csv").modelFile.encoded()
        #expect(first == second)
        #expect(!first.isEmpty)
    }

    // MARK: The golden file

    /// `models/cdnow-bgnbd-gg.json`, written by
    /// `clvfit train datasets/cdnow_sample.csv --calibration-end 1997-09-30 --observation-end 1998-06-30`,
    /// loads and validates, and its parameters equal a fresh fit of the same data within 1e-8
    /// relative (the same optimiser on the same data; the slack covers another platform's libm,
    /// which moves the optimum by far less than the convergence tolerance |g| ≤ 1e-8·n allows
    /// in the parameters, ~1e-10).
    @Test func goldenFileMatchesAFreshFit() throws {
        let golden = try ModelFile.load(path: ModelFileTestSupport.goldenPath)
        #expect(golden.format == "clvfit-model")
        #expect(golden.formatVersion == 1)
        #expect(golden.timeUnit == .week)
        #expect(golden.purchaseModel.model == "bgnbd")
        #expect(golden.spendModel?.model == "gamma-gamma")
        let data = golden.trainingData
        #expect(data.source == "cdnow_sample.csv")
        #expect(data.customers == 2357)
        #expect(data.summaryRows == 2357)
        #expect(data.transactionRows == 6919)
        #expect(data.calibrationEnd == "1997-09-30")
        #expect(data.observationEnd == "1998-06-30")
        #expect(data.firstDate == "1997-01-01")

        let dataset = try ModelFileTestSupport.requireDataset("cdnow_sample.csv")
        let table = try RFMSummarizer.summarize(path: dataset.path, options: RFMOptions(
            unit: .week, calibrationEnd: CalendarDate("1997-09-30"), observationEnd: CalendarDate("1998-06-30")))
        let fresh = try Training.train(table, source: dataset.path).modelFile
        // The fingerprint is a hash of the data: exact.
        #expect(data.summarySha256 == fresh.trainingData.summarySha256)
        // The golden file predates `longest_t`; its dates give the same span.
        #expect(data.longestT == nil && fresh.trainingData.longestT == 39 - 1.0 / 7)
        #expect(data.trainingSpan(unit: .week) == fresh.trainingData.longestT)
        var recorded = data
        recorded.longestT = fresh.trainingData.longestT
        #expect(recorded == fresh.trainingData)
        for (goldenRecord, freshRecord) in [(golden.purchaseModel, fresh.purchaseModel), (golden.spendModel!, fresh.spendModel!)] {
            #expect(goldenRecord.parameterNames == freshRecord.parameterNames)
            for name in goldenRecord.parameterNames {
                let g = try #require(goldenRecord.parameters[name]), f = try #require(freshRecord.parameters[name])
                #expect(isClose(g, f, relative: 1e-8), "\(goldenRecord.model).\(name): golden \(g), fresh \(f)")
            }
            // LL at (nearly) the same optimum: 1e-10 relative (first-order flat at the optimum).
            #expect(isClose(goldenRecord.logLikelihood, freshRecord.logLikelihood, relative: 1e-10))
        }
        // And the golden parameters are lifetimes' (Newton-polished) MLE within 1e-6 relative
        // (two optimisers stopping at gradient tolerances; the estimator tests use 1e-5).
        let lifetimes = try LifetimesFixtures.cdnowFit()
        for name in BGNBD.parameterNames {
            #expect(isClose(golden.purchaseModel.parameters[name]!, lifetimes.number("bgnbd", "newton_polished_mle", "params", name), relative: 1e-6), "\(name)")
        }
        for (name, key) in zip(GammaGamma.parameterNames, ["p", "q", "v"]) {
            #expect(isClose(golden.spendModel!.parameters[name]!, lifetimes.number("gamma_gamma", "newton_polished_mle", "params", key), relative: 1e-6), "\(name)")
        }
    }

    /// The subscription golden file (sBG on FH 2007's regular cohort, years 0–7) loads, is in
    /// canonical form, holds the paper's estimates and the digest of its data.
    @Test func retentionGoldenFile() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: ModelFileTestSupport.retentionGoldenPath))
        let file = try RetentionModelFile.decode(bytes, file: "fh2007-regular-sbg.json")
        #expect(try file.encoded() == bytes)
        #expect(isClose(file.retentionModel.parameters["alpha"]!, 0.704077, relative: 2e-6))
        #expect(isClose(file.retentionModel.parameters["beta"]!, 1.182043, relative: 2e-6))
        let survivors = try #require(file.trainingData.cohortSurvivors)
        #expect(file.trainingData.historySha256 == RetentionModelFile.historyDigest(SubscriberHistory(cohort: survivors)))
        // The digest ignores row order and changes with any count.
        let rows = SubscriberHistory(cohort: survivors)
        let reversed = SubscriberHistory(periods: rows.periods.reversed(), active: rows.active.reversed(), weight: rows.weight.reversed())
        #expect(RetentionModelFile.historyDigest(reversed) == file.trainingData.historySha256)
        var changed = survivors
        changed[7] = 240
        #expect(RetentionModelFile.historyDigest(SubscriberHistory(cohort: changed)) != file.trainingData.historySha256)
        // A purchase model reader refuses it by its format, naming the field.
        do {
            _ = try ModelFile.decode(bytes, file: "fh2007-regular-sbg.json")
            Issue.record("a subscription model file loaded as a purchase model file")
        } catch {
            #expect(error.description == "fh2007-regular-sbg.json: field 'format': is \"clvfit-retention-model\", not \"clvfit-model\".")
        }
    }

    /// Every bad field of a subscription model file is refused, naming it.
    @Test(arguments: [
        (["retention_model", "model"], "\"pareto-nbd\"", "retention_model.model"),
        (["retention_model", "parameters", "alpha"], "-1", "retention_model.parameters.alpha"),
        (["period"], "\"\"", "period"),
        (["training_data", "form"], "\"log\"", "training_data.form"),
        (["training_data", "active"], "5000", "training_data.active"),
        (["training_data", "history_sha256"], "\"abc\"", "training_data.history_sha256"),
        (["training_data", "cohort_survivors"], "[10, 12]", "training_data.cohort_survivors"),
        (["format_version"], "2", "format_version"),
    ])
    func badRetentionFields(path: [String], value: String, field: String) throws {
        var root = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: ModelFileTestSupport.retentionGoldenPath))) as! [String: Any]
        ModelFileTestSupport.set(&root, path, try ModelFileTestSupport.jsonValue(value))
        let data = try JSONSerialization.data(withJSONObject: root)
        do {
            _ = try RetentionModelFile.decode(data, file: "m.json")
            Issue.record("\(path) = \(value) was accepted")
        } catch {
            #expect(error.field == field, "\(error)")
        }
    }

    /// The golden file is in canonical form: loading and re-encoding it gives its bytes.
    @Test func goldenFileIsCanonical() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: ModelFileTestSupport.goldenPath))
        let decoded = try ModelFile.decode(bytes, file: "cdnow-bgnbd-gg.json")
        #expect(try decoded.encoded() == bytes)
    }

    /// docs/model-format.md shows the golden file verbatim: every ```json block of the page is a
    /// piece of it, so regenerating the golden file without updating the page fails here.
    @Test func documentationExcerptsAreVerbatim() throws {
        let doc = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("docs/model-format.md"), encoding: .utf8)
        let golden = try String(contentsOf: URL(fileURLWithPath: ModelFileTestSupport.goldenPath), encoding: .utf8)
        let retention = try String(contentsOf: URL(fileURLWithPath: ModelFileTestSupport.retentionGoldenPath), encoding: .utf8)
        let blocks = doc.components(separatedBy: "```json\n").dropFirst().map { $0.components(separatedBy: "```").first ?? "" }
        #expect(blocks.count >= 4)
        for block in blocks {
            #expect(golden.contains(block) || retention.contains(block), "not in models/cdnow-bgnbd-gg.json or models/fh2007-regular-sbg.json:\n\(block)")
        }
        let model = try ModelFile.load(path: ModelFileTestSupport.goldenPath)
        #expect(doc.contains(model.trainingData.summarySha256), "the fingerprint example prints the golden file's digest")
    }

    // MARK: Valid variations

    /// A file without `spend_model` (trained on data without amounts) is valid: no spend model.
    @Test func fileWithoutSpendModelIsValid() throws {
        let model = try ModelFileTestSupport.loadMutated { $0["spend_model"] = nil }
        #expect(model.spendModel == nil)
        #expect(try model.makeSpendModel() == nil)
        #expect(model.purchaseModel.model == "bgnbd")
    }

    /// The optional fields may be absent: training_data's transaction_rows and dates, and the
    /// spend model's frequency_monetary_correlation and excluded_zero_spend.
    @Test(arguments: [
        ["training_data", "transaction_rows"], ["training_data", "first_date"], ["training_data", "last_date"],
        ["training_data", "calibration_end"], ["training_data", "observation_end"],
        ["spend_model", "frequency_monetary_correlation"], ["spend_model", "excluded_zero_spend"],
    ])
    func optionalFieldMayBeAbsent(path: [String]) throws {
        let model = try ModelFileTestSupport.loadMutated { ModelFileTestSupport.set(&$0, path, nil) }
        #expect(model.purchaseModel.model == "bgnbd")
    }

    // MARK: Rejections (each names the field)

    /// Bytes that are not a JSON object.
    @Test(arguments: ["not json at all", "[1, 2, 3]", "", "{\"format\": \"clvfit-model\""])
    func notJSON(text: String) throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("garbage.json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let error = try #require(ModelFileTestSupport.loadError(path))
        #expect(error.file == path)
        #expect(error.field == nil)
        #expect(!error.isMissingFile)
        #expect(error.description.hasPrefix(path + ": "))
        #expect(error.description.contains("not a JSON object"))
        #expect(error.description.contains("not a clvfit model file"))
    }

    @Test func missingFormat() throws {
        let error = try ModelFileTestSupport.rejection { $0["format"] = nil }
        ModelFileTestSupport.expect(error, field: "format", says: "missing")
        #expect(error.description.contains("clvfit-model"), "says what the format should be")
    }

    @Test func wrongFormatName() throws {
        let error = try ModelFileTestSupport.rejection { $0["format"] = "lifetimes-pickle" }
        ModelFileTestSupport.expect(error, field: "format", says: "lifetimes-pickle")
        #expect(error.description.contains("clvfit-model"))
    }

    /// A future version is rejected with a message about the version, even when the rest of the
    /// file is unreadable to this reader (the version is checked before anything else).
    @Test func unknownFormatVersion() throws {
        let error = try ModelFileTestSupport.rejection {
            $0["format_version"] = 3
            $0["purchase_model"] = "something version 3 means"
        }
        ModelFileTestSupport.expect(error, field: "format_version", says: "version 3 is not supported")
        #expect(error.description.contains("reads versions 1 and 2"))
    }

    /// Values given as JSON text.
    @Test(arguments: ["\"1\"", "\"one\"", "1.5", "0", "-1", "null", "[1]"])
    func formatVersionNotTheWholeNumberOne(json: String) throws {
        let value = try ModelFileTestSupport.jsonValue(json)
        let error = try ModelFileTestSupport.rejection { $0["format_version"] = value }
        ModelFileTestSupport.expect(error, field: "format_version", says: "")
    }

    /// A repeated key is refused and named, wherever it is and however it is spelled: parsers
    /// disagree on which of the two values counts (`JSONSerialization` the last, `JSONDecoder`
    /// the first), so `"format_version": 2, "format_version": 1` passed the version check and
    /// `"r": 0.9, "r": 0.2426` scored with r = 0.9.
    @Test(arguments: [
        ("\"format_version\" : 1,", "\"format_version\" : 2,\n  \"format_version\" : 1,", "format_version"),
        ("\"r\" : 0.24259452242167207", "\"r\" : 0.9,\n      \"r\" : 0.24259452242167207", "purchase_model.parameters.r"),
        ("\"r\" : 0.24259452242167207", "\"r\" : 0.9,\n      \"\\u0072\" : 0.24259452242167207", "purchase_model.parameters.r"),
        ("\"source\" :", "\"source\" : \"x\", \"source\" :", "training_data.source"),
    ])
    func repeatedKey(original: String, replacement: String, field: String) throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = try String(contentsOfFile: ModelFileTestSupport.goldenPath, encoding: .utf8)
        try #require(text.contains(original))
        let path = dir.appendingPathComponent("twice.json").path
        try Data(text.replacingOccurrences(of: original, with: replacement).utf8).write(to: URL(fileURLWithPath: path))
        let error = try #require(ModelFileTestSupport.loadError(path))
        ModelFileTestSupport.expect(error, field: field, says: "appears twice")
        // The same key in different objects is not a repetition.
        #expect(DuplicateKeys.first(in: Array(#"{"a": {"r": 1}, "b": {"r": 2}, "c": [{"r": 1}, {"r": 2}], "d": "\"r\""}"#.utf8)) == nil)
        #expect(DuplicateKeys.first(in: Array(#"{"c": [{"r": 1}, {"r": 2, "s": [], "r": 3}]}"#.utf8)) == "c[1].r")
    }

    @Test func missingFormatVersion() throws {
        let error = try ModelFileTestSupport.rejection { $0["format_version"] = nil }
        ModelFileTestSupport.expect(error, field: "format_version", says: "missing")
    }

    /// Every required top-level and training_data field, removed, is named.
    @Test(arguments: [
        ["tool_version"], ["time_unit"], ["training_data"], ["purchase_model"],
        ["training_data", "source"], ["training_data", "customers"], ["training_data", "summary_rows"],
        ["training_data", "summary_sha256"],
    ])
    func missingRequiredField(path: [String]) throws {
        let error = try ModelFileTestSupport.rejection { ModelFileTestSupport.set(&$0, path, nil) }
        ModelFileTestSupport.expect(error, field: path.joined(separator: "."), says: "missing")
    }

    @Test func unknownTimeUnit() throws {
        let error = try ModelFileTestSupport.rejection { $0["time_unit"] = "fortnight" }
        ModelFileTestSupport.expect(error, field: "time_unit", says: "")
    }

    @Test func missingParameter() throws {
        let error = try ModelFileTestSupport.rejection { ModelFileTestSupport.set(&$0, ["purchase_model", "parameters", "alpha"], nil) }
        ModelFileTestSupport.expect(error, field: "purchase_model.parameters.alpha", says: "missing")
    }

    @Test(arguments: [-0.5, 0.0, -0.0])
    func nonPositiveParameter(value: Double) throws {
        let error = try ModelFileTestSupport.rejection { ModelFileTestSupport.set(&$0, ["purchase_model", "parameters", "r"], value) }
        ModelFileTestSupport.expect(error, field: "purchase_model.parameters.r", says: "not a positive finite number")
        let spendError = try ModelFileTestSupport.rejection { ModelFileTestSupport.set(&$0, ["spend_model", "parameters", "q"], value) }
        ModelFileTestSupport.expect(spendError, field: "spend_model.parameters.q", says: "not a positive finite number")
    }

    /// Values given as JSON text.
    @Test(arguments: ["\"0.24\"", "\"r\"", "null", "[0.24]", "true"])
    func parameterThatIsNotANumber(json: String) throws {
        let value = try ModelFileTestSupport.jsonValue(json)
        let error = try ModelFileTestSupport.rejection { ModelFileTestSupport.set(&$0, ["purchase_model", "parameters", "alpha"], value) }
        ModelFileTestSupport.expect(error, field: "purchase_model.parameters.alpha", says: "")
    }

    @Test func extraParameter() throws {
        let error = try ModelFileTestSupport.rejection { ModelFileTestSupport.set(&$0, ["purchase_model", "parameters", "s"], 0.6) }
        ModelFileTestSupport.expect(error, field: "purchase_model.parameters.s", says: "not a parameter of bgnbd")
    }

    @Test func unknownModelName() throws {
        let error = try ModelFileTestSupport.rejection { ModelFileTestSupport.set(&$0, ["purchase_model", "model"], "pareto-nbd-v9") }
        ModelFileTestSupport.expect(error, field: "purchase_model.model", says: "pareto-nbd-v9")
        #expect(error.description.contains("bgnbd"), "lists the models it knows")
        let spendError = try ModelFileTestSupport.rejection { ModelFileTestSupport.set(&$0, ["spend_model", "model"], "bgnbd") }
        ModelFileTestSupport.expect(spendError, field: "spend_model.model", says: "not a spend model")
        #expect(spendError.description.contains("gamma-gamma"))
    }

    /// `--model auto` records its candidates; the chosen model must be one that fitted, and with
    /// covariates exactly when the file has them.
    @Test func selectionMustIncludeTheChosenModel() throws {
        func selection(_ candidates: [[String: Any]]) -> [String: Any] { ["reason": "lowest BIC", "candidates": candidates] }
        let row: [String: Any] = ["model": "bgnbd", "parameters": [String: Double]()]
        _ = try ModelFileTestSupport.loadMutated { ModelFileTestSupport.set(&$0, ["selection"], selection([row])) }
        for candidates in [[["model": "pareto-nbd", "parameters": [String: Double]()]],
                           [row.merging(["with_covariates": true]) { $1 }],
                           [row.merging(["error": "did not converge"]) { $1 }]] {
            let error = try ModelFileTestSupport.rejection { ModelFileTestSupport.set(&$0, ["selection"], selection(candidates)) }
            ModelFileTestSupport.expect(error, field: "selection.candidates", says: "do not include the chosen purchase model bgnbd.")
        }
    }

    /// Names in another order, a missing name, a renamed one.
    @Test(arguments: [["alpha", "r", "a", "b"], ["r", "alpha", "a"], ["r", "alpha", "a", "beta"]])
    func wrongParameterNames(names: [String]) throws {
        let error = try ModelFileTestSupport.rejection { ModelFileTestSupport.set(&$0, ["purchase_model", "parameter_names"], names) }
        ModelFileTestSupport.expect(error, field: "purchase_model.parameter_names", says: "")
        #expect(error.description.contains("\"r\", \"alpha\", \"a\", \"b\""), "says which names bgnbd has")
    }

    @Test func missingStandardError() throws {
        let error = try ModelFileTestSupport.rejection { ModelFileTestSupport.set(&$0, ["purchase_model", "standard_errors", "b"], nil) }
        ModelFileTestSupport.expect(error, field: "purchase_model.standard_errors.b", says: "missing")
    }

    @Test func negativeStandardError() throws {
        let error = try ModelFileTestSupport.rejection { ModelFileTestSupport.set(&$0, ["spend_model", "standard_errors", "gamma"], -1.0) }
        ModelFileTestSupport.expect(error, field: "spend_model.standard_errors.gamma", says: "not a non-negative finite number")
    }

    @Test func nonSquareCovariance() throws {
        // 4 rows of 3 columns.
        let error = try ModelFileTestSupport.rejection { root in
            let rows = ModelFileTestSupport.covariance(root, "purchase_model")
            ModelFileTestSupport.set(&root, ["purchase_model", "covariance"], rows.map { Array($0.prefix(3)) })
        }
        ModelFileTestSupport.expect(error, field: "purchase_model.covariance", says: "4×4")
        // 3 rows of 4 columns.
        let error3 = try ModelFileTestSupport.rejection { root in
            let rows = ModelFileTestSupport.covariance(root, "purchase_model")
            ModelFileTestSupport.set(&root, ["purchase_model", "covariance"], Array(rows.prefix(3)))
        }
        ModelFileTestSupport.expect(error3, field: "purchase_model.covariance", says: "4×4")
    }

    @Test func asymmetricCovariance() throws {
        let error = try ModelFileTestSupport.rejection { root in
            var rows = ModelFileTestSupport.covariance(root, "spend_model")
            rows[0][2] *= 1.001   // 1e-3 relative: far beyond the 1e-9 symmetry tolerance
            ModelFileTestSupport.set(&root, ["spend_model", "covariance"], rows)
        }
        ModelFileTestSupport.expect(error, field: "spend_model.covariance[0][2]", says: "symmetric")
    }

    @Test func negativeVariance() throws {
        let error = try ModelFileTestSupport.rejection { root in
            var rows = ModelFileTestSupport.covariance(root, "purchase_model")
            rows[1][1] = -rows[1][1]
            ModelFileTestSupport.set(&root, ["purchase_model", "covariance"], rows)
        }
        ModelFileTestSupport.expect(error, field: "purchase_model.covariance[1][1]", says: "non-negative")
    }

    @Test func covarianceEntryThatIsNotANumber() throws {
        let error = try ModelFileTestSupport.rejection { root in
            var rows: [[Any]] = ModelFileTestSupport.covariance(root, "purchase_model").map { $0.map { $0 as Any } }
            rows[2][3] = "0.12"
            ModelFileTestSupport.set(&root, ["purchase_model", "covariance"], rows)
        }
        ModelFileTestSupport.expect(error, field: "purchase_model.covariance[2][3]", says: "")
    }

    @Test func notConverged() throws {
        let error = try ModelFileTestSupport.rejection { ModelFileTestSupport.set(&$0, ["purchase_model", "converged"], false) }
        ModelFileTestSupport.expect(error, field: "purchase_model.converged", says: "false")
    }

    @Test(arguments: ["", "8dded47e", String(repeating: "g", count: 64), String(repeating: "0", count: 65)])
    func badSummarySHA256(value: String) throws {
        let error = try ModelFileTestSupport.rejection { ModelFileTestSupport.set(&$0, ["training_data", "summary_sha256"], value) }
        ModelFileTestSupport.expect(error, field: "training_data.summary_sha256", says: "SHA-256")
    }

    @Test(arguments: [("first_date", "1997-13-01"), ("last_date", "30/06/1998"), ("calibration_end", "yesterday"),
                      ("observation_end", "1998-02-30")])
    func badDateInTrainingData(field: String, value: String) throws {
        let error = try ModelFileTestSupport.rejection { ModelFileTestSupport.set(&$0, ["training_data", field], value) }
        ModelFileTestSupport.expect(error, field: "training_data.\(field)", says: value)
    }

    @Test(arguments: [("customers", 0.0), ("customers", -3.0), ("summary_rows", 0.0)])
    func impossibleTrainingDataCount(field: String, value: Double) throws {
        let error = try ModelFileTestSupport.rejection { ModelFileTestSupport.set(&$0, ["training_data", field], value) }
        ModelFileTestSupport.expect(error, field: "training_data.\(field)", says: "positive")
    }

    /// Every required field of a fitted-model record, removed from `spend_model`, is named.
    @Test(arguments: ["model", "parameter_names", "parameters", "standard_errors", "covariance", "log_likelihood",
                      "aic", "bic", "customers", "iterations", "converged", "termination", "gradient_norm"])
    func missingSpendModelField(field: String) throws {
        let error = try ModelFileTestSupport.rejection { ModelFileTestSupport.set(&$0, ["spend_model", field], nil) }
        ModelFileTestSupport.expect(error, field: "spend_model.\(field)", says: "missing")
    }

    @Test func missingSpendModelParameter() throws {
        let error = try ModelFileTestSupport.rejection { ModelFileTestSupport.set(&$0, ["spend_model", "parameters", "p"], nil) }
        ModelFileTestSupport.expect(error, field: "spend_model.parameters.p", says: "missing")
    }

    @Test func correlationOutsideMinusOneToOne() throws {
        let error = try ModelFileTestSupport.rejection { ModelFileTestSupport.set(&$0, ["spend_model", "frequency_monetary_correlation"], 1.5) }
        ModelFileTestSupport.expect(error, field: "spend_model.frequency_monetary_correlation", says: "correlation")
    }

    /// A whole-number field holding a fraction (or a number too big for Int) must be named too.
    /// (swift-corelibs-foundation's JSONDecoder reports this without a coding path, so
    /// ModelFile.decode checks the whole-number fields itself.)
    @Test(arguments: [(["purchase_model", "iterations"], "2.5"), (["training_data", "summary_rows"], "1e30"),
                      (["training_data", "transaction_rows"], "6919.5")])
    func fractionalWholeNumberField(path: [String], json: String) throws {
        let value = try ModelFileTestSupport.jsonValue(json)
        let error = try ModelFileTestSupport.rejection { ModelFileTestSupport.set(&$0, path, value) }
        ModelFileTestSupport.expect(error, field: path.joined(separator: "."), says: "whole number")
    }

    @Test func negativeIterations() throws {
        let error = try ModelFileTestSupport.rejection { ModelFileTestSupport.set(&$0, ["purchase_model", "iterations"], -1) }
        ModelFileTestSupport.expect(error, field: "purchase_model.iterations", says: "negative")
    }

    /// A path that does not exist is a missing input (exit 66 in the CLI), not bad data.
    @Test func missingPath() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("no-such-model.json").path
        let error = try #require(ModelFileTestSupport.loadError(path))
        #expect(error.isMissingFile)
        #expect(error.file == path)
        #expect(error.description.contains("no such file"))
        // A directory cannot be read as a file: exit 66 like a missing one ("does not exist or
        // cannot be read"), with a message that says it is a directory.
        let dirError = try #require(ModelFileTestSupport.loadError(dir.path))
        #expect(dirError.isMissingFile && dirError.description.contains("it is a directory"))
    }

    /// `write` validates first: an impossible model is not written, and nothing is left behind.
    @Test func writeRefusesAnInvalidModel() throws {
        var model = try ModelFile.load(path: ModelFileTestSupport.goldenPath)
        model.purchaseModel.parameters["r"] = -1
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bad.json").path
        #expect(throws: ModelFileError.self) { try model.write(to: path) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}

/// Helpers for building mutated copies of the golden model file.
enum ModelFileTestSupport {
    static var goldenPath: String {
        Fixtures.repositoryRoot.appendingPathComponent("models/cdnow-bgnbd-gg.json").path
    }

    static var retentionGoldenPath: String {
        Fixtures.repositoryRoot.appendingPathComponent("models/fh2007-regular-sbg.json").path
    }

    /// `datasets/NAME`, or a failed requirement saying how to fetch it.
    static func requireDataset(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> URL {
        let url = Fixtures.dataset(name)
        try #require(FileManager.default.fileExists(atPath: url.path),
                     "datasets/\(name) is missing: run `bash datasets/fetch.sh`", sourceLocation: sourceLocation)
        return url
    }

    /// The golden file as a JSON dictionary.
    static func goldenJSON() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: goldenPath))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Sets (or with nil removes) the value at a key path of nested dictionaries.
    static func set(_ root: inout [String: Any], _ path: [String], _ value: Any?) {
        guard let first = path.first else { return }
        if path.count == 1 {
            root[first] = value
            return
        }
        var child = root[first] as? [String: Any] ?? [:]
        set(&child, Array(path.dropFirst()), value)
        root[first] = child
    }

    /// A JSON value from its text (`"1"`, `null`, `[1]`, ...).
    static func jsonValue(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)
    }

    static func covariance(_ root: [String: Any], _ record: String) -> [[Double]] {
        let model = root[record] as! [String: Any]
        return (model["covariance"] as! [[Any]]).map { $0.map { ($0 as! NSNumber).doubleValue } }
    }

    /// Loads golden → mutates the dictionary → writes it to a temporary file → `ModelFile.load`.
    static func loadMutated(_ mutate: (inout [String: Any]) -> Void) throws -> ModelFile {
        let (dir, path) = try writeMutated(mutate)
        defer { try? FileManager.default.removeItem(at: dir) }
        return try ModelFile.load(path: path)
    }

    /// The error `ModelFile.load` throws for the mutated golden file (a test failure if none).
    static func rejection(sourceLocation: SourceLocation = #_sourceLocation,
                          _ mutate: (inout [String: Any]) -> Void) throws -> ModelFileError {
        let (dir, path) = try writeMutated(mutate)
        defer { try? FileManager.default.removeItem(at: dir) }
        let error = try #require(loadError(path), "the mutated file was accepted", sourceLocation: sourceLocation)
        #expect(error.file == path, sourceLocation: sourceLocation)
        #expect(!error.isMissingFile, sourceLocation: sourceLocation)
        return error
    }

    static func writeMutated(_ mutate: (inout [String: Any]) -> Void) throws -> (URL, String) {
        var root = try goldenJSON()
        mutate(&root)
        let dir = try Fixtures.temporaryDirectory()
        let path = dir.appendingPathComponent("model.json").path
        try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys])
            .write(to: URL(fileURLWithPath: path))
        return (dir, path)
    }

    static func loadError(_ path: String) -> ModelFileError? {
        do {
            _ = try ModelFile.load(path: path)
            return nil
        } catch {
            return error
        }
    }

    /// The error names `field` (in `field` and in its message, as `field 'NAME'`) and its
    /// message contains `text`.
    static func expect(_ error: ModelFileError, field: String, says text: String,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(error.field == field, "\(error)", sourceLocation: sourceLocation)
        #expect(error.description.contains("field '\(field)'"), "\(error)", sourceLocation: sourceLocation)
        #expect(error.description.hasPrefix(error.file + ": "), "\(error)", sourceLocation: sourceLocation)
        if !text.isEmpty {
            #expect(error.description.contains(text), "\(error)", sourceLocation: sourceLocation)
        }
    }
}
