import Foundation

/// The time zone whose calendar days the summary counts in: decides which day a timestamp with
/// an explicit UTC offset (`2024-03-05T23:30:00Z`, `…+02:00`) belongs to. A timestamp without an
/// offset is taken as already local to this zone (its written date is its day), and a plain date
/// is that date.
///
/// Written as `UTC` (the default), a fixed offset `±HH:MM` / `±HHMM` / `±HH`, or an IANA name
/// (`Europe/Berlin`, `America/New_York`), whose offset follows daylight-saving time.
public struct LocalZone: Sendable, Equatable, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
        case fixed(seconds: Int32)
        case named(String)
    }

    let kind: Kind

    /// Coordinated Universal Time.
    public static let utc = LocalZone(kind: .fixed(seconds: 0))

    init(kind: Kind) { self.kind = kind }

    /// A fixed offset east of UTC, in seconds (−18 h … +18 h).
    public init?(offsetSeconds: Int) {
        guard abs(offsetSeconds) <= 18 * 3600 else { return nil }
        kind = .fixed(seconds: Int32(offsetSeconds))
    }

    /// Parses `UTC`, `Z`, `±HH:MM`, `±HHMM`, `±HH`, or an IANA zone name known to the system;
    /// `nil` otherwise.
    public init?(_ text: String) {
        if text == "UTC" || text == "Z" || text == "utc" {
            self = .utc
            return
        }
        let bytes = Array(text.utf8)
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            let digits = bytes.dropFirst().filter { $0 != UInt8(ascii: ":") }
            let colons = bytes.count - 1 - digits.count
            guard digits.allSatisfy({ $0 &- 0x30 < 10 }), digits.count == 2 || digits.count == 4,
                  colons == 0 || (colons == 1 && digits.count == 4 && bytes.count == 6 && bytes[3] == UInt8(ascii: ":")) else { return nil }
            let value = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            let hours = digits.count == 2 ? value : value / 100, minutes = digits.count == 2 ? 0 : value % 100
            guard hours <= 18, minutes <= 59 else { return nil }
            self.init(offsetSeconds: (first == UInt8(ascii: "-") ? -1 : 1) * (hours * 3600 + minutes * 60))
            return
        }
        guard TimeZone(identifier: text) != nil else { return nil }
        self.init(kind: .named(text))
    }

    /// `UTC`, `+02:00`, or the IANA name.
    public var description: String {
        switch kind {
        case .fixed(let s) where s == 0: return "UTC"
        case .fixed(let s):
            let a = abs(Int(s))
            let hh = a / 3600, mm = a % 3600 / 60
            return (s < 0 ? "-" : "+") + (hh < 10 ? "0" : "") + "\(hh):" + (mm < 10 ? "0" : "") + "\(mm)"
        case .named(let name): return name
        }
    }
}

/// Converts instants to calendar days of a ``LocalZone``, remembering the offset of the last
/// daylight-saving period looked up (logs come roughly in time order, so nearly every row hits
/// it and the system time-zone database is consulted a few times a year of data).
final class ZoneDays {
    private let fixed: Int64?
    private let zone: TimeZone?
    private var validFrom = Int64.max, validUntil = Int64.min, cachedOffset: Int64 = 0

    init(_ zone: LocalZone) {
        switch zone.kind {
        case .fixed(let s):
            fixed = Int64(s)
            self.zone = nil
        case .named(let name):
            fixed = nil
            self.zone = TimeZone(identifier: name)!
        }
    }

    /// The day, in the zone, of the instant `seconds` after 1970-01-01T00:00:00Z.
    func day(secondsSinceEpoch seconds: Int64) -> CalendarDate {
        let local = seconds + offset(at: seconds)
        return CalendarDate(daysSinceEpoch: Int32(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400))
    }

    private func offset(at seconds: Int64) -> Int64 {
        if let fixed { return fixed }
        if seconds >= validFrom && seconds < validUntil { return cachedOffset }
        let zone = zone!
        let date = Date(timeIntervalSince1970: TimeInterval(seconds))
        cachedOffset = Int64(zone.secondsFromGMT(for: date))
        validFrom = seconds
        if let next = zone.nextDaylightSavingTimeTransition(after: date) {
            validUntil = Int64(next.timeIntervalSince1970.rounded(.down))
        } else {
            validUntil = Int64.max
        }
        return cachedOffset
    }
}
