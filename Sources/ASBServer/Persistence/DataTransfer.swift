import ASBCore
import Fluent
import FluentSQL
import Foundation
import Vapor

/// `asb export --to DIR` and `asb import --from DIR`: a whole dataset as one JSON-lines file per
/// table, through the Fluent models, so it moves between SQLite and PostgreSQL (a landlord
/// outgrowing one machine) whatever each database calls its column types. Transient tables
/// (sign-in throttling, form sessions) are left out, and so is the person index of search
/// entries (`AuditListings`), which the import makes again from the audit trail.
enum DataTransfer {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Every table, each after the tables it refers to.
    static let models: [any Model.Type] = [
        PartnerAgency.self, User.self, APIToken.self, RecoveryCode.self, Neighbourhood.self, Property.self, Party.self,
        ASBCase.self, CaseParty.self, IncidentReport.self, AuditEvent.self, CaseEvent.self, IdempotencyRecord.self,
        CalendarOverride.self, ImportedHoliday.self, CaseMilestone.self, RiskQuestionnaireRecord.self, RiskAssessmentRecord.self,
        Referral.self, ReferralUpdate.self, LeadAgencyDecision.self, ContactPlan.self, ContactLogEntry.self, ActionPlan.self,
        PlanAction.self, WitnessEvidenceRecord.self, EnforcementAction.self, ReviewMeeting.self, Attachment.self,
        AttachmentContent.self, ClosureProposal.self, ClosureContactRecord.self, SatisfactionSurvey.self, CommunityNotice.self,
        CaseReviewApplication.self, OutboxMessage.self, InboundEmail.self, Open311Client.self, Open311Request.self,
        Feedback.self, InternalReviewSample.self, InternalCaseReview.self, DissatisfactionReview.self,
        DissatisfactionAction.self, HomesCount.self,
    ]

