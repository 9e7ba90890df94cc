import ASBCore
import Foundation
import Testing

/// A set of witness evidence on a case and whether it lets legal action be considered.
struct CaseworkEvidenceScenario: Sendable, CustomTestStringConvertible {
    let name: String
    let evidence: [WitnessEvidence]
    let supportsLegalAction: Bool
    /// Kinds named in the refusal as needing a team leader's approval.
    let unapproved: Set<WitnessEvidenceKind>
    var testDescription: String { name }

    static func item(_ kind: WitnessEvidenceKind, approved: Bool = false) -> WitnessEvidence {
        WitnessEvidence(kind: kind, confirmedOn: caseworkDate("2025-06-01"), approvedByTeamLeader: approved)
    }

    static let all: [CaseworkEvidenceScenario] = [
        .init(name: "no evidence", evidence: [], supportsLegalAction: false, unapproved: []),
        .init(name: "reporter's commitment", evidence: [item(.reporterCommitment)], supportsLegalAction: true,
              unapproved: []),
        .init(name: "reporter's commitment, approved", evidence: [item(.reporterCommitment, approved: true)],
              supportsLegalAction: true, unapproved: []),
        .init(name: "professional witness, not approved", evidence: [item(.professionalWitness)],
              supportsLegalAction: false, unapproved: [.professionalWitness]),
        .init(name: "professional witness, approved", evidence: [item(.professionalWitness, approved: true)],
              supportsLegalAction: true, unapproved: []),
        .init(name: "hearsay, not approved", evidence: [item(.hearsay)], supportsLegalAction: false,
              unapproved: [.hearsay]),
        .init(name: "hearsay, approved", evidence: [item(.hearsay, approved: true)], supportsLegalAction: true,
              unapproved: []),
        .init(name: "professional witness and hearsay, neither approved",
              evidence: [item(.hearsay), item(.professionalWitness)], supportsLegalAction: false,
              unapproved: [.professionalWitness, .hearsay]),
        .init(name: "unapproved hearsay and an approved professional witness",
              evidence: [item(.hearsay), item(.professionalWitness, approved: true)], supportsLegalAction: true,
              unapproved: []),
        .init(name: "unapproved hearsay and the reporter's commitment",
              evidence: [item(.hearsay), item(.reporterCommitment)], supportsLegalAction: true, unapproved: []),
    ]
}

@Suite("Enforcement (SS-PRG-5, SS-NXT-4)")
struct CaseworkEnforcementTests {
    static let legal: Set<EnforcementType> = [.civilInjunction, .closureOrder, .noticeOfSeekingPossession,
                                              .possessionProceedings]

