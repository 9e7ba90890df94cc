import ASBCore
import Crypto
import Fluent
import Foundation
import Vapor

/// Open311 GeoReport v2 (issue: reports from civic reporting sites). A request becomes a report
/// with channel `open311`; its `service_request_id` is the case reference. Privacy first: a
/// client reads back only the requests it submitted, and only status fields, never the
/// description, address, location, names or media.
struct Open311Service {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    /// An error in the specification's shape: HTTP status and `[{code, description}]`.
    struct Failure: Error, Equatable, Sendable {
        var status: HTTPResponseStatus
        var descriptions: [String]

        static func badRequest(_ descriptions: String...) -> Failure { Failure(status: .badRequest, descriptions: descriptions) }
        static let invalidKey = Failure(status: .forbidden, descriptions: ["api_key is missing or not valid"])
        static func notFound(_ description: String) -> Failure { Failure(status: .notFound, descriptions: [description]) }
    }

    // MARK: Keys

    /// Issues a client its API key, shown once; only a hash is kept.
    func issueKey(name rawName: String, by actor: Actor) async throws -> (client: Open311Client, key: String) {
        let name = rawName.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 100 else { throw ValidationFailure([FieldError("name", "Give the client a name of up to 100 characters.")]) }
        if try await Open311Client.query(on: db).filter(\.$name == name).count() > 0 {
            throw AppError.duplicate("There is already an Open311 client called \(name).")
        }
        let key = env.random.token()
        let now = env.clock.now()
        let client = Open311Client()
        client.id = OrderedID.next(at: now)
        client.name = name
        client.keyHash = TokenHash.of(key)
        client.active = true
        client.createdAt = now
        try await client.create(on: db)
        try await AuditLog.record(.open311KeyIssued, by: actor, entityType: "open311Client", entityID: name, at: now,
                                  requestID: requestID, on: db)
        return (client, key)
    }

    func setActive(_ active: Bool, name: String, by actor: Actor) async throws -> Open311Client {
        guard let client = try await Open311Client.query(on: db).filter(\.$name == name).first() else {
            throw AppError.notFound("There is no Open311 client called \(name).")
        }
        client.active = active
        try await client.save(on: db)
        try await AuditLog.record(active ? .open311KeyIssued : .open311KeyRevoked, by: actor, entityType: "open311Client",
                                  entityID: name, at: env.clock.now(), requestID: requestID, on: db)
        return client
    }

    func clients() async throws -> [Open311Client] {
        try await Open311Client.query(on: db).sort(\.$name).limit(500).all()
    }

    func client(key: String?) async throws -> Open311Client {
        guard let key, !key.isEmpty,
              let client = try await Open311Client.query(on: db).filter(\.$keyHash == TokenHash.of(key)).first(), client.active
        else { throw Failure.invalidKey }
        return client
    }

    // MARK: Services

    static let group = "Anti-social behaviour"

    static func service(_ category: IncidentCategory) -> Open311Document {
        .object([
            ("service_code", .text(category.rawValue)),
            ("service_name", .text(category.displayName)),
            ("description", .text("Report \(category.displayName.lowercased()) as anti-social behaviour. Hate crime and hate incidents can be reported under any service.")),
            ("metadata", .bool(true)),
            ("type", .text("realtime")),
            ("keywords", .text("anti-social behaviour, asb, hate incident, \(category.rawValue)")),
            ("group", .text(group)),
        ])
    }

    static var services: Open311Document { .list(item: "service", IncidentCategory.allCases.map(service)) }

