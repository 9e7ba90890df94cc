import Foundation

/// Who carries out an action in the agreed action plan (SS-NXT-2: joint responsibilities of the
/// landlord, the reporter, and partners where relevant). Stored and exchanged as its raw value.
public enum ActionOwnerKind: String, Sendable, Codable, CaseIterable {
    case landlord
    case reporter
    case partnerAgency
    /// Anyone else, for example the person complained about agreeing to an acceptable behaviour agreement.
    case otherParty

    /// The owner as an officer reads it, in British English.
    public var displayName: String {
        switch self {
        case .landlord: "Landlord"
        case .reporter: "Reporter"
        case .partnerAgency: "Partner agency"
        case .otherParty: "Other party"
        }
    }
}

/// Where an action in the plan has got to. Stored and exchanged as its raw value.
public enum ActionStatus: String, Sendable, Codable, CaseIterable {
    case open
    case done
    /// Not done by its due date. It may still be done late (`notDone` → `done`), but it stays a
    /// missed action for adherence.
    case notDone
    case cancelled

    /// `done` and `cancelled` never change again. `notDone` is not final: it may be done late.
    public var isFinal: Bool { self == .done || self == .cancelled }

    /// The status in words, for messages.
    public var displayName: String {
        switch self {
        case .open: "open"
        case .done: "done"
        case .notDone: "not done"
        case .cancelled: "cancelled"
        }
    }
}

/// One action in an action plan, as far as the rules need to know it.
public struct PlannedAction: Sendable, Hashable, Codable {
    public var owner: ActionOwnerKind
    /// The agreed date to do it by; `nil` when no date was agreed (such an action is never overdue).
    public var dueOn: LocalDate?
    public var status: ActionStatus
    /// The date it was done, for a `done` action.
    public var completedOn: LocalDate?

    public init(owner: ActionOwnerKind, dueOn: LocalDate?, status: ActionStatus, completedOn: LocalDate? = nil) {
        self.owner = owner
        self.dueOn = dueOn
        self.status = status
        self.completedOn = completedOn
    }
}

/// Why an action counts as missed (see `ActionPlanRules.miss(_:today:)`).
public enum ActionMiss: Sendable, Hashable {
    /// Recorded as not done.
    case notDone
    /// Still open the given number of days after its due date.
    case overdue(days: Int)
    /// Done, but the given number of days after its due date.
    case late(days: Int)
}

/// How well the reporter kept to their actions in the plan: the evidence for closing a case because
/// the action plan was not adhered to (SS-CLS-1).
public struct Adherence: Sendable, Hashable, CustomStringConvertible {
    /// The reporter's actions that count: every reporter action except cancelled ones.
    public var reporterActions: Int
    /// How many of those were missed.
    public var reporterActionsMissed: Int
    /// The indices, in the list given, of the reporter's missed actions, in order.
    public var missed: [Int]

    public init(reporterActions: Int, reporterActionsMissed: Int, missed: [Int]) {
        self.reporterActions = reporterActions
        self.reporterActionsMissed = reporterActionsMissed
        self.missed = missed
    }

    /// The reporter missed none of their actions (also true when they had none).
    public var adhered: Bool { reporterActionsMissed == 0 }

    /// For example "The reporter missed 2 of 3 agreed actions."
    public var description: String {
        if reporterActions == 0 { return "The reporter had no agreed actions." }
        if adhered {
            return reporterActions == 1
                ? "The reporter kept to their agreed action." : "The reporter kept to all \(reporterActions) agreed actions."
        }
        let noun = reporterActions == 1 ? "action" : "actions"
        return "The reporter missed \(reporterActionsMissed) of \(reporterActions) agreed \(noun)."
    }
}

/// The rules for action plans (SS-NXT-2) and their adherence (SS-CLS-1).
public enum ActionPlanRules {
    /// The longest description of an action, in characters.
    public static let whatLimit = 1000

