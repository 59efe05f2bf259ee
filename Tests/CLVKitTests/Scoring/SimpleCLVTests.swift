import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// The classic formulas, against values computed by hand.
@Suite struct SimpleCLVTests {
    /// Five customers in weeks, periods of Δ = 4 weeks, H = 3, d = 5 %, margin 0.5:
    ///
    /// | id | x | t_x | T  | m̄  | w | known (T ≥ 4) | bought in last period (t_x > T − 4) |
    /// |----|---|-----|----|----|---|---|---|
    /// | c1 | 3 | 18  | 20 | 40 | 1 | yes | yes |
    /// | c2 | 1 | 5   | 20 | 10 | 1 | yes | no |
    /// | c3 | 0 | 0   | 10 | 0  | 1 | yes | no |
    /// | c4 | 0 | 0   | 2  | 0  | 1 | no  | – |
    /// | c5 | 2 | 9   | 10 | 25 | 2 | yes | yes |
    ///
    /// r = (1 + 2) / (1 + 1 + 1 + 2) = 0.6. Margin per period = m̄ · (x/T · 4) · 0.5:
    /// c1 40 · 0.6 · 0.5 = 12, c2 10 · 0.2 · 0.5 = 1, c5 25 · 0.8 · 0.5 = 10, c3 = c4 = 0.
    /// simple_clv_aov = that × 3: 36, 3, 0, 0, 30. simple_clv_retention = that × 0.6/(1.05 − 0.6)
    /// = that × 4/3: 16, 1.3333…, 0, 0, 13.3333….
    static let table = CustomerSummaryTable(unit: .week, customerIDs: ["c1", "c2", "c3", "c4", "c5"],
                                            frequency: [3, 1, 0, 0, 2], recency: [18, 5, 0, 0, 9], T: [20, 20, 10, 2, 10],
                                            monetaryValue: [40, 10, 0, 0, 25], weight: [1, 1, 1, 1, 2])
    static let options = ScoringOptions(periods: 3, periodLength: 4, discountRate: 0.05, margin: 0.5)

    /// 1e-12 relative: a handful of roundings on exactly representable inputs.
    @Test func matchesHandComputedValues() throws {
        let formulas = SimpleFormulas(table: Self.table, options: Self.options)
        #expect(isClose(try #require(formulas.retentionRate), 0.6, relative: 1e-12))
        let scores = formulas.score(Self.table)
        let aov = [36.0, 3, 0, 0, 30], retention = [16.0, 4.0 / 3, 0, 0, 40.0 / 3]
        for i in 0..<5 {
            let s = scores[i]
            #expect(isClose(try #require(s.aov), aov[i], absolute: 1e-12 * max(1, aov[i])), "\(Self.table.customerIDs[i]) aov")
            #expect(isClose(try #require(s.retention), retention[i], absolute: 1e-12 * max(1, retention[i])), "\(Self.table.customerIDs[i]) retention")
        }
    }

    /// r = 1 with d = 0 makes r/(1 + d − r) infinite: the column is left empty, never ∞.
    /// Without amounts there is no AOV, so both are empty. Nobody known for a period: no r.
    @Test func undefinedValuesAreEmptyNotInfinite() throws {
        let loyal = CustomerSummaryTable(unit: .week, customerIDs: ["a"], frequency: [3], recency: [18], T: [20], monetaryValue: [40])
        let s = SimpleFormulas(table: loyal, options: ScoringOptions(periods: 3, periodLength: 4, discountRate: 0))
        #expect(s.retentionRate == 1)
        let one = s.score(loyal)[0]
        #expect(one.retention == nil)
        #expect(isClose(try #require(one.aov), 40 * 0.6 * 3, relative: 1e-12))

        var noAmounts = Self.table
        noAmounts.monetaryValue = nil
        #expect(SimpleFormulas(table: noAmounts, options: Self.options).score(noAmounts).allSatisfy { $0.aov == nil && $0.retention == nil })

        let newcomers = CustomerSummaryTable(unit: .week, customerIDs: ["n"], frequency: [0], recency: [0], T: [1], monetaryValue: [0])
        #expect(SimpleFormulas.retentionRate(newcomers, periodLength: 4) == nil)
    }

    /// The CSV gets `simple_clv_aov,simple_clv_retention` after the model's columns.
    @Test func csvColumns() throws {
        let score = CustomerScore(customerID: "c1", probabilityAlive: 0.5, expectedPurchases: 1, expectedSpend: 20, clv: 19)
        let text = String(decoding: Scorer.csv([score], simple: [SimpleCLV(aov: 36, retention: nil)]), as: UTF8.self)
        #expect(text == "customer_id,p_alive,expected_purchases,expected_spend,clv,simple_clv_aov,simple_clv_retention\nc1,0.5,1,20,19,36,\n")
    }
}
