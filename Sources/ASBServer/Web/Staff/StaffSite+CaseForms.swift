import ASBCore
import Fluent
import Foundation
import Vapor

/// Every casework form on the case page. Each posts to `/staff/cases/{reference}/{form}` and
/// calls one service; a refusal re-shows the page with the message beside the field (or at the
/// top for a rule of the standard), a stale edit shows a conflict and changes nothing.
enum CaseForm: String, CaseIterable, Sendable {
    case incident, milestone, assess, allocate, party
    case actionPlan = "action-plan", actionStatus = "action-status"
    case contact, contactPlan = "contact-plan"
    case referral, leadAgency = "lead-agency", referralUpdate = "referral-update"
    case caseReviewApply = "case-review-apply", notice
    case reviewSchedule = "review-schedule", reviewRecord = "review-record"
    case witnessEvidence = "witness-evidence", evidenceApprove = "evidence-approve", enforcement
    case enforcementUpdate = "enforcement-update"
    case closurePropose = "closure-propose", closureContact = "closure-contact", closureApprove = "closure-approve"
    case close, reopen
    case survey
    case legalHold = "legal-hold"
    /// Not posted here: the upload is a multipart form with its own route.
    case attachment

    /// The casework the form does, when a closed case refuses it (`CaseLifecycle.checkCasework`):
    /// such a form is not offered on a closed case.
    var casework: Casework? {
        switch self {
        case .assess: .assessRisk
        case .allocate: .allocate
        case .party: .addPerson
        case .actionPlan: .agreeActionPlan
        case .actionStatus: .updateAction
        case .contactPlan: .agreeContactPlan
        case .referral: .referToPartner
        case .leadAgency: .decideLeadAgency
        case .reviewSchedule: .scheduleReview
        case .witnessEvidence: .recordWitnessEvidence
        case .evidenceApprove: .approveWitnessEvidence
        case .enforcement: .recordEnforcement
        case .enforcementUpdate: .updateEnforcement
        case .incident, .milestone, .contact, .referralUpdate, .caseReviewApply, .notice, .reviewRecord,
             .closurePropose, .closureContact, .closureApprove, .close, .reopen, .survey, .legalHold, .attachment: nil
        }
    }

    /// Whether the form is offered on a case in this state.
    func isOffered(on status: CaseStatus) -> Bool {
        casework.map { CaseLifecycle.allows($0, on: status) } ?? true
    }

    /// The page section the form lives in, for the redirect after it succeeds.
    var section: String {
        switch self {
        case .incident, .milestone: "incidents"
        case .assess, .allocate: "assessment"
        case .party: "parties"
        case .actionPlan, .actionStatus: "action-plan"
        case .contact, .contactPlan: "contact"
        case .referral, .leadAgency, .referralUpdate: "partners"
        case .reviewSchedule, .reviewRecord, .caseReviewApply, .notice: "reviews"
        case .witnessEvidence, .evidenceApprove, .enforcement, .enforcementUpdate: "enforcement"
        case .closurePropose, .closureContact, .closureApprove, .close, .reopen: "closure"
        case .attachment: "evidence"
        case .survey, .legalHold: "closure"
        }
    }
}

extension FormData {
    /// A `datetime-local` value (`2026-11-25T10:30`) read as UK time.
    func londonDateTime(_ name: String, errors: inout [FieldError]) -> Date? {
        guard let raw = self[name] else { return nil }
        let parts = raw.split(separator: "T")
        let time = parts.count == 2 ? parts[1].split(separator: ":").compactMap { Int($0) } : []
        guard parts.count == 2, let date = LocalDate(iso: String(parts[0])), time.count >= 2,
              let local = LocalDateTime(date: date, hour: time[0], minute: time[1]) else {
            errors.append(FieldError(name, "Enter a date and time, for example 2026-11-25 at 10:30."))
            return nil
        }
        return LondonTime.date(for: local)
    }

    /// A chosen record's id. Missing is nil, and an error too when `required`; not an id is an error.
    func uuid(_ name: String, required: Bool = false, errors: inout [FieldError], message: String) -> UUID? {
        guard let raw = self[name] else {
            if required { errors.append(FieldError(name, message)) }
            return nil
        }
        guard let id = UUID(uuidString: raw) else {
            errors.append(FieldError(name, message))
            return nil
        }
        return id
    }

    func choice<T: RawRepresentable>(_ name: String, _ type: T.Type, errors: inout [FieldError], message: String) -> T?
    where T.RawValue == String {
        guard let raw = self[name] else {
            errors.append(FieldError(name, message))
            return nil
        }
        guard let value = T(rawValue: raw) else {
            errors.append(FieldError(name, message))
            return nil
        }
        return value
    }
}

extension StaffSite {
    static let staffChannels: [ReportChannel] = [.phone, .email, .letter, .officer, .inPerson, .web]

    static func options(_ pairs: [(String, String)], selected: String? = nil, blank: String? = nil) -> [FormField.Option] {
        (blank.map { [FormField.Option(value: "", label: $0)] } ?? []) + pairs.map { .init(value: $0.0, label: $0.1, selected: $0.0 == selected) }
    }

