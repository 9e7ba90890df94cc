import Foundation

/// Every message the service sends (issue: messages out). Reporters hear at each step the
/// standard promises; staff hear when something needs them.
public enum MessageKind: String, Sendable, Codable, CaseIterable {
    // To the reporter
    case acknowledgement
    case officerAllocated
    case actionPlanAgreed
    case contactReminder
    case closureProposed
    case closureConfirmed
    case satisfactionSurvey
    // To staff
    case newPriorityOneCase
    case milestoneDueSoon
    case milestoneBreached
    case contactOverdue
    case closureReviewDue

    public var isForReporter: Bool {
        switch self {
        case .acknowledgement, .officerAllocated, .actionPlanAgreed, .contactReminder, .closureProposed, .closureConfirmed,
             .satisfactionSurvey: true
        case .newPriorityOneCase, .milestoneDueSoon, .milestoneBreached, .contactOverdue, .closureReviewDue: false
        }
    }

    /// For a person: "Acknowledgement", "New priority 1 case".
    public var displayName: String {
        switch self {
        case .acknowledgement: "Acknowledgement"
        case .officerAllocated: "Officer allocated"
        case .actionPlanAgreed: "Action plan agreed"
        case .contactReminder: "Contact reminder"
        case .closureProposed: "Closure proposed"
        case .closureConfirmed: "Closure confirmed"
        case .satisfactionSurvey: "Satisfaction survey"
        case .newPriorityOneCase: "New priority 1 case"
        case .milestoneDueSoon: "Deadline due soon"
        case .milestoneBreached: "Deadline breached"
        case .contactOverdue: "Contact overdue"
        case .closureReviewDue: "Closure review due"
        }
    }
}

/// How a message reaches a reporter.
public enum DeliveryChannel: String, Sendable, Codable, CaseIterable {
    case email
    case letter
}

/// Which channel, if any, a reporter's message goes by: their stated preference first; nothing
/// to anonymous reporters; no email or letter to someone who asked to be phoned, texted or
/// visited (their officer contacts them that way).
public enum MessageRouting {
    public static func channel(preferred: ContactMethod?, hasEmail: Bool, hasPostalAddress: Bool, anonymous: Bool) -> DeliveryChannel? {
        guard !anonymous else { return nil }
        switch preferred {
        case .email: return hasEmail ? .email : nil
        case .letter: return hasPostalAddress ? .letter : nil
        case .phone, .text, .visit: return nil
        case nil: return hasEmail ? .email : (hasPostalAddress ? .letter : nil)
        }
    }
}

/// What a message may say. Built by the server from the case, never from restricted entries:
/// nothing here can carry a restricted contact log entry, a restricted file or a partner's note.
public struct MessageFacts: Sendable, Equatable {
    public struct Deadline: Sendable, Equatable {
        public var milestone: String
        public var due: String
        public init(milestone: String, due: String) {
            self.milestone = milestone
            self.due = due
        }
    }

    public struct Action: Sendable, Equatable {
        public var what: String
        public var dueOn: String?
        public init(what: String, dueOn: String?) {
            self.what = what
            self.dueOn = dueOn
        }
    }

    public var landlordName: String
    public var reference: String
    public var recipientName: String?
    public var priority: Priority?
    public var deadlines: [Deadline] = []
    public var emergencyAdvice: String?
    public var officerName: String?
    public var reporterActions: [Action] = []
    public var landlordActions: [Action] = []
    /// "Monday 30 November 2026".
    public var nextContactOn: String?
    public var closureReason: String?
    public var closureExplanation: String?
    public var surveyURL: String?
    public var trackURL: String?
    /// Staff messages: the case's deadline or date the message is about.
    public var milestone: String?
    public var due: String?

    public init(landlordName: String, reference: String) {
        self.landlordName = landlordName
        self.reference = reference
    }
}

/// A message ready to send: subject and plain text; its HTML is made from the text's paragraphs
/// when it is sent (`MessageComposer.html(text:)`), so the outbox keeps only the text.
public struct ComposedMessage: Sendable, Equatable {
    public var subject: String
    public var text: String
    public var html: String { MessageComposer.html(text: text) }
}

