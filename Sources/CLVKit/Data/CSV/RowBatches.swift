import Dispatch

/// The row count and date ranges of a transaction log (all rows, and rows on or before the
/// observation end), kept by whoever reads the rows (``RFMSummarizer``, or its reader thread).
struct RowCounts {
    var rows = 0
    /// Rows dated after the observation end (ignored).
    var late = 0
    var minDay = Int32.max, maxDay = Int32.min            // all rows
    var minUsedDay = Int32.max, maxUsedDay = Int32.min    // rows on or before the observation end

    /// Counts a row dated `day`; `false` if it is after the observation end (the row is then
    /// ignored, but its date still counts in the file's date range).
    @inline(__always)
    mutating func admit(_ day: Int32, observationEnd: Int32?) -> Bool {
        rows += 1
        if day < minDay { minDay = day }
        if day > maxDay { maxDay = day }
        if let end = observationEnd, day > end { late += 1; return false }
        if day < minUsedDay { minUsedDay = day }
        if day > maxUsedDay { maxUsedDay = day }
        return true
    }

    /// Adds the counts of other rows.
    mutating func merge(_ other: RowCounts) {
        rows += other.rows
        late += other.late
        minDay = min(minDay, other.minDay)
        maxDay = max(maxDay, other.maxDay)
        minUsedDay = min(minUsedDay, other.minUsedDay)
        maxUsedDay = max(maxUsedDay, other.maxUsedDay)
    }
}

/// Admitted rows of a transaction log on their way into an ``RFMSummarizer``: ids copied out of
/// the CSV buffer (which the next rows overwrite) and hashed, dates and amounts. Plain pointers,
/// so that the hot loops pay no copy-on-write checks; owned by whoever created it
/// (``deallocate()``).
struct RowBatch {
    /// Rows per batch. 1,024 rather than 256: a quarter of the hand-overs between the reader
    /// thread and the summarizer (each may wake a sleeping thread), which cut the CPU time of
    /// summarizing the 10M-row bench log by about a tenth. (The summarizer prefetches a fixed
    /// number of rows ahead within a batch, so the batch size does not bound the prefetching.)
    static let capacity = 1024
    /// ``indices`` before resolution: the id must be looked up.
    static let lookUp = -2
    /// ``indices`` before resolution: the same customer as the row before (no lookup).
    static let sameAsPrevious = -1

    /// Rows in the batch.
    var count = 0
    /// Whether the log ended (or failed to read) after these rows.
    var isLast = false
    /// Ids of the rows, back to back: row i's is `idBytes[idStart[i] ..< idStart[i] + idLength[i]]`.
    private(set) var idBytes: UnsafeMutablePointer<UInt8>
    private var idCapacity = 1024 * 16
    let idStart: UnsafeMutablePointer<Int>
    let idLength: UnsafeMutablePointer<Int>
    let days: UnsafeMutablePointer<Int32>
    /// The amounts as ``ExactAmount``s: ``units`` and ``scales``; for an amount that does not
    /// fit (scale ``ExactAmount/inexact``), ``units`` holds its `Double`'s bit pattern.
    let units: UnsafeMutablePointer<UInt64>
    let scales: UnsafeMutablePointer<UInt8>
    /// The rows' line numbers, when the reader keeps them (``RowReader/keepsLines``).
    let lines: UnsafeMutablePointer<Int>
    let probes: UnsafeMutablePointer<CustomerIDTable.Probe>
    /// ``lookUp`` or ``sameAsPrevious`` as read; the customer index of each row once resolved.
    let indices: UnsafeMutablePointer<Int>

    init() {
        idBytes = .allocate(capacity: idCapacity)
        idStart = .allocate(capacity: Self.capacity)
        idLength = .allocate(capacity: Self.capacity)
        days = .allocate(capacity: Self.capacity)
        units = .allocate(capacity: Self.capacity)
        scales = .allocate(capacity: Self.capacity)
        lines = .allocate(capacity: Self.capacity)
        probes = .allocate(capacity: Self.capacity)
        indices = .allocate(capacity: Self.capacity)
    }

