import ASBCore
import Foundation

/// Builds the contract's DTOs from stored records. Handlers never return Fluent models.
extension Components.Schemas.User {
    init(_ user: User) throws {
        self.init(id: try user.requireID().text, username: user.username, displayName: user.displayName,
                  email: user.email, role: EnumBridge.convert(user.role), partnerAgency: .init(user.$partnerAgency.value ?? nil),
                  active: user.active, twoFactor: user.totpEnabledAt != nil, createdAt: user.createdAt)
    }
}

extension Components.Schemas.UserRef {
    init?(_ user: User?) {
        guard let user, let id = user.id else { return nil }
        self.init(id: id.text, displayName: user.displayName)
    }
}

extension Components.Schemas.AgencyRef {
    init?(_ agency: PartnerAgency?) {
        guard let agency, let id = agency.id else { return nil }
        self.init(id: id.text, name: agency.name)
    }
}

extension Components.Schemas.NeighbourhoodRef {
    init?(_ neighbourhood: Neighbourhood?) {
        guard let neighbourhood, let id = neighbourhood.id else { return nil }
        self.init(id: id.text, name: neighbourhood.name)
    }
}

extension Components.Schemas.CaseSummary {
    init(_ c: CaseListing) {
        self.init(reference: c.reference, status: EnumBridge.convert(c.status),
                  priority: c.priority.map { EnumBridge.convert($0) },
                  categories: EnumBridge.convert(c.categories), hate: c.hate,
                  hateStrands: EnumBridge.convert(c.hateStrands),
                  neighbourhood: c.neighbourhood.map { .init(id: $0.id.text, name: $0.name) },
                  allocatedOfficer: c.officer.map { .init(id: $0.id.text, displayName: $0.name) },
                  channel: EnumBridge.convert(c.channel), receivedAt: c.receivedAt, lastIncidentAt: c.lastIncidentAt)
    }
}

extension Components.Schemas.Party {
    init(_ p: Party) throws {
        self.init(id: try p.requireID().text, name: p.name, email: p.email, phone: p.phone, address: p.address,
                  postcode: p.postcode, preferredContactMethod: p.preferredContactMethod.map { EnumBridge.convert($0) },
                  tenancyReference: p.tenancyReference, supportNeeds: EnumBridge.convert(p.supportNeeds),
                  supportNotes: p.supportNotes, preferredContactTimes: p.preferredContactTimes, language: p.language,
                  interpreterNeeded: p.interpreterNeeded, consentToShare: p.consentToShare)
    }
}

extension Components.Schemas.Incident {
    init(_ i: IncidentReport) throws {
        self.init(id: try i.requireID().text, channel: EnumBridge.convert(i.channel), receivedAt: i.receivedAt,
                  recordedAt: i.recordedAt, reporterPartyId: i.$reporter.id?.text, anonymous: i.anonymous,
                  description: i.description, occurredOn: i.occurredOn, occurredAt: i.occurredAt, location: i.location,
                  postcode: i.postcode, categories: EnumBridge.convert(i.categories), hate: i.hate,
                  hateStrands: EnumBridge.convert(i.hateStrands), immediateDanger: i.immediateDanger,
                  guidanceGiven: EnumBridge.convert(i.guidanceGiven), recordedBy: .init(i.$recordedBy.value ?? nil))
    }
}

