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
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: ms >> (8 * (5 - UInt64(i)))) }
        // Version 7 and the counter's top 12 bits.
        bytes[6] = 0x70 | UInt8(truncatingIfNeeded: (counter >> 60) & 0x0F)
        bytes[7] = UInt8(truncatingIfNeeded: counter >> 52)
        // Variant 10, then the counter's next 52 bits, then 10 random bits.
        let low = (counter & ((1 << 52) - 1)) << 10 | UInt64(random & 0x3FF)
        bytes[8] = 0x80 | UInt8(truncatingIfNeeded: (low >> 56) & 0x3F)
        for i in 9..<16 { bytes[i] = UInt8(truncatingIfNeeded: low >> (8 * (15 - UInt64(i)))) }
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
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
