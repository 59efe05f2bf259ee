import Crypto
import Foundation

/// Fits a purchase model and (when the data has amounts) the Gamma-Gamma spend model to a
/// summary and packages both into a model file. The one library call behind `clvfit train`.
public struct TrainingOutcome: Sendable {
    public var modelFile: ModelFile
    /// The fitted purchase model, ready to predict.
    public var purchaseModel: any PurchaseModel
    /// The fitted spend model; nil when the data has no amounts.
    public var spendModel: GammaGamma?
    /// Why there is no spend model, when there is none.
    public var spendModelSkipped: String?
    /// The covariate model (base at covariates = 0 and coefficients), when trained with covariates.
    public var covariateModel: (any CustomerParameterModel)?
    /// Notes about the covariate file for standard error (columns used by neither process).
    public var covariateNotes: [String] = []
    /// With covariates: the same model fitted without them (the start of the covariate fit, and
    /// the null model of the likelihood-ratio test), and the covariates of the training customers.
    public var withoutCovariates: FittedModelRecord?
    public var covariateDesign: CovariateDesign?

    /// The purchase model of each training customer: the fitted model, or with covariates each
    /// customer's own (rows of the training summary).
    public var customerModels: CustomerModels {
        guard let model = covariateModel, let design = covariateDesign else { return CustomerModels(shared: purchaseModel, covariates: nil) }
        return CustomerModels(shared: purchaseModel, covariates: (model, design))
    }
}

/// A covariate file and which of its columns act on which process (`--covariates`,
/// `--purchase-covariates`, `--dropout-covariates`; nil = every column).
public struct CovariateInput: Sendable {
    public var file: CovariateFile
    public var purchase: [String]?
    public var dropout: [String]?
    /// λ of the L2 penalty on the coefficients (`--penalty`; 0: the plain maximum-likelihood fit).
    public var penalty: Double
    /// Columns with one coefficient for every parameter they shift (`--shared-covariates`).
    public var shared: [String]

    public init(file: CovariateFile, purchase: [String]? = nil, dropout: [String]? = nil, penalty: Double = 0, shared: [String] = []) {
        self.file = file
        self.purchase = purchase
        self.dropout = dropout
        self.penalty = penalty
        self.shared = shared
    }
}

public enum Training {
    /// Trains a purchase model (BG/NBD unless told otherwise) and Gamma-Gamma on `table`.
    /// - Parameters:
    ///   - table: the (calibration) summary; holdout columns, if any, are ignored here.
    ///   - source: the input file's name, recorded in the model file and used in messages.
    ///   - purchaseModel: which purchase model to fit (any registered `PurchaseModel`).
    /// - Throws: `DataError` for a summary that violates the definitions, `EstimationError`
    ///   when a fit fails.
    public static func train(_ table: CustomerSummaryTable, source: String,
                             purchaseModel: any PurchaseModel.Type = BGNBD.self,
                             covariates: CovariateInput? = nil,
                             estimator: Estimator = Estimator()) throws -> TrainingOutcome {
        if let mismatch = table.unit.mismatch(with: purchaseModel) {
            throw DataError(file: source, message: "the summary is in \(table.unit.plural), but \(mismatch)")
        }
        let history = try PurchaseHistory(table, source: source)
        let purchaseData = history.compressed()
        var (purchase, purchaseRecord) = try fit(purchaseModel, to: purchaseData, source: source, estimator: estimator)
        var covariateModel: (any CustomerParameterModel)? = nil
        var specification: CovariateSpecification? = nil
        var withoutCovariates: FittedModelRecord? = nil, design: CovariateDesign? = nil
        var notes: [String] = []
        if let covariates {
            let fitted = try fitCovariates(purchaseModel, table: table, history: history, plain: purchase,
                                           compressed: purchaseData.count < history.count, covariates: covariates,
                                           source: source, estimator: estimator)
            (specification, notes, design) = (fitted.specification, fitted.notes, fitted.design)
            withoutCovariates = purchaseRecord
            covariateModel = fitted.model
            purchaseRecord = fitted.record
            purchase = fitted.model.baseModel
        }

        var spendModel: GammaGamma? = nil
        var spendRecord: FittedModelRecord? = nil
        var skipped: String? = nil
        if table.monetaryValue == nil {
            skipped = "the data has no amount column, so there is no spend model (P(alive) and expected purchases only)."
        } else {
            let spendData = try SpendHistory(table, source: source)
            let fit = try estimator.fit(GammaGamma.self, to: spendData)
            spendModel = fit.model
            spendRecord = FittedModelRecord(fit, frequencyMonetaryCorrelation: frequencyMonetaryCorrelation(spendData),
                                            excludedZeroSpend: spendData.excludedZeroSpend)
        }
        let fingerprint = ModelFile.TrainingData(
            source: URL(fileURLWithPath: source).lastPathComponent,
            customers: table.customerCount, summaryRows: table.count,
            transactionRows: table.provenance.transactionRows,
            firstDate: table.provenance.firstDate, lastDate: table.provenance.lastDate,
            calibrationEnd: table.provenance.calibrationEnd, observationEnd: table.provenance.observationEnd,
            longestT: table.T.max(), summarySha256: summaryDigest(table))
        var file = ModelFile(timeUnit: table.unit, trainingData: fingerprint,
                             purchaseModel: purchaseRecord, spendModel: spendRecord, covariates: specification)
        file.warnings = Diagnostics.warnings(for: file, data: table)
        return TrainingOutcome(modelFile: file, purchaseModel: purchase, spendModel: spendModel, spendModelSkipped: skipped,
                               covariateModel: covariateModel, covariateNotes: notes,
                               withoutCovariates: withoutCovariates, covariateDesign: design)
    }

