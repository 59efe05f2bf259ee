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
    @Test func perCustomerWithSplit() throws {
        let sql = try SummarySQL(table: "sales.tx", options: RFMOptions(
            customerColumn: "Customer ID", dateColumn: "date", amountColumn: "amount \"net\"", unit: .week,
            calibrationEnd: S.date("1997-09-30"), observationEnd: S.date("1998-06-30"))).render()
        #expect(sql.hasPrefix("-- clvfit summarize --emit-sql postgres: the RFM summary of \"sales\".\"tx\" (unit: week, calibration end 1997-09-30, observation end 1998-06-30).\nWITH w AS (\n  SELECT DATE '1998-06-30' AS observation_end\n),\n"))
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
    @Test func daysWithoutAmountsOrSplit() throws {
        let sql = try SummarySQL(options: RFMOptions(customerColumn: "id", dateColumn: "ts", amountColumn: nil, unit: .day)).render()
        #expect(sql.contains("SELECT (SELECT CAST(MAX(\"ts\") AS date) FROM \"transactions\") AS observation_end"))
        #expect(sql.contains("CAST(w.observation_end - p.first_day AS double precision) / 1 AS \"T\""))
        #expect(!sql.contains("monetary") && !sql.contains("amount") && !sql.contains("holdout"))
        #expect(sql.hasSuffix("SELECT customer_id, frequency, recency, \"T\"\nFROM summary\nORDER BY customer_id;\n"))
    }

    /// The weighted form groups by every summary column, the monetary ones rounded to 12
    /// significant digits as `weighted()` rounds them, and orders like `weighted()`.
    @Test func weightedForm() throws {
        let sql = try SummarySQL(options: RFMOptions(unit: .week, calibrationEnd: S.date("1997-09-30")), weighted: true).render()
        let columns = "frequency, recency, \"T\", monetary_value, frequency_holdout, monetary_value_holdout, duration_holdout"
        let round = { (c: String) in "CAST(to_char(\(c), '9.99999999999EEEE') AS double precision) AS \(c)" }
        #expect(sql.contains("rounded AS (\n  SELECT frequency, recency, \"T\", \(round("monetary_value")), frequency_holdout, \(round("monetary_value_holdout")), duration_holdout\n  FROM summary\n)\n"))
        #expect(sql.hasSuffix("SELECT \(columns), COUNT(*) AS weight\nFROM rounded\nGROUP BY \(columns)\nORDER BY frequency, recency, \"T\", monetary_value, frequency_holdout, monetary_value_holdout;\n"))
        #expect(sql.contains("weighted: one row per pattern"))
    }

    /// A NUL cannot come through argv, so it is tested here: refused in every name, as are empty
    /// names, empty schema parts and names PostgreSQL would truncate (> 63 bytes).
    @Test func impossibleNamesAreRefused() {
        func error(_ sql: SummarySQL) -> SummarySQL.NameError? {
            do { _ = try sql.render(); return nil } catch { return error }
        }
        let base = RFMOptions(unit: .day)
        var nul = base; nul.customerColumn = "id\0x"
        #expect(error(SummarySQL(options: nul))?.option == "--customer-column")
        nul = base; nul.dateColumn = "\0"
        #expect(error(SummarySQL(options: nul))?.reason.contains("NUL") == true)
        nul = base; nul.amountColumn = "a\0"
        #expect(error(SummarySQL(options: nul))?.option == "--amount-column")
        #expect(error(SummarySQL(table: "t\0", options: base))?.option == "--table")
        #expect(error(SummarySQL(table: "sales.", options: base))?.reason.contains("empty part") == true)
        #expect(error(SummarySQL(table: String(repeating: "t", count: 64), options: base))?.reason.contains("64 bytes") == true)
        #expect(error(SummarySQL(table: String(repeating: "t", count: 63), options: base)) == nil)
        #expect(error(SummarySQL(table: "sales.tx", options: base)) == nil)
    }

    /// The comment line shows names quoted and with every line break escaped.
    @Test func commentStaysOneLine() throws {
        #expect(SummarySQL.commentSafe("a\nb\rc\td\\e\u{2028}f\u{85}g\u{1}") == "a\\nb\\rc\\td\\\\e\\u{2028}f\\u{85}g\\u{1}")
        let sql = try SummarySQL(table: "tx\nDROP TABLE users;\n", options: RFMOptions(unit: .day)).render()
        #expect(sql.hasPrefix("-- clvfit summarize --emit-sql postgres: the RFM summary of \"tx\\nDROP TABLE users;\\n\" (unit: day"))
        #expect(sql.split(separator: "\n")[1] == "WITH w AS (")
    }

    /// The dialects differ only where their engines do: quotes, the double type, whole days
    /// between dates, the 12-digit rounding; the rest of the text is the same.
    @Test func dialectsDifferOnlyInTheirSyntax() throws {
        let options = RFMOptions(customerColumn: "cust`id", dateColumn: "date", amountColumn: "amount", unit: .week,
                                 calibrationEnd: DataTestSupport.date("1997-09-30"))
        let postgres = try SummarySQL(dialect: .postgres, table: "s.tx", options: options, weighted: true).render()
        let duckdb = try SummarySQL(dialect: .duckdb, table: "s.tx", options: options, weighted: true).render()
        let spark = try SummarySQL(dialect: .spark, table: "s.tx", options: options, weighted: true).render()
        #expect(spark.contains("FROM `s`.`tx` AS t") && spark.contains("t.`cust``id` AS customer_id") && spark.contains("AS `T`"))
        #expect(spark.contains("CAST(datediff(p.last_day, p.first_day) AS DOUBLE) / 7 AS recency"))
        #expect(spark.contains("CAST(format_string('%.11e', monetary_value) AS DOUBLE) AS monetary_value"))
        #expect(!spark.contains("\"") && !spark.contains("double precision") && !spark.contains(" - p.first_day"))
        #expect(duckdb.contains("CAST(p.last_day - p.first_day AS DOUBLE) / 7 AS recency") && duckdb.contains("printf('%.11e', monetary_value)"))
        #expect(postgres.contains("CAST(p.last_day - p.first_day AS double precision) / 7 AS recency") && postgres.contains("to_char(monetary_value"))
        // Replacing the dialects' own pieces gives the same text.
        func normalized(_ sql: String, backticks: Bool = false) -> String {
            (backticks ? sql.replacingOccurrences(of: "`", with: "\"").replacingOccurrences(of: "\"\"id", with: "`id") : sql)
                .replacingOccurrences(of: "double precision", with: "DOUBLE")
                .replacing(/datediff\(([^,]+), ([^)]+)\)/) { "\($0.1) - \($0.2)" }
                .replacing(/CAST\((to_char|printf|format_string)\([^)]*\) AS DOUBLE\)/) { _ in "ROUNDED" }
                .replacing(/--emit-sql \w+/) { _ in "--emit-sql D" }
        }
        #expect(normalized(spark, backticks: true) == normalized(postgres))
        #expect(normalized(duckdb) == normalized(postgres))
        // Only PostgreSQL truncates long identifiers, so only its dialect refuses them.
        let long = RFMOptions(customerColumn: String(repeating: "c", count: 64), unit: .day)
        #expect(throws: SummarySQL.NameError.self) { try SummarySQL(dialect: .postgres, options: long).render() }
        #expect(try SummarySQL(dialect: .spark, options: long).render().contains(String(repeating: "c", count: 64)))
    }
}
