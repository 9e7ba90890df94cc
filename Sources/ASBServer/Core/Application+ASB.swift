import Vapor

/// App-wide services, set once in `configure` and read by handlers and services.
struct ASBEnvironment: Sendable {
    var config: AppConfig
    var clock: AppClock
    var random: RandomSource
    var passwords: Passwords
    var writes: WriteTransactions
    /// On an SQLite file, the connection for reports' reads beside the request's own.
    var reportReader: SQLiteReportReader?
    /// Where `sqlite::memory:` keeps its database until the application stops; nil otherwise.
    var temporaryDatabase: TemporaryDatabase?
    /// Writes new cases from reports, many to a transaction.
    var newCases: NewCaseWriter.Group
    /// Writes the audit entries of reads, many reads to a transaction.
    var readAudits: ReadAudit.Group
    var calendars = CalendarCache()
    /// The neighbourhood of each postcode sector (`PlaceResolver`), under the key `PlaceResolver.sectorsKey`.
    var postcodeSectors = ExpiringCache<String, [String: UUID]>()
    var questionnaires = StoredQuestionnaires()
    var rateLimiter = RateLimiter()
    /// The requests being answered: stopping waits for them before the databases close.
    let inFlight = InFlightRequests()

    init(config: AppConfig, clock: AppClock, random: RandomSource, passwords: Passwords, writes: WriteTransactions) {
        self.config = config
        self.clock = clock
        self.random = random
        self.passwords = passwords
        self.writes = writes
        // The group commits run on the SQLite writer's loop, where their statements return.
        newCases = NewCaseWriter.makeGroup(executor: writes.writer?.executor)
        readAudits = ReadAudit.makeGroup(executor: writes.writer?.executor)
    }
}

extension Application {
    private struct ASBEnvironmentKey: StorageKey {
        typealias Value = ASBEnvironment
    }

    var asb: ASBEnvironment {
        get {
            guard let value = storage[ASBEnvironmentKey.self] else {
                fatalError("configure(_:config:) has not run: the ASB environment is missing")
            }
            return value
        }
        set { storage[ASBEnvironmentKey.self] = newValue }
    }
}
