import ASBCore
import Fluent
import FluentSQL
import SQLKit
import Foundation
import Vapor

/// Reading and changing cases, with the access rules, optimistic locking, timeline and audit.
struct CaseService {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    // MARK: Access

    /// The case, if the actor may read it; otherwise the same 404 as for a case that does not exist.
    /// A partner agency's user reads a referred case only where `partnerView` allows (the case
    /// itself, redacted to what is shared, and its referrals); elsewhere they get 403.
    /// With `parents`, the case's neighbourhood, allocated officer and lead agency are read with it.
    func findReadable(_ rawReference: String, by actor: Actor, partnerView: Bool = false, parents: Bool = false) async throws -> ASBCase {
        guard let user = actor.user else { throw AppError.unauthenticated() }
        guard user.role.may(.readCases) else { throw AppError.forbidden() }
        let notFound = AppError.notFound("There is no case \(rawReference.prefix(40)) that you can see.")
        guard let reference = CaseReference(rawReference),
              let asbCase = try await parents ? Self.withParents(reference, on: db)
                                              : ASBCase.storedFirst("WHERE reference = \(bind: reference.description)", on: db)
        else { throw notFound }
        guard CaseAccess.canRead(role: user.role, relation: try await relation(of: asbCase, to: user)) else { throw notFound }
        if user.role == .partner && !partnerView {
            throw AppError.forbidden(Self.notSharedWithPartners)
        }
        return asbCase
    }

    static let notSharedWithPartners = "This part of the case is not shared with partner agencies."

    /// The case and, in the same statement, the neighbourhood, officer and lead agency it names,
    /// set as loaded (and kept in `ParentRows.current`, where other rows may name them too).
    private static func withParents(_ reference: CaseReference, on db: any Database) async throws -> ASBCase? {
        guard let row = try await PreparedReads.all("""
            SELECT \(ASBCase.columns(of: "c", prefixed: "")), \(Neighbourhood.columns(of: "n", prefixed: "n_")), \
            \(User.columns(of: "u", prefixed: "u_")), \(PartnerAgency.columns(of: "a", prefixed: "a_")) FROM cases c \
            LEFT JOIN neighbourhoods n ON n.id = c.neighbourhood_id LEFT JOIN users u ON u.id = c.allocated_officer_id \
            LEFT JOIN partner_agencies a ON a.id = c.lead_agency_id WHERE c.reference = \(bind: reference.description) LIMIT 1
            """, on: db).first
        else { return nil }
        let asbCase = try row.decode(fluentModel: ASBCase.self)
        asbCase.$neighbourhood.value = .some(try row.decodeIfPresent(fluentModel: Neighbourhood.self, prefix: "n_"))
        asbCase.$allocatedOfficer.value = .some(try row.decodeIfPresent(fluentModel: User.self, prefix: "u_"))
        asbCase.$leadAgency.value = .some(try row.decodeIfPresent(fluentModel: PartnerAgency.self, prefix: "a_"))
        if let officer = asbCase.allocatedOfficer { ParentRows.current?.keep([officer]) }
        return asbCase
    }

    /// The case, found and checked once for a staff read: a page that shows several parts of a
    /// case hands it to each service's view instead of each finding the case again. A partner
    /// gets one too; each view then checks what the partner's referrals share.
    func readable(_ reference: String, by actor: Actor) async throws -> ReadableCase {
        let asbCase = try await findReadable(reference, by: actor, partnerView: true, parents: true)
        guard let user = actor.user else { throw AppError.unauthenticated() }
        return ReadableCase(asbCase: asbCase, user: user, actor: actor)
    }

    /// The case and its user, when the user may do casework on it: the allocated officer (or any
    /// officer on a case not yet allocated) or a team leader.
    func findForCasework(_ reference: String, by actor: Actor) async throws -> (ASBCase, User) {
        guard let user = actor.user else { throw AppError.unauthenticated() }
        guard user.role.may(.updateCase) else { throw AppError.forbidden() }
        let asbCase = try await findReadable(reference, by: actor)
        guard CaseAccess.canUpdate(role: user.role, relation: try await relation(of: asbCase, to: user),
                                   caseIsAllocated: asbCase.$allocatedOfficer.id != nil)
        else { throw AppError.forbidden("Only the allocated officer or a team leader can do this on this case.") }
        return (asbCase, user)
    }

