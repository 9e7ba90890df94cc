import ASBCore
import Fluent
import Foundation
import Vapor

/// Turns reports from every channel into cases and incidents (SS-REP-1, SS-NXT-1, SS-PRG-1).
struct IntakeService {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    /// What the reporter (or the staff member recording for them) is told.
    struct Receipt: Codable, Equatable, Sendable {
        var reference: String
        var accessCode: String?
        var status: CaseStatus
        var priority: Priority?
        var receivedAt: Date
        var incidentID: UUID
        var emergencyAdvice: String?
    }

    /// An `Idempotency-Key` and a hash of what was submitted with it.
    struct IdempotencyClaim {
        var key: String
        var requestHash: String

        static func make(key: String?, canonicalBody: Data, actor: Actor) throws -> IdempotencyClaim? {
            guard let key else { return nil }
            guard (1...200).contains(key.count) else {
                throw AppError.badRequest("Idempotency-Key must be 1 to 200 characters.")
            }
            // The same SHA-256 hex as before (the two parts hashed one after the other).
            let hash = TokenHash.of(data: Data((actor.userID?.text ?? "public").utf8) + canonicalBody)
            return IdempotencyClaim(key: key, requestHash: hash)
        }
    }

    /// Records a report: a new case, or with `caseReference` a new incident on that case.
    /// `riskAnswers` (question id → choice value) give a new case its provisional priority.
    func submit(_ draft: ReportDraft, riskAnswers: [String: String], caseReference: String?, by actor: Actor,
                idempotency: IdempotencyClaim?) async throws -> Receipt {
        let now = env.clock.now()
        if caseReference != nil, actor.user == nil {
            throw AppError.unauthenticated("Sign in as staff to add a report to an existing case.")
        }
        // Every problem with the report and its risk answers, at once.
        var errors: [FieldError] = []
        var report: ValidReport?
        do {
            report = try ReportValidator.validate(draft, by: .init(isStaff: actor.user != nil, gateway: actor.gatewayChannel), now: now,
                                                  existingCase: caseReference != nil)
        } catch { errors += error.errors }
        var risk: RiskResult?
        if caseReference != nil {
            if !riskAnswers.isEmpty {
                errors.append(FieldError("riskAnswers", "To reassess a case, use its assessments instead of a new incident."))
            }
        } else {
            do {
                risk = try RiskAssessment.assess(riskAnswers, hate: draft.hate, immediateDanger: draft.immediateDanger, notASB: false)
            } catch { errors += error.errors }
        }
        guard errors.isEmpty, let report else { throw ValidationFailure(errors) }
        if let idempotency, let earlier = try await replay(idempotency, now: now) { return earlier }
        let calendar = try await CalendarService(app: app, db: db, requestID: requestID).calendar()

        do {
            if let caseReference {
                return try await env.writes.run(on: db) { db in
                    let target = try await CaseService(app: app, db: db, requestID: requestID).findReadable(caseReference, by: actor)
                    let receipt = try await recordOnExistingCase(report, target: target, calendar: calendar, by: actor, now: now, on: db)
                    if let idempotency { try await remember(receipt, for: idempotency, now: now, on: db) }
                    return receipt
                }
            }
            // A new case: built before the write, then written with the reports that arrive beside it.
            let newCase = try await newCase(report, risk: risk!, calendar: calendar, by: actor, now: now, idempotency: idempotency,
                                            on: db)
            return try await env.newCases.submit(.init(newCase: newCase, env: env, db: db))
        } catch {
            // A concurrent retry with the same key won the race: answer as it did.
            if let idempotency, let earlier = try await replay(idempotency, now: now) { return earlier }
            throw error
        }
    }

    // MARK: New case

