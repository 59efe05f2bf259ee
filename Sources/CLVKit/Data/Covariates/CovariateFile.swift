import CLVNumerics
import Foundation

/// How one column of a covariate file becomes covariates: as it is (numbers), or dummy-coded
/// against a reference level (text). Recorded in the model file so that scoring codes a new file
/// exactly as training did.
public struct CovariateColumnEncoding: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case numeric, categorical }
    /// The column's name in the covariate file.
    public var column: String
    public var kind: Kind
    /// Categorical only: the levels that get a dummy (sorted), each named `<column>=<level>`.
    public var levels: [String]?
    /// Categorical only: the level every dummy is 0 for (the most frequent in the training
    /// data; ties broken by sorted order).
    public var reference: String?

    /// The covariates this column gives, in order.
    public var covariateNames: [String] {
        kind == .numeric ? [column] : (levels ?? []).map { "\(column)=\($0)" }
    }
}

/// What a covariate model was trained with: which file columns, how each is coded, and which
/// covariates act on which process (model file `covariates`, docs/model-format.md).
public struct CovariateSpecification: Codable, Equatable, Sendable {
    /// The file columns used, in the order their covariates appear.
    public var columns: [CovariateColumnEncoding]
    /// Covariate names shifting the purchase process, in coefficient order.
    public var purchase: [String]
    /// Covariate names shifting the dropout process, in coefficient order.
    public var dropout: [String]
    /// Covariates with one coefficient for every parameter they shift (`--shared-covariates`;
    /// each is in both `purchase` and `dropout`). Absent when none.
    public var shared: [String]?
    /// With `shared`: the likelihood-ratio test of the shared coefficients against the same
    /// model with every coefficient free (informational; a reader that ignores it predicts the same).
    public var sharedTest: LikelihoodRatioTest?

    public init(columns: [CovariateColumnEncoding], purchase: [String], dropout: [String], shared: [String]? = nil) {
        self.columns = columns
        self.purchase = purchase
        self.dropout = dropout
        self.shared = shared
    }

    /// `shared`, or none.
    public var sharedCovariates: [String] { shared ?? [] }
}

/// A covariate file read into memory: one row per customer, the first column (or the one named
/// as the customer column) the customer id, every other column one covariate. Numbers stay
/// numbers; a column whose values are all text is categorical. `design(...)` aligns it with a
/// summary's customers and checks what the fit needs.
public struct CovariateFile: Sendable {
    /// The file's name as given, for messages.
    public var name: String
    public var idColumn: String
    /// Covariate column names, in file order.
    public var columnNames: [String]
    /// The customer id and the line of each row, in file order.
    var ids: [String]
    var lines: [Int]
    /// Per covariate column, the number in each row (NaN where the field is not a number).
    var numbers: [[Double]]
    /// Per covariate column, the fields as written, kept only for a column that has a field
    /// which is not a number (text, or empty): a clean numeric file holds no strings but its ids.
    var texts: [[String]?]

    /// Reads `path` (`-` for standard input).
    /// - Parameter customerColumn: the id column's name; nil = the first column.
    public static func read(path: String, customerColumn: String?, options: CSVScanner.Options = CSVScanner.Options()) throws(DataError) -> CovariateFile {
        if path != "-", ProcessInfo.processInfo.activeProcessorCount >= 2,
           let file = try readInTwoParts(path: path, customerColumn: customerColumn, options: options) {
            return file
        }
        return try read(scanner: CSVScanner(path: path, options: options), customerColumn: customerColumn)
    }

    /// Reads a covariate file held in memory; `name` is used in messages.
    public static func read(bytes: [UInt8], name: String, customerColumn: String?) throws(DataError) -> CovariateFile {
        try read(scanner: CSVScanner(bytes: bytes, name: name), customerColumn: customerColumn)
    }

    static func read(scanner: CSVScanner, customerColumn: String?) throws(DataError) -> CovariateFile {
        let layout = try Layout(scanner, customerColumn: customerColumn)
        var rows = Rows(columns: layout.columns.count)
        try rows.read(scanner, layout)
        return try rows.file(layout, name: scanner.name)
    }

