import Foundation

/// The clvfit model file: a versioned, documented JSON document (no executable content, unlike
/// a pickle). See `docs/model-format.md` for every field. Version 2 adds `covariates` (a model
/// with covariates is written as version 2, every other model as version 1, which every clvfit
/// since the first reads); this clvfit reads both.
///
/// Written atomically; loading validates every field and rejects an unknown format version, a
/// missing field or an impossible value with a message naming it.
public struct ModelFile: Codable, Equatable, Sendable {
    public static let formatName = "clvfit-model"
    /// The newest version this clvfit reads and writes.
    public static let currentVersion = 2
    /// Versions this clvfit reads.
    public static let readableVersions = [1, 2]

    public var format: String
    public var formatVersion: Int
    /// The clvfit version that wrote the file.
    public var toolVersion: String
    /// The time unit of every parameter with a time dimension (α, and horizons in scoring).
    public var timeUnit: TimeUnit
    public var trainingData: TrainingData
    public var purchaseModel: FittedModelRecord
    /// Absent when the training data had no amounts.
    public var spendModel: FittedModelRecord?
    /// How `clvfit train --model auto` chose the purchase model; absent otherwise. Informational:
    /// a reader that ignores it predicts the same.
    public var selection: ModelSelection?
    /// What `Diagnostics` found when the model was trained (empty when nothing): reasons to
    /// distrust part of the model. Absent in files written before clvfit checked; informational
    /// (a reader that ignores it predicts the same).
    public var warnings: [DiagnosticWarning]?
    /// Version 2: the covariates the purchase model was trained with (file columns, their coding,
    /// which act on which process); the coefficients themselves are in `purchase_model`'s
    /// parameters, standard errors and covariance. Absent for a model without covariates.
    public var covariates: CovariateSpecification?

    public init(toolVersion: String = ClvFitVersion.current, timeUnit: TimeUnit, trainingData: TrainingData,
                purchaseModel: FittedModelRecord, spendModel: FittedModelRecord?, covariates: CovariateSpecification? = nil) {
        self.format = Self.formatName
        self.formatVersion = covariates == nil ? 1 : 2
        self.toolVersion = toolVersion
        self.timeUnit = timeUnit
        self.trainingData = trainingData
        self.purchaseModel = purchaseModel
        self.spendModel = spendModel
        self.covariates = covariates
    }

    /// A fingerprint of what the models were trained on.
    public struct TrainingData: Codable, Equatable, Sendable {
        /// The input file's name as given (no directories are recorded).
        public var source: String
        /// Customers in the summary (Σ weight).
        public var customers: Double
        /// Rows of the summary (distinct customers, or patterns in a weighted summary).
        public var summaryRows: Int
        /// Transaction rows read, when trained from a transaction log.
        public var transactionRows: Int?
        public var firstDate: String?
        public var lastDate: String?
        public var calibrationEnd: String?
        public var observationEnd: String?
        /// The longest T of the training summary (its observation span: window end − the
        /// earliest first purchase), in the model's time unit. Scoring refuses a summary whose T
        /// is plainly in another unit (``TimeUnitCheck``). Absent in files written before clvfit
        /// recorded it; ``trainingSpan(unit:)`` then falls back to the dates.
        public var longestT: Double?
        /// SHA-256 (hex) of the calibration summary in a canonical binary form
        /// (`Training.summaryDigest`); see docs/model-format.md, "Checking the fingerprint".
        public var summarySha256: String

        /// The training data's observation span in `unit`: ``longestT``, else the window end
        /// (calibration end, else observation end) minus the first date; nil when neither is
        /// known (files trained from a summary before `longest_t` was recorded) or for periods.
        public func trainingSpan(unit: TimeUnit) -> Double? {
            if let longestT { return longestT }
            guard let days = unit.days, let first = firstDate.flatMap(CalendarDate.init),
                  let end = (calibrationEnd ?? observationEnd).flatMap(CalendarDate.init) else { return nil }
            return Double(end - first) / days
        }
    }
}

/// Why a purchase model was chosen among candidates, and how each candidate did.
public struct ModelSelection: Codable, Equatable, Sendable {
    /// A sentence naming the criterion and the winner's value.
    public var reason: String
    public var candidates: [ModelComparison.Row]

    public init(reason: String, candidates: [ModelComparison.Row]) {
        self.reason = reason
        self.candidates = candidates
    }
}

