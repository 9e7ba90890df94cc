import ASBCore
import Testing

@Suite("Case lifecycle")
struct CaseLifecycleTests {
    @Test("Every transition is allowed from exactly its source statuses",
          arguments: CaseTransition.allCases)
    func sources(transition: CaseTransition) {
        for status in CaseStatus.allCases {
            let facts = CaseFacts(status: status, hasAllocatedOfficer: true, hasAssessment: true, reopenReason: "Closed too early")
            let result = Result { () throws(RuleViolation) in try CaseLifecycle.apply(transition, to: facts) }
            if CaseLifecycle.sources(of: transition).contains(status) {
                #expect((try? result.get()) == transition.target, "\(transition) from \(status)")
            } else {
                #expect((try? result.get()) == nil, "\(transition) from \(status) must be refused")
            }
        }
    }

    @Test("SS-RT-1, SS-NXT-1: a case opens only once it is assessed and has an allocated officer",
          arguments: [(false, false), (false, true), (true, false), (true, true)])
    func openNeedsAssessmentAndOfficer(assessed: Bool, allocated: Bool) {
        let facts = CaseFacts(status: .received, hasAllocatedOfficer: allocated, hasAssessment: assessed)
        let expected: RuleViolation? = !assessed ? .openNeedsAssessment : (!allocated ? .openNeedsOfficer : nil)
        let result = Result { () throws(RuleViolation) in try CaseLifecycle.apply(.open, to: facts) }
        switch result {
        case .success(let status):
            #expect(expected == nil && status == .open)
        case .failure(let violation):
            #expect(violation == expected)
        }
        #expect((CaseLifecycle.automaticTransition(after: facts) == .open) == (assessed && allocated))
        let open = CaseFacts(status: .open, hasAllocatedOfficer: true, hasAssessment: true)
        #expect(CaseLifecycle.automaticTransition(after: open) == nil)
    }

    @Test("SS-CLS-2: formal closure only follows a closure proposal")
    func closeOnlyFromPending() {
        #expect(throws: RuleViolation.closureOnlyFromPending) {
            try CaseLifecycle.apply(.close, to: CaseFacts(status: .open, hasAllocatedOfficer: true, hasAssessment: true))
        }
        let pending = CaseFacts(status: .closurePending, hasAllocatedOfficer: true, hasAssessment: true)
        #expect((try? CaseLifecycle.apply(.close, to: pending)) == .closed)
    }

    @Test("SS-CLS-1: reopening a closed case needs a reason")
    func reopenNeedsReason() {
        for reason in [nil, "", "   "] as [String?] {
            #expect(throws: RuleViolation.reopenNeedsReason) {
                try CaseLifecycle.apply(.reopen, to: CaseFacts(status: .closed, hasAllocatedOfficer: true, hasAssessment: true,
                                                               reopenReason: reason))
            }
        }
    }

    @Test("SS-PRG-1, SS-CLS-1: new incidents are taken on every case but a closed one",
          arguments: CaseStatus.allCases)
    func newIncidents(status: CaseStatus) {
        let refused = (try? CaseLifecycle.checkNewIncident(on: status)) == nil
        #expect(refused == (status == .closed))
    }

    @Test("SS-CLS-1: a closed case takes no casework that decides its handling until it is reopened; every other state takes it all",
          arguments: CaseStatus.allCases)
    func caseworkOnClosedCase(status: CaseStatus) {
        for work in Casework.allCases {
            #expect(CaseLifecycle.allows(work, on: status) == (status != .closed), "\(work) on \(status)")
            if status == .closed {
                #expect(throws: RuleViolation.closedCaseTakesNoCasework(work)) { try CaseLifecycle.checkCasework(work, on: status) }
                let refusal = RuleViolation.closedCaseTakesNoCasework(work)
                #expect(refusal.code == "case.closedTakesNoCasework" && refusal.clause == "SS-CLS-1")
                #expect(refusal.reason.hasSuffix("reopen it, with a reason, before you \(work.phrase)."))
            }
        }
        // Each refusal says what was refused.
        #expect(Set(Casework.allCases.map(\.phrase)).count == Casework.allCases.count)
    }

    @Test("Every status has words for the reporter")
    func reporterWords() {
        #expect(Set(CaseStatus.allCases.map(\.reporterDescription)).count == CaseStatus.allCases.count)
    }
}

@Suite("Roles and case access")
struct RoleTests {
    /// The permission table from DESIGN.md, "Users", written out in full.
    static let table: [Role: Set<Permission>] = [
        .intake: [.recordReport, .readCases, .readReferenceData, .readProperties, .readParties],
        .officer: [.recordReport, .readCases, .updateCase, .readReferenceData, .readProperties, .readParties],
        .teamLeader: [.recordReport, .readCases, .updateCase, .allocateCase, .readAudit, .readReferenceData, .readProperties,
                      .readParties, .readStatistics],
        .partner: [.readCases, .readReferenceData],
        .analyst: [.readReferenceData, .readStatistics],
        .admin: [.readAudit, .manageUsers, .manageReferenceData, .readReferenceData, .readProperties],
    ]

    @Test("Each role has exactly its permissions", arguments: Role.allCases)
    func permissions(role: Role) {
        let granted = Set(Permission.allCases.filter { role.may($0) })
        #expect(granted == Self.table[role])
    }

    @Test("An analyst never reads cases; an admin does no casework by default")
    func noPersonalData() {
        #expect(!Role.analyst.may(.readCases))
        #expect(!Role.admin.may(.readCases) && !Role.admin.may(.recordReport))
    }

    @Test("A partner reads only cases referred to its agency")
    func partnerScope() {
        #expect(!CaseAccess.canRead(role: .partner, relation: .init(isAllocatedToUser: false, isReferredToUsersAgency: false)))
        #expect(CaseAccess.canRead(role: .partner, relation: .init(isAllocatedToUser: false, isReferredToUsersAgency: true)))
        #expect(CaseAccess.canRead(role: .officer, relation: .init(isAllocatedToUser: false, isReferredToUsersAgency: false)),
                "Officers read team cases")
    }

    @Test("An officer changes cases allocated to them (or still unallocated); a team leader any case")
    func updateScope() {
        let mine = CaseAccess.Relation(isAllocatedToUser: true, isReferredToUsersAgency: false)
        let others = CaseAccess.Relation(isAllocatedToUser: false, isReferredToUsersAgency: false)
        #expect(CaseAccess.canUpdate(role: .officer, relation: mine, caseIsAllocated: true))
        #expect(!CaseAccess.canUpdate(role: .officer, relation: others, caseIsAllocated: true))
        #expect(CaseAccess.canUpdate(role: .officer, relation: others, caseIsAllocated: false))
        #expect(CaseAccess.canUpdate(role: .teamLeader, relation: others, caseIsAllocated: true))
        for role in [Role.intake, .partner, .analyst, .admin] {
            #expect(!CaseAccess.canUpdate(role: role, relation: mine, caseIsAllocated: true))
        }
    }
}
