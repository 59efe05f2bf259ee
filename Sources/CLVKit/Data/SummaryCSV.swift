import Foundation

/// Reading and writing RFM summaries as CSV.
///
/// Written columns: `customer_id,frequency,recency,T,monetary_value`, then
/// `frequency_holdout,monetary_value_holdout,duration_holdout` when the table has a holdout,
/// then `weight` when some weight differs from 1. The monetary columns are left out when the
/// table has no amounts. Numbers are printed as the shortest decimal that reads back as the same
/// `Double` (`2`, not `2.0`; `38.857142857142854`), so a written summary reads back bit for bit.
///
/// Read columns (found by header name, in any order; extra columns are ignored):
/// - `customer_id` (or `ID`, `id`), optional — without it the ids are the 1-based row numbers;
/// - `frequency`, `recency`, `T`, required (`frequency_cal`, `recency_cal`, `T_cal`, as
///   `lifetimes.utils.calibration_and_holdout_data` names them, are accepted too);
/// - `monetary_value` (or `monetary_value_cal`), optional;
/// - `weight` (or `weights`, as in lifetimes' donations data), optional, default 1;
/// - `frequency_holdout`, `duration_holdout` and, with `monetary_value`,
///   `monetary_value_holdout`: all or none.
///
/// Every row is validated, and a violation is a ``DataError`` naming the file, line, column and
/// the rule: numbers are finite; frequency is a whole number ≥ 0; 0 ≤ recency ≤ T; recency is 0
/// when frequency is 0 (no repeat purchase, no time between purchases); monetary values ≥ 0;
/// weight > 0; holdout frequency a whole number ≥ 0; the holdout duration ≥ 0 and the same on
/// every row. A summary without rows is an error.
public enum SummaryCSV {
    // MARK: Writing

    /// The CSV text of `table`.
    public static func render(_ table: CustomerSummaryTable) -> String {
        String(decoding: renderBytes(table), as: UTF8.self)
    }

    /// Writes `table` to `path` atomically (`-`: standard output).
    public static func write(_ table: CustomerSummaryTable, to path: String) throws(AtomicOutput.Failure) {
        try AtomicOutput.write(Data(renderBytes(table)), to: path)
    }