    /// A report about a case already recorded: a new incident while the case is ongoing; after it
    /// is closed, a new case linked to it (as the Regulator's TSM definition counts cases).
    func recordOnExistingCase(_ report: ValidReport, target: ASBCase, calendar: WorkingCalendar, by actor: Actor, now: Date,
                              on db: any Database) async throws -> Receipt {
        if target.status == .closed {
            let risk = (try? RiskAssessment.assess([:], hate: report.hate, immediateDanger: report.immediateDanger, notASB: false))!
            return try await createFollowUp(report, risk: risk, of: target, calendar: calendar, by: actor, now: now, on: db)
        }
        let incident = try await addIncident(report, to: target, calendar: calendar, by: actor, now: now, on: db)
        return Receipt(reference: target.reference, accessCode: nil, status: target.status, priority: target.priority,
                       receivedAt: incident.receivedAt, incidentID: try incident.requireID(),
                       emergencyAdvice: report.immediateDanger ? IntakeTriage.emergencyAdvice : nil)
    }

    /// Where a new case's report places it, and the homes of the people it names.
    struct Places {
        var place: PlaceResolver.Place
        var reporterHome: Property?
        var perpetratorHome: Property?

        /// The report's place and the people's homes, looked up in one read.
        static func resolve(_ report: ValidReport, env: ASBEnvironment, on db: any Database) async throws -> Places {
            let resolver = PlaceResolver(db: db, sectors: env.postcodeSectors, now: env.clock.now())
            let postcode = report.postcode ?? report.reporter?.postcode
            let place = PlaceResolver.AddressKey(address: report.location ?? report.reporter?.address, postcode: postcode)
            let reporter = report.reporter.flatMap { PlaceResolver.AddressKey(address: $0.address, postcode: $0.postcode) }
            let perpetrator = report.allegedPerpetrator.flatMap { person in
                person.name != nil || person.address != nil ? PlaceResolver.AddressKey(address: person.address, postcode: person.postcode) : nil
            }
            let known = try await resolver.properties(at: [place, reporter, perpetrator].compactMap { $0 })
            var places = Places(place: try await resolver.place(property: place.flatMap { known[$0] }, postcode: postcode))
            places.reporterHome = reporter.flatMap { known[$0] }
            places.perpetratorHome = perpetrator.flatMap { known[$0] }
            return places
        }
    }

    /// A new case of `report`, built in memory: where it is and, for a priority 1 case, the team
    /// leaders to alert are read first (reference data intake never changes).
    private func newCase(_ report: ValidReport, risk: RiskResult, calendar: WorkingCalendar, by actor: Actor, now: Date,
                         followUp: NewCase.FollowUp? = nil, idempotency: IdempotencyClaim?, on db: any Database) async throws -> NewCase {
        let places = try await Places.resolve(report, env: env, on: db)
        var newCase = try NewCase(report, risk: risk, places: places, calendar: calendar, by: actor, now: now,
                                  accessCode: env.random.accessCode(),
                                  leaders: risk.priority == .p1 ? try await Outbox.teamLeaders(on: db) : [],
                                  followUp: followUp, idempotency: idempotency, caseReviewConfig: env.config.caseReview,
                                  requestID: requestID)
        try newCase.convert(for: db)
        return newCase
    }

    /// A new case after a closed one, inside the caller's write transaction: the people of the
    /// closed case carry over, and both cases' timelines say so.
    private func createFollowUp(_ report: ValidReport, risk: RiskResult, of previous: ASBCase, calendar: WorkingCalendar,
                                by actor: Actor, now: Date, on db: any Database) async throws -> Receipt {
        let carried = try await CaseParty.query(on: db).filter(\.$asbCase.$id == previous.requireID())
            .filter(\.$role ~~ [.reporter, .victim, .allegedPerpetrator]).with(\.$party).all()
        let newCase = try await newCase(report, risk: risk, calendar: calendar, by: actor, now: now,
                                        followUp: .init(previous: previous, carriedLinks: carried), idempotency: nil, on: db)
        let receipt = try await NewCaseWriter.insert([newCase], env: env, on: db)[0]
        if let reporter = newCase.reporter {
            try await AssessmentService(app: app, db: db, requestID: requestID).addSupportNeeds(risk.supportNeeds, to: reporter)
        }
        return receipt
    }

