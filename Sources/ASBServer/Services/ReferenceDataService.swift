import ASBCore
import Fluent
import Foundation
import Vapor

/// Neighbourhoods and properties: the places cases are reported in.
struct ReferenceDataService {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    func neighbourhoods() async throws -> [Neighbourhood] {
        try await Neighbourhood.query(on: db).sort(\.$name).limit(1000).all()
    }

    func createNeighbourhood(name rawName: String, sectors rawSectors: [String], by actor: Actor) async throws -> Neighbourhood {
        let name = rawName.trimmingCharacters(in: .whitespaces)
        var errors: [FieldError] = []
        if name.isEmpty || name.count > 200 { errors.append(FieldError("name", "Enter the neighbourhood's name (up to 200 characters).")) }
        var sectors: [String] = []
        for (index, raw) in rawSectors.enumerated() {
            // A sector is a postcode without its last two letters: check it by completing it.
            let compact = raw.uppercased().filter { !$0.isWhitespace }
            if let postcode = Postcode(compact + "AA") {
                sectors.append(postcode.sector)
            } else {
                errors.append(FieldError("postcodeSectors.\(index)", "Enter a postcode sector such as SS2 6."))
            }
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        if try await Neighbourhood.query(on: db).filter(\.$name == name).count() > 0 {
            throw AppError.duplicate("A neighbourhood called \(name) already exists.")
        }
        let neighbourhood = Neighbourhood(name: name, postcodeSectors: sectors.uniqued())
        try await neighbourhood.create(on: db)
        env.postcodeSectors.clear()
        try await AuditLog.record(.neighbourhoodCreate, by: actor, entityType: "neighbourhood",
                                  entityID: try neighbourhood.requireID().text, changes: ["name": name],
                                  at: env.clock.now(), requestID: requestID, on: db)
        return neighbourhood
    }

    func properties(postcode raw: String) async throws -> [Property] {
        guard let postcode = Postcode(raw) else {
            throw ValidationFailure([FieldError("postcode", "Enter a real UK postcode, for example SS1 1AA.")])
        }
        return try await Property.query(on: db).filter(\.$postcode == postcode.value).with(\.$neighbourhood)
            .sort(\.$addressLine).limit(200).all()
    }

    func createProperty(addressLine rawAddress: String, postcode rawPostcode: String, neighbourhoodID: UUID?,
                        tenancyReference: String?, by actor: Actor) async throws -> Property {
        let address = rawAddress.trimmingCharacters(in: .whitespaces)
        var errors: [FieldError] = []
        if address.isEmpty || address.count > 500 { errors.append(FieldError("addressLine", "Enter the address (up to 500 characters).")) }
        let postcode = Postcode(rawPostcode)
        if postcode == nil { errors.append(FieldError("postcode", "Enter a real UK postcode, for example SS1 1AA.")) }
        if let neighbourhoodID, try await Neighbourhood.find(neighbourhoodID, on: db) == nil {
            errors.append(FieldError("neighbourhoodId", "There is no such neighbourhood."))
        }
        guard errors.isEmpty, let postcode else { throw ValidationFailure(errors) }
        if try await Property.query(on: db).filter(\.$postcode == postcode.value)
            .filter(\.$addressKey == address.uppercased()).count() > 0 {
            throw AppError.duplicate("That property is already recorded.")
        }
        let tenancy = tenancyReference?.trimmingCharacters(in: .whitespaces)
        let property = Property(addressLine: address, postcode: postcode.value, neighbourhoodID: neighbourhoodID,
                                tenancyReference: (tenancy ?? "").isEmpty ? nil : tenancy)
        try await property.create(on: db)
        try await property.$neighbourhood.load(on: db)
        try await AuditLog.record(.propertyCreate, by: actor, entityType: "property",
                                  entityID: try property.requireID().text, changes: ["postcode": postcode.value],
                                  at: env.clock.now(), requestID: requestID, on: db)
        return property
    }
}
