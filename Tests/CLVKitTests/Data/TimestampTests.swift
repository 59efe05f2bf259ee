import Foundation
import Testing
@testable import CLVKit

@Suite struct TimestampTests {
    static func parse(_ text: String) -> Timestamp? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { Timestamp.parse(UnsafeBufferPointer($0)) }
    }

    static func date(_ text: String) -> CalendarDate { CalendarDate(text)! }

    @Test func datesWithoutTime() throws {
        #expect(Self.parse("2024-03-05") == Timestamp(date: Self.date("2024-03-05")))
        #expect(Self.parse("20240305") == Timestamp(date: Self.date("2024-03-05")))
        #expect(Self.parse("2024-02-30") == nil)
    }

    @Test func timesAndOffsets() throws {
        let d = Self.date("2024-03-05")
        #expect(Self.parse("2024-03-05T23:30:00Z") == Timestamp(date: d, secondsOfDay: 84_600, utcOffsetSeconds: 0))
        #expect(Self.parse("2024-03-05T23:30:00+02:00") == Timestamp(date: d, secondsOfDay: 84_600, utcOffsetSeconds: 7200))
        #expect(Self.parse("2024-03-05 01:15:07.250-0530") == Timestamp(date: d, secondsOfDay: 4507, utcOffsetSeconds: -19_800))
        #expect(Self.parse("2024-03-05 23:30") == Timestamp(date: d, secondsOfDay: 84_600, utcOffsetSeconds: nil))
        #expect(Self.parse("2024-03-05T23:30:00+05") == Timestamp(date: d, secondsOfDay: 84_600, utcOffsetSeconds: 18_000))
        for bad in ["2024-03-05T24:00", "2024-03-05T23:60", "2024-03-05T23:30:00+2", "2024-03-05X23:30", "2024-03-05T23:30:00 Z"] {
            #expect(Self.parse(bad) == nil, "\(bad)")
        }
    }

    /// The instant: the written local time minus the offset.
    @Test func secondsSinceEpoch() throws {
        #expect(Self.parse("1970-01-01T02:00:00+02:00")?.secondsSinceEpoch == 0)
        #expect(Self.parse("1969-12-31T23:59:59Z")?.secondsSinceEpoch == -1)
        #expect(Self.parse("1970-01-01T00:00:00")?.secondsSinceEpoch == nil)
    }
}
