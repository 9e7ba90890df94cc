import ASBCore
import Fluent
import FluentSQL
import Foundation
import Vapor

#if canImport(Glibc)
import Glibc
#endif

/// `asb demo-data --cases N [--seed S] [--years Y] [--until YYYY-MM-DD] [--through-services]`:
/// an invented, realistic dataset for demonstrations, training and benchmarks (see `DemoPlanner`).
struct DemoDataCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "cases", help: "How many cases to make") var cases: Int?
        @Option(name: "seed", help: "The seed (default 1): the same seed, cases, years and end date give the same data") var seed: UInt64?
        @Option(name: "years", help: "The years the cases spread over, up to the end date (default 3)") var years: Int?
        @Option(name: "until", help: "The last day cases reach, YYYY-MM-DD (default today)") var until: String?
        @Flag(name: "through-services", help: "Write every step through the services, one transaction each (slow; the reference the bulk writer matches)")
        var throughServices: Bool
        init() {}
    }

    var help: String { "Fills an empty database with invented cases: reports, casework, closures and surveys." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let cases = signature.cases, cases > 0, cases <= 20_000_000 else {
            throw DemoData.Failure(description: "--cases N is required: a number from 1 to 20,000,000.")
        }
        let years = signature.years ?? 3
        guard (1...20).contains(years) else { throw DemoData.Failure(description: "--years must be from 1 to 20.") }
        let app = context.application
        var until = app.asb.clock.now()
        if let raw = signature.until {
            guard let day = LocalDate(iso: raw) else { throw DemoData.Failure(description: "--until must be a date as YYYY-MM-DD.") }
            until = LondonTime.startOfDay(day.adding(days: 1)).addingTimeInterval(-1)
        }
        if let password = try await app.prepareDatabase() {
            context.console.output("First admin created: username admin, password \(password) (shown once: keep it safe).".consoleText())
        }
        let options = DemoData.Options(cases: cases, seed: signature.seed ?? 1, years: years,
                                       until: Date(timeIntervalSince1970: until.timeIntervalSince1970.rounded(.down)),
                                       throughServices: signature.throughServices)
        let progress = ProgressReporter(total: cases, label: "cases", interactive: isatty(STDOUT_FILENO) == 1)
        let summary = try await DemoData.generate(app, options, note: { progress.note($0) }) { progress.update($0) }
        progress.finish()
        let rate = Double(cases) / max(summary.seconds, 0.001)
        context.console.output(("Made \(cases) cases (\(summary.statusCounts.map { "\($0.value) \($0.key)" }.sorted().joined(separator: ", "))) "
            + "in \(String(format: "%.1f", summary.seconds)) s, \(Int(rate)) cases/s, seed \(options.seed), "
            + "\(options.years) years to \(LondonTime.localDateTime(for: options.until).date).").consoleText())
    }
}

/// A progress bar with rate and time left on a terminal; a plain line every 5% (at most every
/// 2 s) when the output goes to a file or a pipe.
final class ProgressReporter: @unchecked Sendable {
    let total: Int
    let label: String
    let interactive: Bool
    private let started = Date()
    private var lastPrinted = Date.distantPast
    private var lastPercent = -1

    init(total: Int, label: String, interactive: Bool) {
        self.total = total
        self.label = label
        self.interactive = interactive
    }

    func update(_ done: Int) {
        let now = Date()
        let elapsed = now.timeIntervalSince(started)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let left = rate > 0 ? Double(total - done) / rate : 0
        let percent = total > 0 ? done * 100 / total : 100
        if interactive {
            guard now.timeIntervalSince(lastPrinted) >= 0.1 || done == total else { return }
            let width = 30
            let filled = total > 0 ? width * done / total : width
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            write("\r\(bar) \(percent)% \(done)/\(total) \(label), \(Int(rate))/s, \(Self.duration(left)) left   ")
        } else {
            guard (percent / 5 > lastPercent / 5 && now.timeIntervalSince(lastPrinted) >= 2) || done == total else { return }
            lastPercent = percent
            write("\(done)/\(total) \(label) (\(percent)%), \(Int(rate))/s, \(Self.duration(left)) left\n")
        }
        lastPrinted = now
    }