/// The wording of every message, in plain English. Pure: the same facts give the same message.
public enum MessageComposer {
    public static func compose(_ kind: MessageKind, _ f: MessageFacts) -> ComposedMessage {
        let greeting = "Dear \(f.recipientName ?? "resident"),"
        var paragraphs: [String]
        let subject: String
        let track = f.trackURL.map { "You can follow your case, and tell us about anything new, at \($0) with your reference and access code." }
        switch kind {
        case .acknowledgement:
            subject = "We have received your report \(f.reference)"
            paragraphs = [greeting, "Thank you for your report. Your case reference is \(f.reference)."]
            if let advice = f.emergencyAdvice { paragraphs.append(advice) }
            if let priority = f.priority {
                paragraphs.append("We have given it \(priority.displayName.lowercased()) from what you told us. An officer will check this when they assess the risk with you.")
            }
            if !f.deadlines.isEmpty {
                paragraphs.append("What we promise:\n" + f.deadlines.map { "- \($0.milestone) by \($0.due)" }.joined(separator: "\n"))
            }
            paragraphs.append("If someone is seriously injured, in immediate danger, or public safety is at risk, call 999. For crime that is not an emergency, call the police on 101.")
            if let track { paragraphs.append(track) }
        case .officerAllocated:
            subject = "Your officer for case \(f.reference)"
            paragraphs = [greeting, "\(f.officerName ?? "An officer") is now looking after your case \(f.reference). They will contact you to agree an action plan and how often you will hear from us."]
            if let track { paragraphs.append(track) }
        case .actionPlanAgreed:
            subject = "Your action plan for case \(f.reference)"
            paragraphs = [greeting, "This is the action plan we agreed with you for case \(f.reference)."]
            if !f.landlordActions.isEmpty { paragraphs.append("What we will do:\n" + list(f.landlordActions)) }
            if !f.reporterActions.isEmpty { paragraphs.append("What you agreed to do:\n" + list(f.reporterActions)) }
            paragraphs.append("If anything changes, or it happens again, tell us straight away.")
        case .contactReminder:
            subject = "We will be in touch about case \(f.reference)"
            paragraphs = [greeting, "As agreed, your officer will next contact you about case \(f.reference)\(f.nextContactOn.map { " on \($0)" } ?? " soon")."]
            if let track { paragraphs.append(track) }
        case .closureProposed:
            subject = "We propose to close case \(f.reference)"
            paragraphs = [greeting, "We propose to close your case \(f.reference)\(f.closureReason.map { ": \($0.lowercased())" } ?? "")."]
            if let why = f.closureExplanation { paragraphs.append(why) }
            paragraphs.append("Before we close it, your officer will phone or visit you to talk it through. If you do not agree, tell them: the case stays open while we discuss it.")
        case .closureConfirmed:
            subject = "Case \(f.reference) is closed"
            paragraphs = [greeting, "We have closed your case \(f.reference)\(f.closureReason.map { ": \($0.lowercased())" } ?? "")."]
            if let why = f.closureExplanation { paragraphs.append(why) }
            paragraphs.append("If the problem starts again, report it: we will look at it again straight away.")
            if let survey = f.surveyURL { paragraphs.append("Please tell us how we did: \(survey)") }
        case .satisfactionSurvey:
            subject = "How did we do with case \(f.reference)?"
            paragraphs = [greeting, "Your case \(f.reference) is closed. Please take two minutes to tell us how we handled it. Your answers help us improve."]
            if let survey = f.surveyURL { paragraphs.append(survey) }
        case .newPriorityOneCase:
            subject = "New priority 1 case \(f.reference)"
            paragraphs = ["A new priority 1 case \(f.reference) has been reported.\(f.due.map { " The response is due by \($0)." } ?? "")",
                          "Assess and allocate it from the triage queue."]
        case .milestoneDueSoon:
            subject = "Due soon: \(f.milestone ?? "a deadline") on \(f.reference)"
            paragraphs = ["\(f.milestone ?? "A deadline") on case \(f.reference) is due by \(f.due ?? "soon")."]
        case .milestoneBreached:
            subject = "Breached: \(f.milestone ?? "a deadline") on \(f.reference)"
            paragraphs = ["\(f.milestone ?? "A deadline") on case \(f.reference) was due by \(f.due ?? "an earlier time") and has not been met. Record it as soon as it is done."]
        case .contactOverdue:
            subject = "Contact overdue on \(f.reference)"
            paragraphs = ["The contact agreed with the reporter on case \(f.reference) was due \(f.due ?? "earlier") and has not been logged."]
        case .closureReviewDue:
            subject = "Closure review due on \(f.reference)"
            paragraphs = ["Case \(f.reference) has had no new reports for 60 days. Review it: closure has been proposed and needs the agreement call."]
        }
        if kind.isForReporter {
            paragraphs.append("Yours sincerely,\n\(f.landlordName) anti-social behaviour team")
        }
        return ComposedMessage(subject: subject, text: paragraphs.joined(separator: "\n\n") + "\n")
    }

    /// A message's HTML part from its text: each paragraph (text between blank lines) a `<p>`,
    /// escaped, its line breaks kept as `<br>`.
    public static func html(text: String) -> String {
        var body = text
        if body.hasSuffix("\n") { body.removeLast() }
        let paragraphs = body.components(separatedBy: "\n\n")
        return "<!DOCTYPE html><html lang=\"en-GB\"><body>"
            + paragraphs.map { "<p>" + Markup.escape($0, lineBreak: "<br>") + "</p>" }.joined()
            + "</body></html>"
    }

    private static func list(_ actions: [MessageFacts.Action]) -> String {
        actions.map { "- \($0.what)\($0.dueOn.map { " (by \($0))" } ?? "")" }.joined(separator: "\n")
    }
}
