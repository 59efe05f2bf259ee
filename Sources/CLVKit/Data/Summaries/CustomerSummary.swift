/// The RFM summary of a customer base: one row per customer (or per distinct pattern, with a
/// weight), column-wise so that likelihoods over millions of rows stream through memory.
///
/// Definitions (Fader, Hardie & Lee 2005; identical to `lifetimes.utils.summary_data_from_transaction_data`):
/// - `frequency` x: the number of *repeat* purchase days (distinct purchase days − 1);
/// - `recency` t_x: time from the first to the last purchase;
/// - `T`: time from the first purchase to the end of the observation window;
/// - `monetaryValue` m̄: mean amount of the repeat purchases (0 when x = 0);
/// all times in the table's `unit`.
public struct CustomerSummaryTable: Sendable, Equatable {
    public var unit: TimeUnit
    public var customerIDs: [String]
    public var frequency: [Double]
    public var recency: [Double]
    public var T: [Double]
    /// Mean repeat-purchase amount; `nil` when the data had no amount column.
    public var monetaryValue: [Double]?
    /// How many customers each row stands for (1 for a per-customer summary).
    public var weight: [Double]
    /// Holdout-period columns, present when the summary was split at a calibration end.
    public var holdout: HoldoutColumns?
    /// Where the data came from (dates, file), for the model file's fingerprint.
    public var provenance: Provenance

    public init(unit: TimeUnit, customerIDs: [String], frequency: [Double], recency: [Double], T: [Double],
                monetaryValue: [Double]?, weight: [Double]? = nil, holdout: HoldoutColumns? = nil,
                provenance: Provenance = Provenance()) {
        self.unit = unit
        self.customerIDs = customerIDs
        self.frequency = frequency
        self.recency = recency
        self.T = T
        self.monetaryValue = monetaryValue
        self.weight = weight ?? Array(repeating: 1, count: frequency.count)
        self.holdout = holdout
        self.provenance = provenance
    }

    /// The same customers with recency, T and the holdout duration in `unit` (days ↔ weeks:
    /// × or ÷ 7); nil when one of the units is periods, which have no calendar length.
    /// Frequencies and amounts do not depend on the unit. Dividing whole days by 7 gives the
    /// same numbers as summarizing in weeks.
    public func converted(to unit: TimeUnit) -> CustomerSummaryTable? {
        if unit == self.unit { return self }
        guard let from = self.unit.days, let to = unit.days else { return nil }
        var table = self
        table.unit = unit
        func scale(_ v: Double) -> Double { v * from / to }
        table.recency = recency.map(scale)
        table.T = T.map(scale)
        table.holdout?.duration = scale(holdout?.duration ?? 0)
        return table
    }

    public var count: Int { frequency.count }
    /// Σ weight: the number of customers the table stands for.
    public var customerCount: Double { weight.reduce(0, +) }
}

/// Holdout-period columns, as `lifetimes.utils.calibration_and_holdout_data` names them.
public struct HoldoutColumns: Sendable, Equatable {
    /// Number of distinct purchase days in the holdout period (not "repeat": every purchase counts).
    public var frequency: [Double]
    /// Mean amount of the holdout purchases (0 when none); `nil` without an amount column.
    public var monetaryValue: [Double]?
    /// Length of the holdout period in the table's unit (the same for every customer).
    public var duration: Double

    public init(frequency: [Double], monetaryValue: [Double]?, duration: Double) {
        self.frequency = frequency
        self.monetaryValue = monetaryValue
        self.duration = duration
    }
}

/// Where a summary came from: the transaction dates it covers, for fingerprints and reports.
public struct Provenance: Sendable, Equatable {
    /// First and last transaction date used (ISO `YYYY-MM-DD`), when built from transactions.
    public var firstDate: String?
    public var lastDate: String?
    /// Calibration end and observation end, when given.
    public var calibrationEnd: String?
    public var observationEnd: String?
    /// Number of transaction rows read.
    public var transactionRows: Int?

    public init(firstDate: String? = nil, lastDate: String? = nil, calibrationEnd: String? = nil,
                observationEnd: String? = nil, transactionRows: Int? = nil) {
        self.firstDate = firstDate
        self.lastDate = lastDate
        self.calibrationEnd = calibrationEnd
        self.observationEnd = observationEnd
        self.transactionRows = transactionRows
    }
}

/// The time unit of a summary and of every model fitted to it.
public enum TimeUnit: String, Sendable, CaseIterable, Codable {
    case day
    case week
    /// Discrete purchase opportunities (BG/BB, Fader, Hardie & Shang 2010: T is the number of
    /// opportunities n, e.g. yearly fund-raising drives): counted, with no calendar length.
    case periods

    /// Length of one unit in days; nil for `periods`, which have no calendar length.
    public var days: Double? {
        switch self {
        case .day: 1
        case .week: 7
        case .periods: nil
        }
    }

    /// The unit's name in the plural, for sentences ("trained in weeks").
    public var plural: String {
        switch self {
        case .day: "days"
        case .week: "weeks"
        case .periods: "periods"
        }
    }

    /// Why a model of this type cannot be fitted or scored in this unit, as a sentence; nil when
    /// it can. Discrete-time models (BG/BB) count opportunities, so they need `periods`; the
    /// continuous-time models need calendar time (day or week).
    public func mismatch(with model: any PurchaseModel.Type) -> String? {
        switch (model.isDiscreteTime, self) {
        case (true, .periods), (false, .day), (false, .week): nil
        case (true, _):
            "\(model.displayName) counts discrete purchase opportunities, so its time unit is periods, not \(rawValue)."
        case (false, _):
            "\(model.displayName) is a continuous-time model, so its time unit is day or week; periods (discrete purchase opportunities) are for BG/BB."
        }
    }
}
