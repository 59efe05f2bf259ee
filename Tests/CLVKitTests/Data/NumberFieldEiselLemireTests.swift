import Foundation
import Testing
@testable import CLVKit

/// `NumberField.parseDouble` against the standard library's correctly rounded parser
/// (`Double(String)`, i.e. `strtod`) on millions of seeded random inputs, aimed at each path:
/// Clinger's fast path, Eisel–Lemire (≤ 19 digits, both its multiplications, its give-ups), the
/// two-sided check for > 19 digits, and the fallback. Every comparison is of bit patterns (so
/// -0.0 ≠ 0.0); an input that overflows must be rejected (`nil`).
@Suite struct NumberFieldEiselLemireTests {
    /// Compares the two parsers on `bytes`; records up to 20 disagreements.
    static func check(_ bytes: [UInt8], _ failures: inout [String]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let expected = Double(text).flatMap { $0.isFinite ? $0 : nil }
        let got = bytes.withUnsafeBufferPointer { NumberField.parseDouble($0) }
        if got?.bitPattern != expected?.bitPattern, failures.count < 20 {
            failures.append("\(text): got \(got.map { "\($0)" } ?? "nil"), expected \(expected.map { "\($0)" } ?? "nil")")
        }
    }

    /// `count` random decimal digits, the first one not zero.
    static func digits(_ count: Int, _ rng: inout DataTestRNG) -> [UInt8] {
        var out: [UInt8] = [UInt8.random(in: 0x31...0x39, using: &rng)]
        while out.count < count { out.append(UInt8.random(in: 0x30...0x39, using: &rng)) }
        return out
    }

    /// `digits` × 10^`exponent` written in one of several equivalent ways: `DDDeX`, with a
    /// decimal point inside or in front of the digits (`D.DDeX`, `.DDDeX`), or without an
    /// exponent when it is small (`DDD000`, `0.000DDD`), sometimes signed.
    static func decimal(_ digits: [UInt8], exponent: Int, _ rng: inout DataTestRNG) -> [UInt8] {
        var out: [UInt8] = []
        switch UInt8.random(in: 0...3, using: &rng) {
        case 0: out.append(UInt8(ascii: "-"))
        case 1: out.append(UInt8(ascii: "+"))
        default: break
        }
        let k = digits.count
        switch Int.random(in: 0...3, using: &rng) {
        case 0:
            out += digits + Array("e\(exponent)".utf8)
        case 1:
            let point = Int.random(in: 0...k, using: &rng)
            out += digits[..<point] + [UInt8(ascii: ".")] + digits[point...] + Array("e\(exponent + (k - point))".utf8)
        case 2 where exponent >= 0 && exponent <= 25:
            out += digits + Array(repeating: UInt8(ascii: "0"), count: exponent)
        case 2 where exponent < 0 && -exponent <= k + 25:
            let point = k + exponent
            if point > 0 {
                out += digits[..<point] + [UInt8(ascii: ".")] + digits[point...]
            } else {
                out += Array("0.".utf8) + Array(repeating: UInt8(ascii: "0"), count: -point) + digits
            }
        default:
            out += digits + Array("E\(exponent >= 0 ? "+" : "")\(exponent)".utf8)
        }
        return out
    }

    /// 1–19 digit mantissas with exponents over the whole double range and beyond (underflow
    /// to zero, overflow), written in varied forms; `extremes` chooses mostly the ends of the
    /// range (subnormals, zero, overflow), otherwise mostly everyday magnitudes.
    static func randomShortMantissas(seed: UInt64, count: Int, extremes: Bool) -> [String] {
        var rng = DataTestRNG(seed: seed)
        var failures: [String] = []
        for _ in 0..<count {
            let k = Int.random(in: 1...19, using: &rng)
            let exponent: Int
            switch (extremes, Int.random(in: 0...3, using: &rng)) {
            case (true, 0): exponent = Int.random(in: -360 ... -300, using: &rng)    // subnormals, zero
            case (true, 1): exponent = Int.random(in: 280...330, using: &rng)        // near overflow
            case (true, _): exponent = Int.random(in: -330...310, using: &rng)
            case (false, 0): exponent = Int.random(in: -330...310, using: &rng)
            case (false, _): exponent = Int.random(in: -30...30, using: &rng)        // everyday numbers
            }
            Self.check(Self.decimal(Self.digits(k, &rng), exponent: exponent, &rng), &failures)
        }
        return failures
    }

