import ASBCore
import Fluent
import OpenAPIRuntime
import Vapor

/// Implements the OpenAPI contract (`openapi.yaml`). Each operation decodes its typed input,
/// calls one service and maps the result; errors are thrown and become problems in
/// `ProblemMiddleware`. Operations live in `APIHandler+<Resource>.swift`.
struct APIHandler: APIProtocol {
    /// The request, application and database for the operation now running.
    struct Context {
        let request: Request
        var app: Application { request.application }
        var db: any Database { request.db }
        var requestID: String { request.id }
        var now: Date { app.asb.clock.now() }

        var intake: IntakeService { IntakeService(app: app, db: db, requestID: requestID) }
        var cases: CaseService { CaseService(app: app, db: db, requestID: requestID) }
        var users: UserService { UserService(app: app, db: db, requestID: requestID) }
        var auth: AuthService { AuthService(app: app, db: db, requestID: requestID) }
        var tracking: TrackingService { TrackingService(app: app, db: db, requestID: requestID) }
        var referenceData: ReferenceDataService { ReferenceDataService(app: app, db: db, requestID: requestID) }
        var calendar: CalendarService { CalendarService(app: app, db: db, requestID: requestID) }
        var assessments: AssessmentService { AssessmentService(app: app, db: db, requestID: requestID) }
        var clock: CaseClock { CaseClock(db: db, requestID: requestID) }
        var queues: QueueService { QueueService(db: db) }
        var parties: PartyService { PartyService(app: app, db: db, requestID: requestID) }
        var referrals: ReferralService { ReferralService(app: app, db: db, requestID: requestID) }
        var contacts: ContactService { ContactService(app: app, db: db, requestID: requestID) }
        var actionPlans: ActionPlanService { ActionPlanService(app: app, db: db, requestID: requestID) }
        var enforcement: EnforcementService { EnforcementService(app: app, db: db, requestID: requestID) }
        var reviews: ReviewService { ReviewService(app: app, db: db, requestID: requestID) }
        var attachments: AttachmentService { AttachmentService(app: app, db: db, requestID: requestID) }
        var closure: ClosureService { ClosureService(app: app, db: db, requestID: requestID) }
        var notices: NoticeService { NoticeService(app: app, db: db, requestID: requestID) }
        var caseReviews: CaseReviewService { CaseReviewService(app: app, db: db, requestID: requestID) }

        func staff() throws -> User { try request.requireStaff() }
        func staff(_ permission: Permission) throws -> User { try request.requireStaff(permission) }
    }

    func context() throws -> Context { Context(request: try CurrentRequest.get()) }
}

/// Conversions between the contract's enums and ASBCore's: they share raw values, and a test
/// proves every case converts both ways.
enum EnumBridge {
    static func convert<From: RawRepresentable, To: RawRepresentable>(_ value: From, to: To.Type = To.self) -> To
    where From.RawValue == To.RawValue {
        guard let converted = To(rawValue: value.rawValue) else {
            preconditionFailure("\(From.self).\(value.rawValue) has no counterpart in \(To.self)")
        }
        return converted
    }

    static func convert<From: RawRepresentable, To: RawRepresentable>(_ values: [From], to: To.Type = To.self) -> [To]
    where From.RawValue == To.RawValue {
        values.map { convert($0) }
    }
}

/// `ETag` values are the case version in quotes; `If-Match` accepts it with or without quotes or `W/`.
enum ETag {
    static func make(version: Int) -> String { "\"\(version)\"" }

    static func parse(_ header: String?) throws -> Int? {
        guard let header else { return nil }
        var text = header.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("W/") { text.removeFirst(2) }
        text = text.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        guard let version = Int(text) else {
            throw AppError.badRequest("If-Match must be the ETag from your last read, like \"3\".")
        }
        return version
    }
}