    /// A new case of `report`, unsaved, without its reference (given in the write: `NewCase`).
    static func makeCase(_ report: ValidReport, place: PlaceResolver.Place, accessCode: String, now: Date) -> ASBCase {
        let asbCase = ASBCase()
        asbCase.status = .received
        asbCase.channel = report.channel
        asbCase.categories = report.categories
        asbCase.hate = report.hate
        asbCase.hateStrands = report.hateStrands
        asbCase.asbLimbs = []
        asbCase.notASB = false
        asbCase.immediateDanger = report.immediateDanger
        asbCase.location = report.location
        asbCase.postcode = report.postcode?.value
        asbCase.$property.id = place.property?.id
        asbCase.$neighbourhood.id = place.neighbourhoodID
        asbCase.accessCodeHash = hashAccessCode(accessCode)
        asbCase.receivedAt = report.receivedAt
        asbCase.lastIncidentAt = report.receivedAt
        asbCase.createdAt = now
        asbCase.updatedAt = now
        asbCase.version = 1
        return asbCase
    }

    /// The timeline's first entry of a case.
    static func reportedSummary(_ report: ValidReport) -> String {
        "Reported by \(report.channel.rawValue)"
            + (report.hate ? "; hate crime/incident (\(report.hateStrands.map(\.rawValue).joined(separator: ", ")))" : "")
            + (report.immediateDanger ? "; someone in immediate danger: 999 advice given" : "")
    }

    // MARK: New incident on a case

    /// Staff record a new incident on a case (SS-PRG-1), from any channel.
    func addIncident(_ draft: ReportDraft, toCase reference: String, by actor: Actor) async throws -> IncidentReport {
        let now = env.clock.now()
        let report = try ReportValidator.validate(draft, by: .init(isStaff: true), now: now, existingCase: true)
        let calendar = try await CalendarService(app: app, db: db, requestID: requestID).calendar()
        let incident = try await env.writes.run(on: db) { db in
            let service = IntakeService(app: app, db: db, requestID: requestID)
            let target = try await CaseService(app: app, db: db, requestID: requestID).findReadable(reference, by: actor)
            return try await service.addIncident(report, to: target, calendar: calendar, by: actor, now: now, on: db)
        }
        try await incident.$recordedBy.load(on: db)
        return incident
    }

    /// A report from the case's own reporter (tracking, an email reply naming the case): a new
    /// incident while the case is ongoing; after closure, a new case linked to it.
    func reportFromReporter(_ draft: ReportDraft, on asbCase: ASBCase, by actor: Actor) async throws -> Receipt {
        let now = env.clock.now()
        let report = try ReportValidator.validate(draft, by: .init(isStaff: false, gateway: actor.gatewayChannel), now: now,
                                                  existingCase: true)
        let calendar = try await CalendarService(app: app, db: db, requestID: requestID).calendar()
        return try await env.writes.run(on: db) { db in
            try await IntakeService(app: app, db: db, requestID: requestID)
                .recordOnExistingCase(report, target: asbCase, calendar: calendar, by: actor, now: now, on: db)
        }
    }