/// One fitted model with its diagnostics.
public struct FittedModelRecord: Codable, Equatable, Sendable {
    /// `bgnbd` or `gamma-gamma`.
    public var model: String
    /// Parameter names in the order of `covariance`'s rows and columns.
    public var parameterNames: [String]
    public var parameters: [String: Double]
    public var standardErrors: [String: Double]
    /// Covariance of the natural-scale parameters (delta method from the log-scale Hessian).
    public var covariance: [[Double]]
    public var logLikelihood: Double
    public var aic: Double
    public var bic: Double
    /// Customers the model was fitted on (Σ weight).
    public var customers: Double
    public var iterations: Int
    public var converged: Bool
    /// Which convergence test stopped the optimiser.
    public var termination: String
    /// Largest absolute gradient component in log-parameters at the optimum.
    public var gradientNorm: Double
    /// Spend model only: Pearson correlation of frequency and mean spend over the repeat
    /// customers (Gamma-Gamma assumes they are independent).
    public var frequencyMonetaryCorrelation: Double?
    /// Spend model only: repeat customers left out because their mean repeat spend was 0.
    public var excludedZeroSpend: Double?
    /// Covariate models only: λ of the L2 penalty on the coefficients (`--penalty`), when one was
    /// used; `log_likelihood` is then the log-likelihood at the penalised optimum, and the
    /// covariance the inverse of the penalised information. Absent for a plain fit.
    public var penalty: Double?
    /// Covariate models with shared coefficients only (`--shared-covariates`): how many
    /// parameters the data determine, fewer than `parameter_names` because tied coefficients
    /// are listed once per parameter they shift. AIC and BIC count these. Absent: all of them.
    public var freeParameters: Int?

    /// k of AIC and BIC.
    public var freeParameterCount: Int { freeParameters ?? parameterNames.count }

    /// The parameter values in `parameterNames` order.
    public var parameterValues: [Double] { parameterNames.map { parameters[$0] ?? .nan } }
}

/// The version of clvfit, recorded in model files.
public enum ClvFitVersion {
    public static let current = "0.1.0"
}

/// Why a model file was rejected.
public struct ModelFileError: Error, CustomStringConvertible, Sendable {
    public var file: String
    /// The JSON path of the field at fault, e.g. `purchase_model.parameters.alpha`.
    public var field: String?
    public var message: String
    /// The file does not exist or cannot be read (exit 66), as opposed to being invalid (65).
    public var isMissingFile = false

    public var description: String {
        "\(file): " + (field.map { "field '\($0)': " } ?? "") + message
    }
}

extension ModelFile {
    /// The file's bytes: pretty, key-sorted JSON ending in a newline (deterministic).
    public func encoded() throws -> Data { try StableJSON.encode(self) }

    /// Validates, then writes atomically (temporary file + rename).
    public func write(to path: String) throws {
        try validate(file: path)
        try AtomicOutput.write(try encoded(), to: path)
    }

    /// Reads and validates a model file.
    public static func load(path: String) throws(ModelFileError) -> ModelFile {
        try decode(try readBytes(path: path), file: path)
    }

