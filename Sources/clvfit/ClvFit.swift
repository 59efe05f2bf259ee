import ArgumentParser
import CLVKit
import Foundation

/// The `clvfit` command: parsing and printing only; every capability is a CLVKit call.
@main
struct ClvFit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clvfit",
        abstract: "Customer-lifetime-value models (BG/NBD, Pareto/NBD, MBG/NBD, BG/BB; Gamma-Gamma spend) from a transaction log.",
        discussion: """
        Data flow: summarize (transactions -> one RFM row per customer) -> train (-> model file) \
        -> score (-> P(alive), expected purchases, spend, CLV per customer) -> evaluate (holdout error) -> report (the customer base in a page). \
        'clvfit COMMAND --help' lists a command's options; the reference, with the details of \
        each, is docs/COMMAND.md in the source tree.

        \(ExitStatus.helpText)
        """,
        version: ClvFitVersion.current,
        subcommands: [Summarize.self, Train.self, Score.self, Evaluate.self, Report.self])

    /// Runs the command, mapping every error to its documented exit status in one place.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if let status = ExitStatus(error) {
                FileHandle.standardError.write(Data("clvfit: error: \(ExitStatus.message(error))\n".utf8))
                Foundation.exit(status.rawValue)
            }
            exit(withError: error)  // ArgumentParser's own: help, version, usage errors (64)
        }
    }
}
