@testable import ASBServer
import ASBCore
import Fluent
import FluentSQL
import Foundation
import Testing
import Vapor

@Suite("Safe retries and concurrent intake")
struct IdempotencyAndConcurrencyTests {
    @Test("Idempotency-Key: the same key and body return the same 201 and never a second case")
    func sameKeySameBody() async throws {
        try await TestApp.run { t in
            let body = Fixtures.webReport(seed: 7)
            let first = try await t.send(.POST, "/api/v1/reports", json: body, headers: [("Idempotency-Key", "retry-1")])
            let second = try await t.send(.POST, "/api/v1/reports", json: body, headers: [("Idempotency-Key", "retry-1")])
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(first.json["reference"] as? String == second.json["reference"] as? String)
            #expect(first.json["accessCode"] as? String == second.json["accessCode"] as? String)
            #expect(try await ASBCase.query(on: t.app.db).count() == 1)

            let other = try await t.send(.POST, "/api/v1/reports", json: body, headers: [("Idempotency-Key", "retry-2")])
            #expect(other.json["reference"] as? String == "ASB-2026-00002", "A new key is a new report")
        }
    }

    @Test("Idempotency-Key: the same key with a different body is 422 and stores nothing")
    func sameKeyDifferentBody() async throws {
        try await TestApp.run { t in
            _ = try await t.send(.POST, "/api/v1/reports", json: Fixtures.webReport(seed: 1), headers: [("Idempotency-Key", "k")])
            var changed = Fixtures.webReport(seed: 1)
            changed["description"] = "Something else entirely."
            let reply = try await t.send(.POST, "/api/v1/reports", json: changed, headers: [("Idempotency-Key", "k")])
            #expect(reply.status == .unprocessableEntity)
            #expect(reply.fieldErrors == ["Idempotency-Key"])
            #expect(try await ASBCase.query(on: t.app.db).count() == 1)
            let tooLong = try await t.send(.POST, "/api/v1/reports", json: Fixtures.webReport(seed: 2),
                                           headers: [("Idempotency-Key", String(repeating: "k", count: 201))])
            #expect(tooLong.status == .badRequest)
            #expect(try await ASBCase.query(on: t.app.db).count() == 1)
        }
    }

    @Test("Idempotency-Key: concurrent retries of one submission create exactly one case")
    func concurrentRetries() async throws {
        try await TestApp.run { t in
            let replies = try await withThrowingTaskGroup(of: TestApp.Reply.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await t.send(.POST, "/api/v1/reports", json: Fixtures.webReport(seed: 3), headers: [("Idempotency-Key", "burst")])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0.status == .created })
            #expect(Set(replies.compactMap { $0.json["reference"] as? String }).count == 1)
            #expect(try await ASBCase.query(on: t.app.db).count() == 1)
        }
    }

    @Test("Concurrent submissions get distinct, gap-free sequential references")
    func concurrentSubmissions() async throws {
        try await TestApp.run { t in
            let count = 40
            let references = try await withThrowingTaskGroup(of: String?.self) { group in
                for i in 0..<count {
                    group.addTask { try await t.submitReport(Fixtures.webReport(seed: i)).json["reference"] as? String }
                }
                return try await group.reduce(into: [String]()) { if let r = $1 { $0.append(r) } }
            }
            #expect(references.count == count)
            let expected = (1...count).map { CaseReference(year: 2026, number: $0).description }
            #expect(references.sorted() == expected)
        }
    }

    @Test("References are sequential per year and restart at 00001 in a new year")
    func referencesPerYear() async throws {
        let clock = TestClock(ISO8601DateFormatter().date(from: "2026-12-31T23:30:00Z")!)
        try await TestApp.run(clock: clock) { (t: TestApp) async throws -> Void in
            #expect(try await t.submitReport().string("reference") == "ASB-2026-00001")
            #expect(try await t.submitReport().string("reference") == "ASB-2026-00002")
            clock.advance(by: 3600)
            #expect(try await t.submitReport().string("reference") == "ASB-2027-00001")
        }
    }
}

