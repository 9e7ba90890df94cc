@testable import ASBServer
import ASBCore
import Fluent
import FluentSQL
import Foundation
import Testing
import Vapor

@Suite("SQLite backup and restore", .enabled(if: TestDatabase.postgresURL == nil, "SQLite only: PostgreSQL uses pg_dump"))
struct BackupTests {
    /// Every table's row count and a checksum of its rows, to compare two states of the database.
    static func fingerprint(_ app: Application) async throws -> [String: String] {
        let sql = try #require(app.db as? any SQLDatabase)
        var result: [String: String] = [:]
        struct Table: Decodable { var name: String; var sql: String }
        for table in try await sql.raw("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .all(decoding: Table.self) {
            // A table without row numbers (the person index of searches) is read in its key's order.
            let order: SQLQueryString = table.sql.hasSuffix("WITHOUT ROWID") ? "" : " ORDER BY rowid"
            let rows = try await sql.raw("SELECT * FROM \(ident: table.name)\(order)").all()
            var digest = Hasher()
            for row in rows {
                for column in row.allColumns.sorted() {
                    digest.combine(column)
                    digest.combine((try? row.decode(column: column, as: Data?.self)) ?? nil)
                    digest.combine((try? row.decode(column: column, as: String?.self)) ?? nil)
                    digest.combine((try? row.decode(column: column, as: Double?.self)) ?? nil)
                }
            }
            result[table.name] = "\(rows.count):\(digest.finalize())"
        }
        return result
    }

    @Test("asb backup copies the live database consistently while reports arrive; asb restore brings every table back exactly")
    func backupAndRestore() async throws {
        try await TestApp.run { t in
            for _ in 0..<5 { _ = try await t.submitReport() }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("asb-backup-\(UUID().uuidString).sqlite").path
            defer { try? FileManager.default.removeItem(atPath: file) }
            // Reports keep arriving while the backup is taken.
            async let writes: Void = {
                for _ in 0..<10 { _ = try await t.submitReport() }
            }()
            let printed = try await t.command(["backup", "--to", file])
            try await writes
            #expect(printed.first?.hasPrefix("Backed up to \(file): ") == true)
            let summary = try await SQLiteBackup.inspect(t.app, path: file)
            #expect((5...15).contains(summary.cases))

            let before = try await Self.fingerprint(t.app)
            #expect(before["cases"]?.hasPrefix("15:") == true)
            // Restore: the database is as the backup was, every case with its first report.
            let restored = try await t.command(["restore", "--from", file, "--yes"])
            #expect(restored.first?.hasPrefix("Restored from \(file): \(summary.cases) cases") == true)
            #expect(try await ASBCase.query(on: t.app.db).count() == summary.cases)
            for asbCase in try await ASBCase.query(on: t.app.db).all() {
                #expect(try await IncidentReport.query(on: t.app.db).filter(\.$asbCase.$id == asbCase.requireID()).count() == 1)
            }
            // A second backup of the restored database restores to the same fingerprint.
            let second = file + ".2"
            defer { try? FileManager.default.removeItem(atPath: second) }
            _ = try await t.command(["backup", "--to", second])
            let afterRestore = try await Self.fingerprint(t.app)
            for _ in 0..<3 { _ = try await t.submitReport() }
            _ = try await t.command(["restore", "--from", second, "--yes"])
            #expect(try await Self.fingerprint(t.app) == afterRestore)
            // The reference counter came back too: the next report continues the sequence.
            let next = try await t.submitReport().string("reference")
            #expect(next == CaseReference(year: 2026, number: summary.cases + 1).description)
        }
    }

