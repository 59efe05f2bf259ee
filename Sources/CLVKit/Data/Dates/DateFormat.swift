/// A date pattern for date fields that are not ISO 8601 (`05/03/2024`, `5.3.2024 14:30`).
///
/// Tokens (a `strftime` subset):
///
/// | token | matches |
/// |---|---|
/// | `%Y` | a 4-digit year |
/// | `%y` | a 2-digit year: 69–99 are 1969–1999, 00–68 are 2000–2068 (POSIX `strptime`) |
/// | `%m` | month, 1 or 2 digits (01–12) |
/// | `%d` | day of the month, 1 or 2 digits |
/// | `%H` | hour, 1 or 2 digits (00–23) |
/// | `%M` | minute, 2 digits |
/// | `%S` | second, 2 digits, optionally followed by a fraction (`.123`) |
/// | `%z` | a UTC offset: `Z`, `±HH`, `±HH:MM` or `±HHMM` |
/// | `%%` | a `%` |
///
/// Any other character matches itself. A year (`%Y` or `%y`), `%m` and `%d` are required,
/// each once.
/// One- or two-digit fields take two digits when two are there, so write `%d%m%Y` only for
/// zero-padded dates. Surrounding spaces of the field are ignored; the whole field must match.
/// The pattern is compiled once; matching a field allocates nothing.
public struct DateFormat: Sendable, Equatable, CustomStringConvertible {
    enum Token: Sendable, Equatable {
        case year, twoDigitYear, month, day, hour, minute, second, zone
        case literal(UInt8)
    }

    /// The pattern as given.
    public let pattern: String
    let tokens: [Token]

    /// Compiles `pattern`; throws a sentence naming the problem (an unknown `%` token, a missing
    /// or repeated `%Y`/`%m`/`%d`).
    public init(_ pattern: String) throws(DateFormatError) {
        self.pattern = pattern
        var tokens: [Token] = []
        let bytes = Array(pattern.utf8)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            guard c == UInt8(ascii: "%") else {
                tokens.append(.literal(c))
                i += 1
                continue
            }
            guard i + 1 < bytes.count else {
                throw DateFormatError(message: "the date format \"\(pattern)\" ends with a lone '%' (write %% for a percent sign)")
            }
            switch bytes[i + 1] {
            case UInt8(ascii: "Y"): tokens.append(.year)
            case UInt8(ascii: "y"): tokens.append(.twoDigitYear)
            case UInt8(ascii: "m"): tokens.append(.month)
            case UInt8(ascii: "d"): tokens.append(.day)
            case UInt8(ascii: "H"): tokens.append(.hour)
            case UInt8(ascii: "M"): tokens.append(.minute)
            case UInt8(ascii: "S"): tokens.append(.second)
            case UInt8(ascii: "z"): tokens.append(.zone)
            case UInt8(ascii: "%"): tokens.append(.literal(UInt8(ascii: "%")))
            default:
                let token = String(decoding: bytes[i...(i + 1)], as: UTF8.self)
                throw DateFormatError(message: "the date format \"\(pattern)\" has the unknown token \(token) (known: %Y %y %m %d %H %M %S %z %%)")
            }
            i += 2
        }
        let years = tokens.filter { $0 == .year || $0 == .twoDigitYear }.count
        if years != 1 {
            throw DateFormatError(message: "the date format \"\(pattern)\" must have a year (%Y, or %y for two digits) exactly once (it has \(years))")
        }
        for (token, name) in [(Token.month, "%m"), (.day, "%d")] {
            let n = tokens.filter { $0 == token }.count
            if n != 1 {
                throw DateFormatError(message: "the date format \"\(pattern)\" must have \(name) exactly once (it has it \(n) times)")
            }
        }
        for (token, name) in [(Token.hour, "%H"), (.minute, "%M"), (.second, "%S"), (.zone, "%z")]
        where tokens.filter({ $0 == token }).count > 1 {
            throw DateFormatError(message: "the date format \"\(pattern)\" has \(name) more than once")
        }
        self.tokens = tokens
    }

    public var description: String { pattern }

    /// The timestamp `field` holds in this format, or `nil` if it does not match or is not a
    /// valid date or time.
    public func parse(_ field: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        guard var p = field.baseAddress else { return nil }
        var end = p + field.count
        while p < end, p.pointee == 0x20 || p.pointee == 0x09 { p += 1 }
        while end > p, end[-1] == 0x20 || end[-1] == 0x09 { end -= 1 }

        func digits(min: Int, max: Int) -> Int? {
            var v = 0, k = 0
            while k < max, p < end {
                let c = p.pointee &- 0x30
                guard c < 10 else { break }
                // A fraction of seconds may have any number of digits, and only its length
                // counts: stop accumulating before `v` could overflow (a trap).
                if k < 18 { v = v * 10 + Int(c) }
                p += 1
                k += 1
            }
            return k >= min ? v : nil
        }
        var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0
        var offset: Int32? = nil
        for token in tokens {
            switch token {
            case .literal(let c):
                guard p < end, p.pointee == c else { return nil }
                p += 1
            case .year:
                guard let v = digits(min: 4, max: 4) else { return nil }
                year = v
            case .twoDigitYear:
                guard let v = digits(min: 2, max: 2) else { return nil }
                year = v >= 69 ? 1900 + v : 2000 + v
            case .month:
                guard let v = digits(min: 1, max: 2), (1...12).contains(v) else { return nil }
                month = v
            case .day:
                guard let v = digits(min: 1, max: 2) else { return nil }
                day = v
            case .hour:
                guard let v = digits(min: 1, max: 2), v <= 23 else { return nil }
                hour = v
            case .minute:
                guard let v = digits(min: 2, max: 2), v <= 59 else { return nil }
                minute = v
            case .second:
                guard let v = digits(min: 2, max: 2), v <= 60 else { return nil }
                second = v
                if p < end, p.pointee == UInt8(ascii: ".") || p.pointee == UInt8(ascii: ",") {
                    p += 1
                    guard digits(min: 1, max: Int.max) != nil else { return nil }
                }
            case .zone:
                guard p < end else { return nil }
                if p.pointee == UInt8(ascii: "Z") {
                    p += 1
                    offset = 0
                } else {
                    guard p.pointee == UInt8(ascii: "+") || p.pointee == UInt8(ascii: "-") else { return nil }
                    let sign: Int32 = p.pointee == UInt8(ascii: "-") ? -1 : 1
                    p += 1
                    guard let h = digits(min: 2, max: 2), h <= 23 else { return nil }
                    var m = 0
                    if p < end, p.pointee == UInt8(ascii: ":") { p += 1 }
                    if p < end, p.pointee &- 0x30 < 10 {
                        guard let mm = digits(min: 2, max: 2), mm <= 59 else { return nil }
                        m = mm
                    }
                    offset = sign * Int32(h * 3600 + m * 60)
                }
            }
        }
        guard p == end, let date = CalendarDate(year: year, month: month, day: day) else { return nil }
        return Timestamp(date: date, secondsOfDay: Int32(hour * 3600 + minute * 60 + second), utcOffsetSeconds: offset)
    }
}

