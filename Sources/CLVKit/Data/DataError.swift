/// A problem with an input file, located as precisely as possible: file, line, field.
///
/// `description` reads like a compiler diagnostic so that editors and people can jump to it:
/// `tx.csv:17: field 'amount': "12,5x" is not a number`.
public struct DataError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The file does not exist or cannot be opened.
        case missingInput
        /// The content is malformed or violates a definition (bad date, negative amount, ...).
        case badData
    }

    public var kind: Kind
    /// The file name as the user gave it (`-` or `<stdin>` for standard input).
    public var file: String
    /// 1-based line number, when the problem is on one line.
    public var line: Int?
    /// The column (header name) at fault, when there is one.
    public var field: String?
    /// A sentence saying what is wrong (and, where it helps, what was expected).
    public var message: String
    /// The rows left out before a skipping read gave up (more bad rows than its fraction allows):
    /// a diagnosis the caller can still list (`--rejects`); empty otherwise.
    public var rejected: [RejectedRow] = []

    public init(_ kind: Kind = .badData, file: String, line: Int? = nil, field: String? = nil, message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        s += ": "
        if let field { s += "field '\(DataText.shortened(field))': " }
        return s + message
    }
}
