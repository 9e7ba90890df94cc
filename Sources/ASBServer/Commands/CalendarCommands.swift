import ASBCore
import Foundation
import Vapor

/// `asb calendar holidays | import | deadlines`: the working calendar from the command line.
struct CalendarCommands: AsyncCommandGroup {
    var help: String { "The working calendar: holidays, GOV.UK import, and deadlines for a receipt time." }

    var commands: [String: any AnyAsyncCommand] {
        ["holidays": HolidaysCommand(), "import": ImportCommand(), "deadlines": DeadlinesCommand()]
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func region(_ raw: String?) throws -> CalendarRegion? {
        guard let raw else { return nil }
        guard let region = CalendarRegion(rawValue: raw.lowercased()) else {
            throw Failure(description: "--region must be one of: " + CalendarRegion.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return region
    }

    /// `asb calendar holidays --from YEAR --to YEAR [--region R]`: one `YYYY-MM-DD<TAB>name` line per day.
    struct HolidaysCommand: AsyncCommand {
        struct Signature: CommandSignature {
            @Option(name: "from", help: "First year (1970–2100)") var from: Int?
            @Option(name: "to", help: "Last year (defaults to --from)") var to: Int?
            @Option(name: "region", help: "england-and-wales (default: ASB_CALENDAR_REGION), scotland or northern-ireland")
            var region: String?
            init() {}
        }

        var help: String { "Prints the non-working days of the years: YYYY-MM-DD<TAB>name." }

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            guard let from = signature.from else { throw Failure(description: "--from YEAR is required") }
            let to = signature.to ?? from
            guard from <= to, BankHolidays.supportedYears.contains(from), BankHolidays.supportedYears.contains(to) else {
                throw Failure(description: "Years must run forwards, from 1970 to 2100")
            }
            try await app.autoMigrate()
            let service = CalendarService(app: app, db: app.db, requestID: nil)
            let calendar = try await service.calendar(region: try CalendarCommands.region(signature.region))
            for year in from...to {
                for holiday in calendar.holidays(in: year) {
                    context.console.output("\(holiday.date)\t\(holiday.name)".consoleText())
                }
            }
        }
    }

    /// `asb calendar import FILE`: applies a GOV.UK bank-holidays JSON file.
    struct ImportCommand: AsyncCommand {
        struct Signature: CommandSignature {
            @Argument(name: "file", help: "A GOV.UK bank-holidays.json file") var file: String
            init() {}
        }

        var help: String { "Applies a GOV.UK bank-holidays JSON file as the holidays of the years it covers." }

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: signature.file)) } catch {
                throw Failure(description: "Cannot read \(signature.file): \(error.localizedDescription)")
            }
            try await app.autoMigrate()
            let imported: [CalendarRegion: ClosedRange<Int>]
            do {
                imported = try await CalendarService(app: app, db: app.db, requestID: nil).importGovUK(data, by: .system)
            } catch is DecodingError {
                throw Failure(description: "\(signature.file) is not in the GOV.UK bank-holidays format")
            }
            if imported.isEmpty { throw Failure(description: "\(signature.file) has no events for any region") }
            for (region, years) in imported.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                context.console.output("Imported \(region.rawValue): \(years.lowerBound)–\(years.upperBound)".consoleText())
            }
        }
    }

    /// `asb calendar deadlines --received 2026-12-24T16:00 --priority 1`: `milestone<TAB>due` lines.
    struct DeadlinesCommand: AsyncCommand {
        struct Signature: CommandSignature {
            @Option(name: "received", help: "When the report was received: YYYY-MM-DDTHH:MM in UK time, or ISO 8601 with an offset")
            var received: String?
            @Option(name: "priority", help: "1, 2 or 3") var priority: Int?
            @Flag(name: "explain", help: "Add the rule, in words, as a third column") var explain: Bool
            init() {}
        }

        var help: String { "Prints each milestone and its due time (ISO 8601 with the UK offset) for a receipt and priority." }

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            guard let raw = signature.received, let received = CalendarCommands.parseReceived(raw) else {
                throw Failure(description: "--received must be YYYY-MM-DDTHH:MM (UK time) or ISO 8601 with an offset")
            }
            guard let rawPriority = signature.priority, let priority = Priority(rawValue: rawPriority) else {
                throw Failure(description: "--priority must be 1, 2 or 3")
            }
            try await app.autoMigrate()
            let calendar = try await CalendarService(app: app, db: app.db, requestID: nil).calendar()
            for deadline in ServiceClock.deadlines(receivedAt: received, priority: priority, calendar: calendar) {
                var line = "\(deadline.milestone.rawValue)\t\(CalendarCommands.isoWithUKOffset(deadline.dueAt))"
                if signature.explain { line += "\t\(deadline.explanation)" }
                context.console.output(line.consoleText())
            }
        }
    }

    /// A wall-clock time in the UK (`2026-12-24T16:00`, seconds optional), or an ISO 8601 instant with an offset.
    static func parseReceived(_ raw: String) -> Date? {
        if let instant = try? Date(raw, strategy: .iso8601) { return instant }
        let parts = raw.split(separator: "T")
        guard parts.count == 2, let date = LocalDate(iso: parts[0]) else { return nil }
        let time = parts[1].split(separator: ":").compactMap { Int($0) }
        guard (2...3).contains(time.count),
              let local = LocalDateTime(date: date, hour: time[0], minute: time[1], second: Double(time.count == 3 ? time[2] : 0))
        else { return nil }
        return LondonTime.date(for: local)
    }

    /// `2026-12-29T16:00:00+00:00`, `2027-06-01T09:00:00+01:00`.
    static func isoWithUKOffset(_ date: Date) -> String {
        let local = LondonTime.localDateTime(for: date)
        let offset = LondonTime.secondsFromGMT(at: date)
        return String(format: "%@T%02d:%02d:%02d%@%02d:%02d", local.date.description, local.hour, local.minute, local.second,
                      offset < 0 ? "-" : "+", abs(offset) / 3600, abs(offset) % 3600 / 60)
    }
}

