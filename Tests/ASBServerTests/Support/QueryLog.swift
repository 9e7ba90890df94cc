import Logging
import NIOConcurrencyHelpers

/// The SQL statements a logger at debug level saw, with the database each ran on.
final class QueryLog: Sendable {
    struct Entry: Sendable { var database: String; var sql: String }
    private let lock = NIOLockedValueBox<[Entry]>([])
    var entries: [Entry] { lock.withLockedValue { $0 } }

    struct Handler: LogHandler {
        let log: QueryLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            guard case .string(let sql)? = event.metadata?["sql"] else { return }
            let database = (event.metadata?["database-id"] ?? metadata["database-id"]).map { "\($0)" } ?? ""
            log.lock.withLockedValue { $0.append(Entry(database: database, sql: sql)) }
        }
    }
}
