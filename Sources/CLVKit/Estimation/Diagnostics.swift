import CLVNumerics
import Foundation

/// A reason to distrust (part of) a fitted model: a stable machine-readable `code` and one
/// sentence for people. Written to the model file's `warnings`, printed by the CLI on stderr,
/// and meant for any report that shows a model.
public struct DiagnosticWarning: Sendable, Equatable, Codable {
    /// Stable identifier, e.g. `spend-frequency-correlation` (see `Diagnostics.Code`).
    public var code: String
    /// One sentence naming the numbers that triggered it and what it means.
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// Checks a fitted model (and, when available, its training data) for the situations in which
/// its numbers should not be taken at face value. Each check has one code, a stated rule and
/// a justified threshold; none changes the fit.
public enum Diagnostics {
    /// The warning codes, one per rule.
    public enum Code: String, CaseIterable, Sendable {
        /// |corr(x, m̄)| > `correlationThreshold` among the spend model's customers.
        case spendFrequencyCorrelation = "spend-frequency-correlation"
        /// Gamma-Gamma q ≤ 1: E[M] = p(γ + x m̄)/(px + q − 1) has no finite population mean.
        case spendMeanUndefined = "spend-mean-undefined"
        /// BG/NBD, MBG/NBD a ≤ 1, Pareto/NBD s ≤ 1, BG/BB γ ≤ 1: infinite expected lifetime purchases.
        case unboundedLifetime = "unbounded-lifetime"
        /// A parameter ran towards 0 or ∞.
        case parameterAtBoundary = "parameter-at-boundary"
        /// Condition number of the log-scale Hessian above `conditionNumberThreshold`.
        case hessianNearSingular = "hessian-near-singular"
        /// Median T shorter than `gapsPerCalibration` mean inter-purchase times.
        case shortCalibration = "short-calibration"
        /// Too few customers with a repeat purchase.
        case fewRepeatCustomers = "few-repeat-customers"
    }

    /// |corr(frequency, mean spend)| above which Gamma-Gamma's independence assumption is
    /// flagged. At 0.3 frequency explains 9 % of the variance of mean spend (Cohen's "medium"
    /// effect), enough to bias E[M | x, m̄] for light and heavy buyers in opposite directions;
    /// CDNOW's 0.11 (1 %) is below it. With the few hundred repeat customers of a typical fit
    /// the sampling sd of a zero correlation is ≤ 0.05, so 0.3 is not reached by chance.
    public static let correlationThreshold = 0.3
    /// Largest/smallest eigenvalue of the log-scale Hessian above which it is near-singular:
    /// 1e8 ≈ 1/√ε (ε = 2.2e-16). Past it, the likelihood along the weakest direction is flat to
    /// about half the digits a double carries, so that direction's standard error (and every
    /// interval that depends on it) is not reliable. CDNOW: 165 (BG/NBD) and 891 (Gamma-Gamma).
    public static let conditionNumberThreshold = 1e8
    /// A log-parameter standard error above 3 means the 95 % interval spans a factor of
    /// e^(2·1.96·3) ≈ 1.3e5: the data do not determine the parameter, the signature of a
    /// maximum on a boundary (a flat ridge towards 0 or ∞).
    public static let logStandardErrorLimit = 3.0
    /// Dimensionless parameters (shapes) outside [1e-4, 1e4] are at a boundary: a gamma or
    /// beta mixing distribution with such a shape is a point mass or has lost its mass at 0.
    /// Parameters with a unit (BG/NBD α in time, Gamma-Gamma γ in currency) are exempt from
    /// this rule, because their size depends on the unit.
    public static let shapeRange = 1e-4...1e4
    /// Median T should span at least this many mean inter-purchase times: an active customer
    /// buying at the mean rate stays silent for 3 gaps with probability e⁻³ ≈ 5 %, so under 3
    /// gaps silence is weak evidence of drop-out and the model cannot tell slow buyers from
    /// lost ones.
    public static let gapsPerCalibration = 3.0
    /// Fewer repeat customers than this (or than `minimumRepeatShare` of all) is too few:
    /// the drop-out parameters and the whole spend model are learnt from repeat customers only.
    public static let minimumRepeatCustomers = 30.0
    public static let minimumRepeatShare = 0.1