    func deallocate() {
        idBytes.deallocate(); idStart.deallocate(); idLength.deallocate(); days.deallocate()
        units.deallocate(); scales.deallocate(); lines.deallocate(); probes.deallocate(); indices.deallocate()
    }

    /// The amount of row `i` as a `Double` (the correctly rounded value of its decimal).
    func amount(_ i: Int) -> Double {
        scales[i] == ExactAmount.inexact ? Double(bitPattern: units[i]) : ExactAmount.double(units: units[i], scale: scales[i])
    }

    /// The id of row `i`.
    @inline(__always)
    func id(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: idBytes + idStart[i], count: idLength[i])
    }

    /// Appends `id`'s bytes after the first `used` bytes of ``idBytes``, growing it if needed.
    @inline(__always)
    mutating func storeID(_ id: UnsafeBufferPointer<UInt8>, at used: Int) {
        let length = id.count
        if used + length > idCapacity {
            idCapacity = 2 * (used + length)
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: idCapacity)
            grown.update(from: idBytes, count: used)
            idBytes.deallocate()
            idBytes = grown
        }
        (idBytes + used).update(from: id.baseAddress!, count: length)
    }
}

/// Reads admitted rows of a log into ``RowBatch``es: counts them (``RowCounts``), copies and
/// hashes their ids, and marks runs of one customer, which need no lookup. Touches nothing of
/// the summarizer but the table's ``CustomerIDTable/Hasher``, so it can run on another thread.
struct RowReader {
    let hasher: CustomerIDTable.Hasher
    let observationEnd: Int32?
    private(set) var counts = RowCounts()
    /// Whether ``fill(_:from:prefetch:)`` records the rows' line numbers (for messages of the
    /// second pass; the first pass does without).
    var keepsLines = false
    /// The id of the last admitted row read, if any.
    private(set) var previousID: [UInt8]?
    private var previousProbe: CustomerIDTable.Probe?

    init(hasher: CustomerIDTable.Hasher, observationEnd: Int32?, previousID: [UInt8]?) {
        self.hasher = hasher
        self.observationEnd = observationEnd
        self.previousID = previousID
        previousProbe = previousID.map { id in id.withUnsafeBufferPointer { hasher.probe($0) } }
    }

    /// Fills `batch` with up to ``RowBatch/capacity`` admitted rows (fewer, and ``RowBatch/isLast``
    /// set, at the end of the log). `prefetch` is called with the probe of each row that needs a
    /// lookup, as soon as the row is read. If reading a row throws, the batch holds the rows
    /// before it.
    @inline(__always)
    mutating func fill(_ batch: inout RowBatch, from log: TransactionLog,
                       prefetch: (CustomerIDTable.Probe) -> Void) throws(DataError) {
        batch.count = 0
        batch.isLast = false
        defer {
            if batch.count > 0 {
                let last = batch.id(batch.count - 1)
                if previousID == nil { previousID = [] }
                previousID!.removeAll(keepingCapacity: true)
                previousID!.append(contentsOf: last)
            }
        }
        var used = 0
        while batch.count < RowBatch.capacity {
            guard let row = try log.next() else {
                batch.isLast = true
                return
            }
            let day = row.date.daysSinceEpoch
            guard counts.admit(day, observationEnd: observationEnd) else { continue }
            let i = batch.count
            let id = row.customerID                 // not empty: empty ids are rejected
            batch.storeID(id, at: used)
            batch.idStart[i] = used
            batch.idLength[i] = id.count
            used += id.count
            let probe = hasher.probe(id)
            batch.probes[i] = probe
            batch.days[i] = day
            let exact = row.exactAmount
            batch.scales[i] = exact.scale
            batch.units[i] = exact.isExact ? exact.units : row.inexactAmount.bitPattern
            if keepsLines { batch.lines[i] = row.line }
            // The same customer as the row before (logs grouped by customer) needs no lookup.
            var same = false
            if probe == previousProbe {
                if probe.isInline {
                    same = true
                } else if i > 0 {
                    same = Self.sameBytes(id, batch.id(i - 1))
                } else if let previousID {
                    same = previousID.withUnsafeBufferPointer { Self.sameBytes(id, $0) }
                }
            }
            previousProbe = probe
            if same {
                batch.indices[i] = RowBatch.sameAsPrevious
            } else {
                batch.indices[i] = RowBatch.lookUp
                prefetch(probe)
            }
            batch.count = i + 1
        }
    }

