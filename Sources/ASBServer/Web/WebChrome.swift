import ASBCore
import Vapor

/// Builds the chrome of a page for the request: who is signed in, the site's navigation with
/// the current page marked, the CSRF token and the one-time notice.
enum WebChrome {
    static func signedIn(_ request: Request) -> PageChrome.SignedIn? {
        guard request.url.path.hasPrefix("/staff"), let user = request.auth.get(User.self) else { return nil }
        return .init(name: user.displayName, role: user.role.displayName, isAdmin: user.role == .admin,
                     mayRecordReports: user.role.may(.recordReport), worksCases: user.role.may(.readCases))
    }

    static func nav(for request: Request) -> [PageChrome.NavLink] {
        let path = request.url.path
        func link(_ href: String, _ label: String, exact: Bool = false) -> PageChrome.NavLink {
            .init(href: href, label: label, current: exact ? path == href : path == href || path.hasPrefix(href + "/"))
        }
        if path.hasPrefix("/staff") {
            guard let user = request.auth.get(User.self) else { return [] }
            var links: [PageChrome.NavLink] = []
            if user.role.may(.readCases) { links.append(link("/staff", "Work queues", exact: true)) }
            if user.role.may(.recordReport) { links.append(link("/staff/reports/new", "Record a report")) }
            if user.role.may(.readCases) { links.append(link("/staff/search", "Search")) }
            if user.role.may(.readStatistics) { links.append(link("/staff/dashboard", "Dashboard")) }
            if user.role.may(.updateCase) { links.append(link("/staff/notices", "Community notices")) }
            if user.role.may(.recordReport) { links.append(link("/staff/letters", "Letters")) }
            if user.role.may(.updateCase) { links.append(link("/staff/feedback", "Complaints and compliments")) }
            if user.role == .teamLeader {
                links.append(link("/staff/internal-reviews", "Internal reviews"))
                links.append(link("/staff/dissatisfaction", "Dissatisfaction reviews"))
            }
            if user.role == .admin {
                links.append(link("/staff/admin/users", "Users"))
                links.append(link("/staff/admin/agencies", "Partner agencies"))
                links.append(link("/staff/admin/neighbourhoods", "Neighbourhoods"))
                links.append(link("/staff/admin/calendar", "Calendar"))
                links.append(link("/staff/admin/open311", "Open311"))
                links.append(link("/staff/admin/homes", "Homes"))
            }
            links.append(link("/staff/account", "Two-step sign-in"))
            return links
        }
        return [
            link("/", "Home", exact: true), link("/report", "Report a problem"), link("/track", "Track my case"),
            link("/case-review", "ASB Case Review"), link("/notices", "Community notices"),
            link("/feedback", "Complaints and compliments"), link("/performance", "How we are doing"),
        ]
    }

    /// - Parameter posts: the page has a form that posts. A public page without one starts no
    ///   session, so reading the site leaves nothing stored.
    static func make(_ request: Request, title: String, errors: [ErrorLink] = [], posts: Bool = true) -> PageChrome {
        let site = request.url.path.hasPrefix("/staff") ? "staff" : "public"
        return PageChrome(title: title, site: site, user: signedIn(request), nav: nav(for: request),
                          csrf: posts || site == "staff" ? CSRF.token(for: request) : "", notice: request.notice, errors: errors)
    }
}
