import ASBCore
import Fluent
import FluentSQL
import Foundation

/// Writes new cases, many to a write transaction (group commit).
///
/// A report's rows are built before the write (`NewCase`); here the reports waiting while a
/// transaction runs are written together by the next one: the reference counters move once for
/// all of them, each table gets one insert for all their rows, and there is one commit (one
/// fsync) for the lot. Nobody is answered before the transaction holding their case has
/// committed, so every 201 is as durable as before. Written one transaction a report, a report
/// held SQLite's single write lock for a dozen statements, each a trip to SQLite's thread and
/// back, and the server could not use its second core.
///
/// If a batch fails (one report breaking a constraint, an idempotency key used twice at once),
/// its reports are written again one by one, so only the bad one fails. References stay
/// gap-free: the counters move inside the same transaction as the cases.
actor NewCaseWriter {
    /// Reports to one transaction at most (a case has about ten rows; the widest insert then
    /// binds 64 × 36 values, far under both databases' limits).
    static let maxBatch = 64

    private struct Job {
        var newCase: NewCase
        var db: any Database
        var continuation: CheckedContinuation<IntakeService.Receipt, any Error>
    }

    private var waiting: [Job] = []
    private var draining = false
    /// Reports waiting for the next transaction.
    var queued: Int { waiting.count }
    /// Reports handed to the writer so far.
    private(set) var received = 0
    /// Transactions committed, and the cases they wrote (a batch written again one by one counts each).
    private(set) var committed = (transactions: 0, cases: 0)

    /// Writes the case (with the reports waiting beside it) and answers its receipt once committed.
    func write(_ newCase: NewCase, env: ASBEnvironment, on db: any Database) async throws -> IntakeService.Receipt {
        try await withCheckedThrowingContinuation { continuation in
            received += 1
            waiting.append(Job(newCase: newCase, db: db, continuation: continuation))
            if !draining {
                draining = true
                Task { await self.drain(env: env) }
            }
        }
    }

    private func drain(env: ASBEnvironment) async {
        while !waiting.isEmpty {
            let batch = Array(waiting.prefix(Self.maxBatch))
            waiting.removeFirst(batch.count)
            await commit(batch, env: env)
        }
        draining = false
    }

    private func commit(_ jobs: [Job], env: ASBEnvironment) async {
        do {
            let cases = jobs.map(\.newCase)
            let receipts = try await env.writes.run(on: jobs[0].db) { db in
                try await Self.insert(cases, env: env, on: db)
            }
            committed.transactions += 1
            committed.cases += jobs.count
            for (job, receipt) in zip(jobs, receipts) { job.continuation.resume(returning: receipt) }
        } catch {
            guard jobs.count > 1 else { return jobs[0].continuation.resume(throwing: error) }
            // One bad report must not fail the others: each again, on its own.
            for job in jobs { await commit([job], env: env) }
        }
    }

    /// Inserts the cases inside the caller's write transaction: allocates their references (one
    /// counter statement a year), builds the rows that need them, and inserts every table's rows
    /// at once. Answers the receipts in the cases' order.
    static func insert(_ cases: [NewCase], env: ASBEnvironment, on db: any Database) async throws -> [IntakeService.Receipt] {
        if !env.questionnaires.isStored(RiskQuestionnaire.standard.version) {
            try await AssessmentService.storeQuestionnaire(.standard, now: cases[0].now, on: db)
        }
        var counts: [Int: Int] = [:]
        let years = cases.map { CaseReferenceAllocator.year(of: $0.now) }
        for year in years { counts[year, default: 0] += 1 }
        var next: [Int: Int] = [:]
        for (year, count) in counts.sorted(by: { $0.key < $1.key }) {
            next[year] = try await CaseReferenceAllocator.take(count, year: year, on: db).number
        }
        var rows = NewCase.Rows()
        var receipts: [IntakeService.Receipt] = []
        receipts.reserveCapacity(cases.count)
        for (newCase, year) in zip(cases, years) {
            let number = next[year]!
            next[year] = number + 1
            receipts.append(try newCase.rows(reference: CaseReference(year: year, number: number), env: env, on: db, into: &rows))
        }
        if !rows.idempotency.isEmpty, let now = cases.map(\.now).min() {
            try await IdempotencyRecord.query(on: db).filter(\.$expiresAt <= now).delete()
        }
        try await BulkInsert.run(try rows.statements(for: db), on: db)
        return receipts
    }
}