    @Test("A generated dataset (asb demo-data) backs up and restores with every table's count and checksum the same")
    func generatedDataset() async throws {
        try await TestApp.run { t in
            _ = try await t.command(["demo-data", "--cases", "500", "--seed", "9", "--until", DemoDataTests.until])
            let generated = try await Self.fingerprint(t.app)
            #expect(generated["cases"]?.hasPrefix("500:") == true)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("asb-backup-\(UUID().uuidString).sqlite").path
            defer { try? FileManager.default.removeItem(atPath: file) }
            _ = try await t.command(["backup", "--to", file])
            // Work after the backup is undone by the restore.
            _ = try await t.submitReport()
            #expect(try await Self.fingerprint(t.app) != generated)
            _ = try await t.command(["restore", "--from", file, "--yes"])
            #expect(try await Self.fingerprint(t.app) == generated)
        }
    }

    @Test("Bad input changes nothing: an existing target, a missing or damaged file, no terminal to confirm on")
    func refusals() async throws {
        try await TestApp.run { t in
            _ = try await t.submitReport()
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("asb-backup-\(UUID().uuidString).sqlite").path
            defer { try? FileManager.default.removeItem(atPath: file) }
            _ = try await t.command(["backup", "--to", file])
            #expect(!FileManager.default.fileExists(atPath: file + SQLiteBackup.partialSuffix), "checked, then renamed")
            await #expect(throws: (any Error).self) { try await t.command(["backup", "--to", file]) }
            // A backup that fails part way (here: its directory does not exist) leaves no file
            // under either name; one stopped part way leaves only its `.partial` file, which the
            // next backup to that name refuses to overwrite or take for a backup.
            let nowhere = FileManager.default.temporaryDirectory.appendingPathComponent("asb-no-dir-\(UUID().uuidString)/b.sqlite").path
            await #expect(throws: (any Error).self) { try await t.command(["backup", "--to", nowhere]) }
            #expect(!FileManager.default.fileExists(atPath: nowhere) && !FileManager.default.fileExists(atPath: nowhere + ".partial"))
            let stopped = file + ".stopped"
            defer { try? FileManager.default.removeItem(atPath: stopped + SQLiteBackup.partialSuffix) }
            try Data("half a database".utf8).write(to: URL(fileURLWithPath: stopped + SQLiteBackup.partialSuffix))
            let refused = await #expect(throws: SQLiteBackup.Failure.self) { try await t.command(["backup", "--to", stopped]) }
            #expect(refused?.description.contains("stopped part way") == true)
            #expect(!FileManager.default.fileExists(atPath: stopped))
            #expect(try Data(contentsOf: URL(fileURLWithPath: stopped + SQLiteBackup.partialSuffix)) == Data("half a database".utf8))
            await #expect(throws: (any Error).self) { try await t.command(["restore", "--from", file + ".missing", "--yes"]) }
            let junk = file + ".junk"
            defer { try? FileManager.default.removeItem(atPath: junk) }
            try Data("not a database".utf8).write(to: URL(fileURLWithPath: junk))
            await #expect(throws: (any Error).self) { try await t.command(["restore", "--from", junk, "--yes"]) }
            // Without --yes and without a terminal to ask on: a clear refusal, not a prompt that crashes.
            _ = try await t.submitReport()
            t.app.asyncCommands.use(RestoreCommand(hasTerminal: { false }), as: "restore")
            await #expect(throws: NoTerminalToAsk.self) { try await t.command(["restore", "--from", file]) }
            #expect(try await ASBCase.query(on: t.app.db).count() == 2)
        }
    }
}

