/// The names people read for the domain's values, in plain British English. Every screen, page
/// and document uses these, so a value is called the same everywhere.

extension ReportChannel {
    public var displayName: String {
        switch self {
        case .web: "Website"
        case .email: "Email"
        case .letter: "Letter"
        case .officer: "Tenancy Officer"
        case .phone: "Phone"
        case .inPerson: "In person"
        case .open311: "Open311"
        }
    }
}

extension IncidentCategory {
    public var displayName: String {
        switch self {
        case .noise: "Noise"
        case .verbalAbuse: "Verbal abuse, threats or insults"
        case .harassment: "Harassment or intimidation"
        case .violence: "Violence or threats of violence"
        case .drugs: "Drug dealing or drug use"
        case .vandalism: "Vandalism, damage or graffiti"
        case .pets: "Pets or animals"
        case .parking: "Vehicles or parking"
        case .rubbish: "Rubbish or fly-tipping"
        case .other: "Something else"
        }
    }
}

extension HateStrand {
    public var displayName: String {
        switch self {
        case .race: "Race, ethnicity or nationality"
        case .religionOrBelief: "Religion or belief, including having no faith"
        case .sexualOrientation: "Sexual orientation"
        case .genderIdentity: "Gender identity, including transgender and non-binary people"
        case .disability: "Disability, including learning, mental health, physical and sensory"
        }
    }
}

extension ASBLimb {
    public var displayName: String {
        switch self {
        case .harassmentAlarmOrDistress: "Harassment, alarm or distress to any person"
        case .nuisanceToOccupier: "Nuisance or annoyance to a person in their home"
        case .housingRelatedNuisance: "Housing-related nuisance or annoyance to any person"
        }
    }
}

extension ContactMethod {
    public var displayName: String {
        switch self {
        case .email: "Email"
        case .phone: "Phone call"
        case .text: "Text message"
        case .letter: "Letter"
        case .visit: "Home visit"
        }
    }
}

extension PartyRole {
    public var displayName: String {
        switch self {
        case .reporter: "Reporter"
        case .victim: "Victim"
        case .witness: "Witness"
        case .allegedPerpetrator: "Alleged perpetrator"
        case .other: "Other"
        }
    }
}

extension CaseStatus {
    public var displayName: String {
        switch self {
        case .received: "Received"
        case .open: "Open"
        case .closurePending: "Closure pending"
        case .closed: "Closed"
        }
    }
}

extension Priority {
    /// "Priority 1".
    public var displayName: String { "Priority \(rawValue)" }
}

extension MilestoneState {
    public var displayName: String {
        switch self {
        case .pending: "Pending"
        case .met: "Met"
        case .breached: "Breached"
        }
    }
}

extension Role {
    public var displayName: String {
        switch self {
        case .intake: "Intake"
        case .officer: "Officer"
        case .teamLeader: "Team leader"
        case .partner: "Partner agency"
        case .analyst: "Analyst"
        case .admin: "Administrator"
        }
    }
}
