import ASBCore
import Vapor

extension APIHandler {
    func createSession(_ input: Operations.CreateSession.Input) async throws -> Operations.CreateSession.Output {
        let ctx = try context()
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let issued = try await ctx.auth.login(username: body.username, password: body.password)
        return .created(.init(body: .json(.init(token: issued.token, expiresAt: issued.expiresAt, user: try .init(issued.user)))))
    }

    func deleteCurrentSession(_ input: Operations.DeleteCurrentSession.Input) async throws -> Operations.DeleteCurrentSession.Output {
        let ctx = try context()
        let user = try ctx.staff()
        guard let token = ctx.request.auth.get(APIToken.self) else { throw AppError.unauthenticated() }
        try await ctx.auth.logout(token, user: user)
        return .noContent(.init())
    }

    func getCurrentUser(_ input: Operations.GetCurrentUser.Input) async throws -> Operations.GetCurrentUser.Output {
        let user = try context().staff()
        return .ok(.init(body: .json(try .init(user))))
    }
}
