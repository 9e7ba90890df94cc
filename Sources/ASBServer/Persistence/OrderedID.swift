import ASBCore
import Foundation
import Synchronization

/// Time-ordered UUIDs (the UUIDv7 layout): 48 bits of milliseconds, then a counter that rises
/// within the millisecond. Timeline and audit entries written with the same timestamp (one
/// change often records several) therefore sort in the order they were written, on both
/// databases, and new rows land at the end of the primary-key index.
enum OrderedID {
    private struct State {
        var milliseconds: UInt64 = 0
        var counter: UInt64 = 0
        /// The random parts come from a generator seeded once from the system's: ids are keys, not
        /// secrets, and a system call for every id slowed bulk writes.
        var random = SplitMix64(seed: UInt64.random(in: .min ... .max))
    }

    private static let state = Mutex(State())

    static func next(at date: Date) -> UUID {
        let now = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        let (ms, counter, random) = state.withLock { s -> (UInt64, UInt64, UInt16) in
            if now > s.milliseconds {
                s.milliseconds = now
                // A random start in the lower half leaves room to count up within the millisecond.
                s.counter = s.random.next() & ((1 << 40) - 1)
            } else {
                s.counter += 1
            }
            return (s.milliseconds, s.counter, UInt16(truncatingIfNeeded: s.random.next()))
        }
        return make(milliseconds: ms, counter: counter, random: random)
    }

    /// The id's 16 bytes as two big-endian words: the milliseconds (48 bits), version 7 and the
    /// counter's top 12 bits; variant 10, the counter's next 52 bits and 10 random bits. (A
    /// byte array here was an allocation an id: some forty a demo case.)
    static func make(milliseconds ms: UInt64, counter: UInt64, random: UInt16) -> UUID {
        let high = (ms & 0xFFFF_FFFF_FFFF) << 16 | 0x7000 | (counter >> 52) & 0x0FFF
        let low = 1 << 63 | (counter & ((1 << 52) - 1)) << 10 | UInt64(random & 0x3FF)
        return withUnsafeBytes(of: (high.bigEndian, low.bigEndian)) { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) }
    }
}

extension UUID {
    /// The same text as `uuidString` (upper-case hex in 8-4-4-4-12 groups), written directly:
    /// Foundation on Linux formats it with `sprintf`, which was a tenth of turning a new case's
    /// rows into SQLite's values (ids and the ids rows point to are most of their columns).
    var text: String { hexText(digits: Self.upper) }

    /// `uuidString.lowercased()`, written directly (message ids).
    var lowercasedText: String { hexText(digits: Self.lower) }

    private static let upper = Array("0123456789ABCDEF".utf8)
    private static let lower = Array("0123456789abcdef".utf8)

    private func hexText(digits: [UInt8]) -> String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                var i = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        out[i] = UInt8(ascii: "-")
                        i += 1
                    }
                    out[i] = digits[Int(byte >> 4)]
                    out[i + 1] = digits[Int(byte & 0x0F)]
                    i += 2
                }
                return i
            }
        }
    }
}
