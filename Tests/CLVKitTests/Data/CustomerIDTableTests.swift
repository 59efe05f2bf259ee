import Foundation
import Testing
@testable import CLVKit

/// The byte-keyed customer table behind the summarizer.
@Suite struct CustomerIDTableTests {
    /// 20,000 ids of 1–60 bytes, many sharing their first 16 or 32 bytes (the part kept in a
    /// slot), inserted and found again across several table growths.
    @Test func insertAndFindManyIDs() throws {
        var rng = DataTestRNG(seed: 11)
        var keys: [[UInt8]] = []
        var seen = Set<[UInt8]>()
        let prefix16 = Array("0123456789abcdef".utf8), prefix32 = Array("0123456789abcdef0123456789ABCDEF".utf8)
        while keys.count < 20_000 {
            let length = Int.random(in: 1...60, using: &rng)
            var key = (0..<length).map { _ in UInt8.random(in: 33...126, using: &rng) }
            switch keys.count % 3 {
            case 1 where length > 16: key.replaceSubrange(0..<16, with: prefix16)
            case 2 where length > 32: key.replaceSubrange(0..<32, with: prefix32)
            default: break
            }
            if seen.insert(key).inserted { keys.append(key) }
        }
        var table = CustomerIDTable(expectedCount: 4)
        for (i, key) in keys.enumerated() {
            let (index, inserted) = key.withUnsafeBufferPointer { table.findOrInsert($0) }
            #expect(inserted && index == i)
        }
        #expect(table.count == keys.count)
        for (i, key) in keys.enumerated() {
            #expect(key.withUnsafeBufferPointer { table.find($0) } == i)
            let (index, inserted) = key.withUnsafeBufferPointer { table.findOrInsert($0) }
            #expect(!inserted && index == i)
            #expect(table.string(i) == String(decoding: key, as: UTF8.self))
        }
        // Absent keys (a space never occurs in the generated ids): present keys extended by one
        // byte at either end, which share the slot's head or the tail with a present key.
        for key in keys.prefix(1000) {
            #expect((key + [0x20]).withUnsafeBufferPointer { table.find($0) } == nil)
            #expect(([0x20] + key).withUnsafeBufferPointer { table.find($0) } == nil)
        }
    }
    /// Ids of every kind a slot encodes: up to 8 bytes (stored zero padded, so "ab" and "ab\0"
    /// must differ), integer-like ids of 9–19 digits (stored as their value, so "0123456789",
    /// with a leading zero, and 20-digit numbers must not be), prefixed numbers (prefix bytes
    /// and value, so "c00123456" and "c000123456" must differ), and longer ids (compared through
    /// the arena). Look-alikes across kinds stay distinct, through several table growths, and
    /// the prefetch/probe path finds what the plain path inserted.
    @Test func idKindsStayDistinct() throws {
        var rng = DataTestRNG(seed: 19)
        var keys: [[UInt8]] = [
            "", "a", "ab", "12345678", "123456789", "0123456789", "1234567890", "9999999999999999999",
            "10000000000000000000", "12345678901234567890", "1234567890123456789", "123456789a",
            "a123456789", "12345678 ", " 12345678", "-123456789", "+123456789", "1234567890.0",
            "18446744073709551615", "18446744073709551616", "1000000000", "100000000",
            // Prefixed numbers (1–4 non-digit bytes, then digits; 9–16 bytes) and look-alikes:
            // leading zeros, the digit limits per prefix length, 5-byte prefixes, a digit inside
            // the prefix, a letter after the digits.
            "c00123456", "c000123456", "c0123456", "c00123457", "C00123456", "d00123456",
            "c123456789012345", "c1234567890123456", "cc12345678901234", "ccc123456789012",
            "ccc1234567890123", "cccc123456789", "cccc1234567890", "ccccc1234", "CUST00123", "CUST-00123",
            "c1c1234567", "c12345678c", "c-12345678", "-c12345678", "\u{0}\u{0}123456789",
        ].map { Array($0.utf8) }
        keys += [[0x61, 0x62, 0x00], [0x00], [0x00, 0x00], [0x00, 0x61], Array(repeating: 0, count: 9),
                 Array(repeating: 0x39, count: 19) + [0x00], [0xFF, 0xFE, 0x80]]
        var seen = Set(keys)
        while keys.count < 40_000 {
            var key: [UInt8]
            switch keys.count % 5 {
            case 4:      // a prefix of 0–5 letters or punctuation, then 1–14 digits
                key = (0..<Int.random(in: 0...5, using: &rng)).map { _ in UInt8.random(in: 0x2D...0x43, using: &rng) }
                    + (0..<Int.random(in: 1...14, using: &rng)).map { _ in UInt8.random(in: 0x30...0x39, using: &rng) }
            case 0, 1:   // digits, sometimes with a leading zero, 1–22 of them
                key = (0..<Int.random(in: 1...22, using: &rng)).map { _ in UInt8.random(in: 0x30...0x39, using: &rng) }
            case 2:      // any bytes, 0–30 of them
                key = (0..<Int.random(in: 0...30, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            default:     // a present key changed in one byte or extended
                key = keys[Int.random(in: 0..<keys.count, using: &rng)]
                if !key.isEmpty && Bool.random(using: &rng) {
                    key[Int.random(in: 0..<key.count, using: &rng)] = UInt8.random(in: 0x30...0x3A, using: &rng)
                } else {
                    key.append(UInt8.random(in: 0...0x39, using: &rng))
                }
            }
            if seen.insert(key).inserted { keys.append(key) }
        }
        var table = CustomerIDTable(expectedCount: 4)
        for (i, key) in keys.enumerated() {
            let (index, inserted) = key.withUnsafeBufferPointer { buffer in
                i % 2 == 0 ? table.findOrInsert(buffer) : table.findOrInsert(buffer, table.probe(buffer))
            }
            #expect(inserted && index == i, "\(key)")
        }
        #expect(table.count == keys.count)
        for (i, key) in keys.enumerated() {
            #expect(key.withUnsafeBufferPointer { table.find($0) } == i, "\(key)")
            let (index, inserted) = key.withUnsafeBufferPointer { buffer in
                let probe = table.probe(buffer)
                table.prefetch(probe)
                return table.findOrInsert(buffer, probe)
            }
            #expect(!inserted && index == i)
            #expect(Array(table.string(i).utf8) == Array(String(decoding: key, as: UTF8.self).utf8))
        }
        for key in keys.prefix(2000) {
            for absent in [key + [0x3B], [0x3B] + key, key + [0x00]] where !seen.contains(absent) {
                #expect(absent.withUnsafeBufferPointer { table.find($0) } == nil, "\(absent)")
            }
        }
    }

    /// The word loader behind short ids reads exactly the field's bytes, zero padded.
    @Test func shortKeyWords() {
        let bytes: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        bytes.withUnsafeBytes { raw in
            for n in 0...8 {
                var expected: UInt64 = 0
                for i in 0..<n { expected |= UInt64(bytes[i]) << UInt64(8 * i) }
                #expect(CustomerIDTable.word(raw.baseAddress!, n) == expected, "\(n) bytes")
            }
        }
    }
}
