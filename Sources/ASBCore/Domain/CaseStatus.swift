/// Where a case stands in its lifecycle (DESIGN.md, "Lifecycle").
public enum CaseStatus: String, Sendable, Codable, CaseIterable {
    /// Reported, not yet assessed and allocated.
    case received
    /// Assessed and allocated to an officer: casework under way.
    case open
    /// Closure proposed, awaiting the agreement call and approval (SS-CLS-2).
    case closurePending
    /// Formally closed for one of the five reasons (SS-CLS-1).
    case closed
}

extension CaseStatus {
    /// Every status but closed: the cases still being worked.
    public static let notClosed: [CaseStatus] = allCases.filter { $0 != .closed }

    /// What the status means, in the words a reporter reads on the tracking page.
    public var reporterDescription: String {
        switch self {
        case .received: "We have recorded your report. It is being risk assessed and will be allocated to an officer."
        case .open: "An officer is working on your case."
        case .closurePending: "We have proposed to close your case and will contact you to agree it before it is closed."
        case .closed: "Your case is closed. If something new happens, please make a new report."
        }
    }
}
