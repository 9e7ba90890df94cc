import ASBCore
import Testing

// Shared helpers for the Casework*Tests files.

/// A date from `YYYY-MM-DD`, for tests.
func caseworkDate(_ iso: String) -> LocalDate {
    guard let date = LocalDate(iso: iso) else { fatalError("Not a date: \(iso)") }
    return date
}

/// The rule violation a rule throws, or `nil` when it allows the change.
func caseworkViolation(_ body: () throws(RuleViolation) -> Void) -> RuleViolation? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}

/// A text argument shown by a short label, so long texts do not flood the test log.
struct CaseworkText: Sendable, CustomTestStringConvertible {
    let label: String
    let text: String
    init(_ label: String, _ text: String) {
        self.label = label
        self.text = text
    }
    var testDescription: String { label }

    static func repeated(_ character: Character, _ count: Int, padded: Bool = false) -> CaseworkText {
        let body = String(repeating: character, count: count)
        return CaseworkText("\(padded ? "padded " : "")\(count) × \(character)", padded ? "  \(body)\n " : body)
    }
}

/// One action and whether (and why) it is missed on a given day.
struct CaseworkMissCase: Sendable, CustomTestStringConvertible {
    let name: String
    let status: ActionStatus
    let dueOn: String?
    let completedOn: String?
    let today: String
    let expected: ActionMiss?

    var testDescription: String { name }
    var action: PlannedAction {
        PlannedAction(owner: .reporter, dueOn: dueOn.map(caseworkDate), status: status,
                      completedOn: completedOn.map(caseworkDate))
    }
}

@Suite("Action plans (SS-NXT-2, SS-CLS-1)")
struct CaseworkActionPlanTests {
    static let allowedTransitions: Set<String> = ["open→done", "open→notDone", "open→cancelled", "notDone→done"]

    @Test("SS-NXT-2: an action changes status only open → done, not done or cancelled, and not done → done",
          arguments: ActionStatus.allCases, ActionStatus.allCases)
    func transitions(from: ActionStatus, to: ActionStatus) {
        let allowed = Self.allowedTransitions.contains("\(from.rawValue)→\(to.rawValue)")
        let violation = caseworkViolation { () throws(RuleViolation) in try ActionPlanRules.transition(from: from, to: to) }
        #expect((violation == nil) == allowed)
        #expect(ActionPlanRules.allowedTargets(from: from).contains(to) == allowed)
        if let violation {
            #expect(violation.code == "action.transitionNotAllowed")
            #expect(violation.clause == "SS-NXT-2")
            #expect(violation == .actionTransitionNotAllowed(from: from, to: to))
            #expect(!violation.reason.isEmpty)
        }
    }

    @Test("SS-NXT-2: done and cancelled actions are final; not done may still be done late",
          arguments: [(ActionStatus.open, false), (.done, true), (.notDone, false), (.cancelled, true)])
    func finality(status: ActionStatus, final: Bool) {
        #expect(status.isFinal == final)
        #expect(ActionPlanRules.allowedTargets(from: status).isEmpty == final)
    }

