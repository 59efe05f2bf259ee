import CLVKit

/// The number parsers of amounts and summary columns (``NumberField``).
///
/// Input: the field's bytes.
///
/// Checks, against the standard library's correctly rounded parser (`strtod`) as the reference:
/// the field is accepted exactly when it is a decimal of the documented form (surrounding
/// spaces/tabs, a sign, digits with an optional fraction, an optional exponent) whose value is
/// finite, and then the value is bit for bit the reference's; the exact digits
/// (``ExactAmount``), when exact, are the same value; ``NumberField/parseAmountToSum(_:)``
/// agrees with ``NumberField/parseDouble(_:)``; the decimal-comma parser reads `12,5` as the
/// point parser reads `12.5`, and refuses any field with a `.`.
public enum NumberTarget {
    public static func run(_ input: [UInt8]) {
        let value = input.withUnsafeBufferPointer { NumberField.parseDouble($0) }
        let reference = Self.reference(input)
        FuzzCheck.require(value?.bitPattern == reference?.bitPattern,
                          "\(text(input)) parses to \(String(describing: value)), strtod gives \(String(describing: reference))")
        if value == nil { _ = input.withUnsafeBufferPointer { NumberField.explainInvalid($0) } }

        let amount = input.withUnsafeBufferPointer { NumberField.parseAmount($0) }
        let toSum = input.withUnsafeBufferPointer { NumberField.parseAmountToSum($0) }
        FuzzCheck.require(amount?.value.bitPattern == value?.bitPattern, "parseAmount \(String(describing: amount)) vs parseDouble \(String(describing: value))")
        FuzzCheck.require(toSum?.value.bitPattern == value?.bitPattern, "parseAmountToSum \(String(describing: toSum?.value)) vs parseDouble \(String(describing: value))")
        if let amount, amount.exact.isExact {
            let magnitude = ExactAmount.double(units: amount.exact.units, scale: amount.exact.scale)
            FuzzCheck.require(magnitude == abs(amount.value), "exact digits \(amount.exact) are \(magnitude), not \(amount.value)")
            FuzzCheck.require(Int(amount.exact.scale) <= ExactAmount.maximumScale, "scale \(amount.exact.scale)")
        }
        if let toSum { FuzzCheck.require(toSum.negative == (value!.sign == .minus), "sign of \(text(input))") }

        let comma = input.withUnsafeBufferPointer { NumberField.parseDecimalComma($0) }
        if input.contains(UInt8(ascii: ".")) {
            FuzzCheck.require(comma == nil, "the decimal-comma parser accepts \(text(input))")
        } else if input.count <= 64 {
            let swapped = input.map { $0 == UInt8(ascii: ",") ? UInt8(ascii: ".") : $0 }
            let point = swapped.withUnsafeBufferPointer { NumberField.parseDouble($0) }
            FuzzCheck.require(comma?.bitPattern == point?.bitPattern, "decimal comma \(text(input)): \(String(describing: comma)) vs \(String(describing: point))")
        }
        if comma == nil { _ = input.withUnsafeBufferPointer { NumberField.explainInvalidDecimalComma($0) } }
    }

    static func text(_ bytes: [UInt8]) -> String { "\"\(String(decoding: bytes.prefix(200), as: UTF8.self))\"" }

    /// The reference: the documented grammar, checked byte by byte, then `Double(String)`
    /// (`strtod` in the C locale, correctly rounded); `nil` for anything else or a non-finite value.
    static func reference(_ bytes: [UInt8]) -> Double? {
        var s = bytes[...]
        while let c = s.first, c == 0x20 || c == 0x09 { s = s.dropFirst() }
        while let c = s.last, c == 0x20 || c == 0x09 { s = s.dropLast() }
        let trimmed = Array(s)
        var i = 0
        func isDigit(_ k: Int) -> Bool { k < trimmed.count && trimmed[k] >= 0x30 && trimmed[k] <= 0x39 }
        if i < trimmed.count, trimmed[i] == UInt8(ascii: "+") || trimmed[i] == UInt8(ascii: "-") { i += 1 }
        var digits = 0
        while isDigit(i) { i += 1; digits += 1 }
        if i < trimmed.count, trimmed[i] == UInt8(ascii: ".") {
            i += 1
            while isDigit(i) { i += 1; digits += 1 }
        }
        guard digits > 0 else { return nil }
        if i < trimmed.count, trimmed[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < trimmed.count, trimmed[i] == UInt8(ascii: "+") || trimmed[i] == UInt8(ascii: "-") { i += 1 }
            guard isDigit(i) else { return nil }
            while isDigit(i) { i += 1 }
        }
        guard i == trimmed.count, let v = Double(String(decoding: trimmed, as: UTF8.self)), v.isFinite else { return nil }
        return v
    }
}
