import ASBCore
import Fluent
import FluentPostgresDriver
import FluentSQL
import FluentSQLiteDriver
import NIOPosix
import Vapor

/// Sets up the application: dependencies, database, migrations, middleware, routes and commands.
/// The server, the CLI and the tests all build the app through this one function.
public func configure(
    _ app: Application, config: AppConfig, clock: AppClock = .live, random: RandomSource = .live
) async throws {
    let isSQLite = if case .postgres = config.database { false } else { true }
    // An SQLite file's writes on a loop of their own (SQLiteWriter), and its reports' second
    // reader on another (SQLiteReportReader).
    let sideLoops: SQLiteSideLoops? = if case .sqliteFile = config.database { SQLiteSideLoops() } else { nil }
    // The databases first: `useSQLite` registers its thread pool's shutdown before anything
    // touches `app.databases` (which registers Fluent's), so the pool outlives the connections.
    let temporary = try await configureDatabase(app, config, sideLoops: sideLoops)
    let writer = sideLoops.map { SQLiteWriter(databases: app.databases, eventLoop: $0.writer.next()) }
    app.asb = ASBEnvironment(config: config, clock: clock, random: random,
                             passwords: try Passwords(cost: config.bcryptCost, random: random),
                             writes: WriteTransactions(sqliteGate: isSQLite ? AsyncMutex() : nil, writer: writer))
    app.asb.reportReader = sideLoops.map { SQLiteReportReader(databases: app.databases, eventLoop: $0.reports.next()) }
    app.asb.temporaryDatabase = temporary
    // After Fluent's handler (registered by the first use of `app.databases` above), so it shuts
    // down before it: the requests in hand are answered before the databases close.
    app.lifecycle.use(app.asb.inFlight)
    app.migrations.add(Migrations.all(calendarRegion: config.calendarRegion))
    app.migrations.add(SessionRecord.migration)
    app.sessions.use(.fluent)
    app.configureWeb()

    // Middleware, outermost first. Every error becomes a problem document in ProblemMiddleware.
    app.middleware = Middlewares()
    app.middleware.use(RequestIDMiddleware())
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(WebCookieMiddleware())
    app.middleware.use(ProblemMiddleware())
    app.middleware.use(app.asb.inFlight)
    app.middleware.use(CurrentRequestMiddleware())
    app.middleware.use(PublicRateLimitMiddleware())
    app.middleware.use(BodyLimitMiddleware(jsonBytes: config.maxBodyBytes, attachmentBytes: config.maxAttachmentBytes))
    app.middleware.use(TokenAuthenticator())
    app.middleware.use(StaffCookieAuthenticator())
    // Static files: the stylesheet and the small script that only enhances.
    app.middleware.use(AssetsMiddleware(files: FileMiddleware(publicDirectory: WebResources.publicDirectory, defaultFile: nil)))
    app.routes.defaultMaxBodySize = ByteCount(integerLiteral: max(config.maxBodyBytes, config.maxAttachmentBytes))

    try routes(app)
    try app.registerWebRoutes()

    app.asyncCommands.use(ASBServeCommand(), as: "serve", isDefault: true)
    app.asyncCommands.use(CreateUserCommand(), as: "create-user")
    app.asyncCommands.use(CalendarCommands(), as: "calendar")
    app.asyncCommands.use(BreachScanCommand(), as: "breach-scan")
    app.asyncCommands.use(ClosureReviewCommand(), as: "closure-review")
    app.asyncCommands.use(MailCommands(), as: "mail")
    app.asyncCommands.use(Open311Commands(), as: "open311")
    app.asyncCommands.use(StatsCommand(), as: "stats")
    app.asyncCommands.use(ConfigCommands(), as: "config")
    app.asyncCommands.use(RetentionCommand(), as: "retention")
    app.asyncCommands.use(SubjectAccessCommand(), as: "sar")
    app.asyncCommands.use(BackupCommand(), as: "backup")
    app.asyncCommands.use(RestoreCommand(), as: "restore")
    app.asyncCommands.use(ExportCommand(), as: "export")
    app.asyncCommands.use(ImportCommand(), as: "import")
    app.asyncCommands.use(DemoDataCommand(), as: "demo-data")
    // Fluent registers `migrate` with the database; it is wrapped so that it never prompts without a terminal.
    if let fluentMigrate = app.asyncCommands.commands["migrate"], !(fluentMigrate is ASBMigrateCommand) {
        app.asyncCommands.use(ASBMigrateCommand(fluent: fluentMigrate), as: "migrate")
    }
}

