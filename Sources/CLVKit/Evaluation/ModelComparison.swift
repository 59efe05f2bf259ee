import Foundation

/// Several purchase models fitted to the same summary, side by side: fit statistics and, when
/// the summary has holdout columns, how well each predicts the holdout. Behind
/// `clvfit evaluate --compare` and `clvfit train --model auto`. With a covariate file, every
/// model that has a covariate form is listed twice, without and with the covariates.
public struct ModelComparison: Sendable, Codable, Equatable {
    public struct Row: Sendable, Codable, Equatable {
        public var model: String
        /// True for the model fitted with the covariate file (its parameters include the
        /// coefficients); absent for a model without covariates.
        public var withCovariates: Bool?
        /// Fitted parameters (empty when the fit failed).
        public var parameters: [String: Double]
        public var logLikelihood: Double?
        public var aic: Double?
        public var bic: Double?
        /// Holdout errors, when the summary has holdout columns and the fit succeeded.
        public var holdoutMae: Double?
        public var holdoutRmse: Double?
        public var totalPredicted: Double?
        public var totalActual: Double?
        /// Why this candidate has no numbers (fit or prediction failed).
        public var error: String?

        /// The model's identifier, and "+ covariates" for the fit with the covariate file.
        public var label: String { withCovariates == true ? "\(model) + covariates" : model }
    }

    public var rows: [Row]

    /// Fits every candidate to `table` (holdout columns, if any, are used only for the errors),
    /// and, with `covariates`, every candidate that has a covariate form once more with them.
    /// A candidate that fails is kept as a row with its error; it never stops the others.
    public static func compare(_ table: CustomerSummaryTable, source: String,
                               candidates: [any PurchaseModel.Type], covariates: CovariateInput? = nil,
                               estimator: Estimator = Estimator()) throws -> ModelComparison {
        let history = try PurchaseHistory(table, source: source)
        let data = history.compressed()
        var rows: [Row] = []
        for candidate in candidates {
            var row = Row(model: candidate.identifier, parameters: [:])
            var plain: (any PurchaseModel)? = nil
            do {
                let (model, record) = try Training.fit(candidate, to: data, source: source, estimator: estimator)
                plain = model
                try row.record(record, holdout: table, models: CustomerModels(shared: model, covariates: nil))
            } catch {
                row.error = "\(error)"
            }
            rows.append(row)
            guard let covariates, candidate is any CovariatePurchaseModel.Type else { continue }
            var covariateRow = Row(model: candidate.identifier, withCovariates: true, parameters: [:])
            do {
                guard let plain else { throw EstimationError.noCandidateFitted(details: "the fit without covariates, its start, failed") }
                let fitted = try Training.fitCovariates(candidate, table: table, history: history, plain: plain,
                                                        compressed: data.count < history.count, covariates: covariates,
                                                        source: source, estimator: estimator)
                try covariateRow.record(fitted.record, holdout: table,
                                        models: CustomerModels(shared: fitted.model.baseModel, covariates: (fitted.model, fitted.design)))
            } catch {
                covariateRow.error = "\(error)"
            }
            rows.append(covariateRow)
        }
        return ModelComparison(rows: rows)
    }

    /// The best row: lowest holdout MAE when every successful row has one, else lowest BIC.
    /// Returns the row and a sentence saying why it was chosen.
    public func choice() -> (row: Row, reason: String)? {
        let fitted = rows.filter { $0.error == nil && $0.bic != nil }
        guard !fitted.isEmpty else { return nil }
        if fitted.allSatisfy({ $0.holdoutMae != nil }) {
            let best = fitted.min { $0.holdoutMae! < $1.holdoutMae! }!
            return (best, "lowest holdout MAE of purchases per customer (\(Self.format(best.holdoutMae!))) among \(fitted.map(\.label).joined(separator: ", "))")
        }
        let best = fitted.min { $0.bic! < $1.bic! }!
        return (best, "lowest BIC (\(Self.format(best.bic!, digits: 2))) among \(fitted.map(\.label).joined(separator: ", ")); no holdout was given")
    }

    static func format(_ v: Double, digits: Int = 4) -> String { String(format: "%.\(digits)f", v) }

    /// One table for people.
    public func text() -> String {
        let width = max(13, (rows.map(\.label.count).max() ?? 0) + 2)
        var s = "model".padding(toLength: width, withPad: " ", startingAt: 0)
            + "log-lik        AIC          BIC          holdout MAE  RMSE     predicted  actual   parameters\n"
        for r in rows {
            s += r.label.padding(toLength: width, withPad: " ", startingAt: 0)
            if let error = r.error {
                s += "failed: \(error)\n"
                continue
            }
            func col(_ v: Double?, _ digits: Int, _ width: Int) -> String {
                (v.map { Self.format($0, digits: digits) } ?? "—").padding(toLength: width, withPad: " ", startingAt: 0)
            }
            s += col(r.logLikelihood, 2, 15) + col(r.aic, 2, 13) + col(r.bic, 2, 13)
            s += col(r.holdoutMae, 4, 13) + col(r.holdoutRmse, 4, 9) + col(r.totalPredicted, 1, 11) + col(r.totalActual, 0, 9)
            // In the paper's order (the model's parameterNames), then the coefficients of each
            // parameter in the same order (`alpha.x` before `a.x`).
            let base = ModelRegistry.purchaseModels[r.model]?.parameterNames ?? r.parameters.keys.sorted()
            let names = base + base.flatMap { p in r.parameters.keys.filter { $0.hasPrefix(p + ".") }.sorted() }
            s += names.compactMap { name in r.parameters[name].map { "\(name)=\(Self.format($0))" } }.joined(separator: " ")
            s += "\n"
        }
        if let (best, reason) = choice() { s += "\nbest: \(best.label) — \(reason)\n" }
        return s
    }

    /// Stable JSON for programs.
    public func json() throws -> Data { try StableJSON.encode(self) }
}

extension ModelComparison.Row {
    /// Takes the fit statistics from `record` and, when `table` has holdout columns, the
    /// holdout errors of `models`.
    mutating func record(_ record: FittedModelRecord, holdout table: CustomerSummaryTable, models: CustomerModels) throws {
        parameters = record.parameters
        logLikelihood = record.logLikelihood
        aic = record.aic
        bic = record.bic
        guard table.holdout != nil else { return }
        let evaluation = try HoldoutEvaluation.evaluate(table, purchaseModel: models.shared, spendModel: nil, models: models)
        holdoutMae = evaluation.holdout.mae
        holdoutRmse = evaluation.holdout.rmse
        totalPredicted = evaluation.holdout.totalPredicted
        totalActual = evaluation.holdout.totalActual
    }
}
