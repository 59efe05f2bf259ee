import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// The text of the emitted SQL. (That it computes the same summary as `clvfit summarize` is
/// checked on a real PostgreSQL server: SummarySQLPostgresTests.)
@Suite struct SummarySQLTests {
    typealias S = DataTestSupport

    @Test func identifiersAreQuoted() {
        #expect(SummarySQL.quoteIdentifier("date") == "\"date\"")
        #expect(SummarySQL.quoteIdentifier("order date") == "\"order date\"")
        #expect(SummarySQL.quoteIdentifier("a\"b") == "\"a\"\"b\"")
        #expect(SummarySQL.quoteTableName("transactions") == "\"transactions\"")
        #expect(SummarySQL.quoteTableName("sales.Tx 2024") == "\"sales\".\"Tx 2024\"")
    }

    /// Columns and table appear only quoted; dates as DATE literals; weeks divide by 7.
    @Test func perCustomerWithSplit() {
        let sql = SummarySQL(table: "sales.tx", options: RFMOptions(
            customerColumn: "Customer ID", dateColumn: "date", amountColumn: "amount \"net\"", unit: .week,
            calibrationEnd: S.date("1997-09-30"), observationEnd: S.date("1998-06-30"))).render()
        #expect(sql.hasPrefix("-- clvfit summarize --emit-sql postgres: the RFM summary of sales.tx (unit: week, calibration end 1997-09-30, observation end 1998-06-30).\nWITH w AS (\n  SELECT DATE '1998-06-30' AS observation_end\n),\n"))
        #expect(sql.contains("FROM \"sales\".\"tx\" AS t CROSS JOIN w"))
        #expect(sql.contains("SELECT t.\"Customer ID\" AS customer_id, CAST(t.\"date\" AS date) AS day, SUM(t.\"amount \"\"net\"\"\") AS amount, COUNT(*) AS row_count"))
        #expect(sql.contains("GROUP BY t.\"Customer ID\", CAST(t.\"date\" AS date)"))
        #expect(sql.contains("WHERE d.day <= DATE '1997-09-30'"))
        #expect(sql.contains("CAST(p.last_day - p.first_day AS double precision) / 7 AS recency"))
        #expect(sql.contains("CAST(DATE '1997-09-30' - p.first_day AS double precision) / 7 AS \"T\""))
        #expect(sql.contains("CAST(w.observation_end - DATE '1997-09-30' AS double precision) / 7 AS duration_holdout"))
        #expect(sql.hasSuffix("SELECT customer_id, frequency, recency, \"T\", monetary_value, frequency_holdout, monetary_value_holdout, duration_holdout\nFROM summary\nORDER BY customer_id;\n"))
        // Nothing unquoted: the user's names occur only inside quotes.
        #expect(!sql.contains(" Customer ID") && !sql.contains("(date)"))
    }

    /// Default observation end: the table's last date; days divide by 1; no amount, no money.
    @Test func daysWithoutAmountsOrSplit() {
        let sql = SummarySQL(options: RFMOptions(customerColumn: "id", dateColumn: "ts", amountColumn: nil, unit: .day)).render()
        #expect(sql.contains("SELECT (SELECT CAST(MAX(\"ts\") AS date) FROM \"transactions\") AS observation_end"))
        #expect(sql.contains("CAST(w.observation_end - p.first_day AS double precision) / 1 AS \"T\""))
        #expect(!sql.contains("monetary") && !sql.contains("amount") && !sql.contains("holdout"))
        #expect(sql.hasSuffix("SELECT customer_id, frequency, recency, \"T\"\nFROM summary\nORDER BY customer_id;\n"))
    }

    /// The weighted form groups by every summary column, the monetary ones rounded to 12
    /// significant digits as `weighted()` rounds them, and orders like `weighted()`.
    @Test func weightedForm() {
        let sql = SummarySQL(options: RFMOptions(unit: .week, calibrationEnd: S.date("1997-09-30")), weighted: true).render()
        let columns = "frequency, recency, \"T\", monetary_value, frequency_holdout, monetary_value_holdout, duration_holdout"
        let round = { (c: String) in "CAST(to_char(\(c), '9.99999999999EEEE') AS double precision) AS \(c)" }
        #expect(sql.contains("rounded AS (\n  SELECT frequency, recency, \"T\", \(round("monetary_value")), frequency_holdout, \(round("monetary_value_holdout")), duration_holdout\n  FROM summary\n)\n"))
        #expect(sql.hasSuffix("SELECT \(columns), COUNT(*) AS weight\nFROM rounded\nGROUP BY \(columns)\nORDER BY frequency, recency, \"T\", monetary_value, frequency_holdout, monetary_value_holdout;\n"))
        #expect(sql.contains("weighted: one row per pattern"))
    }
}
