import CLVShims
import Dispatch
import Foundation

/// Turns a transaction log into the RFM summary, exactly as
/// `lifetimes.utils.summary_data_from_transaction_data(freq='D', freq_multiplier=1 or 7)` and
/// `lifetimes.utils.calibration_and_holdout_data` do (lifetimes 0.11.3; definitions in
/// DESIGN.md §1 and on ``CustomerSummaryTable``):
///
/// - every date is a whole day; several purchases of one customer on one day are one purchase
///   with the amounts summed;
/// - `frequency` = distinct purchase days − 1; `recency` = (last day − first day) / unit;
///   `T` = (window end − first day) / unit; `monetary_value` = mean of the daily sums over the
///   repeat days (all days but the first), 0 when frequency = 0;
/// - transactions after the observation end are ignored (default observation end: the last date
///   in the file), and customers whose first purchase is after it do not appear;
/// - with a calibration end, the table covers transactions on or before it, only customers with
///   a purchase on or before it, and T runs to the calibration end; the holdout columns count the
///   distinct purchase days in (calibration end, observation end] (`frequency_holdout`), their
///   mean amount (`monetary_value_holdout`, per row like lifetimes unless
///   ``RFMOptions/holdoutMonetaryValue`` says otherwise), and
///   `duration_holdout` = (observation end − calibration end) / unit.
///
/// Customer order: order of first appearance in the file, counting only rows on or before the
/// observation end (lifetimes sorts by customer id instead; match rows by id when comparing).
///
/// Sums: exact, so the summary does not depend on the rows' order — amounts are added as
/// integers of their decimal digits at the customer's largest scale (``ExactAmount``), rounded
/// to a `Double` once; amounts that do not fit, and sums of 2^64 units or more, are summed in a
/// second pass as the exactly rounded sum of their `Double`s (``resum(from:)``), which also
/// refuses, with a ``DataError``, a period whose amounts sum beyond the largest `Double`.
///
/// Memory and speed: rows are not stored. Each customer has a fixed-size running state (first and
/// last day, number of distinct days, exact first-day and total sums with their scale: 32 bytes,
/// plus 32 for the holdout), which is exact for any file in which each customer's rows come in
/// date order (other customers' rows may interleave). A row dated before its customer's last day is still handled
/// exactly when it falls on the first day, before it, or between two known days; only when it
/// lands between days the state has forgotten is the customer marked, and after the first pass
/// the file is read a second time to count the marked customers' distinct days exactly (piped
/// input is spooled to a temporary file for that). So the result is correct for rows in any
/// order, and memory grows with the number of customers, not rows — except that the second
/// pass keeps 8 bytes per row of the marked customers (a fully shuffled log: 8 bytes per row).
/// Per customer: the running state(s), a 16-byte slot in the id table (at most half full, so
/// 32–64 bytes), the id's bytes and an 8-byte offset — about 100 bytes for short ids, array
/// growth included. How rows reach the states quickly: see ``addAll(from:)``.
public struct RFMSummarizer {
    /// Running state of one customer in the calibration period (the whole window without a
    /// calibration end): 32 bytes, so that the update of a row touches one cache line.
    ///
    /// Amounts are summed exactly, as integers (``ExactAmount``): `totalUnits` is the sum of all
    /// the period's amounts, `firstUnits` that of the first day's, both in units of 10^-`scale`
    /// (the largest scale of the customer's amounts so far; a finer amount rescales both). The
    /// repeat sum is their difference. An amount that does not fit, or a total that reaches 2^64
    /// units, sets `scale` to ``RFMSummarizer/resumPending`` (`needsResum`): the sums are then
    /// redone in a second pass (``resum(from:)``), which leaves `scale` = ``ExactAmount/inexact``
    /// and the repeat sum's `Double` bit pattern in `totalUnits`. (The mark lives in `scale` so
    /// that a row's update tests one byte: a row's scale equals the state's on the fast path.)
    /// The `scale` of a state whose sums wait for the second pass (no amount has this scale).
    static let resumPending: UInt8 = 0xFE

    struct CustomerState {
        var firstDay: Int32 = 0
        var lastDay: Int32 = 0
        var days: Int32 = 0
        var needsRecount = false
        var scale: UInt8 = 0
        var firstUnits: UInt64 = 0
        var totalUnits: UInt64 = 0
        var needsResum: Bool { scale == RFMSummarizer.resumPending }
    }

    /// Running state of one customer in the holdout period (allocated only with a calibration
    /// end): 32 bytes. `units` is the exact sum of the amounts in units of 10^-`scale`, as in
    /// ``CustomerState`` (after a ``resum(from:)``: scale ``ExactAmount/inexact`` and the sum's
    /// `Double` bit pattern).
    struct HoldoutState {
        var firstDay: Int32 = 0
        var lastDay: Int32 = 0
        var days: Int32 = 0
        var scale: UInt8 = 0
        var rows = 0
        var units: UInt64 = 0
        var needsResum: Bool { scale == RFMSummarizer.resumPending }
    }