extension Components.Schemas.CaseDetail {
    /// The case as its reader may see it: everything for the landlord's staff; for a partner
    /// agency's user, the case summary and only what its referrals share (SS-PRG-3).
    init(_ detail: CaseService.Detail) throws {
        let c = detail.asbCase
        let shared = detail.visibleFields
        let sees = detail.sees
        let parties = detail.visibleParties
        self.init(
            reference: c.reference, status: EnumBridge.convert(c.status),
            priority: sees(.riskAssessment) ? c.priority.map { EnumBridge.convert($0) } : nil,
            categories: EnumBridge.convert(c.categories), hate: c.hate, hateStrands: EnumBridge.convert(c.hateStrands),
            asbLimbs: EnumBridge.convert(c.asbLimbs), notASB: c.notASB,
            neighbourhood: .init(c.$neighbourhood.value ?? nil), allocatedOfficer: .init(c.$allocatedOfficer.value ?? nil),
            channel: EnumBridge.convert(c.channel),
            location: sees(.incidents) ? c.location : nil, postcode: sees(.incidents) ? c.postcode : nil,
            propertyId: shared == nil ? c.$property.id?.text : nil,
            immediateDanger: sees(.riskAssessment) ? c.immediateDanger : false,
            receivedAt: c.receivedAt, lastIncidentAt: c.lastIncidentAt, createdAt: c.createdAt, updatedAt: c.updatedAt,
            version: c.version,
            prioritySource: sees(.riskAssessment) ? c.prioritySource.map { EnumBridge.convert($0) } : nil,
            riskLevel: sees(.riskAssessment) ? c.riskLevel.map { EnumBridge.convert($0) } : nil,
            closedAt: c.closedAt, closureReason: c.closureReason.map { EnumBridge.convert($0) },
            followUpOf: c.$followUpOf.value??.reference,
            followUps: shared == nil ? detail.followUps : nil,
            caseReviewStatus: shared == nil ? c.caseReviewStatus.map { EnumBridge.convert($0) } : nil,
            leadAgency: .init(c.$leadAgency.value ?? nil),
            leadAgencyHistory: detail.leadAgencyHistory.map(Components.Schemas.LeadAgencyDecision.init),
            visibleFields: shared.map { SharedField.allCases.filter($0.contains).map { EnumBridge.convert($0) } },
            repeatVictim: shared == nil ? detail.repeatVictim : false,
            repeatPerpetrator: shared == nil ? detail.repeatPerpetrator : false,
            deadlines: sees(.riskAssessment) ? detail.deadlines.map { .init($0, now: detail.now) } : [],
            parties: try parties.map {
                .init(role: EnumBridge.convert($0.role), party: try .init($0.party),
                      otherCases: shared == nil ? (detail.otherCases[$0.$party.id] ?? []).map(Components.Schemas.PartyCase.init) : [])
            },
            incidents: sees(.incidents) ? try detail.incidents.map { try .init($0) } : [])
    }
}

extension Components.Schemas.LeadAgencyDecision {
    init(_ d: LeadAgencyDecision) {
        self.init(agency: .init(d.$agency.value ?? nil), reason: d.reason, decidedBy: .init(d.$decidedBy.value ?? nil),
                  decidedAt: d.decidedAt)
    }
}

extension Components.Schemas.Referral {
    init(_ r: Referral) throws {
        self.init(id: try r.requireID().text, agency: .init(r.agency)!, reason: r.reason, consentGiven: r.consentGiven,
                  lawfulBasisWithoutConsent: r.lawfulBasis, sharedFields: EnumBridge.convert(r.sharedFields),
                  status: EnumBridge.convert(r.status), sentAt: r.sentAt, sentBy: .init(r.$sentBy.value ?? nil),
                  updates: try r.updates.sorted { ($0.at, $0.id?.text ?? "") < ($1.at, $1.id?.text ?? "") }.map {
                      .init(id: try $0.requireID().text, at: $0.at, author: .init($0.$author.value ?? nil), text: $0.text,
                            status: $0.status.map { EnumBridge.convert($0) })
                  })
    }
}

extension Components.Schemas.PartnerAgency {
    init(_ a: PartnerAgency) throws {
        self.init(id: try a.requireID().text, name: a.name, kind: EnumBridge.convert(a.kind), email: a.email,
                  phone: a.phone, active: a.active)
    }
}

extension Components.Schemas.TimelineEvent {
    init(_ e: CaseEvent) throws {
        self.init(id: try e.requireID().text, at: e.at, kind: EnumBridge.convert(e.kind), summary: e.summary,
                  actor: .init(e.$actor.value ?? nil))
    }
}

