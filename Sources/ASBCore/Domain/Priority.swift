/// The risk-assessed priority of a case (SS-RT-1..4).
public enum Priority: Int, Sendable, Codable, CaseIterable, Comparable {
    /// High risk of harm, and every hate crime/incident: respond within 24 working hours (SS-RT-2).
    case p1 = 1
    /// Medium risk of harm: acknowledge within 24 working hours, investigate within 5 working days (SS-RT-3).
    case p2 = 2
    /// No risk of harm, including not-ASB recorded for information: respond within 10 working days (SS-RT-4).
    case p3 = 3

    public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rawValue < rhs.rawValue }
}