    @inline(__always)
    private static func sameBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        a.count == b.count && (a.count == 0 || bytesEqual(a.baseAddress!, b.baseAddress!, a.count))
    }
}

/// The batches passed from the reader thread to the summarizer in ``RFMSummarizer/addAll(from:)``:
/// a ring of ``size`` batches; the reader fills them in order (``produce()``), the summarizer
/// takes them in the same order and gives each back once applied. Two semaphores count the
/// free and the full batches; each batch belongs to one side at a time, and the semaphores
/// order the writes of one side before the reads of the other.
///
/// Hand-overs are signalled in groups (every ``fullGroup`` filled batches, every ``freeGroup``
/// returned ones) rather than one by one: when one side is faster it sleeps on its semaphore,
/// and waking it for every single batch made tens of thousands of context switches per
/// million rows. Neither side sleeps with hand-overs of its own unsignalled, so the two can
/// never wait for each other.
final class Ring: @unchecked Sendable {
    static let size = 8
    static let fullGroup = 2
    static let freeGroup = 4
    private let batches: UnsafeMutablePointer<RowBatch>
    private let free = DispatchSemaphore(value: Ring.size)
    private let full = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    // Used by the reader thread only, until it signals `done`.
    private var reader: RowReader
    private let log: TransactionLog
    private var filledUnsignalled = 0
    // Used by the summarizer's thread only.
    private var returnedUnsignalled = 0
    /// Why reading stopped early, if it did; set before the last batch is handed over.
    private(set) var error: DataError?

    init(reader: RowReader, log: TransactionLog) {
        self.reader = reader
        self.log = log
        batches = .allocate(capacity: Ring.size)
        for i in 0..<Ring.size { (batches + i).initialize(to: RowBatch()) }
    }

    deinit {
        for i in 0..<Ring.size { batches[i].deallocate() }
        batches.deinitialize(count: Ring.size)
        batches.deallocate()
    }

    /// The reader thread: fills batches until the log ends or fails.
    func produce() {
        var k = 0
        while true {
            if free.wait(timeout: .now()) != .success {
                signalFilled()
                free.wait()
            }
            let batch = batches + k % Ring.size
            do {
                try reader.fill(&batch.pointee, from: log) { _ in }
            } catch {
                self.error = error
                batch.pointee.isLast = true
            }
            filledUnsignalled += 1
            if batch.pointee.isLast {
                signalFilled()
                break
            }
            if filledUnsignalled >= Ring.fullGroup { signalFilled() }
            k += 1
        }
        done.signal()
    }

    private func signalFilled() {
        for _ in 0..<filledUnsignalled { full.signal() }
        filledUnsignalled = 0
    }

    /// Batch `k` (the k-th handed over, counting from 0), waiting for it.
    func takeFull(_ k: Int) -> UnsafeMutablePointer<RowBatch> {
        if full.wait(timeout: .now()) != .success {
            signalReturned()
            full.wait()
        }
        return batches + k % Ring.size
    }

    /// Batch `k` if it is ready, without waiting.
    func pollFull(_ k: Int) -> UnsafeMutablePointer<RowBatch>? {
        full.wait(timeout: .now()) == .success ? batches + k % Ring.size : nil
    }

    /// Hands the oldest batch taken back to the reader.
    func giveBack() {
        returnedUnsignalled += 1
        if returnedUnsignalled >= Ring.freeGroup { signalReturned() }
    }

    private func signalReturned() {
        for _ in 0..<returnedUnsignalled { free.signal() }
        returnedUnsignalled = 0
    }

    /// The reader's final state, once the reader thread is done. Call after the last batch
    /// has been given back. (All returns are signalled first: libdispatch traps when a
    /// semaphore is freed with a value below its initial one.)
    func finishedReader() -> RowReader {
        signalReturned()
        done.wait()
        return reader
    }
}
