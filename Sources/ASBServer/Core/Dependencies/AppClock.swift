import Foundation

/// The current time, as a dependency: live in the server, fixed or stepped in tests.
public struct AppClock: Sendable {
    public var now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) { self.now = now }

    public static let live = AppClock(now: { Date() })

    /// A clock that always answers `date`.
    public static func fixed(_ date: Date) -> AppClock { AppClock(now: { date }) }
}
