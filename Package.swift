// swift-tools-version:6.0
//
// clvfit: customer-lifetime-value models (BG/NBD, Gamma-Gamma, ...) fitted by maximum likelihood.
// Layout follows the data flow: CLVKit/{Data, Models, Estimation, ModelFile, Scoring, Evaluation};
// numerics and the optimiser are separate, model-agnostic targets; the CLI is thin.
import PackageDescription

let package = Package(
    name: "clvfit",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "CLVKit", targets: ["CLVKit"]),
        .executable(name: "clvfit", targets: ["clvfit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
    ],
    targets: [
        // C declarations of the Fortran LAPACK routines used; links Debian's liblapack (OpenBLAS).
        .systemLibrary(name: "CLAPACK", path: "Sources/CLAPACK"),
        // Special functions, log-space helpers, dense matrices and throwing LAPACK wrappers.
        .target(name: "CLVNumerics", dependencies: [
            "CLAPACK",
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        // Model-agnostic maximiser: Newton steps with LAPACK linear algebra and a line search.
        .target(name: "CLVOptimize", dependencies: ["CLVNumerics"]),
        // Header-only C helpers of the data stage (a prefetch hint for the customer-table lookups).
        .target(name: "CLVShims"),
        // The library: data → models → estimation → model file → scoring → evaluation.
        .target(name: "CLVKit", dependencies: [
            "CLVNumerics", "CLVOptimize", "CLVShims",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The command-line tool: parsing and printing only.
        .executableTarget(name: "clvfit", dependencies: [
            "CLVKit",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // `make bench`: timings and peak memory in release mode.
        .executableTarget(name: "clvfit-bench", dependencies: ["CLVKit", "CLVTestSupport"]),
        // `make fuzz`: the fuzz targets (raw bytes into the readers, invariants checked), and
        // the driver libFuzzer links (docs/fuzzing.md); the corpus is replayed in the tests.
        .target(name: "CLVFuzzTargets", dependencies: ["CLVKit"]),
        .executableTarget(name: "clvfit-fuzz", dependencies: ["CLVFuzzTargets"]),
        // Shared test helpers: tolerances, gradient checks, seeded simulation.
        .target(name: "CLVTestSupport", dependencies: ["CLVKit"]),
        .testTarget(name: "CLVNumericsTests", dependencies: ["CLVNumerics", "CLVTestSupport"]),
        .testTarget(name: "CLVOptimizeTests", dependencies: ["CLVOptimize", "CLVTestSupport"]),
        .testTarget(name: "CLVKitTests", dependencies: ["CLVKit", "CLVOptimize", "CLVTestSupport"]),
        .testTarget(name: "clvfitEndToEndTests", dependencies: ["CLVKit", "CLVNumerics", "CLVTestSupport"]),
        .testTarget(name: "CLVFuzzReplayTests", dependencies: ["CLVFuzzTargets", "CLVTestSupport"]),
    ]
)
