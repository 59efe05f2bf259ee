import Testing
@testable import CLVKit

@Suite struct ModelInputsTests {
    /// The pattern hash of ``PurchaseHistory/compressed()`` spreads whole-number patterns (a
    /// summary in days) over a table's low bits: 100,000 distinct (x, t_x, T) in 2^18 slots fill
    /// about as many slots as random keys would (≈ 82,000). The multiply-only hash it replaced
    /// left the low bits zero for such values — 16 slots here — and compressing 2M day-unit
    /// customers took 13 s.
    @Test func patternHashSpreadsWholeNumbers() {
        var slots = Set<UInt64>()
        for x in 0..<50 {
            for t in 0..<40 {
                for big in 500..<550 {
                    slots.insert(PurchaseHistory.patternHash(Double(x), Double(t), Double(big)) & (1 << 18 - 1))
                }
            }
        }
        #expect(slots.count > 75_000, "\(slots.count) slots")
    }

    /// Compression keeps one row per distinct pattern with the weights summed, in order of
    /// first appearance, for whole-number and fractional values alike.
    @Test func compressionMergesEqualPatterns() throws {
        let history = try PurchaseHistory(CustomerSummaryTable(
            unit: .day, customerIDs: ["a", "b", "c", "d", "e"], frequency: [2, 0, 2, 1, 0],
            recency: [30, 0, 30, 4.5, 0], T: [90, 90, 90, 91.5, 90], monetaryValue: nil, holdout: nil))
        let compressed = history.compressed()
        #expect(compressed.frequency == [2, 0, 1])
        #expect(compressed.recency == [30, 0, 4.5])
        #expect(compressed.T == [90, 90, 91.5])
        #expect(compressed.weight == [2, 2, 1])
    }
}
