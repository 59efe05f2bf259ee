import Foundation

/// What `clvfit train --model sbg|bdw` does: fit a retention model to a subscriber history and
/// package it with its fingerprint.
public enum RetentionTraining {
    public static func train(_ history: SubscriberHistory, model type: any RetentionModel.Type, source: String,
                             cohort: CohortTable? = nil, period: String = "period",
                             estimator: Estimator = Estimator()) throws -> (file: RetentionModelFile, model: any RetentionModel) {
        let (model, record) = try fit(type, to: history, estimator: estimator)
        let active = zip(history.active, history.weight).reduce(0.0) { $0 + ($1.0 ? $1.1 : 0) }
        let training = RetentionModelFile.TrainingData(
            source: URL(fileURLWithPath: source).lastPathComponent, form: cohort == nil ? "subscribers" : "cohort",
            subscribers: history.customerCount, active: active, longestTenure: history.periods.max() ?? 1,
            historySha256: RetentionModelFile.historyDigest(history), cohortSurvivors: cohort?.survivors)
        return (RetentionModelFile(period: period, trainingData: training, retentionModel: record), model)
    }

    static func fit<M: RetentionModel>(_ type: M.Type, to history: SubscriberHistory, estimator: Estimator) throws -> (M, FittedModelRecord) {
        let result = try estimator.fit(type, to: history)
        return (result.model, FittedModelRecord(result))
    }
}
