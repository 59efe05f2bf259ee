import Crypto
import Foundation

/// The model file of a subscription (contractual) model: sBG or BdW fitted to a cohort table or a
/// subscriber summary. A document of its own kind (`format` = `clvfit-retention-model`), since it
/// shares nothing with a purchase model's but the fitted-model record: no spend model, no time
/// unit of days or weeks, no RFM summary. docs/model-format.md documents every field.
public struct RetentionModelFile: Codable, Equatable, Sendable {
    public static let formatName = "clvfit-retention-model"
    public static let readableVersions = [1]

    public var format: String
    public var formatVersion: Int
    public var toolVersion: String
    /// The name of the period (`month`, `year`, …; `period` when not given): informational, the
    /// parameters are per period whatever it is called.
    public var period: String
    public var trainingData: TrainingData
    public var retentionModel: FittedModelRecord

    /// What the model was fitted on.
    public struct TrainingData: Codable, Equatable, Sendable {
        /// The input file's name (no directories).
        public var source: String
        /// `cohort` (a cohort table) or `subscribers` (a subscriber summary).
        public var form: String
        public var subscribers: Double
        /// Of them, still subscribed.
        public var active: Double
        /// The longest tenure seen, in periods paid for.
        public var longestTenure: Double
        /// SHA-256 (hex) of the grouped history: for each (periods, active) in ascending order of
        /// periods then active, the three numbers as little-endian IEEE-754 doubles (active 0/1)
        /// followed by the weight. Any change to the data changes it; the row order does not.
        public var historySha256: String
        /// A cohort table's survivors in periods 0…K (what `score --simple` compares with);
        /// absent for a subscriber summary.
        public var cohortSurvivors: [Double]?
    }

    public init(toolVersion: String = ClvFitVersion.current, period: String, trainingData: TrainingData, retentionModel: FittedModelRecord) {
        format = Self.formatName
        formatVersion = 1
        self.toolVersion = toolVersion
        self.period = period
        self.trainingData = trainingData
        self.retentionModel = retentionModel
    }

    /// The file's bytes, as a purchase model file's (`StableJSON`).
    public func encoded() throws -> Data { try StableJSON.encode(self) }

    /// Validates, then writes atomically.
    public func write(to path: String) throws {
        try validate(file: path)
        try AtomicOutput.write(try encoded(), to: path)
    }

    public static func load(path: String) throws(ModelFileError) -> RetentionModelFile {
        try decode(try ModelFile.readBytes(path: path), file: path)
    }

    public static func decode(_ data: Data, file: String) throws(ModelFileError) -> RetentionModelFile {
        let (top, _) = try ModelFile.topLevel(data, file: file)
        try ModelFile.checkFormat(top, file: file, name: formatName, versions: readableVersions)
        let model = try ModelFile.decodeFields(RetentionModelFile.self, from: data, file: file)
        try model.validate(file: file)
        return model
    }

    /// Known model, its parameters (names, positive finite values, standard errors, covariance),
    /// and a training fingerprint that makes sense.
    public func validate(file: String) throws(ModelFileError) {
        func fail(_ field: String, _ message: String) -> ModelFileError { ModelFileError(file: file, field: field, message: message) }
        guard let type = ModelRegistry.retentionModels[retentionModel.model] else {
            throw fail("retention_model.model", "\"\(retentionModel.model)\" is not a subscription model clvfit knows (\(ModelRegistry.retentionModelList.map { $0.identifier }.joined(separator: ", "))).")
        }
        try retentionModel.validate(expectedNames: type.parameterNames, prefix: "retention_model", file: file)
        guard !period.isEmpty else { throw fail("period", "is empty; name the period (month, year, …) or write \"period\".") }
        guard ["cohort", "subscribers"].contains(trainingData.form) else {
            throw fail("training_data.form", "is \"\(trainingData.form)\", not \"cohort\" or \"subscribers\".")
        }
        guard trainingData.subscribers.isFinite, trainingData.subscribers > 0 else {
            throw fail("training_data.subscribers", "\(trainingData.subscribers) is not a positive number.")
        }
        guard trainingData.active.isFinite, trainingData.active >= 0, trainingData.active <= trainingData.subscribers else {
            throw fail("training_data.active", "\(trainingData.active) is not between 0 and the \(trainingData.subscribers) subscribers.")
        }
        guard trainingData.longestTenure.isFinite, trainingData.longestTenure >= 1 else {
            throw fail("training_data.longest_tenure", "\(trainingData.longestTenure) is not a number of periods ≥ 1.")
        }
        guard trainingData.historySha256.count == 64, trainingData.historySha256.allSatisfy(\.isHexDigit) else {
            throw fail("training_data.history_sha256", "is not a 64-digit hexadecimal SHA-256.")
        }
        if let survivors = trainingData.cohortSurvivors {
            guard survivors.count >= 2, survivors.allSatisfy({ $0.isFinite && $0 >= 0 }), zip(survivors, survivors.dropFirst()).allSatisfy({ $0 >= $1 }) else {
                throw fail("training_data.cohort_survivors", "is not a cohort's non-increasing counts for periods 0, 1, ….")
            }
        }
    }

    /// The fitted model, ready to predict.
    public func makeRetentionModel() throws -> any RetentionModel {
        guard let type = ModelRegistry.retentionModels[retentionModel.model] else {
            throw ModelFileError(file: "model", field: "retention_model.model", message: "unknown model \(retentionModel.model).")
        }
        return try type.init(parameterValues: retentionModel.parameterValues)
    }

    /// The digest of `training_data.history_sha256`.
    public static func historyDigest(_ history: SubscriberHistory) -> String {
        let grouped = history.grouped()
        let order = (0..<grouped.count).sorted {
            (grouped.periods[$0], grouped.active[$0] ? 1 : 0) < (grouped.periods[$1], grouped.active[$1] ? 1 : 0)
        }
        var hasher = SHA256()
        for i in order {
            for v in [grouped.periods[i], grouped.active[i] ? 1 : 0, grouped.weight[i]] {
                withUnsafeBytes(of: v.bitPattern.littleEndian) { hasher.update(bufferPointer: $0) }
            }
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

/// A model file of either kind, told apart by its `format` (`clvfit score --model` takes both).
public enum AnyModelFile: Sendable {
    case purchase(ModelFile)
    case retention(RetentionModelFile)

    /// Reads the file once and validates it as the kind its `format` names; a file of no known
    /// format is refused as a purchase model file would refuse it.
    public static func load(path: String) throws(ModelFileError) -> AnyModelFile {
        let data = try ModelFile.readBytes(path: path)
        if try ModelFile.topLevel(data, file: path).format == RetentionModelFile.formatName {
            return .retention(try RetentionModelFile.decode(data, file: path))
        }
        return .purchase(try ModelFile.decode(data, file: path))
    }
}
