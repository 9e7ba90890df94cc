// swift-tools-version:6.2
//
// Benchmarks for ASB Casework, kept in their own package so the main package's build and CI
// never build ordo-one/benchmark. Run from this directory:
//
//     swift package --allow-writing-to-package-directory benchmark
//
// See README.md.
import PackageDescription

let package = Package(
    name: "asb-casework-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "asb-casework", path: ".."),
        // The MallocInterposer trait gives the malloc metrics without jemalloc (not on this
        // machine). Naming the traits also turns off the default RuntimeInterposer trait.
        .package(
            url: "https://github.com/ordo-one/benchmark", from: "1.38.1",
            traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "Deadlines",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ASBCore", package: "asb-casework"),
            ],
            path: "Benchmarks/Deadlines",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark")
            ]
        ),
        // The other rules every request or figure runs: working time elapsed, risk scoring,
        // percentiles, postcodes and the MIME parser.
        .executableTarget(
            name: "CoreRules",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ASBCore", package: "asb-casework"),
            ],
            path: "Benchmarks/CoreRules",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark")
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