    /// A purchase model fitted with covariates: the model (base and coefficients), its record,
    /// what the model file keeps of the covariates, notes for standard error, and the covariates
    /// of the summary's rows.
    public struct CovariateFit: Sendable {
        public var model: any CustomerParameterModel
        public var record: FittedModelRecord
        public var specification: CovariateSpecification
        public var notes: [String]
        public var design: CovariateDesign
    }

    /// Fits `purchaseModel` with the covariates of `covariates` to `table`, starting from `plain`
    /// (the same model fitted without them). With `--shared-covariates` it also fits the free
    /// model and records the likelihood-ratio test in the specification.
    /// - Parameter compressed: whether some customers of `history` share (x, t_x, T), so that
    ///   customers equal in covariates too can be fitted once with a count.
    static func fitCovariates(_ purchaseModel: any PurchaseModel.Type, table: CustomerSummaryTable, history: PurchaseHistory,
                              plain: any PurchaseModel, compressed: Bool, covariates: CovariateInput,
                              source: String, estimator: Estimator) throws -> CovariateFit {
        guard let type = purchaseModel as? any CovariatePurchaseModel.Type else {
            throw DataError(file: covariates.file.name, message: "\(purchaseModel.displayName) has no covariate form; covariates work with \(ModelRegistry.covariateModels.map { $0.identifier }.joined(separator: ", ")) (give --model with one of them)")
        }
        guard table.customerIDs.count == table.count, table.weight.allSatisfy({ $0 == 1 }) else {
            throw DataError(file: source, message: "covariates need one row per customer with its id; this summary has weighted rows (customers merged into patterns), so its customers cannot be matched with the covariate file")
        }
        let made = try covariates.file.design(for: table.customerIDs, purchase: covariates.purchase, dropout: covariates.dropout,
                                              shared: covariates.shared)
        var specification = made.specification
        // No two customers share (x, t_x, T) (continuous times): none can share covariates too.
        let (data, compressedDesign) = compressed ? history.compressed(with: made.design) : (history, made.design)
        let shared = made.specification.sharedCovariates
        let fitted = try type.fitWithCovariates(to: data, design: compressedDesign, start: plain, penalty: covariates.penalty,
                                                shared: shared, estimator: estimator)
        if !shared.isEmpty {
            let free = try type.fitWithCovariates(to: data, design: compressedDesign, start: plain, penalty: covariates.penalty,
                                                  shared: [], estimator: estimator)
            specification.sharedTest = LikelihoodRatioTest(
                restricted: fitted.record.logLikelihood, unrestricted: free.record.logLikelihood,
                degreesOfFreedom: free.record.freeParameterCount - fitted.record.freeParameterCount)
        }
        return CovariateFit(model: fitted.model, record: fitted.record, specification: specification,
                            notes: made.notes, design: made.design)
    }