    /// Reads a large covariate file in two halves on two threads (`TwoPartFile`), or returns
    /// `nil` when that does not apply. The result — file or error — is the one
    /// ``read(scanner:customerColumn:)`` gives: each half stops at its first error, and the
    /// first half's comes first in the file.
    static func readInTwoParts(path: String, customerColumn: String?, options: CSVScanner.Options,
                               minimumBytes: Int = TwoPartFile.minimumBytes) throws(DataError) -> CovariateFile? {
        guard let parts = TwoPartFile(path: path, options: options, minimumBytes: minimumBytes) else { return nil }
        let layout = try Layout(parts.first, customerColumn: customerColumn)
        let second = parts.second(after: layout.header)
        var head = Rows(columns: layout.columns.count), tail = Rows(columns: layout.columns.count)
        head.reserve(parts.firstLines + parts.secondLines)
        tail.reserve(parts.secondLines)
        _ = try parts.bothHalves({ () throws(DataError) in try head.read(parts.first, layout) },
                                 { () throws(DataError) in try tail.read(second, layout) })
        head.append(tail)
        return try head.file(layout, name: path)
    }

    /// The header of a covariate file: its names, the id column and the covariate columns.
    struct Layout {
        let header: [String]
        let idIndex: Int
        /// The covariate columns' indices, in file order.
        let columns: [Int]

        init(_ scanner: CSVScanner, customerColumn: String?) throws(DataError) {
            let file = scanner.name
            guard let header = try scanner.readHeader(), !header.isEmpty else {
                throw DataError(file: file, message: "the covariate file is empty (expected a header line: the customer id column, then one column per covariate)")
            }
            // The summary's customer column name, when the file has it; else the first column.
            let idIndex = customerColumn.flatMap { header.firstIndex(of: $0) } ?? 0
            var seen: [String: Int] = [:]
            for (k, name) in header.enumerated() {
                if let first = seen[name] {
                    throw DataError(file: file, line: 1, field: name, message: "the column name appears twice (columns \(first + 1) and \(k + 1)); give every covariate its own name")
                }
                seen[name] = k
                if name.isEmpty { throw DataError(file: file, line: 1, message: "column \(k + 1) has no name; give every covariate a name in the header") }
            }
            let columns = header.indices.filter { $0 != idIndex }
            guard !columns.isEmpty else {
                throw DataError(file: file, line: 1, message: "the covariate file has only the customer id column '\(DataText.shortened(header[idIndex]))'; add one column per covariate")
            }
            (self.header, self.idIndex, self.columns) = (header, idIndex, columns)
        }
    }

    /// The rows read so far, column by column.
    struct Rows {
        var ids: [String] = [], lines: [Int] = []
        var numbers: [[Double]]
        /// A column's fields as text once one of them is not a number; numbers in such a column
        /// are kept as clvfit prints them (`SummaryCSV.format`), so that the text does not
        /// depend on where the first non-number is (or on which half of a file it is in).
        var texts: [[String]?]

        init(columns: Int) {
            numbers = Array(repeating: [], count: columns)
            texts = Array(repeating: nil, count: columns)
        }

        mutating func reserve(_ count: Int) {
            ids.reserveCapacity(count)
            lines.reserveCapacity(count)
            for k in numbers.indices { numbers[k].reserveCapacity(count) }
        }

        mutating func read(_ scanner: CSVScanner, _ layout: Layout) throws(DataError) {
            while let record = try scanner.nextRecord() {
                let id = record.string(at: layout.idIndex)
                guard !id.isEmpty else {
                    throw DataError(file: scanner.name, line: record.line, field: layout.header[layout.idIndex], message: "the customer id is empty")
                }
                ids.append(id)
                lines.append(record.line)
                for (k, c) in layout.columns.enumerated() {
                    if let v = NumberField.parseDouble(record[c]) {
                        numbers[k].append(v)
                        texts[k]?.append(SummaryCSV.format(v))
                    } else {
                        if texts[k] == nil { texts[k] = numbers[k].map { SummaryCSV.format($0) } }
                        numbers[k].append(.nan)
                        texts[k]!.append(record.string(at: c))
                    }
                }
            }
        }

