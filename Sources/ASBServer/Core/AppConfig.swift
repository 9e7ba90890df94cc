import ASBCore
import Foundation
import Vapor

/// Everything the server is configured with, read once from `ASB_*` environment variables.
/// `asb serve` needs none of them; tests build the same struct in memory.
public struct AppConfig: Sendable {
    public enum DatabaseLocation: Sendable, Equatable {
        case sqliteFile(String)
        case sqliteMemory
        case postgres(url: String, searchPath: [String]? = nil)
    }

    public var database: DatabaseLocation
    /// Apply migrations when `asb serve` starts (turn off when several instances share a database
    /// and `asb migrate` is run once by the operator).
    public var autoMigrate: Bool
    public var tokenLifetime: TimeInterval
    public var bcryptCost: Int
    public var maxBodyBytes: Int
    /// The largest evidence file or document accepted.
    public var maxAttachmentBytes: Int
    public var loginMaxFailures: Int
    public var loginWindow: TimeInterval
    public var trackMaxFailuresPerReference: Int
    public var trackMaxFailuresPerClient: Int
    public var trackWindow: TimeInterval
    public var idempotencyLifetime: TimeInterval
    /// The bank holiday region of the working calendar.
    public var calendarRegion: CalendarRegion
    /// How often `asb serve` scans for breached deadlines; 0 turns the scan off.
    public var breachScanInterval: TimeInterval
    /// How often `asb serve` proposes closure on cases quiet for 60 days; 0 turns it off.
    public var closureReviewInterval: TimeInterval
    /// The local ASB Case Review (community trigger) threshold.
    public var caseReview: CaseReviewThresholdConfig
    /// Messages out and in: who they come from, the links in them, the mail server.
    public var mail = MailSettings()
    /// PostgreSQL connections per event loop (the server runs one loop per core), and how long a
    /// request waits for a free connection before failing.
    public var poolConnectionsPerLoop = 2
    public var poolTimeout: TimeInterval = 10
    /// A staff token (or web session) unused for this long stops working; 0 turns idle expiry off.
    public var tokenIdleTimeout: TimeInterval = 60 * 60
    /// Requests per client address per minute to each public endpoint (reports, tracking,
    /// surveys, feedback, Open311); 0 turns the limit off.
    public var publicRateLimit = 30
    /// Take the client address from `X-Forwarded-For` (set only behind a trusted reverse proxy).
    public var trustForwardedFor = false
    /// Years after closure before a case's personal data is anonymised (retention).
    public var retentionYears = 6
    /// How often `asb serve` runs the retention job; 0 turns it off.
    public var retentionInterval: TimeInterval = 24 * 3600
    /// The monthly internal case review sample (SS-MON-2).
    public var internalReview = InternalReviewSettings()

    public struct InternalReviewSettings: Sendable, Equatable {
        /// The share of last month's closed cases reviewed, rounded up…
        public var percent = 10
        /// …but at least this many (or all, when fewer closed).
        public var minimum = 3
        public init() {}
    }

    public struct MailSettings: Sendable, Equatable {
        /// Signs every message and heads every letter.
        public var landlordName = "Your landlord"
        /// The landlord's postal address for letters, lines separated by commas.
        public var landlordAddress = ""
        /// Where reporters find the site: links in messages (tracking, surveys).
        public var publicURL = "http://127.0.0.1:8080"
        public var fromAddress = "asb-team@example.org"
        /// The SMTP server; nil keeps emails in the outbox (shown to admins) instead of sending.
        public var smtpHost: String?
        public var smtpPort = 587
        /// `none`, `starttls` or `tls`.
        public var smtpSecurity = "starttls"
        public var smtpUsername: String?
        public var smtpPassword: String?
        /// How often `asb serve` sends due emails and queues reminders; 0 turns it off.
        public var sendInterval: TimeInterval = 30
        /// Attempts before an email is marked failed (with backoff between them).
        public var maxAttempts = 8
        /// How long a sender's claim on a message lasts: one that dies mid-send releases it after this.
        public var claimLifetime: TimeInterval = 300
        /// The shared secret a mail gateway sends with `POST /api/v1/inbound/email`; nil turns it off.
        public var inboundSecret: String?
        public init() {}
    }