@Suite("New incidents on a case (SS-PRG-1)")
struct IncidentTests {
    @Test("SS-PRG-1: staff add a new incident with caseReference; lastIncidentAt moves on, no new case or code")
    func incidentViaReports() async throws {
        try await TestApp.run { t in
            let receipt = try await t.submitReport()
            let reference = try #require(receipt.json["reference"] as? String)
            t.clock.advance(by: 3600)
            let officer = try await t.staffToken(.officer)
            let reply = try await t.send(.POST, "/api/v1/reports", json: [
                "channel": "phone", "caseReference": reference.lowercased(), "description": "It happened again tonight.",
                "hate": true, "hateStrands": ["disability"],
            ], token: officer.token)
            #expect(reply.status == .created, "\(reply.text)")
            #expect(reply.json["reference"] as? String == reference)
            #expect(reply.json["accessCode"] == nil)
            #expect(try await ASBCase.query(on: t.app.db).count() == 1)
            let stored = try #require(try await ASBCase.query(on: t.app.db).first())
            #expect(stored.lastIncidentAt == t.clock.now)
            #expect(stored.hate && stored.hateStrands == [.disability], "SS-DEF-2: any later perception of hate makes it a hate case")
            #expect(stored.priority == .p1, "SS-RT-2")
            #expect(stored.version == 2)
            #expect(try await IncidentReport.query(on: t.app.db).count() == 2)
        }
    }

    @Test("SS-PRG-1: POST /cases/{reference}/incidents records a new incident; the public cannot add to a case")
    func incidentEndpoint() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().json["reference"] as? String)
            let intake = try await t.staffToken(.intake)
            let reply = try await t.send(.POST, "/api/v1/cases/\(reference)/incidents",
                                         json: ["channel": "letter", "description": "Graffiti on the door.", "categories": ["vandalism"],
                                                "receivedAt": "2026-11-23T08:00:00Z"],
                                         token: intake.token)
            #expect(reply.status == .created, "\(reply.text)")
            #expect(reply.json["channel"] as? String == "letter")
            let stored = try #require(try await ASBCase.query(on: t.app.db).first())
            #expect(stored.categories == [.noise, .vandalism])
            #expect(stored.lastIncidentAt == tuesdayMorning, "An older incident does not move lastIncidentAt back")

            #expect(try await t.send(.POST, "/api/v1/cases/\(reference)/incidents",
                                     json: ["channel": "web", "description": "x"]).status == .unauthorized)
            #expect(try await t.submitReport(["caseReference": reference]).status == .unauthorized)
            #expect(try await t.send(.POST, "/api/v1/cases/ASB-2026-09999/incidents",
                                     json: ["channel": "web", "description": "x"], token: intake.token).status == .notFound)
            let empty = try await t.send(.POST, "/api/v1/cases/\(reference)/incidents",
                                         json: ["channel": "web", "description": ""], token: intake.token)
            #expect(empty.fieldErrors == ["description"])
        }
    }

    @Test("SS-CLS-1: a closed case takes no new incident (409 naming the rule)")
    func closedCaseRefusesIncident() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().json["reference"] as? String)
            let stored = try #require(try await ASBCase.query(on: t.app.db).first())
            stored.status = .closed
            try await stored.save(on: t.app.db)
            let intake = try await t.staffToken(.intake)
            let reply = try await t.send(.POST, "/api/v1/cases/\(reference)/incidents",
                                         json: ["channel": "phone", "description": "Again."], token: intake.token)
            #expect(reply.status == .conflict)
            #expect(reply.json["code"] as? String == "case.closedTakesNoIncident", "A report with caseReference opens the linked case")
            #expect(reply.json["clause"] as? String == "SS-CLS-1")
            #expect(try await IncidentReport.query(on: t.app.db).count() == 1)
        }
    }
}

