import Foundation
import Testing
import CLVTestSupport

/// The reference cannot drift from the commands (issue 11, item 8): every long option that
/// `clvfit COMMAND --help` prints appears in docs/COMMAND.md, the README links every docs page
/// it names (every command page among them), and every relative link of the README and of
/// docs/ leads to a file, and to a heading, that exists.
@Suite struct DocsEndToEndTests {
    static let commands = ["summarize", "train", "score", "evaluate", "report"]

    /// Options each command must have, so that a parser that finds nothing cannot pass.
    static let knownOptions: [String: [String]] = [
        "summarize": ["--unit", "--amount-column", "--date-format", "--max-bad-fraction", "--rejects", "--weighted", "--emit-sql", "--table", "--output", "--quiet", "--help"],
        "train": ["--summary", "--unit", "--model", "--calibration-end", "--on-bad-row", "--output", "--quiet", "--help"],
        "score": ["--model", "--summary", "--horizon", "--horizon-unit", "--discount-rate", "--margin", "--interval", "--spend", "--simple", "--unit", "--help"],
        "evaluate": ["--calibration-end", "--observation-end", "--format", "--compare", "--save-model", "--report", "--model", "--unit", "--help"],
        "report": ["--model", "--summary", "--horizon", "--margin", "--currency", "--value-quantile", "--chance-quantile", "--top", "--segments", "--output", "--help"],
    ]

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent(relativePath), encoding: .utf8)
    }

    /// Every `--name` in `text` (the options a help page defines, and those its texts mention).
    static func longOptions(in text: String) -> Set<String> {
        var found: Set<String> = []
        let characters = Array(text.unicodeScalars)
        var i = 0
        while i + 2 < characters.count {
            defer { i += 1 }
            guard characters[i] == "-", characters[i + 1] == "-",
                  i == 0 || !Self.isNameCharacter(characters[i - 1]),
                  characters[i + 2].properties.isLowercase else { continue }
            var j = i + 2
            while j < characters.count, Self.isNameCharacter(characters[j]) { j += 1 }
            var name = String(String.UnicodeScalarView(characters[i..<j]))
            while name.hasSuffix("-") { name.removeLast() }
            found.insert(name)
        }
        return found
    }

    static func isNameCharacter(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "0" && c <= "9") || c == "-"
    }

    /// The options a help page defines: the long options of each line's signature that starts
    /// with an option at the indentation of the OPTIONS section (`  -o, --output <output>`,
    /// `  --weighted   Write …`; wrapped descriptions are indented further).
    static func definedOptions(inHelp help: String) -> Set<String> {
        var found: Set<String> = []
        for line in help.split(separator: "\n") where line.hasPrefix("  -") {
            let signature = line.dropFirst(2).components(separatedBy: "  ")[0]
            found.formUnion(longOptions(in: signature.components(separatedBy: "<")[0]))
        }
        return found
    }

    /// Whether `page` mentions `option` as a whole name (`--model` is not found in `--model-x`).
    static func mentions(_ page: String, _ option: String) -> Bool {
        longOptions(in: page).contains(option)
    }

    @Test func optionExtractionFindsWholeNames() {
        #expect(Self.longOptions(in: "  -o, --output <output>   Output file; see --date-format, --on-bad-row skip.\n  --x-y-") == ["--output", "--date-format", "--on-bad-row", "--x-y"])
        #expect(Self.longOptions(in: "a --- b, 1--2, --Upper, —dash").isEmpty)
        #expect(!Self.mentions("`--model-file`", "--model") && Self.mentions("`--model bgnbd`", "--model"))
    }

    /// Every long option in `clvfit COMMAND --help` appears in docs/COMMAND.md.
    @Test(arguments: commands)
    func everyOptionInHelpIsInItsDocsPage(command: String) throws {
        let help = try Workspace().run([command, "--help"])
        #expect(help.status == 0, "\(help)")
        let inHelp = Self.longOptions(in: help.stdout)
        let defined = Self.definedOptions(inHelp: help.stdout)
        // The extraction works: it finds the options the command is known to have, each defined
        // on its own line, and nothing else is defined that the text does not contain.
        let known = Set(try #require(Self.knownOptions[command]))
        #expect(known.isSubset(of: defined), "\(command): not found among the defined options: \(known.subtracting(defined).sorted()); found \(defined.sorted())")
        #expect(defined.isSubset(of: inHelp) && defined.count >= known.count)
        let page = try Self.text("docs/\(command).md")
        let missing = inHelp.filter { !Self.mentions(page, $0) }.sorted()
        #expect(missing.isEmpty, "docs/\(command).md does not mention \(missing) of `clvfit \(command) --help`")
    }

    /// The help texts are ASCII: the man pages (`make man`) are generated from them, and
    /// swift-argument-parser's generate-manual drops every other character (`pγ/(q−1)` would
    /// read `p/(q1)` there).
    @Test(arguments: [[]] + commands.map { [$0] })
    func helpIsASCIIForTheManPages(command: [String]) throws {
        let help = try Workspace().run(command + ["--help"])
        #expect(help.status == 0, "\(help)")
        let other = help.stdout.unicodeScalars.filter { !$0.isASCII }
        #expect(other.isEmpty, "clvfit \(command.joined()) --help has non-ASCII characters \(String(String.UnicodeScalarView(other)))")
    }

    /// The README links each command's page, and every page it links exists.
    @Test func readmeLinksEveryDocsPage() throws {
        let readme = try Self.text("README.md")
        let linked = Self.links(in: readme).map(\.path).filter { $0.hasPrefix("docs/") }
        for command in Self.commands {
            #expect(linked.contains("docs/\(command).md"), "README does not link docs/\(command).md")
        }
        #expect(linked.count >= 8, "README links only \(linked)")
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: Fixtures.repositoryRoot.appendingPathComponent("docs").path)
            .filter { $0.hasSuffix(".md") }.map { "docs/\($0)" }
        let unlinked = Set(onDisk).subtracting(linked).sorted()
        #expect(unlinked.isEmpty, "docs pages the README does not link: \(unlinked)")
    }

    /// Every relative link of the README and the docs pages leads to an existing file, and a
    /// `#fragment` to a heading of that file (GitHub's anchors: lower case, punctuation dropped,
    /// spaces as hyphens).
    @Test func relativeLinksResolve() throws {
        let root = Fixtures.repositoryRoot
        let pages = ["README.md"] + (try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("docs").path)
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" })
        var checked = 0
        for page in pages {
            let directory = (page as NSString).deletingLastPathComponent
            for link in Self.links(in: try Self.text(page)) {
                let target = link.path.isEmpty ? page : ((directory as NSString).appendingPathComponent(link.path) as NSString).standardizingPath
                let exists = FileManager.default.fileExists(atPath: root.appendingPathComponent(target).path)
                #expect(exists, "\(page): the link \(link.path)\(link.fragment.map { "#" + $0 } ?? "") leads to no file")
                if exists, let fragment = link.fragment, target.hasSuffix(".md") {
                    let anchors = Self.anchors(in: try Self.text(target))
                    #expect(anchors.contains(fragment), "\(page): \(target) has no heading #\(fragment)")
                }
                checked += 1
            }
        }
        #expect(checked > 40, "only \(checked) links found")
    }

    /// The relative links `[text](path#fragment)` of a Markdown page (not http(s), not mailto).
    static func links(in markdown: String) -> [(path: String, fragment: String?)] {
        var out: [(String, String?)] = []
        var rest = Substring(markdown)
        while let open = rest.range(of: "](") {
            rest = rest[open.upperBound...]
            guard let close = rest.firstIndex(of: ")") else { break }
            let target = String(rest[..<close])
            rest = rest[close...]
            if target.contains("://") || target.hasPrefix("mailto:") || target.contains(" ") { continue }
            let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
            out.append((String(parts[0]), parts.count > 1 ? String(parts[1]) : nil))
        }
        return out
    }

    /// GitHub's anchors for the headings of `markdown` (outside code blocks).
    static func anchors(in markdown: String) -> Set<String> {
        var out: Set<String> = []
        var inCode = false
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inCode.toggle(); continue }
            guard !inCode, line.hasPrefix("#") else { continue }
            let title = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
            var slug = ""
            for c in title.lowercased().unicodeScalars {
                if c == " " { slug += "-" } else if c == "-" || c == "_" || c.properties.isAlphabetic || c.properties.numericType != nil { slug.unicodeScalars.append(c) }
            }
            out.insert(slug)
        }
        return out
    }
}
