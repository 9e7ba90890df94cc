import Fluent
import FluentSQL
import Foundation
import Vapor

/// `asb backup --to FILE` and `asb restore --from FILE --yes` for the SQLite database. A backup is
/// taken with `VACUUM INTO`: one read transaction, so it is consistent while the server keeps
/// serving and writing. A restore replaces every table's rows with the backup's in one
/// transaction. On PostgreSQL use `pg_dump` and `pg_restore` (see the README).
enum SQLiteBackup {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    struct Summary: Sendable, Equatable {
        var tables: Int
        var rows: Int
        var cases: Int
    }

    static func requireSQLite(_ app: Application, _ what: String) throws {
        guard case .sqliteFile = app.asb.config.database else {
            throw Failure(description: "asb \(what) works on a SQLite file; on PostgreSQL use pg_dump -Fc and pg_restore (see the README).")
        }
    }

    /// Writes a consistent copy of the live database to `path` (which must not exist yet).
    ///
    /// The copy is written to `path` + `.partial` beside it, checked (`inspect`), and only then
    /// renamed to `path`: a backup stopped part way (killed, the disk full) or that fails its
    /// check leaves no file under the name a rotation script or a person would take for a
    /// good backup. A failed one removes its partial file; a killed one leaves it, named as
    /// what it is, and the next backup to the same name refuses until it is removed.
    static func backup(_ app: Application, to path: String) async throws -> Summary {
        try requireSQLite(app, "backup")
        let target = URL(fileURLWithPath: path).standardizedFileURL.path
        let partial = target + partialSuffix
        let files = FileManager.default
        guard !files.fileExists(atPath: target) else { throw Failure(description: "\(target) exists already: choose a new file.") }
        guard !files.fileExists(atPath: partial) else {
            throw Failure(description: "\(partial) exists: a backup to \(target) is running, or one was stopped part way. Remove it and try again.")
        }
        guard let sql = app.db as? any SQLDatabase else { throw Failure(description: "No SQL database.") }
        do {
            try await sql.raw("VACUUM INTO \(bind: partial)").run()
            let summary = try await inspect(app, path: partial)
            try files.moveItem(atPath: partial, toPath: target)
            return summary
        } catch {
            try? files.removeItem(atPath: partial)
            throw error
        }
    }

    /// Added to a backup's name while it is being written and checked.
    static let partialSuffix = ".partial"

    /// Checks a backup file (integrity, made by this version) and counts what it holds.
    static func inspect(_ app: Application, path: String) async throws -> Summary {
        try await app.db.withConnection { connection in
            guard let sql = connection as? any SQLDatabase else { throw Failure(description: "No SQL database.") }
            try await sql.raw("ATTACH DATABASE \(bind: path) AS backup").run()
            do {
                let summary = try await check(sql)
                try await sql.raw("DETACH DATABASE backup").run()
                return summary
            } catch {
                try? await sql.raw("DETACH DATABASE backup").run()
                throw error
            }
        }
    }

    private struct Name: Decodable { var name: String }
    private struct Count: Decodable { var n: Int }

    /// With the backup attached as `backup`: its integrity, its migrations against this
    /// version's, and its counts. Returns the tables to copy.
    private static func check(_ sql: any SQLDatabase) async throws -> Summary {
        struct Integrity: Decodable { var integrity_check: String }
        let integrity = try await sql.raw("PRAGMA backup.integrity_check").all(decoding: Integrity.self)
        guard integrity.map(\.integrity_check) == ["ok"] else {
            throw Failure(description: "The backup is damaged: \(integrity.prefix(3).map(\.integrity_check).joined(separator: "; "))")
        }
        let theirs = try await sql.raw("SELECT name FROM backup._fluent_migrations ORDER BY name").all(decoding: Name.self).map(\.name)
        let ours = try await sql.raw("SELECT name FROM main._fluent_migrations ORDER BY name").all(decoding: Name.self).map(\.name)
        guard theirs == ours else {
            throw Failure(description: "The backup was made by another version (\(theirs.count) migrations; this one has \(ours.count)): restore it with the version that made it, then upgrade.")
        }
        let tables = try await tableNames(sql)
        var rows = 0
        for table in tables {
            rows += try await sql.raw("SELECT COUNT(*) AS n FROM backup.\(ident: table)").first(decoding: Count.self)?.n ?? 0
        }
        let cases = try await sql.raw("SELECT COUNT(*) AS n FROM backup.cases").first(decoding: Count.self)?.n ?? 0
        return Summary(tables: tables.count, rows: rows, cases: cases)
    }

