import ASBCore
import Foundation

/// What happens to one demo case, decided from the seed and the case's number alone: the report,
/// then each step of the casework with its time. Both demo writers (`DemoServiceWriter`, through
/// the services, and `DemoBulkWriter`, rows in batches) play the same plan, so the same seed gives
/// the same dataset whichever writes it, and any case can be planned without planning the others.
///
/// Everything in it is invented: names from short lists of common given names and surnames,
/// streets of made-up names in the landlord's demo neighbourhoods, phone numbers from Ofcom's
/// drama range (01632 960xxx), email addresses at example.org.
struct DemoCasePlan: Sendable {
    struct Contact: Sendable {
        var withReporter: Bool
        var method: ContactChannel
        var direction: ContactDirection
        var summary: String
    }

    struct PlanAction: Sendable {
        var what: String
        var owner: ActionOwnerKind
        var dueOn: LocalDate
    }

    struct Proposal: Sendable {
        var reason: ClosureReason
        var explanation: String?
        var withdrawalHow: String?
        var withdrawalOn: LocalDate?
    }

    /// One step of the casework. Officers and team leaders are indexes into the demo staff.
    enum Step: Sendable {
        case allocate(leader: Int, officer: Int)
        case assess(answers: [String: String])
        case contact(Contact)
        /// A later incident, recorded by the officer (by phone or in person).
        case incident(ReportDraft)
        case agreeActionPlan([PlanAction])
        case proposeClosure(Proposal)
        /// The agreement visit or call (SS-CLS-2).
        case closureContact(ClosureContactMethod)
        case approveClosure(leader: Int)
        case close
        case survey(SurveyAnswers)
    }

    var index: Int
    var receivedAt: Date
    var report: ReportDraft
    var riskAnswers: [String: String]
    /// Staff who recorded the report (index into the demo officers), nil for the public website.
    var recordedBy: Int?
    /// The allocated officer, who does the casework after allocation.
    var officer: Int = 0
    /// What happened after the report, in order, each at its time.
    var steps: [(at: Date, step: Step)] = []
}

/// Plans demo cases: a landlord's mix of channels, categories, hate strands, priorities,
/// neighbourhoods and outcomes, spread over `years` up to `until`.
struct DemoPlanner: Sendable {
    let seed: UInt64
    let until: Date
    let years: Int
    let neighbourhoods: [DemoNeighbourhood]
    let officers: Int
    let teamLeaders: Int

    static let neighbourhoodCount = 12

    /// The neighbourhoods every demo dataset has, with the postcode sectors that place reports in them.
    static func neighbourhoods() -> [DemoNeighbourhood] {
        let names = ["Northgate", "Riverside", "Millfield", "Oakwood Park", "St Anne's", "Harbour Quarter", "Brookside",
                     "Eastfields", "Castle Hill", "Westmoor", "Fairview", "Kingsmead"]
        return names.enumerated().map { offset, name in
            // SS2 1 … SS2 9, then SS3 1 …: real postcode shapes in invented sectors.
            let district = 2 + offset / 4
            let sectors = (0..<2).map { "SS\(district) \((offset % 4) * 2 + $0 + 1)" }
            return DemoNeighbourhood(name: name, sectors: sectors)
        }
    }

    private var window: TimeInterval { TimeInterval(years) * 365.25 * 86400 }

