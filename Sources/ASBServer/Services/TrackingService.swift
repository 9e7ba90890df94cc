import ASBCore
import Crypto
import Fluent
import Foundation
import Vapor

/// A reporter follows their case with its reference and access code, without an account.
struct TrackingService {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    struct View {
        var asbCase: ASBCase
        var officerName: String?
        /// When the landlord agreed to contact the reporter next (SS-NXT-5).
        var nextContactOn: String?
        /// The reporter's own actions in the current action plan (SS-NXT-2).
        var reporterActions: [PlanAction]
        /// Whether the reporter may apply for an ASB Case Review (SS-PRT-1), once the threshold is met.
        var caseReviewCanApply: Bool
    }

    /// The reporter adds a new incident to their case (SS-PRG-1), after the same check as tracking.
    func addIncident(reference: String, accessCode: String, clientAddress: String, draft: ReportDraft) async throws -> IntakeService.Receipt {
        let view = try await track(reference: reference, accessCode: accessCode, clientAddress: clientAddress)
        // After closure this opens a new linked case, with its own reference and code.
        return try await IntakeService(app: app, db: db, requestID: requestID).reportFromReporter(draft, on: view.asbCase, by: .reporter)
    }

    /// Wrong code and unknown reference give the same 404; guesses are throttled per reference and per client.
    func track(reference rawReference: String, accessCode: String, clientAddress: String) async throws -> View {
        var errors: [FieldError] = []
        if rawReference.trimmingCharacters(in: .whitespaces).isEmpty { errors.append(FieldError("reference", "Enter your case reference.")) }
        if accessCode.trimmingCharacters(in: .whitespaces).isEmpty { errors.append(FieldError("accessCode", "Enter your access code.")) }
        guard errors.isEmpty else { throw ValidationFailure(errors) }

        let now = env.clock.now()
        let referenceKey = rawReference.trimmingCharacters(in: .whitespaces).uppercased()
        let perReference = Throttle(scope: "track.reference", maxFailures: env.config.trackMaxFailuresPerReference,
                                    window: env.config.trackWindow)
        let perClient = Throttle(scope: "track.client", maxFailures: env.config.trackMaxFailuresPerClient,
                                 window: env.config.trackWindow)
        try await perReference.check(referenceKey, now: now, on: db)
        try await perClient.check(clientAddress, now: now, on: db)

        let found: ASBCase? = if let reference = CaseReference(rawReference) {
            try await ASBCase.query(on: db).filter(\.$reference == reference.description).with(\.$allocatedOfficer).first()
        } else {
            nil
        }
        let given = IntakeService.hashAccessCode(accessCode)
        guard let asbCase = found, Self.constantTimeEqual(asbCase.accessCodeHash, given) else {
            try await perReference.recordFailure(referenceKey, now: now, on: db)
            try await perClient.recordFailure(clientAddress, now: now, on: db)
            throw AppError.notFound("No case matches that reference and access code. Check both and try again.")
        }
        let caseID = try asbCase.requireID()
        let entry = try AuditLog.event(.caseTrack, by: .reporter, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                       at: now, requestID: requestID)
        return try await AuditLog.recordingReads([entry], env: env, on: db) {
            let plan = try await ContactPlan.query(on: db).filter(\.$asbCase.$id == caseID)
                .filter(\.$forReporter == true).filter(\.$active == true).first()
            let actions = try await ActionPlanService(app: app, db: db, requestID: requestID).load(caseID)
                .current?.actions.filter { $0.owner == .reporter }.sorted { $0.position < $1.position } ?? []
            // Tracking needs the code, so the reporter is known: they may apply.
            return View(asbCase: asbCase, officerName: asbCase.allocatedOfficer?.displayName, nextContactOn: plan?.nextContactDue,
                        reporterActions: actions,
                        caseReviewCanApply: try await !ClosureService.isAnonymous(caseID, on: db))
        }
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
