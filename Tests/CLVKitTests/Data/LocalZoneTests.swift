import Foundation
import Testing
@testable import CLVKit

@Suite struct LocalZoneTests {
    @Test func spellings() throws {
        #expect(LocalZone("UTC") == .utc)
        #expect(LocalZone("+02:00")?.description == "+02:00")
        #expect(LocalZone("-0530")?.description == "-05:30")
        #expect(LocalZone("+09")?.description == "+09:00")
        #expect(LocalZone("Europe/Berlin")?.description == "Europe/Berlin")
        for bad in ["Mars/Olympus", "+2", "+25:00", "+02:60", "02:00", "+0:200", ""] {
            #expect(LocalZone(bad) == nil, "\(bad)")
        }
    }

    static func day(_ zone: String, _ instant: String) -> String {
        var bytes = Array(instant.utf8)
        let seconds = bytes.withUnsafeMutableBufferPointer { Timestamp.parse(UnsafeBufferPointer($0))!.secondsSinceEpoch! }
        return ZoneDays(LocalZone(zone)!).day(secondsSinceEpoch: seconds).description
    }

    @Test func fixedOffsets() throws {
        #expect(Self.day("UTC", "2024-03-05T23:30:00Z") == "2024-03-05")
        #expect(Self.day("+02:00", "2024-03-05T23:30:00Z") == "2024-03-06")
        #expect(Self.day("UTC", "2024-03-06T01:30:00+02:00") == "2024-03-05")
        #expect(Self.day("-05:00", "2024-03-06T03:00:00Z") == "2024-03-05")
        #expect(Self.day("UTC", "1969-12-31T23:59:59Z") == "1969-12-31")
    }

    /// Berlin is UTC+1 in winter and UTC+2 in summer (DST from 2024-03-31 01:00 UTC).
    @Test func namedZoneFollowsDaylightSavingTime() throws {
        #expect(Self.day("Europe/Berlin", "2024-01-15T22:30:00Z") == "2024-01-15")   // 23:30 local
        #expect(Self.day("Europe/Berlin", "2024-07-15T22:30:00Z") == "2024-07-16")   // 00:30 local
        // One converter across the transition, in time order and back (the cached period).
        let days = ZoneDays(LocalZone("Europe/Berlin")!)
        let winter = Int64(CalendarDate("2024-03-30")!.daysSinceEpoch) * 86_400 + 22 * 3600 + 1800   // 23:30 local
        let summer = Int64(CalendarDate("2024-03-31")!.daysSinceEpoch) * 86_400 + 22 * 3600 + 1800   // 00:30 local next day
        #expect(days.day(secondsSinceEpoch: winter).description == "2024-03-30")
        #expect(days.day(secondsSinceEpoch: summer).description == "2024-04-01")
        #expect(days.day(secondsSinceEpoch: winter).description == "2024-03-30")
    }
}
