import Foundation
import Testing
@testable import CLVKit

/// When the progress line is drawn, redrawn and erased, and what it says (the clock is passed
/// in: no timing in the test).
@Suite struct ProgressDisplayTests {
    static let p = ReadProgress(rows: 5_234_000, bytes: 130_100_000, totalBytes: 249_000_000)

    @Test func shortReadsShowNothing() throws {
        var display = ProgressDisplay(label: "tx.csv")
        #expect(display.update(Self.p, elapsed: 0.1) == nil)
        #expect(display.update(Self.p, elapsed: 0.49) == nil)
        #expect(display.finish() == nil)
    }

    @Test func redrawsAtMostEveryInterval() throws {
        var display = ProgressDisplay(label: "tx.csv")
        let drawn = [0.5, 0.6, 0.74, 0.75, 0.9, 1.01, 2.0].map { display.update(Self.p, elapsed: $0) != nil }
        #expect(drawn == [true, false, false, true, false, true, true])
        #expect(display.isShown)
        #expect(display.finish() == "\r\u{1B}[K")
        #expect(display.finish() == nil)
    }

    @Test func lineText() throws {
        #expect(ProgressDisplay.text(label: "tx.csv", Self.p, elapsed: 0.9) == "reading tx.csv: 5.2 M rows, 130.1 of 249.0 MB (52 %), 144.6 MB/s, 0.9 s")
        let pipe = ReadProgress(rows: 1500, bytes: 2_000_000, totalBytes: nil, pass: 2)
        #expect(ProgressDisplay.text(label: "<stdin>", pipe, elapsed: 2) == "reading <stdin> again: 1.5 k rows, 2.0 MB, 1.0 MB/s, 2.0 s")
        var display = ProgressDisplay(label: "x")
        #expect(display.update(ReadProgress(rows: 7, bytes: 0, totalBytes: 0), elapsed: 1) == "\r\u{1B}[Kreading x: 7 rows, 0.0 MB, 0.0 MB/s, 1.0 s")
    }
}
