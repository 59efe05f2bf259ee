import Foundation
import Testing
@testable import CLVKit

@Suite struct NumberFieldTests {
    static func explain(_ text: String) -> String {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { NumberField.explainInvalid(UnsafeBufferPointer($0)) }
    }

    /// Accepted forms parse to exactly the `Double` the standard library's (correctly rounded)
    /// parser gives: compared with `==`, no tolerance.
    @Test func acceptedForms() throws {
        let cases: [(String, Double)] = [
            ("12", 12), ("12.5", 12.5), ("-3", -3), ("+4.25", 4.25), (".5", 0.5), ("5.", 5), ("1e3", 1000),
            ("2.5E-2", 0.025), (" 7 ", 7), ("\t0.1", 0.1), ("29.33", 29.33), ("0", 0), ("000123.4500", 123.45),
            ("1E+2", 100), ("-0.0", 0),
            ("3.14159265358979323846264338327950288", 3.14159265358979323846264338327950288),
            ("123456789012345678901234567890", 123456789012345678901234567890.0),
            ("9007199254740993", 9007199254740993.0),     // 2^53 + 1: needs the slow path to round right
            ("1e-320", Double("1e-320")!), ("1.7976931348623157e308", 1.7976931348623157e308),
            ("0.000000000000000000000000000001", 1e-30),
        ]
        for (text, expected) in cases {
            #expect(NumberField.parseDouble(text) == expected, "\(text)")
        }
        #expect(NumberField.parseDouble("-0")?.sign == .minus)
    }

    /// The word-at-a-time path for short fields (``NumberField/shortPlainDecimal(_:_:)``) takes
    /// exactly the fields of 1–8 bytes that are digits, or digits, one `.` and digits, and gives
    /// the standard library's correctly rounded value for them; every other field (a sign, a
    /// space, an exponent, two dots, a dot at either end, other bytes) is left to the general
    /// path, which parses it as before. Random fields over a small alphabet, all lengths 0–10.
    @Test func shortPlainDecimalsTakeTheWordPath() {
        var rng = DataTestRNG(seed: 59)
        let alphabet = Array("0123456789012345678901234567890123456789..-+ eE/:".utf8)
        for _ in 0..<300_000 {
            let n = Int.random(in: 0...10, using: &rng)
            let bytes = (0..<n).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }
            let text = String(decoding: bytes, as: UTF8.self)
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            let isPlain = n >= 1 && n <= 8 && parts.count <= 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCIIDigitCharacter) }
            let fast = bytes.withUnsafeBufferPointer { b in n > 0 && n <= 8 ? NumberField.shortPlainDecimal(b.baseAddress!, n) : nil }
            if isPlain {
                #expect(fast == Double(text)!, "\(text)")
            } else {
                #expect(fast == nil, "\(text)")
            }
            let parsed = bytes.withUnsafeBufferPointer { NumberField.parseDouble($0) }
            if let reference = Self.reference(text) {
                #expect(parsed == reference, "\(text)")
            } else {
                #expect(parsed == nil, "\(text)")
            }
        }
    }

    /// What parseDouble accepts, by the standard library: optional spaces, an optional sign,
    /// digits with an optional fraction (at least one digit) and an optional exponent.
    private static func reference(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
        guard t.range(of: #"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"#, options: .regularExpression) != nil else { return nil }
        return Double(t).flatMap { $0.isFinite ? $0 : nil }
    }

    /// 200,000 seeded random doubles of every magnitude, printed shortest (`description`) and
    /// with 17 significant digits, and random 2-decimal amounts: each parses back bit for bit.
    @Test func roundTripsRandomValues() throws {
        var rng = DataTestRNG(seed: 42)
        for _ in 0..<100_000 {
            let bits = rng.next()
            let x = Double(bitPattern: bits)
            guard x.isFinite else { continue }
            #expect(NumberField.parseDouble(x.description) == x)
            #expect(NumberField.parseDouble(String(format: "%.17g", x)) == x)
        }
        for _ in 0..<100_000 {
            let cents = Int.random(in: 0...10_000_000, using: &rng)
            let text = "\(cents / 100).\(String(format: "%02d", cents % 100))"
            #expect(NumberField.parseDouble(text) == Double(text)!, "\(text)")
        }
    }

    @Test func rejectedForms() throws {
        for text in ["", " ", "abc", "12,5x", "12,5", "NaN", "nan", "inf", "-Infinity", "1e", "1e+", "--1", "+-1",
                     "1.2.3", "0x10", "1e400", "-1e400", "1 000", ".", "-", "e5", "1_000", "١٢"] {
            #expect(NumberField.parseDouble(text) == nil, "\(text)")
        }
    }

    @Test func messages() throws {
        #expect(Self.explain("12,5x") == "\"12,5x\" is not a number (write the decimal separator as '.', without thousands separators)")
        #expect(Self.explain("abc") == "\"abc\" is not a number")
        #expect(Self.explain("NaN") == "\"NaN\" is not a finite number")
        #expect(Self.explain("-inf") == "\"-inf\" is not a finite number")
        #expect(Self.explain("1e400") == "\"1e400\" is not a finite number (it overflows a double)")
        #expect(Self.explain("  ") == "the value is empty (a number is required)")
        let long = String(repeating: "x", count: 200)
        #expect(Self.explain(long).count < 80)   // one bad field cannot flood the terminal
    }
}

extension NumberFieldTests {
    static func decimalComma(_ text: String) -> Double? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { NumberField.parseDecimalComma(UnsafeBufferPointer($0)) }
    }

    @Test func decimalCommas() throws {
        #expect(Self.decimalComma("12,50") == 12.5)
        #expect(Self.decimalComma("-0,5") == -0.5)
        #expect(Self.decimalComma(" 3 ") == 3)
        #expect(Self.decimalComma("1.234,50") == nil)
        #expect(Self.decimalComma("12.50") == nil)
        #expect(Self.decimalComma("12,5x") == nil)
        var bytes = Array("1.234,50".utf8)
        let why = bytes.withUnsafeMutableBufferPointer { NumberField.explainInvalidDecimalComma(UnsafeBufferPointer($0)) }
        #expect(why.hasPrefix("\"1.234,50\" is not a number with a decimal comma"))
        var bad = Array("12,5x".utf8)
        #expect(bad.withUnsafeMutableBufferPointer { NumberField.explainInvalidDecimalComma(UnsafeBufferPointer($0)) } == "\"12,5x\" is not a number")
    }
}

private extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