    /// Fits every candidate purchase model (with `covariates`, the covariate-capable ones also
    /// with them), keeps the best (lowest holdout MAE when the table has holdout columns, else
    /// lowest BIC), and records the choice and every candidate's numbers in the model file's
    /// `selection`.
    public static func train(_ table: CustomerSummaryTable, source: String,
                             choosingAmong candidates: [any PurchaseModel.Type],
                             covariates: CovariateInput? = nil,
                             estimator: Estimator = Estimator()) throws -> TrainingOutcome {
        let comparison = try ModelComparison.compare(table, source: source, candidates: candidates,
                                                     covariates: covariates, estimator: estimator)
        guard let (best, reason) = comparison.choice(),
              let type = candidates.first(where: { $0.identifier == best.model }) else {
            throw EstimationError.noCandidateFitted(details: comparison.rows.map { "\($0.label): \($0.error ?? "no result")" }.joined(separator: "; "))
        }
        var outcome = try train(table, source: source, purchaseModel: type,
                                covariates: best.withCovariates == true ? covariates : nil, estimator: estimator)
        outcome.modelFile.selection = ModelSelection(reason: reason, candidates: comparison.rows)
        return outcome
    }

    /// Fits one purchase model type (opened from the existential) and records the fit.
    static func fit<M: PurchaseModel>(_ type: M.Type, to data: PurchaseHistory, source: String,
                                      estimator: Estimator) throws -> (M, FittedModelRecord) {
        try type.validate(data, source: source)
        let result = try estimator.fit(type, to: data)
        return (result.model, FittedModelRecord(result))
    }

    /// SHA-256 (hex) of the summary's calibration columns in a canonical binary form:
    /// ```
    /// unit name, NUL, row count n (UInt64)
    /// for each row: id length (UInt64), id (UTF-8)
    /// frequency[0..<n], recency[0..<n], T[0..<n], monetary value[0..<n] (0 when absent), weight[0..<n]
    /// ```
    /// integers and IEEE-754 doubles little-endian. Any change to any number or id changes it;
    /// the same summary always gives the same digest. Binary rather than the CSV text, because
    /// formatting a million rows of decimals would cost more than fitting them; the columns are
    /// hashed straight from memory. docs/model-format.md shows how to recompute it.
    public static func summaryDigest(_ table: CustomerSummaryTable) -> String {
        var hasher = SHA256()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        func append(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { buffer.append(contentsOf: $0) } }
        buffer.append(contentsOf: Array(table.unit.rawValue.utf8)); buffer.append(0)
        append(UInt64(table.count))
        for id in table.customerIDs {
            append(UInt64(id.utf8.count))
            buffer.append(contentsOf: id.utf8)
            if buffer.count >= 1 << 20 {
                hasher.update(data: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        hasher.update(data: buffer)
        let monetary = table.monetaryValue ?? Array(repeating: 0, count: table.count)
        for column in [table.frequency, table.recency, table.T, monetary, table.weight] {
            #if _endian(little)
            column.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            #else
            hasher.update(data: column.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian, Array.init) })
            #endif
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Weighted Pearson correlation of frequency and mean spend over the repeat customers:
    /// Gamma-Gamma assumes the two are independent (Fader, Hardie & Lee 2005b, §3).
    public static func frequencyMonetaryCorrelation(_ data: SpendHistory) -> Double {
        var sw = 0.0, sx = 0.0, sm = 0.0
        for i in 0..<data.count {
            sw += data.weight[i]; sx += data.weight[i] * data.frequency[i]; sm += data.weight[i] * data.monetaryValue[i]
        }
        let mx = sx / sw, mm = sm / sw
        var cxx = 0.0, cmm = 0.0, cxm = 0.0
        for i in 0..<data.count {
            let dx = data.frequency[i] - mx, dm = data.monetaryValue[i] - mm, w = data.weight[i]
            cxx += w * dx * dx; cmm += w * dm * dm; cxm += w * dx * dm
        }
        guard cxx > 0, cmm > 0 else { return 0 }
        return cxm / (cxx * cmm).squareRoot()
    }
}

extension CovariatePurchaseModel {
    /// Fits this model with covariates, starting from its fit without them (a static member, so
    /// that an existential model type can call it).
    static func fitWithCovariates(to data: PurchaseHistory, design: CovariateDesign, start: any PurchaseModel, penalty: Double,
                                  shared: [String], estimator: Estimator) throws -> (model: any CustomerParameterModel, record: FittedModelRecord) {
        let result = try estimator.fit(Self.self, to: data, covariates: design, start: start as? Self, penalty: penalty, shared: shared)
        var record = FittedModelRecord(model: identifier, result.fit)
        if penalty > 0 { record.penalty = penalty }
        return (result.model, record)
    }

    /// The covariate model a model file's record and specification describe.
    static func covariateModel(_ record: FittedModelRecord, _ specification: CovariateSpecification) throws -> any CustomerParameterModel {
        try CovariatePurchaseModelOf<Self>.make(record, specification)
    }
}
