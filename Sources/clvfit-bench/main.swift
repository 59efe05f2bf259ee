// `make bench`: wall time, peak memory and throughput of clvfit's main jobs, in release mode.
//
// Every workload runs the release `clvfit` binary as a child process, so the figures are what a
// user sees (process start, reading, fitting, writing) and peak memory is the child's own
// maximum resident set (wait4 rusage). Linux carries a process's memory high-water mark across
// exec, and posix_spawn starts the child in the runner's address space, so the runner itself
// must stay small: it generates the synthetic inputs in a separate child (`--generate`) rather
// than in its own memory.
import CLVKit
import CLVTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct Measurement {
    var workload: String
    var size: String
    var seconds: Double
    var peakMB: Double
    var throughput: String
}

/// Runs a command, returning wall seconds and the child's peak RSS in MB; exits on failure.
func measure(_ arguments: [String], stdout: String = "/dev/null") -> (seconds: Double, peakMB: Double) {
    var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    let argv = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let start = DispatchTime.now().uptimeNanoseconds
    guard posix_spawn(&pid, arguments[0], &actions, nil, argv, environ) == 0 else {
        fatalError("cannot start \(arguments[0])")
    }
    var status: Int32 = 0
    var usage = rusage()
    wait4(pid, &status, 0, &usage)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    guard status == 0 else {
        FileHandle.standardError.write(Data("bench: \(arguments.joined(separator: " ")) failed (status \(status))\n".utf8))
        exit(1)
    }
    return (seconds, Double(usage.ru_maxrss) / 1024)  // ru_maxrss is in KiB on Linux
}

