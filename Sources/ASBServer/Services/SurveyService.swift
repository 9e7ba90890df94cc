import ASBCore
import Fluent
import FluentSQL
import Foundation
import Vapor

/// Satisfaction surveys after closure (SS-MON-3): opened when a case with a known reporter
/// closes, answered once through the link's token, or entered by staff from a call or a paper form.
struct SurveyService {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    /// Opens the survey of a closing case, inside the closure's transaction; returns the link's token
    /// (kept only as a hash).
    static func open(for caseID: UUID, now: Date, random: RandomSource, on db: any Database) async throws -> String {
        let token = random.token()
        let survey = SatisfactionSurvey()
        survey.id = OrderedID.next(at: now)
        survey.$asbCase.id = caseID
        survey.status = "due"
        survey.dueAt = now
        survey.tokenHash = TokenHash.of(token)
        try await survey.create(on: db)
        return token
    }

    /// Records valid answers on the survey (unsaved).
    static func fill(_ survey: SatisfactionSurvey, _ answers: SurveyAnswers, channel: SurveyChannel, by actor: Actor, now: Date) {
        survey.status = "answered"
        survey.answeredAt = now
        survey.answeredBy = channel
        survey.overall = answers.overall
        survey.keptInformed = answers.keptInformed
        survey.easeOfReporting = answers.easeOfReporting
        survey.listenedTo = answers.listenedTo
        survey.wouldReportAgain = answers.wouldReportAgain
        survey.comments = answers.comments
        survey.$enteredBy.id = actor.userID
    }

    static func link(_ token: String, settings: AppConfig.MailSettings) -> String { settings.publicURL + "/survey/" + token }

    /// The survey a link opens, while it waits for answers; anything else is the same 404.
    func due(token: String) async throws -> SatisfactionSurvey {
        guard !token.isEmpty, let survey = try await SatisfactionSurvey.query(on: db).filter(\.$tokenHash == TokenHash.of(token))
            .with(\.$asbCase).first(), survey.status == "due" else {
            throw AppError.notFound("This survey link has already been used, or is not right.")
        }
        return survey
    }

    /// The reporter answers through the link, once.
    func answer(token: String, _ answers: SurveyAnswers) async throws {
        let survey = try await due(token: token)
        try await save(survey, answers, channel: .link, by: .reporter)
    }

    /// Staff enter answers given by phone or on paper.
    func record(on reference: String, channel: SurveyChannel, _ answers: SurveyAnswers, by actor: Actor) async throws {
        guard let user = actor.user, user.role.may(.updateCase) else { throw AppError.forbidden() }
        let asbCase = try await CaseService(app: app, db: db, requestID: requestID).findReadable(reference, by: actor)
        guard let survey = try await SatisfactionSurvey.query(on: db).filter(\.$asbCase.$id == asbCase.requireID())
            .filter(\.$status == "due").with(\.$asbCase).first() else {
            throw ValidationFailure([FieldError("overall", "This case has no survey waiting for answers.")])
        }
        try await save(survey, answers, channel: channel, by: actor)
    }

    private func save(_ survey: SatisfactionSurvey, _ raw: SurveyAnswers, channel: SurveyChannel, by actor: Actor) async throws {
        let answers = try SatisfactionRules.validate(raw)
        let now = env.clock.now()
        try await env.writes.run(on: db) { db in
            // Claim it first, in one statement: of two submissions at once, exactly one answers.
            guard let sql = db as? any SQLDatabase else { return }
            let claimed = try await sql.raw("""
                UPDATE satisfaction_surveys SET status = 'answered' WHERE id = \(bind: survey.requireID()) AND status = 'due' RETURNING id
                """).all()
            guard claimed.count == 1 else { return }
            Self.fill(survey, answers, channel: channel, by: actor, now: now)
            try await survey.save(on: db)
            let dissatisfied = SatisfactionRules.needsDissatisfactionReview(answers)
            if dissatisfied { try await DissatisfactionReviewService.open(for: survey, now: now, on: db) }
            let review = dissatisfied ? "; dissatisfied: a team leader reviews the case" : ""
            try await CaseEvent(caseID: survey.$asbCase.id, at: now, kind: .surveyAnswered,
                                summary: "Satisfaction survey answered (\(channel.displayName.lowercased())): overall \(answers.overall ?? 0) of 5\(review)",
                                actorID: actor.userID).create(on: db)
            try await AuditLog.record(.surveyAnswered, by: actor, entityType: "case", entityID: survey.asbCase.reference,
                                      caseID: survey.$asbCase.id, changes: ["overall": String(answers.overall ?? 0), "channel": channel.rawValue],
                                      at: now, requestID: requestID, on: db)
        }
    }
}
