// The fuzz driver of `make fuzz` (docs/fuzzing.md): one binary for every target of
// CLVFuzzTargets, chosen by the environment variable CLVFIT_FUZZ_TARGET.
//
// Built for fuzzing (`-sanitize=fuzzer,address -DCLVFIT_LIBFUZZER`), it is a libFuzzer target:
// its `main` hands the command line to libFuzzer (LLVMFuzzerRunDriver), which calls the
// target per input. In the ordinary build
// it has a `main` of its own that runs the target once per file given, so that the package
// builds and links as usual (an executable without `main` would not link) and a crash input
// can be run under a debugger without libFuzzer.
import CLVFuzzTargets
#if canImport(Glibc)
import Glibc
#endif

/// Writes `message` and a line end to standard error.
func complain(_ message: String) {
    var line = message + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// The target CLVFIT_FUZZ_TARGET names (an unknown or missing name stops with the list).
func selectedTarget() -> FuzzTarget {
    let name = getenv("CLVFIT_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        let known = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        complain("clvfit-fuzz: set CLVFIT_FUZZ_TARGET to one of: \(known)")
        exit(2)
    }
    return target
}

#if CLVFIT_LIBFUZZER
nonisolated(unsafe) var fuzzTarget = FuzzTarget.number

/// libFuzzer's entry for a program with its own `main` (SwiftPM names the executable's entry
/// point itself, so libFuzzer's `main` cannot be the program's): parses the libFuzzer flags
/// in `argv` and runs the fuzzing loop, calling `callback` per input.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@main
struct FuzzMain {
    static func main() {
        fuzzTarget = selectedTarget()
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
            fuzzTarget.run(bytes)
            return 0
        })
    }
}
#else
@main
struct FuzzReplay {
    /// `CLVFIT_FUZZ_TARGET=number clvfit-fuzz FILE...`: runs the target on each file.
    static func main() {
        let target = selectedTarget()
        for path in CommandLine.arguments.dropFirst() {
            guard let file = fopen(path, "rb") else {
                complain("clvfit-fuzz: cannot open \(path)")
                exit(1)
            }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = fread(&chunk, 1, chunk.count, file)
                if n <= 0 { break }
                bytes += chunk[..<n]
            }
            fclose(file)
            target.run(bytes)
            print("\(path): ok")
        }
    }
}
#endif
