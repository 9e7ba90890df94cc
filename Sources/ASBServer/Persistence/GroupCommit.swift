/// Group commit: the writes that arrive while a write transaction runs are made together by the
/// next one.
///
/// Each caller hands in its job and waits. The first starts a drain; while its transaction runs,
/// later jobs queue, and the next transaction takes every job waiting (up to `maxBatch`): one
/// commit, one fsync, one turn of SQLite's single write lock for all of them. Nobody is answered
/// before the transaction holding their job has committed, so each answer is as durable as a
/// transaction of its own. Alone, a job is written at once, in a transaction of its own.
///
/// If a batch fails, its jobs are committed again one by one, so only a job that fails by itself
/// is answered with an error.
///
/// Used for new cases from reports (`NewCaseWriter`) and for the audit entries of reads
/// (`ReadAudit`).
actor GroupCommit<Job: Sendable, Output: Sendable> {
    /// Commits the jobs in one write transaction and answers their outputs in the same order.
    typealias Commit = @Sendable ([Job]) async throws -> [Output]

    private struct Waiting {
        var job: Job
        var continuation: CheckedContinuation<Output, any Error>
    }

    let maxBatch: Int
    /// Where the transactions' code prefers to run (the SQLite writer's loop), if anywhere.
    private let executor: (any TaskExecutor)?
    private let commit: Commit
    private var waiting: [Waiting] = []
    private var draining = false

    /// Jobs waiting for the next transaction.
    var queued: Int { waiting.count }
    /// Jobs handed in so far.
    private(set) var received = 0
    /// Transactions committed, and the jobs in them (a batch committed again one by one counts each).
    private(set) var committed = (transactions: 0, jobs: 0)

    init(maxBatch: Int, executor: (any TaskExecutor)? = nil, commit: @escaping Commit) {
        precondition(maxBatch > 0)
        self.maxBatch = maxBatch
        self.executor = executor
        self.commit = commit
    }

    /// Commits the job (with the jobs waiting beside it) and answers its output once committed.
    func submit(_ job: Job) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            received += 1
            waiting.append(Waiting(job: job, continuation: continuation))
            if !draining {
                draining = true
                Task(executorPreference: executor) { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !waiting.isEmpty {
            let batch = Array(waiting.prefix(maxBatch))
            waiting.removeFirst(batch.count)
            await run(batch)
        }
        draining = false
    }

    private func run(_ batch: [Waiting]) async {
        do {
            let outputs = try await commit(batch.map(\.job))
            guard outputs.count == batch.count else {
                throw GroupCommitError(description: "A commit answered \(outputs.count) outputs for \(batch.count) jobs")
            }
            committed.transactions += 1
            committed.jobs += batch.count
            for (waiting, output) in zip(batch, outputs) { waiting.continuation.resume(returning: output) }
        } catch {
            guard batch.count > 1 else { return batch[0].continuation.resume(throwing: error) }
            // One bad job must not fail the others: each again, on its own.
            for waiting in batch { await run([waiting]) }
        }
    }
}

struct GroupCommitError: Error, CustomStringConvertible {
    var description: String
}
