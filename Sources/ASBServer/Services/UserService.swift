import ASBCore
import Fluent
import SQLKit
import Vapor

/// Staff accounts: creation, changes, and the first admin.
struct UserService {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    struct NewUser {
        var username: String
        var displayName: String
        var email: String?
        var role: Role
        var partnerAgencyID: UUID?
        var password: String
    }

    /// Staff accounts by username, a page at a time.
    func list(role: Role?, active: Bool?, cursor rawCursor: String?, limit: Int) async throws -> CaseService.Page<User> {
        let cursor = try Cursor.decode(rawCursor)
        let query = User.query(on: db)
        if let role { query.filter(\.$role == role) }
        if let active { query.filter(\.$active == active) }
        if let after = cursor?.text { query.filter(\.$username > after) }
        let rows = try await query.with(\.$partnerAgency).sort(\.$username).limit(limit + 1).all()
        let items = Array(rows.prefix(limit))
        let next = rows.count > limit ? items.last.map { Cursor(text: $0.username, id: $0.id!).encoded() } : nil
        return .init(items: items, nextCursor: next)
    }

    /// Active officers and team leaders: the people a case can be allocated to, by name.
    /// An officer or team leader, as a form offers them (allocation, an action's owner).
    struct Caseworker: Sendable {
        var id: UUID
        var displayName: String
        var role: Role
    }

    /// The active officers and team leaders by name: three columns, not whole users (a case page
    /// offers all of them, and decoding every user's every field was 4% of the page).
    func caseworkers() async throws -> [Caseworker] {
        try await PreparedReads.all("""
            SELECT id, display_name, role FROM users \
            WHERE role IN (\(binds: [Role.officer, .teamLeader].map(\.rawValue))) AND active = \(bind: true) \
            ORDER BY display_name LIMIT 500
            """, on: db).map { row in
                Caseworker(id: try row.decode(column: "id", as: UUID.self),
                           displayName: try row.decode(column: "display_name", as: String.self),
                           role: try row.decode(column: "role", as: Role.self))
            }
    }

    struct Changes {
        var displayName: String?
        var email: String?
        var role: Role?
        var partnerAgencyID: UUID?
        var active: Bool?
        var password: String?
    }

    static func normaliseUsername(_ raw: String) -> String {
        raw.trimmingCharacters(in: .whitespaces).lowercased()
    }