    /// The bytes of the model file at `path`; a missing or unreadable file is `isMissingFile`
    /// (exit 66: "an input file does not exist or cannot be read").
    static func readBytes(path: String) throws(ModelFileError) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            let why = !exists ? "no such file" : isDirectory.boolValue ? "it is a directory; give the model file in it" : "permission denied or not a file"
            throw ModelFileError(file: path, message: "cannot read the model file (\(why)).", isMissingFile: true)
        }
    }

    /// The top-level object of model-file bytes, once they are known to be a JSON object with
    /// no repeated key; `format` is returned for the caller to check (nil when absent).
    static func topLevel(_ data: Data, file: String) throws(ModelFileError) -> (object: [String: Any], format: String?) {
        guard let top = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ModelFileError(file: file, message: "is not a JSON object, so it is not a clvfit model file.")
        }
        // Before any value is read: a repeated key means two different things to two parsers.
        if let repeated = DuplicateKeys.first(in: [UInt8](data)) {
            throw ModelFileError(file: file, field: repeated, message: "appears twice in its object; a model file has each key once (JSON parsers disagree on which value a repeated key means), so remove one of them.")
        }
        return (top, top["format"] as? String)
    }

    /// Checks `format` and `format_version` first, so that a future file gets a message about
    /// its version rather than about whichever field changed.
    static func checkFormat(_ top: [String: Any], file: String, name: String, versions: [Int]) throws(ModelFileError) {
        guard let format = top["format"] as? String else {
            throw ModelFileError(file: file, field: "format", message: "is missing; a clvfit model file starts with \"format\": \"\(name)\".")
        }
        guard format == name else {
            throw ModelFileError(file: file, field: "format", message: "is \"\(format)\", not \"\(name)\".")
        }
        guard let version = top["format_version"] as? Int else {
            throw ModelFileError(file: file, field: "format_version", message: "is missing or not a whole number.")
        }
        guard versions.contains(version) else {
            throw ModelFileError(file: file, field: "format_version", message: "version \(version) is not supported; this clvfit (\(ClvFitVersion.current)) reads version\(versions.count == 1 ? "" : "s") \(versions.map(String.init).joined(separator: " and ")).")
        }
    }

    /// Decodes a checked top-level object into `T` with the model files' key convention, naming
    /// the field of any decoding error.
    static func decodeFields<T: Decodable>(_ type: T.Type, from data: Data, file: String) throws(ModelFileError) -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw describe(error, file: file)
        } catch {
            throw ModelFileError(file: file, message: "cannot be parsed: \(error).")
        }
    }

    /// Parses and validates model-file bytes; `file` names them in messages.
    public static func decode(_ data: Data, file: String) throws(ModelFileError) -> ModelFile {
        let (top, _) = try topLevel(data, file: file)
        try checkFormat(top, file: file, name: formatName, versions: readableVersions)
        // Linux's JSONDecoder reports a fraction in an integer field without its path: check first.
        let wholeNumberFields: [(String, Any?)] = [
            ("training_data.summary_rows", (top["training_data"] as? [String: Any])?["summary_rows"]),
            ("training_data.transaction_rows", (top["training_data"] as? [String: Any])?["transaction_rows"]),
            ("purchase_model.iterations", (top["purchase_model"] as? [String: Any])?["iterations"]),
            ("spend_model.iterations", (top["spend_model"] as? [String: Any])?["iterations"])]
        for (field, value) in wholeNumberFields {
            if let d = (value as? NSNumber)?.doubleValue, d != d.rounded() || abs(d) >= 0x1p53 {
                throw ModelFileError(file: file, field: field, message: "\(d) is not a whole number (or is too large).")
            }
        }
        let model = try decodeFields(ModelFile.self, from: data, file: file)
        try model.validate(file: file)
        return model
    }

    static func describe(_ error: DecodingError, file: String) -> ModelFileError {
        func path(_ keys: [CodingKey], _ last: CodingKey? = nil) -> String {
            (keys + (last.map { [$0] } ?? [])).map { key in
                key.intValue.map { "[\($0)]" } ?? snakeCase(key.stringValue)
            }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case let .keyNotFound(key, context):
            return ModelFileError(file: file, field: path(context.codingPath, key), message: "is missing.")
        case let .valueNotFound(_, context):
            return ModelFileError(file: file, field: path(context.codingPath), message: "is null.")
        case let .typeMismatch(type, context):
            return ModelFileError(file: file, field: path(context.codingPath), message: "has the wrong type (expected \(type)).")
        case let .dataCorrupted(context):
            return ModelFileError(file: file, field: context.codingPath.isEmpty ? nil : path(context.codingPath), message: "is invalid: \(context.debugDescription)")
        @unknown default:
            return ModelFileError(file: file, message: "cannot be parsed: \(error).")
        }
    }

    static func snakeCase(_ s: String) -> String {
        var out = ""
        for c in s {
            if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
        }
        return out
    }

    /// Checks every value for meaning: known models, parameter names matching the model,
    /// positive finite parameters, non-negative standard errors, a symmetric k×k covariance,
    /// finite fit statistics.
    public func validate(file: String) throws(ModelFileError) {
        func fail(_ field: String, _ message: String) -> ModelFileError {
            ModelFileError(file: file, field: field, message: message)
        }
        guard let purchaseType = ModelRegistry.purchaseModels[purchaseModel.model] else {
            throw fail("purchase_model.model", "\"\(purchaseModel.model)\" is not a purchase model clvfit knows (\(ModelRegistry.purchaseModels.keys.sorted().joined(separator: ", "))).")
        }
        var expectedNames = purchaseType.parameterNames
        if let covariates {
            guard formatVersion >= 2 else {
                throw fail("covariates", "needs format_version 2 (this file says \(formatVersion)).")
            }
            guard let covariateType = purchaseType as? any CovariatePurchaseModel.Type else {
                throw fail("covariates", "are given, but \(purchaseModel.model) takes no covariates.")
            }
            try Self.validate(covariates, file: file)
            expectedNames = covariateType.parameterNames(purchase: covariates.purchase, dropout: covariates.dropout)
        }
        try purchaseModel.validate(expectedNames: expectedNames, prefix: "purchase_model", file: file)
        let ties = sharedCoefficients ?? TiedParameters(count: expectedNames.count)
        guard purchaseModel.freeParameterCount == ties.freeCount else {
            throw fail("purchase_model.free_parameters", "is \(purchaseModel.freeParameterCount), but the model has \(ties.freeCount) free parameters (shared covariates: \(covariates?.sharedCovariates ?? [])).")
        }
        let values = purchaseModel.parameterValues
        for j in 0..<ties.count {
            let first = ties.representative[ties.reducedIndex[j]]
            guard values[j] == values[first] else {
                throw fail("purchase_model.parameters.\(expectedNames[j])", "is \(values[j]), but it is shared with \(expectedNames[first]) (\(values[first])): shared coefficients are equal.")
            }
        }
        if let mismatch = timeUnit.mismatch(with: purchaseType) {
            throw fail("time_unit", "is \(timeUnit.rawValue), but \(mismatch)")
        }
        if let spend = spendModel {
            guard let spendType = ModelRegistry.spendModels[spend.model] else {
                throw fail("spend_model.model", "\"\(spend.model)\" is not a spend model clvfit knows (\(ModelRegistry.spendModels.keys.sorted().joined(separator: ", "))).")
            }
            try spend.validate(expectedNames: spendType.parameterNames, prefix: "spend_model", file: file)
            if let c = spend.frequencyMonetaryCorrelation, !(c.isFinite && abs(c) <= 1) {
                throw fail("spend_model.frequency_monetary_correlation", "\(c) is not a correlation in [−1, 1].")
            }
        }
        if let selection {
            let withCovariates = covariates != nil
            guard selection.candidates.contains(where: { $0.model == purchaseModel.model && ($0.withCovariates ?? false) == withCovariates && $0.error == nil }) else {
                throw fail("selection.candidates", "do not include the chosen purchase model \(purchaseModel.model)\(withCovariates ? " with covariates" : "").")
            }
        }
        guard trainingData.customers > 0, trainingData.customers.isFinite else {
            throw fail("training_data.customers", "\(trainingData.customers) is not a positive number.")
        }
        if let t = trainingData.longestT, !(t.isFinite && t >= 0) {
            throw fail("training_data.longest_t", "\(t) is not a non-negative finite number.")
        }
        guard trainingData.summaryRows > 0 else { throw fail("training_data.summary_rows", "\(trainingData.summaryRows) is not positive.") }
        guard trainingData.summarySha256.count == 64, trainingData.summarySha256.allSatisfy(\.isHexDigit) else {
            throw fail("training_data.summary_sha256", "is not a 64-digit hexadecimal SHA-256.")
        }
        for (name, value) in [("first_date", trainingData.firstDate), ("last_date", trainingData.lastDate),
                              ("calibration_end", trainingData.calibrationEnd), ("observation_end", trainingData.observationEnd)] {
            if let value, CalendarDate(value) == nil {
                throw fail("training_data.\(name)", "\"\(value)\" is not a date (YYYY-MM-DD).")
            }
        }
    }

    /// A covariate specification that names every covariate once and codes every column sensibly.
    static func validate(_ c: CovariateSpecification, file: String) throws(ModelFileError) {
        func fail(_ field: String, _ message: String) -> ModelFileError {
            ModelFileError(file: file, field: "covariates.\(field)", message: message)
        }
        let names = c.columns.flatMap(\.covariateNames)
        guard Set(names).count == names.count else { throw fail("columns", "name a covariate twice.") }
        for (i, column) in c.columns.enumerated() {
            switch column.kind {
            case .numeric:
                guard column.levels == nil, column.reference == nil else { throw fail("columns[\(i)]", "a numeric column has no levels or reference level.") }
            case .categorical:
                guard let levels = column.levels, let reference = column.reference, !levels.isEmpty, !levels.contains(reference),
                      Set(levels).count == levels.count else {
                    throw fail("columns[\(i)]", "a categorical column needs distinct levels and a reference level that is not one of them.")
                }
            }
        }
        for (process, list) in [("purchase", c.purchase), ("dropout", c.dropout), ("shared", c.sharedCovariates)] {
            for name in list where !names.contains(name) { throw fail(process, "names \(name), which no column gives.") }
            guard Set(list).count == list.count else { throw fail(process, "names a covariate twice.") }
        }
        for name in c.sharedCovariates where !(c.purchase.contains(name) && c.dropout.contains(name)) {
            throw fail("shared", "names \(name), which is not in both purchase and dropout: a shared coefficient acts on both processes.")
        }
        guard !(c.purchase.isEmpty && c.dropout.isEmpty) else { throw fail("purchase", "and dropout are both empty.") }
    }

    /// The ties of shared covariate coefficients among the purchase model's parameters (nil when none).
    public var sharedCoefficients: TiedParameters? {
        guard let covariates, !covariates.sharedCovariates.isEmpty,
              let type = ModelRegistry.purchaseModels[purchaseModel.model] as? any CovariatePurchaseModel.Type else { return nil }
        return type.sharedCoefficients(purchase: covariates.purchase, dropout: covariates.dropout, shared: covariates.sharedCovariates)
    }

    /// The covariate model the file describes (nil for a model without covariates).
    public func makeCovariateModel() throws -> (any CustomerParameterModel)? {
        guard let covariates else { return nil }
        guard let type = ModelRegistry.purchaseModels[purchaseModel.model] as? any CovariatePurchaseModel.Type else {
            throw ModelFileError(file: "model", field: "purchase_model.model", message: "\(purchaseModel.model) takes no covariates.")
        }
        return try type.covariateModel(purchaseModel, covariates)
    }

    /// The purchase model the file describes, ready to predict.
    public func makePurchaseModel() throws -> any PurchaseModel {
        guard let type = ModelRegistry.purchaseModels[purchaseModel.model] else {
            throw ModelFileError(file: "model", field: "purchase_model.model", message: "unknown model \(purchaseModel.model).")
        }
        // With covariates: the base model at covariates = 0 (the first parameters).
        return try type.init(parameterValues: Array(purchaseModel.parameterValues.prefix(type.parameterNames.count)))
    }

    /// The spend model, if the file has one.
    public func makeSpendModel() throws -> (any SpendModel)? {
        guard let spend = spendModel else { return nil }
        guard let type = ModelRegistry.spendModels[spend.model] else {
            throw ModelFileError(file: "model", field: "spend_model.model", message: "unknown model \(spend.model).")
        }
        return try type.init(parameterValues: spend.parameterValues)
    }
}

