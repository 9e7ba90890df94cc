import Foundation
import Vapor

/// Takes in the Maildir a mail server delivers to: each message in `new/` is processed once and
/// moved to `cur/`; one that cannot become a report goes to `quarantine/` with a `.reason` file
/// beside it, never lost and never processed twice.
struct MaildirImport {
    let intake: EmailIntake
    let directory: URL
    let logger: Logger

    struct Summary: Equatable, Sendable {
        var newCases = 0
        var addedToCases = 0
        var duplicates = 0
        var quarantined = 0
    }

    func run() async throws -> Summary {
        let files = FileManager.default
        let new = directory.appendingPathComponent("new"), cur = directory.appendingPathComponent("cur")
        let quarantine = directory.appendingPathComponent("quarantine")
        var isDirectory: ObjCBool = false
        guard files.fileExists(atPath: new.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw EmailIntake.Refused(description: "\(directory.path) is not a Maildir: it has no new/ folder")
        }
        try files.createDirectory(at: cur, withIntermediateDirectories: true)
        try files.createDirectory(at: quarantine, withIntermediateDirectories: true)
        // Maildir names sort by delivery time: oldest first.
        let names = try files.contentsOfDirectory(atPath: new.path).filter { !$0.hasPrefix(".") }.sorted()
        var summary = Summary()
        for name in names {
            let source = new.appendingPathComponent(name)
            let data: Data
            do { data = try Data(contentsOf: source) } catch { continue }   // taken by another importer meanwhile
            do {
                switch try await intake.receive(data) {
                case .newCase: summary.newCases += 1
                case .addedToCase: summary.addedToCases += 1
                case .duplicate: summary.duplicates += 1
                }
                try move(source, to: cur.appendingPathComponent(name.contains(":2,") ? name : name + ":2,S"))
            } catch let refused as EmailIntake.Refused {
                summary.quarantined += 1
                try move(source, to: quarantine.appendingPathComponent(name))
                try Data((refused.description + "\n").utf8).write(to: quarantine.appendingPathComponent(name + ".reason"))
                logger.warning("Email quarantined", metadata: ["file": "\(name)", "reason": "\(refused.description)"])
            }
            // Any other error (the database is down) leaves the file in new/ for the next run.
        }
        return summary
    }

    private func move(_ source: URL, to target: URL) throws {
        if FileManager.default.fileExists(atPath: target.path) { try FileManager.default.removeItem(at: target) }
        try FileManager.default.moveItem(at: source, to: target)
    }
}

/// `asb mail send | import`: messages from the command line, as `asb serve` does on a timer.
struct MailCommands: AsyncCommandGroup {
    var help: String { "Email: send due messages now, or import a Maildir of received reports." }

    var commands: [String: any AnyAsyncCommand] { ["send": SendCommand(), "import": ImportCommand()] }

    struct SendCommand: AsyncCommand {
        struct Signature: CommandSignature { init() {} }
        var help: String { "Queues due reminders and sends due emails once, then exits." }

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            try await app.autoMigrate()
            let transport = MailTransport.smtp(app.asb.config.mail, eventLoopGroup: app.eventLoopGroup)
            if transport == nil { context.console.output("ASB_SMTP_HOST is not set: reminders are queued, nothing is sent.") }
            let calendar = try await CalendarService(app: app, db: app.db, requestID: nil).calendar()
            let count = try await MessageSender(env: app.asb, db: app.db, transport: transport, logger: app.logger)
                .run(now: app.asb.clock.now(), calendar: calendar)
            context.console.output("Queued or sent \(count) message\(count == 1 ? "" : "s").".consoleText())
        }
    }

    struct ImportCommand: AsyncCommand {
        struct Signature: CommandSignature {
            @Option(name: "maildir", help: "The Maildir a mail server delivers reports to (with new/ and cur/)") var maildir: String?
            init() {}
        }
        var help: String { "Takes each message in MAILDIR/new as a report, once; failures go to MAILDIR/quarantine." }

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            guard let path = signature.maildir else { throw EmailIntake.Refused(description: "--maildir DIR is required") }
            try await app.autoMigrate()
            let summary = try await MaildirImport(intake: EmailIntake(app: app, db: app.db, requestID: nil),
                                                  directory: URL(fileURLWithPath: path), logger: app.logger).run()
            context.console.output("""
                New cases: \(summary.newCases); added to cases: \(summary.addedToCases); \
                already taken in: \(summary.duplicates); quarantined: \(summary.quarantined)
                """.consoleText())
        }
    }
}