/// Best of `repeats` runs (the least disturbed by the rest of the machine); peak memory of that run.
func best(_ repeats: Int, _ arguments: [String]) -> (seconds: Double, peakMB: Double) {
    (0..<repeats).map { _ in measure(arguments) }.min { $0.seconds < $1.seconds }!
}

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let clvfit = root.appendingPathComponent(".build/release/clvfit").path
let work = root.appendingPathComponent(".build/bench")
try? FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
guard FileManager.default.isExecutableFile(atPath: clvfit) else {
    print("bench: \(clvfit) is missing; run `make bench` (it builds in release mode first).")
    exit(1)
}
var results: [Measurement] = []
func log(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

/// The synthetic inputs, each written by `clvfit-bench --generate NAME PATH` in its own process.
enum Input: String {
    case bgnbdSummary, bgnbdSummary100k, paretoSummary100k, paretoSummary1M, transactionLog, transactionLog5M
    case bgnbdCovariates1M, paretoCovariates100k
}

/// The covariate models the covariate benchmarks simulate from: two covariates per process,
/// `binary` ~ Bernoulli(0.4) and `normal` ~ N(0, 1), continuous times.
let bgnbdWithCovariates = try! CovariatePurchaseModelOf(base: BGNBD(r: 0.24, alpha: 4.41, a: 0.79, b: 2.43),
                                                         purchaseCovariates: ["binary", "normal"], dropoutCovariates: ["binary", "normal"],
                                                         coefficients: [0.3, 0.2, 0.2, -0.1, -0.2, 0.15])
let paretoWithCovariates = try! CovariatePurchaseModelOf(base: ParetoNBD(r: 0.55, alpha: 10.5, s: 0.61, beta: 11.7),
                                                          purchaseCovariates: ["binary", "normal"], dropoutCovariates: ["binary", "normal"],
                                                          coefficients: [0.3, 0.2, 0.4, -0.2])

/// A simulated summary at `path` and its covariates at `path`.covariates.csv.
func writeWithCovariates(_ table: CustomerSummaryTable, _ design: CovariateDesign, _ path: String, covariatesPath: String) throws {
    var text = "customer_id,binary,normal\n"
    for i in 0..<table.count {
        text += "\(table.customerIDs[i]),\(SummaryCSV.format(design.purchase.columns[0][i])),\(SummaryCSV.format(design.purchase.columns[1][i]))\n"
    }
    try AtomicOutput.write(Data(text.utf8), to: covariatesPath)
    try SummaryCSV.write(table, to: path)
}

func generate(_ input: Input, _ path: String) throws {
    switch input {
    case .bgnbdSummary, .bgnbdSummary100k:
        let customers = input == .bgnbdSummary ? 1_000_000 : 100_000
        log("bench: simulating \(grouped(customers)) BG/NBD + Gamma-Gamma customers (seed 42)…")
        let table = Simulate.bgnbd(customers: customers, r: 0.24, alpha: 4.41, a: 0.79, b: 2.43,
                                   spend: (p: 6, q: 3.7, gamma: 15), seed: 42)
        try SummaryCSV.write(table, to: path)
    case .paretoSummary100k, .paretoSummary1M:
        let customers = input == .paretoSummary100k ? 100_000 : 1_000_000
        log("bench: simulating \(grouped(customers)) Pareto/NBD customers (seed 7)…")
        let table = Simulate.paretoNBD(customers: customers, r: 0.55, alpha: 10.5, s: 0.61, beta: 11.7,
                                       observation: 20...80, seed: 7)
        try SummaryCSV.write(table, to: path)
    case .bgnbdCovariates1M:
        log("bench: simulating 1,000,000 BG/NBD customers with covariates (seed 42)…")
        let (table, design) = try Simulate.withCovariates(bgnbdWithCovariates, customers: 1_000_000, seed: 42) { rng, theta, T in
            Simulate.bgnbdCustomer(&rng, r: theta[0], alpha: theta[1], a: theta[2], b: theta[3], T: T)
        }
        try writeWithCovariates(table, design, path, covariatesPath: covariatesPath(of: input))
    case .paretoCovariates100k:
        log("bench: simulating 100,000 Pareto/NBD customers with covariates (seed 7)…")
        let (table, design) = try Simulate.withCovariates(paretoWithCovariates, customers: 100_000, observation: 20...80, seed: 7) { rng, theta, T in
            Simulate.paretoNBDCustomer(&rng, r: theta[0], alpha: theta[1], s: theta[2], beta: theta[3], T: T)
        }
        try writeWithCovariates(table, design, path, covariatesPath: covariatesPath(of: input))
    case .transactionLog, .transactionLog5M:
        let (rows, customers) = input == .transactionLog ? (10_000_000, 2_000_000) : (20_000_000, 5_000_000)
        log("bench: writing a \(grouped(rows))-row transaction log of up to \(grouped(customers)) customers (seed 42)…")
        var rng = SplitMix64(seed: 42)
        let handle = FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path)! : nil
        guard let handle else { fatalError("cannot write \(path)") }
        var buffer = Array("customer_id,date,amount\n".utf8)
        let days = 540
        let start = CalendarDate("2023-01-01")!.daysSinceEpoch
        for k in 0..<rows {
            let day = CalendarDate(daysSinceEpoch: start + Int32(k * days / rows))
            let id = 1 + Int(rng.next() % UInt64(customers))
            let cents = 100 + Int(rng.next() % 20_000)
            buffer.append(contentsOf: "\(id),\(day),\(cents / 100).\(String(format: "%02d", cents % 100))\n".utf8)
            if buffer.count > 8 << 20 { handle.write(Data(buffer)); buffer.removeAll(keepingCapacity: true) }
        }
        handle.write(Data(buffer))
        try handle.close()
    }
}

/// A 5,000,000-row transaction log whose customer ids have one of the forms shops export, in
/// one of three row orders (issue 15): `clvfit-bench --generate log-FORM-ORDER-RPC PATH`, e.g.
/// `log-uuid-random-2.5`. Rows are drawn in date order first (day k·540/rows from 2023-01-01,
/// customer uniform over rows/RPC ids, seed 42), then kept in date order, sorted by customer
/// (stably, so each customer's rows stay in date order), or shuffled (seed 43).
struct IDLog {
    enum Form: String, CaseIterable { case numeric, prefixed, uuid }
    enum Order: String, CaseIterable { case date, customer, random }
    var form: Form
    var order: Order
    var rowsPerCustomer: Double
    static let rows = 5_000_000

    var name: String { "log-\(form.rawValue)-\(order.rawValue)-\(rowsPerCustomer == 5 ? "5" : "2.5")" }

    init(form: Form, order: Order, rowsPerCustomer: Double) {
        (self.form, self.order, self.rowsPerCustomer) = (form, order, rowsPerCustomer)
    }