extension FittedModelRecord {
    /// A record of a fit, with the spend-model extras where given.
    public init<M: FittableModel>(_ fit: FitResult<M>, frequencyMonetaryCorrelation: Double? = nil, excludedZeroSpend: Double? = nil) {
        let names = M.parameterNames
        model = M.identifier
        parameterNames = names
        parameters = Dictionary(uniqueKeysWithValues: zip(names, fit.model.parameterValues))
        standardErrors = Dictionary(uniqueKeysWithValues: zip(names, fit.standardErrors))
        covariance = fit.covariance.rowArrays
        logLikelihood = fit.logLikelihood
        aic = fit.aic
        bic = fit.bic
        customers = fit.observationCount
        iterations = fit.iterations
        converged = fit.converged
        termination = fit.termination.rawValue
        gradientNorm = fit.gradientNorm
        self.frequencyMonetaryCorrelation = frequencyMonetaryCorrelation
        self.excludedZeroSpend = excludedZeroSpend
    }

    /// A record of a fit bound to no model type (a covariate model: base parameters and
    /// coefficients); `model` is the base model's identifier.
    public init(model: String, _ fit: ParameterFit) {
        self.model = model
        parameterNames = fit.names
        parameters = Dictionary(uniqueKeysWithValues: zip(fit.names, fit.estimates))
        standardErrors = Dictionary(uniqueKeysWithValues: zip(fit.names, fit.covariance.diagonalEntries.map { $0.squareRoot() }))
        covariance = fit.covariance.rowArrays
        logLikelihood = fit.logLikelihood
        if fit.freeParameterCount < fit.names.count { freeParameters = fit.freeParameterCount }
        let k = Double(fit.freeParameterCount)
        aic = 2 * k - 2 * fit.logLikelihood
        bic = k * Double.log(fit.observationCount) - 2 * fit.logLikelihood
        customers = fit.observationCount
        iterations = fit.iterations
        converged = true
        termination = fit.termination.rawValue
        gradientNorm = fit.gradientNorm
    }