    /// The forms this user may use on this case now, each with its fields empty.
    static func forms(for data: CaseData) -> [CaseForm: FormModel] {
        let c = data.detail.asbCase
        let ref = c.reference
        let user = data.user
        var forms: [CaseForm: FormModel] = [:]
        // The fields are made only for a form the case offers.
        func form(_ kind: CaseForm, _ title: String, _ submit: String, _ fields: @autoclosure () -> [FormField], intro: String? = nil,
                  version: Bool = false, warning: Bool = false) {
            guard kind.isOffered(on: c.status) else { return }
            forms[kind] = FormModel(id: "form-\(kind.rawValue)", title: title, action: "/staff/cases/\(ref)/\(kind.rawValue)",
                                    submitLabel: submit, fields: fields(),
                                    hidden: version ? [.init(name: "version", value: String(c.version))] : [],
                                    intro: intro, isWarning: warning).prefixingIDs("\(kind.rawValue)-")
        }
        let people = data.detail.parties.map { ($0.party.id?.text ?? "", "\($0.party.name ?? "Name not given") (\($0.role.displayName.lowercased()))") }
        let agencies = data.agencies.map { ($0.id?.text ?? "", $0.name) }
        let hateFields = [
            FormField(kind: .radios, name: "hate", label: "Hate crime or incident?", options: [.init(value: "yes", label: "Yes"), .init(value: "no", label: "No")]),
            FormField.choices(.checkboxes, name: "hateStrands", label: "Hate strands", of: HateStrand.self, selected: [], label: \.displayName),
        ]

        if user.role.may(.recordReport), user.role != .partner, c.status != .closed {
            form(.incident, "Record a new incident", "Record incident", [
                FormField(kind: .select, name: "channel", label: "How it was reported",
                      options: options(staffChannels.map { ($0.rawValue, $0.displayName) }, selected: "phone")),
                FormField(kind: .datetime, name: "receivedAt", label: "When it was received (optional)",
                      hint: "Leave empty for now. For a letter, the date stamp."),
                FormField(kind: .textarea, name: "description", label: "What happened"),
                FormField(kind: .date, name: "occurredOn", label: "Date it happened", width: "medium"),
                FormField(kind: .time, name: "occurredAt", label: "Time it happened (optional)", width: "narrow"),
                FormField(kind: .text, name: "location", label: "Where (optional)"),
            ] + hateFields)
            let pending = data.detail.deadlines.filter { $0.metAt == nil }
            if !pending.isEmpty {
                form(.milestone, "Record a deadline as met", "Record as met", [
                    FormField(kind: .select, name: "milestone", label: "Milestone",
                          options: options(pending.map { ($0.milestone.rawValue, "\($0.milestone.displayName), due \(CaseClock.describe($0.dueAt))") })),
                    FormField(kind: .datetime, name: "metAt", label: "When (optional)", hint: "Leave empty for now."),
                    FormField(kind: .textarea, name: "note", label: "Note (optional)"),
                ])
            }
        }
        // Partners add updates to their own agency's referrals; caseworkers to any.
        let live = data.referrals.filter { $0.status == .sent || $0.status == .accepted }
        if !live.isEmpty, user.role == .partner || data.mayWork {
            form(.referralUpdate, "Add an update to a referral", "Add update", [
                FormField(kind: .select, name: "referralId", label: "Referral",
                          options: options(live.map { ($0.id?.text ?? "", "\($0.agency.name), sent \(CaseClock.describe($0.sentAt))") })),
                FormField(kind: .textarea, name: "text", label: "Update"),
                FormField(kind: .select, name: "status", label: "Change the status (optional)",
                          options: options(ReferralStatus.allCases.map { ($0.rawValue, $0.words) }, blank: "No change")),
            ])
        }
        guard data.mayWork else {
            if user.role.may(.allocateCase) { addAllocate(&forms, data) }
            return forms
        }
        form(.assess, c.riskLevel == nil ? "Assess the risk" : "Reassess the risk", "Save assessment",
             RiskQuestionnaire.standard.questions.map(ReportWizard.field(for:)) + [
                FormField(kind: .select, name: "priority", label: "Override the priority (optional)",
                      hint: "Only with a reason. Every hate crime or incident stays priority 1.",
                      options: options(Priority.allCases.map { (String($0.rawValue), $0.displayName) }, blank: "Use the score")),
                FormField(kind: .textarea, name: "overrideReason", label: "Reason for the override"),
                FormField(kind: .checkboxes, name: "notASB", label: "Not anti-social behaviour",
                      options: [.init(value: "yes", label: "Record for information only: this is not anti-social behaviour")]),
             ], intro: "Ask the reporter each question. The answers set the priority and the deadlines (SS-RT-1).", version: true)
        if user.role.may(.allocateCase) { addAllocate(&forms, data) }
        forms[.attachment] = uploadForm(reference: ref).prefixingIDs("attachment-")
        form(.party, "Add a person", "Add person", [
            FormField.choices(.radios, name: "role", label: "Their part in the case", of: PartyRole.self, selected: [], label: \.displayName),
            FormField(kind: .text, name: "name", label: "Name"),
            FormField(kind: .tel, name: "phone", label: "Phone (optional)", width: "medium"),
            FormField(kind: .email, name: "email", label: "Email (optional)"),
            FormField(kind: .textarea, name: "address", label: "Address (optional)"),
            FormField(kind: .text, name: "postcode", label: "Postcode (optional)", width: "narrow"),
            FormField.choices(.checkboxes, name: "supportNeeds", label: "Support needs", hint: "SS-NXT-3: consider referrals to support agencies.",
                          of: SupportNeed.self, selected: [], label: \.displayName),
            FormField(kind: .textarea, name: "supportNotes", label: "Notes on support (optional)"),
            FormField(kind: .radios, name: "consentToShare", label: "Consent to share with partner agencies",
                  options: [.init(value: "yes", label: "Given"), .init(value: "no", label: "Not given")]),
        ])
        let ownerKinds: [ActionOwnerKind] = [.landlord, .reporter, .partnerAgency]
        var planFields: [FormField] = [
            FormField(kind: .date, name: "agreedOn", label: "Date agreed with the reporter", width: "medium"),
            FormField(kind: .select, name: "howAgreed", label: "How it was agreed",
                  options: options(ContactChannel.allCases.map { ($0.rawValue, $0.words) }, selected: "visit")),
            FormField(kind: .textarea, name: "notes", label: "Notes (optional)"),
        ]
        let current = data.plan?.current?.actions.sorted { $0.position < $1.position } ?? []
        let rows = max(3, current.count + 1)
        for index in 0..<rows {
            let existing = index < current.count ? current[index] : nil
            planFields += [
                FormField(kind: .text, name: "actions.\(index).what", label: "Action \(index + 1)", value: existing?.what ?? ""),
                FormField(kind: .select, name: "actions.\(index).owner", label: "Action \(index + 1): who",
                      options: options(ownerKinds.map { ($0.rawValue, $0.displayName) }, selected: existing?.owner.rawValue ?? "landlord")),
                FormField(kind: .select, name: "actions.\(index).ownerAgencyId", label: "Action \(index + 1): which agency (for a partner agency)",
                      options: options(agencies, selected: existing?.$ownerAgency.id?.text, blank: "Not an agency")),
                FormField(kind: .date, name: "actions.\(index).dueOn", label: "Action \(index + 1): due by", value: existing?.dueOn ?? "", width: "medium"),
            ]
        }
        form(.actionPlan, data.plan?.current == nil ? "Agree an action plan" : "Revise the action plan", "Save the agreed plan", planFields,
             intro: "Agree the actions with the reporter: what the landlord, the reporter and partners will each do (SS-NXT-2). Leave unused rows empty.")
        if !current.isEmpty {
            form(.actionStatus, "Update an action", "Update action", [
                FormField(kind: .select, name: "actionId", label: "Action", options: options(current.map { ($0.id?.text ?? "", $0.what) })),
                FormField.choices(.radios, name: "status", label: "Status", of: ActionStatus.self, selected: [], label: \.displayName),
                FormField(kind: .date, name: "completedOn", label: "Completed on (optional)", width: "medium"),
                FormField(kind: .textarea, name: "note", label: "Note (optional)"),
            ])
        }
        if !people.isEmpty {
            form(.contact, "Log a contact", "Log contact", [
                FormField(kind: .select, name: "partyId", label: "With", options: options(people)),
                FormField(kind: .datetime, name: "at", label: "When (optional)", hint: "Leave empty for now."),
                FormField(kind: .select, name: "method", label: "How", options: options(ContactChannel.allCases.map { ($0.rawValue, $0.words) })),
                FormField(kind: .radios, name: "direction", label: "Who made contact",
                      options: [.init(value: "outbound", label: "We contacted them"), .init(value: "inbound", label: "They contacted us")]),
                FormField(kind: .textarea, name: "summary", label: "Summary"),
                FormField(kind: .checkboxes, name: "restricted", label: "Restricted",
                      options: [.init(value: "yes", label: "Restricted: never shown to the reporter or partners")]),
            ])
            form(.contactPlan, "Agree how often to keep in touch", "Save contact plan", [
                FormField(kind: .select, name: "partyId", label: "With", options: options(people)),
                FormField(kind: .radios, name: "frequency", label: "How often", options: [
                    .init(value: "weekly", label: "Weekly"), .init(value: "fortnightly", label: "Fortnightly"), .init(value: "monthly", label: "Monthly")]),
                FormField(kind: .select, name: "method", label: "How", options: options(ContactChannel.allCases.map { ($0.rawValue, $0.words) })),
                FormField(kind: .date, name: "agreedOn", label: "Date agreed (optional)", width: "medium"),
            ], intro: "SS-NXT-5: agree with each party how often you will be in contact.")
        }
        if !agencies.isEmpty {
            form(.referral, "Refer to a partner agency", "Send referral", [
                FormField(kind: .select, name: "agencyId", label: "Agency", options: options(agencies)),
                FormField(kind: .textarea, name: "reason", label: "Why you are referring"),
                FormField(kind: .radios, name: "consentGiven", label: "Has the person consented to sharing?",
                      options: [.init(value: "yes", label: "Yes"), .init(value: "no", label: "No")]),
                FormField(kind: .text, name: "lawfulBasisWithoutConsent", label: "Lawful basis without consent (if no consent)"),
                FormField.choices(.checkboxes, name: "sharedFields", label: "What to share", of: SharedField.self, selected: ["caseSummary"], label: \.displayName),
            ])
            form(.leadAgency, "Decide the lead agency", "Save lead agency", [
                FormField(kind: .select, name: "agencyId", label: "Lead agency", options: options(agencies, blank: "The landlord")),
                FormField(kind: .textarea, name: "reason", label: "Why"),
            ], intro: "SS-PRG-3: where several agencies are involved, agree which one leads.")
        }
        form(.reviewSchedule, "Schedule a case review meeting", "Schedule meeting", [
            FormField(kind: .date, name: "scheduledFor", label: "Date", width: "medium"),
            FormField(kind: .text, name: "attendees", label: "Who is invited", hint: "Separate names with commas."),
        ])
        let scheduled = data.reviews.filter { $0.status == .scheduled }
        if !scheduled.isEmpty {
            form(.reviewRecord, "Record a meeting as held", "Record meeting", [
                FormField(kind: .select, name: "meetingId", label: "Meeting",
                      options: options(scheduled.map { ($0.id?.text ?? "", LocalDate(iso: $0.scheduledFor)?.longDescription ?? $0.scheduledFor) })),
                FormField(kind: .date, name: "heldOn", label: "Held on", width: "medium"),
                FormField(kind: .text, name: "attendees", label: "Who attended", hint: "Separate names with commas."),
                FormField(kind: .textarea, name: "summary", label: "Summary"),
                FormField(kind: .textarea, name: "decisions", label: "Decisions (optional)"),
                FormField(kind: .date, name: "nextReviewOn", label: "Next review (optional)", width: "medium"),
            ])
        }
        if c.caseReviewStatus == .thresholdMet {
            form(.caseReviewApply, "Record an ASB Case Review application", "Record application", [
                FormField(kind: .date, name: "appliedOn", label: "Date applied", width: "medium"),
                FormField(kind: .select, name: "applicantPartyId", label: "Applicant", options: options(people, blank: "The reporter")),
            ], intro: "SS-PRT-1: the threshold is met. The outcome is due within 10 working days of the review meeting.")
        }
        if let neighbourhood = c.$neighbourhood.id {
            form(.notice, "Draft a community notice", "Save draft", [
                FormField(kind: .text, name: "title", label: "Title", hint: "For example, Action taken on noise in Sample Road."),
                FormField(kind: .textarea, name: "text", label: "Notice", hint: "Say what was done. Never name people or give addresses."),
            ], intro: "SS-PRG-6: a team leader approves the notice before it is published for the neighbourhood.")
            forms[.notice]?.hidden.append(.init(name: "neighbourhoodId", value: neighbourhood.text))
        }
        form(.witnessEvidence, "Record witness evidence", "Record evidence", [
            FormField.choices(.radios, name: "kind", label: "Kind of evidence", of: WitnessEvidenceKind.self, selected: [], label: \.displayName),
            FormField(kind: .select, name: "partyId", label: "Witness on the case", options: options(people, blank: "Not on the case")),
            FormField(kind: .text, name: "witnessName", label: "Witness name (if not on the case)"),
            FormField(kind: .date, name: "confirmedOn", label: "Confirmed on", width: "medium"),
            FormField(kind: .text, name: "howConfirmed", label: "How it was confirmed"),
        ], intro: "SS-PRG-4: legal action needs the reporter's commitment to give witness statements.")
        let unapproved = data.enforcement?.evidence.filter { $0.approvedAt == nil } ?? []
        if user.role == .teamLeader, !unapproved.isEmpty {
            form(.evidenceApprove, "Approve witness evidence", "Approve", [
                FormField(kind: .select, name: "evidenceId", label: "Evidence",
                          options: options(unapproved.map { ($0.id?.text ?? "", "\($0.kind.displayName), \($0.confirmedOn)") })),
            ])
        }
        if let actions = data.enforcement?.actions, !actions.isEmpty {
            form(.enforcementUpdate, "Update enforcement", "Update", [
                FormField(kind: .select, name: "enforcementId", label: "Action",
                          options: options(actions.map { ($0.id?.text ?? "", "\($0.type.displayName), \($0.on)") })),
                FormField.choices(.radios, name: "status", label: "Status", of: EnforcementStatus.self, selected: [], label: \.words),
                FormField(kind: .textarea, name: "outcome", label: "Outcome (optional)"),
            ])
        }
        form(.enforcement, "Record enforcement", "Record enforcement", [
            FormField(kind: .select, name: "type", label: "Action", options: options(EnforcementType.allCases.map { ($0.rawValue, $0.displayName) })),
            FormField(kind: .date, name: "on", label: "Date", width: "medium"),
            FormField(kind: .select, name: "againstPartyId", label: "Against", options: options(people, blank: "Not recorded")),
            FormField(kind: .textarea, name: "notes", label: "Notes (optional)"),
        ])

        switch c.status {
        case .open, .received:
            form(.closurePropose, "Propose closure", "Propose closure", [
                FormField.choices(.radios, name: "reason", label: "Reason", of: ClosureReason.self, selected: [], label: \.displayName),
                FormField(kind: .textarea, name: "explanation", label: "Explanation for the reporter"),
                FormField(kind: .text, name: "withdrawalHow", label: "How the reporter withdrew (for a withdrawal)"),
                FormField(kind: .date, name: "withdrawalOn", label: "When they withdrew (for a withdrawal)", width: "medium"),
            ], intro: "SS-CLS-1: a case closes only for one of these five reasons.")
        case .closurePending:
            form(.closureContact, "Record the closure contact", "Record contact", [
                FormField.choices(.radios, name: "method", label: "How", of: ClosureContactMethod.self, selected: [], label: \.displayName),
                FormField.choices(.radios, name: "outcome", label: "Outcome", of: ClosureContactOutcome.self, selected: [], label: \.words),
                FormField(kind: .textarea, name: "reasons", label: "What was said"),
                FormField(kind: .datetime, name: "at", label: "When (optional)", hint: "Leave empty for now."),
            ], intro: "SS-CLS-2: visit or phone the reporter to talk through the closure before it happens.")
            if user.role == .teamLeader, data.closure?.current?.approvedAt == nil, data.closure?.current?.reason.needsTeamLeaderApproval == true {
                form(.closureApprove, "Approve the closure", "Approve closure", [])
            }
            form(.close, "Close the case", "Close case", [], intro: data.closure?.blockedBy.map { "Not yet: \($0.description)" },
                 warning: true)
        case .closed:
            form(.reopen, "Reopen the case", "Reopen case", [FormField(kind: .textarea, name: "reason", label: "Why it is being reopened")],
                 warning: true)
            if user.role == .teamLeader, c.anonymisedAt == nil {
                if c.legalHoldAt == nil {
                    form(.legalHold, "Place a legal hold", "Place legal hold", [
                        FormField(kind: .textarea, name: "reason", label: "Why the case must be kept",
                                  hint: "For example a court claim, or an Ombudsman or ICO enquiry. Retention will not anonymise it while the hold stands."),
                    ], intro: "Personal data on a closed case is anonymised after the retention period (ASB_RETENTION_YEARS, 6 years by default).")
                } else {
                    form(.legalHold, "Lift the legal hold", "Lift legal hold", [], intro: "Held: \(c.legalHoldReason ?? "")", warning: true)
                }
            }
            if data.surveyDue {
                form(.survey, "Record satisfaction survey answers", "Save answers", [
                    FormField(kind: .radios, name: "channel", label: "How the reporter answered",
                              options: [.init(value: "phone", label: SurveyChannel.phone.displayName),
                                        .init(value: "paper", label: SurveyChannel.paper.displayName)]),
                ] + PublicSite.surveyFields(), intro: "SS-MON-3: the reporter can also answer from the link in their closure message.")
            }
        }
        return forms
    }