    static let misses: [CaseworkMissCase] = [
        .init(name: "not done is missed", status: .notDone, dueOn: "2025-06-10", completedOn: nil, today: "2025-06-01",
              expected: .notDone),
        .init(name: "not done with no due date is missed", status: .notDone, dueOn: nil, completedOn: nil,
              today: "2025-06-01", expected: .notDone),
        .init(name: "open and due today is not missed", status: .open, dueOn: "2025-06-10", completedOn: nil,
              today: "2025-06-10", expected: nil),
        .init(name: "open and due tomorrow is not missed", status: .open, dueOn: "2025-06-11", completedOn: nil,
              today: "2025-06-10", expected: nil),
        .init(name: "open and due yesterday is overdue by 1 day", status: .open, dueOn: "2025-06-09", completedOn: nil,
              today: "2025-06-10", expected: .overdue(days: 1)),
        .init(name: "open and due a month ago is overdue by 31 days", status: .open, dueOn: "2025-05-10",
              completedOn: nil, today: "2025-06-10", expected: .overdue(days: 31)),
        .init(name: "open with no due date is never missed", status: .open, dueOn: nil, completedOn: nil,
              today: "2030-01-01", expected: nil),
        .init(name: "done on the due date is kept", status: .done, dueOn: "2025-06-10", completedOn: "2025-06-10",
              today: "2025-07-01", expected: nil),
        .init(name: "done early is kept", status: .done, dueOn: "2025-06-10", completedOn: "2025-06-01",
              today: "2025-07-01", expected: nil),
        .init(name: "done a day late is missed", status: .done, dueOn: "2025-06-10", completedOn: "2025-06-11",
              today: "2025-07-01", expected: .late(days: 1)),
        .init(name: "done late across a leap day", status: .done, dueOn: "2024-02-28", completedOn: "2024-03-01",
              today: "2024-04-01", expected: .late(days: 2)),
        .init(name: "done with no due date is kept", status: .done, dueOn: nil, completedOn: "2025-06-11",
              today: "2025-07-01", expected: nil),
        .init(name: "done with no completion date is kept", status: .done, dueOn: "2025-06-10", completedOn: nil,
              today: "2025-07-01", expected: nil),
        .init(name: "cancelled and overdue is never missed", status: .cancelled, dueOn: "2025-01-01", completedOn: nil,
              today: "2025-07-01", expected: nil),
    ]

    @Test("SS-CLS-1: a reporter action is missed when not done, open past its due date, or done late",
          arguments: misses)
    func reporterMisses(row: CaseworkMissCase) {
        let today = caseworkDate(row.today)
        #expect(ActionPlanRules.miss(row.action, today: today) == row.expected)
        let adherence = ActionPlanRules.adherence(of: [row.action], today: today)
        let counted = row.status == .cancelled ? 0 : 1
        #expect(adherence.reporterActions == counted)
        #expect(adherence.reporterActionsMissed == (row.expected == nil ? 0 : 1))
        #expect(adherence.missed == (row.expected == nil ? [] : [0]))
        #expect(adherence.adhered == (row.expected == nil))
    }

    @Test("SS-CLS-1: only the reporter's actions count towards adherence",
          arguments: [ActionOwnerKind.landlord, .partnerAgency, .otherParty])
    func othersIgnored(owner: ActionOwnerKind) {
        let today = caseworkDate("2025-06-10")
        let actions = Self.misses.map {
            var action = $0.action
            action.owner = owner
            return action
        }
        let adherence = ActionPlanRules.adherence(of: actions, today: today)
        #expect(adherence == Adherence(reporterActions: 0, reporterActionsMissed: 0, missed: []))
        #expect(adherence.adhered)
    }

    @Test("SS-CLS-1: adherence lists the indices of the reporter's missed actions, in order")
    func mixedPlan() {
        let today = caseworkDate("2025-06-10")
        let d = caseworkDate
        let actions = [
            PlannedAction(owner: .reporter, dueOn: d("2025-06-01"), status: .done, completedOn: d("2025-05-30")),  // kept
            PlannedAction(owner: .landlord, dueOn: d("2025-06-01"), status: .notDone),  // not the reporter's
            PlannedAction(owner: .reporter, dueOn: d("2025-06-09"), status: .open),  // overdue
            PlannedAction(owner: .reporter, dueOn: d("2025-06-10"), status: .open),  // due today
            PlannedAction(owner: .reporter, dueOn: d("2025-05-01"), status: .cancelled),  // does not count
            PlannedAction(owner: .reporter, dueOn: d("2025-06-01"), status: .notDone),  // not done
            PlannedAction(owner: .partnerAgency, dueOn: d("2025-01-01"), status: .open),  // not the reporter's
            PlannedAction(owner: .reporter, dueOn: d("2025-06-01"), status: .done, completedOn: d("2025-06-03")),  // late
        ]
        let adherence = ActionPlanRules.adherence(of: actions, today: today)
        #expect(adherence.reporterActions == 5)
        #expect(adherence.reporterActionsMissed == 3)
        #expect(adherence.missed == [2, 5, 7])
        #expect(!adherence.adhered)
        #expect(adherence.description == "The reporter missed 3 of 5 agreed actions.")
    }