    /// Every warning for a model file, plus the data checks when the training `data` is given.
    public static func warnings(for file: ModelFile, data: CustomerSummaryTable? = nil) -> [DiagnosticWarning] {
        var out: [DiagnosticWarning] = []
        out += lifetimeWarnings(file.purchaseModel)
        out += fitWarnings(file.purchaseModel, ties: file.sharedCoefficients)
        if let spend = file.spendModel {
            out += spendWarnings(spend)
            out += fitWarnings(spend)
        }
        if let data { out += calibrationWarnings(data, discreteTime: ModelRegistry.purchaseModels[file.purchaseModel.model]?.isDiscreteTime ?? false) }
        return out
    }

    /// Gamma-Gamma: the independence assumption and q > 1.
    public static func spendWarnings(_ record: FittedModelRecord) -> [DiagnosticWarning] {
        var out: [DiagnosticWarning] = []
        if let c = record.frequencyMonetaryCorrelation, abs(c) > correlationThreshold {
            out.append(.init(code: Code.spendFrequencyCorrelation.rawValue, message: String(
                format: "the correlation of frequency and mean spend is %.3f (|r| > %.1f): Gamma-Gamma assumes they are independent, so expected spend is biased for light and heavy buyers.",
                c, correlationThreshold)))
        }
        if record.model == GammaGamma.identifier, let q = record.parameters["q"], q <= 1 {
            out.append(.init(code: Code.spendMeanUndefined.rawValue, message: String(
                format: "Gamma-Gamma q = %.4g ≤ 1: the population mean spend pγ/(q − 1) is infinite, so E[spend] = p(γ + x m̄)/(px + q − 1) is undefined for new customers and dominated by the tail for the others; scoring will refuse it (the spend data are too heavy-tailed for this model).",
                q)))
        }
        return out
    }

    /// The purchase model's expected number of purchases over an unlimited horizon:
    /// ```
    /// BG/NBD   E[X(∞)] = (a + b − 1)/(a − 1)    (FHL 2005 eq. 9 as t → ∞; E[1/p], p ~ Beta(a, b))
    /// MBG/NBD  E[X(∞)] = b/(a − 1)
    /// Pareto/NBD E[X(∞)] = rβ/(α(s − 1))       (E[λ] E[1/μ], μ ~ Gamma(s, β))
    /// BG/BB    E[X(∞)] = α/(α+β) · δ/(γ − 1)
    /// ```
    /// Each has its pole at the parameter = 1 and is infinite below it. Finite-horizon
    /// forecasts stay finite (the pole in E[X(t)]'s prefactor cancels with its bracket), but
    /// they keep growing with the horizon and are driven by the most loyal few.
    public static func lifetimeWarnings(_ record: FittedModelRecord) -> [DiagnosticWarning] {
        let names = ["bgnbd": "a", "mbgnbd": "a", "pareto-nbd": "s", "bgbb": "gamma"]
        guard let name = names[record.model], let value = record.parameters[name], value <= 1 else { return [] }
        return [.init(code: Code.unboundedLifetime.rawValue, message: String(
            format: "%@ %@ = %.4g ≤ 1: the expected number of purchases over an unlimited horizon is infinite (its formula has a pole at %@ = 1); forecasts over a finite horizon are defined but grow without bound as the horizon lengthens, driven by the few most loyal customers, so keep CLV horizons short.",
            record.model, name, value, name))]
    }