        /// The rows of `other` after these.
        mutating func append(_ other: Rows) {
            ids += other.ids
            lines += other.lines
            for k in numbers.indices {
                if texts[k] != nil || other.texts[k] != nil {
                    texts[k] = (texts[k] ?? numbers[k].map { SummaryCSV.format($0) })
                        + (other.texts[k] ?? other.numbers[k].map { SummaryCSV.format($0) })
                }
                numbers[k] += other.numbers[k]
            }
        }

        func file(_ layout: Layout, name: String) throws(DataError) -> CovariateFile {
            guard !ids.isEmpty else { throw DataError(file: name, message: "the covariate file has a header but no customers") }
            return CovariateFile(name: name, idColumn: layout.header[layout.idIndex], columnNames: layout.columns.map { layout.header[$0] },
                                 ids: ids, lines: lines, numbers: numbers, texts: texts)
        }
    }

    /// The covariates of `customers` (a summary's ids, in its row order), coded and checked for
    /// a fit: every customer has a row and a finite value in every chosen column; text columns
    /// are dummy-coded against their most frequent level; a constant column or a set of collinear
    /// columns is refused, naming them (their coefficients would not be identified).
    /// - Parameters:
    ///   - purchase, dropout: the file columns for each process; nil = every column.
    /// - Returns: the design, its specification (for the model file) and notes for standard
    ///   error (columns used by neither process).
    public func design(for customers: [String], purchase: [String]?, dropout: [String]?, shared: [String] = []) throws(DataError)
        -> (design: CovariateDesign, specification: CovariateSpecification, notes: [String]) {
        for (option, chosen) in [("--purchase-covariates", purchase), ("--dropout-covariates", dropout), ("--shared-covariates", shared)] {
            for c in chosen ?? [] where !columnNames.contains(c) {
                throw DataError(file: name, field: c, message: "\(option) names '\(DataText.shortened(c))', which is not a column of the covariate file (its columns: \(columnNames.joined(separator: ", ")))")
            }
        }
        let purchaseColumns = purchase ?? columnNames, dropoutColumns = dropout ?? columnNames
        for c in shared where !(purchaseColumns.contains(c) && dropoutColumns.contains(c)) {
            let missing = purchaseColumns.contains(c) ? "--dropout-covariates" : "--purchase-covariates"
            throw DataError(file: name, field: c, message: "--shared-covariates names '\(DataText.shortened(c))', which is not in \(missing): a shared coefficient acts on both processes, so add it there or leave it out of --shared-covariates")
        }
        let used = columnNames.filter { purchaseColumns.contains($0) || dropoutColumns.contains($0) }
        var notes: [String] = []
        let ignored = columnNames.filter { !used.contains($0) }
        if !ignored.isEmpty {
            notes.append("note: \(name): column\(ignored.count == 1 ? "" : "s") \(ignored.joined(separator: ", ")) \(ignored.count == 1 ? "is" : "are") in neither --purchase-covariates nor --dropout-covariates, so \(ignored.count == 1 ? "it is" : "they are") not used.")
        }
        let rows = try rowsOf(customers)
        var encodings: [CovariateColumnEncoding] = []
        var coded: [String: [Double]] = [:]
        for column in used {
            let k = columnNames.firstIndex(of: column)!
            let encoding = try encode(column: k, rows: rows, customers: customers)
            encodings.append(encoding)
            for (covariate, values) in try apply(encoding, column: k, rows: rows, customers: customers) { coded[covariate] = values }
        }
        let specification = CovariateSpecification(
            columns: encodings,
            purchase: encodings.filter { purchaseColumns.contains($0.column) }.flatMap(\.covariateNames),
            dropout: encodings.filter { dropoutColumns.contains($0.column) }.flatMap(\.covariateNames),
            shared: shared.isEmpty ? nil : encodings.filter { shared.contains($0.column) }.flatMap(\.covariateNames))
        let design = CovariateDesign(
            purchase: CovariateColumns(names: specification.purchase, columns: specification.purchase.map { coded[$0]! }),
            dropout: CovariateColumns(names: specification.dropout, columns: specification.dropout.map { coded[$0]! }))
        for (process, columns) in [("purchase", design.purchase), ("dropout", design.dropout)] {
            try checkIdentified(columns, process: process)
        }
        return (design, specification, notes)
    }

