import Foundation
import Synchronization

/// Reference data read often and changed rarely, kept in the process for a while (a minute): a
/// change made through this instance clears it at once, one made by another instance shows
/// within the lifetime. The working calendars and the neighbourhoods' postcode sectors.
final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let entries = Mutex<[Key: (value: Value, loadedAt: Date)]>([:])
    let lifetime: TimeInterval

    init(lifetime: TimeInterval = 60) { self.lifetime = lifetime }

    func get(_ key: Key, now: Date) -> Value? {
        entries.withLock { entries in
            guard let entry = entries[key], abs(now.timeIntervalSince(entry.loadedAt)) < lifetime else { return nil }
            return entry.value
        }
    }

    func put(_ value: Value, for key: Key, now: Date) {
        entries.withLock { $0[key] = (value, now) }
    }

    func clear() { entries.withLock { $0.removeAll() } }
}