    init?(name: String) {
        let parts = name.split(separator: "-")
        guard parts.count == 4, parts[0] == "log", let form = Form(rawValue: String(parts[1])),
              let order = Order(rawValue: String(parts[2])), let rpc = Double(parts[3]) else { return nil }
        self.init(form: form, order: order, rowsPerCustomer: rpc)
    }

    /// Appends customer `id`'s text: `123456`, `c00123456`, or a UUID made from the id's hash.
    func appendID(_ id: Int, to buffer: inout [UInt8]) {
        switch form {
        case .numeric: buffer.append(contentsOf: String(id).utf8)
        case .prefixed:
            buffer.append(UInt8(ascii: "c"))
            let digits = Array(String(id).utf8)
            buffer.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(0, 8 - digits.count)))
            buffer.append(contentsOf: digits)
        case .uuid:
            var rng = SplitMix64(seed: UInt64(id))
            let hi = rng.next(), lo = rng.next()
            let hex = Array("0123456789abcdef".utf8)
            for i in 0..<32 {
                if i == 8 || i == 12 || i == 16 || i == 20 { buffer.append(UInt8(ascii: "-")) }
                let word = i < 16 ? hi : lo
                buffer.append(hex[Int(word >> UInt64(60 - 4 * (i % 16)) & 0xF)])
            }
        }
    }

    func write(to path: String) throws {
        let rows = Self.rows, customers = Int(Double(rows) / rowsPerCustomer)
        log("bench: writing a \(grouped(rows))-row log, \(form.rawValue) ids of up to \(grouped(customers)) customers, \(order.rawValue) order…")
        var rng = SplitMix64(seed: 42)
        var drawn: [(id: Int32, day: Int32, cents: Int32)] = []
        drawn.reserveCapacity(rows)
        for k in 0..<rows {
            drawn.append((Int32(1 + Int(rng.next() % UInt64(customers))), Int32(k * 540 / rows), Int32(100 + Int(rng.next() % 20_000))))
        }
        switch order {
        case .date: break
        case .customer: drawn.sort { ($0.id, $0.day) < ($1.id, $1.day) }
        case .random:
            var shuffle = SplitMix64(seed: 43)
            for i in stride(from: rows - 1, to: 0, by: -1) { drawn.swapAt(i, Int(shuffle.next() % UInt64(i + 1))) }
        }
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            fatalError("cannot write \(path)")
        }
        let start = CalendarDate("2023-01-01")!.daysSinceEpoch
        let days = (0..<540).map { Array("\(CalendarDate(daysSinceEpoch: start + Int32($0)))".utf8) }
        var buffer = Array("customer_id,date,amount\n".utf8)
        for row in drawn {
            appendID(Int(row.id), to: &buffer)
            buffer.append(UInt8(ascii: ","))
            buffer.append(contentsOf: days[Int(row.day)])
            buffer.append(UInt8(ascii: ","))
            buffer.append(contentsOf: String(row.cents / 100).utf8)
            buffer.append(UInt8(ascii: "."))
            buffer.append(UInt8(ascii: "0") + UInt8(row.cents % 100 / 10))
            buffer.append(UInt8(ascii: "0") + UInt8(row.cents % 10))
            buffer.append(UInt8(ascii: "\n"))
            if buffer.count > 8 << 20 { handle.write(Data(buffer)); buffer.removeAll(keepingCapacity: true) }
        }
        handle.write(Data(buffer))
        try handle.close()
    }
}

/// Writes `input` to `path` (unless it is there already) in a child process: to a temporary
/// name first, so an interrupted run never leaves a truncated input behind.
func ensureInput(_ input: Input, _ path: String) { ensureInput(named: input.rawValue, path) }

/// ``ensureInput(_:_:)`` for any name `--generate` knows (an ``Input`` or an ``IDLog``).
func ensureInput(named name: String, _ path: String) {
    guard !FileManager.default.fileExists(atPath: path) else { return }
    let partial = path + ".partial"
    _ = measure(["/proc/self/exe", "--generate", name, partial])
    guard rename(partial, path) == 0 else { fatalError("cannot rename \(partial) to \(path)") }
}

