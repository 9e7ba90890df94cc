import ASBCore
import Fluent
import Foundation
import Synchronization
import Vapor

/// The demo's people and places, made once before the cases: neighbourhoods with their postcode
/// sectors, officers and team leaders (no email address, so no demo mail; a password nobody
/// knows: an admin resets it to use one).
struct DemoStaff: Sendable {
    var officers: [User]
    var leaders: [User]

    static func counts(cases: Int) -> (officers: Int, leaders: Int) {
        let officers = min(60, max(6, cases / 25_000))
        return (officers, max(2, officers / 7))
    }

    /// Creates the neighbourhoods and staff, or finds those an earlier run made.
    static func prepare(_ app: Application, cases: Int, seed: UInt64, now: Date) async throws -> DemoStaff {
        let db = app.db
        for (offset, place) in DemoPlanner.neighbourhoods().enumerated()
        where try await Neighbourhood.query(on: db).filter(\.$name == place.name).count() == 0 {
            let neighbourhood = Neighbourhood(name: place.name, postcodeSectors: place.sectors)
            neighbourhood.id = OrderedID.next(at: now.addingTimeInterval(Double(offset) / 1000))
            try await neighbourhood.create(on: db)
        }
        let (officerCount, leaderCount) = counts(cases: cases)
        var rng = SplitMix64(seed: seed ^ 0x5EED_57AF)
        func user(_ role: Role, _ number: Int) async throws -> User {
            let username = "demo.\(role == .teamLeader ? "leader" : "officer").\(number)"
            if let existing = try await User.query(on: db).filter(\.$username == username).first() { return existing }
            let user = User(username: username, displayName: DemoNames.person(&rng), email: nil, role: role,
                            partnerAgencyID: nil, passwordHash: app.asb.passwords.decoyHash, now: now)
            try await user.create(on: db)
            return user
        }
        var officers: [User] = []
        for n in 1...officerCount { officers.append(try await user(.officer, n)) }
        var leaders: [User] = []
        for n in 1...leaderCount { leaders.append(try await user(.teamLeader, n)) }
        return DemoStaff(officers: officers, leaders: leaders)
    }
}

extension DemoStaff {
    /// Who records the first report: the public on the website, the email gateway, or an officer.
    func recorder(of plan: DemoCasePlan) -> Actor {
        if let officer = plan.recordedBy { return .staff(officers[officer]) }
        return plan.report.channel == .email ? .gateway(.email) : .publicReporter
    }
}

extension RandomSource {
    /// A seeded source: the same seed gives the same access codes and survey tokens.
    static func seeded(_ seed: UInt64) -> RandomSource {
        let generator = Mutex(SplitMix64(seed: seed))
        return RandomSource { count in
            generator.withLock { rng in (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
        }
    }

    /// The source a demo case's access code and survey token come from.
    static func demo(seed: UInt64, case index: Int) -> RandomSource {
        seeded(seed ^ 0xACCE_55C0_DE00_0000 &+ UInt64(index))
    }
}

/// Plays demo plans through the services the API uses, one step at a time with the clock set to
/// the step's time. Slow (every step is its own transaction), and the reference for what
/// `DemoBulkWriter` must produce.
struct DemoServiceWriter {
    let app: Application
    let staff: DemoStaff
    let seed: UInt64

    func write(_ plan: DemoCasePlan) async throws {
        let db = app.db
        let saved = app.asb
        defer { app.asb = saved }
        app.asb.random = .demo(seed: seed, case: plan.index)
        app.asb.clock = .fixed(plan.receivedAt)
        let recorder = staff.recorder(of: plan)
        let receipt = try await IntakeService(app: app, db: db, requestID: nil)
            .submit(plan.report, riskAnswers: plan.riskAnswers, caseReference: nil, by: recorder, idempotency: nil)
        let reference = receipt.reference
        let officer = Actor.staff(staff.officers[plan.officer])
        for (at, step) in plan.steps {
            app.asb.clock = .fixed(at)
            switch step {
            case .allocate(let leader, let officer):
                guard let asbCase = try await ASBCase.query(on: db).filter(\.$reference == reference).first() else { return }
                _ = try await CaseService(app: app, db: db, requestID: nil)
                    .update(reference, .init(allocatedOfficerID: staff.officers[officer].id), expectedVersion: asbCase.version,
                            by: .staff(staff.leaders[leader]))
            case .assess(let answers):
                _ = try await AssessmentService(app: app, db: db, requestID: nil)
                    .assess(reference, .init(answers: answers), by: officer)
            case .contact(let contact):
                let party = try await party(contact.withReporter ? .reporter : .allegedPerpetrator, of: reference)
                _ = try await ContactService(app: app, db: db, requestID: nil)
                    .log(on: reference, .init(partyID: party, at: at, method: contact.method, direction: contact.direction,
                                              summary: contact.summary, restricted: false), by: officer)
            case .incident(let draft):
                _ = try await IntakeService(app: app, db: db, requestID: nil).addIncident(draft, toCase: reference, by: officer)
            case .agreeActionPlan(let actions):
                let officerID = try officer.user!.requireID()
                _ = try await ActionPlanService(app: app, db: db, requestID: nil).agree(
                    on: reference, agreedOn: nil, howAgreed: .visit, notes: nil,
                    actions: actions.map {
                        .init(what: $0.what, owner: $0.owner, ownerUserID: $0.owner == .landlord ? officerID : nil,
                              dueOn: $0.dueOn.description)
                    }, by: officer)
            case .proposeClosure(let proposal):
                _ = try await ClosureService(app: app, db: db, requestID: nil).propose(
                    on: reference, .init(reason: proposal.reason, explanation: proposal.explanation,
                                         withdrawalHow: proposal.withdrawalHow, withdrawalOn: proposal.withdrawalOn?.description),
                    by: officer)
            case .closureContact(let method):
                _ = try await ClosureService(app: app, db: db, requestID: nil)
                    .recordContact(on: reference, method: method, outcome: .agreed, reasons: nil, at: nil, by: officer)
            case .approveClosure(let leader):
                _ = try await ClosureService(app: app, db: db, requestID: nil).approve(on: reference, by: .staff(staff.leaders[leader]))
            case .close:
                _ = try await ClosureService(app: app, db: db, requestID: nil).close(on: reference, by: officer)
            case .survey(let answers):
                try await SurveyService(app: app, db: db, requestID: nil).record(on: reference, channel: .phone, answers, by: officer)
            }
        }
    }

    private func party(_ role: PartyRole, of reference: String) async throws -> UUID? {
        guard let asbCase = try await ASBCase.query(on: app.db).filter(\.$reference == reference).first() else { return nil }
        return try await CaseParty.query(on: app.db).filter(\.$asbCase.$id == asbCase.requireID()).filter(\.$role == role)
            .first()?.$party.id
    }
}
