import Fluent
import Foundation

/// An area the landlord reports on and notifies (SS-PRG-6, SS-MON-4).
final class Neighbourhood: Model, @unchecked Sendable {
    static let schema = "neighbourhoods"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    /// Postcode sectors (`SS2 6`) that place a report here when no known property matches.
    @Field(key: "postcode_sectors") var postcodeSectors: [String]

    init() {}

    init(name: String, postcodeSectors: [String]) {
        self.name = name
        self.postcodeSectors = postcodeSectors
    }
}

/// A home or building the landlord knows.
final class Property: Model, @unchecked Sendable {
    static let schema = "properties"

    @ID(key: .id) var id: UUID?
    @Field(key: "address_line") var addressLine: String
    /// Upper-cased `address_line`, for exact matching without case.
    @Field(key: "address_key") var addressKey: String
    @Field(key: "postcode") var postcode: String
    @OptionalParent(key: "neighbourhood_id") var neighbourhood: Neighbourhood?
    @OptionalField(key: "tenancy_reference") var tenancyReference: String?

    init() {}

    init(addressLine: String, postcode: String, neighbourhoodID: UUID?, tenancyReference: String?) {
        self.addressLine = addressLine
        self.addressKey = addressLine.uppercased()
        self.postcode = postcode
        self.$neighbourhood.id = neighbourhoodID
        self.tenancyReference = tenancyReference
    }
}
