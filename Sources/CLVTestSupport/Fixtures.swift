import Foundation

/// Paths to the repository's data: `datasets/` (fetched by `make datasets`) and the committed
/// reference numbers in `Tests/Fixtures/` (made by `scripts/lifetimes_fixtures.py`).
public enum Fixtures {
    /// The repository root, found from this source file's location.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // CLVTestSupport
        .deletingLastPathComponent()   // Sources
        .deletingLastPathComponent()   // root

    /// `datasets/NAME`.
    public static func dataset(_ name: String) -> URL {
        repositoryRoot.appendingPathComponent("datasets").appendingPathComponent(name)
    }

    /// `Tests/Fixtures/SUBPATH`.
    public static func fixture(_ subpath: String) -> URL {
        repositoryRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(subpath)
    }

    /// Parses a JSON fixture into Foundation objects.
    public static func json(_ subpath: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: fixture(subpath)))
    }

    /// A fresh empty temporary directory for one test.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("clvfit-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
