// swift-tools-version:6.2
// The OpenAPI generator on its own, for scripts/generate-openapi.sh: the server's package does not
// depend on it, so its build (OpenAPIKit, Yams, ArgumentParser and the tool, about two minutes on
// 2 cores) is not part of every clean build and every CI run. The version is exact so that the
// same openapi.yaml always gives the same code; the stamp the script writes records it.
import PackageDescription

let package = Package(
    name: "openapi-generator",
    dependencies: [
        .package(url: "https://github.com/apple/swift-openapi-generator.git", exact: "1.14.3")
    ],
    targets: []
)
