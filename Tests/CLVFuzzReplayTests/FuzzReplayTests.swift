import CLVFuzzTargets
import CLVTestSupport
import Foundation
import Testing

/// Replays the committed fuzz corpus (`Tests/Fuzz/corpus/<target>/`) and every input that ever
/// crashed a target (`Tests/Fuzz/crashes/<target>/`) through the fuzz targets, without
/// libFuzzer: each input must be refused or read with the targets' invariants intact (a broken
/// invariant stops the test process, as it stops the fuzzer). See docs/fuzzing.md.
@Suite struct FuzzReplayTests {
    static let fuzzDirectory = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fuzz")

    /// The regular files of `Tests/Fuzz/<kind>/<target>/`, sorted; README files excluded.
    static func inputs(_ kind: String, _ target: FuzzTarget) throws -> [URL] {
        let directory = fuzzDirectory.appendingPathComponent(kind).appendingPathComponent(target.rawValue)
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") && !$0.lastPathComponent.hasPrefix("README") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Every target has a corpus, and both folders hold only folders named after targets.
    @Test func everyTargetHasACorpus() throws {
        let known = Set(FuzzTarget.allCases.map(\.rawValue))
        for target in FuzzTarget.allCases {
            #expect(try !Self.inputs("corpus", target).isEmpty, "Tests/Fuzz/corpus/\(target.rawValue) is empty")
        }
        for kind in ["corpus", "crashes"] {
            let folder = Self.fuzzDirectory.appendingPathComponent(kind)
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") && !$0.hasPrefix("README") }
            for name in names { #expect(known.contains(name), "Tests/Fuzz/\(kind)/\(name) is not a fuzz target") }
        }
    }

    /// The corpus and the crash inputs of one target run through it without a finding.
    @Test(arguments: FuzzTarget.allCases)
    func replay(_ target: FuzzTarget) throws {
        let files = try Self.inputs("corpus", target) + Self.inputs("crashes", target)
        #expect(!files.isEmpty)
        for file in files {
            target.run([UInt8](try Data(contentsOf: file)))
        }
    }
}
