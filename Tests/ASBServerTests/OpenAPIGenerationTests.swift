@testable import ASBServer
import Foundation
import Testing
import Vapor

/// The API's Swift code is generated from openapi.yaml ahead of time (scripts/generate-openapi.sh)
/// and committed. These tests keep the two from drifting apart: a change to the contract, its
/// generator configuration or a generated file without running the script fails here.
@Suite("The API's generated code")
struct OpenAPIGenerationTests {
    /// The package's root, found from this file's path (Tests/ASBServerTests/…).
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let generatedFolder = "Sources/ASBServer/API/Generated"

    /// The file's SHA-256 in hex, as the server's `TokenHash` writes checksums (and `sha256sum` does).
    static func sha256(ofFileAt path: String) throws -> String {
        TokenHash.of(data: try Data(contentsOf: root.appendingPathComponent(path)))
    }

    @Test("Is the code of openapi.yaml and its configuration as they stand (else run scripts/generate-openapi.sh)")
    func matchesTheContract() throws {
        let stamped = OpenAPIGeneration.sha256
        #expect(stamped.keys.contains("Sources/ASBServer/openapi.yaml"))
        #expect(stamped.keys.contains("scripts/openapi-generator/openapi-generator-config.yaml"))
        for (path, digest) in stamped.sorted(by: { $0.key < $1.key }) {
            let actual = try Self.sha256(ofFileAt: path)
            #expect(actual == digest, "\(path) has changed since scripts/generate-openapi.sh last ran: run it and commit what it writes")
        }
    }

    @Test("Holds exactly the files the generator wrote, and the generator is the one scripts/openapi-generator pins")
    func noStrayFiles() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent(Self.generatedFolder).path)
        let stamped = Set(OpenAPIGeneration.sha256.keys.filter { $0.hasPrefix(Self.generatedFolder + "/") }
            .map { String($0.dropFirst(Self.generatedFolder.count + 1)) })
        #expect(stamped.contains("Types.swift") && stamped.contains("Server.swift"))
        #expect(Set(names) == stamped.union(["OpenAPIGeneration.swift"]), "files in \(Self.generatedFolder) that the generator did not write, or that are missing")

        let manifest = try String(contentsOf: Self.root.appendingPathComponent("scripts/openapi-generator/Package.swift"), encoding: .utf8)
        let version = try #require(OpenAPIGeneration.generator.split(separator: " ").last)
        #expect(manifest.contains("swift-openapi-generator.git\", exact: \"\(version)\""), "scripts/openapi-generator pins another version than \(OpenAPIGeneration.generator): run scripts/generate-openapi.sh")
    }

    @Test("The document the server publishes is the one the code was generated from")
    func servedDocumentIsTheSource() async throws {
        try await TestApp.run { t in
            let reply = try await t.send(.GET, "/api/v1/openapi.yaml")
            #expect(reply.status == .ok)
            let served = TokenHash.of(data: Data(reply.text.utf8))
            #expect(served == OpenAPIGeneration.sha256["Sources/ASBServer/openapi.yaml"])
        }
    }
}
