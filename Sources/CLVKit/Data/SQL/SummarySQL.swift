/// The SQL that computes, inside a database, the RFM summary `clvfit summarize` computes from a
/// CSV — per customer, or in the weighted form (``CustomerSummaryTable/weighted()``) — from a
/// table of transactions: the GROUP BY over billions of rows runs where the rows are, and only
/// the summary travels (DESIGN.md §5).
///
/// Definitions, the same as ``RFMSummarizer``'s (and lifetimes'):
/// - a purchase day is a (customer, date) pair; the rows of one customer on one day are one
///   purchase, amounts summed (a timestamp column is cast to its date);
/// - rows after the observation end (default: the last date in the table) are ignored;
///   customers appear when they bought on or before the window end (the calibration end, if
///   given, else the observation end);
/// - `frequency` = purchase days in the window − 1; `recency` = (last − first purchase day) / unit;
///   `T` = (window end − first purchase day) / unit; `monetary_value` = the summed amounts of the
///   repeat days (all but the first) / frequency, 0 when frequency is 0;
/// - with a calibration end: `frequency_holdout` = purchase days in (calibration end,
///   observation end]; `monetary_value_holdout` = their summed amount / their number of rows
///   (per transaction row, like lifetimes and `clvfit summarize`), 0 without any;
///   `duration_holdout` = (observation end − calibration end) / unit.
///
/// Output: the columns and names `clvfit summarize` writes; per customer ordered by the
/// customer column (clvfit keeps the order of first appearance in the file, which a table
/// does not have: match rows by `customer_id`), weighted ordered as
/// ``CustomerSummaryTable/weighted()`` orders. Amounts are summed in the column's own type
/// (exact for `numeric`), cast to double precision before dividing; times are whole days
/// divided by 1 or 7 in double precision, the same operation clvfit does.
///
/// Identifiers (table, columns) are always quoted — double quotes for PostgreSQL and DuckDB,
/// backticks for Spark SQL, the quote character doubled inside — so a column named `date`, `T`
/// or `order date` works; a table name's dots separate schema and table. Nothing a user gives
/// reaches the text unquoted, the first line's comment included: there a name is shown quoted
/// and with its line breaks and other control characters escaped (`\n`), because a `--` comment
/// ends at the first line break and whatever followed would be live SQL. A name the engine
/// cannot hold is refused (``NameError``): empty, with a NUL character, or (PostgreSQL) longer
/// than 63 bytes, which PostgreSQL would silently truncate, possibly to another column's name.
/// Dates are written as `DATE 'YYYY-MM-DD'` literals.
///
/// The query is written once (``render()``); a ``Dialect`` supplies only what differs between
/// the engines (``Dialect/Syntax``): identifier quotes, the double type's name, whole days between
/// two dates, and the 12-digit rounding of the weighted form. docs/sql-push-down.md says what
/// BigQuery and Snowflake would need.
public struct SummarySQL: Sendable, Equatable {
    /// The SQL dialects that can be emitted, each run on its engine by the test suite
    /// (PostgreSQL 15, DuckDB 2.0.1, Spark SQL 4.3.0 in local mode with its default ANSI mode).
    public enum Dialect: String, Sendable, CaseIterable {
        case postgres, duckdb, spark

        /// What this dialect writes differently; everything else is the same text.
        struct Syntax {
            /// The quote around identifiers (doubled inside one).
            var quote: Character
            /// The name of the IEEE double type.
            var double: String
            /// Whole days from `earlier` to `later`, two dates, as an integer.
            var days: (_ later: String, _ earlier: String) -> String
            /// `value` (a double) rounded to 12 significant digits and read back, as C's
            /// `%.11e` rounds it (``CustomerSummaryTable/roundedForGrouping(_:)``).
            var twelveDigits: (_ value: String) -> String
            /// The longest identifier in bytes, where the engine truncates longer ones.
            var maximumIdentifierBytes: Int?
        }

        var syntax: Syntax {
            switch self {
            case .postgres:
                // date − date is an integer number of days; to_char's EEEE is %.11e's rounding.
                return Syntax(quote: "\"", double: "double precision", days: { "\($0) - \($1)" },
                              twelveDigits: { "CAST(to_char(\($0), '9.99999999999EEEE') AS double precision)" },
                              maximumIdentifierBytes: SummarySQL.maximumIdentifierBytes)
            case .duckdb:
                // date − date is an integer; printf is the fmt library's, correctly rounded like C's.
                return Syntax(quote: "\"", double: "DOUBLE", days: { "\($0) - \($1)" },
                              twelveDigits: { "CAST(printf('%.11e', \($0)) AS DOUBLE)" }, maximumIdentifierBytes: nil)
            case .spark:
                // Backticks work whatever spark.sql.ansi.doubleQuotedIdentifiers says (and on 3.x);
                // date − date is an interval there, datediff an integer. format_string is Java's
                // Formatter: it rounds the double's shortest decimal half up, C its exact value,
                // which can differ only for a value whose shortest decimal has 13 digits ending in 5.
                return Syntax(quote: "`", double: "DOUBLE", days: { "datediff(\($0), \($1))" },
                              twelveDigits: { "CAST(format_string('%.11e', \($0)) AS DOUBLE)" }, maximumIdentifierBytes: nil)
            }
        }
    }

