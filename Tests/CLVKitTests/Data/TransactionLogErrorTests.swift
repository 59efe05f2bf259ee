import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// Every way a transaction log can be rejected: the message must name the file, the line and
/// the column, and say what is wrong.
@Suite struct TransactionLogErrorTests {
    typealias S = DataTestSupport

    static func failure(_ csv: String, _ options: RFMOptions = RFMOptions()) -> DataError? {
        S.error { () throws(DataError) in try S.summarize(csv, options) }
    }

    @Test func missingColumnListsTheHeader() throws {
        let e = try #require(Self.failure("customer_id,date,cds\n1,1997-01-01,2\n"))
        #expect(e.kind == .badData)
        #expect(e.file == "tx.csv" && e.line == 1 && e.field == "amount")
        #expect(e.description == "tx.csv:1: field 'amount': the header has no column 'amount'; its columns are: 'customer_id', 'date', 'cds'")
        let caseHint = try #require(Self.failure("Customer_ID,date,amount\n1,1997-01-01,2\n"))
        #expect(caseHint.field == "customer_id")
        #expect(caseHint.message.contains("did you mean 'Customer_ID'?"))
        let custom = try #require(Self.failure("cust,day\n1,1997-01-01\n", RFMOptions(customerColumn: "cust", dateColumn: "when", amountColumn: nil)))
        #expect(custom.description == "tx.csv:1: field 'when': the header has no column 'when'; its columns are: 'cust', 'day'")
    }

    @Test func duplicateColumnIsAnError() throws {
        let e = try #require(Self.failure("customer_id,date,amount,date\n1,1997-01-01,2,1997-01-02\n"))
        #expect(e.line == 1 && e.field == "date")
        #expect(e.message == "the header has the column 'date' 2 times (columns 2, 4)")
    }

    @Test func badDate() throws {
        let e = try #require(Self.failure("customer_id,date,amount\n1,1997-01-01,2\n1,1997-02-30,3\n"))
        #expect(e.description == "tx.csv:3: field 'date': \"1997-02-30\" is not a valid date: February 1997 has 28 days")
        let f = try #require(Self.failure("customer_id,date,amount\n1,01/02/1997,2\n"))
        #expect(f.description == "tx.csv:2: field 'date': \"01/02/1997\" is not a date in the form YYYY-MM-DD or YYYYMMDD; if the dates look like this, give --date-format '%m/%d/%Y' (day and month are ambiguous in \"01/02/1997\": if the day comes first, give --date-format '%d/%m/%Y')")
        let g = try #require(Self.failure("customer_id,date,amount\n1,,2\n"))
        #expect(g.description == "tx.csv:2: field 'date': the date is empty")
    }

    @Test func badAmount() throws {
        let e = try #require(Self.failure("customer_id,date,amount\n1,1997-01-01,2\n2,1997-01-01,\"12,5x\"\n"))
        #expect(e.file == "tx.csv" && e.line == 3 && e.field == "amount")
        #expect(e.description.hasPrefix("tx.csv:3: field 'amount': \"12,5x\" is not a number"))
        let nan = try #require(Self.failure("customer_id,date,amount\n1,1997-01-01,NaN\n"))
        #expect(nan.description == "tx.csv:2: field 'amount': \"NaN\" is not a finite number")
        let empty = try #require(Self.failure("customer_id,date,amount\n1,1997-01-01,\n"))
        #expect(empty.description == "tx.csv:2: field 'amount': the value is empty (a number is required)")
    }

    @Test func negativeAmount() throws {
        let e = try #require(Self.failure("customer_id,date,amount\n1,1997-01-01,2\n1,1997-01-05,-3.50\n"))
        #expect(e.file == "tx.csv" && e.line == 3 && e.field == "amount")
        #expect(e.description.hasPrefix("tx.csv:3: field 'amount': \"-3.50\" is negative: a refund is not a purchase"))
        // Zero is a purchase (a free item), not an error.
        #expect(try S.summarize("customer_id,date,amount\n1,1997-01-01,0\n").count == 1)
    }

    @Test func emptyCustomerID() throws {
        let e = try #require(Self.failure("customer_id,date,amount\n,1997-01-01,2\n"))
        #expect(e.description == "tx.csv:2: field 'customer_id': the customer id is empty (--on-bad-row skip leaves such rows out)")
        var bytes = Array("customer_id,date,amount\n".utf8)
        bytes += [0xFF, 0xFE] + Array(",1997-01-01,2\n".utf8)
        let utf8 = S.error { () throws(DataError) in try RFMSummarizer.summarize(csv: bytes, name: "tx.csv") }
        #expect(utf8?.description == "tx.csv:2: field 'customer_id': the customer id is not valid UTF-8")
    }

    @Test func emptyFileAndHeaderOnly() throws {
        let empty = try #require(Self.failure(""))
        #expect(empty.file == "tx.csv")
        #expect(empty.message.hasPrefix("no transactions: the file is empty"))
        let headerOnly = try #require(Self.failure("customer_id,date,amount\n\n"))
        #expect(headerOnly.description == "tx.csv: no transactions: the file has a header but no rows")
    }

    @Test func shortRowAndOpenQuote() throws {
        let short = try #require(Self.failure("customer_id,date,amount\n1,1997-01-01,2\n2,1997-01-02\n"))
        #expect(short.description == "tx.csv:3: line 3 has 2 fields, the header has 3")
        let open = try #require(Self.failure("customer_id,date,amount\n1,1997-01-01,\"2\n"))
        #expect(open.line == 2 && open.field == "amount" && open.message.contains("unterminated"))
    }

    @Test func missingFile() throws {
        let e = S.error { () throws(DataError) in try RFMSummarizer.summarize(path: "/nonexistent/tx.csv") }
        #expect(e?.kind == .missingInput)
        #expect(e?.description.hasPrefix("/nonexistent/tx.csv: cannot open the file") == true)
    }

    /// Errors in rows after the observation end are still errors: every row is validated.
    @Test func rowsAfterTheEndAreValidatedToo() throws {
        var options = RFMOptions()
        options.observationEnd = S.date("1997-01-31")
        let e = try #require(Self.failure("customer_id,date,amount\n1,1997-01-01,2\n1,1998-01-01,oops\n", options))
        #expect(e.line == 3 && e.field == "amount")
    }
}
