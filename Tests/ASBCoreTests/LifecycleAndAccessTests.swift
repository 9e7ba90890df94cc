import ASBCore
import Testing

@Suite("Case lifecycle")
struct CaseLifecycleTests {
    @Test("Every transition is allowed from exactly its source statuses",
          arguments: CaseTransition.allCases)
    func sources(transition: CaseTransition) {
        for status in CaseStatus.allCases {
            let facts = CaseFacts(status: status, hasAllocatedOfficer: true, reopenReason: "Closed too early")
            let result = Result { () throws(RuleViolation) in try CaseLifecycle.apply(transition, to: facts) }
            if CaseLifecycle.sources(of: transition).contains(status) {
                #expect((try? result.get()) == transition.target, "\(transition) from \(status)")
            } else {
                #expect((try? result.get()) == nil, "\(transition) from \(status) must be refused")
            }
        }
    }

    @Test("SS-NXT-1: a case opens only with an allocated officer")
    func openNeedsOfficer() {
        #expect(throws: RuleViolation.openNeedsOfficer) {
            try CaseLifecycle.apply(.open, to: CaseFacts(status: .received, hasAllocatedOfficer: false))
        }
        #expect(CaseLifecycle.automaticTransition(after: CaseFacts(status: .received, hasAllocatedOfficer: false)) == nil)
        #expect(CaseLifecycle.automaticTransition(after: CaseFacts(status: .received, hasAllocatedOfficer: true)) == .open)
        #expect(CaseLifecycle.automaticTransition(after: CaseFacts(status: .open, hasAllocatedOfficer: true)) == nil)
    }

    @Test("SS-CLS-2: formal closure only follows a closure proposal")
    func closeOnlyFromPending() {
        #expect(throws: RuleViolation.closureOnlyFromPending) {
            try CaseLifecycle.apply(.close, to: CaseFacts(status: .open, hasAllocatedOfficer: true))
        }
        #expect((try? CaseLifecycle.apply(.close, to: CaseFacts(status: .closurePending, hasAllocatedOfficer: true))) == .closed)
    }

    @Test("SS-CLS-1: reopening a closed case needs a reason")
    func reopenNeedsReason() {
        for reason in [nil, "", "   "] as [String?] {
            #expect(throws: RuleViolation.reopenNeedsReason) {
                try CaseLifecycle.apply(.reopen, to: CaseFacts(status: .closed, hasAllocatedOfficer: true, reopenReason: reason))
            }
        }
    }

    @Test("SS-PRG-1, SS-CLS-1: new incidents are taken on every case but a closed one",
          arguments: CaseStatus.allCases)
    func newIncidents(status: CaseStatus) {
        let refused = (try? CaseLifecycle.checkNewIncident(on: status)) == nil
        #expect(refused == (status == .closed))
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
        .intake: [.recordReport, .readCases, .readReferenceData, .readProperties],
        .officer: [.recordReport, .readCases, .updateCase, .readReferenceData, .readProperties],
        .teamLeader: [.recordReport, .readCases, .updateCase, .allocateCase, .readAudit, .readReferenceData, .readProperties],
        .partner: [.readCases, .readReferenceData],
        .analyst: [.readReferenceData],
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
