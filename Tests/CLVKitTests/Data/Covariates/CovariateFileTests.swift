import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// Reading and coding a covariate file: every refusal names the file, line, column and customer,
/// word for word.
@Suite struct CovariateFileTests {
    static func file(_ text: String, customerColumn: String? = "customer_id") throws -> CovariateFile {
        try CovariateFile.read(bytes: Array(text.utf8), name: "cov.csv", customerColumn: customerColumn)
    }

    static func refusal(_ text: String, customers: [String] = ["a", "b", "c"], purchase: [String]? = nil,
                        dropout: [String]? = nil) -> String {
        do {
            _ = try file(text).design(for: customers, purchase: purchase, dropout: dropout)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    /// A large file is read in two halves on two threads: the same file, or the same first
    /// error, as one pass, wherever the text values and the bad rows are.
    @Test func twoPartsGiveTheOnePassResult() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clvfit-cov-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func text(rows: Int, _ replace: (Int) -> String? = { _ in nil }) -> String {
            "customer_id,age,channel,spend\n" + (0..<rows).map { i in
                replace(i) ?? "c\(i),\(20 + i % 50),\(i % 3 == 0 ? "web" : "store"),\(Double(i) * 1.25)"
            }.joined(separator: "\n") + "\n"
        }
        func outcome(_ body: () throws(DataError) -> CovariateFile?) -> String {
            do throws(DataError) {
                guard let f = try body() else { return "not applicable" }
                return "\(f.idColumn) \(f.columnNames) \(f.ids) \(f.lines) \(f.numbers.map { $0.map(SummaryCSV.format) }) \(f.texts)"
            } catch {
                return "error: \(error.description)"
            }
        }
        let cases: [(String, String)] = [
            ("plain", text(rows: 3000)),
            ("a number among the texts of the second half", text(rows: 3000) { $0 == 2500 ? "c2500,30,1.50,2" : nil }),
            ("a text among the numbers of the second half", text(rows: 3000) { $0 == 2600 ? "c2600,unknown,web,2" : nil }),
            ("a text among the numbers of the first half", text(rows: 3000) { $0 == 10 ? "c10,30,web,n/a" : nil }),
            ("empty id in the second half", text(rows: 3000) { $0 == 2900 ? ",30,web,2" : nil }),
            ("empty ids in both halves", text(rows: 3000) { $0 == 100 || $0 == 2900 ? ",30,web,2" : nil }),
            ("wrong field count in the second half", text(rows: 3000) { $0 == 2999 ? "c2999,30" : nil }),
            ("blank lines", text(rows: 3000) { $0 % 400 == 0 ? "" : nil }),
        ]
        for (name, content) in cases {
            let url = dir.appendingPathComponent("cov.csv")
            try Data(content.utf8).write(to: url)
            let onePass = outcome { () throws(DataError) in try CovariateFile.read(bytes: Array(content.utf8), name: url.path, customerColumn: "customer_id") }
            let twoParts = outcome { () throws(DataError) in
                try CovariateFile.readInTwoParts(path: url.path, customerColumn: "customer_id", options: CSVScanner.Options(), minimumBytes: 0)
            }
            #expect(twoParts == onePass, "\(name)")
            #expect(onePass.hasPrefix("error") == (name.contains("id") || name.contains("count")), "\(name): \(onePass.prefix(200))")
        }
        let quoted = text(rows: 3000) { $0 == 10 ? "\"c,10\",30,web,2" : nil }
        let url = dir.appendingPathComponent("quoted.csv")
        try Data(quoted.utf8).write(to: url)
        #expect(try CovariateFile.readInTwoParts(path: url.path, customerColumn: nil, options: CSVScanner.Options(), minimumBytes: 0) == nil)
    }

    @Test func numbersAndCategoriesAreCodedInSummaryOrder() throws {
        let text = "customer_id,age,channel\nc,30,web\na,41.5,store\nb,22,web\nz,1,phone\n"
        let made = try Self.file(text).design(for: ["a", "b", "c"], purchase: nil, dropout: ["channel"])
        // web is the most frequent level among the summary's customers (z is not one of them).
        #expect(made.specification.columns == [
            CovariateColumnEncoding(column: "age", kind: .numeric),
            CovariateColumnEncoding(column: "channel", kind: .categorical, levels: ["store"], reference: "web"),
        ])
        #expect(made.design.purchase.names == ["age", "channel=store"])
        #expect(made.design.purchase.columns == [[41.5, 22, 30], [1, 0, 0]])
        #expect(made.design.dropout.names == ["channel=store"])
        #expect(made.notes.isEmpty)
    }

    /// Ties between the most frequent levels go to the first in sorted order.
    @Test func referenceLevelTiesGoToTheFirstInSortedOrder() throws {
        let text = "customer_id,x,channel\na,1,web\nb,5,phone\nc,2,store\nd,2,web\ne,3,phone\n"
        let made = try Self.file(text).design(for: ["a", "b", "c", "d", "e"], purchase: nil, dropout: nil)
        #expect(made.specification.columns[1] == CovariateColumnEncoding(column: "channel", kind: .categorical, levels: ["store", "web"], reference: "phone"))
    }

    @Test func theIdColumnIsTheCustomerColumnOrTheFirst() throws {
        let named = try Self.file("x,customer_id\n1,a\n2,b\n3,c\n").design(for: ["a", "b", "c"], purchase: nil, dropout: nil)
        #expect(named.design.purchase.columns == [[1, 2, 3]])
        let first = try Self.file("id,x\na,1\nb,2\nc,4\n").design(for: ["a", "b", "c"], purchase: nil, dropout: nil)
        #expect(first.design.purchase.columns == [[1, 2, 4]])
    }

    @Test func aColumnInNeitherProcessIsNotUsedWithANote() throws {
        let made = try Self.file("customer_id,x,y\na,1,5\nb,2,3\nc,4,4\n").design(for: ["a", "b", "c"], purchase: ["x"], dropout: ["x"])
        #expect(made.notes == ["note: cov.csv: column y is in neither --purchase-covariates nor --dropout-covariates, so it is not used."])
        #expect(made.specification.columns.map(\.column) == ["x"])
    }

    @Test func refusalsNameTheFix() {
        #expect(Self.refusal("customer_id,x\na,1\nb,2\n") ==
                "cov.csv: field 'customer_id': customer 'c' of the summary has no row here; every customer needs a row of covariates (1 of 3 customers have none)")
        #expect(Self.refusal("customer_id,x\na,1\nb,\nc,3\n") ==
                "cov.csv:3: field 'x': customer 'b' has no value; every customer needs a value of every covariate")
        #expect(Self.refusal("customer_id,x\na,1\nb,1e999\nc,3\n") ==
                "cov.csv:3: field 'x': \"1e999\" is not a finite number (it overflows a double), but line 2 has the number 1: a covariate column is either all numbers or all text (a category); fix the value")
        #expect(Self.refusal("customer_id,x\na,1\nb,n/a\nc,3\n") ==
                "cov.csv:3: field 'x': \"n/a\" is not a number, but line 2 has the number 1: a covariate column is either all numbers or all text (a category); fix the value")
        #expect(Self.refusal("customer_id,x\na,1\nb,2\na,3\n") ==
                "cov.csv:4: field 'customer_id': customer 'a' has a second row (the first is on line 2); give each customer one row of covariates")
        #expect(Self.refusal("customer_id,x,y\na,1,7\nb,2,7\nc,3,7\n") ==
                "cov.csv: field 'y': every customer has the same value (7), so its purchase coefficient is not identified; drop the column or choose customers for whom it varies")
        #expect(Self.refusal("customer_id,x,y,z\na,1,2,3\nb,2,1,3\nc,5,4,9\n", dropout: ["x"]) ==
                "cov.csv: the purchase covariates x, y, z are collinear (a combination of them is the same for every customer, or one is a combination of the others), so their coefficients are not identified; drop one of them (for a category, leave out one column of its dummies)")
        #expect(Self.refusal("customer_id,x\na,1\nb,2\nc,3\n", purchase: ["age"]) ==
                "cov.csv: field 'age': --purchase-covariates names 'age', which is not a column of the covariate file (its columns: x)")
        #expect(Self.refusal("customer_id\na\nb\nc\n") ==
                "cov.csv:1: the covariate file has only the customer id column 'customer_id'; add one column per covariate")
        #expect(Self.refusal("customer_id,x,x\na,1,2\n") ==
                "cov.csv:1: field 'x': the column name appears twice (columns 2 and 3); give every covariate its own name")
    }

    /// Scoring codes a new file as training did; an unseen level is refused by name.
    @Test func scoringUsesTheTrainingCoding() throws {
        let spec = CovariateSpecification(columns: [CovariateColumnEncoding(column: "channel", kind: .categorical, levels: ["store", "web"], reference: "phone")],
                                          purchase: ["channel=store", "channel=web"], dropout: [])
        let design = try Self.file("customer_id,channel\na,web\nb,phone\n").design(for: ["b", "a"], as: spec)
        #expect(design.purchase.columns == [[0, 0], [0, 1]])
        #expect(throws: DataError.self) { try Self.file("customer_id,channel\na,mail\n").design(for: ["a"], as: spec) }
        do {
            _ = try Self.file("customer_id,channel\na,mail\n").design(for: ["a"], as: spec)
        } catch {
            #expect("\(error)" == "cov.csv:2: field 'channel': customer 'a' has the level 'mail', which the model was not trained with (its levels: phone, store, web); retrain with it, or map it to a known level")
        }
    }

    /// Compression merges equal (x, t_x, T, covariates) only.
    @Test func compressionKeepsCustomersWithOtherCovariatesApart() throws {
        let history = try PurchaseHistory(frequency: [1, 1, 1, 0], recency: [2, 2, 2, 0], T: [5, 5, 5, 5])
        let c = CovariateColumns(names: ["x"], columns: [[1, 1, 2, 1]])
        let (data, design) = history.compressed(with: CovariateDesign(purchase: c, dropout: .none))
        #expect(data.weight == [2, 1, 1] && design.purchase.columns == [[1, 2, 1]])
    }
}
