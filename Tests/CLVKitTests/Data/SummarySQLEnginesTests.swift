import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// The emitted SQL of every dialect run on its engine (issue 17, item 2): DuckDB 2.0.1 in memory
/// and Spark SQL 4.3.0 in local mode with its default configuration (ANSI mode on), from the venv
/// `make setup-engines` makes (scripts/engines-requirements.txt). scripts/sql_engines.py loads
/// CDNOW_master (69,659 rows) under awkward names — table `CDNOW master`, columns `customer id`,
/// `date`, `amount ($)` (DECIMAL(18,2)) — and runs each text; the result must equal
/// ``RFMSummarizer`` on the CSV: the same header, the same customers, every number within 1e-12
/// relative, no NULL; the weighted form row for row, in the same order, with the same row count.
/// (PostgreSQL's dialect is run by ``SummarySQLPostgresTests``.)
///
/// `make test` sets `CLVFIT_REQUIRE_ENGINES=1`, which makes a missing venv a failure; a plain
/// `swift test` without the venv skips these tests, saying how to make it.
@Suite(.serialized) struct SummarySQLEnginesTests {
    typealias S = DataTestSupport

    static let python: URL? = {
        if let path = ProcessInfo.processInfo.environment["CLVFIT_ENGINES_PYTHON"] { return URL(fileURLWithPath: path) }
        let url = Fixtures.repositoryRoot.appendingPathComponent(".build/engines-venv/bin/python")
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
    }()
    static let required = ProcessInfo.processInfo.environment["CLVFIT_REQUIRE_ENGINES"] == "1"

    @Test(.enabled(if: python != nil || required, "the engines' venv is missing: `make setup-engines` makes .build/engines-venv (DuckDB, PySpark)"),
          arguments: [SummarySQL.Dialect.duckdb, .spark])
    func emittedSQLComputesTheSameSummaryOnItsEngine(dialect: SummarySQL.Dialect) throws {
        let python = try #require(Self.python, "CLVFIT_REQUIRE_ENGINES=1 but .build/engines-venv is missing: run `make setup-engines`")
        let data = try S.requireDataset("cdnow_master.csv")
        let work = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        var queries: [String] = [], expected: [String: (text: String, byID: Bool)] = [:]
        for (k, c) in SummarySQLPostgresTests.configurations.enumerated() {
            let options = RFMOptions(customerColumn: "customer id", dateColumn: "date", amountColumn: c.amount ? "amount ($)" : nil,
                                     unit: c.unit, calibrationEnd: c.calibrationEnd.map(S.date), observationEnd: c.observationEnd.map(S.date))
            var fileOptions = options
            fileOptions.customerColumn = "customer_id"
            fileOptions.amountColumn = c.amount ? "amount" : nil
            let table = try RFMSummarizer.summarize(path: data.path, options: fileOptions)
            for weighted in [false, true] {
                let name = "\(weighted ? "weighted" : "per-customer")-\(k)"
                let sql = try SummarySQL(dialect: dialect, table: "CDNOW master", options: options, weighted: weighted).render()
                let file = work.appendingPathComponent(name + ".sql")
                try Data(sql.utf8).write(to: file)
                queries.append("\(name)=\(file.path)")
                expected[name] = weighted ? (SummaryCSV.render(table.weighted(), style: .weighted), false) : (SummaryCSV.render(table), true)
            }
        }
        let run = try ThrowawayPostgres.run([python.path, Fixtures.repositoryRoot.appendingPathComponent("scripts/sql_engines.py").path,
                                             "--engine", dialect.rawValue, "--data", data.path, "--table", "CDNOW master",
                                             "--customer-column", "customer id", "--date-column", "date", "--amount-column", "amount ($)",
                                             "--out", work.path] + queries)
        try #require(run.status == 0, "scripts/sql_engines.py --engine \(dialect.rawValue) exited \(run.status): \(run.stderr.suffix(3000))")
        for (name, want) in expected.sorted(by: { $0.key < $1.key }) {
            let got = try String(contentsOf: work.appendingPathComponent(name + ".csv"), encoding: .utf8)
            #expect(!got.contains("NULL"), "\(dialect) \(name): the result has NULLs")
            try SummarySQLPostgresTests.expectSameRows(sql: got, clvfit: want.text, byID: want.byID, label: "\(dialect) \(name)", relative: 1e-12)
        }
    }
}
