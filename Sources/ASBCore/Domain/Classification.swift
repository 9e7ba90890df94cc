/// The words the service standard uses to classify a report or a case.
/// Stored and exchanged as their raw values, so both databases and every client read them the same way.

/// How a report reached the landlord (SS-REP-1). Every channel creates the same kind of record.
public enum ReportChannel: String, Sendable, Codable, CaseIterable {
    case web
    case email
    case letter
    case officer
    case phone
    case inPerson
    case open311

    /// Channels a member of the public may use without a staff account.
    public var isPublic: Bool { self == .web }
}

/// What the behaviour is about, in the officer's words.
public enum IncidentCategory: String, Sendable, Codable, CaseIterable {
    case noise
    case verbalAbuse
    case harassment
    case violence
    case drugs
    case vandalism
    case pets
    case parking
    case rubbish
    case other
}

/// The strands of hate crime and hate incidents (SS-DEF-2).
public enum HateStrand: String, Sendable, Codable, CaseIterable {
    /// Ethnicity, nationality, national origin, Gypsy, Roma and Traveller communities.
    case race
    /// Including no faith.
    case religionOrBelief
    case sexualOrientation
    /// Transgender, non-binary, gender fluid.
    case genderIdentity
    /// Learning, mental health, physical or sensory disability.
    case disability
}

/// The limbs of the statutory definition of ASB (Anti-social Behaviour, Crime and Policing Act 2014 s.2; SS-DEF-1).
public enum ASBLimb: String, Sendable, Codable, CaseIterable {
    /// s.2(1)(a): harassment, alarm or distress to any person.
    case harassmentAlarmOrDistress
    /// s.2(1)(b): nuisance or annoyance in relation to a person's occupation of residential premises.
    case nuisanceToOccupier
    /// s.2(1)(c): housing-related nuisance or annoyance to any person.
    case housingRelatedNuisance
}

/// How a person prefers to be contacted.
public enum ContactMethod: String, Sendable, Codable, CaseIterable {
    case email
    case phone
    case text
    case letter
    case visit
}

/// The part a person or household plays in a case.
public enum PartyRole: String, Sendable, Codable, CaseIterable {
    case reporter
    case victim
    case witness
    case allegedPerpetrator
    case other
}
