import Foundation
import Testing
import CLVKit
import CLVTestSupport

/// Issue 10, items 4 and 5, through the built binary: `summarize` gives the same bytes whatever
/// the rows' order, and refuses (exit 65, no output) a customer whose amounts sum beyond a double.
@Suite struct ExactSumEndToEndTests {
    /// CDNOW_master shuffled with two seeds and reversed: `summarize` writes byte-identical
    /// files (the weighted form; the per-customer form once sorted, as customers come in order
    /// of first appearance), in days and weeks, with and without a calibration end.
    @Test func shuffledCDNOWSummarizesToTheSameBytes() throws {
        let data = try ClvFitEndToEndTests.dataset("cdnow_master.csv")
        let csv = try String(contentsOfFile: data, encoding: .utf8)
        var lines = csv.split(separator: "\n")
        let header = lines.removeFirst()
        let ws = try Workspace()
        var orders: [String] = []
        for seed in [UInt64(7), 99] {
            var rng = SplitMix64(seed: seed)
            var shuffled = lines
            for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            orders.append(try ws.write("shuffled\(seed).csv", ([header] + shuffled).joined(separator: "\n") + "\n"))
        }
        orders.append(try ws.write("reversed.csv", ([header] + lines.reversed()).joined(separator: "\n") + "\n"))
        for unit in ["day", "week"] {
            for calibration in [[], ["--calibration-end", "1997-09-30"]] {
                for weighted in [false, true] {
                    let options = ["--unit", unit, "--observation-end", "1998-06-30"] + calibration + (weighted ? ["--weighted"] : [])
                    let label = options.joined(separator: " ")
                    let reference = try ws.run(["summarize", data, "-o", "reference.csv"] + options)
                    #expect(reference.status == 0, "\(reference)")
                    let expected = try ws.read("reference.csv")
                    for order in orders {
                        let result = try ws.run(["summarize", order, "-o", "out.csv"] + options)
                        #expect(result.status == 0, "\(label) \(order): \(result)")
                        let got = try ws.read("out.csv")
                        if weighted {
                            #expect(got == expected, "\(label) \(order)")
                        } else {
                            #expect(got.split(separator: "\n").sorted() == expected.split(separator: "\n").sorted(), "\(label) \(order)")
                        }
                    }
                }
            }
        }
    }

    /// Two amounts of 1e308 on one customer: exit 65, a message naming the file, line,
    /// amount column and customer, nothing written — per customer, weighted, in the holdout,
    /// and for train/score/evaluate, which read logs through the same summarizer.
    @Test func overflowingSumsExit65WithoutOutput() throws {
        let ws = try Workspace()
        try ws.write("big.csv", "customer_id,date,amount\nsmall,1997-01-01,3\nbig,1997-01-01,5\nbig,1997-02-01,1e308\nbig,1997-02-01,1e308\n")
        try ws.write("late.csv", "customer_id,date,amount\nsmall,1997-01-01,3\nbig,1997-01-01,5\nbig,1997-11-01,1e308\nbig,1997-11-02,1e308\n")
        let commands: [(String, [String])] = [
            ("big.csv", ["summarize", "big.csv", "-o", "out.csv"]),
            ("big.csv", ["summarize", "big.csv", "--weighted", "-o", "out.csv"]),
            ("late.csv", ["summarize", "late.csv", "--calibration-end", "1997-06-30", "-o", "out.csv"]),
            ("late.csv", ["summarize", "late.csv", "--calibration-end", "1997-06-30", "--weighted", "-o", "out.csv"]),
            ("big.csv", ["train", "big.csv", "-o", "out.json"]),
            ("big.csv", ["score", "--model", ClvFitEndToEndTests.goldenModel, "big.csv", "-o", "out.csv"]),
            ("late.csv", ["evaluate", "late.csv", "--calibration-end", "1997-06-30", "--observation-end", "1997-12-31", "-o", "out.csv"]),
        ]
        for (file, command) in commands {
            let result = try ws.run(command)
            let label = command.joined(separator: " ")
            #expect(result.status == 65, "\(label): \(result)")
            #expect(result.stderr.hasPrefix("clvfit: error: \(file):5: field 'amount': customer \"big\""), "\(label): \(result.stderr)")
            #expect(result.stderr.contains("inf"), "\(label): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(label)")
            #expect(try ws.files() == ["big.csv", "late.csv"], "\(label): no output or temporary file left behind")
        }
    }
}