    @Test("SS-PRG-5: legal action is considered only with the reporter's commitment or approved witness evidence",
          arguments: EnforcementType.allCases, CaseworkEvidenceScenario.all)
    func legalActionNeedsEvidence(type: EnforcementType, scenario: CaseworkEvidenceScenario) {
        for contacted in [true, false] {
            let result = Result { () throws(RuleViolation) -> [String] in
                try EnforcementRules.check(type, evidence: scenario.evidence, perpetratorEverContacted: contacted)
            }
            switch result {
            case .success(let warnings):
                #expect(!type.isLegalAction || scenario.supportsLegalAction, "\(type) must be refused")
                let warned = type.isLegalAction && !contacted
                #expect(warnings == (warned ? [EnforcementRules.perpetratorNotContactedWarning] : []))
            case .failure(let violation):
                #expect(type.isLegalAction && !scenario.supportsLegalAction, "\(type) must be allowed")
                #expect(violation.code == "enforcement.needsWitnessCommitment")
                #expect(violation.clause == "SS-PRG-5")
                #expect(violation == .needsWitnessCommitment(for: type, unapproved: scenario.unapproved))
                #expect(violation.reason.hasPrefix("Legal action (\(type.displayName.lowercased())) is considered only"))
                #expect(violation.reason.contains("reporter's commitment"))
                #expect(violation.reason.contains("needs a team leader's approval")
                    == (scenario.unapproved.count == 1))
                #expect(violation.reason.contains("need a team leader's approval") == (scenario.unapproved.count == 2))
            }
        }
    }

    @Test("SS-PRG-5: a civil injunction is refused without the reporter's witness commitment")
    func civilInjunction() {
        let violation = caseworkViolation { () throws(RuleViolation) in
            _ = try EnforcementRules.check(.civilInjunction, evidence: [], perpetratorEverContacted: true)
        }
        #expect(violation?.code == "enforcement.needsWitnessCommitment")
        #expect(violation?.reason == "Legal action (civil injunction) is considered only once the reporter's "
            + "commitment to support it with a witness statement is confirmed. Record the reporter's commitment, or "
            + "professional witness or hearsay evidence approved by a team leader.")
        let pending = RuleViolation.needsWitnessCommitment(for: .civilInjunction, unapproved: [.hearsay, .professionalWitness])
        #expect(pending.reason.hasSuffix("The professional witness and hearsay evidence recorded need a team leader's approval."))
    }

    @Test("SS-NXT-4: legal action against someone never contacted carries a warning")
    func notContactedWarning() throws {
        let evidence = [CaseworkEvidenceScenario.item(.reporterCommitment)]
        let warnings = try EnforcementRules.check(.noticeOfSeekingPossession, evidence: evidence,
                                                  perpetratorEverContacted: false)
        #expect(warnings.count == 1)
        #expect(warnings.first?.hasPrefix("The person complained about has not been contacted") == true)
        #expect(warnings.first?.contains("SS-NXT-4") == true)
        #expect(try EnforcementRules.check(.writtenWarning, evidence: [], perpetratorEverContacted: false).isEmpty)
    }

    @Test("SS-PRG-5: exactly injunctions, closure orders and possession steps are legal action",
          arguments: EnforcementType.allCases)
    func legalTypes(type: EnforcementType) {
        #expect(type.isLegalAction == Self.legal.contains(type))
    }

    @Test("Enforcement steps have British English names",
          arguments: [
              (EnforcementType.verbalWarning, "Verbal warning"), (.writtenWarning, "Written warning"),
              (.acceptableBehaviourAgreement, "Acceptable behaviour agreement"), (.mediation, "Mediation"),
              (.communityProtectionWarning, "Community protection warning"),
              (.communityProtectionNotice, "Community protection notice"), (.civilInjunction, "Civil injunction"),
              (.closureOrder, "Closure order"), (.noticeOfSeekingPossession, "Notice of seeking possession"),
              (.possessionProceedings, "Possession proceedings"),
          ])
    func names(type: EnforcementType, name: String) {
        #expect(type.displayName == name)
        #expect(EnforcementType(rawValue: type.rawValue) == type)
    }

    static let allowedStatusChanges: Set<String> = ["planned→inProgress", "planned→completed", "planned→withdrawn",
                                                    "inProgress→completed", "inProgress→withdrawn"]

    @Test("Enforcement steps move planned → in progress → completed or withdrawn, and stop there",
          arguments: EnforcementStatus.allCases, EnforcementStatus.allCases)
    func statusChanges(from: EnforcementStatus, to: EnforcementStatus) {
        let allowed = Self.allowedStatusChanges.contains("\(from.rawValue)→\(to.rawValue)")
        let violation = caseworkViolation { () throws(RuleViolation) in try EnforcementRules.transition(from: from, to: to) }
        #expect((violation == nil) == allowed)
        #expect(violation.map(\.code) == (allowed ? nil : "enforcement.transitionNotAllowed"))
        #expect(from.isFinal == EnforcementRules.allowedTargets(from: from).isEmpty)
    }

    @Test("SS-PRG-5: witness evidence is confirmed on or before today, and how is recorded",
          arguments: WitnessEvidenceKind.allCases)
    func evidenceValidation(kind: WitnessEvidenceKind) {
        let today = caseworkDate("2025-06-10")
        func fields(_ on: String, _ how: String) -> [String] {
            EnforcementRules.validateEvidence(kind: kind, confirmedOn: caseworkDate(on), today: today, howConfirmed: how)
                .map(\.field)
        }
        #expect(fields("2025-06-10", "Signed statement received") == [])
        #expect(fields("2024-01-01", "Phone call, recorded in the contact log") == [])
        #expect(fields("2025-06-11", "Signed statement received") == ["confirmedOn"])
        #expect(fields("2025-06-10", "") == ["howConfirmed"])
        #expect(fields("2025-06-10", " \n ") == ["howConfirmed"])
        #expect(fields("2026-01-01", "") == ["confirmedOn", "howConfirmed"])
        #expect(fields("2025-06-10", String(repeating: "x", count: 1000)) == [])
        #expect(fields("2025-06-10", String(repeating: "x", count: 1001)) == ["howConfirmed"])
    }

    @Test("SS-PRG-5: only the reporter's own commitment needs no team leader approval")
    func approvalNeeded() {
        #expect(WitnessEvidenceKind.allCases.filter(\.needsTeamLeaderApproval) == [.professionalWitness, .hearsay])
        #expect(WitnessEvidence(kind: .hearsay, confirmedOn: caseworkDate("2025-01-01")).approvedByTeamLeader == false)
    }
}

@Suite("Referrals to partner agencies (SS-PRG-3, SS-REP-3)")
struct CaseworkReferralTests {
    static let allowed: Set<String> = ["sent→accepted", "sent→declined", "accepted→closed", "declined→closed"]

