// swift-tools-version:6.2
// The benchmarks of the hot pure code (ASBCore), with package-benchmark (ordo-one/benchmark).
// A package of its own, so the server's build and `swift test` never build the benchmark tools.
// Run from this directory: `swift package benchmark` (see the README's Performance section).
import PackageDescription

let package = Package(
    name: "asb-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "asb-casework", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "CoreRules",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ASBCore", package: "asb-casework"),
            ],
            path: "Benchmarks/CoreRules",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
