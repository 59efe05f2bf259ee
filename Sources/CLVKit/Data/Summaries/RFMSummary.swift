import Dispatch
import Foundation

/// The RFM summary of a transaction log as ``RFMSummarizer`` leaves it: one running state per
/// customer (first and last day, distinct days, amounts) and the customer ids, from which the
/// rows are computed when they are used. Definitions: ``RFMSummarizer``.
///
/// Two ways out: ``table`` builds the columns (to fit a model), and ``writeCSV(to:)`` writes
/// the CSV straight from the states, in parts rendered on two threads while the finished ones
/// are written. The second is what `clvfit summarize` does: for millions of customers, making
/// a table first (an id string and six numbers per customer) and then the whole text in memory
/// tripled the memory touched after reading, and on a virtual machine each new page costs a
/// fault of microseconds; writing straight from the states took the 10M-row bench log from
/// about 0.92 to 0.83 s and its peak memory from 300 to 208 MB. Both ways compute each row
/// with ``row(_:holdout:)`` and format it as ``SummaryCSV`` does, so the written file is byte
/// for byte the table's.
public struct RFMSummary: Sendable {
    let states: [RFMSummarizer.CustomerState]
    let holdoutStates: [RFMSummarizer.HoldoutState]
    let ids: CustomerIDTable
    /// The time unit of recency and T.
    public let unit: TimeUnit
    let unitDays: Double
    /// The day T runs to: the calibration end, else the observation end.
    let windowEnd: Int32
    /// The observation end: as given, else the last date in the log.
    let observationEnd: Int32
    /// (Observation end − calibration end) / unit, with a calibration end.
    let holdoutDuration: Double?
    /// Whether the log had amounts (the summary has monetary values).
    public let hasAmount: Bool
    let holdoutPerTransaction: Bool
    /// Where the summary came from.
    public let provenance: Provenance
    /// Customers in the summary: those with a purchase on or before the window end.
    public let count: Int

    init(states: [RFMSummarizer.CustomerState], holdoutStates: [RFMSummarizer.HoldoutState], ids: CustomerIDTable,
         unit: TimeUnit, unitDays: Double, windowEnd: Int32, observationEnd: Int32, holdoutDuration: Double?, hasAmount: Bool,
         holdoutPerTransaction: Bool, provenance: Provenance, count: Int) {
        self.states = states
        self.holdoutStates = holdoutStates
        self.ids = ids
        self.unit = unit
        self.unitDays = unitDays
        self.windowEnd = windowEnd
        self.observationEnd = observationEnd
        self.holdoutDuration = holdoutDuration
        self.hasAmount = hasAmount
        self.holdoutPerTransaction = holdoutPerTransaction
        self.provenance = provenance
        self.count = count
    }

    /// How many of customers `range` have a purchase in the window.
    static func customersInWindow(_ states: [RFMSummarizer.CustomerState], _ range: Range<Int>) -> Int {
        states.withUnsafeBufferPointer { s in
            var n = 0
            for i in range where s[i].days > 0 { n += 1 }
            return n
        }
    }

    /// One customer's numbers (the holdout ones 0 without a calibration end).
    struct Row {
        var frequency: Double
        var recency: Double
        var T: Double
        var monetaryValue: Double
        var holdoutFrequency: Double
        var holdoutMonetaryValue: Double
    }