    func plan(_ index: Int) -> DemoCasePlan {
        var rng = SplitMix64(seed: seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(index + 1))
        // Received: spread evenly over the window, in office-ish hours, more on weekdays.
        let fraction = (Double(index) + rng.unit()) / Double(max(1, expectedCount))
        var received = until.addingTimeInterval(-window * (1 - min(fraction, 1)))
        received = DemoPlanner.officeHours(received, rng: &rng)
        if received > until { received = until.addingTimeInterval(-60) }

        let neighbourhood = neighbourhoods[rng.below(neighbourhoods.count)]
        let sector = neighbourhood.sectors[rng.below(neighbourhood.sectors.count)]
        let reporterName = DemoNames.person(&rng)
        let street = DemoNames.street(&rng)
        let house = 1 + rng.below(180)
        let postcode = "\(sector)\(DemoNames.unitLetters(&rng))"
        let anonymous = rng.chance(0.12)

        let channel = rng.weighted([(.web, 40), (.phone, 25), (.officer, 10), (.email, 8), (.letter, 5), (.inPerson, 12)] as [(ReportChannel, Int)])
        let hate = rng.chance(0.07)
        var strands: [HateStrand] = []
        if hate {
            strands = [rng.weighted([(.race, 45), (.religionOrBelief, 15), (.sexualOrientation, 15), (.genderIdentity, 8),
                                     (.disability, 17)] as [(HateStrand, Int)])]
            if rng.chance(0.15) { strands.append(HateStrand.allCases[rng.below(HateStrand.allCases.count)]) }
        }
        var categories = [rng.weighted([(.noise, 34), (.verbalAbuse, 14), (.harassment, 14), (.violence, 4), (.drugs, 10),
                                        (.vandalism, 7), (.pets, 5), (.parking, 4), (.rubbish, 5), (.other, 3)] as [(IncidentCategory, Int)])]
        if rng.chance(0.25) { categories.append(IncidentCategory.allCases[rng.below(IncidentCategory.allCases.count)]) }
        let danger = rng.chance(0.01)
        let perpetrator: ReportDraft.Person? = rng.chance(0.6)
            ? .init(name: rng.chance(0.7) ? DemoNames.person(&rng) : nil,
                    address: "\(house + 1 + rng.below(6)) \(street)", postcode: postcode)
            : nil
        let occurred = LondonTime.localDateTime(for: received.addingTimeInterval(-Double(rng.below(5)) * 86400)).date
        let reporter: ReportDraft.Person? = anonymous ? nil : .init(
            name: reporterName, email: rng.chance(0.6) ? DemoNames.email(reporterName, index: index) : nil,
            phone: String(format: "01632 960%03d", rng.below(1000)),
            address: "\(house) \(street)", postcode: postcode,
            // Demo reporters asked to be phoned: the demo data queues no mail, so a demo server sends none.
            preferredContactMethod: .phone)
        var report = ReportDraft(
            channel: channel, anonymous: anonymous, reporter: reporter,
            description: DemoNames.description(categories[0], street: street, rng: &rng),
            occurredOn: occurred.description, occurredAt: rng.chance(0.5) ? String(format: "%02d:%02d", 8 + rng.below(15), rng.below(60)) : nil,
            location: "Outside \(house) \(street)", postcode: postcode, categories: categories, hate: hate, hateStrands: strands,
            allegedPerpetrator: perpetrator, immediateDanger: danger)
        report.receivedAt = nil
        var plan = DemoCasePlan(index: index, receivedAt: received, report: report,
                                riskAnswers: DemoPlanner.answers(&rng, severity: hate ? 2 : rng.below(3)),
                                recordedBy: [.web, .email].contains(channel) ? nil : rng.below(officers))

        // The casework, each step after the last, none after `until`.
        var at = received
        func next(_ minHours: Double, _ maxHours: Double) -> Date? {
            at = DemoPlanner.officeHours(at.addingTimeInterval(3600 * (minHours + rng.unit() * (maxHours - minHours))), rng: &rng)
            return at <= until ? at : nil
        }
        let officer = rng.below(officers)
        let leader = rng.below(teamLeaders)
        plan.officer = officer
        guard let allocated = next(0.5, 30) else { return plan }
        plan.steps.append((allocated, .allocate(leader: leader, officer: officer)))
        guard let assessed = next(0.2, 4) else { return plan }
        plan.steps.append((assessed, .assess(answers: DemoPlanner.answers(&rng, severity: hate ? 2 : rng.below(3)))))
        // Contacts: the first with the reporter (or, for an anonymous report, the person complained about).
        var lastIncident = received
        for n in 0..<(1 + rng.below(4)) {
            guard let when = next(n == 0 ? 1 : 24, n == 0 ? 60 : 24 * 14) else { return plan }
            let withReporter = !anonymous && (n == 0 || perpetrator == nil || rng.chance(0.6))
            guard withReporter || perpetrator != nil else { continue }
            let method = rng.weighted([(.phone, 55), (.visit, 30), (.email, 10), (.text, 5)] as [(ContactChannel, Int)])
            plan.steps.append((when, .contact(.init(withReporter: withReporter, method: method,
                                                    direction: rng.chance(0.85) ? .outbound : .inbound,
                                                    summary: DemoNames.contactSummary(withReporter: withReporter, rng: &rng)))))
            if n == 0, rng.chance(0.35) {
                guard let extra = next(24, 24 * 10) else { return plan }
                plan.steps.append((extra, .incident(DemoPlanner.laterIncident(categories[0], street: street, rng: &rng))))
                lastIncident = extra
            }
        }
        guard let agreed = next(24, 24 * 10) else { return plan }
        let agreedOn = LondonTime.localDateTime(for: agreed).date
        var actions: [DemoCasePlan.PlanAction] = [
            .init(what: "Visit the household complained about and discuss the behaviour", owner: .landlord,
                  dueOn: agreedOn.adding(days: 10)),
        ]
        if !anonymous {
            actions.append(.init(what: "Keep a diary of incidents with dates and times", owner: .reporter, dueOn: agreedOn.adding(days: 28)))
        }
        if rng.chance(0.4) {
            actions.append(.init(what: "Share the case with the police neighbourhood team", owner: .landlord,
                                 dueOn: agreedOn.adding(days: 5)))
        }
        plan.steps.append((agreed, .agreeActionPlan(actions)))

        // Closure by one of the five reasons, proposed once it can be.
        var reason = rng.weighted([(.resolved, 50), (.noNewReports, 22), (.withdrawn, 12), (.actionsExhausted, 9),
                                   (.actionPlanNotAdheredTo, 7)] as [(ClosureReason, Int)])
        // Only a reporter's missed action lets a case close for the plan not being kept to.
        if anonymous && reason == .actionPlanNotAdheredTo { reason = .actionsExhausted }
        var earliest = at.addingTimeInterval(3600 * 24 * (7 + rng.unit() * 60))
        switch reason {
        case .noNewReports:
            earliest = max(earliest, lastIncident.addingTimeInterval(86400 * Double(ClosureRules.noNewReportsDays + 2 + rng.below(20))))
        case .actionPlanNotAdheredTo:
            earliest = max(earliest, agreed.addingTimeInterval(86400 * Double(32 + rng.below(20))))
        default: break
        }
        at = DemoPlanner.officeHours(earliest, rng: &rng)
        guard at <= until else { return plan }
        let proposedOn = LondonTime.localDateTime(for: at).date
        plan.steps.append((at, .proposeClosure(.init(
            reason: reason,
            explanation: reason.needsExplanation || rng.chance(0.3) ? DemoNames.closureExplanation(reason) : nil,
            withdrawalHow: reason == .withdrawn ? "Told the officer by phone they no longer want the landlord to act" : nil,
            withdrawalOn: reason == .withdrawn ? proposedOn : nil))))
        if !anonymous {
            guard let called = next(2, 24 * 5) else { return plan }
            plan.steps.append((called, .closureContact(rng.chance(0.7) ? .phone : .visit)))
        }
        if reason.needsTeamLeaderApproval {
            guard let approved = next(1, 24 * 3) else { return plan }
            plan.steps.append((approved, .approveClosure(leader: leader)))
        }
        guard let closed = next(0.2, 24 * 2) else { return plan }
        plan.steps.append((closed, .close))
        if !anonymous, rng.chance(0.3), let answered = next(24, 24 * 14) {
            let overall = rng.weighted([(5, 35), (4, 30), (3, 15), (2, 10), (1, 10)] as [(Int, Int)])
            func near(_ value: Int) -> Int { min(5, max(1, value + rng.below(3) - 1)) }
            plan.steps.append((answered, .survey(SurveyAnswers(
                overall: overall, keptInformed: near(overall), easeOfReporting: near(overall), listenedTo: near(overall),
                wouldReportAgain: overall >= 3, comments: nil))))
        }
        return plan
    }