    @Test("SS-CLS-1: a plan with no reporter actions is adhered to")
    func emptyPlan() {
        let adherence = ActionPlanRules.adherence(of: [], today: caseworkDate("2025-06-10"))
        #expect(adherence.adhered)
        #expect(adherence.reporterActions == 0 && adherence.missed.isEmpty)
        #expect(adherence.description == "The reporter had no agreed actions.")
        #expect(Adherence(reporterActions: 1, reporterActionsMissed: 0, missed: []).description
            == "The reporter kept to their agreed action.")
        #expect(Adherence(reporterActions: 4, reporterActionsMissed: 0, missed: []).description
            == "The reporter kept to all 4 agreed actions.")
        #expect(Adherence(reporterActions: 1, reporterActionsMissed: 1, missed: [0]).description
            == "The reporter missed 1 of 1 agreed action.")
    }

    @Test("SS-NXT-2: an action says what is to be done, in at most 1000 characters",
          arguments: [
              (CaseworkText("empty", ""), false), (CaseworkText("blank", "   \n\t"), false),
              (CaseworkText("diary", "Keep a diary of the noise"), true),
              (.repeated("a", 1000), true), (.repeated("a", 1001), false), (.repeated("é", 1000, padded: true), true),
          ])
    func what(what: CaseworkText, valid: Bool) {
        let text = what.text
        let agreed = caseworkDate("2025-06-10")
        for owner in ActionOwnerKind.allCases {
            let errors = ActionPlanRules.validate(what: text, owner: owner, dueOn: nil, agreedOn: agreed)
            #expect(errors.map(\.field) == (valid ? [] : ["what"]), "\(owner)")
        }
    }

    @Test("SS-NXT-2: an action's due date is not before the plan was agreed",
          arguments: [(nil, true), ("2025-06-09", false), ("2025-06-10", true), ("2025-06-11", true),
                      ("2024-06-10", false)] as [(String?, Bool)])
    func dueDate(due: String?, valid: Bool) {
        let errors = ActionPlanRules.validate(what: "Call the police on 101", owner: .reporter,
                                              dueOn: due.map(caseworkDate), agreedOn: caseworkDate("2025-06-10"))
        #expect(errors.map(\.field) == (valid ? [] : ["dueOn"]))
    }

    @Test("SS-NXT-2: every problem with an action is named at once")
    func allErrors() {
        let errors = ActionPlanRules.validate(what: " ", owner: .landlord, dueOn: caseworkDate("2025-01-01"),
                                              agreedOn: caseworkDate("2025-06-10"))
        #expect(errors.map(\.field) == ["what", "dueOn"])
    }

    @Test("SS-NXT-2: an action is done on a date from the agreement to today",
          arguments: [("2025-06-09", "completedOn"), ("2025-06-10", nil), ("2025-06-15", nil), ("2025-06-20", nil),
                      ("2025-06-21", "completedOn")] as [(String, String?)])
    func completion(on: String, field: String?) {
        let errors = ActionPlanRules.validateCompletion(
            completedOn: caseworkDate(on), agreedOn: caseworkDate("2025-06-10"), today: caseworkDate("2025-06-20"))
        #expect(errors.map(\.field) == (field.map { [$0] } ?? []))
    }

    @Test("Owners and statuses are stored by raw value and have words")
    func words() {
        #expect(ActionOwnerKind.allCases.map(\.rawValue) == ["landlord", "reporter", "partnerAgency", "otherParty"])
        #expect(ActionStatus.allCases.map(\.rawValue) == ["open", "done", "notDone", "cancelled"])
        #expect(Set(ActionOwnerKind.allCases.map(\.displayName)).count == ActionOwnerKind.allCases.count)
        #expect(ActionStatus.notDone.displayName == "not done")
    }
}