    func relation(of asbCase: ASBCase, to user: User) async throws -> CaseAccess.Relation {
        let referred = try await !ReferralService.liveReferrals(of: asbCase.requireID(), for: user, on: db).isEmpty
        return CaseAccess.Relation(isAllocatedToUser: asbCase.$allocatedOfficer.id == user.id, isReferredToUsersAgency: referred)
    }

    // MARK: List

    struct ListFilter {
        enum Officer { case user(UUID), unallocated }
        enum Sort: String { case receivedAt, receivedAtDescending = "-receivedAt", reference, referenceDescending = "-reference" }
        var status: CaseStatus?
        /// Only cases not yet closed (received, open or closure pending): "My cases".
        var openOnly = false
        var priority: Priority?
        var officer: Officer?
        var neighbourhoodID: UUID?
        var hate: Bool?
        var receivedFrom: Date?
        var receivedTo: Date?
        var sort: Sort = .receivedAtDescending
    }

    struct Page<Item> {
        var items: [Item]
        var nextCursor: String?
    }

    /// One page of the cases `user` may list that match `filter`, as listings read with plain SQL
    /// (see `CaseListing`), walking the index of the filter and sort from the cursor.
    func list(_ filter: ListFilter, cursor rawCursor: String?, limit: Int, by user: User) async throws -> Page<CaseListing> {
        let cursor = try Cursor.decode(rawCursor)
        guard var conditions = try await conditions(filter, by: user) else { return Page(items: [], nextCursor: nil) }
        let descending = filter.sort == .receivedAtDescending || filter.sort == .referenceDescending
        let direction: SQLQueryString = descending ? "DESC" : "ASC"
        let order: SQLQueryString
        switch filter.sort {
        case .receivedAt, .receivedAtDescending:
            if let cursor, let date = cursor.date {
                conditions.append(.after("c.received_at", date, then: "c.id", cursor.id, descending: descending))
            }
            order = "c.received_at \(direction), c.id \(direction)"
        case .reference, .referenceDescending:
            if let cursor, let text = cursor.text, let last = CaseReference(text) {
                conditions.append(.after("c.reference_year", last.year, then: "c.reference_number", last.number, descending: descending))
            }
            order = "c.reference_year \(direction), c.reference_number \(direction)"
        }
        // Planned for the filter's values on PostgreSQL (an officer's cases, a status), kept prepared on SQLite.
        let rows = try await PreparedReads.all("""
            SELECT \(CaseListing.columns) FROM cases c \(CaseListing.joins)\(Self.whereClause(conditions)) \
            ORDER BY \(order) LIMIT \(literal: limit + 1)
            """, on: db, genericPlan: false)
        let items = try rows.prefix(limit).map(CaseListing.init(row:))
        var next: String?
        if rows.count > limit, let last = items.last {
            next = Cursor(date: last.receivedAt, text: last.reference, id: last.id).encoded()
        }
        return Page(items: items, nextCursor: next)
    }