    /// A number as the shortest decimal that reads back as the same `Double`, without a
    /// trailing `.0` for whole numbers (`2`, `-3`, `0.5`, `38.857142857142854`, `1e+20`).
    public static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {   // 2^53: exact integers
            return String(Int64(value))    // also prints -0.0 as 0
        }
        return value.description
    }

    static func renderBytes(_ table: CustomerSummaryTable) -> [UInt8] {
        let hasMoney = table.monetaryValue != nil
        let hasWeight = table.weight.contains { $0 != 1 }
        var columns = ["customer_id", "frequency", "recency", "T"]
        if hasMoney { columns.append("monetary_value") }
        if let holdout = table.holdout {
            columns.append("frequency_holdout")
            if hasMoney && holdout.monetaryValue != nil { columns.append("monetary_value_holdout") }
            columns.append("duration_holdout")
        }
        if hasWeight { columns.append("weight") }

        var out: [UInt8] = []
        out.reserveCapacity(64 * (table.count + 1))
        func append(_ s: String) { out.append(contentsOf: s.utf8) }
        func number(_ v: Double) {
            out.append(UInt8(ascii: ","))
            append(format(v))
        }
        append(columns.joined(separator: ","))
        out.append(0x0A)
        for i in 0..<table.count {
            appendField(table.customerIDs[i], to: &out)
            number(table.frequency[i])
            number(table.recency[i])
            number(table.T[i])
            if let m = table.monetaryValue { number(m[i]) }
            if let holdout = table.holdout {
                number(holdout.frequency[i])
                if hasMoney, let m = holdout.monetaryValue { number(m[i]) }
                number(holdout.duration)
            }
            if hasWeight { number(table.weight[i]) }
            out.append(0x0A)
        }
        return out
    }

    /// A field, quoted (RFC 4180) when it holds a comma, quote, CR or LF, or is empty.
    static func appendField(_ text: String, to out: inout [UInt8]) {
        let needsQuotes = text.isEmpty || text.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else {
            out.append(contentsOf: text.utf8)
            return
        }
        out.append(UInt8(ascii: "\""))
        for b in text.utf8 {
            if b == UInt8(ascii: "\"") { out.append(b) }
            out.append(b)
        }
        out.append(UInt8(ascii: "\""))
    }

    // MARK: Reading

    /// Reads the summary CSV at `path` (`-`: standard input), whose times are in `unit`.
    public static func read(path: String, unit: TimeUnit, options: CSVScanner.Options = CSVScanner.Options()) throws(DataError) -> CustomerSummaryTable {
        try read(scanner: CSVScanner(path: path, options: options), unit: unit)
    }

    /// Reads a summary CSV held in memory; `name` is used in messages.
    public static func read(bytes: [UInt8], name: String, unit: TimeUnit, options: CSVScanner.Options = CSVScanner.Options()) throws(DataError) -> CustomerSummaryTable {
        try read(scanner: CSVScanner(bytes: bytes, name: name, options: options), unit: unit)
    }

    static func read(scanner: CSVScanner, unit: TimeUnit) throws(DataError) -> CustomerSummaryTable {
        let file = scanner.name
        guard let header = try scanner.readHeader() else {
            throw DataError(file: file, message: "the summary is empty (expected a header line with the columns frequency, recency, T)")
        }
        let columns = CSVColumns(header: header, file: file)
        let idColumn = try columns.find(["customer_id", "ID", "id"])
        let fColumn = try columns.require("frequency", aliases: ["frequency_cal"])
        let rColumn = try columns.require("recency", aliases: ["recency_cal"])
        let tColumn = try columns.require("T", aliases: ["T_cal"])
        let mColumn = try columns.find(["monetary_value", "monetary_value_cal"])
        let wColumn = try columns.find(["weight", "weights"])
        let hfColumn = try columns.find(["frequency_holdout"])
        let hmColumn = try columns.find(["monetary_value_holdout"])
        let hdColumn = try columns.find(["duration_holdout"])

        let holdoutPresent = [hfColumn, hmColumn, hdColumn].contains { $0 != nil }
        if holdoutPresent {
            var missing: [String] = []
            if hfColumn == nil { missing.append("frequency_holdout") }
            if hdColumn == nil { missing.append("duration_holdout") }
            if mColumn != nil && hmColumn == nil { missing.append("monetary_value_holdout") }
            if !missing.isEmpty {
                throw DataError(file: file, line: 1, field: missing[0],
                                message: "the header has some holdout columns but not \(missing.map { "'\($0)'" }.joined(separator: " and ")) (give frequency_holdout, \(mColumn != nil ? "monetary_value_holdout, " : "")duration_holdout, or none of them)")
            }
            if hmColumn != nil && mColumn == nil {
                throw DataError(file: file, line: 1, field: "monetary_value_holdout",
                                message: "the header has 'monetary_value_holdout' but no 'monetary_value' column")
            }
        }

        var ids: [String] = []
        var frequency: [Double] = [], recency: [Double] = [], T: [Double] = []
        var monetary: [Double] = [], weight: [Double] = []
        var holdoutFrequency: [Double] = [], holdoutMonetary: [Double] = []
        var duration: (value: Double, line: Int)?

        while let record = try scanner.nextRecord() {
            let line = record.line
            func value(_ column: Int) throws(DataError) -> Double {
                let field = record[column]
                guard let v = NumberField.parseDouble(field) else {
                    throw DataError(file: file, line: line, field: header[column], message: NumberField.explainInvalid(field))
                }
                return v
            }
            func fail(_ column: Int, _ message: String) -> DataError {
                DataError(file: file, line: line, field: header[column], message: message)
            }
            let x = try value(fColumn), t = try value(rColumn), big = try value(tColumn)
            guard x >= 0, x == x.rounded() else {
                throw fail(fColumn, "frequency must be a whole number ≥ 0 (the number of repeat purchases), not \(format(x))")
            }
            guard big >= 0 else { throw fail(tColumn, "T must be ≥ 0 (time from the first purchase to the end of the window), not \(format(big))") }
            guard t >= 0 else { throw fail(rColumn, "recency must be ≥ 0 (time from the first to the last purchase), not \(format(t))") }
            guard t <= big else {
                throw fail(rColumn, "recency \(format(t)) is greater than T \(format(big)) (the last purchase must fall within the observation window)")
            }
            guard x > 0 || t == 0 else {
                throw fail(rColumn, "recency must be 0 when frequency is 0 (a customer without repeat purchases has no time between purchases), not \(format(t))")
            }
            frequency.append(x)
            recency.append(t)
            T.append(big)
            if let mColumn {
                let m = try value(mColumn)
                guard m >= 0 else { throw fail(mColumn, "the monetary value must be ≥ 0, not \(format(m))") }
                monetary.append(m)
            }
            if let wColumn {
                let w = try value(wColumn)
                guard w > 0 else { throw fail(wColumn, "the weight must be > 0 (the number of customers the row stands for), not \(format(w))") }
                weight.append(w)
            }
            if let hfColumn, let hdColumn {
                let hx = try value(hfColumn)
                guard hx >= 0, hx == hx.rounded() else {
                    throw fail(hfColumn, "the holdout frequency must be a whole number ≥ 0 (the number of holdout purchase days), not \(format(hx))")
                }
                holdoutFrequency.append(hx)
                if let hmColumn {
                    let hm = try value(hmColumn)
                    guard hm >= 0 else { throw fail(hmColumn, "the holdout monetary value must be ≥ 0, not \(format(hm))") }
                    holdoutMonetary.append(hm)
                }
                let d = try value(hdColumn)
                guard d >= 0 else { throw fail(hdColumn, "the holdout duration must be ≥ 0, not \(format(d))") }
                if let duration, duration.value != d {
                    throw fail(hdColumn, "the holdout duration is \(format(d)) here but \(format(duration.value)) on line \(duration.line) (it is the same for every customer)")
                }
                if duration == nil { duration = (d, line) }
            }
            ids.append(idColumn.map { record.string(at: $0) } ?? String(frequency.count))
        }
        guard !frequency.isEmpty else {
            throw DataError(file: file, message: "the summary has a header but no rows")
        }
        var holdout: HoldoutColumns?
        if hfColumn != nil, let duration {
            holdout = HoldoutColumns(frequency: holdoutFrequency, monetaryValue: hmColumn != nil ? holdoutMonetary : nil,
                                     duration: duration.value)
        }
        return CustomerSummaryTable(unit: unit, customerIDs: ids, frequency: frequency, recency: recency, T: T,
                                    monetaryValue: mColumn != nil ? monetary : nil,
                                    weight: wColumn != nil ? weight : nil, holdout: holdout)
    }
}
