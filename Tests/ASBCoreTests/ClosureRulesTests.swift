import ASBCore
import Foundation
import Testing

/// A date from `YYYY-MM-DD`, for the closure tests.
private func closureTestDate(_ iso: String) -> LocalDate {
    guard let date = LocalDate(iso: iso) else { fatalError("Not a date: \(iso)") }
    return date
}

/// The rule violation a closure rule throws, or `nil` when it allows the step.
private func closureTestViolation(_ body: () throws(RuleViolation) -> Void) -> RuleViolation? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}

/// A closure contact from a method, an outcome and a date.
private func closureTestContact(_ method: ClosureContactMethod, _ outcome: ClosureContactOutcome,
                                _ iso: String = "2026-03-10") -> ClosureContact {
    ClosureContact(method: method, outcome: outcome, on: closureTestDate(iso))
}

/// One proposal and the fields validation should name.
struct ClosureTestProposalCase: Sendable, CustomTestStringConvertible {
    let name: String
    let reason: ClosureReason
    let explanation: String?
    let withdrawalHow: String?
    let withdrawalOn: String?
    let fields: [String]
    var testDescription: String { name }

    init(_ name: String, _ reason: ClosureReason, explanation: String? = nil, how: String? = nil,
         on: String? = nil, fields: [String]) {
        self.name = name
        self.reason = reason
        self.explanation = explanation
        self.withdrawalHow = how
        self.withdrawalOn = on
        self.fields = fields
    }

    var facts: ClosureProposalFacts {
        ClosureProposalFacts(
            reason: reason, explanation: explanation, withdrawalHow: withdrawalHow,
            withdrawalOn: withdrawalOn.map(closureTestDate), reporterActionsMissed: 1,
            lastIncidentOn: closureTestDate("2026-01-01"), today: closureTestDate("2026-03-15"))
    }
}

/// A set of closure contacts and whether SS-CLS-2 is met, with words the refusal must (not) use.
struct ClosureTestContactCase: Sendable, CustomTestStringConvertible {
    let name: String
    let contacts: [ClosureContact]
    let anonymous: Bool
    let allowed: Bool
    let mentions: [String]
    let omits: [String]
    var testDescription: String { name }

    init(_ name: String, _ contacts: [ClosureContact], anonymous: Bool = false, allowed: Bool,
         mentions: [String] = [], omits: [String] = []) {
        self.name = name
        self.contacts = contacts
        self.anonymous = anonymous
        self.allowed = allowed
        self.mentions = mentions
        self.omits = omits
    }
}

@Suite("Closing a case (SS-CLS-1, SS-CLS-2)")
struct ClosureRulesTests {
    // MARK: Reasons

