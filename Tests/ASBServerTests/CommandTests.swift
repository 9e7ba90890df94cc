@testable import ASBServer
import ASBCore
import ConsoleKit
import Fluent
import Foundation
import Testing
import Vapor

/// A console that records what a command prints and answers input from a queue.
final class RecordingConsole: Console, @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    private var pending: [String]
    private var current = ""
    var userInfo: [AnySendableHashable: any Sendable] = [:]
    var size: (width: Int, height: Int) { (120, 40) }

    init(input: [String] = []) { pending = input }

    var output: [String] { lock.withLock { lines + (current.isEmpty ? [] : [current]) } }

    func input(isSecure: Bool) -> String { lock.withLock { pending.isEmpty ? "" : pending.removeFirst() } }
    func output(_ text: ConsoleText, newLine: Bool) {
        lock.withLock {
            current += text.description
            if newLine {
                lines.append(contentsOf: current.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
                current = ""
            }
        }
    }
    func clear(_ type: ConsoleClear) {}
    func report(error: String, newLine: Bool) { output(error.consoleText(), newLine: newLine) }
}

extension TestApp {
    /// Runs `asb <arguments>` in this app, as the executable would, and returns what it printed.
    func command(_ arguments: [String], input: [String] = []) async throws -> [String] {
        let console = RecordingConsole(input: input)
        var context = CommandContext(console: console, input: CommandInput(arguments: ["asb"] + arguments))
        context.application = app
        // As the executable runs it: the console reads the global flags (--yes, --no, --help) first.
        try await console.run(app.asyncCommands.group(), with: context)
        return console.output
    }
}

/// A migration for `asb migrate` to find still to run (Fluent names migrations by their type, which
/// must not be local).
struct MigrateProbe: AsyncMigration {
    func prepare(on database: any Database) async throws { try await database.schema("migrate_probe").id().create() }
    func revert(on database: any Database) async throws { try await database.schema("migrate_probe").delete() }
}

@Suite("The asb command line")
struct CommandTests {
    @Test("asb calendar holidays prints YYYY-MM-DD<TAB>name for each day of the years")
    func holidays() async throws {
        try await TestApp.run { t in
            let lines = try await t.command(["calendar", "holidays", "--from", "2026", "--to", "2027"])
            #expect(lines.count == 16)
            #expect(lines.first == "2026-01-01\tNew Year’s Day" || lines.first == "2026-01-01\tNew Year's Day")
            #expect(lines.contains("2027-12-28\tBoxing Day (substitute day)"))
            let scotland = try await t.command(["calendar", "holidays", "--from", "2026", "--region", "scotland"])
            #expect(scotland.contains { $0.hasPrefix("2026-11-30\t") })
            await #expect(throws: (any Error).self) { try await t.command(["calendar", "holidays", "--from", "1850"]) }
            await #expect(throws: (any Error).self) { try await t.command(["calendar", "holidays", "--from", "2026", "--region", "wales"]) }
        }
    }