    static func addAllocate(_ forms: inout [CaseForm: FormModel], _ data: CaseData) {
        let c = data.detail.asbCase
        guard CaseForm.allocate.isOffered(on: c.status) else { return }
        forms[.allocate] = FormModel(
            id: "form-allocate", title: c.$allocatedOfficer.id == nil ? "Allocate an officer" : "Change the officer",
            action: "/staff/cases/\(c.reference)/allocate", submitLabel: "Allocate",
            fields: [FormField(kind: .select, name: "allocatedOfficerId", label: "Officer",
                           options: options(data.caseworkers.map { ($0.id.text, "\($0.displayName) (\($0.role.displayName.lowercased()))") },
                                            selected: c.$allocatedOfficer.id?.text))],
            hidden: [.init(name: "version", value: String(c.version))]).prefixingIDs("allocate-")
    }

    // MARK: Submitting

    @Sendable func submitCaseForm(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage(.readCases)
        guard let kind = req.parameters.get("form").flatMap(CaseForm.init(rawValue:)) else {
            throw AppError.notFound("There is no such form.")
        }
        let reference = req.parameters.get("reference") ?? ""
        let form = try req.formData()
        try CSRF.verify(form, for: req)
        // The role's gate first, so a form the page would not offer is refused before any of its
        // answers are read; the service then checks the case itself.
        let roleMayUse: Bool = switch kind {
        case .incident, .milestone: user.role.may(.recordReport) && user.role != .partner
        case .allocate: user.role.may(.allocateCase)
        case .legalHold: user.role == .teamLeader
        case .referralUpdate: user.role.may(.updateCase) || user.role == .partner
        default: user.role.may(.updateCase)
        }
        guard roleMayUse else { throw AppError.forbidden("Your role does not use this form.") }
        do {
            let notice = try await Self.submit(kind, form, reference: reference, by: user, req: req)
            return req.seeOther("/staff/cases/\(reference)#\(kind.section)", notice: notice)
        } catch let failure as ValidationFailure {
            return try await rerender(kind, form, reference: reference, user: user, req: req,
                                      errors: failure.errors, status: .unprocessableEntity)
        } catch let violation as RuleViolation {
            return try await rerender(kind, form, reference: reference, user: user, req: req,
                                      errors: [FieldError("form", violation.description)], status: .conflict)
        } catch AppError.staleVersion {
            return try await rerender(kind, form, reference: reference, user: user, req: req, errors: [], status: .conflict,
                                      conflict: "Someone else changed this case while you were working on it, so your change was not saved. The page now shows their change: check it, then make your change again.")
        } catch AppError.duplicate(let message) {
            return try await rerender(kind, form, reference: reference, user: user, req: req,
                                      errors: [FieldError("form", message)], status: .conflict)
        }
    }