    public var dialect: Dialect
    /// The transactions table, optionally schema-qualified (`sales.transactions`).
    public var table: String
    /// The customer, date and amount columns, the time unit, the calibration and observation ends.
    public var options: RFMOptions
    /// Emit the weighted form (one row per pattern with a `weight` count).
    public var weighted: Bool

    public init(dialect: Dialect = .postgres, table: String = "transactions", options: RFMOptions, weighted: Bool = false) {
        self.dialect = dialect
        self.table = table
        self.options = options
        self.weighted = weighted
    }

    /// `name` as a quoted identifier: `"name"` (with `quote` `` ` ``: `` `name` ``), with every
    /// quote character inside doubled.
    public static func quoteIdentifier(_ name: String, quote: Character = "\"") -> String {
        let q = String(quote)
        return q + name.replacingOccurrences(of: q, with: q + q) + q
    }

    /// A table name, each dot-separated part quoted: `sales.tx` → `"sales"."tx"`.
    public static func quoteTableName(_ name: String, quote: Character = "\"") -> String {
        name.split(separator: ".", omittingEmptySubsequences: false).map { quoteIdentifier(String($0), quote: quote) }.joined(separator: ".")
    }

    /// A date literal.
    static func literal(_ date: CalendarDate) -> String { "DATE '\(date)'" }

    /// PostgreSQL's longest identifier in bytes (NAMEDATALEN − 1); a longer one is truncated.
    public static let maximumIdentifierBytes = 63

    /// A name that cannot be put into the SQL as an identifier.
    public struct NameError: Error, CustomStringConvertible, Sendable, Equatable {
        /// The command-line option that gave the name, e.g. `--table`.
        public var option: String
        public var name: String
        public var reason: String

        public var description: String {
            "\(option) \(SummarySQL.commentSafe(SummarySQL.quoteIdentifier(name))) \(reason)"
        }
    }

    /// Checks every name the SQL will quote (each part of the table name, the columns).
    public func validateNames() throws(NameError) {
        var names = table.split(separator: ".", omittingEmptySubsequences: false).map { ("--table", String($0), table) }
        names += [("--customer-column", options.customerColumn, options.customerColumn),
                  ("--date-column", options.dateColumn, options.dateColumn)]
        if let amount = options.amountColumn { names.append(("--amount-column", amount, amount)) }
        for (option, name, whole) in names {
            if name.isEmpty {
                throw NameError(option: option, name: whole, reason: option == "--table" && whole.contains(".")
                                ? "has an empty part between dots; a schema-qualified name is schema.table."
                                : "is empty; SQL has no empty identifier.")
            }
            if name.unicodeScalars.contains("\0") {
                throw NameError(option: option, name: whole, reason: "contains a NUL character, which no SQL identifier can hold.")
            }
            if dialect.syntax.maximumIdentifierBytes != nil, name.utf8.count > Self.maximumIdentifierBytes {
                throw NameError(option: option, name: whole, reason: "is \(name.utf8.count) bytes long; PostgreSQL truncates identifiers to \(Self.maximumIdentifierBytes) bytes, so it would name another column or table.")
            }
        }
    }