    /// Records a new incident on a case (SS-PRG-1): the case's last incident moves on, and a
    /// hate perception on any incident makes the case a hate case (SS-DEF-2) and priority 1 (SS-RT-2).
    func addIncident(_ report: ValidReport, to asbCase: ASBCase, calendar: WorkingCalendar, by actor: Actor, now: Date,
                     on db: any Database) async throws -> IncidentReport {
        try CaseLifecycle.checkNewIncident(on: asbCase.status)
        let caseID = try asbCase.requireID()
        // A new incident means the case is not ready to close (SS-CLS-1).
        try await ClosureService.cancelPendingProposal(of: asbCase, because: "a new incident was reported", by: actor, now: now,
                                                       requestID: requestID, on: db)
        let reporter = try await CaseParty.query(on: db)
            .filter(\.$asbCase.$id == caseID).filter(\.$role == .reporter).first()
        let incident = Self.makeIncident(report, riskAnswers: [:], caseID: caseID, reporterID: reporter?.$party.id,
                                    by: actor, now: now)
        try await incident.create(on: db)

        var changes: [String: String] = ["incident": try incident.requireID().text]
        asbCase.lastIncidentAt = max(asbCase.lastIncidentAt, report.receivedAt)
        if report.hate {
            asbCase.hate = true
            asbCase.hateStrands = Array(Set(asbCase.hateStrands).union(report.hateStrands)).sorted { $0.rawValue < $1.rawValue }
            changes["hateStrands"] = asbCase.hateStrands.map(\.rawValue).joined(separator: ",")
        }
        // Every hate crime/incident, and anyone in immediate danger, is priority 1 (SS-RT-2).
        var priorityChange: String?
        if report.hate || report.immediateDanger, asbCase.priority != .p1 {
            priorityChange = try await CaseClock(db: db, requestID: requestID)
                .apply(priority: .p1, source: asbCase.prioritySource ?? .provisional, to: asbCase, calendar: calendar,
                       now: now, actor: actor)
            changes["priority"] = "1"
        }
        for category in report.categories where !asbCase.categories.contains(category) {
            asbCase.categories.append(category)
        }
        asbCase.updatedAt = now
        asbCase.version += 1
        try await asbCase.save(on: db)

        try await CaseEvent(caseID: caseID, at: now, kind: .incidentAdded,
                            summary: "New incident reported by \(report.channel.rawValue)", actorID: actor.userID)
            .create(on: db)
        if let priorityChange {
            try await CaseEvent(caseID: caseID, at: now, kind: .priorityChanged, summary: priorityChange, actorID: actor.userID)
                .create(on: db)
        }
        try await AuditLog.record(.incidentCreate, by: actor, entityType: "case", entityID: asbCase.reference,
                                  caseID: caseID, changes: changes, at: now, requestID: requestID, on: db)
        try await CaseReviewService(app: app, db: db, requestID: requestID).check(asbCase, now: now, by: actor)
        return incident
    }

    static func makeIncident(_ report: ValidReport, riskAnswers: [String: String], caseID: UUID, reporterID: UUID?,
                              by actor: Actor, now: Date) -> IncidentReport {
        let incident = IncidentReport()
        incident.$asbCase.id = caseID
        incident.channel = report.channel
        incident.receivedAt = report.receivedAt
        incident.recordedAt = now
        incident.$reporter.id = reporterID
        incident.anonymous = reporterID == nil
        incident.description = report.description
        incident.occurredOn = report.occurredOn
        incident.occurredAt = report.occurredAt
        incident.location = report.location
        incident.postcode = report.postcode?.value
        incident.categories = report.categories
        incident.hate = report.hate
        incident.hateStrands = report.hateStrands
        incident.immediateDanger = report.immediateDanger
        incident.guidanceGiven = report.guidanceGiven
        if !riskAnswers.isEmpty { incident.riskAnswers = SortedJSON.object(riskAnswers) }
        incident.$recordedBy.id = actor.userID
        return incident
    }

    // MARK: Access codes and idempotency

    static func hashAccessCode(_ code: String) -> String {
        TokenHash.of(AccessCode.normalise(code))
    }

    /// The earlier answer for this key, if any; 422 when the key came with a different body.
    private func replay(_ claim: IdempotencyClaim, now: Date) async throws -> Receipt? {
        guard let record = try await IdempotencyRecord.query(on: db)
            .filter(\.$key == claim.key).filter(\.$expiresAt > now).first()
        else { return nil }
        guard record.requestHash == claim.requestHash else {
            throw ValidationFailure([FieldError("Idempotency-Key",
                "This key was already used for a different report. Use a new key for a new report.")])
        }
        return try JSONDecoder().decode(Receipt.self, from: Data(record.response.utf8))
    }

