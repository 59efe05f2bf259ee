import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// Reader options of a transaction log: delimiter, date forms and zone, decimal commas, no
/// amount column. Each is checked on the summary it produces.
@Suite struct TransactionLogOptionsTests {
    typealias S = DataTestSupport

    static let commaLog = "customer_id,date,amount\n1,2024-03-01,10.5\n1,2024-03-04,2\n2,2024-03-02,7\n"

    @Test func semicolonAndTabLogsGiveTheCommaLogsSummary() throws {
        let reference = try S.summarize(Self.commaLog)
        let semicolon = try S.summarize(Self.commaLog.replacingOccurrences(of: ",", with: ";"))
        let tab = try S.summarize(Self.commaLog.replacingOccurrences(of: ",", with: "\t"))
        #expect(semicolon == reference)
        #expect(tab == reference)
        // An explicit delimiter overrides detection.
        var options = RFMOptions()
        options.csv = CSVScanner.Options(delimiter: UInt8(ascii: ";"))
        let e = try #require(S.error { () throws(DataError) in try S.summarize(Self.commaLog, options) })
        #expect(e.description.hasPrefix("tx.csv:1: field 'customer_id': the header has no column 'customer_id'; its columns are: 'customer_id,date,amount'"))
    }

    @Test func decimalCommaAmounts() throws {
        var options = RFMOptions()
        options.decimalComma = true
        let t = try S.summarize("customer_id;date;amount\n1;2024-03-01;1\n1;2024-03-04;12,50\n", options)
        #expect(t.monetaryValue == [12.5])
        let thousands = try #require(S.error { () throws(DataError) in try S.summarize("customer_id;date;amount\n1;2024-03-01;1.234,50\n", options) })
        #expect(thousands.line == 2 && thousands.field == "amount")
        let comma = try #require(S.error { () throws(DataError) in try S.summarize(Self.commaLog, options) })
        #expect(comma.description == "tx.csv:1: amounts with a decimal comma need a delimiter other than the comma, but the fields are separated by commas (choose the semicolon or tab delimiter)")
        // Without an amount column, the delimiter does not matter.
        options.amountColumn = nil
        #expect(try S.summarize(Self.commaLog, options).count == 2)
    }

    /// A timestamp with an offset counts on its day in the chosen zone; one without is local.
    @Test func timestampsAndTimeZone() throws {
        let log = "customer_id,date,amount\n1,2024-03-01T10:00:00Z,1\n1,2024-03-05T23:30:00Z,2\n1,2024-03-07 23:30:00,3\n1,2024-03-09T01:30:00+02:00,4\n"
        let utc = try S.summarize(log)
        // Days in UTC: 03-01, 03-05, 03-07 (local as written), 03-08 (01:30+02 = 23:30Z the day before).
        #expect(utc.frequency == [3] && utc.recency == [7] && utc.T == [7])
        var berlin = RFMOptions()
        berlin.timeZone = LocalZone("Europe/Berlin")!
        // Days in Berlin (UTC+1): 03-01, 03-06 (00:30), 03-07, 03-09.
        let b = try S.summarize(log, berlin)
        #expect(b.frequency == [3] && b.recency == [8] && b.T == [8])
        #expect(b.monetaryValue == [3])
    }

    @Test func dateFormatPattern() throws {
        var options = RFMOptions()
        options.dateFormat = try DateFormat("%d/%m/%Y")
        let t = try S.summarize("customer_id,date,amount\n1,01/03/2024,1\n1,15/03/2024,2\n", options)
        #expect(t.recency == [14])
        let e = try #require(S.error { () throws(DataError) in try S.summarize("customer_id,date,amount\n1,2024-03-01,1\n", options) })
        #expect(e.description == "tx.csv:2: field 'date': \"2024-03-01\" does not match the date format \"%d/%m/%Y\" or is not a valid date; if the dates look like this, give --date-format '%Y-%m-%d'")
    }

    /// No amount column: a summary without monetary value (no spend model can be fitted).
    @Test func noAmountColumn() throws {
        let t = try S.summarize("customer_id,date\n1,2024-03-01\n1,2024-03-04\n", RFMOptions(amountColumn: nil))
        #expect(t.monetaryValue == nil)
        #expect(t.frequency == [1])
    }
}
