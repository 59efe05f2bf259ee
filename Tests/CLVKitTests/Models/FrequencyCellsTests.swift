import Foundation
import Testing
@testable import CLVKit

/// The interpolation pieces behind the BG/NBD and MBG/NBD scoring tables.
struct FrequencyCellsTests {
    /// A bundle of series on one interval gives each series' own value to the bit, whatever
    /// their lengths (16, 32 and 64 terms padded to the longest; one not kept is NaN), and refuses
    /// a point outside the interval as `LogChebyshev.value(at:)` does.
    @Test func bundleEqualsEachSeriesToTheBit() throws {
        let (lower, upper) = (2.0, 3.0)
        let functions: [(Double) -> Double?] = [
            { log(1 + $0) },                        // smooth: 16 terms
            { sin(9 * $0) * exp($0) },              // more wiggles: 32 or more
            { 1 / (1.2 - $0 / 3.1) },               // a pole just past the interval: 64 or none
            { _ in nil },                           // fails at a node: not kept
            { cos(300 * $0) },                      // too many wiggles: not kept
        ]
        let series = functions.map { LogChebyshev(lower: lower, upper: upper, $0) }
        let lengths = Set(series.compactMap { $0?.coefficients.count })
        #expect(lengths.count >= 2, "lengths \(lengths): the test needs series of different lengths")
        #expect(series[3] == nil && series[4] == nil)
        let bundle = LogChebyshevBundle(series)
        var values = [Double](repeating: 0, count: series.count)
        for j in 0...200 {
            let y = lower + (upper - lower) * Double(j) / 200
            let answered = values.withUnsafeMutableBufferPointer { bundle.values(at: y, into: $0) }
            #expect(answered)
            for (h, s) in series.enumerated() {
                if let s {
                    #expect(values[h].bitPattern == s.value(at: y)!.bitPattern, "series \(h) at \(y)")
                } else {
                    #expect(values[h].isNaN)
                }
            }
        }
        for outside in [lower - 1e-9, upper + 1e-9, .nan] {
            #expect(!values.withUnsafeMutableBufferPointer { bundle.values(at: outside, into: $0) })
            #expect(series[0]!.value(at: outside) == nil)
        }
    }
}
