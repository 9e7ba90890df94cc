import ASBCore
import Foundation
import Vapor

/// `asb config set homes --year 2026/27 N` and `asb config homes`: settings kept in the database,
/// the same ones the admin API and page change.
struct ConfigCommands: AsyncCommandGroup {
    var help: String { "Settings kept in the database: the homes count of each reporting year (NM01)." }

    var commands: [String: any AnyAsyncCommand] { ["set": SetGroup(), "homes": ListHomes()] }

    struct SetGroup: AsyncCommandGroup {
        var help: String { "Changes a setting." }
        var commands: [String: any AnyAsyncCommand] { ["homes": SetHomes()] }
    }

    /// `asb config set homes --year 2026/27 12480`.
    struct SetHomes: AsyncCommand {
        struct Signature: CommandSignature {
            @Option(name: "year", help: "The financial year, like 2026/27") var year: String?
            @Argument(name: "homes", help: "Homes owned in that year") var homes: String
            init() {}
        }

        var help: String { "Sets the number of homes owned in a reporting year, for NM01 (cases per 1,000 homes)." }

        func run(using context: CommandContext, signature: Signature) async throws {
            guard let year = signature.year else { throw AppError.badRequest("--year is required, like --year 2026/27") }
            guard let homes = Int(signature.homes.replacingOccurrences(of: ",", with: "")) else {
                throw AppError.badRequest("The homes count must be a whole number, like 12480")
            }
            let app = context.application
            try await app.autoMigrate()
            do {
                let entry = try await HomesService(app: app, db: app.db, requestID: nil).set(year: year, homes: homes, by: .system)
                context.console.output("\(entry.year): \(entry.homes) homes".consoleText())
            } catch let failure as ValidationFailure {
                throw AppError.badRequest(failure.errors.map(\.message).joined(separator: " "))
            }
        }
    }

    /// `asb config homes`: one `YEAR<TAB>HOMES` line per year, newest first.
    struct ListHomes: AsyncCommand {
        struct Signature: CommandSignature { init() {} }

        var help: String { "Prints the homes count of each reporting year: YEAR<TAB>HOMES." }

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            try await app.autoMigrate()
            for entry in try await HomesService(app: app, db: app.db, requestID: nil).all() {
                context.console.output("\(entry.year)\t\(entry.homes)".consoleText())
            }
        }
    }
}