    /// 600,000 random short mantissas, mostly of everyday magnitude.
    @Test func randomShortMantissasEverydayMagnitudes() {
        let failures = Self.randomShortMantissas(seed: 2021, count: 600_000, extremes: false)
        #expect(failures.isEmpty, "\(failures)")
    }

    /// 600,000 random short mantissas, mostly at the ends of the double range.
    @Test func randomShortMantissasWholeRange() {
        let failures = Self.randomShortMantissas(seed: 2022, count: 600_000, extremes: true)
        #expect(failures.isEmpty, "\(failures)")
    }

    /// The shortest round-trip form (`description`, as summaries are written) and the 17-digit
    /// form of 600,000 random doubles: bit patterns uniform over all finite doubles, and ratios
    /// of small integers (typical summary values such as 38.857142857142854).
    @Test func shortestAndSeventeenDigitForms() {
        var rng = DataTestRNG(seed: 7)
        var failures: [String] = []
        for i in 0..<600_000 {
            let x: Double
            if i % 2 == 0 {
                x = Double(bitPattern: rng.next())
                guard x.isFinite else { continue }
            } else {
                x = Double(Int.random(in: 0...1_000_000, using: &rng)) / Double(Int.random(in: 1...997, using: &rng))
                    * [1, 1e-3, 7, 1e5][Int.random(in: 0...3, using: &rng)]
            }
            Self.check(Array(x.description.utf8), &failures)
            if i % 6 == 1 { Self.check(Array(String(format: "%.17g", x).utf8), &failures) }
            if i % 6 == 3 { Self.check(Array(String(format: "%.16e", x).utf8), &failures) }
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    /// Exact ties between two doubles (which round to the even one) and the integers next to
    /// them, with at most 19 digits: integer midpoints (2m+1)·2^(j−1) above 2^53, and fractional
    /// ones (2m+1)·5^k·10^−k = (m + ½)·2^(1−k). These are the cases where Eisel–Lemire must
    /// give up (its truncated product cannot tell a tie from a value just above it).
    @Test func halfwayCases() {
        var rng = DataTestRNG(seed: 53)
        var failures: [String] = []
        for _ in 0..<100_000 {
            let m = UInt64.random(in: (1 << 52) ..< (1 << 53), using: &rng)
            let j = UInt64.random(in: 1...10, using: &rng)
            let midpoint = (2 * m + 1) << (j - 1)
            for n in [midpoint - 1, midpoint, midpoint + 1] {
                Self.check(Array(String(n).utf8), &failures)
            }
            let k = Int.random(in: 1...3, using: &rng)
            var power: UInt64 = 1
            for _ in 0..<k { power *= 5 }
            let (scaled, overflow) = (2 * m + 1).multipliedReportingOverflow(by: power)
            if !overflow && scaled < 10_000_000_000_000_000_000 {
                for n in [scaled - 1, scaled, scaled + 1] {
                    Self.check(Array("\(n)e-\(k)".utf8), &failures)
                }
            }
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    /// Subnormals, the normal/subnormal boundary, zeros, the largest double and overflow.
    @Test func edgesOfTheRange() {
        var rng = DataTestRNG(seed: 324)
        var failures: [String] = []
        for _ in 0..<50_000 {
            let x = Double(bitPattern: UInt64.random(in: 1 ..< (1 << 52), using: &rng))   // subnormal
            Self.check(Array(x.description.utf8), &failures)
            Self.check(Array(String(format: "%.17g", x).utf8), &failures)
        }
        let texts = [
            "0", "-0", "+0", "0.0", "-0.0", "0e0", "0e-400", "-0e400", "0.000000", "000000000000000000000000",
            "4.9406564584124654e-324", "5e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
            "1e-324", "3e-324", "2.2250738585072009e-308", "2.2250738585072011e-308",
            "2.2250738585072014e-308", "2.2250738585072012e-308", "1.7976931348623157e308",
            "1.7976931348623158e308", "1.7976931348623159e308", "1.8e308", "9.9999999999999999e307",
            "179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
            "1e308", "1e309", "1e-342", "1e-343", "9999999999999999999e-343", "1e22", "1e23",
            "9007199254740992", "9007199254740993", "9007199254740994", "9007199254740995",
            "18446744073709551615", "18446744073709551616", "9999999999999999999", "10000000000000000000",
            "0.1", "0.2", "0.3", "1.1", "123456789012345678", "1234567890123456789",
        ]
        for text in texts {
            Self.check(Array(text.utf8), &failures)
            Self.check(Array(("-" + text).utf8), &failures)
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    /// More than 19 digits: random 20–40 digit mantissas, and shortest forms with extra digits
    /// appended (`…00000001`, `…99999999`), which sit just beside a double or a tie: the
    /// truncated mantissa and its successor must both convert to the same double, or the
    /// number goes to the full parser.
    @Test func manyDigits() {
        var rng = DataTestRNG(seed: 11)
        var failures: [String] = []
        for i in 0..<150_000 {
            if i % 2 == 0 {
                let k = Int.random(in: 20...40, using: &rng)
                Self.check(Self.decimal(Self.digits(k, &rng), exponent: Int.random(in: -340...290, using: &rng), &rng), &failures)
            } else {
                let x = Double(bitPattern: rng.next() >> 2 | 0x3000_0000_0000_0000)   // mid-range magnitudes
                var text = Array(String(format: "%.17e", x).utf8)
                let e = text.firstIndex(of: UInt8(ascii: "e"))!
                let tail = [Array("00000001".utf8), Array("99999999".utf8), Array("5".utf8), Array("50000000001".utf8)][i % 4 == 1 ? 0 : Int.random(in: 1...3, using: &rng)]
                text.insert(contentsOf: tail, at: e)
                Self.check(text, &failures)
            }
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    /// The algorithm directly: whenever it answers, the answer is right, and for ordinary
    /// 17-digit inputs it nearly always answers (the fast path really is the path taken).
    @Test func eiselLemireAnswersAndIsRight() {
        var rng = DataTestRNG(seed: 1302)
        var failures: [String] = []
        var declined = 0
        let trials = 300_000
        for _ in 0..<trials {
            let mantissa = UInt64.random(in: 10_000_000_000_000_000 ..< 100_000_000_000_000_000, using: &rng)
            let exponent = Int.random(in: -300...290, using: &rng)
            let negative = Bool.random(using: &rng)
            guard let value = NumberField.eiselLemire(mantissa, exponent, negative) else {
                declined += 1
                continue
            }
            let text = "\(negative ? "-" : "")\(mantissa)e\(exponent)"
            if value.bitPattern != Double(text)!.bitPattern, failures.count < 20 {
                failures.append("\(text): got \(value), expected \(Double(text)!)")
            }
        }
        #expect(failures.isEmpty, "\(failures)")
        #expect(declined < trials / 1000, "Eisel–Lemire declined \(declined) of \(trials) ordinary inputs")
        // Out of its range or at its limits it declines rather than guessing.
        #expect(NumberField.eiselLemire(1, -343, false) == nil)
        #expect(NumberField.eiselLemire(1, 309, false) == nil)
        #expect(NumberField.eiselLemire(5, -324, false) == nil)                      // subnormal
        // 2^54 + 2 lies halfway between 2^54 and 2^54 + 4 (the spacing there), and ties go to the
        // even neighbour, 2^54: a tie rounding down, which the truncated product cannot tell
        // from "just above", so the algorithm declines. 2^54 + 6 is a tie rounding up (to
        // 2^54 + 8), the same answer as "just above": it answers.
        #expect(NumberField.eiselLemire(18_014_398_509_481_986, 0, false) == nil)
        #expect(NumberField.eiselLemire(18_014_398_509_481_990, 0, false) == 18_014_398_509_481_992)
    }

    /// The 8-digits-at-once step: right for random digit strings, and `nil` whenever any of the
    /// 8 bytes is not a digit (every non-digit byte value at every position).
    @Test func eightDigitsAtOnce() {
        var rng = DataTestRNG(seed: 8)
        func word(_ bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) } }
        for _ in 0..<20_000 {
            let bytes = (0..<8).map { _ in UInt8.random(in: 0x30...0x39, using: &rng) }
            #expect(NumberField.eightDigits(word(bytes)) == UInt64(String(decoding: bytes, as: UTF8.self))!)
        }
        let digitsOnly = Array("12345678".utf8)
        for position in 0..<8 {
            for byte in 0...255 where !(0x30...0x39).contains(byte) {
                var bytes = digitsOnly
                bytes[position] = UInt8(byte)
                #expect(NumberField.eightDigits(word(bytes)) == nil, "byte \(byte) at \(position)")
            }
        }
        #expect(NumberField.eightDigits(word(Array("00000000".utf8))) == 0)
        #expect(NumberField.eightDigits(word(Array("99999999".utf8))) == 99_999_999)
    }
}
