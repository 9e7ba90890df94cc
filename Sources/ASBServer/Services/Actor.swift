import ASBCore
import Foundation

/// Who is acting, for permissions, the audit trail and the timeline.
enum Actor: Sendable {
    case staff(User)
    /// A member of the public using the website without an account.
    case publicReporter
    /// A reporter using their reference and access code.
    case reporter
    /// The server itself: bootstrap, scheduled jobs, commands.
    case system
    /// A channel's gateway delivering a report: the inbound email endpoint or Maildir, Open311.
    case gateway(ReportChannel)

    var user: User? {
        if case .staff(let user) = self { return user }
        return nil
    }

    var userID: UUID? { user?.id }

    /// The channel whose gateway is acting, if any.
    var gatewayChannel: ReportChannel? {
        if case .gateway(let channel) = self { return channel }
        return nil
    }

    /// The label stored in the audit trail when the actor is not a staff user.
    var label: String? {
        switch self {
        case .staff: nil
        case .publicReporter: "public"
        case .reporter: "reporter"
        case .system: "system"
        case .gateway(let channel): channel.rawValue
        }
    }
}
