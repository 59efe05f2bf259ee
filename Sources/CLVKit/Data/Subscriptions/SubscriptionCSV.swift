import Foundation

/// A cohort table: customers of one cohort still subscribed in periods 0, 1, …, K (FH 2007's
/// Table 1 as counts). CSV `period,customers`: the periods 0…K in order, the counts whole
/// numbers that never increase, period 0 the cohort's size.
public struct CohortTable: Sendable, Equatable {
    /// Customers still subscribed in period t = 0…K.
    public var survivors: [Double]

    public init(survivors: [Double]) { self.survivors = survivors }

    /// The subscribers it stands for (`SubscriberHistory(cohort:)`).
    public var history: SubscriberHistory { SubscriberHistory(cohort: survivors) }

    /// The first `periods` + 1 rows (periods 0…`periods`): the calibration part of a projection.
    public func prefix(periods: Int) -> CohortTable { CohortTable(survivors: Array(survivors.prefix(periods + 1))) }

    /// Reads `path` (`-`: standard input).
    public static func read(path: String, options: CSVScanner.Options = CSVScanner.Options()) throws(DataError) -> CohortTable {
        try read(scanner: CSVScanner(path: path, options: options))
    }

    public static func read(bytes: [UInt8], name: String) throws(DataError) -> CohortTable {
        try read(scanner: CSVScanner(bytes: bytes, name: name))
    }

    static func read(scanner: CSVScanner) throws(DataError) -> CohortTable {
        let file = scanner.name
        let expected = "expected a header line with the columns period, customers"
        guard let header = try scanner.readHeader() else { throw DataError(file: file, message: "the cohort table is empty (\(expected))") }
        let columns = CSVColumns(header: header, file: file)
        let periodColumn = try columns.require("period"), customersColumn = try columns.require("customers")
        try SubscriberSummary.refuseOtherColumns(header, known: ["period", "customers"], file: file,
                                                 what: "a cohort table has the columns period and customers")
        var survivors: [Double] = []
        while let record = try scanner.nextRecord() {
            let line = record.line
            func value(_ column: Int) throws(DataError) -> Double {
                guard let v = NumberField.parseDouble(record[column]) else {
                    throw DataError(file: file, line: line, field: header[column], message: NumberField.explainInvalid(record[column]))
                }
                return v
            }
            let period = try value(periodColumn), customers = try value(customersColumn)
            guard period == Double(survivors.count) else {
                throw DataError(file: file, line: line, field: "period", message: "is \(SummaryCSV.format(period)), but the periods must be 0, 1, 2, … in order, one row each; expected \(survivors.count)")
            }
            guard customers >= 0, customers == customers.rounded(), customers < 0x1p53 else {
                throw DataError(file: file, line: line, field: "customers", message: "must be a whole number ≥ 0 (customers still subscribed), not \(SummaryCSV.format(customers))")
            }
            if let previous = survivors.last, customers > previous {
                throw DataError(file: file, line: line, field: "customers", message: "\(SummaryCSV.format(customers)) is more than the \(SummaryCSV.format(previous)) of period \(survivors.count - 1): a cohort only loses customers (new customers belong to a new cohort)")
            }
            if survivors.isEmpty, customers < 1 {
                throw DataError(file: file, line: line, field: "customers", message: "period 0 is the cohort's size and must be at least 1, not \(SummaryCSV.format(customers))")
            }
            survivors.append(customers)
        }
        guard survivors.count >= 2 else {
            throw DataError(file: file, message: "the cohort table has \(survivors.count) period\(survivors.count == 1 ? "" : "s"); a fit needs period 0 (the cohort's size) and at least period 1")
        }
        return CohortTable(survivors: survivors)
    }
}

/// A subscriber summary: CSV `customer_id,periods,active[,payment]`, one row per subscriber:
/// `periods` the periods paid for so far (the first included), `active` 1 if still subscribed
/// and 0 if cancelled, `payment` (optional; or named `amount`) the amount of each payment.
public struct SubscriberSummary: Sendable, Equatable {
    public var ids: [String]
    public var history: SubscriberHistory
    /// The payment column, when the file has one.
    public var payment: [Double]?

    public static let knownColumns = ["customer_id", "periods", "active", "payment", "amount"]

    public static func read(path: String, options: CSVScanner.Options = CSVScanner.Options()) throws(DataError) -> SubscriberSummary {
        try read(scanner: CSVScanner(path: path, options: options))
    }

