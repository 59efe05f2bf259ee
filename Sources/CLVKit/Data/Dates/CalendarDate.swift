/// A day on the proleptic Gregorian calendar, stored as the number of days since 1970-01-01.
///
/// Why days and not `Foundation.Date`: the RFM summary is defined on whole days
/// (`lifetimes.utils.summary_data_from_transaction_data(freq='D')` truncates every timestamp to
/// its day before doing anything else), so a day count makes "same day", "days between" and
/// "weeks between" exact integer arithmetic with no time zone or DST in sight. Conversions use
/// Howard Hinnant's `days_from_civil` / `civil_from_days` algorithms
/// (<https://howardhinnant.github.io/date_algorithms.html>), exact for every year in 0000–9999.
///
/// Text forms accepted by ``parse(_:)``: `YYYY-MM-DD`, `YYYYMMDD`, and `YYYY-MM-DD` followed by a
/// time part (`YYYY-MM-DD HH:MM[:SS[.fff]]` or `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH[:MM]]`), of
/// which only the date is used — the calendar date as written, with no time zone conversion
/// (lifetimes' `example_transactions.csv` writes `2014-03-08 00:00:00`). Transaction logs are
/// read with ``DateReader``, which converts a timestamp with an offset to a chosen zone first.
/// Month and day are validated (`2023-02-30` is an error). ``description`` prints `YYYY-MM-DD`.
public struct CalendarDate: Hashable, Comparable, Sendable, LosslessStringConvertible, Codable {
    /// Days since 1970-01-01 (negative before it).
    public var daysSinceEpoch: Int32

    /// The day `daysSinceEpoch` days after 1970-01-01.
    @inlinable
    public init(daysSinceEpoch: Int32) {
        self.daysSinceEpoch = daysSinceEpoch
    }