/// `asb breach-scan`: records every breached deadline once, as `asb serve` does every minute.
struct BreachScanCommand: AsyncCommand {
    struct Signature: CommandSignature { init() {} }

    var help: String { "Records each breached deadline once (timeline and audit), then exits." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let count = try await BreachScanner(env: app.asb, db: app.db).scan(now: app.asb.clock.now())
        context.console.output("Recorded \(count) breached deadline\(count == 1 ? "" : "s").".consoleText())
    }
}

/// Runs a piece of scheduled work on a timer while `asb serve` runs; stopped with the application.
/// The work itself is safe on several instances, so every instance may run it.
final class PeriodicJob: LifecycleHandler, Sendable {
    private let task: Task<Void, Never>

    /// - Parameters:
    ///   - work: does one round and returns how many things it did (logged when non-zero).
    ///   - logLevel: the level of that log line (a job that runs every second logs at `.debug`).
    init(name: String, interval: TimeInterval, logger: Logger, logLevel: Logger.Level = .notice,
         work: @escaping @Sendable () async throws -> Int) {
        task = Task {
            while !Task.isCancelled {
                do {
                    let count = try await work()
                    if count > 0 { logger.log(level: logLevel, "Scheduled work done", metadata: ["job": "\(name)", "count": "\(count)"]) }
                } catch {
                    logger.error("Scheduled work failed", metadata: ["job": "\(name)", "error": "\(String(reflecting: error))"])
                }
                try? await Task.sleep(for: .seconds(interval))
            }
        }
    }

    func shutdownAsync(_ application: Application) async {
        task.cancel()
        await task.value
    }
}

/// `asb closure-review`: proposes closure on every case with no new reports for 60 days, once,
/// as `asb serve` does daily. It never closes a case.
struct ClosureReviewCommand: AsyncCommand {
    struct Signature: CommandSignature { init() {} }

    var help: String { "Proposes closure (no new reports for 60 days) on each due case, once, then exits." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let count = try await ClosureService(app: app, db: app.db, requestID: nil).proposeDueClosures()
        context.console.output("Proposed closure on \(count) case\(count == 1 ? "" : "s").".consoleText())
    }
}