    /// The attributes of every service: the risk questions, whether it is hate-motivated and the
    /// strands, and whether anyone is in danger now.
    static func definition(_ category: IncidentCategory) -> Open311Document {
        func values(_ pairs: [(String, String)]) -> Open311Document {
            .list(item: "value", pairs.map { .object([("key", .text($0.0)), ("name", .text($0.1))]) })
        }
        func attribute(_ code: String, _ description: String, datatype: String, order: Int, _ pairs: [(String, String)]) -> Open311Document {
            .object([
                ("variable", .bool(true)), ("code", .text(code)), ("datatype", .text(datatype)), ("required", .bool(false)),
                ("datatype_description", .text(datatype == "multivaluelist" ? "Choose any that apply." : "Choose one.")),
                ("order", .number(order)), ("description", .text(description)), ("values", values(pairs)),
            ])
        }
        var attributes = [
            attribute("immediate_danger", "Is anyone in danger right now? If so, call 999 now.", datatype: "singlevaluelist", order: 1,
                      [("yes", "Yes"), ("no", "No")]),
            attribute("hate", "Do you think it happened because of who you, or someone with you, are?", datatype: "singlevaluelist",
                      order: 2, [("yes", "Yes"), ("no", "No")]),
            attribute("hate_strands", "If yes, because of their…", datatype: "multivaluelist", order: 3,
                      HateStrand.allCases.map { ($0.rawValue, $0.displayName) }),
        ]
        for (index, question) in RiskQuestionnaire.standard.questions.enumerated() {
            attributes.append(attribute(question.id, question.text, datatype: "singlevaluelist", order: index + 4,
                                        question.choices.map { ($0.value, $0.label) }))
        }
        return .object([("service_code", .text(category.rawValue)), ("attributes", .list(item: "attribute", attributes))])
    }

    // MARK: Submitting

    struct Submitted {
        var reference: String
        var token: String
        var notice: String
    }

    /// `POST requests`: the form as the specification names its fields.
    func submit(_ form: FormData, client: Open311Client) async throws -> Submitted {
        guard let code = form["service_code"] else { throw Failure.badRequest("service_code is required") }
        guard let category = IncidentCategory(rawValue: code) else {
            throw Failure.badRequest("service_code \(code) is not one of: " + IncidentCategory.allCases.map(\.rawValue).joined(separator: ", "))
        }
        var problems: [String] = []
        var location = form["address_string"]
        if location == nil, let lat = form["lat"], let long = form["long"] {
            if let latitude = Double(lat), let longitude = Double(long), (-90...90).contains(latitude), (-180...180).contains(longitude) {
                location = String(format: "Latitude %.6f, longitude %.6f", latitude, longitude)
            } else {
                problems.append("lat and long must be decimal degrees")
            }
        }
        if location == nil, let addressID = form["address_id"] { location = "Address id \(addressID)" }
        if location == nil, problems.isEmpty { problems.append("a location is required: lat and long, address_string or address_id") }
        guard problems.isEmpty else { throw Failure(status: .badRequest, descriptions: problems) }

        func attribute(_ name: String) -> [String] { form.all("attribute[\(name)]") + form.all("attribute[\(name)][]") }
        var riskAnswers: [String: String] = [:]
        for question in RiskQuestionnaire.standard.questions {
            if let answer = attribute(question.id).first { riskAnswers[question.id] = answer }
        }
        let name = [form["first_name"], form["last_name"]].compactMap { $0 }.joined(separator: " ")
        let email = form["email"], phone = form["phone"]
        let anonymous = name.isEmpty && email == nil && phone == nil
        var description = form["description"] ?? ""
        if let media = form["media_url"] { description += (description.isEmpty ? "" : "\n\n") + "Media link given with the report: \(media)" }
        let strands = attribute("hate_strands").compactMap(HateStrand.init(rawValue:))
        let draft = ReportDraft(
            channel: .open311, anonymous: anonymous,
            reporter: anonymous ? nil : .init(name: name.isEmpty ? (email ?? phone) : name, email: email, phone: phone,
                                              preferredContactMethod: email != nil ? .email : .phone),
            description: description, location: location, postcode: Self.postcode(in: form["address_string"]),
            categories: [category], hate: attribute("hate").first == "yes" || !strands.isEmpty, hateStrands: strands,
            immediateDanger: attribute("immediate_danger").first == "yes")
        let receipt: IntakeService.Receipt
        do {
            receipt = try await IntakeService(app: app, db: db, requestID: requestID)
                .submit(draft, riskAnswers: riskAnswers, caseReference: nil, by: .gateway(.open311), idempotency: nil)
        } catch let failure as ValidationFailure {
            throw Failure(status: .badRequest, descriptions: failure.errors.map { "\(Self.fieldName($0.field)): \($0.message)" })
        }
        let token = env.random.token()
        let now = env.clock.now()
        let record = Open311Request()
        record.id = OrderedID.next(at: now)
        record.$asbCase.id = try await caseID(receipt.reference)
        record.$client.id = try client.requireID()
        record.token = token
        record.serviceCode = code
        record.createdAt = now
        try await record.create(on: db)
        return Submitted(reference: receipt.reference, token: token, notice: Self.notice(for: receipt.priority))
    }

