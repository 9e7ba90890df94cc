import ASBCore
import Foundation
import Vapor

/// The Open311 GeoReport v2 endpoints under `/open311/v2/`, each answering `.json` or `.xml`, with
/// errors in the specification's `[{code, description}]` shape.
struct Open311Routes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let v2 = routes.grouped("open311", "v2")
        v2.get(":resource", use: resource)
        v2.post(":resource", use: post)
        v2.get("services", ":code", use: serviceDefinition)
        v2.get("requests", ":id", use: oneRequest)
        v2.get("tokens", ":token", use: token)
    }

    /// `services.json` → ("services", .json); anything else is a 404 in the asked format, or JSON.
    static func split(_ name: String) throws -> (String, Open311Document.Format) {
        guard let dot = name.lastIndex(of: "."), let format = Open311Document.Format(rawValue: String(name[name.index(after: dot)...]).lowercased())
        else { throw Open311Service.Failure.notFound("Add .json or .xml to the address") }
        return (String(name[..<dot]), format)
    }

    private func respond(_ req: Request, format: Open311Document.Format? = nil, root: String,
                         _ body: (Open311Document.Format) async throws -> (HTTPResponseStatus, Open311Document)) async -> Response {
        var chosen = format ?? .json
        do {
            if format == nil { chosen = try Self.split(req.parameters.get("resource") ?? "").1 }
            let (status, document) = try await body(chosen)
            return Self.response(status, document.render(chosen, root: root), chosen)
        } catch let failure as Open311Service.Failure {
            return Self.failure(failure, chosen)
        } catch {
            req.logger.report(error: error)
            return Self.failure(.init(status: .internalServerError, descriptions: ["Something went wrong on our side; try again later"]), chosen)
        }
    }

    static func response(_ status: HTTPResponseStatus, _ body: String, _ format: Open311Document.Format) -> Response {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: format.contentType)
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: status, headers: headers, body: .init(string: body))
    }

    static func failure(_ failure: Open311Service.Failure, _ format: Open311Document.Format) -> Response {
        let errors = Open311Document.list(item: "error", failure.descriptions.map {
            .object([("code", .number(Int(failure.status.code))), ("description", .text($0))])
        })
        return response(failure.status, errors.render(format, root: "errors"), format)
    }

    private func service(_ req: Request) -> Open311Service { Open311Service(app: req.application, db: req.db, requestID: req.id) }

    private func query(_ req: Request) -> FormData { FormData(urlencoded: req.url.query ?? "") }

    @Sendable func resource(_ req: Request) async throws -> Response {
        let (name, format) = (try? Self.split(req.parameters.get("resource") ?? "")) ?? ("", .json)
        switch name {
        case "discovery":
            let base = req.application.asb.config.mail.publicURL + "/open311/v2/"
            return await respond(req, root: "discovery") { _ in
                (.ok, .object([
                    ("changeset", .text("2026-11-25T00:00:00Z")),
                    ("contact", .text("Anti-social behaviour team, \(req.application.asb.config.mail.landlordName)")),
                    ("key_service", .text("API keys are issued by the landlord's administrator.")),
                    ("endpoints", .list(item: "endpoint", [.object([
                        ("specification", .text("http://wiki.open311.org/GeoReport_v2")), ("url", .text(base)),
                        ("changeset", .text("2026-11-25T00:00:00Z")), ("type", .text("production")),
                        ("formats", .list(item: "format", [.text("application/json"), .text("text/xml")])),
                    ])])),
                ]))
            }
        case "services":
            return await respond(req, root: "services") { _ in (.ok, Open311Service.services) }
        case "requests":
            return await respond(req, root: "service_requests") { _ in
                let client = try await service(req).client(key: query(req)["api_key"])
                return (.ok, try await service(req).requests(query(req), client: client))
            }
        case "servicerequestupdates":
            return await respond(req, root: "service_request_updates") { _ in
                let client = try await service(req).client(key: query(req)["api_key"])
                return (.ok, try await service(req).updates(query(req), client: client))
            }
        default:
            return Self.failure(.notFound("There is no such Open311 resource"), format)
        }
    }

    @Sendable func post(_ req: Request) async throws -> Response {
        let (name, format) = (try? Self.split(req.parameters.get("resource") ?? "")) ?? ("", .json)
        guard name == "requests" else { return Self.failure(.notFound("There is no such Open311 resource"), format) }
        return await respond(req, root: "service_requests") { _ in
            var form = query(req)
            if req.headers.contentType == .urlEncodedForm, let body = req.body.data {
                for (key, values) in FormData(urlencoded: String(decoding: body.readableBytesView, as: UTF8.self)).values {
                    form.set(key, all: values)
                }
            } else if req.body.data != nil {
                throw Open311Service.Failure.badRequest("Send the request as application/x-www-form-urlencoded")
            }
            let client = try await service(req).client(key: form["api_key"])
            let submitted = try await service(req).submit(form, client: client)
            return (.created, .list(item: "request", [.object([
                ("service_request_id", .text(submitted.reference)), ("token", .text(submitted.token)),
                ("service_notice", .text(submitted.notice)), ("account_id", .text(nil)),
            ])]))
        }
    }

    @Sendable func serviceDefinition(_ req: Request) async throws -> Response {
        let (code, format) = (try? Self.split(req.parameters.get("code") ?? "")) ?? ("", .json)
        return await respond(req, format: format, root: "service_definition") { _ in
            guard let category = IncidentCategory(rawValue: code) else { throw Open311Service.Failure.notFound("service_code \(code) was not found") }
            return (.ok, Open311Service.definition(category))
        }
    }

    @Sendable func oneRequest(_ req: Request) async throws -> Response {
        let (id, format) = (try? Self.split(req.parameters.get("id") ?? "")) ?? ("", .json)
        return await respond(req, format: format, root: "service_requests") { _ in
            let client = try await service(req).client(key: query(req)["api_key"])
            return (.ok, try await service(req).request(id, client: client))
        }
    }

    @Sendable func token(_ req: Request) async throws -> Response {
        let (token, format) = (try? Self.split(req.parameters.get("token") ?? "")) ?? ("", .json)
        return await respond(req, format: format, root: "service_requests") { _ in
            let client = try await service(req).client(key: query(req)["api_key"])
            return (.ok, try await service(req).token(token, client: client))
        }
    }
}
