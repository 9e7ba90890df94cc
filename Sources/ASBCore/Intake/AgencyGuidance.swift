/// Guidance given to a reporter about reporting to other agencies (SS-REP-3, SS-PRG-1), recorded
/// with the incident it was given for.
public enum AgencyGuidance: String, Sendable, Codable, CaseIterable {
    /// Call 999 when someone is in danger or a crime is in progress (SS-REP-2).
    case police999
    /// Report other crime to the police on 101.
    case police101
    /// Report noise to the council's environmental health team.
    case environmentalHealth
    case victimSupport
    case mediation
    /// The Community Safety Partnership, including the ASB Case Review (SS-PRT-1).
    case communitySafetyPartnership
    case other

    public var displayName: String {
        switch self {
        case .police999: "Call 999 in an emergency"
        case .police101: "Report crime to the police on 101"
        case .environmentalHealth: "Report noise to environmental health"
        case .victimSupport: "Victim support"
        case .mediation: "Mediation"
        case .communitySafetyPartnership: "Community Safety Partnership and the ASB Case Review"
        case .other: "Other agency"
        }
    }
}