    /// The live database's tables of data: not SQLite's own, nor the record of the indexes a
    /// stopped demo data load left out (`DemoBulkWriter.leftOutIndexes`), which describes this
    /// file's indexes (still missing after a restore, and made by the next `asb serve`).
    private static func tableNames(_ sql: any SQLDatabase) async throws -> [String] {
        try await sql.raw("""
            SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
            AND name <> \(bind: DemoBulkWriter.leftOutIndexes) ORDER BY name
            """).all(decoding: Name.self).map(\.name)
    }

    /// Replaces the live database's rows with the backup's, in one transaction. Stop the server
    /// first: a server still running would keep working on rows that are gone.
    static func restore(_ app: Application, from path: String) async throws -> Summary {
        try requireSQLite(app, "restore")
        let source = URL(fileURLWithPath: path).standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: source) else { throw Failure(description: "There is no file \(source).") }
        return try await app.db.withConnection { connection in
            guard let sql = connection as? any SQLDatabase else { throw Failure(description: "No SQL database.") }
            try await sql.raw("ATTACH DATABASE \(bind: source) AS backup").run()
            do {
                let summary = try await check(sql)
                let tables = try await tableNames(sql)
                try await sql.raw("PRAGMA foreign_keys = OFF").run()
                try await sql.raw("BEGIN IMMEDIATE").run()
                do {
                    for table in tables {
                        try await sql.raw("DELETE FROM main.\(ident: table)").run()
                        try await sql.raw("INSERT INTO main.\(ident: table) SELECT * FROM backup.\(ident: table)").run()
                    }
                    try await sql.raw("COMMIT").run()
                } catch {
                    try? await sql.raw("ROLLBACK").run()
                    throw error
                }
                try await sql.raw("PRAGMA foreign_keys = ON").run()
                try await sql.raw("DETACH DATABASE backup").run()
                return summary
            } catch {
                try? await sql.raw("PRAGMA foreign_keys = ON").run()
                try? await sql.raw("DETACH DATABASE backup").run()
                throw error
            }
        }
    }
}

struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "to", help: "The backup file to write (must not exist)") var to: String?
        init() {}
    }

    var help: String { "Writes a consistent copy of the SQLite database while the server runs (VACUUM INTO)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let to = signature.to else { throw SQLiteBackup.Failure(description: "--to FILE is required") }
        let app = context.application
        try await app.autoMigrate()
        let summary = try await SQLiteBackup.backup(app, to: to)
        context.console.output("Backed up to \(to): \(summary.cases) cases, \(summary.rows) rows in \(summary.tables) tables.".consoleText())
    }
}

struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "from", help: "A file written by asb backup") var from: String?
        @Flag(name: "yes", short: "y", help: "Replace the database's contents without asking") var yes: Bool
        init() {}
    }

    /// Whether standard input is a terminal (a parameter for the tests).
    var hasTerminal: @Sendable () -> Bool = NoTerminalToAsk.standardInputIsTerminal

    var help: String { "Replaces the SQLite database's contents with a backup's (stop the server first)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let from = signature.from else { throw SQLiteBackup.Failure(description: "--from FILE is required") }
        // `--yes` is usually read by the console before the command runs (`confirmOverride`).
        let answered = signature.yes || context.console.confirmOverride == true
        guard answered || context.console.confirmOverride != nil || hasTerminal() else { throw NoTerminalToAsk(command: "restore") }
        let app = context.application
        try await app.autoMigrate()
        if !answered {
            let summary = try await SQLiteBackup.inspect(app, path: from)
            context.console.output("The backup holds \(summary.cases) cases (\(summary.rows) rows). Everything in the database now will be replaced.".consoleText())
            guard context.console.confirm("Stop the server first. Restore?") else { return }
        }
        let summary = try await SQLiteBackup.restore(app, from: from)
        context.console.output("Restored from \(from): \(summary.cases) cases, \(summary.rows) rows in \(summary.tables) tables.".consoleText())
    }
}
