import Foundation
import Testing
import CLVKit
import CLVTestSupport

/// `summarize --emit-sql` with hostile names in every name option (issue 10, item 8): the
/// output is one statement, whatever the names hold, and running it on a throwaway PostgreSQL
/// computes the summary of the table so named and changes nothing else. A table named
/// `tx⏎DROP TABLE users;⏎` used to put a live `DROP TABLE users;` into the first line's comment.
@Suite struct SQLNamesEndToEndTests {
    static let hostile = ["tx\nDROP TABLE users;\n", "x\"; DROP TABLE users; --", "c -- d", "c /* d", "c; d",
                          "r\rDROP TABLE users;", "u\u{2028}DROP TABLE users;"]
    static let options = ["--table", "--customer-column", "--date-column", "--amount-column"]

    /// The names given to each option but the one under test.
    static let plain = ["--table": "tx", "--customer-column": "customer_id", "--date-column": "date", "--amount-column": "amount"]

    /// The SQL without its quoted identifiers, string literals and comments: what PostgreSQL's
    /// lexer reads as code.
    static func code(_ sql: String) -> String {
        var out = "", chars = Array(sql), i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\"" || c == "'" {
                i += 1
                while i < chars.count {
                    if chars[i] == c { if i + 1 < chars.count && chars[i + 1] == c { i += 2; continue }; break }
                    i += 1
                }
                out += "Q"; i += 1
            } else if c == "-" && i + 1 < chars.count && chars[i + 1] == "-" {
                while i < chars.count && chars[i] != "\n" && chars[i] != "\r" { i += 1 }
            } else {
                out.append(c); i += 1
            }
        }
        return out
    }

    /// Every hostile name in every option: exit 0, one line of comment, one `;` in the code,
    /// which ends it; no `DROP` outside quotes.
    @Test func everyNameOptionGivesOneStatement() throws {
        let ws = try Workspace()
        for option in Self.options {
            for name in Self.hostile {
                var names = Self.plain
                names[option] = name
                let run = try ws.run(["summarize", "--emit-sql", "postgres", "--calibration-end", "1997-09-30"]
                                     + Self.options.flatMap { [$0, names[$0]!] })
                #expect(run.status == 0, "\(option) \(name.debugDescription): \(run)")
                let code = Self.code(run.stdout)
                #expect(code.filter { $0 == ";" }.count == 1 && code.hasSuffix(";\n"), "\(option) \(name.debugDescription): \(run.stdout)")
                #expect(!code.contains("DROP") && !code.contains("/*"), "\(option) \(name.debugDescription): \(code)")
                let first = run.stdout.prefix { $0 != "\n" && $0 != "\r" && $0 != "\u{2028}" }
                #expect(first.hasPrefix("-- clvfit summarize --emit-sql postgres: the RFM summary of \""), "\(first)")
                #expect(run.stdout.dropFirst(first.count + 1).hasPrefix("WITH w AS ("), "\(option) \(name.debugDescription): \(run.stdout.prefix(300))")
            }
        }
    }

    /// Names PostgreSQL cannot hold are refused with exit 64, naming the option.
    @Test func impossibleNamesAreRefused() throws {
        let ws = try Workspace()
        let long = String(repeating: "é", count: 32)   // 64 bytes
        for (arguments, message) in [(["--table", "sales..tx"], "--table \"sales..tx\" has an empty part"),
                                     (["--customer-column", ""], "--customer-column \"\" is empty"),
                                     (["--date-column", long], "--date-column \"\(long)\" is 64 bytes long; PostgreSQL truncates")] {
            let run = try ws.run(["summarize", "--emit-sql", "postgres"] + arguments)
            #expect(run.status == 64 && run.stderr.contains(message) && run.stdout.isEmpty, "\(arguments): \(run)")
        }
    }

    static let skipped = ProcessInfo.processInfo.environment["CLVFIT_SKIP_POSTGRES"] == "1" && !ThrowawayPostgres.installed

    /// Each hostile name, run for real: a table `users` exists before and after; the result is
    /// one summary (one header), equal to `clvfit summarize` on the same rows as a CSV.
    @Test(.disabled(if: skipped, "PostgreSQL is not installed and CLVFIT_SKIP_POSTGRES=1 (make setup-postgres installs it)"))
    func hostileNamesRunAsOneHarmlessStatement() throws {
        try #require(ThrowawayPostgres.installed, "PostgreSQL's server programs are not installed: run `make setup-postgres`, or set CLVFIT_SKIP_POSTGRES=1 to skip this test")
        let ws = try Workspace()
        let rows = [("1", "1997-01-01", "10.5"), ("1", "1997-01-01", "2"), ("1", "1997-02-03", "7.25"), ("2", "1997-01-05", "3"),
                    ("1", "1997-11-01", "4"), ("2", "1997-12-24", "8")]
        try ws.write("tx.csv", "customer_id,date,amount\n" + rows.map { "\($0.0),\($0.1),\($0.2)\n" }.joined())
        let window = ["--calibration-end", "1997-09-30", "--observation-end", "1998-06-30"]
        let expected = try ws.run(["summarize", "tx.csv", "--unit", "day"] + window)
        try #require(expected.status == 0, "\(expected)")

        let pg = try ThrowawayPostgres()
        defer { pg.stop() }
        _ = try pg.psql("CREATE TABLE users (id integer); INSERT INTO users VALUES (1);")
        for option in Self.options {
            for name in Self.hostile {
                var names = Self.plain
                names[option] = name
                let q = { (name: String) in SummarySQL.quoteIdentifier(name) }
                let table = SummarySQL.quoteTableName(names["--table"]!)
                let values = rows.map { "('\($0.0)', DATE '\($0.1)', \($0.2))" }.joined(separator: ", ")
                _ = try pg.psql("""
                    DROP TABLE IF EXISTS \(table);
                    CREATE TABLE \(table) (\(q(names["--customer-column"]!)) text, \(q(names["--date-column"]!)) date, \(q(names["--amount-column"]!)) numeric);
                    INSERT INTO \(table) VALUES \(values);
                    """)
                let run = try ws.run(["summarize", "--emit-sql", "postgres", "--unit", "day"] + window + Self.options.flatMap { [$0, names[$0]!] })
                try #require(run.status == 0, "\(run)")
                let result = try pg.psql(run.stdout, csv: true)
                let label = "\(option) \(name.debugDescription)"
                #expect(result.components(separatedBy: "customer_id,").count == 2, "\(label): one result set\n\(result)")
                #expect(Self.numbers(result) == Self.numbers(expected.stdout), "\(label):\n\(result)\n\(expected.stdout)")
                #expect(try pg.psql("SELECT count(*) AS n FROM users;", csv: true) == "n\n1\n", "\(label): users is intact")
                _ = try pg.psql("DROP TABLE \(table);")
            }
        }
    }

    /// A summary CSV's rows as numbers, sorted by customer id.
    static func numbers(_ csv: String) -> [[Double]] {
        csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",").compactMap { Double($0) } }.sorted { $0[0] < $1[0] }
    }
}