    public init(
        database: DatabaseLocation = .sqliteFile("asb.sqlite"),
        autoMigrate: Bool = true,
        tokenLifetime: TimeInterval = 12 * 3600,
        bcryptCost: Int = 12,
        maxBodyBytes: Int = 1_048_576,
        maxAttachmentBytes: Int = 10 * 1_048_576,
        loginMaxFailures: Int = 5,
        loginWindow: TimeInterval = 15 * 60,
        trackMaxFailuresPerReference: Int = 10,
        trackMaxFailuresPerClient: Int = 30,
        trackWindow: TimeInterval = 3600,
        idempotencyLifetime: TimeInterval = 24 * 3600,
        calendarRegion: CalendarRegion = .englandAndWales,
        breachScanInterval: TimeInterval = 60,
        closureReviewInterval: TimeInterval = 24 * 3600,
        caseReview: CaseReviewThresholdConfig = .southEssexDefault
    ) {
        self.database = database
        self.autoMigrate = autoMigrate
        self.tokenLifetime = tokenLifetime
        self.bcryptCost = bcryptCost
        self.maxBodyBytes = maxBodyBytes
        self.maxAttachmentBytes = maxAttachmentBytes
        self.loginMaxFailures = loginMaxFailures
        self.loginWindow = loginWindow
        self.trackMaxFailuresPerReference = trackMaxFailuresPerReference
        self.trackMaxFailuresPerClient = trackMaxFailuresPerClient
        self.trackWindow = trackWindow
        self.idempotencyLifetime = idempotencyLifetime
        self.calendarRegion = calendarRegion
        self.breachScanInterval = breachScanInterval
        self.closureReviewInterval = closureReviewInterval
        self.caseReview = caseReview
    }

    /// Every variable, its default and what it does; the README's table is written from this.
    public static let variables: [(name: String, defaultValue: String, meaning: String)] = [
        ("ASB_DATABASE_URL", "sqlite:asb.sqlite", "sqlite:PATH, sqlite::memory: or postgres://user:pass@host:port/db"),
        ("ASB_AUTO_MIGRATE", "true", "apply migrations when `asb serve` starts"),
        ("ASB_DB_POOL_SIZE", "2", "PostgreSQL connections per event loop (one loop per core): size max_connections for every instance"),
        ("ASB_DB_POOL_TIMEOUT_SECONDS", "10", "how long a request waits for a free PostgreSQL connection before a 500"),
        ("ASB_TOKEN_TTL_HOURS", "12", "lifetime of a staff bearer token"),
        ("ASB_TOKEN_IDLE_MINUTES", "60", "a staff token or web session unused this long stops working; 0 turns idle expiry off"),
        ("ASB_BCRYPT_COST", "12", "Bcrypt cost for staff passwords (4–31)"),
        ("ASB_MAX_BODY_BYTES", "1048576", "largest JSON request body accepted"),
        ("ASB_MAX_ATTACHMENT_BYTES", "10485760", "largest evidence file or document accepted"),
        ("ASB_LOGIN_MAX_FAILURES", "5", "failed sign-ins per username within the window before 429"),
        ("ASB_LOGIN_WINDOW_MINUTES", "15", "the sign-in throttling window"),
        ("ASB_TRACK_MAX_FAILURES", "10", "wrong tracking codes per case reference within an hour before 429"),
        ("ASB_TRACK_MAX_FAILURES_PER_CLIENT", "30", "wrong tracking codes per client address within an hour before 429"),
        ("ASB_PUBLIC_RATE_LIMIT", "30", "requests per client address per minute to each public endpoint (reports, tracking, surveys, feedback, Open311) before 429; 0 turns it off"),
        ("ASB_TRUST_FORWARDED_FOR", "false", "take the client address from X-Forwarded-For: only behind a reverse proxy that sets it"),
        ("ASB_RETENTION_YEARS", "6", "years after closure before a case's personal data is anonymised"),
        ("ASB_RETENTION_HOURS", "24", "how often `asb serve` runs the retention job; 0 turns it off"),
        ("ASB_CALENDAR_REGION", "england-and-wales", "bank holidays of england-and-wales, scotland or northern-ireland"),
        ("ASB_BREACH_SCAN_SECONDS", "60", "how often `asb serve` records breached deadlines; 0 turns it off"),
        ("ASB_CASE_REVIEW_REPORTS", "3", "ASB Case Review: qualifying reports about the same problem…"),
        ("ASB_CASE_REVIEW_WINDOW_MONTHS", "6", "…within this many months"),
        ("ASB_CASE_REVIEW_HATE_REPORTS", "1", "…or this many qualifying hate crime/incident reports (0 turns the hate rule off)"),
        ("ASB_CASE_REVIEW_REPORT_WITHIN_DAYS", "31", "a report qualifies when made within this many days of the behaviour"),
        ("ASB_CASE_REVIEW_APPLICATION_MONTHS", "6", "an application must come within this many months of the reports"),
        ("ASB_CLOSURE_REVIEW_HOURS", "24", "how often `asb serve` proposes closure on cases with no new reports for 60 days; 0 turns it off"),
        ("ASB_LANDLORD_NAME", "Your landlord", "the landlord's name, signing every message and heading every letter"),
        ("ASB_LANDLORD_ADDRESS", "(none)", "the landlord's postal address for letters, lines separated by commas"),
        ("ASB_PUBLIC_URL", "http://127.0.0.1:8080", "the public site's address, for links in messages"),
        ("ASB_MAIL_FROM", "asb-team@example.org", "the From address of every email"),
        ("ASB_SMTP_HOST", "(none)", "the SMTP server; without it emails wait in the outbox"),
        ("ASB_SMTP_PORT", "587", "the SMTP port"),
        ("ASB_SMTP_SECURITY", "starttls", "none, starttls or tls (implicit TLS, usually port 465)"),
        ("ASB_SMTP_USERNAME", "(none)", "SMTP AUTH user (sent only over TLS, or to a loopback server)"),
        ("ASB_SMTP_PASSWORD", "(none)", "SMTP AUTH password"),
        ("ASB_MAIL_SEND_SECONDS", "30", "how often `asb serve` sends due emails and queues reminders; 0 turns it off"),
        ("ASB_MAIL_MAX_ATTEMPTS", "8", "attempts before an email is marked failed"),
        ("ASB_MAIL_CLAIM_SECONDS", "300", "how long a sender holds a message it is sending; after a crash it is sent again once this has passed"),
        ("ASB_INTERNAL_REVIEW_PERCENT", "10", "the share of last month's closed cases drawn for internal review"),
        ("ASB_INTERNAL_REVIEW_MINIMUM", "3", "…but at least this many"),
        ("ASB_INBOUND_EMAIL_SECRET", "(none)", "shared secret for `POST /api/v1/inbound/email`; without it the endpoint is off"),
    ]

