import CLVShims
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Maps customer-id byte strings to dense indices 0, 1, 2, … in order of first insertion.
///
/// Why not `Dictionary<String, Int>`: ids are compared as exact bytes, as pandas compares Python
/// strings (a `String` compares by Unicode canonical equivalence, so two differently encoded
/// ids such as a precomposed and a decomposed "é" would merge), the lookup allocates nothing (the
/// key is the field's bytes in the CSV buffer), and it touches one cache line: a log sorted by
/// date visits customers in random order, so with millions of customers every lookup is a cache
/// miss, and the miss count is what limits throughput.
///
/// Layout: open addressing with linear probing over 16-byte slots (four per cache line, so a
/// probe that steps past the home slot rarely needs another line), at most half full. A slot
/// holds 24 bits of the key's hash with a "shape" byte, the key's index, and one 64-bit word that
/// stores the whole key for the common kinds of ids:
/// - ids of up to 8 bytes: their bytes, zero padded (`shape` = length + 1);
/// - integer-like ids of 9–19 digits without a leading zero (`123456789012`): their value, which
///   is a one-to-one encoding of such strings (`shape` = 0x40 + digit count);
/// - prefixed numbers of 9–16 bytes: 1–4 bytes that are not digits, then only digits
///   (`c00123456`, `CUST00123`, `AB-1234567`): the prefix bytes in the word's top bytes and the
///   digits' value below them, with the prefix and total lengths in the shape
///   (`shape` = 0x20 + 8·(prefix length − 1) + length − 9), when the value fits the bits left
///   (up to 15, 14, 12 and 9 digits after 1–4 prefix bytes). The lengths give back the leading
///   zeros, so this too is one-to-one. Such ids would otherwise need the arena compared on
///   every lookup: a second cache miss per row in a log not sorted by customer;
/// - other ids: their first 8 bytes (`shape` = 0x80 | min(length, 127)); the rest is compared
///   with the copy kept in a byte arena.
/// The shapes of the four kinds never coincide (1–9, 0x20–0x3F, 0x49–0x53, ≥ 0x80), so two ids are equal exactly when their shapes
/// and words are (and, for the third kind, their tails). The arena holds every id, in order, to
/// give them back as strings. The hash is seeded per table, so ids cannot be crafted in advance
/// to collide.
///
/// Lookups come in two steps so that callers can overlap the cache misses of many keys:
/// ``probe(_:)`` computes what a lookup needs (no memory access), ``prefetch(_:)`` starts loading
/// the home slot, and ``findOrInsert(_:_:)`` probes later, when the line has arrived.
struct CustomerIDTable {
    struct Slot {
        var key: UInt64 = 0            // see the type's comment; 0 in an empty slot
        var tag: UInt32 = 0            // hash bits 40..<64 << 8 | shape; 0 marks an empty slot
        var index: UInt32 = 0
    }

    /// What a lookup needs to know about a key: its hash, slot word and tag (hash bits | shape).
    struct Probe: Equatable, Sendable {
        var hash: UInt64
        var key: UInt64
        var tag: UInt32

        /// Whether the key is stored whole in the slot word (ids of up to 8 bytes and
        /// integer-like ids of up to 19 digits); if not, equal probes still need the tails
        /// compared.
        @inline(__always)
        var isInline: Bool { tag & 0x80 == 0 }
    }

    private var slots: [Slot]
    private var mask: Int
    private var arena: [UInt8] = []
    private var offsets: [Int] = [0]   // id i is arena[offsets[i] ..< offsets[i + 1]]
    private let seed: UInt64
    private(set) var count = 0

    init(expectedCount: Int = 1024) {
        var capacity = 16
        while capacity < 2 * expectedCount { capacity *= 2 }
        slots = LargeArray.zeroed(Slot.self, count: capacity)
        mask = capacity - 1
        seed = UInt64.random(in: 1...UInt64.max)
    }