extension Components.Schemas.AuditEvent {
    init(_ e: AuditEvent) throws {
        let changes = (try? JSONDecoder().decode([String: String].self, from: Data(e.changes.utf8))) ?? [:]
        self.init(id: try e.requireID().text, at: e.at, actor: .init(e.$actor.value ?? nil), actorLabel: e.actorLabel,
                  action: e.action, entityType: e.entityType, entityId: e.entityID,
                  changes: .init(additionalProperties: changes), requestId: e.requestID)
    }
}

extension Components.Schemas.Neighbourhood {
    init(_ n: Neighbourhood) throws {
        self.init(id: try n.requireID().text, name: n.name, postcodeSectors: n.postcodeSectors)
    }
}

extension Components.Schemas.Property {
    init(_ p: Property) throws {
        self.init(id: try p.requireID().text, addressLine: p.addressLine, postcode: p.postcode,
                  neighbourhood: .init(p.$neighbourhood.value ?? nil), tenancyReference: p.tenancyReference)
    }
}

extension ReportDraft.Person {
    init(_ p: Components.Schemas.PersonInput) {
        self.init(name: p.name, email: p.email, phone: p.phone, address: p.address, postcode: p.postcode,
                  preferredContactMethod: p.preferredContactMethod.map { EnumBridge.convert($0) })
    }
}

extension UUID {
    /// A UUID from a request field, or a 422 naming the field.
    static func parse(_ raw: String?, field: String) throws -> UUID? {
        guard let raw else { return nil }
        guard let id = UUID(uuidString: raw) else { throw ValidationFailure([FieldError(field, "This is not a valid id.")]) }
        return id
    }
}

extension Components.Schemas.CaseDeadline {
    init(_ m: CaseMilestone, now: Date) {
        self.init(milestone: EnumBridge.convert(m.milestone), dueAt: m.dueAt, metAt: m.metAt,
                  state: EnumBridge.convert(m.state(now: now)), rule: m.explanation, ruleCode: m.rule)
    }
}

extension Components.Schemas.RiskAssessment {
    init(_ r: RiskAssessmentRecord) throws {
        let answers = (try? JSONDecoder().decode([String: String].self, from: Data(r.answers.utf8))) ?? [:]
        self.init(id: try r.requireID().text, questionnaireVersion: r.questionnaireVersion,
                  answers: .init(additionalProperties: answers), score: r.score, level: EnumBridge.convert(r.level),
                  computedPriority: EnumBridge.convert(r.computedPriority), priority: EnumBridge.convert(r.priority),
                  overrideReason: r.overrideReason, reasons: r.reasons, supportNeeds: EnumBridge.convert(r.supportNeeds),
                  source: EnumBridge.convert(r.source), notASB: r.notASB, assessedBy: .init(r.$assessedBy.value ?? nil),
                  assessedAt: r.assessedAt)
    }
}

extension Components.Schemas.RiskQuestionnaire {
    init(_ q: RiskQuestionnaire) {
        self.init(version: q.version, questions: q.questions.map { question in
            .init(id: question.id, text: question.text, help: question.help, choices: question.choices.map { choice in
                .init(value: choice.value, label: choice.label, score: choice.score, overridingReason: choice.overridingReason,
                      supportNeeds: EnumBridge.convert(choice.supportNeeds))
            })
        }, mediumThreshold: q.mediumThreshold, highThreshold: q.highThreshold)
    }
}

