import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// The progress callback: once per chunk read, bytes and rows growing, the last report at the
/// file's size.
@Suite struct ReadProgressTests {
    final class Reports: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [ReadProgress] = []
        func add(_ p: ReadProgress) { lock.lock(); items.append(p); lock.unlock() }
        var all: [ReadProgress] { lock.lock(); defer { lock.unlock() }; return items }
    }

    @Test func reportsPerChunkUpToTheFileSize() throws {
        var text = "customer_id,date,amount\n"
        for i in 0..<20_000 { text += "\(i % 700),2024-0\(1 + i % 9)-1\(i % 10),\(i % 17)\n" }
        let ws = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: ws) }
        let path = ws.appendingPathComponent("tx.csv").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let reports = Reports()
        var options = RFMOptions()
        options.csv.chunkSize = 4096
        let outcome = try RFMSummarizer.read(path: path, options: options, progress: { reports.add($0) })
        let size = text.utf8.count
        // Customer rows come out of date order here, so the file is read twice.
        let first = reports.all.filter { $0.pass == 1 }, second = reports.all.filter { $0.pass == 2 }
        #expect(!second.isEmpty)
        for pass in [first, second] {
            // A read fills what the last partial record leaves of the 4 KiB buffer.
            #expect(pass.count >= size / 4096 && pass.count <= 2 * (size / 4096) + 2, "about one report per chunk: \(pass.count)")
            #expect(pass.last?.bytes == size)
            #expect(pass.allSatisfy { $0.totalBytes == size })
            #expect(zip(pass, pass.dropFirst()).allSatisfy { $0.bytes < $1.bytes && $0.rows <= $1.rows })
            #expect((pass.last?.rows ?? 0) > 19_000 && (pass.last?.rows ?? 0) <= 20_000)
        }
        #expect(reports.all == first + second)
        #expect(outcome.rows == 20_000)
    }
}