    /// The case reference counters: a plain table (year, last number), not a model.
    static let counters = "case_reference_counters"
    private struct Counter: Codable { var year: Int; var last_number: Int }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }

    /// Writes each table to `DIR/<table>.jsonl`; returns the rows written per table.
    static func export(_ db: any Database, to directory: String) async throws -> [String: Int] {
        let base = URL(fileURLWithPath: directory, isDirectory: true)
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        guard (try FileManager.default.contentsOfDirectory(atPath: base.path)).filter({ $0.hasSuffix(".jsonl") }).isEmpty else {
            throw Failure(description: "\(base.path) already holds an export: choose an empty directory.")
        }
        var counts: [String: Int] = [:]
        for model in models { counts[model.schema] = try await export(model, db, to: base) }
        // The reference counters are a plain table: year and last number.
        guard let sql = db as? any SQLDatabase else { throw Failure(description: "No SQL database.") }
        let rows = try await sql.raw("SELECT year, last_number FROM \(ident: counters) ORDER BY year").all(decoding: Counter.self)
        try write(rows.map { try encoder.encode($0) }, to: base.appendingPathComponent("\(counters).jsonl"))
        counts[counters] = rows.count
        return counts
    }

    private static func export<M: Model>(_ model: M.Type, _ db: any Database, to base: URL) async throws -> Int {
        let url = base.appendingPathComponent("\(M.schema).jsonl")
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else { throw Failure(description: "Cannot write \(url.path).") }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var query = M.query(on: db)
        // A follow-up case refers to the case it follows: older cases first.
        if M.self == ASBCase.self { query = query.sort(FieldKey("received_at")) }
        let progress = ExportProgress()
        let encoder = Self.encoder
        // The EventLoopFuture form: FluentKit 1.57's async `chunk` drops the last, partial chunk.
        try await query.chunk(max: 500, closure: { chunk in
            var data = Data()
            for result in chunk {
                do {
                    data.append(try encoder.encode(try result.get()))
                    data.append(0x0A)
                    progress.count += 1
                } catch {
                    progress.failure = error
                }
            }
            handle.write(data)
        }).get()
        if let failure = progress.failure { throw failure }
        return progress.count
    }

    private static func write(_ lines: [Data], to url: URL) throws {
        var data = Data()
        for line in lines {
            data.append(line)
            data.append(0x0A)
        }
        try data.write(to: url)
    }

    /// Loads an export into an empty database (migrated, no cases and no users), in one
    /// transaction; returns the rows read per table.
    /// `calendarRegion` fills in the milestones' working times where an older export has none.
    static func importAll(_ db: any Database, from directory: String, calendarRegion: CalendarRegion) async throws -> [String: Int] {
        let base = URL(fileURLWithPath: directory, isDirectory: true)
        for model in models where !FileManager.default.fileExists(atPath: base.appendingPathComponent("\(model.schema).jsonl").path) {
            throw Failure(description: "\(base.path) is not a complete export: \(model.schema).jsonl is missing.")
        }
        guard try await ASBCase.query(on: db).count() == 0, try await User.query(on: db).count() == 0 else {
            throw Failure(description: "The database already holds cases or users: import only into a new, empty database.")
        }
        return try await db.transaction { db in
            // What migrations seeded (the partner directory, the risk questionnaire) is replaced by the export's.
            for model in models.reversed() { try await deleteAll(model, db) }
            var counts: [String: Int] = [:]
            for model in models { counts[model.schema] = try await load(model, db, from: base) }
            guard let sql = db as? any SQLDatabase else { throw Failure(description: "No SQL database.") }
            try await sql.raw("DELETE FROM \(ident: counters)").run()
            let counterLines = try lines(of: base.appendingPathComponent("\(counters).jsonl"))
            for line in counterLines {
                let counter = try decoder.decode(Counter.self, from: line)
                try await sql.raw("INSERT INTO \(ident: counters) (year, last_number) VALUES (\(bind: counter.year), \(bind: counter.last_number))").run()
            }
            counts[counters] = counterLines.count
            // The person index of search entries is made from the entries, not exported.
            try await AuditListings.rebuild(on: db)
            // Exports made before the milestones carried these copies.
            try await UpdateMilestoneAddElapsedAndCaseClosed.fillIn(on: db, calendar: try await CalendarService.load(calendarRegion, on: db))
            return counts
        }
    }

    private static func deleteAll<M: Model>(_ model: M.Type, _ db: any Database) async throws {
        try await M.query(on: db).delete()
    }

    private static func lines(of url: URL) throws -> [Data] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        return try Data(contentsOf: url).split(separator: 0x0A).filter { !$0.isEmpty }.map { Data($0) }
    }

    private static func load<M: Model>(_ model: M.Type, _ db: any Database, from base: URL) async throws -> Int {
        let all = try lines(of: base.appendingPathComponent("\(M.schema).jsonl"))
        for start in stride(from: 0, to: all.count, by: 200) {
            let batch = try all[start..<min(start + 200, all.count)].enumerated().map { offset, line in
                do { return try decoder.decode(M.self, from: line) } catch {
                    throw Failure(description: "\(M.schema).jsonl line \(start + offset + 1) cannot be read: \(error)")
                }
            }
            try await batch.create(on: db)
        }
        return all.count
    }
}

/// What one table's export has done so far (Fluent calls the chunk handler once per chunk, one after another).
private final class ExportProgress: @unchecked Sendable {
    var count = 0
    var failure: (any Error)?
}

struct ExportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "to", help: "An empty directory for the export") var to: String?
        init() {}
    }

    var help: String { "Writes the whole dataset as JSON lines, one file per table, to move it to another database." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let to = signature.to else { throw DataTransfer.Failure(description: "--to DIR is required") }
        let app = context.application
        try await app.autoMigrate()
        let counts = try await DataTransfer.export(app.db, to: to)
        context.console.output("Exported \(counts.values.reduce(0, +)) rows from \(counts.count) tables to \(to) (\(counts["cases"] ?? 0) cases).".consoleText())
    }
}

struct ImportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "from", help: "A directory written by asb export") var from: String?
        init() {}
    }

    var help: String { "Loads an export into a new, empty database (ASB_DATABASE_URL), in one transaction." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let from = signature.from else { throw DataTransfer.Failure(description: "--from DIR is required") }
        let app = context.application
        try await app.autoMigrate()
        let counts = try await DataTransfer.importAll(app.db, from: from, calendarRegion: app.asb.config.calendarRegion)
        context.console.output("Imported \(counts.values.reduce(0, +)) rows into \(counts.count) tables (\(counts["cases"] ?? 0) cases).".consoleText())
    }
}
