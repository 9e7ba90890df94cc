// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "asb-casework",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "asb", targets: ["asb"]),
        .library(name: "ASBCore", targets: ["ASBCore"]),
        .library(name: "ASBServer", targets: ["ASBServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.0"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
    ],
    targets: [
        // Pure domain rules: no Vapor, no Fluent, no I/O.
        .target(name: "ASBCore"),
        .target(
            name: "ASBServer",
            dependencies: [
                "ASBCore",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "Leaf", package: "leaf"),
            ],
            // Site/Views holds the Leaf templates, Site/Public the CSS and the little JavaScript.
            // The API's code in API/Generated is generated from openapi.yaml ahead of time by
            // scripts/generate-openapi.sh (no build plugin: see that script for why).
            resources: [.copy("openapi.yaml"), .copy("Site")]
        ),
        .executableTarget(
            name: "asb",
            dependencies: [
                "ASBServer",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // What both test targets share: the fixed-seed input mutator of the fuzz tests.
        .target(name: "ASBTestSupport", dependencies: ["ASBCore"], path: "Tests/ASBTestSupport"),
        .testTarget(name: "ASBCoreTests", dependencies: ["ASBCore", "ASBTestSupport"]),
        .testTarget(
            name: "ASBServerTests",
            dependencies: [
                "ASBServer",
                "ASBCore",
                "ASBTestSupport",
                .product(name: "VaporTesting", package: "vapor"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