    /// Where a parameter lives: a covariate coefficient (`<parameter>.<covariate>`, the only
    /// names with a dot) is free, every base parameter positive.
    public static func domain(of name: String) -> ParameterDomain {
        name.contains(".") ? .real : .positive
    }

    func validate(expectedNames: [String], prefix: String, file: String) throws(ModelFileError) {
        func fail(_ field: String, _ message: String) -> ModelFileError {
            ModelFileError(file: file, field: "\(prefix).\(field)", message: message)
        }
        guard parameterNames == expectedNames else {
            throw fail("parameter_names", "is \(parameterNames), but \(model) has parameters \(expectedNames).")
        }
        for name in expectedNames {
            guard let v = parameters[name] else { throw fail("parameters.\(name)", "is missing.") }
            if Self.domain(of: name) == .real {
                guard v.isFinite else { throw fail("parameters.\(name)", "\(v) is not a finite number.") }
            } else {
                guard v.isFinite, v > 0 else { throw fail("parameters.\(name)", "\(v) is not a positive finite number.") }
            }
            guard let se = standardErrors[name] else { throw fail("standard_errors.\(name)", "is missing.") }
            guard se.isFinite, se >= 0 else { throw fail("standard_errors.\(name)", "\(se) is not a non-negative finite number.") }
        }
        if let extra = Set(parameters.keys).subtracting(expectedNames).sorted().first {
            throw fail("parameters.\(extra)", "is not a parameter of \(model).")
        }
        let k = expectedNames.count
        guard covariance.count == k, covariance.allSatisfy({ $0.count == k }) else {
            throw fail("covariance", "must be a \(k)×\(k) matrix.")
        }
        for i in 0..<k {
            guard covariance[i][i].isFinite, covariance[i][i] >= 0 else { throw fail("covariance[\(i)][\(i)]", "a variance must be non-negative.") }
            for j in 0..<k {
                let u = covariance[i][j], v = covariance[j][i]
                guard u.isFinite, abs(u - v) <= 1e-9 * max(abs(u), abs(v), 1e-300) else {
                    throw fail("covariance[\(i)][\(j)]", "the covariance matrix must be finite and symmetric.")
                }
            }
        }
        for (name, v) in [("log_likelihood", logLikelihood), ("aic", aic), ("bic", bic), ("gradient_norm", gradientNorm)] where !v.isFinite {
            throw fail(name, "\(v) is not a finite number.")
        }
        guard customers.isFinite, customers > 0 else { throw fail("customers", "\(customers) is not a positive number.") }
        guard iterations >= 0 else { throw fail("iterations", "\(iterations) is negative.") }
        guard converged else { throw fail("converged", "is false: clvfit never writes an unconverged model, so this file was altered.") }
        if let penalty, !(penalty.isFinite && penalty > 0) { throw fail("penalty", "\(penalty) is not a positive finite number.") }
    }
}

