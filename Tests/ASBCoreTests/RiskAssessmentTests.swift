import ASBCore
import Foundation
import Testing

private func riskTestAssess(_ answers: [String: String], hate: Bool = false, immediateDanger: Bool = false,
                            notASB: Bool = false) throws -> RiskResult {
    try RiskAssessment.assess(answers, hate: hate, immediateDanger: immediateDanger, notASB: notASB)
}

/// Every question answered with its lowest (zero-scoring) choice.
private func riskTestLowestAnswers(_ questionnaire: RiskQuestionnaire = .standard) -> [String: String] {
    var answers: [String: String] = [:]
    for question in questionnaire.questions {
        answers[question.id] = question.choices.first { $0.score == 0 }?.value
    }
    return answers
}

/// Every question answered with its highest-scoring choice that does not force high risk.
private func riskTestHighestNonOverridingAnswers() -> [String: String] {
    var answers: [String: String] = [:]
    for question in RiskQuestionnaire.standard.questions {
        answers[question.id] = question.choices.filter { $0.overridingReason == nil }.max { $0.score < $1.score }?.value
    }
    return answers
}

/// Every overriding answer of the default questionnaire: question id, value, reason.
private let riskTestOverridingAnswers: [(String, String, String)] = RiskQuestionnaire.standard.questions.flatMap { question in
    question.choices.compactMap { choice in choice.overridingReason.map { (question.id, choice.value, $0) } }
}

private func riskTestValidationErrors(_ answers: [String: String]) -> [FieldError] {
    do {
        _ = try RiskAssessment.assess(answers, hate: false, immediateDanger: false, notASB: false)
        return []
    } catch {
        return error.errors
    }
}

@Suite("Risk assessment (SS-RT-1..4, SS-NXT-3, SS-DEF-2/3)")
struct RiskAssessmentTests {
    let questionnaire = RiskQuestionnaire.standard

    // MARK: Levels and priorities

    @Test("SS-RT-1: the risk level determines the priority",
          arguments: [(RiskLevel.high, Priority.p1), (.medium, .p2), (.standard, .p3)])
    func levelPriority(level: RiskLevel, priority: Priority) {
        #expect(level.priority == priority)
    }

    @Test("SS-RT-2: every overriding answer makes the risk high, with its reason", arguments: riskTestOverridingAnswers)
    func overridingAnswer(questionID: String, value: String, reason: String) throws {
        let result = try riskTestAssess([questionID: value])
        #expect(result.level == .high)
        #expect(result.priority == .p1)
        #expect(result.reasons.first == reason)
        #expect(result.score < questionnaire.mediumThreshold)
    }