    /// How many cases the window is spread over (set by the writer before planning).
    var expectedCount: Int = 1

    static func laterIncident(_ category: IncidentCategory, street: String, rng: inout SplitMix64) -> ReportDraft {
        ReportDraft(channel: rng.chance(0.7) ? .phone : .inPerson, description: DemoNames.description(category, street: street, rng: &rng),
                    categories: [category])
    }

    /// Risk answers: the standard questionnaire, each question answered by a choice that leans
    /// towards `severity` (0 low … 2 high).
    static func answers(_ rng: inout SplitMix64, severity: Int) -> [String: String] {
        var answers: [String: String] = [:]
        for question in RiskQuestionnaire.standard.questions {
            let choices = question.choices
            guard !choices.isEmpty else { continue }
            // Mostly the mildest answer; more often a stronger one when severity is higher.
            let pick = rng.chance(0.25 + 0.25 * Double(severity)) ? rng.below(choices.count) : 0
            answers[question.id] = choices[pick].value
        }
        return answers
    }

    /// Moves a time into a working day's office hours (Mon–Fri 08:30–17:30 UK time) most of the time;
    /// one step in ten stays where it fell (an evening phone call, a weekend web report).
    static func officeHours(_ date: Date, rng: inout SplitMix64) -> Date {
        let date = Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
        if rng.chance(0.1) { return date }
        let local = LondonTime.localDateTime(for: date)
        // After hours moves to the next working morning, never earlier than it was.
        var day = local.hour >= 17 ? local.date.adding(days: 1) : local.date
        while day.weekday.isWeekend { day = day.adding(days: 1) }
        guard day != local.date || local.hour < 8 || local.hour >= 17 else { return date }
        if day == local.date {
            // Before 8 on a working day: later that morning.
            let seconds = 8 * 3600 + rng.below(3 * 3600)
            return LondonTime.date(for: LocalDateTime(date: day, secondsIntoDay: TimeInterval(seconds)))
        }
        let seconds = (8 + rng.below(9)) * 3600 + rng.below(60) * 60 + rng.below(60)
        // Whole seconds: what the databases keep the same way.
        return LondonTime.date(for: LocalDateTime(date: day, secondsIntoDay: TimeInterval(seconds)))
    }
}

struct DemoNeighbourhood: Sendable {
    var name: String
    var sectors: [String]
}

extension SplitMix64 {
    /// A number in 0..<1.
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
    mutating func chance(_ p: Double) -> Bool { unit() < p }
    mutating func weighted<T>(_ options: [(T, Int)]) -> T {
        var roll = below(options.reduce(0) { $0 + $1.1 })
        for (value, weight) in options {
            if roll < weight { return value }
            roll -= weight
        }
        return options[0].0
    }
}
