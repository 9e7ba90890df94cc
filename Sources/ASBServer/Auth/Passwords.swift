import Vapor

/// Bcrypt hashing and checking, run on the thread pool so sign-ins never block an event loop.
struct Passwords: Sendable {
    let cost: Int
    /// A hash of a random password, checked against when a username does not exist, so that a
    /// wrong username takes as long as a wrong password.
    let decoyHash: String


    init(cost: Int, random: RandomSource) throws {
        self.cost = cost
        self.decoyHash = try Bcrypt.hash(random.token(), cost: cost)
    }

    func hash(_ password: String, on app: Application) async throws -> String {
        let cost = self.cost
        return try await app.threadPool.runIfActive { try Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, against hash: String?, on app: Application) async throws -> Bool {
        let target = hash ?? decoyHash
        let matches = try await app.threadPool.runIfActive { try Bcrypt.verify(password, created: target) }
        return hash != nil && matches
    }
}
