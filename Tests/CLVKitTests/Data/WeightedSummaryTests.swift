import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

@Suite struct WeightedSummaryTests {
    typealias S = DataTestSupport

    /// Rows group by (x, t_x, T, m̄, holdout columns), weights add up, rows sort ascending by
    /// those columns, ids become row numbers, provenance stays.
    @Test func groupsByPatternAndSorts() throws {
        let table = CustomerSummaryTable(
            unit: .day, customerIDs: ["a", "b", "c", "d", "e", "f"],
            frequency: [1, 0, 1, 0, 1, 2], recency: [3, 0, 3, 0, 3, 5], T: [9, 9, 9, 8, 9, 9],
            monetaryValue: [10, 0, 12, 0, 10, 7], weight: [1, 1, 1, 1, 2, 1],
            provenance: Provenance(firstDate: "1997-01-01"))
        let w = table.weighted()
        #expect(w.frequency == [0, 0, 1, 1, 2])
        #expect(w.T == [8, 9, 9, 9, 9])
        #expect(w.recency == [0, 0, 3, 3, 5])
        #expect(w.monetaryValue == [0, 0, 10, 12, 7])
        #expect(w.weight == [1, 1, 3, 1, 1])     // a (1) + e (2) share (1, 3, 9, 10)
        #expect(w.customerIDs == ["1", "2", "3", "4", "5"])
        #expect(w.customerCount == table.customerCount)
        #expect(w.provenance == table.provenance)
        #expect(w.holdout == nil)

        // Without amounts the pattern is (x, t_x, T): c joins a and e.
        var noMoney = table
        noMoney.monetaryValue = nil
        #expect(noMoney.weighted().weight == [1, 1, 4, 1])
    }

    /// Holdout columns are part of the pattern; the duration is kept.
    @Test func holdoutColumnsArePartOfThePattern() throws {
        let table = CustomerSummaryTable(
            unit: .week, customerIDs: ["a", "b", "c"], frequency: [0, 0, 0], recency: [0, 0, 0], T: [5, 5, 5],
            monetaryValue: [0, 0, 0],
            holdout: HoldoutColumns(frequency: [1, 0, 1], monetaryValue: [4, 0, 4], duration: 39))
        let w = table.weighted()
        #expect(w.weight == [1, 2])
        #expect(w.holdout == HoldoutColumns(frequency: [0, 1], monetaryValue: [0, 4], duration: 39))
    }

    /// The weighted CSV: no customer_id, weight always last; it reads back to the same table.
    @Test func weightedCSVRoundTrip() throws {
        let table = CustomerSummaryTable(unit: .week, customerIDs: ["x", "y"], frequency: [0, 2], recency: [0, 1.5],
                                         T: [3, 4], monetaryValue: [0, 2.25])
        let text = SummaryCSV.render(table.weighted(), style: .weighted)
        #expect(text == "frequency,recency,T,monetary_value,weight\n0,0,3,0,1\n2,1.5,4,2.25,1\n")
        let back = try SummaryCSV.read(bytes: Array(text.utf8), name: "w.csv", unit: .week)
        var expected = table.weighted()
        expected.provenance = Provenance()
        #expect(back == expected)
    }

    /// `train --summary weighted.csv` gives the same parameters as the per-customer summary:
    /// BG/NBD and Gamma-Gamma on CDNOW (the 2357-customer sample and the 23,570-customer master
    /// file), days and weeks, with and without the holdout columns, through the CSV text.
    /// Tolerance: parameters 1e-6 relative (the optimiser stops on the gradient norm, and the
    /// grouped sums differ from the per-customer ones in rounding only), log-likelihoods 1e-9.
    @Test(arguments: [("cdnow_sample.csv", TimeUnit.week), ("cdnow_sample.csv", .day), ("cdnow_master.csv", .day), ("cdnow_master.csv", .week)])
    func sameParametersAsPerCustomer(file: String, unit: TimeUnit) throws {
        let url = try S.requireDataset(file)
        for split in [false, true] {
            let options = RFMOptions(unit: unit, calibrationEnd: split ? S.date("1997-09-30") : nil,
                                     observationEnd: S.date("1998-06-30"))
            let table = try RFMSummarizer.summarize(path: url.path, options: options)
            let text = SummaryCSV.render(table.weighted(), style: .weighted)
            let weighted = try SummaryCSV.read(bytes: Array(text.utf8), name: "weighted.csv", unit: unit)
            #expect(weighted.count < table.count / 2 + 100, "\(file) \(unit) split \(split): \(weighted.count) rows of \(table.count)")
            #expect(weighted.customerCount == Double(table.count))

            let full = try Training.train(table, source: file, purchaseModel: BGNBD.self).modelFile
            let compressed = try Training.train(weighted, source: "weighted.csv", purchaseModel: BGNBD.self).modelFile
            for (a, b) in [(full.purchaseModel, compressed.purchaseModel), (full.spendModel!, compressed.spendModel!)] {
                #expect(a.customers == b.customers)
                #expect(isClose(a.logLikelihood, b.logLikelihood, relative: 1e-9), "\(a.model) \(file) \(unit) split \(split)")
                for name in a.parameterNames {
                    #expect(isClose(a.parameters[name]!, b.parameters[name]!, relative: 1e-6),
                            "\(a.model) \(name) \(file) \(unit) split \(split): \(a.parameters[name]!) vs \(b.parameters[name]!)")
                }
            }
        }
    }
}
