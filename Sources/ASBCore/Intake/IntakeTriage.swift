/// What intake tells a reporter before anything else (SS-REP-2).
public enum IntakeTriage {
    /// The advice shown whenever someone is in immediate danger (SS-REP-2).
    public static let emergencyAdvice =
        "If someone is seriously injured, in immediate danger, or public safety is threatened, call 999 now. "
        + "For other crime, call the police on 101."
}
