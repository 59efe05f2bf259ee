/// A date field as read: the calendar date written, and, when the text has them, the time of
/// day and the UTC offset (`Z`, `+02:00`). Which day a purchase belongs to is decided from it by
/// ``LocalZone`` (``DateReader``).
///
/// Forms accepted by ``parse(_:)`` (ISO 8601 and the common SQL export):
/// `YYYY-MM-DD`, `YYYYMMDD`, and `YYYY-MM-DD` followed by `T` or a space and
/// `HH:MM[:SS[.fff]]`, optionally followed by `Z`, `±HH`, `±HH:MM` or `±HHMM`.
public struct Timestamp: Sendable, Equatable {
    /// The calendar date as written.
    public var date: CalendarDate
    /// Seconds since midnight of the time written (0 when there is none).
    public var secondsOfDay: Int32
    /// The offset from UTC written in the text (`+02:00` → 7200, `Z` → 0); `nil` when the text
    /// has none: the time is then local to whatever zone the data was exported in.
    public var utcOffsetSeconds: Int32?

    public init(date: CalendarDate, secondsOfDay: Int32 = 0, utcOffsetSeconds: Int32? = nil) {
        self.date = date
        self.secondsOfDay = secondsOfDay
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// Seconds since 1970-01-01T00:00:00Z, when the offset is known.
    public var secondsSinceEpoch: Int64? {
        utcOffsetSeconds.map { Int64(date.daysSinceEpoch) * 86_400 + Int64(secondsOfDay) - Int64($0) }
    }

    /// Parses an ISO date or date-time (see the type's documentation); `nil` if invalid.
    /// Surrounding spaces and tabs are ignored. Works on bytes and allocates nothing.
    @inlinable
    public static func parse(_ field: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        guard var p = field.baseAddress else { return nil }
        var end = p + field.count
        while p < end, p.pointee == 0x20 || p.pointee == 0x09 { p += 1 }
        while end > p, end[-1] == 0x20 || end[-1] == 0x09 { end -= 1 }
        let n = end - p
        guard n >= 8 else { return nil }

        @inline(__always) func number(_ from: Int, _ count: Int) -> Int? {
            var v = 0
            for i in from..<(from + count) {
                let c = p[i] &- 0x30
                guard c < 10 else { return nil }
                v = v * 10 + Int(c)
            }
            return v
        }

        let year: Int, month: Int, day: Int
        var seconds: Int32 = 0
        var offset: Int32? = nil
        if p[4] == UInt8(ascii: "-") {
            guard n >= 10, p[7] == UInt8(ascii: "-"),
                  let y = number(0, 4), let m = number(5, 2), let d = number(8, 2) else { return nil }
            if n > 10 {
                guard p[10] == UInt8(ascii: " ") || p[10] == UInt8(ascii: "T"),
                      let time = parseTimeOfDay(UnsafeBufferPointer(start: p + 11, count: n - 11)) else { return nil }
                seconds = time.seconds
                offset = time.offset
            }
            (year, month, day) = (y, m, d)
        } else {
            guard n == 8, let y = number(0, 4), let m = number(4, 2), let d = number(6, 2) else { return nil }
            (year, month, day) = (y, m, d)
        }
        guard month >= 1, month <= 12, day >= 1, day <= CalendarDate.daysInMonth(year: year, month: month) else { return nil }
        return Timestamp(date: CalendarDate(daysSinceEpoch: Int32(CalendarDate.daysFromCivil(year: year, month: month, day: day))),
                         secondsOfDay: seconds, utcOffsetSeconds: offset)
    }

    /// `HH:MM[:SS[.fff…]][Z|±HH[:MM]|±HHMM]`, with hour 0–23, minute 0–59, second 0–60: the
    /// seconds since midnight and the offset, or `nil` if the text is not such a time.
    @usableFromInline
    static func parseTimeOfDay(_ t: UnsafeBufferPointer<UInt8>) -> (seconds: Int32, offset: Int32?)? {
        var i = 0
        let n = t.count
        func twoDigits(max: Int) -> Int? {
            guard i + 2 <= n else { return nil }
            let a = t[i] &- 0x30, b = t[i + 1] &- 0x30
            guard a < 10, b < 10, Int(a) * 10 + Int(b) <= max else { return nil }
            i += 2
            return Int(a) * 10 + Int(b)
        }
        func colon() -> Bool {
            guard i < n, t[i] == UInt8(ascii: ":") else { return false }
            i += 1
            return true
        }
        guard let hour = twoDigits(max: 23), colon(), let minute = twoDigits(max: 59) else { return nil }
        var second = 0
        if i < n, t[i] == UInt8(ascii: ":") {
            i += 1
            guard let s = twoDigits(max: 60) else { return nil }
            second = s
            if i < n, t[i] == UInt8(ascii: ".") || t[i] == UInt8(ascii: ",") {
                i += 1
                let start = i
                while i < n, t[i] &- 0x30 < 10 { i += 1 }
                guard i > start else { return nil }
            }
        }
        var offset: Int32? = nil
        if i < n {
            switch t[i] {
            case UInt8(ascii: "Z"):
                i += 1
                offset = 0
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign: Int32 = t[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                guard let h = twoDigits(max: 23) else { return nil }
                var m = 0
                if i < n, t[i] == UInt8(ascii: ":") { i += 1 }
                if i < n {
                    guard let mm = twoDigits(max: 59) else { return nil }
                    m = mm
                }
                offset = sign * Int32(h * 3600 + m * 60)
            default:
                return nil
            }
        }
        guard i == n else { return nil }
        return (Int32(hour * 3600 + minute * 60 + second), offset)
    }
}
