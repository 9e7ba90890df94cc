/// The victim-focused risk assessment every case gets (SS-RT-1), modelled on the Home Office
/// ASB risk assessment matrix: each answer scores points, some answers force high risk whatever
/// the total, and some reveal support needs to consider (SS-NXT-3).
/// The default questions, scores and thresholds are described in `docs/risk-questionnaire.md`.

/// One answer a reporter can choose.
public struct RiskChoice: Sendable, Codable, Equatable {
    /// The stable value sent and stored, e.g. `yes`.
    public let value: String
    /// The answer as the reporter reads it.
    public let label: String
    public let score: Int
    /// Answering this forces high risk, with this reason (e.g. "Threat of violence").
    public let overridingReason: String?
    /// Support needs this answer reveals (SS-NXT-3).
    public let supportNeeds: [SupportNeed]

    public init(value: String, label: String, score: Int, overridingReason: String? = nil,
                supportNeeds: [SupportNeed] = []) {
        self.value = value
        self.label = label
        self.score = score
        self.overridingReason = overridingReason
        self.supportNeeds = supportNeeds
    }
}

/// One question, answered by choosing exactly one of its choices.
public struct RiskQuestion: Sendable, Codable, Equatable {
    /// The stable id sent and stored, in lowerCamelCase, e.g. `frequency`.
    public let id: String
    /// The question as the reporter reads it on the form.
    public let text: String
    /// A hint shown under the question.
    public let help: String?
    public let choices: [RiskChoice]

    public init(id: String, text: String, help: String? = nil, choices: [RiskChoice]) {
        self.id = id
        self.text = text
        self.help = help
        self.choices = choices
    }

    /// The choice with this value, if there is one.
    public func choice(_ value: String) -> RiskChoice? {
        choices.first { $0.value == value }
    }
}

/// A versioned set of questions with the thresholds that turn a total score into a risk level.
public struct RiskQuestionnaire: Sendable, Codable, Equatable {
    /// Stored with every assessment, so an old assessment can be read against the questions it answered.
    public let version: String
    public let questions: [RiskQuestion]
    /// A total at or above this is medium risk (P2, SS-RT-3).
    public let mediumThreshold: Int
    /// A total at or above this is high risk (P1, SS-RT-2).
    public let highThreshold: Int

    public init(version: String, questions: [RiskQuestion], mediumThreshold: Int, highThreshold: Int) {
        self.version = version
        self.questions = questions
        self.mediumThreshold = mediumThreshold
        self.highThreshold = highThreshold
    }

    /// The question with this id, if there is one.
    public func question(_ id: String) -> RiskQuestion? {
        questions.first { $0.id == id }
    }

    /// The highest total possible: every question answered with its highest-scoring choice.
    public var maximumScore: Int {
        questions.reduce(0) { $0 + ($1.choices.lazy.map(\.score).max() ?? 0) }
    }

    /// The highest total possible without any answer that forces high risk.
    public var maximumScoreWithoutOverrides: Int {
        questions.reduce(0) { total, question in
            total + (question.choices.lazy.filter { $0.overridingReason == nil }.map(\.score).max() ?? 0)
        }
    }
}

// MARK: - The default questionnaire

extension RiskQuestionnaire {
    /// The id of the question asking whether the reporter perceives hostility or prejudice (SS-DEF-2).
    public static let hateMotivationQuestionID = "hateMotivation"

