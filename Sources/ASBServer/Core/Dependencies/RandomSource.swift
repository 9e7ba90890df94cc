import ASBCore
import Foundation

/// Random bytes for tokens, passwords and access codes: the system's CSPRNG when live.
public struct RandomSource: Sendable {
    public var bytes: @Sendable (Int) -> [UInt8]

    public init(bytes: @escaping @Sendable (Int) -> [UInt8]) { self.bytes = bytes }

    /// The system's generator, eight bytes a draw (a draw is a system call: one a byte made an
    /// access code 32 of them).
    public static let live = RandomSource { count in
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 7)
        while bytes.count < count {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes += $0 }
        }
        bytes.removeLast(bytes.count - count)
        return bytes
    }

    /// A URL-safe token with `byteCount` bytes of randomness.
    public func token(byteCount: Int = 32) -> String {
        Base64URL.encode(bytes(byteCount))
    }

    /// A reporter's access code (see `AccessCode`).
    /// A seed for a reproducible draw (stored with what it drew).
    public func seed() -> UInt64 {
        bytes(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    public func accessCode() -> String {
        while true {
            if let code = AccessCode.make(fromRandomBytes: bytes(32)) { return code }
        }
    }

    /// A generated password that a person can type: four groups of five from the access-code alphabet.
    public func password() -> String {
        var chars: [Character] = []
        while chars.count < 20 {
            for byte in bytes(32) where Int(byte) < 256 - 256 % AccessCode.alphabet.count {
                chars.append(AccessCode.alphabet[Int(byte) % AccessCode.alphabet.count])
            }
        }
        return stride(from: 0, to: 20, by: 5).map { String(chars[$0..<$0 + 5]) }.joined(separator: "-").lowercased()
    }
}
