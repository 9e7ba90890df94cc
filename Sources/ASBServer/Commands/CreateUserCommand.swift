import ASBCore
import Fluent
import Vapor

/// `asb create-user --username NAME --role ROLE [--display-name …] [--email …] [--partner-agency …]`,
/// reading the password from standard input (one line).
struct CreateUserCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "username", help: "Sign-in name: 3–64 lower-case letters, digits, . - _")
        var username: String?
        @Option(name: "role", help: "intake, officer, teamLeader, partner, analyst or admin")
        var role: String?
        @Option(name: "display-name", help: "The name colleagues know them by (defaults to the username)")
        var displayName: String?
        @Option(name: "email", help: "Their work email address")
        var email: String?
        @Option(name: "partner-agency", help: "For the partner role: the agency's name, as in the directory")
        var partnerAgency: String?
        init() {}
    }

    var help: String { "Creates a staff user; the password is read from standard input." }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let username = signature.username else { throw Failure(description: "--username is required") }
        guard let rawRole = signature.role, let role = Role(rawValue: rawRole) else {
            throw Failure(description: "--role must be one of: " + Role.allCases.map(\.rawValue).joined(separator: ", "))
        }
        // Hidden when typed at a terminal; one line when piped in.
        if isatty(STDIN_FILENO) != 0 { context.console.output("Password: ", newLine: false) }
        let password = context.console.input(isSecure: isatty(STDIN_FILENO) != 0)
        guard !password.isEmpty else {
            throw Failure(description: "Write the password on standard input, e.g. `printf '%s\\n' \"$PASSWORD\" | asb create-user …`")
        }
        try await app.autoMigrate()
        var agencyID: UUID?
        if let name = signature.partnerAgency {
            guard let agency = try await PartnerAgency.query(on: app.db).filter(\.$name == name).first() else {
                throw Failure(description: "No partner agency is called \(name); see GET /api/v1/partner-agencies")
            }
            agencyID = agency.id
        }
        do {
            let user = try await UserService(app: app, db: app.db, requestID: nil).create(
                .init(username: username, displayName: signature.displayName ?? username, email: signature.email,
                      role: role, partnerAgencyID: agencyID, password: password),
                by: .system)
            context.console.output("Created \(user.username) (\(user.role.rawValue)), id \(user.id?.text ?? "?").")
        } catch let failure as ValidationFailure {
            throw Failure(description: failure.errors.map(\.description).joined(separator: "\n"))
        } catch let error as AppError {
            throw Failure(description: error.detail)
        }
    }
}
