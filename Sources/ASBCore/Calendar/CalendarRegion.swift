/// The bank holiday regions of the United Kingdom.
///
/// Raw values are the GOV.UK division names used by https://www.gov.uk/bank-holidays.json.
public enum CalendarRegion: String, Sendable, Hashable, Codable, CaseIterable {
    case englandAndWales = "england-and-wales"
    case scotland = "scotland"
    case northernIreland = "northern-ireland"

    /// The name to show a person.
    public var displayName: String {
        switch self {
        case .englandAndWales: "England and Wales"
        case .scotland: "Scotland"
        case .northernIreland: "Northern Ireland"
        }
    }
}