    @Test("SS-CLS-1: the five reasons, their approval and explanation needs, and stable raw values")
    func reasons() {
        #expect(ClosureReason.allCases.map(\.rawValue)
            == ["withdrawn", "resolved", "actionPlanNotAdheredTo", "actionsExhausted", "noNewReports"])
        let needing = ClosureReason.allCases.filter(\.needsTeamLeaderApproval)
        #expect(needing == [.actionPlanNotAdheredTo, .actionsExhausted])
        #expect(ClosureReason.allCases.filter(\.needsExplanation) == [.actionPlanNotAdheredTo, .actionsExhausted])
        #expect(ClosureReason.noNewReports.displayName == "No new reports for 60 days")
        #expect(ClosureReason.actionPlanNotAdheredTo.displayName == "The action plan has not been adhered to")
        #expect(Set(ClosureReason.allCases.map(\.displayName)).count == 5)
        #expect(ClosureRules.noNewReportsDays == 60)
    }

    // MARK: Proposal validation

    @Test("SS-CLS-1: proposal fields, for every reason",
          arguments: [
              ClosureTestProposalCase("withdrawn, how and when given", .withdrawn, how: "By phone to the officer",
                                      on: "2026-03-14", fields: []),
              ClosureTestProposalCase("withdrawn today", .withdrawn, how: "In person", on: "2026-03-15", fields: []),
              ClosureTestProposalCase("withdrawn, no how", .withdrawn, on: "2026-03-14", fields: ["withdrawalHow"]),
              ClosureTestProposalCase("withdrawn, blank how", .withdrawn, how: " \n ", on: "2026-03-14",
                                      fields: ["withdrawalHow"]),
              ClosureTestProposalCase("withdrawn, how too long", .withdrawn, how: String(repeating: "x", count: 501),
                                      on: "2026-03-14", fields: ["withdrawalHow"]),
              ClosureTestProposalCase("withdrawn, no date", .withdrawn, how: "By email", fields: ["withdrawalOn"]),
              ClosureTestProposalCase("withdrawn tomorrow", .withdrawn, how: "By email", on: "2026-03-16",
                                      fields: ["withdrawalOn"]),
              ClosureTestProposalCase("withdrawn, nothing given", .withdrawn, fields: ["withdrawalHow", "withdrawalOn"]),
              ClosureTestProposalCase("resolved, no explanation", .resolved, fields: []),
              ClosureTestProposalCase("resolved, explanation of 2000", .resolved,
                                      explanation: String(repeating: "a", count: 2000), fields: []),
              ClosureTestProposalCase("resolved, explanation of 2001", .resolved,
                                      explanation: String(repeating: "a", count: 2001), fields: ["explanation"]),
              ClosureTestProposalCase("resolved, withdrawal details ignored", .resolved, how: "", on: "2027-01-01",
                                      fields: []),
              ClosureTestProposalCase("plan not adhered to, explained", .actionPlanNotAdheredTo,
                                      explanation: "You did not keep the diary sheets we agreed.", fields: []),
              ClosureTestProposalCase("plan not adhered to, no explanation", .actionPlanNotAdheredTo,
                                      fields: ["explanation"]),
              ClosureTestProposalCase("plan not adhered to, blank explanation", .actionPlanNotAdheredTo,
                                      explanation: "   ", fields: ["explanation"]),
              ClosureTestProposalCase("actions exhausted, explained", .actionsExhausted,
                                      explanation: "We have tried mediation and warnings.", fields: []),
              ClosureTestProposalCase("actions exhausted, no explanation", .actionsExhausted, fields: ["explanation"]),
              ClosureTestProposalCase("actions exhausted, explanation too long", .actionsExhausted,
                                      explanation: String(repeating: "b", count: 2001), fields: ["explanation"]),
              ClosureTestProposalCase("no new reports, no explanation", .noNewReports, fields: []),
              ClosureTestProposalCase("no new reports, explained", .noNewReports,
                                      explanation: "Nothing new has been reported since January.", fields: []),
          ])
    func validation(_ example: ClosureTestProposalCase) {
        let errors = ClosureRules.validateProposal(example.facts)
        #expect(errors.map(\.field) == example.fields)
        #expect(errors.allSatisfy { !$0.message.isEmpty })
    }

    @Test("SS-CLS-1: an explanation is required exactly for the reasons that need one", arguments: ClosureReason.allCases)
    func explanationNeeded(_ reason: ClosureReason) {
        let facts = ClosureProposalFacts(
            reason: reason, explanation: nil, withdrawalHow: "By letter", withdrawalOn: closureTestDate("2026-03-01"),
            reporterActionsMissed: 1, lastIncidentOn: closureTestDate("2026-01-01"), today: closureTestDate("2026-03-15"))
        let fields = ClosureRules.validateProposal(facts).map(\.field)
        #expect(fields == (reason.needsExplanation ? ["explanation"] : []))
    }

    // MARK: The 60-day rule

    @Test("SS-CLS-1: no new reports for 60 calendar days, at the boundary and across leap years",
          arguments: [
              ("2026-01-01", "2026-03-01", 59),
              ("2026-01-01", "2026-03-02", 60),
              ("2026-01-01", "2026-03-03", 61),
              ("2024-01-01", "2024-02-29", 59),
              ("2024-01-01", "2024-03-01", 60),
              ("2024-01-01", "2024-03-02", 61),
              ("2023-12-31", "2024-02-29", 60),
              ("2025-11-15", "2026-01-13", 59),
              ("2025-11-15", "2026-01-14", 60),
              ("2026-03-10", "2026-03-10", 0),
          ])
    func sixtyDays(last: String, today: String, days: Int) {
        let lastIncident = closureTestDate(last)
        let now = closureTestDate(today)
        #expect(ClosureRules.daysSinceLastIncident(lastIncident, today: now) == days)
        #expect(ClosureRules.isDueForClosureReview(lastIncidentOn: lastIncident, today: now) == (days >= 60))
        let facts = ClosureProposalFacts(
            reason: .noNewReports, explanation: nil, withdrawalHow: nil, withdrawalOn: nil,
            reporterActionsMissed: 0, lastIncidentOn: lastIncident, today: now)
        #expect(ClosureRules.validateProposal(facts).isEmpty)
        let violation = closureTestViolation { () throws(RuleViolation) in try ClosureRules.checkProposal(facts) }
        if days >= 60 {
            #expect(violation == nil)
        } else {
            #expect(violation?.code == "closure.tooSoonForNoNewReports")
            #expect(violation?.clause == "SS-CLS-1")
            let remaining = 60 - days
            #expect(violation?.reason.contains("in \(remaining) day\(remaining == 1 ? "" : "s")") == true)
        }
        #expect(ClosureRules.noNewReportsEligibleOn(lastIncidentOn: lastIncident) == lastIncident.adding(days: 60))
    }

    @Test("SS-CLS-1: the refusal says when the case can be proposed, in words")
    func tooSoonWording() {
        let facts = ClosureProposalFacts(
            reason: .noNewReports, explanation: nil, withdrawalHow: nil, withdrawalOn: nil,
            reporterActionsMissed: 0, lastIncidentOn: closureTestDate("2026-01-01"), today: closureTestDate("2026-03-01"))
        let violation = closureTestViolation { () throws(RuleViolation) in try ClosureRules.checkProposal(facts) }
        #expect(violation?.reason
            == "A case closes for no new reports only after 60 days without one: the last incident was on 1 January 2026, "
            + "59 days ago. It can be proposed for closure on this reason in 1 day, from 2 March 2026.")
    }

    @Test("SS-CLS-1: the 60-day rule concerns only the no-new-reports reason", arguments: ClosureReason.allCases)
    func sixtyDaysOnlyForNoNewReports(_ reason: ClosureReason) {
        let facts = ClosureProposalFacts(
            reason: reason, explanation: "Explained.", withdrawalHow: "By phone", withdrawalOn: closureTestDate("2026-03-01"),
            reporterActionsMissed: 1, lastIncidentOn: closureTestDate("2026-03-01"), today: closureTestDate("2026-03-02"))
        let violation = closureTestViolation { () throws(RuleViolation) in try ClosureRules.checkProposal(facts) }
        #expect((violation?.code == "closure.tooSoonForNoNewReports") == (reason == .noNewReports))
        if reason != .noNewReports { #expect(violation == nil) }
    }

    // MARK: Adherence

    @Test("SS-CLS-1: the action plan was not adhered to only when the reporter missed an action",
          arguments: [(0, false), (1, true), (3, true)])
    func planNotAdheredTo(missed: Int, allowed: Bool) {
        let facts = ClosureProposalFacts(
            reason: .actionPlanNotAdheredTo, explanation: "You did not keep the diary.", withdrawalHow: nil,
            withdrawalOn: nil, reporterActionsMissed: missed,
            lastIncidentOn: closureTestDate("2026-03-01"), today: closureTestDate("2026-03-02"))
        let violation = closureTestViolation { () throws(RuleViolation) in try ClosureRules.checkProposal(facts) }
        if allowed {
            #expect(violation == nil)
        } else {
            #expect(violation?.code == "closure.planWasAdheredTo")
            #expect(violation?.clause == "SS-CLS-1")
        }
    }

    @Test("SS-CLS-1: other reasons do not depend on adherence",
          arguments: [ClosureReason.withdrawn, .resolved, .actionsExhausted])
    func otherReasonsIgnoreAdherence(_ reason: ClosureReason) {
        let facts = ClosureProposalFacts(
            reason: reason, explanation: "Explained.", withdrawalHow: "By phone", withdrawalOn: closureTestDate("2026-03-01"),
            reporterActionsMissed: 0, lastIncidentOn: closureTestDate("2026-03-01"), today: closureTestDate("2026-03-02"))
        #expect(closureTestViolation { () throws(RuleViolation) in try ClosureRules.checkProposal(facts) } == nil)
    }

    // MARK: The closure contact

    @Test("SS-CLS-2: the landlord visits or phones the reporter to agree the closure",
          arguments: [
              ClosureTestContactCase("agreed by visit", [closureTestContact(.visit, .agreed)], allowed: true),
              ClosureTestContactCase("agreed by phone", [closureTestContact(.phone, .agreed)], allowed: true),
              ClosureTestContactCase("disagreed by visit", [closureTestContact(.visit, .disagreed)], allowed: true),
              ClosureTestContactCase("disagreed by phone", [closureTestContact(.phone, .disagreed)], allowed: true),
              ClosureTestContactCase("no contact at all", [], allowed: false,
                                     mentions: ["two unanswered visits or calls on different days", "closure letter"]),
              ClosureTestContactCase("a letter only", [closureTestContact(.letter, .sent)], allowed: false,
                                     mentions: ["two unanswered visits or calls"], omits: ["closure letter"]),
              ClosureTestContactCase("'agreed' by letter does not count", [closureTestContact(.letter, .agreed)],
                                     allowed: false, mentions: ["closure letter"]),
              ClosureTestContactCase("one unanswered call and a letter",
                                     [closureTestContact(.phone, .noAnswer, "2026-03-10"),
                                      closureTestContact(.letter, .sent, "2026-03-11")],
                                     allowed: false, mentions: ["a second unanswered visit or call on a different day"],
                                     omits: ["closure letter"]),
              ClosureTestContactCase("two unanswered calls on the same day and a letter",
                                     [closureTestContact(.phone, .noAnswer, "2026-03-10"),
                                      closureTestContact(.visit, .noAnswer, "2026-03-10"),
                                      closureTestContact(.letter, .sent, "2026-03-11")],
                                     allowed: false, mentions: ["same day count once"], omits: ["closure letter"]),
              ClosureTestContactCase("two unanswered calls on different days, no letter",
                                     [closureTestContact(.phone, .noAnswer, "2026-03-10"),
                                      closureTestContact(.phone, .noAnswer, "2026-03-12")],
                                     allowed: false, mentions: ["a closure letter sent to the reporter"],
                                     omits: ["unanswered visit or call on"]),
              ClosureTestContactCase("two unanswered attempts on different days and a letter",
                                     [closureTestContact(.phone, .noAnswer, "2026-03-10"),
                                      closureTestContact(.visit, .noAnswer, "2026-03-12"),
                                      closureTestContact(.letter, .sent, "2026-03-13")],
                                     allowed: true),
              ClosureTestContactCase("the letter first, then two unanswered calls",
                                     [closureTestContact(.letter, .sent, "2026-03-09"),
                                      closureTestContact(.phone, .noAnswer, "2026-03-10"),
                                      closureTestContact(.phone, .noAnswer, "2026-03-12")],
                                     allowed: true),
              ClosureTestContactCase("two unanswered attempts and a letter not sent",
                                     [closureTestContact(.phone, .noAnswer, "2026-03-10"),
                                      closureTestContact(.phone, .noAnswer, "2026-03-12"),
                                      closureTestContact(.letter, .noAnswer, "2026-03-13")],
                                     allowed: false, mentions: ["closure letter"]),
              ClosureTestContactCase("unanswered letters do not count as attempts",
                                     [closureTestContact(.letter, .noAnswer, "2026-03-10"),
                                      closureTestContact(.letter, .noAnswer, "2026-03-12"),
                                      closureTestContact(.letter, .sent, "2026-03-13")],
                                     allowed: false, mentions: ["two unanswered visits or calls"]),
              ClosureTestContactCase("anonymous, no contacts", [], anonymous: true, allowed: true),
              ClosureTestContactCase("anonymous, a letter only", [closureTestContact(.letter, .sent)], anonymous: true,
                                     allowed: true),
          ])
    func closureContact(_ example: ClosureTestContactCase) {
        let facts = ClosureFacts(reason: .resolved, anonymous: example.anonymous, contacts: example.contacts,
                                 approvedByTeamLeader: false)
        let violation = closureTestViolation { () throws(RuleViolation) in try ClosureRules.checkClosure(facts) }
        if example.allowed {
            #expect(violation == nil)
        } else {
            #expect(violation?.code == "closure.needsAgreementCall")
            #expect(violation?.clause == "SS-CLS-2")
            let reason = violation?.reason ?? ""
            for phrase in example.mentions { #expect(reason.contains(phrase), "should mention \(phrase): \(reason)") }
            for phrase in example.omits { #expect(!reason.contains(phrase), "should not mention \(phrase): \(reason)") }
        }
        if !example.anonymous {
            #expect(ClosureRules.hasClosureContact(example.contacts) == example.allowed)
            #expect((ClosureRules.missingClosureContact(example.contacts) == nil) == example.allowed)
        }
    }

    @Test("SS-CLS-1: a team leader approves closures that need it, once the reporter is contacted",
          arguments: ClosureReason.allCases, [false, true])
    func approval(_ reason: ClosureReason, approved: Bool) {
        let facts = ClosureFacts(reason: reason, anonymous: false, contacts: [closureTestContact(.phone, .agreed)],
                                 approvedByTeamLeader: approved)
        let violation = closureTestViolation { () throws(RuleViolation) in try ClosureRules.checkClosure(facts) }
        if reason.needsTeamLeaderApproval && !approved {
            #expect(violation?.code == "closure.needsApproval")
            #expect(violation?.clause == "SS-CLS-1")
            #expect(violation?.reason.contains("team leader") == true)
        } else {
            #expect(violation == nil)
        }
    }

    @Test("SS-CLS-2 before SS-CLS-1: a missing contact is reported before a missing approval")
    func contactBeforeApproval() {
        let facts = ClosureFacts(reason: .actionsExhausted, anonymous: false, contacts: [], approvedByTeamLeader: false)
        let violation = closureTestViolation { () throws(RuleViolation) in try ClosureRules.checkClosure(facts) }
        #expect(violation?.code == "closure.needsAgreementCall")
        let anonymous = ClosureFacts(reason: .actionsExhausted, anonymous: true, contacts: [], approvedByTeamLeader: false)
        #expect(closureTestViolation { () throws(RuleViolation) in try ClosureRules.checkClosure(anonymous) }?.code
            == "closure.needsApproval")
    }

    @Test("SS-CLS-2: the approver sees whether the reporter disagreed",
          arguments: [
              ([ClosureContact](), false),
              ([closureTestContact(.phone, .agreed)], false),
              ([closureTestContact(.phone, .noAnswer), closureTestContact(.letter, .sent)], false),
              ([closureTestContact(.visit, .disagreed)], true),
              ([closureTestContact(.phone, .agreed, "2026-03-10"), closureTestContact(.visit, .disagreed, "2026-03-12")], true),
          ])
    func disagreement(contacts: [ClosureContact], disagreed: Bool) {
        #expect(ClosureRules.reporterDisagreed(contacts) == disagreed)
        // A disagreement does not stop the closure: the approver decides.
        if disagreed {
            let facts = ClosureFacts(reason: .resolved, anonymous: false, contacts: contacts, approvedByTeamLeader: false)
            #expect(closureTestViolation { () throws(RuleViolation) in try ClosureRules.checkClosure(facts) } == nil)
        }
    }

    @Test("SS-CLS-2: a recorded contact's outcome fits its method, and its date is not in the future",
          arguments: [
              (ClosureContactMethod.letter, ClosureContactOutcome.sent, "2026-03-15", [String]()),
              (.letter, .noAnswer, "2026-03-15", ["outcome"]),
              (.letter, .agreed, "2026-03-15", ["outcome"]),
              (.phone, .agreed, "2026-03-14", []),
              (.visit, .noAnswer, "2026-03-14", []),
              (.phone, .sent, "2026-03-14", ["outcome"]),
              (.visit, .disagreed, "2026-03-16", ["on"]),
          ])
    func contactValidation(method: ClosureContactMethod, outcome: ClosureContactOutcome, on: String, fields: [String]) {
        let contact = ClosureContact(method: method, outcome: outcome, on: closureTestDate(on))
        #expect(ClosureRules.validateContact(contact, today: closureTestDate("2026-03-15")).map(\.field) == fields)
    }

    @Test("Closure contacts are exchanged as JSON with raw values and ISO dates")
    func contactJSON() throws {
        let contact = closureTestContact(.phone, .noAnswer, "2026-03-02")
        let data = try JSONEncoder().encode(contact)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
        #expect(object == ["method": "phone", "outcome": "noAnswer", "on": "2026-03-02"])
        #expect(try JSONDecoder().decode(ClosureContact.self, from: data) == contact)
        #expect(ClosureContactMethod.allCases.map(\.rawValue) == ["visit", "phone", "letter"])
        #expect(ClosureContactOutcome.allCases.map(\.rawValue) == ["agreed", "disagreed", "noAnswer", "sent"])
    }
}
