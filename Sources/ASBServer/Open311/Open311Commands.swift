import Foundation
import Vapor

/// `asb open311 add-key | revoke | keys`: the operator issues and withdraws Open311 API keys.
struct Open311Commands: AsyncCommandGroup {
    var help: String { "Open311 clients: issue an API key (shown once), revoke one, list them." }

    var commands: [String: any AnyAsyncCommand] { ["add-key": AddKey(), "revoke": Revoke(), "keys": Keys()] }

    struct NameSignature: CommandSignature {
        @Option(name: "name", help: "The client's name, e.g. FixMyStreet") var name: String?
        init() {}
    }

    struct AddKey: AsyncCommand {
        typealias Signature = NameSignature
        var help: String { "Issues a new client its API key; the key is printed once." }

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            try await app.autoMigrate()
            let issued = try await Open311Service(app: app, db: app.db, requestID: nil).issueKey(name: signature.name ?? "", by: .system)
            context.console.output("Open311 client \(issued.client.name): api_key \(issued.key)\nThis key is shown only this once.".consoleText())
        }
    }

    struct Revoke: AsyncCommand {
        typealias Signature = NameSignature
        var help: String { "Stops a client's key working; its requests stay." }

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            try await app.autoMigrate()
            let client = try await Open311Service(app: app, db: app.db, requestID: nil).setActive(false, name: signature.name ?? "", by: .system)
            context.console.output("Revoked the key of \(client.name).".consoleText())
        }
    }

    struct Keys: AsyncCommand {
        struct Signature: CommandSignature { init() {} }
        var help: String { "Lists the clients: name, active or revoked, created." }

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            try await app.autoMigrate()
            for client in try await Open311Service(app: app, db: app.db, requestID: nil).clients() {
                context.console.output("\(client.name)\t\(client.active ? "active" : "revoked")\t\(client.createdAt.formatted(.iso8601))".consoleText())
            }
        }
    }
}
