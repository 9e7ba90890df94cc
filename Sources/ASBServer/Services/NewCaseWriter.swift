import ASBCore
import Fluent
import FluentSQL
import Foundation

/// Writes new cases, many to a write transaction (`GroupCommit`).
///
/// A report's rows are built before the write (`NewCase`); the reports waiting while a
/// transaction runs are written together by the next one: the reference counters move once for
/// all of them, each table gets one insert for all their rows, and there is one commit (one
/// fsync) for the lot. Written one transaction a report, a report held SQLite's single write
/// lock for a dozen statements, each a trip to SQLite's thread and back, and the server could
/// not use its second core.
///
/// If a batch fails (one report breaking a constraint, an idempotency key used twice at once),
/// its reports are written again one by one, so only the bad one fails. References stay
/// gap-free: the counters move inside the same transaction as the cases.
enum NewCaseWriter {
    /// Reports to one transaction at most (a case has about ten rows; the widest insert then
    /// binds 64 × 36 values, far under both databases' limits).
    static let maxBatch = 64

    struct Job: Sendable {
        var newCase: NewCase
        var env: ASBEnvironment
        var db: any Database
    }

    typealias Group = GroupCommit<Job, IntakeService.Receipt>

    static func makeGroup(executor: (any TaskExecutor)?) -> Group {
        Group(maxBatch: maxBatch, executor: executor) { jobs in
            let env = jobs[0].env
            return try await env.writes.run(on: jobs[0].db, bulk: true) { db in
                try await insert(jobs.map(\.newCase), env: env, on: db)
            }
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
        try await env.writes.insert(try rows.statements(for: db), on: db)
        return receipts
    }
}