/// Returns the temporary database of `sqlite::memory:`, if that is the database.
private func configureDatabase(_ app: Application, _ config: AppConfig, sideLoops: SQLiteSideLoops?) async throws -> TemporaryDatabase? {
    /// One connection per event loop for reads, and on a file one for writes (`SQLiteWriter`) and
    /// one for reports' second reads (`SQLiteReportReader`), each on a loop of its own; a thread
    /// for each connection, the writer's and the report reader's each a pool of its own. The
    /// readers' thread pool also runs `PreparedReads`' statements (`SQLiteStatementReaders`).
    func useSQLite(path: String) {
        let configuration = SQLiteConfiguration.file(path)
        let loops = app.eventLoopGroup.makeIterator().reduce(0) { count, _ in count + 1 }
        let threadPool = NIOThreadPool(numberOfThreads: max(2, loops))
        threadPool.start()
        let sideThreads = sideLoops.map { _ in (writer: NIOThreadPool(numberOfThreads: 1), reports: NIOThreadPool(numberOfThreads: 1)) }
        sideThreads?.writer.start()
        sideThreads?.reports.start()
        let statementReaders = SQLiteStatementReaders(path: path, threadPool: threadPool)
        // Registered before Fluent's own handler, so it shuts down after Fluent closes connections.
        app.lifecycle.use(ThreadPoolShutdown(threadPools: [threadPool] + (sideThreads.map { [$0.writer, $0.reports] } ?? []),
                                             loops: sideLoops.map { [$0.writer, $0.reports] } ?? [],
                                             statementReaders: statementReaders))
        let factory = DatabaseConfigurationFactory.sqlite(configuration)
        app.databases.use(DatabaseConfigurationFactory {
            DedicatedThreadPoolConfiguration(base: factory.make(), threadPool: threadPool, statementReaders: statementReaders)
        }, as: .sqlite)
        if let sideLoops, let sideThreads {
            app.databases.use(DatabaseConfigurationFactory {
                DedicatedThreadPoolConfiguration(base: factory.make(), threadPool: sideThreads.writer, eventLoopGroup: sideLoops.writer)
            }, as: .sqliteWriter, isDefault: false)
            app.databases.use(DatabaseConfigurationFactory {
                DedicatedThreadPoolConfiguration(base: factory.make(), threadPool: sideThreads.reports, eventLoopGroup: sideLoops.reports)
            }, as: .sqliteReports, isDefault: false)
        }
    }
    switch config.database {
    case .sqliteFile(let path):
        useSQLite(path: path)
        // Write-ahead logging: readers never wait for the writer; commits stay durable.
        if let sql = app.db as? any SQLDatabase {
            try await sql.raw("PRAGMA journal_mode=WAL").run()
        }
    case .sqliteMemory:
        // Registered before Fluent's handler, so the files go after the connections close.
        let temporary = try TemporaryDatabase.make()
        app.lifecycle.use(temporary)
        useSQLite(path: temporary.path)
        return temporary
    case .postgres(let url, let searchPath):
        var postgres = try SQLPostgresConfiguration(url: url)
        postgres.searchPath = searchPath
        // No just-in-time compilation: PostgreSQL compiles any query its planner costs above
        // `jit_above_cost`, which a year's statistics' reads are, and compiling took longer than
        // it saved (68 ms of a 219 ms read at 1,000,000 cases).
        postgres.coreConfiguration.options.additionalStartupParameters.append(("jit", "off"))
        app.databases.use(.postgres(configuration: postgres, maxConnectionsPerEventLoop: config.poolConnectionsPerLoop,
                                    connectionPoolTimeout: .milliseconds(Int64(config.poolTimeout * 1000))), as: .psql)
    }
    return nil
}

extension Application {
    /// Makes the indexes an interrupted `asb demo-data` load left out, then applies pending
    /// migrations and, on an empty database, creates the first admin. Returns the admin's
    /// generated password when one was created.
    func prepareDatabase() async throws -> String? {
        try await makeIndexesLeftOut()
        try await autoMigrate()
        try await AssessmentService.storeCurrentQuestionnaire(in: self)
        return try await UserService(app: self, db: db, requestID: nil).bootstrapAdminIfNeeded()
    }

    /// On SQLite, makes the indexes a demo data load stopped before its end left out
    /// (`DemoBulkWriter.makeLeftOutIndexes`), before any migration, which may change an index.
    func makeIndexesLeftOut() async throws {
        let made = try await DemoBulkWriter.makeLeftOutIndexes(self)
        if made > 0 {
            logger.notice("Made the indexes a demo data load stopped before its end had left out", metadata: ["indexes": "\(made)"])
        }
    }
}