    /// The promise for the priority, as `service_notice` states it.
    static func notice(for priority: Priority?) -> String {
        let promise = priority.map { p in
            ServiceClock.schedule(for: p).map { "\($0.milestone.displayName.lowercased()) within \($0.rule)" }.joined(separator: " and ")
        }
        return (priority.map { "\($0.displayName): \(promise ?? ""). " } ?? "")
            + "If anyone is in immediate danger, call 999. The reporter's reference and access code come by email when an email address was given."
    }

    /// Our field names in the specification's words, for error descriptions.
    static func fieldName(_ field: String) -> String {
        switch field {
        case "reporter.name": "first_name"
        case "reporter.email": "email"
        case "reporter.phone": "phone"
        case "location": "address_string"
        case let f where f.hasPrefix("riskAnswers."): "attribute[\(f.dropFirst("riskAnswers.".count))]"
        case "hateStrands": "attribute[hate_strands]"
        default: field
        }
    }

    /// The first comma-separated part of an address that is a UK postcode.
    static func postcode(in address: String?) -> String? {
        guard let address else { return nil }
        return address.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.reversed()
            .first { Postcode($0) != nil }
    }

    private func caseID(_ reference: String) async throws -> UUID {
        guard let found = try await ASBCase.query(on: db).filter(\.$reference == reference).first() else {
            throw Abort(.internalServerError, reason: "The case just created is missing")
        }
        return try found.requireID()
    }

    // MARK: Reading back (status fields only)