/// Where the covariates of a covariate benchmark's summary are.
func covariatesPath(of input: Input) -> String { work.appendingPathComponent("\(input.rawValue)-covariates.csv").path }

/// 1000000 → "1,000,000" (locale-independent).
func grouped(_ n: Int) -> String {
    var digits = Array(String(n)), out = ""
    while digits.count > 3 { out = "," + String(digits.suffix(3)) + out; digits.removeLast(3) }
    return String(digits) + out
}

if CommandLine.arguments.count == 4, CommandLine.arguments[1] == "--generate", let input = Input(rawValue: CommandLine.arguments[2]) {
    try generate(input, CommandLine.arguments[3])
    exit(0)
}
if CommandLine.arguments.count == 4, CommandLine.arguments[1] == "--generate", let idLog = IDLog(name: CommandLine.arguments[2]) {
    try idLog.write(to: CommandLine.arguments[3])
    exit(0)
}

/// Where `train --covariates` spends its time, phase by phase in process (for tuning; not part
/// of the table): `clvfit-bench --covariate-phases` runs only this.
func covariatePhases() throws {
    func time<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let r = try body()
        log(String(format: "  %-30@ %.3f s", label as NSString, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9))
        return r
    }
    func phases<M: CovariatePurchaseModel>(_ type: M.Type, _ input: Input) throws {
        log("\(M.displayName) with covariates (\(input.rawValue), 2+2):")
        let summary = work.appendingPathComponent("\(input.rawValue)-summary.csv").path
        ensureInput(input, summary)
        let table = try time("read summary") { try SummaryCSV.read(path: summary, unit: .week) }
        let file = try time("read covariate file") { try CovariateFile.read(path: covariatesPath(of: input), customerColumn: nil) }
        let made = try time("design") { try file.design(for: table.customerIDs, purchase: nil, dropout: nil) }
        let history = try time("PurchaseHistory+compress") { try PurchaseHistory(table).compressed() }
        let plain = try time("fit without covariates") { try Estimator().fit(M.self, to: history) }
        let fit = try time("fit with covariates") { try Estimator().fit(M.self, to: history, covariates: made.design, start: plain.model) }
        log("  iterations: \(plain.iterations) without, \(fit.fit.iterations) with")
        _ = time("summary digest") { Training.summaryDigest(table) }
    }
    try phases(BGNBD.self, .bgnbdCovariates1M)
    try phases(ParetoNBD.self, .paretoCovariates100k)
}
if CommandLine.arguments.contains("--covariate-phases") {
    try covariatePhases()
    exit(0)
}

// 1. CDNOW sample: summarize + BG/NBD + Gamma-Gamma from the raw log.
let cdnow = root.appendingPathComponent("datasets/cdnow_sample.csv").path
do {
    let m = best(5, [clvfit, "train", cdnow, "--calibration-end", "1997-09-30", "--observation-end", "1998-06-30",
                     "-o", work.appendingPathComponent("cdnow.json").path, "--quiet"])
    results.append(Measurement(workload: "train CDNOW sample (log → BG/NBD + GG)", size: "6,919 rows / 2,357 customers",
                               seconds: m.seconds, peakMB: m.peakMB, throughput: String(format: "%.0f customers/s", 2357 / m.seconds)))
}

// 2. 1,000,000 simulated customers (continuous times: no two compress), train --summary.
let simulated = work.appendingPathComponent("sim1m-summary.csv").path
ensureInput(.bgnbdSummary, simulated)
do {
    let model = work.appendingPathComponent("sim1m.json").path
    let m = best(3, [clvfit, "train", "--summary", simulated, "-o", model, "--quiet"])
    let file = try ModelFile.load(path: model)
    let p = file.purchaseModel.parameters
    log(String(format: "bench: 1M fit: r=%.4f alpha=%.4f a=%.4f b=%.4f LL=%.2f (truth 0.24, 4.41, 0.79, 2.43)",
               p["r"]!, p["alpha"]!, p["a"]!, p["b"]!, file.purchaseModel.logLikelihood))
    if let s = file.spendModel {
        log(String(format: "bench: 1M spend: p=%.4f q=%.4f gamma=%.4f LL=%.2f (truth 6, 3.7, 15)",
                   s.parameters["p"]!, s.parameters["q"]!, s.parameters["gamma"]!, s.logLikelihood))
    }
    results.append(Measurement(workload: "train --summary, simulated (read + BG/NBD + GG)", size: "1,000,000 customers",
                               seconds: m.seconds, peakMB: m.peakMB, throughput: String(format: "%.2f M customers/s", 1 / m.seconds)))
}