    /// The numbers of a customer with a purchase in the window (`days > 0`) from its running
    /// state(s) (`holdout`: with a calibration end).
    ///
    /// A mean amount is the exact sum of the amounts (``RFMSummarizer/CustomerState``) rounded
    /// once to a `Double`, divided by the count: the operation lifetimes does on its sum, and
    /// the one the SQL of ``SummarySQL`` does on a `numeric` column's exact `SUM`, so the two
    /// agree bit for bit.
    @inline(__always)
    func row(_ s: RFMSummarizer.CustomerState, holdout h: RFMSummarizer.HoldoutState?) -> Row {
        let x = Int(s.days) - 1
        var row = Row(frequency: Double(x),
                      recency: Double(Int(s.lastDay) - Int(s.firstDay)) / unitDays,
                      T: Double(Int(windowEnd) - Int(s.firstDay)) / unitDays,
                      monetaryValue: x > 0 ? Self.sum(s.totalUnits &- s.firstUnits, scale: s.scale) / Double(x) : 0,
                      holdoutFrequency: 0, holdoutMonetaryValue: 0)
        if let h {
            row.holdoutFrequency = Double(h.days)
            let divisor = holdoutPerTransaction ? h.rows : Int(h.days)
            row.holdoutMonetaryValue = divisor > 0 ? Self.sum(h.units, scale: h.scale) / Double(divisor) : 0
        }
        return row
    }

    /// A state's sum as a `Double`: exact units rounded once, or (scale
    /// ``ExactAmount/inexact``, after ``RFMSummarizer/resum(from:)``) the bit pattern of the
    /// sum found in the second pass.
    @inline(__always)
    static func sum(_ units: UInt64, scale: UInt8) -> Double {
        if scale == ExactAmount.inexact { return Double(bitPattern: units) }
        if scale == 0 { return Double(units) }     // correctly rounded for any UInt64
        if units <= 1 << 53 { return Double(units) / NumberField.exactPowerOfTen(Int(scale)) }
        return ExactAmount.double(units: units, scale: scale)
    }

    // MARK: As a table

    /// Customers above which ``table`` builds its columns on two threads.
    static let parallelTableCustomers = 100_000

    /// The summary as columns, customers in order of first appearance.
    public var table: CustomerSummaryTable {
        // In two halves on two threads for large tables (making millions of id strings is most
        // of the work).
        let total = states.count
        let parts = total >= Self.parallelTableCustomers && ProcessInfo.processInfo.activeProcessorCount >= 2 ? 2 : 1
        let ranges = (0..<parts).map { k in total * k / parts ..< total * (k + 1) / parts }
        let counts = ranges.map { Self.customersInWindow(states, $0) }
        let n = count
        let holdoutCount = holdoutDuration != nil ? n : 0
        var frequency = [Double](repeating: 0, count: n), recency = [Double](repeating: 0, count: n)
        var T = [Double](repeating: 0, count: n), monetary = [Double](repeating: 0, count: hasAmount ? n : 0)
        var holdoutFrequency = [Double](repeating: 0, count: holdoutCount)
        var holdoutMonetary = [Double](repeating: 0, count: hasAmount ? holdoutCount : 0)
        let customerIDs = [String](unsafeUninitializedCapacity: n) { idBuffer, initialized in
            frequency.withUnsafeMutableBufferPointer { f in
            recency.withUnsafeMutableBufferPointer { r in
            T.withUnsafeMutableBufferPointer { t in
            monetary.withUnsafeMutableBufferPointer { m in
            holdoutFrequency.withUnsafeMutableBufferPointer { hf in
            holdoutMonetary.withUnsafeMutableBufferPointer { hm in
                // (An empty array's buffer may still have a base address: absent columns are nil.)
                let columns = TableColumns(ids: idBuffer.baseAddress, frequency: f.baseAddress, recency: r.baseAddress,
                                           T: t.baseAddress, monetary: hasAmount ? m.baseAddress : nil,
                                           holdoutFrequency: holdoutCount > 0 ? hf.baseAddress : nil,
                                           holdoutMonetary: holdoutCount > 0 && hasAmount ? hm.baseAddress : nil)
                if parts == 1 {
                    fill(ranges[0], at: 0, columns)
                } else {
                    DispatchQueue.concurrentPerform(iterations: parts) { k in
                        fill(ranges[k], at: counts[..<k].reduce(0, +), columns)
                    }
                }
            }}}}}}
            initialized = n
        }
        var holdout: HoldoutColumns?
        if let holdoutDuration {
            holdout = HoldoutColumns(frequency: holdoutFrequency, monetaryValue: hasAmount ? holdoutMonetary : nil,
                                     duration: holdoutDuration)
        }
        return CustomerSummaryTable(unit: unit, customerIDs: customerIDs, frequency: frequency,
                                    recency: recency, T: T, monetaryValue: hasAmount ? monetary : nil,
                                    holdout: holdout, provenance: provenance)
    }