    /// The landlord's risk assessment, version 2026-1: 21 questions; the highest total without
    /// an overriding answer is 46 (61 with every answer); medium from 10, high from 20.
    public static let standard = RiskQuestionnaire(
        version: "2026-1",
        questions: [
            RiskQuestion(
                id: "targeted",
                text: "Do you feel that you, or someone in your household, are being targeted personally?",
                help: "For example, it is aimed at you rather than at the street or the building in general.",
                choices: [no, notSure(1), yes(3)]),
            RiskQuestion(
                id: hateMotivationQuestionID,
                text: "Do you think this is happening because of who you are?",
                help: "For example because of your race, ethnicity or nationality, your religion or belief, "
                    + "your sexual orientation, your gender identity or a disability. What you think is enough.",
                choices: [no, notSure(2), yes(5)]),
            RiskQuestion(
                id: "frequency",
                text: "How often does it happen?",
                choices: [
                    RiskChoice(value: "once", label: "It has happened once", score: 0),
                    RiskChoice(value: "weekly", label: "About once a week, or less often", score: 1),
                    RiskChoice(value: "severalTimesAWeek", label: "Several times a week", score: 2),
                    RiskChoice(value: "daily", label: "Every day", score: 3),
                ]),
            RiskQuestion(
                id: "duration",
                text: "How long has it been going on?",
                choices: [
                    RiskChoice(value: "underAMonth", label: "Less than a month", score: 0),
                    RiskChoice(value: "oneToSixMonths", label: "Between 1 and 6 months", score: 1),
                    RiskChoice(value: "overSixMonths", label: "More than 6 months", score: 2),
                ]),
            RiskQuestion(
                id: "threats",
                text: "Has anyone threatened you, or someone in your household, with violence?",
                choices: [no, yes(5, overriding: "Threat of violence")]),
            RiskQuestion(
                id: "violence",
                text: "Have you, or has someone in your household, been physically attacked or hurt?",
                choices: [no, yes(5, overriding: "Actual violence or injury")]),
            RiskQuestion(
                id: "healthImpact",
                text: "Is this affecting your physical or mental health?",
                choices: [
                    no,
                    RiskChoice(value: "aLittle", label: "Yes, a little", score: 1),
                    RiskChoice(value: "aLot", label: "Yes, a lot", score: 3),
                ]),
            RiskQuestion(
                id: "sleepImpact",
                text: "Is this affecting your sleep?",
                choices: [
                    no,
                    RiskChoice(value: "sometimes", label: "Sometimes", score: 1),
                    RiskChoice(value: "often", label: "Often", score: 2),
                ]),
            RiskQuestion(
                id: "workOrSchoolImpact",
                text: "Is this affecting your work or studies, or your children's schooling?",
                choices: [no, yes(2)]),
            RiskQuestion(
                id: "fear",
                text: "Are you afraid to be at home, or to go out, because of this?",
                choices: [
                    no,
                    RiskChoice(value: "sometimes", label: "Sometimes", score: 2),
                    RiskChoice(value: "yes", label: "Yes, most of the time", score: 4),
                ]),
            RiskQuestion(
                id: "childrenAffected",
                text: "Are any children in your household being affected?",
                help: "Choose No if no children live with you.",
                choices: [no, yes(3)]),
            RiskQuestion(
                id: "disability",
                text: "Do you have a disability or a long-term illness?",
                help: "Choose the one that affects you most. We ask so that we can give you the right support.",
                choices: [
                    no,
                    RiskChoice(value: "physical", label: "Yes, a physical disability or long-term illness", score: 2,
                               supportNeeds: [.physicalDisability]),
                    RiskChoice(value: "mentalHealth", label: "Yes, a mental health condition", score: 2,
                               supportNeeds: [.mentalHealth]),
                    RiskChoice(value: "learning", label: "Yes, a learning disability", score: 2,
                               supportNeeds: [.learningDisability]),
                    RiskChoice(value: "sensory", label: "Yes, a sensory impairment, for example sight or hearing loss",
                               score: 2, supportNeeds: [.sensoryImpairment]),
                    preferNotToSay,
                ]),
            RiskQuestion(
                id: "age",
                text: "Are you over 65, or under 18?",
                choices: [no, yes(2, needs: [.age])]),
            RiskQuestion(
                id: "isolation",
                text: "Do you live alone, without family, friends or a carer to support you?",
                choices: [no, yes(2, needs: [.isolation])]),
            RiskQuestion(
                id: "seriousVulnerability",
                text: "Are you, or is someone in your household, at risk of self-harm, or at serious risk of harm because of this?",
                help: "For example, thoughts of harming yourself, or someone who cannot keep themselves safe.",
                choices: [no, yes(5, overriding: "Serious vulnerability")]),
            RiskQuestion(
                id: "repeatVictimisation",
                text: "Have you reported this, or something like it, before?",
                help: "To us, the police, the council or anyone else.",
                choices: [
                    no,
                    RiskChoice(value: "once", label: "Yes, once", score: 1),
                    RiskChoice(value: "moreThanOnce", label: "Yes, more than once", score: 3),
                ]),
            RiskQuestion(
                id: "consideredMoving",
                text: "Have you thought about moving home because of this?",
                choices: [no, yes(3)]),
            RiskQuestion(
                id: "propertyDamage",
                text: "Has your home, your vehicle or other property of yours been damaged?",
                choices: [no, yes(2)]),
            RiskQuestion(
                id: "domesticAbuse",
                text: "Is any of this being done by a partner, a former partner or a family member?",
                help: "We ask so that we can give you the right support.",
                choices: [no, yes(3, needs: [.domesticAbuse]), preferNotToSay]),
            RiskQuestion(
                id: "substanceMisuse",
                text: "Would you, or someone in your household, like support with alcohol or drug use?",
                choices: [no, yes(1, needs: [.substanceMisuse]), preferNotToSay]),
            RiskQuestion(
                id: "interpreter",
                text: "Do you need an interpreter, or information in a language other than English?",
                choices: [no, yes(1, needs: [.language])]),
        ],
        mediumThreshold: 10,
        highThreshold: 20)

    private static let no = RiskChoice(value: "no", label: "No", score: 0)
    private static let preferNotToSay = RiskChoice(value: "preferNotToSay", label: "I'd prefer not to say", score: 0)

    private static func notSure(_ score: Int) -> RiskChoice {
        RiskChoice(value: "notSure", label: "I'm not sure", score: score)
    }

    private static func yes(_ score: Int, overriding reason: String? = nil, needs: [SupportNeed] = []) -> RiskChoice {
        RiskChoice(value: "yes", label: "Yes", score: score, overridingReason: reason, supportNeeds: needs)
    }
}
