import ASBCore
import Vapor

extension APIHandler {
    func listNeighbourhoods(_ input: Operations.ListNeighbourhoods.Input) async throws -> Operations.ListNeighbourhoods.Output {
        let ctx = try context()
        _ = try ctx.staff(.readReferenceData)
        return .ok(.init(body: .json(try await ctx.referenceData.neighbourhoods().map { try .init($0) })))
    }

    func createNeighbourhood(_ input: Operations.CreateNeighbourhood.Input) async throws -> Operations.CreateNeighbourhood.Output {
        let ctx = try context()
        let admin = try ctx.staff(.manageReferenceData)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let n = try await ctx.referenceData.createNeighbourhood(name: body.name, sectors: body.postcodeSectors ?? [],
                                                                by: .staff(admin))
        return .created(.init(body: .json(try .init(n))))
    }

    func listProperties(_ input: Operations.ListProperties.Input) async throws -> Operations.ListProperties.Output {
        let ctx = try context()
        _ = try ctx.staff(.readProperties)
        return .ok(.init(body: .json(try await ctx.referenceData.properties(postcode: input.query.postcode).map { try .init($0) })))
    }

    func createProperty(_ input: Operations.CreateProperty.Input) async throws -> Operations.CreateProperty.Output {
        let ctx = try context()
        let admin = try ctx.staff(.manageReferenceData)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let p = try await ctx.referenceData.createProperty(
            addressLine: body.addressLine, postcode: body.postcode,
            neighbourhoodID: try UUID.parse(body.neighbourhoodId, field: "neighbourhoodId"),
            tenancyReference: body.tenancyReference, by: .staff(admin))
        return .created(.init(body: .json(try .init(p))))
    }
}
