/// What intake can decide before an officer's risk assessment (SS-RT-1).
public enum IntakeTriage {
    /// The provisional priority of a new report, or `nil` when it awaits a risk assessment.
    ///
    /// Every hate crime or incident is priority 1 (SS-RT-2), and so is a report that someone is in
    /// immediate danger. Everything else waits for the assessment, which sets the priority.
    public static func provisionalPriority(hate: Bool, immediateDanger: Bool) -> Priority? {
        (hate || immediateDanger) ? .p1 : nil
    }

    /// The advice shown whenever someone is in immediate danger (SS-REP-2).
    public static let emergencyAdvice =
        "If someone is seriously injured, in immediate danger, or public safety is threatened, call 999 now. "
        + "For other crime, call the police on 101."
}