@Suite("Moving a dataset between databases")
struct DataTransferTests {
    static func sortedLines(_ directory: String) throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: directory) where file.hasSuffix(".jsonl") {
            let text = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            result[file] = text.split(separator: "\n").map(String.init).sorted()
        }
        return result
    }

    @Test("asb export from SQLite and asb import into a new database (PostgreSQL in CI) give every table back, row for row, and the same figures")
    func roundTrip() async throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("asb-export-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        var figures: [StatisticsService.PeriodFigures] = []
        // The source is always a SQLite file, as a landlord outgrowing one machine has.
        let source = TestApp.sqlitePath("src_" + UUID().uuidString.prefix(8))
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: source + suffix) } }
        try await TestApp.run(configure: { $0.database = .sqliteFile(source) }) { t in
            _ = try await StatisticsTests.build(t)
            figures = try await StatisticsService.figures(year: "2026/27", app: t.app, db: t.app.db, now: t.clock.now)
            // A search, its entries not yet in the person index's runs (`AuditListings`).
            let (officer, _) = try await t.staffToken(.officer)
            let search = try await t.send(.GET, "/api/v1/parties?postcode=SS2%206FY", token: officer)
            #expect(search.status == .ok && ((try? JSONSerialization.jsonObject(with: search.body)) as? [Any])?.isEmpty == false)
            let printed = try await t.command(["export", "--to", base + "/a"])
            #expect(printed.first?.hasPrefix("Exported ") == true && printed.first?.contains("(7 cases)") == true)
            await #expect(throws: (any Error).self) { try await t.command(["export", "--to", base + "/a"]) }
        }
        // The target: this run's database (PostgreSQL when ASB_TEST_DATABASE_URL is set).
        try await TestApp.run { t in
            let printed = try await t.command(["import", "--from", base + "/a"])
            #expect(printed.first?.contains("(7 cases)") == true)
            await #expect(throws: (any Error).self) { try await t.command(["import", "--from", base + "/a"]) }
            #expect(try await StatisticsService.figures(year: "2026/27", app: t.app, db: t.app.db, now: t.clock.now) == figures)
            // On SQLite the person index is made again from the search entries, as one run.
            let sql = try t.app.db.sql
            if try AuditListings.kept(on: t.app.db) {
                func count(_ query: SQLQueryString) async throws -> Int? {
                    try await sql.raw(query).first()?.decode(column: "n", as: Int.self)
                }
                let entries = try await count("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'party.search'")
                let indexed = try await count("SELECT COUNT(*) AS n FROM audit_listings")
                #expect((entries ?? 0) > 0 && indexed == entries)
                #expect(try await count("SELECT COUNT(*) AS n FROM audit_listing_runs") == 1)
                #expect(try await count("SELECT last_rowid AS n FROM audit_listing_state") == count("SELECT MAX(rowid) AS n FROM audit_events"))
            }
            _ = try await t.command(["export", "--to", base + "/b"])
            let (a, b) = (try Self.sortedLines(base + "/a"), try Self.sortedLines(base + "/b"))
            #expect(a.keys.sorted() == b.keys.sorted() && a.count == DataTransfer.models.count + 1)
            for (file, lines) in a { #expect(b[file] == lines, "\(file) differs after the round trip") }
            // The next report continues the reference sequence.
            #expect(try await t.submitReport().string("reference") == "ASB-2026-00008")
        }
    }

    @Test("A generated dataset (asb demo-data) moves from SQLite to a new database with every table's count and checksum the same")
    func generatedDataset() async throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("asb-export-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let source = TestApp.sqlitePath("src_" + UUID().uuidString.prefix(8))
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: source + suffix) } }
        var counts: [String: Int] = [:]
        try await TestApp.run(configure: { $0.database = .sqliteFile(source) }) { t in
            _ = try await t.command(["demo-data", "--cases", "500", "--seed", "9", "--until", DemoDataTests.until])
            counts = try await DataTransfer.export(t.app.db, to: base + "/a")
        }
        #expect(counts["cases"] == 500 && counts.values.reduce(0, +) > 500 * 20)
        try await TestApp.run { t in
            _ = try await t.command(["import", "--from", base + "/a"])
            let again = try await DataTransfer.export(t.app.db, to: base + "/b")
            #expect(again == counts)
            let (a, b) = (try Self.sortedLines(base + "/a"), try Self.sortedLines(base + "/b"))
            for (file, lines) in a {
                // A SHA-256 of the table's rows, in order.
                #expect(TokenHash.of(lines.joined(separator: "\n")) == TokenHash.of((b[file] ?? []).joined(separator: "\n")),
                        "\(file): checksums differ after the move")
            }
        }
    }
}
