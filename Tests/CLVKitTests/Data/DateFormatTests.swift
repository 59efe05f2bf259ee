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
        #expect(message("%d/%m/%y") == "the date format \"%d/%m/%y\" has the unknown token %y (known: %Y %m %d %H %M %S %z %%)")
        #expect(message("%d/%m") == "the date format \"%d/%m\" must have %Y exactly once (it has it 0 times)")
        #expect(message("%Y-%m-%d %") == "the date format \"%Y-%m-%d %\" ends with a lone '%' (write %% for a percent sign)")
        #expect(message("%Y %m %d %H %H") == "the date format \"%Y %m %d %H %H\" has %H more than once")
    }
}
