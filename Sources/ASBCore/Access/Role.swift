/// Staff roles (DESIGN.md, "Users"). Reporters have no account: they use a case reference and a
/// private access code.
public enum Role: String, Sendable, Codable, CaseIterable {
    /// Contact centre, reception: records reports from any channel, sees the triage queue.
    case intake
    /// Tenancy or ASB officer: casework on cases allocated to them, reads team cases.
    case officer
    /// ASB team leader: everything an officer may, on every case; allocates; approves.
    case teamLeader
    /// A partner agency's user: only cases referred to their agency.
    case partner
    /// Performance and governance: aggregates only, no personal data.
    case analyst
    /// System owner: users, configuration, calendar, retention; no casework.
    case admin
}

/// What a staff user may do. Scope (which cases) is decided by `CaseAccess`.
public enum Permission: String, Sendable, CaseIterable {
    case recordReport
    case readCases
    case updateCase
    case allocateCase
    case readAudit
    case manageUsers
    case manageReferenceData
    case readReferenceData
    /// Properties carry tenancy references: staff who record and work cases, and admins.
    case readProperties
    /// Find people and read their details across cases. Partners see people only through referrals.
    case readParties
    /// Aggregate figures, no personal data: analysts and team leaders.
    case readStatistics
}

extension Role {
    public func may(_ permission: Permission) -> Bool {
        switch permission {
        case .recordReport: [.intake, .officer, .teamLeader].contains(self)
        case .readCases: [.intake, .officer, .teamLeader, .partner].contains(self)
        case .updateCase: [.officer, .teamLeader].contains(self)
        case .allocateCase: self == .teamLeader
        case .readAudit: [.teamLeader, .admin].contains(self)
        case .manageUsers, .manageReferenceData: self == .admin
        case .readReferenceData: true
        case .readProperties: [.intake, .officer, .teamLeader, .admin].contains(self)
        case .readParties: [.intake, .officer, .teamLeader].contains(self)
        case .readStatistics: [.analyst, .teamLeader].contains(self)
        }
    }

    /// Roles whose account belongs to a partner agency.
    public var needsPartnerAgency: Bool { self == .partner }
}

/// Which cases a user may see and change (DESIGN.md, "Users").
public enum CaseAccess {
    /// Facts about one case relevant to one user.
    public struct Relation: Sendable, Equatable {
        public var isAllocatedToUser: Bool
        public var isReferredToUsersAgency: Bool
        public init(isAllocatedToUser: Bool, isReferredToUsersAgency: Bool) {
            self.isAllocatedToUser = isAllocatedToUser
            self.isReferredToUsersAgency = isReferredToUsersAgency
        }
    }

    /// Whether the user may read the case at all. A partner reads only cases referred to its
    /// agency; everyone else with `readCases` reads team cases.
    public static func canRead(role: Role, relation: Relation) -> Bool {
        guard role.may(.readCases) else { return false }
        if role == .partner { return relation.isReferredToUsersAgency }
        return true
    }

    /// Whether the user may change the case's casework details. Officers work on the cases
    /// allocated to them (or unallocated ones in triage); team leaders on every case.
    public static func canUpdate(role: Role, relation: Relation, caseIsAllocated: Bool) -> Bool {
        switch role {
        case .teamLeader: true
        case .officer: relation.isAllocatedToUser || !caseIsAllocated
        default: false
        }
    }
}