@Suite("Group commit of new cases")
struct GroupCommitTests {
    @Test("On an SQLite file, a write transaction's statements run on the writer's one connection: sent at once in order, one failing fails them all, none seen before the commit")
    func statementsInOrder() async throws {
        try await TestApp.run { t in
            let writes = t.app.asb.writes
            guard writes.writer != nil else { return }  // PostgreSQL and in-memory SQLite send one at a time
            struct Counter: Decodable { var last_number: Int }
            @Sendable func counter() async throws -> Int? {
                let row = try await t.app.db.sql.raw("SELECT last_number FROM case_reference_counters WHERE year = 1999")
                    .first(decoding: Counter.self)
                return row?.last_number
            }
            // Each statement doubles the number and adds its bit: the result spells the order they ran in.
            let bits = (0..<40).map { $0 % 3 == 0 || $0 % 7 == 0 ? 1 : 0 }
            let statements: [BulkInsert.Statement] = [.sqlite("INSERT INTO case_reference_counters (year, last_number) VALUES (1999, 0)", [])]
                + bits.map { .sqlite("UPDATE case_reference_counters SET last_number = last_number * 2 + ? WHERE year = 1999", [.integer($0)]) }
            try await writes.run(on: t.app.db, bulk: true) { db in try await writes.insert(statements, on: db) }
            let spelled = bits.reduce(0) { $0 * 2 + $1 }
            #expect(try await counter() == spelled)

            await #expect(throws: (any Error).self) {
                try await writes.run(on: t.app.db, bulk: true) { db in
                    try await writes.insert([
                        .sqlite("UPDATE case_reference_counters SET last_number = 5 WHERE year = 1999", []),
                        .sqlite("INSERT INTO case_reference_counters (year, last_number) VALUES (1999, 0)", []),
                        .sqlite("UPDATE case_reference_counters SET last_number = 7 WHERE year = 1999", []),
                    ], on: db)
                }
            }
            #expect(try await counter() == spelled)

            // Statements sent one at a time run on the writer's one connection, inside its
            // transaction: not seen by a reader before the commit, and undone by a rollback.
            await #expect(throws: Abort.self) {
                try await writes.run(on: t.app.db) { db in
                    try await db.sql.raw("UPDATE case_reference_counters SET last_number = 5 WHERE year = 1999").run()
                    try await db.sql.raw("UPDATE case_reference_counters SET last_number = last_number + 1 WHERE year = 1999").run()
                    #expect(try await counter() == spelled, "a reader sees nothing before the commit")
                    throw Abort(.conflict)
                }
            }
            #expect(try await counter() == spelled)
            try await writes.run(on: t.app.db) { db in
                try await db.sql.raw("UPDATE case_reference_counters SET last_number = 5 WHERE year = 1999").run()
                try await db.sql.raw("UPDATE case_reference_counters SET last_number = last_number + 1 WHERE year = 1999").run()
            }
            #expect(try await counter() == 6)
        }
    }

    /// Holds the write lock (SQLite's gate, without a connection: the reports' reads still need
    /// one) or, on PostgreSQL, what `postgresLock` locks (by default the reference counter's row)
    /// until `release` is called, so that writes arriving meanwhile wait for the same next
    /// transaction.
    final class WriteHold: Sendable {
        static let counterRow = "SELECT last_number FROM case_reference_counters WHERE year = 2026 FOR UPDATE"

        private let released: AsyncStream<Void>
        private let continuation: AsyncStream<Void>.Continuation
        private let task: Task<Void, any Error>

        init(_ t: TestApp, postgresLock: String = counterRow) async throws {
            (released, continuation) = AsyncStream.makeStream()
            let taken: AsyncStream<Void>
            let tookIt: AsyncStream<Void>.Continuation
            (taken, tookIt) = AsyncStream.makeStream()
            let (app, released) = (t.app, released)
            task = Task {
                if let gate = app.asb.writes.sqliteGate {
                    await gate.lock()
                    tookIt.yield()
                    for await _ in released { break }
                    await gate.unlock()
                    return
                }
                if postgresLock == Self.counterRow {
                    // Before a first report the year's counter has no row, and locking it would
                    // hold nothing: the first transaction would commit at once, and the test pass
                    // or fail by its timing. A row at 0 gives the same references.
                    try await (app.db as! any SQLDatabase).raw("""
                        INSERT INTO case_reference_counters (year, last_number) VALUES (2026, 0) ON CONFLICT (year) DO NOTHING
                        """).run()
                }
                try await app.db.transaction { db in
                    _ = try await (db as! any SQLDatabase).raw(SQLQueryString(postgresLock)).all()
                    tookIt.yield()
                    for await _ in released { break }
                }
            }
            for await _ in taken { break }
        }

        func release() async throws {
            continuation.yield()
            try await task.value
        }
    }

    /// Sends the first body while the writes are held and waits until the writer has taken it
    /// into a transaction (which waits on the hold); then sends the others at once and waits
    /// until all are queued behind it, and lets them go: the first report is written alone, the
    /// others in the next transaction, whatever the order they arrive in.
    static func sendHeld(_ t: TestApp, _ count: Int,
                         _ body: @escaping @Sendable (Int) -> ([String: Any], [(String, String)])) async throws -> [TestApp.Reply] {
        try await sendHeld(t, count, writer: t.app.asb.newCases) { i in
            let (json, headers) = body(i)
            return try await t.send(.POST, "/api/v1/reports", json: json, headers: headers)
        }
    }

    /// The same for any group commit: `request` is what hands `writer` its job.
    static func sendHeld<Job, Output>(_ t: TestApp, _ count: Int, writer: GroupCommit<Job, Output>,
                                      postgresLock: String = WriteHold.counterRow,
                                      _ request: @escaping @Sendable (Int) async throws -> TestApp.Reply) async throws -> [TestApp.Reply] {
        let hold = try await WriteHold(t, postgresLock: postgresLock)
        let answered = Answered()
        func send(_ i: Int) -> Task<TestApp.Reply, any Error> {
            Task {
                let reply = try await request(i)
                await answered.add()
                return reply
            }
        }
        func wait(until condition: () async -> Bool) async throws {
            let deadline = Date().addingTimeInterval(20)
            while await !condition(), Date() < deadline { try await Task.sleep(for: .milliseconds(5)) }
        }
        let before = await writer.received
        var sends = [send(0)]
        try await wait {
            let (received, queued) = (await writer.received, await writer.queued)
            return received == before + 1 && queued == 0
        }
        sends += (1..<count).map(send)
        try await wait { await writer.queued == count - 1 }
        #expect(await writer.queued == count - 1)
        #expect(await answered.count == 0, "nobody is answered before their transaction commits")
        try await hold.release()
        var replies: [TestApp.Reply] = []
        for send in sends { replies.append(try await send.value) }
        return replies
    }

    actor Answered {
        private(set) var count = 0
        func add() { count += 1 }
    }

    /// PostgreSQL's pools are per event loop: the hold and the first transaction waiting on it
    /// may take both of one loop's two default connections, and the reports' reads need some.
    static func run(_ body: (TestApp) async throws -> Void) async throws {
        try await TestApp.run(configure: { $0.poolConnectionsPerLoop = 8 }, body)
    }

    static func report(_ i: Int) -> [String: Any] {
        var body = Fixtures.webReport(seed: i)
        body["description"] = "Report \(i): shouting on the landing after midnight."
        return body
    }

    @Test("SS-REP-1: reports that arrive together are written in one transaction, each answered with its own case, references gap-free")
    func reportsArrivingTogether() async throws {
        try await Self.run { t in
            #expect(try await t.submitReport(Self.report(99)).string("reference") == "ASB-2026-00001")
            let first = try #require(try await ASBCase.query(on: t.app.db).first())
            func rows(of stored: ASBCase) async throws -> [Int] {
                let id = try stored.requireID()
                return [try await CaseMilestone.query(on: t.app.db).filter(\.$asbCase.$id == id).count(),
                        try await CaseEvent.query(on: t.app.db).filter(\.$asbCase.$id == id).count(),
                        try await CaseParty.query(on: t.app.db).filter(\.$asbCase.$id == id).count(),
                        try await RiskAssessmentRecord.query(on: t.app.db).filter(\.$asbCase.$id == id).count(),
                        try await AuditEvent.query(on: t.app.db).filter(\.$asbCase.$id == id).count(),
                        try await OutboxMessage.query(on: t.app.db).filter(\.$asbCase.$id == id).count()]
            }
            let firstRows = try await rows(of: first)
            #expect(firstRows.allSatisfy { $0 > 0 }, "deadlines, timeline, reporter, assessment, audit, acknowledgement")
            let before = await t.app.asb.newCases.committed
            let count = 12
            let replies = try await Self.sendHeld(t, count) { (Self.report($0), []) }
            let after = await t.app.asb.newCases.committed
            #expect(after.transactions - before.transactions == 2, "the first report alone, then the eleven that waited, together")
            #expect(after.jobs - before.jobs == count)

            #expect(replies.allSatisfy { $0.status == .created }, "\(replies.map(\.text))")
            let references = replies.compactMap { $0.json["reference"] as? String }
            #expect(references.sorted() == (2...count + 1).map { CaseReference(year: 2026, number: $0).description })
            // Each answer is its own report's case: its incident, its access code.
            for (i, reply) in replies.enumerated() {
                let incidentID = try #require(UUID(uuidString: reply.string("incidentId") ?? ""))
                let incident = try #require(try await IncidentReport.find(incidentID, on: t.app.db))
                #expect(incident.description == Self.report(i)["description"] as? String)
                let stored = try #require(try await ASBCase.find(incident.$asbCase.id, on: t.app.db))
                #expect(stored.reference == reply.string("reference"))
                #expect(stored.accessCodeHash == IntakeService.hashAccessCode(reply.string("accessCode") ?? ""))
                #expect(try await rows(of: stored) == firstRows, "the same rows as a report written alone")
            }
            #expect(try await ASBCase.query(on: t.app.db).count() == count + 1)
        }
    }

    @Test("SS-REP-1: each row a new case writes names its own reference: the case, its audit entries, the acknowledgement, the priority 1 alert, the Case Review threshold")
    func rowsNameTheirReference() async throws {
        try await Self.run { t in
            _ = try await t.staffToken(.teamLeader)
            // Sent together: written by one transaction, each with the reference allocated there.
            let replies = try await Self.sendHeld(t, 4) { i in
                var body = Self.report(i)
                if i % 2 == 1 {
                    body["hate"] = true
                    body["hateStrands"] = ["religionOrBelief"]
                }
                return (body, [])
            }
            for reply in replies {
                #expect(reply.status == .created)
                let reference = try #require(reply.string("reference"))
                let stored = try #require(try await ASBCase.query(on: t.app.db).filter(\.$reference == reference).first())
                #expect("ASB-\(stored.referenceYear)-\(String(format: "%05d", stored.referenceNumber))" == reference)
                let caseID = try stored.requireID()
                let audit = try await AuditEvent.query(on: t.app.db).filter(\.$asbCase.$id == caseID).all()
                #expect(audit.contains { $0.action == "case.create" && $0.entityID == reference })
                let messages = try await OutboxMessage.query(on: t.app.db).filter(\.$asbCase.$id == caseID).all()
                let events = try await CaseEvent.query(on: t.app.db).filter(\.$asbCase.$id == caseID).all()
                let hate = stored.hate
                #expect(messages.count == (hate ? 2 : 1), "the acknowledgement, and for a hate case the team leader's alert")
                #expect(stored.caseReviewStatus == (hate ? .thresholdMet : nil))
                if hate {
                    #expect(audit.contains { $0.action == "case.caseReview.threshold" && $0.entityID == reference })
                    #expect(events.contains { $0.kind == .caseReviewThresholdMet })
                }
                for message in messages {
                    #expect(message.subject.contains(reference))
                    #expect(message.textBody.contains(reference))
                }
                let texts = messages.flatMap { [$0.subject, $0.textBody] } + events.map(\.summary)
                    + audit.flatMap { [$0.entityID, $0.changes] }
                #expect(!texts.contains { $0.unicodeScalars.contains { (0xE000...0xF8FF).contains($0.value) } },
                        "no stand-in is left in what was written")
            }
        }
    }

    @Test("A report that fails in a batch fails alone: the others are written one by one, references stay gap-free")
    func failingReportFailsAlone() async throws {
        try await Self.run { t in
            #expect(try await t.submitReport().string("reference") == "ASB-2026-00001")
            let before = await t.app.asb.newCases.committed
            // The same key and body twice in one batch: the second row breaks the key's unique
            // index, the batch rolls back, and the second report is answered as the first.
            let replies = try await Self.sendHeld(t, 8) { i in
                i == 2 || i == 5 ? (Self.report(100), [("Idempotency-Key", "twice")]) : (Self.report(i), [])
            }
            let after = await t.app.asb.newCases.committed
            #expect(replies.allSatisfy { $0.status == .created }, "\(replies.map(\.text))")
            #expect(replies[2].string("reference") == replies[5].string("reference"))
            #expect(replies[2].string("accessCode") == replies[5].string("accessCode"))
            let references = Set(replies.compactMap { $0.json["reference"] as? String })
            #expect(references.sorted() == (2...8).map { CaseReference(year: 2026, number: $0).description })
            #expect(try await ASBCase.query(on: t.app.db).count() == 8)
            #expect(try await IdempotencyRecord.query(on: t.app.db).count() == 1)
            #expect(after.transactions - before.transactions == 1 + 6, "the first alone; the failed batch's seven again one by one, one failing")
        }
    }
}