    /// Room for `expectedCount` ids before the table grows, when it is still empty (else
    /// nothing changes); returns the number of ids it holds before growing.
    @discardableResult
    mutating func reserve(_ expectedCount: Int) -> Int {
        guard count == 0 else { return slots.count / 2 }
        var capacity = slots.count
        while capacity < 2 * expectedCount { capacity *= 2 }
        if capacity > slots.count {
            slots = LargeArray.zeroed(Slot.self, count: capacity)
            mask = capacity - 1
        }
        return capacity / 2
    }

    /// Id `index` as a String (ids are checked to be UTF-8 before insertion).
    func string(_ index: Int) -> String {
        arena.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[offsets[index] ..< offsets[index + 1]]), as: UTF8.self)
        }
    }

    /// The ids' bytes, in the order of their indices, read without making strings.
    struct IDBytes {
        let arena: UnsafePointer<UInt8>
        let offsets: UnsafePointer<Int>

        /// The bytes of id `index`.
        @inline(__always)
        subscript(index: Int) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(start: arena + offsets[index], count: offsets[index + 1] - offsets[index])
        }
    }

    /// Calls `body` with the ids' bytes (valid inside `body` only).
    func withIDBytes<R>(_ body: (IDBytes) -> R) -> R {
        offsets.withUnsafeBufferPointer { o in
            guard !arena.isEmpty else {
                // No storage to point at, and no id bytes to read (ids are never empty).
                let none: UInt8 = 0
                return withUnsafePointer(to: none) { body(IDBytes(arena: $0, offsets: o.baseAddress!)) }
            }
            return arena.withUnsafeBufferPointer { a in body(IDBytes(arena: a.baseAddress!, offsets: o.baseAddress!)) }
        }
    }

    // MARK: Keys

    /// The first `min(n, 8)` bytes at `p` as a little-endian word, zero padded, reading only
    /// those bytes (no 8-byte load past the end of a short field).
    @inline(__always)
    static func word(_ p: UnsafeRawPointer, _ n: Int) -> UInt64 {
        if n >= 8 { return p.loadUnaligned(as: UInt64.self) }
        if n >= 4 {
            // Two overlapping 4-byte loads cover bytes 0..<4 and n-4..<n; overlapping bytes
            // are equal, so OR-ing them is harmless.
            let lo = UInt64(p.loadUnaligned(as: UInt32.self))
            let hi = UInt64(p.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self))
            return lo | hi << UInt64(8 * (n - 4))
        }
        if n == 0 { return 0 }
        // 1–3 bytes: positions 0, n/2 and n-1 cover them all.
        let b = p.assumingMemoryBound(to: UInt8.self)
        return UInt64(b[0]) | UInt64(b[n >> 1]) << UInt64(8 * (n >> 1)) | UInt64(b[n - 1]) << UInt64(8 * (n - 1))
    }

    /// The value of `n` (9…19) ASCII digits without a leading zero, or `nil` if the bytes are
    /// not such a number. 19 digits stay below 2^64, so the value cannot overflow.
    @inline(__always)
    static func integerValue(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64? {
        guard p[0] &- 0x31 < 9 else { return nil }   // 1…9
        var value: UInt64 = 0
        for i in 0..<n {
            let d = p[i] &- 0x30
            guard d < 10 else { return nil }
            value = value &* 10 &+ UInt64(d)
        }
        return value
    }

    /// The most digits that follow a prefix of 1–4 non-digit bytes in a prefixed-number slot
    /// word (10^digits ≤ 2^(64 − 8·prefix)); index = prefix length − 1.
    static let prefixedDigits = [15, 14, 12, 9]

    /// The slot word and shape of a prefixed number of `n` (9…16) bytes (see the type's
    /// comment), or `nil` if the bytes are not one.
    @inline(__always)
    static func prefixedValue(_ p: UnsafePointer<UInt8>, _ n: Int) -> (word: UInt64, shape: UInt64)? {
        var prefix = 0
        while prefix < 4 && prefix < n && p[prefix] &- 0x30 >= 10 { prefix += 1 }
        guard prefix > 0, n - prefix <= prefixedDigits[prefix - 1] else { return nil }
        var value: UInt64 = 0
        for i in prefix..<n {
            let d = p[i] &- 0x30
            guard d < 10 else { return nil }
            value = value &* 10 &+ UInt64(d)
        }
        var head: UInt64 = 0
        for i in 0..<prefix { head = head << 8 | UInt64(p[i]) }
        return (head << UInt64(64 - 8 * prefix) | value, 0x20 + 8 * UInt64(prefix - 1) + UInt64(n - 9))
    }

    /// The hash, slot word and tag of `key` (computed once, used by ``prefetch(_:)`` and
    /// ``findOrInsert(_:_:)``); touches no memory but the key.
    @inline(__always)
    func probe(_ key: UnsafeBufferPointer<UInt8>) -> Probe {
        Self.probe(key, seed: seed)
    }

    /// Computes probes for this table without access to it (on another thread).
    struct Hasher: Sendable {
        let seed: UInt64

        @inline(__always)
        func probe(_ key: UnsafeBufferPointer<UInt8>) -> Probe {
            CustomerIDTable.probe(key, seed: seed)
        }
    }

    var hasher: Hasher { Hasher(seed: seed) }

    @inline(__always)
    private static func probe(_ key: UnsafeBufferPointer<UInt8>, seed: UInt64) -> Probe {
        let n = key.count
        guard let base = key.baseAddress, n > 0 else { return Self.finish(seed, word: 0, shape: 1) }
        let raw = UnsafeRawPointer(base)
        if n <= 8 {
            return Self.finish(seed, word: Self.word(raw, n), shape: UInt64(n) + 1)
        }
        if n <= 19, let value = Self.integerValue(base, n) {
            return Self.finish(seed, word: value, shape: 0x40 + UInt64(n))
        }
        if n <= 16, let (word, shape) = Self.prefixedValue(base, n) {
            return Self.finish(seed, word: word, shape: shape)
        }
        // A long id: the head goes in the slot, every byte goes in the hash.
        var h = Self.mix(seed, word: raw.loadUnaligned(as: UInt64.self), shape: 0x80 | UInt64(min(n, 127)))
        var i = 8
        while i + 8 <= n {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
            i += 8
        }
        if i < n {
            h = (h ^ Self.word(raw + i, n - i)) &* 0x94D0_49BB_1331_11EB
            h ^= h >> 31
        }
        return Self.finalize(h, word: raw.loadUnaligned(as: UInt64.self), shape: 0x80 | UInt64(min(n, 127)))
    }

    /// Multiply–xorshift steps over the shape and the slot word.
    @inline(__always)
    private static func mix(_ seed: UInt64, word: UInt64, shape: UInt64) -> UInt64 {
        var h = seed ^ (shape &* 0x9E37_79B9_7F4A_7C15)
        h = (h ^ word) &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 29
        return h
    }

    /// The MurmurHash3 64-bit finalizer, then the probe.
    @inline(__always)
    private static func finalize(_ h0: UInt64, word: UInt64, shape: UInt64) -> Probe {
        let h = murmurFinalizer(h0)
        let tag = UInt32(truncatingIfNeeded: h >> 40) << 8 | UInt32(truncatingIfNeeded: shape)
        return Probe(hash: h, key: word, tag: tag)
    }

    @inline(__always)
    private static func finish(_ seed: UInt64, word: UInt64, shape: UInt64) -> Probe {
        finalize(mix(seed, word: word, shape: shape), word: word, shape: shape)
    }

    // MARK: Lookup

    /// Starts loading the key's home slot into the cache without waiting for it, so that the
    /// caller can have the (likely cache-missing) slots of many keys in flight at once before
    /// the dependent probing in ``findOrInsert(_:_:)``.
    @inline(__always)
    func prefetch(_ probe: Probe) {
        slots.withUnsafeBufferPointer { clv_prefetch($0.baseAddress! + (Int(truncatingIfNeeded: probe.hash) & mask)) }
    }

    /// The index of `key`, or `nil`.
    func find(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        find(key, probe(key))
    }

    /// ``find(_:)`` with the probe already computed.
    @inline(__always)
    func find(_ key: UnsafeBufferPointer<UInt8>, _ p: Probe) -> Int? {
        locate(key, p).0
    }

    /// The index of `key`, inserting it (with the next index) if new.
    @inline(__always)
    mutating func findOrInsert(_ key: UnsafeBufferPointer<UInt8>) -> (index: Int, inserted: Bool) {
        findOrInsert(key, probe(key))
    }

    /// ``findOrInsert(_:)`` with the probe already computed.
    @inline(__always)
    mutating func findOrInsert(_ key: UnsafeBufferPointer<UInt8>, _ p: Probe) -> (index: Int, inserted: Bool) {
        let (found, slot) = locate(key, p)
        if let found { return (found, false) }
        return (insert(key, p, at: slot), true)
    }

    /// The key's index, or `nil` and the empty slot where it would go.
    @inline(__always)
    private func locate(_ key: UnsafeBufferPointer<UInt8>, _ p: Probe) -> (Int?, Int) {
        var slot = Int(truncatingIfNeeded: p.hash) & mask
        return slots.withUnsafeBufferPointer { slots in
            while true {
                let s = slots[slot]
                if s.tag == p.tag && s.key == p.key && (p.isInline || tailEqual(Int(s.index), key)) {
                    return (Int(s.index), slot)
                }
                if s.tag == 0 { return (nil, slot) }
                slot = (slot + 1) & mask
            }
        }
    }

    @inline(never)
    private mutating func insert(_ key: UnsafeBufferPointer<UInt8>, _ p: Probe, at slot: Int) -> Int {
        let index = count
        precondition(index < Int(UInt32.max), "more than 2^32 customers")
        arena.append(contentsOf: key)
        offsets.append(arena.count)
        slots[slot] = Slot(key: p.key, tag: p.tag, index: UInt32(index))
        count += 1
        if 2 * count > slots.count { grow() }
        return index
    }

    /// Bytes 8… and the length of `key` equal those of id `index` (a long id whose slot word,
    /// i.e. first 8 bytes, and shape already matched).
    private func tailEqual(_ index: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = offsets[index], end = offsets[index + 1]
        guard end - start == key.count else { return false }
        return arena.withUnsafeBufferPointer { a in
            bytesEqual(a.baseAddress! + start + 8, key.baseAddress! + 8, key.count - 8)
        }
    }

    private mutating func grow() {
        let old = slots
        let capacity = old.count * 2
        var grown = LargeArray.zeroed(Slot.self, count: capacity)
        let mask = capacity - 1, seed = self.seed, offsets = self.offsets
        grown.withUnsafeMutableBufferPointer { slots in
            arena.withUnsafeBufferPointer { a in
                for s in old where s.tag != 0 {
                    let hash: UInt64
                    if s.tag & 0x80 == 0 {
                        hash = Self.finish(seed, word: s.key, shape: UInt64(s.tag & 0xFF)).hash
                    } else {
                        let start = offsets[Int(s.index)]
                        let key = UnsafeBufferPointer(start: a.baseAddress! + start, count: offsets[Int(s.index) + 1] - start)
                        hash = Self.probe(key, seed: seed).hash
                    }
                    var slot = Int(truncatingIfNeeded: hash) & mask
                    while slots[slot].tag != 0 { slot = (slot + 1) & mask }
                    slots[slot] = s
                }
            }
        }
        slots = grown
        self.mask = mask
    }
}