    public struct Invalid: Error, CustomStringConvertible {
        public let problems: [String]
        public var description: String {
            "Configuration is not valid:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
        }
    }

    /// Reads the configuration from the environment, naming every bad key at once.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> AppConfig {
        var config = AppConfig()
        var problems: [String] = []

        func int(_ key: String, _ range: ClosedRange<Int>, apply: (Int) -> Void) {
            guard let raw = env[key], !raw.isEmpty else { return }
            guard let value = Int(raw), range.contains(value) else {
                problems.append("\(key)=\(raw): expected a whole number from \(range.lowerBound) to \(range.upperBound)")
                return
            }
            apply(value)
        }
        if let raw = env["ASB_DATABASE_URL"], !raw.isEmpty {
            do { config.database = try parseDatabaseURL(raw) } catch { problems.append("ASB_DATABASE_URL: \(error)") }
        }
        if let raw = env["ASB_TRUST_FORWARDED_FOR"], !raw.isEmpty {
            switch raw.lowercased() {
            case "true", "1", "yes": config.trustForwardedFor = true
            case "false", "0", "no": config.trustForwardedFor = false
            default: problems.append("ASB_TRUST_FORWARDED_FOR=\(raw): expected true or false")
            }
        }
        if let raw = env["ASB_AUTO_MIGRATE"], !raw.isEmpty {
            switch raw.lowercased() {
            case "true", "1", "yes": config.autoMigrate = true
            case "false", "0", "no": config.autoMigrate = false
            default: problems.append("ASB_AUTO_MIGRATE=\(raw): expected true or false")
            }
        }
        int("ASB_DB_POOL_SIZE", 1...100) { config.poolConnectionsPerLoop = $0 }
        int("ASB_DB_POOL_TIMEOUT_SECONDS", 1...600) { config.poolTimeout = TimeInterval($0) }
        int("ASB_TOKEN_TTL_HOURS", 1...720) { config.tokenLifetime = TimeInterval($0) * 3600 }
        int("ASB_TOKEN_IDLE_MINUTES", 0...43_200) { config.tokenIdleTimeout = TimeInterval($0) * 60 }
        int("ASB_PUBLIC_RATE_LIMIT", 0...1_000_000) { config.publicRateLimit = $0 }
        int("ASB_RETENTION_YEARS", 1...100) { config.retentionYears = $0 }
        int("ASB_RETENTION_HOURS", 0...720) { config.retentionInterval = TimeInterval($0) * 3600 }
        int("ASB_BCRYPT_COST", 4...31) { config.bcryptCost = $0 }
        int("ASB_MAX_BODY_BYTES", 1024...104_857_600) { config.maxBodyBytes = $0 }
        int("ASB_MAX_ATTACHMENT_BYTES", 1024...104_857_600) { config.maxAttachmentBytes = $0 }
        int("ASB_LOGIN_MAX_FAILURES", 1...1000) { config.loginMaxFailures = $0 }
        int("ASB_LOGIN_WINDOW_MINUTES", 1...1440) { config.loginWindow = TimeInterval($0) * 60 }
        int("ASB_TRACK_MAX_FAILURES", 1...1000) { config.trackMaxFailuresPerReference = $0 }
        int("ASB_TRACK_MAX_FAILURES_PER_CLIENT", 1...10000) { config.trackMaxFailuresPerClient = $0 }
        int("ASB_BREACH_SCAN_SECONDS", 0...86_400) { config.breachScanInterval = TimeInterval($0) }
        int("ASB_CLOSURE_REVIEW_HOURS", 0...720) { config.closureReviewInterval = TimeInterval($0) * 3600 }
        int("ASB_CASE_REVIEW_REPORTS", 1...100) { config.caseReview.reportsNeeded = $0 }
        int("ASB_CASE_REVIEW_WINDOW_MONTHS", 1...60) { config.caseReview.windowMonths = $0 }
        int("ASB_CASE_REVIEW_HATE_REPORTS", 0...100) { config.caseReview.hateReportsNeeded = $0 }
        int("ASB_CASE_REVIEW_REPORT_WITHIN_DAYS", 1...366) { config.caseReview.reportWithinDaysOfBehaviour = $0 }
        int("ASB_CASE_REVIEW_APPLICATION_MONTHS", 1...60) { config.caseReview.applicationWindowMonths = $0 }
        func text(_ key: String, apply: (String) -> Void) {
            if let raw = env[key]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty { apply(raw) }
        }
        text("ASB_LANDLORD_NAME") { config.mail.landlordName = $0 }
        text("ASB_LANDLORD_ADDRESS") { config.mail.landlordAddress = $0 }
        text("ASB_PUBLIC_URL") { raw in
            if let url = URL(string: raw), ["http", "https"].contains(url.scheme ?? ""), url.host != nil {
                config.mail.publicURL = raw.hasSuffix("/") ? String(raw.dropLast()) : raw
            } else {
                problems.append("ASB_PUBLIC_URL=\(raw): expected an http:// or https:// address")
            }
        }
        text("ASB_MAIL_FROM") { raw in
            if raw.contains("@"), !raw.contains(" ") { config.mail.fromAddress = raw } else {
                problems.append("ASB_MAIL_FROM=\(raw): expected an email address")
            }
        }
        text("ASB_SMTP_HOST") { config.mail.smtpHost = $0 }
        int("ASB_SMTP_PORT", 1...65535) { config.mail.smtpPort = $0 }
        text("ASB_SMTP_SECURITY") { raw in
            if ["none", "starttls", "tls"].contains(raw.lowercased()) { config.mail.smtpSecurity = raw.lowercased() } else {
                problems.append("ASB_SMTP_SECURITY=\(raw): expected none, starttls or tls")
            }
        }
        text("ASB_SMTP_USERNAME") { config.mail.smtpUsername = $0 }
        text("ASB_SMTP_PASSWORD") { config.mail.smtpPassword = $0 }
        int("ASB_MAIL_SEND_SECONDS", 0...86_400) { config.mail.sendInterval = TimeInterval($0) }
        int("ASB_MAIL_MAX_ATTEMPTS", 1...100) { config.mail.maxAttempts = $0 }
        int("ASB_MAIL_CLAIM_SECONDS", 5...86_400) { config.mail.claimLifetime = TimeInterval($0) }
        int("ASB_INTERNAL_REVIEW_PERCENT", 1...100) { config.internalReview.percent = $0 }
        int("ASB_INTERNAL_REVIEW_MINIMUM", 0...1000) { config.internalReview.minimum = $0 }
        text("ASB_INBOUND_EMAIL_SECRET") { raw in
            if raw.count >= 16 { config.mail.inboundSecret = raw } else {
                problems.append("ASB_INBOUND_EMAIL_SECRET: use at least 16 characters")
            }
        }
        if let raw = env["ASB_CALENDAR_REGION"], !raw.isEmpty {
            if let region = CalendarRegion(rawValue: raw.lowercased()) {
                config.calendarRegion = region
            } else {
                problems.append("ASB_CALENDAR_REGION=\(raw): expected england-and-wales, scotland or northern-ireland")
            }
        }

        guard problems.isEmpty else { throw Invalid(problems: problems) }
        return config
    }

    struct DatabaseURLError: Error, CustomStringConvertible {
        let description: String
    }

    static func parseDatabaseURL(_ raw: String) throws -> DatabaseLocation {
        if raw == "sqlite::memory:" { return .sqliteMemory }
        if raw.hasPrefix("sqlite:") {
            var path = String(raw.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw DatabaseURLError(description: "sqlite: needs a file path, e.g. sqlite:asb.sqlite") }
            return .sqliteFile(path)
        }
        if raw.hasPrefix("postgres://") || raw.hasPrefix("postgresql://") {
            guard let url = URL(string: raw), url.host != nil else {
                throw DatabaseURLError(description: "not a valid postgres:// URL")
            }
            return .postgres(url: raw)
        }
        throw DatabaseURLError(description: "expected sqlite:PATH, sqlite::memory: or postgres://user:pass@host:port/db")
    }
}