extension DateFormat {
    /// A pattern guessed from a date that is not ISO 8601, for the message of a date that does
    /// not parse: three numbers separated by the same non-digit, one of them a 4-digit year
    /// first or last (or a 2-digit year last, `%y`), then optionally a time `H:M[:S[.f]]`
    /// after a space or `T`. With the year last, a first number above 12 is the day, a second
    /// above 12 the day; when both are ≤ 12 the guess is month first (the US order) and
    /// `alternative` is the day-first pattern. Only a pattern that parses `text` is returned.
    public static func suggestion(for text: String) -> (pattern: String, alternative: String?)? {
        let t = DataText.trimmed(text)
        let dateEnd = t.firstIndex { $0 == " " || $0 == "T" } ?? t.endIndex
        let datePart = t[..<dateEnd], timePart = t[dateEnd...].dropFirst()
        let numbers = datePart.split { !$0.isNumber }.map(String.init)
        let separators = datePart.filter { !$0.isNumber }
        guard numbers.count == 3, separators.count == 2, let sep = separators.first, separators.last == sep,
              numbers.allSatisfy({ $0.allSatisfy(\.isASCII) }), !"%".contains(sep) else { return nil }
        let a = Int(numbers[0]) ?? 0, b = Int(numbers[1]) ?? 0
        var patterns: [String]
        if numbers[0].count == 4 {
            patterns = ["%Y\(sep)%m\(sep)%d"]
        } else if numbers[2].count == 4 || numbers[2].count == 2 {
            let y = numbers[2].count == 4 ? "%Y" : "%y"
            let monthFirst = "%m\(sep)%d\(sep)\(y)", dayFirst = "%d\(sep)%m\(sep)\(y)"
            patterns = a > 12 ? [dayFirst] : b > 12 ? [monthFirst] : [monthFirst, dayFirst]
        } else {
            return nil
        }
        if !timePart.isEmpty {
            let pieces = timePart.split(separator: ":", omittingEmptySubsequences: false)
            let time = pieces.count == 2 ? "%H:%M" : pieces.count == 3 ? "%H:%M:%S" : nil
            guard let time else { return nil }
            let joiner = t[dateEnd] == "T" ? "T" : " "
            patterns = patterns.map { $0 + joiner + time }
        }
        // Checked on `text` as given, not on `t`: a pattern ignores surrounding spaces and
        // tabs but not CR or LF, which `t` has lost (a suggested pattern must parse the field).
        let parsing = patterns.filter { p in
            guard let format = try? DateFormat(p) else { return false }
            var bytes = Array(text.utf8)
            return bytes.withUnsafeMutableBufferPointer { format.parse(UnsafeBufferPointer($0)) } != nil
        }
        guard let first = parsing.first else { return nil }
        return (first, parsing.count > 1 ? parsing[1] : nil)
    }

    /// The advice for a date `text` that did not parse: the `--date-format` to give, and when
    /// day and month are ambiguous, the other one; empty when no pattern can be guessed.
    public static func advice(for text: String, instead current: String? = nil) -> String {
        guard let (pattern, alternative) = suggestion(for: text), pattern != current else { return "" }
        var advice = "; if the dates look like this, give --date-format '\(pattern)'"
        if let alternative {
            advice += " (day and month are ambiguous in \(DataText.quoted(DataText.trimmed(text))): if the day comes first, give --date-format '\(alternative)')"
        }
        return advice
    }
}

/// A date format that cannot be used, with a sentence saying why.
public struct DateFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