// 3. Pareto/NBD on 100,000 and 1,000,000 simulated customers (continuous times: no compression),
//    purchase model only (no amounts in the summary).
for customers in [100_000, 1_000_000] {
    let summary = work.appendingPathComponent("pnbd\(customers)-summary.csv").path
    ensureInput(customers == 100_000 ? .paretoSummary100k : .paretoSummary1M, summary)
    let model = work.appendingPathComponent("pnbd\(customers).json").path
    let m = best(3, [clvfit, "train", "--summary", summary, "--model", "pareto-nbd", "-o", model, "--quiet"])
    let file = try ModelFile.load(path: model)
    let p = file.purchaseModel.parameters
    log(String(format: "bench: Pareto/NBD %d: r=%.4f alpha=%.4f s=%.4f beta=%.4f LL=%.2f (truth 0.55, 10.5, 0.61, 11.7)",
               customers, p["r"]!, p["alpha"]!, p["s"]!, p["beta"]!, file.purchaseModel.logLikelihood))
    results.append(Measurement(workload: "train --summary --model pareto-nbd, simulated", size: "\(grouped(customers)) customers",
                               seconds: m.seconds, peakMB: m.peakMB, throughput: String(format: "%.2f M customers/s", Double(customers) / 1e6 / m.seconds)))
}

// 3b. Pareto/NBD on summaries simulated from BG/NBD (section 2's 1M and its 100k sibling), where
//     the fit is slow (issue 15: ₂F₁ with parameter derivatives per customer); Gamma-Gamma too.
for (input, customers) in [(Input.bgnbdSummary100k, 100_000), (Input.bgnbdSummary, 1_000_000)] {
    let summary = work.appendingPathComponent(customers == 1_000_000 ? "sim1m-summary.csv" : "sim100k-summary.csv").path
    ensureInput(input, summary)
    let model = work.appendingPathComponent("pnbd-on-bgnbd\(customers).json").path
    let m = best(3, [clvfit, "train", "--summary", summary, "--model", "pareto-nbd", "-o", model, "--quiet"])
    results.append(Measurement(workload: "train --summary --model pareto-nbd, BG/NBD-sim.", size: "\(grouped(customers)) customers",
                               seconds: m.seconds, peakMB: m.peakMB, throughput: String(format: "%.2f M customers/s", Double(customers) / 1e6 / m.seconds)))
}

// 4. summarize a 10,000,000-row transaction log (~250 MB), dates in order as shops export them.
let bigLog = work.appendingPathComponent("tx10m.csv").path
let rows = 10_000_000
ensureInput(.transactionLog, bigLog)
do {
    let bytes = Double((try FileManager.default.attributesOfItem(atPath: bigLog)[.size] as? NSNumber)?.intValue ?? 0)
    let m = best(5, [clvfit, "summarize", bigLog, "--unit", "day", "-o", work.appendingPathComponent("tx10m-summary.csv").path])
    results.append(Measurement(workload: "summarize transaction log", size: String(format: "10,000,000 rows / %.0f MB", bytes / 1e6),
                               seconds: m.seconds, peakMB: m.peakMB,
                               throughput: String(format: "%.0f MB/s, %.1f M rows/s", bytes / 1e6 / m.seconds, Double(rows) / 1e6 / m.seconds)))
}

// 5. The same with 4.9 million customers (ids drawn from 5,000,000) in 20,000,000 rows (~500 MB):
// memory grows with the customers, not the rows (target: under 1 GB).
let biggerLog = work.appendingPathComponent("tx20m.csv").path
ensureInput(.transactionLog5M, biggerLog)
do {
    let bytes = Double((try FileManager.default.attributesOfItem(atPath: biggerLog)[.size] as? NSNumber)?.intValue ?? 0)
    let m = best(5, [clvfit, "summarize", biggerLog, "--unit", "day", "-o", "/dev/null"])
    results.append(Measurement(workload: "summarize, 4.9 M customers (memory)", size: String(format: "20,000,000 rows / %.0f MB", bytes / 1e6),
                               seconds: m.seconds, peakMB: m.peakMB,
                               throughput: String(format: "%.0f MB/s, %.1f M rows/s", bytes / 1e6 / m.seconds, 20.0 / m.seconds)))
}