    private func rerender(_ kind: CaseForm, _ submitted: FormData, reference: String, user: User, req: Request,
                          errors: [FieldError], status: HTTPStatus, conflict: String? = nil) async throws -> Response {
        let data = try await Self.load(reference, user: user, req: req)
        var forms = Self.forms(for: data)
        var links: [ErrorLink] = []
        if var model = forms[kind] {
            if conflict == nil {
                let version = model.hidden
                model.fill(from: submitted)
                model.hidden = version
            }
            links = model.apply(errors)
            model.open = true
            forms[kind] = model
        } else {
            // The form is no longer offered (the case was closed meanwhile): the message still shows,
            // linked to the form's section.
            links = errors.map { ErrorLink(href: "#" + kind.section, message: $0.message) }
        }
        return try await Self.render(data, req: req, forms: forms, errors: links, conflict: conflict, status: status)
    }

    /// Calls the service behind one form; returns the message for the success banner.
    static func submit(_ kind: CaseForm, _ form: FormData, reference ref: String, by user: User, req: Request) async throws -> String {
        let app = req.application, db = req.db, id = req.id
        let actor = Actor.staff(user)
        var errors: [FieldError] = []
        /// The value once every field read so far is valid. An autoclosure, so `done(choice!)`
        /// unwraps only after the errors are checked: a missing choice is a 422, not a crash.
        func done<T>(_ value: @autoclosure () throws -> T) throws -> T {
            guard errors.isEmpty else { throw ValidationFailure(errors) }
            return try value()
        }
        func version() throws -> Int {
            guard let raw = form["version"], let v = Int(raw) else { throw AppError.versionRequired }
            return v
        }
        switch kind {
        case .incident:
            let channel = form.choice("channel", ReportChannel.self, errors: &errors, message: "Choose how it was reported.")
            let receivedAt = form.londonDateTime("receivedAt", errors: &errors)
            let draft = try done(ReportDraft(
                channel: channel ?? .phone, description: form["description"] ?? "", occurredOn: form["occurredOn"],
                occurredAt: form["occurredAt"], location: form["location"], hate: form["hate"] == "yes",
                hateStrands: form.all("hateStrands").compactMap(HateStrand.init(rawValue:)), receivedAt: receivedAt))
            _ = try await IntakeService(app: app, db: db, requestID: id).addIncident(draft, toCase: ref, by: actor)
            return "The incident is recorded."
        case .milestone:
            let milestone = form.choice("milestone", Milestone.self, errors: &errors, message: "Choose the milestone.")
            let metAt = form.londonDateTime("metAt", errors: &errors)
            _ = try await CaseService(app: app, db: db, requestID: id)
                .recordMilestone(try done(milestone!), on: ref, metAt: metAt, note: form["note"], by: actor)
            return "\(milestone!.displayName) recorded as met."
        case .assess:
            var answers: [String: String] = [:]
            for q in RiskQuestionnaire.standard.questions { if let v = form["riskAnswers.\(q.id)"] { answers[q.id] = v } }
            var priority: Priority?
            if let raw = form["priority"] {
                priority = Int(raw).flatMap(Priority.init(rawValue:))
                if priority == nil { errors.append(FieldError("priority", "Choose priority 1, 2 or 3.")) }
            }
            let submission = AssessmentService.Submission(answers: answers, priority: priority, overrideReason: form["overrideReason"],
                                                          notASB: form.bool("notASB"), expectedVersion: try version())
            let detail = try await AssessmentService(app: app, db: db, requestID: id).assess(ref, try done(submission), by: actor)
            return "Assessment saved: \(detail.asbCase.priority?.displayName ?? "no priority")."
        case .allocate:
            guard let officer = form.uuid("allocatedOfficerId", errors: &errors, message: "Choose an officer.") else {
                throw ValidationFailure([FieldError("allocatedOfficerId", "Choose an officer.")])
            }
            let detail = try await CaseService(app: app, db: db, requestID: id)
                .update(ref, .init(allocatedOfficerID: officer), expectedVersion: try version(), by: actor)
            return "Allocated to \(detail.asbCase.allocatedOfficer?.displayName ?? "the officer")."
        case .party:
            let role = form.choice("role", PartyRole.self, errors: &errors, message: "Choose their part in the case.")
            let draft = PartyDetailsDraft(
                name: form["name"], email: form["email"], phone: form["phone"], address: form["address"], postcode: form["postcode"],
                supportNeeds: form.all("supportNeeds").compactMap(SupportNeed.init(rawValue:)), supportNotes: form["supportNotes"],
                consentToShare: form["consentToShare"].map { $0 == "yes" })
            _ = try await PartyService(app: app, db: db, requestID: id)
                .link(to: ref, role: try done(role!), partyID: nil, newParty: draft, by: actor)
            return "\(form["name"] ?? "The person") is added to the case."
        case .actionPlan:
            var actions: [ActionPlanService.NewAction] = []
            var index = 0
            while form.values["actions.\(index).what"] != nil {
                if let what = form["actions.\(index).what"] {
                    let owner = form.choice("actions.\(index).owner", ActionOwnerKind.self, errors: &errors, message: "Choose who does it.")
                    actions.append(.init(what: what, owner: owner ?? .landlord,
                                         ownerUserID: owner == .landlord ? user.id : nil,
                                         ownerAgencyID: owner == .partnerAgency
                                            ? form.uuid("actions.\(index).ownerAgencyId", errors: &errors, message: "Choose the agency.") : nil,
                                         dueOn: form["actions.\(index).dueOn"]))
                }
                index += 1
            }
            let how = form.choice("howAgreed", ContactChannel.self, errors: &errors, message: "Choose how it was agreed.")
            _ = try await ActionPlanService(app: app, db: db, requestID: id).agree(
                on: ref, agreedOn: form["agreedOn"], howAgreed: try done(how!), notes: form["notes"], actions: actions, by: actor)
            return "The action plan is saved."
        case .actionStatus:
            let actionID = form.uuid("actionId", required: true, errors: &errors, message: "Choose the action.")
            let status = form.choice("status", ActionStatus.self, errors: &errors, message: "Choose the status.")
            _ = try await ActionPlanService(app: app, db: db, requestID: id).update(
                on: ref, action: try done(actionID!), status: status!, completedOn: form["completedOn"], note: form["note"], by: actor)
            return "The action is updated."
        case .contact:
            let partyID = form.uuid("partyId", errors: &errors, message: "Choose who the contact was with.")
            let at = form.londonDateTime("at", errors: &errors)
            let method = form.choice("method", ContactChannel.self, errors: &errors, message: "Choose how.")
            let direction = form.choice("direction", ContactDirection.self, errors: &errors, message: "Choose who made contact.")
            _ = try await ContactService(app: app, db: db, requestID: id).log(on: ref, try done(.init(
                partyID: partyID, at: at, method: method ?? .phone, direction: direction ?? .outbound,
                summary: form["summary"] ?? "", restricted: form.bool("restricted"))), by: actor)
            return "The contact is logged."
        case .contactPlan:
            let partyID = form.uuid("partyId", errors: &errors, message: "Choose who the plan is with.")
            let frequency: ContactFrequency? = switch form["frequency"] {
            case "weekly": .weekly
            case "fortnightly": .fortnightly
            case "monthly": .monthly
            default: nil
            }
            if frequency == nil { errors.append(FieldError("frequency", "Choose how often.")) }
            let method = form.choice("method", ContactChannel.self, errors: &errors, message: "Choose how.")
            var agreedOn: LocalDate?
            if let raw = form["agreedOn"] {
                agreedOn = LocalDate(iso: raw)
                if agreedOn == nil { errors.append(FieldError("agreedOn", "Enter a real date.")) }
            }
            guard let partyID else { throw ValidationFailure(errors + [FieldError("partyId", "Choose who the plan is with.")]) }
            _ = try await ContactService(app: app, db: db, requestID: id).agreePlan(
                on: ref, partyID: partyID, frequency: try done(frequency!), method: method!, agreedOn: agreedOn, by: actor)
            return "The contact plan is saved."
        case .referral:
            let agencyID = form.uuid("agencyId", errors: &errors, message: "Choose the agency.")
            if form["consentGiven"] == nil { errors.append(FieldError("consentGiven", "Say whether the person consented.")) }
            _ = try await ReferralService(app: app, db: db, requestID: id).create(on: ref, try done(.init(
                agencyID: agencyID, reason: form["reason"] ?? "", consentGiven: form["consentGiven"] == "yes",
                lawfulBasis: form["lawfulBasisWithoutConsent"],
                shared: form.all("sharedFields").compactMap(SharedField.init(rawValue:)))), by: actor)
            return "The referral is sent."
        case .leadAgency:
            let agencyID = form.uuid("agencyId", errors: &errors, message: "Choose the agency.")
            _ = try await ReferralService(app: app, db: db, requestID: id).setLeadAgency(
                on: ref, agencyID: try done(agencyID), reason: form["reason"] ?? "", by: actor)
            return "The lead agency is recorded."
        case .referralUpdate:
            let referralID = form.uuid("referralId", required: true, errors: &errors, message: "Choose the referral.")
            var status: ReferralStatus?
            if let raw = form["status"] {
                status = ReferralStatus(rawValue: raw)
                if status == nil { errors.append(FieldError("status", "Choose a status.")) }
            }
            _ = try await ReferralService(app: app, db: db, requestID: id).addUpdate(
                on: ref, referral: try done(referralID!), text: form["text"] ?? "", status: status, by: actor)
            return "The update is added to the referral."
        case .caseReviewApply:
            let applicant = form.uuid("applicantPartyId", errors: &errors, message: "Choose the applicant.")
            _ = try await CaseReviewService(app: app, db: db, requestID: id).apply(
                on: ref, appliedOn: form["appliedOn"], applicantPartyID: try done(applicant), by: actor)
            return "The ASB Case Review application is recorded."
        case .notice:
            guard let neighbourhoodID = form.uuid("neighbourhoodId", errors: &errors, message: "Choose a neighbourhood.") else {
                throw ValidationFailure([FieldError("title", "The case has no neighbourhood: set one first.")])
            }
            _ = try await NoticeService(app: app, db: db, requestID: id).draft(
                neighbourhoodID: neighbourhoodID, caseReference: ref, title: try done(form["title"] ?? ""), text: form["text"] ?? "", by: actor)
            return "The notice is saved as a draft for a team leader to approve."
        case .evidenceApprove:
            let evidenceID = form.uuid("evidenceId", required: true, errors: &errors, message: "Choose the evidence.")
            _ = try await EnforcementService(app: app, db: db, requestID: id).approveEvidence(on: ref, evidence: try done(evidenceID!), by: actor)
            return "The witness evidence is approved."
        case .enforcementUpdate:
            let actionID = form.uuid("enforcementId", required: true, errors: &errors, message: "Choose the action.")
            let status = form.choice("status", EnforcementStatus.self, errors: &errors, message: "Choose the status.")
            _ = try await EnforcementService(app: app, db: db, requestID: id).update(
                on: ref, action: try done(actionID!), status: status!, outcome: form["outcome"], by: actor)
            return "The enforcement action is updated."
        case .reviewSchedule:
            _ = try await ReviewService(app: app, db: db, requestID: id).schedule(
                on: ref, for: form["scheduledFor"] ?? "", attendees: Self.names(form["attendees"]), agencyIDs: [], by: actor)
            return "The meeting is scheduled."
        case .reviewRecord:
            let meetingID = form.uuid("meetingId", required: true, errors: &errors, message: "Choose the meeting.")
            _ = try await ReviewService(app: app, db: db, requestID: id).recordHeld(on: ref, meeting: try done(meetingID!), .init(
                heldOn: form["heldOn"], attendees: Self.names(form["attendees"]), agencyIDs: [], summary: form["summary"] ?? "",
                decisions: form["decisions"], nextReviewOn: form["nextReviewOn"], actions: []), by: actor)
            return "The meeting is recorded."
        case .witnessEvidence:
            let evidenceKind = form.choice("kind", WitnessEvidenceKind.self, errors: &errors, message: "Choose the kind of evidence.")
            let partyID = form.uuid("partyId", errors: &errors, message: "Choose the witness.")
            _ = try await EnforcementService(app: app, db: db, requestID: id).recordEvidence(
                on: ref, kind: try done(evidenceKind!), partyID: partyID, witnessName: form["witnessName"],
                confirmedOn: form["confirmedOn"] ?? "", howConfirmed: form["howConfirmed"] ?? "", by: actor)
            return "The witness evidence is recorded."
        case .enforcement:
            let type = form.choice("type", EnforcementType.self, errors: &errors, message: "Choose the action.")
            let against = form.uuid("againstPartyId", errors: &errors, message: "Choose the person.")
            let recorded = try await EnforcementService(app: app, db: db, requestID: id).record(
                on: ref, type: try done(type!), on: form["on"], status: nil, againstPartyID: against, outcome: nil,
                notes: form["notes"], by: actor)
            _ = recorded
            return "\(type!.displayName) is recorded."
        case .closurePropose:
            let reason = form.choice("reason", ClosureReason.self, errors: &errors, message: "Choose the reason for closing.")
            _ = try await ClosureService(app: app, db: db, requestID: id).propose(on: ref, try done(.init(
                reason: reason!, explanation: form["explanation"], withdrawalHow: form["withdrawalHow"],
                withdrawalOn: form["withdrawalOn"])), by: actor)
            return "Closure is proposed. Now visit or phone the reporter to talk it through."
        case .closureContact:
            let method = form.choice("method", ClosureContactMethod.self, errors: &errors, message: "Choose how.")
            let outcome = form.choice("outcome", ClosureContactOutcome.self, errors: &errors, message: "Choose the outcome.")
            let at = form.londonDateTime("at", errors: &errors)
            _ = try await ClosureService(app: app, db: db, requestID: id).recordContact(
                on: ref, method: try done(method!), outcome: outcome!, reasons: form["reasons"], at: at, by: actor)
            return "The closure contact is recorded."
        case .closureApprove:
            _ = try await ClosureService(app: app, db: db, requestID: id).approve(on: ref, by: actor)
            return "The closure is approved."
        case .close:
            _ = try await ClosureService(app: app, db: db, requestID: id).close(on: ref, by: actor)
            return "The case is closed."
        case .attachment:
            throw AppError.notFound("Upload files with the upload form.")
        case .survey:
            let channel = form.choice("channel", SurveyChannel.self, errors: &errors, message: "Choose how the reporter answered.")
            try await SurveyService(app: app, db: db, requestID: id).record(on: ref, channel: try done(channel!),
                                                                           PublicSite.answers(from: form), by: actor)
            return "The survey answers are saved."
        case .reopen:
            _ = try await ClosureService(app: app, db: db, requestID: id).reopen(on: ref, reason: form["reason"] ?? "", by: actor)
            return "The case is reopened."
        case .legalHold:
            let held = try await ASBCase.query(on: db).filter(\.$reference == ref).first()?.legalHoldAt != nil
            _ = try await RetentionService(app: app, db: db, requestID: id).setLegalHold(on: ref, reason: form["reason"], hold: !held, by: actor)
            return held ? "The legal hold is lifted." : "The legal hold is placed."
        }
    }

    /// "Ann Example, Ben Sample" → ["Ann Example", "Ben Sample"].
    static func names(_ raw: String?) -> [String] {
        (raw ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
