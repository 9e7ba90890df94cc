import Foundation

/// The satisfaction survey after closure (SS-MON-3): five questions and a comment, answered by
/// the reporter through a one-time link, by phone with an officer, or on paper.

/// How the answers reached us.
public enum SurveyChannel: String, Sendable, Codable, CaseIterable {
    case link, phone, paper

    public var displayName: String {
        switch self {
        case .link: "Online, from the link"
        case .phone: "By phone"
        case .paper: "On paper"
        }
    }
}

public struct SurveyAnswers: Sendable, Equatable {
    /// 1 (very dissatisfied) to 5 (very satisfied): required.
    public var overall: Int?
    public var keptInformed: Int?
    public var easeOfReporting: Int?
    public var listenedTo: Int?
    public var wouldReportAgain: Bool?
    public var comments: String?

    public init(overall: Int? = nil, keptInformed: Int? = nil, easeOfReporting: Int? = nil, listenedTo: Int? = nil,
                wouldReportAgain: Bool? = nil, comments: String? = nil) {
        self.overall = overall
        self.keptInformed = keptInformed
        self.easeOfReporting = easeOfReporting
        self.listenedTo = listenedTo
        self.wouldReportAgain = wouldReportAgain
        self.comments = comments
    }
}

public enum SatisfactionRules {
    public static let commentsLimit = 2000

    /// The scored questions: the field name and the question as the reporter reads it.
    public static let scoredQuestions: [(field: String, text: String)] = [
        ("overall", "Overall, how satisfied are you with how we handled your case?"),
        ("keptInformed", "How satisfied are you that we kept you informed?"),
        ("easeOfReporting", "How easy was it to report the problem?"),
        ("listenedTo", "How satisfied are you that we listened to you?"),
    ]

    /// The five answers, 5 first, as a form offers them.
    public static let scale: [(value: Int, label: String)] = [
        (5, "Very satisfied"), (4, "Fairly satisfied"), (3, "Neither satisfied nor dissatisfied"),
        (2, "Fairly dissatisfied"), (1, "Very dissatisfied"),
    ]

    /// Checks the answers, naming every problem; comments are trimmed.
    public static func validate(_ answers: SurveyAnswers) throws(ValidationFailure) -> SurveyAnswers {
        var errors: [FieldError] = []
        if answers.overall == nil { errors.append(FieldError("overall", "Tell us how satisfied you are overall.")) }
        for (field, value) in [("overall", answers.overall), ("keptInformed", answers.keptInformed),
                               ("easeOfReporting", answers.easeOfReporting), ("listenedTo", answers.listenedTo)] {
            if let value, !(1...5).contains(value) { errors.append(FieldError(field, "Choose one of the five answers.")) }
        }
        var clean = answers
        let comments = answers.comments?.trimmingWhitespace()
        clean.comments = (comments ?? "").isEmpty ? nil : comments
        if let comments, comments.count > commentsLimit {
            errors.append(FieldError("comments", "Keep your comments to \(commentsLimit) characters."))
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        return clean
    }

    /// An overall answer of 1 or 2 calls for a team leader's dissatisfaction review (SS-MON-3).
    public static func needsDissatisfactionReview(_ answers: SurveyAnswers) -> Bool {
        (answers.overall ?? 5) <= 2
    }
}
