/// A specific support need of the reporter, revealed by their risk assessment answers, that the
/// officer must consider when agreeing the action plan (SS-NXT-3).
/// Stored and exchanged as its raw value.
public enum SupportNeed: String, Sendable, Codable, CaseIterable {
    case mentalHealth
    case physicalDisability
    case learningDisability
    case sensoryImpairment
    /// Over 65 or under 18.
    case age
    case domesticAbuse
    case substanceMisuse
    /// Lives alone with no one to support them.
    case isolation
    /// Needs an interpreter or information in another language.
    case language
    case other

    /// The need as an officer reads it, in British English.
    public var displayName: String {
        switch self {
        case .mentalHealth: "Mental health"
        case .physicalDisability: "Physical disability or long-term illness"
        case .learningDisability: "Learning disability"
        case .sensoryImpairment: "Sensory impairment"
        case .age: "Age (over 65 or under 18)"
        case .domesticAbuse: "Domestic abuse"
        case .substanceMisuse: "Alcohol or drug use"
        case .isolation: "Lives alone without support"
        case .language: "Interpreter or another language"
        case .other: "Other"
        }
    }
}