    static func validateUsername(_ username: String, into errors: inout [FieldError]) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-")
        if !(3...64).contains(username.count) || !username.allSatisfy({ allowed.contains($0) }) {
            errors.append(FieldError("username", "Use 3 to 64 lower-case letters, digits, dots, hyphens or underscores."))
        }
    }

    static func validatePassword(_ password: String, into errors: inout [FieldError]) {
        if let problem = PasswordPolicy.problem(with: password) { errors.append(FieldError("password", problem)) }
    }

    /// A partner user belongs to an active agency of the directory; nobody else belongs to one.
    func validatePartnerAgency(role: Role, agencyID: UUID?, into errors: inout [FieldError]) async throws {
        if role.needsPartnerAgency {
            guard let agencyID else {
                errors.append(FieldError("partnerAgencyId", "A partner user needs their agency."))
                return
            }
            if try await PartnerAgency.query(on: db).filter(\.$id == agencyID).filter(\.$active == true).count() == 0 {
                errors.append(FieldError("partnerAgencyId", "There is no such active partner agency."))
            }
        } else if agencyID != nil {
            errors.append(FieldError("partnerAgencyId", "Only a partner user belongs to a partner agency."))
        }
    }

    func create(_ new: NewUser, by actor: Actor) async throws -> User {
        let username = Self.normaliseUsername(new.username)
        let displayName = new.displayName.trimmingCharacters(in: .whitespaces)
        let email = new.email?.trimmingCharacters(in: .whitespaces).lowercased()
        var errors: [FieldError] = []
        Self.validateUsername(username, into: &errors)
        if displayName.isEmpty || displayName.count > 200 {
            errors.append(FieldError("displayName", "Enter the name colleagues know this person by (up to 200 characters)."))
        }
        if let email, !email.isEmpty, !ReportValidator.isEmailAddress(email) {
            errors.append(FieldError("email", "Enter an email address in the right format, like name@example.org."))
        }
        try await validatePartnerAgency(role: new.role, agencyID: new.partnerAgencyID, into: &errors)
        Self.validatePassword(new.password, into: &errors)
        guard errors.isEmpty else { throw ValidationFailure(errors) }

        if try await User.query(on: db).filter(\.$username == username).count() > 0 {
            throw AppError.duplicate("A user called \(username) already exists.")
        }
        let now = env.clock.now()
        let user = User(username: username, displayName: displayName, email: (email ?? "").isEmpty ? nil : email,
                        role: new.role, partnerAgencyID: new.role.needsPartnerAgency ? new.partnerAgencyID : nil,
                        passwordHash: try await env.passwords.hash(new.password, on: app), now: now)
        try await user.create(on: db)
        try await AuditLog.record(.userCreate, by: actor, entityType: "user", entityID: try user.requireID().text,
                                  changes: ["username": username, "role": new.role.rawValue], at: now,
                                  requestID: requestID, on: db)
        return user
    }

    func update(_ id: UUID, _ changes: Changes, by actor: Actor) async throws -> User {
        guard let user = try await User.find(id, on: db) else { throw AppError.notFound("No such user.") }
        var errors: [FieldError] = []
        var audit: [String: String] = [:]
        if let name = changes.displayName?.trimmingCharacters(in: .whitespaces) {
            if name.isEmpty || name.count > 200 {
                errors.append(FieldError("displayName", "Enter the name colleagues know this person by (up to 200 characters)."))
            } else if name != user.displayName {
                user.displayName = name
                audit["displayName"] = name
            }
        }
        if let email = changes.email?.trimmingCharacters(in: .whitespaces).lowercased() {
            if !email.isEmpty && !ReportValidator.isEmailAddress(email) {
                errors.append(FieldError("email", "Enter an email address in the right format, like name@example.org."))
            } else {
                user.email = email.isEmpty ? nil : email
                audit["email"] = "changed"
            }
        }
        let role = changes.role ?? user.role
        if changes.role != nil || changes.partnerAgencyID != nil {
            // Leaving the partner role leaves the agency; joining it needs one.
            let agencyID = role.needsPartnerAgency ? (changes.partnerAgencyID ?? user.$partnerAgency.id) : changes.partnerAgencyID
            try await validatePartnerAgency(role: role, agencyID: agencyID, into: &errors)
            if role != user.role { audit["role"] = role.rawValue }
            if agencyID != user.$partnerAgency.id { audit["partnerAgencyId"] = agencyID?.text ?? "none" }
            user.role = role
            user.$partnerAgency.id = role.needsPartnerAgency ? agencyID : nil
        }
        if let password = changes.password {
            Self.validatePassword(password, into: &errors)
            if errors.isEmpty {
                user.passwordHash = try await env.passwords.hash(password, on: app)
                audit["password"] = "changed"
            }
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        if let currentUser = actor.user, currentUser.id == user.id, changes.active == false || (changes.role.map { $0 != .admin } ?? false) {
            throw RuleViolation(code: "user.cannotLockOutSelf", clause: nil,
                                reason: "You cannot deactivate yourself or remove your own admin role: ask another admin.")
        }
        let now = env.clock.now()
        var deactivating = false
        if let active = changes.active, active != user.active {
            user.active = active
            audit["active"] = String(active)
            deactivating = !active
        }
        user.updatedAt = now
        let auditChanges = audit
        let revokeTokens = deactivating
        try await env.writes.run(on: db) { db in
            if revokeTokens {
                // Deactivation revokes every token at once.
                try await APIToken.query(on: db)
                    .filter(\.$user.$id == user.requireID())
                    .filter(\.$revokedAt == nil)
                    .set(\.$revokedAt, to: now)
                    .update()
            }
            try await user.save(on: db)
            try await AuditLog.record(.userUpdate, by: actor, entityType: "user", entityID: try user.requireID().text,
                                      changes: auditChanges, at: now, requestID: requestID, on: db)
        }
        return user
    }

    /// When the database has no users, creates `admin` with a generated password and returns the
    /// password (to be printed once). Returns nil when users exist.
    func bootstrapAdminIfNeeded() async throws -> String? {
        guard try await User.query(on: db).count() == 0 else { return nil }
        let password = env.random.password()
        _ = try await create(NewUser(username: "admin", displayName: "Administrator", email: nil, role: .admin,
                                     partnerAgencyID: nil, password: password), by: .system)
        return password
    }
}