extension Components.Schemas.QueueItem {
    init(_ item: QueueService.Item, now: Date) {
        let c = item.asbCase
        self.init(reference: c.reference, status: EnumBridge.convert(c.status), priority: c.priority.map { EnumBridge.convert($0) },
                  hate: c.hate, receivedAt: c.receivedAt, allocatedOfficer: c.officer.map { .init(id: $0.id.text, displayName: $0.name) },
                  milestone: item.milestone.map { EnumBridge.convert($0.milestone) }, dueAt: item.milestone?.dueAt,
                  state: item.milestone.map { EnumBridge.convert($0.state(now: now)) }, nextContactOn: item.nextContactOn, reviewOn: item.reviewOn,
                  lastIncidentAt: item.milestone == nil && item.nextContactOn == nil && item.reviewOn == nil ? c.lastIncidentAt : nil,
                  caseReviewStatus: c.caseReviewStatus.map { EnumBridge.convert($0) }, caseReviewDueAt: c.caseReviewDueAt)
    }
}

extension Components.Schemas.PartyCase {
    init(_ c: PartyService.PartyCase) {
        self.init(reference: c.reference, role: EnumBridge.convert(c.role), status: EnumBridge.convert(c.status),
                  receivedAt: c.receivedAt)
    }
}

extension PartyDetailsDraft {
    init(_ p: Components.Schemas.PartyInput) {
        self.init(name: p.name, email: p.email, phone: p.phone, address: p.address, postcode: p.postcode,
                  preferredContactMethod: p.preferredContactMethod.map { EnumBridge.convert($0) },
                  preferredContactTimes: p.preferredContactTimes, language: p.language,
                  interpreterNeeded: p.interpreterNeeded, supportNeeds: p.supportNeeds.map { EnumBridge.convert($0) },
                  supportNotes: p.supportNotes, consentToShare: p.consentToShare, tenancyReference: p.tenancyReference)
    }
}

extension Components.Schemas.PartyRef {
    init?(_ party: Party?) {
        guard let party, let id = party.id else { return nil }
        self.init(id: id.text, name: party.name ?? party.address)
    }
}

extension Components.Schemas.ContactOverview {
    init(_ o: ContactService.Overview) throws {
        self.init(
            plans: try o.plans.map { plan in
                let next = LocalDate(iso: plan.nextContactDue) ?? o.today
                let state = ContactSchedule.state(nextDue: next, today: o.today)
                var days: Int?
                let payload: Components.Schemas.ContactPlan.StatePayload
                switch state {
                case .notYetDue: payload = .notYetDue
                case .dueToday: payload = .dueToday
                case .overdue(let overdue):
                    payload = .overdue
                    days = overdue
                }
                return .init(id: try plan.requireID().text, party: .init(plan.party)!,
                             frequency: ContactFrequency(storageValue: plan.frequency)?.description ?? plan.frequency,
                             method: EnumBridge.convert(plan.method), agreedOn: plan.agreedOn, nextContactDue: plan.nextContactDue,
                             state: payload, daysOverdue: days)
            },
            log: try o.log.map {
                .init(id: try $0.requireID().text, party: .init($0.$party.value ?? nil), at: $0.at,
                      method: EnumBridge.convert($0.method), direction: EnumBridge.convert($0.direction), summary: $0.summary,
                      restricted: $0.restricted, recordedBy: .init($0.$recordedBy.value ?? nil))
            })
    }
}

extension Components.Schemas.ActionPlanView {
    init(_ v: ActionPlanService.View) throws {
        func revision(_ plan: ActionPlan) throws -> Components.Schemas.ActionPlanRevision {
            .init(id: try plan.requireID().text, revision: plan.revision, agreedOn: plan.agreedOn,
                  howAgreed: EnumBridge.convert(plan.howAgreed), notes: plan.notes, createdBy: .init(plan.$createdBy.value ?? nil),
                  createdAt: plan.createdAt,
                  actions: try plan.actions.sorted { $0.position < $1.position }.map { a in
                      .init(id: try a.requireID().text, what: a.what, owner: EnumBridge.convert(a.owner),
                            ownerUser: .init(a.$ownerUser.value ?? nil), ownerAgency: .init(a.$ownerAgency.value ?? nil),
                            ownerParty: .init(a.$ownerParty.value ?? nil), dueOn: a.dueOn, status: EnumBridge.convert(a.status),
                            completedOn: a.completedOn, completionNote: a.completionNote,
                            missed: a.owner == .reporter && ActionPlanRules.miss(a.planned, today: v.today) != nil)
                  })
        }
        self.init(current: try v.current.map(revision),
                  adherence: .init(reporterActions: v.adherence.reporterActions, reporterActionsMissed: v.adherence.reporterActionsMissed,
                                   adhered: v.adherence.adhered, summary: v.adherence.description),
                  revisions: try v.revisions.map(revision))
    }
}

