import Fluent
import Vapor

/// `asb serve`: applies migrations, creates the first admin on an empty database (printing its
/// password once), then serves as Vapor's own `serve` does (`--hostname`, `--port`, `--bind`).
struct ASBServeCommand: AsyncCommand {
    typealias Signature = ServeCommand.Signature

    var help: String { "Migrates the database, creates the first admin if there are no users, and serves." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        if app.asb.config.autoMigrate {
            if let password = try await app.prepareDatabase() {
                context.console.output("""
                    Created the first admin user.
                      username: admin
                      password: \(password)
                    This password is shown only this once. Sign in and change it.
                    """)
            }
        } else {
            try await app.makeIndexesLeftOut()
        }
        let config = app.asb.config
        if config.breachScanInterval > 0 {
            let scanner = BreachScanner(env: app.asb, db: app.db)
            let clock = app.asb.clock
            app.lifecycle.use(PeriodicJob(name: "breach-scan", interval: config.breachScanInterval, logger: app.logger) {
                try await scanner.scan(now: clock.now())
            })
        }
        if try AuditListings.kept(on: app.db) {
            // On SQLite search entries join the person index behind the searches (`AuditListings`): always on.
            let writes = app.asb.writes
            app.lifecycle.use(PeriodicJob(name: "audit-listings", interval: AuditListings.flushInterval, logger: app.logger,
                                          logLevel: .debug) {
                try await AuditListings.flush(writes: writes, db: app.db)
            })
            app.lifecycle.use(PeriodicJob(name: "audit-listings-merge", interval: AuditListings.compactInterval, logger: app.logger,
                                          logLevel: .debug) {
                try await AuditListings.compact(writes: writes, db: app.db)
            })
        }
        if config.closureReviewInterval > 0 {
            app.lifecycle.use(PeriodicJob(name: "closure-review", interval: config.closureReviewInterval, logger: app.logger) {
                try await ClosureService(app: app, db: app.db, requestID: nil).proposeDueClosures()
            })
        }
        if config.closureReviewInterval > 0 {
            // Daily with the closure review: draw last month's internal review sample once (SS-MON-2).
            app.lifecycle.use(PeriodicJob(name: "internal-review", interval: config.closureReviewInterval, logger: app.logger) {
                let month = InternalReviewService.previousMonth(of: app.asb.clock.now())
                let exists = try await InternalReviewSample.query(on: app.db).filter(\.$month == month).count() > 0
                guard !exists else { return 0 }
                try await InternalReviewService(app: app, db: app.db, requestID: nil).draw(month: month, by: .system)
                return 1
            })
        }
        if config.retentionInterval > 0 {
            app.lifecycle.use(PeriodicJob(name: "retention", interval: config.retentionInterval, logger: app.logger) {
                try await RetentionService(app: app, db: app.db, requestID: nil).run(dryRun: false).cases.count
            })
        }
        if config.mail.sendInterval > 0 {
            let sender = MessageSender(env: app.asb, db: app.db,
                                       transport: MailTransport.smtp(config.mail, eventLoopGroup: app.eventLoopGroup), logger: app.logger)
            if config.mail.smtpHost == nil {
                app.logger.notice("ASB_SMTP_HOST is not set: emails wait in the outbox; letters are queued for printing")
            }
            app.lifecycle.use(PeriodicJob(name: "messages", interval: config.mail.sendInterval, logger: app.logger) {
                let calendar = try await CalendarService(app: app, db: app.db, requestID: nil).calendar()
                return try await sender.run(now: app.asb.clock.now(), calendar: calendar)
            })
        }
        try await app.servers.asyncCommand.run(using: context, signature: signature)
    }
}
