import FluentKit
import Synchronization

extension QueryBuilder {
    /// How many rows the query matches, counting no further than `limit`. It reads only the ids
    /// of at most `limit` rows and builds no models (`all(\.$id)` builds a whole model for each
    /// row), so a count costs about what a short page costs however many rows match: the work
    /// queues' "50 or more".
    func count(upTo limit: Int) async throws -> Int {
        let counted = Mutex(0)
        try await copy().field(\Model._$id).limit(limit).run { _ in counted.withLock { $0 += 1 } }
        return counted.withLock { $0 }
    }
}