    /// `GET requests`: the client's own requests, most recent first, by id or by date range (90 days at most).
    func requests(_ query: FormData, client: Open311Client) async throws -> Open311Document {
        let clientID = try client.requireID()
        let q = Open311Request.query(on: db).filter(\.$client.$id == clientID).with(\.$asbCase)
        if let ids = query["service_request_id"] {
            let references = ids.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }
            q.join(ASBCase.self, on: \Open311Request.$asbCase.$id == \ASBCase.$id).filter(ASBCase.self, \.$reference ~~ references)
        } else {
            let now = env.clock.now()
            let end = try query["end_date"].map { try Self.date($0, "end_date") } ?? now
            let start = try query["start_date"].map { try Self.date($0, "start_date") } ?? end.addingTimeInterval(-90 * 86_400)
            guard start <= end, end.timeIntervalSince(start) <= 90 * 86_400 + 1 else {
                throw Failure.badRequest("start_date and end_date may not span more than 90 days")
            }
            q.filter(\.$createdAt >= start).filter(\.$createdAt <= end)
            if let codes = query["service_code"] {
                q.filter(\.$serviceCode ~~ codes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            }
        }
        var rows = try await q.sort(\.$createdAt, .descending).limit(1000).all()
        if let statuses = query["status"]?.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            rows = rows.filter { statuses.contains($0.asbCase.status == .closed ? "closed" : "open") }
        }
        var documents: [Open311Document] = []
        for row in rows { documents.append(try await statusDocument(row)) }
        return .list(item: "request", documents)
    }

    /// `GET requests/{id}`: one of the client's own requests; another client's, or none, is a 404.
    func request(_ reference: String, client: Open311Client) async throws -> Open311Document {
        guard let row = try await Open311Request.query(on: db).filter(\.$client.$id == client.requireID())
            .join(ASBCase.self, on: \Open311Request.$asbCase.$id == \ASBCase.$id)
            .filter(ASBCase.self, \.$reference == reference.uppercased()).with(\.$asbCase).first()
        else { throw Failure.notFound("service_request_id \(reference) was not found") }
        return .list(item: "request", [try await statusDocument(row)])
    }

    /// `GET tokens/{token}`.
    func token(_ token: String, client: Open311Client) async throws -> Open311Document {
        guard let row = try await Open311Request.query(on: db).filter(\.$client.$id == client.requireID())
            .filter(\.$token == token).with(\.$asbCase).first()
        else { throw Failure.notFound("token \(token) was not found") }
        return .list(item: "request", [.object([("service_request_id", .text(row.asbCase.reference)), ("token", .text(token))])])
    }

    private func statusDocument(_ row: Open311Request) async throws -> Open311Document {
        let c = row.asbCase
        let deadlines = try await CaseClock(db: db, requestID: requestID).deadlines(of: c.requireID())
        let expected = deadlines.first { $0.metAt == nil }?.dueAt ?? deadlines.first?.dueAt
        return .object([
            ("service_request_id", .text(c.reference)),
            ("status", .text(c.status == .closed ? "closed" : "open")),
            ("status_notes", .text(c.status.reporterDescription)),
            ("service_name", .text(IncidentCategory(rawValue: row.serviceCode)?.displayName ?? row.serviceCode)),
            ("service_code", .text(row.serviceCode)),
            ("requested_datetime", .text(Self.w3c(c.receivedAt))),
            ("updated_datetime", .text(Self.w3c(c.updatedAt))),
            ("expected_datetime", .text(expected.map(Self.w3c))),
        ])
    }

    // MARK: mySociety's servicerequestupdates

    /// Progress on the client's own requests: fixed wording per step, never a note or a name.
    func updates(_ query: FormData, client: Open311Client) async throws -> Open311Document {
        let now = env.clock.now()
        let end = try query["end_date"].map { try Self.date($0, "end_date") } ?? now
        let start = try query["start_date"].map { try Self.date($0, "start_date") } ?? end.addingTimeInterval(-7 * 86_400)
        guard start <= end else { throw Failure.badRequest("start_date must come before end_date") }
        let mine = try await Open311Request.query(on: db).filter(\.$client.$id == client.requireID()).with(\.$asbCase).limit(5000).all()
        guard !mine.isEmpty else { return .list(item: "request_update", []) }
        let byCase = Dictionary(mine.map { ($0.$asbCase.id, $0.asbCase.reference) }, uniquingKeysWith: { a, _ in a })
        let kinds: [CaseEvent.Kind] = [.allocated, .assessed, .actionPlanAgreed, .closureProposed, .closed, .reopened]
        let events = try await CaseEvent.query(on: db).filter(\.$asbCase.$id ~~ Array(byCase.keys)).filter(\.$kind ~~ kinds)
            .filter(\.$at >= start).filter(\.$at <= end).sort(\.$at).limit(1000).all()
        return .list(item: "request_update", events.map { event in
            let closed = event.kind == .closed
            return .object([
                ("update_id", .text(event.id?.lowercasedText)),
                ("service_request_id", .text(byCase[event.$asbCase.id])),
                ("status", .text(closed ? "closed" : "open")),
                ("updated_datetime", .text(Self.w3c(event.at))),
                ("description", .text(Self.updateText(event.kind))),
                ("media_url", .text("")),
            ])
        })
    }

    static func updateText(_ kind: CaseEvent.Kind) -> String {
        switch kind {
        case .allocated: "An officer has been allocated to the case."
        case .assessed: "The risk has been assessed."
        case .actionPlanAgreed: "An action plan has been agreed."
        case .closureProposed: "Closure has been proposed; the officer will talk it through with the reporter first."
        case .closed: "The case has been closed."
        case .reopened: "The case has been reopened."
        default: "The case has been updated."
        }
    }

    // MARK: Dates

    static func w3c(_ date: Date) -> String { date.formatted(.iso8601) }

    static func date(_ raw: String, _ name: String) throws -> Date {
        if let date = try? Date(raw, strategy: .iso8601) { return date }
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(raw) { return date }
        throw Failure.badRequest("\(name) must be a W3C date-time, like 2026-11-01T00:00:00Z")
    }
}
