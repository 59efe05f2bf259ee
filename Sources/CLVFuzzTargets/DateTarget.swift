import CLVKit

/// The date parsers: ISO 8601 (``Timestamp/parse(_:)``, ``CalendarDate/parse(_:)``) and
/// patterns (``DateFormat``), with the suggestion of a pattern for a date that is not ISO.
///
/// Input: one mode byte; even: the rest is an ISO date field; odd: the rest is a pattern, a
/// line feed, and a field.
///
/// Checks: the two ISO parsers accept the same fields and give the same day; a parsed date
/// has a year 0000–9999, a valid month and day, and its `YYYY-MM-DD` text parses back to it;
/// times lie in the day and offsets within ±24 h; a field a pattern parses, written again with
/// that pattern (zero-padded), parses to the same timestamp; a suggested pattern compiles and
/// parses the text it was suggested for.
public enum DateTarget {
    public static func run(_ input: [UInt8]) {
        guard let mode = input.first else { return }
        let rest = Array(input.dropFirst())
        if mode & 1 == 0 {
            iso(rest)
        } else {
            let newline = rest.firstIndex(of: 0x0A) ?? rest.endIndex
            pattern(String(decoding: rest[..<newline], as: UTF8.self), Array(rest[min(newline + 1, rest.endIndex)...]))
        }
    }

    static func iso(_ field: [UInt8]) {
        let stamp = field.withUnsafeBufferPointer { Timestamp.parse($0) }
        let date = field.withUnsafeBufferPointer { CalendarDate.parse($0) }
        FuzzCheck.require(stamp?.date == date, "Timestamp.parse and CalendarDate.parse disagree: \(String(describing: stamp)) / \(String(describing: date))")
        let text = String(decoding: field, as: UTF8.self)
        if let stamp { checkTimestamp(stamp) } else {
            _ = CalendarDate.explainInvalid(text)
            suggestion(text)
        }
    }

    static func checkTimestamp(_ stamp: Timestamp) {
        let (y, m, d) = stamp.date.components
        FuzzCheck.require((0...9999).contains(y), "year \(y)")
        FuzzCheck.require(CalendarDate(year: y, month: m, day: d) == stamp.date, "\(y)-\(m)-\(d) is not the parsed date")
        FuzzCheck.require(CalendarDate(stamp.date.description) == stamp.date, "\(stamp.date) does not parse back")
        FuzzCheck.require((0...86_400).contains(stamp.secondsOfDay), "seconds of day \(stamp.secondsOfDay)")
        if let offset = stamp.utcOffsetSeconds { FuzzCheck.require(abs(offset) < 86_400, "UTC offset \(offset)") }
    }

    /// A suggested pattern must parse the text it was made for.
    static func suggestion(_ text: String) {
        _ = DateFormat.advice(for: text)
        guard let (pattern, alternative) = DateFormat.suggestion(for: text) else { return }
        for p in [pattern] + (alternative.map { [$0] } ?? []) {
            let format = try? DateFormat(p)
            FuzzCheck.require(format != nil, "the suggested pattern \(p) does not compile")
            var bytes = Array(text.utf8)
            FuzzCheck.require(bytes.withUnsafeMutableBufferPointer { format!.parse(UnsafeBufferPointer($0)) } != nil,
                              "the suggested pattern \(p) does not parse \(text)")
        }
    }

    static func pattern(_ pattern: String, _ field: [UInt8]) {
        guard let format = try? DateFormat(pattern) else { return }
        let text = String(decoding: field, as: UTF8.self)
        guard let stamp = field.withUnsafeBufferPointer({ format.parse($0) }) else {
            _ = DateFormat.advice(for: text, instead: pattern)
            return
        }
        checkTimestamp(stamp)
        // Written again, zero-padded, unless a leap second moved the time past what the
        // pattern can write (23:59:60 is 24:00:00; without %H or %M, an hour or minute).
        let s = Int(stamp.secondsOfDay)
        let (hour, minute, second) = (s / 3600, s % 3600 / 60, s % 60)
        let has = { (t: String) in pattern.contains(t) }
        guard hour <= 23, hour == 0 || has("%H"), minute == 0 || has("%M"), second == 0 || has("%S") else { return }
        let written = write(stamp, pattern, hour: hour, minute: minute, second: second)
        let again = written.withUnsafeBufferPointer { format.parse($0) }
        FuzzCheck.require(again == stamp, "\(text) in \(pattern) is \(stamp), written again \(String(decoding: written, as: UTF8.self)) it is \(String(describing: again))")
    }

    static func write(_ stamp: Timestamp, _ pattern: String, hour: Int, minute: Int, second: Int) -> [UInt8] {
        let (y, m, d) = stamp.date.components
        func padded(_ v: Int, _ width: Int) -> [UInt8] {
            let digits = Array(String(v).utf8)
            return Array(repeating: UInt8(ascii: "0"), count: max(0, width - digits.count)) + digits
        }
        var out: [UInt8] = []
        let p = Array(pattern.utf8)
        var i = 0
        while i < p.count {
            guard p[i] == UInt8(ascii: "%"), i + 1 < p.count else { out.append(p[i]); i += 1; continue }
            switch p[i + 1] {
            case UInt8(ascii: "Y"): out += padded(y, 4)
            case UInt8(ascii: "y"): out += padded(y % 100, 2)
            case UInt8(ascii: "m"): out += padded(m, 2)
            case UInt8(ascii: "d"): out += padded(d, 2)
            case UInt8(ascii: "H"): out += padded(hour, 2)
            case UInt8(ascii: "M"): out += padded(minute, 2)
            case UInt8(ascii: "S"):
                // A '.' or ',' after %S would be read as the start of a fraction: write one.
                out += padded(second, 2)
                if i + 2 < p.count, p[i + 2] == UInt8(ascii: ".") || p[i + 2] == UInt8(ascii: ",") { out += Array(".0".utf8) }
            case UInt8(ascii: "z"):
                let o = Int(stamp.utcOffsetSeconds ?? 0)
                out += Array((o < 0 ? "-" : "+").utf8) + padded(abs(o) / 3600, 2) + Array(":".utf8) + padded(abs(o) % 3600 / 60, 2)
            default: out.append(p[i + 1])
            }
            i += 2
        }
        return out
    }
}
