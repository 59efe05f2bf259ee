import Foundation

/// Several purchase models fitted to the same summary, side by side: fit statistics and, when
/// the summary has holdout columns, how well each predicts the holdout. Behind
/// `clvfit evaluate --compare` and `clvfit train --model auto`.
public struct ModelComparison: Sendable, Codable, Equatable {
    public struct Row: Sendable, Codable, Equatable {
        public var model: String
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
    }

    public var rows: [Row]

    /// Fits every candidate to `table` (holdout columns, if any, are used only for the errors).
    /// A candidate that fails is kept as a row with its error; it never stops the others.
    public static func compare(_ table: CustomerSummaryTable, source: String,
                               candidates: [any PurchaseModel.Type],
                               estimator: Estimator = Estimator()) throws -> ModelComparison {
        let data = try PurchaseHistory(table, source: source).compressed()
        var rows: [Row] = []
        for candidate in candidates {
            var row = Row(model: candidate.identifier, parameters: [:])
            do {
                let (model, record) = try Training.fit(candidate, to: data, source: source, estimator: estimator)
                row.parameters = record.parameters
                row.logLikelihood = record.logLikelihood
                row.aic = record.aic
                row.bic = record.bic
                if table.holdout != nil {
                    let evaluation = try HoldoutEvaluation.evaluate(table, purchaseModel: model, spendModel: nil)
                    row.holdoutMae = evaluation.holdout.mae
                    row.holdoutRmse = evaluation.holdout.rmse
                    row.totalPredicted = evaluation.holdout.totalPredicted
                    row.totalActual = evaluation.holdout.totalActual
                }
            } catch {
                row.error = "\(error)"
            }
            rows.append(row)
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
            return (best, "lowest holdout MAE of purchases per customer (\(Self.format(best.holdoutMae!))) among \(fitted.map(\.model).joined(separator: ", "))")
        }
        let best = fitted.min { $0.bic! < $1.bic! }!
        return (best, "lowest BIC (\(Self.format(best.bic!, digits: 2))) among \(fitted.map(\.model).joined(separator: ", ")); no holdout was given")
    }

    static func format(_ v: Double, digits: Int = 4) -> String { String(format: "%.\(digits)f", v) }

    /// One table for people.
    public func text() -> String {
        var s = "model        log-lik        AIC          BIC          holdout MAE  RMSE     predicted  actual   parameters\n"
        for r in rows {
            s += r.model.padding(toLength: 13, withPad: " ", startingAt: 0)
            if let error = r.error {
                s += "failed: \(error)\n"
                continue
            }
            func col(_ v: Double?, _ digits: Int, _ width: Int) -> String {
                (v.map { Self.format($0, digits: digits) } ?? "—").padding(toLength: width, withPad: " ", startingAt: 0)
            }
            s += col(r.logLikelihood, 2, 15) + col(r.aic, 2, 13) + col(r.bic, 2, 13)
            s += col(r.holdoutMae, 4, 13) + col(r.holdoutRmse, 4, 9) + col(r.totalPredicted, 1, 11) + col(r.totalActual, 0, 9)
            // In the paper's order (the model's parameterNames), not alphabetical.
            let names = ModelRegistry.purchaseModels[r.model]?.parameterNames ?? r.parameters.keys.sorted()
            s += names.compactMap { name in r.parameters[name].map { "\(name)=\(Self.format($0))" } }.joined(separator: " ")
            s += "\n"
        }
        if let (best, reason) = choice() { s += "\nbest: \(best.model) — \(reason)\n" }
        return s
    }

    /// Stable JSON for programs.
    public func json() throws -> Data {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try e.encode(self)
        data.append(0x0A)
        return data
    }
}