    /// The window, unit and column options the summary is made with.
    public let options: RFMOptions
    private var ids = CustomerIDTable()
    private var states: [CustomerState] = []
    private var holdoutStates: [HoldoutState] = []
    private var counts = RowCounts()
    /// Rows read (admitted or not).
    var rows: Int { counts.rows }
    private var minDay: Int32 { counts.minDay }
    private var maxDay: Int32 { counts.maxDay }
    private var minUsedDay: Int32 { counts.minUsedDay }
    private var maxUsedDay: Int32 { counts.maxUsedDay }
    private var recountCustomers = 0
    /// Customers (and holdout states) whose sums are redone in a second pass (``needsResum``).
    private var resumCustomers = 0
    /// The cohort's repeat purchase days by date, counted as rows are applied when asked for
    /// (``tracksRepeatPurchaseDays``).
    private(set) var repeatPurchaseDays: RepeatPurchaseDays?
    private var lastID: [UInt8] = []
    private var lastIndex = -1
    private let observationEndDay: Int32?
    private let calibrationEndDay: Int32?

    /// A summarizer to which rows are fed with ``add(_:)`` or ``addAll(from:)``, then (if
    /// ``needsRecount``) read again with ``recount(from:)``, before ``table(file:hasAmount:)``.
    public init(options: RFMOptions) {
        self.options = options
        observationEndDay = options.observationEnd?.daysSinceEpoch
        calibrationEndDay = options.calibrationEnd?.daysSinceEpoch
    }

    /// Whether the cohort's repeat purchase days are counted by date as rows are added
    /// (``RepeatPurchaseDays``); set before the first row.
    var tracksRepeatPurchaseDays: Bool {
        get { repeatPurchaseDays != nil }
        set { repeatPurchaseDays = newValue ? RepeatPurchaseDays() : nil }
    }

    // MARK: Convenience

    /// Summarizes the CSV transaction log at `path` (`-`: standard input). Piped input is copied
    /// to an unlinked temporary file as it is read, in case a second pass is needed.
    public static func summarize(path: String, options: RFMOptions = RFMOptions()) throws(DataError) -> CustomerSummaryTable {
        try read(path: path, options: options).table
    }

    /// The summary of a transaction log with what became of its rows.
    public struct Outcome: Sendable {
        /// The RFM summary, to be made into a table or written out.
        public var summary: RFMSummary
        /// The RFM summary as a table (built on each use).
        public var table: CustomerSummaryTable { summary.table }
        /// The rows left out (``BadRowPolicy/skip(maxFraction:)``), in file order.
        public var rejected: [RejectedRow]
        /// Data rows in the file, bad ones included.
        public var rows: Int
        /// Rows dated after the observation end, which the summary ignores.
        public var rowsAfterObservationEnd: Int
        /// The field delimiter the log was read with.
        public var delimiter: UInt8
        /// The cohort's repeat purchase days by date, when asked for.
        var repeatPurchaseDays: RepeatPurchaseDays? = nil
    }

    /// Summarizes the CSV transaction log at `path` (`-`: standard input), reporting the rows
    /// left out and, through `progress` (called on the reading thread about once per 4 MiB
    /// chunk), how far the first pass has come.
    public static func read(path: String, options: RFMOptions = RFMOptions(),
                            progress: (@Sendable (ReadProgress) -> Void)? = nil) throws(DataError) -> Outcome {
        let log = try TransactionLog(path: path, options: options, spoolsPipes: true)
        log.progress = progress
        return try read(log: log, options: options)
    }

    /// Summarizes a CSV transaction log held in memory (`name` is used in messages), reporting
    /// the rows left out.
    public static func read(csv bytes: [UInt8], name: String, options: RFMOptions = RFMOptions()) throws(DataError) -> Outcome {
        try read(log: TransactionLog(bytes: bytes, name: name, options: options), options: options)
    }

    /// Summarizes a CSV transaction log held in memory; `name` is used in messages.
    public static func summarize(csv bytes: [UInt8], name: String, options: RFMOptions = RFMOptions()) throws(DataError) -> CustomerSummaryTable {
        try read(csv: bytes, name: name, options: options).table
    }

    /// Summarizes an open transaction log (read to its end, and once more if some customer's
    /// rows were out of date order, which needs ``TransactionLog/rewind()``). The columns were
    /// chosen when the log was opened; `options` gives the window and unit.
    public static func summarize(log: TransactionLog, options: RFMOptions) throws(DataError) -> CustomerSummaryTable {
        try read(log: log, options: options).table
    }

    /// ``summarize(log:options:)`` with what became of the rows. With
    /// ``BadRowPolicy/skip(maxFraction:)``, fails when more than that fraction of the rows are
    /// bad (the error quotes the first bad row).
    public static func read(log: TransactionLog, options: RFMOptions) throws(DataError) -> Outcome {
        try read(log: log, options: options, countingRepeatPurchaseDays: false)
    }

