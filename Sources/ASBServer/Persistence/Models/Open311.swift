import Fluent
import Foundation

/// A civic reporting site (FixMyStreet, a council's app) allowed to submit reports by Open311.
final class Open311Client: Model, @unchecked Sendable {
    static let schema = "open311_clients"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "key_hash") var keyHash: String
    @Field(key: "active") var active: Bool
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A case that arrived by Open311, and the client that sent it.
final class Open311Request: Model, @unchecked Sendable {
    static let schema = "open311_requests"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var asbCase: ASBCase
    @Parent(key: "client_id") var client: Open311Client
    @Field(key: "token") var token: String
    @Field(key: "service_code") var serviceCode: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
