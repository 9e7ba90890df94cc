@testable import ASBServer
import ASBCore
import Fluent
import FluentSQL
import FluentSQLiteDriver
import Foundation
import Testing
import Vapor

@Suite("Demo data", .serialized)
struct DemoDataTests {
    /// The last day of the demo window in these tests: a fixed date, so the data is the same on every run.
    static let until = "2026-11-20"

    static func options(cases: Int, seed: UInt64, years: Int = 1, throughServices: Bool = false) -> DemoData.Options {
        let day = LocalDate(iso: until)!
        return DemoData.Options(cases: cases, seed: seed, years: years,
                                until: LondonTime.startOfDay(day.adding(days: 1)).addingTimeInterval(-1),
                                throughServices: throughServices)
    }

    /// The whole database as `asb export` writes it, made comparable between two databases: every
    /// id becomes a label that does not depend on the random ids (a case by its reference, a
    /// person by name and address, staff by username, any other row by its contents), and each
    /// table's rows are sorted.
    static func canonical(_ app: Application) async throws -> [String: [String]] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("asb-demo-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try await DataTransfer.export(app.db, to: directory)
        var tables: [String: [[String: Any]]] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: directory) where file.hasSuffix(".jsonl") {
            let text = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            tables[String(file.dropLast(6))] = try text.split(separator: "\n").map {
                try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
        }
        let uuid = try Regex("[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
        var labels: [String: String] = [:]
        func natural(_ table: String, _ row: [String: Any]) -> String? {
            switch table {
            case "cases": "case:\(row["reference"]!)"
            case "users": "user:\(row["username"]!)"
            case "neighbourhoods": "neighbourhood:\(row["name"]!)"
            case "parties": "party:\(row["name_key"] ?? "-")|\(row["address_key"] ?? "-")|\(row["email"] ?? "-")"
            default: nil
            }
        }
        func relabel(_ value: Any) -> Any {
            switch value {
            case let text as String:
                text.replacing(uuid) { labels[String(text[$0.range]).uppercased()] ?? "?" }
            case let array as [Any]: array.map(relabel)
            case let object as [String: Any]: object.mapValues(relabel)
            default: value
            }
        }
        func line(_ row: [String: Any]) throws -> String {
            var row = row
            row.removeValue(forKey: "id")
            // A hash of a random password nobody knows (demo staff, the first admin).
            row.removeValue(forKey: "passwordHash")
            let data = try JSONSerialization.data(withJSONObject: relabel(row), options: [.sortedKeys])
            return String(decoding: data, as: UTF8.self)
        }
        for (table, rows) in tables {
            for row in rows { if let id = row["id"] as? String, let label = natural(table, row) { labels[id.uppercased()] = label } }
        }
        // Rows without a natural key are named by their contents, parents first (plans before
        // their actions, proposals before their contacts, surveys before their reviews).
        for table in ["incident_reports", "action_plans", "closure_proposals", "satisfaction_surveys"] {
            for row in tables[table] ?? [] {
                if let id = row["id"] as? String { labels[id.uppercased()] = "\(table):" + (try line(row)) }
            }
        }
        var result: [String: [String]] = [:]
        for (table, rows) in tables { result[table] = try rows.map(line).sorted() }
        return result
    }

    static func compare(_ a: [String: [String]], _ b: [String: [String]], _ what: String) {
        #expect(a.keys.sorted() == b.keys.sorted())
        for (table, rows) in a.sorted(by: { $0.key < $1.key }) {
            let other = b[table] ?? []
            guard rows != other else { continue }
            let onlyA = Set(rows).subtracting(other).sorted().prefix(2)
            let onlyB = Set(other).subtracting(rows).sorted().prefix(2)
            Issue.record("\(what): \(table) differs (\(rows.count) vs \(other.count) rows). First only in the first: \(onlyA). First only in the second: \(onlyB)")
        }
    }

    /// SQLite's indexes, each with the statement that made it (none on PostgreSQL).
    static func sqliteIndexes(_ app: Application) async throws -> [String] {
        guard TestDatabase.postgresURL == nil else { return [] }
        struct Index: Decodable { var name: String; var sql: String? }
        return try await (app.db as! any SQLDatabase)
            .raw("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").all(decoding: Index.self)
            .map { "\($0.name): \($0.sql ?? "-")" }
    }

    /// SQLite's journal mode of the file (`wal` once demo data has ended, however it ended).
    static func journalMode(_ app: Application) async throws -> String {
        struct Mode: Decodable { var journal_mode: String }
        return try await (app.db as! any SQLDatabase).raw("PRAGMA journal_mode").first(decoding: Mode.self)?.journal_mode ?? ""
    }

    /// The canonical tables of a dataset written step by step through the services.
    static func throughServices(cases: Int, seed: UInt64) async throws -> [String: [String]] {
        var tables: [String: [String]] = [:]
        try await TestApp.run { t in
            _ = try await DemoData.generate(t.app, Self.options(cases: cases, seed: seed, throughServices: true))
            tables = try await Self.canonical(t.app)
        }
        return tables
    }

    @Test("The bulk writer writes exactly the rows the services write for the same plans, in every table")
    func bulkMatchesServices() async throws {
        let throughServices = try await Self.throughServices(cases: 40, seed: 11)
        try await TestApp.run { t in
            _ = try await DemoData.generate(t.app, Self.options(cases: 40, seed: 11))
            let bulk = try await Self.canonical(t.app)
            Self.compare(throughServices, bulk, "services vs bulk")
            // The comparison is not empty: the plans reached every stage of the casework.
            for table in ["cases", "incident_reports", "case_milestones", "case_events", "audit_events", "contact_log",
                          "action_plans", "plan_actions", "closure_proposals", "closure_contacts", "satisfaction_surveys"] {
                #expect((bulk[table]?.count ?? 0) > 0, "\(table) is empty")
            }
        }
    }

    @Test("Batches built side by side write the same rows as the services, references in the plans' order")
    func parallelBatchesMatchServices() async throws {
        let throughServices = try await Self.throughServices(cases: 60, seed: 12)
        try await TestApp.run { t in
            var options = Self.options(cases: 60, seed: 12)
            // Nine batches, more than there are builders, of sizes that do not divide the cases,
            // four to a transaction (the last transaction takes one).
            options.casesPerBatch = 7
            options.batchesPerTransaction = 4
            let indexes = try await Self.sqliteIndexes(t.app)
            let summary = try await DemoData.generate(t.app, options)
            // On SQLite the indexes taken off for the load are back, as they were made, and no
            // record of them is left.
            #expect(try await Self.sqliteIndexes(t.app) == indexes)
            #expect(try await Self.leftOutRecord(t.app) == nil)
            if case .sqliteFile(let path) = t.app.asb.config.database {
                // With no other process on the file the load wrote with a rollback journal, and
                // the file is back in write-ahead logging, its log empty, no journal left.
                #expect(summary.rollbackJournal)
                #expect(try await Self.journalMode(t.app) == "wal")
                #expect(!FileManager.default.fileExists(atPath: path + "-journal"))
                let log = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int
                #expect(log == 0)
            }
            Self.compare(throughServices, try await Self.canonical(t.app), "services vs bulk in batches of 7, 4 a transaction")
            // The references run on without a gap in each year, and the counters end at the last.
            struct Counter: Decodable { var year: Int; var last_number: Int }
            let sql = try #require(t.app.db as? any SQLDatabase)
            let counters = try await sql.raw("SELECT year, last_number FROM case_reference_counters").all(decoding: Counter.self)
            let cases = try await ASBCase.query(on: t.app.db).all()
            #expect(counters.count >= 2, "the year spans two reference years")
            for counter in counters {
                let numbers = cases.filter { $0.referenceYear == counter.year }.map(\.referenceNumber).sorted()
                #expect(numbers == Array(1...counter.last_number))
            }
        }
    }

    /// The lowest, highest and a mixed id, 500 random ones and 500 time-ordered ones.
    static func sampleIDs() -> [UUID] {
        [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
         UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255)),
         UUID(uuid: (0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10))]
            + (0..<500).map { _ in UUID() } + (0..<500).map { _ in OrderedID.next(at: Date()) }
    }

    @Test("A batch that fails takes its whole transaction back, keeps the ones before, and stops the generator with the error",
          .timeLimit(.minutes(2)))
    func failedBatch() async throws {
        try await TestApp.run { t in
            let sql = try #require(t.app.db as? any SQLDatabase)
            // A fault planted in the sixth batch's contacts (batches of 7 cases, 4 to a
            // transaction): the second transaction has the fifth batch's cases in it by then.
            if TestDatabase.postgresURL == nil {
                try await sql.raw("""
                    CREATE TRIGGER planted_fault BEFORE INSERT ON contact_log WHEN (SELECT COUNT(*) FROM cases) > 35
                    BEGIN SELECT RAISE(ABORT, 'planted fault'); END
                    """).run()
            } else {
                try await sql.raw("""
                    CREATE FUNCTION planted_fault() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN IF (SELECT COUNT(*) FROM cases) > 35 THEN RAISE EXCEPTION 'planted fault'; END IF; RETURN NEW; END $$
                    """).run()
                try await sql.raw("CREATE TRIGGER planted_fault BEFORE INSERT ON contact_log FOR EACH ROW EXECUTE FUNCTION planted_fault()").run()
            }
            var options = Self.options(cases: 60, seed: 12)
            options.casesPerBatch = 7
            options.batchesPerTransaction = 4
            let indexes = try await Self.sqliteIndexes(t.app)
            let error = await #expect(throws: (any Error).self) { _ = try await DemoData.generate(t.app, options) }
            #expect(String(describing: error).contains("planted fault"), "\(String(describing: error))")
            // The first transaction's 28 cases stayed, whole, with the references they were
            // given; nothing of the second did.
            let cases = try await ASBCase.query(on: t.app.db).all()
            #expect(cases.count == 28)
            struct Counter: Decodable { var year: Int; var last_number: Int }
            // On an SQLite file the generator closed the readers `sql` came from: a new one.
            let counters = try await (t.app.db as! any SQLDatabase)
                .raw("SELECT year, last_number FROM case_reference_counters").all(decoding: Counter.self)
            #expect(counters.map(\.last_number).reduce(0, +) == 28)
            for counter in counters {
                let numbers = cases.filter { $0.referenceYear == counter.year }.map(\.referenceNumber).sorted()
                #expect(numbers == Array(1...counter.last_number))
            }
            let caseIDs = Set(cases.compactMap(\.id))
            let events = try await CaseEvent.query(on: t.app.db).all()
            #expect(!events.isEmpty && events.allSatisfy { caseIDs.contains($0.$asbCase.id) })
            // The indexes taken off for the load were made again over what was committed, and
            // a file written with a rollback journal is back in write-ahead logging.
            #expect(try await Self.sqliteIndexes(t.app) == indexes)
            if case .sqliteFile = t.app.asb.config.database { #expect(try await Self.journalMode(t.app) == "wal") }
        }
    }

    /// How many indexes the SQLite file records as left out by a load (`DemoBulkWriter.leftOutIndexes`),
    /// nil without a record (and always on PostgreSQL, whose loads leave none out).
    static func leftOutRecord(_ app: Application) async throws -> Int? {
        guard TestDatabase.postgresURL == nil else { return nil }
        let sql = try #require(app.db as? any SQLDatabase)
        guard try await sql.raw("SELECT name FROM sqlite_master WHERE name = \(bind: DemoBulkWriter.leftOutIndexes)").first() != nil
        else { return nil }
        struct Count: Decodable { var n: Int }
        return try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: DemoBulkWriter.leftOutIndexes)").first(decoding: Count.self)?.n
    }

    @Test("A load stopped before its end (Ctrl-C, SIGTERM, a crash) leaves its indexes recorded; the next start makes them again")
    func stoppedLoadsIndexesComeBack() async throws {
        guard TestDatabase.postgresURL == nil else { return }  // only SQLite's loads leave indexes out
        try await TestApp.run { t in
            let indexes = try await Self.sqliteIndexes(t.app)
            let options = Self.options(cases: 10, seed: 3)
            let staff = try await DemoStaff.prepare(t.app, cases: 10, seed: 3, now: options.until.addingTimeInterval(-366 * 86400))
            let calendar = try await CalendarService(app: t.app, db: t.app.db, requestID: nil).calendar()
            let writer = DemoBulkWriter(app: t.app, staff: staff, seed: 3, calendar: calendar, batchesPerTransaction: 1)
            try await writer.start()
            // The process ends here, as a stopped load does: no finish, no restore.
            let during = try await Self.sqliteIndexes(t.app)
            let leftOut = Set(indexes).subtracting(during).count
            #expect(leftOut > 50, "the load left out the indexes that only speed reads")
            #expect(try await Self.leftOutRecord(t.app) == leftOut)

            _ = try await t.app.prepareDatabase()  // what the next `asb serve` or `asb demo-data` does first
            #expect(try await Self.sqliteIndexes(t.app) == indexes)
            #expect(try await Self.leftOutRecord(t.app) == nil)
            #expect(try await DemoBulkWriter.makeLeftOutIndexes(t.app) == 0)
        }
    }

    @Test("With another process holding the SQLite file open, the load keeps the log, says so, and writes the same data",
          .timeLimit(.minutes(2)))
    func anotherConnectionKeepsTheLog() async throws {
        let throughServices = try await Self.throughServices(cases: 30, seed: 14)
        try await TestApp.run { t in
            guard case .sqliteFile(let path) = t.app.asb.config.database else { return }
            // A connection of its own, as another process's would be: it has read the file, so
            // it holds it open in write-ahead logging until it is closed.
            let other = try await SQLiteConnection.open(storage: .file(path: path))
            _ = try await other.query("SELECT COUNT(*) FROM cases", [])
            var notes: [String] = []
            var options = Self.options(cases: 30, seed: 14)
            options.casesPerBatch = 7
            let summary: DemoData.Summary
            do {
                summary = try await DemoData.generate(t.app, options, note: { notes.append($0) })
                try await other.close()
            } catch {
                try? await other.close()
                throw error
            }
            #expect(!summary.rollbackJournal)
            #expect(notes.contains { $0.contains("Another process has the database open") })
            #expect(try await Self.journalMode(t.app) == "wal")
            #expect(!FileManager.default.fileExists(atPath: path + "-journal"))
            Self.compare(throughServices, try await Self.canonical(t.app), "services vs bulk beside another connection")
        }
    }

    @Test("An id's text is Foundation's uuidString, and its lower-case form for message ids")
    func uuidText() {
        for id in Self.sampleIDs() {
            #expect(id.text == id.uuidString)
            #expect(id.lowercasedText == id.uuidString.lowercased())
        }
    }

    @Test("An ordered id has the UUIDv7 layout: milliseconds, version 7, the counter, variant 10, random bits")
    func orderedIDLayout() {
        // The layout byte by byte, as the specification draws it.
        func reference(_ ms: UInt64, _ counter: UInt64, _ random: UInt16) -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: 16)
            for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: ms >> (8 * (5 - UInt64(i)))) }
            bytes[6] = 0x70 | UInt8(truncatingIfNeeded: (counter >> 60) & 0x0F)
            bytes[7] = UInt8(truncatingIfNeeded: counter >> 52)
            let low = (counter & ((1 << 52) - 1)) << 10 | UInt64(random & 0x3FF)
            bytes[8] = 0x80 | UInt8(truncatingIfNeeded: (low >> 56) & 0x3F)
            for i in 9..<16 { bytes[i] = UInt8(truncatingIfNeeded: low >> (8 * (15 - UInt64(i)))) }
            return bytes
        }
        var random = SystemRandomNumberGenerator()
        var samples: [(UInt64, UInt64, UInt16)] = [(0, 0, 0), (.max, .max, .max), (1_790_000_000_123, 1 << 40, 0x3FF)]
        for _ in 0..<1000 {
            samples.append((UInt64.random(in: 0..<(1 << 48), using: &random), random.next(), UInt16.random(in: .min ... .max, using: &random)))
        }
        for (ms, counter, bits) in samples {
            let id = OrderedID.make(milliseconds: ms, counter: counter, random: bits)
            #expect(withUnsafeBytes(of: id.uuid) { Array($0) } == reference(ms, counter, bits), "\(ms) \(counter) \(bits)")
        }
        // Later milliseconds, and a higher counter within one, sort later as text.
        let first = OrderedID.make(milliseconds: 1_790_000_000_123, counter: 5, random: 0x3FF)
        #expect(first.text < OrderedID.make(milliseconds: 1_790_000_000_123, counter: 6, random: 0).text)
        #expect(first.text < OrderedID.make(milliseconds: 1_790_000_000_124, counter: 0, random: 0).text)
        #expect(first.text.hasPrefix("01A0C450-6C7B-7"))
    }

    @Test("An id read back from its stored text is the id Foundation's UUID(uuidString:) reads, and text it refuses is refused")
    func uuidFromStoredText() {
        for id in Self.sampleIDs() {
            #expect(UUID(storedText: id.uuidString) == id)
            #expect(UUID(storedText: id.uuidString.lowercased()) == id)
        }
        let good = "01234567-89AB-CDEF-FEDC-BA9876543210"
        let odd = ["", "0", String(good.dropLast()), good + "0", "{\(good)}", good.replacingOccurrences(of: "-", with: ""),
                   good.replacingOccurrences(of: "-", with: "_"), "0123456-789AB-CDEF-FEDC-BA9876543210", "G1234567-89AB-CDEF-FEDC-BA9876543210",
                   "01234567-89AB-CDEF-FEDC-BA987654321g", "01234567-89AB-CDEF-FEDC BA9876543210", " 1234567-89AB-CDEF-FEDC-BA9876543210",
                   "+1234567-89AB-CDEF-FEDC-BA9876543210", "01234567-+9AB-CDEF-FEDC-BA9876543210", "0123456é-89AB-CDEF-FEDC-BA987654321"]
        for text in odd {
            #expect(UUID(storedText: text) == UUID(uuidString: text), "\(text)")
        }
    }

    @Test("The bulk writer binds every value as SQLite's encoder does")
    func sqliteValues() throws {
        let encoder = SQLiteDataEncoder()
        let date = Date(timeIntervalSince1970: 1_790_000_000.123456)
        let values: [any Encodable & Sendable] = [
            "text", "", "with \"quotes\" and ünïcode", UUID(), date, 42, -1, 0, true, false, 3.25, -0.5,
            Optional("text"), Optional(UUID()), Optional(date), Optional(7), Optional(true), Optional(1.5),
            Priority.p2, CaseStatus.open, [HateStrand.race, .disability], ["a", "b"], ["k": "v"], LocalDate(iso: "2026-03-31")!,
            Optional(CaseStatus.closed), Optional<[String]>(["x"]),
        ]
        for value in values {
            #expect(try BulkInsert.sqliteData(value, encoder: encoder) == encoder.encode(value), "\(value)")
        }
        // Every enumeration and list a new case's rows hold, and lists whose text JSON escapes.
        var more: [any Encodable & Sendable] = [[String](), [HateStrand](), ["a/b"], ["say \"no\""], ["back\\slash"], ["new\nline"],
                                                ["tab\t", "bell\u{7}"], ["del\u{7F}"], ["ünïcode", "plain"], ["", " "], [Priority.p1, .p3]]
        more += CaseStatus.allCases + ReportChannel.allCases + IncidentCategory.allCases + HateStrand.allCases + ASBLimb.allCases
        more += ContactMethod.allCases + PartyRole.allCases + RiskLevel.allCases + SupportNeed.allCases + Milestone.allCases
        more += AgencyGuidance.allCases + MessageKind.allCases + DeliveryChannel.allCases + Priority.allCases
        more += [IncidentCategory.allCases, HateStrand.allCases, ASBLimb.allCases, SupportNeed.allCases, AgencyGuidance.allCases]
        more += [PrioritySource.provisional, CaseEvent.Kind.reported, OutboxMessage.Status.pending]
        more += ContactChannel.allCases + ContactDirection.allCases + ActionOwnerKind.allCases + ActionStatus.allCases
        more += ClosureContactMethod.allCases + ClosureContactOutcome.allCases + SurveyChannel.allCases
        more += [ClosureProposal.Status.pending, ClosureProposal.Status.cancelled, ClosureProposal.Status.closed]
        var random = SystemRandomNumberGenerator()
        let alphabet = Array("ab Z9-_.,:;'\"\\/\n\u{1}é😀")
        for _ in 0..<200 {
            more.append((0..<Int.random(in: 0...3, using: &random)).map { _ in
                String((0..<Int.random(in: 0...6, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            })
        }
        more += ClosureReason.allCases as [any Encodable & Sendable]
        more += OutboxMessage.Status.allCases as [any Encodable & Sendable]
        more += [CaseReviewStatus.thresholdMet, CaseReviewStatus.applied, CaseReviewStatus.outcomeDue, CaseReviewStatus.outcomeSent,
                 PrioritySource.assessed, PrioritySource.override, RiskAssessmentRecord.Source.intake,
                 RiskAssessmentRecord.Source.officer, CaseEvent.Kind.closed] as [any Encodable & Sendable]
        for value in more {
            #expect(try BulkInsert.sqliteData(value, encoder: encoder) == encoder.encode(value), "\(value)")
        }
        // What rows written by the models bind (`SQLiteRowModel`), value by value.
        for value in values + more {
            guard let bindable = value as? any SQLiteBindable else { continue }
            #expect(try bindable.sqliteBind == encoder.encode(value), "\(value)")
        }
        let nils: [any Encodable & Sendable] = [Optional<String>.none, Optional<UUID>.none, Optional<Date>.none, Optional<Int>.none,
                                                Optional<Bool>.none, Optional<Double>.none, Optional<CaseStatus>.none]
        for value in nils { #expect(try BulkInsert.sqliteData(value, encoder: encoder) == .null) }
    }

    @Test("Models that write their own rows write Fluent's columns and values: stored, new and unset")
    func modelsWriteFluentsRows() async throws {
        let encoder = SQLiteDataEncoder()
        func compare<M: SQLiteRowModel>(_ models: [M], _ what: String) throws {
            let written = try BulkInsert.SQLiteRows(models, encoder: encoder)
            let input = try BulkInsert.SQLiteRows(fluentInput: models, encoder: encoder)
            #expect(written.columns == input.columns, "\(M.schema) \(what)")
            #expect(written.count == input.count && written.count == models.count, "\(M.schema) \(what)")
            #expect(written.binds == input.binds, "\(M.schema) \(what)")
        }
        func unset<M: SQLiteRowModel>(_ type: M.Type) -> M {
            let model = M()
            model.id = OrderedID.next(at: Date()) as? M.IDValue
            return model
        }
        try await TestApp.run { t in
            _ = try await DemoData.generate(t.app, Self.options(cases: 40, seed: 13))
            let db = t.app.db
            func stored<M: SQLiteRowModel>(_ type: M.Type) async throws {
                let models = try await M.query(on: db).all()
                #expect(!models.isEmpty, "\(M.schema) is empty")
                try compare(models, "as stored")
                try compare([unset(M.self)], "with every field unset")
            }
            try await stored(ASBCase.self)
            try await stored(CaseMilestone.self)
            try await stored(CaseEvent.self)
            try await stored(AuditEvent.self)
            try await stored(Party.self)
            try await stored(CaseParty.self)
            try await stored(IncidentReport.self)
            try await stored(RiskAssessmentRecord.self)
            try await stored(ContactLogEntry.self)
            try await stored(ActionPlan.self)
            try await stored(PlanAction.self)
            try await stored(ClosureProposal.self)
            try await stored(ClosureContactRecord.self)
            try await stored(SatisfactionSurvey.self)
            try await stored(DissatisfactionReview.self)
            // Demo data sends no messages: a report with an idempotency key stores its
            // acknowledgement and the key's record.
            let receipt = try await t.send(.POST, "/api/v1/reports", json: Fixtures.webReport(seed: 13),
                                           headers: [("Idempotency-Key", "k-13")])
            #expect(receipt.status == .created)
            try await stored(OutboxMessage.self)
            try await stored(IdempotencyRecord.self)
        }
        // New, unsaved models: explicit nils, and values just set.
        let now = Date(timeIntervalSince1970: 1_790_000_000.5)
        let entries = try [
            AuditLog.event(.partySearch, by: .system, entityType: "party", entityID: "P", at: now, requestID: nil),
            AuditLog.event(.caseCreate, by: .system, entityType: "case", entityID: "ASB-2026-000001", caseID: UUID(),
                           changes: ["status": "received", "quote": "\"/\\"], at: now, requestID: "r-1"),
        ]
        try compare(entries, "new")
        let event = CaseEvent(caseID: UUID(), at: now, kind: .reported, summary: "Reported on the website", actorID: nil)
        event.id = OrderedID.next(at: now)
        try compare([event], "new")
    }

    @Test("A dataset has the landlord's whole mix, and a case from every stage")
    func realistic() async throws {
        try await TestApp.run { t in
            let printed = try await t.command(["demo-data", "--cases", "1000", "--seed", "5", "--years", "2", "--until", Self.until])
            #expect(printed.last?.hasPrefix("Made 1000 cases (") == true)
            let db = t.app.db
            let cases = try await ASBCase.query(on: db).all()
            #expect(cases.count == 1000)
            #expect(Set(cases.map(\.status)) == Set(CaseStatus.allCases))
            #expect(Set(cases.compactMap(\.closureReason)) == Set(ClosureReason.allCases))
            #expect(Set(cases.compactMap(\.priority)) == Set(Priority.allCases))
            #expect(Set(cases.flatMap(\.hateStrands)) == Set(HateStrand.allCases))
            #expect(Set(cases.map(\.channel)).isSuperset(of: [.web, .email, .letter, .officer, .phone, .inPerson]))
            #expect(Set(cases.compactMap { $0.$neighbourhood.id }).count == DemoPlanner.neighbourhoodCount)
            #expect(Set(cases.map(\.referenceYear)).count >= 2)
            // Every hate case is priority 1 (SS-RT-2), and every closed case had its agreement call
            // unless it was anonymous (SS-CLS-2).
            #expect(cases.filter(\.hate).allSatisfy { $0.priority == .p1 })
            let closed = cases.filter { $0.status == .closed }
            let contacted = Set(try await ClosureProposal.query(on: db).filter(\.$status == .closed).with(\.$contacts).all()
                .filter { !$0.contacts.isEmpty }.map { $0.$asbCase.id })
            let named = Set(try await CaseParty.query(on: db).filter(\.$role == .reporter).all().map { $0.$asbCase.id })
            #expect(closed.allSatisfy { !named.contains($0.id!) || contacted.contains($0.id!) })
            #expect(try await IncidentReport.query(on: db).count() > cases.count)
            #expect(try await SatisfactionSurvey.query(on: db).filter(\.$status == "answered").count() > 0)
            #expect(try await OutboxMessage.query(on: db).count() == 0, "demo data queues no mail")
            // The figures are computed from it like from any data.
            let figures = try await StatisticsService.figures(year: "2025/26", app: t.app, db: db, now: t.clock.now)
            #expect(figures.contains { $0.kind == "financialYear" && $0.newCases > 0 && $0.hateCases > 0 })
            // A second run refuses: demo data goes into an empty database.
            await #expect(throws: (any Error).self) { try await t.command(["demo-data", "--cases", "1"]) }
        }
    }

    @Test("The same seed gives the same data")
    func deterministic() async throws {
        var first: [String: [String]] = [:]
        try await TestApp.run { t in
            _ = try await t.command(["demo-data", "--cases", "300", "--seed", "5", "--years", "2", "--until", Self.until])
            first = try await Self.canonical(t.app)
        }
        try await TestApp.run { t in
            _ = try await t.command(["demo-data", "--cases", "300", "--seed", "5", "--years", "2", "--until", Self.until])
            Self.compare(first, try await Self.canonical(t.app), "two runs with seed 5")
        }
    }

    @Test("Bad options are refused with the reason, and change nothing")
    func refusals() async throws {
        try await TestApp.run { t in
            for arguments in [["demo-data"], ["demo-data", "--cases", "0"], ["demo-data", "--cases", "5", "--years", "0"],
                              ["demo-data", "--cases", "5", "--until", "20 Nov"]] {
                await #expect(throws: DemoData.Failure.self) { try await t.command(arguments) }
            }
            let count = try await ASBCase.query(on: t.app.db).count()
            #expect(count == 0)
        }
    }
}