    /// ``read(log:options:)``, counting the cohort's repeat purchase days by date if asked
    /// (``Outcome/repeatPurchaseDays``): while summarizing, or, when the rows' order does not
    /// allow that, in one more pass over the log.
    static func read(log: TransactionLog, options: RFMOptions, countingRepeatPurchaseDays: Bool) throws(DataError) -> Outcome {
        try checkWindow(options, file: log.name)
        var summarizer = RFMSummarizer(options: options)
        summarizer.tracksRepeatPurchaseDays = countingRepeatPurchaseDays
        try summarizer.addAll(from: log)
        let rejected = log.rejected
        let rows = summarizer.rows + rejected.count
        try options.badRows.check(rejected: rejected, rows: rows, file: log.name)
        if summarizer.needsRecount {
            guard try log.rewind() else {
                throw DataError(file: log.name, message: "some customers' rows are not in date order, and the input cannot be read a second time to count their purchase days; sort it by customer and date, or give a file instead of a pipe")
            }
            try summarizer.recount(from: log)
        }
        if summarizer.needsResum {
            guard try log.rewind() else {
                throw DataError(file: log.name, message: "some customers' amounts do not fit an exact sum of decimals (more than 19 significant digits, more than 18 decimals, or very large), and the input cannot be read a second time to sum them; give a file instead of a pipe")
            }
            try summarizer.resum(from: log)
        }
        var repeatDays = summarizer.repeatPurchaseDays
        if let counted = repeatDays, !counted.isExact {
            guard try log.rewind() else {
                throw DataError(file: log.name, message: "some customers' rows are not in date order, and the input cannot be read a second time to date their purchases; sort it by customer and date, or give a file instead of a pipe")
            }
            repeatDays = try summarizer.exactRepeatPurchaseDays(from: log)
        }
        let summary = try summarizer.summary(file: log.name, hasAmount: log.hasAmount)
        return Outcome(summary: summary, rejected: rejected, rows: rows,
                       rowsAfterObservationEnd: summarizer.counts.late, delimiter: log.delimiter,
                       repeatPurchaseDays: repeatDays)
    }

    private static func checkWindow(_ options: RFMOptions, file: String) throws(DataError) {
        if let cal = options.calibrationEnd, let obs = options.observationEnd, cal > obs {
            throw DataError(file: file, message: "the calibration end \(cal) is after the observation end \(obs)")
        }
    }

    // MARK: Accumulation

    /// Whether some customer's distinct purchase days must be counted in a second pass
    /// (``recount(from:)``).
    public var needsRecount: Bool { recountCustomers > 0 }

    /// Whether some customer's amounts must be summed in a second pass (``resum(from:)``): an
    /// amount that is not an ``ExactAmount``, or an exact sum that reached 2^64 units.
    public var needsResum: Bool { resumCustomers > 0 }

    /// Number of customers seen so far.
    public var customerCount: Int { ids.count }

    /// Adds one validated row.
    public mutating func add(_ row: TransactionLog.Row) {
        guard admit(row.date.daysSinceEpoch) else { return }
        let exact = row.exactAmount
        update(customerIndex(row.customerID), day: row.date.daysSinceEpoch,
               units: exact.isExact ? exact.units : row.inexactAmount.bitPattern, scale: exact.scale)
    }

    /// Adds every remaining row of `log`. If reading a row throws, the rows before it have been
    /// added.
    ///
    /// Why batches: in a log sorted by date, consecutive rows belong to unrelated customers, so
    /// with millions of customers each row's hash-table slot and running state are cache misses
    /// (~100 ns each, more with a TLB miss) — the dominant cost when rows are looked up one at a
    /// time. Rows are therefore read in batches (ids copied out of the CSV buffer and hashed),
    /// and each batch is resolved (slots probed, new customers inserted) and applied (running
    /// states updated) in passes that start the loads of many rows at once with software
    /// prefetches (``CustomerIDTable/prefetch(_:)``, `clv_prefetch`), issued a fixed
    /// ``prefetchDistance`` rows ahead inside each pass (not a whole batch at once: see there):
    /// batch k is resolved (its slots probed), then batch k − 1 applied (its states updated),
    /// each pass keeping its own lines in flight.
    ///
    /// Two threads: after the first ``parallelAfterRows`` rows (a log that large is worth a
    /// thread), with two or more cores, a reader thread parses and hashes batches while this
    /// one resolves and applies them — the parsing and the memory-bound lookups overlap. The
    /// reader only reads the log and fills batches; the table and the states are touched by
    /// this thread only, in file order.
    ///
    /// Either way the rows are applied strictly in file order and new customers are numbered
    /// in order of first appearance, so the result is that of ``add(_:)`` row by row.
    public mutating func addAll(from log: TransactionLog) throws(DataError) {
        if customerCount == 0, let bytes = log.totalBytes { reserve(forLogOf: bytes) }
        var reader = RowReader(hasher: ids.hasher, observationEnd: observationEndDay, previousID: lastIndex >= 0 ? lastID : nil)
        defer {
            counts.merge(reader.counts)
            if let id = reader.previousID {
                lastID = id
            }
        }
        // Single-threaded until the log proves large.
        var reading = RowBatch(), resolved = RowBatch()
        defer {
            reading.deallocate()
            resolved.deallocate()
        }
        var readRows = 0
        while true {
            do {
                try reader.fill(&reading, from: log) { ids.prefetch($0) }
            } catch {
                apply(resolved)
                resolve(reading)
                apply(reading)
                throw error
            }
            apply(resolved)
            if reading.count == 0 { return }
            resolve(reading)
            swap(&reading, &resolved)
            readRows += resolved.count
            if let threshold = parallelAfterRows, readRows >= threshold {
                apply(resolved)
                resolved.count = 0
                break
            }
        }
        try addAllConcurrently(from: log, reader: &reader)
    }

