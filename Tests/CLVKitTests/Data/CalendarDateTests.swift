import Foundation
import Testing
@testable import CLVKit

@Suite struct CalendarDateTests {
    @Test func knownDays() throws {
        #expect(CalendarDate("1970-01-01")?.daysSinceEpoch == 0)
        #expect(CalendarDate("1969-12-31")?.daysSinceEpoch == -1)
        #expect(CalendarDate("2000-03-01")?.daysSinceEpoch == 11_017)
        #expect(CalendarDate("1997-01-01")?.daysSinceEpoch == 9_862)
        #expect(CalendarDate("0000-03-01")?.daysSinceEpoch == -719_468)   // Hinnant's era origin
        #expect(CalendarDate(year: 2024, month: 2, day: 29)?.description == "2024-02-29")
        // The CDNOW windows: 39-week calibration and holdout.
        let d = DataTestSupport.date
        #expect(d("1997-09-30") - d("1997-01-01") == 272)
        #expect(d("1998-06-30") - d("1997-09-30") == 273)
        #expect(d("1997-09-30").adding(days: 273) == d("1998-06-30"))
    }

    @Test func acceptedForms() throws {
        let day = DataTestSupport.date("2014-03-08")
        for text in ["2014-03-08", "20140308", "2014-03-08 00:00:00", "2014-03-08 23:59:59.999",
                     "2014-03-08T10:00", "2014-03-08T10:00:00Z", "2014-03-08T10:00:00+02:00",
                     "2014-03-08T10:00:00-0530", "2014-03-08T23:59:60", " 2014-03-08 ", "\t20140308"] {
            #expect(CalendarDate(text) == day, "\(text)")
        }
    }

    @Test func rejectedForms() throws {
        for text in ["", " ", "2014-3-8", "2014/03/08", "08/03/2014", "2014-03-08x", "2014-03-08 25:00:00",
                     "2014-03-08 10", "2014-03-08T10:61", "201403081", "2014030", "2014-03-08 10:00:00 PM",
                     "2014-03-08T10:00:00+2", "-014-03-08", "2014-0a-08", "1e10"] {
            #expect(CalendarDate(text) == nil, "\(text)")
        }
    }

    @Test func monthAndDayRangesAreValidated() throws {
        #expect(CalendarDate("2023-02-30") == nil)
        #expect(CalendarDate.explainInvalid("2023-02-30") == "\"2023-02-30\" is not a valid date: February 2023 has 28 days")
        #expect(CalendarDate("2023-13-01") == nil)
        #expect(CalendarDate.explainInvalid("2023-13-01") == "\"2023-13-01\" is not a valid date: month 13 is not in 1–12")
        #expect(CalendarDate("2023-00-10") == nil)
        #expect(CalendarDate("2023-04-31") == nil)
        #expect(CalendarDate.explainInvalid("20230431") == "\"20230431\" is not a valid date: April 2023 has 30 days")
        #expect(CalendarDate("2023-01-00") == nil)
        #expect(CalendarDate("2023-01-32") == nil)
        #expect(CalendarDate.explainInvalid("01/02/2023") == "\"01/02/2023\" is not a date in the form YYYY-MM-DD or YYYYMMDD")
        #expect(CalendarDate.explainInvalid("") == "the date is empty")
        #expect(CalendarDate.explainInvalid("2023-01-01 noon").contains("not a time of day"))
        #expect(CalendarDate(year: 2023, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 2023, month: 0, day: 1) == nil)
    }

    @Test func leapYears() throws {
        #expect(CalendarDate.isLeapYear(2000))      // divisible by 400
        #expect(!CalendarDate.isLeapYear(1900))     // century
        #expect(CalendarDate.isLeapYear(2024))
        #expect(!CalendarDate.isLeapYear(2023))
        #expect(!CalendarDate.isLeapYear(2100))
        #expect(CalendarDate("2000-02-29") != nil)
        #expect(CalendarDate("1900-02-29") == nil)
        #expect(CalendarDate.explainInvalid("1900-02-29") == "\"1900-02-29\" is not a valid date: February 1900 has 28 days")
        #expect(CalendarDate("2024-02-29") != nil)
        #expect(CalendarDate("2023-02-29") == nil)
        #expect(CalendarDate("2100-02-29") == nil)
        #expect(DataTestSupport.date("2024-03-01") - DataTestSupport.date("2024-02-28") == 2)
        #expect(DataTestSupport.date("2023-03-01") - DataTestSupport.date("2023-02-28") == 1)
    }

    /// Every day from 1800 to 2200 (a whole 400-year Gregorian cycle, so every leap-year case):
    /// consecutive days are consecutive numbers, and formatting and parsing (both forms) are
    /// inverse to each other.
    @Test func roundTripEveryDayOfAGregorianCycle() throws {
        var expected = Int32(CalendarDate.daysFromCivil(year: 1800, month: 1, day: 1))
        for year in 1800...2200 {
            for month in 1...12 {
                for day in 1...CalendarDate.daysInMonth(year: year, month: month) {
                    guard let date = CalendarDate(year: year, month: month, day: day) else {
                        Issue.record("\(year)-\(month)-\(day) rejected"); return
                    }
                    if date.daysSinceEpoch != expected || date.components != (year, month, day) {
                        Issue.record("\(year)-\(month)-\(day): \(date.daysSinceEpoch) vs \(expected)"); return
                    }
                    let text = date.description
                    let compact = text.replacingOccurrences(of: "-", with: "")
                    if CalendarDate(text) != date || CalendarDate(compact) != date {
                        Issue.record("\(text) does not parse back"); return
                    }
                    expected += 1
                }
            }
        }
    }

    /// Agrees with Foundation's Gregorian calendar (UTC) on dates after the 1582 reform, where
    /// Foundation stops using the Julian calendar.
    @Test func agreesWithFoundation() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var rng = DataTestRNG(seed: 7)
        for _ in 0..<2000 {
            let days = Int32.random(in: -100_000...200_000, using: &rng)
            let date = CalendarDate(daysSinceEpoch: days)
            let c = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(days) * 86_400))
            #expect(date.components == (c.year!, c.month!, c.day!), "\(days)")
        }
    }

    @Test func codableAsString() throws {
        let date = DataTestSupport.date("1997-09-30")
        let json = try JSONEncoder().encode([date])
        #expect(String(decoding: json, as: UTF8.self) == "[\"1997-09-30\"]")
        #expect(try JSONDecoder().decode([CalendarDate].self, from: json) == [date])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([CalendarDate].self, from: Data("[\"1997-02-30\"]".utf8)) }
    }
}