    /// The fit itself: parameters at a boundary, a near-singular Hessian. With `ties` (shared
    /// coefficients) the checks see each tied group once: its covariance is singular by
    /// construction, not because the data fail to determine it.
    public static func fitWarnings(_ record: FittedModelRecord, ties: TiedParameters? = nil) -> [DiagnosticWarning] {
        var out: [DiagnosticWarning] = []
        let ties = ties ?? TiedParameters(count: record.parameterNames.count)
        let sigma = ties.reduceCovariance(record.logParameterCovariance)
        let dimensioned: Set<String> = ["bgnbd": ["alpha"], "mbgnbd": ["alpha"], "pareto-nbd": ["alpha", "beta"],
                                        "gamma-gamma": ["gamma"]][record.model] ?? []
        var boundary: [String] = []
        for (i, name) in ties.reduce(record.parameterNames).enumerated() {
            let theta = record.parameters[name] ?? .nan, s = sigma[i, i].squareRoot()
            if s > logStandardErrorLimit {
                boundary.append(String(format: "%@ = %.4g (standard error of ln %@ %.3g > %.0f)", name, theta, name, s, logStandardErrorLimit))
            } else if !dimensioned.contains(name), FittedModelRecord.domain(of: name) == .positive, !shapeRange.contains(theta) {
                boundary.append(String(format: "%@ = %.4g (outside [1e-4, 1e4])", name, theta))
            }
        }
        if !boundary.isEmpty {
            out.append(.init(code: Code.parameterAtBoundary.rawValue, message:
                "\(record.model): \(boundary.joined(separator: ", ")): the maximum is at or near a boundary of the parameter space, so that parameter is not determined by the data and its standard error and intervals are not meaningful."))
        }
        if let condition = conditionNumber(sigma), condition > conditionNumberThreshold {
            out.append(.init(code: Code.hessianNearSingular.rawValue, message: String(
                format: "%@: the log-scale Hessian has condition number %.3g (> %.0e): some combination of parameters is nearly unidentified, so standard errors and intervals along it are unreliable.",
                record.model, condition, conditionNumberThreshold)))
        }
        return out
    }

    /// λmax/λmin of a symmetric positive matrix (the same for Σ and its inverse, the Hessian);
    /// nil when the eigen-solver fails, ∞ when λmin ≤ 0.
    public static func conditionNumber(_ m: Matrix) -> Double? {
        guard let eigen = try? LAPACK.symmetricEigen(m), let lo = eigen.values.first, let hi = eigen.values.last else { return nil }
        return lo > 0 ? hi / lo : .infinity
    }

    /// The data: are there enough repeat customers, and is the calibration long enough?
    ///
    /// Mean inter-purchase time = Σ w t_x / Σ w x over customers with x > 0 (each repeat
    /// customer's t_x spans x gaps). Rules: repeat customers < `minimumRepeatCustomers` or
    /// < `minimumRepeatShare` of all customers; median T < `gapsPerCalibration` × that mean.
    public static func calibrationWarnings(_ data: CustomerSummaryTable, discreteTime: Bool = false) -> [DiagnosticWarning] {
        var out: [DiagnosticWarning] = []
        var total = 0.0, repeaters = 0.0, gapTime = 0.0, gaps = 0.0
        for i in 0..<data.count {
            let w = data.weight[i]
            total += w
            guard data.frequency[i] > 0 else { continue }
            repeaters += w
            gapTime += w * data.recency[i]
            gaps += w * data.frequency[i]
        }
        guard total > 0 else { return [] }
        if repeaters < minimumRepeatCustomers || repeaters < minimumRepeatShare * total {
            out.append(.init(code: Code.fewRepeatCustomers.rawValue, message: String(
                format: "only %.0f of %.0f customers (%.1f %%) made a repeat purchase (fewer than %.0f or %.0f %%): drop-out and spend are learnt from repeat customers, so their parameters rest on very little data; a longer calibration period helps.",
                repeaters, total, 100 * repeaters / total, minimumRepeatCustomers, 100 * minimumRepeatShare)))
        }
        if gaps > 0, gapTime > 0 {
            let meanGap = gapTime / gaps
            let median = weightedMedian(data.T, weights: data.weight)
            if median < gapsPerCalibration * meanGap {
                let unit = discreteTime ? "opportunities" : "\(data.unit.rawValue)s"
                out.append(.init(code: Code.shortCalibration.rawValue, message: String(
                    format: "the median customer was observed for %.3g %@, less than %.0f mean times between purchases (%.3g %@): a silent customer may just be a slow one, so P(alive) and drop-out are poorly determined; use a longer calibration period.",
                    median, unit, gapsPerCalibration, meanGap, unit)))
            }
        }
        return out
    }

    /// The weighted median (lower median): the smallest v with Σ w[v' ≤ v] ≥ Σ w / 2.
    static func weightedMedian(_ values: [Double], weights: [Double]) -> Double {
        WeightedQuantile.lower(values, weights: weights, q: 0.5)
    }
}
