import Foundation
import Testing
@testable import CLVKit

@Suite struct DateFormatTests {
    static func parse(_ pattern: String, _ text: String) throws -> Timestamp? {
        let format = try DateFormat(pattern)
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { format.parse(UnsafeBufferPointer($0)) }
    }

    @Test func dayMonthYear() throws {
        let d = CalendarDate("2024-03-05")!
        #expect(try Self.parse("%d/%m/%Y", "05/03/2024") == Timestamp(date: d))
        #expect(try Self.parse("%d/%m/%Y", "5/3/2024") == Timestamp(date: d))
        #expect(try Self.parse("%m/%d/%Y", "03/05/2024") == Timestamp(date: d))
        #expect(try Self.parse("%d.%m.%Y %H:%M", " 5.3.2024 14:30 ") == Timestamp(date: d, secondsOfDay: 52_200))
        #expect(try Self.parse("%Y%m%d", "20240305") == Timestamp(date: d))
        #expect(try Self.parse("%Y-%m-%dT%H:%M:%S%z", "2024-03-05T23:30:00.5+02:00") == Timestamp(date: d, secondsOfDay: 84_600, utcOffsetSeconds: 7200))
        #expect(try Self.parse("%d%%%m%%%Y", "05%03%2024") == Timestamp(date: d))
    }

    @Test func mismatchesAndInvalidDates() throws {
        #expect(try Self.parse("%d/%m/%Y", "2024-03-05") == nil)
        #expect(try Self.parse("%d/%m/%Y", "31/02/2024") == nil)
        #expect(try Self.parse("%d/%m/%Y", "05/13/2024") == nil)
        #expect(try Self.parse("%d/%m/%Y", "05/03/2024x") == nil)
        #expect(try Self.parse("%d/%m/%Y", "05/03/24") == nil)
        #expect(try Self.parse("%d/%m/%Y", "") == nil)
    }

    @Test func badPatterns() throws {
        func message(_ pattern: String) -> String? {
            do { _ = try DateFormat(pattern); return nil } catch { return error.message }
        }
        #expect(message("%d/%m/%q") == "the date format \"%d/%m/%q\" has the unknown token %q (known: %Y %y %m %d %H %M %S %z %%)")
        #expect(message("%d/%m") == "the date format \"%d/%m\" must have a year (%Y, or %y for two digits) exactly once (it has 0)")
        #expect(message("%d/%m/%y%Y") == "the date format \"%d/%m/%y%Y\" must have a year (%Y, or %y for two digits) exactly once (it has 2)")
        #expect(message("%Y-%m-%d %") == "the date format \"%Y-%m-%d %\" ends with a lone '%' (write %% for a percent sign)")
        #expect(message("%Y %m %d %H %H") == "the date format \"%Y %m %d %H %H\" has %H more than once")
    }

    /// `%y`: two digits, 69–99 → 19xx, 00–68 → 20xx (POSIX strptime's pivot).
    @Test func twoDigitYears() throws {
        #expect(try Self.parse("%d.%m.%y", "5.3.24") == Timestamp(date: CalendarDate("2024-03-05")!))
        #expect(try Self.parse("%d.%m.%y", "05.03.68") == Timestamp(date: CalendarDate("2068-03-05")!))
        #expect(try Self.parse("%d.%m.%y", "05.03.69") == Timestamp(date: CalendarDate("1969-03-05")!))
        #expect(try Self.parse("%d.%m.%y", "05.03.2024") == nil)
        #expect(try Self.parse("%d.%m.%y", "05.03.4") == nil)
    }

    /// Found by replaying the fuzz corpus in a debug build (Tests/Fuzz/crashes/date/): a
    /// fraction of seconds of more than 18 digits overflowed the digit accumulator (a trap).
    @Test func aLongFractionOfSecondsIsRead() throws {
        let format = try DateFormat("%d/%m/%Y %H:%M:%S")
        var field = Array(("01/02/2024 10:11:12." + String(repeating: "9", count: 40)).utf8)
        let stamp = field.withUnsafeMutableBufferPointer { format.parse(UnsafeBufferPointer($0)) }
        let seconds: Int32 = 10 * 3600 + 11 * 60 + 12
        #expect(try #require(stamp).secondsOfDay == seconds)
        #expect(DateFormat.suggestion(for: "1.2.03 4:05:06." + String(repeating: "7", count: 30))?.pattern == "%m.%d.%y %H:%M:%S")
    }

    /// Patterns guessed from dates that did not parse; ambiguous day/month orders give both.
    @Test func suggestions() {
        func s(_ text: String) -> [String]? { DateFormat.suggestion(for: text).map { [$0.pattern] + ($0.alternative.map { [$0] } ?? []) } }
        #expect(s("12/01/2010 08:26") == ["%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M"])
        #expect(s("25/01/2010") == ["%d/%m/%Y"])
        #expect(s("01/25/2010") == ["%m/%d/%Y"])
        #expect(s("2010.01.25 08:26:59") == ["%Y.%m.%d %H:%M:%S"])
        #expect(s("5-3-24") == ["%m-%d-%y", "%d-%m-%y"])
        #expect(s("31/31/2010") == nil, "no pattern parses it")
        #expect(s("yesterday") == nil && s("12/01") == nil && s("12/01-2010") == nil && s("") == nil)
        // Found by fuzzing (Tests/Fuzz/crashes/date/): the check that a suggestion parses the
        // text was made on the text without its CR/LF, which a pattern does not skip.
        #expect(s("\n1.2.03 4:05") == nil && s("1.2.03 4:05\r") == nil, "no pattern parses a field with a line end")
        #expect(s(" 1.2.03 4:05\t") == ["%m.%d.%y %H:%M", "%d.%m.%y %H:%M"], "spaces and tabs are skipped")
        #expect(DateFormat.advice(for: "25/01/2010") == "; if the dates look like this, give --date-format '%d/%m/%Y'")
        #expect(DateFormat.advice(for: "25/01/2010", instead: "%d/%m/%Y") == "")
    }
}