    /// Bytes of log per customer expected when sizing the customer table and states up front.
    ///
    /// Why size up front: the table doubles as customers arrive, and each doubling allocates,
    /// zeroes and rehashes the whole table — on a virtual machine, touching new memory is slow
    /// (the host backs each new page on first touch), and a doubling of a table of millions
    /// stalls the reader thread for tens of milliseconds. Shops' logs have about one customer
    /// per three to five rows (CDNOW: 23,570 customers in 69,659 rows, one per 72 bytes), so
    /// one per 128 bytes (an underestimate: the table still grows when needed) skips most
    /// doublings of a large log; up to ``maximumReservation``
    /// customers, so that a log with few customers costs at most 128 MiB (a 64 MiB table and
    /// 64 MiB of states, whose pages a helper thread faults in ahead of use): between half and
    /// all of the log's own size, as the table's size is rounded up to a power of two.
    static let bytesPerExpectedCustomer = 128
    /// The most customers reserved for up front.
    static let maximumReservation = 1 << 21

    /// Sizes the customer table and states for a log of `bytes` bytes (see
    /// ``bytesPerExpectedCustomer``), before the first row.
    private mutating func reserve(forLogOf bytes: Int) {
        let room = ids.reserve(min(bytes / Self.bytesPerExpectedCustomer, Self.maximumReservation))
        if room > states.capacity {
            states = LargeArray.regrown(states, capacity: room)
            if calibrationEndDay != nil { holdoutStates = LargeArray.regrown(holdoutStates, capacity: room) }
            // The states are appended as customers arrive: have their pages faulted in meanwhile.
            Self.prefaultCapacity(&states)
            Self.prefaultCapacity(&holdoutStates)
        }
    }