    /// Where ``fill(_:at:_:)`` writes: the first element of each column (`nil` for a column
    /// the table does not have). The threads filling it write disjoint rows.
    private struct TableColumns: @unchecked Sendable {
        let ids: UnsafeMutablePointer<String>?
        let frequency: UnsafeMutablePointer<Double>?, recency: UnsafeMutablePointer<Double>?, T: UnsafeMutablePointer<Double>?
        let monetary: UnsafeMutablePointer<Double>?
        let holdoutFrequency: UnsafeMutablePointer<Double>?, holdoutMonetary: UnsafeMutablePointer<Double>?
    }

    /// Writes the rows of the customers in `customers` that have a purchase in the window, in
    /// order, from row `row` on (the ids into uninitialized memory).
    private func fill(_ customers: Range<Int>, at row: Int, _ c: TableColumns) {
        var k = row
        for i in customers where states[i].days > 0 {
            let r = self.row(states[i], holdout: holdoutDuration != nil ? holdoutStates[i] : nil)
            (c.ids! + k).initialize(to: ids.string(i))
            c.frequency![k] = r.frequency
            c.recency![k] = r.recency
            c.T![k] = r.T
            c.monetary?[k] = r.monetaryValue
            c.holdoutFrequency?[k] = r.holdoutFrequency
            c.holdoutMonetary?[k] = r.holdoutMonetaryValue
            k += 1
        }
    }

    // MARK: As CSV

    /// Writes the summary as ``SummaryCSV/write(_:to:style:)`` writes ``table`` (the same
    /// bytes), atomically, to `path` (`-`: standard output), without building the table.
    public func writeCSV(to path: String) throws(AtomicOutput.Failure) {
        let columns = SummaryCSV.WrittenColumns(hasIDs: true, hasMoney: hasAmount, hasHoldout: holdoutDuration != nil,
                                                hasHoldoutMoney: hasAmount, hasWeight: false)
        let stream = try AtomicOutput.Stream(path: path)
        // Parts are ranges of customer indices (those without a purchase in the window are
        // skipped), so each part knows where it starts without counting the ones before it.
        try SummaryCSV.writeParts(header: columns.header, count: states.count, to: stream) { [self] customers, out in
            render(customers, columns, to: &out)
        }
        try stream.commit()
    }

    /// Appends the CSV lines of the customers in `customers` that have a purchase in the window.
    private func render(_ customers: Range<Int>, _ columns: SummaryCSV.WrittenColumns, to out: inout SummaryCSV.ByteSink) {
        let holdoutDuration = self.holdoutDuration
        states.withUnsafeBufferPointer { states in
            holdoutStates.withUnsafeBufferPointer { holdoutStates in
                ids.withIDBytes { ids in
                    for i in customers where states[i].days > 0 {
                        let r = row(states[i], holdout: holdoutDuration != nil ? holdoutStates[i] : nil)
                        SummaryCSV.appendField(ids[i], to: &out)
                        out.append(UInt8(ascii: ","))
                        SummaryCSV.appendRow(frequency: r.frequency, recency: r.recency, T: r.T,
                                             monetaryValue: columns.hasMoney ? r.monetaryValue : nil,
                                             holdoutFrequency: columns.hasHoldout ? r.holdoutFrequency : nil,
                                             holdoutMonetaryValue: columns.hasHoldoutMoney ? r.holdoutMonetaryValue : nil,
                                             holdoutDuration: holdoutDuration ?? 0, weight: nil, to: &out)
                    }
                }
            }
        }
    }
}
