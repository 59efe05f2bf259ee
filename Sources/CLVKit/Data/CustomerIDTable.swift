/// Maps customer-id byte strings to dense indices 0, 1, 2, … in order of first insertion.
///
/// Why not `Dictionary<String, Int>`: ids are compared as exact bytes, as pandas compares Python
/// strings (a `String` compares by Unicode canonical equivalence, so two differently encoded
/// ids such as a precomposed and a decomposed "é" would merge), and the lookup needs no
/// allocation: the key is the field's bytes in the CSV buffer. Ids are stored once, back to back,
/// in one byte arena; the table is open addressing with linear probing on a 64-bit hash, kept at
/// most half full. The hash is seeded per table so that adversarial ids cannot be prepared in
/// advance to collide.
struct CustomerIDTable {
    private var arena: [UInt8] = []
    private var offsets: [Int] = [0]          // id i is arena[offsets[i] ..< offsets[i + 1]]
    private var hashes: [UInt64] = []
    private var slots: [Int32]                // -1: empty, else an id index
    private var mask: Int
    private let seed: UInt64

    init(expectedCount: Int = 1024) {
        var capacity = 16
        while capacity < 2 * expectedCount { capacity *= 2 }
        slots = Array(repeating: -1, count: capacity)
        mask = capacity - 1
        seed = UInt64.random(in: 1...UInt64.max)
    }

    /// Number of distinct ids.
    var count: Int { hashes.count }

    /// The bytes of id `index`.
    func bytes(_ index: Int) -> ArraySlice<UInt8> {
        arena[offsets[index] ..< offsets[index + 1]]
    }

    /// Id `index` as a String (ids are checked to be UTF-8 before insertion).
    func string(_ index: Int) -> String {
        arena.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[offsets[index] ..< offsets[index + 1]]), as: UTF8.self)
        }
    }

    /// The index of `key`, or `nil`.
    func find(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        let h = hash(key)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let i = Int(slots[slot])
            if i < 0 { return nil }
            if hashes[i] == h && equal(i, key) { return i }
            slot = (slot + 1) & mask
        }
    }

    /// The index of `key`, inserting it (with the next index) if new.
    mutating func findOrInsert(_ key: UnsafeBufferPointer<UInt8>) -> (index: Int, inserted: Bool) {
        let h = hash(key)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let i = Int(slots[slot])
            if i < 0 { break }
            if hashes[i] == h && equal(i, key) { return (i, false) }
            slot = (slot + 1) & mask
        }
        let index = hashes.count
        precondition(index < Int(Int32.max), "more than 2^31 customers")
        arena.append(contentsOf: key)
        offsets.append(arena.count)
        hashes.append(h)
        slots[slot] = Int32(index)
        if 2 * hashes.count > slots.count { grow() }
        return (index, true)
    }

    private func equal(_ index: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let s = offsets[index], e = offsets[index + 1]
        guard e - s == key.count else { return false }
        if key.isEmpty { return true }
        return arena.withUnsafeBufferPointer { a in
            bytesEqual(a.baseAddress! + s, key.baseAddress!, key.count)
        }
    }

    private mutating func grow() {
        let capacity = slots.count * 2
        slots = Array(repeating: -1, count: capacity)
        mask = capacity - 1
        for (i, h) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: h) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(i)
        }
    }

    /// A fast 64-bit hash of short byte strings: 8-byte words folded with a multiply–xorshift,
    /// finished with the MurmurHash3 64-bit finalizer.
    private func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h = seed ^ (UInt64(key.count) &* 0x9E37_79B9_7F4A_7C15)
        guard let base = key.baseAddress else { return finalize(h) }
        let raw = UnsafeRawPointer(base)
        var i = 0
        let n = key.count
        while i + 8 <= n {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
            i += 8
        }
        if i < n {
            var w: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                w |= UInt64(base[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ w) &* 0x94D0_49BB_1331_11EB
            h ^= h >> 31
        }
        return finalize(h)
    }

    private func finalize(_ x: UInt64) -> UInt64 {
        var h = x
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