    /// The covariates of `customers` coded as a trained model's `specification` says (scoring):
    /// the same columns, the same levels; a level the model has not seen is refused.
    public func design(for customers: [String], as specification: CovariateSpecification) throws(DataError) -> CovariateDesign {
        let rows = try rowsOf(customers)
        var coded: [String: [Double]] = [:]
        for encoding in specification.columns {
            guard let k = columnNames.firstIndex(of: encoding.column) else {
                throw DataError(file: name, message: "the model was trained with the covariate '\(encoding.column)', which is not a column of this file (its columns: \(columnNames.joined(separator: ", ")))")
            }
            for (covariate, values) in try apply(encoding, column: k, rows: rows, customers: customers) { coded[covariate] = values }
        }
        return CovariateDesign(
            purchase: CovariateColumns(names: specification.purchase, columns: specification.purchase.map { coded[$0]! }),
            dropout: CovariateColumns(names: specification.dropout, columns: specification.dropout.map { coded[$0]! }))
    }

    /// The file row of every customer, or an error naming the first customer without one. When
    /// the file lists exactly the summary's customers in its order (both written from one
    /// source), row i is customer i and no table of ids is built.
    func rowsOf(_ customers: [String]) throws(DataError) -> [Int] {
        if ids == customers { return Array(ids.indices) }
        var rowOf: [String: Int] = [:]
        rowOf.reserveCapacity(ids.count)
        for (r, id) in ids.enumerated() {
            if let earlier = rowOf[id] {
                throw DataError(file: name, line: lines[r], field: idColumn,
                                message: "customer '\(DataText.shortened(id))' has a second row (the first is on line \(lines[earlier])); give each customer one row of covariates")
            }
            rowOf[id] = r
        }
        var rows: [Int] = []
        rows.reserveCapacity(customers.count)
        for id in customers {
            guard let r = rowOf[id] else {
                let missing = customers.reduce(0) { $0 + (rowOf[$1] == nil ? 1 : 0) }
                throw DataError(file: name, field: idColumn, message: "customer '\(DataText.shortened(id))' of the summary has no row here; every customer needs a row of covariates (\(missing) of \(customers.count) customers have none)")
            }
            rows.append(r)
        }
        return rows
    }

    /// The field of column k in row r as written.
    func field(_ k: Int, _ r: Int) -> String { texts[k]?[r] ?? SummaryCSV.format(numbers[k][r]) }

    /// Numeric when every value of the customers' rows is a number, categorical when none is.
    func encode(column k: Int, rows: [Int], customers: [String]) throws(DataError) -> CovariateColumnEncoding {
        let column = columnNames[k]
        guard let text = texts[k] else { return CovariateColumnEncoding(column: column, kind: .numeric) }
        var firstNumber: Int? = nil, firstText: Int? = nil
        var counts: [String: Int] = [:]
        for (i, r) in rows.enumerated() {
            let field = text[r]
            guard !field.isEmpty else {
                throw DataError(file: name, line: lines[r], field: column, message: "customer '\(DataText.shortened(customers[i]))' has no value; every customer needs a value of every covariate")
            }
            if numbers[k][r].isNaN { firstText = firstText ?? r } else { firstNumber = firstNumber ?? r }
            counts[field, default: 0] += 1
        }
        if let firstText, let firstNumber {
            var field = text[firstText]
            let why = field.withUTF8 { NumberField.explainInvalid($0) }
            throw DataError(file: name, line: lines[firstText], field: column,
                            message: "\(why), but line \(lines[firstNumber]) has the number \(DataText.shortened(text[firstNumber])): a covariate column is either all numbers or all text (a category); fix the value")
        }
        guard firstText != nil else { return CovariateColumnEncoding(column: column, kind: .numeric) }
        let sorted = counts.keys.sorted()
        let reference = sorted.max { counts[$0]! < counts[$1]! || (counts[$0]! == counts[$1]! && $0 > $1) }!
        return CovariateColumnEncoding(column: column, kind: .categorical, levels: sorted.filter { $0 != reference }, reference: reference)
    }