    @Test("SS-PRG-3: a referral moves sent → accepted or declined → closed",
          arguments: ReferralStatus.allCases, ReferralStatus.allCases)
    func transitions(from: ReferralStatus, to: ReferralStatus) {
        let allowed = Self.allowed.contains("\(from.rawValue)→\(to.rawValue)")
        let violation = caseworkViolation { () throws(RuleViolation) in try ReferralRules.transition(from: from, to: to) }
        #expect((violation == nil) == allowed)
        #expect(ReferralRules.allowedTargets(from: from).contains(to) == allowed)
        if let violation {
            #expect(violation.code == "referral.transitionNotAllowed")
            #expect(violation.clause == "SS-PRG-3")
            #expect(violation == .referralTransitionNotAllowed(from: from, to: to))
        }
    }

    @Test("SS-PRG-3: a partner sees the case while its referral is sent or accepted",
          arguments: [(ReferralStatus.sent, true, false), (.accepted, true, false), (.declined, false, false),
                      (.closed, false, true)])
    func access(status: ReferralStatus, grants: Bool, final: Bool) {
        #expect(status.grantsAccess == grants)
        #expect(status.isFinal == final)
    }

    /// (reason, consent, lawful basis, shared, fields in error)
    static let validation: [(CaseworkText, Bool, String?, Set<SharedField>, [String])] = [
        (CaseworkText("reason", "Drug dealing from the flat"), true, nil, [.caseSummary], []),
        (CaseworkText("reason", "Noise nuisance"), false, "Preventing crime and disorder", [.caseSummary, .incidents], []),
        (CaseworkText("reason", "Noise nuisance"), true, "Preventing crime", Set(SharedField.allCases), []),
        (CaseworkText("empty", ""), true, nil, [.caseSummary], ["reason"]),
        (CaseworkText("blank", "  \n"), true, nil, [.caseSummary], ["reason"]),
        (.repeated("r", 2000), true, nil, [.caseSummary], []),
        (.repeated("r", 2001), true, nil, [.caseSummary], ["reason"]),
        (CaseworkText("reason", "Noise nuisance"), false, nil, [.caseSummary], ["lawfulBasisWithoutConsent"]),
        (CaseworkText("reason", "Noise nuisance"), false, "", [.caseSummary], ["lawfulBasisWithoutConsent"]),
        (CaseworkText("reason", "Noise nuisance"), false, "   ", [.caseSummary], ["lawfulBasisWithoutConsent"]),
        (CaseworkText("reason", "Noise nuisance"), true, nil, [], ["shared"]),
        (CaseworkText("reason", "Noise nuisance"), true, nil, [.incidents, .riskAssessment], ["shared"]),
        (CaseworkText("empty", ""), false, nil, [.documents], ["reason", "lawfulBasisWithoutConsent", "shared"]),
    ]

    @Test("SS-PRG-3, SS-REP-3: a referral has a reason, consent or a lawful basis, and shares the case summary",
          arguments: validation)
    func validate(reason: CaseworkText, consent: Bool, basis: String?, shared: Set<SharedField>, fields: [String]) {
        let errors = ReferralRules.validate(reason: reason.text, consentGiven: consent, lawfulBasisWithoutConsent: basis,
                                            shared: shared)
        #expect(errors.map(\.field) == fields)
    }

    @Test("SS-PRG-3: a partner sees everything shared through any of its referrals on the case")
    func visibleFields() {
        #expect(ReferralRules.visibleFields(for: []).isEmpty)
        #expect(ReferralRules.visibleFields(for: [[.caseSummary]]) == [.caseSummary])
        #expect(ReferralRules.visibleFields(for: [[.caseSummary, .incidents], [.caseSummary, .riskAssessment], []])
            == [.caseSummary, .incidents, .riskAssessment])
        #expect(ReferralRules.visibleFields(for: SharedField.allCases.map { [$0] }) == Set(SharedField.allCases))
    }

    @Test("SS-PRG-3: shared parts of a case have distinct British English names")
    func sharedNames() {
        #expect(SharedField.allCases.count == 8)
        #expect(Set(SharedField.allCases.map(\.displayName)).count == SharedField.allCases.count)
        #expect(SharedField.allegedPerpetrator.displayName == "Person complained about")
    }

    @Test("SS-PRG-3: the lead agency is the landlord or a named partner",
          arguments: [(LeadAgency.landlord, "landlord"), (.partner(name: "Essex Police"), "partner:Essex Police")])
    func leadAgency(agency: LeadAgency, stored: String) throws {
        #expect(agency.storageValue == stored)
        #expect(LeadAgency(storageValue: stored) == agency)
        let json = try JSONEncoder().encode([agency])
        #expect(try JSONDecoder().decode([LeadAgency].self, from: json) == [agency])
        for bad in ["", "Landlord", "partner:", "partner:  ", "police"] {
            #expect(LeadAgency(storageValue: bad) == nil, "\(bad)")
        }
    }
}