    @Test("SS-RT-2: threats, violence and serious vulnerability are the overriding answers")
    func overridingAnswersAreTheDocumentedOnes() {
        #expect(riskTestOverridingAnswers.map { "\($0.0)=\($0.1): \($0.2)" } == [
            "threats=yes: Threat of violence",
            "violence=yes: Actual violence or injury",
            "seriousVulnerability=yes: Serious vulnerability",
        ])
    }

    @Test("SS-RT-2: several overriding answers give every reason, in question order")
    func severalOverridingAnswers() throws {
        let result = try riskTestAssess(["seriousVulnerability": "yes", "threats": "yes", "violence": "yes"])
        #expect(result.level == .high)
        #expect(result.score == 15)
        #expect(result.reasons == [
            "Threat of violence", "Actual violence or injury", "Serious vulnerability",
            "Score 15 of 61 (medium from 10)",
        ])
    }

    static let thresholdCases: [([String: String], Int, RiskLevel)] = [
        ([:], 0, .standard),
        (["targeted": "yes", "frequency": "daily", "sleepImpact": "often", "substanceMisuse": "yes"], 9, .standard),
        (["targeted": "yes", "frequency": "daily", "sleepImpact": "often", "substanceMisuse": "yes",
          "interpreter": "yes"], 10, .medium),
        (["targeted": "yes", "frequency": "daily", "duration": "overSixMonths", "healthImpact": "aLot",
          "sleepImpact": "often", "fear": "yes", "repeatVictimisation": "once", "interpreter": "yes"], 19, .medium),
        (["targeted": "yes", "frequency": "daily", "duration": "overSixMonths", "healthImpact": "aLot",
          "sleepImpact": "often", "fear": "yes", "repeatVictimisation": "moreThanOnce"], 20, .high),
        (riskTestHighestNonOverridingAnswers(), 46, .high),
    ]

    @Test("SS-RT-2/3/4: the total score sets the level at the thresholds (medium from 10, high from 20)",
          arguments: thresholdCases)
    func thresholds(answers: [String: String], score: Int, level: RiskLevel) throws {
        let result = try riskTestAssess(answers)
        #expect(result.score == score)
        #expect(result.level == level)
        #expect(result.priority == level.priority)
        #expect(result.reasons.first?.hasPrefix("Score \(score) of 61") == true)
    }

    @Test("The thresholds used by the boundary cases are the questionnaire's")
    func thresholdsAreTheQuestionnaires() {
        #expect(questionnaire.mediumThreshold == 10)
        #expect(questionnaire.highThreshold == 20)
    }

    @Test("SS-RT-1: the score reason names the score, the maximum and the band")
    func scoreReason() throws {
        #expect(try riskTestAssess([:]).reasons == ["Score 0 of 61 (standard below 10)"])
        let medium = try riskTestAssess(["fear": "yes", "consideredMoving": "yes", "childrenAffected": "yes"])
        #expect(medium.reasons == ["Score 10 of 61 (medium from 10)"])
        let high = try riskTestAssess(riskTestHighestNonOverridingAnswers())
        #expect(high.reasons == ["Score 46 of 61 (high from 20)", RiskAssessment.perceivedHateReason])
    }

    // MARK: Hate, immediate danger, not ASB

    @Test("SS-RT-2: a hate incident is priority 1 whatever the answers",
          arguments: [false, true], [[:], riskTestLowestAnswers()])
    func hateIsAlwaysPriorityOne(notASB: Bool, answers: [String: String]) throws {
        let result = try riskTestAssess(answers, hate: true, notASB: notASB)
        #expect(result.level == .high)
        #expect(result.priority == .p1)
        #expect(result.score == 0)
        #expect(result.reasons == ["Hate crime/incident (SS-RT-2)", "Score 0 of 61 (standard below 10)"])
        #expect(!result.reasons.contains(RiskAssessment.notASBReason))
    }

    @Test("SS-DEF-3: a report that is not ASB is recorded for information as priority 3, whatever its score",
          arguments: [[:], riskTestHighestNonOverridingAnswers()])
    func notASBIsPriorityThree(answers: [String: String]) throws {
        let result = try riskTestAssess(answers, notASB: true)
        #expect(result.level == .standard)
        #expect(result.priority == .p3)
        #expect(result.reasons.first == "Not ASB: recorded for information (SS-DEF-3)")
        #expect(result.answers == answers)
    }

    @Test("SS-DEF-3, SS-RT-2: signs of harm come before not ASB: immediate danger or a threat keeps the risk high",
          arguments: [(true, [String: String]()), (false, ["threats": "yes"]), (false, ["violence": "yes"]),
                      (false, ["seriousVulnerability": "yes"])])
    func harmBeforeNotASB(immediateDanger: Bool, answers: [String: String]) throws {
        let result = try riskTestAssess(answers, immediateDanger: immediateDanger, notASB: true)
        #expect(result.level == .high)
        #expect(result.priority == .p1)
        #expect(!result.reasons.contains(RiskAssessment.notASBReason))
    }

    @Test("SS-REP-2: immediate danger makes the risk high whatever the answers",
          arguments: [[:], riskTestLowestAnswers()])
    func immediateDangerIsHigh(answers: [String: String]) throws {
        let result = try riskTestAssess(answers, immediateDanger: true)
        #expect(result.level == .high)
        #expect(result.priority == .p1)
        #expect(result.reasons == ["Immediate danger (SS-REP-2)", "Score 0 of 61 (standard below 10)"])
    }

    @Test("SS-RT-2: hate, immediate danger and overriding answers are all given as reasons, most decisive first")
    func reasonsInOrder() throws {
        let result = try riskTestAssess(["threats": "yes", "frequency": "daily"], hate: true, immediateDanger: true)
        #expect(result.reasons == [
            "Hate crime/incident (SS-RT-2)", "Immediate danger (SS-REP-2)", "Threat of violence",
            "Score 8 of 61 (standard below 10)",
        ])
    }

    @Test("SS-DEF-2: a reporter who perceives hostility or prejudice scores high, and the officer is told to record hate")
    func perceivedHate() throws {
        let result = try riskTestAssess(["hateMotivation": "yes"])
        #expect(result.score == 5)
        #expect(result.level == .standard)
        #expect(result.reasons.last == RiskAssessment.perceivedHateReason)
        let recorded = try riskTestAssess(["hateMotivation": "yes"], hate: true)
        #expect(!recorded.reasons.contains(RiskAssessment.perceivedHateReason))
        let unsure = try riskTestAssess(["hateMotivation": "notSure"])
        #expect(!unsure.reasons.contains(RiskAssessment.perceivedHateReason))
    }

    // MARK: Validation

    @Test("Unknown questions and unknown answers are all named at once")
    func unknownQuestionsAndValues() {
        let errors = riskTestValidationErrors([
            "frequency": "hourly", "targeted": "yes", "noSuchQuestion": "yes", "threats": "Yes", "alsoUnknown": "no",
        ])
        #expect(errors.map(\.field) == [
            "riskAnswers.frequency", "riskAnswers.threats", "riskAnswers.alsoUnknown", "riskAnswers.noSuchQuestion",
        ])
        #expect(errors[0].message == "Choose one of: once, weekly, severalTimesAWeek, daily.")
        #expect(errors[1].message == "Choose one of: no, yes.")
        #expect(errors[2].message.contains("2026-1"))
    }

    @Test("An empty answer is not a choice", arguments: ["", " ", "YES"])
    func emptyOrMiscasedValue(value: String) {
        #expect(riskTestValidationErrors(["targeted": value]).map(\.field) == ["riskAnswers.targeted"])
    }

    @Test("Valid answers are kept as given")
    func answersKept() throws {
        let answers = ["disability": "sensory", "frequency": "weekly"]
        let result = try riskTestAssess(answers)
        #expect(result.answers == answers)
        #expect(result.questionnaireVersion == "2026-1")
    }

    // MARK: Support needs and completeness

    @Test("SS-NXT-3: support needs are the union over the answers, in SupportNeed order")
    func supportNeedsUnion() throws {
        let result = try riskTestAssess([
            "interpreter": "yes", "domesticAbuse": "yes", "age": "yes", "disability": "mentalHealth",
            "isolation": "yes", "substanceMisuse": "yes", "targeted": "yes",
        ])
        #expect(result.supportNeeds == [.mentalHealth, .age, .domesticAbuse, .substanceMisuse, .isolation, .language])
        #expect(try riskTestAssess(riskTestLowestAnswers()).supportNeeds.isEmpty)
    }

    @Test("SS-NXT-3: each disability answer reveals its own support need", arguments: [
        ("no", [SupportNeed]()), ("physical", [.physicalDisability]), ("mentalHealth", [.mentalHealth]),
        ("learning", [.learningDisability]), ("sensory", [.sensoryImpairment]), ("preferNotToSay", []),
    ])
    func disabilityNeeds(value: String, needs: [SupportNeed]) throws {
        #expect(try riskTestAssess(["disability": value]).supportNeeds == needs)
    }

    @Test("SS-NXT-3: support needs are recorded whatever the priority")
    func supportNeedsWithOverrides() throws {
        let result = try riskTestAssess(["age": "yes"], hate: true, notASB: true)
        #expect(result.supportNeeds == [.age])
        #expect(try riskTestAssess(["isolation": "yes"], notASB: true).supportNeeds == [.isolation])
    }

    @Test("Complete only when every question is answered")
    func completeness() throws {
        #expect(try riskTestAssess([:]).complete == false)
        let all = riskTestLowestAnswers()
        #expect(all.count == questionnaire.questions.count)
        let result = try riskTestAssess(all)
        #expect(result.complete)
        #expect(result.score == 0)
        #expect(result.level == .standard)
        var missingOne = all
        missingOne["interpreter"] = nil
        #expect(try riskTestAssess(missingOne).complete == false)
    }

    // MARK: The default questionnaire

    @Test("The default questionnaire is well formed")
    func questionnaireInvariants() {
        let questions = questionnaire.questions
        #expect(questionnaire.version == "2026-1")
        #expect(questions.count == 21)
        #expect(Set(questions.map(\.id)).count == questions.count, "question ids are unique")
        for question in questions {
            #expect(question.id.first?.isLowercase == true && question.id.allSatisfy { $0.isLetter },
                    "\(question.id) is lowerCamelCase")
            #expect(question.text.hasSuffix("?"), "\(question.id) is a question")
            #expect(question.choices.count >= 2, "\(question.id) offers a choice")
            #expect(Set(question.choices.map(\.value)).count == question.choices.count, "\(question.id) values are unique")
            #expect(question.choices.contains { $0.score == 0 }, "\(question.id) has a zero-scoring choice")
            #expect(question.choices.allSatisfy { $0.score >= 0 }, "\(question.id) scores are not negative")
            #expect(question.choices.first?.score == 0, "\(question.id) lists its lowest choice first")
            for choice in question.choices {
                if let reason = choice.overridingReason {
                    #expect(!reason.trimmingCharacters(in: .whitespaces).isEmpty, "\(question.id)=\(choice.value) has a reason")
                }
                #expect(!choice.label.isEmpty)
                #expect(Set(choice.supportNeeds).count == choice.supportNeeds.count)
            }
            #expect(questionnaire.question(question.id) == question)
        }
        #expect(questionnaire.question("nope") == nil)
    }

    @Test("The default questionnaire's scores and thresholds are as documented")
    func questionnaireScores() {
        #expect(questionnaire.maximumScoreWithoutOverrides == 46)
        #expect((40...50).contains(questionnaire.maximumScoreWithoutOverrides))
        #expect(questionnaire.maximumScore == 61)
        #expect(0 < questionnaire.mediumThreshold)
        #expect(questionnaire.mediumThreshold < questionnaire.highThreshold)
        #expect(questionnaire.highThreshold <= questionnaire.maximumScoreWithoutOverrides)
        #expect(questionnaire.question("hateMotivation")?.choice("yes")?.score
                == questionnaire.questions.flatMap(\.choices).filter { $0.overridingReason == nil }.map(\.score).max(),
                "a perceived hate motivation scores as high as any answer")
        #expect(questionnaire.question("hateMotivation")?.choices.allSatisfy { $0.overridingReason == nil } == true,
                "hate overrides only through the hate flag")
    }

    @Test("SS-NXT-3: the default questionnaire can reveal every support need except other")
    func everySupportNeedReachable() {
        let reachable = Set(questionnaire.questions.flatMap(\.choices).flatMap(\.supportNeeds))
        #expect(reachable == Set(SupportNeed.allCases).subtracting([.other]))
    }

    @Test("Support needs have distinct display names")
    func supportNeedNames() {
        let names = SupportNeed.allCases.map(\.displayName)
        #expect(Set(names).count == names.count)
        #expect(SupportNeed.mentalHealth.displayName == "Mental health")
    }

    @Test("docs/risk-questionnaire.md describes every question, answer, score and threshold")
    func documentationMatches() throws {
        let testFile = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        let docURL = testFile.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/risk-questionnaire.md")
        let doc = try String(contentsOf: docURL, encoding: .utf8)
        let rows = doc.split(separator: "\n").map(String.init)
        #expect(doc.contains("version \(questionnaire.version)"))
        #expect(doc.contains("**\(questionnaire.maximumScoreWithoutOverrides)**"))
        #expect(doc.contains("**\(questionnaire.maximumScore)**"))
        #expect(doc.contains("**\(questionnaire.mediumThreshold) to \(questionnaire.highThreshold - 1)**"))
        #expect(doc.contains("**\(questionnaire.highThreshold) or more**"))
        for (index, question) in questionnaire.questions.enumerated() {
            let row = rows.first { $0.hasPrefix("| \(index + 1) | \(question.text) (`\(question.id)`)") }
            #expect(row != nil, "\(question.id) is documented as question \(index + 1) with its text")
            guard let row else { continue }
            for choice in question.choices {
                guard let found = row.range(of: "`\(choice.value)`") else {
                    Issue.record("\(question.id)=\(choice.value) is documented")
                    continue
                }
                var rest = row[found.upperBound...]
                if rest.hasPrefix(" (") { rest = rest.drop { $0 != ")" }.dropFirst() }
                let score = rest.drop { $0 == " " }.prefix { $0.isNumber }
                #expect(Int(score) == choice.score, "\(question.id)=\(choice.value) scores \(choice.score)")
                if let reason = choice.overridingReason {
                    #expect(row.contains("**\(reason)**"), "\(question.id)=\(choice.value) forces high risk")
                }
            }
        }
    }

    // MARK: Deciding the priority

    @Test("SS-RT-1: an officer confirms the computed priority without a reason", arguments: [nil, Priority.p2])
    func confirm(override: Priority?) throws {
        let computed = try riskTestAssess(["fear": "yes", "consideredMoving": "yes", "childrenAffected": "yes"])
        #expect(computed.priority == .p2)
        #expect(try RiskAssessment.decidePriority(computed: computed, override: override, reason: nil, hate: false) == .p2)
    }

    @Test("SS-RT-1: an officer may change the priority with a reason", arguments: [Priority.p1, .p3])
    func overrideWithReason(override: Priority) throws {
        let computed = try riskTestAssess(["fear": "yes", "consideredMoving": "yes", "childrenAffected": "yes"])
        let decided = try RiskAssessment.decidePriority(
            computed: computed, override: override, reason: "Known to police; escalated at case review.", hate: false)
        #expect(decided == override)
    }

    @Test("SS-RT-1: changing the priority without a reason names overrideReason", arguments: [nil, "", "   \n"])
    func overrideWithoutReason(reason: String?) throws {
        let computed = try riskTestAssess([:])
        let error = #expect(throws: ValidationFailure.self) {
            try RiskAssessment.decidePriority(computed: computed, override: .p1, reason: reason, hate: false)
        }
        #expect(error?.errors.map(\.field) == ["overrideReason"])
        #expect(error?.errors.first?.message.contains("from P3 to P1") == true)
    }

    @Test("SS-RT-2: a hate case can never be set below priority 1", arguments: [Priority.p2, .p3])
    func hateBelowPriorityOne(override: Priority) throws {
        let computed = try riskTestAssess([:], hate: true)
        #expect(throws: RuleViolation.hateIsPriorityOne) {
            try RiskAssessment.decidePriority(computed: computed, override: override, reason: "Seems minor.", hate: true)
        }
        #expect(RuleViolation.hateIsPriorityOne.code == "risk.hateIsPriorityOne")
        #expect(RuleViolation.hateIsPriorityOne.clause == "SS-RT-2")
    }

    @Test("SS-RT-2: a hate case is priority 1 even if it was assessed before it was recorded as hate",
          arguments: [nil, Priority.p1])
    func hateIsPriorityOneWhenDeciding(override: Priority?) throws {
        let computed = try riskTestAssess([:])
        #expect(computed.priority == .p3)
        #expect(try RiskAssessment.decidePriority(computed: computed, override: override, reason: nil, hate: true) == .p1)
    }

    // MARK: Storage

    @Test("A risk result survives a JSON round trip")
    func resultRoundTrip() throws {
        let result = try riskTestAssess(["threats": "yes", "disability": "learning", "frequency": "daily"],
                                        hate: true, immediateDanger: true)
        let data = try JSONEncoder().encode(result)
        #expect(try JSONDecoder().decode(RiskResult.self, from: data) == result)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(object?["level"] as? String == "high")
        #expect(object?["priority"] as? Int == 1)
        #expect(object?["supportNeeds"] as? [String] == ["learningDisability"])
    }

    @Test("A questionnaire survives a JSON round trip")
    func questionnaireRoundTrip() throws {
        let data = try JSONEncoder().encode(questionnaire)
        #expect(try JSONDecoder().decode(RiskQuestionnaire.self, from: data) == questionnaire)
    }

    @Test("A custom questionnaire is scored by its own thresholds")
    func customQuestionnaire() throws {
        let custom = RiskQuestionnaire(
            version: "test-1",
            questions: [RiskQuestion(id: "q", text: "Q?", choices: [
                RiskChoice(value: "a", label: "A", score: 0),
                RiskChoice(value: "b", label: "B", score: 2),
                RiskChoice(value: "c", label: "C", score: 4, supportNeeds: [.other]),
            ])],
            mediumThreshold: 2, highThreshold: 4)
        let levels = try ["a", "b", "c"].map {
            try RiskAssessment.assess(["q": $0], hate: false, immediateDanger: false, notASB: false, questionnaire: custom).level
        }
        #expect(levels == [.standard, .medium, .high])
        let result = try RiskAssessment.assess(["q": "c"], hate: false, immediateDanger: false, notASB: false,
                                               questionnaire: custom)
        #expect(result.questionnaireVersion == "test-1")
        #expect(result.supportNeeds == [.other])
        #expect(result.complete)
        #expect(result.reasons == ["Score 4 of 4 (high from 4)"])
    }
}
