/// Maps customer-id byte strings to dense indices 0, 1, 2, … in order of first insertion.
///
/// Why not `Dictionary<String, Int>`: ids are compared as exact bytes, as pandas compares Python
/// strings (a `String` compares by Unicode canonical equivalence, so two differently encoded
/// ids such as a precomposed and a decomposed "é" would merge), the lookup allocates nothing (the
/// key is the field's bytes in the CSV buffer), and it touches one cache line: a log sorted by
/// date visits customers in random order, so with hundreds of thousands of customers every
/// lookup is a cache miss, and the miss count is what limits throughput.
///
/// Layout: open addressing with linear probing over 32-byte slots, at most half full. A slot holds
/// 32 bits of the key's hash, its length, its index and its first 16 bytes, so a lookup of an id of
/// up to 16 bytes (most ids) reads one slot and nothing else; longer ids compare their tail with
/// the copy kept in a byte arena (which also gives the ids back as strings, in order). The hash is
/// seeded per table, so ids cannot be crafted in advance to collide.
struct CustomerIDTable {
    struct Slot {
        var tag: UInt32 = 0            // high hash bits | 1; 0 marks an empty slot
        var length: UInt32 = 0
        var index: UInt32 = 0
        var spare: UInt32 = 0
        var head0: UInt64 = 0          // key bytes 0..<8, zero padded
        var head1: UInt64 = 0          // key bytes 8..<16, zero padded
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
        slots = Array(repeating: Slot(), count: capacity)
        mask = capacity - 1
        seed = UInt64.random(in: 1...UInt64.max)
    }

    /// Id `index` as a String (ids are checked to be UTF-8 before insertion).
    func string(_ index: Int) -> String {
        arena.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[offsets[index] ..< offsets[index + 1]]), as: UTF8.self)
        }
    }

    /// The key's first 16 bytes as two little-endian words, zero padded.
    @inline(__always)
    private static func head(_ key: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
        let n = key.count
        guard let base = key.baseAddress else { return (0, 0) }
        let raw = UnsafeRawPointer(base)
        if n >= 16 {
            return (raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        }
        var words: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &words) { $0.baseAddress!.copyMemory(from: raw, byteCount: n) }
        return words
    }

    /// The index of `key`, or `nil`.
    func find(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        let (w0, w1) = Self.head(key)
        let h = hash(key, w0, w1)
        let tag = UInt32(truncatingIfNeeded: h >> 32) | 1
        var slot = Int(truncatingIfNeeded: h) & mask
        return slots.withUnsafeBufferPointer { slots -> Int? in
            while true {
                let s = slots[slot]
                if s.tag == 0 { return nil }
                if s.tag == tag && s.head0 == w0 && s.head1 == w1 && s.length == UInt32(key.count) && tailEqual(Int(s.index), key) {
                    return Int(s.index)
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// What a lookup needs to know about a key: its hash and first 16 bytes.
    struct Probe {
        var hash: UInt64
        var head0: UInt64
        var head1: UInt64
    }

    /// The hash and head of `key` (computed once, used by ``touch(_:)`` and ``findOrInsert(_:_:)``).
    @inline(__always)
    func probe(_ key: UnsafeBufferPointer<UInt8>) -> Probe {
        let (w0, w1) = Self.head(key)
        return Probe(hash: hash(key, w0, w1), head0: w0, head1: w1)
    }

    /// Reads the key's home slot and returns a value derived from it, so that the caller can
    /// issue the (likely cache-missing) loads of a batch of keys back to back and let the CPU
    /// overlap them, before the dependent probing in ``findOrInsert(_:_:)``.
    @inline(__always)
    func touch(_ probe: Probe) -> UInt32 {
        slots.withUnsafeBufferPointer { $0[Int(truncatingIfNeeded: probe.hash) & mask].tag }
    }

    /// The index of `key`, inserting it (with the next index) if new.
    @inline(__always)
    mutating func findOrInsert(_ key: UnsafeBufferPointer<UInt8>) -> (index: Int, inserted: Bool) {
        findOrInsert(key, probe(key))
    }

    /// ``findOrInsert(_:)`` with the probe already computed.
    @inline(__always)
    mutating func findOrInsert(_ key: UnsafeBufferPointer<UInt8>, _ p: Probe) -> (index: Int, inserted: Bool) {
        let (w0, w1) = (p.head0, p.head1)
        let h = p.hash
        let tag = UInt32(truncatingIfNeeded: h >> 32) | 1
        var slot = Int(truncatingIfNeeded: h) & mask
        let found: Int? = slots.withUnsafeBufferPointer { slots in
            while true {
                let s = slots[slot]
                if s.tag == 0 { return nil }
                if s.tag == tag && s.head0 == w0 && s.head1 == w1 && s.length == UInt32(key.count) && tailEqual(Int(s.index), key) {
                    return Int(s.index)
                }
                slot = (slot + 1) & mask
            }
        }
        if let found { return (found, false) }
        let index = count
        precondition(index < Int(UInt32.max), "more than 2^32 customers")
        precondition(key.count < Int(UInt32.max), "customer id too long")
        arena.append(contentsOf: key)
        offsets.append(arena.count)
        slots[slot] = Slot(tag: tag, length: UInt32(key.count), index: UInt32(index), head0: w0, head1: w1)
        count += 1
        if 2 * count > slots.count { grow() }
        return (index, true)
    }

    /// Bytes 16… of `key` equal those of id `index` (true when the key is at most 16 bytes: the
    /// slot's head already matched).
    @inline(__always)
    private func tailEqual(_ index: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        if key.count <= 16 { return true }
        return arena.withUnsafeBufferPointer { a in
            bytesEqual(a.baseAddress! + offsets[index] + 16, key.baseAddress! + 16, key.count - 16)
        }
    }

    private mutating func grow() {
        let old = slots
        let capacity = old.count * 2
        slots = Array(repeating: Slot(), count: capacity)
        mask = capacity - 1
        arena.withUnsafeBufferPointer { a in
            for s in old where s.tag != 0 {
                let start = offsets[Int(s.index)]
                let key = UnsafeBufferPointer(start: a.baseAddress.map { $0 + start }, count: Int(s.length))
                var slot = Int(truncatingIfNeeded: hash(key, s.head0, s.head1)) & mask
                while slots[slot].tag != 0 { slot = (slot + 1) & mask }
                slots[slot] = s
            }
        }
    }

    /// A fast 64-bit hash: the 16-byte head and then the remaining 8-byte words folded with
    /// multiply–xorshift steps, finished with the MurmurHash3 64-bit finalizer.
    @inline(__always)
    private func hash(_ key: UnsafeBufferPointer<UInt8>, _ w0: UInt64, _ w1: UInt64) -> UInt64 {
        var h = seed ^ (UInt64(truncatingIfNeeded: key.count) &* 0x9E37_79B9_7F4A_7C15)
        h = (h ^ w0) &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 29
        h = (h ^ w1) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 31
        if key.count > 16 {
            let raw = UnsafeRawPointer(key.baseAddress!)
            var i = 16
            let n = key.count
            while i + 8 <= n {
                h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
                h ^= h >> 29
                i += 8
            }
            if i < n {
                var w: UInt64 = 0
                withUnsafeMutableBytes(of: &w) { $0.baseAddress!.copyMemory(from: raw + i, byteCount: n - i) }
                h = (h ^ w) &* 0x94D0_49BB_1331_11EB
                h ^= h >> 31
            }
        }
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }
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
