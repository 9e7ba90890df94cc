import Foundation

/// How great the risk of harm is (SS-RT-1). Stored and exchanged as its raw value.
public enum RiskLevel: String, Sendable, Codable, CaseIterable {
    case high
    case medium
    case standard

    /// The priority this level gives a case: high → P1 (SS-RT-2), medium → P2 (SS-RT-3),
    /// standard → P3 (SS-RT-4).
    public var priority: Priority {
        switch self {
        case .high: .p1
        case .medium: .p2
        case .standard: .p3
        }
    }
}

/// The outcome of scoring one set of answers against one questionnaire.
public struct RiskResult: Sendable, Codable, Equatable {
    public let questionnaireVersion: String
    /// Question id → choice value, as given (validated).
    public let answers: [String: String]
    /// The total of the chosen answers' scores; unanswered questions score 0.
    public let score: Int
    public let level: RiskLevel
    /// `level.priority`, stored so that readers need not derive it.
    public let priority: Priority
    /// Why the level is what it is, most decisive first, for the officer and the audit trail.
    public let reasons: [String]
    /// The support needs the answers reveal (SS-NXT-3), in `SupportNeed.allCases` order, each once.
    public let supportNeeds: [SupportNeed]
    /// Every question was answered.
    public let complete: Bool
}

extension RuleViolation {
    public static let hateIsPriorityOne = RuleViolation(
        code: "risk.hateIsPriorityOne", clause: "SS-RT-2",
        reason: "Every hate crime or hate incident is priority 1: it cannot be given a lower priority.")
}

/// Scores risk assessment answers (SS-RT-1) and decides a case's priority.
public enum RiskAssessment {
    public static let hateReason = "Hate crime/incident (SS-RT-2)"
    public static let immediateDangerReason = "Immediate danger (SS-REP-2)"
    public static let notASBReason = "Not ASB: recorded for information (SS-DEF-3)"
    /// Added when the reporter says they think it is happening because of who they are but the
    /// report is not recorded as hate: their perception is enough to record it as hate (SS-DEF-2).
    public static let perceivedHateReason =
        "The reporter thinks this is motivated by hostility or prejudice: record it as hate (SS-DEF-2)"

    /// Validates answers (unknown question id → FieldError("riskAnswers.<id>", …); unknown value →
    /// FieldError("riskAnswers.<id>", "Choose one of: …")) and scores them, naming every bad answer at once.
    /// Unanswered questions score 0. Rules, in order: hate → high/P1 always (SS-RT-2); immediate
    /// danger → high; any overriding answer → high; then not ASB → standard/P3, recorded for
    /// information (SS-DEF-3); otherwise by the questionnaire's thresholds. Signs of harm come
    /// before "not ASB": a report with a threat of violence is never filed for information only.
    public static func assess(_ answers: [String: String], hate: Bool, immediateDanger: Bool, notASB: Bool,
                              questionnaire: RiskQuestionnaire = .standard) throws(ValidationFailure) -> RiskResult {
        var errors: [FieldError] = []
        var chosen: [RiskChoice] = []
        for question in questionnaire.questions {
            guard let value = answers[question.id] else { continue }
            if let choice = question.choice(value) {
                chosen.append(choice)
            } else {
                let values = question.choices.map(\.value).joined(separator: ", ")
                errors.append(FieldError("riskAnswers.\(question.id)", "Choose one of: \(values)."))
            }
        }
        for id in answers.keys.sorted() where questionnaire.question(id) == nil {
            errors.append(FieldError(
                "riskAnswers.\(id)",
                "There is no question with this id in risk assessment \(questionnaire.version)."))
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }

        let score = chosen.reduce(0) { $0 + $1.score }
        let overridingReasons = chosen.compactMap(\.overridingReason).uniqued()
        let revealed = Set(chosen.flatMap(\.supportNeeds))
        let supportNeeds = SupportNeed.allCases.filter(revealed.contains)
        let complete = questionnaire.questions.allSatisfy { answers[$0.id] != nil }

        let scoreLevel: RiskLevel
        let band: String
        if score >= questionnaire.highThreshold {
            scoreLevel = .high
            band = "high from \(questionnaire.highThreshold)"
        } else if score >= questionnaire.mediumThreshold {
            scoreLevel = .medium
            band = "medium from \(questionnaire.mediumThreshold)"
        } else {
            scoreLevel = .standard
            band = "standard below \(questionnaire.mediumThreshold)"
        }
        let scoreReason = "Score \(score) of \(questionnaire.maximumScore) (\(band))"

        var level: RiskLevel
        var reasons: [String] = []
        if notASB && !hate && !immediateDanger && overridingReasons.isEmpty {
            level = .standard
            reasons.append(notASBReason)
        } else {
            if hate { reasons.append(hateReason) }
            if immediateDanger { reasons.append(immediateDangerReason) }
            reasons += overridingReasons
            level = reasons.isEmpty ? scoreLevel : .high
            reasons.append(scoreReason)
        }
        if !hate && answers[RiskQuestionnaire.hateMotivationQuestionID] == "yes" {
            reasons.append(perceivedHateReason)
        }

        return RiskResult(
            questionnaireVersion: questionnaire.version, answers: answers, score: score, level: level,
            priority: level.priority, reasons: reasons, supportNeeds: supportNeeds, complete: complete)
    }

    /// An officer confirming or overriding the computed priority. `override == nil` or equal to the
    /// computed priority → the computed priority, no reason needed. A different priority needs a
    /// non-empty reason (else `ValidationFailure` naming `overrideReason`). A hate case is always P1:
    /// asking for a lower priority throws `RuleViolation.hateIsPriorityOne` (SS-RT-2).
    public static func decidePriority(computed: RiskResult, override: Priority?, reason: String?,
                                      hate: Bool) throws -> Priority {
        if hate {
            if let override, override != .p1 { throw RuleViolation.hateIsPriorityOne }
            return .p1
        }
        guard let override, override != computed.priority else { return computed.priority }
        let reason = reason?.trimmingWhitespace() ?? ""
        if reason.isEmpty {
            throw ValidationFailure([FieldError(
                "overrideReason",
                "Give a reason for changing the priority from P\(computed.priority.rawValue) to P\(override.rawValue).")])
        }
        return override
    }
}