    /// Faults in the pages of `array`'s unused capacity from a helper thread
    /// (``LargeArray/prefaultInBackground(_:)``).
    private static func prefaultCapacity<T>(_ array: inout [T]) {
        let used = array.count * MemoryLayout<T>.stride, total = array.capacity * MemoryLayout<T>.stride
        guard total > used else { return }
        array.withUnsafeMutableBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            LargeArray.prefaultInBackground(UnsafeMutableRawBufferPointer(start: base + used, count: total - used))
        }
    }

    /// Rows after which ``addAll(from:)`` moves the parsing to a second thread; `nil` (one
    /// core): never. Tests lower it to run the two-thread path on small logs.
    var parallelAfterRows: Int? = ProcessInfo.processInfo.activeProcessorCount >= 2 ? 1 << 16 : nil

    /// The two-thread part of ``addAll(from:)``: a reader thread fills batches from a ring of
    /// ``Ring/size``; this thread resolves and applies them in order and hands them back.
    private mutating func addAllConcurrently(from log: TransactionLog, reader: inout RowReader) throws(DataError) {
        let ring = Ring(reader: reader, log: log)
        DispatchQueue.global(qos: .userInitiated).async { [ring] in ring.produce() }
        defer { reader = ring.finishedReader() }   // waits for the reader thread to be done

        var k = 0
        var previous: UnsafeMutablePointer<RowBatch>? = nil
        while true {
            let current = ring.takeFull(k)
            resolve(current.pointee)
            if let previous {
                apply(previous.pointee)
                ring.giveBack()
            }
            previous = current
            if current.pointee.isLast { break }
            k += 1
        }
        if let previous {
            apply(previous.pointee)
            ring.giveBack()
        }
        if let error = ring.error { throw error }
    }

    /// How many rows ahead ``resolve(_:)`` prefetches the home slot of a row it will look up,
    /// and ``apply(_:)`` the running state it will update.
    ///
    /// Why a fixed distance inside the loop rather than the whole next batch at once: a burst
    /// of a thousand prefetches overflows the core's miss buffers (a few dozen), and the
    /// prefetches that find no free buffer are dropped or wait, so most lines were still on
    /// their way when the loop reached them. A row's lookup takes some 10–20 ns when its line
    /// is in cache and a miss some 100–200 ns (more under a hypervisor), so a distance of a few
    /// dozen rows keeps enough misses in flight without overflowing the buffers.
    static let prefetchDistance = 32

    /// Gives every row of `batch` its customer index (inserting new customers, in row order).
    private mutating func resolve(_ batch: RowBatch) {
        let distance = Self.prefetchDistance
        var index = lastIndex
        for i in 0..<min(distance, batch.count) where batch.indices[i] == RowBatch.lookUp {
            ids.prefetch(batch.probes[i])
        }
        for i in 0..<batch.count {
            let ahead = i + distance
            if ahead < batch.count && batch.indices[ahead] == RowBatch.lookUp {
                ids.prefetch(batch.probes[ahead])
            }
            if batch.indices[i] == RowBatch.lookUp {
                let (found, inserted) = ids.findOrInsert(batch.id(i), batch.probes[i])
                if inserted { appendStates() }
                index = found
            }   // else: the same customer as the row before
            batch.indices[i] = index
        }
        lastIndex = index
    }

    /// Adds the rows of a resolved batch to their customers' running states, in order.
    private mutating func apply(_ batch: RowBatch) {
        guard batch.count > 0 else { return }
        let calibrationEnd = calibrationEndDay ?? .max
        let distance = Self.prefetchDistance
        let newlyMarked = states.withUnsafeMutableBufferPointer { states in
            holdoutStates.withUnsafeMutableBufferPointer { holdout in
                Self.withOptionalPointer(&repeatPurchaseDays) { repeats in
                    let s = states.baseAddress!, h = holdout.baseAddress
                    @inline(__always) func prefetch(_ i: Int) {
                        if batch.days[i] > calibrationEnd {
                            clv_prefetch(h! + batch.indices[i])
                        } else {
                            clv_prefetch(s + batch.indices[i])
                        }
                    }
                    for i in 0..<min(distance, batch.count) { prefetch(i) }
                    var marked = Marks()
                    for i in 0..<batch.count {
                        if i + distance < batch.count { prefetch(i + distance) }
                        marked.add(RFMSummarizer.update(batch.indices[i], day: batch.days[i], units: batch.units[i], scale: batch.scales[i],
                                                        calibrationEnd: calibrationEnd, states, holdout, repeats))
                    }
                    return marked
                }
            }
        }
        recountCustomers += newlyMarked.recount
        resumCustomers += newlyMarked.resum
    }

    /// Adds the running state(s) of a new customer. The arrays grow by doubling into storage
    /// advised as huge pages (``LargeArray``): they are read at random, one customer per row.
    @inline(__always)
    private mutating func appendStates() {
        if states.count == states.capacity {
            states = LargeArray.regrown(states, capacity: max(1024, 2 * states.count))
        }
        states.append(CustomerState())
        if calibrationEndDay != nil {
            if holdoutStates.count == holdoutStates.capacity {
                holdoutStates = LargeArray.regrown(holdoutStates, capacity: max(1024, 2 * holdoutStates.count))
            }
            holdoutStates.append(HoldoutState())
        }
    }

    /// Counts the row and its date range; `false` if it is after the observation end.
    @inline(__always)
    private mutating func admit(_ day: Int32) -> Bool {
        counts.admit(day, observationEnd: observationEndDay)
    }

    /// Adds a purchase of customer `index` to its running state (the amount as in ``RowBatch``).
    @inline(__always)
    private mutating func update(_ index: Int, day: Int32, units: UInt64, scale: UInt8) {
        let calibrationEnd = calibrationEndDay ?? .max
        let marked = states.withUnsafeMutableBufferPointer { states in
            holdoutStates.withUnsafeMutableBufferPointer { holdout in
                Self.withOptionalPointer(&repeatPurchaseDays) { repeats in
                    RFMSummarizer.update(index, day: day, units: units, scale: scale, calibrationEnd: calibrationEnd, states, holdout, repeats)
                }
            }
        }
        recountCustomers += marked.recount
        resumCustomers += marked.resum
    }

    /// Customers newly marked for a second pass by rows: for their day counts (``recount(from:)``),
    /// for their sums (``resum(from:)``).
    struct Marks {
        var recount = 0
        var resum = 0

        @inline(__always)
        mutating func add(_ other: Marks) {
            recount += other.recount
            resum += other.resum
        }
    }

    /// Adds an exact amount (`units` / 10^`scale`) to the exact sum `total` (and `first`,
    /// with `toFirst`; `first` ≤ `total`) held at `sumScale`; when the amount does not fit or
    /// the total would reach 2^64 units, marks the sums for the second pass (`sumScale` =
    /// ``resumPending``, the sums left undefined) and returns `true` — only then (a state
    /// already marked is left alone).
    ///
    /// Why the result does not depend on the rows' order: the sums only grow, and every
    /// intermediate value is at most the final total at the final (largest) scale, so the total
    /// overflows at some point exactly when the final total does — a property of the set of
    /// amounts, not of their order.
    @inline(__always)
    static func addExact(_ units: UInt64, scale: UInt8, toFirst: Bool, replacingFirst: Bool,
                         first: inout UInt64, total: inout UInt64, sumScale: inout UInt8) -> Bool {
        if scale == sumScale {
            let (sum, overflow) = total.addingReportingOverflow(units)
            if overflow {
                sumScale = resumPending
                return true
            }
            total = sum
            if replacingFirst {
                first = units
            } else if toFirst {
                first &+= units
            }
            return false
        }
        return addExactRescaling(units, scale: scale, toFirst: toFirst, replacingFirst: replacingFirst,
                                 first: &first, total: &total, sumScale: &sumScale)
    }

    /// ``addExact(_:scale:toFirst:replacingFirst:first:total:sumScale:)`` when the scales
    /// differ (or the amount does not fit, or the state is marked already).
    @inline(never)
    static func addExactRescaling(_ units: UInt64, scale: UInt8, toFirst: Bool, replacingFirst: Bool,
                                  first: inout UInt64, total: inout UInt64, sumScale: inout UInt8) -> Bool {
        if sumScale == resumPending { return false }
        var u = units
        var fits = scale != ExactAmount.inexact
        if fits && scale < sumScale {
            let (scaled, overflow) = u.multipliedReportingOverflow(by: ExactAmount.powerOfTen(Int(sumScale - scale)))
            fits = !overflow
            u = scaled
        } else if fits {
            let factor = ExactAmount.powerOfTen(Int(scale - sumScale))
            let (scaled, overflow) = total.multipliedReportingOverflow(by: factor)
            fits = !overflow
            total = scaled
            first &*= factor        // ≤ total
        }
        if fits {
            let (sum, overflow) = total.addingReportingOverflow(u)
            fits = !overflow
            total = sum
        }
        guard fits else {
            sumScale = resumPending
            return true
        }
        if scale > sumScale { sumScale = scale }
        if replacingFirst {
            first = u
        } else if toFirst {
            first &+= u
        }
        return false
    }

    /// Calls `body` with a pointer to `value`'s payload, or `nil`.
    @inline(__always)
    private static func withOptionalPointer<T, R>(_ value: inout T?, _ body: (UnsafeMutablePointer<T>?) -> R) -> R {
        guard value != nil else { return body(nil) }
        return withUnsafeMutablePointer(to: &value!) { body($0) }
    }

    /// Adds a purchase to a customer's running state (the amount as in ``RowBatch``); returns
    /// whether this marks the customer for a recount or a resum. With `repeats`, also counts
    /// the purchase day if it is a new repeat purchase day of a customer in the calibration
    /// cohort (see ``RepeatPurchaseDays``).
    @inline(__always)
    private static func update(_ index: Int, day: Int32, units: UInt64, scale: UInt8, calibrationEnd: Int32,
                               _ states: UnsafeMutableBufferPointer<CustomerState>,
                               _ holdout: UnsafeMutableBufferPointer<HoldoutState>,
                               _ repeats: UnsafeMutablePointer<RepeatPurchaseDays>?) -> Marks {
        let s = states.baseAddress! + index
        var unknown = false
        var marks = Marks()
        if day > calibrationEnd {
            let h = holdout.baseAddress! + index
            let daysBefore = h.pointee.days
            unknown = addDay(day, first: &h.pointee.firstDay, last: &h.pointee.lastDay, count: &h.pointee.days) == .unknown
            h.pointee.rows += 1
            var unused: UInt64 = 0
            if addExact(units, scale: scale, toFirst: false, replacingFirst: false,
                        first: &unused, total: &h.pointee.units, sumScale: &h.pointee.scale) {
                marks.resum = 1
            }
            if let repeats {
                // A new holdout day is a repeat purchase of a customer already in the cohort;
                // of one not (yet) in it, nothing (see the calibration branch).
                if unknown {
                    repeats.pointee.isExact = false
                } else if h.pointee.days > daysBefore && s.pointee.days > 0 {
                    repeats.pointee.add(day)
                }
            }
        } else {
            let daysBefore = s.pointee.days, firstBefore = s.pointee.firstDay
            let kind = addDay(day, first: &s.pointee.firstDay, last: &s.pointee.lastDay, count: &s.pointee.days)
            // The first-day sum: this amount is added to it (the first day), or replaces it
            // (a new first day: the previous first day, if any, becomes a repeat day).
            if addExact(units, scale: scale, toFirst: kind == .firstDay, replacingFirst: kind == .newFirstDay,
                        first: &s.pointee.firstUnits, total: &s.pointee.totalUnits, sumScale: &s.pointee.scale) {
                marks.resum = 1
            }
            switch kind {
            case .firstDay:
                break
            case .newFirstDay:
                if let repeats {
                    if daysBefore > 0 {
                        repeats.pointee.add(firstBefore)
                    } else if index < holdout.count && holdout[index].days > 0 {
                        // Joins the cohort after holdout days that were not counted.
                        repeats.pointee.isExact = false
                    }
                }
            case .repeatDay:
                if let repeats, s.pointee.days > daysBefore { repeats.pointee.add(day) }
            case .unknown:
                unknown = true
                repeats?.pointee.isExact = false
            }
        }
        if unknown && !s.pointee.needsRecount {
            s.pointee.needsRecount = true
            marks.recount = 1
        }
        return marks
    }

    /// The index of a customer id, remembering the previous row's id (logs are usually grouped by
    /// customer, so most rows skip the hash lookup).
    @inline(__always)
    private mutating func customerIndex(_ id: UnsafeBufferPointer<UInt8>) -> Int {
        if lastIndex >= 0, id.count == lastID.count,
           lastID.withUnsafeBufferPointer({ bytesEqual($0.baseAddress!, id.baseAddress!, id.count) }) {
            return lastIndex
        }
        let (index, inserted) = ids.findOrInsert(id)
        if inserted { appendStates() }
        lastID.removeAll(keepingCapacity: true)
        lastID.append(contentsOf: id)
        lastIndex = index
        return index
    }

    enum DayKind {
        /// On the first known day.
        case firstDay
        /// Before every known day (or the first day seen): the new first day.
        case newFirstDay
        /// After the first day (a new or a known day; the count is updated).
        case repeatDay
        /// Strictly between known days, where the state cannot tell whether the day is new
        /// (the count is left as is; the customer needs a recount).
        case unknown
    }

    /// Updates a strictly increasing set of days known by its first and last element and its
    /// size. Exact when days arrive in non-decreasing order, and for several out-of-order cases.
    @inline(__always)
    static func addDay(_ day: Int32, first: inout Int32, last: inout Int32, count: inout Int32) -> DayKind {
        if count == 0 {
            first = day; last = day; count = 1
            return .newFirstDay
        }
        if day == last { return count == 1 ? .firstDay : .repeatDay }
        if day > last {
            last = day; count += 1
            return .repeatDay
        }
        if day == first { return .firstDay }
        if day < first {
            first = day; count += 1
            return .newFirstDay
        }
        // first < day < last: new unless it equals a day in between, which is impossible
        // when only the first and last day are known.
        if count == 2 {
            count = 3
            return .repeatDay
        }
        return .unknown
    }

    // MARK: Second pass

    /// One key per row of a marked customer in the second pass: customer index, period
    /// (calibration 0, holdout 1) and day, packed so that sorting groups a customer's period and
    /// puts equal days together (8 bytes per such row; no per-customer hash sets).
    private var recountKeys: [UInt64] = []

    /// The second pass over `log` (from its start; see ``needsRecount``): records the days of
    /// the marked customers' rows (``secondPass(over:_:)``), then replaces their day counts
    /// with the exact ones.
    public mutating func recount(from log: TransactionLog) throws(DataError) {
        let calibrationEnd = calibrationEndDay ?? .max
        var keys: [UInt64] = []
        try secondPass(over: log) { customer, day, state, _, _ in
            guard state.pointee.needsRecount else { return }
            let holdout: UInt64 = day > calibrationEnd ? 1 : 0
            keys.append(UInt64(customer) << 33 | holdout << 32 | UInt64(UInt32(bitPattern: day) ^ 0x8000_0000))
        }
        recountKeys = keys
        try endRecount(rows: log.rowsRead, file: log.name)
    }

    /// The cohort's repeat purchase days by date, exactly, from a pass over `log` (from its
    /// start) after the first: for logs whose order the running states could not count them
    /// in (``RepeatPurchaseDays/isExact``). Each row of a customer with a calibration purchase,
    /// on another day than the first, becomes a key (customer, day); sorted, each distinct key
    /// is one repeat purchase day — 8 bytes per such row, for this rare case only.
    mutating func exactRepeatPurchaseDays(from log: TransactionLog) throws(DataError) -> RepeatPurchaseDays {
        var keys: [UInt64] = []
        try secondPass(over: log) { customer, day, state, _, _ in
            guard state.pointee.days > 0, day != state.pointee.firstDay else { return }
            keys.append(UInt64(customer) << 32 | UInt64(UInt32(bitPattern: day) ^ 0x8000_0000))
        }
        keys.sort()
        var days = RepeatPurchaseDays()
        var previous: UInt64? = nil
        for key in keys where key != previous {
            previous = key
            days.add(Int32(bitPattern: UInt32(truncatingIfNeeded: key) ^ 0x8000_0000))
        }
        return days
    }

    /// Reads `log` again from its start and calls `visit(customer, day, state, batch, row)` for
    /// each admitted row whose customer is in the table, in file order (`batch`'s row `row`;
    /// its line numbers kept when `keepsLines`). The rows are read in batches and the
    /// customers' table slots and states prefetched a fixed distance ahead, as in
    /// ``addAll(from:)``: in a shuffled log every lookup is a cache miss.
    private func secondPass(over log: TransactionLog, keepsLines: Bool = false,
                            _ visit: (Int, Int32, UnsafePointer<CustomerState>, RowBatch, Int) -> Void) throws(DataError) {
        var reader = RowReader(hasher: ids.hasher, observationEnd: observationEndDay, previousID: nil)
        reader.keepsLines = keepsLines
        var batch = RowBatch()
        defer { batch.deallocate() }
        let distance = Self.prefetchDistance
        var index = -1
        repeat {
            try reader.fill(&batch, from: log) { _ in }
            for i in 0..<batch.count {
                if i + distance < batch.count && batch.indices[i + distance] == RowBatch.lookUp {
                    ids.prefetch(batch.probes[i + distance])
                }
                if batch.indices[i] == RowBatch.lookUp { index = ids.find(batch.id(i), batch.probes[i]) ?? -1 }
                batch.indices[i] = index     // −1: not in the table (the input changed; see endRecount)
            }
            states.withUnsafeBufferPointer { states in
                let s = states.baseAddress!
                for i in 0..<batch.count {
                    if i + distance < batch.count, batch.indices[i + distance] >= 0 {
                        clv_prefetch(s + batch.indices[i + distance])
                    }
                    let customer = batch.indices[i]
                    if customer >= 0 { visit(customer, batch.days[i], s + customer, batch, i) }
                }
            }
        } while !batch.isLast
    }

    /// The second pass for sums (see ``needsResum``): the amounts of the marked customers,
    /// each as its correctly rounded `Double`, summed exactly and rounded once
    /// (``ExactDoubleSum``) — so these sums too are independent of the rows' order. Only the
    /// marked period of a customer is redone (the calibration period, the holdout, or both).
    /// When a period's amounts (all of them, the first day's included) sum to more than the
    /// largest `Double`, this is a ``DataError`` naming the customer, the amount column and the
    /// line where the sum passed it: an infinite sum or mean is never written.
    public mutating func resum(from log: TransactionLog) throws(DataError) {
        let calibrationEnd = calibrationEndDay ?? .max
        // Per marked customer: the period's total (to check that it is finite) and its repeat
        // sum (the calibration period), or its total (the holdout).
        var repeatSums: [Int: (total: ExactDoubleSum, repeats: ExactDoubleSum)] = [:], holdoutSums: [Int: ExactDoubleSum] = [:]
        for i in states.indices where states[i].needsResum { repeatSums[i] = (ExactDoubleSum(), ExactDoubleSum()) }
        for i in holdoutStates.indices where holdoutStates[i].needsResum { holdoutSums[i] = ExactDoubleSum() }
        var overflow: (customer: Int, line: Int, holdout: Bool)?
        try secondPass(over: log, keepsLines: true) { customer, day, state, batch, i in
            guard overflow == nil else { return }
            if day > calibrationEnd {
                guard holdoutSums[customer] != nil else { return }
                if !holdoutSums[customer]!.add(batch.amount(i)) { overflow = (customer, batch.lines[i], true) }
            } else if state.pointee.needsResum {
                let amount = batch.amount(i)
                if !repeatSums[customer]!.total.add(amount) {
                    overflow = (customer, batch.lines[i], false)
                } else if day != state.pointee.firstDay {
                    _ = repeatSums[customer]!.repeats.add(amount)    // ≤ the total: finite
                }
            }
        }
        guard log.rowsRead == rows else {
            throw DataError(file: log.name, message: "the input changed while it was read (\(rows) rows, then \(log.rowsRead))")
        }
        if let overflow {
            let id = ids.string(overflow.customer)
            let period = overflow.holdout ? "after the calibration end (the holdout period)"
                : calibrationEndDay != nil ? "up to the calibration end" : "in the observation window"
            throw DataError(file: log.name, line: overflow.line, field: options.amountColumn,
                            message: "customer \(DataText.quoted(id)): the amounts \(period) sum to more than the largest double (about 1.8e308), so the monetary value would be infinite; refused rather than written as inf (check the amount column's unit and values)")
        }
        for (i, sum) in repeatSums {
            states[i].totalUnits = sum.repeats.sum.bitPattern
            states[i].firstUnits = 0
            states[i].scale = ExactAmount.inexact
        }
        for (i, sum) in holdoutSums {
            holdoutStates[i].units = sum.sum.bitPattern
            holdoutStates[i].scale = ExactAmount.inexact
        }
        resumCustomers = 0
    }

    /// Replaces the marked customers' day counts with the exact ones.
    private mutating func endRecount(rows secondPassRows: Int, file: String) throws(DataError) {
        guard secondPassRows == rows else {
            throw DataError(file: file, message: "the input changed while it was read (\(rows) rows, then \(secondPassRows))")
        }
        recountKeys.sort()
        for i in states.indices where states[i].needsRecount {
            states[i].days = 0
            if calibrationEndDay != nil { holdoutStates[i].days = 0 }
            states[i].needsRecount = false
        }
        var previous: UInt64? = nil
        for key in recountKeys where key != previous {
            previous = key
            let index = Int(key >> 33)
            if key & (1 << 32) != 0 {
                holdoutStates[index].days += 1
            } else {
                states[index].days += 1
            }
        }
        recountKeys = []
        recountCustomers = 0
    }

    // MARK: Result

    /// The summary of the rows added so far, as a table (``summary(file:hasAmount:)`` for the
    /// summary that can also be written without building one).
    /// - Parameters:
    ///   - file: the input's name, for messages.
    ///   - hasAmount: whether rows carried amounts (else `monetaryValue` is `nil`).
    public func table(file: String, hasAmount: Bool) throws(DataError) -> CustomerSummaryTable {
        try summary(file: file, hasAmount: hasAmount).table
    }

    /// The finished summary of the rows added so far; fails when the window holds no customer
    /// (no rows, a calibration end after the observation end, no purchase on or before the end).
    /// - Parameters:
    ///   - file: the input's name, for messages.
    ///   - hasAmount: whether rows carried amounts (else there is no `monetary_value`).
    public func summary(file: String, hasAmount: Bool) throws(DataError) -> RFMSummary {
        precondition(!needsRecount, "summary() before the recount of out-of-order customers")
        precondition(!needsResum, "summary() before the second pass for inexact sums (resum(from:))")
        guard rows > 0 else {
            throw DataError(file: file, message: "no transactions: the file has a header but no rows")
        }
        let observationEnd = observationEndDay ?? maxDay
        if let cal = calibrationEndDay, cal > observationEnd {
            let which = observationEndDay == nil ? " (the last transaction date)" : ""
            throw DataError(file: file, message: "the calibration end \(CalendarDate(daysSinceEpoch: cal)) is after the observation end \(CalendarDate(daysSinceEpoch: observationEnd))\(which)")
        }
        let windowEnd = calibrationEndDay ?? observationEnd
        guard let unitDays = options.unit.days else {
            throw DataError(file: file, message: "a transaction log has dates, so its summary is in days or weeks; purchase opportunities (unit periods) are read from an RFM summary")
        }
        let count = RFMSummary.customersInWindow(states, 0..<states.count)
        guard count > 0 else {
            let range = "the file's dates run from \(CalendarDate(daysSinceEpoch: minDay)) to \(CalendarDate(daysSinceEpoch: maxDay))"
            if let cal = calibrationEndDay {
                throw DataError(file: file, message: "no transactions on or before the calibration end \(CalendarDate(daysSinceEpoch: cal)); \(range)")
            }
            throw DataError(file: file, message: "no transactions on or before the observation end \(CalendarDate(daysSinceEpoch: observationEnd)); \(range)")
        }
        let provenance = Provenance(
            firstDate: CalendarDate(daysSinceEpoch: minUsedDay).description,
            lastDate: CalendarDate(daysSinceEpoch: maxUsedDay).description,
            calibrationEnd: calibrationEndDay.map { CalendarDate(daysSinceEpoch: $0).description },
            observationEnd: CalendarDate(daysSinceEpoch: observationEnd).description,
            transactionRows: rows)
        return RFMSummary(states: states, holdoutStates: holdoutStates, ids: ids, unit: options.unit, unitDays: unitDays,
                          windowEnd: windowEnd, observationEnd: observationEnd,
                          holdoutDuration: calibrationEndDay.map { Double(Int(observationEnd) - Int($0)) / unitDays },
                          hasAmount: hasAmount, holdoutPerTransaction: options.holdoutMonetaryValue == .perTransaction,
                          provenance: provenance, count: count)
    }
}
