import Foundation
import Testing
import CLVTestSupport

/// One table of exit codes (README "Exit codes", `clvfit --help`'s EXIT STATUS, mapped in
/// `ExitStatus`), true for the cases that used to break it (issue 11, item 2).
@Suite struct ExitCodesEndToEndTests {
    typealias E = ClvFitEndToEndTests

    /// The README's table and `--help` list the same codes.
    @Test func readmeAndHelpListTheSameCodes() throws {
        let readme = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "## Exit codes").dropFirst().first?.components(separatedBy: "\n## ").first)
        let readmeCodes = section.split(separator: "\n").compactMap { line -> Int? in
            line.hasPrefix("| ") ? Int(line.dropFirst(2).prefix { $0.isNumber }) : nil
        }
        let help = try Workspace().run(["--help"])
        let helpSection = try #require(help.stdout.components(separatedBy: "EXIT STATUS").dropFirst().first?.components(separatedBy: "\n\n").first)
        let helpCodes = helpSection.split(separator: "\n").compactMap { Int($0.drop { $0 == " " }.prefix { $0.isNumber }) }
        #expect(readmeCodes == [0, 1, 64, 65, 66, 73] && helpCodes == readmeCodes, "README \(readmeCodes), help \(helpCodes)")
    }

    /// Bad option values are usage errors (64), naming the option; they used to exit 1.
    @Test(arguments: [(["--horizon", "0"], "--horizon must be a whole number ≥ 1"),
                      (["--horizon=-1"], "--horizon must be a whole number ≥ 1"),
                      (["--discount-rate=-1"], "--discount-rate must be a number greater than −1"),
                      (["--discount-rate", "nan"], "--discount-rate must be a number greater than −1"),
                      (["--margin", "nan"], "--margin must be a finite number"),
                      (["--horizon", "1000000"], "--horizon 1000000 months is more than 100 years"),
                      (["--horizon", "100001", "--horizon-unit", "day"], "--horizon 100001 days is more than 100 years")])
    func badOptionValuesExit64(arguments: [String], message: String) throws {
        let ws = try Workspace()
        let run = try ws.run(["score", "--model", E.goldenModel, "--summary", try E.dataset("cdnow_customers_summary.csv"),
                              "--spend", "population-mean", "-o", "s.csv"] + arguments)
        #expect(run.status == 64 && run.stderr.contains(message), "\(run)")
        #expect(try ws.files().isEmpty)
    }

    /// A CLV that overflows is blamed on the margin, not on the purchase model (exit 1).
    @Test func overflowingCLVNamesTheMargin() throws {
        let ws = try Workspace()
        let run = try ws.run(["score", "--model", E.goldenModel, "--summary", try E.dataset("cdnow_customers_summary.csv"),
                              "--spend", "population-mean", "--margin", "1e308", "-o", "s.csv"])
        #expect(run.status == 1 && run.stderr.contains("customer 1: CLV: discounted purchases") && run.stderr.contains("overflows a double (> 1.8e308); give a smaller --margin."), "\(run)")
        #expect(!run.stderr.contains("BG/NBD"), "\(run)")
        #expect(try ws.files().isEmpty)
    }

    /// A directory where a file is expected cannot be read: 66, as the README says, for the
    /// model file as for logs and summaries.
    @Test func directoryAsInputExits66() throws {
        let ws = try Workspace()
        try FileManager.default.createDirectory(at: ws.url.appendingPathComponent("folder"), withIntermediateDirectories: false)
        for command in [["score", "--model", "folder", "--summary", try E.dataset("cdnow_customers_summary.csv"), "-o", "s.csv"],
                        ["summarize", "folder", "-o", "s.csv"], ["train", "--summary", "folder", "-o", "m.json"]] {
            let run = try ws.run(command)
            #expect(run.status == 66 && run.stderr.contains("folder") && run.stderr.contains("directory"), "\(command): \(run)")
        }
        #expect(try ws.files() == ["folder"])
    }
}
