import Foundation

/// The one JSON form clvfit writes (model files, `--format json`): snake_case keys, sorted,
/// pretty-printed, slashes unescaped, a final newline. Deterministic: the same value always
/// gives the same bytes.
enum StableJSON {
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try e.encode(value)
        data.append(0x0A)
        return data
    }
}
