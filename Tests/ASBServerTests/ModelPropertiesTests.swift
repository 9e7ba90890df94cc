@testable import ASBServer
import Fluent
import Testing

@Suite("Models' written-out property lists")
struct ModelPropertiesTests {
    /// Fluent's own way: every property wrapper the model declares, in declaration order.
    static func reflected(_ model: any Fields) -> [ObjectIdentifier] {
        Mirror(reflecting: model).children.compactMap { ($0.value as? any AnyProperty).map { ObjectIdentifier($0 as AnyObject) } }
    }

    static func listed(_ model: any Fields) -> [ObjectIdentifier] {
        model.properties.map { ObjectIdentifier($0 as AnyObject) }
    }

    /// Every model of the server.
    static var models: [any Fields] {
        [ASBCase(), CaseMilestone(), CaseEvent(), AuditEvent(), Party(), CaseParty(), User(), IncidentReport(),
         OutboxMessage(), RiskAssessmentRecord(), Neighbourhood(), Property(),
         APIToken(), ActionPlan(), Attachment(), AttachmentContent(), CalendarOverride(), CaseReviewApplication(),
         ClosureContactRecord(), ClosureProposal(), CommunityNotice(), ContactLogEntry(), ContactPlan(), DissatisfactionAction(),
         DissatisfactionReview(), EnforcementAction(), Feedback(), HomesCount(), IdempotencyRecord(), ImportedHoliday(),
         InboundEmail(), InternalCaseReview(), InternalReviewSample(), LeadAgencyDecision(), PartnerAgency(), PlanAction(),
         RecoveryCode(), Referral(), ReferralUpdate(), ReviewMeeting(), RiskQuestionnaireRecord(), SatisfactionSurvey(),
         ThrottleEvent(), WitnessEvidenceRecord()]
    }

    @Test("Each written-out list holds every declared property, once, in declaration order")
    func listsMatchReflection() {
        for model in Self.models {
            let reflected = Self.reflected(model)
            #expect(reflected.count >= 2)
            #expect(Self.listed(model) == reflected, "\(type(of: model)): its properties differ from its declarations")
        }
    }

    @Test("A case decoded from and saved to the database keeps every field")
    func roundTrip() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport(["hate": true, "hateStrands": ["disability"]]).string("reference"))
            let stored = try #require(try await ASBCase.query(on: t.app.db).filter(\.$reference == reference).first())
            #expect(stored.hate && stored.hateStrands == [.disability] && stored.version >= 1)
            stored.legalHoldReason = "Generated test hold"
            try await stored.save(on: t.app.db)
            let again = try #require(try await ASBCase.find(stored.id, on: t.app.db))
            #expect(again.legalHoldReason == "Generated test hold" && again.receivedAt == stored.receivedAt && again.reference == reference)
        }
    }
}