    private func remember(_ receipt: Receipt, for claim: IdempotencyClaim, now: Date, on db: any Database) async throws {
        try await IdempotencyRecord.query(on: db).filter(\.$expiresAt <= now).delete()
        try await Self.idempotencyRecord(receipt, for: claim, now: now, lifetime: env.config.idempotencyLifetime).create(on: db)
    }

    /// The record that answers a retry with `claim`'s key, unsaved.
    static func idempotencyRecord(_ receipt: Receipt, for claim: IdempotencyClaim, now: Date,
                                  lifetime: TimeInterval) throws -> IdempotencyRecord {
        let record = IdempotencyRecord()
        record.id = OrderedID.next(at: now)
        record.key = claim.key
        record.requestHash = claim.requestHash
        record.response = String(decoding: try JSONEncoder().encode(receipt), as: UTF8.self)
        record.createdAt = now
        record.expiresAt = now.addingTimeInterval(lifetime)
        return record
    }
}

/// Places a report: a known property at that address and postcode, else a neighbourhood by postcode sector.
struct PlaceResolver {
    let db: any Database
    /// The neighbourhood of each postcode sector, kept for a minute (the neighbourhoods are
    /// reference data; every report was reading them all).
    let sectors: ExpiringCache<String, [String: UUID]>
    let now: Date

    static let sectorsKey = "neighbourhoods"

    struct Place {
        var property: Property?
        var neighbourhoodID: UUID?
    }

    /// A property's address as stored: its postcode and its address in capitals.
    struct AddressKey: Hashable {
        var postcode: String
        var address: String

        init?(address: String?, postcode: Postcode?) {
            guard let address, let postcode else { return nil }
            self.init(of: postcode.value, address.uppercased())
        }

        /// A stored property's (`postcode`, `address_key`).
        init(of postcode: String, _ addressKey: String) {
            self.postcode = postcode
            address = addressKey
        }
    }

    /// The known properties at these addresses, in one read (a property's postcode and address
    /// are unique together).
    func properties(at keys: [AddressKey]) async throws -> [AddressKey: Property] {
        guard !keys.isEmpty else { return [:] }
        let postcodes = Set(keys.map(\.postcode)), addresses = Set(keys.map(\.address))
        let found = try await Property.stored("""
            WHERE postcode IN (\(binds: postcodes.sorted())) AND address_key IN (\(binds: addresses.sorted()))
            """, on: db)
        var known: [AddressKey: Property] = [:]
        for property in found {
            let key = AddressKey(of: property.postcode, property.addressKey)
            if keys.contains(key) { known[key] = property }
        }
        return known
    }

    /// The place of a report at `property` (known, or nil) with this postcode: the property's
    /// neighbourhood, else the postcode sector's.
    func place(property: Property?, postcode: Postcode?) async throws -> Place {
        if let neighbourhoodID = property?.$neighbourhood.id {
            return Place(property: property, neighbourhoodID: neighbourhoodID)
        }
        guard let postcode else { return Place(property: property, neighbourhoodID: nil) }
        return Place(property: property, neighbourhoodID: try await neighbourhoods()[postcode.sector])
    }

    /// Each postcode sector's neighbourhood (the first, by name, that lists it).
    private func neighbourhoods() async throws -> [String: UUID] {
        if let cached = sectors.get(Self.sectorsKey, now: now) { return cached }
        var map: [String: UUID] = [:]
        for neighbourhood in try await Neighbourhood.stored("ORDER BY name", on: db) {
            for sector in neighbourhood.postcodeSectors where map[sector] == nil { map[sector] = neighbourhood.id }
        }
        sectors.put(map, for: Self.sectorsKey, now: now)
        return map
    }
}