    public static func read(bytes: [UInt8], name: String) throws(DataError) -> SubscriberSummary {
        try read(scanner: CSVScanner(bytes: bytes, name: name))
    }

    static func read(scanner: CSVScanner) throws(DataError) -> SubscriberSummary {
        let file = scanner.name
        guard let header = try scanner.readHeader() else {
            throw DataError(file: file, message: "the subscriber summary is empty (expected a header line with the columns customer_id, periods, active)")
        }
        let columns = CSVColumns(header: header, file: file)
        let idColumn = try columns.require("customer_id"), periodsColumn = try columns.require("periods")
        let activeColumn = try columns.require("active"), paymentColumn = try columns.find(["payment", "amount"])
        if try columns.find(["payment"]) != nil, try columns.find(["amount"]) != nil {
            throw DataError(file: file, line: 1, field: "amount", message: "the summary has both a payment and an amount column; keep one (the payment per period)")
        }
        try refuseOtherColumns(header, known: knownColumns, file: file,
                               what: "a subscriber summary has the columns customer_id, periods, active and optionally payment (or amount)")
        var ids: [String] = [], periods: [Double] = [], active: [Bool] = [], payments: [Double] = []
        var seen: [String: Int] = [:]
        while let record = try scanner.nextRecord() {
            let line = record.line
            func fail(_ column: Int, _ message: String) -> DataError {
                DataError(file: file, line: line, field: header[column], message: message)
            }
            func value(_ column: Int) throws(DataError) -> Double {
                guard let v = NumberField.parseDouble(record[column]) else { throw fail(column, NumberField.explainInvalid(record[column])) }
                return v
            }
            let id = record.string(at: idColumn)
            guard !DataText.trimmed(id).isEmpty else { throw fail(idColumn, "the customer id is empty") }
            if let first = seen[id] {
                throw fail(idColumn, "customer '\(DataText.shortened(id))' appears twice (lines \(first) and \(line)); a subscriber summary has one row per subscriber")
            }
            seen[id] = line
            let n = try value(periodsColumn)
            guard n >= 1, n == n.rounded(), n < 0x1p53 else {
                throw fail(periodsColumn, "must be a whole number ≥ 1 (periods paid for, the first included), not \(SummaryCSV.format(n))")
            }
            let a = try value(activeColumn)
            guard a == 0 || a == 1 else {
                throw fail(activeColumn, "must be 1 (still subscribed) or 0 (cancelled), not \(SummaryCSV.format(a))")
            }
            if let paymentColumn {
                let p = try value(paymentColumn)
                guard p >= 0 else { throw fail(paymentColumn, "must be an amount ≥ 0, not \(SummaryCSV.format(p))") }
                payments.append(p)
            }
            ids.append(id); periods.append(n); active.append(a == 1)
        }
        guard !ids.isEmpty else { throw DataError(file: file, message: "the subscriber summary has a header but no subscribers") }
        return SubscriberSummary(ids: ids, history: SubscriberHistory(periods: periods, active: active),
                                 payment: paymentColumn == nil ? nil : payments)
    }

    /// The summary as CSV, `customer_id,periods,active` (and `payment` when it has one): what
    /// `summarize --subscriptions` writes and `read` reads back.
    public static func csv(_ summary: SubscriberSummary) -> [UInt8] {
        var out = SummaryCSV.ByteSink(capacity: summary.ids.count * 24 + 64)
        out.write("customer_id,periods,active" + (summary.payment == nil ? "" : ",payment") + "\n")
        for i in summary.ids.indices {
            var id = summary.ids[i]
            id.withUTF8 { SummaryCSV.appendField($0, to: &out) }
            out.append(UInt8(ascii: ","))
            SummaryCSV.appendNumber(summary.history.periods[i], to: &out)
            out.write(summary.history.active[i] ? ",1" : ",0")
            if let payment = summary.payment {
                out.append(UInt8(ascii: ","))
                SummaryCSV.appendNumber(payment[i], to: &out)
            }
            out.append(0x0A)
        }
        return out.withBytes { Array($0) }
    }

    /// A column the reader does not know is an error (never silently ignored), naming it.
    static func refuseOtherColumns(_ header: [String], known: [String], file: String, what: String) throws(DataError) {
        if let other = header.first(where: { !known.contains(DataText.trimmed($0)) }) {
            throw DataError(file: file, line: 1, field: other, message: "is not a column clvfit reads here: \(what); remove it or rename it")
        }
    }
}
