import ASBCore
import Fluent
import SQLKit
import FluentSQL
import Foundation
import Vapor

/// People and households on cases: finding them, changing their details, linking them to cases,
/// and what their other cases say (repeat victims and perpetrators).
struct PartyService {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    /// One of a person's cases, as shown beside them.
    struct PartyCase {
        var reference: String
        var role: PartyRole
        var status: CaseStatus
        var receivedAt: Date
    }

    // MARK: Search and read

    /// A person a search lists: what a result shows, not the whole record (reading whole people,
    /// their support needs decoded from JSON, was an eighth of a search's time at 1,000,000).
    struct Found: Sendable {
        var id: UUID
        var name: String?
        var nameKey: String?
        var address: String?
        var postcode: String?
        var tenancyReference: String?
        var caseCount = 0
    }

    func search(q rawQ: String?, postcode rawPostcode: String?, tenancyReference rawTenancy: String?,
                by user: User) async throws -> [Found] {
        guard user.role.may(.readParties) else { throw AppError.forbidden() }
        let q = rawQ?.trimmingCharacters(in: .whitespaces).uppercased() ?? ""
        let tenancy = rawTenancy?.trimmingCharacters(in: .whitespaces) ?? ""
        var postcode: Postcode?
        if let rawPostcode, !rawPostcode.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let parsed = Postcode(rawPostcode) else {
                throw ValidationFailure([FieldError("postcode", "Enter a real UK postcode, for example SS1 1AA.")])
            }
            postcode = parsed
        }
        guard q.count >= 2 || postcode != nil || !tenancy.isEmpty else {
            throw ValidationFailure([FieldError("q", "Search by at least two letters of a name or address, a postcode or a tenancy reference.")])
        }
        var filters: [SQLQueryString] = []
        if let postcode { filters.append("postcode = \(bind: postcode.value)") }
        if !tenancy.isEmpty { filters.append("tenancy_reference = \(bind: tenancy)") }
        func people(_ conditions: SQLQueryString..., orderBy: String, limit: Int) async throws -> [Found] {
            try await PreparedReads.all("""
                SELECT id, name, name_key, address, postcode, tenancy_reference FROM parties \
                WHERE \((filters + conditions).joined(separator: " AND ")) ORDER BY \(unsafeRaw: orderBy) LIMIT \(literal: limit)
                """, on: db, genericPlan: false).map { row in
                    Found(id: try row.decode(column: "id", as: UUID.self),
                          name: try row.decodeIfPresent(column: "name", as: String.self),
                          nameKey: try row.decodeIfPresent(column: "name_key", as: String.self),
                          address: try row.decodeIfPresent(column: "address", as: String.self),
                          postcode: try row.decodeIfPresent(column: "postcode", as: String.self),
                          tenancyReference: try row.decodeIfPresent(column: "tenancy_reference", as: String.self))
                }
        }
        var parties: [Found]
        if q.isEmpty {
            // By name, people without a name last: asked for apart, because SQLite sorts NULL
            // first and PostgreSQL last.
            let named = try await people("name_key IS NOT NULL", orderBy: "name_key, id", limit: Self.searchLimit)
            let nameless = named.count == Self.searchLimit ? []
                : try await people("name_key IS NULL", orderBy: "id", limit: Self.searchLimit - named.count)
            parties = Self.byName(named + nameless)
        } else {
            // Names and addresses starting with `q`, each a range read in its own index's order and
            // stopped at the limit: one query with OR had the database gather and sort every match
            // (26,000 people for three letters at 1,000,000 cases). The first 50 names and the
            // first 50 addresses, merged by name.
            let upper = q + "\u{10FFFF}"
            let byName = try await people("name_key >= \(bind: q)", "name_key < \(bind: upper)",
                                          orderBy: "name_key, id", limit: Self.searchLimit)
            let byAddress = try await people("address_key >= \(bind: q)", "address_key < \(bind: upper)",
                                             orderBy: "address_key, id", limit: Self.searchLimit)
            parties = Self.byName(byName + byAddress)
        }
        let ids = parties.map(\.id)
        // A search result shows names and addresses: each person listed is a read of their data.
        let now = env.clock.now()
        let entries = try ids.map {
            try AuditLog.event(.partySearch, by: .staff(user), entityType: "party", entityID: $0.text, at: now,
                               requestID: requestID)
        }
        let counts: [UUID: Int] = try await AuditLog.recordingReads(entries, env: env, on: db) { try await caseCounts(of: ids) }
        for index in parties.indices { parties[index].caseCount = counts[parties[index].id] ?? 0 }
        return parties
    }

    /// How many cases each person is on (in any role, each case once), counted in the database:
    /// reading their links as models capped at 5,000 cost most of a search where common names
    /// have hundreds of cases each, and undercounted past the cap.
    private func caseCounts(of partyIDs: [UUID]) async throws -> [UUID: Int] {
        guard !partyIDs.isEmpty else { return [:] }
        let rows = try await PreparedReads.all("""
            SELECT party_id, COUNT(DISTINCT case_id) AS n FROM case_parties WHERE party_id IN (\(binds: partyIDs)) GROUP BY party_id
            """, on: db)
        var counts: [UUID: Int] = [:]
        for row in rows { counts[try row.decode(column: "party_id", as: UUID.self)] = try row.decode(column: "n", as: Int.self) }
        return counts
    }

    /// The most people a search lists.
    static let searchLimit = 50

    /// People in name order (those without a name last), each once, at most `searchLimit`.
    static func byName(_ found: [Found]) -> [Found] {
        var seen: Set<UUID> = []
        return found.filter { seen.insert($0.id).inserted }
            .sorted { ($0.nameKey ?? "\u{10FFFF}", $0.id.text) < ($1.nameKey ?? "\u{10FFFF}", $1.id.text) }
            .prefix(searchLimit).map { $0 }
    }

    /// A person and every case they are on. The read is audited: it shows personal data.
    func detail(_ id: UUID, by actor: Actor) async throws -> (party: Party, cases: [PartyCase]) {
        guard let user = actor.user else { throw AppError.unauthenticated() }
        guard user.role.may(.readParties) else { throw AppError.forbidden() }
        guard let party = try await Party.find(id, on: db) else { throw AppError.notFound("No such person.") }
        let entry = try AuditLog.event(.partyRead, by: actor, entityType: "party", entityID: id.text, at: env.clock.now(),
                                       requestID: requestID)
        let cases = try await AuditLog.recordingReads([entry], env: env, on: db) { try await Self.cases(of: [id], on: db)[id] ?? [] }
        return (party, cases)
    }

    /// The audit trail of one person (`GET /api/v1/audit?party=`): events about them, and every
    /// read of a case they are on, oldest first. The query is audited too.
    func audit(of partyID: UUID, cursor: String?, limit: Int, by actor: Actor) async throws -> CaseService.Page<AuditEvent> {
        guard let user = actor.user, user.role.may(.readAudit) else { throw AppError.forbidden() }
        guard try await Party.find(partyID, on: db) != nil else { throw AppError.notFound("No such person.") }
        let page = try await CaseService.chronologicalPage(AuditEvent.self, try Self.trail(of: partyID, on: db), at: \.$at, cursor: cursor, limit: limit,
                                                           pinnedAt: env.clock.now(), on: db)
        try await page.items.loadParents(\.$actor, on: db)
        try await AuditLog.recordRead(.partyAuditRead, by: actor, entityType: "party", entityID: partyID.text,
                                      at: env.clock.now(), requestID: requestID, env: env, on: db)
        return page
    }

    /// The audit entries of a person's trail: about them, and reads of every case they are on,
    /// however many (the links' index by person finds the cases).
    static func trail(of partyID: UUID, on db: any Database) throws -> SQLQueryString {
        let reads = [AuditLog.Action.caseRead, .timelineRead, .auditRead, .attachmentRead, .caseTrack, .letterRead, .feedbackRead].map(\.rawValue)
        let theirCases: SQLQueryString = "SELECT case_id FROM case_parties WHERE party_id = \(bind: partyID)"
        // PostgreSQL runs `IN (subquery)` under an OR as a filter over every entry (370 ms at 2
        // million entries); an array made first lets it use the index by case (1 ms).
        let onTheirCases: SQLQueryString = try db.sql.dialect.name == "postgresql"
            ? "case_id = ANY (ARRAY(\(theirCases)))" : "case_id IN (\(theirCases))"
        return "(\(try AuditListings.about(party: partyID, on: db)) OR (\(onTheirCases) AND action IN (\(binds: reads))))"
    }

    /// The cases of each party, newest first (at most 20 each).
    static func cases(of partyIDs: [UUID], on db: any Database) async throws -> [UUID: [PartyCase]] {
        guard !partyIDs.isEmpty else { return [:] }
        let rows = try await PreparedReads.all("""
            SELECT cp.party_id, cp.role, c.reference, c.status, c.received_at \
            FROM case_parties cp JOIN cases c ON c.id = cp.case_id \
            WHERE cp.party_id IN (\(binds: partyIDs)) ORDER BY c.received_at DESC LIMIT \(literal: 20 * partyIDs.count + 100)
            """, on: db)
        var result: [UUID: [PartyCase]] = [:]
        for row in rows {
            let party = try row.decode(column: "party_id", as: UUID.self)
            guard result[party, default: []].count < 20 else { continue }
            result[party, default: []].append(PartyCase(
                reference: try row.decode(column: "reference", as: String.self),
                role: try row.decodeRaw(column: "role", as: PartyRole.self),
                status: try row.decodeRaw(column: "status", as: CaseStatus.self),
                receivedAt: try row.decode(column: "received_at", as: Date.self)))
        }
        return result
    }

    // MARK: Change

    func update(_ id: UUID, _ draft: PartyDetailsDraft, by actor: Actor) async throws -> (party: Party, cases: [PartyCase]) {
        guard let user = actor.user else { throw AppError.unauthenticated() }
        guard user.role.may(.updateCase) else { throw AppError.forbidden() }
        guard let party = try await Party.find(id, on: db) else { throw AppError.notFound("No such person.") }
        let errors = PartyValidator.validate(draft, at: "", isNew: false)
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        let now = env.clock.now()
        let changed = Self.apply(draft, to: party, now: now)
        if !changed.isEmpty {
            party.updatedAt = now
            try await party.save(on: db)
            try await AuditLog.record(.partyUpdate, by: actor, entityType: "party", entityID: id.text,
                                      changes: Dictionary(uniqueKeysWithValues: changed.map { ($0, "changed") }),
                                      at: now, requestID: requestID, on: db)
        }
        return (party, try await Self.cases(of: [id], on: db)[id] ?? [])
    }

    /// Links a known person, or records a new one, on the case with a role.
    func link(to reference: String, role: PartyRole, partyID: UUID?, newParty: PartyDetailsDraft?,
              by actor: Actor) async throws -> CaseService.Detail {
        guard let user = actor.user else { throw AppError.unauthenticated() }
        guard user.role.may(.updateCase) else { throw AppError.forbidden() }
        let cases = CaseService(app: app, db: db, requestID: requestID)
        let asbCase = try await cases.findReadable(reference, by: actor)
        guard CaseAccess.canUpdate(role: user.role, relation: try await cases.relation(of: asbCase, to: user),
                                   caseIsAllocated: asbCase.$allocatedOfficer.id != nil)
        else { throw AppError.forbidden("Only the allocated officer or a team leader can change this case's parties.") }
        try CaseLifecycle.checkCasework(.addPerson, on: asbCase.status)
        switch (partyID, newParty) {
        case (nil, nil), (.some, .some):
            throw ValidationFailure([FieldError("partyId", "Give either the id of a known person or the details of a new one.")])
        case (nil, .some(let draft)):
            let errors = PartyValidator.validate(draft, at: "party", isNew: true)
            guard errors.isEmpty else { throw ValidationFailure(errors) }
        case (.some(let id), nil):
            guard try await Party.find(id, on: db) != nil else {
                throw ValidationFailure([FieldError("partyId", "There is no such person.")])
            }
        }
        let now = env.clock.now()
        let caseID = try asbCase.requireID()
        try await env.writes.run(on: db) { db in
            let party: Party
            if let partyID, let known = try await Party.find(partyID, on: db) {
                party = known
            } else {
                party = Party()
                party.supportNeeds = []
                party.interpreterNeeded = false
                party.createdAt = now
                _ = Self.apply(newParty ?? .init(), to: party, now: now)
                party.updatedAt = now
                try await party.create(on: db)
            }
            let partyID = try party.requireID()
            if try await CaseParty.query(on: db).filter(\.$asbCase.$id == caseID).filter(\.$party.$id == partyID)
                .filter(\.$role == role).count() > 0 {
                throw RuleViolation(code: "party.alreadyLinked", clause: nil,
                                    reason: "This person is already on the case as \(role.rawValue).")
            }
            try await CaseParty(caseID: caseID, partyID: partyID, role: role, now: now).create(on: db)
            try await CaseEvent(caseID: caseID, at: now, kind: .partyAdded,
                                summary: "\(party.name ?? party.address ?? "A person") added as \(role.rawValue)",
                                actorID: user.id).create(on: db)
            try await AuditLog.record(.partyLink, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                      changes: ["partyId": partyID.text, "role": role.rawValue],
                                      at: now, requestID: requestID, on: db)
        }
        return try await cases.load(asbCase)
    }

    /// Copies the given fields onto the party; returns the names of the fields that changed.
    static func apply(_ d: PartyDetailsDraft, to party: Party, now: Date) -> [String] {
        var changed: [String] = []
        func clean(_ s: String) -> String? {
            let t = s.trimmingWhitespace()
            return t.isEmpty ? nil : t
        }
        func set(_ name: String, _ value: String?, _ keyPath: ReferenceWritableKeyPath<Party, String?>) {
            guard let value else { return }
            let new = clean(value)
            if party[keyPath: keyPath] != new {
                party[keyPath: keyPath] = new
                changed.append(name)
            }
        }
        set("name", d.name, \.name)
        party.nameKey = party.name?.uppercased()
        set("email", d.email.map { $0.lowercased() }, \.email)
        set("phone", d.phone, \.phone)
        set("address", d.address, \.address)
        party.addressKey = party.address?.uppercased()
        set("postcode", d.postcode.map { Postcode($0)?.value ?? "" }, \.postcode)
        set("preferredContactTimes", d.preferredContactTimes, \.preferredContactTimes)
        set("language", d.language, \.language)
        set("supportNotes", d.supportNotes, \.supportNotes)
        set("tenancyReference", d.tenancyReference, \.tenancyReference)
        if let method = d.preferredContactMethod, method != party.preferredContactMethod {
            party.preferredContactMethod = method
            changed.append("preferredContactMethod")
        }
        if let interpreter = d.interpreterNeeded, interpreter != party.interpreterNeeded {
            party.interpreterNeeded = interpreter
            changed.append("interpreterNeeded")
        }
        if let needs = d.supportNeeds?.uniqued(), needs != party.supportNeeds {
            party.supportNeeds = needs
            changed.append("supportNeeds")
        }
        if let consent = d.consentToShare, consent != party.consentToShare {
            party.consentToShare = consent
            party.consentRecordedAt = now
            changed.append("consentToShare")
        }
        return changed
    }
}