    func finish() {
        if interactive { write("\n") }
    }

    /// A line of its own (below the bar on a terminal).
    func note(_ text: String) {
        write((interactive ? "\n" : "") + text + "\n")
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m" : s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
    }
}

/// Demo data: plans cases and writes them, through the services or in bulk.
enum DemoData {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    struct Options: Sendable {
        var cases: Int
        var seed: UInt64
        var years: Int
        var until: Date
        var throughServices: Bool
        /// Cases per batch built in bulk.
        var casesPerBatch = DemoData.casesPerBatch
        /// Batches per write transaction in bulk.
        var batchesPerTransaction = DemoData.batchesPerTransaction
    }

    struct Summary: Sendable {
        var seconds: Double
        var statusCounts: [String: Int]
        /// Whether the bulk load wrote an SQLite file with a rollback journal rather than the log.
        var rollbackJournal = false
    }

    /// Cases per batch built in bulk, unless the options say otherwise.
    static let casesPerBatch = 1000
    /// Batches per write transaction in bulk, unless the options say otherwise: four commits
    /// fewer write the pages all four batches change once instead of four times (a quarter fewer
    /// bytes written at 1,000,000 cases), while the batches in memory stay of 1,000 cases.
    static let batchesPerTransaction = 4

    /// Plans and writes the cases. On an SQLite file the bulk writer closes the application's
    /// reading connections to write with a rollback journal (`DemoBulkWriter.start`): a
    /// `Database` taken from `app.db` before fails after it; take `app.db` again.
    static func generate(_ app: Application, _ options: Options, note: (String) -> Void = { _ in },
                         progress: (Int) -> Void = { _ in }) async throws -> Summary {
        let started = Date()
        var rollbackJournal = false
        let existing = try await ASBCase.query(on: app.db).count()
        guard existing == 0 else {
            throw Failure(description: "The database holds \(existing) cases already: demo data goes into an empty database.")
        }
        let staff = try await DemoStaff.prepare(app, cases: options.cases, seed: options.seed,
                                                now: options.until.addingTimeInterval(-TimeInterval(options.years) * 366 * 86400))
        var planner = DemoPlanner(seed: options.seed, until: options.until, years: options.years,
                                  neighbourhoods: DemoPlanner.neighbourhoods(), officers: staff.officers.count,
                                  teamLeaders: staff.leaders.count)
        planner.expectedCount = options.cases
        if options.throughServices {
            let writer = DemoServiceWriter(app: app, staff: staff, seed: options.seed)
            for index in 0..<options.cases {
                try await writer.write(planner.plan(index))
                progress(index + 1)
            }
        } else {
            let calendar = try await CalendarService(app: app, db: app.db, requestID: nil).calendar()
            let writer = DemoBulkWriter(app: app, staff: staff, seed: options.seed, calendar: calendar,
                                        batchesPerTransaction: options.batchesPerTransaction)
            do {
                try await writer.start(note: note)
                var index = 0
                while index < options.cases {
                    let end = min(index + max(1, options.casesPerBatch), options.cases)
                    try await writer.add((index..<end).map { planner.plan($0) })
                    index = end
                    progress(writer.writtenCases)
                }
                try await writer.finish(note: note)
            } catch {
                // What was committed keeps the indexes it was written without.
                try? await writer.restore()
                throw error
            }
            progress(options.cases)
            rollbackJournal = writer.loadedWithRollbackJournal
        }
        struct StatusCount: Decodable { var status: String; var n: Int }
        var counts: [String: Int] = [:]
        if let sql = app.db as? any SQLDatabase {
            for row in try await sql.raw("SELECT status, COUNT(*) AS n FROM cases GROUP BY status").all(decoding: StatusCount.self) {
                counts[row.status] = row.n
            }
        }
        return Summary(seconds: Date().timeIntervalSince(started), statusCounts: counts, rollbackJournal: rollbackJournal)
    }
}