/// The MurmurHash3 64-bit finalizer: every input bit reaches every output bit (the hash of the
/// customer table, and of the patterns ``PurchaseHistory/compressed()`` merges).
@inline(__always)
func murmurFinalizer(_ k: UInt64) -> UInt64 {
    var h = k
    h ^= h >> 33
    h &*= 0xFF51_AFD7_ED55_8CCD
    h ^= h >> 33
    h &*= 0xC4CE_B9FE_1A85_EC53
    h ^= h >> 33
    return h
}

/// Byte equality of two buffers of `count` bytes.
@inline(__always)
func bytesEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i + 8 <= count {
        if ra.loadUnaligned(fromByteOffset: i, as: UInt64.self) != rb.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
            return false
        }
        i += 8
    }
    while i < count {
        if a[i] != b[i] { return false }
        i += 1
    }
    return true
}

/// Arrays of tens of megabytes that are read at random (the customer table's slots, the
/// summarizer's per-customer states).
///
/// Why: with millions of customers each lookup lands on a random 4 KiB page, so besides the
/// cache miss it misses the TLB, and the page walk (two-dimensional under a hypervisor) costs
/// as much again and keeps a software prefetch from completing early. On Linux the arrays' pages
/// are therefore advised as transparent huge pages (2 MiB: a 64 MiB table needs 32 TLB entries
/// instead of 16,384) before they are first touched. Elsewhere, or when the kernel declines, the
/// arrays are ordinary arrays; only speed differs.
enum LargeArray {
    /// Arrays smaller than this are left alone (a huge page would mostly hold nothing).
    static let threshold = 4 << 20