    /// The covariate columns `encoding` gives for the customers' rows.
    func apply(_ encoding: CovariateColumnEncoding, column k: Int, rows: [Int], customers: [String]) throws(DataError) -> [(String, [Double])] {
        let column = columnNames[k]
        switch encoding.kind {
        case .numeric:
            var out: [Double] = []
            out.reserveCapacity(rows.count)
            let values = numbers[k]
            for (i, r) in rows.enumerated() {
                let v = values[r]
                guard v.isFinite else {
                    let field = self.field(k, r)
                    let why = field.isEmpty ? "has no value; every customer needs a value of every covariate"
                        : "has '\(DataText.shortened(field))', which is not a finite number (the model codes \(column) as a number)"
                    throw DataError(file: name, line: lines[r], field: column, message: "customer '\(DataText.shortened(customers[i]))' \(why)")
                }
                out.append(v)
            }
            return [(column, out)]
        case .categorical:
            let levels = encoding.levels ?? []
            let index = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($0.element, $0.offset) })
            var dummies = [[Double]](repeating: Array(repeating: 0, count: rows.count), count: levels.count)
            for (i, r) in rows.enumerated() {
                let field = self.field(k, r)
                if field == encoding.reference { continue }
                guard let j = index[field] else {
                    throw DataError(file: name, line: lines[r], field: column,
                                    message: "customer '\(DataText.shortened(customers[i]))' has the level '\(DataText.shortened(field))', which the model was not trained with (its levels: \(([encoding.reference ?? ""] + levels).joined(separator: ", "))); retrain with it, or map it to a known level")
                }
                dummies[j][i] = 1
            }
            return zip(encoding.covariateNames, dummies).map { ($0, $1) }
        }
    }

    /// Refuses a constant covariate and a set of collinear ones: with an intercept in every
    /// parameter, the centred columns must be linearly independent. The centred, scaled columns'
    /// correlation matrix R has an eigenvalue near 0 exactly when they are not; the covariates
    /// with a large share in its eigenvector are the ones a combination of which is constant.
    func checkIdentified(_ c: CovariateColumns, process: String) throws(DataError) {
        var scaled: [[Double]] = []
        for (covariate, col) in zip(c.names, c.columns) {
            let n = Double(col.count)
            let mean = col.reduce(0, +) / n
            let sd = (col.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot()
            guard sd > 1e-12 * max(1, abs(mean)) else {
                let kind = covariate.contains("=") ? "level" : "value"
                throw DataError(file: name, field: covariate, message: "every customer has the same \(kind) (\(SummaryCSV.format(col.first ?? 0))), so its \(process) coefficient is not identified; drop the column or choose customers for whom it varies")
            }
            scaled.append(col.map { ($0 - mean) / sd })
        }
        guard scaled.count >= 2 else { return }
        let k = scaled.count, n = Double(scaled[0].count)
        var r = Matrix(rows: k, columns: k)
        for i in 0..<k {
            for j in i..<k {
                var s = 0.0
                for t in scaled[i].indices { s += scaled[i][t] * scaled[j][t] }
                r[i, j] = s / n
                r[j, i] = s / n
            }
        }
        guard let (eigenvalues, vectors) = try? LAPACK.symmetricEigen(r),
              let smallest = eigenvalues.indices.min(by: { eigenvalues[$0] < eigenvalues[$1] }) else { return }
        guard eigenvalues[smallest] < 1e-10 else { return }
        let involved = (0..<k).filter { abs(vectors[$0, smallest]) > 0.05 }.map { c.names[$0] }
        throw DataError(file: name, message: "the \(process) covariates \(involved.joined(separator: ", ")) are collinear (a combination of them is the same for every customer, or one is a combination of the others), so their coefficients are not identified; drop one of them (for a category, leave out one column of its dummies)")
    }
}