extension Components.Schemas.EnforcementView {
    init(_ v: EnforcementService.View, warnings: [String] = []) throws {
        self.init(
            actions: try v.actions.map {
                .init(id: try $0.requireID().text, _type: EnumBridge.convert($0.type), legal: $0.type.isLegalAction, on: $0.on,
                      status: EnumBridge.convert($0.status), against: .init($0.$against.value ?? nil), outcome: $0.outcome,
                      notes: $0.notes, warnings: $0.warnings, recordedBy: .init($0.$recordedBy.value ?? nil))
            },
            evidence: try v.evidence.map {
                .init(id: try $0.requireID().text, kind: EnumBridge.convert($0.kind), party: .init($0.$party.value ?? nil),
                      witnessName: $0.witnessName, confirmedOn: $0.confirmedOn, howConfirmed: $0.howConfirmed,
                      approvedBy: .init($0.$approvedBy.value ?? nil), approvedAt: $0.approvedAt,
                      supportsLegalAction: $0.rule.supportsLegalAction)
            },
            warnings: warnings)
    }
}

extension Components.Schemas.ReviewMeeting {
    init(_ m: ReviewMeeting) throws {
        self.init(id: try m.requireID().text, status: EnumBridge.convert(m.status), scheduledFor: m.scheduledFor,
                  heldOn: m.heldOn, attendees: m.attendees, agencyIds: m.agencyIDs, summary: m.summary, decisions: m.decisions,
                  nextReviewOn: m.nextReviewOn, createdBy: .init(m.$createdBy.value ?? nil))
    }
}

extension Components.Schemas.Attachment {
    init(_ a: Attachment) throws {
        self.init(id: try a.requireID().text, fileName: a.fileName, _type: EnumBridge.convert(a.type), mimeType: a.type.mimeType,
                  size: a.size, sha256: a.sha256, restricted: a.restricted, incidentId: a.$incident.id?.text,
                  enforcementId: a.$enforcement.id?.text, uploadedBy: .init(a.$uploadedBy.value ?? nil), uploadedAt: a.uploadedAt)
    }
}

extension ActionPlanService.NewAction {
    /// An action from the contract; ids are checked, and errors name the action's position.
    init(_ a: Components.Schemas.ActionInput, index: Int) throws {
        self.init(what: a.what, owner: EnumBridge.convert(a.owner),
                  ownerUserID: try UUID.parse(a.ownerUserId, field: "actions.\(index).ownerUserId"),
                  ownerAgencyID: try UUID.parse(a.ownerAgencyId, field: "actions.\(index).ownerAgencyId"),
                  ownerPartyID: try UUID.parse(a.ownerPartyId, field: "actions.\(index).ownerPartyId"),
                  dueOn: a.dueOn, status: a.status.map { EnumBridge.convert($0) }, completedOn: a.completedOn,
                  completionNote: a.completionNote)
    }
}

extension Components.Schemas.CaseReviewApplication {
    init(_ a: CaseReviewApplication) throws {
        self.init(id: try a.requireID().text, applicant: nil, appliedOn: a.appliedOn, thresholdMet: a.thresholdMet,
                  thresholdExplanation: a.thresholdExplanation, meetingOn: a.meetingOn, outcome: a.outcome,
                  recommendations: a.recommendations, outcomeDueAt: a.outcomeDueAt, outcomeSentOn: a.outcomeSentOn)
    }
}