    /// `count` elements whose bytes are all zero (the element type must be valid as such).
    ///
    /// For a large array, a helper thread faults in the second half's pages
    /// (``prefaultInBackground(_:)``) while this one zeroes from the start: first touches of
    /// new memory are most of the cost of zeroing it, and this way two threads share them.
    static func zeroed<T>(_ type: T.Type, count: Int) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            advise(raw)
            if raw.count >= threshold {
                prefaultInBackground(UnsafeMutableRawBufferPointer(rebasing: raw[(raw.count / 2)...]))
            }
            if let base = raw.baseAddress { memset(base, 0, raw.count) }
            initialized = count
        }
    }

    /// Asks the kernel, from a helper thread, to fault in the pages of `region` (writable, as
    /// on a first write) without changing its contents (Linux `MADV_POPULATE_WRITE`), so that
    /// the thread that uses the memory later finds it mapped — on a virtual machine a first
    /// touch costs microseconds a page, which otherwise falls on the reading threads. Only a
    /// hint: contents never change, and if the region has been freed by then the call fails
    /// harmlessly.
    static func prefaultInBackground(_ region: UnsafeMutableRawBufferPointer) {
        #if os(Linux)
        guard region.count >= threshold, let base = region.baseAddress else { return }
        let address = UInt(bitPattern: base), length = region.count
        DispatchQueue.global(qos: .utility).async {
            // 23 = MADV_POPULATE_WRITE (Linux 5.14); older kernels reject it, which is fine.
            _ = madvise(UnsafeMutableRawPointer(bitPattern: address), length, 23)
        }
        #endif
    }

    /// `array`'s elements in a new array with room for `capacity` (≥ its count) elements,
    /// advised as above, so that appending up to `capacity` elements does not reallocate.
    static func regrown<T>(_ array: [T], capacity: Int) -> [T] {
        [T](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            advise(UnsafeMutableRawBufferPointer(buffer))
            array.withUnsafeBufferPointer { old in
                if let from = old.baseAddress { buffer.baseAddress!.initialize(from: from, count: old.count) }
            }
            initialized = array.count
        }
    }

    /// Asks for transparent huge pages on the 2 MiB-aligned part of `buffer` (Linux).
    private static func advise(_ buffer: UnsafeMutableRawBufferPointer) {
        #if os(Linux)
        guard buffer.count >= threshold, let base = buffer.baseAddress else { return }
        let huge = 2 << 20
        let start = (Int(bitPattern: base) + huge - 1) & ~(huge - 1)
        let end = (Int(bitPattern: base) + buffer.count) & ~(huge - 1)
        guard end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(pointer, end - start, MADV_HUGEPAGE)
        #endif
    }
}
