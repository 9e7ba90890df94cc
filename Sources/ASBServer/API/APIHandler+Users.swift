import ASBCore
import Fluent
import Vapor

extension APIHandler {
    func listUsers(_ input: Operations.ListUsers.Input) async throws -> Operations.ListUsers.Output {
        let ctx = try context()
        _ = try ctx.staff(.manageUsers)
        let limit = try PageSize.resolve(input.query.limit)
        let page = try await ctx.users.list(role: input.query.role.map { EnumBridge.convert($0, to: Role.self) },
                                            active: input.query.active, cursor: input.query.cursor, limit: limit)
        return .ok(.init(body: .json(.init(items: try page.items.map { try .init($0) }, nextCursor: page.nextCursor))))
    }

    func createUser(_ input: Operations.CreateUser.Input) async throws -> Operations.CreateUser.Output {
        let ctx = try context()
        let admin = try ctx.staff(.manageUsers)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let user = try await ctx.users.create(
            .init(username: body.username, displayName: body.displayName, email: body.email,
                  role: EnumBridge.convert(body.role),
                  partnerAgencyID: try UUID.parse(body.partnerAgencyId, field: "partnerAgencyId"), password: body.password),
            by: .staff(admin))
        try await user.$partnerAgency.load(on: ctx.db)
        return .created(.init(body: .json(try .init(user))))
    }

    func getUser(_ input: Operations.GetUser.Input) async throws -> Operations.GetUser.Output {
        let ctx = try context()
        _ = try ctx.staff(.manageUsers)
        guard let id = UUID(uuidString: input.path.userId),
              let user = try await User.query(on: ctx.db).filter(\.$id == id).with(\.$partnerAgency).first() else {
            throw AppError.notFound("No such user.")
        }
        return .ok(.init(body: .json(try .init(user))))
    }

    func updateUser(_ input: Operations.UpdateUser.Input) async throws -> Operations.UpdateUser.Output {
        let ctx = try context()
        let admin = try ctx.staff(.manageUsers)
        guard let id = UUID(uuidString: input.path.userId) else { throw AppError.notFound("No such user.") }
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        if body.twoFactor == true {
            throw ValidationFailure([FieldError("twoFactor", "Only the user can turn on two-step sign-in, from their own account.")])
        }
        let user = try await ctx.users.update(
            id,
            .init(displayName: body.displayName, email: body.email, role: body.role.map { EnumBridge.convert($0) },
                  partnerAgencyID: try UUID.parse(body.partnerAgencyId, field: "partnerAgencyId"), active: body.active,
                  password: body.password),
            by: .staff(admin))
        if body.twoFactor == false, user.totpEnabledAt != nil {
            try await TwoFactorService(app: ctx.app, db: ctx.db, requestID: ctx.requestID).disable(for: user, code: nil, by: .staff(admin))
        }
        try await user.$partnerAgency.load(on: ctx.db)
        return .ok(.init(body: .json(try .init(user))))
    }
}
