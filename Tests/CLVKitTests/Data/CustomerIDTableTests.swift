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
}