    @Test("SS-RT-2: asb calendar deadlines prints each milestone's due time with the UK offset")
    func deadlines() async throws {
        try await TestApp.run { t in
            #expect(try await t.command(["calendar", "deadlines", "--received", "2026-12-24T16:00", "--priority", "1"])
                    == ["response\t2026-12-29T16:00:00+00:00"])
            #expect(try await t.command(["calendar", "deadlines", "--received", "2026-11-23T14:00", "--priority", "2"])
                    == ["acknowledgement\t2026-11-24T14:00:00+00:00", "investigationStart\t2026-12-01T00:00:00+00:00"])
            // Summer time: the offset is +01:00.
            #expect(try await t.command(["calendar", "deadlines", "--received", "2026-06-01T09:00", "--priority", "1"])
                    == ["response\t2026-06-02T09:00:00+01:00"])
            let explained = try await t.command(["calendar", "deadlines", "--received", "2026-12-18T10:00", "--priority", "3", "--explain"])
            #expect(explained.first?.hasPrefix("response\t2027-01-07T00:00:00+00:00\t") == true, "\(explained)")
            await #expect(throws: (any Error).self) {
                try await t.command(["calendar", "deadlines", "--received", "yesterday", "--priority", "1"])
            }
            await #expect(throws: (any Error).self) {
                try await t.command(["calendar", "deadlines", "--received", "2026-12-24T16:00", "--priority", "4"])
            }
        }
    }

    @Test("asb calendar import applies a GOV.UK file for the years it covers, replacing the computed holidays")
    func importGovUK() async throws {
        try await TestApp.run { t in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("bank-holidays-\(UUID()).json")
            defer { try? FileManager.default.removeItem(at: file) }
            let json = """
                {"england-and-wales": {"division": "england-and-wales", "events": [
                  {"title": "New Year’s Day", "date": "2030-01-01", "notes": "", "bunting": true},
                  {"title": "Extra day for a royal occasion", "date": "2030-06-14", "notes": "", "bunting": true}
                ]}}
                """
            try Data(json.utf8).write(to: file)
            let printed = try await t.command(["calendar", "import", file.path])
            #expect(printed == ["Imported england-and-wales: 2030–2030"])
            let lines = try await t.command(["calendar", "holidays", "--from", "2030"])
            #expect(lines.count == 2, "The file's list replaces the computed year")
            #expect(lines.contains("2030-06-14\tExtra day for a royal occasion"))
            #expect(try await t.command(["calendar", "holidays", "--from", "2031"]).count == 8, "Other years stay computed")

            let broken = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID()).json")
            defer { try? FileManager.default.removeItem(at: broken) }
            try Data("{\"nope\": 1}".utf8).write(to: broken)
            await #expect(throws: (any Error).self) { try await t.command(["calendar", "import", broken.path]) }
        }
    }

    @Test("asb breach-scan records breached deadlines once")
    func breachScan() async throws {
        try await TestApp.run { t in
            _ = try await t.submitReport(["hate": true, "hateStrands": ["race"]])
            t.clock.advance(by: 2 * 86_400)
            #expect(try await t.command(["breach-scan"]) == ["Recorded 1 breached deadline."])
            #expect(try await t.command(["breach-scan"]) == ["Recorded 0 breached deadlines."])
        }
    }

    @Test("asb create-user reads the password from standard input and refuses bad input clearly")
    func createUser() async throws {
        try await TestApp.run { t in
            let printed = try await t.command(["create-user", "--username", "Jo.Bloggs", "--role", "officer", "--display-name", "Jo Bloggs"],
                                              input: ["a long enough password"])
            #expect(printed.count == 1 && printed[0].hasPrefix("Created jo.bloggs (officer)"))
            let login = try await t.send(.POST, "/api/v1/sessions", json: ["username": "jo.bloggs", "password": "a long enough password"])
            #expect(login.status == .created)
            await #expect(throws: (any Error).self) { try await t.command(["create-user", "--role", "officer"], input: ["long enough pw 1"]) }
            await #expect(throws: (any Error).self) {
                try await t.command(["create-user", "--username", "x.y", "--role", "wizard"], input: ["long enough pw 1"])
            }
            await #expect(throws: (any Error).self) {
                try await t.command(["create-user", "--username", "x.y", "--role", "officer"], input: ["short"])
            }
            await #expect(throws: (any Error).self) {
                try await t.command(["create-user", "--username", "jo.bloggs", "--role", "officer"], input: ["another long password"])
            }
        }
    }

    @Test("asb migrate without a terminal stops with a clear message unless --yes answers for it; on a terminal it asks")
    func migrateWithoutTerminal() async throws {
        try await TestApp.run { t in
            let fluent = try #require((t.app.asyncCommands.commands["migrate"] as? ASBMigrateCommand)?.fluent)
            func use(terminal: Bool) { t.app.asyncCommands.use(ASBMigrateCommand(fluent: fluent, hasTerminal: { terminal }), as: "migrate") }
            func pending() async throws -> Int { try await t.app.migrator.previewPrepareBatch().get().count }
            // One migration still to run.
            t.app.migrations.add(MigrateProbe())
            use(terminal: false)
            let reverted = try await pending()
            #expect(reverted == 1)
            await #expect(throws: NoTerminalToAsk.self) { try await t.command(["migrate"]) }
            #expect(try await pending() == reverted, "Nothing is applied")
            #expect(try await t.command(["migrate", "--help"]).contains { $0.contains("revert") })
            use(terminal: true)
            let asked = try await t.command(["migrate"], input: ["n"])
            #expect(asked.contains { $0.contains("Would you like to continue?") } && asked.contains { $0.contains("Migration cancelled") })
            #expect(try await pending() == reverted)
            use(terminal: false)
            #expect(try await t.command(["migrate", "-y"]).contains("Migration successful"))
            #expect(try await pending() == 0)
        }
    }

    @Test("asb migrate --revert undoes every migration, and migrating again gives a working database")
    func revertEverything() async throws {
        try await TestApp.run { t in
            // The first report's reference, before and after: the counters start again.
            let before = try await t.submitReport().json["reference"] as? String
            #expect(try await t.command(["migrate", "--revert", "--yes"]).contains("Migration successful"))
            let all = Migrations.all(calendarRegion: .englandAndWales).count + 1 // and the sessions' table
            #expect(try await t.app.migrator.previewPrepareBatch().get().count == all, "every migration is pending again")
            #expect(try await t.command(["migrate", "--yes"]).contains("Migration successful"))
            try await AssessmentService.storeCurrentQuestionnaire(in: t.app)
            #expect(try await t.submitReport().json["reference"] as? String == before)
        }
    }
}