    /// `text` for a `--` comment line: line breaks, other control characters and the Unicode
    /// line and paragraph separators written as escapes (`\n`, `\u{2028}`), backslashes
    /// doubled, so the comment stays one line whatever the text is.
    static func commentSafe(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029:
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The SQL text: one `WITH … SELECT … ORDER BY …;` statement, ending in a newline.
    /// - Throws: ``NameError`` for a name that cannot be an identifier (``validateNames()``).
    public func render() throws(NameError) -> String {
        try validateNames()
        let syntax = dialect.syntax
        let q = { (name: String) in Self.quoteIdentifier(name, quote: syntax.quote) }
        let customer = q(options.customerColumn), date = q(options.dateColumn)
        let amount = options.amountColumn.map(q)
        let source = Self.quoteTableName(table, quote: syntax.quote)
        let unitDays = options.unit == .week ? "7" : "1"
        let hasHoldout = options.calibrationEnd != nil
        // The observation end: a literal, or the table's last date.
        let observationEnd = options.observationEnd.map(Self.literal) ?? "(SELECT CAST(MAX(\(date)) AS date) FROM \(source))"
        let windowEnd = options.calibrationEnd.map(Self.literal) ?? "w.observation_end"
        let double = syntax.double
        func time(_ later: String, _ earlier: String) -> String { "CAST(\(syntax.days(later, earlier)) AS \(double)) / \(unitDays)" }

        var sql = "-- clvfit summarize --emit-sql \(dialect.rawValue): the RFM summary of \(Self.commentSafe(source))"
        sql += " (unit: \(options.unit.rawValue)"
        if let c = options.calibrationEnd { sql += ", calibration end \(c)" }
        sql += ", observation end \(options.observationEnd.map { "\($0)" } ?? "the last date in the table")"
        sql += weighted ? "; weighted: one row per pattern).\n" : ").\n"

        sql += "WITH w AS (\n  SELECT \(observationEnd) AS observation_end\n),\n"
        // One row per customer and purchase day, amounts summed, rows counted.
        sql += "purchase_days AS (\n"
        sql += "  SELECT t.\(customer) AS customer_id, CAST(t.\(date) AS date) AS day"
        if let amount { sql += ", SUM(t.\(amount)) AS amount, COUNT(*) AS row_count" }
        sql += "\n  FROM \(source) AS t CROSS JOIN w\n"
        sql += "  WHERE CAST(t.\(date) AS date) <= w.observation_end\n"
        sql += "  GROUP BY t.\(customer), CAST(t.\(date) AS date)\n),\n"
        // Each customer's first purchase day, for customers who bought by the window end.
        sql += "first_days AS (\n"
        sql += "  SELECT d.customer_id, MIN(d.day) AS first_day\n"
        sql += "  FROM purchase_days AS d CROSS JOIN w\n"
        sql += "  WHERE d.day <= \(windowEnd)\n"
        sql += "  GROUP BY d.customer_id\n),\n"
        // Per customer: day counts, last day, repeat amount, holdout counts and amounts.
        let inWindow = "d.day <= \(windowEnd)"
        sql += "per_customer AS (\n"
        sql += "  SELECT f.customer_id, f.first_day,\n"
        sql += "         COUNT(CASE WHEN \(inWindow) THEN 1 END) - 1 AS frequency,\n"
        sql += "         MAX(CASE WHEN \(inWindow) THEN d.day END) AS last_day"
        if amount != nil {
            sql += ",\n         SUM(CASE WHEN \(inWindow) AND d.day > f.first_day THEN d.amount END) AS repeat_amount"
        }
        if hasHoldout {
            sql += ",\n         COUNT(CASE WHEN d.day > \(windowEnd) THEN 1 END) AS holdout_days"
            if amount != nil {
                sql += ",\n         SUM(CASE WHEN d.day > \(windowEnd) THEN d.amount END) AS holdout_amount"
                sql += ",\n         SUM(CASE WHEN d.day > \(windowEnd) THEN d.row_count END) AS holdout_rows"
            }
        }
        sql += "\n  FROM first_days AS f JOIN purchase_days AS d ON d.customer_id = f.customer_id CROSS JOIN w\n"
        sql += "  GROUP BY f.customer_id, f.first_day\n),\n"
        // The summary's columns, named as clvfit writes them.
        let T = q("T")
        var columns = ["frequency", "recency", T]
        sql += "summary AS (\n"
        sql += "  SELECT p.customer_id,\n"
        sql += "         p.frequency,\n"
        sql += "         \(time("p.last_day", "p.first_day")) AS recency,\n"
        sql += "         \(time(windowEnd, "p.first_day")) AS \(T)"
        if amount != nil {
            columns.append("monetary_value")
            sql += ",\n         CASE WHEN p.frequency > 0 THEN CAST(p.repeat_amount AS \(double)) / p.frequency ELSE 0 END AS monetary_value"
        }
        if hasHoldout {
            columns.append("frequency_holdout")
            sql += ",\n         p.holdout_days AS frequency_holdout"
            if amount != nil {
                columns.append("monetary_value_holdout")
                sql += ",\n         CASE WHEN p.holdout_rows > 0 THEN CAST(p.holdout_amount AS \(double)) / p.holdout_rows ELSE 0 END AS monetary_value_holdout"
            }
            columns.append("duration_holdout")
            sql += ",\n         \(time("w.observation_end", windowEnd)) AS duration_holdout"
        }
        sql += "\n  FROM per_customer AS p CROSS JOIN w\n)\(weighted ? "," : "")\n"
        if weighted {
            // Monetary values grouped at 12 significant digits, rounded as clvfit rounds them
            // (``CustomerSummaryTable/roundedForGrouping(_:)``: printf's %.11e, read back).
            let list = columns.joined(separator: ", ")
            let rounded = columns.map { column in
                column.hasPrefix("monetary_value") ? "\(syntax.twelveDigits(column)) AS \(column)" : column
            }
            sql += "rounded AS (\n  SELECT \(rounded.joined(separator: ", "))\n  FROM summary\n)\n"
            sql += "SELECT \(list), COUNT(*) AS weight\nFROM rounded\nGROUP BY \(list)\n"
            sql += "ORDER BY \(columns.filter { $0 != "duration_holdout" }.joined(separator: ", "));\n"
        } else {
            sql += "SELECT customer_id, \(columns.joined(separator: ", "))\nFROM summary\nORDER BY customer_id;\n"
        }
        return sql
    }
}
