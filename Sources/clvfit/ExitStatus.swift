import ArgumentParser
import CLVKit
import CLVOptimize
import Foundation

/// The documented exit statuses of clvfit (sysexits.h values where one fits), mapped from
/// errors in this one place.
enum ExitStatus: Int32, CaseIterable {
    case success = 0
    /// A model could not be fitted (no convergence, singular Hessian) or predicted.
    case estimationFailed = 1
    /// Bad command line: unknown option, missing argument, invalid value (ArgumentParser).
    case usage = 64
    /// The input data is malformed or violates a definition; the message names file, line, field.
    case badData = 65
    /// An input file does not exist or cannot be read.
    case inputMissing = 66
    /// The output cannot be written.
    case cannotWrite = 73

    static let helpText = """
    EXIT STATUS
      0   success
      1   a model could not be fitted or could not predict (the message says why)
      64  usage error (unknown option, bad value)
      65  bad input data or model file (the message names the file, line and field)
      66  an input file does not exist or cannot be read
      73  the output file cannot be written (nothing partial is left behind)
    """

    /// The status for a clvfit error; nil for ArgumentParser's own errors (help, usage).
    init?(_ error: Error) {
        switch error {
        case let e as DataError: self = e.kind == .missingInput ? .inputMissing : .badData
        case let e as ModelFileError: self = e.isMissingFile ? .inputMissing : .badData
        case let e as ScoringError:
            switch e {
            case .invalidOption: self = .usage
            case .missingMonetaryValue, .implausibleTime: self = .badData
            case .prediction: self = .estimationFailed
            }
        case is EstimationError, is ModelError: self = .estimationFailed
        case is AtomicOutput.Failure: self = .cannotWrite
        case is SummarySQL.NameError: self = .usage
        case let e as CommandFailure: self = e.status
        default: return nil
        }
    }

    static func message(_ error: Error) -> String {
        String(describing: error)
    }
}

/// A failure detected by a command itself, with its status.
struct CommandFailure: Error, CustomStringConvertible {
    var status: ExitStatus
    var description: String
}