@Suite("Group commit of read audits")
struct ReadAuditTests {
    @Test("Case reads that arrive together are audited in one transaction, each answered after its entry is committed")
    func readsArrivingTogether() async throws {
        try await GroupCommitTests.run { t in
            let reference = try #require(try await t.submitReport().string("reference"))
            let (token, _) = try await t.staffToken(.teamLeader)
            func reads() async throws -> Int {
                try await AuditEvent.query(on: t.app.db).filter(\.$action == AuditLog.Action.caseRead.rawValue).count()
            }
            let readsBefore = try await reads()
            let before = await t.app.asb.readAudits.committed
            let count = 6
            let replies = try await GroupCommitTests.sendHeld(t, count, writer: t.app.asb.readAudits,
                                                              postgresLock: "LOCK TABLE audit_events IN EXCLUSIVE MODE") { _ in
                try await t.send(.GET, "/api/v1/cases/\(reference)", token: token)
            }
            let after = await t.app.asb.readAudits.committed
            #expect(replies.allSatisfy { $0.status == .ok }, "\(replies.map(\.text))")
            #expect(after.transactions - before.transactions == 2, "the first read alone, then the five that waited, together")
            #expect(after.jobs - before.jobs == count)
            #expect(try await reads() == readsBefore + count)
        }
    }
}