    /// How many cases `list` would list, counting no further than `limit`.
    func count(_ filter: ListFilter, upTo limit: Int, by user: User) async throws -> Int {
        guard let conditions = try await conditions(filter, by: user) else { return 0 }
        let row = try await PreparedReads.all("""
            SELECT COUNT(*) AS n FROM (SELECT 1 FROM cases c\(Self.whereClause(conditions)) LIMIT \(literal: limit)) AS counted
            """, on: db, genericPlan: false).first
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    /// The conditions on `cases c` of the cases `user` may list that match `filter`; nil when
    /// there can be none.
    private func conditions(_ filter: ListFilter, by user: User) async throws -> [SQLQueryString]? {
        guard user.role.may(.readCases) else { throw AppError.forbidden() }
        var conditions: [SQLQueryString] = []
        // A partner sees only the cases with a live referral to its agency.
        if user.role == .partner {
            let ids = try await ReferralService.referredCaseIDs(for: user, on: db)
            if ids.isEmpty { return nil }
            conditions.append("c.id IN (\(binds: Array(ids)))")
        }
        if let status = filter.status { conditions.append("c.status = \(bind: status.rawValue)") }
        // As a list (not `<> closed`), so an index on (officer, status, …) finds just these.
        if filter.openOnly { conditions.append("c.status IN (\(binds: CaseStatus.notClosed.map(\.rawValue)))") }
        if let priority = filter.priority { conditions.append("c.priority = \(bind: priority.rawValue)") }
        switch filter.officer {
        case .user(let id): conditions.append("c.allocated_officer_id = \(bind: id)")
        case .unallocated: conditions.append("c.allocated_officer_id IS NULL")
        case nil: break
        }
        if let id = filter.neighbourhoodID { conditions.append("c.neighbourhood_id = \(bind: id)") }
        if let hate = filter.hate { conditions.append("c.hate = \(bind: hate)") }
        if let from = filter.receivedFrom { conditions.append("c.received_at >= \(bind: from)") }
        if let to = filter.receivedTo { conditions.append("c.received_at < \(bind: to)") }
        return conditions
    }

    private static func whereClause(_ conditions: [SQLQueryString]) -> SQLQueryString {
        conditions.isEmpty ? "" : " WHERE \(conditions.joined(separator: " AND "))"
    }


    // MARK: Detail

    struct Detail {
        var asbCase: ASBCase
        var parties: [CaseParty]
        var incidents: [IncidentReport]
        var deadlines: [CaseMilestone]
        /// Each party's other cases (SS-NXT-4: the case page shows them).
        var otherCases: [UUID: [PartyService.PartyCase]]
        var repeatVictim: Bool
        var repeatPerpetrator: Bool
        var leadAgencyHistory: [LeadAgencyDecision]
        /// Cases opened by reports after this one closed.
        var followUps: [String] = []
        /// For a partner agency's user: what its referrals share. Nil for the landlord's staff.
        var visibleFields: Set<SharedField>? = nil
        /// The time the states of the deadlines were judged at.
        var now: Date

        /// Whether the reader may see this part of the case: always for the landlord's staff; for a
        /// partner agency's user, only what its referrals share (SS-PRG-3). The API and the pages
        /// both redact through this.
        func sees(_ field: SharedField) -> Bool { visibleFields?.contains(field) ?? true }

        /// The people the reader may see: a partner sees reporters and victims only with the
        /// reporter's contact shared, and the person complained about only when that is shared.
        var visibleParties: [CaseParty] {
            guard visibleFields != nil else { return parties }
            var roles: Set<PartyRole> = []
            if sees(.reporterContact) { roles.formUnion([.reporter, .victim]) }
            if sees(.allegedPerpetrator) { roles.insert(.allegedPerpetrator) }
            return parties.filter { roles.contains($0.role) }
        }
    }

    /// The case with its parties and latest incidents. Every read is audited: it shows personal data.
    func detail(_ reference: String, by actor: Actor) async throws -> Detail {
        try await detail(of: readable(reference, by: actor))
    }

    func detail(of readable: ReadableCase) async throws -> Detail {
        let asbCase = readable.asbCase, user = readable.user
        let caseID = try asbCase.requireID()
        let entry = try AuditLog.event(.caseRead, by: readable.actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                       at: env.clock.now(), requestID: requestID)
        return try await AuditLog.recordingReads([entry], env: env, on: db) {
            var detail = try await load(asbCase)
            if user.role == .partner {
                let referrals = try await ReferralService.liveReferrals(of: caseID, for: user, on: db)
                detail.visibleFields = ReferralRules.visibleFields(for: referrals.map { Set($0.sharedFields) })
            }
            return detail
        }
    }

    func load(_ asbCase: ASBCase) async throws -> Detail {
        let caseID = try asbCase.requireID()
        let this: [ASBCase] = [asbCase]
        // A case found with its parents (`readable`) has these loaded already.
        if asbCase.$neighbourhood.value == nil { try await this.loadParents(\.$neighbourhood, on: db) }
        if asbCase.$allocatedOfficer.value == nil { try await this.loadParents(\.$allocatedOfficer, on: db) }
        if asbCase.$leadAgency.value == nil { try await this.loadParents(\.$leadAgency, on: db) }
        try await this.loadParents(\.$followUpOf, on: db)
        let history = try await LeadAgencyDecision.stored(
            "WHERE case_id = \(bind: caseID) ORDER BY decided_at DESC, id DESC LIMIT 50", on: db)
        try await history.loadParents(\.$agency, on: db)
        try await history.loadParents(\.$decidedBy, on: db)
        let parties = try await CaseParty.stored("WHERE case_id = \(bind: caseID) ORDER BY created_at LIMIT 500", on: db)
        try await parties.loadParents(\.$party, on: db)
        let incidents = try await IncidentReport.stored(
            "WHERE case_id = \(bind: caseID) ORDER BY received_at DESC LIMIT 200", on: db).reversed() as [IncidentReport]
        try await incidents.loadParents(\.$recordedBy, on: db)
        let deadlines = try await CaseClock(db: db, requestID: requestID).deadlines(of: caseID)
        var otherCases = try await PartyService.cases(of: parties.map { $0.$party.id }.uniqued(), on: db)
        for (party, cases) in otherCases { otherCases[party] = cases.filter { $0.reference != asbCase.reference } }
        // Repeat flags (another case within 12 months): victims as reporter or victim, perpetrators as alleged.
        let receivedOn = LondonTime.localDateTime(for: asbCase.receivedAt).date
        func isRepeat(roles: Set<PartyRole>) -> Bool {
            let partyIDs = Set(parties.filter { roles.contains($0.role) }.map { $0.$party.id })
            let dates = partyIDs.flatMap { otherCases[$0] ?? [] }.filter { roles.contains($0.role) }
                .map { LondonTime.localDateTime(for: $0.receivedAt).date }
            return RepeatFlags.isRepeat(caseReceivedOn: receivedOn, otherCasesReceivedOn: dates)
        }
        let followUps = try await PreparedReads.all("""
            SELECT reference FROM cases WHERE follow_up_of_id = \(bind: caseID) ORDER BY received_at LIMIT 20
            """, on: db).map { try $0.decode(column: "reference", as: String.self) }
        return Detail(asbCase: asbCase, parties: parties, incidents: Array(incidents), deadlines: deadlines,
                      otherCases: otherCases, repeatVictim: isRepeat(roles: [.reporter, .victim]),
                      repeatPerpetrator: isRepeat(roles: [.allegedPerpetrator]), leadAgencyHistory: history,
                      followUps: followUps, now: env.clock.now())
    }

    // MARK: Update

    struct Changes {
        var allocatedOfficerID: UUID?
        var categories: [IncidentCategory]?
        var neighbourhoodID: UUID?
        var asbLimbs: [ASBLimb]?
        var notASB: Bool?
    }

    /// Applies changes if `expectedVersion` is still current (412 otherwise); opens a received
    /// case once an officer is allocated (SS-NXT-1).
    func update(_ reference: String, _ changes: Changes, expectedVersion: Int?, by actor: Actor) async throws -> Detail {
        guard let user = actor.user else { throw AppError.unauthenticated() }
        guard user.role.may(.updateCase) else { throw AppError.forbidden() }
        let asbCase = try await findReadable(reference, by: actor)
        let relation = try await relation(of: asbCase, to: user)
        guard CaseAccess.canUpdate(role: user.role, relation: relation, caseIsAllocated: asbCase.$allocatedOfficer.id != nil)
        else { throw AppError.forbidden("Only the allocated officer or a team leader can change this case.") }
        if changes.allocatedOfficerID != nil, !user.role.may(.allocateCase) {
            throw AppError.forbidden("Only a team leader allocates cases.")
        }
        guard let expectedVersion else { throw AppError.versionRequired }
        guard expectedVersion == asbCase.version else { throw AppError.staleVersion }

        var errors: [FieldError] = []
        let officer: User? = if let officerID = changes.allocatedOfficerID { try await User.find(officerID, on: db) } else { nil }
        if changes.allocatedOfficerID != nil, officer?.active != true || ![Role.officer, .teamLeader].contains(officer?.role) {
            errors.append(FieldError("allocatedOfficerId", "Choose an active officer or team leader."))
        }
        if let id = changes.neighbourhoodID, try await Neighbourhood.find(id, on: db) == nil {
            errors.append(FieldError("neighbourhoodId", "There is no such neighbourhood."))
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        if let officer, officer.id != asbCase.$allocatedOfficer.id { try CaseLifecycle.checkCasework(.allocate, on: asbCase.status) }

        // A change that changes nothing writes nothing: the version (and everyone's ETag) stays.
        let reclassifies = (changes.categories.map { $0.uniqued() != asbCase.categories } ?? false)
            || (changes.neighbourhoodID.map { $0 != asbCase.$neighbourhood.id } ?? false)
            || (changes.asbLimbs.map { $0.uniqued() != asbCase.asbLimbs } ?? false)
            || (changes.notASB.map { $0 != asbCase.notASB } ?? false)
        if reclassifies { try CaseLifecycle.checkCasework(.classify, on: asbCase.status) }
        let changesSomething = (officer.map { $0.id != asbCase.$allocatedOfficer.id } ?? false) || reclassifies
        guard changesSomething else { return try await load(asbCase) }

        let now = env.clock.now()
        let caseID = try asbCase.requireID()
        try await env.writes.run(on: db) { db in
            // Claim the version first: of two concurrent changes from the same read, one wins, one gets 412.
            guard try await Self.claimVersion(caseID: caseID, expected: expectedVersion, on: db) else {
                throw AppError.staleVersion
            }
            var audit: [String: String] = [:]
            var changed: [String] = []
            if let officer, asbCase.$allocatedOfficer.id != officer.id {
                asbCase.$allocatedOfficer.id = officer.id
                audit["allocatedOfficerId"] = officer.id?.text
                try await CaseEvent(caseID: caseID, at: now, kind: .allocated,
                                    summary: "Allocated to \(officer.displayName)", actorID: user.id).create(on: db)
                try await Outbox(env: env, db: db).toReporter(.officerAllocated, of: asbCase,
                                                              dedupe: "\(caseID):\(try officer.requireID())", now: now) {
                    $0.officerName = officer.displayName
                }
            }
            if let categories = changes.categories?.uniqued(), categories != asbCase.categories {
                asbCase.categories = categories
                audit["categories"] = asbCase.categories.map(\.rawValue).joined(separator: ",")
                changed.append("categories")
            }
            if let id = changes.neighbourhoodID, id != asbCase.$neighbourhood.id {
                asbCase.$neighbourhood.id = id
                audit["neighbourhoodId"] = id.text
                changed.append("neighbourhood")
            }
            if let limbs = changes.asbLimbs?.uniqued(), limbs != asbCase.asbLimbs {
                asbCase.asbLimbs = limbs
                audit["asbLimbs"] = asbCase.asbLimbs.map(\.rawValue).joined(separator: ",")
                changed.append("ASB limbs")
            }
            if let notASB = changes.notASB, notASB != asbCase.notASB {
                asbCase.notASB = notASB
                audit["notASB"] = String(notASB)
                changed.append(notASB ? "recorded as not ASB, for information" : "recorded as ASB")
            }
            if !changed.isEmpty {
                try await CaseEvent(caseID: caseID, at: now, kind: .updated,
                                    summary: "Changed " + changed.joined(separator: ", "), actorID: user.id).create(on: db)
            }
            if let status = try await Self.openIfReady(asbCase, by: actor, now: now, requestID: requestID, on: db) {
                audit["status"] = status.rawValue
            }
            asbCase.version = expectedVersion + 1
            asbCase.updatedAt = now
            try await asbCase.save(on: db)
            try await AuditLog.record(.caseUpdate, by: actor, entityType: "case", entityID: asbCase.reference,
                                      caseID: caseID, changes: audit, at: now, requestID: requestID, on: db)
        }
        return try await load(asbCase)
    }

    /// Applies the lifecycle's automatic transition, if any (a received case opens once assessed
    /// and allocated), with its timeline and audit entries. Returns the new status when it moved.
    static func openIfReady(_ asbCase: ASBCase, by actor: Actor, now: Date, requestID: String?,
                            on db: any Database) async throws -> CaseStatus? {
        guard let transition = CaseLifecycle.automaticTransition(after: asbCase.facts) else { return nil }
        let caseID = try asbCase.requireID()
        let from = asbCase.status
        asbCase.status = try CaseLifecycle.apply(transition, to: asbCase.facts)
        try await CaseEvent(caseID: caseID, at: now, kind: .statusChanged,
                            summary: "Case \(from.rawValue) → \(asbCase.status.rawValue)", actorID: actor.userID).create(on: db)
        try await AuditLog.record(.caseTransition, by: actor, entityType: "case", entityID: asbCase.reference,
                                  caseID: caseID, changes: ["from": from.rawValue, "to": asbCase.status.rawValue],
                                  at: now, requestID: requestID, on: db)
        return asbCase.status
    }

    static func claimVersion(caseID: UUID, expected: Int, on db: any Database) async throws -> Bool {
        let rows = try await db.sql.raw("""
            UPDATE cases SET version = version + 1 WHERE id = \(bind: caseID) AND version = \(bind: expected) RETURNING version
            """).all()
        return rows.count == 1
    }

    // MARK: Timeline and audit

    func timeline(_ reference: String, cursor: String?, limit: Int, by actor: Actor) async throws -> Page<CaseEvent> {
        try await timeline(of: readable(reference, by: actor), cursor: cursor, limit: limit)
    }

    /// The case's timeline, its read audited (`case.timeline.read`), unless `auditedAsCaseRead`:
    /// the case page shows the timeline as part of the case, whose read `detail` has audited in
    /// the same request; one entry a page view, not two.
    func timeline(of readable: ReadableCase, cursor: String?, limit: Int, auditedAsCaseRead: Bool = false) async throws -> Page<CaseEvent> {
        try readable.requireLandlordStaff()
        let asbCase = readable.asbCase, actor = readable.actor
        let caseID = try asbCase.requireID()
        let entries = auditedAsCaseRead ? [] : [try AuditLog.event(.timelineRead, by: actor, entityType: "case", entityID: asbCase.reference,
                                                                   caseID: caseID, at: env.clock.now(), requestID: requestID)]
        return try await AuditLog.recordingReads(entries, env: env, on: db) {
            let page = try await Self.chronologicalPage(CaseEvent.self, "case_id = \(bind: caseID)", at: \.$at, cursor: cursor,
                                                        limit: limit, on: db)
            try await page.items.loadParents(\.$actor, on: db)
            return page
        }
    }

    func audit(_ reference: String, cursor: String?, limit: Int, by actor: Actor) async throws -> Page<AuditEvent> {
        guard let user = actor.user else { throw AppError.unauthenticated() }
        guard user.role.may(.readAudit) else { throw AppError.forbidden() }
        guard let parsed = CaseReference(reference),
              let asbCase = try await ASBCase.storedFirst("WHERE reference = \(bind: parsed.description)", on: db)
        else { throw AppError.notFound("There is no case \(reference.prefix(40)).") }
        let caseID = try asbCase.requireID()
        let page = try await Self.chronologicalPage(AuditEvent.self, "case_id = \(bind: caseID)", at: \.$at, cursor: cursor,
                                                    limit: limit, pinnedAt: env.clock.now(), on: db)
        try await page.items.loadParents(\.$actor, on: db)
        try await AuditLog.recordRead(.auditRead, by: actor, entityType: "case", entityID: asbCase.reference,
                                      caseID: caseID, at: env.clock.now(), requestID: requestID, env: env, on: db)
        return page
    }

    /// Oldest first by `(at, id)`, resuming after the cursor's entry. Ids are time-ordered
    /// (`OrderedID`), so entries written in the same instant keep their order.
    ///
    /// `pinnedAt` (an audit trail, whose every page read adds an entry to it): the pages hold
    /// only what was written before the first page was asked for, at that time; the cursor
    /// carries the bound (an id made then: every later entry's id is greater). Otherwise each
    /// page's own read joined the trail's end, and pages of one entry never reached it.
    static func chronologicalPage<M: Model>(
        _ type: M.Type, _ condition: SQLQueryString, at: KeyPath<M, FieldProperty<M, Date>>, cursor rawCursor: String?, limit: Int,
        pinnedAt: Date? = nil, on db: any Database
    ) async throws -> Page<M> where M.IDValue == UUID {
        let column = M()[keyPath: at].key.description
        var conditions = [condition]
        let cursor = try Cursor.decode(rawCursor)
        if let cursor, let date = cursor.date {
            conditions.append(.after(column, date, then: "id", cursor.id, descending: false))
        }
        let until = pinnedAt.map { cursor?.until ?? OrderedID.next(at: $0) }
        if let until { conditions.append("id <= \(bind: until)") }
        let rows = try await M.stored("""
            \(Self.whereClause(conditions)) ORDER BY \(unsafeRaw: column), id LIMIT \(literal: limit + 1)
            """, on: db)
        let items = Array(rows.prefix(limit))
        var next: String?
        if rows.count > limit, let last = items.last {
            next = Cursor(date: last[keyPath: at].wrappedValue, id: try last.requireID(), until: until).encoded()
        }
        return Page(items: items, nextCursor: next)
    }
}

/// A case a staff user may read, from `CaseService.readable`: the only way to make one, so a
/// view given it knows the reference was found and the user's access checked.
struct ReadableCase: Sendable {
    let asbCase: ASBCase
    let user: User
    let actor: Actor

    fileprivate init(asbCase: ASBCase, user: User, actor: Actor) {
        self.asbCase = asbCase
        self.user = user
        self.actor = actor
    }

    /// The parts of a case that are never shared with a partner agency.
    func requireLandlordStaff() throws {
        guard user.role != .partner else { throw AppError.forbidden(CaseService.notSharedWithPartners) }
    }
}