    /// The given civil date, or `nil` when the month is not 1–12, the day does not exist in that
    /// month, or the year is outside 0000–9999.
    public init?(year: Int, month: Int, day: Int) {
        guard (0...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= CalendarDate.daysInMonth(year: year, month: month) else { return nil }
        self.daysSinceEpoch = Int32(CalendarDate.daysFromCivil(year: year, month: month, day: day))
    }

    /// Parses any of the accepted text forms (see the type's documentation); `nil` if invalid.
    /// ``explainInvalid(_:)`` says why a text was rejected.
    public init?(_ description: String) {
        var text = description
        guard let date = text.withUTF8({ CalendarDate.parse($0) }) else { return nil }
        self = date
    }

    // MARK: Components

    /// The (year, month, day) of this date.
    public var components: (year: Int, month: Int, day: Int) {
        CalendarDate.civilFromDays(Int(daysSinceEpoch))
    }

    /// The year (0000–9999 for dates made by parsing or from components).
    public var year: Int { components.year }
    /// The month, 1–12.
    public var month: Int { components.month }
    /// The day of the month, 1–31.
    public var day: Int { components.day }

    /// `YYYY-MM-DD`.
    public var description: String {
        let (y, m, d) = components
        var bytes = [UInt8](repeating: 0, count: 10)
        func put(_ value: Int, at offset: Int, width: Int) {
            var v = value
            for i in stride(from: offset + width - 1, through: offset, by: -1) {
                bytes[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
        }
        put(y, at: 0, width: 4)
        bytes[4] = UInt8(ascii: "-")
        put(m, at: 5, width: 2)
        bytes[7] = UInt8(ascii: "-")
        put(d, at: 8, width: 2)
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Arithmetic

    /// The number of days from `b` to `a` (`a − b`).
    @inlinable
    public static func - (a: CalendarDate, b: CalendarDate) -> Int {
        Int(a.daysSinceEpoch) - Int(b.daysSinceEpoch)
    }

    /// The date `days` days later (earlier when negative).
    public func adding(days: Int) -> CalendarDate {
        CalendarDate(daysSinceEpoch: Int32(Int(daysSinceEpoch) + days))
    }

    @inlinable
    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        a.daysSinceEpoch < b.daysSinceEpoch
    }

    // MARK: Calendar rules

    /// Gregorian leap-year rule: divisible by 4, except centuries not divisible by 400.
    @inlinable
    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// Number of days in `month` (1–12) of `year`.
    @inlinable
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Hinnant's `days_from_civil`: days since 1970-01-01 of a valid civil date.
    @inlinable
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400                                            // [0, 399]
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1  // [0, 365]
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy                    // [0, 146096]
        return era * 146_097 + doe - 719_468
    }

    /// Hinnant's `civil_from_days`: the inverse of ``daysFromCivil(year:month:day:)``.
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097                                        // [0, 146096]
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365   // [0, 399]
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)                  // [0, 365]
        let mp = (5 * doy + 2) / 153                                       // [0, 11]
        let d = doy - (153 * mp + 2) / 5 + 1                               // [1, 31]
        let m = mp < 10 ? mp + 3 : mp - 9                                  // [1, 12]
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    // MARK: Parsing

    /// Parses a date field (bytes, as they sit in a CSV buffer) in any accepted form; `nil` if it
    /// is not a valid date. Surrounding spaces and tabs are ignored. This is the hot path of
    /// transaction reading, so it works on bytes and allocates nothing.
    @inlinable
    public static func parse(_ field: UnsafeBufferPointer<UInt8>) -> CalendarDate? {
        guard var p = field.baseAddress else { return nil }
        var end = p + field.count
        while p < end, p.pointee == 0x20 || p.pointee == 0x09 { p += 1 }
        while end > p, end[-1] == 0x20 || end[-1] == 0x09 { end -= 1 }
        let n = end - p
        guard n >= 8 else { return nil }

        @inline(__always) func digit(_ i: Int) -> Int? {
            let c = p[i] &- 0x30
            return c < 10 ? Int(c) : nil
        }
        @inline(__always) func number(_ from: Int, _ count: Int) -> Int? {
            var v = 0
            for i in from..<(from + count) {
                guard let d = digit(i) else { return nil }
                v = v * 10 + d
            }
            return v
        }

        let year: Int, month: Int, day: Int
        if p[4] == UInt8(ascii: "-") {
            // YYYY-MM-DD[time]
            guard n >= 10, p[7] == UInt8(ascii: "-"),
                  let y = number(0, 4), let m = number(5, 2), let d = number(8, 2) else { return nil }
            if n > 10 {
                guard p[10] == UInt8(ascii: " ") || p[10] == UInt8(ascii: "T"),
                      isValidTimeOfDay(UnsafeBufferPointer(start: p + 11, count: n - 11)) else { return nil }
            }
            (year, month, day) = (y, m, d)
        } else {
            // YYYYMMDD
            guard n == 8, let y = number(0, 4), let m = number(4, 2), let d = number(6, 2) else { return nil }
            (year, month, day) = (y, m, d)
        }
        guard month >= 1, month <= 12, day >= 1, day <= daysInMonth(year: year, month: month) else { return nil }
        return CalendarDate(daysSinceEpoch: Int32(daysFromCivil(year: year, month: month, day: day)))
    }

    /// `HH:MM[:SS[.fff…]][Z|±HH[:MM]|±HHMM]`, with hour 0–23, minute 0–59, second 0–60.
    @usableFromInline
    static func isValidTimeOfDay(_ t: UnsafeBufferPointer<UInt8>) -> Bool {
        Timestamp.parseTimeOfDay(t) != nil
    }

    /// A sentence saying why `text` is not a valid date, for error messages (the slow path:
    /// called only after ``parse(_:)`` failed).
    public static func explainInvalid(_ text: String) -> String {
        let shown = DataText.quoted(text)
        let trimmed = DataText.trimmed(text)
        if trimmed.isEmpty { return "the date is empty" }
        let bytes = Array(trimmed.utf8)
        func num(_ r: Range<Int>) -> Int? {
            guard r.upperBound <= bytes.count else { return nil }
            var v = 0
            for i in r {
                let c = bytes[i] &- 0x30
                guard c < 10 else { return nil }
                v = v * 10 + Int(c)
            }
            return v
        }
        var ymd: (Int, Int, Int)?
        if bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
           let y = num(0..<4), let m = num(5..<7), let d = num(8..<10) {
            ymd = (y, m, d)
            if bytes.count > 10 {
                let rest = Array(bytes[11...])
                let timeOK = (bytes[10] == UInt8(ascii: " ") || bytes[10] == UInt8(ascii: "T"))
                    && rest.withUnsafeBufferPointer { isValidTimeOfDay($0) }
                if !timeOK {
                    return "\(shown) is not a valid date: the text after YYYY-MM-DD is not a time of day (HH:MM[:SS] with an optional Z or ±HH:MM)"
                }
            }
        } else if bytes.count == 8, let y = num(0..<4), let m = num(4..<6), let d = num(6..<8) {
            ymd = (y, m, d)
        }
        guard let (y, m, d) = ymd else {
            return "\(shown) is not a date in the form YYYY-MM-DD or YYYYMMDD"
        }
        if !(1...12).contains(m) {
            return "\(shown) is not a valid date: month \(m) is not in 1–12"
        }
        let days = daysInMonth(year: y, month: m)
        if !(1...days).contains(d) {
            return "\(shown) is not a valid date: \(monthNames[m - 1]) \(y) has \(days) days"
        }
        return "\(shown) is not a valid date"
    }

    private static let monthNames = ["January", "February", "March", "April", "May", "June", "July",
                                     "August", "September", "October", "November", "December"]

    // MARK: Codable (as the `YYYY-MM-DD` string)

    /// Decodes the `YYYY-MM-DD` string form (any form ``parse(_:)`` accepts).
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = CalendarDate(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: CalendarDate.explainInvalid(text))
        }
        self = date
    }

    /// Encodes as the `YYYY-MM-DD` string.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Small text helpers shared by the data readers' error messages.
enum DataText {
    /// `"text"`, shortened to 60 characters so one bad field cannot flood a terminal.
    static func quoted(_ text: String) -> String {
        let limit = 60
        if text.count <= limit { return "\"\(text)\"" }
        return "\"\(text.prefix(limit))…\""
    }

    /// A name from the data (a header column) for a message, shortened to 60 characters with
    /// its full length said, so that a 5 MB header line is not echoed whole.
    static func shortened(_ text: String) -> String {
        let limit = 60
        if text.count <= limit { return text }
        return "\(text.prefix(limit))… (\(text.utf8.count) bytes)"
    }

    /// The field's bytes as a String (invalid UTF-8 repaired), for messages.
    static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// `text` without leading and trailing spaces, tabs, CR and LF.
    static func trimmed(_ text: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let first = text.firstIndex(where: { !isSpace($0) }),
              let last = text.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(text[first...last])
    }
}