/// The models a model file may name, by identifier.
public enum ModelRegistry {
    /// Purchase models in the order `--model auto` tries them.
    public static let purchaseModelList: [any PurchaseModel.Type] = [BGNBD.self, ParetoNBD.self, MBGNBD.self, BGBB.self]
    public static let purchaseModels: [String: any PurchaseModel.Type] =
        Dictionary(uniqueKeysWithValues: purchaseModelList.map { ($0.identifier, $0) })
    public static let spendModels: [String: any SpendModel.Type] = [GammaGamma.identifier: GammaGamma.self]
    /// The purchase models that take covariates.
    public static var covariateModels: [any CovariatePurchaseModel.Type] { purchaseModelList.compactMap { $0 as? any CovariatePurchaseModel.Type } }
    /// The purchase models that give DERT (`score --lifetime`).
    public static var lifetimeModels: [String] { purchaseModelList.filter { $0 is any ResidualTransactionsModel.Type }.map { $0.identifier } }
    /// Subscription (contractual) models, for `--cohort` and `--subscribers`.
    public static let retentionModelList: [any RetentionModel.Type] = [SBG.self, BdW.self]
    public static let retentionModels: [String: any RetentionModel.Type] =
        Dictionary(uniqueKeysWithValues: retentionModelList.map { ($0.identifier, $0) })
    /// The candidates of `--model auto` for continuous-time summaries.
    public static var continuousTimeCandidates: [any PurchaseModel.Type] { purchaseModelList.filter { !$0.isDiscreteTime } }
}
