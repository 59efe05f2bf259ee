/// Finds a key that occurs twice in one JSON object.
///
/// JSON (RFC 8259 §4) only says keys "SHOULD be unique", and parsers disagree on which value a
/// repeated key means: Foundation's `JSONSerialization` keeps the last, `JSONDecoder` the
/// first. A model file read both ways would be checked with one value and used with another
/// (`"format_version": 2, "format_version": 1` passing the version check; `"r": 0.9, "r": 0.2426`
/// scoring with r = 0.9), so a model file with a repeated key is invalid, and this scan names it.
///
/// Keys are compared after their escapes are decoded (`"r"` and `"\u0072"` are one key). The
/// scan expects text that a JSON parser has already accepted; on anything else it stops
/// without a finding, leaving the syntax error to the parser.
enum DuplicateKeys {
    /// The JSON path (`purchase_model.parameters.r`, array elements as `[i]`) of the first key
    /// that repeats within its object, or nil when every object's keys are distinct.
    static func first(in bytes: [UInt8]) -> String? {
        var scanner = Scanner(bytes: bytes)
        return try? scanner.value(path: "")
    }

    private struct Malformed: Error {}

    private struct Scanner {
        let bytes: [UInt8]
        var i = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        }

        /// Scans one value at `path`; returns the path of a repeated key inside it, if any.
        mutating func value(path: String) throws(Malformed) -> String? {
            skipSpace()
            guard i < bytes.count else { throw Malformed() }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1
                var seen = Set<String>()
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return nil }
                while true {
                    skipSpace()
                    let key = try string()
                    let keyPath = path.isEmpty ? key : path + "." + key
                    if !seen.insert(key).inserted { return keyPath }
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw Malformed() }
                    i += 1
                    if let found = try value(path: keyPath) { return found }
                    skipSpace()
                    guard i < bytes.count else { throw Malformed() }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    guard bytes[i] == UInt8(ascii: "}") else { throw Malformed() }
                    i += 1
                    return nil
                }
            case UInt8(ascii: "["):
                i += 1
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return nil }
                var index = 0
                while true {
                    if let found = try value(path: path + "[\(index)]") { return found }
                    index += 1
                    skipSpace()
                    guard i < bytes.count else { throw Malformed() }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    guard bytes[i] == UInt8(ascii: "]") else { throw Malformed() }
                    i += 1
                    return nil
                }
            case UInt8(ascii: "\""):
                _ = try string()
                return nil
            default:
                // A number, true, false or null: up to the next delimiter.
                while i < bytes.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
                return nil
            }
        }

        /// A string's decoded text (escapes, including surrogate pairs, resolved).
        mutating func string() throws(Malformed) -> String {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw Malformed() }
            i += 1
            var utf8: [UInt8] = []
            var scalars = String.UnicodeScalarView()
            func flush() {
                if !utf8.isEmpty { scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars); utf8.removeAll() }
            }
            while i < bytes.count {
                let b = bytes[i]
                if b == UInt8(ascii: "\"") { i += 1; flush(); return String(scalars) }
                guard b == UInt8(ascii: "\\") else { utf8.append(b); i += 1; continue }
                guard i + 1 < bytes.count else { throw Malformed() }
                let e = bytes[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "u"):
                    var unit = try hex4()
                    if (0xD800..<0xDC00).contains(unit), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        let low = try hex4()
                        unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    }
                    flush()
                    scalars.append(Unicode.Scalar(unit) ?? "\u{FFFD}")
                default: utf8.append(e)   // \" \\ \/
                }
            }
            throw Malformed()
        }

        mutating func hex4() throws(Malformed) -> UInt32 {
            guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else { throw Malformed() }
            i += 4
            return v
        }
    }
}