// 5b. summarize 5,000,000-row logs whose ids are numeric, prefixed (`c00123456`) or UUIDs, in
//     date order, sorted by customer, or shuffled, at 2.5 and 5 rows per customer (issue 15's
//     goals: ≥ 300 MB/s in date order, ≥ 150 MB/s shuffled, whatever the ids). Each log is
//     generated once into .build/bench (about 3 GB in all).
for rowsPerCustomer in [2.5, 5] {
    for form in IDLog.Form.allCases {
        for order in IDLog.Order.allCases {
            let variant = IDLog(form: form, order: order, rowsPerCustomer: rowsPerCustomer)
            let path = work.appendingPathComponent("\(variant.name).csv").path
            ensureInput(named: variant.name, path)
            let bytes = Double((try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0)
            let m = best(3, [clvfit, "summarize", path, "--unit", "day", "-o", "/dev/null"])
            results.append(Measurement(workload: "summarize, \(form.rawValue) ids, \(order.rawValue) order",
                                       size: String(format: "5 M rows, %.1f/customer, %.0f MB", rowsPerCustomer, bytes / 1e6),
                                       seconds: m.seconds, peakMB: m.peakMB,
                                       throughput: String(format: "%.0f MB/s, %.1f M rows/s", bytes / 1e6 / m.seconds, 5 / m.seconds)))
        }
    }
}

// 6. Covariates: the same model with and without two covariates per process (one binary, one
//    normal), on customers simulated from the covariate model; runs interleaved (with, without,
//    with, …) so that the machine's load hits both alike; best of 3 each.
for (input, model, customers) in [(Input.bgnbdCovariates1M, "bgnbd", 1_000_000), (.paretoCovariates100k, "pareto-nbd", 100_000)] {
    let summary = work.appendingPathComponent("\(input.rawValue)-summary.csv").path
    ensureInput(input, summary)
    let out = work.appendingPathComponent("\(input.rawValue).json").path
    let with = [clvfit, "train", "--summary", summary, "--model", model, "--covariates", covariatesPath(of: input), "-o", out, "--quiet"]
    let without = [clvfit, "train", "--summary", summary, "--model", model, "-o", out + ".plain", "--quiet"]
    var runs: [(with: (seconds: Double, peakMB: Double), without: (seconds: Double, peakMB: Double))] = []
    for _ in 0..<3 { runs.append((measure(with), measure(without))) }
    let w = runs.map(\.with).min { $0.seconds < $1.seconds }!, o = runs.map(\.without).min { $0.seconds < $1.seconds }!
    let file = try ModelFile.load(path: out)
    let truth = model == "bgnbd" ? bgnbdWithCovariates.parameterValues : paretoWithCovariates.parameterValues
    log("bench: \(model) with covariates, \(grouped(customers)): " + zip(file.purchaseModel.parameterNames, zip(file.purchaseModel.parameterValues, truth))
        .map { String(format: "%@ %.4f (%.2f)", $0.0, $0.1.0, $0.1.1) }.joined(separator: ", ") + " (estimate (truth))")
    results.append(Measurement(workload: "train --summary --model \(model) --covariates (2+2)", size: "\(grouped(customers)) customers",
                               seconds: w.seconds, peakMB: w.peakMB,
                               throughput: String(format: "%.2f× the %.3f s / %.0f MB without covariates", w.seconds / o.seconds, o.seconds, o.peakMB)))
}

// 7. Scoring 1,000,000 customers with each continuous-time purchase model: 12-month CLV against
//    --lifetime (DERT), interleaved, best of 3 each. Pareto/NBD: the model of section 3, no spend
//    model; BG/NBD: section 2's model with Gamma-Gamma; MBG/NBD trained here on section 2's
//    summary (its a = 0.976 is the near-1 case of E[X(t)]'s closed form).
do {
    let out = work.appendingPathComponent("scores.csv").path
    let simulated = work.appendingPathComponent("sim1m-summary.csv").path
    let mbg = work.appendingPathComponent("mbg1m.json").path
    _ = measure([clvfit, "train", "--summary", simulated, "--model", "mbgnbd", "-o", mbg, "--quiet"])
    for (name, model, summary) in [("pareto-nbd", work.appendingPathComponent("pnbd1000000.json").path, work.appendingPathComponent("pnbd1000000-summary.csv").path),
                                   ("bgnbd", work.appendingPathComponent("sim1m.json").path, simulated), ("mbgnbd", mbg, simulated)] {
        let horizon = [clvfit, "score", "--model", model, "--summary", summary, "-o", out]
        let lifetime = horizon + ["--lifetime"]
        var runs: [(horizon: (seconds: Double, peakMB: Double), lifetime: (seconds: Double, peakMB: Double))] = []
        for _ in 0..<3 { runs.append((measure(horizon), measure(lifetime))) }
        let h = runs.map(\.horizon).min { $0.seconds < $1.seconds }!, l = runs.map(\.lifetime).min { $0.seconds < $1.seconds }!
        results.append(Measurement(workload: "score --model \(name) (12 months)", size: "1,000,000 customers", seconds: h.seconds, peakMB: h.peakMB,
                                   throughput: String(format: "%.2f M customers/s", 1 / h.seconds)))
        results.append(Measurement(workload: "score --model \(name) --lifetime", size: "1,000,000 customers", seconds: l.seconds, peakMB: l.peakMB,
                                   throughput: String(format: "%.2f× the 12-month score", l.seconds / h.seconds)))
    }
}

// The table.
func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
print(pad("workload", 50) + pad("size", 32) + pad("wall s", 10) + pad("peak MB", 10) + "throughput")
for r in results {
    print(pad(r.workload, 50) + pad(r.size, 32) + pad(String(format: "%.3f", r.seconds), 10)
          + pad(String(format: "%.0f", r.peakMB), 10) + r.throughput)
}
print("(\(ProcessInfo.processInfo.activeProcessorCount) cores; best of 5 (CDNOW, summarize) or 3 runs; peak MB = the clvfit process's maximum resident set)")

// Where the 1M-customer training time goes, in process (for tuning; not part of the table).
if CommandLine.arguments.contains("--phases") {
    func time<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let r = try body()
        log(String(format: "  %-28@ %.3f s", label as NSString, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9))
        return r
    }
    let table = try time("read summary") { try SummaryCSV.read(path: simulated, unit: .week) }
    let purchase = try time("PurchaseHistory+compress") { try PurchaseHistory(table).compressed() }
    let bg = try time("fit BG/NBD") { try Estimator().fit(BGNBD.self, to: purchase) }
    log("  BG/NBD iterations \(bg.iterations), rows \(purchase.count)")
    let spend = try time("SpendHistory") { try SpendHistory(table) }
    let gg = try time("fit Gamma-Gamma") { try Estimator().fit(GammaGamma.self, to: spend) }
    log("  GG iterations \(gg.iterations)")
    _ = time("summary digest") { Training.summaryDigest(table) }

    log("covariates (BG/NBD, 1M, 2+2):")
    let covSummary = work.appendingPathComponent("\(Input.bgnbdCovariates1M.rawValue)-summary.csv").path
    let covTable = try time("read summary") { try SummaryCSV.read(path: covSummary, unit: .week) }
    let file = try time("read covariate file") { try CovariateFile.read(path: covariatesPath(of: .bgnbdCovariates1M), customerColumn: nil) }
    let made = try time("design") { try file.design(for: covTable.customerIDs, purchase: nil, dropout: nil) }
    let history = try time("PurchaseHistory+compress") { try PurchaseHistory(covTable).compressed() }
    let plain = try time("fit BG/NBD") { try Estimator().fit(BGNBD.self, to: history) }
    let fit = try time("fit BG/NBD with covariates") { try Estimator().fit(BGNBD.self, to: history, covariates: made.design, start: plain.model) }
    log("  iterations: \(plain.iterations) without, \(fit.fit.iterations) with")
}