    /// The statuses an action may move to from `status`: open → done, not done or cancelled;
    /// not done → done (done late). Done and cancelled are final.
    public static func allowedTargets(from status: ActionStatus) -> Set<ActionStatus> {
        switch status {
        case .open: [.done, .notDone, .cancelled]
        case .notDone: [.done]
        case .done, .cancelled: []
        }
    }

    /// Checks a status change; throws `action.transitionNotAllowed` when the rules refuse it
    /// (including a change to the same status).
    public static func transition(from: ActionStatus, to: ActionStatus) throws(RuleViolation) {
        guard allowedTargets(from: from).contains(to) else {
            throw .actionTransitionNotAllowed(from: from, to: to)
        }
    }

    /// Whether an action is missed on `today`, and why, whoever owns it:
    /// - `notDone`: recorded as not done;
    /// - `open` with a due date before `today` (an action due today is not yet missed);
    /// - `done` with a completion date after its due date (done late).
    /// Cancelled actions, and actions with no due date that are not `notDone`, are never missed.
    public static func miss(_ action: PlannedAction, today: LocalDate) -> ActionMiss? {
        switch action.status {
        case .cancelled:
            return nil
        case .notDone:
            return .notDone
        case .open:
            guard let due = action.dueOn, due < today else { return nil }
            return .overdue(days: due.days(until: today))
        case .done:
            guard let due = action.dueOn, let completed = action.completedOn, completed > due else { return nil }
            return .late(days: due.days(until: completed))
        }
    }

    /// The reporter's adherence to the plan on `today` (SS-CLS-1). Only the reporter's actions
    /// count; cancelled actions never count; a missed action is one `miss(_:today:)` reports.
    public static func adherence(of actions: [PlannedAction], today: LocalDate) -> Adherence {
        var counted = 0
        var missed: [Int] = []
        for (index, action) in actions.enumerated() where action.owner == .reporter && action.status != .cancelled {
            counted += 1
            if miss(action, today: today) != nil { missed.append(index) }
        }
        return Adherence(reporterActions: counted, reporterActionsMissed: missed.count, missed: missed)
    }

    /// Checks a new or changed action (SS-NXT-2): what is to be done is given and at most
    /// `whatLimit` characters; the due date, when given, is not before the date the plan was agreed.
    /// Every owner is checked the same way.
    public static func validate(what: String, owner: ActionOwnerKind, dueOn: LocalDate?,
                                agreedOn: LocalDate) -> [FieldError] {
        var errors: [FieldError] = []
        let text = what.trimmingWhitespace()
        if text.isEmpty {
            errors.append(FieldError("what", "Say what is to be done."))
        } else if text.count > whatLimit {
            errors.append(FieldError("what", "What is to be done must be \(whatLimit) characters or fewer."))
        }
        if let dueOn, dueOn < agreedOn {
            errors.append(FieldError("dueOn", "The due date cannot be before the plan was agreed (\(agreedOn))."))
        }
        return errors
    }

    /// Checks the date an action was done: not in the future and not before the plan was agreed.
    public static func validateCompletion(completedOn: LocalDate, agreedOn: LocalDate, today: LocalDate) -> [FieldError] {
        if completedOn > today {
            return [FieldError("completedOn", "The date it was done cannot be in the future.")]
        }
        if completedOn < agreedOn {
            return [FieldError("completedOn", "The date it was done cannot be before the plan was agreed (\(agreedOn)).")]
        }
        return []
    }
}

extension RuleViolation {
    /// An action plan status change the rules refuse (SS-NXT-2).
    public static func actionTransitionNotAllowed(from: ActionStatus, to: ActionStatus) -> RuleViolation {
        let reason: String
        if from == to {
            reason = "The action is already \(from.displayName)."
        } else if from.isFinal {
            reason = "The action is \(from.displayName) and cannot change: agree a new action instead."
        } else {
            reason = "An action that is \(from.displayName) cannot be changed to \(to.displayName)."
        }
        return RuleViolation(code: "action.transitionNotAllowed", clause: "SS-NXT-2", reason: reason)
    }
}
